//! Episodes over real HTTP, on both engines (API.md "Episodes and negative
//! reciprocity", issue 17): the pattern's figures against a hand
//! computation; private episodes and views invisible to the partner, byte
//! for byte; each partner's view kept apart; turns in order when two race;
//! repair sealed until both wrote; responsibility balance; bad input
//! refused by field with nothing written; after the end, one's own only;
//! deletion.

use crate::common;

use crate::common::{error_of, DbEngine, Person, TestApp};
use serde_json::{json, Value};

async fn record(p: &Person, r: &str, body: Value) -> String {
    let response = p.post_json(&format!("{r}/episodes"), &body).await;
    let status = response.status();
    let json: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "{json}");
    json["id"].as_str().expect("id").to_owned()
}

async fn turn(p: &Person, r: &str, eid: &str, actor: &str, code: &str, intensity: i64) -> Value {
    let response = p
        .post_json(
            &format!("{r}/episodes/{eid}/turns"),
            &json!({"actor_id": actor, "code": code, "intensity": intensity}),
        )
        .await;
    let status = response.status();
    let json: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "{json}");
    json
}

async fn get(p: &Person, path: &str) -> Value {
    let response = p.get(path).await;
    let status = response.status();
    let json: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{path}: {json}");
    json
}

/// Every answer's bytes, in order.
async fn snapshot(p: &Person, paths: &[String]) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    for path in paths {
        all.push(p.get(path).await.bytes().await.expect("body").to_vec());
    }
    all
}

fn close(v: &Value, expected: f64) {
    let x = v.as_f64().unwrap_or_else(|| panic!("a number, got {v}"));
    assert!((x - expected).abs() < 1e-9, "{x} ≠ {expected}");
}

/// One conflict, Ada's view, alternating Ada then Bo (n = negative code,
/// p = positive, intensity after the colon):
/// A n:1, B n:2, A n:3, B n:3, A p:1, B p:1, A n:1, B p:1, A p:1, B n:1.
async fn template_episode(ada: &Person, r: &str, ada_id: &str, bo_id: &str) -> String {
    let eid = record(
        ada,
        r,
        json!({"title": "Dishes again", "kind": "conflict", "share": true}),
    )
    .await;
    let turns = [
        (ada_id, "criticism", 1),
        (bo_id, "defensiveness", 2),
        (ada_id, "contempt", 3),
        (bo_id, "stonewalling", 3),
        (ada_id, "repair_attempt", 1),
        (bo_id, "affection", 1),
        (ada_id, "criticism", 1),
        (bo_id, "humor", 1),
        (ada_id, "appreciation", 1),
        (bo_id, "turning_away", 1),
    ];
    for (actor, code, intensity) in turns {
        turn(ada, r, &eid, actor, code, intensity).await;
    }
    eid
}

