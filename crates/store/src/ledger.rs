//! The ledger: contributions (logged, thanked, corrected, deleted under the
//! rules in their writes), the packed window the analysis reads, and each
//! partner's choice to show numbers.

use chrono::{DateTime, Utc};
use domain::ledger::Entry;
use domain::store::{ContributionFilter, ContributionRecord, NewContribution, StoreResult};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, small, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// Lands only while the relationship is active.
const INSERT: &str = "INSERT INTO contributions (relationship_id, id, giver_id, receiver_id, \
     logged_by, domain, description, day, effort, minutes, created_at, value, thanks_note, \
     acknowledged_at) \
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 \
     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

const BY_ID: &str = "SELECT id, giver_id, receiver_id, logged_by, domain, description, day, \
     effort, minutes, created_at, value, thanks_note, acknowledged_at \
     FROM contributions WHERE relationship_id = $1 AND id = $2";

/// Only the receiver thanks, only once, only while the relationship is active.
const ACKNOWLEDGE: &str =
    "UPDATE contributions SET value = $4, thanks_note = $5, acknowledged_at = $6 \
     WHERE relationship_id = $1 AND id = $2 AND receiver_id = $3 AND value IS NULL \
     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

/// The correction rule, in the write: the author's own entry, younger than
/// the window, not thanked if they gave it, in an active relationship. A
/// thanks that lands first wins.
const UPDATE: &str = "UPDATE contributions SET domain = $5, description = $6, day = $7, \
     effort = $8, minutes = $9 \
     WHERE relationship_id = $1 AND id = $2 AND logged_by = $3 AND created_at > $4 \
     AND (value IS NULL OR giver_id <> $3) \
     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

/// The same rule as [`UPDATE`].
const DELETE: &str = "DELETE FROM contributions \
     WHERE relationship_id = $1 AND id = $2 AND logged_by = $3 AND created_at > $4 \
     AND (value IS NULL OR giver_id <> $3) \
     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

/// Absent filters bind NULL and match everything, so one statement serves
/// every combination.
const LIST: &str = "SELECT id, giver_id, receiver_id, logged_by, domain, description, day, \
     effort, minutes, created_at, value, thanks_note, acknowledged_at \
     FROM contributions WHERE relationship_id = $1 \
     AND ($2 IS NULL OR giver_id = $2) \
     AND ($3 IS NULL OR domain = $3) \
     AND ($4 IS NULL OR (receiver_id = $4 AND value IS NULL)) \
     AND ($6 IS NULL OR logged_by = $6 OR (receiver_id = $6 AND value IS NOT NULL)) \
     ORDER BY day DESC, created_at DESC LIMIT $5";

/// A ten-year history is 20,000 rows. Handed over one by one, each row
/// crosses from the driver's thread to ours and costs more than the whole
/// analysis (measured in bench/ledger), so the database packs the window
/// into one string, read at once (see [`packed_entries`]). SQLite's
/// aggregate; the only difference from [`PACKED_STRING_AGG`] is its name.
#[cfg(feature = "sqlite")]
pub(crate) const PACKED_GROUP_CONCAT: &str = "SELECT group_concat(\
     (CASE WHEN giver_id = $2 THEN '0' ELSE '1' END) || ' ' || domain || ' ' || day \
     || ' ' || effort || ' ' || COALESCE(value, 0), ',') \
     FROM contributions WHERE relationship_id = $1 AND day BETWEEN $3 AND $4";

/// PostgreSQL's aggregate for [`PACKED_GROUP_CONCAT`].
#[cfg(feature = "postgres")]
pub(crate) const PACKED_STRING_AGG: &str = "SELECT string_agg(\
     (CASE WHEN giver_id = $2 THEN '0' ELSE '1' END) || ' ' || domain || ' ' || day \
     || ' ' || effort || ' ' || COALESCE(value, 0), ',') \
     FROM contributions WHERE relationship_id = $1 AND day BETWEEN $3 AND $4";

const RECENT_DESCRIPTIONS: &str = "SELECT id, description FROM contributions \
     WHERE relationship_id = $1 AND logged_by = $2 \
     ORDER BY created_at DESC, id LIMIT $3";

