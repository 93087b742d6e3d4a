//! The Store on embedded SQLite: WAL, foreign keys, `secure_delete`, one
//! writer connection beside a small pool of readers.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};

use crate::engine::{Engine, SqlStore};

/// The `Store` on SQLite.
pub type SqliteStore = SqlStore<Sqlite>;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

impl Engine for Sqlite {
    const ENGINE_NAME: &'static str = "sqlite";
    const PACKED_LEDGER: &'static str = crate::ledger::PACKED_GROUP_CONCAT;

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }
}

impl SqlStore<Sqlite> {
    /// Opens (creating if missing) the database file named by a `sqlite://` URL.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            // FULL: a committed write survives power loss, not only a crash
            // (SECURITY.md R41). Writes here are small and rare.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            // Deleted rows are overwritten with zeros, so "delete" means gone
            // from the file too, not only from the index.
            .pragma("secure_delete", "ON")
            // Keep the WAL from growing without bound after a write burst.
            .pragma("journal_size_limit", "67108864")
            // 8 MiB of page cache per connection (the default is 2 MiB): a
            // couple's ten-year ledger then stays in memory between requests.
            .pragma("cache_size", "-8192");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        // A local file connection cannot go stale, so the liveness ping sqlx
        // makes on every acquire would be pure overhead (measured: see bench/).
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { read, write })
    }
}
