//! The access log: who looked at an owner's shared items, once per viewer,
//! item kind and day (SECURITY.md D5), for the owner alone.

use domain::store::{AccessEntry, StoreResult};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, millis, time, uuid};
use crate::engine::{Engine, SqlStore, Value};

/// Most reads by a partner find today's row already there: a read first,
/// so a page view costs a write only the first time in a day.
const SEEN_TODAY: &str = "SELECT 1 FROM access_log WHERE owner_id = $1 AND viewer_id = $2 \
     AND relationship_id = $3 AND item = $4 AND day = $5";

/// Two first views racing insert once (the primary key).
const RECORD: &str = "INSERT INTO access_log \
     (owner_id, viewer_id, relationship_id, item, day, first_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (owner_id, viewer_id, relationship_id, item, day) DO NOTHING";

const OF_OWNER: &str = "SELECT l.viewer_id, a.display_name AS viewer_name, l.relationship_id, \
     l.item, l.day, l.first_at FROM access_log l JOIN accounts a ON a.id = l.viewer_id \
     WHERE l.owner_id = $1 ORDER BY l.first_at DESC, l.item LIMIT $2";

#[derive(sqlx::FromRow)]
struct EntryRow {
    viewer_id: String,
    viewer_name: String,
    relationship_id: String,
    item: String,
    day: i32,
    first_at: i64,
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
    pub(crate) async fn record_access(&self, entry: &AccessEntry) -> StoreResult<()> {
        let (owner, viewer, rel) = (
            entry.owner.to_string(),
            entry.viewer.to_string(),
            entry.relationship_id.to_string(),
        );
        let seen: Option<i32> = sqlx::query_scalar(SEEN_TODAY)
            .bind(&owner)
            .bind(&viewer)
            .bind(&rel)
            .bind(&entry.item)
            .bind(entry.day)
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        if seen.is_some() {
            return Ok(());
        }
        sqlx::query(RECORD)
            .bind(&owner)
            .bind(&viewer)
            .bind(&rel)
            .bind(&entry.item)
            .bind(entry.day)
            .bind(millis(entry.first_at))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(())
    }

    pub(crate) async fn access_log_of(
        &self,
        owner: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<AccessEntry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(OF_OWNER)
            .bind(owner.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                Ok(AccessEntry {
                    owner,
                    viewer: AccountId(uuid(&r.viewer_id)?),
                    viewer_name: r.viewer_name,
                    relationship_id: RelationshipId(uuid(&r.relationship_id)?),
                    item: r.item,
                    day: r.day,
                    first_at: time(r.first_at)?,
                })
            })
            .collect()
    }
}
