//! The browser edge: the only code with `unsafe` and FFI. It passes the loader's strings and
//! bytes to the page session (`crate::page`) and its results (JSON text, an order) back; the
//! loader (`www/loader/engine.js`) does what JavaScript does cheaply: the DOM, storage,
//! fetch, `CustomEvent`s, `JSON.parse` of small objects, the clock and randomness.
//!
//! - `api`: `AisleEngine`, the page session's methods over Rust strings and slices (what the
//!   browser tests, `tests/web.rs`, call);
//! - `abi`: the same methods as raw `extern "C"` exports over pointers and lengths, which the
//!   hand-written `www/loader/wasm-abi.js` calls. No wasm-bindgen in the shipped wasm: its
//!   export wrappers and glue cost 3,501 B gzip more than these (docs/performance.md, "Issue
//!   12, branch `raw`");
//! - `host`: the three functions asked of JavaScript (the clock, number text both ways), raw
//!   imports, or through wasm-bindgen with the `wasm-bindgen-host` feature (tests, bench).
//!
//! The js-sys/web-sys edge before it (objects built field by field through `Reflect`, every
//! DOM call an import) cost several times that.

pub mod abi;
pub mod api;
#[cfg(feature = "bench")]
pub mod bench;
mod host;

/// The allocator: talc instead of the default dlmalloc, a real allocator (memory is freed and
/// reused for the life of the page) in about half the wasm bytes.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
