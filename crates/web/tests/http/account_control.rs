//! Accounts their owner controls (SECURITY.md R11, R15–R19, R20) over real
//! HTTP, on both engines: tokens minted with the password that expire and
//! can be listed and revoked, password change and reset ending what the old
//! password opened, sessions listed and ended by their owner only, the
//! owner's security events, "keep me signed in", and the idle sign-out that
//! keeps what was being written.

use crate::common::{error_of, relaxed, DbEngine, Person, TestApp};
use serde_json::{json, Value};

const PASSWORD: &str = "a long password";

async fn body(response: reqwest::Response) -> Value {
    response.json().await.expect("json")
}

fn bearer(app: &TestApp, token: &str) -> Person {
    let person = app.person();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("header"),
    );
    Person {
        base: person.base,
        client: reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
    }
}

/// Another browser of the same person, signed in.
async fn another_device(app: &TestApp, email: &str, remember: bool) -> Person {
    let person = app.person();
    let signed = person
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": PASSWORD, "remember": remember}),
        )
        .await;
    assert_eq!(signed.status(), 200, "sign in {email}");
    person
}

async fn tokens_need_the_password_and_a_session_expire_and_are_revoked(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("sam@example.org", "Sam").await;
    let (kim, _) = app.signed_in("kim@example.org", "Kim").await;

    let wrong = sam
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "backup", "password": "not it at all"}),
        )
        .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        error_of(wrong).await,
        ("wrong_password".into(), Some("password".into()))
    );
    let too_long = sam
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "backup", "password": PASSWORD, "expires_in_days": 366}),
        )
        .await;
    assert_eq!(too_long.status(), 422);
    assert_eq!(
        error_of(too_long).await.1.as_deref(),
        Some("expires_in_days")
    );
    let missing = sam
        .post_json("/api/v1/tokens", &json!({"name": "backup"}))
        .await;
    assert_eq!(missing.status(), 400, "the password is required");
    assert_eq!(app.count("api_tokens").await, 0, "nothing written");

    let minted = sam
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "backup", "password": PASSWORD}),
        )
        .await;
    assert_eq!(minted.status(), 201);
    let minted = body(minted).await;
    let token = minted["token"].as_str().expect("token").to_owned();
    let expires: chrono::DateTime<chrono::Utc> = minted["expires_at"]
        .as_str()
        .expect("expiry")
        .parse()
        .expect("time");
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((89.9..=90.1).contains(&days), "90 days by default: {days}");

    let script = bearer(&app, &token);
    assert_eq!(script.get("/api/v1/me").await.status(), 200);
    // A token cannot mint another, so a stolen one cannot make itself permanent.
    let again = script
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "more", "password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status(), 403);
    assert_eq!(error_of(again).await.0, "token_cannot_mint");
    // Nor open a web page.
    let page = script.get("/home").await;
    assert_eq!(page.status(), 303, "pages never accept a token");
    assert!(page.headers()["location"]
        .to_str()
        .expect("location")
        .starts_with("/signin"));

    let listed = body(sam.get("/api/v1/tokens").await).await;
    let listed = listed.as_array().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "backup");
    assert!(listed[0]["last_used_at"].is_string(), "its use is recorded");
    assert!(listed[0].get("token").is_none(), "never the secret");
    assert!(!listed.iter().any(|t| t.to_string().contains(&token)));
    assert_eq!(body(kim.get("/api/v1/tokens").await).await, json!([]));

    let id = minted["id"].as_str().expect("id");
    assert_eq!(
        kim.delete(&format!("/api/v1/tokens/{id}")).await.status(),
        404,
        "Kim cannot revoke Sam's token"
    );
    assert_eq!(script.get("/api/v1/me").await.status(), 200);
    assert_eq!(
        sam.delete(&format!("/api/v1/tokens/{id}")).await.status(),
        204
    );
    assert_eq!(
        script.get("/api/v1/me").await.status(),
        401,
        "revoked at once"
    );

    // An expired token stops on its own.
    let short = body(
        sam.post_json(
            "/api/v1/tokens",
            &json!({"name": "short", "password": PASSWORD, "expires_in_days": 1}),
        )
        .await,
    )
    .await;
    let short_script = bearer(&app, short["token"].as_str().expect("token"));
    assert_eq!(short_script.get("/api/v1/me").await.status(), 200);
    app.sql("UPDATE api_tokens SET expires_at = 1000").await;
    assert_eq!(short_script.get("/api/v1/me").await.status(), 401);
}

