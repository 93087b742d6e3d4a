//! SECURITY.md R39: logs carry what an operator needs (one line per request
//! with its id, route template, status and latency) and never a secret or a
//! person's words: no e-mail, password, name, cookie, token or invite code.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{DbEngine, TestApp};
use serde_json::{json, Value};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Tests run on tokio's current-thread runtime, so the server's tasks run on
/// this thread and the thread-local subscriber sees all their events.
async fn logs_name_routes_but_never_secrets_or_personal_text(engine: DbEngine) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };

    let email = "canary.e6f1@example.org";
    let password = "canary-password-9c2d";
    let name = "CanaryName7a1b";
    let ada = app.person();
    let body = json!({"email": email, "password": password, "display_name": name});
    let created = ada.post_json("/api/v1/accounts", &body).await;
    assert_eq!(created.status(), 201);
    let recovery_code = created.json::<Value>().await.expect("json")["recovery_code"]
        .as_str()
        .expect("code")
        .to_owned();
    let signed = ada
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": password}),
        )
        .await;
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let session = cookie
        .trim_start_matches("session=")
        .split(';')
        .next()
        .expect("value")
        .to_owned();
    // A failed sign-in with a wrong password that is itself a canary.
    ada.post_json(
        "/api/v1/session",
        &json!({"email": email, "password": "canary-wrong-4410"}),
    )
    .await;
    let token: Value = ada
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "canary-token-name", "password": password}),
        )
        .await
        .json()
        .await
        .expect("json");
    let created = ada.create_relationship().await;
    let code = created["invite_code"].as_str().expect("code").to_owned();
    // The invitation link carries the code in its path.
    app.person().get(&format!("/j/{code}")).await;
    // Someone signed in asks for a space that is not theirs: a denial.
    let (kim, kim_id) = app.signed_in("kim@example.org", "Kim").await;
    let rel = created["id"].as_str().expect("id");
    assert_eq!(
        kim.get(&format!("/api/v1/relationships/{rel}"))
            .await
            .status(),
        404
    );

    let logs = String::from_utf8(captured.0.lock().expect("log buffer").clone()).expect("utf-8");
    let secrets = [
        email,
        password,
        name,
        "canary-wrong-4410",
        "canary-token-name",
        &session,
        token["token"].as_str().expect("token"),
        &code,
        &recovery_code,
    ];
    for secret in secrets {
        assert!(
            !logs.contains(secret),
            "the log contains {secret:?}:\n{logs}"
        );
    }
    assert!(
        logs.contains("\"route\":\"/j/{code}\""),
        "the route template is logged:\n{logs}"
    );
    assert!(logs.contains("\"route\":\"/api/v1/session\"") && logs.contains("\"request_id\""));
    // Security events for the operator: kind, route template, account id.
    assert!(
        logs.contains("\"event\":\"sign_in_failed\""),
        "a failed sign-in is a security event:\n{logs}"
    );
    let denied = logs
        .lines()
        .find(|l| l.contains("\"event\":\"denied\""))
        .expect("a denial is logged");
    assert!(
        denied.contains("\"route\":\"/api/v1/relationships/{id}\"") && denied.contains(&kim_id),
        "{denied}"
    );
}

on_both_engines!(logs_name_routes_but_never_secrets_or_personal_text);
