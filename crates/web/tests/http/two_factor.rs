//! Two-step sign-in and counselor accounts (issue 18; SECURITY.md R13,
//! R14, R16, R20) over HTTP on both engines: enrolment with the password,
//! sign-in asking for a code only after the right password, a code and a
//! recovery code working once (also when two sign-ins race), counselors
//! kept out of couples' spaces and held at the `ready` gate until two-step
//! sign-in is on, tokens kept out, fields named, and the secret never
//! stored in clear.
//!
//! Codes are computed as an app would (`domain::totp`). Not flaky at a
//! 30-second boundary: the confirmation uses the code of the step the test
//! is in, and the next sign-in the code of the step after it; the server
//! accepts one step either side of its own, so both hold whichever side of
//! a boundary the server reads its clock.

use domain::totp::{self, Secret};
use serde_json::{json, Value};

use crate::common::pages::{location, plain_html, plain_page};
use crate::common::{self, error_of, DbEngine, Person, TestApp};

const PASSWORD: &str = "a long password";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A six-digit code that is no code of `secret` around now.
fn wrong_code(secret: &Secret) -> String {
    let step = totp::step_of(now());
    (0u32..)
        .map(|n| format!("{n:06}"))
        .find(|c| (step - 3..=step + 3).all(|s| totp::code_of_step(secret, s) != *c))
        .expect("a wrong code")
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn delete_json(p: &Person, path: &str, body: &Value) -> reqwest::Response {
    p.client
        .delete(p.url(path))
        .json(body)
        .send()
        .await
        .expect("DELETE")
}

/// Signs up with `kind` (and signs in): the person, their id and the answer.
async fn sign_up(app: &TestApp, email: &str, kind: Option<&str>) -> (Person, String, Value) {
    let p = app.person();
    let mut body = json!({"email": email, "password": PASSWORD, "display_name": "Sam"});
    if let Some(kind) = kind {
        body["kind"] = json!(kind);
    }
    let (status, created) = answer(p.post_json("/api/v1/accounts", &body).await).await;
    assert_eq!(status, 201, "{created}");
    let signed = p
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed.status(), 200);
    let id = created["id"].as_str().expect("id").to_owned();
    (p, id, created)
}

