//! The browser edge: the only code that touches wasm-bindgen, web-sys and js-sys. It scans
//! and reorders the page's grids, keeps the history in storage and exposes the JS API that
//! the loader (`www/loader/aisle.js`) wraps.

pub mod api;
#[cfg(feature = "bench")]
pub mod bench;
pub mod convert;
pub mod debug;
pub mod dom;
pub mod emit;
pub mod engine;
pub mod onsite;
pub mod storage;

/// The allocator: talc instead of the default dlmalloc, a real allocator (memory is freed and
/// reused for the life of the page) in about half the wasm bytes.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
