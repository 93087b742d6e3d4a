//! The access log over real HTTP, on both engines (SECURITY.md D5): when a
//! partner opens the ledger or a revealed round holding the other's shared
//! words, the owner's log gets a line (once a day), readable by the owner
//! alone, as JSON and on the page `/account/views`.

use crate::common;

use crate::common::{DbEngine, TestApp};
use serde_json::{json, Value};

async fn lines(p: &common::Person) -> Vec<Value> {
    let response = p.get("/api/v1/me/access-log").await;
    assert_eq!(response.status(), 200);
    response
        .json::<Value>()
        .await
        .expect("json")
        .as_array()
        .expect("list")
        .clone()
}

async fn a_partner_reading_shared_words_shows_in_the_owners_log_only(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada, bo, bo_id, r, ..
    } = app.couple().await;
    assert!(lines(&ada).await.is_empty(), "nobody looked yet");
    // Ada reading her own entry logs nothing.
    let logged = ada
        .post_json(
            &format!("{r}/contributions"),
            &json!({"domain": "planning", "description": "Booked the trip", "effort": 3}),
        )
        .await;
    assert_eq!(logged.status(), 201);
    assert_eq!(ada.get(&format!("{r}/contributions")).await.status(), 200);
    assert!(
        lines(&ada).await.is_empty(),
        "the owner's own reads are not logged"
    );

    // Bo reads the ledger twice: one line, his.
    for _ in 0..2 {
        assert_eq!(bo.get(&format!("{r}/contributions")).await.status(), 200);
    }
    let log = lines(&ada).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["viewer_id"], bo_id.as_str());
    assert_eq!(log[0]["viewer_name"], "Bo");
    assert_eq!(log[0]["item"], "ledger");
    // Bo's own log is empty, and says nothing of Ada's.
    assert!(lines(&bo).await.is_empty());

    // The page shows it, in words.
    let page = ada.get("/account/views").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Bo") && html.contains("your ledger entries"),
        "{html}"
    );
    let theirs = bo.get("/account/views").await.text().await.expect("html");
    assert!(theirs.contains("Nobody has looked"), "{theirs}");
}

on_both_engines!(a_partner_reading_shared_words_shows_in_the_owners_log_only);
