//! Building short strings without `core::fmt` (joining parts, decimal and hexadecimal
//! numbers) and splitting them without a pattern searcher.
//!
//! Any `format!`, `to_string` on a number or `Display`-based error message reachable from the
//! browser edge links Rust's whole formatting machinery into the wasm (several KB gzip). The
//! wasm path builds its messages, event ids and debug text with these helpers instead.
#![forbid(unsafe_code)]

use alloc::string::String;

/// The parts joined, in order.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `value` in decimal, as `value.to_string()` writes it.
pub fn decimal(value: u64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, value);
    out
}

/// Appends `value` in decimal to `out`, as `value.to_string()` writes it.
pub fn push_decimal(out: &mut String, value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // ASCII digits: always UTF-8. Pushed as one slice, not char by char (a third of the
    // decode time of a bundle whose ids are mostly numbers).
    out.push_str(core::str::from_utf8(&digits[start..]).unwrap_or_default());
}

/// `value` as `0x` and eight lowercase hex digits, as `format!("{value:#010x}")` writes it.
pub fn hex_u32(value: u32) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::from("0x");
    for shift in (0..8).rev() {
        out.push(char::from(HEX[(value >> (shift * 4)) as usize & 15]));
    }
    out
}

/// `text.split(separator)` for an ASCII separator, one part at a time: `str::split` brings a
/// `memchr` and a pattern searcher into the wasm, this is a byte loop. No list: a bundle's
/// 80,000 aliases are read in one pass, and each `Vec` collect is wasm code of its own.
pub struct SplitAscii<'a> {
    rest: Option<&'a str>,
    separator: u8,
}

impl<'a> SplitAscii<'a> {
    pub fn new(text: &'a str, separator: u8) -> SplitAscii<'a> {
        debug_assert!(
            separator.is_ascii(),
            "a non-ASCII byte is not a char boundary"
        );
        SplitAscii {
            rest: Some(text),
            separator,
        }
    }
}

impl<'a> Iterator for SplitAscii<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|byte| byte == self.separator) {
            Some(at) => {
                self.rest = Some(&rest[at + 1..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_match_to_string() {
        for value in [0, 1, 9, 10, 99, 100, 4_294_967_295, 1_004_856, u64::MAX] {
            assert_eq!(decimal(value), value.to_string());
        }
    }

    #[test]
    fn hex_matches_the_alternate_zero_padded_format() {
        for value in [0, 1, 0xdead_beef, u32::MAX, 0x00ab_cdef] {
            assert_eq!(hex_u32(value), format!("{value:#010x}"));
        }
    }

    fn split_ascii(text: &str, separator: u8) -> Vec<&str> {
        SplitAscii::new(text, separator).collect()
    }

    #[test]
    fn splits_like_str_split() {
        for text in ["a", "a\nb\nc", "a\n", "\n", "\n\nx", "é\nü", ""] {
            assert_eq!(
                split_ascii(text, b'\n'),
                text.split('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
        assert_eq!(split_ascii("a:x, b:y,", b','), ["a:x", " b:y", ""]);
    }

    #[test]
    fn parts_are_joined_in_order() {
        assert_eq!(concat(&["a", "", "bc", ": ", "d"]), "abc: d");
        assert_eq!(concat(&[]), "");
    }
}
