//! A small streaming CSV reader (RFC 4180: commas, double-quoted fields with
//! `""` escapes and embedded newlines, CRLF or LF, a leading UTF-8 BOM) that
//! reuses one buffer, so memory stays flat however long the file is, and
//! reports the line each record starts on for error messages.

use std::io::BufRead;

/// One record's fields, borrowed from the reader's buffers.
pub struct Record<'a> {
    buf: &'a [u8],
    fields: &'a [(usize, usize)],
    line: u64,
}

impl<'a> Record<'a> {
    /// A record over `buf` with fields at the given byte ranges (for readers
    /// that split lines themselves, such as `fast_csv`).
    pub fn from_parts(buf: &'a [u8], fields: &'a [(usize, usize)], line: u64) -> Self {
        Self { buf, fields, line }
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `i`, with surrounding ASCII whitespace trimmed.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.fields
            .get(i)
            .map(|&(a, b)| self.buf[a..b].trim_ascii())
    }

    /// 1-based line on which the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// A CSV problem at a line.
#[derive(Debug)]
pub enum CsvError {
    Io(std::io::Error),
    UnterminatedQuote {
        line: u64,
    },
    /// A NUL byte, or a header that is not UTF-8: not a text file at all.
    Binary {
        line: u64,
    },
}

impl CsvError {
    /// The sentence the command prints (it never echoes raw bytes).
    pub fn describe(&self) -> String {
        match self {
            Self::Io(e) => format!("cannot read the input: {e}"),
            Self::UnterminatedQuote { line } => {
                format!("line {line}: a quoted field is never closed")
            }
            Self::Binary { line } => format!(
                "line {line}: this is not a CSV text file (it holds binary data); \
                 export the data as CSV first"
            ),
        }
    }
}

/// The header's names, trimmed; refuses a file whose header is not text
/// and a name given twice (the second column would be silently ignored).
/// `fold_case`: names match whatever their case, so "Code" and "code" clash.
pub fn header_names(rec: &Record<'_>, fold_case: bool) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::with_capacity(rec.len());
    for i in 0..rec.len() {
        let raw = rec.get(i).unwrap_or_default();
        let Ok(name) = std::str::from_utf8(raw) else {
            return Err(CsvError::Binary { line: rec.line() }.describe());
        };
        let clash = names.iter().any(|n| {
            if fold_case {
                n.eq_ignore_ascii_case(name)
            } else {
                n == name
            }
        });
        if clash && !name.is_empty() {
            return Err(format!(
                "line {}: the column \"{name}\" is named twice; give each column its own name",
                rec.line()
            ));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// Refuses a record whose field count differs from the header's: extra
/// fields are most often an unquoted decimal comma, and dropping them would
/// shift a value into the wrong column without a word.
pub fn check_width(rec: &Record<'_>, columns: usize) -> Result<(), String> {
    if rec.len() == columns {
        return Ok(());
    }
    Err(format!(
        "line {}: {} fields, but the header names {columns} columns{}",
        rec.line(),
        rec.len(),
        if rec.len() > columns {
            " (a value holding a comma, such as a decimal comma, must be in double quotes)"
        } else {
            ""
        }
    ))
}

pub struct CsvReader<R> {
    reader: R,
    line: Vec<u8>,
    scratch: Vec<u8>,
    fields: Vec<(usize, usize)>,
    lines_read: u64,
    first: bool,
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            line: Vec::with_capacity(256),
            scratch: Vec::with_capacity(256),
            fields: Vec::with_capacity(8),
            lines_read: 0,
            first: true,
        }
    }

    /// A reader that continues a file of which `lines_before` lines were
    /// already read (so its line numbers go on from there; no BOM is
    /// looked for).
    pub fn continuing(reader: R, lines_before: u64) -> Self {
        let mut r = Self::new(reader);
        r.lines_read = lines_before;
        r.first = false;
        r
    }

    /// The next non-blank record, or `None` at the end of the input.
    #[inline]
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CsvError> {
        loop {
            self.line.clear();
            if self
                .reader
                .read_until(b'\n', &mut self.line)
                .map_err(CsvError::Io)?
                == 0
            {
                return Ok(None);
            }
            self.lines_read += 1;
            let start_line = self.lines_read;
            if self.first {
                self.first = false;
                if self.line.starts_with(b"\xEF\xBB\xBF") {
                    self.line.drain(..3);
                }
            }
            strip_newline(&mut self.line);
            if self.line.contains(&0) {
                return Err(CsvError::Binary { line: start_line });
            }
            if self.line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            // Fast path, one scan: split at commas until a quote shows up;
            // without quotes the fields are slices of the line.
            self.fields.clear();
            let mut start = 0;
            let mut quoted = false;
            for (i, &b) in self.line.iter().enumerate() {
                if b == b',' {
                    self.fields.push((start, i));
                    start = i + 1;
                } else if b == b'"' {
                    quoted = true;
                    break;
                }
            }
            if !quoted {
                self.fields.push((start, self.line.len()));
                return Ok(Some(Record {
                    buf: &self.line,
                    fields: &self.fields,
                    line: start_line,
                }));
            }
            // A quoted field may span lines: read until the quotes balance
            // (the newline stripped above belongs inside the field).
            while self.line.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
                self.line.push(b'\n');
                let read = self.reader.read_until(b'\n', &mut self.line);
                if read.map_err(CsvError::Io)? == 0 {
                    return Err(CsvError::UnterminatedQuote { line: start_line });
                }
                self.lines_read += 1;
                strip_newline(&mut self.line);
            }
            self.unquote();
            return Ok(Some(Record {
                buf: &self.scratch,
                fields: &self.fields,
                line: start_line,
            }));
        }
    }

    /// Splits `line` into fields in `scratch`, removing quotes and `""`.
    fn unquote(&mut self) {
        self.scratch.clear();
        self.fields.clear();
        let mut start = 0;
        let mut quoted = false;
        let mut i = 0;
        let line = &self.line;
        while i < line.len() {
            let b = line[i];
            if quoted {
                if b == b'"' {
                    if line.get(i + 1) == Some(&b'"') {
                        self.scratch.push(b'"');
                        i += 1;
                    } else {
                        quoted = false;
                    }
                } else {
                    self.scratch.push(b);
                }
            } else if b == b'"' {
                quoted = true;
            } else if b == b',' {
                self.fields.push((start, self.scratch.len()));
                start = self.scratch.len();
            } else {
                self.scratch.push(b);
            }
            i += 1;
        }
        self.fields.push((start, self.scratch.len()));
    }
}

fn strip_newline(line: &mut Vec<u8>) {
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &str) -> Vec<(u64, Vec<String>)> {
        let mut r = CsvReader::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().expect("csv") {
            let fields = (0..rec.len())
                .map(|i| String::from_utf8(rec.get(i).expect("field").to_vec()).expect("utf8"))
                .collect();
            out.push((rec.line(), fields));
        }
        out
    }

