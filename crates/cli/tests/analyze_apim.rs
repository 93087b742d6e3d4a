//! End to end: `reciprocity analyze apim` on a file written by the test.
//! The statistics themselves are tested against Kenny's published Acitelli
//! output in `crates/analytics/tests/apim_acitelli.rs`; here the data are
//! generated exactly from known effects so the CLI must return them.

use assert_cmd::Command;
use serde_json::Value;

/// Ten couples with Y = 2 + 0.6·X_own + 0.3·X_partner + a small
/// dyad-specific wobble, so the fit is not exact but the signs are known.
fn csv(with_missing: bool) -> String {
    let mut s = String::from("couple,role,x,y\n");
    for i in 0..10 {
        let (xa, xb) = (1.0 + f64::from(i) * 0.7, 4.0 - f64::from(i % 4) * 0.9);
        let wobble = if i % 2 == 0 { 0.05 } else { -0.05 };
        let ya = 2.0 + 0.6 * xa + 0.3 * xb + wobble;
        let yb = 2.0 + 0.6 * xb + 0.3 * xa - wobble * 0.5;
        s.push_str(&format!("c{i},wife,{xa},{ya}\n"));
        if with_missing && i == 4 {
            continue;
        }
        s.push_str(&format!("c{i},husband,{xb},{yb}\n"));
    }
    s
}

fn run(args: &[&str], input: String) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("dyads.csv");
    std::fs::write(&path, input).expect("write");
    Command::cargo_bin("reciprocity")
        .expect("binary")
        .args([
            "analyze", "apim", "--dyad", "couple", "--x", "x", "--y", "y", "--input",
        ])
        .arg(&path)
        .args(args)
        .assert()
}

#[test]
fn indistinguishable_json_has_the_contract_fields() {
    let out = run(&[], csv(false)).success().get_output().stdout.clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["model"], "indistinguishable");
    assert_eq!(v["n_dyads"], 10);
    let effects = v["effects"].as_array().expect("effects");
    let terms: Vec<&str> = effects
        .iter()
        .map(|e| e["term"].as_str().expect("term"))
        .collect();
    assert_eq!(terms, ["intercept", "actor", "partner"]);
    for e in effects {
        assert!(e["role"].is_null());
        for f in ["estimate", "se", "df", "t", "p"] {
            assert!(e[f].is_number(), "{f} in {e}");
        }
    }
    assert!((effects[1]["estimate"].as_f64().expect("a") - 0.6).abs() < 0.05);
    assert!((effects[2]["estimate"].as_f64().expect("p") - 0.3).abs() < 0.05);
    for f in ["residual_variance", "dyad_covariance", "partial_icc"] {
        assert!(v.get(f).is_some(), "{f}");
    }
    assert!(v.get("distinguishability_test").is_none());
}

#[test]
fn distinguishable_reports_roles_and_the_test() {
    let out = run(&["--distinguish", "role"], csv(false))
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["model"], "distinguishable");
    let roles: Vec<&str> = v["effects"]
        .as_array()
        .expect("effects")
        .iter()
        .map(|e| e["role"].as_str().expect("role"))
        .collect();
    assert_eq!(
        roles,
        ["wife", "wife", "wife", "husband", "husband", "husband"]
    );
    let t = &v["distinguishability_test"];
    assert_eq!(t["df"], 4);
    assert!(t["chi2"].as_f64().expect("chi2") >= 0.0);
    let p = t["p"].as_f64().expect("p");
    assert!((0.0..=1.0).contains(&p));
}

