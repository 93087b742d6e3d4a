//! "Not for us" answers and new rounds by agreement, over real HTTP on both
//! engines: a skip is stored and shown as a skip, never as a score, in
//! every comparison (values, the respect map, the pages); a new round
//! starts only when the other partner agrees, two agrees at once start one
//! round, and each partner may prefill their draft from their own answers.

use crate::common;

use crate::common::pages::location;
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

async fn keys_of(p: &Person, path: &str, list: &str) -> Vec<String> {
    let body = get(p, path).await;
    let items = if list.is_empty() { &body } else { &body[list] };
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_owned())
        .collect()
}

/// Every values item at `level`, except those in `skip` ("Not for us") and
/// those in `rated`; each with a definition carrying `tag`.
fn values_body(keys: &[String], tag: &str, skip: &[&str], rated: &[(&str, u8)]) -> Value {
    let answers: Vec<Value> = keys
        .iter()
        .map(|k| {
            let words = format!("{tag}-{k}");
            if skip.contains(&k.as_str()) {
                json!({"key": k, "not_for_us": true, "definition": words})
            } else {
                let level = rated.iter().find(|(r, _)| r == k).map_or(3, |(_, l)| *l);
                json!({"key": k, "importance": level, "definition": words})
            }
        })
        .collect();
    json!({ "answers": answers })
}

fn respect_body(keys: &[String], skip: &[&str], rated: &[(&str, u8, u8)]) -> Value {
    let answers: Vec<Value> = keys
        .iter()
        .map(|k| {
            if skip.contains(&k.as_str()) {
                json!({"key": k, "not_for_us": true})
            } else {
                let (r, f) = rated
                    .iter()
                    .find(|(x, _, _)| x == k)
                    .map_or((4, 4), |(_, r, f)| (*r, *f));
                json!({"key": k, "i_respect": r, "i_feel_respected": f})
            }
        })
        .collect();
    json!({ "answers": answers })
}

async fn put_ok(p: &Person, path: &str, body: &Value) -> Value {
    json_of(p.put_json(path, body).await, 200).await
}

async fn submit_both(ada: &Person, bo: &Person, base: &str) {
    for p in [ada, bo] {
        json_of(
            p.post_json(&format!("{base}/submit"), &json!({})).await,
            200,
        )
        .await;
    }
}

/// One item or area of a comparison body, by its key.
fn entry<'a>(body: &'a Value, list: &str, field: &str, key: &str) -> &'a Value {
    body[list]
        .as_array()
        .expect("a list")
        .iter()
        .find(|i| i[field] == key)
        .unwrap_or_else(|| panic!("{key} in {body}"))
}

