//! `reciprocity analyze lag`: one streaming pass over a coded CSV into a
//! transition table, then the analytics crate's lag-sequential analysis.
//!
//! Memory: the K×K table, the code names, and the set of finished sequence
//! ids (to refuse a sequence split into two runs; constant for sorted
//! numeric ids, 8 bytes per sequence otherwise, see `seen.rs`). Nothing else
//! grows with the file, unless `--permutations` asks to keep the codes for
//! shuffling.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use analytics::lag::{
    analyze, permutation_p_values, LagAnalysis, LagError, LagOptions, PermutationOptions,
    TransitionCounter, MAX_CODES,
};

use crate::csv::{CsvError, CsvReader};
use crate::lag_report::Report;
use crate::seen::SeenIds;
use crate::{input_error, AnalyzeError, Format};

#[derive(Debug, Clone, clap::Args)]
pub struct LagArgs {
    /// CSV with a header and columns `sequence,code` (optionally `actor`),
    /// rows in order; `-` reads standard input.
    #[arg(long)]
    pub input: String,
    /// Lag K: tally each code with the code K events later in its sequence.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub lag: u32,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Fold the `actor` column into the code, as `actor:code`.
    #[arg(long)]
    pub actor_codes: bool,
    /// Codes cannot follow themselves: lag-1 expected counts by iterative
    /// proportional fitting (quasi-independence), residuals by the hat matrix.
    #[arg(long)]
    pub no_repeat: bool,
    /// Partners take turns (needs --actor-codes): at odd lags same-actor
    /// transitions, at even lags cross-actor ones, are impossible (structural
    /// zeros), not rare; expected counts then come from quasi-independence
    /// over the free cells. A partner speaking twice in a row is refused.
    #[arg(long)]
    pub alternating: bool,
    /// GIVEN,TARGET: a transition that cannot happen at this lag (a
    /// structural zero, with null statistics). Repeatable. Codes as written
    /// in the file (with --actor-codes, as actor:code).
    #[arg(long, value_name = "GIVEN,TARGET")]
    pub impossible: Vec<String>,
    /// Adjust the cell p-values for the number of cells tested: `p_adjusted`
    /// beside each `p_value` (Holm's step-down, or Bonferroni).
    #[arg(long, value_enum)]
    pub adjust: Option<Adjust>,
    /// Permutation p-values from this many shuffles within sequences.
    #[arg(long, default_value_t = 0)]
    pub permutations: u32,
    /// Seed for the shuffles (same seed, same p-values).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Adjust {
    Holm,
    Bonferroni,
}

/// A field of up to 7 bytes packed with its length into one u64, so the hot
/// loop compares short codes and ids with one integer comparison instead of
/// a `memcmp` call (profiling showed `memcmp` at a fifth of the run time).
#[inline]
fn pack(b: &[u8]) -> Option<u64> {
    if b.len() > 7 {
        return None;
    }
    let mut k = (b.len() as u64) << 56;
    for (i, &x) in b.iter().enumerate() {
        k |= u64::from(x) << (8 * i);
    }
    Some(k)
}

/// Code names in order of first appearance, with a fast path for the few
/// short codes of a typical scheme.
#[derive(Default)]
struct Codebook {
    names: Vec<Box<[u8]>>,
    /// `pack` of each name, `u64::MAX` (never a packed value) when too long.
    keys: Vec<u64>,
    index: HashMap<Box<[u8]>, u32>,
    last: u32,
}

/// Up to this many codes a linear scan beats hashing.
const LINEAR_SCAN: usize = 16;

impl Codebook {
    #[inline]
    fn get_or_insert(&mut self, code: &[u8], line: u64) -> Result<u32, AnalyzeError> {
        let key = pack(code);
        let found = match key {
            Some(k) if self.keys.len() <= LINEAR_SCAN => {
                if self.keys.get(self.last as usize) == Some(&k) {
                    return Ok(self.last);
                }
                self.keys.iter().position(|&n| n == k).map(|i| i as u32)
            }
            _ => self.index.get(code).copied(),
        };
        let i = match found {
            Some(i) => i,
            None => {
                if self.names.len() >= MAX_CODES {
                    return Err(input_error(format!(
                        "line {line}: more than {MAX_CODES} distinct codes (\"{}\" would be number {})",
                        String::from_utf8_lossy(code),
                        MAX_CODES + 1
                    )));
                }
                if std::str::from_utf8(code).is_err() {
                    return Err(input_error(format!(
                        "line {line}: the code is not valid UTF-8"
                    )));
                }
                let i = self.names.len() as u32;
                self.names.push(code.into());
                self.keys.push(key.unwrap_or(u64::MAX));
                self.index.insert(code.into(), i);
                i
            }
        };
        self.last = i;
        Ok(i)
    }

