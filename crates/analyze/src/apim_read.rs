//! Reads one CSV row per person and hands each dyad to the model as soon as
//! its second row arrives, so nothing is kept per row: memory is the dyads
//! still open (one row each; with rows in dyad order, just the one being
//! read), a compact record of closed dyad ids (`dyad_ids.rs`) to catch a
//! third row, and the model's sums. A dyad seen once is pushed alone at the
//! end of the input. Errors about a dyad name the lines of its rows: open
//! dyads carry their line; a closed dyad's earlier lines are found by
//! reading the file again, which only a refused file pays for.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::BufRead;
use std::path::Path;

use crate::csv::{CsvError, CsvReader};
use crate::dyad_ids::ClosedIds;
use crate::fast_csv::FastCsv;
use crate::{input_error, AnalyzeError};
use analytics::apim::{ApimData, ApimSpec};

use crate::apim_fold::{Fold, Row};

/// The largest magnitude a value may have: its square, summed over ten
/// million rows, stays far below f64's 1.8e308.
const VALUE_LIMIT: f64 = 1e100;

/// The dyads named in one error message; the rest are counted.
const SHOWN: usize = 10;

/// Which columns hold what, by the flags that named them.
pub struct Columns<'a> {
    pub dyad: &'a str,
    pub x: &'a str,
    pub y: &'a str,
    pub distinguish: Option<&'a str>,
    pub covariates: &'a [String],
}

/// What was read: the model's data, and what the reader saw on the way.
pub struct Read {
    pub data: ApimData,
    /// Data rows read.
    pub rows: u64,
    /// Dyads with a single row.
    pub singletons: u64,
    /// Dyads read (one or two rows).
    pub dyads: u64,
}

/// One row of a dyad whose partner has not been read yet.
#[derive(Debug, Clone, Default)]
struct OpenRow {
    line: u64,
    role: Option<usize>,
    x: Option<f64>,
    y: Option<f64>,
    covariates: Vec<Option<f64>>,
}

impl OpenRow {
    fn values(&self) -> (Row, &[Option<f64>]) {
        (
            Row {
                line: self.line,
                role: self.role,
                x: self.x,
                y: self.y,
            },
            &self.covariates,
        )
    }
}

/// FNV-1a: the open-dyad map is keyed by ids from the user's own file, so
/// there is no adversary to defend against and SipHash's cost buys nothing.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type OpenMap = HashMap<Box<[u8]>, OpenRow, BuildHasherDefault<Fnv>>;

/// Whether a column varies, over the rows that have a value.
#[derive(Default)]
struct Variation {
    first: Option<f64>,
    varies: bool,
}

impl Variation {
    #[inline]
    fn see(&mut self, v: Option<f64>) {
        if let Some(v) = v {
            match self.first {
                None => self.first = Some(v),
                Some(f) => self.varies |= f != v,
            }
        }
    }
}

/// The dyads an error is about, with the lines of their rows.
#[derive(Default)]
struct Problems {
    shown: Vec<(Vec<u8>, Vec<u64>)>,
    more: u64,
}

impl Problems {
    fn add(&mut self, id: &[u8], lines: &[u64]) {
        if let Some((_, l)) = self.shown.iter_mut().find(|(i, _)| i == id) {
            l.extend_from_slice(lines);
        } else if self.shown.len() < SHOWN {
            self.shown.push((id.to_vec(), lines.to_vec()));
        } else {
            self.more += 1;
        }
    }