/// Four copies of the template. Ada → Bo, per episode: (n,n) twice, (n,p)
/// once, (p,n) once, (p,p) once; over four: a = 8, b = 4, c = 4, d = 4,
/// N = 20, R = 12, C = 12.
/// - P(Bo n | Ada n) = 8/12; base rate C/N = 12/20 = 0.6;
/// - Q = (8·4 − 4·4)/(8·4 + 4·4) = 1/3;
/// - E = 12·12/20 = 7.2, z = (8 − 7.2)/√(7.2·0.4·0.4) = 0.8/√1.152.
///
/// Bo → Ada: 4 pairs per episode, 16 in all: under 20, too little to say.
/// Spirals: turns 1–4 (n:1, n:2, n:3, n:3 alternating), length 4, peak 3,
/// one per episode; four today, so they recur. Ratio over the conflict
/// turns: 4 positive and 6 negative per episode, 16:24.
async fn the_pattern_matches_a_hand_computation(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
    } = app.couple().await;
    let first = template_episode(&ada, &r, &ada_id, &bo_id).await;
    let early = get(&ada, &format!("{r}/negative-reciprocity")).await;
    assert_eq!(early["directions"][0]["enough_data"], false, "{early}");
    assert_eq!(
        early["directions"][0]["p_negative_after_negative"],
        Value::Null
    );
    close(&early["positive_negative_ratio"], 4.0 / 6.0);
    for _ in 0..3 {
        template_episode(&ada, &r, &ada_id, &bo_id).await;
    }
    for p in [&ada, &bo] {
        let nr = get(p, &format!("{r}/negative-reciprocity")).await;
        let ab = &nr["directions"][0];
        assert_eq!(ab["from"], json!(ada_id));
        assert_eq!(ab["to"], json!(bo_id));
        assert_eq!(
            (ab["n"].as_u64(), ab["negative_answered"].as_u64()),
            (Some(20), Some(12))
        );
        assert_eq!(ab["enough_data"], true);
        close(&ab["p_negative_after_negative"], 8.0 / 12.0);
        close(&ab["base_rate"], 0.6);
        close(&ab["yules_q"], 1.0 / 3.0);
        close(&ab["adjusted_residual"], 0.8 / 1.152f64.sqrt());
        let ba = &nr["directions"][1];
        assert_eq!(
            (ba["n"].as_u64(), ba["enough_data"].as_bool()),
            (Some(16), Some(false))
        );
        assert_eq!(ba["adjusted_residual"], Value::Null);
        let spirals = nr["spirals"].as_array().expect("spirals");
        assert_eq!(spirals.len(), 4);
        assert_eq!(
            (
                &spirals[0]["start"],
                &spirals[0]["length"],
                &spirals[0]["peak"]
            ),
            (&json!(1), &json!(4), &json!(3))
        );
        assert_eq!(spirals[0]["title"], "Dishes again");
        assert_eq!(nr["spirals_recur"], true);
        // The pattern page's note then points to inviting a counselor.
        let page = ada
            .get("/episodes/patterns")
            .await
            .text()
            .await
            .expect("page");
        assert!(
            page.contains(r#"<a href="/counselor" id="invite-counselor">"#),
            "the spiral note links to the counselor invitation"
        );
        // A counselor both allowed reads the same hand-computed figures:
        // every episode here is one Ada shared (checked once).
        if std::ptr::eq(p, &ada) {
            let counselor = crate::counselor::counselor(&app, "rivera@example.org").await;
            let invited = ada
                .post_json(
                    &format!("{r}/counselor"),
                    &json!({"email": "rivera@example.org"}),
                )
                .await
                .json::<Value>()
                .await
                .expect("json");
            let joined = counselor
                .post_json("/api/v1/counselor/join", &json!({"code": invited["code"]}))
                .await;
            assert_eq!(joined.status(), 200);
            let approve = format!(
                "{r}/counselor/{}/approve",
                invited["id"].as_str().expect("id")
            );
            assert_eq!(bo.post_json(&approve, &json!({})).await.status(), 200);
            let rel = r.rsplit('/').next().expect("id");
            let report = get(
                &counselor,
                &format!("/api/v1/counselor/clients/{rel}/report"),
            )
            .await;
            let seen = &report["sections"]["episodes"];
            assert_eq!(seen["directions"], nr["directions"]);
            assert_eq!(seen["ratios"], nr["ratios"]);
            assert_eq!(seen["spirals_recur"], true);
            assert_eq!(
                seen["spirals"].as_array().map(Vec::len),
                Some(4),
                "the same spirals, without titles"
            );
            assert_eq!(seen["spirals"][0]["title"], Value::Null);
        }
        assert_eq!(nr["ratios"]["conflict"]["positive"], 16);
        assert_eq!(nr["ratios"]["conflict"]["negative"], 24);
        close(&nr["positive_negative_ratio"], 16.0 / 24.0);
        close(&nr["ratios"]["conflict"]["smoothed"], 16.5 / 24.5);
        assert_eq!(nr["ratios"]["everyday"]["ratio"], Value::Null);
        let months = nr["months"].as_array().expect("months");
        assert_eq!(months.len(), 1);
        assert_eq!(
            (&months[0]["episodes"], &months[0]["turns"]),
            (&json!(4), &json!(40))
        );
        assert_eq!(months[0]["spirals"], 4);
        close(
            &months[0]["directions"][0]["p_negative_after_negative"],
            8.0 / 12.0,
        );
        assert_eq!(
            (nr["episodes"].as_u64(), nr["turns"].as_u64()),
            (Some(4), Some(40))
        );
    }
    // The turn that was negative points to the guide; the others do not.
    let negative = turn(&ada, &r, &first, &bo_id, "contempt", 2).await;
    assert_eq!(negative["guide"], "/before-you-answer");
    assert_eq!(negative["valence"], "negative");
    assert_eq!(negative["position"], 11);
    let kind = turn(&ada, &r, &first, &bo_id, "affection", 2).await;
    assert_eq!(kind["guide"], Value::Null);
}

