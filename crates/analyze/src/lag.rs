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
use serde::Serialize;

use crate::csv::{CsvError, CsvReader};
use crate::format::{num, p_clause, p_value, table};
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
    /// Permutation p-values from this many shuffles within sequences.
    #[arg(long, default_value_t = 0)]
    pub permutations: u32,
    /// Seed for the shuffles (same seed, same p-values).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
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
    /// Only with `--permutations`: the code indices of every sequence.
    kept: Vec<Vec<u32>>,
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
        let code = match cols.actor {
            Some(a) => {
                let actor = rec.get(a).unwrap_or_default();
                if actor.is_empty() {
                    return Err(input_error(format!("line {line}: empty actor")));
                }
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
            if keep {
                kept.push(Vec::new());
            }
        }
        let idx = codebook.get_or_insert(code, line)?;
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
    Ok(Tally {
        table: counter.finish(),
        codebook,
        kept,
    })
}

#[derive(Serialize)]
struct PairJson<'a> {
    given: &'a str,
    target: &'a str,
    count: u64,
    expected: Option<f64>,
    transitional_probability: Option<f64>,
    adjusted_residual: Option<f64>,
    p_value: Option<f64>,
    yules_q: Option<f64>,
    wampold_kappa: Option<f64>,
    wampold_kappa_z: Option<f64>,
    structural_zero: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    permutation_p: Option<Option<f64>>,
}

#[derive(Serialize)]
struct IpfJson {
    iterations: usize,
    max_margin_error: f64,
    converged: bool,
    forced_zeros: usize,
}

#[derive(Serialize)]
struct PermutationJson {
    permutations: u32,
    seed: u64,
}

#[derive(Serialize)]
struct LagJson<'a> {
    lag: usize,
    n: u64,
    codes: Vec<&'a str>,
    sequences: u64,
    no_repeat: bool,
    g2: Option<f64>,
    g2_df: Option<u64>,
    g2_p: Option<f64>,
    structural_zeros: usize,
    ipf: Option<IpfJson>,
    permutation: Option<PermutationJson>,
    pairs: Vec<PairJson<'a>>,
}

pub fn run(args: &LagArgs, input: impl BufRead, out: &mut dyn Write) -> Result<(), AnalyzeError> {
    let tally = read(args, input)?;
    let options = LagOptions {
        no_repeat: args.no_repeat,
    };
    let lag_error = |e: LagError| input_error(e.to_string());
    let analysis = analyze(&tally.table, options).map_err(lag_error)?;
    let perm = if args.permutations > 0 {
        let opts = PermutationOptions {
            lag: args.lag as usize,
            model: options,
            permutations: args.permutations,
            seed: args.seed,
        };
        Some(permutation_p_values(&tally.kept, tally.table.codes(), opts).map_err(lag_error)?)
    } else {
        None
    };
    match args.format {
        Format::Json => write_json(args, &tally.codebook, &analysis, perm.as_deref(), out),
        Format::Table => write_table(&tally.codebook, &analysis, perm.as_deref(), out),
    }
}

fn write_json(
    args: &LagArgs,
    codebook: &Codebook,
    a: &LagAnalysis,
    perm: Option<&[Option<f64>]>,
    out: &mut dyn Write,
) -> Result<(), AnalyzeError> {
    let order = codebook.order();
    let mut pairs = Vec::with_capacity(order.len() * order.len());
    for &i in &order {
        for &j in &order {
            let c = a.cell(i, j);
            pairs.push(PairJson {
                given: codebook.name(i),
                target: codebook.name(j),
                count: c.count,
                expected: c.expected,
                transitional_probability: c.transitional_probability,
                adjusted_residual: c.adjusted_residual,
                p_value: c.p_value,
                yules_q: c.yules_q,
                wampold_kappa: c.wampold_kappa,
                wampold_kappa_z: c.kappa_z,
                structural_zero: c.structural_zero,
                permutation_p: perm.map(|p| p[i * a.codes + j]),
            });
        }
    }
    let doc = LagJson {
        lag: a.lag,
        n: a.n,
        codes: order.iter().map(|&i| codebook.name(i)).collect(),
        sequences: a.sequences,
        no_repeat: args.no_repeat,
        g2: a.g2,
        g2_df: a.g2_df,
        g2_p: a.g2_p,
        structural_zeros: a.structural_zeros,
        ipf: a.ipf.map(|f| IpfJson {
            iterations: f.iterations,
            max_margin_error: f.max_margin_error,
            converged: f.converged,
            forced_zeros: f.forced_zeros,
        }),
        permutation: (args.permutations > 0).then_some(PermutationJson {
            permutations: args.permutations,
            seed: args.seed,
        }),
        pairs,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| AnalyzeError::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}

fn write_table(
    codebook: &Codebook,
    a: &LagAnalysis,
    perm: Option<&[Option<f64>]>,
    out: &mut dyn Write,
) -> Result<(), AnalyzeError> {
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "Lag-sequential analysis, lag {}: N = {}, {}, {}{}",
        a.lag,
        plural(a.n, "tally").replace("tallys", "tallies"),
        plural(a.codes as u64, "code"),
        plural(a.sequences, "sequence"),
        if a.structural_zeros > 0 {
            format!(
                ", codes cannot repeat ({} structural zeros, quasi-independence by IPF)",
                a.structural_zeros
            )
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "G² = {}, df = {}, {}",
        num(a.g2, 3),
        a.g2_df.map_or_else(|| "–".to_owned(), |d| d.to_string()),
        p_clause(a.g2_p)
    )?;
    writeln!(out)?;
    let mut header = vec![
        "given",
        "target",
        "count",
        "expected",
        "P(t|g)",
        "adj. res.",
        "p",
        "Yule's Q",
        "kappa",
    ];
    if perm.is_some() {
        header.push("perm. p");
    }
    let order = codebook.order();
    let mut rows = Vec::new();
    for &i in &order {
        for &j in &order {
            let c = a.cell(i, j);
            let mut row = vec![
                codebook.name(i).to_owned(),
                codebook.name(j).to_owned(),
                if c.structural_zero {
                    "0*".to_owned()
                } else {
                    c.count.to_string()
                },
                num(c.expected, 3),
                num(c.transitional_probability, 4),
                num(c.adjusted_residual, 3),
                p_value(c.p_value),
                num(c.yules_q, 3),
                num(c.wampold_kappa, 4),
            ];
            if let Some(p) = perm {
                row.push(p_value(p[i * a.codes + j]));
            }
            rows.push(row);
        }
    }
    table(out, &header, &rows, 2)?;
    if a.structural_zeros > 0 {
        writeln!(
            out,
            "\n0* structural zero: the coding rule forbids this transition."
        )?;
    }
    writeln!(
        out,
        "\n– undefined for these data (e.g. a code that never occurs as given)."
    )?;
    Ok(())
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