    /// `c3 (lines 7, 8, 9); c5 (line 12) and 2 more`.
    fn located(&self) -> String {
        let mut parts: Vec<String> = self
            .shown
            .iter()
            .map(|(id, lines)| {
                let word = if lines.len() == 1 { "line" } else { "lines" };
                let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
                format!("{} ({word} {})", lossy(id), lines.join(", "))
            })
            .collect();
        if self.more > 0 {
            parts.push(format!("and {} more", self.more));
        }
        parts.join("; ")
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Powers of ten exactly representable in f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A plain decimal (`-12.345`) with at most 15 digits, parsed without
/// going through `str`: the digits form an integer m < 10¹⁵ < 2⁵³ and the
/// value is m / 10^k, one correctly rounded division of two exact doubles
/// (Clinger's fast path), so the result is bit for bit what `str::parse`
/// gives. Anything else (exponents, more digits) returns `None` and takes
/// the general path.
#[inline]
fn fast_decimal(b: &[u8]) -> Option<f64> {
    let (negative, d) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    // More than 19 digits would overflow m: refused below (digits > 15),
    // so wrapping is harmless.
    let mut m: u64 = 0;
    let mut dot = None;
    for (i, &c) in d.iter().enumerate() {
        let digit = c.wrapping_sub(b'0');
        if digit <= 9 {
            m = m.wrapping_mul(10).wrapping_add(u64::from(digit));
        } else if c == b'.' && dot.is_none() {
            dot = Some(i);
        } else {
            return None;
        }
    }
    let (digits, frac) = match dot {
        Some(p) => (d.len() - 1, d.len() - 1 - p),
        None => (d.len(), 0),
    };
    if digits == 0 || digits > 15 {
        return None;
    }
    // m < 10¹⁵ fits an i64: a signed conversion is one instruction.
    let v = (m as i64) as f64 / POW10[frac];
    Some(if negative { -v } else { v })
}

/// A number, or `None` for the usual spellings of a missing value.
#[inline(always)]
fn value(field: &[u8], column: &str, line: u64) -> Result<Option<f64>, AnalyzeError> {
    // At most 15 digits: finite and far below VALUE_LIMIT, so nothing
    // waits on the division's result.
    if let Some(v) = fast_decimal(field) {
        return Ok(Some(v));
    }
    if field.is_empty() || field == b"NA" || field == b"." {
        return Ok(None);
    }
    let parsed = fast_decimal(field).or_else(|| {
        std::str::from_utf8(field)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
    });
    match parsed {
        // Sums of squares of larger values overflow double precision; the
        // fit would print nulls instead of saying why.
        Some(v) if v.is_finite() && v.abs() > VALUE_LIMIT => Err(input_error(format!(
            "line {line}: column \"{column}\": {v:e} is too large to compute with; \
             rescale the column (for example to thousands) and run again"
        ))),
        Some(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(input_error(format!(
            "line {line}: column \"{column}\": \"{}\" is not a number \
             (leave it empty or write NA if missing)",
            lossy(field)
        ))),
    }
}

/// The reader's state between rows.
struct Grouper {
    spec_covariates: Vec<String>,
    distinguish: bool,
    roles: Vec<Vec<u8>>,
    fold: Option<Fold>,
    /// The most recently opened dyad: with rows in dyad order, the only
    /// open one, compared without hashing.
    pending_id: Vec<u8>,
    pending: Option<OpenRow>,
    /// Open dyads other than the pending one (rows out of dyad order).
    open: OpenMap,
    closed: ClosedIds,
    third_rows: Problems,
    bad_roles: Problems,
    singletons: u64,
    dyads: u64,
    /// Covariate buffers of consumed rows, for the next rows.
    buffers: Vec<Vec<Option<f64>>>,
}

impl Grouper {
    /// The fold, started at the first dyad (when both roles are known).
    fn fold(&mut self) -> &mut Fold {
        let (roles, covariates) = (&self.roles, &self.spec_covariates);
        let distinguish = self.distinguish;
        self.fold.get_or_insert_with(|| {
            let roles = match roles.as_slice() {
                [a, b] if distinguish => Some([lossy(a), lossy(b)]),
                _ => None,
            };
            Fold::new(ApimSpec {
                roles,
                covariates: covariates.clone(),
            })
        })
    }

    /// A cleared buffer for one row's covariates.
    fn buffer(&mut self) -> Vec<Option<f64>> {
        self.buffers.pop().unwrap_or_default()
    }

    fn recycle(&mut self, mut row: OpenRow) {
        if self.buffers.len() < 4 {
            row.covariates.clear();
            self.buffers.push(row.covariates);
        }
    }

    fn push(&mut self, id: &[u8], first: &OpenRow, second: Option<&OpenRow>) {
        let lines = || match second {
            Some(s) => vec![first.line, s.line],
            None => vec![first.line],
        };
        if self.distinguish {
            if second.is_some_and(|s| s.role == first.role) {
                self.bad_roles.add(id, &lines());
                return;
            }
            if self.roles.len() < 2 {
                // A dyad seen once while the file has one role value so
                // far: refused at the end (the column needs two values).
                return;
            }
        }
        match second {
            Some(s) => self.fold().push(&[first.values(), s.values()]),
            None => self.fold().push(&[first.values()]),
        }
    }

    /// One row: closes its dyad if the partner is open, else opens it.
    fn row(&mut self, id: &[u8], row: OpenRow) {
        if self.pending.is_some() && self.pending_id == id {
            let first = self.pending.take().unwrap_or_default();
            self.close(id, first, row);
            return;
        }
        if !self.open.is_empty() {
            if let Some(first) = self.open.remove(id) {
                self.close(id, first, row);
                return;
            }
        }
        if self.closed.contains(id) {
            self.third_rows.add(id, &[row.line]);
            self.recycle(row);
            return;
        }
        if let Some(prev) = self.pending.take() {
            self.open
                .insert(std::mem::take(&mut self.pending_id).into(), prev);
        }
        self.pending_id.clear();
        self.pending_id.extend_from_slice(id);
        self.pending = Some(row);
    }

    fn close(&mut self, id: &[u8], first: OpenRow, second: OpenRow) {
        self.dyads += 1;
        self.push(id, &first, Some(&second));
        self.closed.insert(id);
        self.recycle(first);
        self.recycle(second);
    }

    /// Pushes the dyads seen once, in the order of their lines.
    fn finish(&mut self) {
        let mut alone: Vec<(Box<[u8]>, OpenRow)> = self.open.drain().collect();
        if let Some(p) = self.pending.take() {
            alone.push((std::mem::take(&mut self.pending_id).into(), p));
        }
        alone.sort_by_key(|(_, r)| r.line);
        for (id, row) in &alone {
            self.dyads += 1;
            self.singletons += 1;
            self.push(id, row, None);
        }
    }
}

/// Which column is where, from the header.
struct Layout {
    header: Vec<String>,
    dyad_col: usize,
    x_col: usize,
    y_col: usize,
    role_col: Option<usize>,
    cov_cols: Vec<usize>,
    width: usize,
}

/// Reads the header and finds the columns.
fn layout<R: BufRead>(cols: &Columns<'_>, reader: &mut FastCsv<R>) -> Result<Layout, AnalyzeError> {
    let csv_error = |e: CsvError| input_error(e.describe());
    let header: Vec<String> = match reader.next_record().map_err(csv_error)? {
        Some(rec) => crate::csv::header_names(&rec, false).map_err(input_error)?,
        None => return Err(input_error("the input is empty: expected a header line")),
    };
    let find = |name: &str, flag: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            input_error(format!(
                "line 1: no column \"{name}\" (given by --{flag}); the header is \"{}\"",
                header.join(",")
            ))
        })
    };
    let dyad_col = find(cols.dyad, "dyad")?;
    let x_col = find(cols.x, "x")?;
    let y_col = find(cols.y, "y")?;
    let role_col = cols
        .distinguish
        .map(|d| find(d, "distinguish"))
        .transpose()?;
    let mut cov_cols = Vec::with_capacity(cols.covariates.len());
    for (i, c) in cols.covariates.iter().enumerate() {
        let col = find(c, "covariate")?;
        let taken = [
            (Some(dyad_col), "--dyad"),
            (Some(x_col), "--x"),
            (Some(y_col), "--y"),
            (role_col, "--distinguish"),
        ];
        if let Some((_, flag)) = taken.iter().find(|(t, _)| *t == Some(col)) {
            return Err(input_error(format!(
                "--covariate {c}: the column is already {flag}; a covariate must be another column"
            )));
        }
        if cols.covariates[..i].contains(c) {
            return Err(input_error(format!("--covariate {c} is given twice")));
        }
        cov_cols.push(col);
    }
    let width = header.len();
    Ok(Layout {
        header,
        dyad_col,
        x_col,
        y_col,
        role_col,
        cov_cols,
        width,
    })
}

