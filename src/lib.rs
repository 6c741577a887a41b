//! aisle: on-device storefront personalization.
//!
//! The core (everything but `web`) is pure Rust with no DOM, clock or randomness: callers pass
//! them in, so it compiles and is tested natively: `page` is one page's whole session as
//! functions over strings and bytes. `web` is the browser edge, only built for wasm32: the one
//! module with `unsafe` and FFI (the raw `extern "C"` exports the loader's hand-written glue
//! calls, and the host's imports), a thin wrapper that passes the loader's strings and bytes
//! to `page` and its results back.
extern crate alloc;

pub mod abandon;
pub mod arm;
pub mod assign;
pub mod base64;
pub mod bundle;
pub mod defaults;
pub mod event_json;
pub mod events;
pub mod history;
pub mod json;
pub mod json_read;
pub mod manifest;
pub mod page;
pub mod plan;
pub mod postcard_reader;
pub mod rank;
pub mod text;
pub mod value_stream;

#[cfg(target_arch = "wasm32")]
pub mod web;
