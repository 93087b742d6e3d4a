//! The ledger over real HTTP, on both engines.

use crate::common;

use crate::common::{error_of, DbEngine, Person, TestApp};
use serde_json::{json, Value};

async fn log(p: &Person, r: &str, body: Value) -> Value {
    let response = p.post_json(&format!("{r}/contributions"), &body).await;
    assert_eq!(response.status(), 201, "{body}");
    response.json().await.expect("json")
}

async fn balance(p: &Person, r: &str) -> Value {
    let response = p.get(&format!("{r}/balance")).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn logging_thanking_and_a_balance_shown_only_when_both_opt_in(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        ada_id,
        bo,
        bo_id,
        r,
    } = app.couple().await;

    let dishes = log(&ada, &r, json!({"domain": "household_labor", "description": "Did the dishes", "effort": 3, "minutes": 25})).await;
    assert_eq!(
        (dishes["giver_id"].as_str(), dishes["receiver_id"].as_str()),
        (Some(ada_id.as_str()), Some(bo_id.as_str()))
    );
    assert_eq!(dishes["acknowledged"], false);
    log(&ada, &r, json!({"domain": "emotional_support", "description": "Called your mum with you", "effort": 2})).await;
    // Ada logs what Bo did for her: thanked at once, with what it meant.
    let taxes = log(
        &ada,
        &r,
        json!({"domain": "planning", "description": "Sorted our taxes", "effort": 4,
        "for_partner": true, "value": 5, "note": "Such a relief"}),
    )
    .await;
    assert_eq!(
        (taxes["giver_id"].as_str(), taxes["acknowledged"].as_bool()),
        (Some(bo_id.as_str()), Some(true))
    );

    // Bo sees two things waiting for thanks, and thanks the dishes.
    let waiting: Value = bo
        .get(&format!("{r}/contributions?awaiting=me"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(waiting.as_array().map(Vec::len), Some(2));
    let thanked = bo
        .post_json(
            &format!(
                "{r}/contributions/{}/acknowledgment",
                dishes["id"].as_str().expect("id")
            ),
            &json!({"value": 2, "note": "Thank you"}),
        )
        .await;
    assert_eq!(thanked.status(), 200);
    let thanked: Value = thanked.json().await.expect("json");
    assert_eq!(
        (thanked["value"].as_u64(), thanked["thanks_note"].as_str()),
        (Some(2), Some("Thank you"))
    );

    // Nobody opted in: appreciation, no figures; the counts waiting stay.
    let hidden = balance(&ada, &r).await;
    assert_eq!(hidden["numbers_visible"], false);
    assert!(hidden["reciprocity_index"].is_null() && hidden["weekly"].is_null());
    assert!(
        hidden["partners"][0]["given_value"].is_null() && hidden["partners"][0]["equity"].is_null()
    );
    assert_eq!(hidden["partners"][1]["unacknowledged"], 1);
    assert!(hidden["by_domain"]["household_labor"][0]["given_value"].is_null());

    let mine = ada
        .client
        .put(ada.url(&format!("{r}/preferences")))
        .json(&json!({"show_numbers": true}))
        .send()
        .await
        .expect("PUT");
    assert_eq!(
        mine.json::<Value>().await.expect("json"),
        json!({"show_numbers": true, "numbers_visible": false})
    );
    assert_eq!(
        balance(&ada, &r).await["numbers_visible"],
        false,
        "one partner's choice is not enough"
    );
    bo.client
        .put(bo.url(&format!("{r}/preferences")))
        .json(&json!({"show_numbers": true}))
        .send()
        .await
        .expect("PUT");

    // Hand computation. Ada (partner 0) gave dishes (effort 3, valued 2) and
    // the call (effort 2, not yet thanked); Bo gave the taxes (effort 4,
    // valued 5). Given value: Ada 2, Bo 5 → index 2/5 = 0.4. Walster with
    // I = effort given, O = value received: Ada I=5, O=5 → 0; Bo I=4, O=2,
    // O−I = −2 < 0 so k = −1 and g = (O−I)·|I| = −8 (SCIENCE.md 3.2).
    let shown = balance(&bo, &r).await;
    assert_eq!(shown["numbers_visible"], true);
    assert!((shown["reciprocity_index"].as_f64().expect("index") - 0.4).abs() < 1e-12);
    let p = &shown["partners"];
    assert_eq!(p[0]["account_id"].as_str(), Some(ada_id.as_str()));
    let row = |i: usize| {
        (
            p[i]["given_value"].as_u64(),
            p[i]["given_effort"].as_u64(),
            p[i]["received_value"].as_u64(),
            p[i]["unacknowledged"].as_u64(),
        )
    };
    assert_eq!(row(0), (Some(2), Some(5), Some(5), Some(0)));
    assert_eq!(row(1), (Some(5), Some(4), Some(2), Some(1)));
    assert_eq!(
        (p[0]["equity"].as_f64(), p[1]["equity"].as_f64()),
        (Some(0.0), Some(-8.0))
    );
    assert_eq!(shown["by_domain"]["planning"][1]["given_value"], 5);
    assert_eq!(shown["by_domain"]["household_labor"][0]["given_effort"], 3);
    let weeks = shown["weekly"].as_array().expect("weekly");
    assert!(weeks.len() >= 13, "90 days span at least 13 weeks");
    let last = weeks.last().expect("a week");
    assert_eq!(last["value_given"], json!([2, 5]));

    // Either can step back at once.
    ada.client
        .put(ada.url(&format!("{r}/preferences")))
        .json(&json!({"show_numbers": false}))
        .send()
        .await
        .expect("PUT");
    assert_eq!(balance(&bo, &r).await["numbers_visible"], false);
}

async fn bad_ledger_input_names_the_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let ok = json!({"domain": "household_labor", "description": "Laundry", "effort": 3});
    let with = |key: &str, value: Value| {
        let mut body = ok.clone();
        body[key] = value;
        body
    };
    let future = (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string();
    let cases = [
        (with("domain", json!("chores")), 422, "domain"),
        (with("effort", json!(0)), 422, "effort"),
        (with("effort", json!(6)), 422, "effort"),
        (with("effort", json!("high")), 400, "effort"),
        (with("description", json!("  ")), 422, "description"),
        (
            with("description", json!("x".repeat(501))),
            422,
            "description",
        ),
        (with("occurred_on", json!(future)), 422, "occurred_on"),
        (with("occurred_on", json!("yesterday")), 422, "occurred_on"),
        (with("minutes", json!(0)), 422, "minutes"),
        (with("value", json!(4)), 422, "value"),
        (with("for_partner", json!(true)), 422, "value"),
        (with("giver_id", json!("someone")), 400, "giver_id"),
    ];
    for (body, status, field) in cases {
        let response = ada.post_json(&format!("{r}/contributions"), &body).await;
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(error_of(response).await.1.as_deref(), Some(field), "{body}");
    }
    assert_eq!(app.count("contributions").await, 0);

    let mine = log(&ada, &r, ok.clone()).await;
    let cid = mine["id"].as_str().expect("id");
    let ack = format!("{r}/contributions/{cid}/acknowledgment");
    let own = ada.post_json(&ack, &json!({"value": 5})).await;
    assert_eq!(own.status(), 403, "the giver cannot thank themselves");
    assert_eq!(bo.post_json(&ack, &json!({"value": 9})).await.status(), 422);
    assert_eq!(bo.post_json(&ack, &json!({"value": 4})).await.status(), 200);
    let again = bo.post_json(&ack, &json!({"value": 5})).await;
    assert_eq!(again.status(), 409);
    assert_eq!(error_of(again).await.0, "already_acknowledged");

    // Another couple cannot reach this contribution, even knowing its id.
    let (cy, _) = app.signed_in("cy@example.org", "Cy").await;
    let (di, _) = app.signed_in("di@example.org", "Di").await;
    let theirs: Value = cy
        .post_json("/api/v1/relationships", &json!({}))
        .await
        .json()
        .await
        .expect("json");
    di.post_json(
        "/api/v1/relationships/join",
        &json!({"invite_code": theirs["invite_code"]}),
    )
    .await;
    let other_r = format!(
        "/api/v1/relationships/{}",
        theirs["id"].as_str().expect("id")
    );
    assert_eq!(
        di.post_json(
            &format!("{other_r}/contributions/{cid}/acknowledgment"),
            &json!({"value": 1})
        )
        .await
        .status(),
        404
    );
    assert_eq!(cy.get(&format!("{r}/contributions")).await.status(), 404);
    assert_eq!(cy.get(&format!("{r}/balance")).await.status(), 404);
    let stored: Value = bo
        .get(&format!("{r}/contributions"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(stored[0]["value"], 4, "nothing changed the acknowledgment");
}

async fn entries_can_be_corrected_for_a_day_and_are_history_after(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let entry = log(
        &ada,
        &r,
        json!({"domain": "household_labor", "description": "Hoovered", "effort": 2, "minutes": 30}),
    )
    .await;
    let path = format!("{r}/contributions/{}", entry["id"].as_str().expect("id"));
    let fixed = ada
        .client
        .patch(ada.url(&path))
        .json(&json!({"description": "Hoovered upstairs", "minutes": null}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(fixed.status(), 200);
    let fixed: Value = fixed.json().await.expect("json");
    assert_eq!(
        (
            fixed["description"].as_str(),
            fixed["minutes"].is_null(),
            fixed["effort"].as_u64()
        ),
        (Some("Hoovered upstairs"), true, Some(2))
    );
    let bad = ada
        .client
        .patch(ada.url(&path))
        .json(&json!({"effort": 7}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(bad.status(), 422);
    let not_theirs = bo
        .client
        .delete(bo.url(&path))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(not_theirs.status(), 403);

    // A day later it is history.
    app.sql("UPDATE contributions SET created_at = created_at - 90000000")
        .await;
    let late = ada
        .client
        .delete(ada.url(&path))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(late.status(), 409);
    assert_eq!(error_of(late).await.0, "kept_as_history");
    assert_eq!(app.count("contributions").await, 1);

    let fresh = log(
        &ada,
        &r,
        json!({"domain": "planning", "description": "Booked the dentist", "effort": 1}),
    )
    .await;
    let gone = ada
        .client
        .delete(ada.url(&format!(
            "{r}/contributions/{}",
            fresh["id"].as_str().expect("id")
        )))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(gone.status(), 204);
    assert_eq!(app.count("contributions").await, 1);
}

async fn history_filters_and_suggestions(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada, ada_id, bo, r, ..
    } = app.couple().await;
    for (domain, text) in [
        ("household_labor", "Laundry"),
        ("planning", "Birthday plans"),
        ("household_labor", "Laundry"),
    ] {
        log(
            &ada,
            &r,
            json!({"domain": domain, "description": text, "effort": 2}),
        )
        .await;
    }
    log(
        &bo,
        &r,
        json!({"domain": "household_labor", "description": "Cooked", "effort": 3}),
    )
    .await;
    let count = |v: Value| v.as_array().map(Vec::len);
    let all: Value = bo
        .get(&format!("{r}/contributions"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(count(all), Some(4));
    let by_ada: Value = bo
        .get(&format!("{r}/contributions?giver={ada_id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(count(by_ada), Some(3));
    let chores: Value = bo
        .get(&format!("{r}/contributions?domain=household_labor&limit=2"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(count(chores), Some(2));
    assert_eq!(
        bo.get(&format!("{r}/contributions?domain=nope"))
            .await
            .status(),
        422
    );
    assert_eq!(
        bo.get(&format!("{r}/contributions?awaiting=you"))
            .await
            .status(),
        422
    );
    let bad_limit = bo.get(&format!("{r}/contributions?limit=abc")).await;
    assert_eq!(bad_limit.status(), 400);
    assert_eq!(
        error_of(bad_limit).await,
        ("invalid_query".into(), Some("limit".into()))
    );
    let suggestions: Value = ada
        .get(&format!("{r}/contributions/suggestions"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(suggestions, json!(["Laundry", "Birthday plans"]));
    let bad_window = ada
        .get(&format!("{r}/balance?from=2026-05-01&to=2026-04-01"))
        .await;
    assert_eq!(bad_window.status(), 422);
    assert_eq!(error_of(bad_window).await.1.as_deref(), Some("from"));
    // H4: a blank date is not a date (it stood for the default).
    let blank = ada.get(&format!("{r}/balance?to=")).await;
    assert_eq!(blank.status(), 422);
    assert_eq!(
        error_of(blank).await,
        ("invalid_date".into(), Some("to".into()))
    );
    // H4: writes that take no body need no Content-Type, and a method no
    // route serves answers 405, not 415.
    let bare = ada
        .client
        .post(format!("{}{r}/values/submit", ada.base))
        .send()
        .await
        .expect("POST");
    assert_ne!(bare.status(), 415, "a bodyless write is not a wrong format");
    let wrong_method = ada
        .client
        .put(format!("{}{r}", ada.base))
        .body("x")
        .send()
        .await
        .expect("PUT");
    assert_eq!(wrong_method.status(), 405);
    let as_text = ada
        .client
        .post(format!("{}{r}/values/submit", ada.base))
        .header("content-type", "text/plain")
        .body("")
        .send()
        .await
        .expect("POST");
    assert_eq!(as_text.status(), 415, "a declared other format still is");
}

on_both_engines!(
    logging_thanking_and_a_balance_shown_only_when_both_opt_in,
    bad_ledger_input_names_the_field_and_writes_nothing,
    entries_can_be_corrected_for_a_day_and_are_history_after,
    history_filters_and_suggestions,
);
