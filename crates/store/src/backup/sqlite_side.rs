//! The SQLite half: a backup of a SQLite database by `VACUUM INTO`, the
//! rows of a backup file read in batches, and a restore into SQLite.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};

use super::cells::{self, Cell};
use super::file::{self, BackupFile};
use super::schema::{self, Table};
use super::{program_schema_version, BackupError, Context, Summary};
use crate::sqlite::SqliteStore;

/// `VACUUM INTO` the (already created, empty) file: a consistent snapshot
/// taken inside one read transaction, so a running server's writes either
/// are wholly in it or not at all.
pub async fn backup(url: &str, out: &Path) -> Result<Summary, BackupError> {
    let options = SqliteConnectOptions::from_str(url).doing("reading the database URL")?;
    let source_file = options.get_filename().to_owned();
    if !source_file.is_file() {
        return Err(BackupError::NoDatabase(source_file));
    }
    let mut source = options
        .read_only(true)
        .connect()
        .await
        .doing(format!("opening {}", source_file.display()))?;
    let schema_version = schema_version(&mut source, "the database").await?;
    sqlx::query("VACUUM INTO $1")
        .bind(out.to_string_lossy().into_owned())
        .execute(&mut source)
        .await
        .doing("copying the database")?;

    let mut copy = file::connect_for_writing(out).await?;
    let tables = schema::tables(&mut copy).await?;
    let mut rows = 0;
    for table in &tables {
        rows += count(&mut copy, &table.name).await?;
    }
    file::write_info(&mut copy, "sqlite", schema_version).await?;
    Ok(Summary {
        tables: tables.len(),
        rows: rows as u64,
        schema_version,
    })
}

/// Restores into the SQLite database at `url` (created 0600 when missing,
/// in WAL mode, as the server opens it), in one transaction.
pub async fn restore(source: &mut BackupFile, url: &str) -> Result<Summary, BackupError> {
    check_version(source)?;
    let options = SqliteConnectOptions::from_str(url).doing("reading the database URL")?;
    if same_file(options.get_filename(), &source.path) {
        return Err(BackupError::SameFile);
    }
    let store = SqliteStore::connect(url)
        .await
        .doing("opening the database to restore into")?;
    <sqlx::Sqlite as crate::engine::Engine>::migrator()
        .run(&store.write)
        .await
        .map_err(|e| BackupError::Database("migrating the database".into(), e.into()))?;
    let tables = schema::tables(&mut source.conn).await?;
    // IMMEDIATE: the write lock is taken before the emptiness check, so two
    // restores into one database cannot both find it empty; the second
    // waits, then sees the first one's rows and refuses.
    let mut tx = store
        .write
        .begin_with("BEGIN IMMEDIATE")
        .await
        .doing("starting the restore")?;
    for table in &tables {
        let rows = count(&mut tx, &table.name).await?;
        if rows > 0 {
            return Err(BackupError::NotEmpty {
                table: table.name.clone(),
                rows,
            });
        }
    }
    let mut rows = 0;
    for table in &tables {
        rows += each_batch(&mut source.conn, table, async |batch| {
            cells::insert_sqlite(&table.name, &table.columns, batch)
                .build()
                .execute(&mut *tx)
                .await
                .doing(format!("restoring {}", table.name))
                .map(|_| ())
        })
        .await?;
    }
    tx.commit().await.doing("finishing the restore")?;
    store.write.close().await;
    store.read.close().await;
    Ok(Summary {
        tables: tables.len(),
        rows,
        schema_version: source.schema_version,
    })
}

/// A backup restores only into the schema version it was made with.
pub fn check_version(source: &BackupFile) -> Result<(), BackupError> {
    let program = program_schema_version();
    if source.schema_version != program {
        return Err(BackupError::SchemaVersion {
            data: source.schema_version,
            program,
            what: "the backup",
        });
    }
    Ok(())
}

/// Reads every row of `table` from a SQLite connection, in batches of a few
/// hundred, and gives each batch to `sink`. Returns the number of rows.
pub async fn each_batch(
    conn: &mut SqliteConnection,
    table: &Table,
    sink: impl AsyncFnMut(Vec<Vec<Cell>>) -> Result<(), BackupError>,
) -> Result<u64, BackupError> {
    use futures_util::StreamExt;
    let select = cells::select_all(table);
    let rows = sqlx::query(&select).fetch(&mut *conn).map(|row| {
        row.doing(format!("reading {}", table.name))
            .and_then(|row| cells::from_sqlite(&row, &table.name))
    });
    cells::in_batches(rows, table.columns.len(), sink).await
}

/// The last migration applied to a SQLite database.
pub async fn schema_version(conn: &mut SqliteConnection, what: &str) -> Result<i64, BackupError> {
    sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut *conn)
        .await
        .doing(format!(
            "reading the schema version of {what} (is it a Reciprocity database?)"
        ))
        .map(|v| v.unwrap_or(0))
}

/// Rows in one table.
pub async fn count(conn: &mut SqliteConnection, table: &str) -> Result<i64, BackupError> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", cells::quoted(table)))
        .fetch_one(&mut *conn)
        .await
        .doing(format!("counting the rows of {table}"))
}

/// Whether two paths name one file (a restore into its own backup).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
