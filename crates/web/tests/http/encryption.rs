//! Encryption at rest over real HTTP, on both engines (issue 14,
//! `docs/encryption.md`): what a person wrote stays readable across a
//! password change and a reset with the recovery code; an operator's reset
//! keeps the account and what the couple shares (once the partner's next
//! request hands the key over) and loses only what was sealed with the old
//! personal key (drafts); a ciphertext moved to another row, or a clear text
//! planted in the database, does not open.

use crate::common::{error_of, DbEngine, Person, TestApp};
use serde_json::{json, Value};

const PASSWORD: &str = "a long password";

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let code = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(code.as_u16(), status, "{text}");
    serde_json::from_str(&text).expect("json")
}

/// Signs up and in, returning the person and their recovery code.
async fn sign_up(app: &TestApp, email: &str, name: &str) -> (Person, String) {
    let person = app.person();
    let created = json_of(
        person
            .post_json(
                "/api/v1/accounts",
                &json!({"email": email, "password": PASSWORD, "display_name": name}),
            )
            .await,
        201,
    )
    .await;
    sign_in(&person, email, PASSWORD).await;
    let code = created["recovery_code"].as_str().expect("code").to_owned();
    (person, code)
}

async fn sign_in(person: &Person, email: &str, password: &str) {
    let signed = person
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": password}),
        )
        .await;
    assert_eq!(signed.status(), 200, "sign in {email}");
}

/// Ada (whose recovery code is returned) and Bo, joined.
async fn couple(app: &TestApp) -> (Person, String, Person, String) {
    let (ada, code) = sign_up(app, "ada@example.org", "Ada").await;
    let (bo, _) = sign_up(app, "bo@example.org", "Bo").await;
    let created = ada.create_relationship().await;
    json_of(
        bo.post_json(
            "/api/v1/relationships/join",
            &json!({"invite_code": created["invite_code"]}),
        )
        .await,
        200,
    )
    .await;
    let r = format!(
        "/api/v1/relationships/{}",
        created["id"].as_str().expect("id")
    );
    (ada, code, bo, r)
}

/// A values draft whose first definition is `tag`.
async fn draft(p: &Person, r: &str, tag: &str) {
    let items = json_of(p.get(&format!("{r}/values/items")).await, 200).await;
    let first = items["items"][0]["key"].as_str().expect("key").to_owned();
    json_of(
        p.put_json(
            &format!("{r}/values/answers"),
            &json!({"answers": [{"item": first, "importance": 4, "definition": tag}]}),
        )
        .await,
        200,
    )
    .await;
}

async fn log(p: &Person, r: &str, description: &str) -> String {
    let logged = json_of(
        p.post_json(
            &format!("{r}/contributions"),
            &json!({"domain": "household_labor", "description": description, "effort": 3}),
        )
        .await,
        201,
    )
    .await;
    logged["id"].as_str().expect("id").to_owned()
}

/// A private reflection holding `tag`.
async fn reflect(p: &Person, r: &str, tag: &str) {
    let kept = p
        .post_json(&format!("{r}/reflections"), &json!({ "text": tag }))
        .await;
    assert_eq!(kept.status(), 201, "reflection");
}

/// An agreement whose title and terms hold `tag`; its path.
async fn agree(p: &Person, r: &str, tag: &str) -> String {
    let made = json_of(
        p.post_json(
            &format!("{r}/agreements"),
            &json!({"domain": "planning", "title": format!("{tag} title"),
                "terms": format!("{tag} terms")}),
        )
        .await,
        201,
    )
    .await;
    format!("{r}/agreements/{}", made["id"].as_str().expect("id"))
}

async fn text_of(p: &Person, path: &str) -> String {
    let response = p.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.expect("body")
}

