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
/** Events per request to the collector. */
export const BATCH_SIZE = 50;
/** Storage keys (under STORAGE_PREFIX): the visitor id and the history (base64 of postcard
 * `crate::history::StoredHistory`), which the engine keeps and `decide.js` peeks at. */
export const VISITOR_KEY = 'visitor';
export const HISTORY_KEY = 'history';
/** The most the kit (`kit.js`: the wasm and the bundle, kept in localStorage for a start
 * before the first paint) may hold: the wasm takes about 105 KB, which leaves room for the
 * bundle of a shop of a few thousand products, and keeps the kit within a twentieth of the
 * smallest browser quota (5 MB). A larger bundle: that shop's pages load asynchronously. */
export const KIT_MAX_BYTES = 256 * 1024;
