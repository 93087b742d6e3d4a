//! Forms posted after their session ended, kept (encrypted) for their author
//! until they sign in again, for a short while only.

use chrono::{DateTime, Utc};
use domain::store::{HeldForm, StoreResult};
use domain::AccountId;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, millis, time, uuid};
use crate::engine::{Engine, SqlStore, Value};

const INSERT: &str = "INSERT INTO held_forms (id, account_id, path, sealed, created_at) \
     VALUES ($1, $2, $3, $4, $5)";

/// Taken once, by its own account, while it is fresh: the rule is in the WHERE.
const TAKE: &str = "DELETE FROM held_forms WHERE id = $1 AND account_id = $2 AND created_at > $3 \
     RETURNING id, account_id, path, sealed, created_at";

#[derive(sqlx::FromRow)]
struct HeldRow {
    id: String,
    account_id: String,
    path: String,
    sealed: String,
    created_at: i64,
}

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
    pub(crate) async fn insert_held_form(&self, f: &HeldForm) -> StoreResult<()> {
        sqlx::query(INSERT)
            .bind(f.id.to_string())
            .bind(f.account_id.to_string())
            .bind(&f.path)
            .bind(&f.sealed)
            .bind(millis(f.created_at))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(())
    }

    pub(crate) async fn take_held_form(
        &self,
        id: uuid::Uuid,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<HeldForm>> {
        let row: Option<HeldRow> = sqlx::query_as(TAKE)
            .bind(id.to_string())
            .bind(account.to_string())
            .bind(millis(since))
            .fetch_optional(&self.write)
            .await
            .map_err(backend)?;
        row.map(|r| {
            Ok(HeldForm {
                id: uuid(&r.id)?,
                account_id: AccountId(uuid(&r.account_id)?),
                path: r.path,
                sealed: r.sealed,
                created_at: time(r.created_at)?,
            })
        })
        .transpose()
    }
}
