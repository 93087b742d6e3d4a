//! A faster front for `csv::CsvReader` on large files: reads the input in
//! 1 MiB chunks and splits each line in one pass over its bytes, without
//! copying it, for as long as no line holds a double quote. At the first
//! quote it hands the rest of the input (from that line on) to `CsvReader`,
//! which knows quoted fields and embedded newlines, so both give the same
//! records, lines and errors; only the unquoted majority goes faster.

use std::io::{BufRead, Chain, Cursor, Read};

use crate::csv::{CsvError, CsvReader, Record};

const CHUNK: usize = 1 << 20;

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;
/// Added to a byte's low seven bits, sets its high bit iff they are > ','.
const ABOVE_COMMA: u64 = 0x5353_5353_5353_5353;

enum Step {
    /// A record whose fields are in `fields`, on this line.
    Record(u64),
    Eof,
    /// The line at `start` holds a quote: the general reader takes over.
    Quoted,
}

pub struct FastCsv<R> {
    inner: Option<R>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    fields: Vec<(usize, usize)>,
    lines_read: u64,
    first: bool,
    slow: Option<CsvReader<Chain<Cursor<Vec<u8>>, R>>>,
}

impl<R: BufRead> FastCsv<R> {
    pub fn new(reader: R) -> Self {
        Self::with_capacity(reader, CHUNK)
    }

    /// With a first buffer of `capacity` bytes (it grows for longer lines):
    /// an input known to be small need not zero a whole chunk.
    pub fn with_capacity(reader: R, capacity: usize) -> Self {
        Self {
            inner: Some(reader),
            buf: vec![0; capacity.max(64)],
            start: 0,
            end: 0,
            eof: false,
            fields: Vec::with_capacity(8),
            lines_read: 0,
            first: true,
            slow: None,
        }
    }

    /// The records of `buf[start..]`, a whole input already in memory (the
    /// buffer is used in place; `into_buffer` gives it back). Its first
    /// line is not treated as a file's first (no byte-order mark).
    pub fn from_bytes(buf: Vec<u8>, start: usize) -> Self {
        let end = buf.len();
        Self {
            inner: None,
            buf,
            start,
            end,
            eof: true,
            fields: Vec::with_capacity(8),
            lines_read: 0,
            first: false,
            slow: None,
        }
    }

    /// The buffer, for the next `from_bytes`.
    pub fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// The next non-blank record, or `None` at the end of the input.
    #[inline]
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CsvError> {
        if self.slow.is_none() {
            match self.step()? {
                Step::Record(line) => {
                    return Ok(Some(Record::from_parts(&self.buf, &self.fields, line)))
                }
                Step::Eof => return Ok(None),
                Step::Quoted => self.hand_over(),
            }
        }
        match self.slow.as_mut() {
            Some(slow) => slow.next_record(),
            None => Ok(None),
        }
    }

    /// Gives the unread bytes (from the quoted line on) and the rest of the
    /// input to `CsvReader`.
    fn hand_over(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let rest = self.buf[self.start..self.end].to_vec();
        self.buf = Vec::new();
        let rest = Cursor::new(rest).chain(inner);
        self.slow = Some(if self.first {
            // Nothing read yet: the general reader also strips the BOM.
            CsvReader::new(rest)
        } else {
            CsvReader::continuing(rest, self.lines_read)
        });
    }

