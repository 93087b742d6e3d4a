//! A NUL character (U+0000) in text is refused at the edge with 422 naming
//! its field, on both engines, for JSON bodies and for forms. Before, a
//! ledger entry with one answered 500 on PostgreSQL (which cannot store it)
//! and was written on SQLite; sealed answers were stored on both.

use crate::common::{error_of, DbEngine, TestApp};
use serde_json::{json, Value};

async fn refused(response: reqwest::Response) -> Option<String> {
    assert_eq!(response.status(), 422);
    let (code, field) = error_of(response).await;
    assert_eq!(code, "invalid_text");
    field
}

async fn a_nul_in_a_sign_up_names_its_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let response = app
        .person()
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "sam@example.org", "password": "a long password", "display_name": "Sa\u{0}m"}),
        )
        .await;
    assert_eq!(refused(response).await.as_deref(), Some("display_name"));
    assert_eq!(app.count("accounts").await, 0);
}

async fn a_nul_in_a_ledger_entry_names_its_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let couple = app.couple().await;
    let response = couple
        .ada
        .post_json(
            &format!("{}/contributions", couple.r),
            &json!({"domain": "planning", "description": "Did the\u{0} dishes", "effort": 3}),
        )
        .await;
    assert_eq!(refused(response).await.as_deref(), Some("description"));
    assert_eq!(app.count("contributions").await, 0);
}

async fn a_nul_deep_in_a_body_names_the_innermost_key(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let couple = app.couple().await;
    let items: Value = couple
        .ada
        .get(&format!("{}/values/items", couple.r))
        .await
        .json()
        .await
        .expect("json");
    let key = items["items"][0]["key"].as_str().expect("an item");
    let path = format!("{}/values/answers", couple.r);
    // Inside an object inside an array: the object's key names the field.
    let body = json!({"answers": [
        {"item": key, "importance": 3, "definition": "What\u{0} it means to me"},
    ]});
    let response = couple.ada.put_json(&path, &body).await;
    assert_eq!(refused(response).await.as_deref(), Some("definition"));
    // A string straight inside the array: the array's key names the field.
    let response = couple
        .ada
        .put_json(&path, &json!({"answers": ["\u{0}"]}))
        .await;
    assert_eq!(refused(response).await.as_deref(), Some("answers"));
    assert_eq!(app.count("sealed_rounds").await, 0, "nothing written");

    // An escaped backslash before "u0000" is six ordinary characters.
    let plain = json!({"answers": [
        {"item": key, "importance": 3, "definition": "a \\u0000 is not a NUL"},
    ]});
    assert_eq!(couple.ada.put_json(&path, &plain).await.status(), 200);
}

async fn a_nul_in_a_form_answers_422_naming_the_field(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    // Signed in over the API: the session cookie serves the pages too, and
    // this test is about the form body, not the sign-up page.
    let ada = app.couple().await.ada;
    let today = chrono::Utc::now().date_naive().to_string();
    // reqwest sends the NUL as %00, as a browser would.
    let response = ada
        .post_form(
            "/ledger/log",
            &[
                ("who", "me"),
                ("description", "Planned\u{0} the trip"),
                ("domain", "planning"),
                ("effort", "4"),
                ("occurred_on", &today),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.expect("html");
    assert!(
        html.contains("The field \u{201c}description\u{201d} holds a NUL"),
        "names the field: {html}"
    );
    assert_eq!(app.count("contributions").await, 0);

    let signup = app
        .person()
        .post_form(
            "/signup",
            &[
                ("display_name", "Sa\u{0}m"),
                ("email", "sam@example.org"),
                ("password", "a long password"),
            ],
        )
        .await;
    assert_eq!(signup.status(), 422);
}

on_both_engines!(
    a_nul_in_a_sign_up_names_its_field_and_writes_nothing,
    a_nul_in_a_ledger_entry_names_its_field_and_writes_nothing,
    a_nul_deep_in_a_body_names_the_innermost_key,
    a_nul_in_a_form_answers_422_naming_the_field,
);
