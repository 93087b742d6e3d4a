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

    // Bo sees it waiting for him (Ada's access log notes that he read her
    // words), and counters with new terms.
    let seen = ok(bo.get(&format!("{r}/agreements/{id}")).await, 200).await;
    let log = ok(ada.get("/api/v1/me/access-log").await, 200).await;
    assert!(
        log.as_array()
            .expect("log")
            .iter()
            .any(|l| l["item"] == "agreements"),
        "{log}"
    );
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

/// Another couple, `n` telling their e-mails apart.
async fn couple_number(app: &TestApp, n: usize) -> (Person, Person, String) {
    let (a, _) = app.signed_in(&format!("a{n}@example.org"), "Ana").await;
    let (b, _) = app.signed_in(&format!("b{n}@example.org"), "Ben").await;
    let created = a.create_relationship().await;
    let joined = b
        .post_json(
            "/api/v1/relationships/join",
            &json!({"invite_code": created["invite_code"]}),
        )
        .await;
    assert_eq!(joined.status(), 200);
    let id = created["id"].as_str().expect("id");
    (a, b, format!("/api/v1/relationships/{id}"))
}

fn tables() -> [&'static str; 4] {
    [
        "agreements",
        "agreement_versions",
        "agreement_events",
        "agreement_links",
    ]
}

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut all = Vec::new();
    for t in tables() {
        all.push(app.count(t).await);
    }
    all
}

async fn bad_input_is_refused_by_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let long = "x".repeat(10_001);
    let with = |key: &str, value: Value| {
        let mut body = dinners();
        body[key] = value;
        body
    };
    let cases = [
        (with("domain", json!("chores")), 422, "domain"),
        (with("terms", json!("   ")), 422, "terms"),
        (with("terms", json!(long)), 422, "terms"),
        (with("title", json!("")), 422, "title"),
        (with("review_on", json!("2001-01-01")), 422, "review_on"),
        (with("review_on", json!("next week")), 422, "review_on"),
        (with("my_part", json!("p".repeat(2_001))), 422, "my_part"),
        (
            with("conversation", json!({"deck": "nope", "round": 1})),
            422,
            "conversation",
        ),
        (with("terms", json!(7)), 400, "terms"),
        (with("surprise", json!(true)), 400, "surprise"),
    ];
    for (body, status, field) in cases {
        let response = ada.post_json(&format!("{r}/agreements"), &body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert_eq!(error_of(response).await.1.as_deref(), Some(field), "{body}");
    }
    let mut no_title = dinners();
    no_title.as_object_mut().expect("object").remove("title");
    let response = ada.post_json(&format!("{r}/agreements"), &no_title).await;
    assert_eq!(response.status(), 400);
    assert_eq!(error_of(response).await.1.as_deref(), Some("title"));
    assert_eq!(counts(&app).await, [0, 0, 0, 0]);

    let made = propose(&ada, &r, dinners()).await;
    let id = made["id"].as_str().expect("id").to_owned();
    let before = counts(&app).await;
    let refusals = [
        (&bo, "counter", json!({"terms": ""}), 422, "terms"),
        (
            &bo,
            "decline",
            json!({"version": 1, "reason": " "}),
            422,
            "reason",
        ),
        (
            &bo,
            "decline",
            json!({"version": 0, "reason": "no"}),
            422,
            "version",
        ),
        (
            &ada,
            "decline",
            json!({"version": 1, "reason": "mine"}),
            409,
            "",
        ),
        (&bo, "revise", json!({"terms": "changes"}), 409, ""),
        (&bo, "confirm", json!({}), 409, ""),
        (&bo, "withdraw", json!({}), 409, ""),
        (&bo, "retire", json!({"reason": ""}), 422, "reason"),
        (
            &bo,
            "contributions",
            json!({"contribution_id": "nope"}),
            422,
            "contribution_id",
        ),
    ];
    for (who, verb, body, status, field) in refusals {
        let response = act(who, &r, &id, verb, body.clone()).await;
        assert_eq!(response.status().as_u16(), status, "{verb} {body}");
        let (_, named) = error_of(response).await;
        assert_eq!(named.unwrap_or_default(), field, "{verb} {body}");
    }
    assert_eq!(counts(&app).await, before);

    // Retired: countering, accepting or retiring again is refused.
    ok(
        act(
            &bo,
            &r,
            &id,
            "retire",
            json!({"reason": "We eat out on Sundays now."}),
        )
        .await,
        200,
    )
    .await;
    let before = counts(&app).await;
    for (verb, body) in [
        ("counter", json!({"terms": "again"})),
        ("accept", json!({"version": 1})),
        ("retire", json!({"reason": "x"})),
    ] {
        let response = act(&ada, &r, &id, verb, body).await;
        assert_eq!(response.status(), 409, "{verb}");
        assert_eq!(error_of(response).await.0, "retired");
    }
    assert_eq!(counts(&app).await, before);

    // Another couple's agreement does not exist for anyone else, by either path.
    let (cy, _, r2) = couple_number(&app, 2).await;
    for path in [
        format!("{r}/agreements/{id}"),
        format!("{r2}/agreements/{id}"),
    ] {
        assert_eq!(cy.get(&path).await.status(), 404, "{path}");
        let accept = cy
            .post_json(&format!("{path}/accept"), &json!({"version": 1}))
            .await;
        assert_eq!(accept.status(), 404, "{path}");
    }
    assert_eq!(
        ada.get(&format!("{r}/agreements/{}", uuid_like()))
            .await
            .status(),
        404
    );
    assert_eq!(
        ada.get(&format!("{r}/agreements/not-an-id")).await.status(),
        404
    );
    assert_eq!(counts(&app).await, before);
}