/// An upsert that lands only while the relationship is active.
const SET_SHOW_NUMBERS: &str =
    "INSERT INTO ledger_preferences (relationship_id, account_id, show_numbers, updated_at) \
     SELECT $1, $2, $3, $4 \
     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active') \
     ON CONFLICT (relationship_id, account_id) \
     DO UPDATE SET show_numbers = excluded.show_numbers, updated_at = excluded.updated_at";

const SHOW_NUMBERS: &str =
    "SELECT account_id, show_numbers FROM ledger_preferences WHERE relationship_id = $1";

/// One contribution, as [`BY_ID`] and [`LIST`] select it.
#[derive(sqlx::FromRow)]
struct ContributionRow {
    id: String,
    giver_id: String,
    receiver_id: String,
    logged_by: String,
    domain: String,
    description: String,
    day: i32,
    effort: i32,
    minutes: Option<i32>,
    created_at: i64,
    value: Option<i32>,
    thanks_note: Option<String>,
    acknowledged_at: Option<i64>,
}

impl ContributionRow {
    fn into_record(self) -> StoreResult<ContributionRecord> {
        Ok(ContributionRecord {
            id: uuid(&self.id)?,
            giver: AccountId(uuid(&self.giver_id)?),
            receiver: AccountId(uuid(&self.receiver_id)?),
            logged_by: AccountId(uuid(&self.logged_by)?),
            domain: ledger_domain(&self.domain)?,
            description: self.description,
            day: self.day,
            effort: small(self.effort)?,
            minutes: self.minutes.map(minutes).transpose()?,
            created_at: time(self.created_at)?,
            value: self.value.map(small).transpose()?,
            thanks_note: self.thanks_note,
            acknowledged_at: self.acknowledged_at.map(time).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ShowNumbersRow {
    account_id: String,
    show_numbers: bool,
}

fn minutes(m: i32) -> StoreResult<u32> {
    u32::try_from(m).map_err(|_| domain::store::StoreError::Backend("negative minutes".into()))
}

fn ledger_domain(text: &str) -> StoreResult<domain::ledger::Domain> {
    domain::ledger::Domain::parse(text)
        .map_err(|_| domain::store::StoreError::Backend(format!("unknown domain {text}")))
}

/// Parses the packed window of `ledger_entries`: records separated by
/// commas, fields by spaces: giver (0/1), domain name, day, effort, value
/// (0 while unacknowledged).
fn packed_entries(packed: &str) -> StoreResult<Vec<Entry>> {
    let bad = || domain::store::StoreError::Backend("malformed packed ledger row".into());
    let number = |field: Option<&str>| -> StoreResult<i64> {
        field.and_then(|f| f.parse().ok()).ok_or_else(bad)
    };
    packed
        .split(',')
        .filter(|record| !record.is_empty())
        .map(|record| {
            let mut fields = record.split(' ');
            let giver = number(fields.next())?;
            let domain = ledger_domain(fields.next().ok_or_else(bad)?)?;
            let day = i32::try_from(number(fields.next())?).map_err(|_| bad())?;
            let effort = u8::try_from(number(fields.next())?).map_err(|_| bad())?;
            let value = u8::try_from(number(fields.next())?).map_err(|_| bad())?;
            Ok(Entry {
                giver: usize::from(giver != 0),
                domain: domain.index(),
                day,
                effort,
                value: (value != 0).then_some(value),
            })
        })
        .collect()
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
    pub(crate) async fn insert_contribution(&self, c: &NewContribution) -> StoreResult<bool> {
        let done = sqlx::query(INSERT)
            .bind(c.relationship_id.to_string())
            .bind(c.id.to_string())
            .bind(c.giver.to_string())
            .bind(c.receiver.to_string())
            .bind(c.logged_by.to_string())
            .bind(c.domain.as_str())
            .bind(&c.description)
            .bind(c.day)
            .bind(i32::from(c.effort))
            .bind(c.minutes.map(|m| m as i32))
            .bind(millis(c.created_at))
            .bind(c.value.map(i32::from))
            .bind(c.thanks_note.as_deref())
            .bind(c.value.map(|_| millis(c.created_at)))
            .execute(&self.write)
            .await
            .map_err(db_error("contribution"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn contribution(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<ContributionRecord>> {
        let row: Option<ContributionRow> = sqlx::query_as(BY_ID)
            .bind(rel.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        row.map(ContributionRow::into_record).transpose()
    }

    pub(crate) async fn acknowledge_contribution(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
        receiver: AccountId,
        value: u8,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(ACKNOWLEDGE)
            .bind(rel.to_string())
            .bind(id.to_string())
            .bind(receiver.to_string())
            .bind(i32::from(value))
            .bind(note)
            .bind(millis(at))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn update_contribution(
        &self,
        rel: RelationshipId,
        author: AccountId,
        c: &ContributionRecord,
        created_after: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(UPDATE)
            .bind(rel.to_string())
            .bind(c.id.to_string())
            .bind(author.to_string())
            .bind(millis(created_after))
            .bind(c.domain.as_str())
            .bind(&c.description)
            .bind(c.day)
            .bind(i32::from(c.effort))
            .bind(c.minutes.map(|m| m as i32))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn delete_contribution(
        &self,
        rel: RelationshipId,
        author: AccountId,
        id: uuid::Uuid,
        created_after: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(DELETE)
            .bind(rel.to_string())
            .bind(id.to_string())
            .bind(author.to_string())
            .bind(millis(created_after))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn contributions(
        &self,
        rel: RelationshipId,
        filter: &ContributionFilter,
    ) -> StoreResult<Vec<ContributionRecord>> {
        let rows: Vec<ContributionRow> = sqlx::query_as(LIST)
            .bind(rel.to_string())
            .bind(filter.giver.map(|g| g.to_string()))
            .bind(filter.domain.map(|d| d.as_str()))
            .bind(filter.awaiting.map(|a| a.to_string()))
            .bind(i64::from(filter.limit))
            .bind(filter.written_by.map(|a| a.to_string()))
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter().map(ContributionRow::into_record).collect()
    }

    pub(crate) async fn ledger_entries(
        &self,
        rel: RelationshipId,
        first: AccountId,
        from_day: i32,
        to_day: i32,
    ) -> StoreResult<Vec<Entry>> {
        let packed: Option<String> = sqlx::query_scalar(DB::PACKED_LEDGER)
            .bind(rel.to_string())
            .bind(first.to_string())
            .bind(from_day)
            .bind(to_day)
            .fetch_one(&self.read)
            .await
            .map_err(backend)?;
        packed_entries(packed.as_deref().unwrap_or(""))
    }

    pub(crate) async fn recent_descriptions(
        &self,
        rel: RelationshipId,
        account: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<(uuid::Uuid, String)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(RECENT_DESCRIPTIONS)
            .bind(rel.to_string())
            .bind(account.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|(id, text)| Ok((uuid(&id)?, text)))
            .collect()
    }

    pub(crate) async fn set_show_numbers(
        &self,
        rel: RelationshipId,
        account: AccountId,
        show: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(SET_SHOW_NUMBERS)
            .bind(rel.to_string())
            .bind(account.to_string())
            .bind(show)
            .bind(millis(at))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn show_numbers(
        &self,
        rel: RelationshipId,
    ) -> StoreResult<Vec<(AccountId, bool)>> {
        let rows: Vec<ShowNumbersRow> = sqlx::query_as(SHOW_NUMBERS)
            .bind(rel.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|row| Ok((AccountId(uuid(&row.account_id)?), row.show_numbers)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::packed_entries;

    #[test]
    fn packed_rows_parse_and_garbage_is_refused() {
        let entries =
            packed_entries("0 planning 20000 3 4,1 household_labor 20001 5 0").expect("parse");
        assert_eq!(entries.len(), 2);
        assert_eq!(
            (
                entries[0].giver,
                entries[0].day,
                entries[0].effort,
                entries[0].value
            ),
            (0, 20000, 3, Some(4))
        );
        assert_eq!((entries[1].giver, entries[1].value), (1, None));
        assert!(packed_entries("").expect("empty").is_empty());
        assert!(packed_entries("0 nowhere 1 1 1").is_err());
        assert!(packed_entries("0 planning x 1 1").is_err());
    }

    #[cfg(all(feature = "sqlite", feature = "postgres"))]
    #[test]
    fn the_packed_statements_differ_only_in_the_aggregate() {
        assert_eq!(
            super::PACKED_GROUP_CONCAT.replacen("group_concat(", "string_agg(", 1),
            super::PACKED_STRING_AGG
        );
    }
}
