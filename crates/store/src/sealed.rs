//! Sealed rounds: two sides answered apart and opened together. Starting a
//! round, saving a side (a draft, or the submit that fixes it), and reading
//! rounds whole or only their outline.

use domain::sealed::{RoundRecord, SideRecord};
use domain::store::{StoreError, StoreResult};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, round_number, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// One row per side, both sides of a round next to each other.
const ROUNDS: &str = "SELECT r.number, r.started_at, s.account_id, s.answers, s.submitted_at \
     FROM sealed_rounds r JOIN sealed_sides s ON s.round_id = r.id \
     WHERE r.relationship_id = $1 AND r.kind = $2 AND r.number BETWEEN $3 AND $4 \
     ORDER BY r.number, s.position";

/// One row per round (both sides joined in), and for each side only whether
/// it holds answers: the history's cost stays small however long the
/// answers are.
const OUTLINE: &str = "SELECT r.number, r.started_at, \
     a.account_id AS a_account, CASE WHEN a.answers IS NULL THEN 0 ELSE 1 END AS a_has_answers, \
     a.submitted_at AS a_submitted_at, \
     b.account_id AS b_account, CASE WHEN b.answers IS NULL THEN 0 ELSE 1 END AS b_has_answers, \
     b.submitted_at AS b_submitted_at \
     FROM sealed_rounds r \
     JOIN sealed_sides a ON a.round_id = r.id AND a.position = 0 \
     JOIN sealed_sides b ON b.round_id = r.id AND b.position = 1 \
     WHERE r.relationship_id = $1 AND r.kind = $2 ORDER BY r.number";

/// [`OUTLINE`] for every kind starting with `$2`, with the kind.
const OUTLINE_WITH_PREFIX: &str = "SELECT r.kind, r.number, r.started_at, \
     a.account_id AS a_account, CASE WHEN a.answers IS NULL THEN 0 ELSE 1 END AS a_has_answers, \
     a.submitted_at AS a_submitted_at, \
     b.account_id AS b_account, CASE WHEN b.answers IS NULL THEN 0 ELSE 1 END AS b_has_answers, \
     b.submitted_at AS b_submitted_at \
     FROM sealed_rounds r \
     JOIN sealed_sides a ON a.round_id = r.id AND a.position = 0 \
     JOIN sealed_sides b ON b.round_id = r.id AND b.position = 1 \
     WHERE r.relationship_id = $1 AND substr(r.kind, 1, length($2)) = $2 \
     ORDER BY r.kind, r.number";

/// Of two partners starting the same number at once, only one INSERT passes
/// the unique rule (`Conflict("round")`); none lands once the relationship
/// is no longer active.
const INSERT_ROUND: &str =
    "INSERT INTO sealed_rounds (relationship_id, id, kind, number, started_at) \
     SELECT $1, $2, $3, $4, $5 \
     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

const INSERT_SIDE: &str =
    "INSERT INTO sealed_sides (round_id, account_id, position, answers, submitted_at) \
     VALUES ($1, $2, $3, $4, $5)";

/// `submitted_at IS NULL` in the same statement: of a late draft and a
/// submit, or two submits, racing, the first fixes the side.
const SAVE_SIDE: &str = "UPDATE sealed_sides SET answers = $5, submitted_at = $6 \
     WHERE account_id = $4 AND submitted_at IS NULL AND round_id = \
     (SELECT id FROM sealed_rounds WHERE relationship_id = $1 AND kind = $2 AND number = $3) \
     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

/// One side of a round, with its round's columns ([`ROUNDS`]).
#[derive(sqlx::FromRow)]
struct SideRow {
    number: i32,
    started_at: i64,
    account_id: String,
    answers: Option<String>,
    submitted_at: Option<i64>,
}

impl SideRow {
    fn into_side(self) -> StoreResult<SideRecord<String>> {
        Ok(SideRecord {
            account: AccountId(uuid(&self.account_id)?),
            answers: self.answers,
            submitted_at: self.submitted_at.map(time).transpose()?,
        })
    }
}

/// A round without its answers ([`OUTLINE`]): per side (in position order)
/// the account, whether it holds answers (0 or 1), and when it was submitted.
#[derive(sqlx::FromRow)]
struct OutlineRow {
    number: i32,
    started_at: i64,
    a_account: String,
    a_has_answers: i32,
    a_submitted_at: Option<i64>,
    b_account: String,
    b_has_answers: i32,
    b_submitted_at: Option<i64>,
}

impl OutlineRow {
    fn into_outline(self) -> StoreResult<RoundRecord<()>> {
        let side = |account: String, has: i32, at: Option<i64>| {
            Ok::<_, StoreError>(SideRecord {
                account: AccountId(uuid(&account)?),
                answers: (has != 0).then_some(()),
                submitted_at: at.map(time).transpose()?,
            })
        };
        Ok(RoundRecord {
            number: stored_number(self.number)?,
            started_at: time(self.started_at)?,
            sides: [
                side(self.a_account, self.a_has_answers, self.a_submitted_at)?,
                side(self.b_account, self.b_has_answers, self.b_submitted_at)?,
            ],
        })
    }
}

/// An [`OutlineRow`] with its round's kind.
#[derive(sqlx::FromRow)]
struct KindOutlineRow {
    kind: String,
    #[sqlx(flatten)]
    outline: OutlineRow,
}

