//! `reciprocity backup FILE` and `reciprocity restore FILE` (API.md;
//! SECURITY.md R42): a whole database to one file and back, on either
//! engine.
//!
//! The backup file is itself a SQLite database with this version's SQLite
//! schema, whichever engine it came from, plus a `reciprocity_backup` row
//! saying what made it. So an operator can open it with any SQLite tool,
//! restore it into either engine (moving from SQLite to PostgreSQL is a
//! backup and a restore), and a half-written file is recognisable: the
//! `reciprocity_backup` row is written last.
//!
//! - From SQLite, `VACUUM INTO` copies a consistent snapshot while the
//!   server keeps running, and leaves behind no free page holding deleted
//!   text (a plain file copy would carry the WAL and old pages).
//! - From PostgreSQL, every table is read in one `REPEATABLE READ` snapshot.
//! - A restore goes into a new, empty database of this version's schema,
//!   in one transaction: it either lands whole or not at all.
//!
//! The file is created 0600 and never overwrites an existing one.

mod cells;
mod file;
#[cfg(feature = "postgres")]
mod postgres_side;
mod schema;
mod sqlite_side;

use std::path::{Path, PathBuf};

pub use file::FORMAT_VERSION;

/// What a backup or a restore moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Tables copied (the migrations' own bookkeeping table not counted).
    pub tables: usize,
    /// Rows copied over all those tables.
    pub rows: u64,
    /// The schema version (the last migration) of the data.
    pub schema_version: i64,
}

/// Why a backup or a restore did not happen. Each message says what to do.
#[derive(Debug)]
pub enum BackupError {
    /// The backup would overwrite a file.
    FileExists(PathBuf),
    /// A SQLite database to back up that is not there.
    NoDatabase(PathBuf),
    /// A file to restore that is missing or not a backup of ours.
    NotABackup(PathBuf, String),
    /// The data's schema and this program's differ.
    SchemaVersion {
        data: i64,
        program: i64,
        what: &'static str,
    },
    /// A restore target that already holds rows.
    NotEmpty {
        table: String,
        rows: i64,
    },
    /// Tables or columns that differ between the backup and the target.
    SchemaDiffers(String),
    /// A restore into the backup file itself.
    SameFile,
    /// A column type the copy does not know.
    UnsupportedType {
        table: String,
        column: String,
        type_name: String,
    },
    /// `sqlite://…` or `postgres://…` only.
    UnsupportedUrl,
    /// An engine this build was made without.
    EngineMissing(&'static str),
    Io(PathBuf, std::io::Error),
    Database(String, sqlx::Error),
}

impl std::fmt::Display for BackupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FileExists(p) => write!(
                f,
                "{} already exists; a backup never overwrites a file: choose a new name",
                p.display()
            ),
            Self::NoDatabase(p) => write!(f, "there is no database at {}", p.display()),
            Self::NotABackup(p, why) => {
                write!(f, "{} is not a Reciprocity backup ({why})", p.display())
            }
            Self::SchemaVersion { data, program, what } => write!(
                f,
                "{what} is at schema version {data} and this reciprocity at {program}: \
                 use the reciprocity version that matches it (then `reciprocity migrate`)"
            ),
            Self::NotEmpty { table, rows } => write!(
                f,
                "the database already holds data ({table}: {rows} rows); \
                 restore into a new, empty database"
            ),
            Self::SchemaDiffers(what) => {
                write!(f, "the backup and the database have different tables: {what}")
            }
            Self::SameFile => write!(
                f,
                "the backup file and the database are the same file: restore into a new database"
            ),
            Self::UnsupportedType { table, column, type_name } => write!(
                f,
                "cannot copy column {table}.{column} of type {type_name}"
            ),
            Self::UnsupportedUrl => {
                write!(f, "unsupported database URL: use sqlite://FILE or postgres://…")
            }
            Self::EngineMissing(feature) => write!(
                f,
                "this reciprocity was built without {feature} support: rebuild it with the cargo feature `{feature}`"
            ),
            Self::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Self::Database(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

impl std::error::Error for BackupError {}

/// Adds what was being done to a database error.
pub(crate) trait Context<T> {
    fn doing(self, what: impl Into<String>) -> Result<T, BackupError>;
}

impl<T> Context<T> for Result<T, sqlx::Error> {
    fn doing(self, what: impl Into<String>) -> Result<T, BackupError> {
        self.map_err(|e| BackupError::Database(what.into(), e))
    }
}

enum Url<'a> {
    Sqlite(&'a str),
    Postgres(&'a str),
}

fn parse(url: &str) -> Result<Url<'_>, BackupError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Url::Postgres(url))
    } else if url.starts_with("sqlite:") {
        Ok(Url::Sqlite(url))
    } else {
        Err(BackupError::UnsupportedUrl)
    }
}

/// Writes the database at `database_url` to a new file `file`. The server
/// may keep running: the copy is one consistent snapshot.
pub async fn backup(database_url: &str, file: &Path) -> Result<Summary, BackupError> {
    let out = file::create(file)?;
    let result = match parse(database_url)? {
        Url::Sqlite(url) => sqlite_side::backup(url, file).await,
        Url::Postgres(url) => backup_postgres(url, file).await,
    };
    // Never leave a partial file that looks like a backup of nothing.
    if result.is_err() {
        drop(out);
        let _ = std::fs::remove_file(file);
    } else {
        file::sync(file)?;
    }
    result
}

#[cfg(feature = "postgres")]
async fn backup_postgres(url: &str, file: &Path) -> Result<Summary, BackupError> {
    postgres_side::backup(url, file).await
}

#[cfg(not(feature = "postgres"))]
async fn backup_postgres(_url: &str, _file: &Path) -> Result<Summary, BackupError> {
    Err(BackupError::EngineMissing("postgres"))
}

/// Restores the backup `file` into the new or empty database at
/// `database_url` (migrated first), in one transaction.
pub async fn restore(database_url: &str, file: &Path) -> Result<Summary, BackupError> {
    let mut source = file::open(file).await?;
    match parse(database_url)? {
        Url::Sqlite(url) => sqlite_side::restore(&mut source, url).await,
        Url::Postgres(url) => restore_postgres(&mut source, url).await,
    }
}

#[cfg(feature = "postgres")]
async fn restore_postgres(
    source: &mut file::BackupFile,
    url: &str,
) -> Result<Summary, BackupError> {
    postgres_side::restore(source, url).await
}

#[cfg(not(feature = "postgres"))]
async fn restore_postgres(
    _source: &mut file::BackupFile,
    _url: &str,
) -> Result<Summary, BackupError> {
    Err(BackupError::EngineMissing("postgres"))
}

/// The schema version this program's migrations end at (the same number on
/// both engines: their migration sets are kept in step).
pub fn program_schema_version() -> i64 {
    use crate::engine::Engine;
    sqlx::Sqlite::migrator()
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}