async fn a_password_change_ends_every_other_session_and_every_token(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (phone, _) = app.signed_in("sam@example.org", "Sam").await;
    let laptop = another_device(&app, "sam@example.org", true).await;
    let token = body(
        phone
            .post_json(
                "/api/v1/tokens",
                &json!({"name": "s", "password": PASSWORD}),
            )
            .await,
    )
    .await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let script = bearer(&app, &token);

    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let wrong = phone
        .put_json(
            "/api/v1/me/password",
            &change("guess guess guess", "another fine passphrase"),
        )
        .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(error_of(wrong).await.1.as_deref(), Some("current_password"));
    let weak = phone
        .put_json("/api/v1/me/password", &change(PASSWORD, "password12"))
        .await;
    assert_eq!(weak.status(), 422);
    assert_eq!(error_of(weak).await.1.as_deref(), Some("new_password"));
    let by_token = script
        .put_json(
            "/api/v1/me/password",
            &change(PASSWORD, "another fine passphrase"),
        )
        .await;
    assert_eq!(by_token.status(), 403, "a token cannot change the password");
    assert_eq!(
        laptop.get("/api/v1/me").await.status(),
        200,
        "nothing ended yet"
    );

    let done = phone
        .put_json(
            "/api/v1/me/password",
            &change(PASSWORD, "another fine passphrase"),
        )
        .await;
    assert_eq!(done.status(), 204);
    assert_eq!(
        phone.get("/api/v1/me").await.status(),
        200,
        "the asker stays"
    );
    assert_eq!(
        laptop.get("/api/v1/me").await.status(),
        401,
        "even a remembered session ends"
    );
    assert_eq!(script.get("/api/v1/me").await.status(), 401, "tokens end");
    let old = app
        .person()
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = app
        .person()
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": "another fine passphrase"}),
        )
        .await;
    assert_eq!(new.status(), 200);
}

/// Two changes sent at once with the same current password: one lands, the
/// other is refused, and the password is the one that landed.
async fn racing_password_changes_land_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("sam@example.org", "Sam").await;
    let first_change =
        json!({"current_password": PASSWORD, "new_password": "first new passphrase"});
    let second_change =
        json!({"current_password": PASSWORD, "new_password": "second new passphrase"});
    let (a, b) = tokio::join!(
        sam.put_json("/api/v1/me/password", &first_change),
        sam.put_json("/api/v1/me/password", &second_change),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 204, "{statuses:?}");
    assert!(matches!(statuses[1], 403 | 409), "{statuses:?}");
    let works = |password: &'static str| {
        let person = app.person();
        async move {
            person
                .post_json(
                    "/api/v1/session",
                    &json!({"email": "sam@example.org", "password": password}),
                )
                .await
                .status()
        }
    };
    let first = works("first new passphrase").await;
    let second = works("second new passphrase").await;
    assert_eq!(
        [first.as_u16(), second.as_u16()]
            .iter()
            .filter(|s| **s == 200)
            .count(),
        1,
        "exactly one new password opens the account"
    );
}

