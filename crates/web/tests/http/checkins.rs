//! Check-ins over real HTTP, on both engines (API.md "Check-ins", issue
//! 16): the figures against hand-computed values; unshared check-ins
//! invisible to the partner, byte for byte; sharing and withdrawing;
//! reciprocated love; bad input refused by field with nothing written; one
//! per day unless replaced, also when two race; the note for its author.

use crate::common;

use crate::common::{error_of, DbEngine, Person, TestApp};
use serde_json::{json, Value};

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

/// A check-in with every answer 4 but those given.
fn checkin(on: &str, set: &[(&str, i64)], share: bool) -> Value {
    let mut body = json!({"on": on, "share": share});
    for k in KEYS {
        body[k] = json!(4);
    }
    for (k, v) in set {
        body[*k] = json!(v);
    }
    body
}

fn days_ago(n: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(n)).to_string()
}

async fn keep(p: &Person, r: &str, body: Value) -> Value {
    let response = p.post_json(&format!("{r}/checkins"), &body).await;
    let status = response.status();
    let json: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "{json}");
    json
}

async fn summary(p: &Person, r: &str) -> Value {
    let response = p.get(&format!("{r}/checkins/summary")).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn the_figures_match_a_hand_computation_and_unshared_stays_unseen(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada, bo, r, ada_id, ..
    } = app.couple().await;
    let bo_before = bo
        .get(&format!("{r}/checkins/summary"))
        .await
        .bytes()
        .await
        .expect("body");

    // Outcomes 2, 4, 3 a week apart: slope 1/2 a week; the comparison level
    // before the last is (2 + 4)/2 = 3, so O − CL = 0 (analytics::checkins).
    for (ago, rewards, costs) in [(14, 6, 4), (7, 7, 3), (0, 5, 2)] {
        keep(
            &ada,
            &r,
            checkin(
                &days_ago(ago),
                &[("rewards", rewards), ("costs", costs)],
                false,
            ),
        )
        .await;
    }
    let mine = summary(&ada, &r).await;
    let me = &mine["partners"][0];
    assert_eq!(me["account_id"], ada_id);
    assert_eq!(
        (
            me["latest_outcome"].as_f64(),
            me["comparison_level"].as_f64(),
            me["outcome_vs_comparison"].as_f64()
        ),
        (Some(3.0), Some(3.0), Some(0.0))
    );
    assert_eq!(me["slope_per_week"].as_f64(), Some(0.5));
    let levels: Vec<Option<f64>> = me["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|p| p["comparison_level"].as_f64())
        .collect();
    assert_eq!(levels, [None, Some(2.0), Some(3.0)]);
    assert_eq!(mine["due"], false, "checked in today");

    // Bo reads exactly what he read before: no count, no date, no size.
    let bo_after = bo
        .get(&format!("{r}/checkins/summary"))
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(bo_before, bo_after);
    let his = summary(&bo, &r).await;
    assert_eq!(his["partners"].as_array().map(Vec::len), Some(1));
    assert_eq!(his["due"], true, "he has not checked in");

    // Ada shares last week's: Bo sees that one point, with its figures
    // computed over what he may see (one point: no comparison, no slope).
    let list = ada
        .get(&format!("{r}/checkins"))
        .await
        .json::<Value>()
        .await
        .expect("json");
    let last_week = list
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["on"] == days_ago(7))
        .expect("found")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let shared = ada
        .put_json(
            &format!("{r}/checkins/{last_week}/share"),
            &json!({"share": true}),
        )
        .await;
    assert_eq!(shared.status(), 204);
    let his = summary(&bo, &r).await;
    let hers = &his["partners"][1];
    assert_eq!(hers["account_id"], ada_id);
    assert_eq!(hers["series"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            hers["latest_outcome"].as_f64(),
            hers["comparison_level"].as_f64()
        ),
        (Some(4.0), None)
    );
    assert_eq!(hers["slope_per_week"], Value::Null);
    // Bo cannot share or withdraw hers; she withdraws it and it is gone.
    let theirs = bo
        .put_json(
            &format!("{r}/checkins/{last_week}/share"),
            &json!({"share": false}),
        )
        .await;
    assert_eq!(theirs.status(), 404);
    let withdrawn = ada
        .put_json(
            &format!("{r}/checkins/{last_week}/share"),
            &json!({"share": false}),
        )
        .await;
    assert_eq!(withdrawn.status(), 204);
    assert_eq!(
        bo.get(&format!("{r}/checkins/summary"))
            .await
            .bytes()
            .await
            .expect("body"),
        bo_before
    );
}