/// The table reads like a journal table: a numbered title with the model
/// and N, the effects with b, SE, 95% CI, t, df and p, then variance
/// components, tests, fit indices and a note on the methods.
#[test]
fn table_format_reads_like_a_journal_table() {
    let out = run(&["--format", "table"], csv(false))
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Table 1. Actor–partner interdependence model (REML), indistinguishable dyads, N = 10 dyads",
        "{text}"
    );
    assert_eq!(lines[1], "(10 complete; 20 of 20 rows used)");
    let header: Vec<&str> = lines[3].split_whitespace().collect();
    assert_eq!(
        header,
        ["Effect", "Role", "b", "SE", "95%", "CI", "t", "df", "p"]
    );
    for (line, effect) in lines[4..7].iter().zip(["Intercept", "Actor", "Partner"]) {
        assert!(line.starts_with(effect), "{line}");
        assert!(line.contains('[') && line.contains(']'), "a CI: {line}");
    }
    for expected in [
        "Variance components",
        "  Residual variance",
        "  Dyad covariance",
        "  Partial ICC",
        "Tests",
        "  Actor = partner: difference",
        "  k = partner / actor:",
        "  Nonindependence (residual dyad covariance = 0, REML LR): χ²(1) =",
        "Fit: REML log-likelihood",
        "Descriptives of the rows used",
        "Note. b = unstandardized estimate; REML (closed form",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(expected)),
            "missing {expected:?} in\n{text}"
        );
    }
    assert!(text.contains("Satterthwaite"));
    assert!(!text.contains("NaN"));

    let out = run(&["--format", "table", "--distinguish", "role"], csv(false))
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf8");
    for expected in [
        "distinguishable dyads, N = 10 dyads",
        "Residual variance, wife",
        "Residual variance, husband",
        "Actor = partner (wife)",
        "Actor equal across roles",
        "Distinguishability (against indistinguishable, ML LR): χ²(4) =",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

/// Incomplete dyads are fitted (API.md): a member's missing Y drops that
/// row only, a missing member drops the dyad (the partner effect needs the
/// partner's X), and the warnings say so, in JSON and on stderr with the
/// table.
#[test]
fn incomplete_dyads_are_accepted_with_a_warning() {
    let mut data = csv(false);
    // c4's husband has no Y: his row goes, his wife's stays.
    let line = data.lines().nth(10).expect("c4 husband").to_owned();
    assert!(line.starts_with("c4,husband"), "{line}");
    let mut fields: Vec<&str> = line.split(',').collect();
    fields[3] = "NA";
    data = data.replacen(&line, &fields.join(","), 1);
    // c7's husband is absent: c7 has no usable row.
    let c7 = data.lines().nth(16).expect("c7 husband").to_owned();
    data = data.replacen(&format!("{c7}\n"), "", 1);
    let out = run(&[], data.clone()).success().get_output().stdout.clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["n_dyads"], 9, "{v}");
    assert_eq!(v["n_complete_dyads"], 8);
    assert_eq!(v["n_rows_read"], 19);
    assert_eq!(v["n_rows_used"], 17);
    let warnings: Vec<&str> = v["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w.as_str().expect("text"))
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("2 of 19 rows were left out")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("1 of the 10 dyad ids")),
        "{warnings:?}"
    );
    assert!(v["estimation"].as_str().expect("text").contains("Newton"));

    let assert = run(&["--format", "table"], data).success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("warning: 2 of 19 rows were left out"),
        "{stderr}"
    );
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).expect("utf8");
    assert!(stdout.contains("Warning. 2 of 19 rows"), "{stdout}");
}

/// The JSON keeps every field it had and carries the new ones, with a
/// warnings list even when there is nothing to say.
#[test]
fn json_carries_intervals_k_tests_fit_and_descriptives() {
    let out = run(&[], csv(false)).success().get_output().stdout.clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["warnings"], serde_json::json!([]));
    for e in v["effects"].as_array().expect("effects") {
        let (low, high) = (
            e["ci_low"].as_f64().expect("ci_low"),
            e["ci_high"].as_f64().expect("ci_high"),
        );
        let b = e["estimate"].as_f64().expect("b");
        assert!(low < b && b < high, "{e}");
    }
    assert!(v["k"][0]["k"].is_number(), "{}", v["k"]);
    assert!(v["tests"]["actor_equals_partner"][0]["t"].is_number());
    assert_eq!(v["tests"]["nonindependence"]["df"], 1);
    for f in ["aic", "bic", "reml_log_likelihood", "ml_deviance"] {
        assert!(v[f].is_number(), "{f}");
    }
    assert_eq!(v["descriptives"][0]["n_rows"], 20);
    assert!(v["descriptives"][0]["x"]["mean"].is_number());
    assert_eq!(v["n_rows_used"], 20);
}