/// Bids: Bo reaches out twelve times in everyday moments; Ada turns toward
/// nine, away twice, against once: 9/12. Under ten answered, no rate.
async fn turning_toward_counts_answered_bids(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        bo,
        r,
        ada_id,
        bo_id,
        ..
    } = app.couple().await;
    let eid = record(&bo, &r, json!({"title": "An evening", "kind": "everyday"})).await;
    let answers = [
        ("turning_toward", 9),
        ("turning_away", 2),
        ("turning_against", 1),
    ];
    let mut given = 0;
    for (code, k) in answers {
        for _ in 0..k {
            turn(&bo, &r, &eid, &bo_id, "bid", 1).await;
            turn(&bo, &r, &eid, &ada_id, code, 1).await;
            given += 1;
            if given == 9 {
                let nr = get(&bo, &format!("{r}/negative-reciprocity")).await;
                assert_eq!(nr["bids"][1]["toward_rate"], Value::Null, "nine answered");
            }
        }
    }
    let nr = get(&bo, &format!("{r}/negative-reciprocity")).await;
    // The space's order is Ada, Bo: bids[1] are Bo's.
    let b = &nr["bids"][1];
    assert_eq!(b["bidder"], json!(bo_id));
    assert_eq!(
        (&b["bids"], &b["toward"], &b["away"], &b["against"]),
        (&json!(12), &json!(9), &json!(2), &json!(1))
    );
    close(&b["toward_rate"], 0.75);
    assert_eq!(nr["bids"][0]["bids"], 0);
}

