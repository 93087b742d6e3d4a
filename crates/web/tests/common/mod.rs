//! `spawn_app`: the real server on a random loopback port over a fresh
//! database, and clients that behave like separate people (own cookie jars).

#![allow(dead_code)]

pub mod pages;

use std::time::Duration;

use serde_json::{json, Value};
use store_conformance::testdb::{Engine, TestDb};

pub use store_conformance::testdb::Engine as DbEngine;

pub struct TestApp {
    pub base: String,
    /// The operator's metrics listener, when started with [`TestApp::spawn_with_metrics`].
    pub metrics_base: Option<String>,
    pub db: TestDb,
    server: tokio::task::JoinHandle<()>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Runs each listed test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::common::DbEngine::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::common::DbEngine::Postgres).await;
                }
            )*
        }
    };
}

/// The limits used by tests that are not about limits: generous, so that a
/// test creating several accounts from 127.0.0.1 is not throttled.
pub fn relaxed() -> web::Config {
    let mut config = web::Config::default();
    config.limits.sign_up_per_client = web::Rate::new(1000, 1);
    config.limits.sign_in_per_client = web::Rate::new(1000, 1);
    config.exit_url = "https://neutral.example/weather".into();
    config
}

impl TestApp {
    /// `None` only for PostgreSQL when no server is reachable outside CI.
    pub async fn spawn(engine: Engine) -> Option<Self> {
        Self::spawn_with(engine, relaxed()).await
    }

    pub async fn spawn_with(engine: Engine, config: web::Config) -> Option<Self> {
        Self::start(engine, config, false).await
    }

    /// Also serves `/metrics` on a listener of its own (`metrics_base`).
    pub async fn spawn_with_metrics(engine: Engine, config: web::Config) -> Option<Self> {
        Self::start(engine, config, true).await
    }

    async fn start(engine: Engine, config: web::Config, with_metrics: bool) -> Option<Self> {
        let db = TestDb::new(engine).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let mut server = web::Server::new(listener);
        let mut metrics_base = None;
        if with_metrics {
            let metrics = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind metrics");
            metrics_base = Some(format!("http://{}", metrics.local_addr().expect("address")));
            server = server.with_metrics(metrics);
        }
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let store = db.store.clone();
        let server = tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            server
                .run(domain::App::new(store), config, shutdown)
                .await
                .expect("server");
        });
        let app = Self {
            base,
            metrics_base,
            db,
            server,
            shutdown: Some(tx),
        };
        // Ready when /healthz says so.
        let probe = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(r) = probe.get(app.url("/healthz")).send().await {
                if r.status() == 200 {
                    return Some(app);
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("server did not become healthy");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Resolves the server's shutdown signal (as SIGTERM would) and leaves
    /// it running to finish what it has in flight.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Whether `serve` has not returned yet (the binary exits when it does).
    pub fn is_running(&self) -> bool {
        !self.server.is_finished()
    }

    /// Waits (up to 15 s) for the server task to end; whether it did.
    pub async fn stopped(&mut self) -> bool {
        tokio::time::timeout(Duration::from_secs(15), &mut self.server)
            .await
            .is_ok()
    }

    /// The Prometheus text from the metrics listener (spawn_with_metrics).
    pub async fn metrics(&self) -> String {
        let base = self.metrics_base.as_deref().expect("spawned with metrics");
        let response = reqwest::get(format!("{base}/metrics"))
            .await
            .expect("GET /metrics");
        assert_eq!(response.status(), 200);
        response.text().await.expect("text")
    }

    /// A new person: a client with a cookie jar of its own and no redirects
    /// followed, so tests see each 303.
    pub fn person(&self) -> Person {
        Person {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// A person who has signed up and signed in.
    pub async fn signed_in(&self, email: &str, name: &str) -> (Person, String) {
        let person = self.person();
        let created = person
            .post_json(
                "/api/v1/accounts",
                &json!({"email": email, "password": "a long password", "display_name": name}),
            )
            .await;
        assert_eq!(created.status(), 201, "sign up {email}");
        let id = created.json::<Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let signed = person
            .post_json(
                "/api/v1/session",
                &json!({"email": email, "password": "a long password"}),
            )
            .await;
        assert_eq!(signed.status(), 200, "sign in {email}");
        (person, id)
    }

    /// Ada and Bo, signed in and joined in an active relationship.
    pub async fn couple(&self) -> Couple {
        let (ada, ada_id) = self.signed_in("ada@example.org", "Ada").await;
        let (bo, bo_id) = self.signed_in("bo@example.org", "Bo").await;
        let created = ada.create_relationship().await;
        let joined = bo
            .post_json(
                "/api/v1/relationships/join",
                &json!({"invite_code": created["invite_code"]}),
            )
            .await;
        assert_eq!(joined.status(), 200, "join");
        let id = created["id"].as_str().expect("id").to_owned();
        Couple {
            ada,
            ada_id,
            bo,
            bo_id,
            r: format!("/api/v1/relationships/{id}"),
        }
    }

    /// Runs one SQL statement against the test database (for states the API
    /// cannot reach on purpose, such as an expired invitation).
    pub async fn sql(&self, statement: &str) -> u64 {
        self.try_sql(statement).await.expect("sql")
    }

    /// Runs one SQL statement, giving back the database's refusal (to prove
    /// a rule the database itself keeps, such as a trigger).
    pub async fn try_sql(&self, statement: &str) -> Result<u64, sqlx::Error> {
        use sqlx::Connection;
        Ok(match self.db.engine {
            Engine::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.db.url).await?;
                sqlx::query(statement)
                    .execute(&mut conn)
                    .await?
                    .rows_affected()
            }
            Engine::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.db.url).await?;
                sqlx::query(statement)
                    .execute(&mut conn)
                    .await?
                    .rows_affected()
            }
        })
    }

    /// Counts rows of a table (to prove that a refused request wrote nothing).
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Connection;
        let query = format!("SELECT COUNT(*) FROM {table}");
        match self.db.engine {
            Engine::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.db.url)
                    .await
                    .expect("connect");
                sqlx::query_scalar::<_, i64>(&query)
                    .fetch_one(&mut conn)
                    .await
                    .expect("count")
            }
            Engine::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.db.url)
                    .await
                    .expect("connect");
                sqlx::query_scalar::<_, i64>(&query)
                    .fetch_one(&mut conn)
                    .await
                    .expect("count")
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.abort();
    }
}

pub struct Couple {
    pub ada: Person,
    pub ada_id: String,
    pub bo: Person,
    pub bo_id: String,
    /// The relationship's API path, `R` in API.md.
    pub r: String,
}

pub struct Person {
    pub base: String,
    pub client: reqwest::Client,
}

impl Person {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("DELETE")
    }

    /// Starts a relationship; returns `{id, invite_code, ...}`.
    pub async fn create_relationship(&self) -> Value {
        let response = self.post_json("/api/v1/relationships", &json!({})).await;
        assert_eq!(response.status(), 201, "create relationship");
        response.json().await.expect("json")
    }

    /// Posts raw bytes as JSON, for malformed bodies.
    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a urlencoded form the way a same-origin page would.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", self.base.clone())
            .form(form)
            .send()
            .await
            .expect("POST form")
    }
}

/// The error body's `(code, field)`.
pub async fn error_of(response: reqwest::Response) -> (String, Option<String>) {
    let body: Value = response.json().await.expect("error body is JSON");
    let error = &body["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    (
        error["code"].as_str().expect("code").to_owned(),
        error["field"].as_str().map(str::to_owned),
    )
}
