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

/// What each read returns.
pub type Read<T> = Result<T, Malformed>;

/// A cursor over postcard bytes.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    /// True when every byte was read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// One byte (postcard's `u8`).
    pub fn byte(&mut self) -> Read<u8> {
        let (&first, rest) = self.bytes.split_first().ok_or(Malformed)?;
        self.bytes = rest;
        Ok(first)
    }

    /// The next `len` bytes.
    pub fn take(&mut self, len: usize) -> Read<&'a [u8]> {
        if len > self.bytes.len() {
            return Err(Malformed);
        }
        let (taken, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(taken)
    }

    /// A `u32` (an unsigned LEB128 varint of at most 5 bytes).
    pub fn u32(&mut self) -> Read<u32> {
        self.varint(32).map(|value| value as u32)
    }

    /// A `u64` (an unsigned LEB128 varint of at most 10 bytes).
    pub fn u64(&mut self) -> Read<u64> {
        self.varint(64)
    }

    /// A length: postcard's `usize`, a varint as wide as the platform's (32 bits in the wasm).
    pub fn len(&mut self) -> Read<usize> {
        self.varint(usize::BITS).map(|len| len as usize)
    }

    /// An `f32`: four bytes, little-endian.
    pub fn f32(&mut self) -> Read<f32> {
        let bytes = self.take(4)?;
        Ok(f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// A `String`: a length, then that many bytes of UTF-8.
    pub fn string(&mut self) -> Read<String> {
        let len = self.len()?;
        core::str::from_utf8(self.take(len)?)
            .map(String::from)
            .map_err(|_| Malformed)
    }

    /// A byte string (`serde_bytes`): a length, then the bytes.
    pub fn bytes(&mut self) -> Read<Vec<u8>> {
        let len = self.len()?;
        Ok(self.take(len)?.to_vec())
    }

    /// An `Option`: a 0 byte for `None`, a 1 byte and the value for `Some`.
    pub fn option<T>(&mut self, read: impl FnOnce(&mut Reader<'a>) -> Read<T>) -> Read<Option<T>> {
        match self.byte()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err(Malformed),
        }
    }

    /// A `Vec`: a length, then the elements.
    pub fn seq<T>(&mut self, mut read: impl FnMut(&mut Reader<'a>) -> Read<T>) -> Read<Vec<T>> {
        let len = self.len()?;
        // The length is untrusted: every element takes at least one byte, so no more can come
        // than bytes are left.
        let mut items = Vec::with_capacity(len.min(self.bytes.len()));
        for _ in 0..len {
            items.push(read(self)?);
        }
        Ok(items)
    }

    /// An unsigned LEB128 varint for a `bits`-wide integer: at most `ceil(bits / 7)` bytes, the
    /// last of which may only carry the bits that are left (postcard's rule: a `u32`'s fifth
    /// byte holds 4 bits, a `u64`'s tenth byte 1 bit).
    fn varint(&mut self, bits: u32) -> Read<u64> {
        let max_bytes = bits.div_ceil(7);
        let mut value = 0u64;
        for index in 0..max_bytes {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                let too_wide = index == max_bytes - 1 && u32::from(byte) >> (bits % 7) != 0;
                return if too_wide { Err(Malformed) } else { Ok(value) };
            }
        }
        Err(Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every varint postcard writes for these values reads back; one byte longer or wider
    /// than the type allows is refused, as postcard refuses it.
    #[test]
    fn varints_follow_postcard() {
        for value in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let bytes = postcard::to_allocvec(&value).unwrap();
            assert_eq!(Reader::new(&bytes).u64(), Ok(value));
            if let Ok(small) = u32::try_from(value) {
                let bytes = postcard::to_allocvec(&small).unwrap();
                assert_eq!(Reader::new(&bytes).u32(), Ok(small));
            }
        }
        let check = |bytes: &[u8]| {
            let ours = (Reader::new(bytes).u32().ok(), Reader::new(bytes).u64().ok());
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
        assert_eq!(reader.string(), Ok(value.0));
        assert_eq!(reader.option(Reader::f32), Ok(value.1));
        assert_eq!(reader.seq(Reader::u64), Ok(value.2));
        assert_eq!(reader.option(Reader::bytes), Ok(None));
        assert!(reader.is_empty());
        assert_eq!(Reader::new(&[2]).option(Reader::byte), Err(Malformed));
        assert_eq!(Reader::new(&[2, 0xff, 0xfe]).string(), Err(Malformed));
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x0f]).seq(Reader::byte),
            Err(Malformed)
        );
    }
}
