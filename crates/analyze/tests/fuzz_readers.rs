//! Bounded, structure-aware random fuzzing of the `analyze` CSV readers
//! (issue 13 item 5, the stable-Rust route; see `fuzz/README.md`).
//!
//! Each target drives `analyze::run_with` with generated inputs — random
//! bytes, CSV built from a small grammar (the needed columns in random
//! order, extra and missing fields, quotes, embedded newlines and commas,
//! NUL, invalid UTF-8, huge numbers, NA and empty cells, duplicate ids, very
//! long fields) and mutations of valid files — and checks that it never
//! panics, never hangs, returns Ok or an input error (exit 2), that JSON
//! output parses and that no NaN or infinity reaches the output.
//!
//! `FUZZ_CASES` (default 3,000 per target) and `FUZZ_SEED` (default fixed,
//! so CI is reproducible) set the run; a failure prints the case's seed, and
//! `FUZZ_ONE=<seed>` replays that single case; `FUZZ_VERBOSE=1` prints each
//! input error with the kind of case that drew it.

use std::io::Cursor;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use analytics::Rng;
use analyze::{run_with, AnalyzeCommand, AnalyzeError};
use clap::Parser;

/// `reciprocity analyze …` as the CLI parses it, so every option is reachable.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: AnalyzeCommand,
}

/// Longest any single case may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(20);

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// SplitMix-style mixing, so neighbouring case numbers get unrelated seeds.
fn case_seed(base: u64, i: u64) -> u64 {
    let mut z = base ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct G(Rng);

impl G {
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.0.next_u64() as u8).collect()
    }
}

/// What one case was, for the failure message.
struct Case {
    kind: &'static str,
    args: Vec<String>,
    input: Vec<u8>,
}

#[derive(Default)]
struct Tally {
    ok: u64,
    input_errors: u64,
}

/// A cell from the grammar: usually ordinary, sometimes hostile.
fn hostile_cell(g: &mut G) -> Vec<u8> {
    match g.below(16) {
        0 => Vec::new(),
        1 => b"NA".to_vec(),
        2 => b"\"quoted, with a comma\"".to_vec(),
        3 => b"\"line\nbreak\"".to_vec(),
        4 => b"\"esc\"\"aped\"".to_vec(),
        5 => b"\"unterminated".to_vec(),
        6 => b"nul\0byte".to_vec(),
        7 => vec![0xff, 0xfe, b'x', 0xc3],
        8 => match g.below(6) {
            0 => "9".repeat(400).into_bytes(),
            _ => g
                .pick(&["1e308", "-1e308", "1e400", "1e101", "-1e99"])
                .as_bytes()
                .to_vec(),
        },
        9 => g
            .pick(&[
                "NaN", "nan", "inf", "-inf", "Infinity", "+5", "0x10", "1_000", ".5", "5.",
            ])
            .as_bytes()
            .to_vec(),
        10 => "é".repeat(1 + g.below(20_000)).into_bytes(),
        11 => b" padded ".to_vec(),
        12 => b"\r".to_vec(),
        13 => b"a,b".to_vec(),
        14 => {
            let n = 1 + g.below(12);
            g.bytes(n)
        }
        _ => b"-0".to_vec(),
    }
}

fn number(g: &mut G) -> String {
    match g.below(10) {
        0 => format!("{}", g.below(5)),
        1 => format!("-{}.{}", g.below(100), g.below(1000)),
        2 => format!("{}.{}e{}", g.below(10), g.below(10), g.below(4)),
        _ => format!("{:.3}", (g.0.next_u64() % 100_000) as f64 / 1000.0),
    }
}

