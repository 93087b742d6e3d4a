//! End to end: `reciprocity analyze lag` on files written by the test.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;

/// O'Connor (1999) Appendix A, first 33 events (a published sequence used
/// here only as realistic input); the statistics are checked against a table
/// counted by hand in the test, not against printed outputs.
const EVENTS: [u32; 33] = [
    2, 5, 2, 4, 2, 5, 2, 4, 2, 4, 2, 2, 5, 2, 4, 2, 5, 3, 4, 3, 4, 1, 4, 4, 1, 2, 5, 2, 1, 5, 4, 2,
    5,
];

fn write_csv(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    let mut f = std::fs::File::create(&path).expect("create");
    f.write_all(text.as_bytes()).expect("write");
    path
}

fn events_csv() -> String {
    let mut s = String::from("sequence,code\n");
    for e in EVENTS {
        s.push_str(&format!("s1,{e}\n"));
    }
    s
}

fn reciprocity() -> Command {
    Command::cargo_bin("reciprocity").expect("binary")
}

fn pair<'a>(v: &'a Value, g: &str, t: &str) -> &'a Value {
    v["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .find(|p| p["given"] == g && p["target"] == t)
        .expect("pair")
}

#[test]
fn json_has_the_contract_fields_and_hand_checked_values() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = write_csv(&dir, "events.csv", &events_csv());
    let out = reciprocity()
        .args(["analyze", "lag", "--format", "json", "--input"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    for field in ["lag", "n", "codes", "g2", "g2_df", "pairs"] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["lag"], 1);
    assert_eq!(v["n"], 32);
    assert_eq!(v["codes"], serde_json::json!(["1", "2", "3", "4", "5"]));
    assert_eq!(v["pairs"].as_array().expect("pairs").len(), 25);
    for field in [
        "given",
        "target",
        "count",
        "expected",
        "transitional_probability",
        "adjusted_residual",
        "p_value",
        "yules_q",
        "wampold_kappa",
    ] {
        assert!(v["pairs"][0].get(field).is_some(), "pair missing {field}");
    }
    // Hand count over the 33 events: code 2 is followed by 5 six times,
    // 2 occurs 12 times as given (R_2 = 12, the last event is not a given)
    // and 5 is a target 7 times (C_5 = 7).
    let p25 = pair(&v, "2", "5");
    let expected = 12.0 * 7.0 / 32.0;
    assert_eq!(p25["count"], 6);
    assert!((p25["expected"].as_f64().expect("E") - expected).abs() < 1e-12);
    assert!((p25["transitional_probability"].as_f64().expect("P") - 0.5).abs() < 1e-12);
    let z = (6.0 - expected) / (expected * (1.0 - 12.0 / 32.0) * (1.0 - 7.0 / 32.0)).sqrt();
    assert!((p25["adjusted_residual"].as_f64().expect("z") - z).abs() < 1e-9);
    // 1 never follows 1 and 1 is rare: a = 0, so Q is exactly −1.
    assert_eq!(pair(&v, "1", "1")["yules_q"], -1.0);
}

