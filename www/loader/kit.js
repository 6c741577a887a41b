// The start kit: what a returning shopper's page needs to order its grids at script start,
// before the first paint, without waiting for a fetch: the wasm's bytes, the manifest's text
// for as long as HTTP would call it fresh, and the bundle it names. localStorage is the only
// storage a script can read synchronously, so the kit lives there, written at idle time by
// a page that fetched the files (SRI checked the wasm then; the entry is kept under its
// sha384, so a new aisle.js ignores an old wasm). The manifest is used only as long as its
// own `Cache-Control` lets a cache use it (`max-age`, plus `stale-while-revalidate`, less
// `Age`, from its `Date`): the kill switch reaches a shopper as fast as through the HTTP
// cache. A bundle that would take the kit past KIT_MAX_CHARS is not kept: that shop's pages
// take the asynchronous route, with the hide.
import { w, storageRefused } from './page.js';
import { STORAGE_PREFIX, KIT_MAX_CHARS } from './defaults.js';

// Keys under STORAGE_PREFIX. `kit`: JSON {manifest: url, text, freshUntil, usableUntil
// (epoch ms, `freshness`)}; `kit:wasm`: the wasm's integrity, a space, its bytes in base64;
// `kit:bundle`: the bundle's absolute URL, a space, its bytes in base64. Each entry names
// what it holds in the same value, so that two tabs keeping kits at once cannot pair one
// bundle's name with another's bytes.
var INDEX_KEY = STORAGE_PREFIX + 'kit';
var WASM_KEY = STORAGE_PREFIX + 'kit:wasm';
var BUNDLE_KEY = STORAGE_PREFIX + 'kit:bundle';

/**
 * The kit for this page, or null: `{module, manifest, bundleUrl, bundle, stale}` with the
 * wasm compiled (synchronously: `new WebAssembly.Module`), the manifest's text, the bytes of
 * the bundle it names, and whether that manifest is past its `max-age` (usable, but to be
 * revalidated). Null when a part is missing, out of date or not the one this page needs;
 * a kit that cannot be read or does not compile is dropped.
 */
export function readKit(manifestUrl, integrity) {
  try {
    var store = w.localStorage;
    var index = JSON.parse(store.getItem(INDEX_KEY) || 'null');
    if (!index || index.manifest !== manifestUrl || !(Date.now() < index.usableUntil)) return null;
    var bundleUrl = bundleNamed(index.text, manifestUrl);
    var wasm = entry(store.getItem(WASM_KEY), integrity);
    var bundle = bundleUrl && entry(store.getItem(BUNDLE_KEY), bundleUrl);
    if (!wasm || !bundle) return null;
    return { module: new WebAssembly.Module(toBytes(wasm)), manifest: index.text, bundleUrl: bundleUrl, bundle: toBytes(bundle), stale: !(Date.now() < index.freshUntil) };
  } catch (e) {
    dropKit();
    return null;
  }
}

// The base64 of an entry that holds `name`'s bytes, else ''.
function entry(value, name) {
  return value && value.slice(0, name.length + 1) === name + ' ' ? value.slice(name.length + 1) : '';
}

/** The absolute URL of the bundle `manifestText` names (undefined when killed or none). */
export function bundleNamed(manifestText, manifestUrl) {
  var manifest = JSON.parse(manifestText);
  if (manifest && typeof manifest.bundle === 'string' && manifest.kill_switch !== true) return new URL(manifest.bundle, manifestUrl).href;
}

/** How long HTTP lets a response be used without asking the server: `{freshUntil,
 * usableUntil}` (epoch ms), the end of its `max-age` and that plus `stale-while-revalidate`,
 * during which a cache serves it and revalidates in the background. 0 when it must be
 * revalidated each time (no max-age, no-cache, no-store). A `Date` in the future (a slow
 * clock here) counts from now. */
export function freshness(response) {
  var cacheControl = response.headers.get('cache-control') || '';
  var maxAge = /(?:^|[\s,])max-age=(\d+)/i.exec(cacheControl);
  if (!maxAge || /no-cache|no-store/i.test(cacheControl)) return { freshUntil: 0, usableUntil: 0 };
  var stale = /stale-while-revalidate=(\d+)/i.exec(cacheControl);
  var received = Date.now();
  var date = Date.parse(response.headers.get('date') || '');
  var freshUntil = (date <= received ? date : received) + (Number(maxAge[1]) - (Number(response.headers.get('age')) || 0)) * 1000;
  return { freshUntil: freshUntil, usableUntil: freshUntil + (stale ? Number(stale[1]) * 1000 : 0) };
}

/**
 * Keeps what this page fetched for the next one: the manifest (`{text, freshUntil,
 * usableUntil}`), the bundle it names (`bundle`: its bytes, or undefined to keep the kit's)
 * and the wasm (`wasm`: its bytes, or undefined). Writes only what the kit does not hold
 * yet. A refused write drops the whole kit, never the shopper's history (raw `localStorage`,
 * not `storageSet`, which would move all of aisle's storage to memory).
 */
export function keepKit(manifestUrl, manifest, bundleUrl, bundle, integrity, wasm) {
  if (storageRefused()) return;
  try {
    var store = w.localStorage;
    var keptWasm = store.getItem(WASM_KEY) || '';
    if (wasm && !entry(keptWasm, integrity)) store.setItem(WASM_KEY, keptWasm = integrity + ' ' + toText(new Uint8Array(wasm)));
    if (bundle && !entry(store.getItem(BUNDLE_KEY), bundleUrl)) {
      var kept = bundleUrl + ' ' + toText(new Uint8Array(bundle));
      if (keptWasm.length + kept.length > KIT_MAX_CHARS) store.removeItem(BUNDLE_KEY); else store.setItem(BUNDLE_KEY, kept);
    }
    store.setItem(INDEX_KEY, JSON.stringify({ manifest: manifestUrl, text: manifest.text, freshUntil: manifest.freshUntil, usableUntil: manifest.usableUntil }));
  } catch (e) {
    dropKit();
  }
}

/** Forgets the kit (a part was unreadable, or the browser refused a write). */
export function dropKit() {
  try {
    var store = w.localStorage;
    store.removeItem(INDEX_KEY);
    store.removeItem(WASM_KEY);
    store.removeItem(BUNDLE_KEY);
  } catch (e) { /* storage refused: nothing kept */ }
}

// Bytes as base64 text. Chromium's native `Uint8Array.fromBase64` reads the 140 K chars of the
// wasm in 0.2-0.4 ms, where a charCodeAt loop over one char a byte took 1.3-3.8 ms of the
// same page's start (measured in the demo page, Chromium 156): a third more room for less
// main-thread time before the first paint. Browsers without it go through atob/btoa.
function toText(bytes) {
  if (bytes.toBase64) return bytes.toBase64();
  var text = '';
  for (var i = 0; i < bytes.length; i += 0x2000) text += String.fromCharCode.apply(null, /** @type {any} */ (bytes.subarray(i, i + 0x2000)));
  return btoa(text);
}

function toBytes(text) {
  var U8 = /** @type {any} */ (Uint8Array);
  if (U8.fromBase64) return U8.fromBase64(text);
  var binary = atob(text);
  var bytes = new Uint8Array(binary.length);
  for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
