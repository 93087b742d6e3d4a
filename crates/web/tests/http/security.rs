//! CSRF, security headers, rate limits without lockout, and the operations
//! endpoints, over real HTTP on both engines.

use crate::common;

use crate::common::{error_of, DbEngine, TestApp};
use serde_json::{json, Value};

async fn cross_site_writes_are_refused_and_same_site_ones_pass(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    let forged = [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ];
    for (name, value) in forged {
        let response = ada
            .client
            .post(ada.url("/api/v1/relationships"))
            .header(name, value)
            .json(&json!({}))
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 403, "{name}: {value}");
        assert_eq!(error_of(response).await.0, "cross_site");
        // The same forgery against a web form.
        let form = ada
            .client
            .post(ada.url("/relationship"))
            .header(name, value)
            .form(&[("x", "y")])
            .send()
            .await
            .expect("POST");
        assert_eq!(form.status(), 403, "form, {name}: {value}");
    }
    assert_eq!(
        app.count("relationships").await,
        0,
        "no forged request wrote anything"
    );

    let same = ada
        .client
        .post(ada.url("/api/v1/relationships"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", app.base.clone())
        .json(&json!({}))
        .send()
        .await
        .expect("POST");
    assert_eq!(same.status(), 201);
}

async fn every_response_carries_the_security_headers(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    for path in [
        "/",
        "/signin",
        "/home",
        "/api/v1/me",
        "/api/v1/nothing",
        "/nothing",
        "/static/app.css",
        "/healthz",
    ] {
        let response = ada.get(path).await;
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{path}: no CSP"));
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: CSP lacks {directive}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("http"),
            "{path}: no inline, no third party"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(headers.contains_key("x-request-id"), "{path}");
        if !path.starts_with("/static/") {
            assert_eq!(headers["cache-control"], "no-store", "{path}");
        }
    }
    let unknown_api = ada.get("/api/v1/nothing").await;
    assert_eq!(unknown_api.status(), 404);
    assert_eq!(error_of(unknown_api).await.0, "not_found");
}

/// SECURITY.md R15: a partner who knows the other's e-mail floods sign-ins
/// from the same home address. They are throttled; the owner, on a device
/// they signed in from before, still gets in; so does anyone elsewhere.
async fn failing_sign_ins_throttle_the_attacker_but_never_lock_out_the_owner(engine: DbEngine) {
    let mut config = common::relaxed();
    config.limits.sign_in_per_account = web::Rate::new(3, 600);
    config.trust_proxy = true;
    let Some(app) = TestApp::spawn_with_metrics(engine, config).await else {
        return;
    };
    let (owner, _) = app.signed_in("owner@example.org", "Owner").await;
    let home = "203.0.113.7";

    let attacker = app.person();
    let attempt = |who: &common::Person, password: &str, ip: &str| {
        who.client
            .post(who.url("/api/v1/session"))
            .header("x-forwarded-for", ip)
            .json(&json!({"email": "owner@example.org", "password": password}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(
            attempt(&attacker, "guess guess guess", home)
                .await
                .expect("POST")
                .status(),
            401
        );
    }
    let limited = attempt(&attacker, "guess guess guess", home)
        .await
        .expect("POST");
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=600).contains(&retry), "Retry-After {retry}");
    assert_eq!(error_of(limited).await.0, "rate_limited");
    // The sign-in page answers the throttled client the same way.
    let page = attacker
        .client
        .post(attacker.url("/signin"))
        .header("origin", app.base.clone())
        .header("x-forwarded-for", home)
        .form(&[
            ("email", "owner@example.org"),
            ("password", "guess guess guess"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("role=\"alert\">Too many attempts"));
    // Even the right password is refused to the throttled client: the limit
    // is not an oracle for the password.
    assert_eq!(
        attempt(&attacker, "a long password", home)
            .await
            .expect("POST")
            .status(),
        429
    );

    // The owner's own browser, trusted at its earlier sign-in, same address.
    let owners_device = attempt(&owner, "a long password", home)
        .await
        .expect("POST");
    assert_eq!(owners_device.status(), 200, "the owner is not locked out");
    // Another address has a budget of its own.
    let elsewhere = attempt(&app.person(), "a long password", "198.51.100.9")
        .await
        .expect("POST");
    assert_eq!(elsewhere.status(), 200);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("reciprocity_sign_ins_total{outcome=\"rate_limited\"} 3"),
        "{metrics}"
    );
}

async fn sign_ups_are_rate_limited_per_client(engine: DbEngine) {
    let mut config = common::relaxed();
    config.limits.sign_up_per_client = web::Rate::new(2, 600);
    let Some(app) = TestApp::spawn_with(engine, config).await else {
        return;
    };
    let p = app.person();
    for i in 0..2 {
        let body = json!({"email": format!("p{i}@example.org"), "password": "a long password", "display_name": "P"});
        assert_eq!(p.post_json("/api/v1/accounts", &body).await.status(), 201);
    }
    let body =
        json!({"email": "p9@example.org", "password": "a long password", "display_name": "P"});
    let third = p.post_json("/api/v1/accounts", &body).await;
    assert_eq!(third.status(), 429);
    assert!(third.headers().contains_key("retry-after"));
    assert_eq!(app.count("accounts").await, 2);
}

async fn health_and_metrics_answer(engine: DbEngine) {
    let Some(app) = TestApp::spawn_with_metrics(engine, common::relaxed()).await else {
        return;
    };
    let p = app.person();
    assert_eq!(p.get("/healthz").await.status(), 200);
    p.get("/api/v1/me").await;
    let metrics = reqwest::get(format!(
        "{}/metrics",
        app.metrics_base.as_deref().expect("metrics")
    ))
    .await
    .expect("GET");
    assert_eq!(metrics.status(), 200);
    assert!(metrics.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/plain"));
    let text = metrics.text().await.expect("text");
    assert!(text.contains("# TYPE reciprocity_http_requests_total counter"));
    assert!(
        text.contains("reciprocity_http_requests_total{class=\"4xx\"} 1"),
        "{text}"
    );
}

async fn the_openapi_document_is_served(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let doc: Value = app
        .person()
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
    assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
}

async fn behind_https_cookies_are_secure_and_hsts_is_sent(engine: DbEngine) {
    let mut config = common::relaxed();
    config.public_url = Some("https://notes.example.org".into());
    let Some(app) = TestApp::spawn_with(engine, config).await else {
        return;
    };
    let p = app.person();
    let body =
        json!({"email": "s@example.org", "password": "a long password", "display_name": "S"});
    assert_eq!(p.post_json("/api/v1/accounts", &body).await.status(), 201);
    let signed = p
        .post_json(
            "/api/v1/session",
            &json!({"email": "s@example.org", "password": "a long password"}),
        )
        .await;
    for cookie in signed.headers().get_all("set-cookie") {
        assert!(
            cookie.to_str().expect("ascii").contains("; Secure"),
            "{cookie:?}"
        );
    }
    assert!(signed.headers()["strict-transport-security"]
        .to_str()
        .expect("ascii")
        .starts_with("max-age=31536000"));
    let created = p.create_relationship().await;
    assert!(created["invite_link"]
        .as_str()
        .expect("link")
        .starts_with("https://notes.example.org/j/"));
}

on_both_engines!(
    behind_https_cookies_are_secure_and_hsts_is_sent,
    cross_site_writes_are_refused_and_same_site_ones_pass,
    every_response_carries_the_security_headers,
    failing_sign_ins_throttle_the_attacker_but_never_lock_out_the_owner,
    sign_ups_are_rate_limited_per_client,
    health_and_metrics_answer,
    the_openapi_document_is_served,
);