impl Grouper {
    fn new(cols: &Columns<'_>, lay: &Layout) -> Self {
        let mut g = Grouper {
            spec_covariates: cols.covariates.to_vec(),
            distinguish: lay.role_col.is_some(),
            roles: Vec::with_capacity(2),
            fold: None,
            pending_id: Vec::with_capacity(32),
            pending: None,
            open: OpenMap::default(),
            closed: ClosedIds::default(),
            third_rows: Problems::default(),
            bad_roles: Problems::default(),
            singletons: 0,
            dyads: 0,
            buffers: Vec::new(),
        };
        if lay.role_col.is_none() {
            g.fold();
        }
        g
    }

    /// The index of role `r` (a non-empty value of column `name`), in
    /// order of first appearance; a third value is refused.
    #[inline]
    fn role(&mut self, r: &[u8], line: u64, name: &str) -> Result<usize, AnalyzeError> {
        match self.roles.iter().position(|k| k == r) {
            Some(i) => Ok(i),
            None if self.roles.len() < 2 => {
                self.roles.push(r.to_vec());
                Ok(self.roles.len() - 1)
            }
            None => Err(input_error(format!(
                "line {line}: column \"{name}\" (--distinguish) has a third value \"{}\" \
                 after \"{}\" and \"{}\"; the distinguishing variable must take \
                 exactly two values",
                lossy(r),
                lossy(&self.roles[0]),
                lossy(&self.roles[1])
            ))),
        }
    }
}