async fn reciprocated_love_shows_where_both_shared(engine: DbEngine) {
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
    let today = days_ago(0);
    keep(
        &ada,
        &r,
        checkin(&today, &[("love_given", 8), ("love_received", 3)], true),
    )
    .await;
    assert_eq!(
        summary(&ada, &r).await["love"],
        json!([]),
        "only once both shared"
    );
    keep(
        &bo,
        &r,
        checkin(&today, &[("love_given", 6), ("love_received", 5)], true),
    )
    .await;
    for p in [&ada, &bo] {
        let love = summary(p, &r).await["love"].clone();
        let pairs: Vec<(Value, i64, Value, i64)> = love
            .as_array()
            .expect("love")
            .iter()
            .map(|l| {
                (
                    l["from"].clone(),
                    l["love_given"].as_i64().expect("g"),
                    l["to"].clone(),
                    l["love_received"].as_i64().expect("r"),
                )
            })
            .collect();
        assert!(
            pairs.contains(&(json!(ada_id), 8, json!(bo_id), 5)),
            "{love}"
        );
        assert!(
            pairs.contains(&(json!(bo_id), 6, json!(ada_id), 3)),
            "{love}"
        );
    }
}

async fn bad_input_is_refused_by_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, r, .. } = app.couple().await;
    let today = days_ago(0);
    let mut missing = checkin(&today, &[], false);
    missing.as_object_mut().expect("object").remove("passion");
    let cases = [
        (checkin(&today, &[("passion", 9)], false), 422, "passion"),
        (checkin(&today, &[("costs", -1)], false), 422, "costs"),
        (checkin(&days_ago(-2), &[], false), 422, "on"),
        (checkin("yesterday", &[], false), 422, "on"),
        (missing, 400, "passion"),
        (
            {
                let mut b = checkin(&today, &[], false);
                b["note"] = json!("n".repeat(2_001));
                b
            },
            422,
            "note",
        ),
        (
            {
                let mut b = checkin(&today, &[], false);
                b["mood"] = json!(3);
                b
            },
            400,
            "mood",
        ),
    ];
    for (body, status, field) in cases {
        let response = ada.post_json(&format!("{r}/checkins"), &body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert_eq!(error_of(response).await.1.as_deref(), Some(field), "{body}");
    }
    assert_eq!(app.count("checkins").await, 0);

    keep(&ada, &r, checkin(&today, &[("passion", 2)], false)).await;
    let again = ada
        .post_json(
            &format!("{r}/checkins"),
            &checkin(&today, &[("passion", 7)], false),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        error_of(again).await,
        ("already_checked_in".into(), Some("on".into()))
    );
    let mut replace = checkin(&today, &[("passion", 7)], false);
    replace["replace"] = json!(true);
    replace["note"] = json!("ADA-PRIVATE-NOTE");
    keep(&ada, &r, replace).await;
    assert_eq!(app.count("checkins").await, 1);
    let list = ada
        .get(&format!("{r}/checkins"))
        .await
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(
        (list[0]["passion"].as_i64(), list[0]["note"].as_str()),
        (Some(7), Some("ADA-PRIVATE-NOTE"))
    );
    assert_eq!(
        app.count("checkins WHERE note LIKE '%ADA-PRIVATE%'").await,
        0,
        "sealed at rest"
    );
    let cadence = ada
        .put_json(&format!("{r}/checkins/cadence"), &json!({"every_days": 0}))
        .await;
    assert_eq!(cadence.status(), 422);
    assert_eq!(error_of(cadence).await.1.as_deref(), Some("every_days"));
    let cadence = ada
        .put_json(&format!("{r}/checkins/cadence"), &json!({"every_days": 14}))
        .await;
    assert_eq!(cadence.status(), 200);
    assert_eq!(summary(&ada, &r).await["cadence_days"], 14);
}

/// Two check-ins for the same day sent at once: one is kept, the other
/// refused by name; never two rows, never a 500.
async fn two_check_ins_racing_for_one_day_keep_one(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, r, .. } = app.couple().await;
    for n in 0..8 {
        let on = days_ago(n);
        let path = format!("{r}/checkins");
        let (first, second) = (
            checkin(&on, &[("passion", 1)], false),
            checkin(&on, &[("passion", 2)], false),
        );
        let (a, b) = tokio::join!(ada.post_json(&path, &first), ada.post_json(&path, &second));
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "day {on}");
        assert_eq!(app.count("checkins").await, n + 1, "one kept for {on}");
    }
    assert_eq!(app.count("checkins").await, 8);
}

