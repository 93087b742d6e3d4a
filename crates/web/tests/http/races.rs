//! Every rule holds at the moment of writing: two requests sent at once never
//! both get past a rule that each would pass alone, on both engines, many
//! times over, and no race ever answers a 5xx.

use crate::common;

use crate::common::{DbEngine, Person, TestApp};
use serde_json::{json, Value};

/// Races per test and engine: enough to hit the window between a check and
/// its write, few enough to keep each test well under twenty seconds.
const ITERATIONS: usize = 25;

/// How many corrections Ada tries while Bo says thank you.
const CORRECTIONS: usize = 20;

/// A response's status and JSON body (null when there is none, as for a 204).
async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The error code of an error body ("" for any other body).
fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// Never a 5xx for anything a client sent.
fn no_server_error(round: usize, what: &str, (status, body): &(u16, Value)) {
    assert!(
        *status < 500,
        "round {round}: {what} answered {status}: {body}"
    );
}

fn unique_email(who: &str) -> String {
    format!("{who}-{}@example.org", uuid::Uuid::new_v4().simple())
}

/// Two new accounts joined in an active relationship; unlike `app.couple()`
/// (fixed e-mails) it can be called as often as needed in one app.
async fn fresh_couple(app: &TestApp) -> common::Couple {
    let (ada, ada_id) = app.signed_in(&unique_email("ada"), "Ada").await;
    let (bo, bo_id) = app.signed_in(&unique_email("bo"), "Bo").await;
    let created = ada.create_relationship().await;
    let joined = bo
        .post_json(
            "/api/v1/relationships/join",
            &json!({"invite_code": created["invite_code"]}),
        )
        .await;
    assert_eq!(joined.status(), 200, "join");
    common::Couple {
        ada,
        ada_id,
        bo,
        bo_id,
        r: format!(
            "/api/v1/relationships/{}",
            created["id"].as_str().expect("id")
        ),
    }
}