/// Ada's private episode and Bo's unshared view leave no trace in the
/// other's answers: the same bytes before and after.
async fn private_episodes_and_views_stay_unseen(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
    } = app.couple().await;
    let shared = record(
        &ada,
        &r,
        json!({"title": "Shared one", "kind": "conflict", "share": true}),
    )
    .await;
    turn(&ada, &r, &shared, &ada_id, "criticism", 2).await;
    let paths = [
        format!("{r}/episodes"),
        format!("{r}/negative-reciprocity"),
        format!("{r}/episodes/{shared}"),
        format!("{r}/episodes/{shared}/repair"),
    ];
    let bo_before = snapshot(&bo, &paths).await;
    let hidden = record(
        &ada,
        &r,
        json!({"title": "ADA-PRIVATE", "kind": "conflict"}),
    )
    .await;
    for code in ["contempt", "criticism", "contempt"] {
        turn(&ada, &r, &hidden, &bo_id, code, 4).await;
    }
    assert_eq!(
        snapshot(&bo, &paths).await,
        bo_before,
        "Ada's private episode is invisible"
    );
    let missing = bo.get(&format!("{r}/episodes/{hidden}")).await;
    let never = bo
        .get(&format!("{r}/episodes/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(
        (missing.status(), never.status()),
        (
            reqwest::StatusCode::NOT_FOUND,
            reqwest::StatusCode::NOT_FOUND
        )
    );
    assert_eq!(
        missing.bytes().await.expect("b"),
        never.bytes().await.expect("b")
    );
    let added = bo
        .post_json(
            &format!("{r}/episodes/{hidden}/turns"),
            &json!({"actor_id": bo_id, "code": "neutral", "intensity": 1}),
        )
        .await;
    assert_eq!(added.status(), 404, "no view on an episode one cannot see");
    assert_eq!(
        app.count("episodes WHERE title LIKE '%ADA-PRIVATE%'").await,
        0,
        "the title is sealed at rest"
    );

    // Bo adds his own view of the shared episode, unshared: Ada sees nothing of it.
    let ada_before = snapshot(&ada, &paths).await;
    turn(&bo, &r, &shared, &bo_id, "stonewalling", 3).await;
    turn(&bo, &r, &shared, &ada_id, "criticism", 3).await;
    assert_eq!(
        snapshot(&ada, &paths).await,
        ada_before,
        "Bo's view is his until shared"
    );
    let detail = get(&bo, &format!("{r}/episodes/{shared}")).await;
    assert_eq!(
        detail["mine"].as_array().map(Vec::len),
        Some(2),
        "his own view"
    );
    assert_eq!(
        detail["partner"].as_array().map(Vec::len),
        Some(1),
        "and hers, shared"
    );
    assert_eq!(detail["mine"][0]["code"], "stonewalling");

    // Shared, it appears beside hers; neither overwrote the other.
    let share = bo
        .put_json(
            &format!("{r}/episodes/{shared}/share"),
            &json!({"share": true}),
        )
        .await;
    assert_eq!(share.status(), 204);
    let seen = get(&ada, &format!("{r}/episodes/{shared}")).await;
    assert_eq!(seen["mine"].as_array().map(Vec::len), Some(1));
    assert_eq!(seen["partner"][1]["code"], "criticism");
    // Withdrawn, it is gone again.
    let withdraw = bo
        .put_json(
            &format!("{r}/episodes/{shared}/share"),
            &json!({"share": false}),
        )
        .await;
    assert_eq!(withdraw.status(), 204);
    assert_eq!(
        get(&ada, &format!("{r}/episodes/{shared}")).await["partner"],
        Value::Null
    );
    // Reading his shared view was in his access log.
    let log = get(&bo, "/api/v1/me/access-log").await;
    assert!(
        log.as_array()
            .expect("log")
            .iter()
            .any(|l| l["item"] == "episodes"),
        "{log}"
    );

    // Ada shares her private one: now Bo sees it, title and all.
    let share = ada
        .put_json(
            &format!("{r}/episodes/{hidden}/share"),
            &json!({"share": true}),
        )
        .await;
    assert_eq!(share.status(), 204);
    let seen = get(&bo, &format!("{r}/episodes/{hidden}")).await;
    assert_eq!(seen["title"], "ADA-PRIVATE");
    assert_eq!(seen["partner"].as_array().map(Vec::len), Some(3));
}

