//! The browser edge: the only code that touches wasm-bindgen. It passes the loader's strings
//! and bytes to the page session (`crate::page`) and its results (JSON text, an order) back;
//! the loader (`www/loader/engine.js`) does what JavaScript does cheaply: the DOM, storage,
//! fetch, `CustomEvent`s, `JSON.parse` of small objects, the clock and randomness.
//!
//! Why wasm-bindgen stays, without js-sys or web-sys: with strings, byte slices and numbers
//! only, its glue is a few hundred bytes gzip per call shape (docs/performance.md, "Where the
//! wasm bytes go"), and it keeps `Uint8Array`/`Uint32Array` and UTF-8 passing correct. The
//! js-sys/web-sys version (objects built field by field through `Reflect`, every DOM call an
//! import) cost several times that.

pub mod api;
#[cfg(feature = "bench")]
pub mod bench;

/// The allocator: talc instead of the default dlmalloc, a real allocator (memory is freed and
/// reused for the life of the page) in about half the wasm bytes.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
