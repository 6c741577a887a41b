// The loader's defaults, each defined once. The wasm engine keeps its own storage keys
// (`src/web/storage.rs` KEY_PREFIX, which this prefix must equal) and history size
// (`crate::history::HistoryConfig`); the loader passes `data-history-size` through.

/** aisle's version, as `aisle.version` reports it. */
export const VERSION = '0.1.0';
/** Every localStorage key aisle writes starts with this (the wasm's KEY_PREFIX too). */
export const STORAGE_PREFIX = 'aisle:v1:';
/** The card attribute holding the product id, unless `data-item-id` names another. */
export const ID_ATTRIBUTE = 'data-product-id';
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
/** Undelivered events kept in storage; the oldest go first. */
export const OUTBOX_SIZE = 500;
/** Events per request to the collector. */
export const BATCH_SIZE = 50;
