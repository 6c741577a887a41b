// Small helpers over the page that never throw: events on `document`, localStorage (with an
// in-memory fallback), timing.
import { STORAGE_PREFIX } from './defaults.js';

export const w = window;
export const d = document;

/** Dispatches `name` on document; a listener's error stays the listener's. */
export function emit(name, detail) {
  try { d.dispatchEvent(new CustomEvent(name, { detail: detail })); } catch (e) { /* the page wins */ }
}

// Values the browser refused to store (Safari private mode, quota, disabled cookies) live
// here for the life of the page, and aisle keeps working.
var memory = Object.create(null);
var refused = false;

/** localStorage[aisle:v1:key] (or what the page kept in memory), or null. */
export function storageGet(key) {
  if (key in memory) return memory[key];
  if (refused) return null;
  try { return w.localStorage.getItem(STORAGE_PREFIX + key); } catch (e) { refused = true; return null; }
}

/** Writes localStorage[aisle:v1:key]; when the browser refuses, memory keeps it. */
export function storageSet(key, value) {
  if (!refused) {
    try { w.localStorage.setItem(STORAGE_PREFIX + key, value); delete memory[key]; return; } catch (e) { refused = true; }
  }
  memory[key] = value;
}

/** True once the browser refused a read or a write (storage now lives in memory). */
export function storageRefused() {
  return refused;
}

export function now() {
  return w.performance && performance.now ? performance.now() : 0;
}

/** Runs `fn` in a task of its own, as soon as the browser has run what was waiting: through
 * `scheduler.yield()` where there is one (its continuation goes ahead of the page's other
 * tasks), else a message to the page itself (a timer can be clamped to 4 ms or more). */
export function nextTask(fn) {
  try {
    var scheduler = /** @type {any} */ (w).scheduler;
    if (scheduler && typeof scheduler.yield === 'function') { scheduler.yield().then(fn, fn); return; }
    var channel = new MessageChannel();
    channel.port1.onmessage = function () { fn(); };
    channel.port2.postMessage(0);
  } catch (e) { setTimeout(fn, 0); }
}

/** Runs `fn` after the next frame was presented. */
export function afterNextFrame(fn) {
  try { requestAnimationFrame(function () { setTimeout(fn, 0); }); } catch (e) { fn(); }
}