/// Turns sent at the same moment each get their own place, in order,
/// never two at one place and never a 500.
async fn turns_racing_keep_their_order(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, r, ada_id, .. } = app.couple().await;
    let eid = record(&ada, &r, json!({"title": "Quick", "kind": "everyday"})).await;
    let path = format!("{r}/episodes/{eid}/turns");
    for round in 0..8 {
        let body = |code: &str| json!({"actor_id": ada_id, "code": code, "intensity": 1});
        let (humor, affection) = (body("humor"), body("affection"));
        let (a, b) = tokio::join!(
            ada.post_json(&path, &humor),
            ada.post_json(&path, &affection)
        );
        assert_eq!(
            (a.status().as_u16(), b.status().as_u16()),
            (201, 201),
            "round {round}"
        );
    }
    let detail = get(&ada, &format!("{r}/episodes/{eid}")).await;
    let positions: Vec<u64> = detail["mine"]
        .as_array()
        .expect("turns")
        .iter()
        .map(|t| t["position"].as_u64().expect("position"))
        .collect();
    assert_eq!(positions, (1..=16).collect::<Vec<u64>>());
    // Undo takes the last one only.
    assert_eq!(ada.delete(&format!("{path}/last")).await.status(), 204);
    assert_eq!(
        get(&ada, &format!("{r}/episodes/{eid}")).await["mine"]
            .as_array()
            .map(Vec::len),
        Some(15)
    );
    // An undo racing a new turn: whatever lands, the pattern (which reads
    // each view's packed copy) counts exactly the turns the view holds.
    for round in 0..6 {
        let body = json!({"actor_id": ada_id, "code": "contempt", "intensity": 2});
        let last = format!("{path}/last");
        let (added, undone) = tokio::join!(ada.post_json(&path, &body), ada.delete(&last));
        assert_eq!(
            (added.status().as_u16(), undone.status().as_u16()),
            (201, 204),
            "round {round}"
        );
        let view = get(&ada, &format!("{r}/episodes/{eid}")).await;
        let held = view["mine"].as_array().expect("turns");
        let negative = held.iter().filter(|t| t["valence"] == "negative").count();
        let nr = get(&ada, &format!("{r}/negative-reciprocity")).await;
        assert_eq!(held.len(), 15);
        assert_eq!(nr["turns"].as_u64(), Some(15), "round {round}");
        assert_eq!(
            nr["ratios"]["everyday"]["negative"].as_u64(),
            Some(negative as u64),
            "round {round}"
        );
    }
}

/// The recorder's first share re-seals the title for the couple in the
/// same write that shares it; two shares at once both answer, and the
/// title opens for the partner exactly once (never sealed twice, never
/// left under the recorder's own key).
async fn two_first_shares_at_once_share_it_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    for round in 0..6 {
        let title = format!("Private {round}");
        let eid = record(&ada, &r, json!({"title": title, "kind": "everyday"})).await;
        let path = format!("{r}/episodes/{eid}/share");
        let body = json!({"share": true});
        let (a, b) = tokio::join!(ada.put_json(&path, &body), ada.put_json(&path, &body));
        assert_eq!(
            (a.status().as_u16(), b.status().as_u16()),
            (204, 204),
            "round {round}"
        );
        let seen = get(&bo, &format!("{r}/episodes/{eid}")).await;
        assert_eq!(seen["title"], json!(title), "round {round}");
        assert_eq!(
            get(&ada, &format!("{r}/episodes/{eid}")).await["title"],
            json!(title)
        );
    }
}