/// When a file is read on two threads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parallel {
    /// Files smaller than this are read on one thread.
    pub min_size: u64,
    /// Bytes per chunk handed to a parsing thread.
    pub chunk: u64,
}

pub(crate) const PARALLEL: Parallel = Parallel {
    min_size: 8 << 20,
    chunk: 1 << 20,
};

/// Reads the whole input into the model's sums. `source` is the file the
/// input came from, read again only to name the lines of a refused dyad's
/// earlier rows (`None` for standard input). A file of at least
/// `parallel.min_size` bytes is parsed on two threads (`split::read`);
/// `input` is then not used unless that path gives up (a quote, a
/// malformed row, …), and standard input is always read on one thread.
pub(crate) fn read_with(
    cols: &Columns<'_>,
    input: impl BufRead,
    source: Option<&Path>,
    parallel: Parallel,
) -> Result<(Read, Checks), AnalyzeError> {
    if let Some(path) = source {
        let big =
            std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() >= parallel.min_size);
        if big {
            if let Some(done) = split::read(cols, path, parallel) {
                return done;
            }
        }
    }
    read_single(cols, input, source)
}

fn read_single(
    cols: &Columns<'_>,
    input: impl BufRead,
    source: Option<&Path>,
) -> Result<(Read, Checks), AnalyzeError> {
    let csv_error = |e: CsvError| input_error(e.describe());
    let mut reader = FastCsv::new(input);
    let lay = layout(cols, &mut reader)?;
    let mut g = Grouper::new(cols, &lay);
    let mut checks = Checks::default();
    let mut rows = 0u64;
    while let Some(rec) = reader.next_record().map_err(csv_error)? {
        let line = rec.line();
        crate::csv::check_width(&rec, lay.width).map_err(input_error)?;
        rows += 1;
        let field = |i: usize| rec.get(i).unwrap_or_default();
        let id = field(lay.dyad_col);
        if id.is_empty() {
            return Err(input_error(format!(
                "line {line}: empty dyad id in column \"{}\" (--dyad)",
                cols.dyad
            )));
        }
        let role = match lay.role_col {
            Some(c) => {
                let r = field(c);
                if r.is_empty() {
                    return Err(input_error(format!(
                        "line {line}: empty value in the distinguishing column \"{}\"",
                        lay.header[c]
                    )));
                }
                Some(g.role(r, line, &lay.header[c])?)
            }
            None => None,
        };
        let x = value(field(lay.x_col), cols.x, line)?;
        let y = value(field(lay.y_col), cols.y, line)?;
        let mut covariates = g.buffer();
        for (&c, name) in lay.cov_cols.iter().zip(cols.covariates) {
            covariates.push(value(field(c), name, line)?);
        }
        checks.see(x, y);
        let row = OpenRow {
            line,
            role,
            x,
            y,
            covariates,
        };
        g.row(id, row);
    }
    conclude(cols, &lay, g, rows, checks, source)
}