    fn name(&self, i: usize) -> &str {
        // Checked to be UTF-8 on insertion.
        std::str::from_utf8(&self.names[i]).unwrap_or("?")
    }

    fn names(&self) -> Vec<&str> {
        (0..self.names.len()).map(|i| self.name(i)).collect()
    }

    /// Display order: numerically when every code is a number, else by text.
    fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        let numbers: Option<Vec<f64>> = (0..self.names.len())
            .map(|i| self.name(i).parse::<f64>().ok())
            .collect();
        match numbers {
            Some(v) => order.sort_by(|&a, &b| {
                v[a].total_cmp(&v[b])
                    .then_with(|| self.names[a].cmp(&self.names[b]))
            }),
            None => order.sort_by(|&a, &b| self.names[a].cmp(&self.names[b])),
        }
        order
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Column positions from the header.
struct Columns {
    sequence: usize,
    code: usize,
    actor: Option<usize>,
}

fn columns(header: &[Vec<u8>], actor_codes: bool) -> Result<Columns, AnalyzeError> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name.as_bytes()))
    };
    let names = || {
        header
            .iter()
            .map(|h| lossy(h))
            .collect::<Vec<_>>()
            .join(",")
    };
    let missing = |name: &str| {
        input_error(format!(
            "line 1: missing column \"{name}\" (the header is \"{}\"; expected sequence,code)",
            names()
        ))
    };
    let sequence = find("sequence").ok_or_else(|| missing("sequence"))?;
    let code = find("code").ok_or_else(|| missing("code"))?;
    let actor = if actor_codes {
        Some(find("actor").ok_or_else(|| missing("actor"))?)
    } else {
        None
    };
    Ok(Columns {
        sequence,
        code,
        actor,
    })
}

fn csv_error(e: CsvError) -> AnalyzeError {
    input_error(e.describe())
}

/// What one pass over the file produces.
struct Tally {
    table: analytics::lag::TransitionTable,
    codebook: Codebook,
    /// Only with `--actor-codes`: the actor of each code (index = code).
    actors: Option<Vec<u32>>,
    /// `--impossible` pairs whose codes both occur, as code indices.
    impossible: Vec<(usize, usize)>,
    /// `--impossible` codes that never occur in the data.
    unknown_codes: Vec<String>,
    /// Only with `--permutations`: the code indices of every sequence.
    kept: Vec<Vec<u32>>,
}

/// A given→target pair of code names, as written.
type NamedPair = (Vec<u8>, Vec<u8>);

/// `--impossible GIVEN,TARGET` values as pairs of code names.
fn impossible_pairs(args: &LagArgs) -> Result<Vec<NamedPair>, AnalyzeError> {
    args.impossible
        .iter()
        .map(|v| match v.split_once(',') {
            Some((g, t)) if !g.is_empty() && !t.is_empty() && !t.contains(',') => {
                Ok((g.as_bytes().to_vec(), t.as_bytes().to_vec()))
            }
            _ => Err(input_error(format!(
                "--impossible \"{v}\": expected GIVEN,TARGET, two codes separated by one comma"
            ))),
        })
        .collect()
}

/// The `--impossible` pairs as indices, for those whose codes have been seen.
fn resolve(codebook: &Codebook, pairs: &[NamedPair]) -> Vec<(u32, u32)> {
    pairs
        .iter()
        .filter_map(|(g, t)| Some((*codebook.index.get(&g[..])?, *codebook.index.get(&t[..])?)))
        .collect()
}