    /// Moves the unread tail to the front and reads more after it; grows
    /// the buffer when one line fills it.
    fn refill(&mut self) -> Result<(), CsvError> {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let Some(inner) = self.inner.as_mut() else {
            self.eof = true;
            return Ok(());
        };
        loop {
            match inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(CsvError::Io(e)),
            }
        }
    }

    #[inline]
    fn step(&mut self) -> Result<Step, CsvError> {
        loop {
            // One pass over the line: field ends, its end, quotes, NULs.
            self.fields.clear();
            let mut field_start = self.start;
            let mut nul = false;
            let mut newline = None;
            // A local copy: `self.start` would be reloaded after each push.
            let base = self.start;
            let bytes = &self.buf[base..self.end];
            let mut k = 0;
            // Eight bytes at a time: a mask of the bytes at or below ','
            // (the only ones that matter), exact per byte — the low seven
            // bits plus 0x53 cannot carry into the next byte — so most
            // bytes are skipped without being looked at one by one.
            'words: while k + 8 <= bytes.len() {
                let mut word = [0u8; 8];
                word.copy_from_slice(&bytes[k..k + 8]);
                let x = u64::from_le_bytes(word);
                let t = (x & LOW7) + ABOVE_COMMA;
                let mut mask = !(x | t) & HIGH;
                while mask != 0 {
                    let j = k + (mask.trailing_zeros() / 8) as usize;
                    mask &= mask - 1;
                    match bytes[j] {
                        b'\n' => {
                            newline = Some(base + j);
                            break 'words;
                        }
                        b',' => {
                            self.fields.push((field_start, base + j));
                            field_start = base + j + 1;
                        }
                        b'"' => return Ok(Step::Quoted),
                        0 => nul = true,
                        _ => {}
                    }
                }
                k += 8;
            }
            if newline.is_none() {
                for (j, &b) in bytes.iter().enumerate().skip(k) {
                    // Most bytes are none of the four: one range test skips them.
                    if b > b',' {
                        continue;
                    }
                    let i = base + j;
                    match b {
                        b'\n' => {
                            newline = Some(i);
                            break;
                        }
                        b',' => {
                            self.fields.push((field_start, i));
                            field_start = i + 1;
                        }
                        b'"' => return Ok(Step::Quoted),
                        0 => nul = true,
                        _ => {}
                    }
                }
            }
            let line_end = match newline {
                Some(n) => n,
                None if !self.eof => {
                    self.refill()?;
                    continue;
                }
                None if self.start == self.end => return Ok(Step::Eof),
                None => self.end,
            };
            let next = if newline.is_some() {
                line_end + 1
            } else {
                line_end
            };
            self.lines_read += 1;
            let line = self.lines_read;
            let mut stop = line_end;
            if stop > self.start && self.buf[stop - 1] == b'\r' {
                stop -= 1;
            }
            if self.first {
                self.first = false;
                if self.buf[self.start..stop].starts_with(b"\xEF\xBB\xBF") {
                    if self.fields.first().is_some_and(|f| f.0 == self.start) {
                        // The BOM sits in the first field: move its start.
                        self.fields[0].0 += 3;
                    }
                    if field_start == self.start {
                        field_start += 3;
                    }
                    self.start += 3;
                }
            }
            if nul {
                return Err(CsvError::Binary { line });
            }
            let blank = self.fields.is_empty()
                && self.buf[self.start..stop]
                    .iter()
                    .all(u8::is_ascii_whitespace);
            let line_start = self.start;
            self.start = next;
            if blank {
                continue;
            }
            debug_assert!(field_start >= line_start);
            self.fields.push((field_start, stop.max(field_start)));
            return Ok(Step::Record(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One record (its line and fields) or the error that ended reading.
    type Read = Result<(u64, Vec<Vec<u8>>), String>;

    fn all_fast(input: &[u8]) -> Vec<Read> {
        let mut r = FastCsv::new(input);
        let mut out = Vec::new();
        loop {
            match r.next_record() {
                Ok(Some(rec)) => out.push(Ok((
                    rec.line(),
                    (0..rec.len())
                        .map(|i| rec.get(i).unwrap_or_default().to_vec())
                        .collect(),
                ))),
                Ok(None) => break,
                Err(e) => {
                    out.push(Err(e.describe()));
                    break;
                }
            }
        }
        out
    }

    fn all_slow(input: &[u8]) -> Vec<Read> {
        let mut r = CsvReader::new(input);
        let mut out = Vec::new();
        loop {
            match r.next_record() {
                Ok(Some(rec)) => out.push(Ok((
                    rec.line(),
                    (0..rec.len())
                        .map(|i| rec.get(i).unwrap_or_default().to_vec())
                        .collect(),
                ))),
                Ok(None) => break,
                Err(e) => {
                    out.push(Err(e.describe()));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn gives_what_the_general_reader_gives() {
        let cases: [&[u8]; 13] = [
            b"\xEF\xBB\xBF\"a\",b\n1,2\n",
            b"\xEF\xBB\xBFa,b\r\n\r\n1, x \n\"2,3\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\nlast,",
            b"a,b\n1,2\n3,4",
            b"a,b\n1,2\n3,4\n",
            b"\xEF\xBB\xBF\n\na,b\n,\n,,\n  \n\t\n",
            b"a\n\"open,1\n2\n",
            b"a,b\n1,\x00\xff\n",
            b"a,b\n1,2\nx,\"y\"\n5,6\n7,8\n",
            b"",
            b"\n\n",
            b"\xEF\xBB\xBF",
            b"a,b\r\n1,2\r\n",
            b"x,y\n1,2\n\"3\",4\n\x00\n",
        ];
        for case in cases {
            assert_eq!(
                all_fast(case),
                all_slow(case),
                "{:?}",
                String::from_utf8_lossy(case)
            );
        }
    }

    #[test]
    fn lines_longer_than_a_chunk_and_many_chunks() {
        let mut big = b"id,v\n".to_vec();
        big.extend(std::iter::repeat_n(b'x', 3 * CHUNK));
        big.extend(b",1\n");
        for i in 0..200_000 {
            big.extend(format!("{i},{}\n", i * 7).as_bytes());
        }
        assert_eq!(all_fast(&big), all_slow(&big));
    }
}
