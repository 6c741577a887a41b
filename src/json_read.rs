//! JSON values read without serde_json: serde_json's deserializer, serde's derive over any
//! deserializer, and the formatting their errors need cost the wasm 10 to 30 KB gzip
//! (docs/performance.md, "Where the wasm bytes go"). A [`Value`] comes from JSON text
//! ([`parse`], the native CLI's reader) or, in the browser, from what `JSON.parse` read
//! (`crate::value_stream`: the wasm has no text parser). Its fields are read by hand
//! ([`Fields`]), as serde's derive reads a struct, but with `JSON.parse`'s rules, so that the
//! CLI and the browser read a manifest alike: a field given twice counts once (the last),
//! `1.0` is the integer 1, unknown fields are ignored. Errors name the place
//! (`experiments[0].arms[1]: missing field `weight``). Messages are built without `core::fmt`.
//!
//! [`parse`] accepts exactly the JSON serde_json accepts (RFC 8259: no trailing commas, no
//! comments, no lone surrogates, no control characters in strings); the tests check it against
//! serde_json. Numbers with a fraction or an exponent are converted by the host's reader
//! ([`NumberParse`]: Rust's `str::parse` natively), which rounds correctly.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::text::{concat, decimal};

/// The correctly rounded value of a JSON number's text (which this reader has checked).
pub type NumberParse = fn(&str) -> f64;

/// Nesting deeper than this is refused (serde_json's limit too): no stack overflow.
pub(crate) const MAX_DEPTH: usize = 128;

/// Reads `text` as a JSON value: the CLI's reader (the browser reads JSON with `JSON.parse`
/// and hands the wasm the value, `crate::value_stream`).
pub fn parse(text: &str, number: NumberParse) -> Result<Value, JsonError> {
    Parser {
        text: text.as_bytes(),
        at: 0,
        number,
    }
    .document()
}

/// Rust's reader (the native host's [`NumberParse`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn rust_number_parse(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// Why a text was refused: where (a path like `experiments[0].arms`) and what.
/// Boxed: a one-pointer error makes every `Result<T, JsonError>` smaller to move, which the
/// reader does at every step (the wasm: 770 B gzip less than two `String`s inline).
#[derive(Clone, Debug, PartialEq)]
pub struct JsonError(Box<ErrorParts>);

#[derive(Clone, Debug, PartialEq)]
struct ErrorParts {
    path: String,
    what: String,
}

impl JsonError {
    pub(crate) fn new(what: &str) -> JsonError {
        JsonError(Box::new(ErrorParts {
            path: String::new(),
            what: String::from(what),
        }))
    }

    /// The same error one level further out: under `key`, or at `[index]`.
    fn under(mut self, key: Option<&str>, index: usize) -> JsonError {
        let path = &self.0.path;
        let step = match key {
            Some(key) if path.is_empty() || path.starts_with('[') => concat(&[key, path]),
            Some(key) => concat(&[key, ".", path]),
            None if path.is_empty() || path.starts_with('[') => {
                concat(&["[", &decimal(index as u64), "]", path])
            }
            None => concat(&["[", &decimal(index as u64), "].", path]),
        };
        self.0.path = step;
        self
    }

    /// `path: what`, or `what` at the top.
    pub fn message(&self) -> String {
        let ErrorParts { path, what } = &*self.0;
        if path.is_empty() {
            what.clone()
        } else {
            concat(&[path, ": ", what])
        }
    }
}

impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for JsonError {}

/// A parsed JSON value. Integers keep their kind, as serde_json hands them to serde.
pub enum Value {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Text(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The field `key` of an object (the last one, as `JSON.parse` keeps); None otherwise.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A string's text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// A number's value.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Unsigned(n) => Some(*n as f64),
            Value::Signed(n) => Some(*n as f64),
            Value::Float(n) => Some(*n),
            _ => None,
        }
    }

    /// The error for a value of the wrong type.
    fn wrong_type(&self) -> JsonError {
        let found = match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Unsigned(_) | Value::Signed(_) => "an integer",
            Value::Float(_) => "a number with a fraction",
            Value::Text(_) => "a string",
            Value::List(_) => "a list",
            Value::Object(_) => "an object",
        };
        JsonError::new(&concat(&["wrong type: found ", found]))
    }

    /// A list's items (empty for anything else).
    pub fn items(&self) -> &[Value] {
        match self {
            Value::List(items) => items,
            _ => &[],
        }
    }
}