/// Logs a contribution the caller gave; returns its id.
async fn log(p: &Person, r: &str, description: &str) -> String {
    let (status, body) = answer(
        p.post_json(
            &format!("{r}/contributions"),
            &json!({"domain": "household_labor", "description": description, "effort": 2}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

/// The entry as `p` finds it in the ledger, if it is there.
async fn entry(p: &Person, r: &str, cid: &str) -> Option<Value> {
    let (status, body) = answer(p.get(&format!("{r}/contributions")).await).await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .expect("a list")
        .iter()
        .find(|e| e["id"] == cid)
        .cloned()
}

async fn relationships_of(p: &Person) -> Vec<Value> {
    let (status, me) = answer(p.get("/api/v1/me").await).await;
    assert_eq!(status, 200, "{me}");
    me["relationships"]
        .as_array()
        .expect("relationships")
        .clone()
}

async fn a_correction_never_lands_after_the_thanks(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let mut thanked = 0;
    for round in 0..ITERATIONS {
        let cid = log(&ada, &r, &format!("round {round}, v0")).await;
        let path = format!("{r}/contributions/{cid}");
        let corrections = async {
            let mut replies = Vec::new();
            for n in 1..=CORRECTIONS {
                let reply = answer(
                    ada.patch_json(
                        &path,
                        &json!({"description": format!("round {round}, v{n}")}),
                    )
                    .await,
                )
                .await;
                let refused = reply.0 != 200;
                replies.push(reply);
                if refused {
                    break;
                }
            }
            replies
        };
        let thanks = async {
            answer(
                bo.post_json(&format!("{path}/acknowledgment"), &json!({"value": 4}))
                    .await,
            )
            .await
        };
        let (corrections, ack) = tokio::join!(corrections, thanks);

        no_server_error(round, "the thanks", &ack);
        for reply in &corrections {
            no_server_error(round, "a correction", reply);
            if reply.0 != 200 {
                assert_eq!(
                    (reply.0, code(&reply.1)),
                    (409, "kept_as_history"),
                    "round {round}: a refused correction: {}",
                    reply.1
                );
            }
        }
        if ack.0 == 200 {
            thanked += 1;
            let stored = entry(&bo, &r, &cid).await.expect("a thanked entry is kept");
            let landed = corrections.iter().filter(|c| c.0 == 200).count();
            assert_eq!(
                stored["description"],
                ack.1["description"],
                "round {round}: a correction landed after Bo's thanks \
                 ({landed} of {} corrections answered 200)",
                corrections.len()
            );
            assert_eq!(
                (stored["acknowledged"].as_bool(), stored["value"].as_u64()),
                (Some(true), Some(4)),
                "round {round}: the thanks is kept: {stored}"
            );
        }
    }
    assert!(
        thanked > 0,
        "no thanks got through: the race proved nothing"
    );
}

async fn an_entry_is_never_both_deleted_and_thanked(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    for round in 0..ITERATIONS {
        let cid = log(&ada, &r, &format!("round {round}")).await;
        let path = format!("{r}/contributions/{cid}");
        let (deleted, ack) = tokio::join!(async { answer(ada.delete(&path).await).await }, async {
            answer(
                bo.post_json(&format!("{path}/acknowledgment"), &json!({"value": 4}))
                    .await,
            )
            .await
        },);
        no_server_error(round, "the deletion", &deleted);
        no_server_error(round, "the thanks", &ack);
        let stored = entry(&bo, &r, &cid).await;
        match (ack.0, deleted.0) {
            (200, 204) => panic!(
                "round {round}: both the thanks and the deletion succeeded (entry now {stored:?})"
            ),
            (200, _) => {
                assert_eq!(
                    (deleted.0, code(&deleted.1)),
                    (409, "kept_as_history"),
                    "round {round}: the deletion of a thanked entry: {}",
                    deleted.1
                );
                let stored = stored.expect("a thanked entry is kept");
                assert_eq!(stored["value"], 4, "round {round}: {stored}");
            }
            (_, 204) => {
                assert!(
                    stored.is_none(),
                    "round {round}: a deleted entry is gone: {stored:?}"
                );
                assert!(
                    matches!(ack.0, 404 | 409),
                    "round {round}: the thanks for a deleted entry answered {}: {}",
                    ack.0,
                    ack.1
                );
            }
            _ => panic!(
                "round {round}: neither succeeded: thanks {} {}, deletion {} {}",
                ack.0, ack.1, deleted.0, deleted.1
            ),
        }
    }
}

async fn one_account_starting_two_relationships_at_once_gets_one(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    for round in 0..ITERATIONS {
        let (cy, _) = app.signed_in(&unique_email("cy"), "Cy").await;
        let (first, second) = tokio::join!(
            async { answer(cy.post_json("/api/v1/relationships", &json!({})).await).await },
            async { answer(cy.post_json("/api/v1/relationships", &json!({})).await).await },
        );
        no_server_error(round, "the first creation", &first);
        no_server_error(round, "the second creation", &second);
        let (won, refused) = match (first.0, second.0) {
            (201, 201) => panic!("round {round}: both creations succeeded"),
            (201, _) => (&first, &second),
            (_, 201) => (&second, &first),
            _ => panic!(
                "round {round}: neither creation succeeded: {} {}, {} {}",
                first.0, first.1, second.0, second.1
            ),
        };
        assert_eq!(
            (refused.0, code(&refused.1)),
            (409, "already_in_relationship"),
            "round {round}: {}",
            refused.1
        );
        let listed = relationships_of(&cy).await;
        assert_eq!(listed.len(), 1, "round {round}: {listed:?}");
        assert_eq!(
            (listed[0]["id"].clone(), listed[0]["status"].as_str()),
            (won.1["id"].clone(), Some("pending")),
            "round {round}"
        );
    }
}

async fn creating_and_joining_at_once_leaves_one_open_relationship(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    for round in 0..ITERATIONS {
        let (bo, _) = app.signed_in(&unique_email("bo"), "Bo").await;
        let invited = bo.create_relationship().await;
        let (cy, _) = app.signed_in(&unique_email("cy"), "Cy").await;
        let (created, joined) = tokio::join!(
            async { answer(cy.post_json("/api/v1/relationships", &json!({})).await).await },
            async {
                answer(
                    cy.post_json(
                        "/api/v1/relationships/join",
                        &json!({"invite_code": invited["invite_code"]}),
                    )
                    .await,
                )
                .await
            },
        );
        no_server_error(round, "Cy's creation", &created);
        no_server_error(round, "Cy's join", &joined);
        let (refused, id, status) = match (created.0, joined.0) {
            (201, 200) => panic!("round {round}: Cy both created and joined"),
            (201, _) => (&joined, created.1["id"].clone(), "pending"),
            (_, 200) => (&created, invited["id"].clone(), "active"),
            _ => panic!(
                "round {round}: neither succeeded: create {} {}, join {} {}",
                created.0, created.1, joined.0, joined.1
            ),
        };
        assert_eq!(
            (refused.0, code(&refused.1)),
            (409, "already_in_relationship"),
            "round {round}: {}",
            refused.1
        );
        let open: Vec<Value> = relationships_of(&cy)
            .await
            .into_iter()
            .filter(|m| matches!(m["status"].as_str(), Some("pending" | "active")))
            .collect();
        assert_eq!(
            open.len(),
            1,
            "round {round}: Cy's open relationships {open:?}"
        );
        assert_eq!(
            (open[0]["id"].clone(), open[0]["status"].as_str()),
            (id, Some(status)),
            "round {round}"
        );
    }
}

async fn add_area(p: &Person, r: &str, name: &str) -> (u16, Value) {
    answer(
        p.post_json(&format!("{r}/respect/areas"), &json!({"name": name}))
            .await,
    )
    .await
}

async fn two_areas_added_at_once_never_pass_the_cap_of_eight(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    for round in 0..ITERATIONS {
        let common::Couple { ada, bo, r, .. } = fresh_couple(&app).await;
        for n in 1..=7 {
            let added = add_area(&ada, &r, &format!("Area {n}")).await;
            assert_eq!(added.0, 201, "round {round}: area {n}: {}", added.1);
        }
        let (from_ada, from_bo) = tokio::join!(
            add_area(&ada, &r, "Ada's eighth"),
            add_area(&bo, &r, "Bo's eighth"),
        );
        no_server_error(round, "Ada's area", &from_ada);
        no_server_error(round, "Bo's area", &from_bo);
        let refused = match (from_ada.0, from_bo.0) {
            (201, 201) => panic!("round {round}: both eighth areas were added"),
            (201, _) => &from_bo,
            (_, 201) => &from_ada,
            _ => panic!(
                "round {round}: neither eighth area was added: {} {}, {} {}",
                from_ada.0, from_ada.1, from_bo.0, from_bo.1
            ),
        };
        // The cap's own answer, asked alone, is what the race's loser gets.
        let ninth = add_area(&bo, &r, "A ninth").await;
        assert!(
            matches!(ninth.0, 409 | 422),
            "round {round}: a ninth area: {} {}",
            ninth.0,
            ninth.1
        );
        assert_eq!(
            (refused.0, code(&refused.1)),
            (ninth.0, code(&ninth.1)),
            "round {round}: the loser of the race is refused as the cap refuses: {}",
            refused.1
        );
        let (status, areas) = answer(ada.get(&format!("{r}/respect/areas")).await).await;
        assert_eq!(status, 200, "{areas}");
        let custom = areas
            .as_array()
            .expect("areas")
            .iter()
            .filter(|a| a["custom"] == true)
            .count();
        assert_eq!(custom, 8, "round {round}: {areas}");
    }
}

/// Rounds of the access-log race, each on a couple of its own (the log
/// keeps one line per day, so a second burst on the same couple would find
/// the line already there and race nothing).
const LOG_ROUNDS: usize = 8;

/// Reads the partner fires at once in each round.
const READERS: usize = 16;

/// The access log's once-a-day rule (`store::access_log`: one row per owner,
/// viewer, relationship, kind and day) holds when the partner's reads arrive
/// all at once: each read answers 200, and the owner's log has exactly one
/// line, through the API and in the table itself.
async fn many_reads_at_once_by_the_partner_leave_one_log_line(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    for round in 0..LOG_ROUNDS {
        let common::Couple {
            ada, bo, bo_id, r, ..
        } = fresh_couple(&app).await;
        log(&ada, &r, &format!("round {round}: shared with Bo")).await;
        let (status, before) = answer(ada.get("/api/v1/me/access-log").await).await;
        assert_eq!((status, &before), (200, &json!([])), "round {round}");

        // Half through the API, half through the ledger page: one use case,
        // one rule.
        let mut reads = tokio::task::JoinSet::new();
        for i in 0..READERS {
            let reader = Person {
                base: bo.base.clone(),
                client: bo.client.clone(),
            };
            let path = if i % 2 == 0 {
                format!("{r}/contributions")
            } else {
                "/ledger".to_owned()
            };
            reads.spawn(async move {
                let response = reader.get(&path).await;
                let status = response.status().as_u16();
                let body = response.text().await.expect("body");
                (path, status, body)
            });
        }
        let mut answered = 0;
        while let Some(read) = reads.join_next().await {
            let (path, status, body) = read.expect("the read ran");
            assert_eq!(status, 200, "round {round}: {path}: {body}");
            assert!(
                body.contains("shared with Bo"),
                "round {round}: {path} shows Ada's entry"
            );
            answered += 1;
        }
        assert_eq!(answered, READERS);

        let (status, lines) = answer(ada.get("/api/v1/me/access-log").await).await;
        assert_eq!(status, 200, "{lines}");
        let lines = lines.as_array().expect("a list");
        assert_eq!(lines.len(), 1, "round {round}: {lines:?}");
        assert_eq!(lines[0]["viewer_id"], bo_id.as_str());
        assert_eq!(lines[0]["item"], "ledger");
        // Bo's own log stays empty: his reads are logged only for Ada.
        let (_, his) = answer(bo.get("/api/v1/me/access-log").await).await;
        assert_eq!(his, json!([]), "round {round}");
    }
    // One row per round in the table itself: no duplicate a view could hide.
    assert_eq!(app.count("access_log").await, LOG_ROUNDS as i64);
}

on_both_engines!(
    a_correction_never_lands_after_the_thanks,
    an_entry_is_never_both_deleted_and_thanked,
    one_account_starting_two_relationships_at_once_gets_one,
    creating_and_joining_at_once_leaves_one_open_relationship,
    two_areas_added_at_once_never_pass_the_cap_of_eight,
    many_reads_at_once_by_the_partner_leave_one_log_line,
);
