//! The value stream: how the loader hands the wasm a value it already holds as JavaScript (its
//! start settings, an order, a grid's ids, `manifest.json` as `JSON.parse` read it), read here
//! into the [`Value`] that `crate::json_read`'s field readers take. Bytes instead of JSON text,
//! so that the shipped wasm carries no JSON text parser: the browser's `JSON.parse` reads the
//! text (the native CLI keeps `json_read::parse`). With this reader instead of that parser the
//! shipped wasm is 1,354 B gzip smaller (docs/performance.md, "Issue 12, session 8").
//!
//! The format (one definition, with its writer `valueBytes` in `www/loader/wasm-abi.js`):
//! ```text
//! value = 0 (null) | 1 (false) | 2 (true) | 3 f64 (8 bytes, little-endian)
//!       | 4 text | 5 count value… (a list) | 6 count (text value)… (an object)
//!       | 7 text (the loader could not read its JSON: the reader's message)
//! text  = byte length (u32, little-endian), then that many bytes of UTF-8
//! count = u32, little-endian
//! ```
//! Numbers arrive as `JSON.parse` made them: a whole number reads as an integer
//! (`Value::Unsigned`, `Value::Signed`), any other as `Value::Float`. Only the loader writes a
//! stream, so a malformed one is a bug there; it is refused with one error, never a panic.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::json_read::{JsonError, Value, MAX_DEPTH};

/// Tags, as `valueBytes` writes them.
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const NUMBER: u8 = 3;
const TEXT: u8 = 4;
const LIST: u8 = 5;
const OBJECT: u8 = 6;
const UNREADABLE: u8 = 7;

/// Refused streams: the loader wrote something else, or a value deeper than `MAX_DEPTH`.
/// One message for all (only the loader writes a stream): each message of its own cost the
/// wasm more than the whole reader.
const MALFORMED: &str = "the value is malformed or nested too deeply";

/// The value `bytes` hold; the loader's message when it could not read its JSON (tag 7).
pub fn read(bytes: &[u8]) -> Result<Value, JsonError> {
    let mut reader = Reader {
        bytes,
        at: 0,
        unreadable: None,
    };
    match reader.value(0) {
        Some(value) if reader.at == bytes.len() => Ok(value),
        _ => Err(JsonError::new(
            reader.unreadable.as_deref().unwrap_or(MALFORMED),
        )),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// The loader's message, from tag 7.
    unreadable: Option<String>,
}

impl Reader<'_> {
    fn take(&mut self, length: usize) -> Option<&[u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(length)?)?;
        self.at += length;
        Some(taken)
    }

    fn count(&mut self) -> Option<usize> {
        let bytes = self.take(4)?;
        Some(u32::from_le_bytes(bytes.try_into().ok()?) as usize)
    }

    fn text(&mut self) -> Option<String> {
        let length = self.count()?;
        core::str::from_utf8(self.take(length)?)
            .ok()
            .map(String::from)
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match self.take(1)?[0] {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            NUMBER => number(f64::from_le_bytes(self.take(8)?.try_into().ok()?))?,
            TEXT => Value::Text(self.text()?),
            LIST => {
                let mut items = Vec::new();
                for _ in 0..self.count()? {
                    items.push(self.value(depth + 1)?);
                }
                Value::List(items)
            }
            OBJECT => {
                let mut fields = Vec::new();
                for _ in 0..self.count()? {
                    let key = self.text()?;
                    fields.push((key, self.value(depth + 1)?));
                }
                Value::Object(fields)
            }
            UNREADABLE => {
                self.unreadable = self.text();
                return None;
            }
            _ => return None,
        })
    }
}

/// A number as `JSON.parse` gave it: a whole one as an integer (`1.0` is 1), None when not
/// finite (the loader writes those as null).
fn number(n: f64) -> Option<Value> {
    if !n.is_finite() {
        return None;
    }
    // `as` saturates: a whole number past ±2^63 does not come back equal, and stays a float.
    Some(if (n as i64) as f64 != n {
        Value::Float(n)
    } else if n >= 0.0 {
        Value::Unsigned(n as u64)
    } else {
        Value::Signed(n as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(tag: u8, text: &str) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend((text.len() as u32).to_le_bytes());
        out.extend(text.as_bytes());
        out
    }

    fn number_bytes(n: f64) -> Vec<u8> {
        let mut out = vec![NUMBER];
        out.extend(n.to_le_bytes());
        out
    }

    #[test]
    fn reads_each_kind_of_value() {
        // {"a": [null, false, true, 1.5, -2, 3, "é"]}
        let mut bytes = vec![OBJECT, 1, 0, 0, 0];
        bytes.extend(1u32.to_le_bytes());
        bytes.extend(b"a");
        bytes.extend([LIST, 7, 0, 0, 0, NULL, FALSE, TRUE]);
        bytes.extend(number_bytes(1.5));
        bytes.extend(number_bytes(-2.0));
        bytes.extend(number_bytes(3.0));
        bytes.extend(text(TEXT, "é"));
        let value = read(&bytes).unwrap();
        let items = value.get("a").unwrap().items();
        assert!(matches!(items[0], Value::Null));
        assert!(matches!(items[1], Value::Bool(false)));
        assert!(matches!(items[2], Value::Bool(true)));
        assert!(matches!(items[3], Value::Float(n) if n == 1.5));
        assert!(matches!(items[4], Value::Signed(-2)));
        assert!(matches!(items[5], Value::Unsigned(3)));
        assert_eq!(items[6].as_str(), Some("é"));
    }

    #[test]
    fn whole_numbers_read_as_integers() {
        assert!(matches!(number(1.0), Some(Value::Unsigned(1))));
        assert!(matches!(number(-0.0), Some(Value::Unsigned(0))));
        assert!(matches!(number(-3.0), Some(Value::Signed(-3))));
        assert!(matches!(number(0.5), Some(Value::Float(n)) if n == 0.5));
        assert!(matches!(number(1e300), Some(Value::Float(_))));
        assert!(number(f64::INFINITY).is_none());
        assert!(number(f64::NAN).is_none());
    }

    #[test]
    fn the_loaders_message_comes_back_as_the_error() {
        let error = read(&text(UNREADABLE, "Unexpected token 'n'"))
            .err()
            .unwrap();
        assert_eq!(error.message(), "Unexpected token 'n'");
    }

    #[test]
    fn malformed_streams_are_errors_not_panics() {
        let mut infinite = vec![NUMBER];
        infinite.extend(f64::INFINITY.to_le_bytes());
        // A list counted as 4 billion items with none there: refused without allocating them.
        let cases: [&[u8]; 8] = [
            &[],
            &[NUMBER, 0, 0],
            &[TEXT, 9, 0, 0, 0, b'a'],
            &[TEXT, 1, 0, 0, 0, 0xff],
            &[9],
            &[NULL, NULL],
            &[LIST, 0xff, 0xff, 0xff, 0xff],
            &infinite,
        ];
        for bytes in cases {
            assert_eq!(read(bytes).err().unwrap().message(), MALFORMED, "{bytes:?}");
        }
        let deep: Vec<u8> = core::iter::repeat_n([LIST, 1, 0, 0, 0], 200)
            .flatten()
            .collect();
        assert_eq!(read(&deep).err().unwrap().message(), MALFORMED);
        let mut shallow: Vec<u8> = core::iter::repeat_n([LIST, 1, 0, 0, 0], 100)
            .flatten()
            .collect();
        shallow.push(NULL);
        assert!(read(&shallow).is_ok());
    }
}
