//! Accounts, sessions and tokens over real HTTP, on both engines.

use crate::common;

use crate::common::{error_of, DbEngine, TestApp};
use serde_json::{json, Value};

async fn signing_up_and_in_gives_a_session_that_reads_me_and_ends_on_sign_out(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let sam = app.person();
    let created = sam
        .post_json(
            "/api/v1/accounts",
            &json!({"email": " Sam@Example.org ", "password": "ten chars!", "display_name": " Sam "}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.expect("json");
    assert_eq!(body["email"], "sam@example.org");
    assert_eq!(body["display_name"], "Sam");
    assert!(body.get("password_hash").is_none());

    assert_eq!(
        sam.get("/api/v1/me").await.status(),
        401,
        "signing up does not sign in over the API"
    );

    let signed = sam
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": "ten chars!"}),
        )
        .await;
    assert_eq!(signed.status(), 200);
    let cookies: Vec<String> = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/")
    );
    assert!(!session.contains("Secure"), "plain http: no Secure flag");
    assert_eq!(
        signed.json::<Value>().await.expect("json")["account_id"],
        body["id"]
    );

    let me: Value = sam.get("/api/v1/me").await.json().await.expect("json");
    assert_eq!(me["id"], body["id"]);
    assert_eq!(me["display_name"], "Sam");
    assert_eq!(me["relationships"], json!([]));

    let out = sam
        .client
        .delete(sam.url("/api/v1/session"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(out.status(), 204);
    assert_eq!(out.headers()["clear-site-data"], "\"cache\", \"storage\"");
    assert_eq!(sam.get("/api/v1/me").await.status(), 401);
    assert_eq!(
        app.count("sessions").await,
        0,
        "the session is gone from the server"
    );
}

async fn sign_in_answers_alike_for_an_unknown_email_and_a_wrong_password(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    app.signed_in("known@example.org", "Known").await;
    let stranger = app.person();
    let unknown = stranger
        .post_json(
            "/api/v1/session",
            &json!({"email": "nobody@example.org", "password": "whatever123"}),
        )
        .await;
    let wrong = stranger
        .post_json(
            "/api/v1/session",
            &json!({"email": "known@example.org", "password": "whatever123"}),
        )
        .await;
    assert_eq!(
        (unknown.status().as_u16(), wrong.status().as_u16()),
        (401, 401)
    );
    let (a, b) = (
        unknown.text().await.expect("body"),
        wrong.text().await.expect("body"),
    );
    assert_eq!(a, b, "the two answers must be identical");
    assert!(a.contains("invalid_credentials"));
}

async fn a_taken_email_is_refused_without_a_second_row(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    app.signed_in("taken@example.org", "First").await;
    let again = app
        .person()
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "TAKEN@example.org", "password": "another password", "display_name": "Second"}),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        error_of(again).await,
        ("email_taken".into(), Some("email".into()))
    );
    assert_eq!(app.count("accounts").await, 1);
}

