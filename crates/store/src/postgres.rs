//! The Store on PostgreSQL, for a provider hosting many couples.

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::queries::impl_store;

pub struct PgStore {
    read: PgPool,
    write: PgPool,
}

impl PgStore {
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

impl_store!(
    PgStore,
    "postgres",
    sqlx::migrate!("./migrations/postgres"),
    "string_agg"
);
