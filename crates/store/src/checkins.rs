//! Check-ins (`domain::checkins`): one per person per day, the rule kept by
//! a unique index; every write repeats "a member of this active space".

use chrono::{DateTime, Utc};
use domain::store::{CheckinRecord, StoreError, StoreResult};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// `$1` the relationship, `$2` the author: a member of the active space.
const MEMBER_OF_ACTIVE: &str = "EXISTS (SELECT 1 FROM relationships r \
     JOIN relationship_members m ON m.relationship_id = r.id \
     WHERE r.id = $1 AND r.status = 'active' AND m.account_id = $2)";

const ITEMS: &str = "satisfaction, rewards, costs, investment, alternatives, commitment, \
     passion, love_given, love_received, respected";

#[derive(sqlx::FromRow)]
struct CheckinRow {
    id: String,
    day: i32,
    satisfaction: i32,
    rewards: i32,
    costs: i32,
    investment: i32,
    alternatives: i32,
    commitment: i32,
    passion: i32,
    love_given: i32,
    love_received: i32,
    respected: i32,
    shared: bool,
    note: Option<String>,
    created_at: i64,
}

fn answer(v: i32) -> StoreResult<u8> {
    u8::try_from(v).map_err(|_| StoreError::Backend(format!("check-in answer out of range: {v}")))
}

impl CheckinRow {
    fn into_record(self, author: AccountId) -> StoreResult<CheckinRecord> {
        let raw = [
            self.satisfaction,
            self.rewards,
            self.costs,
            self.investment,
            self.alternatives,
            self.commitment,
            self.passion,
            self.love_given,
            self.love_received,
            self.respected,
        ];
        let mut items = [0u8; 10];
        for (slot, v) in items.iter_mut().zip(raw) {
            *slot = answer(v)?;
        }
        Ok(CheckinRecord {
            id: uuid(&self.id)?,
            author,
            day: self.day,
            items,
            shared: self.shared,
            note: self.note,
            created_at: time(self.created_at)?,
        })
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
    pub(crate) async fn insert_checkin(
        &self,
        rel: RelationshipId,
        c: &CheckinRecord,
    ) -> StoreResult<bool> {
        let sql = format!(
            "INSERT INTO checkins (relationship_id, author_id, id, day, {ITEMS}, shared, note, \
             created_at, updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $17 WHERE {MEMBER_OF_ACTIVE}"
        );
        let mut query = sqlx::query(&sql)
            .bind(rel.to_string())
            .bind(c.author.to_string())
            .bind(c.id.to_string())
            .bind(c.day);
        for v in c.items {
            query = query.bind(i32::from(v));
        }
        let done = query
            .bind(c.shared)
            .bind(c.note.as_deref())
            .bind(millis(c.created_at))
            .execute(&self.write)
            .await
            .map_err(db_error("already_checked_in"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn replace_checkin(
        &self,
        rel: RelationshipId,
        c: &CheckinRecord,
    ) -> StoreResult<bool> {
        let sql = format!(
            "UPDATE checkins SET satisfaction = $4, rewards = $5, costs = $6, investment = $7, \
             alternatives = $8, commitment = $9, passion = $10, love_given = $11, \
             love_received = $12, respected = $13, shared = $14, note = $15, updated_at = $16 \
             WHERE relationship_id = $1 AND author_id = $2 AND day = $3 AND {MEMBER_OF_ACTIVE}"
        );
        let mut query = sqlx::query(&sql)
            .bind(rel.to_string())
            .bind(c.author.to_string())
            .bind(c.day);
        for v in c.items {
            query = query.bind(i32::from(v));
        }
        let done = query
            .bind(c.shared)
            .bind(c.note.as_deref())
            .bind(millis(c.created_at))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn checkins_of(
        &self,
        rel: RelationshipId,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<CheckinRecord>> {
        let only = if shared_only { " AND shared" } else { "" };
        let sql = format!(
            "SELECT id, day, {ITEMS}, shared, note, created_at FROM checkins \
             WHERE relationship_id = $1 AND author_id = $2{only} ORDER BY day"
        );
        let rows: Vec<CheckinRow> = sqlx::query_as(&sql)
            .bind(rel.to_string())
            .bind(author.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter().map(|r| r.into_record(author)).collect()
    }

    pub(crate) async fn set_checkin_shared(
        &self,
        rel: RelationshipId,
        author: AccountId,
        id: uuid::Uuid,
        shared: bool,
    ) -> StoreResult<bool> {
        let sql = format!(
            "UPDATE checkins SET shared = $4 WHERE relationship_id = $1 AND author_id = $2 \
             AND id = $3 AND {MEMBER_OF_ACTIVE}"
        );
        let done = sqlx::query(&sql)
            .bind(rel.to_string())
            .bind(author.to_string())
            .bind(id.to_string())
            .bind(shared)
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn checkin_cadence(&self, rel: RelationshipId) -> StoreResult<Option<u32>> {
        let row: Option<(i32,)> =
            sqlx::query_as("SELECT every_days FROM checkin_cadence WHERE relationship_id = $1")
                .bind(rel.to_string())
                .fetch_optional(&self.read)
                .await
                .map_err(backend)?;
        row.map(|(d,)| {
            u32::try_from(d).map_err(|_| StoreError::Backend(format!("cadence out of range: {d}")))
        })
        .transpose()
    }

    pub(crate) async fn set_checkin_cadence(
        &self,
        rel: RelationshipId,
        actor: AccountId,
        every_days: u32,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let days = i32::try_from(every_days)
            .map_err(|_| StoreError::Backend(format!("cadence out of range: {every_days}")))?;
        let sql = format!(
            "INSERT INTO checkin_cadence (relationship_id, set_by, every_days, set_at) \
             SELECT $1, $2, $3, $4 WHERE {MEMBER_OF_ACTIVE} \
             ON CONFLICT (relationship_id) DO UPDATE SET every_days = excluded.every_days, \
             set_by = excluded.set_by, set_at = excluded.set_at"
        );
        let done = sqlx::query(&sql)
            .bind(rel.to_string())
            .bind(actor.to_string())
            .bind(days)
            .bind(millis(at))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }
}
