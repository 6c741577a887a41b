//! CRC-32 (IEEE 802.3, the zlib/PNG one), one byte per step through a 1 KB table.
//! crc32fast computes the same value faster, but ships 16 KB of tables in the wasm; a bundle is
//! checked once per page, where a few hundred microseconds do not matter.
//!
//! The table is built on the stack at each call (2,048 shifts, microseconds) rather than at
//! compile time: as a constant it was 1 KB of data in the wasm that gzip cannot shrink, about
//! 0.9 KB of the shipped gzip size (docs/performance.md, "Where the wasm bytes go").
#![forbid(unsafe_code)]

fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    for (n, entry) in (0u32..).zip(table.iter_mut()) {
        let mut c = n;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *entry = c;
    }
    table
}

/// The CRC-32 of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let table = make_table();
    let mut crc = !0u32;
    for &byte in bytes {
        crc = table[((crc ^ u32::from(byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn matches_the_standard_check_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }
}
