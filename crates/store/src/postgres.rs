//! The Store on PostgreSQL, for a provider hosting many couples.

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPoolOptions, Postgres};

use crate::engine::{Engine, SqlStore};

/// The `Store` on PostgreSQL.
pub type PgStore = SqlStore<Postgres>;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

impl Engine for Postgres {
    const ENGINE_NAME: &'static str = "postgres";
    const PACKED_LEDGER: &'static str = crate::ledger::PACKED_STRING_AGG;
    const RELAXED_COMMIT: Option<&'static str> = Some("SET LOCAL synchronous_commit TO OFF");
    // Nothing of ours to scrub: the WAL and the data files belong to the
    // database server. A deleted or updated row stays in its page as a dead
    // tuple until VACUUM reclaims the space (and the server's WAL segments
    // hold it until they are recycled), so operators must keep autovacuum
    // on (the default) and treat WAL archives like backups (SECURITY.md R38:
    // they age out within the retention window). See `deletion.rs`.
    const CHECKPOINT: Option<&'static str> = None;

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }
}

impl SqlStore<Postgres> {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(url)
            .await?;
        Ok(Self {
            read: pool.clone(),
            write: pool,
        })
    }
}