/// Field-named errors and nothing written.
async fn bad_input_is_refused_by_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
    } = app.couple().await;
    for (body, field) in [
        (json!({"title": " ", "kind": "conflict"}), "title"),
        (json!({"title": "x", "kind": "fight"}), "kind"),
        (
            json!({"title": "x", "kind": "conflict", "occurred_at": "yesterday"}),
            "occurred_at",
        ),
        (
            json!({"title": "x", "kind": "conflict", "occurred_at": "2999-01-01"}),
            "occurred_at",
        ),
    ] {
        let refused = ada.post_json(&format!("{r}/episodes"), &body).await;
        assert_eq!(refused.status(), 422, "{body}");
        assert_eq!(error_of(refused).await.1.as_deref(), Some(field), "{body}");
    }
    let missing = ada
        .post_json(&format!("{r}/episodes"), &json!({"kind": "conflict"}))
        .await;
    assert_eq!(missing.status(), 400);
    assert_eq!(error_of(missing).await.1.as_deref(), Some("title"));
    assert_eq!(app.count("episodes").await, 0);

    let eid = record(
        &ada,
        &r,
        json!({"title": "Fine", "kind": "conflict", "share": true}),
    )
    .await;
    let stranger = uuid::Uuid::new_v4().to_string();
    for (body, field) in [
        (
            json!({"actor_id": ada_id, "code": "sulking", "intensity": 2}),
            "code",
        ),
        (
            json!({"actor_id": ada_id, "code": "contempt", "intensity": 0}),
            "intensity",
        ),
        (
            json!({"actor_id": ada_id, "code": "contempt", "intensity": 6}),
            "intensity",
        ),
        (
            json!({"actor_id": stranger, "code": "contempt", "intensity": 2}),
            "actor_id",
        ),
        (
            json!({"actor_id": "bo", "code": "contempt", "intensity": 2}),
            "actor_id",
        ),
        (
            json!({"actor_id": bo_id, "code": "contempt", "valence": "awful", "intensity": 2}),
            "valence",
        ),
    ] {
        let refused = ada
            .post_json(&format!("{r}/episodes/{eid}/turns"), &body)
            .await;
        assert_eq!(refused.status(), 422, "{body}");
        assert_eq!(error_of(refused).await.1.as_deref(), Some(field), "{body}");
    }
    let wrong_type = ada
        .post_json(
            &format!("{r}/episodes/{eid}/turns"),
            &json!({"actor_id": ada_id, "code": "contempt", "intensity": "high"}),
        )
        .await;
    assert_eq!(wrong_type.status(), 400);
    assert_eq!(error_of(wrong_type).await.1.as_deref(), Some("intensity"));
    assert_eq!(app.count("episode_turns").await, 0);

    // Another couple's episode: not found from either path.
    let (cy, _) = app.signed_in("cy@example.org", "Cy").await;
    let (di, _) = app.signed_in("di@example.org", "Di").await;
    let other = cy.create_relationship().await;
    let joined = di
        .post_json(
            "/api/v1/relationships/join",
            &json!({"invite_code": other["invite_code"]}),
        )
        .await;
    assert_eq!(joined.status(), 200);
    let r2 = format!(
        "/api/v1/relationships/{}",
        other["id"].as_str().expect("id")
    );
    let theirs = record(
        &cy,
        &r2,
        json!({"title": "Theirs", "kind": "conflict", "share": true}),
    )
    .await;
    let body = json!({"actor_id": ada_id, "code": "neutral", "intensity": 1});
    for path in [
        format!("{r}/episodes/{theirs}/turns"),
        format!("{r2}/episodes/{theirs}/turns"),
    ] {
        assert_eq!(ada.post_json(&path, &body).await.status(), 404, "{path}");
    }
    assert_eq!(app.count("episode_turns").await, 0);

    // Repair text over 5,000 characters, or nothing at all.
    let long = "x".repeat(5_001);
    let refused = ada
        .put_json(
            &format!("{r}/episodes/{eid}/repair"),
            &json!({"needed": long}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(error_of(refused).await.1.as_deref(), Some("needed"));
    let empty = ada
        .put_json(
            &format!("{r}/episodes/{eid}/repair"),
            &json!({"my_part": "  "}),
        )
        .await;
    assert_eq!(empty.status(), 422);
    assert_eq!(
        app.count("sealed_sides WHERE answers IS NOT NULL AND submitted_at IS NOT NULL")
            .await,
        0
    );
    // A private episode has no repair yet.
    let private = record(&bo, &r, json!({"title": "Mine", "kind": "conflict"})).await;
    let early = bo
        .put_json(
            &format!("{r}/episodes/{private}/repair"),
            &json!({"felt": "sad"}),
        )
        .await;
    assert_eq!(early.status(), 409);
    assert_eq!(error_of(early).await.0, "not_shared");
}

/// The repair is sealed until both wrote: before that, the partner learns
/// one bool (sent or not), not even whether a draft exists.
async fn repair_is_sealed_until_both_wrote(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let eid = record(
        &ada,
        &r,
        json!({"title": "Late again", "kind": "conflict", "share": true}),
    )
    .await;
    let path = format!("{r}/episodes/{eid}/repair");
    let bo_before = bo.get(&path).await.bytes().await.expect("body");
    let draft = ada
        .put_json(&path, &json!({"my_part": "I snapped", "draft": true}))
        .await;
    assert_eq!(draft.status(), 200);
    assert_eq!(
        bo.get(&path).await.bytes().await.expect("body"),
        bo_before,
        "a draft shows nothing"
    );
    let sent = ada
        .put_json(
            &path,
            &json!({"felt": "worried", "needed": "a text", "next_time": "ask"}),
        )
        .await;
    let sent: Value = sent.json().await.expect("json");
    assert_eq!(sent["state"], "sealed");
    assert_eq!(sent["sent"], true);
    assert_eq!(
        sent["mine"]["my_part"], "I snapped",
        "the draft and the rest, together"
    );
    let waiting = get(&bo, &path).await;
    assert_eq!(waiting["state"], "sealed");
    assert_eq!(waiting["partner_sent"], true);
    assert_eq!(waiting["partner"], Value::Null);
    assert!(!waiting.to_string().contains("snapped"));
    let again = ada.put_json(&path, &json!({"felt": "changed"})).await;
    assert_eq!(again.status(), 409);
    assert_eq!(error_of(again).await.0, "already_submitted");
    let bo_sent = bo
        .put_json(&path, &json!({"my_part": "I was late", "felt": "ashamed"}))
        .await;
    let revealed: Value = bo_sent.json().await.expect("json");
    assert_eq!(revealed["state"], "revealed", "{revealed}");
    assert_eq!(revealed["partner"]["my_part"], "I snapped");
    let ada_sees = get(&ada, &path).await;
    assert_eq!(ada_sees["partner"]["felt"], "ashamed");
    assert_eq!(ada_sees["revealed_at"], revealed["revealed_at"]);
}

/// Four repaired episodes: Ada named her own part once, Bo every time:
/// 1/4 < 1/3 and 4/4 > 2/3, an imbalance both see.
async fn responsibility_balance_shows_a_one_sided_pattern(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
    } = app.couple().await;
    for k in 0..4 {
        let eid = record(
            &ada,
            &r,
            json!({"title": format!("E{k}"), "kind": "conflict", "share": true}),
        )
        .await;
        let path = format!("{r}/episodes/{eid}/repair");
        let ada_part = if k == 0 { "I raised my voice" } else { "" };
        assert_eq!(
            ada.put_json(&path, &json!({"my_part": ada_part, "felt": "hurt"}))
                .await
                .status(),
            200
        );
        assert_eq!(
            bo.put_json(&path, &json!({"my_part": "I walked off", "felt": "tired"}))
                .await
                .status(),
            200
        );
        let nr = get(&bo, &format!("{r}/negative-reciprocity")).await;
        assert_eq!(
            nr["responsibility"]["imbalance"],
            k == 3,
            "after {} repairs: {nr}",
            k + 1
        );
    }
    for p in [&ada, &bo] {
        let nr = get(p, &format!("{r}/negative-reciprocity")).await;
        let resp = &nr["responsibility"];
        assert_eq!(resp["repaired"], 4);
        assert_eq!(resp["partners"][0]["account_id"], json!(ada_id));
        assert_eq!(resp["partners"][0]["named"], 1);
        assert_eq!(resp["partners"][1]["account_id"], json!(bo_id));
        assert_eq!(resp["partners"][1]["named"], 4);
        close(&resp["partners"][0]["share"], 0.25);
    }
}