/// Joins rows into a CSV file with random line endings, an occasional BOM,
/// and sometimes no final newline.
fn join(g: &mut G, rows: Vec<Vec<Vec<u8>>>) -> Vec<u8> {
    let eol: &[u8] = if g.chance(4) { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    if g.chance(20) {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let n = rows.len();
    for (i, row) in rows.into_iter().enumerate() {
        out.extend_from_slice(&row.join(&b","[..]));
        if i + 1 < n || !g.chance(5) {
            out.extend_from_slice(eol);
        }
        if g.chance(60) {
            out.extend_from_slice(eol);
        }
    }
    out
}

/// Header: the needed columns plus extras, shuffled; sometimes one dropped
/// or named twice.
fn header(g: &mut G, needed: &[&str], hostility: usize) -> Vec<String> {
    let mut cols: Vec<String> = needed.iter().map(|s| (*s).to_owned()).collect();
    for _ in 0..g.below(3) {
        let extra = g.pick(&["note", "time", "x2", "", "\"q\""]).to_string();
        if hostility > 0 || !cols.contains(&extra) {
            cols.push(extra);
        }
    }
    if hostility > 0 && g.chance(15) && !cols.is_empty() {
        let i = g.below(cols.len());
        cols.remove(i);
    }
    if hostility > 0 && g.chance(20) && !cols.is_empty() {
        let c = g.pick(&cols).clone();
        cols.push(c);
    }
    for i in (1..cols.len()).rev() {
        let j = g.below(i + 1);
        cols.swap(i, j);
    }
    cols
}

/// Rows for `cols`: `cell(g, column, row)` for each, with occasional
/// hostile cells, extra or missing fields.
fn rows(
    g: &mut G,
    cols: &[String],
    n: usize,
    mut cell: impl FnMut(&mut G, &str, usize) -> Vec<u8>,
    hostility: usize,
) -> Vec<Vec<Vec<u8>>> {
    let mut out = vec![cols.iter().map(|c| c.as_bytes().to_vec()).collect()];
    for r in 0..n {
        let mut row: Vec<Vec<u8>> = cols
            .iter()
            .map(|c| {
                if hostility > 0 && g.chance(hostility) {
                    hostile_cell(g)
                } else {
                    cell(g, c, r)
                }
            })
            .collect();
        if hostility > 0 && g.chance(hostility * 2) {
            if g.chance(2) {
                row.push(b"extra".to_vec());
            } else {
                row.pop();
            }
        }
        out.push(row);
    }
    out
}

fn lag_file(g: &mut G, hostility: usize) -> Vec<u8> {
    let with_actor = g.chance(2);
    let needed: &[&str] = if with_actor {
        &["sequence", "actor", "code"]
    } else {
        &["sequence", "code"]
    };
    let cols = header(g, needed, hostility);
    let max = if g.chance(10) { 3000 } else { 80 };
    let n = g.below(max);
    let codes = 1 + g.below(8);
    let numeric_ids = g.chance(2);
    let run = 1 + g.below(20);
    let shuffle_ids = g.chance(10);
    let rows = rows(
        g,
        &cols,
        n,
        |g, c, r| match c {
            "sequence" => {
                let id = if shuffle_ids { g.below(5) } else { r / run };
                if numeric_ids {
                    id.to_string().into_bytes()
                } else {
                    format!("s{id}").into_bytes()
                }
            }
            "actor" => g.pick(&["A", "B"]).as_bytes().to_vec(),
            "code" => {
                if g.chance(200) {
                    format!("code{}", g.below(300)).into_bytes()
                } else {
                    format!("{}", (b'a' + g.below(codes) as u8) as char).into_bytes()
                }
            }
            _ => number(g).into_bytes(),
        },
        hostility,
    );
    join(g, rows)
}

fn lag_args(g: &mut G) -> Vec<String> {
    let mut a: Vec<String> = vec!["lag".into(), "--input".into(), "-".into()];
    let mut push = |xs: &[&str]| a.extend(xs.iter().map(|s| (*s).to_owned()));
    if g.chance(3) {
        push(&["--lag", *g.pick(&["1", "2", "3", "7"])]);
    }
    if g.chance(4) {
        push(&["--actor-codes"]);
    }
    match g.below(6) {
        0 => push(&["--no-repeat"]),
        1 => push(&["--alternating"]),
        2 => push(&["--impossible", *g.pick(&["a,b", "b,a", "a,a", "zz,a"])]),
        _ => {}
    }
    if g.chance(4) {
        push(&["--adjust", *g.pick(&["holm", "bonferroni"])]);
    }
    if g.chance(15) {
        push(&["--permutations", *g.pick(&["5", "20"])]);
        push(&["--seed", *g.pick(&["1", "7"])]);
    }
    if g.chance(8) {
        push(&["--format", "table"]);
    }
    a
}

fn apim_file(g: &mut G, hostility: usize, covariates: &[&str]) -> Vec<u8> {
    let mut needed = vec!["couple", "role", "x", "y"];
    needed.extend_from_slice(covariates);
    let cols = header(g, &needed, hostility);
    let max = if g.chance(10) { 400 } else { 30 };
    let dyads = g.below(max);
    let mut order: Vec<usize> = (0..dyads * 2).collect();
    if g.chance(3) {
        for i in (1..order.len()).rev() {
            let j = g.below(i + 1);
            order.swap(i, j);
        }
    }
    let dup = hostility > 0 && g.chance(8);
    let rows = rows(
        g,
        &cols,
        order.len(),
        |g, c, r| {
            let row = order[r];
            match c {
                "couple" => {
                    let id = if dup { row / 3 } else { row / 2 };
                    format!("c{id}").into_bytes()
                }
                "role" => {
                    let roles = ["wife", "husband", "other"];
                    let k = if hostility > 0 && g.chance(30) {
                        2
                    } else {
                        row % 2
                    };
                    roles[k].as_bytes().to_vec()
                }
                "x" | "age" | "z" => number(g).into_bytes(),
                "y" => {
                    if hostility > 0 && g.chance(20) {
                        b"3".to_vec()
                    } else {
                        number(g).into_bytes()
                    }
                }
                _ => b"n".to_vec(),
            }
        },
        hostility,
    );
    join(g, rows)
}

fn apim_args(g: &mut G, covariates: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "apim", "--input", "-", "--dyad", "couple", "--x", "x", "--y", "y",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if g.chance(2) {
        a.extend(["--distinguish".into(), "role".into()]);
    }
    for c in covariates {
        a.extend(["--covariate".into(), (*c).to_owned()]);
    }
    if g.chance(20) {
        // Predictor equal to outcome, or a column that is absent.
        a.extend([
            "--covariate".into(),
            g.pick(&["y", "x", "absent"]).to_string(),
        ]);
    }
    if g.chance(8) {
        a.extend(["--format".into(), "table".into()]);
    }
    a
}

/// Byte-level mutations of a (usually valid) file.
fn mutate(g: &mut G, mut v: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + g.below(6) {
        let len = v.len();
        match g.below(9) {
            0 if len > 0 => {
                let i = g.below(len);
                v[i] ^= 1 << g.below(8);
            }
            1 => {
                let i = g.below(len + 1);
                let b = *g.pick(&[b',', b'"', b'\n', b'\r', 0, 0xff, b'9', b'-', b'e']);
                v.insert(i, b);
            }
            2 if len > 0 => {
                let i = g.below(len);
                let j = (i + 1 + g.below(32)).min(len);
                v.drain(i..j);
            }
            3 if len > 0 => {
                let i = g.below(len);
                let j = (i + 1 + g.below(64)).min(len);
                let chunk = v[i..j].to_vec();
                let at = g.below(len + 1);
                v.splice(at..at, chunk);
            }
            4 => v.truncate(g.below(len + 1)),
            5 => {
                let i = g.below(len + 1);
                let cell = hostile_cell(g);
                v.splice(i..i, cell);
            }
            6 if len > 0 => {
                let i = g.below(len);
                v[i] = b'"';
            }
            7 if len > 0 => {
                // Replace a digit run start with a huge number.
                let i = g.below(len);
                let s = g.pick(&["1e300", "1e999", "-1e101", "NA", ""]).as_bytes();
                v.splice(i..i, s.iter().copied());
            }
            _ => {}
        }
    }
    v
}

/// One case for a target from its seed.
fn make_case(target: &str, seed: u64) -> Case {
    let mut g = G(Rng::seed(seed));
    let covs: &[&str] = match g.below(4) {
        0 => &["age"],
        1 => &["age", "z"],
        _ => &[],
    };
    let args = if target == "lag" {
        lag_args(&mut g)
    } else {
        apim_args(&mut g, covs)
    };
    let (kind, input) = match g.below(10) {
        0 => {
            let n = g.below(600);
            ("random bytes", g.bytes(n))
        }
        1..=3 => {
            let f = if target == "lag" {
                lag_file(&mut g, 0)
            } else {
                apim_file(&mut g, 0, covs)
            };
            ("valid", f)
        }
        4..=6 => {
            let h = 3 + g.below(30);
            let f = if target == "lag" {
                lag_file(&mut g, h)
            } else {
                apim_file(&mut g, h, covs)
            };
            ("grammar", f)
        }
        _ => {
            let f = if target == "lag" {
                lag_file(&mut g, 0)
            } else {
                apim_file(&mut g, 0, covs)
            };
            ("mutated", mutate(&mut g, f))
        }
    };
    Case { kind, args, input }
}

/// Runs one case; `Err` says what property failed.
fn check(case: &Case) -> Result<bool, String> {
    let argv = std::iter::once("analyze".to_owned()).chain(case.args.iter().cloned());
    let cmd = Cli::try_parse_from(argv)
        .map_err(|e| format!("generator built bad arguments: {e}"))?
        .cmd;
    let table = case.args.iter().any(|a| a == "table");
    let mut out = Vec::new();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_with(&cmd, Cursor::new(&case.input), &mut out)
    }));
    match result {
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!("panicked: {msg}"))
        }
        Ok(Err(AnalyzeError::Output(e))) => Err(format!("output error on a Vec: {e}")),
        Ok(Err(e @ AnalyzeError::Input(_))) => {
            if e.exit_code() != 2 || e.to_string().trim().is_empty() {
                return Err(format!("input error without exit 2 or message: {e:?}"));
            }
            if std::env::var_os("FUZZ_VERBOSE").is_some() {
                let msg = e.to_string();
                println!(
                    "{}: {}",
                    case.kind,
                    msg.chars().take(160).collect::<String>()
                );
            }
            Ok(false)
        }
        Ok(Ok(())) => {
            let text = String::from_utf8(out).map_err(|_| "output is not UTF-8".to_owned())?;
            if !table {
                serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| format!("output is not JSON ({e}): {text:.400}"))?;
            }
            let input = String::from_utf8_lossy(&case.input).to_lowercase();
            for bad in ["NaN", "inf"] {
                // Codes and column names are echoed; only flag a token the
                // input did not contain.
                if !input.contains(&bad.to_lowercase()) && text.contains(bad) {
                    return Err(format!("output contains {bad}: {text:.400}"));
                }
            }
            Ok(true)
        }
    }
}

