//! The two functions the wasm asks of its JavaScript host: the clock, and a number's text (so
//! the wasm carries no float formatter, `crate::json`; numbers come in already read, by
//! `JSON.parse`, `crate::value_stream`). In the shipped wasm they are raw imports from the
//! import module `aisle`, which `www/loader/wasm-abi.js` provides. With the
//! `wasm-bindgen-host` feature (the browser tests, `tests/web.rs`, and the bench, which run
//! under wasm-bindgen's own glue) the same two come through wasm-bindgen instead: one module,
//! two ways in, the same meaning.

/// The longest text `String(n)` gives for a JavaScript number is 25 bytes
/// (`-0.0000012345678901234567`); the host writes at most this many.
#[cfg(not(feature = "wasm-bindgen-host"))]
const NUMBER_TEXT_MAX: usize = 32;

#[cfg(not(feature = "wasm-bindgen-host"))]
mod imports {
    #[link(wasm_import_module = "aisle")]
    extern "C" {
        /// `Date.now()`.
        pub fn now() -> f64;
        /// Writes `String(value)` (ASCII) at `out`, at most `NUMBER_TEXT_MAX` bytes; returns
        /// how many it wrote.
        #[link_name = "numberText"]
        pub fn number_text(value: f64, out: *mut u8) -> usize;
    }
}

#[cfg(feature = "wasm-bindgen-host")]
mod imports {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// `Date.now()`.
        #[wasm_bindgen(js_namespace = Date)]
        pub fn now() -> f64;
        /// JavaScript's `String(n)`.
        #[wasm_bindgen(js_name = String)]
        pub fn number_string(value: f64) -> String;
    }
}

/// `Date.now()`.
pub fn date_now() -> f64 {
    // SAFETY: a host function without arguments (the wasm-bindgen one is safe already).
    #[allow(unused_unsafe)]
    unsafe {
        imports::now()
    }
}

/// Appends JavaScript's `String(value)`, the shortest text that reads back as `value`.
#[cfg(not(feature = "wasm-bindgen-host"))]
pub fn number_text(value: f64, out: &mut String) {
    let mut text = [0u8; NUMBER_TEXT_MAX];
    // SAFETY: the host writes at most NUMBER_TEXT_MAX bytes into the buffer (wasm-abi.js
    // encodes into a view of exactly that length).
    let len = unsafe { imports::number_text(value, text.as_mut_ptr()) };
    out.push_str(core::str::from_utf8(&text[..len.min(NUMBER_TEXT_MAX)]).unwrap_or_default());
}

/// Appends JavaScript's `String(value)`, the shortest text that reads back as `value`.
#[cfg(feature = "wasm-bindgen-host")]
pub fn number_text(value: f64, out: &mut String) {
    out.push_str(&imports::number_string(value));
}
