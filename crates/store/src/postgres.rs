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