const WORKER: &str = "fuzz-worker";

/// A panic on a fuzz worker is caught and reported once, with its seed, by
/// the driver; the default hook still prints every other panic.
fn quiet_workers() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(WORKER) {
                default(info);
            }
        }));
    });
}

fn fuzz(target: &'static str) {
    let cases = env_u64("FUZZ_CASES").unwrap_or(3_000);
    let base = env_u64("FUZZ_SEED").unwrap_or(0x5EED_1305);
    let only = env_u64("FUZZ_ONE");
    let start = Instant::now();
    quiet_workers();
    let (progress, watch) = mpsc::channel::<Option<u64>>();
    let worker = std::thread::Builder::new().name(WORKER.into()).spawn(move || -> Result<Tally, String> {
        let mut tally = Tally::default();
        let seeds: Box<dyn Iterator<Item = u64>> = match only {
            Some(s) => Box::new(std::iter::once(s)),
            None => Box::new((0..cases).map(|i| case_seed(base, i))),
        };
        for seed in seeds {
            let _ = progress.send(Some(seed));
            let case = make_case(target, seed);
            match check(&case) {
                Ok(true) => tally.ok += 1,
                Ok(false) => tally.input_errors += 1,
                Err(why) => {
                    let shown = String::from_utf8_lossy(&case.input);
                    return Err(format!(
                        "{target}: case seed {seed} ({}) failed: {why}\n\
                         replay: FUZZ_ONE={seed} cargo test -p analyze --test fuzz_readers {target}\n\
                         args: {:?}\ninput ({} bytes): {:?}",
                        case.kind,
                        case.args,
                        case.input.len(),
                        &shown.chars().take(2000).collect::<String>()
                    ));
                }
            }
        }
        let _ = progress.send(None);
        Ok(tally)
    })
    .expect("spawn the fuzz worker");
    // The watchdog: every case must report within HANG.
    let mut current = None;
    loop {
        match watch.recv_timeout(HANG) {
            Ok(Some(seed)) => current = Some(seed),
            Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!(
                    "{target}: case seed {current:?} ran longer than {HANG:?} (hang); \
                     replay with FUZZ_ONE=<seed>"
                );
            }
        }
    }
    let tally = match worker.join() {
        Ok(Ok(t)) => t,
        Ok(Err(why)) => panic!("{why}"),
        Err(_) => panic!("{target}: the fuzz driver itself panicked"),
    };
    let n = tally.ok + tally.input_errors;
    println!(
        "{}",
        serde_json::json!({
            "target": format!("analyze {target}"),
            "cases": n,
            "ok": tally.ok,
            "input_errors": tally.input_errors,
            "crashes": 0,
            "seed": base,
            "seconds": (start.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        })
    );
}

#[test]
fn lag() {
    fuzz("lag");
}

#[test]
fn apim() {
    fuzz("apim");
}