/// `--covariate COL` (repeatable) adds each column's effect; a covariate
/// that is missing from the header, or is already the x, y, dyad or role
/// column, is refused.
#[test]
fn covariates_add_their_effects() {
    let mut data = String::from("couple,role,x,y,age,years\n");
    for (i, line) in csv(false).lines().skip(1).enumerate() {
        let age = 20 + (i * 7) % 23;
        let years = 1 + (i * 5) % 9;
        data.push_str(&format!("{line},{age},{years}\n"));
    }
    let out = run(
        &["--covariate", "age", "--covariate", "years"],
        data.clone(),
    )
    .success()
    .get_output()
    .stdout
    .clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    let names: Vec<(&str, &str)> = v["effects"]
        .as_array()
        .expect("effects")
        .iter()
        .map(|e| {
            (
                e["term"].as_str().expect("term"),
                e["name"].as_str().expect("name"),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("intercept", "intercept"),
            ("actor", "actor"),
            ("partner", "partner"),
            ("covariate", "age"),
            ("covariate", "years")
        ]
    );
    assert_eq!(v["covariates"], serde_json::json!(["age", "years"]));
    assert_eq!(v["descriptives"][0]["covariates"][1]["name"], "years");

    let out = run(
        &["--covariate", "age", "--distinguish", "role"],
        data.clone(),
    )
    .success()
    .get_output()
    .stdout
    .clone();
    let v: Value = serde_json::from_slice(&out).expect("json");
    let age_roles: Vec<&str> = v["effects"]
        .as_array()
        .expect("effects")
        .iter()
        .filter(|e| e["name"] == "age")
        .map(|e| e["role"].as_str().expect("role"))
        .collect();
    assert_eq!(age_roles, ["wife", "husband"]);

    for (flag, reason) in [
        ("nope", "no column \"nope\" (given by --covariate)"),
        ("x", "--covariate x: the column is already --x"),
    ] {
        let assert = run(&["--covariate", flag], data.clone()).code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
        assert!(stderr.contains(reason), "{stderr}");
    }
}

/// Rows in any order give the same fit as rows in dyad order.
#[test]
fn shuffled_rows_give_the_same_numbers() {
    let sorted = csv(false);
    let mut lines: Vec<&str> = sorted.lines().collect();
    let header = lines.remove(0);
    let n = lines.len();
    let shuffled: Vec<&str> = (0..n).map(|i| lines[(i * 7 + 3) % n]).collect();
    let shuffled = format!("{header}\n{}\n", shuffled.join("\n"));
    let fit = |input: String| -> Value {
        serde_json::from_slice(&run(&[], input).success().get_output().stdout).expect("json")
    };
    let (a, b) = (fit(sorted), fit(shuffled));
    assert_eq!(a["n_dyads"], b["n_dyads"]);
    for (x, y) in a["effects"]
        .as_array()
        .expect("effects")
        .iter()
        .zip(b["effects"].as_array().expect("effects"))
    {
        for f in ["estimate", "se", "df", "p"] {
            let (x, y) = (x[f].as_f64().expect(f), y[f].as_f64().expect(f));
            assert!((x - y).abs() <= 1e-9 * (1.0 + x.abs()), "{f}: {x} vs {y}");
        }
    }
}

/// Rows are grouped as they stream past; a row for a dyad that already
/// has two is refused, naming every line of that dyad (the file is read
/// again for the earlier lines, which are not kept while streaming).
#[test]
fn a_third_row_for_a_closed_dyad_is_refused_naming_its_lines() {
    let mut three = csv(false);
    three.push_str("c2,wife,1,2\n");
    let assert = run(&[], three).code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("more than two rows") && stderr.contains("c2 (lines 6, 7, 22)"),
        "{stderr}"
    );
}

