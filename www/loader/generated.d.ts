// The virtual module `aisle:generated` that scripts/assemble-loader.mjs gives esbuild when it
// bundles the loader: the wasm-bindgen glue (its init function, with the engine's exports on
// it) and the sha384 integrity strings of the wasm and of the debug view.
declare module 'aisle:generated' {
  /** wasm-bindgen's `--target no-modules` init function; undefined in a build without it. */
  export const glue: any;
  /** `sha384-…` of `aisle_core_bg.wasm`. */
  export const wasmIntegrity: string;
  /** `sha384-…` of `aisle-debug.js`. */
  export const debugIntegrity: string;
}
