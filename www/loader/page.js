// Small helpers over the page that never throw: events on `document`, localStorage, timing.
import { STORAGE_PREFIX } from './defaults.js';

export const w = window;
export const d = document;

/** Dispatches `name` on document; a listener's error stays the listener's. */
export function emit(name, detail) {
  try { d.dispatchEvent(new CustomEvent(name, { detail: detail })); } catch (e) { /* the page wins */ }
}

/** localStorage[aisle:v1:key], or null when refused. */
export function storageGet(key) {
  try { return w.localStorage.getItem(STORAGE_PREFIX + key); } catch (e) { return null; }
}

/** Writes localStorage[aisle:v1:key]; refused storage keeps memory only. */
export function storageSet(key, value) {
  try { w.localStorage.setItem(STORAGE_PREFIX + key, value); } catch (e) { /* memory only */ }
}

export function now() {
  return w.performance && performance.now ? performance.now() : 0;
}

/** Runs `fn` after the next frame was presented. */
export function afterNextFrame(fn) {
  try { requestAnimationFrame(function () { setTimeout(fn, 0); }); } catch (e) { fn(); }
}
