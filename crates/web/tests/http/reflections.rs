//! Private reflections over real HTTP, on both engines (API.md "Private
//! reflections", issue 14): only the author ever reads theirs; the partner
//! cannot tell whether any exist; bad input is refused by field and writes
//! nothing; the text is sealed at rest; the page writes and deletes; a
//! reflection racing a leave never lands in the ended space.

use crate::common;

use crate::common::pages::{html, location, plain_html};
use crate::common::{error_of, DbEngine, Person, TestApp};
use serde_json::{json, Value};

async fn list(p: &Person, r: &str) -> Vec<Value> {
    let response = p.get(&format!("{r}/reflections")).await;
    assert_eq!(response.status(), 200);
    response
        .json::<Value>()
        .await
        .expect("json")
        .as_array()
        .expect("list")
        .clone()
}

async fn write(p: &Person, r: &str, body: Value) -> Value {
    let response = p.post_json(&format!("{r}/reflections"), &body).await;
    assert_eq!(response.status(), 201, "{body}");
    response.json().await.expect("json")
}

async fn only_the_author_reads_a_reflection_and_the_partner_cannot_tell_one_exists(
    engine: DbEngine,
) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let bo_before = bo.get(&format!("{r}/reflections")).await;
    let bo_before = (bo_before.status(), bo_before.bytes().await.expect("body"));

    let first = write(&ada, &r, json!({"text": "  ADA-FIRST\nsecond line  "})).await;
    assert_eq!(
        first["text"], "ADA-FIRST\nsecond line",
        "trimmed, lines kept"
    );
    assert_eq!(first["prompt"], Value::Null);
    let second = write(
        &ada,
        &r,
        json!({"text": "ADA-SECOND", "prompt": "after_reveal"}),
    )
    .await;
    assert_eq!(second["prompt"], "after_reveal");
    assert!(second["prompt_text"]
        .as_str()
        .is_some_and(|t| t.contains("surprised")));

    let mine = list(&ada, &r).await;
    let texts: Vec<_> = mine
        .iter()
        .map(|m| m["text"].as_str().expect("text"))
        .collect();
    assert_eq!(
        texts,
        ["ADA-SECOND", "ADA-FIRST\nsecond line"],
        "newest first"
    );

    // Bo's answer is byte for byte what it was before Ada wrote anything.
    let bo_after = bo.get(&format!("{r}/reflections")).await;
    let bo_after = (bo_after.status(), bo_after.bytes().await.expect("body"));
    assert_eq!(bo_before, bo_after);
    // Nor can he delete hers: it does not exist for him.
    let id = first["id"].as_str().expect("id");
    let theirs = bo.delete(&format!("{r}/reflections/{id}")).await;
    assert_eq!(theirs.status(), 404);
    assert_eq!(list(&ada, &r).await.len(), 2);
    // Nor can anyone outside the space read the list.
    let (cy, _) = app.signed_in("cy@example.org", "Cy").await;
    assert_eq!(cy.get(&format!("{r}/reflections")).await.status(), 404);
    assert_eq!(
        app.person().get(&format!("{r}/reflections")).await.status(),
        401
    );

    // Bo's own reflection is his alone in turn.
    write(&bo, &r, json!({"text": "BO-OWN"})).await;
    let bos = list(&bo, &r).await;
    assert_eq!(bos.len(), 1);
    assert!(!serde_json::to_string(&list(&ada, &r).await)
        .expect("json")
        .contains("BO-OWN"));
    // The pages, likewise.
    let ada_page = plain_html(&ada, "/reflections").await;
    assert!(ada_page.contains("ADA-FIRST") && ada_page.contains("ADA-SECOND"));
    assert!(!ada_page.contains("BO-OWN"));
    let bo_page = html(&bo, "/reflections").await;
    assert!(bo_page.contains("BO-OWN") && !bo_page.contains("ADA-"));

    // At rest: sealed envelopes, never the words.
    assert_eq!(app.count("reflections").await, 3);
    assert_eq!(
        app.count("reflections WHERE text LIKE 'rk1.%' AND text NOT LIKE '%ADA-%'")
            .await,
        3
    );

    // The author deletes hers for good.
    let deleted = ada.delete(&format!("{r}/reflections/{id}")).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        ada.delete(&format!("{r}/reflections/{id}")).await.status(),
        404
    );
    assert_eq!(
        ada.delete(&format!("{r}/reflections/not-an-id"))
            .await
            .status(),
        404
    );
    let left: Vec<_> = list(&ada, &r).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["text"], "ADA-SECOND");
}

async fn bad_input_is_refused_by_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, r, .. } = app.couple().await;
    let path = format!("{r}/reflections");
    let too_long = "é".repeat(domain::reflections::TEXT_MAX_CHARS + 1);
    for (body, status, field) in [
        (json!({"text": ""}), 422, Some("text")),
        (json!({"text": " \n\t "}), 422, Some("text")),
        (json!({"text": too_long}), 422, Some("text")),
        (
            json!({"text": "fine", "prompt": "not_ours"}),
            422,
            Some("prompt"),
        ),
        // A body of the wrong shape is a 400, still naming the field.
        (json!({}), 400, Some("text")),
        (json!({"text": 7}), 400, Some("text")),
        (json!({"text": "fine", "mood": "x"}), 400, Some("mood")),
    ] {
        let response = ada.post_json(&path, &body).await;
        let got = response.status().as_u16();
        let (_, named) = error_of(response).await;
        assert_eq!((got, named.as_deref()), (status, field), "{body}");
    }
    let malformed = ada.post_raw(&path, "{\"text\": ").await;
    assert_eq!(malformed.status(), 400);
    assert_eq!(app.count("reflections").await, 0, "nothing half-written");
    // Exactly the longest allowed is kept.
    let longest = "é".repeat(domain::reflections::TEXT_MAX_CHARS);
    write(&ada, &r, json!({ "text": longest })).await;
}

