//! Issue 16: the check-ins' dyadic export feeds `reciprocity analyze apim`
//! unchanged. The real server on a fresh SQLite file; two partners share a
//! weekly check-in for twelve weeks; the CSV they download goes straight
//! into the real binary, which must read every week as a dyad.

mod support;

use serde_json::{json, Value};
use support::{binary, couple, Server};

const KEYS: [&str; 10] = [
    "satisfaction",
    "rewards",
    "costs",
    "investment",
    "alternatives",
    "commitment",
    "passion",
    "love_given",
    "love_received",
    "respected",
];

#[tokio::test]
async fn the_dyadic_export_runs_through_analyze_apim() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("checkins.db").display());
    let mut server = Server::start(&url).await;
    let c = couple(&server.base(), "apim").await;
    let today = chrono::Utc::now().date_naive();
    for week in 0..12_i64 {
        let on = (today - chrono::Duration::days(7 * week)).to_string();
        for (person, shift) in [(&c.ada, 0), (&c.bo, 1)] {
            let mut body = json!({"on": on, "share": true});
            for (i, key) in KEYS.iter().enumerate() {
                // Varied, bounded answers: 0..=8.
                let v = (week * 3 + i64::try_from(i).expect("i") * 5 + shift * 2) % 9;
                body[*key] = json!(v);
            }
            person
                .expect(&format!("{}/checkins", c.r), &body, 201)
                .await;
        }
    }
    // One private check-in of Ada's: never in the export.
    let mut private =
        json!({"on": (today - chrono::Duration::days(100)).to_string(), "share": false});
    for key in KEYS {
        private[key] = json!(8);
    }
    c.ada
        .expect(&format!("{}/checkins", c.r), &private, 201)
        .await;

    let response =
        c.bo.client
            .get(format!("{}{}/checkins/export.csv", server.base(), c.r))
            .send()
            .await
            .expect("export");
    assert_eq!(response.status(), 200);
    let csv = response.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 24, "a header and two rows per shared week");
    assert!(
        lines[0].starts_with("dyad,person,satisfaction_A,"),
        "{}",
        lines[0]
    );
    server.stop();

    let path = dir.path().join("checkins.csv");
    std::fs::write(&path, &csv).expect("write");
    let out = binary()
        .args([
            "analyze",
            "apim",
            "--dyad",
            "dyad",
            "--x",
            "love_received_A",
            "--y",
            "satisfaction_A",
        ])
        .arg("--distinguish")
        .arg("person")
        .arg("--input")
        .arg(&path)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["model"], "distinguishable");
    assert_eq!(v["n_dyads"], 12);
}