async fn sessions_are_listed_and_ended_by_their_owner_alone(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (phone, _) = app.signed_in("sam@example.org", "Sam").await;
    let laptop = another_device(&app, "sam@example.org", false).await;
    let tablet = another_device(&app, "sam@example.org", false).await;
    let (kim, _) = app.signed_in("kim@example.org", "Kim").await;

    let listed = body(phone.get("/api/v1/me/sessions").await).await;
    let listed = listed.as_array().expect("list");
    assert_eq!(listed.len(), 3);
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(listed[0]["device"], "A program", "reqwest is no browser");
    let laptop_id = body(laptop.get("/api/v1/session").await).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        body(kim.get("/api/v1/me/sessions").await)
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Kim cannot end Sam's session, nor learn it exists.
    let refused = kim
        .delete(&format!("/api/v1/me/sessions/{laptop_id}"))
        .await;
    assert_eq!(refused.status(), 404);
    let never = kim
        .delete(&format!("/api/v1/me/sessions/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(refused_body(refused).await, refused_body(never).await);
    assert_eq!(laptop.get("/api/v1/me").await.status(), 200);

    assert_eq!(
        phone
            .delete(&format!("/api/v1/me/sessions/{laptop_id}"))
            .await
            .status(),
        204
    );
    assert_eq!(laptop.get("/api/v1/me").await.status(), 401);
    assert_eq!(tablet.get("/api/v1/me").await.status(), 200);
    assert_eq!(phone.delete("/api/v1/me/sessions").await.status(), 204);
    assert_eq!(
        tablet.get("/api/v1/me").await.status(),
        401,
        "signed out everywhere else"
    );
    assert_eq!(phone.get("/api/v1/me").await.status(), 200, "but here");
    assert_eq!(kim.get("/api/v1/me").await.status(), 200, "Kim untouched");
}

async fn refused_body(response: reqwest::Response) -> String {
    response.text().await.expect("body")
}

async fn security_events_are_the_owners_alone_and_carry_no_secret(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("sam@example.org", "Sam").await;
    let (kim, _) = app.signed_in("kim@example.org", "Kim").await;
    // Kim tries Sam's account with a guess.
    let guess = kim
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": "kim guesses sams password"}),
        )
        .await;
    assert_eq!(guess.status(), 401);
    sam.post_json(
        "/api/v1/tokens",
        &json!({"name": "t", "password": PASSWORD}),
    )
    .await;
    let events = body(sam.get("/api/v1/me/security-events").await).await;
    let kinds: Vec<&str> = events
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["token_created", "sign_in_failed", "signed_in"],
        "newest first"
    );
    assert_eq!(events[1]["client"], "127.0.0.x", "the address, truncated");
    let text = events.to_string();
    assert!(!text.contains("kim guesses") && !text.contains(PASSWORD) && !text.contains("@"));
    let kims = body(kim.get("/api/v1/me/security-events").await).await;
    assert_eq!(
        kims.as_array().map(Vec::len),
        Some(1),
        "Kim sees her own sign-in only"
    );
    assert_eq!(
        app.person()
            .get("/api/v1/me/security-events")
            .await
            .status(),
        401
    );
}

async fn the_recovery_code_resets_the_password_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let sam = app.person();
    let created = body(
        sam.post_json(
            "/api/v1/accounts",
            &json!({"email": "sam@example.org", "password": PASSWORD, "display_name": "Sam"}),
        )
        .await,
    )
    .await;
    let code = created["recovery_code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 29, "five groups of five: {code}");
    let phone = another_device(&app, "sam@example.org", true).await;

    let reset = |email: &str, code: &str, new: &str| json!({"email": email, "recovery_code": code, "new_password": new});
    let stranger = app.person();
    let wrong_code = stranger
        .post_json(
            "/api/v1/password-reset",
            &reset(
                "sam@example.org",
                "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA",
                "brand new passphrase",
            ),
        )
        .await;
    let unknown = stranger
        .post_json(
            "/api/v1/password-reset",
            &reset("nobody@example.org", &code, "brand new passphrase"),
        )
        .await;
    assert_eq!(
        (wrong_code.status().as_u16(), unknown.status().as_u16()),
        (401, 401)
    );
    assert_eq!(
        refused_body(wrong_code).await,
        refused_body(unknown).await,
        "one answer whatever was wrong (R14)"
    );
    let typed = code.to_lowercase().replace('-', " ");
    let done = stranger
        .post_json(
            "/api/v1/password-reset",
            &reset("sam@example.org", &typed, "brand new passphrase"),
        )
        .await;
    assert_eq!(done.status(), 200);
    let next = body(done).await["recovery_code"]
        .as_str()
        .expect("next")
        .to_owned();
    assert_ne!(next, code);
    assert_eq!(phone.get("/api/v1/me").await.status(), 401, "sessions end");
    let reused = stranger
        .post_json(
            "/api/v1/password-reset",
            &reset("sam@example.org", &code, "yet another passphrase"),
        )
        .await;
    assert_eq!(reused.status(), 401, "a code works once");
    let signed = app
        .person()
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": "brand new passphrase"}),
        )
        .await;
    assert_eq!(signed.status(), 200);

    // A new code, with the password; the one before stops working.
    let (kim, _) = app.signed_in("kim@example.org", "Kim").await;
    let fresh = kim
        .post_json("/api/v1/me/recovery-code", &json!({"password": PASSWORD}))
        .await;
    assert_eq!(fresh.status(), 201);
    let fresh = body(fresh).await["recovery_code"]
        .as_str()
        .expect("code")
        .to_owned();
    let works = app
        .person()
        .post_json(
            "/api/v1/password-reset",
            &reset("kim@example.org", &fresh, "a fresh start at last"),
        )
        .await;
    assert_eq!(works.status(), 200);
}