/// After the end each former partner reads only their own check-ins.
async fn after_the_end_only_ones_own(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    keep(&ada, &r, checkin(&days_ago(0), &[], true)).await;
    keep(&bo, &r, checkin(&days_ago(0), &[], true)).await;
    assert_eq!(
        summary(&bo, &r).await["partners"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        ada.post_json(&format!("{r}/leave"), &json!({}))
            .await
            .status(),
        200
    );
    for p in [&ada, &bo] {
        let s = summary(p, &r).await;
        assert_eq!(s["partners"].as_array().map(Vec::len), Some(1), "{s}");
        assert_eq!(s["love"], json!([]));
    }
    let refused = bo
        .post_json(&format!("{r}/checkins"), &checkin(&days_ago(1), &[], true))
        .await;
    assert_eq!(refused.status(), 409);
    assert_eq!(error_of(refused).await.0, "ended");
    assert_eq!(
        bo.get(&format!("{r}/checkins/export.csv")).await.status(),
        409
    );
}

/// Deleting an account deletes its check-ins, shared ones too; the
/// partner's stay, and so does the couple's cadence.
async fn an_account_deleted_takes_its_check_ins(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada, bo, r, ada_id, ..
    } = app.couple().await;
    keep(&ada, &r, checkin(&days_ago(1), &[], true)).await;
    keep(&ada, &r, checkin(&days_ago(0), &[], false)).await;
    keep(&bo, &r, checkin(&days_ago(0), &[], true)).await;
    let cadence = ada
        .put_json(&format!("{r}/checkins/cadence"), &json!({"every_days": 30}))
        .await;
    assert_eq!(cadence.status(), 200);
    let deleted = ada
        .client
        .delete(ada.url("/api/v1/me"))
        .json(&json!({"password": "a long password"}))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.count(&format!("checkins WHERE author_id = '{ada_id}'"))
            .await,
        0
    );
    assert_eq!(app.count("checkins").await, 1, "Bo's stays");
    assert_eq!(app.count("checkin_cadence").await, 1);
    assert_eq!(
        summary(&bo, &r).await["partners"].as_array().map(Vec::len),
        Some(1)
    );
}

/// Bo's access log says Ada looked at his check-ins only when she did: the
/// home page and the questionnaire show no one's answers.
async fn the_access_log_counts_only_real_looks(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    keep(&bo, &r, checkin(&days_ago(0), &[], true)).await;
    let looked = |log: Value| {
        log.as_array()
            .expect("log")
            .iter()
            .any(|l| l["item"] == "checkins")
    };
    for page in ["/home", "/checkins"] {
        assert_eq!(ada.get(page).await.status(), 200, "{page}");
    }
    let log: Value = bo
        .get("/api/v1/me/access-log")
        .await
        .json()
        .await
        .expect("json");
    assert!(!looked(log.clone()), "{log}");
    assert_eq!(ada.get("/checkins/trends").await.status(), 200);
    let log: Value = bo
        .get("/api/v1/me/access-log")
        .await
        .json()
        .await
        .expect("json");
    assert!(looked(log.clone()), "{log}");
}

/// Years of check-ins stay light on a phone: the charts hold every one, the
/// tables and the list the latest twelve, and all of them on request.
async fn the_trends_page_lists_the_latest_unless_asked_for_all(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, r, .. } = app.couple().await;
    for n in 0..14 {
        keep(&ada, &r, checkin(&days_ago(n), &[], false)).await;
    }
    let page = ada
        .get("/checkins/trends")
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("id=\"latest-only\""));
    assert_eq!(page.matches("<li id=\"c-").count(), 12);
    let all = ada
        .get("/checkins/trends?all=1")
        .await
        .text()
        .await
        .expect("page");
    assert!(!all.contains("id=\"latest-only\""));
    assert_eq!(all.matches("<li id=\"c-").count(), 14);
}

on_both_engines!(
    the_trends_page_lists_the_latest_unless_asked_for_all,
    the_access_log_counts_only_real_looks,
    an_account_deleted_takes_its_check_ins,
    the_figures_match_a_hand_computation_and_unshared_stays_unseen,
    reciprocated_love_shows_where_both_shared,
    bad_input_is_refused_by_field_and_writes_nothing,
    two_check_ins_racing_for_one_day_keep_one,
    after_the_end_only_ones_own,
);