/// An object's fields, read as serde's derive reads a struct (but a field given twice counts
/// once, the last, as `JSON.parse` keeps it), unknown fields ignored, errors naming the field.
/// The first error sticks: each read returns a value (the type's default once something
/// failed, and later reads are skipped), and [`Fields::finish`] returns the error. No `?` per
/// field, as in `crate::postcard_reader`: a branch and a clean-up path per field of the
/// manifest cost the wasm 139 B gzip (docs/performance.md, "Issue 12, branch `slim`").
pub struct Fields<'a> {
    object: &'a Value,
    error: Option<JsonError>,
}

impl<'a> Fields<'a> {
    /// The fields of `value`, which must be an object.
    pub fn of(value: &'a Value) -> Result<Fields<'a>, JsonError> {
        match value {
            Value::Object(_) => Ok(Fields {
                object: value,
                error: None,
            }),
            other => Err(other.wrong_type()),
        }
    }

    /// `value` when every field read so far held; else the first error.
    pub fn finish<T>(self, value: T) -> Result<T, JsonError> {
        match self.error {
            None => Ok(value),
            Some(error) => Err(error),
        }
    }

    fn fail(&mut self, error: JsonError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// Field `key`'s value, None when absent (or after an error). Given twice, the last one
    /// counts ([`Value::get`]), as `JSON.parse` reads it: the browser hands the wasm what
    /// `JSON.parse` read (`crate::value_stream`), and the CLI must read a manifest the same way.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        if self.error.is_some() {
            return None;
        }
        self.object.get(key)
    }

    /// `value` read by `read`; an error names `key`.
    fn read<T>(
        &mut self,
        key: &'static str,
        value: &Value,
        read: fn(&Value) -> Result<T, JsonError>,
    ) -> Option<T> {
        match read(value) {
            Ok(read) => Some(read),
            Err(error) => {
                self.fail(error.under(Some(key), 0));
                None
            }
        }
    }

    /// Field `key` read by `read`; absent is an error.
    pub fn required<T: Default>(
        &mut self,
        key: &'static str,
        read: fn(&Value) -> Result<T, JsonError>,
    ) -> T {
        match self.get(key) {
            None => {
                self.fail(JsonError::new(&concat(&["missing field `", key, "`"])));
                T::default()
            }
            Some(value) => self.read(key, value, read).unwrap_or_default(),
        }
    }

    /// Field `key` read by `read` when present (`#[serde(default)]`: null is not absent).
    pub fn optional<T>(
        &mut self,
        key: &'static str,
        read: fn(&Value) -> Result<T, JsonError>,
    ) -> Option<T> {
        let value = self.get(key)?;
        self.read(key, value, read)
    }

    /// An `Option` field: absent or null is None.
    pub fn nullable<T>(
        &mut self,
        key: &'static str,
        read: fn(&Value) -> Result<T, JsonError>,
    ) -> Option<T> {
        match self.get(key)? {
            Value::Null => None,
            value => self.read(key, value, read),
        }
    }
}

/// A list's items each read by `read`; errors name the index.
pub fn list<T>(
    value: &Value,
    read: impl Fn(&Value) -> Result<T, JsonError>,
) -> Result<Vec<T>, JsonError> {
    let Value::List(items) = value else {
        return Err(value.wrong_type());
    };
    // A loop, not `collect::<Result<_, _>>()`: its adapter cost the wasm 4 KB per item type.
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        out.push(read(item).map_err(|e| e.under(None, index))?);
    }
    Ok(out)
}

/// A string, as a `String` field reads it.
pub fn string_of(value: &Value) -> Result<String, JsonError> {
    value
        .as_str()
        .map(String::from)
        .ok_or_else(|| value.wrong_type())
}

/// A boolean.
pub fn bool_of(value: &Value) -> Result<bool, JsonError> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(other.wrong_type()),
    }
}

/// A number, as an `f64` field reads it (integers too).
pub fn f64_of(value: &Value) -> Result<f64, JsonError> {
    value.as_f64().ok_or_else(|| value.wrong_type())
}

