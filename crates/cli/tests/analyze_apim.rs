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

#[test]
fn table_format_reads_in_a_terminal() {
    let out = run(&["--format", "table"], csv(false))
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf8");
    assert!(
        text.contains("actor") && text.contains("partial ICC"),
        "{text}"
    );
    assert!(!text.contains("NaN"));
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