async fn not_for_us_is_a_skip_in_every_comparison(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let keys = keys_of(&ada, &format!("{r}/values/items"), "items").await;

    // Both a number and "Not for us", or neither: refused, naming the field.
    for (body, field) in [
        (
            json!({"answers": [{"key": "family", "importance": 2, "not_for_us": true}]}),
            "not_for_us",
        ),
        (json!({"answers": [{"key": "family"}]}), "importance"),
    ] {
        let response = ada.put_json(&format!("{r}/values/answers"), &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(error_of(response).await.1.as_deref(), Some(field));
    }
    assert_eq!(app.count("sealed_rounds").await, 0, "nothing written");

    // Ada: family "Not for us"; Bo rates it 5. Respect 5 against 3, money
    // 4 against 1, everything else 3 for both.
    let mine = put_ok(
        &ada,
        &format!("{r}/values/answers"),
        &values_body(&keys, "ada", &["family"], &[("respect", 5), ("money", 4)]),
    )
    .await;
    let family = entry(&mine, "answers", "key", "family");
    assert_eq!(
        (family["importance"].clone(), family["not_for_us"].clone()),
        (Value::Null, json!(true)),
        "{mine}"
    );
    put_ok(
        &bo,
        &format!("{r}/values/answers"),
        &values_body(
            &keys,
            "bo",
            &[],
            &[("respect", 3), ("money", 1), ("family", 5)],
        ),
    )
    .await;
    submit_both(&ada, &bo, &format!("{r}/values")).await;
    let compared = get(&bo, &format!("{r}/values/comparison")).await;
    let family = entry(&compared, "items", "item", "family");
    assert_eq!(family["gap"], Value::Null, "{family}");
    let (ada_side, bo_side) = if compared["partners"][0] == family["a"]["account_id"] {
        (&family["a"], &family["b"])
    } else {
        (&family["b"], &family["a"])
    };
    assert_eq!(ada_side["not_for_us"], true);
    assert_eq!(ada_side["importance"], Value::Null);
    assert_eq!(bo_side["importance"], 5);
    // Topics by hand, from the rated items only: respect (5,3) 2 × 4 = 8,
    // money (4,1) 3 × 2.5 = 7.5. Had the skip been read as 1, family (1,5)
    // would lead with 4 × 3 = 12.
    let topics: Vec<(String, f64)> = compared["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| {
            (
                t["item"].as_str().expect("item").to_owned(),
                t["score"].as_f64().expect("score"),
            )
        })
        .collect();
    assert_eq!(
        topics,
        vec![("respect".to_owned(), 8.0), ("money".to_owned(), 7.5)]
    );

    // The respect map: Bo says parenting is "Not for us"; Ada answers it
    // with a felt respect of 1, which alone would be marked low.
    let areas = keys_of(&ada, &format!("{r}/respect/areas"), "").await;
    put_ok(
        &ada,
        &format!("{r}/respect/answers"),
        &respect_body(&areas, &[], &[("parenting", 4, 1)]),
    )
    .await;
    put_ok(
        &bo,
        &format!("{r}/respect/answers"),
        &respect_body(&areas, &["parenting"], &[]),
    )
    .await;
    submit_both(&ada, &bo, &format!("{r}/respect")).await;
    let map = get(&ada, &format!("{r}/respect/comparison")).await;
    let parenting = entry(&map, "areas", "area", "parenting");
    for d in parenting["directions"].as_array().expect("directions") {
        assert_eq!(d["gap"], Value::Null, "{d}");
        assert_eq!(d["highlighted"], false, "{d}");
        assert_eq!(d["not_for_us"], true, "{d}");
    }
    // Every other area is 4 and 4 on both sides: nothing is marked anywhere.
    assert!(map["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .flat_map(|a| a["directions"].as_array().expect("directions").iter())
        .all(|d| d["highlighted"] == false));

    // The pages show the skip in words, for the partner who chose it.
    let page = ada.get("/values/compare").await.text().await.expect("page");
    assert!(
        page.contains("You: <strong>Not for us</strong>"),
        "values compare page: {page}"
    );
    assert_eq!(page.matches("skipped, so not compared").count(), 1);
    let page = bo.get("/respect/compare").await.text().await.expect("page");
    assert!(
        !page.contains("Worth talking about</strong>"),
        "nothing marked"
    );
    // The skipped place says so in words instead of drawing meters (a
    // skip is not a low score), in the map and in its table.
    let start = page
        .find("<h2>Parenting</h2>")
        .expect("the parenting place");
    let place = &page[start..start + page[start..].find("</ul>").expect("its end")];
    assert_eq!(place.matches("Not for you two").count(), 2, "{place}");
    assert!(!place.contains("class=\"meters\""), "{place}");
    assert!(place.contains("parenting: Not for us — Ada feels respected: 1"));
    assert!(page.contains(
        "<th scope=\"row\">Parenting</th><td colspan=\"2\">Not for you two</td><td colspan=\"2\">Not for you two</td>"
    ));
}

async fn a_new_round_starts_when_the_other_agrees_and_each_may_prefill(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let v = format!("{r}/values");
    let keys = keys_of(&ada, &format!("{v}/items"), "items").await;

    // Before a round is revealed there is nothing to ask for.
    let (code, _) = error_of(
        ada.post_json(&format!("{v}/rounds/proposal"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(code, "round_in_progress");

    put_ok(
        &ada,
        &format!("{v}/answers"),
        &values_body(&keys, "ADA1", &["family"], &[("love", 5)]),
    )
    .await;
    put_ok(
        &bo,
        &format!("{v}/answers"),
        &values_body(&keys, "BO1", &[], &[]),
    )
    .await;
    submit_both(&ada, &bo, &v).await;

    // Ada asks; both see it, from their side; asking twice is refused.
    let asked = json_of(
        ada.post_json(&format!("{v}/rounds/proposal"), &json!({}))
            .await,
        201,
    )
    .await;
    assert_eq!(asked["asking"], "you_asked", "{asked}");
    assert_eq!(get(&bo, &v).await["asking"], "partner_asks");
    let (code, _) = error_of(
        ada.post_json(&format!("{v}/rounds/proposal"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(code, "already_asked");
    let (code, _) = error_of(
        bo.post_json(&format!("{v}/rounds/proposal"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(code, "partner_asked");
    // Ada cannot agree to her own request, nor Bo take it back.
    let (code, _) = error_of(
        ada.post_json(&format!("{v}/rounds/proposal/agree"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(code, "no_proposal");
    let (code, _) = error_of(bo.delete(&format!("{v}/rounds/proposal")).await).await;
    assert_eq!(code, "no_proposal");

    // Bo says not now: no round; Ada reads that, and may ask again.
    let declined = json_of(
        bo.post_json(&format!("{v}/rounds/proposal/decline"), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(declined["asking"], "you_declined");
    let ada_view = get(&ada, &v).await;
    assert_eq!(
        (ada_view["asking"].as_str(), ada_view["round"].as_u64()),
        (Some("partner_declined"), Some(1))
    );
    json_of(
        ada.post_json(&format!("{v}/rounds/proposal"), &json!({}))
            .await,
        201,
    )
    .await;
    // …and take it back.
    let withdrawn = json_of(ada.delete(&format!("{v}/rounds/proposal")).await, 200).await;
    assert_eq!(withdrawn["asking"], Value::Null, "{withdrawn}");
    assert_eq!(app.count("sealed_rounds").await, 1, "still one round");

    // The old one-step call now asks (202); the partner's same call agrees
    // and starts round 2 (201).
    let asked = json_of(bo.post_json(&format!("{v}/rounds"), &json!({})).await, 202).await;
    assert_eq!(asked["round"], 1);
    let started = json_of(
        ada.post_json(
            &format!("{v}/rounds/proposal/agree"),
            &json!({"prefill": true}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(started["round"], 2, "{started}");
    // Ada asked to prefill: her draft holds her own round-1 answers
    // (her skip kept a skip), and none of Bo's words.
    let text = started.to_string();
    assert!(
        text.contains("ADA1-love") && !text.contains("BO1"),
        "{text}"
    );
    let family = entry(&started, "answers", "key", "family");
    assert_eq!(family["not_for_us"], true);
    let love = entry(&started, "answers", "key", "love");
    assert_eq!(love["importance"], 5);
    assert_eq!(started["can_prefill"], false);

    // Bo did not prefill yet: his draft is empty and he may.
    let bo_view = get(&bo, &v).await;
    assert_eq!(bo_view["answers"].as_array().map(Vec::len), Some(0));
    assert_eq!(bo_view["can_prefill"], true);
    // One answer of his own first: prefill keeps it and fills the rest.
    put_ok(
        &bo,
        &format!("{v}/answers"),
        &json!({"answers": [{"key": "love", "importance": 1}]}),
    )
    .await;
    let filled = json_of(bo.post_json(&format!("{v}/prefill"), &json!({})).await, 200).await;
    let text = filled.to_string();
    assert!(
        text.contains("BO1-trust") && !text.contains("ADA1"),
        "{text}"
    );
    assert_eq!(entry(&filled, "answers", "key", "love")["importance"], 1);
    assert_eq!(filled["answers"].as_array().map(Vec::len), Some(keys.len()));
    // Still sealed: Bo's answers of round 2 are his alone.
    let (code, _) = error_of(ada.get(&format!("{v}/comparison")).await).await;
    assert_eq!(code, "sealed");
}

async fn two_agrees_at_once_start_one_round(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let m = format!("{r}/respect");
    let areas = keys_of(&ada, &format!("{m}/areas"), "").await;
    for p in [&ada, &bo] {
        put_ok(p, &format!("{m}/answers"), &respect_body(&areas, &[], &[])).await;
    }
    submit_both(&ada, &bo, &m).await;
    json_of(
        ada.post_json(&format!("{m}/rounds/proposal"), &json!({}))
            .await,
        201,
    )
    .await;

    // Two tabs, one tap each, at the same moment.
    let (agree, body) = (format!("{m}/rounds/proposal/agree"), json!({}));
    let (x, y) = tokio::join!(bo.post_json(&agree, &body), bo.post_json(&agree, &body));
    let mut codes = [x.status().as_u16(), y.status().as_u16()];
    codes.sort_unstable();
    assert_eq!(codes, [201, 409]);
    assert_eq!(app.count("sealed_rounds").await, 2, "exactly one new round");
    let status = get(&ada, &m).await;
    assert_eq!(
        (status["round"].as_u64(), status["asking"].clone()),
        (Some(2), Value::Null)
    );
}

/// Both partners ask at the same moment: one request is recorded, the
/// other is told the partner asked first. The rule is the unique index
/// (one open request per relationship and questionnaire), so it holds even
/// when both pass the "is one open?" read before either writes.
async fn two_asks_at_once_leave_one_open_request(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let m = format!("{r}/respect");
    let areas = keys_of(&ada, &format!("{m}/areas"), "").await;
    for p in [&ada, &bo] {
        put_ok(p, &format!("{m}/answers"), &respect_body(&areas, &[], &[])).await;
    }
    submit_both(&ada, &bo, &m).await;

    let (ask, body) = (format!("{m}/rounds/proposal"), json!({}));
    let (x, y) = tokio::join!(ada.post_json(&ask, &body), bo.post_json(&ask, &body));
    let (x_code, y_code) = (x.status().as_u16(), y.status().as_u16());
    let (won, other, refused) = match (x_code, y_code) {
        (201, 409) => (&ada, &bo, y),
        (409, 201) => (&bo, &ada, x),
        codes => panic!("one ask recorded, one refused: {codes:?}"),
    };
    assert_eq!(error_of(refused).await.0, "partner_asked");
    assert_eq!(app.count("round_proposals").await, 1, "one request");
    assert_eq!(get(won, &m).await["asking"], "you_asked");
    assert_eq!(get(other, &m).await["asking"], "partner_asks");

    // The same through the one "new round" call both clients know: after
    // a withdraw, two asks at once make one request and its agreement.
    json_of(won.delete(&ask).await, 200).await;
    let rounds = format!("{m}/rounds");
    let (x, y) = tokio::join!(ada.post_json(&rounds, &body), bo.post_json(&rounds, &body));
    let mut codes = [x.status().as_u16(), y.status().as_u16()];
    codes.sort_unstable();
    assert_eq!(codes, [201, 202], "one asked, the other agreed");
    assert_eq!(app.count("sealed_rounds").await, 2, "exactly one new round");
    assert_eq!(app.count("round_proposals").await, 2);
    assert_eq!(get(&ada, &m).await["round"], 2);
}

/// A page's form with no fields, posted: where its redirect leads.
async fn step(p: &Person, path: &str) -> String {
    let response = p.post_form(path, &[]).await;
    assert_eq!(response.status(), 303, "{path}");
    location(&response)
}

async fn pages_ask_agree_and_prefill(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let v = format!("{r}/values");
    let keys = keys_of(&ada, &format!("{v}/items"), "items").await;
    for (p, tag) in [(&ada, "ADA"), (&bo, "BO")] {
        put_ok(
            p,
            &format!("{v}/answers"),
            &values_body(&keys, tag, &[], &[]),
        )
        .await;
    }
    submit_both(&ada, &bo, &v).await;

    // Each step says what it did (notice.rs's codes); a step the state
    // has moved past says so instead of failing.
    assert_eq!(step(&ada, "/values/new-round").await, "/values?done=asked");
    assert_eq!(
        step(&ada, "/values/new-round/withdraw").await,
        "/values?done=withdrawn"
    );
    assert_eq!(
        step(&ada, "/values/new-round/withdraw").await,
        "/values?done=moved-on",
        "nothing left to take back"
    );
    assert_eq!(step(&ada, "/values/new-round").await, "/values?done=asked");
    assert_eq!(
        step(&bo, "/values/new-round/decline").await,
        "/values?done=declined"
    );
    assert_eq!(get(&bo, &v).await["round"], 1, "declined: no new round");

    let asked = ada.post_form("/values/new-round", &[]).await;
    assert_eq!(asked.status(), 303);
    assert_eq!(location(&asked), "/values?done=asked");
    let page = bo.get("/values").await.text().await.expect("page");
    assert!(page.contains("would like to answer again"), "{page}");
    assert!(page.contains("/values/new-round/agree"));
    let page = ada.get("/values").await.text().await.expect("page");
    assert!(page.contains("Take back my request"), "{page}");

    let agreed = bo
        .post_form("/values/new-round/agree", &[("prefill", "1")])
        .await;
    assert_eq!(agreed.status(), 303);
    assert_eq!(location(&agreed), "/values?done=started");
    assert_eq!(get(&bo, &v).await["round"], 2);
    assert_eq!(
        get(&bo, &v).await["answers"].as_array().map(Vec::len),
        Some(keys.len()),
        "Bo's draft starts from his own answers"
    );
    let page = ada.get("/values").await.text().await.expect("page");
    assert!(page.contains("Start from my last answers"), "{page}");
    assert_eq!(
        step(&ada, "/values/prefill").await,
        "/values?done=prefilled"
    );
    let mine = get(&ada, &v).await;
    assert!(mine.to_string().contains("ADA-") && !mine.to_string().contains("BO-"));

    // A "Not for us" box on every question page; from the form it is
    // stored as a skip, whatever the scale said.
    let question = ada.get("/values/q/1").await.text().await.expect("page");
    assert!(question.contains(r#"name="not_for_us""#), "{question}");
    let saved = ada
        .post_form("/values/q/1", &[("not_for_us", "1"), ("importance", "4")])
        .await;
    assert_eq!(saved.status(), 303);
    let mine = get(&ada, &v).await;
    let first = entry(&mine, "answers", "key", &keys[0]);
    assert_eq!(
        (first["not_for_us"].clone(), first["importance"].clone()),
        (json!(true), Value::Null)
    );
}

on_both_engines!(
    not_for_us_is_a_skip_in_every_comparison,
    a_new_round_starts_when_the_other_agrees_and_each_may_prefill,
    two_agrees_at_once_start_one_round,
    two_asks_at_once_leave_one_open_request,
    pages_ask_agree_and_prefill,
);
