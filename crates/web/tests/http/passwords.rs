//! The password policy (SECURITY.md R12) as sign-up applies it, over real
//! HTTP on both engines: a refused password names its rule, and no account
//! is written. The rule's own cases are unit tests in `domain::password`.

use crate::common::{error_of, DbEngine, TestApp};
use serde_json::json;

// R12
async fn a_common_password_is_refused_at_sign_up_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let sam = app.person();
    let refused = sam
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "sam@example.org", "password": "password12", "display_name": "Sam"}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        error_of(refused).await,
        ("too_common".to_owned(), Some("password".to_owned()))
    );
    assert_eq!(app.count("accounts").await, 0, "no account was written");
    let signed = sam
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": "password12"}),
        )
        .await;
    assert_eq!(signed.status(), 401, "and so nobody can sign in with it");
}

// R12
async fn a_password_holding_the_persons_own_name_is_refused(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let refused = app
        .person()
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "sam@example.org", "password": "Samantha rules ok", "display_name": "Samantha"}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        error_of(refused).await,
        ("contains_personal".to_owned(), Some("password".to_owned()))
    );
    assert_eq!(app.count("accounts").await, 0);
}

// R12
async fn the_sign_up_form_says_why_beside_the_password(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let refused = app
        .person()
        .post_form(
            "/signup",
            &[
                ("display_name", "Sam"),
                ("email", "sam@example.org"),
                ("password", "Password12!"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(
        html.contains("id=\"password-error\" role=\"alert\">Many people use that password"),
        "{html}"
    );
    assert!(!html.contains("Password12!"), "a password is never echoed");
    assert_eq!(app.count("accounts").await, 0);
}

on_both_engines!(
    a_common_password_is_refused_at_sign_up_and_writes_nothing,
    a_password_holding_the_persons_own_name_is_refused,
    the_sign_up_form_says_why_beside_the_password,
);
