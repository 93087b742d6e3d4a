//! `reciprocity admin reset-password` as an operator runs it. (That a link
//! it makes works once and only for its account is proven over HTTP in the
//! web crate's `account_control` tests, through the same domain call.)

use std::process::Command;

fn binary() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("reciprocity"))
}

#[test]
fn an_unknown_address_gets_no_link_and_a_plain_error() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    let out = binary()
        .args([
            "admin",
            "reset-password",
            "nobody@example.org",
            "--database",
            &url,
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no link printed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no account has the address nobody@example.org"),
        "{err}"
    );
}

#[test]
fn the_command_takes_no_password() {
    let out = binary()
        .args(["admin", "reset-password", "--help"])
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("EMAIL") && help.contains("--public-url"),
        "{help}"
    );
    assert!(
        !help.to_lowercase().contains("--password"),
        "the operator never chooses it"
    );
}
