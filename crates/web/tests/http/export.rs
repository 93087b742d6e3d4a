//! `GET /api/v1/me/export` and the account page's download, on both
//! engines (issue 14; SECURITY.md R28(c), R37, H9): Ada's file holds her
//! words (drafts too) and what Bo shared while they were together, and
//! nothing private of Bo's; after Bo leaves, none of Bo's words. Each file
//! validates against docs/export.schema.json with every object closed, and
//! docs/export.md describes every field the schema names.

use std::collections::BTreeSet;

use crate::common;

use crate::common::{DbEngine, Person, TestApp};
use serde_json::{json, Value};

const SCHEMA: &str = include_str!("../../../../docs/export.schema.json");
const DOC: &str = include_str!("../../../../docs/export.md");

const PASSWORD: &str = "a long password";
const DECK: &str = "defining_love";
/// A deck only drafted, never sent.
const DRAFT_DECK: &str = "intimacy";
/// Bo's second phone, to tell his security events apart from Ada's.
const BO_PHONE: &str = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0";
const BO_DEVICE: &str = "Firefox on Android";

/// Every text each person writes carries their mark and a number.
struct Marks {
    prefix: &'static str,
    made: Vec<String>,
}

impl Marks {
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            made: Vec::new(),
        }
    }

    fn next(&mut self, what: &str) -> String {
        let mark = format!("{}-{what}-{}", self.prefix, self.made.len());
        self.made.push(mark.clone());
        mark
    }
}

