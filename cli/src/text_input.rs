//! Reading the text of a CSV or NDJSON export tolerantly, in one place: a UTF-8 byte-order
//! mark at the start is dropped and a line ends at LF or CRLF (a `\r` anywhere else stays),
//! so every reader counts lines the same way and messages name the right line. Files whose
//! name ends in `.gz` are decompressed as they are read.
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{bail, Context};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The bytes without a leading byte-order mark.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// The bytes with every CRLF turned into LF. The csv crate counts lines one short after a
/// CRLF; with LF only, the lines in messages are right.
pub fn crlf_as_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// The settings every CSV export is read with: the given delimiter, rows of any width (the
/// readers check widths themselves and name the line). Feed it a [`TolerantText`] or bytes
/// passed through [`without_bom`] and [`crlf_as_lf`].
pub fn csv_builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder.delimiter(delimiter).flexible(true);
    builder
}

/// A CSV reader over a streamed export, with [`csv_builder`]'s settings.
pub fn csv_reader<R: Read>(input: R, delimiter: u8) -> csv::Reader<TolerantText<R>> {
    csv_builder(delimiter).from_reader(TolerantText::new(input))
}

/// Opens a CSV export and reads its header (names as written), with a clear error when the
/// file cannot be read or is empty; `expected` names the header that messages ask for.
pub fn open_csv(
    path: &Path,
    delimiter: u8,
    expected: &[&str],
) -> anyhow::Result<(csv::Reader<TolerantText<File>>, Vec<String>)> {
    let file = path.display();
    let mut reader = csv_reader(
        File::open(path).with_context(|| format!("cannot read {file}"))?,
        delimiter,
    );
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{file}: line 1: cannot read the header"))?
        .iter()
        .map(String::from)
        .collect();
    if header.iter().all(|h| h.trim().is_empty()) {
        bail!(
            "{file}: the file is empty (expected the header {})",
            expected.join(&char::from(delimiter).to_string())
        );
    }
    Ok((reader, header))
}

/// Opens a file, decompressing it when its name ends in `.gz`.
pub fn open(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            file,
        )))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 16, reader)))
}