async fn a_password_change_and_the_recovery_code_keep_everything_readable(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, code, _bo, r) = couple(&app).await;
    draft(&ada, &r, "ADA-OWN-DRAFT").await;
    reflect(&ada, &r, "ADA-OWN-REFLECTION").await;
    log(&ada, &r, "ADA-SHARED-GIFT").await;

    let changed = ada
        .put_json(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a newer long password"}),
        )
        .await;
    assert_eq!(changed.status(), 204);
    // The session that changed it, and a new sign-in with the new password.
    let again = app.person();
    sign_in(&again, "ada@example.org", "a newer long password").await;
    for who in [&ada, &again] {
        assert!(text_of(who, &format!("{r}/values"))
            .await
            .contains("ADA-OWN-DRAFT"));
        assert!(text_of(who, &format!("{r}/reflections"))
            .await
            .contains("ADA-OWN-REFLECTION"));
        assert!(text_of(who, &format!("{r}/contributions"))
            .await
            .contains("ADA-SHARED-GIFT"));
    }

    // Forgotten: the recovery code opens the same keys.
    let reset = app
        .person()
        .post_json(
            "/api/v1/password-reset",
            &json!({"email": "ada@example.org", "recovery_code": code,
                    "new_password": "a reset long password"}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let after = app.person();
    sign_in(&after, "ada@example.org", "a reset long password").await;
    assert!(text_of(&after, &format!("{r}/values"))
        .await
        .contains("ADA-OWN-DRAFT"));
    assert!(text_of(&after, &format!("{r}/reflections"))
        .await
        .contains("ADA-OWN-REFLECTION"));
    assert!(text_of(&after, &format!("{r}/contributions"))
        .await
        .contains("ADA-SHARED-GIFT"));
}

async fn an_operator_reset_loses_the_drafts_and_keeps_what_the_couple_shares(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _, bo, r) = couple(&app).await;
    draft(&ada, &r, "ADA-OWN-DRAFT").await;
    reflect(&ada, &r, "ADA-OWN-REFLECTION").await;
    reflect(&bo, &r, "BO-OWN-REFLECTION").await;
    log(&ada, &r, "ADA-SHARED-GIFT").await;
    log(&bo, &r, "BO-SHARED-GIFT").await;
    let agreement = agree(&ada, &r, "ADA-SHARED-AGREEMENT").await;

    // What `reciprocity admin reset-password` calls.
    let domain_app = domain::App::new(app.db.store.clone());
    let email = domain::values::Email::parse("ada@example.org").expect("email");
    let link = domain::accounts::issue_reset_link(&domain_app, &email, chrono::Utc::now())
        .await
        .expect("link")
        .expect("an account");
    let reset = app
        .person()
        .post_json(
            "/api/v1/password-reset",
            &json!({"reset_token": link.token.expose(), "new_password": "a reset long password"}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let ada = app.person();
    sign_in(&ada, "ada@example.org", "a reset long password").await;

    // New keys: the couple's key was sealed to the old ones, so it waits
    // for Bo, whose next request seals it to Ada's new public key.
    let (status, code) = {
        let response = ada.get(&format!("{r}/contributions")).await;
        let status = response.status().as_u16();
        (status, error_of(response).await.0)
    };
    assert_eq!((status, code.as_str()), (409, "key_not_shared_yet"));
    assert!(text_of(&bo, &format!("{r}/contributions"))
        .await
        .contains("ADA-SHARED-GIFT"));
    let shared = text_of(&ada, &format!("{r}/contributions")).await;
    assert!(shared.contains("ADA-SHARED-GIFT") && shared.contains("BO-SHARED-GIFT"));
    // Agreements are sealed with the couple's key: kept whole.
    let kept = text_of(&ada, &agreement).await;
    assert!(
        kept.contains("ADA-SHARED-AGREEMENT title") && kept.contains("ADA-SHARED-AGREEMENT terms"),
        "{kept}"
    );
    // The draft was sealed with Ada's old personal key: gone, not garbled.
    let values = json_of(ada.get(&format!("{r}/values")).await, 200).await;
    assert!(!values.to_string().contains("ADA-OWN-DRAFT"), "{values}");
    assert_eq!(values["mine"], "drafting");
    // So were her reflections: deleted with the old key, Bo's untouched.
    assert_eq!(
        json_of(ada.get(&format!("{r}/reflections")).await, 200).await,
        json!([])
    );
    assert_eq!(app.count("reflections").await, 1);
    assert!(text_of(&bo, &format!("{r}/reflections"))
        .await
        .contains("BO-OWN-REFLECTION"));
    // Ada goes on writing, and Bo reads it.
    log(&ada, &r, "ADA-AFTER-RESET").await;
    assert!(text_of(&bo, &format!("{r}/contributions"))
        .await
        .contains("ADA-AFTER-RESET"));
}

async fn a_ciphertext_moved_or_a_clear_text_planted_does_not_open(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _, bo, r) = couple(&app).await;
    let ada_gift = log(&ada, &r, "ADA-WORDS").await;
    let bo_gift = log(&bo, &r, "BO-WORDS").await;
    // Someone with the database copies Ada's sealed words onto Bo's entry:
    // sealed for another row, they do not open there.
    app.sql(&format!(
        "UPDATE contributions SET description = \
         (SELECT description FROM contributions WHERE id = '{ada_gift}') WHERE id = '{bo_gift}'"
    ))
    .await;
    let moved = bo.get(&format!("{r}/contributions")).await;
    assert_eq!(moved.status(), 500);
    assert!(!moved.text().await.expect("body").contains("ADA-WORDS"));
    // A clear text planted in a relationship made with encryption at rest is
    // refused too (only relationships from before it hold clear texts).
    app.sql(&format!(
        "UPDATE contributions SET description = 'PLANTED' WHERE id = '{bo_gift}'"
    ))
    .await;
    let planted = ada.get(&format!("{r}/contributions")).await;
    assert_eq!(planted.status(), 500);
    assert!(!planted.text().await.expect("body").contains("PLANTED"));
}

on_both_engines!(
    a_password_change_and_the_recovery_code_keep_everything_readable,
    an_operator_reset_loses_the_drafts_and_keeps_what_the_couple_shares,
    a_ciphertext_moved_or_a_clear_text_planted_does_not_open,
);