fn uuid_like() -> &'static str {
    "00000000-0000-4000-8000-000000000000"
}

async fn withdrawal_review_confirmation_and_retirement(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada, bo, r, bo_id, ..
    } = app.couple().await;
    let today = chrono::Utc::now().date_naive().to_string();
    let mut body = dinners();
    body["review_on"] = json!(today);
    let id = propose(&ada, &r, body).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let listed = ok(bo.get(&format!("{r}/agreements")).await, 200).await;
    assert_eq!(
        (
            listed[0]["due"].as_bool(),
            listed[0]["awaiting_me"].as_bool()
        ),
        (Some(false), Some(true)),
        "due only once agreed"
    );
    ok(
        act(&bo, &r, &id, "accept", json!({"version": 1})).await,
        200,
    )
    .await;
    for p in [&ada, &bo] {
        let listed = ok(p.get(&format!("{r}/agreements")).await, 200).await;
        assert_eq!(listed[0]["due"], true, "the review date has come, for both");
    }

    // Bo withdraws alone; both now see it as no longer agreed.
    let withdrawn = ok(act(&bo, &r, &id, "withdraw", json!({})).await, 200).await;
    assert_eq!(
        (withdrawn["status"].as_str(), withdrawn["in_force"].as_u64()),
        (Some("withdrawn"), None)
    );
    let seen = ok(ada.get(&format!("{r}/agreements/{id}")).await, 200).await;
    assert_eq!(seen["status"], "withdrawn");
    assert_eq!(seen["can"]["confirm"], false);
    // He may change his mind: accepting again restores it.
    let again = ok(
        act(&bo, &r, &id, "accept", json!({"version": 1})).await,
        200,
    )
    .await;
    assert_eq!(again["status"], "accepted");

    // Confirmed unchanged at its review, with the next date.
    let next = (chrono::Utc::now().date_naive() + chrono::Duration::days(180)).to_string();
    let confirmed = ok(
        act(&ada, &r, &id, "confirm", json!({"review_on": next})).await,
        200,
    )
    .await;
    assert_eq!(
        (confirmed["due"].as_bool(), confirmed["review_on"].as_str()),
        (Some(false), Some(next.as_str()))
    );

    // Proposing changes keeps version 1 in force until both accept.
    let revised = ok(
        act(
            &bo,
            &r,
            &id,
            "revise",
            json!({"terms": "I cook on Sundays, you wash up, and we both clear the table."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (
            revised["status"].as_str(),
            revised["in_force"].as_u64(),
            revised["version"].as_u64()
        ),
        (Some("proposed"), Some(1), Some(2))
    );
    assert_eq!(revised["accepted_by"], json!([bo_id]));
    let declined = ok(
        act(
            &ada,
            &r,
            &id,
            "decline",
            json!({"version": 2, "reason": "Clearing is already mine."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (declined["status"].as_str(), declined["in_force"].as_u64()),
        (Some("declined"), Some(1))
    );
    let retired = ok(
        act(
            &bo,
            &r,
            &id,
            "retire",
            json!({"reason": "We eat out on Sundays now."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(retired["status"], "retired");
    let kinds: Vec<&str> = retired["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["propose", "accept", "withdraw", "accept", "confirm", "revise", "decline", "retire"]
    );
    let seen = ok(ada.get(&format!("{r}/agreements/{id}")).await, 200).await;
    let reasons: Vec<&str> = seen["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["reason"].as_str())
        .collect();
    assert_eq!(
        reasons,
        ["Clearing is already mine.", "We eat out on Sundays now."]
    );
    assert_eq!(
        seen["versions"].as_array().map(Vec::len),
        Some(2),
        "retired agreements stay in history"
    );
}

/// An acceptance racing a counter-proposal: exactly one lands; the other is
/// refused with the reason the new state gives (never both, never a 500),
/// and `accepted` always means both accepted the latest version.
async fn racing_moves_are_decided_one_at_a_time(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..12 {
        let id = propose(&ada, &r, dinners()).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let accept = act(&bo, &r, &id, "accept", json!({"version": 1}));
        let counter = act(
            &ada,
            &r,
            &id,
            "counter",
            json!({"terms": format!("Round {round}: new terms")}),
        );
        let (accepted, countered) = tokio::join!(accept, counter);
        let statuses = (accepted.status().as_u16(), countered.status().as_u16());
        let codes = match statuses {
            (200, 409) => error_of(countered).await.0,
            (409, 200) => error_of(accepted).await.0,
            other => panic!("round {round}: {other:?}"),
        };
        assert!(
            ["agreed_already", "superseded"].contains(&codes.as_str()),
            "{codes}"
        );
        *outcomes.entry(codes).or_insert(0) += 1;
        let seen = ok(ada.get(&format!("{r}/agreements/{id}")).await, 200).await;
        let versions = seen["versions"].as_array().map(Vec::len);
        match seen["status"].as_str() {
            Some("accepted") => {
                assert_eq!((seen["in_force"].as_u64(), versions), (Some(1), Some(1)))
            }
            Some("proposed") => {
                assert_eq!((seen["version"].as_u64(), versions), (Some(2), Some(2)))
            }
            other => panic!("{other:?}"),
        }
        let events = app
            .count(&format!("agreement_events WHERE agreement_id = '{id}'"))
            .await;
        assert_eq!(events, 2, "one move landed");
    }
    eprintln!("race outcomes: {outcomes:?}");
}

/// Moves racing a leave land whole (before the end) or not at all.
async fn moves_racing_a_leave_land_whole_or_not_at_all(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    for round in 0..8 {
        let (ana, ben, r) = couple_number(&app, round).await;
        let id = propose(&ana, &r, dinners()).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let counter = act(&ben, &r, &id, "counter", json!({"terms": "Counter terms"}));
        let (leave_path, empty) = (format!("{r}/leave"), json!({}));
        let leave = ana.post_json(&leave_path, &empty);
        let (countered, left) = tokio::join!(counter, leave);
        assert_eq!(left.status(), 200);
        let versions = app
            .count(&format!("agreement_versions WHERE agreement_id = '{id}'"))
            .await;
        let events = app
            .count(&format!("agreement_events WHERE agreement_id = '{id}'"))
            .await;
        match countered.status().as_u16() {
            200 => assert_eq!((versions, events), (2, 2)),
            409 => {
                assert_eq!(error_of(countered).await.0, "ended");
                assert_eq!((versions, events), (1, 1));
            }
            other => panic!("round {round}: {other}"),
        }
    }
}

/// After the end, each former partner keeps their own copy of what they
/// proposed and nothing of the other's (SECURITY.md §1.3, D4).
async fn after_the_end_each_keeps_only_what_they_proposed(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let ours = propose(&ada, &r, dinners()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(
        act(
            &bo,
            &r,
            &ours,
            "counter",
            json!({"terms": "BO-COUNTER-WORDS", "title": "BO-TITLE"}),
        )
        .await,
        200,
    )
    .await;
    ok(
        act(
            &ada,
            &r,
            &ours,
            "decline",
            json!({"version": 2, "reason": "ADA-REASON"}),
        )
        .await,
        200,
    )
    .await;
    let mut his = dinners();
    his["title"] = json!("BO-ONLY-TITLE");
    his["terms"] = json!("BO-ONLY-TERMS");
    let theirs = propose(&bo, &r, his).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // A third: Ada's, which Bo countered with new terms only, carrying her
    // title and parts over without retyping them.
    let carried = propose(&ada, &r, dinners()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(
        act(
            &bo,
            &r,
            &carried,
            "counter",
            json!({"terms": "BO-CARRIED-TERMS"}),
        )
        .await,
        200,
    )
    .await;
    ok(bo.post_json(&format!("{r}/leave"), &json!({})).await, 200).await;

    // His copy of that one keeps his terms, and not her title or parts.
    let his = ok(bo.get(&format!("{r}/agreements/{carried}")).await, 200).await;
    assert_eq!(his["title"], "Your proposal (Home and chores)", "{his}");
    assert_eq!(his["versions"][0]["terms"], "BO-CARRIED-TERMS");
    assert_eq!(his["versions"][0]["parts"], json!([]), "{his}");
    assert!(!his.to_string().contains("Sunday dinners"), "{his}");

    let listed = ok(ada.get(&format!("{r}/agreements")).await, 200).await;
    let listed: Vec<Value> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter(|a| a["id"] == ours.as_str())
        .cloned()
        .collect();
    let text = ok(ada.get(&format!("{r}/agreements")).await, 200)
        .await
        .to_string();
    assert_eq!(listed.len(), 1, "{text}");
    assert_eq!(
        (
            listed[0]["title"].as_str(),
            listed[0]["status"].as_str(),
            listed[0]["version"].as_u64()
        ),
        (Some("Sunday dinners"), Some("ended"), Some(1)),
        "her own latest version, not a count of his"
    );
    assert!(!text.contains("BO-"), "{text}");
    let thread = ok(ada.get(&format!("{r}/agreements/{ours}")).await, 200).await;
    let text = thread.to_string();
    assert!(!text.contains("BO-"), "{text}");
    assert!(text.contains("ADA-REASON"), "her own reason stays hers");
    assert_eq!(thread["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        ada.get(&format!("{r}/agreements/{theirs}")).await.status(),
        404
    );

    let bos = ok(bo.get(&format!("{r}/agreements")).await, 200).await;
    assert_eq!(
        bos.as_array().map(Vec::len),
        Some(3),
        "he wrote a version of all three"
    );
    let text = bos.to_string()
        + &ok(bo.get(&format!("{r}/agreements/{ours}")).await, 200)
            .await
            .to_string();
    assert!(
        !text.contains("ADA-REASON")
            && !text.contains("I cook on Sundays")
            && !text.contains("Sunday dinners")
            && !text.contains("Cook"),
        "{text}"
    );
    // Nothing more is written there.
    let refused = act(&bo, &r, &ours, "accept", json!({"version": 2})).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(error_of(refused).await.0, "ended");
    assert_eq!(bo.get(&format!("{r}/agreements/say")).await.status(), 409);
}

async fn contributions_link_in_the_same_domain(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let id = propose(&ada, &r, dinners()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let log = |domain: &str| json!({"domain": domain, "description": format!("Washed up ({domain})"), "effort": 2});
    let same = ok(
        bo.post_json(&format!("{r}/contributions"), &log("household_labor"))
            .await,
        201,
    )
    .await;
    let other = ok(
        bo.post_json(&format!("{r}/contributions"), &log("planning"))
            .await,
        201,
    )
    .await;
    let linked = ok(
        act(
            &ada,
            &r,
            &id,
            "contributions",
            json!({"contribution_id": same["id"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        linked["contributions"][0]["description"],
        "Washed up (household_labor)"
    );
    let again = act(
        &bo,
        &r,
        &id,
        "contributions",
        json!({"contribution_id": same["id"]}),
    )
    .await;
    assert_eq!(again.status(), 409);
    let wrong = act(
        &ada,
        &r,
        &id,
        "contributions",
        json!({"contribution_id": other["id"]}),
    )
    .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(
        error_of(wrong).await,
        ("different_domain".into(), Some("contribution_id".into()))
    );
    let (cy, _, r2) = couple_number(&app, 3).await;
    let elsewhere = ok(
        cy.post_json(&format!("{r2}/contributions"), &log("household_labor"))
            .await,
        201,
    )
    .await;
    let foreign = act(
        &ada,
        &r,
        &id,
        "contributions",
        json!({"contribution_id": elsewhere["id"]}),
    )
    .await;
    assert_eq!(foreign.status(), 422);
    assert_eq!(app.count("agreement_links").await, 1);
    let cid = same["id"].as_str().expect("id");
    let unlinked = bo
        .delete(&format!("{r}/agreements/{id}/contributions/{cid}"))
        .await;
    assert_eq!(ok(unlinked, 200).await["contributions"], json!([]));
    assert_eq!(
        bo.delete(&format!("{r}/agreements/{id}/contributions/{cid}"))
            .await
            .status(),
        404
    );
}

/// The balance of say, counted by hand: Ada proposed 8, all accepted as
/// written; Bo proposed 1, which Ada countered.
async fn the_balance_of_say_leans_only_when_it_clearly_does(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada, bo, r, ada_id, ..
    } = app.couple().await;
    for _ in 0..7 {
        let id = propose(&ada, &r, dinners()).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        ok(
            act(&bo, &r, &id, "accept", json!({"version": 1})).await,
            200,
        )
        .await;
    }
    let page = bo.get("/agreements").await.text().await.expect("page");
    assert!(
        !page.contains("id=\"say-note\""),
        "no note below 8 answered"
    );
    let say = ok(bo.get(&format!("{r}/agreements/say")).await, 200).await;
    assert_eq!(
        (say["answered"].as_u64(), say["one_sided"].as_bool()),
        (Some(7), Some(false))
    );
    let id = propose(&ada, &r, dinners()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(
        act(&bo, &r, &id, "accept", json!({"version": 1})).await,
        200,
    )
    .await;
    let theirs = propose(&bo, &r, dinners()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(
        act(
            &ada,
            &r,
            &theirs,
            "counter",
            json!({"terms": "Other terms"}),
        )
        .await,
        200,
    )
    .await;
    for p in [&ada, &bo] {
        let say = ok(p.get(&format!("{r}/agreements/say")).await, 200).await;
        assert_eq!(
            (say["answered"].as_u64(), say["one_sided"].as_bool()),
            (Some(9), Some(true)),
            "{say}"
        );
        let hers = say["partners"]
            .as_array()
            .expect("partners")
            .iter()
            .find(|s| s["account_id"] == ada_id)
            .cloned()
            .expect("ada");
        assert_eq!(
            (
                hers["proposed"].as_u64(),
                hers["passed_unchanged"].as_u64(),
                hers["countered"].as_u64()
            ),
            (Some(8), Some(8), Some(1))
        );
        assert_eq!(hers["unchanged_rate"].as_f64(), Some(1.0));
    }
    // Both see the same gentle note on the page, naming no one, with the
    // safety page one tap away.
    for p in [&ada, &bo] {
        let page = p.get("/agreements").await.text().await.expect("page");
        let start = page.find("id=\"say-note\"").expect("the note shows");
        let note = &page[start..start + page[start..].find("</section>").expect("end")];
        assert!(note.contains("href=\"/safety\""), "{note}");
        assert!(!note.contains("Ada") && !note.contains("Bo"), "{note}");
    }
    let out = bo.get(&format!("{r}/agreements/say?days=3")).await;
    assert_eq!(out.status(), 422);
    assert_eq!(error_of(out).await.1.as_deref(), Some("days"));
}

/// Answers every prompt of `deck` and sends it, as `who`.
async fn send_deck(who: &Person, r: &str, deck: &str) {
    let path = format!("{r}/conversations/{deck}");
    let status = ok(who.get(&path).await, 200).await;
    let answers: Vec<Value> = status["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .map(|p| json!({"prompt": p["key"], "text": "An answer"}))
        .collect();
    ok(
        who.put_json(&format!("{path}/answers"), &json!({ "answers": answers }))
            .await,
        200,
    )
    .await;
    ok(
        who.post_json(&format!("{path}/submit"), &json!({})).await,
        200,
    )
    .await;
}

/// A proposal can grow from a conversation both have opened, and says so.
async fn a_proposal_can_start_from_a_conversation(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let mut body = dinners();
    body["conversation"] = json!({"deck": "goods_and_labor", "round": 1});
    let sealed = ada.post_json(&format!("{r}/agreements"), &body).await;
    assert_eq!(sealed.status(), 422, "not opened by both yet");
    assert_eq!(
        error_of(sealed).await,
        ("not_revealed".into(), Some("conversation".into()))
    );
    send_deck(&ada, &r, "goods_and_labor").await;
    send_deck(&bo, &r, "goods_and_labor").await;
    let made = propose(&ada, &r, body.clone()).await;
    assert_eq!(made["origin"]["deck"], "goods_and_labor");
    assert_eq!(made["origin"]["round"], 1);
    body["conversation"]["round"] = json!(2);
    let missing = ada.post_json(&format!("{r}/agreements"), &body).await;
    assert_eq!(missing.status(), 422);
    assert_eq!(error_of(missing).await.1.as_deref(), Some("conversation"));
}

on_both_engines!(
    a_proposal_can_start_from_a_conversation,
    propose_counter_accept_by_both,
    bad_input_is_refused_by_field_and_writes_nothing,
    withdrawal_review_confirmation_and_retirement,
    racing_moves_are_decided_one_at_a_time,
    moves_racing_a_leave_land_whole_or_not_at_all,
    after_the_end_each_keeps_only_what_they_proposed,
    contributions_link_in_the_same_domain,
    the_balance_of_say_leans_only_when_it_clearly_does,
);