/// Calls `each(line_number, line)` for every line of `path` (1-based, without the line end
/// and, on line 1, a byte-order mark; `Err` for a line that is not UTF-8), stopping at the
/// first error `each` returns.
pub fn for_each_line(
    path: &Path,
    mut each: impl FnMut(u64, Result<&str, ()>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut lines = Lines::new(open(path)?);
    loop {
        let number = lines.number();
        let Some(line) = lines
            .next_line()
            .with_context(|| format!("reading {} after line {number}", path.display()))?
        else {
            return Ok(());
        };
        each(number + 1, std::str::from_utf8(line).map_err(|_| ()))?;
    }
}

/// A stream with the leading byte-order mark (when the first read brings its 3 bytes, as a
/// file's does) dropped and every CRLF turned into LF, for CSV
/// files read without loading them whole.
pub struct TolerantText<R> {
    inner: BufReader<R>,
    at_start: bool,
    /// A `\r` that ended the last chunk: dropped if the next byte is `\n`.
    pending_cr: bool,
}

impl<R: Read> TolerantText<R> {
    pub fn new(input: R) -> Self {
        TolerantText {
            inner: BufReader::with_capacity(1 << 16, input),
            at_start: true,
            pending_cr: false,
        }
    }
}

impl<R: Read> Read for TolerantText<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.at_start {
            self.at_start = false;
            let start = self.inner.fill_buf()?;
            if start.starts_with(BOM) {
                self.inner.consume(BOM.len());
            }
        }
        loop {
            let input = self.inner.fill_buf()?;
            let mut written = 0;
            if self.pending_cr {
                self.pending_cr = false;
                if input.first() != Some(&b'\n') {
                    out[0] = b'\r';
                    written = 1;
                }
            }
            if input.is_empty() {
                return Ok(written);
            }
            let mut used = 0;
            while used < input.len() && written < out.len() {
                let byte = input[used];
                used += 1;
                if byte == b'\r' {
                    match input.get(used) {
                        Some(b'\n') => continue,
                        Some(_) => {}
                        None => {
                            self.pending_cr = true;
                            continue;
                        }
                    }
                }
                out[written] = byte;
                written += 1;
            }
            self.inner.consume(used);
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

/// Numbered lines of an NDJSON (or any line-based) export, without their line ends and, on
/// line 1, without a byte-order mark.
pub struct Lines<R> {
    inner: R,
    line: Vec<u8>,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(inner: R) -> Self {
        Lines {
            inner,
            line: Vec::with_capacity(4096),
            number: 0,
        }
    }

    /// The reader, for what it knows after the last line.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The number of the last line returned (1-based; 0 before the first).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The next line, or `None` at the end. An error is the reader's (the caller names the
    /// file and [`Lines::number`]).
    pub fn next_line(&mut self) -> std::io::Result<Option<&[u8]>> {
        self.line.clear();
        if self.inner.read_until(b'\n', &mut self.line)? == 0 {
            return Ok(None);
        }
        self.number += 1;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        }
        let line = if self.number == 1 {
            without_bom(&self.line)
        } else {
            &self.line
        };
        Ok(Some(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines(text: &[u8]) -> Vec<(u64, String)> {
        let mut lines = Lines::new(text);
        let mut out = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            let text = String::from_utf8(line.to_vec()).unwrap();
            out.push((lines.number(), text));
        }
        out
    }

    /// Reads through [`TolerantText`] in chunks of `chunk` bytes.
    fn streamed(text: &[u8], chunk: usize) -> Vec<u8> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        let mut reader = TolerantText {
            inner: BufReader::with_capacity(chunk, Trickle(text, chunk)),
            at_start: true,
            pending_cr: false,
        };
        reader.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn lines_end_at_lf_or_crlf() {
        let expected = vec![(1, "a".to_string()), (2, "b".into()), (3, "".into())];
        assert_eq!(all_lines(b"a\nb\n\n"), expected);
        assert_eq!(all_lines(b"a\r\nb\r\n\r\n"), expected);
        assert_eq!(all_lines(b"a\r\nb\n\r\n"), expected, "mixed line ends");
    }

    #[test]
    fn the_last_line_needs_no_line_end() {
        assert_eq!(all_lines(b"a\r\nb"), vec![(1, "a".into()), (2, "b".into())]);
    }

    #[test]
    fn a_bom_is_dropped_on_line_one_only() {
        assert_eq!(
            all_lines(b"\xEF\xBB\xBFa\r\n\xEF\xBB\xBFb\n"),
            vec![(1, "a".into()), (2, "\u{feff}b".into())]
        );
    }

    #[test]
    fn a_lone_carriage_return_stays() {
        assert_eq!(all_lines(b"a\rb\n"), vec![(1, "a\rb".into())]);
        assert_eq!(crlf_as_lf(b"a\rb\r\nc\r"), b"a\rb\nc\r");
        assert_eq!(streamed(b"a\rb\r\nc\r", 3), b"a\rb\nc\r");
    }

    #[test]
    fn streaming_matches_the_whole_file_rule_at_every_chunk_size() {
        let text = b"\xEF\xBB\xBFid;name\r\n1;\"a\r\nb\"\r\n2;c\rd\r\n\r\n3;e\r";
        let expected = crlf_as_lf(without_bom(text));
        // A BOM is recognised when the first read brings at least its 3 bytes, as a file's does.
        for chunk in 3..=text.len() {
            assert_eq!(streamed(text, chunk), expected, "chunks of {chunk} bytes");
        }
    }

    #[test]
    fn csv_lines_are_counted_right_after_crlf() {
        let text = b"\xEF\xBB\xBFid,name\r\n1,a\r\n2,b,extra\r\n";
        let mut reader = csv_reader(&text[..], b',');
        assert_eq!(reader.headers().unwrap(), vec!["id", "name"]);
        let rows: Vec<(u64, usize)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r.position().unwrap().line(), r.len())
            })
            .collect();
        assert_eq!(
            rows,
            vec![(2, 2), (3, 3)],
            "line numbers, and rows of any width"
        );
    }
}