async fn a_space_waiting_for_the_partner_keeps_reflections_too(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    let created = ada.create_relationship().await;
    let r = format!(
        "/api/v1/relationships/{}",
        created["id"].as_str().expect("id")
    );
    write(&ada, &r, json!({"text": "ADA-WAITING"})).await;
    assert_eq!(list(&ada, &r).await.len(), 1);
    let prompts = ada.get(&format!("{r}/reflections/prompts")).await;
    assert_eq!(prompts.status(), 200);
    let prompts: Value = prompts.json().await.expect("json");
    assert!(prompts["prompts"].as_array().is_some_and(|p| p.len() >= 5));
    assert_eq!(
        prompts["text_max_chars"],
        domain::reflections::TEXT_MAX_CHARS
    );
}

async fn the_page_writes_with_a_question_refuses_an_empty_one_and_deletes(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, r, .. } = app.couple().await;
    // The values page offers its question before answering.
    let values = html(&ada, "/values").await;
    assert!(values.contains("href=\"/reflections?q=1\""), "{values}");
    // Chosen by number in the address, so history never names the subject.
    let offered = plain_html(&ada, "/reflections?q=2").await;
    let second = &domain::catalog::reflections::REFLECTION_PROMPTS[1];
    assert!(offered.contains(second.text));
    assert!(
        offered.contains("name=\"q\" value=\"2\" checked"),
        "{offered}"
    );

    let empty = ada
        .post_form("/reflections", &[("text", "   "), ("q", "2")])
        .await;
    assert_eq!(empty.status(), 422);
    let shown = empty.text().await.expect("html");
    assert!(shown.contains("id=\"text-error\""), "{shown}");
    assert_eq!(app.count("reflections").await, 0);

    let kept = ada
        .post_form(
            "/reflections",
            &[("text", "PAGE-WORDS\r\non two lines"), ("q", "2")],
        )
        .await;
    assert_eq!(kept.status(), 303);
    assert_eq!(location(&kept), "/reflections?done=kept#kept");
    let mine = list(&ada, &r).await;
    assert_eq!(mine[0]["text"], "PAGE-WORDS\non two lines");
    assert_eq!(mine[0]["prompt"], second.key);
    let page = plain_html(&ada, "/reflections").await;
    assert!(
        page.contains("<p>PAGE-WORDS</p><p>on two lines</p>"),
        "{page}"
    );

    let id = mine[0]["id"].as_str().expect("id");
    let gone = ada
        .post_form(&format!("/reflections/{id}/delete"), &[])
        .await;
    assert_eq!(gone.status(), 303);
    assert!(list(&ada, &r).await.is_empty());
    // Someone without a space is told where the journal lives.
    let (cy, _) = app.signed_in("cy@example.org", "Cy").await;
    let none = plain_html(&cy, "/reflections").await;
    assert!(none.contains("Your journal lives in your shared space"));
}

/// Reflections sent while the partner leaves either land (before the end)
/// or are refused `ended` having written nothing; never a 5xx. (That the
/// insert itself refuses an ended space is proved in the store's own
/// conformance story, `reflections`.)
async fn a_reflection_racing_a_leave_lands_whole_or_not_at_all(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    for round in 0..15 {
        let ada_email = format!("ada-{round}@example.org");
        let bo_email = format!("bo-{round}@example.org");
        let (ada, _) = app.signed_in(&ada_email, "Ada").await;
        let (bo, _) = app.signed_in(&bo_email, "Bo").await;
        let created = ada.create_relationship().await;
        let joined = bo
            .post_json(
                "/api/v1/relationships/join",
                &json!({"invite_code": created["invite_code"]}),
            )
            .await;
        assert_eq!(joined.status(), 200);
        let id = created["id"].as_str().expect("id").to_owned();
        let r = format!("/api/v1/relationships/{id}");
        let write = |i: usize| {
            let (ada, r) = (&ada, &r);
            async move {
                let response = ada
                    .post_json(
                        &format!("{r}/reflections"),
                        &json!({"text": format!("w{i}")}),
                    )
                    .await;
                let status = response.status().as_u16();
                let code = if status == 201 {
                    String::new()
                } else {
                    error_of(response).await.0
                };
                (status, code)
            }
        };
        let leave = async { bo.post_json(&format!("{r}/leave"), &json!({})).await };
        let (w0, w1, w2, left) = tokio::join!(write(0), write(1), write(2), leave);
        let answers = [w0, w1, w2];
        assert_eq!(left.status(), 200, "round {round}");
        let kept = answers.iter().filter(|(s, _)| *s == 201).count();
        for (status, code) in &answers {
            assert!(
                *status == 201 || (*status == 409 && code == "ended"),
                "round {round}: {status} {code}"
            );
        }
        let stored = app
            .count(&format!("reflections WHERE relationship_id = '{id}'"))
            .await;
        assert_eq!(stored, kept as i64, "round {round}");
    }
}

on_both_engines!(
    only_the_author_reads_a_reflection_and_the_partner_cannot_tell_one_exists,
    bad_input_is_refused_by_field_and_writes_nothing,
    a_space_waiting_for_the_partner_keeps_reflections_too,
    the_page_writes_with_a_question_refuses_an_empty_one_and_deletes,
    a_reflection_racing_a_leave_lands_whole_or_not_at_all,
);