async fn an_operator_link_resets_once_and_never_sets_a_password(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("sam@example.org", "Sam").await;
    // What `reciprocity admin reset-password` calls.
    let domain_app = domain::App::new(app.db.store.clone());
    let email = domain::values::Email::parse("sam@example.org").expect("email");
    let link = domain::accounts::issue_reset_link(&domain_app, &email, chrono::Utc::now())
        .await
        .expect("link")
        .expect("an account");
    let token = link.token.expose().to_owned();
    // (The sign-in and the link can fall in the same millisecond, so look
    // for the event rather than at the first place.)
    let events = body(sam.get("/api/v1/me/security-events").await).await;
    let told = events
        .as_array()
        .expect("list")
        .iter()
        .any(|e| e["kind"] == "reset_link_created" && e["device"] == "The server's operator");
    assert!(told, "the owner is told: {events}");

    let page = app.person().get(&format!("/reset/{token}")).await;
    assert_eq!(page.status(), 200);
    let set = app
        .person()
        .post_json(
            "/api/v1/password-reset",
            &json!({"reset_token": token, "new_password": "chosen by sam alone"}),
        )
        .await;
    assert_eq!(set.status(), 200);
    assert_eq!(body(set).await["recovery_code"], Value::Null);
    assert_eq!(sam.get("/api/v1/me").await.status(), 401);
    let again = app
        .person()
        .post_json(
            "/api/v1/password-reset",
            &json!({"reset_token": token, "new_password": "someone elses choice"}),
        )
        .await;
    assert_eq!(again.status(), 401, "once only");
    let signed = app
        .person()
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": "chosen by sam alone"}),
        )
        .await;
    assert_eq!(signed.status(), 200);
}

async fn guessing_one_account_from_many_addresses_is_slowed_but_not_its_owner(engine: DbEngine) {
    let mut config = relaxed();
    config.trust_proxy = true;
    config.limits.sign_in_per_account = web::Rate::new(1000, 1);
    config.limits.sign_in_per_target = web::Rate::new(3, 3600);
    let Some(app) = TestApp::spawn_with(engine, config).await else {
        return;
    };
    // The owner signs in once from their phone: it becomes a trusted device.
    let (phone, _) = app.signed_in("sam@example.org", "Sam").await;
    let guesser = app.person();
    let mut statuses = Vec::new();
    for i in 0..5 {
        let response = guesser
            .client
            .post(guesser.url("/api/v1/session"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .json(&json!({"email": "sam@example.org", "password": "a wrong guess here"}))
            .send()
            .await
            .expect("POST");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429, 429],
        "per account, whatever the address"
    );
    let owner = phone
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        owner.status(),
        200,
        "the owner's trusted device is never locked out"
    );
    let events = body(phone.get("/api/v1/me/security-events").await).await;
    let kinds: Vec<&str> = events
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"sign_in_throttled") && kinds.contains(&"sign_in_failed"));
}