/// After the last row: the dyads seen once, the refusals, the fit's data.
fn conclude(
    cols: &Columns<'_>,
    lay: &Layout,
    mut g: Grouper,
    rows: u64,
    checks: Checks,
    source: Option<&Path>,
) -> Result<(Read, Checks), AnalyzeError> {
    if rows == 0 {
        return Err(input_error("no data rows after the header"));
    }
    g.finish();

    // One value in the distinguishing column explains every refused pair
    // at once: say that first.
    if let Some(c) = lay.role_col {
        if g.roles.len() < 2 {
            return Err(input_error(format!(
                "the distinguishing column \"{}\" must take exactly two values, found {}: {}",
                lay.header[c],
                g.roles.len(),
                g.roles
                    .iter()
                    .map(|r| lossy(r))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    if !g.third_rows.shown.is_empty() {
        if let Some(path) = source {
            relocate(path, lay.dyad_col, &mut g.third_rows);
        }
        let earlier = if source.is_none() {
            " (the line of each extra row; its first two rows came earlier)"
        } else {
            ""
        };
        return Err(input_error(format!(
            "dyads with more than two rows (a dyad is two people, one row each): {}{earlier}",
            g.third_rows.located()
        )));
    }
    if !g.bad_roles.shown.is_empty() {
        return Err(input_error(format!(
            "dyads whose members do not have one role each (column \"{}\", --distinguish): {}",
            cols.distinguish.unwrap_or_default(),
            g.bad_roles.located()
        )));
    }
    let singletons = g.singletons;
    let dyads = g.dyads;
    let (data, refused) = g
        .fold
        .take()
        .and_then(Fold::finish)
        .ok_or_else(|| input_error("no dyad could be read"))?;
    if let Some(first) = refused.first() {
        let lines: Vec<String> = refused
            .iter()
            .map(|r| {
                let l: Vec<String> = r.lines.iter().map(u64::to_string).collect();
                format!("lines {}", l.join(", "))
            })
            .collect();
        return Err(input_error(format!(
            "{} ({})",
            first.error,
            lines.join("; ")
        )));
    }
    Ok((
        Read {
            data,
            rows,
            singletons,
            dyads,
        },
        checks,
    ))
}

/// Replaces the lines of each refused dyad by all the lines its id is on,
/// reading the file again (only a refused file pays for this).
fn relocate(path: &Path, dyad_col: usize, problems: &mut Problems) {
    let Ok(file) = std::fs::File::open(path) else {
        return;
    };
    let mut reader = CsvReader::new(std::io::BufReader::with_capacity(1 << 16, file));
    let mut found: Vec<Vec<u64>> = vec![Vec::new(); problems.shown.len()];
    if !matches!(reader.next_record(), Ok(Some(_))) {
        return;
    }
    while let Ok(Some(rec)) = reader.next_record() {
        let id = rec.get(dyad_col).unwrap_or_default();
        if let Some(i) = problems.shown.iter().position(|(p, _)| p == id) {
            found[i].push(rec.line());
        }
    }
    for ((_, lines), f) in problems.shown.iter_mut().zip(found) {
        if f.len() > lines.len() {
            *lines = f;
        }
    }
}

/// What the data must show for any model to be fitted, checked over every
/// row as it streams past.
#[derive(Default)]
pub struct Checks {
    x: Variation,
    y: Variation,
    /// Some row has both x and y.
    pairs: bool,
    /// Some row has x ≠ y.
    x_ne_y: bool,
}

impl Checks {
    #[inline]
    fn see(&mut self, x: Option<f64>, y: Option<f64>) {
        self.x.see(x);
        self.y.see(y);
        if let (Some(x), Some(y)) = (x, y) {
            self.pairs = true;
            self.x_ne_y |= x != y;
        }
    }

    /// Refuses data the model cannot be fitted to, with what is wrong,
    /// instead of estimates with null standard errors and exit 0: an
    /// outcome with no variation (nothing to explain), a predictor with
    /// none (actor and partner effects cannot be told from the intercept),
    /// or a predictor identical to the outcome.
    pub fn refuse_degenerate(&self, x: &str, y: &str) -> Result<(), AnalyzeError> {
        if self.y.first.is_none() {
            return Err(input_error(format!(
                "column \"{y}\" (--y) has no values: every row is empty or NA"
            )));
        }
        if self.x.first.is_none() {
            return Err(input_error(format!(
                "column \"{x}\" (--x) has no values: every row is empty or NA"
            )));
        }
        if !self.y.varies {
            return Err(input_error(format!(
                "column \"{y}\" (--y) has the same value in every row: there is no variation to explain"
            )));
        }
        if !self.x.varies {
            return Err(input_error(format!(
                "column \"{x}\" (--x) has the same value in every row: actor and partner effects \
                 cannot be told apart from the intercept"
            )));
        }
        if !self.pairs {
            return Err(input_error(format!(
                "no row has both \"{x}\" (--x) and \"{y}\" (--y)"
            )));
        }
        if !self.x_ne_y {
            return Err(input_error(format!(
                "columns \"{x}\" (--x) and \"{y}\" (--y) are equal in every row: \
                 a variable cannot predict itself"
            )));
        }
        Ok(())
    }
}

/// A file parsed on two threads: the data lines are cut into chunks at
/// line boundaries, the two threads parse alternate chunks (splitting,
/// checks of each row, numbers), and this thread takes the parsed chunks
/// back in file order and groups them exactly as `read_single` does, so the
/// dyads reach the fold in the same order and the sums are bit for bit the
/// same. Anything unusual (a quote, a row the single path would refuse, a
/// header not on line 1) gives up and leaves the file to `read_single`,
/// which then says what it always says.
mod split {
    use super::*;
    use std::fs::File;
    use std::os::unix::fs::FileExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};
    use std::sync::Arc;

    /// Parsed chunks from one thread, and the way back for emptied ones.
    type Queue = (Receiver<Option<Parsed>>, Sender<Parsed>);

    /// One chunk's rows, parsed.
    #[derive(Default)]
    struct Parsed {
        /// Ids and roles, back to back; `ends` holds where each ends.
        text: Vec<u8>,
        id_ends: Vec<u32>,
        role_ends: Vec<u32>,
        /// Line of each row within the chunk (from 1).
        lines: Vec<u64>,
        /// x, y, then the covariates, per row.
        values: Vec<Option<f64>>,
        /// Newlines in the chunk.
        newlines: u64,
    }

    impl Parsed {
        fn clear(&mut self) {
            self.text.clear();
            self.id_ends.clear();
            self.role_ends.clear();
            self.lines.clear();
            self.values.clear();
            self.newlines = 0;
        }
    }

    /// Reads the lines starting in [start, end) into `buf`; returns where
    /// the first starts in `buf` (they end at its end).
    fn chunk_bytes(
        file: &File,
        len: u64,
        data: u64,
        start: u64,
        end: u64,
        buf: &mut Vec<u8>,
    ) -> Option<usize> {
        let from = if start == data { start } else { start - 1 };
        buf.clear();
        buf.resize((end - from) as usize, 0);
        file.read_exact_at(buf, from).ok()?;
        // On past `end` to the newline ending the last line.
        let mut at = end;
        while at < len && buf.last() != Some(&b'\n') {
            let n = (len - at).min(1 << 16) as usize;
            let old = buf.len();
            buf.resize(old + n, 0);
            file.read_exact_at(&mut buf[old..], at).ok()?;
            at += n as u64;
            if buf[old..].contains(&b'\n') {
                break;
            }
        }
        let first = if start == data {
            0
        } else {
            buf.iter().position(|&b| b == b'\n')? + 1
        };
        if (first as u64) + from >= end {
            buf.truncate(first);
            return Some(first);
        }
        let last = (end - 1 - from) as usize;
        let stop = match buf[last..].iter().position(|&b| b == b'\n') {
            Some(i) => last + i + 1,
            None => buf.len(),
        };
        buf.truncate(stop);
        Some(first)
    }

    /// Parses the lines of `buf[first..]` into `p`; `false` if anything in
    /// them is unusual. Gives the buffer back.
    fn parse(
        cols: &Columns<'_>,
        lay: &Layout,
        buf: Vec<u8>,
        first: usize,
        p: &mut Parsed,
    ) -> (bool, Vec<u8>) {
        let bytes = &buf[first..];
        if bytes.contains(&b'"') || bytes.starts_with(b"\xEF\xBB\xBF") {
            return (false, buf);
        }
        p.newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let mut reader = FastCsv::from_bytes(buf, first);
        let ok = rows(cols, lay, &mut reader, p).is_some();
        (ok, reader.into_buffer())
    }

    fn rows(
        cols: &Columns<'_>,
        lay: &Layout,
        reader: &mut FastCsv<&[u8]>,
        p: &mut Parsed,
    ) -> Option<()> {
        while let Some(rec) = reader.next_record().ok()? {
            if rec.len() != lay.width {
                return None;
            }
            let field = |i: usize| rec.get(i).unwrap_or_default();
            let id = field(lay.dyad_col);
            if id.is_empty() {
                return None;
            }
            p.text.extend_from_slice(id);
            p.id_ends.push(p.text.len() as u32);
            if let Some(c) = lay.role_col {
                let r = field(c);
                if r.is_empty() {
                    return None;
                }
                p.text.extend_from_slice(r);
                p.role_ends.push(p.text.len() as u32);
            }
            p.values.push(value(field(lay.x_col), cols.x, 0).ok()?);
            p.values.push(value(field(lay.y_col), cols.y, 0).ok()?);
            for (&c, name) in lay.cov_cols.iter().zip(cols.covariates) {
                p.values.push(value(field(c), name, 0).ok()?);
            }
            p.lines.push(rec.line());
        }
        Some(())
    }

    pub(super) fn read(
        cols: &Columns<'_>,
        path: &Path,
        parallel: Parallel,
    ) -> Option<Result<(Read, Checks), AnalyzeError>> {
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        // The header: line 1, no quote, not blank.
        let mut head = vec![0u8; len.min(1 << 16) as usize];
        file.read_exact_at(&mut head, 0).ok()?;
        let nl = head.iter().position(|&b| b == b'\n')?;
        if head[..nl].contains(&b'"') || head[..nl].iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let data = nl as u64 + 1;
        let mut header_reader = FastCsv::with_capacity(&head[..=nl], nl + 2);
        let lay = layout(cols, &mut header_reader).ok()?;
        let chunk = parallel.chunk.max(1);
        let chunks = (len - data).div_ceil(chunk);
        let stop = Arc::new(AtomicBool::new(false));
        std::thread::scope(|scope| {
            let mut queues: Vec<Queue> = Vec::new();
            for t in 0..2u64 {
                let (tx, rx) = sync_channel::<Option<Parsed>>(2);
                let (back, empties) = channel::<Parsed>();
                queues.push((rx, back));
                let (file, lay, stop) = (&file, &lay, stop.clone());
                scope.spawn(move || {
                    let mut buf = Vec::new();
                    let mut k = t;
                    while k < chunks && !stop.load(Ordering::Relaxed) {
                        let start = data + k * chunk;
                        let end = (start + chunk).min(len);
                        let mut p = empties.try_recv().unwrap_or_default();
                        p.clear();
                        let ok = match chunk_bytes(file, len, data, start, end, &mut buf) {
                            Some(first) => {
                                let (ok, back) =
                                    parse(cols, lay, std::mem::take(&mut buf), first, &mut p);
                                buf = back;
                                ok
                            }
                            None => false,
                        };
                        if tx.send(ok.then_some(p)).is_err() || !ok {
                            return;
                        }
                        k += 2;
                    }
                });
            }
            let done = group(cols, &lay, &queues, chunks, path);
            stop.store(true, Ordering::Relaxed);
            drop(queues);
            done
        })
    }

    /// Groups the parsed chunks in file order; `None` if a chunk gave up.
    fn group(
        cols: &Columns<'_>,
        lay: &Layout,
        queues: &[Queue],
        chunks: u64,
        path: &Path,
    ) -> Option<Result<(Read, Checks), AnalyzeError>> {
        let mut g = Grouper::new(cols, lay);
        let mut checks = Checks::default();
        let mut rows = 0u64;
        // Lines before the chunk: the header's, then each chunk's.
        let mut base = 1u64;
        let width = 2 + lay.cov_cols.len();
        for k in 0..chunks {
            let (rx, back) = &queues[(k % 2) as usize];
            let p = rx.recv().ok()??;
            let mut id_start = 0usize;
            for (i, &local) in p.lines.iter().enumerate() {
                let line = base + local;
                rows += 1;
                let id_end = p.id_ends[i] as usize;
                let id = &p.text[id_start..id_end];
                id_start = id_end;
                let role = match lay.role_col {
                    Some(c) => {
                        let role_end = p.role_ends[i] as usize;
                        let r = &p.text[id_start..role_end];
                        id_start = role_end;
                        match g.role(r, line, &lay.header[c]) {
                            Ok(i) => Some(i),
                            Err(e) => return Some(Err(e)),
                        }
                    }
                    None => None,
                };
                let v = &p.values[i * width..(i + 1) * width];
                let (x, y) = (v[0], v[1]);
                let mut covariates = g.buffer();
                covariates.extend_from_slice(&v[2..]);
                checks.see(x, y);
                g.row(
                    id,
                    OpenRow {
                        line,
                        role,
                        x,
                        y,
                        covariates,
                    },
                );
            }
            base += p.newlines;
            // The thread may have finished: then nothing to recycle.
            let _ = back.send(p);
        }
        Some(conclude(cols, lay, g, rows, checks, Some(path)))
    }
}

/// Whether the file is read on two threads to the end (no fallback).
#[cfg(test)]
pub(crate) fn splits(cols: &Columns<'_>, path: &Path, parallel: Parallel) -> bool {
    split::read(cols, path, parallel).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_decimals_equal_the_standard_parser_bit_for_bit() {
        for s in [
            "0",
            "-0",
            "1",
            "12.5",
            "-3.14159",
            "0.1",
            "0.3",
            "123456789012345",
            "1.",
            ".5",
            "+7.25",
            "99999.999999",
            "0.00000000000001",
        ] {
            let want: f64 = s.parse().expect(s);
            let got = fast_decimal(s.as_bytes()).expect(s);
            assert_eq!(got.to_bits(), want.to_bits(), "{s}");
        }
        for s in [
            "",
            "-",
            ".",
            "1e5",
            "1.2.3",
            "1234567890123456",
            "nan",
            "0.00000000000000000000000001",
            "1,5",
            "--1",
            "123456789012345678901234567890",
            "1.-2",
            "-.",
            "+",
        ] {
            assert_eq!(fast_decimal(s.as_bytes()), None, "{s}");
        }
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let digits = (rng % 15 + 1) as usize;
            let m = rng % 10u64.pow(digits as u32);
            let k = ((rng >> 40) % (digits as u64 + 1)) as usize;
            let text = format!("{m:0digits$}");
            let s = format!("{}.{}", &text[..digits - k], &text[digits - k..]);
            let want: f64 = s.parse().expect("float");
            assert_eq!(
                fast_decimal(s.as_bytes()).map(f64::to_bits),
                Some(want.to_bits()),
                "{s}"
            );
        }
    }
}
