//! The couple's home over real HTTP, page and API, on both engines: each
//! thing waiting appears when it should and goes once done; sealed rounds
//! say whose turn and never a word of what was written (a distinctive word
//! in the partner's sealed answer is nowhere on my home, HTML or JSON, nor
//! a draft's existence); a first-time home explains itself; strangers and
//! former partners are told there is nothing here.

use serde_json::{json, Value};

use crate::common::pages::plain_html;
use crate::common::{error_of, Couple, DbEngine, Person, TestApp};

/// The partner's sealed words: must never reach the other's home.
const SECRET: &str = "ZEBRAQUARTZ";
/// A draft never sent: neither its words nor its existence may show.
const DRAFT: &str = "OTTERDRAFT";

async fn home(p: &Person, r: &str) -> Value {
    let response = p.get(&format!("{r}/home")).await;
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("json")
}

/// The home as JSON text and the page, asserting neither holds `word`.
async fn neither_holds(p: &Person, r: &str, word: &str) {
    let api = p
        .get(&format!("{r}/home"))
        .await
        .text()
        .await
        .expect("json");
    assert!(!api.contains(word), "{word} in {api}");
    let page = plain_html(p, "/home").await;
    assert!(!page.contains(word), "{word} in the page");
}

async fn ok(response: reqwest::Response, status: u16) -> Value {
    let code = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(code.as_u16(), status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn log_for_partner(p: &Person, r: &str, what: &str) -> String {
    let made = ok(
        p.post_json(
            &format!("{r}/contributions"),
            &json!({"domain": "household_labor", "description": what, "effort": 2}),
        )
        .await,
        201,
    )
    .await;
    made["id"].as_str().expect("id").to_owned()
}

async fn thank(p: &Person, r: &str, id: &str) {
    ok(
        p.post_json(
            &format!("{r}/contributions/{id}/acknowledgment"),
            &json!({"value": 4, "note": "Thank you"}),
        )
        .await,
        200,
    )
    .await;
}

async fn values_keys(p: &Person, r: &str) -> Vec<String> {
    let items = ok(p.get(&format!("{r}/values/items")).await, 200).await;
    items["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_owned())
        .collect()
}

/// Answers every values item (each definition carries `tag`) and sends.
async fn send_values(p: &Person, r: &str, tag: &str) {
    let answers: Vec<Value> = values_keys(p, r)
        .await
        .iter()
        .map(|k| json!({"item": k, "importance": 3, "definition": format!("{tag} {k}")}))
        .collect();
    ok(
        p.put_json(
            &format!("{r}/values/answers"),
            &json!({ "answers": answers }),
        )
        .await,
        200,
    )
    .await;
    ok(
        p.post_json(&format!("{r}/values/submit"), &json!({})).await,
        200,
    )
    .await;
}

async fn write_deck(p: &Person, r: &str, deck: &str, text: &str, send: bool) {
    let prompts = ok(p.get(&format!("{r}/conversations/{deck}")).await, 200).await;
    let first = prompts["prompts"][0]["key"].as_str().expect("prompt");
    ok(
        p.put_json(
            &format!("{r}/conversations/{deck}/answers"),
            &json!({"answers": [{"prompt": first, "text": text}]}),
        )
        .await,
        200,
    )
    .await;
    if send {
        ok(
            p.post_json(&format!("{r}/conversations/{deck}/submit"), &json!({}))
                .await,
            200,
        )
        .await;
    }
}

async fn a_first_time_home_explains_then_things_to_thank_come_and_go(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let Couple { ada, bo, r, .. } = app.couple().await;

    // Nothing yet: the home says what the app is for, a first step each.
    let first = home(&ada, &r).await;
    assert_eq!(first["first_time"], true, "{first}");
    assert_eq!(first["to_thank"]["count"], 0);
    assert_eq!(first["next_conversation"]["deck"], "defining_love");
    assert_eq!(first["next_conversation"]["why"], "new");
    let page = plain_html(&ada, "/home").await;
    assert!(page.contains("id=\"first-steps\""), "{page}");
    for step in ["/ledger", "/values", "/agreements/new", "/checkins"] {
        assert!(page.contains(&format!("<a href=\"{step}\">")), "{step}");
    }
    assert!(!page.contains("id=\"to-thank\""));

    // Bo logs what he did for Ada: her home says so, one tap from thanking.
    let walk = log_for_partner(&bo, &r, "Walked the dog").await;
    let now = home(&ada, &r).await;
    assert_eq!(now["first_time"], false);
    assert_eq!(now["to_thank"]["count"], 1);
    assert_eq!(now["to_thank"]["items"][0]["description"], "Walked the dog");
    let page = plain_html(&ada, "/home").await;
    assert!(!page.contains("id=\"first-steps\""));
    assert!(page.contains("Bo did something for you"), "{page}");
    assert!(page.contains("<li>Walked the dog</li>"));
    assert!(page.contains("<a class=\"button\" href=\"/ledger#thank-heading\">Say thank you</a>"));
    // Nothing waits for Bo: his own entry is not his to thank.
    assert_eq!(home(&bo, &r).await["to_thank"]["count"], 0);
    assert!(!plain_html(&bo, "/home").await.contains("id=\"to-thank\""));

    let soup = log_for_partner(&bo, &r, "Made soup").await;
    assert!(plain_html(&ada, "/home")
        .await
        .contains("Bo did 2 things for you"));
    assert_eq!(home(&ada, &r).await["to_thank"]["count"], 2);

    // Ada thanks one: one left, and the thanks shows both ways.
    thank(&ada, &r, &walk).await;
    let after = home(&ada, &r).await;
    assert_eq!(after["to_thank"]["count"], 1);
    assert_eq!(after["to_thank"]["items"][0]["description"], "Made soup");
    assert_eq!(after["recent_thanks"][0]["direction"], "given");
    assert_eq!(after["recent_thanks"][0]["description"], "Walked the dog");
    let bos = home(&bo, &r).await;
    assert_eq!(bos["recent_thanks"][0]["direction"], "received");
    assert!(plain_html(&bo, "/home")
        .await
        .contains("Ada thanked you for: Walked the dog"));
    assert!(plain_html(&ada, "/home")
        .await
        .contains("You thanked Bo for: Walked the dog"));

    // And the other: nothing left to thank.
    thank(&ada, &r, &soup).await;
    assert_eq!(home(&ada, &r).await["to_thank"]["count"], 0);
    assert!(!plain_html(&ada, "/home").await.contains("id=\"to-thank\""));
    assert_eq!(
        home(&ada, &r).await["recent_thanks"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

async fn sealed_rounds_say_whose_turn_and_never_what_was_written(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let Couple { ada, bo, r, .. } = app.couple().await;

    // Bo only drafts a conversation: nothing of it reaches Ada, not even
    // that it exists; Ada's next conversation is still that deck, new.
    write_deck(&bo, &r, "defining_love", DRAFT, false).await;
    let adas = home(&ada, &r).await;
    assert_eq!(adas["sealed"], json!([]), "{adas}");
    assert_eq!(adas["first_time"], true, "a partner's draft is invisible");
    assert_eq!(adas["next_conversation"]["deck"], "defining_love");
    assert_eq!(adas["next_conversation"]["why"], "new");
    neither_holds(&ada, &r, DRAFT).await;
    // Bo is invited to finish his own.
    let bos = home(&bo, &r).await;
    assert_eq!(bos["next_conversation"]["deck"], "defining_love");
    assert_eq!(bos["next_conversation"]["why"], "continue");

    // Bo sends his values: Ada's turn, Bo waits; no word of his shows.
    send_values(&bo, &r, SECRET).await;
    let adas = home(&ada, &r).await;
    assert_eq!(
        adas["sealed"],
        json!([{"kind": "values", "round": 1, "whose_turn": "yours"}])
    );
    let page = plain_html(&ada, "/home").await;
    assert!(page.contains("id=\"your-turn\""), "{page}");
    assert!(page.contains("<a href=\"/values\">What matters to us, round 1</a>"));
    assert!(!page.contains("id=\"their-turn\""));
    neither_holds(&ada, &r, SECRET).await;
    neither_holds(&ada, &r, DRAFT).await;
    let bos = home(&bo, &r).await;
    assert_eq!(
        bos["sealed"],
        json!([{"kind": "values", "round": 1, "whose_turn": "partner"}])
    );
    let page = plain_html(&bo, "/home").await;
    assert!(page.contains("id=\"their-turn\"") && page.contains("Waiting for Ada"));
    assert!(!page.contains("id=\"your-turn\""));

    // Bo sends his conversation too: Ada's turn there, and her suggestion
    // moves on to the next deck.
    ok(
        bo.post_json(
            &format!("{r}/conversations/defining_love/submit"),
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    let adas = home(&ada, &r).await;
    assert_eq!(adas["sealed"][1]["kind"], "conversation");
    assert_eq!(adas["sealed"][1]["deck"], "defining_love");
    assert_eq!(adas["sealed"][1]["whose_turn"], "yours");
    assert_eq!(adas["next_conversation"]["deck"], "defining_respect");
    assert!(plain_html(&ada, "/home")
        .await
        .contains("<a href=\"/conversations/1\">Defining love, round 1</a>"));
    neither_holds(&ada, &r, DRAFT).await;

    // Ada sends both: nothing waits for anyone any more.
    send_values(&ada, &r, "ADA").await;
    write_deck(&ada, &r, "defining_love", "ADA-LOVE", true).await;
    for p in [&ada, &bo] {
        let h = home(p, &r).await;
        assert_eq!(h["sealed"], json!([]), "{h}");
        assert_eq!(h["next_conversation"]["deck"], "defining_respect");
        let page = plain_html(p, "/home").await;
        assert!(!page.contains("id=\"your-turn\"") && !page.contains("id=\"their-turn\""));
    }
}

async fn check_in_agreement_counselor_and_spiral_items_come_and_go(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let Couple {
        ada,
        bo,
        r,
        ada_id,
        bo_id,
    } = app.couple().await;

    // A check-in is due until one is kept.
    assert_eq!(home(&ada, &r).await["checkin_due"], true);
    let answers: serde_json::Map<String, Value> = [
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
    ]
    .iter()
    .map(|k| ((*k).to_owned(), json!(4)))
    .collect();
    ok(
        ada.post_json(&format!("{r}/checkins"), &Value::Object(answers))
            .await,
        201,
    )
    .await;
    assert_eq!(home(&ada, &r).await["checkin_due"], false);
    assert!(!plain_html(&ada, "/home")
        .await
        .contains("id=\"checkin-due\""));

    // An agreement Ada proposes waits for Bo's answer, not hers.
    let made = ok(
        ada.post_json(
            &format!("{r}/agreements"),
            &json!({
                "domain": "household_labor",
                "title": "Sunday dinners",
                "terms": "I cook on Sundays and you wash up.",
                "my_part": "Cook",
                "partner_part": "Wash up",
            }),
        )
        .await,
        201,
    )
    .await;
    let aid = made["id"].as_str().expect("id").to_owned();
    let bos = home(&bo, &r).await;
    assert_eq!(
        bos["agreements_awaiting"],
        json!([{"id": aid, "title": "Sunday dinners"}])
    );
    assert_eq!(home(&ada, &r).await["agreements_awaiting"], json!([]));
    ok(
        bo.post_json(
            &format!("{r}/agreements/{aid}/accept"),
            &json!({"version": 1}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(home(&bo, &r).await["agreements_awaiting"], json!([]));

    // A counselor Ada invites waits for Bo's approval, and only his.
    let invited = ok(
        ada.post_json(
            &format!("{r}/counselor"),
            &json!({"email": "rivera@example.org"}),
        )
        .await,
        201,
    )
    .await;
    let cid = invited["id"].as_str().expect("id").to_owned();
    assert_eq!(home(&bo, &r).await["counselor_awaiting"], true);
    assert!(plain_html(&bo, "/home")
        .await
        .contains("id=\"counselor-awaiting\""));
    assert_eq!(home(&ada, &r).await["counselor_awaiting"], false);
    ok(
        bo.post_json(
            &format!("{r}/counselor/{cid}/approve"),
            &json!({"categories": ["episodes"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(home(&bo, &r).await["counselor_awaiting"], false);

    // Three spirals within a month (each: A criticism 1, B defensiveness 2,
    // A contempt 3, negative and rising, alternating): the gentle note, on
    // both homes, naming no one. Two are not enough.
    for n in 0..3 {
        assert_eq!(home(&ada, &r).await["spiral_note"], false, "after {n}");
        let made = ok(
            ada.post_json(
                &format!("{r}/episodes"),
                &json!({"title": format!("Dishes {n}"), "kind": "conflict", "share": true}),
            )
            .await,
            201,
        )
        .await;
        let eid = made["id"].as_str().expect("id").to_owned();
        for (actor, code, intensity) in [
            (&ada_id, "criticism", 1),
            (&bo_id, "defensiveness", 2),
            (&ada_id, "contempt", 3),
        ] {
            ok(
                ada.post_json(
                    &format!("{r}/episodes/{eid}/turns"),
                    &json!({"actor_id": actor, "code": code, "intensity": intensity}),
                )
                .await,
                201,
            )
            .await;
        }
    }
    for p in [&ada, &bo] {
        assert_eq!(home(p, &r).await["spiral_note"], true);
        let page = plain_html(p, "/home").await;
        let start = page.find("id=\"spiral-note\"").expect("the note");
        let note = &page[start..start + page[start..].find("</p>").expect("end")];
        assert!(!note.contains("Ada") && !note.contains("Bo"), "{note}");
        assert!(note.contains("href=\"/episodes/patterns\""));
    }
}

async fn strangers_former_partners_and_a_waiting_space_find_no_home(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    // A space waiting for its partner: nothing to wait for yet.
    let (cy, _) = app.signed_in("cy@example.org", "Cy").await;
    let created = cy.create_relationship().await;
    let waiting = format!(
        "/api/v1/relationships/{}",
        created["id"].as_str().expect("id")
    );
    let response = cy.get(&format!("{waiting}/home")).await;
    assert_eq!(response.status(), 409);
    assert_eq!(error_of(response).await.0, "not_active");
    assert!(plain_html(&cy, "/home")
        .await
        .contains("Waiting for your partner"));

    let Couple { ada, bo, r, .. } = app.couple().await;
    send_values(&bo, &r, SECRET).await;
    let (eve, _) = app.signed_in("eve@example.org", "Eve").await;
    for (who, path) in [
        (&eve, format!("{r}/home")),
        (&cy, format!("{r}/home")),
        (&ada, format!("{waiting}/home")),
        (&ada, "/api/v1/relationships/not-an-id/home".to_owned()),
        (
            &ada,
            format!("/api/v1/relationships/{}/home", uuid::Uuid::new_v4()),
        ),
    ] {
        let response = who.get(&path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(!response.text().await.expect("body").contains(SECRET));
    }

    // Once Bo leaves, neither finds a home API; the page says it ended.
    ok(bo.post_json(&format!("{r}/leave"), &json!({})).await, 200).await;
    for p in [&ada, &bo] {
        assert_eq!(p.get(&format!("{r}/home")).await.status(), 404);
        let page = plain_html(p, "/home").await;
        assert!(page.contains("This space has ended") || page.contains("Start your shared space"));
        assert!(!page.contains(SECRET));
    }
    assert!(plain_html(&ada, "/home")
        .await
        .contains("This space has ended"));
}

on_both_engines!(
    a_first_time_home_explains_then_things_to_thank_come_and_go,
    sealed_rounds_say_whose_turn_and_never_what_was_written,
    check_in_agreement_counselor_and_spiral_items_come_and_go,
    strangers_former_partners_and_a_waiting_space_find_no_home,
);