/// Starts an enrolment: its secret and the whole answer.
async fn start(p: &Person) -> (Secret, Value) {
    let (status, body) = answer(
        p.post_json("/api/v1/me/two-factor", &json!({"password": PASSWORD}))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let secret = Secret::from_base32(body["secret"].as_str().expect("secret")).expect("base32");
    (secret, body)
}

/// Turns two-step sign-in on: the secret, the step its confirming code
/// used, and the recovery codes.
async fn enrol(p: &Person) -> (Secret, i64, Vec<String>) {
    let (secret, _) = start(p).await;
    let step = totp::step_of(now());
    let (status, body) = answer(
        p.post_json(
            "/api/v1/me/two-factor/confirm",
            &json!({"code": totp::code_of_step(&secret, step)}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let codes = body["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    (secret, step, codes)
}

/// A counselor account named `name`, signed in with two-step sign-in on
/// (counselors must have it before they see anything): the other suites'
/// way to a counselor.
pub(crate) async fn counselor_signed_in(app: &TestApp, email: &str, name: &str) -> Person {
    let p = app.person();
    let body =
        json!({"email": email, "password": PASSWORD, "display_name": name, "kind": "counselor"});
    let (status, created) = answer(p.post_json("/api/v1/accounts", &body).await).await;
    assert_eq!(status, 201, "{created}");
    let signed = p
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed.status(), 200);
    enrol(&p).await;
    p
}

/// A sign-in from a new device (no cookies): the person and the answer.
async fn sign_in(app: &TestApp, email: &str, totp: Option<&str>) -> (Person, u16, Value) {
    let p = app.person();
    let mut body = json!({"email": email, "password": PASSWORD});
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    let (status, answer) = answer(p.post_json("/api/v1/session", &body).await).await;
    (p, status, answer)
}

fn code_and_field(body: &Value) -> (&str, Option<&str>) {
    (
        body["error"]["code"].as_str().expect("code"),
        body["error"]["field"].as_str(),
    )
}

async fn me(p: &Person) -> Value {
    let (status, body) = answer(p.get("/api/v1/me").await).await;
    assert_eq!(status, 200);
    body
}

async fn event_kinds(p: &Person) -> Vec<String> {
    let (status, body) = answer(p.get("/api/v1/me/security-events").await).await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

async fn enrolment_asks_for_the_password_and_sign_in_then_asks_for_a_code(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let email = "tf-sam@example.org";
    let (sam, _, created) = sign_up(&app, email, None).await;
    assert_eq!(created["kind"], "partner");
    assert_eq!(created["two_factor"], false);
    assert_eq!(me(&sam).await["two_factor"], false);

    // R20: the password again, or nothing starts.
    let wrong = sam
        .post_json(
            "/api/v1/me/two-factor",
            &json!({"password": "not it at all"}),
        )
        .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        error_of(wrong).await,
        ("wrong_password".into(), Some("password".into()))
    );
    assert_eq!(app.count("two_factor").await, 0);

    let (secret, body) = start(&sam).await;
    let uri = body["otpauth_uri"].as_str().expect("uri");
    assert!(
        uri.starts_with("otpauth://totp/Notes:tf-sam%40example.org?secret="),
        "{uri}"
    );
    assert!(uri.contains("&issuer=Notes&"), "{uri}");
    assert!(!uri.to_lowercase().contains("reciprocity"));
    assert!(body["qr_svg"].as_str().expect("svg").starts_with("<svg"));
    // Not on until a right code confirms it: the password alone still works.
    assert_eq!(me(&sam).await["two_factor"], false);
    let (_, status, _) = sign_in(&app, email, None).await;
    assert_eq!(status, 200);

    let refused = sam
        .post_json(
            "/api/v1/me/two-factor/confirm",
            &json!({"code": wrong_code(&secret)}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        error_of(refused).await,
        ("invalid_two_factor".into(), Some("code".into()))
    );
    let step = totp::step_of(now());
    let (status, body) = answer(
        sam.post_json(
            "/api/v1/me/two-factor/confirm",
            &json!({"code": totp::code_of_step(&secret, step)}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let codes = body["recovery_codes"].as_array().expect("codes");
    assert_eq!(codes.len(), 10);
    assert_eq!(me(&sam).await["two_factor"], true);
    // Once on, it cannot be started over.
    let again = sam
        .post_json("/api/v1/me/two-factor", &json!({"password": PASSWORD}))
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(error_of(again).await.0, "two_factor_on");

    // The password is checked first: a wrong one says nothing of a code.
    let p = app.person();
    let (status, body) = answer(
        p.post_json(
            "/api/v1/session",
            &json!({"email": email, "password": "not it at all", "totp": "123456"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(code_and_field(&body), ("invalid_credentials", None));
    // The right password without a code, then with a wrong one.
    let (_, status, body) = sign_in(&app, email, None).await;
    assert_eq!(status, 401);
    assert_eq!(code_and_field(&body), ("two_factor_required", Some("totp")));
    let (_, status, body) = sign_in(&app, email, Some(&wrong_code(&secret))).await;
    assert_eq!(status, 401);
    assert_eq!(code_and_field(&body), ("invalid_two_factor", Some("totp")));
    // The confirming code was used: it does not sign in.
    let (_, status, body) = sign_in(&app, email, Some(&totp::code_of_step(&secret, step))).await;
    assert_eq!(status, 401);
    assert_eq!(code_and_field(&body), ("invalid_two_factor", Some("totp")));
    // The next step's code signs in, once; replayed, it is refused with the
    // same answer as a wrong code.
    let next = totp::code_of_step(&secret, step + 1);
    let (signed, status, body) = sign_in(&app, email, Some(&next)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(me(&signed).await["two_factor"], true);
    let (_, status, body) = sign_in(&app, email, Some(&next)).await;
    assert_eq!(status, 401);
    assert_eq!(code_and_field(&body), ("invalid_two_factor", Some("totp")));

    let kinds = event_kinds(&signed).await;
    for kind in ["two_factor_on", "two_factor_missing", "two_factor_refused"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

async fn two_sign_ins_racing_with_one_code_pass_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let email = "tf-race@example.org";
    let (sam, _, _) = sign_up(&app, email, None).await;
    let (secret, step, _) = enrol(&sam).await;
    let code = totp::code_of_step(&secret, step + 1);
    // Round 0: the code is fresh, and of two sign-ins with it at once
    // exactly one passes. Round 1: it is spent, and both are refused.
    for round in 0..2 {
        let (a, b) = tokio::join!(
            sign_in(&app, email, Some(&code)),
            sign_in(&app, email, Some(&code))
        );
        let passed = [a.1, b.1].iter().filter(|s| **s == 200).count();
        assert_eq!(passed, usize::from(round == 0), "round {round}");
        for (status, body) in [(a.1, &a.2), (b.1, &b.2)] {
            if status != 200 {
                assert_eq!(status, 401);
                assert_eq!(code_and_field(body), ("invalid_two_factor", Some("totp")));
            }
        }
    }
}

async fn a_recovery_code_signs_in_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let email = "tf-lost@example.org";
    let (sam, _, _) = sign_up(&app, email, None).await;
    let (_, _, codes) = enrol(&sam).await;
    assert_eq!(
        app.count("two_factor_recovery_codes WHERE used_at IS NULL")
            .await,
        10
    );
    // Only hashes are kept.
    let clear = format!(
        "two_factor_recovery_codes WHERE code_hash LIKE '%{}%'",
        codes[0].replace('-', "")
    );
    assert_eq!(app.count(&clear).await, 0);
    // Typed loosely (lower case, spaces for dashes), as on paper.
    let typed = codes[0].to_lowercase().replace('-', " ");
    let (signed, status, body) = sign_in(&app, email, Some(&typed)).await;
    assert_eq!(status, 200, "{body}");
    let (_, status, body) = sign_in(&app, email, Some(&codes[0])).await;
    assert_eq!(status, 401);
    assert_eq!(code_and_field(&body), ("invalid_two_factor", Some("totp")));
    // Another one still works; an invented one does not.
    let (_, status, _) = sign_in(&app, email, Some(&codes[1])).await;
    assert_eq!(status, 200);
    let (_, status, _) = sign_in(&app, email, Some("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")).await;
    assert_eq!(status, 401);
    assert_eq!(
        app.count("two_factor_recovery_codes WHERE used_at IS NULL")
            .await,
        8
    );
    let kinds = event_kinds(&signed).await;
    assert!(kinds.iter().any(|k| k == "two_factor_recovery_code_used"));
}

async fn a_wrong_code_takes_from_the_sign_in_limits_like_a_wrong_password(engine: DbEngine) {
    let mut config = common::relaxed();
    config.limits.sign_in_per_account = web::Rate::new(3, 3600);
    let Some(app) = TestApp::spawn_with(engine, config).await else {
        return;
    };
    let email = "tf-limit@example.org";
    // Signing up and in and enrolling: one attempt, given back on success.
    let (sam, _, _) = sign_up(&app, email, None).await;
    let (secret, step, _) = enrol(&sam).await;
    // A missing code gives its attempt back (the password was right).
    for _ in 0..3 {
        let (_, status, _) = sign_in(&app, email, None).await;
        assert_eq!(status, 401);
    }
    // Three wrong codes use up the three attempts; then even the right
    // code waits.
    for _ in 0..3 {
        let (_, status, _) = sign_in(&app, email, Some(&wrong_code(&secret))).await;
        assert_eq!(status, 401);
    }
    let p = app.person();
    let limited = p
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": PASSWORD,
                    "totp": totp::code_of_step(&secret, step + 1)}),
        )
        .await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().get("retry-after").is_some());
}

async fn a_partner_turns_it_off_with_the_password(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let email = "tf-off@example.org";
    let (sam, _, _) = sign_up(&app, email, None).await;
    let (_, _, codes) = enrol(&sam).await;
    let wrong = delete_json(
        &sam,
        "/api/v1/me/two-factor",
        &json!({"password": "not it at all"}),
    )
    .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        error_of(wrong).await,
        ("wrong_password".into(), Some("password".into()))
    );
    let off = delete_json(
        &sam,
        "/api/v1/me/two-factor",
        &json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(off.status(), 204);
    assert_eq!(me(&sam).await["two_factor"], false);
    assert_eq!(app.count("two_factor").await, 0);
    assert_eq!(app.count("two_factor_recovery_codes").await, 0);
    // The password alone signs in again; an old recovery code is nothing now.
    let (_, status, _) = sign_in(&app, email, None).await;
    assert_eq!(status, 200);
    let (_, status, _) = sign_in(&app, email, Some(&codes[0])).await;
    assert_eq!(status, 200, "a code is not asked for, and not checked");
    let again = delete_json(
        &sam,
        "/api/v1/me/two-factor",
        &json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(again.status(), 409);
    assert_eq!(error_of(again).await.0, "two_factor_off");
    assert!(event_kinds(&sam)
        .await
        .iter()
        .any(|k| k == "two_factor_off"));
}

async fn a_counselor_never_joins_a_space_and_waits_at_the_gate_until_two_factor(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let domain_app = domain::App::new(app.db.store.clone());
    let (cara, cara_id, created) = sign_up(&app, "tf-cara@example.org", Some("counselor")).await;
    assert_eq!(created["kind"], "counselor");
    assert_eq!(created["two_factor"], false);
    assert_eq!(me(&cara).await["kind"], "counselor");
    let cara_id = domain::AccountId(uuid::Uuid::parse_str(&cara_id).expect("uuid"));

    // No space of her own, and none of a couple's: the answer names nothing.
    let (status, body) = answer(cara.post_json("/api/v1/relationships", &json!({})).await).await;
    assert_eq!(status, 409);
    assert_eq!(code_and_field(&body).0, "counselor_account");
    let (ada, ada_id) = app.signed_in("tf-ada@example.org", "Ada").await;
    let invitation = ada.create_relationship().await;
    let (status, body) = answer(
        cara.post_json(
            "/api/v1/relationships/join",
            &json!({"invite_code": invitation["invite_code"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(code_and_field(&body).0, "counselor_account");
    assert!(!body.to_string().contains("Ada"));
    assert_eq!(app.count("relationship_members").await, 1, "only Ada's");

    // The gate: a partner passes; a counselor only with two-step sign-in on.
    let ada_id = domain::AccountId(uuid::Uuid::parse_str(&ada_id).expect("uuid"));
    assert!(domain::two_factor::ready(&domain_app, ada_id).await.is_ok());
    match domain::two_factor::ready(&domain_app, cara_id).await {
        Err(domain::DomainError::Forbidden { code, .. }) => assert_eq!(code, "two_factor_required"),
        other => panic!("{other:?}"),
    }
    let (secret, step, _) = enrol(&cara).await;
    assert!(domain::two_factor::ready(&domain_app, cara_id)
        .await
        .is_ok());
    assert_eq!(me(&cara).await["two_factor"], true);

    // It stays on, whatever she asks.
    let off = delete_json(
        &cara,
        "/api/v1/me/two-factor",
        &json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(off.status(), 409);
    assert_eq!(error_of(off).await.0, "two_factor_required_for_counselors");
    assert_eq!(
        app.count("two_factor WHERE confirmed_at IS NOT NULL").await,
        1
    );
    let (_, status, _) = sign_in(&app, "tf-cara@example.org", None).await;
    assert_eq!(status, 401);
    let next = totp::code_of_step(&secret, step + 1);
    let (_, status, _) = sign_in(&app, "tf-cara@example.org", Some(&next)).await;
    assert_eq!(status, 200);
}

async fn a_token_cannot_manage_two_factor(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _, _) = sign_up(&app, "tf-token@example.org", None).await;
    let (status, minted) = answer(
        sam.post_json(
            "/api/v1/tokens",
            &json!({"name": "script", "password": PASSWORD}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{minted}");
    let token = minted["token"].as_str().expect("token").to_owned();
    let bare = reqwest::Client::new();
    let with_token = |method: reqwest::Method, path: &str, body: Value| {
        bare.request(method, app.url(path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    for (method, path, body) in [
        (
            reqwest::Method::POST,
            "/api/v1/me/two-factor",
            json!({"password": PASSWORD}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/me/two-factor/confirm",
            json!({"code": "123456"}),
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/me/two-factor",
            json!({"password": PASSWORD}),
        ),
    ] {
        let response = with_token(method.clone(), path, body).await.expect("send");
        assert_eq!(response.status(), 403, "{method} {path}");
        assert_eq!(error_of(response).await.0, "session_required");
    }
    assert_eq!(app.count("two_factor").await, 0);
}

async fn bad_input_names_the_field(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let p = app.person();
    for (kind, status) in [(json!("admin"), 422), (json!(5), 400), (json!(""), 422)] {
        let response = p
            .post_json(
                "/api/v1/accounts",
                &json!({"email": "tf-bad@example.org", "password": PASSWORD,
                        "display_name": "Sam", "kind": kind}),
            )
            .await;
        assert_eq!(response.status(), status, "{kind}");
        assert_eq!(
            error_of(response).await.1.as_deref(),
            Some("kind"),
            "{kind}"
        );
    }
    assert_eq!(app.count("accounts").await, 0);

    let (sam, _, _) = sign_up(&app, "tf-fields@example.org", None).await;
    for (path, body, field) in [
        ("/api/v1/me/two-factor", json!({}), "password"),
        ("/api/v1/me/two-factor", json!({"password": 5}), "password"),
        ("/api/v1/me/two-factor/confirm", json!({}), "code"),
        (
            "/api/v1/session",
            json!({"email": "tf-fields@example.org", "password": PASSWORD, "totp": 123456}),
            "totp",
        ),
    ] {
        let response = sam.post_json(path, &body).await;
        assert_eq!(response.status(), 400, "{path} {body}");
        assert_eq!(error_of(response).await.1.as_deref(), Some(field), "{body}");
    }
    // Confirming before starting, and an empty code.
    let early = sam
        .post_json("/api/v1/me/two-factor/confirm", &json!({"code": "123456"}))
        .await;
    assert_eq!(early.status(), 409);
    assert_eq!(error_of(early).await.0, "two_factor_not_started");
    start(&sam).await;
    let empty = sam
        .post_json("/api/v1/me/two-factor/confirm", &json!({"code": " "}))
        .await;
    assert_eq!(empty.status(), 422);
    assert_eq!(
        error_of(empty).await,
        ("required".into(), Some("code".into()))
    );
}

async fn the_secret_is_never_stored_in_clear(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _, _) = sign_up(&app, "tf-clear@example.org", None).await;
    let (secret, _) = start(&sam).await;
    let base32 = secret.base32();
    assert_eq!(app.count("two_factor").await, 1);
    // Sealed with Sam's own key: an envelope, with no trace of the secret.
    assert_eq!(app.count("two_factor WHERE secret LIKE 'rk1.%'").await, 1);
    for needle in [
        base32.clone(),
        base32.to_lowercase(),
        base32[..16].to_owned(),
    ] {
        let clear = format!("two_factor WHERE secret LIKE '%{needle}%'");
        assert_eq!(app.count(&clear).await, 0, "{needle}");
    }
    // Restarting replaces the secret: the first one's codes stop working.
    let (second, _) = start(&sam).await;
    assert_ne!(second, secret);
    let stale = sam
        .post_json(
            "/api/v1/me/two-factor/confirm",
            &json!({"code": totp::code_at(&secret, now())}),
        )
        .await;
    // (One chance in a million that the two secrets share a code now.)
    assert_eq!(stale.status(), 422);
    assert_eq!(app.count("two_factor").await, 1);
}

async fn the_pages_set_it_up_and_sign_in_with_a_code(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    // A counselor signs up on the page and is sent to set it up.
    let signup = plain_html(&app.person(), "/signup").await;
    assert!(signup.contains("I'm joining as a counselor"));
    let cara = app.person();
    let created = cara
        .post_form(
            "/signup",
            &[
                ("display_name", "Cara"),
                ("email", "tf-page@example.org"),
                ("password", PASSWORD),
                ("counselor", "1"),
            ],
        )
        .await;
    assert_eq!(created.status(), 201);
    let shown = created.text().await.expect("html");
    assert!(shown.contains("href=\"/account/two-factor\""), "{shown}");

    let page = plain_html(&cara, "/account/two-factor").await;
    assert!(page.contains("As a counselor, you need two-step sign-in"));
    assert!(page.contains("action=\"/account/two-factor/start\""));
    // A wrong password is shown beside its field.
    let wrong = cara
        .post_form(
            "/account/two-factor/start",
            &[("password", "not it at all")],
        )
        .await;
    assert_eq!(wrong.status(), 403);
    let wrong = wrong.text().await.expect("html");
    assert!(wrong.contains("id=\"start_password-error\""), "{wrong}");
    // The right one: post/redirect/get, then the QR code and the key.
    let started = cara
        .post_form("/account/two-factor/start", &[("password", PASSWORD)])
        .await;
    assert_eq!(started.status(), 303);
    assert_eq!(location(&started), "/account/two-factor");
    let page = plain_html(&cara, "/account/two-factor").await;
    assert!(page.contains("<svg role=\"img\""), "the QR code is inline");
    let key_start = page.find("id=\"secret\">").expect("the key") + "id=\"secret\">".len();
    let key = page[key_start..].split('<').next().expect("key");
    let secret = Secret::from_base32(key).expect("base32 key");
    // Drawn again from the stored secret: a reload makes no new key.
    assert!(plain_html(&cara, "/account/two-factor").await.contains(key));

    let step = totp::step_of(now());
    let wrong = cara
        .post_form(
            "/account/two-factor/confirm",
            &[("code", &wrong_code(&secret))],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong
        .text()
        .await
        .expect("html")
        .contains("id=\"code-error\""));
    let confirmed = cara
        .post_form(
            "/account/two-factor/confirm",
            &[("code", &totp::code_of_step(&secret, step))],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let codes_page = confirmed.text().await.expect("html");
    assert_eq!(codes_page.matches("<li><code>").count(), 10);
    let on = plain_html(&cara, "/account/two-factor").await;
    assert!(on.contains("It's on"));
    assert!(
        !on.contains("/account/two-factor/off"),
        "a counselor's stays on"
    );
    assert!(plain_html(&cara, "/account")
        .await
        .contains("Manage two-step sign-in"));

    // The sign-in page always offers the code field, to anyone.
    let signin = plain_html(&app.person(), "/signin").await;
    assert!(signin.contains("Code from your authenticator app (if you turned on two-step sign-in)"));
    let p = app.person();
    let missing = p
        .post_form(
            "/signin",
            &[("email", "tf-page@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(missing.status(), 401);
    assert!(missing
        .text()
        .await
        .expect("html")
        .contains("id=\"totp-error\""));
    let next = totp::code_of_step(&secret, step + 1);
    let signed = p
        .post_form(
            "/signin",
            &[
                ("email", "tf-page@example.org"),
                ("password", PASSWORD),
                ("totp", &next),
            ],
        )
        .await;
    assert_eq!(signed.status(), 303);

    // A partner turns it off on the page.
    let (sam, _, _) = sign_up(&app, "tf-page-sam@example.org", None).await;
    enrol(&sam).await;
    let page = plain_html(&sam, "/account/two-factor").await;
    assert!(page.contains("action=\"/account/two-factor/off\""));
    let off = sam
        .post_form("/account/two-factor/off", &[("password", PASSWORD)])
        .await;
    assert_eq!(off.status(), 303);
    assert_eq!(location(&off), "/account/two-factor?done=off");
    let page = plain_page(&sam, "/account/two-factor?done=off", 200).await;
    assert!(page.contains("Two-step sign-in is off."));
}

/// A reset with the account's recovery code keeps the keys, so two-step
/// sign-in stays (a reset never skips it, R11). An operator's reset link
/// makes new keys: the sealed secret opens no more and goes with the rest
/// of what the old key sealed.
async fn a_recovery_code_reset_keeps_it_and_an_operator_reset_removes_it(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let email = "tf-reset@example.org";
    let p = app.person();
    let (status, created) = answer(
        p.post_json(
            "/api/v1/accounts",
            &json!({"email": email, "password": PASSWORD, "display_name": "Sam"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201);
    let account_code = created["recovery_code"].as_str().expect("code").to_owned();
    let signed = p
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed.status(), 200);
    let (secret, step, _) = enrol(&p).await;

    let new_password = "another long password";
    let reset = app
        .person()
        .post_json(
            "/api/v1/password-reset",
            &json!({"email": email, "recovery_code": account_code, "new_password": new_password}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let again = app.person();
    let (status, body) = answer(
        again
            .post_json(
                "/api/v1/session",
                &json!({"email": email, "password": new_password}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(code_and_field(&body), ("two_factor_required", Some("totp")));
    let (status, body) = answer(
        again
            .post_json(
                "/api/v1/session",
                &json!({"email": email, "password": new_password,
                        "totp": totp::code_of_step(&secret, step + 1)}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let domain_app = domain::App::new(app.db.store.clone());
    let parsed = domain::values::Email::parse(email).expect("email");
    let link = domain::accounts::issue_reset_link(&domain_app, &parsed, chrono::Utc::now())
        .await
        .expect("link")
        .expect("an account");
    let reset = app
        .person()
        .post_json(
            "/api/v1/password-reset",
            &json!({"reset_token": link.token.expose(), "new_password": PASSWORD}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    assert_eq!(app.count("two_factor").await, 0);
    assert_eq!(app.count("two_factor_recovery_codes").await, 0);
    let (_, status, _) = sign_in(&app, email, None).await;
    assert_eq!(status, 200);
}

on_both_engines!(
    enrolment_asks_for_the_password_and_sign_in_then_asks_for_a_code,
    two_sign_ins_racing_with_one_code_pass_once,
    a_recovery_code_signs_in_once,
    a_wrong_code_takes_from_the_sign_in_limits_like_a_wrong_password,
    a_partner_turns_it_off_with_the_password,
    a_counselor_never_joins_a_space_and_waits_at_the_gate_until_two_factor,
    a_token_cannot_manage_two_factor,
    bad_input_names_the_field,
    the_secret_is_never_stored_in_clear,
    the_pages_set_it_up_and_sign_in_with_a_code,
    a_recovery_code_reset_keeps_it_and_an_operator_reset_removes_it,
);
