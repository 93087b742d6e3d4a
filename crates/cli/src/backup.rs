//! `reciprocity backup FILE` and `reciprocity restore FILE`: the work is in
//! `store::backup`; this says what happened, in a line an operator can
//! keep in a log.

use std::path::PathBuf;

use crate::config::DatabaseArgs;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// The backup file (a SQLite database readable by its owner only).
    file: PathBuf,
}

/// Writes a new backup file; the server may keep running.
pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    crate::owner_only_files();
    let url = crate::config::resolve_database_url(args.db)?;
    let summary = store_backup(&url, &args.file).await?;
    let bytes = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} rows of {} tables (schema version {}) to {} ({} KiB)",
        summary.rows,
        summary.tables,
        summary.schema_version,
        args.file.display(),
        bytes.div_ceil(1024)
    );
    Ok(())
}

/// Restores a backup into a new or empty database.
pub async fn restore(args: BackupArgs) -> anyhow::Result<()> {
    crate::owner_only_files();
    let url = crate::config::resolve_database_url(args.db)?;
    let summary = store_restore(&url, &args.file).await?;
    println!(
        "restored {} rows of {} tables (schema version {}) from {}",
        summary.rows,
        summary.tables,
        summary.schema_version,
        args.file.display()
    );
    Ok(())
}

// The backup file is a SQLite database, so both commands need the SQLite
// engine compiled in, whichever engine the data lives on.
#[cfg(feature = "sqlite")]
use store::backup::{backup as store_backup, restore as store_restore};

#[cfg(not(feature = "sqlite"))]
async fn store_backup(_: &str, _: &std::path::Path) -> anyhow::Result<Summary> {
    anyhow::bail!("backups are SQLite files: rebuild reciprocity with the cargo feature `sqlite`")
}

#[cfg(not(feature = "sqlite"))]
async fn store_restore(_: &str, _: &std::path::Path) -> anyhow::Result<Summary> {
    anyhow::bail!("backups are SQLite files: rebuild reciprocity with the cargo feature `sqlite`")
}

#[cfg(not(feature = "sqlite"))]
struct Summary {
    rows: u64,
    tables: usize,
    schema_version: i64,
}
