//! Proposals of a next sealed round: one partner asks, the other agrees
//! (which starts the round in the same transaction), declines, or the
//! proposer withdraws. Every write carries its rule in its statement.

use chrono::{DateTime, Utc};
use domain::sealed::RoundRecord;
use domain::store::{ProposalStatus, RoundProposal, StoreError, StoreResult};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, round_number, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// An open proposal, only while the relationship is active; a second open
/// one for the same relationship and kind meets the partial unique index
/// (`round_proposal`).
const INSERT: &str = "INSERT INTO round_proposals (id, relationship_id, kind, after_number, \
     proposed_by, proposed_at, status) \
     SELECT $1, $2, $3, $4, $5, $6, 'open' \
     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $2 AND status = 'active')";

/// The open one if there is one, else the newest.
const LATEST: &str = "SELECT id, after_number, proposed_by, proposed_at, status, closed_at \
     FROM round_proposals WHERE relationship_id = $1 AND kind = $2 \
     ORDER BY CASE WHEN status = 'open' THEN 1 ELSE 0 END DESC, proposed_at DESC, id DESC \
     LIMIT 1";

/// Closes an open proposal. `$6` is the rule on who may: 1 means only the
/// proposer (withdraw), 0 only the other partner (decline, agree). Of two
/// closes at once, the first to write finds it open; the other changes
/// nothing.
const CLOSE: &str = "UPDATE round_proposals SET status = $5, closed_at = $7 \
     WHERE id = $1 AND relationship_id = $2 AND kind = $3 AND status = 'open' \
     AND ((proposed_by = $4) = ($6 = 1)) \
     AND EXISTS (SELECT 1 FROM relationships WHERE id = $2 AND status = 'active')";

#[derive(sqlx::FromRow)]
struct ProposalRow {
    id: String,
    after_number: i32,
    proposed_by: String,
    proposed_at: i64,
    status: String,
    closed_at: Option<i64>,
}

impl ProposalRow {
    fn into_proposal(self) -> StoreResult<RoundProposal> {
        Ok(RoundProposal {
            id: uuid(&self.id)?,
            after: u32::try_from(self.after_number)
                .map_err(|_| StoreError::Backend(format!("round {}", self.after_number)))?,
            proposed_by: AccountId(uuid(&self.proposed_by)?),
            proposed_at: time(self.proposed_at)?,
            status: ProposalStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Backend(format!("proposal status {}", self.status)))?,
            closed_at: self.closed_at.map(time).transpose()?,
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
    pub(crate) async fn latest_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
    ) -> StoreResult<Option<RoundProposal>> {
        let row: Option<ProposalRow> = sqlx::query_as(LATEST)
            .bind(rel.to_string())
            .bind(kind)
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        row.map(ProposalRow::into_proposal).transpose()
    }

    pub(crate) async fn insert_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        proposal: &RoundProposal,
    ) -> StoreResult<bool> {
        let done = sqlx::query(INSERT)
            .bind(proposal.id.to_string())
            .bind(rel.to_string())
            .bind(kind)
            .bind(round_number(proposal.after)?)
            .bind(proposal.proposed_by.to_string())
            .bind(millis(proposal.proposed_at))
            .execute(&self.write)
            .await
            .map_err(db_error("round_proposal"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn close_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        id: uuid::Uuid,
        by: AccountId,
        outcome: ProposalStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let by_proposer = match outcome {
            ProposalStatus::Withdrawn => 1,
            ProposalStatus::Declined => 0,
            // Agreeing starts a round: `agree_round_proposal`.
            ProposalStatus::Open | ProposalStatus::Agreed => return Ok(false),
        };
        let done = sqlx::query(CLOSE)
            .bind(id.to_string())
            .bind(rel.to_string())
            .bind(kind)
            .bind(by.to_string())
            .bind(outcome.as_str())
            .bind(by_proposer)
            .bind(millis(at))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn agree_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        id: uuid::Uuid,
        by: AccountId,
        round: &RoundRecord<String>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        let closed = sqlx::query(CLOSE)
            .bind(id.to_string())
            .bind(rel.to_string())
            .bind(kind)
            .bind(by.to_string())
            .bind(ProposalStatus::Agreed.as_str())
            .bind(0i32)
            .bind(millis(at))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        // Not open any more (the other agree won, or it was declined or
        // withdrawn), or `by` proposed it: nothing starts.
        if closed.rows_affected() != 1 {
            return Ok(false);
        }
        if !Self::insert_round_in(&mut tx, rel, kind, round).await? {
            return Ok(false);
        }
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }
}