async fn keep_me_signed_in_outlives_the_idle_limit(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (plain, _) = app.signed_in("sam@example.org", "Sam").await;
    let remembered = app.person();
    let signed = remembered
        .post_json(
            "/api/v1/session",
            &json!({"email": "sam@example.org", "password": PASSWORD, "remember": true}),
        )
        .await;
    let cookie = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("session="))
        .expect("session cookie")
        .to_owned();
    assert!(cookie.contains("Max-Age=2592000"), "{cookie}");
    let info = body(remembered.get("/api/v1/session").await).await;
    assert_eq!(info["persistent"], true);
    let plain_info = body(plain.get("/api/v1/session").await).await;
    assert_eq!(plain_info["persistent"], false);
    assert!(plain_info["idle_seconds_left"]
        .as_i64()
        .is_some_and(|s| (840..=900).contains(&s)));

    // An hour without use: the ordinary session is over, the remembered one is not.
    let hour_ago = chrono::Utc::now().timestamp_millis() - 3_600_000;
    app.sql(&format!("UPDATE sessions SET last_seen_at = {hour_ago}"))
        .await;
    assert_eq!(plain.get("/api/v1/me").await.status(), 401);
    assert_eq!(remembered.get("/api/v1/me").await.status(), 200);
    // Signing out ends it like any other.
    remembered.delete("/api/v1/session").await;
    assert_eq!(remembered.get("/api/v1/me").await.status(), 401);
}

