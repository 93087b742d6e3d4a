//! Values, the respect map and conversations over real HTTP, on both
//! engines: answers stay sealed until both partners submitted, then both see
//! the same comparison; bad input names its field and writes nothing.

use crate::common;

use crate::common::{error_of, DbEngine, Person, TestApp};
use serde_json::{json, Value};

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let code = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(code.as_u16(), status, "{body}");
    body
}

async fn get(p: &Person, path: &str) -> Value {
    json_of(p.get(path).await, 200).await
}

async fn item_keys(p: &Person, r: &str) -> Vec<String> {
    let items = get(p, &format!("{r}/values/items")).await;
    items["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_owned())
        .collect()
}

/// Every item at importance 3 except those named, each with a definition
/// that carries `tag`, so a leak anywhere is easy to spot.
fn all_answers(keys: &[String], tag: &str, except: &[(&str, u8)]) -> Value {
    let answers: Vec<Value> = keys
        .iter()
        .map(|k| {
            let importance = except.iter().find(|(e, _)| e == k).map_or(3, |(_, i)| *i);
            json!({"item": k, "importance": importance, "definition": format!("{tag}-{k}")})
        })
        .collect();
    json!({ "answers": answers })
}

async fn values_are_sealed_until_both_submit_then_both_see_one_comparison(engine: DbEngine) {
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
    let keys = item_keys(&ada, &r).await;
    assert!(keys.len() >= 12, "at least twelve characteristics");
    for needed in [
        "respect",
        "love",
        "honesty",
        "trust",
        "money",
        "personal_growth",
    ] {
        assert!(keys.iter().any(|k| k == needed), "{needed}");
    }

    // What Bo sees before anyone answered...
    let before = get(&bo, &format!("{r}/values")).await;
    assert_eq!(before["mine"], "drafting");
    assert_eq!(before["partner_submitted"], false);

    // ...is exactly what Bo sees once Ada has a full draft: not whether she
    // started, nor how much she wrote.
    let ada_answers = all_answers(
        &keys,
        "ADA-SECRET",
        &[("respect", 5), ("money", 4), ("humor", 2)],
    );
    let saved = json_of(
        ada.put_json(&format!("{r}/values/answers"), &ada_answers)
            .await,
        200,
    )
    .await;
    assert_eq!(saved["answers"].as_array().map(Vec::len), Some(keys.len()));
    assert_eq!(get(&bo, &format!("{r}/values")).await, before);
    for path in ["values/comparison", "values/comparison?round=1"] {
        let (code, _) = error_of(bo.get(&format!("{r}/{path}")).await).await;
        assert_eq!(code, "sealed", "{path}");
    }
    assert_eq!(
        bo.get(&format!("{r}/values/comparison?round=2"))
            .await
            .status(),
        404
    );

    // Ada submits: Bo learns that, and nothing else.
    let submitted = json_of(
        ada.post_json(&format!("{r}/values/submit"), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(submitted["mine"], "submitted");
    let after = get(&bo, &format!("{r}/values")).await;
    assert_eq!(after["partner_submitted"], true);
    assert!(!after.to_string().contains("ADA-SECRET"));
    assert_eq!(after["answers"], json!([]));

    // Ada's answers are fixed; the comparison is still sealed for her too.
    let (code, _) = error_of(
        ada.put_json(&format!("{r}/values/answers"), &ada_answers)
            .await,
    )
    .await;
    assert_eq!(code, "already_submitted");
    let (code, _) = error_of(
        ada.post_json(&format!("{r}/values/submit"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(code, "already_submitted");
    let (code, _) = error_of(ada.get(&format!("{r}/values/comparison")).await).await;
    assert_eq!(code, "sealed");

    // Bo answers in two goes; submitting half is refused, naming what's open.
    let bo_answers = all_answers(
        &keys,
        "BO-SECRET",
        &[("respect", 3), ("money", 1), ("humor", 3)],
    );
    let half: Vec<Value> = bo_answers["answers"].as_array().expect("a")[..5].to_vec();
    json_of(
        bo.put_json(&format!("{r}/values/answers"), &json!({"answers": half}))
            .await,
        200,
    )
    .await;
    let refused = bo
        .post_json(&format!("{r}/values/submit"), &json!({}))
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        error_of(refused).await,
        ("incomplete".into(), Some("answers".into()))
    );
    json_of(
        bo.put_json(&format!("{r}/values/answers"), &bo_answers)
            .await,
        200,
    )
    .await;
    let revealed = json_of(
        bo.post_json(&format!("{r}/values/submit"), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(revealed["mine"], "revealed");

    // Both see the same document, with both definitions side by side.
    let for_ada = get(&ada, &format!("{r}/values/comparison")).await;
    let for_bo = get(&bo, &format!("{r}/values/comparison")).await;
    assert_eq!(for_ada, for_bo);
    assert_eq!(for_ada["partners"], json!([ada_id, bo_id]));
    let respect = for_ada["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item"] == "respect")
        .expect("respect")
        .clone();
    assert_eq!(respect["a"]["importance"], 5);
    assert_eq!(respect["b"]["importance"], 3);
    assert_eq!(respect["gap"], 2);
    assert_eq!(respect["a"]["definition"], "ADA-SECRET-respect");
    assert_eq!(respect["b"]["definition"], "BO-SECRET-respect");
    // Topics by hand: respect (5,3) 2 × 4 = 8; money (4,1) 3 × 2.5 = 7.5;
    // humor (2,3) 1 × 2.5 = 2.5; every other item agrees.
    let topics: Vec<(&str, f64)> = for_ada["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| {
            (
                t["item"].as_str().expect("item"),
                t["score"].as_f64().expect("score"),
            )
        })
        .collect();
    assert_eq!(
        topics,
        vec![("respect", 8.0), ("money", 7.5), ("humor", 2.5)]
    );
    assert!(for_ada["topics"][0]["opening_question"]
        .as_str()
        .is_some_and(|q| q.ends_with('?')));

    // A new round: asked for by one, started when the other asks too
    // (agrees); the first stays readable, the new one sealed.
    let asked = json_of(
        bo.post_json(&format!("{r}/values/rounds"), &json!({}))
            .await,
        202,
    )
    .await;
    assert_eq!(
        (asked["round"].as_u64(), asked["asking"].as_str()),
        (Some(1), Some("you_asked"))
    );
    let second = json_of(
        ada.post_json(&format!("{r}/values/rounds"), &json!({}))
            .await,
        201,
    )
    .await;
    assert_eq!(
        (second["round"].as_u64(), second["mine"].as_str()),
        (Some(2), Some("drafting"))
    );
    let (code, _) = error_of(
        ada.post_json(&format!("{r}/values/rounds"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(code, "round_in_progress");
    assert_eq!(
        get(&ada, &format!("{r}/values/comparison?round=1")).await,
        for_ada
    );
    let (code, _) = error_of(ada.get(&format!("{r}/values/comparison")).await).await;
    assert_eq!(code, "sealed");
    let history = get(&ada, &format!("{r}/values")).await;
    assert_eq!(history["rounds"].as_array().map(Vec::len), Some(2));
    assert_eq!(history["rounds"][0]["state"], "revealed");
}

async fn bad_input_names_the_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, r, .. } = app.couple().await;
    let put = |body: Value| {
        let ada = &ada;
        let path = format!("{r}/values/answers");
        async move { ada.put_json(&path, &body).await }
    };
    let long = "x".repeat(2_001);
    let cases = [
        (
            json!({"answers": [{"item": "honesty", "importance": 6}]}),
            "importance",
        ),
        (
            json!({"answers": [{"item": "honesty", "importance": 0}]}),
            "importance",
        ),
        (
            json!({"answers": [{"item": "astrology", "importance": 3}]}),
            "key",
        ),
        (
            json!({"answers": [{"item": "trust", "importance": 3, "definition": long}]}),
            "definition",
        ),
        // One good entry beside a bad one: neither is saved.
        (
            json!({"answers": [{"item": "love", "importance": 4}, {"item": "trust", "importance": 9}]}),
            "importance",
        ),
        (
            json!({"answers": [{"item": "love", "importance": 4}, {"item": "love", "importance": 2}]}),
            "key",
        ),
        (json!({"answers": []}), "answers"),
    ];
    for (body, field) in cases {
        let response = put(body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let (_, named) = error_of(response).await;
        assert_eq!(named.as_deref(), Some(field), "{body}");
    }
    // Malformed JSON and wrong types are 400s with the API's error shape.
    let malformed = ada
        .client
        .put(ada.url(&format!("{r}/values/answers")))
        .header("content-type", "application/json")
        .body("{\"answers\": [")
        .send()
        .await
        .expect("PUT");
    assert_eq!(malformed.status(), 400);
    error_of(malformed).await;
    let wrong_type = put(json!({"answers": [{"item": "love", "importance": "a lot"}]})).await;
    assert_eq!(wrong_type.status(), 400);
    error_of(wrong_type).await;
    assert_eq!(app.count("sealed_rounds").await, 0, "nothing half-written");
    assert_eq!(
        get(&ada, &format!("{r}/values")).await["answers"],
        json!([])
    );

    // Respect and conversations refuse the same way.
    let respect = ada
        .put_json(
            &format!("{r}/respect"),
            &json!({"areas": [{"area": "creativity", "i_respect": 3, "i_feel_respected": 7}]}),
        )
        .await;
    assert_eq!(respect.status(), 422);
    assert_eq!(
        error_of(respect).await.1.as_deref(),
        Some("i_feel_respected")
    );
    let area = ada
        .put_json(
            &format!("{r}/respect"),
            &json!({"areas": [{"area": "cooking", "i_respect": 3, "i_feel_respected": 3}]}),
        )
        .await;
    assert_eq!(error_of(area).await.1.as_deref(), Some("key"));
    let too_long = ada
        .put_json(
            &format!("{r}/conversations/defining_love/answers"),
            &json!({"answers": [{"prompt": first_prompt(&ada, &r, "defining_love").await, "text": "y".repeat(2_001)}]}),
        )
        .await;
    assert_eq!(too_long.status(), 422);
    assert_eq!(error_of(too_long).await.1.as_deref(), Some("text"));
    let unknown = ada
        .put_json(
            &format!("{r}/conversations/defining_love/answers"),
            &json!({"answers": [{"prompt": "nope", "text": "hi"}]}),
        )
        .await;
    assert_eq!(error_of(unknown).await.1.as_deref(), Some("key"));
    assert_eq!(
        ada.get(&format!("{r}/conversations/poker")).await.status(),
        404
    );
    assert_eq!(app.count("sealed_rounds").await, 0, "nothing half-written");

    // Submitting with nothing saved is a conflict, not a crash.
    let (code, _) = error_of(
        ada.post_json(&format!("{r}/values/submit"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(code, "nothing_to_submit");
}

async fn first_prompt(p: &Person, r: &str, deck: &str) -> String {
    get(p, &format!("{r}/conversations/{deck}")).await["prompts"][0]["key"]
        .as_str()
        .expect("prompt")
        .to_owned()
}

async fn a_stranger_finds_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let keys = item_keys(&ada, &r).await;
    json_of(
        ada.put_json(
            &format!("{r}/values/answers"),
            &all_answers(&keys, "ADA", &[]),
        )
        .await,
        200,
    )
    .await;
    // "What you wrote" is the caller's own words only, for the partner too.
    let mine = get(&ada, &format!("{r}/written")).await;
    assert!(mine.to_string().contains("ADA"), "{mine}");
    let theirs = get(&bo, &format!("{r}/written")).await;
    assert!(!theirs.to_string().contains("ADA"), "{theirs}");
    let (eve, _) = app.signed_in("eve@example.org", "Eve").await;
    for path in [
        "written",
        "values",
        "values/items",
        "values/comparison",
        "respect",
        "respect/areas",
        "respect/comparison",
        "conversations",
        "conversations/defining_love",
        "conversations/defining_love/comparison",
        "conversations/defining_love/notes",
    ] {
        assert_eq!(
            eve.get(&format!("{r}/{path}")).await.status(),
            404,
            "{path}"
        );
    }
    let put = eve
        .put_json(
            &format!("{r}/values/answers"),
            &json!({"answers": [{"item": "love", "importance": 3}]}),
        )
        .await;
    assert_eq!(put.status(), 404);
    let put = eve
        .put_json(
            &format!("{r}/respect/answers"),
            &json!({"answers": [{"key": "philosophy", "i_respect": 3, "i_feel_respected": 3}]}),
        )
        .await;
    assert_eq!(put.status(), 404);
    assert_eq!(
        eve.post_json(&format!("{r}/values/submit"), &json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(
        eve.post_json(&format!("{r}/respect/areas"), &json!({"name": "Music"}))
            .await
            .status(),
        404
    );
}

async fn respect_sets_stated_beside_felt_and_couples_add_their_own_areas(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let music = json_of(
        ada.post_json(&format!("{r}/respect/areas"), &json!({"name": " Music "}))
            .await,
        201,
    )
    .await;
    assert_eq!(
        (music["name"].as_str(), music["custom"].as_bool()),
        (Some("Music"), Some(true))
    );
    let again = bo
        .post_json(&format!("{r}/respect/areas"), &json!({"name": "MUSIC"}))
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        error_of(again).await,
        ("area_exists".into(), Some("name".into()))
    );
    let ours = bo
        .post_json(
            &format!("{r}/respect/areas"),
            &json!({"name": "Creativity"}),
        )
        .await;
    assert_eq!(ours.status(), 422);
    let areas = get(&bo, &format!("{r}/respect/areas")).await;
    let keys: Vec<String> = areas
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| a["key"].as_str().expect("key").to_owned())
        .collect();
    for needed in [
        "philosophy",
        "profession",
        "principles",
        "intelligence",
        "creativity",
        "parenting",
        "personal_growth",
    ] {
        assert!(keys.iter().any(|k| k == needed), "{needed}");
    }
    assert_eq!(keys.len(), 8);
    let music_key = music["key"].as_str().expect("key").to_owned();

    // By hand: Ada says she respects Bo's profession 5, Bo feels 3 there
    // (gap 2: highlighted). Bo respects Ada's parenting 3, Ada feels 2
    // (gap 1, but felt ≤ 2: highlighted). Everything else 4 and 4.
    let answers = |special: &[(&str, u8, u8)]| {
        let areas: Vec<Value> = keys
            .iter()
            .map(|k| {
                let (r, f) = special
                    .iter()
                    .find(|(s, _, _)| s == k)
                    .map_or((4, 4), |(_, r, f)| (*r, *f));
                json!({"area": k, "i_respect": r, "i_feel_respected": f})
            })
            .collect();
        json!({ "areas": areas })
    };
    json_of(
        ada.put_json(
            &format!("{r}/respect"),
            &answers(&[("profession", 5, 4), ("parenting", 4, 2)]),
        )
        .await,
        200,
    )
    .await;
    json_of(
        ada.post_json(&format!("{r}/respect/submit"), &json!({}))
            .await,
        200,
    )
    .await;
    // Once someone sent their answers, the questions are fixed for this round.
    let late = bo
        .post_json(&format!("{r}/respect/areas"), &json!({"name": "Cooking"}))
        .await;
    assert_eq!(error_of(late).await.0, "round_in_progress");
    let (code, _) = error_of(bo.get(&format!("{r}/respect/comparison")).await).await;
    assert_eq!(code, "sealed");
    json_of(
        bo.put_json(
            &format!("{r}/respect"),
            &answers(&[("profession", 4, 3), ("parenting", 3, 4)]),
        )
        .await,
        200,
    )
    .await;
    json_of(
        bo.post_json(&format!("{r}/respect/submit"), &json!({}))
            .await,
        200,
    )
    .await;

    let c = get(&ada, &format!("{r}/respect/comparison")).await;
    assert_eq!(c, get(&bo, &format!("{r}/respect/comparison")).await);
    let area = |key: &str| {
        c["areas"]
            .as_array()
            .expect("areas")
            .iter()
            .find(|a| a["area"] == key)
            .expect("area")
            .clone()
    };
    let profession = area("profession");
    assert_eq!(profession["directions"][0]["stated"], 5);
    assert_eq!(profession["directions"][0]["felt"], 3);
    assert_eq!(profession["directions"][0]["highlighted"], true);
    assert_eq!(profession["directions"][1]["highlighted"], false);
    let parenting = area("parenting");
    assert_eq!(parenting["directions"][1]["stated"], 3);
    assert_eq!(parenting["directions"][1]["felt"], 2);
    assert_eq!(parenting["directions"][1]["gap"], 1);
    assert_eq!(parenting["directions"][1]["highlighted"], true);
    assert_eq!(area(&music_key)["name"], "Music");
    let highlighted = c["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .flat_map(|a| a["directions"].as_array().expect("d").clone())
        .filter(|d| d["highlighted"] == true)
        .count();
    assert_eq!(highlighted, 2);
}

async fn a_conversation_is_revealed_together_noted_and_run_again(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let decks = get(&ada, &format!("{r}/conversations")).await;
    let deck_keys: Vec<&str> = decks
        .as_array()
        .expect("decks")
        .iter()
        .map(|d| d["key"].as_str().expect("key"))
        .collect();
    assert_eq!(deck_keys.len(), 7);
    let deck = format!("{r}/conversations/defining_love");
    let status = get(&ada, &deck).await;
    let prompts: Vec<String> = status["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .map(|p| p["key"].as_str().expect("key").to_owned())
        .collect();
    let before = get(&bo, &deck).await;

    let answer = |p: &str, text: &str| json!({"answers": [{"prompt": p, "text": text}]});
    json_of(
        ada.put_json(
            &format!("{deck}/answers"),
            &answer(&prompts[0], "ADA-SECRET-one"),
        )
        .await,
        200,
    )
    .await;
    json_of(
        ada.put_json(
            &format!("{deck}/answers"),
            &answer(&prompts[1], "ADA-SECRET-two"),
        )
        .await,
        200,
    )
    .await;
    // A blank answer clears it again: prompts can be skipped.
    let cleared = json_of(
        ada.put_json(&format!("{deck}/answers"), &answer(&prompts[1], "  "))
            .await,
        200,
    )
    .await;
    assert_eq!(cleared["answers"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        get(&bo, &deck).await,
        before,
        "Bo learns nothing of Ada's draft"
    );

    let note = json!({"text": "We agreed on Sunday walks"});
    let (code, _) = error_of(ada.post_json(&format!("{deck}/notes"), &note).await).await;
    assert_eq!(code, "sealed", "nothing to note before both answered");
    json_of(
        ada.post_json(&format!("{deck}/submit"), &json!({})).await,
        200,
    )
    .await;
    assert!(!get(&bo, &deck).await.to_string().contains("ADA-SECRET"));
    let (code, _) = error_of(bo.get(&format!("{deck}/comparison")).await).await;
    assert_eq!(code, "sealed");
    let (code, _) = error_of(bo.post_json(&format!("{deck}/submit"), &json!({})).await).await;
    assert_eq!(code, "nothing_to_submit");
    json_of(
        bo.put_json(&format!("{deck}/answers"), &answer(&prompts[0], "BO-one"))
            .await,
        200,
    )
    .await;
    json_of(
        bo.post_json(&format!("{deck}/submit"), &json!({})).await,
        200,
    )
    .await;

    let talk = get(&bo, &format!("{deck}/comparison")).await;
    assert_eq!(talk["prompts"][0]["a"], "ADA-SECRET-one");
    assert_eq!(talk["prompts"][0]["b"], "BO-one");
    assert_eq!(talk["prompts"][1]["a"], Value::Null);
    assert_eq!(talk["prompts"][0]["last_time"], Value::Null);

    let kept = json_of(
        ada.post_json(
            &format!("{deck}/notes"),
            &json!({"text": "Sunday walks, phones at home", "agreement_idea": true}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(kept["agreement_idea"], true);
    let empty = ada
        .post_json(&format!("{deck}/notes"), &json!({"text": "   "}))
        .await;
    assert_eq!(error_of(empty).await.1.as_deref(), Some("text"));
    let seen = get(&bo, &format!("{deck}/notes")).await;
    assert_eq!(seen.as_array().map(Vec::len), Some(1));
    assert_eq!(seen[0]["text"], "Sunday walks, phones at home");

    // Run it again: last time sits beside this time.
    json_of(
        ada.post_json(&format!("{deck}/rounds"), &json!({})).await,
        201,
    )
    .await;
    json_of(
        ada.put_json(&format!("{deck}/answers"), &answer(&prompts[0], "ADA-now"))
            .await,
        200,
    )
    .await;
    json_of(
        bo.put_json(&format!("{deck}/answers"), &answer(&prompts[0], "BO-now"))
            .await,
        200,
    )
    .await;
    json_of(
        ada.post_json(&format!("{deck}/submit"), &json!({})).await,
        200,
    )
    .await;
    json_of(
        bo.post_json(&format!("{deck}/submit"), &json!({})).await,
        200,
    )
    .await;
    let second = get(&ada, &format!("{deck}/comparison")).await;
    assert_eq!(second["round"], 2);
    assert_eq!(second["previous_round"], 1);
    assert_eq!(
        second["prompts"][0]["last_time"],
        json!({"a": "ADA-SECRET-one", "b": "BO-one"})
    );
    assert_eq!(second["notes"], json!([]), "notes belong to their round");
}

async fn partners_answering_first_at_the_same_moment_share_round_one(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let path = format!("{r}/values/answers");
    let body = json!({"answers": [{"item": "love", "importance": 4}]});
    let (a, b) = tokio::join!(ada.put_json(&path, &body), bo.put_json(&path, &body));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    assert_eq!(app.count("sealed_rounds").await, 1);
    for p in [&ada, &bo] {
        let status = get(p, &format!("{r}/values")).await;
        assert_eq!(
            (
                status["round"].as_u64(),
                status["answers"].as_array().map(Vec::len)
            ),
            (Some(1), Some(1))
        );
    }
}

/// One name for an item's identifier everywhere: every instrument takes
/// `key` (and still its older name), lists the caller's answers with `key`,
/// and the respect map saves at `PUT R/respect/answers` too.
async fn every_instrument_takes_and_returns_key(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, r, .. } = app.couple().await;
    let first = item_keys(&ada, &r).await[0].clone();
    for body in [
        json!({"answers": [{"key": first, "importance": 4}]}),
        json!({"answers": [{"item": first, "importance": 5}]}),
    ] {
        let saved = json_of(
            ada.put_json(&format!("{r}/values/answers"), &body).await,
            200,
        )
        .await;
        assert_eq!(saved["answers"][0]["key"], first.as_str(), "{saved}");
    }
    let both = json!({"answers": [{"key": first, "item": first, "importance": 3}]});
    let refused = ada.put_json(&format!("{r}/values/answers"), &both).await;
    assert_eq!(refused.status(), 400, "one name at a time");

    let areas = get(&ada, &format!("{r}/respect/areas")).await;
    let area = areas[0]["key"].as_str().expect("area key").to_owned();
    let saved = json_of(
        ada.put_json(
            &format!("{r}/respect/answers"),
            &json!({"answers": [{"key": area, "i_respect": 4, "i_feel_respected": 3}]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(saved["answers"][0]["key"], area.as_str(), "{saved}");
    let legacy = json_of(
        ada.put_json(
            &format!("{r}/respect"),
            &json!({"areas": [{"area": area, "i_respect": 2, "i_feel_respected": 2}]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(legacy["answers"][0]["i_respect"], 2, "{legacy}");

    let deck = "defining_love";
    let status = get(&ada, &format!("{r}/conversations/{deck}")).await;
    let prompt = status["prompts"][0]["key"]
        .as_str()
        .expect("prompt key")
        .to_owned();
    let saved = json_of(
        ada.put_json(
            &format!("{r}/conversations/{deck}/answers"),
            &json!({"answers": [{"key": prompt, "text": "In my words"}]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(saved["answers"][0]["key"], prompt.as_str(), "{saved}");
}

on_both_engines!(
    every_instrument_takes_and_returns_key,
    values_are_sealed_until_both_submit_then_both_see_one_comparison,
    bad_input_names_the_field_and_writes_nothing,
    a_stranger_finds_nothing,
    respect_sets_stated_beside_felt_and_couples_add_their_own_areas,
    a_conversation_is_revealed_together_noted_and_run_again,
    partners_answering_first_at_the_same_moment_share_round_one,
);