#[test]
fn a_non_number_exits_2_naming_the_line() {
    let mut bad = csv(false);
    bad.push_str("c99,wife,oops,1\n");
    let assert = run(&[], bad).code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("line 22") && stderr.contains("\"oops\" is not a number"),
        "{stderr}"
    );
}

/// A decimal comma left unquoted gives a row one field too many: refused,
/// naming its line, where the extra field used to be dropped and the value
/// shifted silently. A column named twice and binary input are refused too.
#[test]
fn rows_wider_than_the_header_names_twice_and_binary_input_are_refused() {
    let mut wide = csv(false);
    wide.push_str("c99,wife,3,5,2\n");
    let assert = run(&[], wide).code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("line 22: 5 fields, but the header names 4 columns")
            && stderr.contains("decimal comma"),
        "{stderr}"
    );

    let twice = csv(false).replacen("couple,role,x,y", "couple,role,x,x", 1);
    let assert = run(&[], twice).code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("the column \"x\" is named twice"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("data.xlsx");
    std::fs::write(&path, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\xff\xfe").expect("write");
    let assert = Command::cargo_bin("reciprocity")
        .expect("binary")
        .args([
            "analyze", "apim", "--dyad", "couple", "--x", "x", "--y", "y", "--input",
        ])
        .arg(&path)
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(stderr.contains("not a CSV text file"), "{stderr}");
    assert!(
        !stderr.contains('\u{fffd}'),
        "no raw bytes echoed: {stderr}"
    );
}

/// Read from standard input, the earlier lines of a dyad cannot be looked
/// up again: the message gives the extra row's line and says so.
#[test]
fn a_third_row_on_standard_input_names_its_line() {
    let mut three = csv(false);
    three.push_str("c2,wife,1,2\n");
    let assert = Command::cargo_bin("reciprocity")
        .expect("binary")
        .args([
            "analyze", "apim", "--dyad", "couple", "--x", "x", "--y", "y", "--input", "-",
        ])
        .write_stdin(three)
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("c2 (line 22)") && stderr.contains("first two rows came earlier"),
        "{stderr}"
    );
}

/// A row narrower than the header, and a column the flags name but the
/// header lacks, are refused naming the line.
#[test]
fn narrow_rows_and_missing_columns_are_refused() {
    let mut narrow = csv(false);
    narrow.push_str("c99,wife,3\n");
    let assert = run(&[], narrow).code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("line 22: 3 fields, but the header names 4 columns"),
        "{stderr}"
    );
    let assert = run(&["--distinguish", "gender"], csv(false)).code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
    assert!(
        stderr.contains("line 1: no column \"gender\" (given by --distinguish)"),
        "{stderr}"
    );
}

/// Data no model can be fitted to is refused with what is wrong (exit 2),
/// where it used to print estimates with null standard errors and exit 0.
#[test]
fn degenerate_data_is_refused_with_the_reason() {
    let rows = |f: &dyn Fn(u32) -> (String, String)| {
        let mut s = String::from("couple,role,x,y\n");
        for i in 1..=20 {
            for (role, bump) in [("wife", 0), ("husband", 1)] {
                let (x, y) = f(i + bump);
                s.push_str(&format!("c{i},{role},{x},{y}\n"));
            }
        }
        s
    };
    let cases: [(String, &str); 4] = [
        (
            rows(&|i| (i.to_string(), "5".into())),
            "column \"y\" (--y) has the same value in every row",
        ),
        (
            rows(&|i| ("3".into(), i.to_string())),
            "column \"x\" (--x) has the same value in every row",
        ),
        (
            rows(&|i| (i.to_string(), i.to_string())),
            "are equal in every row",
        ),
        (
            rows(&|i| {
                (
                    if i == 7 {
                        "1e300".into()
                    } else {
                        i.to_string()
                    },
                    (i % 5).to_string(),
                )
            }),
            "too large to compute with",
        ),
    ];
    for (input, reason) in cases {
        let assert = run(&[], input).code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf8");
        assert!(stderr.contains(reason), "{reason}: {stderr}");
    }
}
