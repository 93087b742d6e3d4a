//! The respect map's custom areas: a couple's own named areas, numbered in
//! slots up to a maximum.

use domain::store::{CustomArea, StoreError, StoreResult};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, millis, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// The next slot after the highest taken; two inserts racing for one slot
/// meet the unique index (`area_slot`), and no insert passes once the
/// highest slot is `$7`, nor once the relationship is no longer active.
const INSERT: &str = "INSERT INTO respect_areas (relationship_id, id, name, name_key, \
     created_by, created_at, slot) \
     SELECT $1, $2, $3, $4, $5, $6, COALESCE(MAX(slot), 0) + 1 \
     FROM respect_areas WHERE relationship_id = $1 \
     HAVING COALESCE(MAX(slot), 0) < $7 \
     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

const LIST: &str = "SELECT id, name, created_by, created_at FROM respect_areas \
     WHERE relationship_id = $1 ORDER BY created_at, id";

#[derive(sqlx::FromRow)]
struct AreaRow {
    id: String,
    name: String,
    created_by: String,
    created_at: i64,
}

impl AreaRow {
    fn into_area(self) -> StoreResult<CustomArea> {
        Ok(CustomArea {
            id: uuid(&self.id)?,
            name: self.name,
            created_by: AccountId(uuid(&self.created_by)?),
            created_at: time(self.created_at)?,
        })
    }
}

/// A refused insert: the name is taken (`area_name`), or a concurrent insert
/// took the same slot (`area_slot`), told apart by the index that refused it.
fn area_error(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let on_slot = db.constraint().is_some_and(|c| c.contains("slot"))
                || db.message().contains("slot");
            StoreError::Conflict(if on_slot { "area_slot" } else { "area_name" })
        }
        _ => backend(err),
    }
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
    pub(crate) async fn insert_custom_area(
        &self,
        rel: RelationshipId,
        area: &CustomArea,
        max: u32,
    ) -> StoreResult<bool> {
        let done = sqlx::query(INSERT)
            .bind(rel.to_string())
            .bind(area.id.to_string())
            .bind(&area.name)
            .bind(area.name.to_lowercase())
            .bind(area.created_by.to_string())
            .bind(millis(area.created_at))
            .bind(i64::from(max))
            .execute(&self.write)
            .await
            .map_err(area_error)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn custom_areas(&self, rel: RelationshipId) -> StoreResult<Vec<CustomArea>> {
        let rows: Vec<AreaRow> = sqlx::query_as(LIST)
            .bind(rel.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter().map(AreaRow::into_area).collect()
    }
}