#[test]
fn table_format_is_aligned_and_uses_a_dash_for_undefined() {
    let dir = tempfile::tempdir().expect("tmp");
    // Code c occurs only last, so its row is undefined.
    let path = write_csv(
        &dir,
        "t.csv",
        "sequence,code\n1,a\n1,b\n1,a\n1,a\n1,b\n1,c\n",
    );
    let out = reciprocity()
        .args(["analyze", "lag", "--format", "table", "--input"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf8");
    assert!(text.contains("G²"), "{text}");
    assert!(!text.contains("NaN"));
    let c_row = text
        .lines()
        .find(|l| l.starts_with("c "))
        .expect("row for c");
    assert!(c_row.contains('–'), "{c_row}");
    let header = text
        .lines()
        .find(|l| l.starts_with("Given"))
        .expect("header");
    let widths: Vec<usize> = text
        .lines()
        .skip_while(|l| !l.starts_with("Given"))
        .take(10)
        .map(|l| l.chars().count())
        .collect();
    assert!(
        widths.iter().all(|w| *w == header.chars().count()),
        "{widths:?}\n{text}"
    );
}

#[test]
fn stdin_lag_two_and_sequences_never_join() {
    // Lag 2 within "x" gives a→a once; across the boundary nothing.
    let csv = "sequence,code\nx,a\nx,b\nx,a\ny,b\ny,a\n";
    let out = reciprocity()
        .args(["analyze", "lag", "--lag", "2", "--input", "-"])
        .write_stdin(csv)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["lag"], 2);
    assert_eq!(v["n"], 1);
    assert_eq!(pair(&v, "a", "a")["count"], 1);
}

#[test]
fn bad_input_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let cases = [
        ("sequence,kode\n1,a\n", "line 1: missing column \"code\""),
        ("sequence,code\n1,a\n1,\n", "line 3: empty code"),
        (
            "sequence,code\n1,a\n2,b\n1,c\n",
            "line 4: sequence \"1\" starts again",
        ),
        // Extra fields would silently shift a value into the wrong column.
        (
            "sequence,code\n1,a\n1,b,extra\n",
            "line 3: 3 fields, but the header names 2 columns",
        ),
        (
            "sequence,code,Code\n1,a,b\n",
            "line 1: the column \"Code\" is named twice",
        ),
        (
            "sequence,code\n1,a\n1,\u{0}\u{1}\n",
            "line 3: this is not a CSV text file",
        ),
    ];
    for (i, (csv, msg)) in cases.iter().enumerate() {
        let path = write_csv(&dir, &format!("bad{i}.csv"), csv);
        let assert = reciprocity()
            .args(["analyze", "lag", "--input"])
            .arg(&path)
            .assert()
            .code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
        assert!(stderr.contains(msg), "{stderr}");
        assert!(!stderr.contains("panicked"));
    }
    let mut many = String::from("sequence,code\n");
    for i in 0..1001 {
        many.push_str(&format!("s,c{i}\n"));
    }
    let path = write_csv(&dir, "many.csv", &many);
    let assert = reciprocity()
        .args(["analyze", "lag", "--input"])
        .arg(&path)
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("line 1002: more than 1000 distinct codes"),
        "{stderr}"
    );
    reciprocity()
        .args(["analyze", "lag", "--input"])
        .arg(dir.path().join("absent.csv"))
        .assert()
        .code(2);
}

#[test]
fn no_repeat_uses_structural_zeros_and_permutations_are_reproducible() {
    let dir = tempfile::tempdir().expect("tmp");
    // Drop immediate repeats from the published events to satisfy the rule.
    let mut csv = String::from("sequence,code\n");
    let mut last = 0;
    for e in EVENTS.iter().chain(EVENTS.iter().rev()) {
        if *e != last {
            csv.push_str(&format!("s,{e}\n"));
            last = *e;
        }
    }
    let path = write_csv(&dir, "nr.csv", &csv);
    let run = |seed: &str| -> Value {
        let out = reciprocity()
            .args([
                "analyze",
                "lag",
                "--no-repeat",
                "--permutations",
                "200",
                "--seed",
                seed,
                "--input",
            ])
            .arg(&path)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("json")
    };
    let a = run("7");
    let b = run("7");
    assert_eq!(a, b);
    assert_eq!(a["structural_zeros"], 5);
    assert_eq!(a["g2_df"], 16 - 5); // (K−1)² − s with K = 5
    let d = pair(&a, "2", "2");
    assert_eq!(d["structural_zero"], true);
    assert_eq!(d["expected"], 0.0);
    assert!(d["adjusted_residual"].is_null());
    let p = pair(&a, "2", "5")["permutation_p"]
        .as_f64()
        .expect("perm p");
    assert!(p > 0.0 && p <= 1.0);
    // A repeat under --no-repeat is bad input.
    let bad = write_csv(&dir, "rep.csv", "sequence,code\ns,1\ns,1\n");
    reciprocity()
        .args(["analyze", "lag", "--no-repeat", "--input"])
        .arg(&bad)
        .assert()
        .code(2);
}

/// A conversation of strictly alternating turns (H, W, H, …) whose
/// valences are drawn independently (a fixed linear congruential
/// generator): there is no reciprocity to find.
fn turn_taking_csv() -> String {
    let mut state: u64 = 7;
    let mut csv = String::from("sequence,actor,code\n");
    for conv in 0..40 {
        for turn in 0..50 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let valence = [
                "neg", "neg", "neg", "neu", "neu", "neu", "neu", "pos", "pos", "pos",
            ][((state >> 33) % 10) as usize];
            let actor = if turn % 2 == 0 { "H" } else { "W" };
            csv.push_str(&format!("{conv},{actor},{valence}\n"));
        }
    }
    csv
}

fn json_of(args: &[&str], path: &std::path::Path) -> Value {
    let out = reciprocity()
        .args(["analyze", "lag", "--input"])
        .arg(path)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("json")
}