fn read(args: &LagArgs, input: impl BufRead) -> Result<Tally, AnalyzeError> {
    let mut reader = CsvReader::new(input);
    let header: Vec<Vec<u8>> = match reader.next_record().map_err(csv_error)? {
        Some(rec) => crate::csv::header_names(&rec, true)
            .map_err(input_error)?
            .into_iter()
            .map(String::into_bytes)
            .collect(),
        None => {
            return Err(input_error(
                "the input is empty: expected a header line with the columns sequence,code",
            ))
        }
    };
    let cols = columns(&header, args.actor_codes)?;
    if args.alternating && !args.actor_codes {
        return Err(input_error(
            "--alternating needs --actor-codes: the actor column says whose turn each event is",
        ));
    }
    let declared = impossible_pairs(args)?;
    let mut forbidden: Vec<(u32, u32)> = Vec::new();
    let mut recent: std::collections::VecDeque<u32> = std::collections::VecDeque::new();
    let mut actor_names: Vec<Vec<u8>> = Vec::new();
    let mut actor_of: Vec<u32> = Vec::new();
    let lag = args.lag as usize;
    let mut counter = TransitionCounter::new(lag).map_err(|e| input_error(e.to_string()))?;
    let mut codebook = Codebook::default();
    let keep = args.permutations > 0;
    let mut kept: Vec<Vec<u32>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut current_key: Option<u64> = None;
    let mut finished = SeenIds::default();
    let mut rows = 0u64;
    let mut key: Vec<u8> = Vec::new();

    while let Some(rec) = reader.next_record().map_err(csv_error)? {
        let line = rec.line();
        crate::csv::check_width(&rec, header.len()).map_err(input_error)?;
        let (Some(seq), Some(code)) = (rec.get(cols.sequence), rec.get(cols.code)) else {
            return Err(input_error(format!("line {line}: missing field")));
        };
        if seq.is_empty() {
            return Err(input_error(format!("line {line}: empty sequence id")));
        }
        if code.is_empty() {
            return Err(input_error(format!("line {line}: empty code")));
        }
        let mut actor_bytes: Option<&[u8]> = None;
        let code = match cols.actor {
            Some(a) => {
                let actor = rec.get(a).unwrap_or_default();
                if actor.is_empty() {
                    return Err(input_error(format!("line {line}: empty actor")));
                }
                actor_bytes = Some(actor);
                key.clear();
                key.extend_from_slice(actor);
                key.push(b':');
                key.extend_from_slice(code);
                &key[..]
            }
            None => code,
        };
        let seq_key = pack(seq);
        let same = match (seq_key, current_key) {
            (Some(a), Some(b)) => a == b,
            (None, None) => seq == current.as_slice(),
            _ => false,
        };
        if rows == 0 || !same {
            if rows > 0 {
                counter.end_sequence();
                finished.insert(&current);
            }
            if finished.contains(seq) {
                return Err(input_error(format!(
                    "line {line}: sequence \"{}\" starts again after other sequences; the rows of a \
                     sequence must be contiguous (sort the file by sequence, keeping the order within each)",
                    lossy(seq)
                )));
            }
            current.clear();
            current.extend_from_slice(seq);
            current_key = seq_key;
            recent.clear();
            if keep {
                kept.push(Vec::new());
            }
        }
        let known = codebook.names.len();
        let idx = codebook.get_or_insert(code, line)?;
        if codebook.names.len() > known {
            if let Some(actor) = actor_bytes {
                let id = match actor_names.iter().position(|a| a == actor) {
                    Some(id) => id,
                    None => {
                        actor_names.push(actor.to_vec());
                        actor_names.len() - 1
                    }
                };
                actor_of.push(id as u32);
            }
            forbidden = resolve(&codebook, &declared);
        }
        if args.alternating {
            if let Some(prev) = counter.previous() {
                if actor_of[prev as usize] == actor_of[idx as usize] {
                    return Err(input_error(format!(
                        "line {line}: \"{}\" speaks twice in a row in sequence \"{}\", which \
                         --alternating forbids (partners take turns)",
                        lossy(actor_bytes.unwrap_or_default()),
                        lossy(seq)
                    )));
                }
            }
        }
        if !declared.is_empty() {
            // The window runs from the first row, so a pair is checked even
            // when its second code is the one that made the rule resolvable.
            if recent.len() == lag {
                let given = recent.pop_front().unwrap_or(idx);
                if forbidden.contains(&(given, idx)) {
                    return Err(input_error(format!(
                        "line {line}: \"{}\" follows \"{}\" at lag {lag} in sequence \"{}\", which \
                         --impossible {},{} forbids",
                        codebook.name(idx as usize),
                        codebook.name(given as usize),
                        lossy(seq),
                        codebook.name(given as usize),
                        codebook.name(idx as usize),
                    )));
                }
            }
            recent.push_back(idx);
        }
        if args.no_repeat && counter.previous() == Some(idx) {
            return Err(input_error(format!(
                "line {line}: code \"{}\" follows itself in sequence \"{}\", which --no-repeat forbids",
                codebook.name(idx as usize),
                lossy(seq)
            )));
        }
        counter
            .push(idx)
            .map_err(|e| input_error(format!("line {line}: {e}")))?;
        if let Some(s) = kept.last_mut() {
            s.push(idx);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(input_error("no data rows after the header"));
    }
    let unknown_codes = declared
        .iter()
        .flat_map(|(g, t)| [g, t])
        .filter(|c| !codebook.index.contains_key(&c[..]))
        .map(|c| lossy(c))
        .collect();
    Ok(Tally {
        table: counter.finish(),
        impossible: resolve(&codebook, &declared)
            .into_iter()
            .map(|(g, t)| (g as usize, t as usize))
            .collect(),
        actors: args.actor_codes.then_some(actor_of),
        unknown_codes,
        codebook,
        kept,
    })
}

pub fn run(args: &LagArgs, input: impl BufRead, out: &mut dyn Write) -> Result<(), AnalyzeError> {
    let tally = read(args, input)?;
    let options = LagOptions {
        no_repeat: args.no_repeat,
        alternating: if args.alternating {
            tally.actors.clone()
        } else {
            None
        },
        impossible: tally.impossible.clone(),
    };
    let lag_error = |e: LagError| match e {
        LagError::ImpossibleObserved {
            given,
            target,
            count,
        } => input_error(format!(
            "\"{}\" is followed by \"{}\" {count} time(s) at lag {}, a transition the coding \
             rule you gave declares impossible",
            tally.codebook.name(given),
            tally.codebook.name(target),
            args.lag
        )),
        other => input_error(other.to_string()),
    };
    let analysis = analyze(&tally.table, &options).map_err(lag_error)?;
    let perm = if args.permutations > 0 {
        let opts = PermutationOptions {
            lag: args.lag as usize,
            model: options.clone(),
            permutations: args.permutations,
            seed: args.seed,
        };
        Some(permutation_p_values(&tally.kept, tally.table.codes(), opts).map_err(lag_error)?)
    } else {
        None
    };
    let report = Report {
        args,
        names: tally.codebook.names(),
        order: tally.codebook.order(),
        analysis: &analysis,
        perm: perm.as_deref(),
        warnings: warnings(args, &tally, &analysis),
    };
    match args.format {
        Format::Json => report.write_json(out),
        Format::Table => report.write_table(out),
    }
}

/// What a reader must know before trusting the numbers.
fn warnings(args: &LagArgs, tally: &Tally, a: &LagAnalysis) -> Vec<String> {
    let mut w = Vec::new();
    if let Some(actors) = &tally.actors {
        let distinct = actors
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len();
        if !args.alternating
            && distinct >= 2
            && a.n > 0
            && analytics::lag::looks_alternating(&tally.table, actors)
        {
            w.push(
                "Every transition goes from one partner to the other, as when partners take \
                 turns. Then same-partner transitions are impossible rather than rare, and \
                 treating them as chance zeros makes turn-taking look like reciprocity: \
                 add --alternating."
                    .to_owned(),
            );
        }
    }
    for code in &tally.unknown_codes {
        w.push(format!(
            "--impossible names the code \"{code}\", which never occurs in the data; that pair \
             changes nothing."
        ));
    }
    if a.ipf.is_some_and(|f| !f.converged) {
        w.push(
            "The quasi-independence fit did not converge; expected counts and residuals are \
             approximate."
                .to_owned(),
        );
    }
    let small = a.cells.iter().filter(|c| c.small_expected).count();
    if small > 0 {
        w.push(format!(
            "{small} cell(s) have an expected count under 5 (flagged small_expected): their z \
             and p rest on a poor normal approximation{}.",
            if args.permutations > 0 {
                "; prefer the permutation p"
            } else {
                "; --permutations gives p-values that do not rely on it"
            }
        ));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> LagArgs {
        LagArgs {
            input: "-".into(),
            lag: 1,
            format: Format::Json,
            actor_codes: false,
            no_repeat: false,
            alternating: false,
            impossible: Vec::new(),
            adjust: None,
            permutations: 0,
            seed: 1,
        }
    }

    fn run_str(args: &LagArgs, csv: &str) -> Result<serde_json::Value, AnalyzeError> {
        let mut out = Vec::new();
        run(args, csv.as_bytes(), &mut out)?;
        Ok(serde_json::from_slice(&out).expect("json"))
    }

    fn err(args: &LagArgs, csv: &str) -> String {
        match run_str(args, csv) {
            Err(AnalyzeError::Input(m)) => m,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn counts_within_sequences_only_and_orders_codes_numerically() {
        let v = run_str(&args(), "sequence,code\na,10\na,2\na,10\nb,2\nb,2\n").expect("ok");
        assert_eq!(v["codes"], serde_json::json!(["2", "10"]));
        assert_eq!(v["n"], 3);
        assert_eq!(v["sequences"], 2);
        let pairs = v["pairs"].as_array().expect("pairs");
        let count = |g: &str, t: &str| {
            pairs
                .iter()
                .find(|p| p["given"] == g && p["target"] == t)
                .expect("pair")["count"]
                .as_u64()
                .expect("n")
        };
        // a: 10→2, 2→10; b: 2→2. The boundary a|b adds nothing.
        assert_eq!(
            (
                count("10", "2"),
                count("2", "10"),
                count("2", "2"),
                count("10", "10")
            ),
            (1, 1, 1, 0)
        );
    }

    #[test]
    fn errors_name_the_line() {
        let a = args();
        assert!(err(&a, "").contains("empty"));
        assert!(err(&a, "seq,code\n1,a\n").contains("missing column \"sequence\""));
        assert!(err(&a, "sequence,code\n").contains("no data rows"));
        assert!(err(&a, "sequence,code\n1,a\n1,\n").starts_with("line 3: empty code"));
        assert!(err(&a, "sequence,code\n1,a\n,b\n").starts_with("line 3: empty sequence id"));
        assert!(err(&a, "sequence,code\n1,a\n2\n").starts_with("line 3: 1 fields"));
        let split = err(&a, "sequence,code\n1,a\n2,b\n1,c\n");
        assert!(
            split.starts_with("line 4: sequence \"1\" starts again"),
            "{split}"
        );
        assert!(err(&a, "sequence,code\n1,\"a\n").starts_with("line 2: a quoted field"));
        let mut many = String::from("sequence,code\n");
        for i in 0..=MAX_CODES {
            many.push_str(&format!("s,c{i}\n"));
        }
        assert!(err(&a, &many).starts_with(&format!(
            "line {}: more than 1000 distinct codes",
            MAX_CODES + 2
        )));
        let nr = LagArgs {
            no_repeat: true,
            ..args()
        };
        assert!(err(&nr, "sequence,code\n1,a\n1,b\n1,b\n")
            .starts_with("line 4: code \"b\" follows itself"));
    }

    #[test]
    fn the_codebook_finds_short_long_and_many_codes() {
        let mut book = Codebook::default();
        let names: Vec<String> = (0..40)
            .map(|i| {
                if i % 3 == 0 {
                    format!("long-code-{i}")
                } else {
                    format!("c{i}")
                }
            })
            .collect();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(
                book.get_or_insert(n.as_bytes(), 1).expect("insert"),
                i as u32
            );
        }
        for (i, n) in names.iter().enumerate().rev() {
            assert_eq!(book.get_or_insert(n.as_bytes(), 1).expect("find"), i as u32);
        }
        // Packing keeps the length, so "a" and "a\0" differ.
        assert_ne!(pack(b"a"), pack(b"a\0"));
    }

    #[test]
    fn actor_codes_fold_the_actor_into_the_code() {
        let a = LagArgs {
            actor_codes: true,
            ..args()
        };
        let v = run_str(&a, "sequence,actor,code\n1,H,neg\n1,W,neg\n1,H,pos\n").expect("ok");
        assert_eq!(v["codes"], serde_json::json!(["H:neg", "H:pos", "W:neg"]));
        assert!(err(&a, "sequence,code\n1,a\n").contains("missing column \"actor\""));
    }

    #[test]
    fn undefined_statistics_are_null_in_json_and_dashes_in_the_table() {
        // One code only: every residual is undefined.
        let v = run_str(&args(), "sequence,code\n1,a\n1,a\n1,a\n").expect("ok");
        assert!(v["pairs"][0]["adjusted_residual"].is_null());
        assert!(v["pairs"][0]["yules_q"].is_null());
        let t = LagArgs {
            format: Format::Table,
            ..args()
        };
        let mut out = Vec::new();
        run(&t, "sequence,code\n1,a\n1,a\n1,a\n".as_bytes(), &mut out).expect("ok");
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.contains('–') && !text.contains("NaN"), "{text}");
    }
}