async fn bad_sign_up_bodies_name_their_field_and_write_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let p = app.person();
    let ok = json!({"email": "a@example.org", "password": "long enough", "display_name": "A"});
    let with = |key: &str, value: Value| {
        let mut body = ok.clone();
        body[key] = value;
        body
    };
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (with("email", json!("")), 422, "required", Some("email")),
        (
            with("email", json!("not-an-email")),
            422,
            "invalid_email",
            Some("email"),
        ),
        (
            with("email", json!(format!("{}@example.org", "a".repeat(250)))),
            422,
            "too_long",
            Some("email"),
        ),
        (
            with("password", json!("short")),
            422,
            "too_short",
            Some("password"),
        ),
        (
            with("password", json!("x".repeat(300))),
            422,
            "too_long",
            Some("password"),
        ),
        (
            with("display_name", json!("   ")),
            422,
            "required",
            Some("display_name"),
        ),
        (
            with("display_name", json!("x".repeat(61))),
            422,
            "too_long",
            Some("display_name"),
        ),
        (with("email", json!(42)), 400, "invalid_type", Some("email")),
        (
            with("password", json!(null)),
            400,
            "invalid_type",
            Some("password"),
        ),
        (
            with("is_admin", json!(true)),
            400,
            "unknown_field",
            Some("is_admin"),
        ),
        (
            json!({"email": "a@example.org", "password": "long enough"}),
            400,
            "missing_field",
            Some("display_name"),
        ),
        (json!([1, 2]), 400, "invalid_type", None),
    ];
    for (body, status, code, field) in cases {
        let response = p.post_json("/api/v1/accounts", &body).await;
        assert_eq!(response.status(), status, "{body}");
        let (got_code, got_field) = error_of(response).await;
        assert_eq!(
            (got_code.as_str(), got_field.as_deref()),
            (code, field),
            "{body}"
        );
    }
    let malformed = p.post_raw("/api/v1/accounts", "{\"email\": ").await;
    assert_eq!(malformed.status(), 400);
    assert_eq!(error_of(malformed).await.0, "malformed_json");

    let huge = format!("{{\"email\": \"{}\"}}", "a".repeat(70 * 1024));
    let too_big = p.post_raw("/api/v1/accounts", huge).await;
    assert_eq!(too_big.status(), 413);
    assert_eq!(error_of(too_big).await.0, "too_large");

    let as_form = p
        .client
        .post(p.url("/api/v1/accounts"))
        .form(&[("email", "a@example.org")])
        .send()
        .await
        .expect("POST");
    assert_eq!(as_form.status(), 415, "API writes must be JSON");

    assert_eq!(
        app.count("accounts").await,
        0,
        "no refused request left a row"
    );
}

async fn personal_tokens_work_as_bearer_credentials_and_are_stored_hashed(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, id) = app.signed_in("sam@example.org", "Sam").await;
    let response = sam
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "backup script", "password": "a long password"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let token = response.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(token.starts_with("rcp_") && token.len() > 40);

    let script = reqwest::Client::new();
    let me: Value = script
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(me["id"], id.as_str());
    let wrong = script
        .get(app.url("/api/v1/me"))
        .bearer_auth("rcp_wrong")
        .send()
        .await
        .expect("GET");
    assert_eq!(wrong.status(), 401);

    let stored = app
        .count(&format!("api_tokens WHERE token_hash = '{token}'"))
        .await;
    assert_eq!(stored, 0, "the token itself is never stored");
    assert_eq!(app.count("api_tokens").await, 1);

    let unnamed = sam
        .post_json(
            "/api/v1/tokens",
            &json!({"name": " ", "password": "a long password"}),
        )
        .await;
    assert_eq!(unnamed.status(), 422);
    assert_eq!(error_of(unnamed).await.1.as_deref(), Some("name"));
    let anonymous = app
        .person()
        .post_json("/api/v1/tokens", &json!({"name": "x"}))
        .await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(app.count("api_tokens").await, 1);
}

async fn an_idle_session_expires(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("idle@example.org", "Idle").await;
    assert_eq!(sam.get("/api/v1/me").await.status(), 200);
    // Back-date the session past the idle limit rather than wait for it.
    let idle = common::relaxed().session_idle + chrono::Duration::minutes(1);
    let long_ago = (chrono::Utc::now() - idle).timestamp_millis();
    assert_eq!(
        app.sql(&format!("UPDATE sessions SET last_seen_at = {long_ago}"))
            .await,
        1
    );
    assert_eq!(sam.get("/api/v1/me").await.status(), 401);
    assert_eq!(
        app.count("sessions").await,
        0,
        "an expired session is deleted when met"
    );
}

async fn signing_in_again_rotates_the_session(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("rot@example.org", "Rot").await;
    assert_eq!(app.count("sessions").await, 1);
    let again = sam
        .post_json(
            "/api/v1/session",
            &json!({"email": "rot@example.org", "password": "a long password"}),
        )
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        app.count("sessions").await,
        1,
        "the old session was ended, not kept beside the new one"
    );
    assert_eq!(sam.get("/api/v1/me").await.status(), 200);
}

on_both_engines!(
    signing_up_and_in_gives_a_session_that_reads_me_and_ends_on_sign_out,
    sign_in_answers_alike_for_an_unknown_email_and_a_wrong_password,
    a_taken_email_is_refused_without_a_second_row,
    bad_sign_up_bodies_name_their_field_and_write_nothing,
    personal_tokens_work_as_bearer_credentials_and_are_stored_hashed,
    an_idle_session_expires,
    signing_in_again_rotates_the_session,
);