#[test]
fn alternating_turns_are_structural_zeros_and_a_warning_suggests_them() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = write_csv(&dir, "turns.csv", &turn_taking_csv());

    let naive = json_of(&["--actor-codes"], &path);
    let z = pair(&naive, "H:neg", "W:neg")["adjusted_residual"]
        .as_f64()
        .expect("z");
    assert!(z > 4.0, "turn-taking read as reciprocity: z = {z}");
    let warnings = naive["warnings"].as_array().expect("warnings");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().expect("text").contains("--alternating")),
        "{warnings:?}"
    );

    let model = json_of(&["--actor-codes", "--alternating"], &path);
    let cell = pair(&model, "H:neg", "W:neg");
    let z = cell["adjusted_residual"].as_f64().expect("z");
    assert!(z.abs() < 2.0, "quasi-independence: z = {z}");
    assert_eq!(cell["wampold_kappa_z"], cell["adjusted_residual"]);
    assert_eq!(model["g2_df"], 8, "two free 3×3 blocks");
    assert_eq!(model["alternating"], true);
    let same = pair(&model, "H:neg", "H:pos");
    assert_eq!(same["structural_zero"], true);
    assert!(same["adjusted_residual"].is_null() && same["yules_q"].is_null());
    assert!(model["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .all(|w| !w.as_str().expect("text").contains("--alternating")));
}

#[test]
fn coding_rules_refuse_data_that_break_them_naming_the_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let twice = write_csv(
        &dir,
        "twice.csv",
        "sequence,actor,code\n1,H,neg\n1,W,pos\n1,W,neg\n",
    );
    let cases: [(&[&str], &std::path::Path, &str); 4] = [
        (
            &["--actor-codes", "--alternating"],
            &twice,
            "line 4: \"W\" speaks twice in a row in sequence \"1\"",
        ),
        (
            &["--alternating"],
            &twice,
            "--alternating needs --actor-codes",
        ),
        (
            &["--actor-codes", "--impossible", "W:pos,W:neg"],
            &twice,
            "line 4: \"W:neg\" follows \"W:pos\" at lag 1",
        ),
        (
            &["--impossible", "neg"],
            &twice,
            "--impossible \"neg\": expected GIVEN,TARGET",
        ),
    ];
    for (args, path, msg) in cases {
        let assert = reciprocity()
            .args(["analyze", "lag", "--input"])
            .arg(path)
            .args(args)
            .assert()
            .code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
        assert!(stderr.contains(msg), "{args:?}: {stderr}");
    }
}

#[test]
fn paper_statistics_adjustment_and_the_journal_table() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = write_csv(&dir, "events.csv", &events_csv());
    let plain = json_of(&[], &path);
    let holm = json_of(&["--adjust", "holm"], &path);
    let bonf = json_of(&["--adjust", "bonferroni", "--impossible", "1,9"], &path);
    assert_eq!(holm["adjust"], "holm");
    assert!(plain["pairs"][0]["p_adjusted"].is_null());
    let defined: Vec<&Value> = bonf["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .filter(|p| !p["p_value"].is_null())
        .collect();
    let m = defined.len() as f64;
    for p in &defined {
        let raw = p["p_value"].as_f64().expect("p");
        let adj = p["p_adjusted"].as_f64().expect("adjusted");
        assert!((adj - (raw * m).min(1.0)).abs() < 1e-12);
    }
    for p in holm["pairs"].as_array().expect("pairs") {
        if let (Some(raw), Some(adj)) = (p["p_value"].as_f64(), p["p_adjusted"].as_f64()) {
            assert!(adj >= raw && adj <= 1.0);
        }
    }
    // An --impossible code that never occurs changes nothing but is named.
    assert!(
        bonf["warnings"].to_string().contains("\\\"9\\\""),
        "{}",
        bonf["warnings"]
    );
    for field in ["x2", "x2_p", "base_rates", "note", "warnings"] {
        assert!(plain.get(field).is_some(), "missing {field}");
    }
    let cell = pair(&plain, "2", "5");
    for field in [
        "log_odds_ratio",
        "log_odds_se",
        "log_odds_ci_low",
        "log_odds_ci_high",
        "target_base_rate",
        "small_expected",
    ] {
        assert!(cell.get(field).is_some(), "missing {field}");
    }
    let lo = cell["log_odds_ratio"].as_f64().expect("ln OR");
    let se = cell["log_odds_se"].as_f64().expect("se");
    let low = cell["log_odds_ci_low"].as_f64().expect("low");
    assert!((low - (lo - 1.959_963_984_540_054 * se)).abs() < 1e-9);
    assert!(plain["note"].as_str().expect("note").contains("two-sided"));

    let out = reciprocity()
        .args([
            "analyze", "lag", "--format", "table", "--adjust", "holm", "--input",
        ])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf8");
    for want in [
        "Table 1. Lag-1 transitions",
        "X²(",
        "p adj.",
        "95% CI",
        "Note. ",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}
