//! The one place that picks the database engine from the URL.

use std::sync::Arc;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
use anyhow::Context;
use domain::store::Store;

/// Opens the store named by `url`: `postgres://…` (or `postgresql://…`)
/// selects PostgreSQL, `sqlite:…` selects the embedded engine. An engine
/// left out of this build (cargo features `sqlite`, `postgres`) is an error
/// that names the feature.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        open_postgres(url).await
    } else if url.starts_with("sqlite:") {
        open_sqlite(url).await
    } else {
        anyhow::bail!("unsupported database URL: use sqlite://FILE or postgres://…")
    }
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let store = store::postgres::PgStore::connect(url)
        .await
        .context("cannot connect to PostgreSQL")?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(_url: &str) -> anyhow::Result<Arc<dyn Store>> {
    anyhow::bail!(
        "this reciprocity was built without PostgreSQL support: rebuild it with the cargo feature `postgres`"
    )
}

#[cfg(feature = "sqlite")]
async fn open_sqlite(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let store = store::sqlite::SqliteStore::connect(url)
        .await
        .context("cannot open the SQLite database")?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "sqlite"))]
async fn open_sqlite(_url: &str) -> anyhow::Result<Arc<dyn Store>> {
    anyhow::bail!(
        "this reciprocity was built without SQLite support: rebuild it with the cargo feature `sqlite`"
    )
}
