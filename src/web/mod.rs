//! The browser edge: the only code that touches wasm-bindgen, web-sys and js-sys. It wires
//! the core (`crate::plan`, `crate::arm`, `crate::abandon`) to the JS API that the loader
//! (`www/loader/`) wraps, keeps the history in storage and tells the page what happened. The
//! loader finds the grids, reads their ids and moves the nodes.

pub mod api;
#[cfg(feature = "bench")]
pub mod bench;
pub mod convert;
pub mod debug;
pub mod emit;
pub mod engine;
pub mod onsite;
pub mod storage;

/// The allocator: talc instead of the default dlmalloc, a real allocator (memory is freed and
/// reused for the life of the page) in about half the wasm bytes.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
