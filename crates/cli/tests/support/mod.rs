//! What the durability harnesses share: the real `reciprocity serve`
//! binary on a free loopback port, people with cookie jars who talk to it,
//! a seeded random source, and a dump of every table for comparisons.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::{Connection, Row};

pub const PASSWORD: &str = "a long password";

pub fn binary() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("reciprocity"))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A number from the environment, or `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `reciprocity serve` on one database and one port, restartable on both.
pub struct Server {
    pub url: String,
    pub port: u16,
    child: Option<Child>,
}

impl Server {
    pub async fn start(database_url: &str) -> Self {
        let mut server = Self {
            url: database_url.to_owned(),
            port: free_port(),
            child: None,
        };
        server.restart().await;
        server
    }

    /// The running server's process id (for its memory in /proc).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the binary again (same database, same port) and waits until
    /// `/healthz` answers 200.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = binary()
            .args(["serve", "--database", &self.url])
            .args(["--bind", &format!("127.0.0.1:{}", self.port)])
            .env_remove("DATABASE_URL")
            .env_remove("RECIPROCITY_BIND")
            .env("RECIPROCITY_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn reciprocity serve");
        self.child = Some(child);
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = probe.get(format!("{}/healthz", self.base())).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("server exited early: {status}");
            }
            assert!(Instant::now() < deadline, "server not healthy");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// SIGKILL: no shutdown, no flush, no destructor runs.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` is SIGKILL on Unix.
            child.kill().expect("SIGKILL");
            child.wait().expect("reap");
        }
    }

    /// SIGTERM, then waits for the graceful exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .expect("kill");
            assert!(status.success());
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                if let Some(status) = child.try_wait().expect("wait") {
                    assert!(status.success(), "graceful exit, got {status}");
                    return;
                }
                assert!(Instant::now() < deadline, "no exit after SIGTERM");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A person: a client with a cookie jar of its own.
#[derive(Clone)]
pub struct Person {
    pub base: String,
    pub client: reqwest::Client,
}

impl Person {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client"),
        }
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Result<reqwest::Response> {
        self.client
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> reqwest::Result<reqwest::Response> {
        self.client
            .put(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
    }

    /// POST that must answer `status`; returns the JSON body (or null).
    pub async fn expect(&self, path: &str, body: &Value, status: u16) -> Value {
        let response = self.post(path, body).await.expect("POST");
        let got = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(got, status, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn expect_put(&self, path: &str, body: &Value, status: u16) -> Value {
        let response = self.put(path, body).await.expect("PUT");
        let got = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(got, status, "PUT {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("json")
    }

    /// Signs up and signs in ("keep me signed in", so a long by-hand run
    /// outlives the idle limit); returns the account id.
    pub async fn sign_up_and_in(&self, email: &str, name: &str) -> String {
        let created = self
            .expect(
                "/api/v1/accounts",
                &json!({"email": email, "password": PASSWORD, "display_name": name}),
                201,
            )
            .await;
        self.expect(
            "/api/v1/session",
            &json!({"email": email, "password": PASSWORD, "remember": true}),
            200,
        )
        .await;
        created["id"].as_str().expect("id").to_owned()
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

/// Two people signed in and joined in an active relationship.
pub async fn couple(base: &str, tag: &str) -> Couple {
    let ada = Person::new(base);
    let bo = Person::new(base);
    let ada_id = ada
        .sign_up_and_in(&format!("ada.{tag}@example.org"), "Ada")
        .await;
    let bo_id = bo
        .sign_up_and_in(&format!("bo.{tag}@example.org"), "Bo")
        .await;
    let created = ada.expect("/api/v1/relationships", &json!({}), 201).await;
    bo.expect(
        "/api/v1/relationships/join",
        &json!({"invite_code": created["invite_code"]}),
        200,
    )
    .await;
    let r = format!(
        "/api/v1/relationships/{}",
        created["id"].as_str().expect("id")
    );
    Couple {
        ada,
        ada_id,
        bo,
        bo_id,
        r,
    }
}

/// splitmix64, seeded: one generator for the crash harness and the load
/// generator (`bench/load`, already a dev-dependency for `tests/load.rs`).
#[allow(unused_imports)] // not every test binary draws random numbers
pub use load::rng::Rng;

/// Which engine a `sqlite://` or `postgres://` URL names.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Every table of the database, named from the schema itself (so a table
/// added later is included without touching this), each as its rows in a
/// canonical text form, sorted. sqlx's own bookkeeping is reduced to the
/// columns a restore must reproduce (version and checksum, not when it ran).
pub async fn dump(url: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    if is_sqlite(url) {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        for table in tables {
            let columns: Vec<String> = if table == "_sqlx_migrations" {
                vec!["version".into(), "checksum".into()]
            } else {
                sqlx::query(&format!("PRAGMA table_info(\"{table}\")"))
                    .fetch_all(&mut conn)
                    .await
                    .expect("columns")
                    .iter()
                    .map(|row| row.get::<String, _>("name"))
                    .collect()
            };
            // quote() renders each value as an SQL literal: type and value.
            let expr = columns
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            let mut rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT {expr} FROM \"{table}\""))
                    .fetch_all(&mut conn)
                    .await
                    .expect("rows");
            rows.sort();
            out.insert(table, rows);
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("open");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        for table in tables {
            let select = if table == "_sqlx_migrations" {
                "SELECT (version, checksum)::text FROM _sqlx_migrations".to_owned()
            } else {
                // A row cast to text is its composite literal: every column.
                format!("SELECT t::text FROM \"{table}\" t")
            };
            let mut rows: Vec<String> = sqlx::query_scalar(&select)
                .fetch_all(&mut conn)
                .await
                .expect("rows");
            rows.sort();
            out.insert(table, rows);
        }
    }
    out
}

/// Per table, the rows in one dump and not the other (both ways), and the
/// tables only one side has.
pub fn differences(
    a: &BTreeMap<String, Vec<String>>,
    b: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut found = Vec::new();
    for table in a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (a.get(table), b.get(table)) {
            (Some(x), Some(y)) => {
                if x.len() != y.len() {
                    found.push(format!("{table}: {} rows against {}", x.len(), y.len()));
                }
                let (x, y): (std::collections::BTreeSet<_>, std::collections::BTreeSet<_>) =
                    (x.iter().collect(), y.iter().collect());
                for row in x.difference(&y) {
                    found.push(format!("{table}: only in the first: {row}"));
                }
                for row in y.difference(&x) {
                    found.push(format!("{table}: only in the second: {row}"));
                }
            }
            _ => found.push(format!("{table}: table on one side only")),
        }
    }
    found
}

/// A fresh PostgreSQL database, or `None` when PostgreSQL is unreachable
/// and `RECIPROCITY_SKIP_POSTGRES=1` (the rule of the other suites: without
/// it, or under `CI=true`, an unreachable server fails the test).
pub async fn postgres() -> Option<store_conformance::testdb::TestDb> {
    store_conformance::testdb::TestDb::new(store_conformance::testdb::Engine::Postgres).await
}
