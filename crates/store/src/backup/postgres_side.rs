//! The PostgreSQL half: a backup read in one snapshot into the SQLite
//! backup file, and a restore from it.

use std::collections::BTreeMap;
use std::path::Path;

use sqlx::postgres::{PgConnection, PgRow, Postgres};
use sqlx::{Connection, QueryBuilder, Row, TypeInfo, ValueRef};

use super::cells::{self, Cell};
use super::file::{self, BackupFile};
use super::schema::{self, Table};
use super::sqlite_side::{check_version, each_batch};
use super::{program_schema_version, BackupError, Context, Summary};
use crate::engine::Engine;
use crate::postgres::PgStore;

/// The advisory lock key that serialises restores ("rcp restore" in ASCII).
const RESTORE_LOCK: i64 = 0x7263_7020_7265_7374;

/// Copies every table, as one `REPEATABLE READ` snapshot, into the new
/// backup file, which first gets this version's SQLite schema.
pub async fn backup(url: &str, out: &Path) -> Result<Summary, BackupError> {
    let mut source = PgConnection::connect(url)
        .await
        .doing("connecting to PostgreSQL")?;
    let schema_version = schema_version(&mut source).await?;
    let program = program_schema_version();
    if schema_version != program {
        return Err(BackupError::SchemaVersion {
            data: schema_version,
            program,
            what: "the database",
        });
    }
    let mut copy = file::connect_for_writing(out).await?;
    sqlx::Sqlite::migrator()
        .run(&mut copy)
        .await
        .map_err(|e| BackupError::Database("preparing the backup file".into(), e.into()))?;
    let tables = schema::tables(&mut copy).await?;

    let mut snapshot = source.begin().await.doing("starting the snapshot")?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *snapshot)
        .await
        .doing("starting the snapshot")?;
    let mut into = copy.begin().await.doing("writing the backup file")?;
    let mut rows = 0;
    for table in &tables {
        rows += each_pg_batch(&mut snapshot, table, async |batch| {
            cells::insert_sqlite(&table.name, &table.columns, batch)
                .build()
                .execute(&mut *into)
                .await
                .doing(format!("writing {} into the backup", table.name))
                .map(|_| ())
        })
        .await?;
    }
    into.commit().await.doing("writing the backup file")?;
    snapshot.rollback().await.doing("ending the snapshot")?;
    file::write_info(&mut copy, "postgres", schema_version).await?;
    copy.close().await.doing("closing the backup file")?;
    Ok(Summary {
        tables: tables.len(),
        rows,
        schema_version,
    })
}