/// An integer from 0 to `u32::MAX`, as a `u32` field reads it. `1.0` counts as 1, as it does
/// once `JSON.parse` has read it (`crate::value_stream`); `1.5` is refused.
pub fn u32_of(value: &Value) -> Result<u32, JsonError> {
    match value {
        Value::Unsigned(n) => u32::try_from(*n).map_err(|_| JsonError::new("value out of range")),
        Value::Signed(_) => Err(JsonError::new("value out of range")),
        Value::Float(n) if n.fract() == 0.0 => match (0.0..=f64::from(u32::MAX)).contains(n) {
            true => Ok(*n as u32),
            false => Err(JsonError::new("value out of range")),
        },
        other => Err(other.wrong_type()),
    }
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    number: NumberParse,
}

impl Parser<'_> {
    fn document(&mut self) -> Result<Value, JsonError> {
        let value = self.value(0)?;
        self.skip_space();
        if self.at < self.text.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(value)
    }

    /// A syntax error at the current place: `what at line L column C`.
    fn error(&self, what: &str) -> JsonError {
        let before = &self.text[..self.at.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        JsonError::new(&concat(&[
            what,
            " at line ",
            &decimal(line as u64),
            " column ",
            &decimal(column as u64),
        ]))
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.text.get(self.at).copied()
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, JsonError> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'"') => Ok(Value::Text(self.string()?)),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Value::List(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Value::List(items));
                        }
                        _ => return Err(self.error("expected `,` or `]`")),
                    }
                }
            }
            Some(b'{') => {
                self.at += 1;
                let mut fields = Vec::new();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Value::Object(fields));
                }
                loop {
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a key"));
                    }
                    let key = self.string()?;
                    if self.peek() != Some(b':') {
                        return Err(self.error("expected `:`"));
                    }
                    self.at += 1;
                    fields.push((key, self.value(depth + 1)?));
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Value::Object(fields));
                        }
                        _ => return Err(self.error("expected `,` or `}`")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.text.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        let negative = self.text[self.at] == b'-';
        if negative {
            self.at += 1;
        }
        let int_start = self.at;
        let int_digits = self.digits();
        if int_digits == 0 || (int_digits > 1 && self.text[int_start] == b'0') {
            return Err(self.error("invalid number"));
        }
        let mut integral = true;
        if self.text.get(self.at) == Some(&b'.') {
            self.at += 1;
            integral = false;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.text.get(self.at) {
            self.at += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.text.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        // The slice is ASCII digits and signs: always valid UTF-8.
        let text = core::str::from_utf8(&self.text[start..self.at]).unwrap_or("");
        if integral {
            let mut magnitude: u64 = 0;
            let fits = self.text[int_start..self.at].iter().all(|&d| {
                match magnitude
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(u64::from(d - b'0')))
                {
                    Some(m) => {
                        magnitude = m;
                        true
                    }
                    None => false,
                }
            });
            if fits && !negative {
                return Ok(Value::Unsigned(magnitude));
            }
            if fits && magnitude == 0 {
                return Ok(Value::Float(-0.0)); // as serde_json reads `-0`
            }
            if fits && magnitude <= i64::MAX as u64 + 1 {
                return Ok(Value::Signed((magnitude as i64).wrapping_neg()));
            }
        }
        let value = (self.number)(text);
        if !value.is_finite() {
            return Err(self.error("number out of range"));
        }
        Ok(Value::Float(value))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = match self.text.get(self.at) {
                Some(&d @ b'0'..=b'9') => d - b'0',
                Some(&d @ b'a'..=b'f') => d - b'a' + 10,
                Some(&d @ b'A'..=b'F') => d - b'A' + 10,
                _ => return Err(self.error("invalid escape")),
            };
            value = value * 16 + u32::from(digit);
            self.at += 1;
        }
        Ok(value)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1; // the opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&byte) = self.text.get(self.at) else {
                return Err(self.error("EOF while parsing a string"));
            };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escape) = self.text.get(self.at) else {
                        return Err(self.error("EOF while parsing a string"));
                    };
                    self.at += 1;
                    let simple = match escape {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => 0,
                        _ => return Err(self.error("invalid escape")),
                    };
                    if escape != b'u' {
                        out.push(simple);
                        continue;
                    }
                    let mut code = self.hex4()?;
                    if (0xDC00..0xE000).contains(&code) {
                        return Err(self.error("lone trailing surrogate in hex escape"));
                    }
                    if (0xD800..0xDC00).contains(&code) {
                        if !self.text[self.at..].starts_with(b"\\u") {
                            return Err(self.error("lone leading surrogate in hex escape"));
                        }
                        self.at += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return Err(self.error("lone leading surrogate in hex escape"));
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    }
                    let c = char::from_u32(code).ok_or_else(|| self.error("invalid escape"))?;
                    let mut buffer = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
                0..=0x1F => {
                    return Err(self.error("control character found while parsing a string"))
                }
                _ => out.push(byte),
            }
        }
        // The input is a &str and escapes add whole characters: the bytes are UTF-8.
        String::from_utf8(out).map_err(|_| self.error("invalid unicode"))
    }
}

