//! aisle: on-device storefront personalization.
//!
//! The core (everything but `web`) is pure Rust with no DOM, clock or randomness: callers pass
//! them in, so it compiles and is tested natively. `web` is the browser edge, only built for
//! wasm32; it is the one module that touches wasm-bindgen, web-sys and js-sys.
extern crate alloc;

pub mod abandon;
pub mod arm;
pub mod assign;
pub mod bundle;
pub mod events;
pub mod history;
pub mod manifest;
pub mod plan;
pub mod postcard_reader;
pub mod rank;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod web;