    #[test]
    fn plain_quoted_crlf_bom_and_blank_lines() {
        let got =
            all("\u{feff}a,b\r\n\r\n1, x \n\"2,3\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\nlast,");
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into()]),
                (3, vec!["1".into(), "x".into()]),
                (4, vec!["2,3".into(), "say \"hi\"".into()]),
                (5, vec!["multi\nline".into(), "z".into()]),
                (7, vec!["last".into(), String::new()]),
            ]
        );
    }

    #[test]
    fn binary_input_is_named_not_echoed() {
        let mut r = CsvReader::new(&b"a,b\n1,\x00\xff\n"[..]);
        assert!(r.next_record().expect("header").is_some());
        match r.next_record() {
            Err(e @ CsvError::Binary { line: 2 }) => {
                assert!(e.describe().contains("not a CSV text file"));
            }
            other => panic!("expected binary data, got {:?}", other.err()),
        }
    }

    #[test]
    fn duplicate_names_and_odd_widths_are_refused() {
        let mut r = CsvReader::new("x,y,X\n1,2,3\n1,2,5,6\n1,2\n".as_bytes());
        let header = r.next_record().expect("csv").expect("header");
        assert!(
            header_names(&header, false).is_ok(),
            "x and X differ when case counts"
        );
        let err = header_names(&header, true).expect_err("x and X clash");
        assert!(err.contains("\"X\" is named twice"), "{err}");
        let fine = r.next_record().expect("csv").expect("row");
        assert!(check_width(&fine, 3).is_ok());
        let wide = r.next_record().expect("csv").expect("row");
        let err = check_width(&wide, 3).expect_err("too wide");
        assert!(
            err.starts_with("line 3: 4 fields") && err.contains("decimal comma"),
            "{err}"
        );
        let narrow = r.next_record().expect("csv").expect("row");
        assert_eq!(
            check_width(&narrow, 3).expect_err("too narrow"),
            "line 4: 2 fields, but the header names 3 columns"
        );
    }

    #[test]
    fn an_unterminated_quote_names_its_line() {
        let mut r = CsvReader::new("a\n\"open,1\n2\n".as_bytes());
        assert!(r.next_record().expect("header").is_some());
        match r.next_record() {
            Err(CsvError::UnterminatedQuote { line }) => assert_eq!(line, 2),
            _ => panic!("expected an unterminated quote"),
        }
    }
}
