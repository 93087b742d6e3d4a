//! One value of any column, as the copy carries it between engines. Our
//! schemas use few types (ids and words as text, times and numbers as
//! integers, three booleans on PostgreSQL that are 0/1 on SQLite), so a
//! small closed set is enough; anything else is refused by name rather than
//! copied wrongly.

use sqlx::sqlite::{Sqlite, SqliteRow};
use sqlx::{QueryBuilder, Row, TypeInfo, ValueRef};

use super::BackupError;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// How many rows go into one multi-row `INSERT`: SQLite allows at most 999
/// bound values in older builds, so a batch keeps under that.
pub fn batch_rows(columns: usize) -> usize {
    (900 / columns.max(1)).max(1)
}

/// A SQLite row's values, by each value's own storage class (SQLite types
/// values, not columns).
pub fn from_sqlite(row: &SqliteRow, table: &str) -> Result<Vec<Cell>, BackupError> {
    let mut cells = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        let raw = row.try_get_raw(i).map_err(|e| decode(table, e))?;
        let cell = if raw.is_null() {
            Cell::Null
        } else {
            match raw.type_info().name() {
                "INTEGER" => Cell::Int(row.try_get(i).map_err(|e| decode(table, e))?),
                "REAL" => Cell::Real(row.try_get(i).map_err(|e| decode(table, e))?),
                "TEXT" => Cell::Text(row.try_get(i).map_err(|e| decode(table, e))?),
                "BLOB" => Cell::Blob(row.try_get(i).map_err(|e| decode(table, e))?),
                other => {
                    return Err(BackupError::UnsupportedType {
                        table: table.to_owned(),
                        column: i.to_string(),
                        type_name: other.to_owned(),
                    })
                }
            }
        };
        cells.push(cell);
    }
    Ok(cells)
}

/// Binds one value for a SQLite `INSERT`; SQLite stores what it is given.
pub fn bind_sqlite(values: &mut sqlx::query_builder::Separated<'_, '_, Sqlite, &str>, cell: Cell) {
    match cell {
        Cell::Null => values.push_bind(None::<i64>),
        Cell::Int(v) => values.push_bind(v),
        Cell::Real(v) => values.push_bind(v),
        Cell::Text(v) => values.push_bind(v),
        Cell::Blob(v) => values.push_bind(v),
    };
}

/// `INSERT INTO table (columns) VALUES (…), (…)` for a batch, on SQLite.
pub fn insert_sqlite<'a>(
    table: &str,
    columns: &[String],
    rows: Vec<Vec<Cell>>,
) -> QueryBuilder<'a, Sqlite> {
    let mut q = QueryBuilder::new(format!(
        "INSERT INTO {} ({}) ",
        quoted(table),
        columns
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    q.push_values(rows, |mut values, row| {
        for cell in row {
            bind_sqlite(&mut values, cell);
        }
    });
    q
}

/// `SELECT` every column of a table, in the backup's column order.
pub fn select_all(table: &super::schema::Table) -> String {
    format!(
        "SELECT {} FROM {}",
        table
            .columns
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", "),
        quoted(&table.name)
    )
}

/// Groups a table's rows (as read from either engine) into batches of
/// [`batch_rows`] and gives each to `sink`, so a large table is never held
/// whole in memory. Returns the number of rows.
pub async fn in_batches<S>(
    mut rows: S,
    columns: usize,
    mut sink: impl AsyncFnMut(Vec<Vec<Cell>>) -> Result<(), BackupError>,
) -> Result<u64, BackupError>
where
    S: futures_util::Stream<Item = Result<Vec<Cell>, BackupError>> + Unpin,
{
    use futures_util::TryStreamExt;
    let size = batch_rows(columns);
    let mut batch = Vec::with_capacity(size);
    let mut total = 0;
    while let Some(row) = rows.try_next().await? {
        batch.push(row);
        if batch.len() == size {
            total += batch.len() as u64;
            sink(std::mem::replace(&mut batch, Vec::with_capacity(size))).await?;
        }
    }
    if !batch.is_empty() {
        total += batch.len() as u64;
        sink(batch).await?;
    }
    Ok(total)
}

/// An identifier in double quotes. Our names come from our own schema, but
/// quoting keeps a future name that is also a keyword working.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn decode(table: &str, e: sqlx::Error) -> BackupError {
    BackupError::Database(format!("reading a row of {table}"), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rows_go_in_whole_batches_then_the_rest() {
        // 9 columns: 100 rows a batch (900 bound values at most).
        let rows: Vec<Result<Vec<Cell>, BackupError>> =
            (0..250).map(|i| Ok(vec![Cell::Int(i); 9])).collect();
        let mut seen = Vec::new();
        let total = in_batches(futures_util::stream::iter(rows), 9, async |batch| {
            seen.push((batch.len(), batch[0][0].clone()));
            Ok(())
        })
        .await
        .expect("batches");
        assert_eq!(total, 250);
        assert_eq!(
            seen,
            [
                (100, Cell::Int(0)),
                (100, Cell::Int(100)),
                (50, Cell::Int(200))
            ]
        );
    }

    #[tokio::test]
    async fn a_failed_read_stops_the_copy() {
        let rows = vec![
            Ok(vec![Cell::Null]),
            Err(BackupError::SameFile),
            Ok(vec![Cell::Null]),
        ];
        let mut batches = 0;
        let result = in_batches(futures_util::stream::iter(rows), 1, async |_| {
            batches += 1;
            Ok(())
        })
        .await;
        assert!(matches!(result, Err(BackupError::SameFile)));
        // The row before the failure waits in a batch that is never
        // written: the caller's transaction rolls back anyway.
        assert_eq!(batches, 0);
    }
}