async fn ok(response: reqwest::Response, status: u16, what: &str) -> Value {
    let got = response.status().as_u16();
    let body = response.text().await.expect("body");
    assert_eq!(got, status, "{what}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// What each partner wrote, for the counts (SECURITY.md H9).
#[derive(Default)]
struct Authored {
    entries: usize,
    thanks: usize,
    notes: usize,
}

struct Story {
    app: TestApp,
    ada: Person,
    ada_id: String,
    bo: Person,
    bo_id: String,
    r: String,
    ada_marks: Marks,
    /// Bo's words that were shared with Ada while together.
    bo_shared: Marks,
    /// Bo's words never shared: drafts, his token's name.
    bo_private: Marks,
    ada_token: String,
    ada_token_name: String,
    ada_authored: Authored,
    /// Ids only Bo may ever read: his security events and his token.
    bo_ids: Vec<String>,
}

async fn log(p: &Person, r: &str, body: Value) -> String {
    ok(
        p.post_json(&format!("{r}/contributions"), &body).await,
        201,
        "log",
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn thank(p: &Person, r: &str, cid: &str, note: &str) {
    ok(
        p.post_json(
            &format!("{r}/contributions/{cid}/acknowledgment"),
            &json!({"value": 4, "note": note}),
        )
        .await,
        200,
        "thank",
    )
    .await;
}

async fn values_answers(p: &Person, r: &str, marks: &mut Marks) {
    let items = ok(p.get(&format!("{r}/values/items")).await, 200, "items").await;
    let answers: Vec<Value> = items["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| json!({"key": i["key"], "importance": 4, "definition": marks.next("definition")}))
        .collect();
    ok(
        p.put_json(
            &format!("{r}/values/answers"),
            &json!({ "answers": answers }),
        )
        .await,
        200,
        "values answers",
    )
    .await;
}

async fn respect_answers(p: &Person, r: &str) {
    let areas = ok(p.get(&format!("{r}/respect/areas")).await, 200, "areas").await;
    let answers: Vec<Value> = areas
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| json!({"key": a["key"], "i_respect": 5, "i_feel_respected": 3}))
        .collect();
    ok(
        p.put_json(
            &format!("{r}/respect/answers"),
            &json!({ "answers": answers }),
        )
        .await,
        200,
        "respect answers",
    )
    .await;
}

async fn deck_answers(p: &Person, r: &str, deck: &str, marks: &mut Marks) {
    let path = format!("{r}/conversations/{deck}");
    let status = ok(p.get(&path).await, 200, "deck").await;
    let answers: Vec<Value> = status["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .map(|q| json!({"key": q["key"], "text": marks.next("answer")}))
        .collect();
    ok(
        p.put_json(&format!("{path}/answers"), &json!({ "answers": answers }))
            .await,
        200,
        "deck answers",
    )
    .await;
}

async fn submit(p: &Person, path: &str) {
    ok(p.post_json(path, &json!({})).await, 200, path).await;
}

async fn note(p: &Person, r: &str, text: &str) {
    ok(
        p.post_json(
            &format!("{r}/conversations/{DECK}/notes"),
            &json!({ "text": text, "agreement_idea": true }),
        )
        .await,
        201,
        "note",
    )
    .await;
}

async fn mint(p: &Person, name: &str) -> Value {
    ok(
        p.post_json(
            "/api/v1/tokens",
            &json!({"name": name, "password": PASSWORD}),
        )
        .await,
        201,
        "token",
    )
    .await
}

impl Story {
    /// Ada and Bo write in every part of their space; Bo keeps drafts he
    /// never sends, signs in on a second phone and makes a token.
    async fn told(engine: DbEngine) -> Option<Self> {
        let app = TestApp::spawn(engine).await?;
        let common::Couple {
            ada,
            ada_id,
            bo,
            bo_id,
            r,
        } = app.couple().await;
        let mut ada_marks = Marks::new("ADA-MARK");
        let mut bo_shared = Marks::new("BO-MARK");
        let mut bo_private = Marks::new("BO-PRIVATE");
        let mut authored = Authored::default();

        // The ledger: each logs two, each thanks one of the other's, and
        // Ada logs one Bo did for her (an entry and a thanks of hers).
        let ada_dishes = log(&ada, &r, json!({"domain": "household_labor", "description": ada_marks.next("entry"), "effort": 3, "minutes": 30})).await;
        log(
            &ada,
            &r,
            json!({"domain": "planning", "description": ada_marks.next("entry"), "effort": 2}),
        )
        .await;
        let bo_laundry = log(&bo, &r, json!({"domain": "household_labor", "description": bo_shared.next("entry"), "effort": 3})).await;
        log(&bo, &r, json!({"domain": "emotional_support", "description": bo_shared.next("entry"), "effort": 4})).await;
        thank(&ada, &r, &bo_laundry, &ada_marks.next("thanks")).await;
        thank(&bo, &r, &ada_dishes, &bo_shared.next("thanks")).await;
        log(
            &ada,
            &r,
            json!({"domain": "planning", "description": ada_marks.next("entry"), "effort": 2,
                "for_partner": true, "value": 5, "note": ada_marks.next("thanks")}),
        )
        .await;
        authored.entries += 3;
        authored.thanks += 2;

        // Values and the respect map: both answer and send (revealed).
        values_answers(&ada, &r, &mut ada_marks).await;
        values_answers(&bo, &r, &mut bo_shared).await;
        respect_answers(&ada, &r).await;
        respect_answers(&bo, &r).await;
        for p in [&ada, &bo] {
            submit(p, &format!("{r}/values/submit")).await;
            submit(p, &format!("{r}/respect/submit")).await;
        }

        // A conversation, revealed, with notes.
        deck_answers(&ada, &r, DECK, &mut ada_marks).await;
        deck_answers(&bo, &r, DECK, &mut bo_shared).await;
        for p in [&ada, &bo] {
            submit(p, &format!("{r}/conversations/{DECK}/submit")).await;
        }
        note(&ada, &r, &ada_marks.next("note")).await;
        note(&ada, &r, &ada_marks.next("note")).await;
        note(&bo, &r, &bo_shared.next("note")).await;
        authored.notes += 2;

        // Drafts never sent: Ada's in another deck; Bo's in the next values
        // round and in that deck.
        deck_answers(&ada, &r, DRAFT_DECK, &mut ada_marks).await;
        ok(
            bo.post_json(&format!("{r}/values/rounds"), &json!({}))
                .await,
            202,
            "values round 2 asked for",
        )
        .await;
        ok(
            ada.post_json(&format!("{r}/values/rounds"), &json!({}))
                .await,
            201,
            "values round 2, agreed",
        )
        .await;
        values_answers(&bo, &r, &mut bo_private).await;
        deck_answers(&bo, &r, DRAFT_DECK, &mut bo_private).await;

        // A private reflection each: Ada's is hers to take away; Bo's is
        // never in her file.
        for (p, text) in [
            (&ada, ada_marks.next("reflection")),
            (&bo, bo_private.next("reflection")),
        ] {
            ok(
                p.post_json(&format!("{r}/reflections"), &json!({ "text": text }))
                    .await,
                201,
                "reflection",
            )
            .await;
        }

        // Bo's account: a second phone, a token.
        let phone = Person {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .user_agent(BO_PHONE)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        };
        ok(
            phone
                .post_json(
                    "/api/v1/session",
                    &json!({"email": "bo@example.org", "password": PASSWORD}),
                )
                .await,
            200,
            "Bo's phone",
        )
        .await;
        let bo_token = mint(&bo, &bo_private.next("token")).await;
        let mut bo_ids = vec![bo_token["id"].as_str().expect("id").to_owned()];
        let events = ok(
            bo.get("/api/v1/me/security-events").await,
            200,
            "Bo's events",
        )
        .await;
        assert!(
            events.to_string().contains(BO_DEVICE),
            "Bo's phone is in his events"
        );
        bo_ids.extend(
            events
                .as_array()
                .expect("events")
                .iter()
                .map(|e| e["id"].as_str().expect("id").to_owned()),
        );

        let ada_token_name = ada_marks.next("token");
        let ada_token = mint(&ada, &ada_token_name).await["token"]
            .as_str()
            .expect("token")
            .to_owned();
        Some(Self {
            app,
            ada,
            ada_id,
            bo,
            bo_id,
            r,
            ada_marks,
            bo_shared,
            bo_private,
            ada_token,
            ada_token_name,
            ada_authored: authored,
            bo_ids,
        })
    }

    fn rel_id(&self) -> &str {
        self.r.trim_start_matches("/api/v1/relationships/")
    }
}

/// A download: 200 with the export's headers; its parsed body and text.
async fn download(response: reqwest::Response) -> (Value, String) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    assert_eq!(status, 200, "{text}");
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("application/json"));
    assert_eq!(header("cache-control"), "no-store");
    let body: Value = serde_json::from_str(&text).expect("the export is JSON");
    let day = body["exported_at"].as_str().expect("exported_at")[..10].to_owned();
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"reciprocity-export-{day}.json\"")
    );
    assert_eq!(body["format"], "reciprocity-export");
    assert_eq!(body["version"], 2);
    valid(&body);
    (body, text)
}

async fn export(p: &Person) -> (Value, String) {
    download(p.get("/api/v1/me/export").await).await
}

/// The relationship `id` in an export.
fn relationship<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["relationships"]
        .as_array()
        .expect("relationships")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("relationship {id} in {body}"))
}