/// After the end each former partner reads the episodes they recorded,
/// their own view only; nothing can be written.
async fn after_the_end_only_ones_own(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
    } = app.couple().await;
    let hers = record(
        &ada,
        &r,
        json!({"title": "Hers", "kind": "conflict", "share": true}),
    )
    .await;
    turn(&ada, &r, &hers, &ada_id, "criticism", 1).await;
    turn(&bo, &r, &hers, &bo_id, "defensiveness", 1).await;
    assert_eq!(
        bo.put_json(
            &format!("{r}/episodes/{hers}/share"),
            &json!({"share": true})
        )
        .await
        .status(),
        204
    );
    let his = record(
        &bo,
        &r,
        json!({"title": "His", "kind": "everyday", "share": true}),
    )
    .await;
    turn(&bo, &r, &his, &ada_id, "bid", 1).await;
    let repaired = bo
        .put_json(
            &format!("{r}/episodes/{hers}/repair"),
            &json!({"my_part": "BO-OWN-PART", "draft": true}),
        )
        .await;
    assert_eq!(repaired.status(), 200);
    let own_before = get(&bo, "/api/v1/me/export").await["relationships"][0]
        ["your_views_of_their_episodes"]
        .clone();
    assert_eq!(own_before, json!([]), "while open, every episode opens");
    assert_eq!(
        ada.post_json(&format!("{r}/leave"), &json!({}))
            .await
            .status(),
        200
    );
    // Bo can no longer open Ada's episode, but his own view and repair of
    // it are his words: they stay in his export, without her title.
    let export = get(&bo, "/api/v1/me/export").await;
    let own = &export["relationships"][0]["your_views_of_their_episodes"];
    assert_eq!(own.as_array().map(Vec::len), Some(1), "{own}");
    assert_eq!(own[0]["episode_id"], json!(hers));
    assert_eq!(own[0]["turns"][0]["code"], "defensiveness");
    assert_eq!(own[0]["repair"]["my_part"], "BO-OWN-PART");
    assert!(!own.to_string().contains("Hers"));
    assert!(
        !export.to_string().contains("criticism"),
        "none of Ada's turns"
    );
    let list = get(&bo, &format!("{r}/episodes")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["title"], "His");
    assert_eq!(bo.get(&format!("{r}/episodes/{hers}")).await.status(), 404);
    let mine = get(&ada, &format!("{r}/episodes/{hers}")).await;
    assert_eq!(mine["partner"], Value::Null, "not his view any more");
    assert_eq!(mine["mine"].as_array().map(Vec::len), Some(1));
    let nr = get(&ada, &format!("{r}/negative-reciprocity")).await;
    assert_eq!(nr["responsibility"], Value::Null);
    assert_eq!(nr["turns"], 1);
    let refused = ada
        .post_json(
            &format!("{r}/episodes/{hers}/turns"),
            &json!({"actor_id": ada_id, "code": "neutral", "intensity": 1}),
        )
        .await;
    assert_eq!(refused.status(), 409);
    assert_eq!(error_of(refused).await.0, "ended");
}

