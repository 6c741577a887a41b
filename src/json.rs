//! Writing JSON text without `serde_json`'s serializer or `core::fmt`: the page's events,
//! status and signals are built here, in the core, and handed to the loader as one string each.
//! Numbers that are not integers are written by the host's formatter (see [`NumberText`]):
//! in the browser that is JavaScript's own `String(n)` (no float formatter in the wasm);
//! natively, Rust's `Display`. Both write the shortest text that reads back as the same
//! number, and they agree on every finite value from 1e-6 to 1e21.
#![forbid(unsafe_code)]

use alloc::string::String;

use crate::text::decimal;

/// Appends the shortest decimal text of a finite, non-integral-or-large `f64`.
pub type NumberText = fn(f64, &mut String);

/// The host's number conversion for writing (JSON values are read without one: `JSON.parse`
/// in the browser, `crate::value_stream`).
#[derive(Clone, Copy)]
pub struct Numbers {
    /// Writes a number's shortest text.
    pub write: NumberText,
}

/// Rust's own conversion (the native host's).
#[cfg(not(target_arch = "wasm32"))]
pub const RUST_NUMBERS: Numbers = Numbers {
    write: rust_number_text,
};

/// A JSON text under construction, written front to back: values, keys and the brackets
/// around them, with commas placed where they belong.
pub struct Json {
    out: String,
    number: NumberText,
    comma: bool,
}

impl Json {
    /// An empty text; `number` writes non-integral numbers.
    pub fn new(number: NumberText) -> Json {
        Json {
            out: String::new(),
            number,
            comma: false,
        }
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }

    fn separate(&mut self) {
        if self.comma {
            self.out.push(',');
        }
        self.comma = true;
    }

    /// `{`.
    pub fn open_object(&mut self) -> &mut Json {
        self.separate();
        self.out.push('{');
        self.comma = false;
        self
    }

    /// `}`.
    pub fn close_object(&mut self) -> &mut Json {
        self.out.push('}');
        self.comma = true;
        self
    }

    /// `[`.
    pub fn open_array(&mut self) -> &mut Json {
        self.separate();
        self.out.push('[');
        self.comma = false;
        self
    }

    /// `]`.
    pub fn close_array(&mut self) -> &mut Json {
        self.out.push(']');
        self.comma = true;
        self
    }

    /// An object key; its value comes next.
    pub fn key(&mut self, key: &str) -> &mut Json {
        self.string(key);
        self.out.push(':');
        self.comma = false;
        self
    }

    /// A string value, escaped as JSON requires (`"`, `\` and control characters).
    pub fn string(&mut self, value: &str) -> &mut Json {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.separate();
        self.out.push('"');
        for c in value.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    self.out.push_str("\\u00");
                    self.out.push(char::from(HEX[(u32::from(c) >> 4) as usize]));
                    self.out.push(char::from(HEX[(u32::from(c) & 15) as usize]));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
        self
    }

    /// An unsigned integer, exactly.
    pub fn uint(&mut self, value: u64) -> &mut Json {
        self.separate();
        self.out.push_str(&decimal(value));
        self
    }

    /// A number; `null` when it is not finite (JSON has no NaN or infinity, and
    /// `JSON.stringify` writes `null` too).
    pub fn number(&mut self, value: f64) -> &mut Json {
        self.separate();
        if !value.is_finite() {
            self.out.push_str("null");
        } else if value == value.trunc() && value.abs() < 9.0e15 {
            if value < 0.0 {
                self.out.push('-');
            }
            self.out.push_str(&decimal(value.abs() as u64));
        } else {
            (self.number)(value, &mut self.out);
        }
        self
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, value: bool) -> &mut Json {
        self.separate();
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// A key and a string value.
    pub fn field_str(&mut self, key: &str, value: &str) -> &mut Json {
        self.key(key).string(value)
    }

    /// A key and an unsigned integer.
    pub fn field_uint(&mut self, key: &str, value: u64) -> &mut Json {
        self.key(key).uint(value)
    }

    /// A key and a number.
    pub fn field_number(&mut self, key: &str, value: f64) -> &mut Json {
        self.key(key).number(value)
    }

    /// A key and a boolean.
    pub fn field_bool(&mut self, key: &str, value: bool) -> &mut Json {
        self.key(key).boolean(value)
    }

    /// A key and an array of strings.
    pub fn field_strings<S: AsRef<str>>(&mut self, key: &str, values: &[S]) -> &mut Json {
        self.key(key).open_array();
        for value in values {
            self.string(value.as_ref());
        }
        self.close_array()
    }

    /// Raw JSON text already written elsewhere (one complete value).
    pub fn raw(&mut self, json: &str) -> &mut Json {
        self.separate();
        self.out.push_str(json);
        self
    }
}

/// Rust's shortest round-trip text for `value` (the native host's [`NumberText`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn rust_number_text(value: f64, out: &mut String) {
    use core::fmt::Write;
    let _ = write!(out, "{value}");
}

// The native host's number conversions are the reference these tests use.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn text(build: impl FnOnce(&mut Json)) -> String {
        let mut json = Json::new(rust_number_text);
        build(&mut json);
        json.finish()
    }

    #[test]
    fn writes_what_serde_json_reads_back() {
        let written = text(|j| {
            j.open_object()
                .field_str("s", "a\"b\\c\n\u{1}é")
                .field_uint("u", u64::MAX)
                .field_number("f", 19.99)
                .field_number("i", -3.0)
                .field_number("nan", f64::NAN)
                .field_bool("b", true)
                .field_strings("l", &["x", "y"])
                .key("o")
                .open_object()
                .close_object()
                .close_object();
        });
        assert_eq!(
            written,
            r#"{"s":"a\"b\\c\n\u0001é","u":18446744073709551615,"f":19.99,"i":-3,"nan":null,"b":true,"l":["x","y"],"o":{}}"#
        );
        let value: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(value["s"], "a\"b\\c\n\u{1}é");
        assert_eq!(value["f"], 19.99);
    }
}
