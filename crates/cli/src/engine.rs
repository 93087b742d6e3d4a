//! The one place that picks the database engine from the URL.

use std::sync::Arc;

use anyhow::Context;
use domain::store::Store;

/// Opens the store named by `url`: `postgres://…` (or `postgresql://…`)
/// selects PostgreSQL, `sqlite:…` selects the embedded engine.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = store::postgres::PgStore::connect(url)
            .await
            .context("cannot connect to PostgreSQL")?;
        Ok(Arc::new(store))
    } else if url.starts_with("sqlite:") {
        let store = store::sqlite::SqliteStore::connect(url)
            .await
            .context("cannot open the SQLite database")?;
        Ok(Arc::new(store))
    } else {
        anyhow::bail!("unsupported database URL: use sqlite://FILE or postgres://…")
    }
}