/// Deleting an account: the unshared episodes go, a shared one stays for
/// the partner with its title emptied; the person's views go, the
/// partner's view stays whole.
async fn an_account_deleted_takes_its_episodes_and_views(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
    } = app.couple().await;
    let shared = record(
        &ada,
        &r,
        json!({"title": "Shared", "kind": "conflict", "share": true}),
    )
    .await;
    turn(&ada, &r, &shared, &bo_id, "contempt", 2).await;
    turn(&bo, &r, &shared, &ada_id, "criticism", 2).await;
    let private = record(&ada, &r, json!({"title": "Private", "kind": "conflict"})).await;
    turn(&ada, &r, &private, &ada_id, "neutral", 1).await;
    let deleted = ada
        .client
        .delete(ada.url("/api/v1/me"))
        .json(&json!({"password": "a long password"}))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.count(&format!("episodes WHERE id = '{private}'")).await,
        0
    );
    assert_eq!(
        app.count(&format!("episodes WHERE id = '{shared}' AND title IS NULL"))
            .await,
        1
    );
    assert_eq!(
        app.count(&format!("episode_turns WHERE author_id = '{ada_id}'"))
            .await,
        0
    );
    assert_eq!(
        app.count(&format!("episode_views WHERE author_id = '{ada_id}'"))
            .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "episode_turns WHERE author_id = '{bo_id}' AND actor_id = '{ada_id}'"
        ))
        .await,
        1,
        "Bo's view keeps its turns"
    );
}

on_both_engines!(
    the_pattern_matches_a_hand_computation,
    turning_toward_counts_answered_bids,
    private_episodes_and_views_stay_unseen,
    turns_racing_keep_their_order,
    two_first_shares_at_once_share_it_once,
    bad_input_is_refused_by_field_and_writes_nothing,
    repair_is_sealed_until_both_wrote,
    responsibility_balance_shows_a_one_sided_pattern,
    after_the_end_only_ones_own,
    an_account_deleted_takes_its_episodes_and_views,
);