fn stored_number(number: i32) -> StoreResult<u32> {
    u32::try_from(number).map_err(|_| StoreError::Backend(format!("stored round number {number}")))
}

/// Rebuilds rounds from their sides, read ordered by round number then
/// position; every round must have exactly its two sides.
fn sealed_rounds(rows: Vec<SideRow>) -> StoreResult<Vec<RoundRecord<String>>> {
    let mut rows = rows.into_iter().peekable();
    let mut rounds = Vec::new();
    while let Some(first) = rows.next() {
        let (number, started_at) = (first.number, first.started_at);
        let second = rows
            .next_if(|row| row.number == number)
            .ok_or_else(|| StoreError::Backend(format!("round {number} has one side")))?;
        if rows.peek().is_some_and(|row| row.number == number) {
            return Err(StoreError::Backend(format!(
                "round {number} has more than two sides"
            )));
        }
        rounds.push(RoundRecord {
            number: stored_number(number)?,
            started_at: time(started_at)?,
            sides: [first.into_side()?, second.into_side()?],
        });
    }
    Ok(rounds)
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
    pub(crate) async fn sealed_rounds(
        &self,
        rel: RelationshipId,
        kind: &str,
        numbers: std::ops::RangeInclusive<u32>,
    ) -> StoreResult<Vec<RoundRecord<String>>> {
        // Numbers beyond what a column holds are simply not there.
        let first = i32::try_from(*numbers.start()).unwrap_or(i32::MAX);
        let last = i32::try_from(*numbers.end()).unwrap_or(i32::MAX);
        let rows: Vec<SideRow> = sqlx::query_as(ROUNDS)
            .bind(rel.to_string())
            .bind(kind)
            .bind(first)
            .bind(last)
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        sealed_rounds(rows)
    }

    pub(crate) async fn round_outline(
        &self,
        rel: RelationshipId,
        kind: &str,
    ) -> StoreResult<Vec<RoundRecord<()>>> {
        let rows: Vec<OutlineRow> = sqlx::query_as(OUTLINE)
            .bind(rel.to_string())
            .bind(kind)
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter().map(OutlineRow::into_outline).collect()
    }

    pub(crate) async fn outlines_with_prefix(
        &self,
        rel: RelationshipId,
        prefix: &str,
    ) -> StoreResult<Vec<(String, RoundRecord<()>)>> {
        let rows: Vec<KindOutlineRow> = sqlx::query_as(OUTLINE_WITH_PREFIX)
            .bind(rel.to_string())
            .bind(prefix)
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|r| Ok((r.kind, r.outline.into_outline()?)))
            .collect()
    }

    pub(crate) async fn insert_round(
        &self,
        rel: RelationshipId,
        kind: &str,
        round: &RoundRecord<String>,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        if !Self::insert_round_in(&mut tx, rel, kind, round).await? {
            return Ok(false);
        }
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    /// [`Self::insert_round`] inside a transaction the caller commits (an
    /// agreed proposal starts its round in the same transaction).
    pub(crate) async fn insert_round_in(
        tx: &mut sqlx::Transaction<'_, DB>,
        rel: RelationshipId,
        kind: &str,
        round: &RoundRecord<String>,
    ) -> StoreResult<bool> {
        let id = uuid::Uuid::new_v4().to_string();
        let started = sqlx::query(INSERT_ROUND)
            .bind(rel.to_string())
            .bind(&id)
            .bind(kind)
            .bind(round_number(round.number)?)
            .bind(millis(round.started_at))
            .execute(&mut **tx)
            .await
            .map_err(db_error("round"))?;
        if started.rows_affected() != 1 {
            return Ok(false);
        }
        for (position, side) in (0i32..).zip(&round.sides) {
            sqlx::query(INSERT_SIDE)
                .bind(&id)
                .bind(side.account.to_string())
                .bind(position)
                .bind(side.answers.as_deref())
                .bind(side.submitted_at.map(millis))
                .execute(&mut **tx)
                .await
                .map_err(backend)?;
        }
        Ok(true)
    }

    pub(crate) async fn save_side(
        &self,
        rel: RelationshipId,
        kind: &str,
        number: u32,
        side: &SideRecord<String>,
    ) -> StoreResult<bool> {
        let Ok(number) = i32::try_from(number) else {
            return Ok(false);
        };
        let done = sqlx::query(SAVE_SIDE)
            .bind(rel.to_string())
            .bind(kind)
            .bind(number)
            .bind(side.account.to_string())
            .bind(side.answers.as_deref())
            .bind(side.submitted_at.map(millis))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::{sealed_rounds, SideRow};

    #[test]
    fn a_round_needs_exactly_two_sides() {
        let side = |number: i32, account: &str| SideRow {
            number,
            started_at: 0,
            account_id: account.to_owned(),
            answers: None,
            submitted_at: None,
        };
        let a = "00000000-0000-4000-8000-00000000000a";
        let b = "00000000-0000-4000-8000-00000000000b";
        let rounds = sealed_rounds(vec![side(1, a), side(1, b), side(2, b), side(2, a)])
            .expect("two rounds");
        assert_eq!(rounds.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(rounds[1].sides[0].account.to_string(), b);
        assert!(sealed_rounds(Vec::new()).expect("none").is_empty());
        assert!(sealed_rounds(vec![side(1, a), side(2, a), side(2, b)]).is_err());
        assert!(sealed_rounds(vec![side(1, a), side(1, b), side(1, a)]).is_err());
    }
}
