// The virtual module `aisle:generated` that scripts/assemble-loader.mjs gives esbuild when it
// bundles the loader: the sha384 integrity strings of the wasm and of the debug view, and the
// defaults defined in src/defaults.rs.
declare module 'aisle:generated' {
  /** `sha384-…` of `aisle_core_bg.wasm`. */
  export const wasmIntegrity: string;
  /** `sha384-…` of `aisle-debug.js`. */
  export const debugIntegrity: string;
  /** The shared defaults, from `src/defaults.rs`. */
  export const VERSION: string;
  export const STORAGE_PREFIX: string;
  export const ID_ATTRIBUTE: string;
  export const OUTBOX_SIZE: number;
  export const HISTORY_SIZE: number;
  export const HISTORY_FORMAT_VERSION: number;
}
