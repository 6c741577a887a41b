//! Reading postcard bytes by hand: the few shapes the bundle and the stored history are made
//! of (varints, `f32`, strings, byte strings, options, sequences).
//!
//! The format stays exactly postcard's (written by the `postcard` crate, read back by it in
//! the tests): only the reading side of the wasm is hand-made, because serde's derived
//! deserializers and postcard's deserializer cost several KB of wasm for these two types.
//! `tests/fuzz.rs` checks this reader against the `postcard` crate on valid and mutated
//! bundles and histories: both accept the same inputs and read the same values.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

/// The bytes are not a postcard value of the expected shape: they end early, a varint is too
/// long, an option tag is neither 0 nor 1, or a string is not UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

/// What a whole read returns ([`Reader::finish`]).
pub type Read<T> = Result<T, Malformed>;

/// A cursor over postcard bytes whose first failure sticks: each read returns a value (the
/// type's default once something failed, and every later read fails at once), and the caller
/// asks [`Reader::finish`] whether it all held. No `?` after every field: a branch and a
/// clean-up path per field cost the wasm 868 B gzip (docs/performance.md, "Issue 12, branch
/// `slim`").
pub struct Reader<'a> {
    bytes: &'a [u8],
    failed: bool,
}

impl<'a> Reader<'a> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader {
            bytes,
            failed: false,
        }
    }

    /// `value` when every read so far held, with whether every byte was read.
    pub fn finish<T>(&self, value: T) -> Read<(T, bool)> {
        if self.failed {
            Err(Malformed)
        } else {
            Ok((value, self.bytes.is_empty()))
        }
    }

    /// Marks the bytes malformed (a value the reads found but the shape does not allow).
    pub fn refuse(&mut self) {
        self.failed = true;
        self.bytes = &[];
    }

    /// One byte (postcard's `u8`).
    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&first, rest)) => {
                self.bytes = rest;
                first
            }
            None => {
                self.refuse();
                0
            }
        }
    }

    /// The next `len` bytes.
    pub fn take(&mut self, len: usize) -> &'a [u8] {
        if len > self.bytes.len() {
            self.refuse();
        }
        let (taken, rest) = self.bytes.split_at(len.min(self.bytes.len()));
        self.bytes = rest;
        taken
    }

    /// A `u32` (an unsigned LEB128 varint of at most 5 bytes).
    pub fn u32(&mut self) -> u32 {
        self.varint(32) as u32
    }

    /// A `u64` (an unsigned LEB128 varint of at most 10 bytes).
    pub fn u64(&mut self) -> u64 {
        self.varint(64)
    }

    /// A length: postcard's `usize`, a varint as wide as the platform's (32 bits in the wasm).
    fn len(&mut self) -> usize {
        self.varint(usize::BITS) as usize
    }

    /// An `f32`: four bytes, little-endian.
    pub fn f32(&mut self) -> f32 {
        match *self.take(4) {
            [a, b, c, d] => f32::from_le_bytes([a, b, c, d]),
            _ => 0.0,
        }
    }

    /// A `String`: a length, then that many bytes of UTF-8.
    pub fn string(&mut self) -> String {
        let len = self.len();
        match core::str::from_utf8(self.take(len)) {
            Ok(text) => String::from(text),
            Err(_) => {
                self.refuse();
                String::new()
            }
        }
    }

    /// A byte string (`serde_bytes`): a length, then the bytes.
    pub fn bytes(&mut self) -> Vec<u8> {
        let len = self.len();
        self.take(len).to_vec()
    }

    /// An `Option`: a 0 byte for `None`, a 1 byte and the value for `Some`.
    pub fn option<T>(&mut self, read: impl FnOnce(&mut Reader<'a>) -> T) -> Option<T> {
        match self.byte() {
            1 => Some(read(self)),
            0 => None,
            _ => {
                self.refuse();
                None
            }
        }
    }

    /// A `Vec`: a length, then the elements (as far as they read).
    pub fn seq<T>(&mut self, mut read: impl FnMut(&mut Reader<'a>) -> T) -> Vec<T> {
        let len = self.len();
        // The length is untrusted: every element takes at least one byte, so no more can come
        // than bytes are left.
        let mut items = Vec::with_capacity(len.min(self.bytes.len()));
        for _ in 0..len {
            let item = read(self);
            if self.failed {
                break;
            }
            items.push(item);
        }
        items
    }

    /// An unsigned LEB128 varint for a `bits`-wide integer: at most `ceil(bits / 7)` bytes, the
    /// last of which may only carry the bits that are left (postcard's rule: a `u32`'s fifth
    /// byte holds 4 bits, a `u64`'s tenth byte 1 bit).
    fn varint(&mut self, bits: u32) -> u64 {
        let max_bytes = bits.div_ceil(7);
        let mut value = 0u64;
        for index in 0..max_bytes {
            let byte = self.byte();
            value |= u64::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                if index == max_bytes - 1 && u32::from(byte) >> (bits % 7) != 0 {
                    self.refuse();
                }
                return value;
            }
        }
        self.refuse();
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `read` finds at the start of `bytes` (trailing bytes allowed).
    fn first<'a, T>(bytes: &'a [u8], read: impl FnOnce(&mut Reader<'a>) -> T) -> Read<T> {
        let mut reader = Reader::new(bytes);
        let value = read(&mut reader);
        reader.finish(value).map(|(value, _)| value)
    }

    /// Every varint postcard writes for these values reads back; one byte longer or wider
    /// than the type allows is refused, as postcard refuses it.
    #[test]
    fn varints_follow_postcard() {
        for value in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let bytes = postcard::to_allocvec(&value).unwrap();
            assert_eq!(first(&bytes, Reader::u64), Ok(value));
            if let Ok(small) = u32::try_from(value) {
                let bytes = postcard::to_allocvec(&small).unwrap();
                assert_eq!(first(&bytes, Reader::u32), Ok(small));
            }
        }
        let check = |bytes: &[u8]| {
            let ours = (
                first(bytes, Reader::u32).ok(),
                first(bytes, Reader::u64).ok(),
            );
            let theirs = (
                postcard::from_bytes::<u32>(bytes).ok(),
                postcard::from_bytes::<u64>(bytes).ok(),
            );
            assert_eq!(ours, theirs, "{bytes:?}");
        };
        check(&[0x80, 0x80, 0x80, 0x80, 0x0f]);
        check(&[0x80, 0x80, 0x80, 0x80, 0x10]);
        check(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
        check(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        check(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
        check(&[0x80]);
        check(&[]);
    }

    #[test]
    fn strings_options_and_sequences_follow_postcard() {
        let value: (String, Option<f32>, Vec<u64>, Option<Vec<u8>>) =
            ("é!".into(), Some(1.5), vec![1, 300], None);
        let bytes = postcard::to_allocvec(&value).unwrap();
        let mut reader = Reader::new(&bytes);
        let read = (
            reader.string(),
            reader.option(Reader::f32),
            reader.seq(Reader::u64),
            reader.option(Reader::bytes),
        );
        assert_eq!(reader.finish(read), Ok((value, true)));
        assert_eq!(first(&[2], |r| r.option(Reader::byte)), Err(Malformed));
        assert_eq!(first(&[2, 0xff, 0xfe], Reader::string), Err(Malformed));
        assert_eq!(
            first(&[0xff, 0xff, 0xff, 0xff, 0x0f], |r| r.seq(Reader::byte)),
            Err(Malformed)
        );
        // After a failure every read fails: a value read later cannot make the whole hold.
        let mut reader = Reader::new(&[0x80, 5]);
        let read = (reader.u32(), reader.byte());
        assert_eq!(reader.finish(read), Err(Malformed));
    }
}
