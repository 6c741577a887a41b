//! JSON text as the loader hands it to the wasm: read by a JSON reader (serde_json here,
//! `JSON.parse` in the loader), then written as the value stream (`src/value_stream.rs`
//! defines it; `www/loader/wasm-abi.js` `valueBytes` is the shipped writer). For the browser
//! tests, which call `AisleEngine` from Rust.
use serde_json::Value;

/// `json` as the value stream; text that is not JSON as tag 7 with the reader's message.
pub fn stream(json: &str) -> Vec<u8> {
    let mut out = Vec::new();
    match serde_json::from_str::<Value>(json) {
        Ok(value) => put(&value, &mut out),
        Err(error) => {
            out.push(7);
            text(&error.to_string(), &mut out);
        }
    }
    out
}

fn text(text: &str, out: &mut Vec<u8>) {
    out.extend((text.len() as u32).to_le_bytes());
    out.extend(text.as_bytes());
}

fn put(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(0),
        Value::Bool(b) => out.push(if *b { 2 } else { 1 }),
        Value::Number(n) => {
            out.push(3);
            out.extend(n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
        }
        Value::String(s) => {
            out.push(4);
            text(s, out);
        }
        Value::Array(items) => {
            out.push(5);
            out.extend((items.len() as u32).to_le_bytes());
            items.iter().for_each(|item| put(item, out));
        }
        Value::Object(fields) => {
            out.push(6);
            out.extend((fields.len() as u32).to_le_bytes());
            for (key, item) in fields {
                text(key, out);
                put(item, out);
            }
        }
    }
}
