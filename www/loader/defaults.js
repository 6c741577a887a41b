// The loader's defaults, each defined once. Those the wasm shares (version, storage prefix,
// id attribute, outbox size) are defined in `src/defaults.rs`; the build
// (`scripts/assemble-loader.mjs`) hands them over through `aisle:generated`.
export { VERSION, STORAGE_PREFIX, ID_ATTRIBUTE, OUTBOX_SIZE, HISTORY_FORMAT_VERSION } from 'aisle:generated';

/** The manifest's URL, relative to the page, unless `data-manifest` names another. */
export const MANIFEST = 'manifest.json';
/** The wasm core's file name, beside aisle.js. */
export const WASM_FILE = 'aisle_core_bg.wasm';
/** The debug view's file name, beside aisle.js. */
export const DEBUG_FILE = 'aisle-debug.js';
/** How long a fetch may take before it is aborted, unless `data-timeout` says otherwise. */
export const TIMEOUT_MS = 3000;
/** The longest anti-flicker hide, whatever `data-hide` asks for. */
export const HIDE_CAP_MS = 300;
/** A pass over at most this many cards runs in the task that found the grids ready and
 * shows them a frame after they moved; over more, it gets a task of its own (no long task
 * with the engine's start) and shows them at once (their next frame is long). */
export const SMALL_PASS_CARDS = 1000;
/** Events per request to the collector. */
export const BATCH_SIZE = 50;
/** Storage keys (under STORAGE_PREFIX): the visitor id and the history (base64 of postcard
 * `crate::history::StoredHistory`), which the engine keeps and `decide.js` peeks at. */
export const VISITOR_KEY = 'visitor';
export const HISTORY_KEY = 'history';
/** The most the start kit (`kit.js`: the wasm and the bundle as base64 in localStorage, for a
 * start before the first paint) may hold, in chars: the wasm takes about 102 K (76.5 KB at
 * 3007d46), which leaves a bundle about 165 KB (some 8,000 products of the generated catalog,
 * about 2,000 with Shopify's variant ids and SKUs as aliases), and keeps the kit within a
 * sixteenth of the smallest browser quota (5 MB). A larger bundle: that shop's pages load the
 * network way. */
export const KIT_MAX_CHARS = 320 * 1024;