/// Restores into the PostgreSQL database at `url` (migrated first), in one
/// transaction.
pub async fn restore(source: &mut BackupFile, url: &str) -> Result<Summary, BackupError> {
    check_version(source)?;
    let store = PgStore::connect(url)
        .await
        .doing("connecting to PostgreSQL")?;
    Postgres::migrator()
        .run(&store.write)
        .await
        .map_err(|e| BackupError::Database("migrating the database".into(), e.into()))?;
    let tables = schema::tables(&mut source.conn).await?;
    let mut tx = store.write.begin().await.doing("starting the restore")?;
    // Two restores into one database at once: the second waits here until
    // the first commits, then sees its rows and refuses (without the lock
    // both would find the database empty under READ COMMITTED).
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(RESTORE_LOCK)
        .execute(&mut *tx)
        .await
        .doing("waiting for another restore")?;
    for table in &tables {
        let rows: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {}",
            cells::quoted(&table.name)
        ))
        .fetch_one(&mut *tx)
        .await
        .map_err(|_| {
            BackupError::SchemaDiffers(format!("{} is not in the database", table.name))
        })?;
        if rows > 0 {
            return Err(BackupError::NotEmpty {
                table: table.name.clone(),
                rows,
            });
        }
    }
    let mut rows = 0;
    for table in &tables {
        let types = column_types(&mut tx, table).await?;
        rows += each_batch(&mut source.conn, table, async |batch| {
            insert_pg(table, &types, batch)?
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
    Ok(Summary {
        tables: tables.len(),
        rows,
        schema_version: source.schema_version,
    })
}

async fn schema_version(conn: &mut PgConnection) -> Result<i64, BackupError> {
    sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut *conn)
        .await
        .doing("reading the schema version (is it a Reciprocity database?)")
        .map(|v| v.unwrap_or(0))
}

/// Each column's type in the target (`udt_name`: int8, int4, bool, text…),
/// in the backup's column order; a column the target lacks is refused.
async fn column_types(conn: &mut PgConnection, table: &Table) -> Result<Vec<String>, BackupError> {
    let found: BTreeMap<String, String> = sqlx::query_as(
        "SELECT column_name::text, udt_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(&table.name)
    .fetch_all(&mut *conn)
    .await
    .doing(format!("reading the columns of {}", table.name))?
    .into_iter()
    .collect();
    if found.len() != table.columns.len() {
        return Err(BackupError::SchemaDiffers(format!(
            "{} has {} columns in the backup and {} in the database",
            table.name,
            table.columns.len(),
            found.len()
        )));
    }
    table
        .columns
        .iter()
        .map(|c| {
            found.get(c).cloned().ok_or_else(|| {
                BackupError::SchemaDiffers(format!("{}.{c} is not in the database", table.name))
            })
        })
        .collect()
}

/// A multi-row `INSERT` whose values have the target columns' own types
/// (PostgreSQL does not convert an integer into a boolean by itself).
fn insert_pg<'a>(
    table: &Table,
    types: &[String],
    rows: Vec<Vec<Cell>>,
) -> Result<QueryBuilder<'a, Postgres>, BackupError> {
    let mut q = QueryBuilder::new(format!(
        "INSERT INTO {} ({}) ",
        cells::quoted(&table.name),
        table
            .columns
            .iter()
            .map(|c| cells::quoted(c))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut failure = None;
    q.push_values(rows, |mut values, row| {
        for ((cell, udt), column) in row.into_iter().zip(types).zip(&table.columns) {
            let unsupported = || BackupError::UnsupportedType {
                table: table.name.clone(),
                column: column.clone(),
                type_name: udt.clone(),
            };
            match (udt.as_str(), cell) {
                ("int8", Cell::Int(v)) => values.push_bind(v),
                ("int8", Cell::Null) => values.push_bind(None::<i64>),
                ("int4", Cell::Int(v)) => match i32::try_from(v) {
                    Ok(v) => values.push_bind(v),
                    Err(_) => {
                        failure.get_or_insert_with(unsupported);
                        values.push_bind(None::<i32>)
                    }
                },
                ("int4", Cell::Null) => values.push_bind(None::<i32>),
                ("bool", Cell::Int(v @ (0 | 1))) => values.push_bind(v == 1),
                ("bool", Cell::Null) => values.push_bind(None::<bool>),
                ("text" | "varchar", Cell::Text(v)) => values.push_bind(v),
                ("text" | "varchar", Cell::Null) => values.push_bind(None::<String>),
                ("float8", Cell::Real(v)) => values.push_bind(v),
                ("float8", Cell::Int(v)) => values.push_bind(v as f64),
                ("float8", Cell::Null) => values.push_bind(None::<f64>),
                ("bytea", Cell::Blob(v)) => values.push_bind(v),
                ("bytea", Cell::Null) => values.push_bind(None::<Vec<u8>>),
                _ => {
                    failure.get_or_insert_with(unsupported);
                    values.push_bind(None::<String>)
                }
            };
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(q),
    }
}

/// Reads every row of `table` from PostgreSQL in batches, as cells.
async fn each_pg_batch(
    conn: &mut PgConnection,
    table: &Table,
    sink: impl AsyncFnMut(Vec<Vec<Cell>>) -> Result<(), BackupError>,
) -> Result<u64, BackupError> {
    use futures_util::StreamExt;
    let select = cells::select_all(table);
    let rows = sqlx::query(&select).fetch(&mut *conn).map(|row| {
        row.doing(format!("reading {}", table.name))
            .and_then(|row| from_pg(&row, table))
    });
    cells::in_batches(rows, table.columns.len(), sink).await
}

/// A PostgreSQL row as cells, by each column's declared type; booleans
/// become 0/1, as the SQLite schema keeps them.
fn from_pg(row: &PgRow, table: &Table) -> Result<Vec<Cell>, BackupError> {
    let decode = |e| BackupError::Database(format!("reading a row of {}", table.name), e);
    let mut cells = Vec::with_capacity(row.len());
    for (i, column) in table.columns.iter().enumerate() {
        let raw = row.try_get_raw(i).map_err(decode)?;
        if raw.is_null() {
            cells.push(Cell::Null);
            continue;
        }
        let type_name = raw.type_info().name().to_owned();
        cells.push(match type_name.as_str() {
            "INT8" => Cell::Int(row.try_get::<i64, _>(i).map_err(decode)?),
            "INT4" => Cell::Int(row.try_get::<i32, _>(i).map_err(decode)?.into()),
            "INT2" => Cell::Int(row.try_get::<i16, _>(i).map_err(decode)?.into()),
            "BOOL" => Cell::Int(row.try_get::<bool, _>(i).map_err(decode)?.into()),
            "TEXT" | "VARCHAR" => Cell::Text(row.try_get(i).map_err(decode)?),
            "FLOAT8" => Cell::Real(row.try_get(i).map_err(decode)?),
            "BYTEA" => Cell::Blob(row.try_get(i).map_err(decode)?),
            _ => {
                return Err(BackupError::UnsupportedType {
                    table: table.name.clone(),
                    column: column.clone(),
                    type_name,
                })
            }
        });
    }
    Ok(cells)
}
