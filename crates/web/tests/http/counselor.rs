//! The counselor over real HTTP, on both engines (issue 18; SECURITY.md
//! R33, R34): two keys open it and either closes it, on the very next
//! request; each category only when both allowed it; 90 days unless both
//! renew; never a draft, a sealed answer or an unshared item; every read
//! in the owners' access logs; the private note invisible to the other
//! partner byte for byte; bad input refused by field with nothing written;
//! races between two partners decided by the database.

use crate::common;

use crate::common::{error_of, DbEngine, Person, TestApp};
use serde_json::{json, Value};

const EVERY: [&str; 6] = [
    "values_and_respect",
    "conversations",
    "agreements",
    "ledger",
    "checkins",
    "episodes",
];

/// A counselor account, signed in (two-step sign-in on: counselors must).
pub(crate) async fn counselor(app: &TestApp, email: &str) -> Person {
    crate::two_factor::counselor_signed_in(app, email, "Dr Rivera").await
}

async fn ok(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

/// Ada invites `email` with `categories`; the engagement id and the code.
async fn invite(ada: &Person, r: &str, email: &str, categories: &[&str]) -> (String, String) {
    let body = ok(
        ada.post_json(
            &format!("{r}/counselor"),
            &json!({"email": email, "categories": categories}),
        )
        .await,
        201,
    )
    .await;
    (
        body["id"].as_str().expect("id").to_owned(),
        body["code"].as_str().expect("code").to_owned(),
    )
}

async fn join(c: &Person, code: &str) -> reqwest::Response {
    c.post_json("/api/v1/counselor/join", &json!({ "code": code }))
        .await
}

fn rid(r: &str) -> &str {
    r.rsplit('/').next().expect("id")
}

fn report_path(r: &str) -> String {
    format!("/api/v1/counselor/clients/{}/report", rid(r))
}

/// A couple with a counselor both approved for `ada_allows` ∩ `bo_allows`.
async fn engaged(
    app: &TestApp,
    ada_allows: &[&str],
    bo_allows: &[&str],
) -> (common::Couple, Person, String) {
    let couple = app.couple().await;
    let c = counselor(app, "rivera@example.org").await;
    let (cid, code) = invite(&couple.ada, &couple.r, "rivera@example.org", ada_allows).await;
    ok(join(&c, &code).await, 200).await;
    ok(
        couple
            .bo
            .post_json(
                &format!("{}/counselor/{cid}/approve", couple.r),
                &json!({ "categories": bo_allows }),
            )
            .await,
        200,
    )
    .await;
    (couple, c, cid)
}

/// Every answer's status and bytes, in order.
async fn snapshot(p: &Person, paths: &[String]) -> Vec<(String, u16, Vec<u8>)> {
    let mut all = Vec::new();
    for path in paths {
        let response = p.get(path).await;
        let status = response.status().as_u16();
        let mut bytes = response.bytes().await.expect("body").to_vec();
        if path.ends_with("/export") {
            // The export says when it was made; the rest must not move.
            let mut json: Value = serde_json::from_slice(&bytes).expect("json");
            json["exported_at"] = Value::Null;
            bytes = serde_json::to_vec(&json).expect("json");
        }
        all.push((path.clone(), status, bytes));
    }
    all
}

async fn two_keys_open_it_and_either_closes_it_at_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let c = counselor(&app, "rivera@example.org").await;
    let (cid, code) = invite(&ada, &r, "rivera@example.org", &EVERY).await;

    // Before anything: the counselor knows nothing of the couple.
    assert_eq!(c.get(&report_path(&r)).await.status(), 404);
    let joined = ok(join(&c, &code).await, 200).await;
    assert_eq!(joined["relationship_id"].as_str(), Some(rid(&r)));
    // Joined, one key: still nothing, and not on the client list.
    assert_eq!(c.get(&report_path(&r)).await.status(), 404);
    let clients = ok(c.get("/api/v1/counselor/clients").await, 200).await;
    assert_eq!(clients, json!([]));
    // The code is spent.
    assert_eq!(
        error_of(join(&c, &code).await).await.1.as_deref(),
        Some("code")
    );

    // Bo sees who it is and what Ada allowed, before approving.
    let seen = ok(bo.get(&format!("{r}/counselor")).await, 200).await;
    let seen = &seen["counselor"];
    assert_eq!(seen["email"], "rivera@example.org");
    assert_eq!(seen["name"], "Dr Rivera");
    assert_eq!(seen["status"], "waiting");
    assert_eq!(seen["invited_by_me"], false);
    assert!(seen["mine"].is_null());
    assert_eq!(seen["partner"]["categories"], json!(EVERY));
    assert_eq!(seen["visible"], json!([]));

    let approved = ok(
        bo.post_json(
            &format!("{r}/counselor/{cid}/approve"),
            &json!({"categories": ["episodes", "agreements"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(approved["counselor"]["status"], "open");
    assert_eq!(
        approved["counselor"]["visible"],
        json!(["agreements", "episodes"])
    );
    let clients = ok(c.get("/api/v1/counselor/clients").await, 200).await;
    assert_eq!(clients.as_array().map(Vec::len), Some(1), "{clients}");
    assert_eq!(clients[0]["categories"], json!(["agreements", "episodes"]));
    let names: Vec<&str> = clients[0]["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["Ada", "Bo"]);
    let report = ok(c.get(&report_path(&r)).await, 200).await;
    assert_eq!(report["categories"], json!(["agreements", "episodes"]));

    // Ada revokes alone; the counselor's very next request is refused.
    let revoked = ada.delete(&format!("{r}/counselor/{cid}")).await;
    assert_eq!(revoked.status(), 204);
    assert_eq!(c.get(&report_path(&r)).await.status(), 404);
    assert_eq!(
        ok(c.get("/api/v1/counselor/clients").await, 200).await,
        json!([])
    );
    // Bo learns only that the counselor is no longer there.
    assert_eq!(
        ok(bo.get(&format!("{r}/counselor")).await, 200).await,
        json!({ "counselor": null })
    );
    // A revoked engagement never opens again.
    assert_eq!(
        bo.post_json(&format!("{r}/counselor/{cid}/renew"), &json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.count("counselor_engagements WHERE sealed_key IS NOT NULL")
            .await,
        0,
        "the counselor's copy of the couple's key went with the revocation"
    );
}

async fn each_category_only_when_both_allowed_it_and_nothing_unshared(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (couple, c, _) = engaged(
        &app,
        &["values_and_respect", "ledger", "episodes", "checkins"],
        &["ledger", "episodes", "checkins", "conversations"],
    )
    .await;
    let common::Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
    } = couple;

    // Episodes: one shared (Ada's view), one private (Bo's).
    let shared = ok(
        ada.post_json(
            &format!("{r}/episodes"),
            &json!({"title": "CANARY-shared-title", "kind": "conflict", "share": true}),
        )
        .await,
        201,
    )
    .await;
    let eid = shared["id"].as_str().expect("id");
    for (actor, code) in [
        (&ada_id, "criticism"),
        (&bo_id, "defensiveness"),
        (&ada_id, "contempt"),
    ] {
        ok(
            ada.post_json(
                &format!("{r}/episodes/{eid}/turns"),
                &json!({"actor_id": actor, "code": code, "intensity": 2}),
            )
            .await,
            201,
        )
        .await;
    }
    let private = ok(
        bo.post_json(
            &format!("{r}/episodes"),
            &json!({"title": "CANARY-private-title", "kind": "conflict"}),
        )
        .await,
        201,
    )
    .await;
    let pid = private["id"].as_str().expect("id");
    for _ in 0..4 {
        ok(
            bo.post_json(
                &format!("{r}/episodes/{pid}/turns"),
                &json!({"actor_id": bo_id, "code": "contempt", "intensity": 5}),
            )
            .await,
            201,
        )
        .await;
    }
    // Check-ins: Ada shares one, Bo keeps one private.
    let today = chrono::Utc::now().date_naive().to_string();
    let mut shared_checkin = json!({"on": today, "share": true});
    let mut private_checkin = json!({"on": today, "share": false});
    for k in [
        "rewards",
        "costs",
        "investment",
        "commitment",
        "satisfaction",
        "alternatives",
        "passion",
        "love_given",
        "love_received",
        "respected",
    ] {
        shared_checkin[k] = json!(6);
        private_checkin[k] = json!(1);
    }
    ok(
        ada.post_json(&format!("{r}/checkins"), &shared_checkin)
            .await,
        201,
    )
    .await;
    ok(
        bo.post_json(&format!("{r}/checkins"), &private_checkin)
            .await,
        201,
    )
    .await;
    // The ledger: one entry; figures only once both chose numbers.
    ok(
        ada.post_json(
            &format!("{r}/contributions"),
            &json!({"domain": "household_labor", "description": "CANARY-ledger", "effort": 3}),
        )
        .await,
        201,
    )
    .await;
    // Values: Ada submitted, Bo has a draft only: sealed.
    let item = "honesty";
    ok(
        ada.put_json(
            &format!("{r}/values/answers"),
            &json!({"answers": [{"item": item, "importance": 5, "definition": "CANARY-sealed"}]}),
        )
        .await,
        200,
    )
    .await;

    let response = c.get(&report_path(&r)).await;
    let text = response.text().await.expect("body");
    let report: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        report["categories"],
        json!(["ledger", "checkins", "episodes"])
    );
    let s = &report["sections"];
    // Allowed by one partner only: not there at all.
    assert!(s["values_and_respect"].is_null(), "{s}");
    assert!(s["conversations"].is_null(), "{s}");
    assert!(s["agreements"].is_null(), "{s}");
    // Episodes: the shared one alone (3 turns), with its spiral.
    assert_eq!(s["episodes"]["episodes"], 1, "{s}");
    assert_eq!(s["episodes"]["turns"], 3, "{s}");
    // Check-ins: Ada's shared one; nothing of Bo's private one.
    let series = s["checkins"]["partners"].as_array().expect("partners");
    let lengths: Vec<usize> = series
        .iter()
        .map(|p| p["series"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(lengths, [1, 0], "{s}");
    // The ledger: no figure until both chose numbers.
    assert_eq!(s["ledger"]["numbers_visible"], false, "{s}");
    for canary in [
        "CANARY-private-title",
        "CANARY-sealed",
        "CANARY-shared-title",
    ] {
        assert!(!text.contains(canary), "{canary} in the report");
    }

    // Each partner's access log names the counselor's reads.
    for p in [&ada, &bo] {
        let log = ok(p.get("/api/v1/me/access-log").await, 200).await;
        assert!(
            log.to_string().contains("Dr Rivera"),
            "the counselor's read is in the owner's log: {log}"
        );
    }
}

async fn the_grant_expires_after_ninety_days_unless_both_renew(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (couple, c, cid) = engaged(&app, &EVERY, &EVERY).await;
    let common::Couple { ada, bo, r, .. } = couple;
    assert_eq!(c.get(&report_path(&r)).await.status(), 200);
    // Both approvals 91 days old: expired.
    let old = (chrono::Utc::now() - chrono::Duration::days(91)).timestamp_millis();
    app.sql(&format!(
        "UPDATE counselor_approvals SET approved_at = {old}"
    ))
    .await;
    assert_eq!(c.get(&report_path(&r)).await.status(), 404);
    let seen = ok(ada.get(&format!("{r}/counselor")).await, 200).await;
    assert_eq!(seen["counselor"]["status"], "expired");
    assert_eq!(seen["counselor"]["visible"], json!([]));
    // One partner renewing is not enough: the earlier approval counts.
    ok(
        ada.post_json(&format!("{r}/counselor/{cid}/renew"), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(c.get(&report_path(&r)).await.status(), 404);
    // Both renewed, Bo narrowing it: open again, with Bo's choice.
    ok(
        bo.post_json(
            &format!("{r}/counselor/{cid}/renew"),
            &json!({"categories": ["episodes"]}),
        )
        .await,
        200,
    )
    .await;
    let report = ok(c.get(&report_path(&r)).await, 200).await;
    assert_eq!(report["categories"], json!(["episodes"]));
}

async fn bad_moves_are_refused_by_field_and_write_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let c = counselor(&app, "rivera@example.org").await;
    let invite_path = format!("{r}/counselor");
    for (body, status, field) in [
        (json!({"email": "not an address"}), 422, "email"),
        (
            json!({"email": "x@example.org", "categories": []}),
            422,
            "categories",
        ),
        (
            json!({"email": "x@example.org", "categories": ["diary"]}),
            422,
            "categories",
        ),
        (json!({"email": 7}), 400, "email"),
        (json!({"mail": "x@example.org"}), 400, "mail"),
    ] {
        let response = ada.post_json(&invite_path, &body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert_eq!(error_of(response).await.1.as_deref(), Some(field), "{body}");
    }
    assert_eq!(app.count("counselor_engagements").await, 0);

    let (cid, code) = invite(&ada, &r, "rivera@example.org", &EVERY).await;
    // Inviting while one is pending: refused, by either partner.
    for p in [&ada, &bo] {
        let again = p
            .post_json(&invite_path, &json!({"email": "other@example.org"}))
            .await;
        assert_eq!(again.status(), 409);
        assert_eq!(error_of(again).await.0, "counselor_engaged");
    }
    assert_eq!(app.count("counselor_engagements").await, 1);
    // The inviter's invitation is their approval: approving again is refused.
    let twice = ada
        .post_json(&format!("{r}/counselor/{cid}/approve"), &json!({}))
        .await;
    assert_eq!(twice.status(), 409);
    assert_eq!(error_of(twice).await.0, "already_approved");
    ok(
        bo.post_json(&format!("{r}/counselor/{cid}/approve"), &json!({}))
            .await,
        200,
    )
    .await;
    let twice = bo
        .post_json(&format!("{r}/counselor/{cid}/approve"), &json!({}))
        .await;
    assert_eq!(twice.status(), 409);
    assert_eq!(app.count("counselor_approvals").await, 2);

    // Another couple cannot approve, see or revoke it.
    let (zoe, _) = app.signed_in("zoe@example.org", "Zoe").await;
    for response in [
        zoe.post_json(&format!("{r}/counselor/{cid}/approve"), &json!({}))
            .await,
        zoe.get(&format!("{r}/counselor")).await,
        zoe.delete(&format!("{r}/counselor/{cid}")).await,
    ] {
        assert_eq!(response.status(), 404);
    }

    // The code: wrong, empty, someone else's address.
    let (intruder, _) = app.signed_in("intruder@example.org", "I").await;
    for (who, body, field) in [
        (&c, json!({"code": "abcd-efgh"}), "code"),
        (&c, json!({"code": ""}), "code"),
    ] {
        let response = who.post_json("/api/v1/counselor/join", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(error_of(response).await.1.as_deref(), Some(field));
    }
    let wrong_person = join(&intruder, &code).await;
    assert!(
        matches!(wrong_person.status().as_u16(), 403 | 422),
        "a partner account cannot join as a counselor"
    );
    ok(join(&c, &code).await, 200).await;

    // A counselor calling partner writes: not a member, 404, nothing written.
    let before = (
        app.count("contributions").await,
        app.count("episodes").await,
        app.count("agreements").await,
        app.count("checkins").await,
    );
    for (path, body) in [
        (
            format!("{r}/contributions"),
            json!({"domain": "household_labor", "description": "x", "effort": 1}),
        ),
        (
            format!("{r}/episodes"),
            json!({"title": "x", "kind": "conflict"}),
        ),
        (
            format!("{r}/agreements"),
            json!({"domain": "household_labor", "title": "x", "terms": "y"}),
        ),
        (format!("{r}/counselor/{cid}/approve"), json!({})),
        (format!("{r}/counselor/{cid}/notes"), json!({"text": "x"})),
    ] {
        let response = c.post_json(&path, &body).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    assert_eq!(
        c.delete(&format!("{r}/counselor/{cid}")).await.status(),
        404
    );
    assert_eq!(
        before,
        (
            app.count("contributions").await,
            app.count("episodes").await,
            app.count("agreements").await,
            app.count("checkins").await,
        )
    );
    assert_eq!(app.count("counselor_notes").await, 0);

    // A note: empty and too long are named.
    for text in [String::new(), "x".repeat(4001)] {
        let response = ada
            .post_json(
                &format!("{r}/counselor/{cid}/notes"),
                &json!({"text": text}),
            )
            .await;
        assert_eq!(response.status(), 422);
        assert_eq!(error_of(response).await.1.as_deref(), Some("text"));
    }
    assert_eq!(app.count("counselor_notes").await, 0);
}

async fn the_private_note_leaves_no_trace_for_the_other_partner(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (couple, c, cid) = engaged(&app, &EVERY, &EVERY).await;
    let common::Couple { ada, bo, r, .. } = couple;
    // Everything Bo could look at, byte for byte, before and after.
    let bo_sees = [
        "/api/v1/me".to_owned(),
        r.clone(),
        format!("{r}/counselor"),
        format!("{r}/counselor/{cid}/notes"),
        "/api/v1/me/access-log".to_owned(),
        "/api/v1/me/export".to_owned(),
        "/".to_owned(),
        "/counselor".to_owned(),
    ];
    let before = snapshot(&bo, &bo_sees).await;
    let written = ok(
        ada.post_json(
            &format!("{r}/counselor/{cid}/notes"),
            &json!({"text": "CANARY-D7 I am frightened when he shouts"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(written["text"], "CANARY-D7 I am frightened when he shouts");
    ok(
        ada.post_json(
            &format!("{r}/counselor/{cid}/notes"),
            &json!({"text": "a second, much longer note ".repeat(40)}),
        )
        .await,
        201,
    )
    .await;
    // The counselor reads them (logged to Ada alone).
    let received = ok(
        c.get(&format!("/api/v1/counselor/clients/{}/notes", rid(&r)))
            .await,
        200,
    )
    .await;
    assert_eq!(received.as_array().map(Vec::len), Some(2));
    assert_eq!(received[0]["from"], "Ada");
    assert_eq!(
        received[0]["text"],
        "CANARY-D7 I am frightened when he shouts"
    );
    let after = snapshot(&bo, &bo_sees).await;
    for ((path, s1, b1), (_, s2, b2)) in before.iter().zip(&after) {
        assert_eq!(s1, s2, "{path}");
        assert!(b1 == b2, "{path} changed for Bo after Ada's note");
        assert!(!String::from_utf8_lossy(b2).contains("CANARY-D7"), "{path}");
    }
    // Ada sees her own notes; Bo's list stays his own (empty).
    let mine = ok(ada.get(&format!("{r}/counselor/{cid}/notes")).await, 200).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
    let log = ok(ada.get("/api/v1/me/access-log").await, 200).await;
    assert!(log.to_string().contains("Dr Rivera"), "{log}");
    // The text is in the database only sealed.
    assert_eq!(
        app.count(
            "counselor_notes WHERE for_counselor LIKE '%CANARY%' OR for_author LIKE '%CANARY%' \
             OR note_key LIKE '%CANARY%'"
        )
        .await,
        0
    );
}

async fn two_partners_racing_are_decided_by_the_database(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let invite_path = format!("{r}/counselor");
    let a_body = json!({"email": "one@example.org"});
    let b_body = json!({"email": "two@example.org"});
    let (a, b) = tokio::join!(
        ada.post_json(&invite_path, &a_body),
        bo.post_json(&invite_path, &b_body)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "exactly one invitation lands");
    assert_eq!(app.count("counselor_engagements").await, 1);
    assert_eq!(app.count("counselor_approvals").await, 1);

    let state = ok(ada.get(&invite_path).await, 200).await;
    let cid = state["counselor"]["id"].as_str().expect("id").to_owned();
    let other = if state["counselor"]["invited_by_me"] == true {
        &bo
    } else {
        &ada
    };
    // The other partner approving twice at once: one approval.
    let path = format!("{r}/counselor/{cid}/approve");
    let empty = json!({});
    let (x, y) = tokio::join!(
        other.post_json(&path, &empty),
        other.post_json(&path, &empty)
    );
    let mut statuses = [x.status().as_u16(), y.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(app.count("counselor_approvals").await, 2);

    // Both revoking at once: one revocation, the other finds nothing.
    let revoke = format!("{r}/counselor/{cid}");
    let (x, y) = tokio::join!(ada.delete(&revoke), bo.delete(&revoke));
    let mut statuses = [x.status().as_u16(), y.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 404]);
    // And a new invitation may follow.
    ok(ada.post_json(&invite_path, &a_body).await, 201).await;
}

async fn a_leave_ends_the_counselor_too(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (couple, c, _) = engaged(&app, &EVERY, &EVERY).await;
    assert_eq!(c.get(&report_path(&couple.r)).await.status(), 200);
    ok(
        couple
            .bo
            .post_json(&format!("{}/leave", couple.r), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(c.get(&report_path(&couple.r)).await.status(), 404);
    assert_eq!(
        app.count("counselor_engagements WHERE revoked_at IS NULL")
            .await,
        0
    );
}

on_both_engines!(
    two_keys_open_it_and_either_closes_it_at_once,
    each_category_only_when_both_allowed_it_and_nothing_unshared,
    the_grant_expires_after_ninety_days_unless_both_renew,
    bad_moves_are_refused_by_field_and_write_nothing,
    the_private_note_leaves_no_trace_for_the_other_partner,
    two_partners_racing_are_decided_by_the_database,
    a_leave_ends_the_counselor_too,
);
