//! Server secrets: named values created once, on first use, and then kept.

use domain::store::StoreResult;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::backend;
use crate::engine::{Engine, SqlStore, Value};

/// Keeps the first value ever offered under a name.
const INSERT_IF_MISSING: &str =
    "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";

const VALUE: &str = "SELECT value FROM server_secrets WHERE name = $1";

impl<DB> SqlStore<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
    String: Value<DB>,
    i64: Value<DB>,
    i32: Value<DB>,
    bool: Value<DB>,
    Option<String>: Value<DB>,
    Option<i64>: Value<DB>,
    Option<i32>: Value<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
{
    /// The stored value of `name`, storing `fresh` first if there is none.
    pub(crate) async fn server_secret(&self, name: &str, fresh: &str) -> StoreResult<String> {
        sqlx::query(INSERT_IF_MISSING)
            .bind(name)
            .bind(fresh)
            .execute(&self.write)
            .await
            .map_err(backend)?;
        // Read on the writer: the value just written is there, whatever the
        // readers have seen.
        sqlx::query_scalar(VALUE)
            .bind(name)
            .fetch_one(&self.write)
            .await
            .map_err(backend)
    }
}