async fn an_idle_sign_out_says_why_and_keeps_what_was_written(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("sam@example.org", "Sam").await;
    sam.create_relationship().await;
    let long_ago = chrono::Utc::now().timestamp_millis() - 20 * 60_000;
    app.sql(&format!("UPDATE sessions SET last_seen_at = {long_ago}"))
        .await;
    let page = sam.get("/ledger").await;
    assert_eq!(page.status(), 303);
    assert_eq!(
        page.headers()["location"],
        "/signin?expired=1&next=%2Fledger",
        "back to the page after signing in"
    );
    // Pages whose extractor asks for a signed-in person behave the same.
    sam.post_json(
        "/api/v1/session",
        &json!({"email": "sam@example.org", "password": PASSWORD}),
    )
    .await;
    app.sql(&format!("UPDATE sessions SET last_seen_at = {long_ago}"))
        .await;
    let account = sam.get("/account").await;
    assert_eq!(
        account.headers()["location"],
        "/signin?expired=1&next=%2Faccount"
    );
    let signin = sam
        .get("/signin?expired=1&next=%2Fledger")
        .await
        .text()
        .await
        .expect("page");
    assert!(signin.contains("signed out after a while without activity"));
    assert!(signin.contains(r#"name="next" value="/ledger""#));

    // Written for a while, then saved after the session ran out.
    sam.post_json(
        "/api/v1/session",
        &json!({"email": "sam@example.org", "password": PASSWORD}),
    )
    .await;
    app.sql(&format!("UPDATE sessions SET last_seen_at = {long_ago}"))
        .await;
    let words = "Twenty minutes of careful words about the week we had";
    let posted = sam
        .post_form(
            "/ledger/log",
            &[("description", words), ("domain", "household")],
        )
        .await;
    assert_eq!(posted.status(), 303);
    assert_eq!(posted.headers()["location"], "/signin?expired=1&held=1");
    assert_eq!(app.count("held_forms").await, 1);
    assert!(
        !held_rows_contain(&app, "careful words").await,
        "kept encrypted, never in clear"
    );
    // Someone else signing in on this browser finds nothing.
    let kim = app.signed_in("kim@example.org", "Kim").await;
    drop(kim);
    let signed = sam
        .post_form(
            "/signin",
            &[("email", "sam@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/held");
    let held = sam.get("/held").await;
    assert_eq!(held.status(), 200);
    let held = held.text().await.expect("page");
    assert!(held.contains(words) && held.contains(r#"action="/ledger/log""#));
    assert_eq!(app.count("held_forms").await, 0, "given back once");
    assert_eq!(sam.get("/held").await.status(), 303, "and only once");
}

async fn held_rows_contain(app: &TestApp, needle: &str) -> bool {
    let clear = format!("held_forms WHERE sealed LIKE '%{needle}%' OR path LIKE '%{needle}%'");
    app.count(&clear).await > 0
}

async fn a_held_form_is_never_given_to_another_account(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("sam@example.org", "Sam").await;
    sam.create_relationship().await;
    app.signed_in("kim@example.org", "Kim").await;
    let long_ago = chrono::Utc::now().timestamp_millis() - 20 * 60_000;
    app.sql(&format!("UPDATE sessions SET last_seen_at = {long_ago}"))
        .await;
    sam.post_form(
        "/ledger/log",
        &[
            ("description", "private words of sam"),
            ("domain", "household"),
        ],
    )
    .await;
    // Kim signs in on Sam's browser: no held form for her.
    let signed = sam
        .post_form(
            "/signin",
            &[("email", "kim@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed.headers()["location"], "/held");
    let held = sam.get("/held").await;
    assert_eq!(held.status(), 303, "nothing for Kim");
    assert_eq!(
        app.count("held_forms").await,
        1,
        "still Sam's, until it runs out"
    );
}

async fn home_tells_the_owner_alone_of_failed_sign_ins_since_last_time(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("sam@example.org", "Sam").await;
    let (kim, _) = app.signed_in("kim@example.org", "Kim").await;
    for _ in 0..2 {
        let guess = kim
            .post_json(
                "/api/v1/session",
                &json!({"email": "sam@example.org", "password": "kim guesses again"}),
            )
            .await;
        assert_eq!(guess.status(), 401);
    }
    let kim = another_device(&app, "kim@example.org", false).await;
    let kims_home = kim.get("/home").await.text().await.expect("page");
    assert!(
        !kims_home.contains("failed-sign-ins"),
        "Kim is told nothing"
    );
    let later = another_device(&app, "sam@example.org", false).await;
    let home = later.get("/home").await.text().await.expect("page");
    assert!(
        home.contains("id=\"failed-sign-ins\"") && home.contains("wrong password 2 times"),
        "{home}"
    );
    drop(sam);
    let next_time = another_device(&app, "sam@example.org", false).await;
    let home = next_time.get("/home").await.text().await.expect("page");
    assert!(
        !home.contains("failed-sign-ins"),
        "told once, at the next sign-in"
    );
}

/// The same recovery code sent twice at once resets the password once: the
/// code is used up by the very statement that uses it.
async fn a_recovery_code_raced_twice_works_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let created = body(
        app.person()
            .post_json(
                "/api/v1/accounts",
                &json!({"email": "sam@example.org", "password": PASSWORD, "display_name": "Sam"}),
            )
            .await,
    )
    .await;
    let code = created["recovery_code"].as_str().expect("code");
    let (one, two) = (app.person(), app.person());
    let first = json!({"email": "sam@example.org", "recovery_code": code, "new_password": "first new passphrase"});
    let second = json!({"email": "sam@example.org", "recovery_code": code, "new_password": "second new passphrase"});
    let (a, b) = tokio::join!(
        one.post_json("/api/v1/password-reset", &first),
        two.post_json("/api/v1/password-reset", &second),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401], "one reset, one refusal");
    let mut opens = 0;
    for password in ["first new passphrase", "second new passphrase"] {
        let signed = app
            .person()
            .post_json(
                "/api/v1/session",
                &json!({"email": "sam@example.org", "password": password}),
            )
            .await;
        opens += usize::from(signed.status() == 200);
    }
    assert_eq!(opens, 1, "exactly the winner's password opens the account");
}

on_both_engines!(
    a_recovery_code_raced_twice_works_once,
    home_tells_the_owner_alone_of_failed_sign_ins_since_last_time,
    tokens_need_the_password_and_a_session_expire_and_are_revoked,
    a_password_change_ends_every_other_session_and_every_token,
    racing_password_changes_land_once,
    sessions_are_listed_and_ended_by_their_owner_alone,
    security_events_are_the_owners_alone_and_carry_no_secret,
    the_recovery_code_resets_the_password_once,
    an_operator_link_resets_once_and_never_sets_a_password,
    guessing_one_account_from_many_addresses_is_slowed_but_not_its_owner,
    keep_me_signed_in_outlives_the_idle_limit,
    an_idle_sign_out_says_why_and_keeps_what_was_written,
    a_held_form_is_never_given_to_another_account,
);