// The native host's number conversions are the reference these tests use.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Our value as serde_json's, to compare the two readers.
    fn to_serde(value: &Value) -> serde_json::Value {
        match value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Unsigned(n) => (*n).into(),
            Value::Signed(n) => (*n).into(),
            Value::Float(n) => (*n).into(),
            Value::Text(s) => s.as_str().into(),
            Value::List(items) => items.iter().map(to_serde).collect(),
            Value::Object(fields) => fields
                .iter()
                .map(|(k, v)| (k.clone(), to_serde(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }

    fn read(text: &str) -> Result<Value, String> {
        parse(text, rust_number_parse).map_err(|e| e.message())
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let texts = [
            r#"{"a":[1,-2,3.5,1e3,-0,true,null,"x\u00e9\ud83d\ude00\n"],"b":{}}"#,
            " [ ] ",
            "18446744073709551615",
            "-9223372036854775808",
            "18446744073709551616",
            "0.1",
            "\"\\/\\b\\f\"",
        ];
        for text in texts {
            let ours = to_serde(&read(text).unwrap());
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        let texts = [
            "",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "[1 2]",
            "{\"a\" 1}",
            "{a:1}",
            "\"\u{1}\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\x\"",
            "nul",
            "[] x",
            "1e400",
            "'x'",
            "[",
            "{\"a\":",
        ];
        for text in texts {
            assert!(read(text).is_err(), "{text:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "{text:?}"
            );
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(read(&deep).is_err());
    }

    #[test]
    fn errors_name_the_place() {
        let arms = |text: &str| -> Result<Vec<(String, f64)>, String> {
            let value = parse(text, rust_number_parse).map_err(|e| e.message())?;
            let mut fields = Fields::of(&value).map_err(|e| e.message())?;
            fields.required("version", u32_of);
            let arms = fields.required("arms", |list| {
                super::list(list, |arm| {
                    let mut arm = Fields::of(arm)?;
                    let read = (
                        arm.required("key", string_of),
                        arm.required("weight", f64_of),
                    );
                    arm.finish(read)
                })
            });
            fields.finish(arms).map_err(|e| e.message())
        };
        let error = |text: &str| arms(text).unwrap_err();
        assert_eq!(
            arms(r#"{"version":1,"arms":[{"key":"a","weight":1}],"extra":0}"#).unwrap(),
            [("a".to_string(), 1.0)]
        );
        assert_eq!(
            error(r#"{"version":1,"arms":[{"key":"a","weight":1},{"key":"b"}]}"#),
            "arms[1]: missing field `weight`"
        );
        let nested = |text: &str| -> Result<Vec<Vec<u32>>, String> {
            let value = parse(text, rust_number_parse).map_err(|e| e.message())?;
            let mut fields = Fields::of(&value).map_err(|e| e.message())?;
            let rows = fields.required("rows", |rows| {
                super::list(rows, |row| {
                    let mut row = Fields::of(row)?;
                    let cells = row.required("cells", |cells| super::list(cells, u32_of));
                    row.finish(cells)
                })
            });
            fields.finish(rows).map_err(|e| e.message())
        };
        assert_eq!(
            nested(r#"{"rows":[{"cells":[1]},{"cells":[2,"x"]}]}"#).unwrap_err(),
            "rows[1].cells[1]: wrong type: found a string"
        );
        assert_eq!(
            error(r#"{"version":1.5,"arms":[]}"#),
            "version: wrong type: found a number with a fraction"
        );
        assert_eq!(
            error(r#"{"version":1.0}"#),
            "missing field `arms`",
            "1.0 reads as 1, as after JSON.parse"
        );
        assert_eq!(
            error(r#"{"version":-1,"arms":[]}"#),
            "version: value out of range"
        );
        assert_eq!(
            error(r#"{"version":"x","version":1}"#),
            "missing field `arms`",
            "a field given twice: the last one counts, as after JSON.parse"
        );
        assert_eq!(
            error("{\n  \"version\": 1,\n  x"),
            "expected a key at line 3 column 3"
        );
    }
}
