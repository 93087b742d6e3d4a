//! Fresh databases for tests.
//!
//! PostgreSQL is found at `RECIPROCITY_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached
//! a PostgreSQL test FAILS, so a missing server never passes quietly, unless
//! `RECIPROCITY_SKIP_POSTGRES=1` says to skip it (then it is skipped with a
//! loud message). Under `CI=true` PostgreSQL is always required.

use std::sync::Arc;

use domain::store::Store;
use sqlx::Connection;
use store::postgres::PgStore;
use store::sqlite::SqliteStore;
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Set to `1` to skip (loudly) the PostgreSQL tests when no server is
/// reachable; without it they fail. Ignored under `CI=true`.
pub const SKIP_POSTGRES: &str = "RECIPROCITY_SKIP_POSTGRES";
/// Prefix of every database the tests create; the test script drops leftovers.
pub const DB_PREFIX: &str = "rcp_test_";

fn admin_url() -> String {
    std::env::var("RECIPROCITY_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// A migrated store on a database nobody else uses. Dropping it removes the
/// database (PostgreSQL) or the folder (SQLite).
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub url: String,
    pub engine: Engine,
    _dir: Option<TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// `None` when the engine is PostgreSQL, no server is reachable, and
    /// `RECIPROCITY_SKIP_POSTGRES=1` asks to skip (never under `CI=true`);
    /// otherwise an unreachable server panics.
    pub async fn new(engine: Engine) -> Option<Self> {
        match engine {
            Engine::Sqlite => Some(Self::sqlite().await),
            Engine::Postgres => Self::postgres().await,
        }
    }

    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = SqliteStore::connect(&url).await.expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        Self {
            store: Arc::new(store),
            url,
            engine: Engine::Sqlite,
            _dir: Some(dir),
            pg_name: None,
        }
    }

    async fn postgres() -> Option<Self> {
        let admin = admin_url();
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(err) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!(
                        "PostgreSQL is required under CI=true but {admin} is unreachable: {err}"
                    );
                }
                if std::env::var(SKIP_POSTGRES).as_deref() != Ok("1") {
                    panic!(
                        "PostgreSQL is unreachable at {admin} ({err}). Start it (or point \
                         RECIPROCITY_TEST_POSTGRES at one), or set {SKIP_POSTGRES}=1 to skip \
                         the PostgreSQL tests."
                    );
                }
                eprintln!(
                    "\n!!! SKIPPING a PostgreSQL test: {admin} is unreachable ({err}) and {SKIP_POSTGRES}=1.\n\
                     !!! Start PostgreSQL (or set RECIPROCITY_TEST_POSTGRES) to run the PostgreSQL half.\n"
                );
                return None;
            }
        };
        let name = format!("{DB_PREFIX}{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let url = replace_database(&admin, &name);
        let store = PgStore::connect(&url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate PostgreSQL");
        Some(Self {
            store: Arc::new(store),
            url,
            engine: Engine::Postgres,
            _dir: None,
            pg_name: Some(name),
        })
    }
}

/// The admin URL with its database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs outside any async context we can rely on: use a thread
        // with a runtime of its own. FORCE ends the server's pooled connections.
        let admin = admin_url();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
