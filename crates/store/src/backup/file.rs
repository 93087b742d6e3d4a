//! The backup file: a SQLite database with one more table,
//! `reciprocity_backup`, whose single row says which format, which engine
//! and which schema version made it. The row is written last, so a file
//! without it is a backup that did not finish.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, SqliteConnection};

use super::{BackupError, Context};

/// The table that marks a finished backup.
pub const INFO_TABLE: &str = "reciprocity_backup";

/// Raised when the file's layout changes (not the schema: that has its own
/// version, checked at restore).
pub const FORMAT_VERSION: i64 = 1;

/// Creates the empty backup file, readable by its owner only (it holds every
/// couple's words), refusing to overwrite anything.
pub fn create(path: &Path) -> Result<File, BackupError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => BackupError::FileExists(path.to_owned()),
        _ => BackupError::Io(path.to_owned(), e),
    })
}

/// Flushes the finished file to the disk before saying it is done.
pub fn sync(path: &Path) -> Result<(), BackupError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| BackupError::Io(path.to_owned(), e))
}

/// A connection that writes into the (new, empty) backup file: a rollback
/// journal rather than WAL, so the finished backup is one file.
pub async fn connect_for_writing(path: &Path) -> Result<SqliteConnection, BackupError> {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Delete)
        .foreign_keys(false)
        .connect()
        .await
        .doing(format!("opening {}", path.display()))
}

/// Marks the file finished.
pub async fn write_info(
    conn: &mut SqliteConnection,
    source_engine: &str,
    schema_version: i64,
) -> Result<(), BackupError> {
    sqlx::query(&format!(
        "CREATE TABLE {INFO_TABLE} (format INTEGER NOT NULL, source_engine TEXT NOT NULL, \
         schema_version INTEGER NOT NULL, created_at INTEGER NOT NULL)"
    ))
    .execute(&mut *conn)
    .await
    .doing("marking the backup finished")?;
    sqlx::query(&format!("INSERT INTO {INFO_TABLE} VALUES ($1, $2, $3, $4)"))
        .bind(FORMAT_VERSION)
        .bind(source_engine)
        .bind(schema_version)
        .bind(chrono::Utc::now().timestamp_millis())
        .execute(&mut *conn)
        .await
        .doing("marking the backup finished")?;
    Ok(())
}

/// A backup file opened to restore from (read-only).
pub struct BackupFile {
    pub path: PathBuf,
    pub conn: SqliteConnection,
    pub schema_version: i64,
}

/// Opens `path` and checks it is a finished backup of a format this program
/// reads.
pub async fn open(path: &Path) -> Result<BackupFile, BackupError> {
    if !path.is_file() {
        return Err(BackupError::NotABackup(
            path.to_owned(),
            "no such file".into(),
        ));
    }
    let not_ours = |why: &str| BackupError::NotABackup(path.to_owned(), why.to_owned());
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(|_| not_ours("not a SQLite file"))?;
    let row: Option<(i64, i64)> =
        sqlx::query_as(&format!("SELECT format, schema_version FROM {INFO_TABLE}"))
            .fetch_optional(&mut conn)
            .await
            .map_err(|_| {
                not_ours("no reciprocity_backup table: not a backup, or one that did not finish")
            })?;
    let Some((format, schema_version)) = row else {
        return Err(not_ours("its reciprocity_backup table is empty"));
    };
    if format != FORMAT_VERSION {
        return Err(not_ours(&format!(
            "backup format {format}, this reciprocity reads format {FORMAT_VERSION}"
        )));
    }
    Ok(BackupFile {
        path: path.to_owned(),
        conn,
        schema_version,
    })
}