/// What the export holds that `who` wrote in relationship `rel`: entries
/// logged (with their words), thanks given, notes.
fn counted(body: &Value, rel: &str, who: &str) -> (usize, usize, usize) {
    let r = relationship(body, rel);
    let ledger = r["ledger"].as_array().expect("ledger");
    let entries = ledger
        .iter()
        .filter(|e| e["logged_by"] == who && e["description"].is_string())
        .count();
    let thanks = ledger
        .iter()
        .filter(|e| e["receiver_id"] == who && e["acknowledged"] == true)
        .count();
    let notes = r["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .flat_map(|d| d["notes"].as_array().expect("notes"))
        .filter(|n| n["author"] == who)
        .count();
    (entries, thanks, notes)
}

fn assert_holds(text: &str, marks: &[String], what: &str) {
    let missing: Vec<&String> = marks
        .iter()
        .filter(|m| !text.contains(m.as_str()))
        .collect();
    assert!(missing.is_empty(), "{what}: missing {missing:?}");
}

fn assert_lacks(text: &str, needles: &[String], what: &str) {
    let found: Vec<&String> = needles
        .iter()
        .filter(|m| text.contains(m.as_str()))
        .collect();
    assert!(found.is_empty(), "{what}: found {found:?}");
}

async fn a_partner_exports_their_words_and_what_was_shared_and_nothing_private_of_the_other(
    engine: DbEngine,
) {
    let Some(s) = Story::told(engine).await else {
        return;
    };
    let (body, text) = export(&s.ada).await;
    assert_eq!(body["account"]["id"], s.ada_id.as_str());
    assert_eq!(body["account"]["email"], "ada@example.org");

    // Her own words, drafts and token name included, and what Bo shared.
    assert_holds(&text, &s.ada_marks.made, "Ada's own words");
    assert_holds(&text, &s.bo_shared.made, "what Bo shared while together");
    // Nothing of Bo's that was never shared: drafts, token, e-mail, events.
    assert_lacks(&text, &s.bo_private.made, "Bo's drafts and token name");
    assert_lacks(&text, &s.bo_ids, "Bo's security events and token");
    assert_lacks(
        &text,
        &["bo@example.org".to_owned(), BO_DEVICE.to_owned()],
        "Bo's account",
    );

    let r = relationship(&body, s.rel_id());
    assert_eq!(r["status"], "active");
    let members = r["members"].as_array().expect("members");
    assert_eq!(members.len(), 2);
    assert!(members
        .iter()
        .any(|m| m["account_id"] == s.ada_id.as_str() && m["you"] == true));
    assert!(members
        .iter()
        .any(|m| m["account_id"] == s.bo_id.as_str() && m["you"] == false));
    assert_eq!(r["ledger"].as_array().map(Vec::len), Some(5));
    assert_eq!(r["values"]["comparisons"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        r["respect"]["comparisons"].as_array().map(Vec::len),
        Some(1)
    );
    // Bo is drafting round 2: Ada sees only that he has not sent it.
    assert_eq!(r["values"]["current"]["round"], 2);
    assert_eq!(r["values"]["current"]["partner_submitted"], false);
    let reflections = r["reflections"].as_array().expect("reflections");
    assert_eq!(reflections.len(), 1, "Ada's one reflection, not Bo's");
    assert!(reflections[0]["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("ADA-MARK")));

    // H9: the export's count of what Ada wrote equals what she wrote.
    let a = &s.ada_authored;
    assert_eq!(
        counted(&body, s.rel_id(), &s.ada_id),
        (a.entries, a.thanks, a.notes)
    );

    // Bo's own file has his drafts, his phone, and none of Ada's account.
    let (bo_body, bo_text) = export(&s.bo).await;
    assert_eq!(bo_body["account"]["email"], "bo@example.org");
    assert_holds(&bo_text, &s.bo_private.made, "Bo's own drafts");
    assert!(bo_text.contains(BO_DEVICE));
    assert_lacks(&bo_text, &["ada@example.org".to_owned()], "Ada's e-mail");
    // Ada's answers in the revealed deck are Bo's to read; her drafts in
    // the other deck and her token's name are not.
    let ada_drafts: Vec<String> = deck_status(&body, s.rel_id(), DRAFT_DECK)["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .map(|a| a["text"].as_str().expect("text").to_owned())
        .collect();
    assert!(!ada_drafts.is_empty(), "Ada's drafts are in her file");
    assert_lacks(&bo_text, &ada_drafts, "Ada's drafts in Bo's file");
    assert_lacks(
        &bo_text,
        std::slice::from_ref(&s.ada_token_name),
        "Ada's token name in Bo's file",
    );
}

/// The caller's `current` of deck `key` in relationship `rel`.
fn deck_status<'a>(body: &'a Value, rel: &str, key: &str) -> &'a Value {
    &relationship(body, rel)["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .find(|d| d["deck"] == key)
        .expect("deck")["current"]
}

async fn after_the_end_each_export_holds_only_its_authors_words(engine: DbEngine) {
    let Some(s) = Story::told(engine).await else {
        return;
    };
    ok(
        s.bo.post_json(&format!("{}/leave", s.r), &json!({})).await,
        200,
        "leave",
    )
    .await;

    let (body, text) = export(&s.ada).await;
    let r = relationship(&body, s.rel_id());
    assert_eq!(r["status"], "ended");
    assert_eq!(r["written"]["ended"], true);
    // Everything Ada wrote is still hers; nothing Bo wrote is in her file.
    assert_holds(&text, &s.ada_marks.made, "Ada's own words after the end");
    assert!(
        !text.contains("BO-"),
        "none of Bo's words after the end: {text}"
    );
    assert_lacks(&text, &s.bo_ids, "Bo's events and token");
    assert_eq!(r["values"]["comparisons"], json!([]));
    assert_eq!(r["respect"]["comparisons"], json!([]));
    for deck in r["conversations"].as_array().expect("decks") {
        assert_eq!(deck["comparisons"], json!([]));
        assert_eq!(deck["current"]["partner_submitted"], false);
    }
    let a = &s.ada_authored;
    assert_eq!(
        counted(&body, s.rel_id(), &s.ada_id),
        (a.entries, a.thanks, a.notes),
        "H9: Ada keeps every item she wrote"
    );

    // And Bo's file holds none of Ada's words.
    let (_, bo_text) = export(&s.bo).await;
    assert!(
        !bo_text.contains("ADA-MARK"),
        "none of Ada's words in Bo's file after the end: {bo_text}"
    );
    assert_holds(&bo_text, &s.bo_shared.made, "Bo's own shared words");
    assert_holds(&bo_text, &s.bo_private.made, "Bo's own drafts");
}

async fn a_token_can_export_and_nobody_else_can(engine: DbEngine) {
    let Some(s) = Story::told(engine).await else {
        return;
    };
    // Ada's token: the same file as her session's.
    let by_token = s
        .ada
        .client
        .get(s.ada.url("/api/v1/me/export"))
        .bearer_auth(&s.ada_token)
        .send()
        .await
        .expect("GET");
    let (body, text) = download(by_token).await;
    assert_eq!(body["account"]["id"], s.ada_id.as_str());
    assert_holds(&text, &s.ada_marks.made, "Ada's words, by token");
    assert_lacks(&text, &s.bo_private.made, "Bo's drafts, by token");

    // Nobody signed in: 401 from the API; the page asks to sign in.
    let anonymous = s.app.person();
    let refused = anonymous.get("/api/v1/me/export").await;
    assert_eq!(refused.status(), 401);
    let refused = refused.text().await.expect("body");
    assert!(!refused.contains("MARK"), "{refused}");
    let page = anonymous.get("/account/export").await;
    assert_eq!(page.status(), 303);
    assert!(page
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.starts_with("/signin")));
    // Pages never take a token.
    let page = anonymous
        .client
        .get(anonymous.url("/account/export"))
        .bearer_auth(&s.ada_token)
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), 303);

    // Someone else signed in gets their own (empty) file, none of theirs.
    let (eve, _) = s.app.signed_in("eve@example.org", "Eve").await;
    let (body, text) = export(&eve).await;
    assert_eq!(body["relationships"], json!([]));
    assert_eq!(body["tokens"], json!([]));
    assert!(
        !text.contains("MARK") && !text.contains("BO-PRIVATE"),
        "{text}"
    );

    // The account page's download: the session, the same file.
    let (page_body, page_text) = download(s.ada.get("/account/export").await).await;
    assert_eq!(page_body["account"]["id"], s.ada_id.as_str());
    assert_holds(&page_text, &s.ada_marks.made, "the page's download");
    assert_lacks(&page_text, &s.bo_private.made, "the page's download");
    // And the page offers it.
    let account = s.ada.get("/account").await.text().await.expect("page");
    assert!(account.contains("id=\"export\""));
    assert!(account.contains("href=\"/account/export\""));
}

/// The lines of an access log (an export's `access_log`, or the API's
/// answer), as who looked at which kind of item.
fn looks(lines: &Value) -> BTreeSet<(String, String)> {
    lines
        .as_array()
        .expect("access log lines")
        .iter()
        .map(|l| {
            (
                l["viewer_id"].as_str().expect("viewer_id").to_owned(),
                l["item"].as_str().expect("item").to_owned(),
            )
        })
        .collect()
}

/// Every kind of item the story shares, each looked at by `who`.
fn every_kind_by(who: &str) -> BTreeSet<(String, String)> {
    ["ledger", "values", "respect", &format!("deck:{DECK}")]
        .into_iter()
        .map(|item| (who.to_owned(), item.to_owned()))
        .collect()
}

async fn the_export_holds_the_access_log_of_who_looked_at_what_was_shared(engine: DbEngine) {
    let Some(s) = Story::told(engine).await else {
        return;
    };
    // Bo's log as it stands, read through the API (which reads nobody's words).
    let bo_before = looks(&ok(s.bo.get("/api/v1/me/access-log").await, 200, "Bo's log").await);
    let (before, _) = export(&s.ada).await;
    let ada_before = looks(&before["access_log"]);
    let bo_ledger = (s.bo_id.clone(), "ledger".to_owned());
    assert!(!ada_before.contains(&bo_ledger), "{ada_before:?}");

    // Bo opens the ledger, which holds Ada's entries and thanks: her next
    // file has one line more, that one.
    let opened_at = chrono::Utc::now();
    let ledger = s.bo.get(&format!("{}/contributions", s.r)).await;
    assert_eq!(ledger.status(), 200);
    let (body, _) = export(&s.ada).await;
    let mut expected = ada_before.clone();
    expected.insert(bo_ledger.clone());
    assert_eq!(looks(&body["access_log"]), expected);
    let log = body["access_log"].as_array().expect("access_log");
    assert_eq!(log.len(), expected.len(), "one line per look: {log:?}");
    let line = log
        .iter()
        .find(|l| l["viewer_id"] == s.bo_id.as_str() && l["item"] == "ledger")
        .expect("Bo's look at the ledger");
    assert_eq!(line["viewer_name"], "Bo");
    assert_eq!(line["relationship_id"], s.rel_id());
    assert_eq!(line["description"], "your ledger entries and thanks");
    let first_at: chrono::DateTime<chrono::Utc> = line["first_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("first_at is a time");
    let exported_at: chrono::DateTime<chrono::Utc> = body["exported_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("exported_at is a time");
    assert!(
        opened_at - chrono::Duration::seconds(1) <= first_at && first_at <= exported_at,
        "the look is when Bo opened the ledger: {first_at} ({opened_at}..{exported_at})"
    );
    assert_eq!(line["day"], first_at.format("%Y-%m-%d").to_string());
    // The very lines the API's own access log gives her.
    let api = ok(s.ada.get("/api/v1/me/access-log").await, 200, "Ada's log").await;
    assert_eq!(body["access_log"], api);

    // Making her file read what Bo shared, as her pages would: Bo's log now
    // shows Ada looking at every kind of item he shared, and nothing else new.
    let ada_looks = every_kind_by(&s.ada_id);
    assert!(
        !bo_before.contains(&(s.ada_id.clone(), "ledger".to_owned())),
        "Ada never opened the ledger before her export: {bo_before:?}"
    );
    let (bo_body, _) = export(&s.bo).await;
    assert_eq!(
        looks(&bo_body["access_log"]),
        bo_before.union(&ada_looks).cloned().collect()
    );
    // And Bo's export read Ada's shared words in turn.
    let (after, _) = export(&s.ada).await;
    let after = looks(&after["access_log"]);
    assert!(
        after.is_superset(&every_kind_by(&s.bo_id)),
        "Bo's export shows in Ada's log: {after:?}"
    );
    assert!(
        after.iter().all(|(who, _)| *who == s.bo_id),
        "only Bo ever looked at Ada's items: {after:?}"
    );
}

/// A download of the web page: 200 with the export's headers, named by
/// the day it was made; its text.
async fn download_html(response: reqwest::Response) -> String {
    let before = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let after = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(status, 200, "{text}");
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/html; charset=utf-8");
    assert_eq!(header("cache-control"), "no-store");
    let named = |day: &str| format!("attachment; filename=\"reciprocity-export-{day}.html\"");
    let disposition = header("content-disposition");
    assert!(
        disposition == named(&before) || disposition == named(&after),
        "{disposition}"
    );
    assert!(text.starts_with("<!DOCTYPE html>"), "{text}");
    text
}

/// Words of Bo's with markup in them, shared with Ada.
const MARKUP: &str = "BO-MARKUP <script>x</script> & \"<b>bold</b>\"";
const MARKUP_ESCAPED: &str =
    "BO-MARKUP &lt;script&gt;x&lt;/script&gt; &amp; &quot;&lt;b&gt;bold&lt;/b&gt;&quot;";

/// The headings of the page's sections (written in `api::export_html`).
const SECTIONS: &[&str] = &[
    "Your data",
    "About you",
    "Who has looked at what you shared",
    "Recent activity on your account",
    "Your tokens for scripts",
    "Your space with Bo",
    "Who is in it",
    "The ledger: what you did for each other",
    "What matters to each of you",
    "The respect map",
    "Conversations",
    "Everything you wrote here",
    "Your private reflections",
];

async fn the_web_page_holds_every_section_with_every_text_escaped(engine: DbEngine) {
    let Some(s) = Story::told(engine).await else {
        return;
    };
    // Bo shares words with markup: an entry, and a note on the revealed deck.
    log(
        &s.bo,
        &s.r,
        json!({"domain": "planning", "description": MARKUP, "effort": 2}),
    )
    .await;
    note(&s.bo, &s.r, MARKUP).await;
    // Bo opens the ledger: a line in Ada's access log.
    assert_eq!(
        s.bo.get(&format!("{}/contributions", s.r)).await.status(),
        200
    );

    let html = download_html(s.ada.get("/api/v1/me/export.html").await).await;
    let (_, json_text) = export(&s.ada).await;

    // Bo's markup is text on the page, escaped, wherever it appears (in the
    // ledger and in the deck's comparison and notes).
    assert!(json_text.contains("BO-MARKUP <script>"), "the file has it");
    assert_eq!(
        html.matches(MARKUP_ESCAPED).count(),
        html.matches("BO-MARKUP").count(),
        "every copy of Bo's markup is escaped"
    );
    assert!(html.matches(MARKUP_ESCAPED).count() >= 2, "entry and note");
    assert!(!html.contains("<script"), "no script, escaped or ours");
    assert!(!html.contains("<b>"), "no markup of Bo's");
    // Self-contained: nothing fetched, nothing to run.
    for outside in [
        "src=", "http://", "https://", "<link", "url(", "@import", "<iframe", "<object",
    ] {
        assert!(!html.contains(outside), "{outside} in the page");
    }
    assert!(html.contains("Content-Security-Policy\" content=\"default-src &#39;none&#39;"));

    // Every section, with a heading of its own.
    for heading in SECTIONS {
        assert!(
            html.contains(&format!(">{heading}</h")),
            "section {heading:?} in the page"
        );
    }
    assert!(
        html.contains("your ledger entries and thanks"),
        "the access log line"
    );

    // The same words as the JSON file, as often: nothing left out, nothing added.
    let marks: Vec<&String> = s.ada_marks.made.iter().chain(&s.bo_shared.made).collect();
    for mark in marks {
        assert_eq!(
            html.matches(mark.as_str()).count(),
            json_text.matches(mark.as_str()).count(),
            "{mark}: as often on the page as in the file"
        );
    }
    assert!(html.contains(&s.ada_token_name));
    assert_lacks(&html, &s.bo_private.made, "Bo's drafts and token name");
    assert_lacks(&html, &s.bo_ids, "Bo's security events and token");
    assert_lacks(
        &html,
        &["bo@example.org".to_owned(), BO_DEVICE.to_owned()],
        "Bo's account",
    );

    // The account page offers it, and its download is the same page (the
    // session only: a token is a signed-out visitor there).
    let account = s.ada.get("/account").await.text().await.expect("page");
    assert!(account.contains("href=\"/account/export.html\""));
    assert!(account.contains("Download as a web page"));
    let page = download_html(s.ada.get("/account/export.html").await).await;
    assert_holds(&page, &s.ada_marks.made, "the page's web page");
    assert!(page.contains(MARKUP_ESCAPED) && !page.contains("<script"));
    // A token gets the same as the session from the API.
    let by_token = s
        .ada
        .client
        .get(s.ada.url("/api/v1/me/export.html"))
        .bearer_auth(&s.ada_token)
        .send()
        .await
        .expect("GET");
    assert_holds(
        &download_html(by_token).await,
        &s.ada_marks.made,
        "Ada's words, by token",
    );
}

async fn nobody_else_gets_the_web_page_of_anyone(engine: DbEngine) {
    let Some(s) = Story::told(engine).await else {
        return;
    };
    // Signed out: 401 from the API, the sign-in page for the page, and
    // nobody's words either way; a token is no session to a page.
    let anonymous = s.app.person();
    let refused = anonymous.get("/api/v1/me/export.html").await;
    assert_eq!(refused.status(), 401);
    let body = refused.text().await.expect("body");
    assert!(!body.contains("MARK"), "{body}");
    for credentials in [None, Some(&s.ada_token)] {
        let mut request = anonymous.client.get(anonymous.url("/account/export.html"));
        if let Some(token) = credentials {
            request = request.bearer_auth(token);
        }
        let page = request.send().await.expect("GET");
        assert_eq!(page.status(), 303);
        assert!(page
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/signin")));
        let body = page.text().await.expect("body");
        assert!(!body.contains("MARK"), "{body}");
    }

    // A stranger signed in gets a page of their own, with none of theirs.
    let (eve, _) = s.app.signed_in("eve@example.org", "Eve").await;
    for path in ["/api/v1/me/export.html", "/account/export.html"] {
        let html = download_html(eve.get(path).await).await;
        assert!(html.contains("Eve"), "{html}");
        assert!(html.contains("You have not shared a space with anyone yet."));
        for theirs in ["MARK", "BO-PRIVATE", "ada@example.org", "bo@example.org"] {
            assert!(!html.contains(theirs), "{theirs} in Eve's page");
        }
    }

    // After Bo leaves, his page holds none of Ada's words, and hers none of his.
    ok(
        s.bo.post_json(&format!("{}/leave", s.r), &json!({})).await,
        200,
        "leave",
    )
    .await;
    let bo_page = download_html(s.bo.get("/api/v1/me/export.html").await).await;
    assert!(
        !bo_page.contains("ADA-MARK"),
        "none of Ada's words in Bo's page"
    );
    assert_holds(&bo_page, &s.bo_shared.made, "Bo's own words");
    let ada_page = download_html(s.ada.get("/api/v1/me/export.html").await).await;
    assert!(
        !ada_page.contains("BO-"),
        "none of Bo's words in Ada's page"
    );
    assert_holds(&ada_page, &s.ada_marks.made, "Ada's own words");
}

/// The schema with every object closed: a field the code writes and the
/// schema does not name fails validation. A schema another one extends
/// (`allOf`) stays open, its extension closes both.
fn closed(schema: &Value) -> Value {
    fn bases(node: &Value, found: &mut BTreeSet<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Array(all)) = map.get("allOf") {
                    for part in all {
                        if let Some(r) = part["$ref"].as_str() {
                            found.insert(r.trim_start_matches("#/$defs/").to_owned());
                        }
                    }
                }
                map.values().for_each(|v| bases(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| bases(v, found)),
            _ => {}
        }
    }
    fn close(node: &mut Value, open: &BTreeSet<String>, name: Option<&str>) {
        match node {
            Value::Object(map) => {
                let keep_open = name.is_some_and(|n| open.contains(n));
                if map.contains_key("properties") && !keep_open {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                let defs = map.contains_key("$defs");
                for (key, child) in map.iter_mut() {
                    if defs && key == "$defs" {
                        if let Value::Object(each) = child {
                            for (def, schema) in each.iter_mut() {
                                close(schema, open, Some(def));
                            }
                        }
                    } else {
                        close(child, open, None);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| close(v, open, None)),
            _ => {}
        }
    }
    let mut open = BTreeSet::new();
    bases(schema, &mut open);
    let mut closed = schema.clone();
    close(&mut closed, &open, None);
    closed
}

fn valid(body: &Value) {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&closed(&schema))
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the export does not match docs/export.schema.json:\n{}",
        errors.join("\n")
    );
}

/// Every field the schema names is described in docs/export.md.
#[test]
fn every_field_of_the_schema_is_documented() {
    fn names(node: &Value, found: &mut BTreeSet<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    found.extend(props.keys().cloned());
                }
                map.values().for_each(|v| names(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| names(v, found)),
            _ => {}
        }
    }
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let mut fields = BTreeSet::new();
    names(&schema, &mut fields);
    assert!(fields.len() > 50, "{fields:?}");
    let undocumented: Vec<&String> = fields
        .iter()
        .filter(|f| !DOC.contains(&format!("`{f}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "fields of docs/export.schema.json missing from docs/export.md: {undocumented:?}"
    );
}

/// The schema is closed where the test closes it, and only there.
#[test]
fn the_closed_schema_refuses_an_undocumented_field() {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&closed(&schema)).expect("compiles");
    let minimal = json!({
        "format": "reciprocity-export", "version": 2,
        "exported_at": "2026-12-01T09:30:00Z",
        "account": {"id": "6f2c1a4e-8a51-4c1e-9d0a-2b1f3c4d5e6f", "email": "a@example.org",
            "display_name": "A", "created_at": "2026-12-01T09:30:00Z"},
        "security_events": [], "tokens": [], "relationships": []
    });
    assert!(validator.is_valid(&minimal));
    let mut extra = minimal.clone();
    extra["account"]["secret"] = json!("x");
    assert!(!validator.is_valid(&extra), "an unknown field is refused");
    let mut missing = minimal;
    missing.as_object_mut().expect("object").remove("tokens");
    assert!(!validator.is_valid(&missing), "a missing field is refused");
    // The published schema itself stays open for added fields.
    let open = jsonschema::validator_for(&schema).expect("compiles");
    assert!(open.is_valid(&extra));
}

/// The page and the API show the latest 200 lines of the access log; the
/// export, the owner's evidence (R28(c), R37), holds every one.
async fn the_export_holds_the_whole_access_log_beyond_what_the_page_shows(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        ada_id,
        bo_id,
        r,
        ..
    } = app.couple().await;
    let rel = r.trim_start_matches("/api/v1/relationships/");
    // 230 days of Bo looking at Ada's ledger (states the API reaches only
    // by waiting that long).
    for day in 0..230 {
        app.sql(&format!(
            "INSERT INTO access_log (owner_id, viewer_id, relationship_id, item, day, first_at) \
             VALUES ('{ada_id}', '{bo_id}', '{rel}', 'ledger', {}, {})",
            19_000 + day,
            1_641_600_000_000_i64 + i64::from(day) * 86_400_000
        ))
        .await;
    }
    let api = ok(ada.get("/api/v1/me/access-log").await, 200, "access log").await;
    assert_eq!(api.as_array().map(Vec::len), Some(200));
    let (body, _) = export(&ada).await;
    assert_eq!(body["access_log"].as_array().map(Vec::len), Some(230));
}

on_both_engines!(
    the_export_holds_the_whole_access_log_beyond_what_the_page_shows,
    a_partner_exports_their_words_and_what_was_shared_and_nothing_private_of_the_other,
    after_the_end_each_export_holds_only_its_authors_words,
    a_token_can_export_and_nobody_else_can,
    the_export_holds_the_access_log_of_who_looked_at_what_was_shared,
    the_web_page_holds_every_section_with_every_text_escaped,
    nobody_else_gets_the_web_page_of_anyone,
);
