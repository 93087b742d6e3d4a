//! Agreements: a head, immutable versions and the ordered moves
//! (`domain::agreements`). Every move is one transaction whose first
//! statement is a compare and swap on the head's revision, with the
//! relationship's state in its `WHERE`: of two moves racing, the second
//! finds the revision changed and writes nothing (on PostgreSQL it waits
//! for the first's row lock, then re-reads the row), and the domain decides
//! it again on the new state.

use chrono::{DateTime, Utc};
use domain::agreements::{Kind, Status};
use domain::store::{
    AgreementEvent, AgreementHead, AgreementLine, AgreementRecord, AgreementVersion,
    AgreementWrite, StoreError, StoreResult,
};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, round_number, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// Whether `$actor` is a member of the active relationship `$rel`; each
/// statement below names its own placeholders.
macro_rules! member_of_active {
    ($rel:literal, $actor:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM relationships r JOIN relationship_members m \
             ON m.relationship_id = r.id WHERE r.id = ",
            $rel,
            " AND r.status = 'active' AND m.account_id = ",
            $actor,
            ")"
        )
    };
}

const INSERT_HEAD: &str = concat!(
    "INSERT INTO agreements (id, relationship_id, domain, proposed_by, origin_deck, \
     origin_round, created_at, revision, latest_version, status, in_force, awaiting_id, \
     review_on, updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 \
     WHERE ",
    member_of_active!("$2", "$4")
);

/// The compare and swap: the head moves on only from the revision the move
/// was decided on, and only while the actor is in the active relationship.
const SWAP_HEAD: &str = concat!(
    "UPDATE agreements SET revision = $3, latest_version = $4, status = $5, in_force = $6, \
     awaiting_id = $7, review_on = $8, updated_at = $9 \
     WHERE id = $1 AND relationship_id = $2 AND revision = $10 AND ",
    member_of_active!("$2", "$11")
);

const INSERT_VERSION: &str = "INSERT INTO agreement_versions (agreement_id, number, author_id, \
     kind, title, terms, part_a, part_b, review_on, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

const INSERT_EVENT: &str = "INSERT INTO agreement_events (agreement_id, seq, version, actor_id, \
     kind, reason, review_on, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

const HEAD_COLUMNS: &str = "a.id, a.relationship_id, a.domain, a.proposed_by, a.origin_deck, \
     a.origin_round, a.created_at, a.revision, a.latest_version, a.status, a.in_force, \
     a.awaiting_id, a.review_on, a.updated_at";

/// The head is read first, then only the versions and moves up to it: a
/// move landing between the reads is left out, so the replay matches the
/// revision the compare and swap will expect.
const VERSIONS: &str = "SELECT number, author_id, kind, title, terms, part_a, part_b, review_on, \
     created_at FROM agreement_versions WHERE agreement_id = $1 AND number <= $2 ORDER BY number";

const EVENTS: &str = "SELECT seq, version, actor_id, kind, reason, review_on, at \
     FROM agreement_events WHERE agreement_id = $1 AND seq <= $2 ORDER BY seq";

const LINKS: &str = "SELECT contribution_id FROM agreement_links WHERE agreement_id = $1 \
     ORDER BY linked_at, contribution_id";

/// The moves of a relationship's agreements created since `$2`, reasons
/// left out (the balance of say counts; it reads no words).
const MOVES: &str =
    "SELECT e.agreement_id, e.seq, e.version, e.actor_id, e.kind, e.review_on, e.at \
     FROM agreement_events e JOIN agreements a ON a.id = e.agreement_id \
     WHERE a.relationship_id = $1 AND a.created_at >= $2 ORDER BY e.agreement_id, e.seq";

/// Same relationship, same domain, active, not retired: all in the insert.
const LINK: &str = concat!(
    "INSERT INTO agreement_links (agreement_id, contribution_id, linked_by, linked_at) \
     SELECT a.id, c.id, $4, $5 FROM agreements a JOIN contributions c \
     ON c.relationship_id = a.relationship_id AND c.domain = a.domain \
     WHERE a.relationship_id = $1 AND a.id = $2 AND c.id = $3 AND a.status <> 'retired' AND ",
    member_of_active!("$1", "$4")
);

const UNLINK: &str =
    "DELETE FROM agreement_links WHERE agreement_id = $2 AND contribution_id = $3 \
     AND EXISTS (SELECT 1 FROM agreements WHERE id = $2 AND relationship_id = $1) \
     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

#[derive(sqlx::FromRow)]
struct HeadRow {
    id: String,
    relationship_id: String,
    domain: String,
    proposed_by: String,
    origin_deck: Option<String>,
    origin_round: Option<i32>,
    created_at: i64,
    revision: i64,
    latest_version: i32,
    status: String,
    in_force: Option<i32>,
    awaiting_id: Option<String>,
    review_on: Option<i32>,
    updated_at: i64,
}

fn number(n: i32) -> StoreResult<u32> {
    u32::try_from(n).map_err(|_| StoreError::Backend(format!("version out of range: {n}")))
}

fn account(text: &str) -> StoreResult<AccountId> {
    Ok(AccountId(uuid(text)?))
}

fn kind(text: &str) -> StoreResult<Kind> {
    Kind::parse(text).ok_or_else(|| StoreError::Backend(format!("unknown agreement move {text}")))
}

impl HeadRow {
    fn into_head(self) -> StoreResult<AgreementHead> {
        Ok(AgreementHead {
            id: uuid(&self.id)?,
            relationship_id: RelationshipId(uuid(&self.relationship_id)?),
            domain: domain::ledger::Domain::parse(&self.domain)
                .map_err(|_| StoreError::Backend(format!("unknown domain {}", self.domain)))?,
            proposed_by: account(&self.proposed_by)?,
            origin: match (self.origin_deck, self.origin_round) {
                (Some(deck), Some(round)) => Some((deck, number(round)?)),
                _ => None,
            },
            created_at: time(self.created_at)?,
            revision: self.revision,
            latest_version: number(self.latest_version)?,
            status: Status::parse(&self.status)
                .ok_or_else(|| StoreError::Backend(format!("unknown status {}", self.status)))?,
            in_force: self.in_force.map(number).transpose()?,
            awaiting: self.awaiting_id.as_deref().map(account).transpose()?,
            review_on: self.review_on,
            updated_at: time(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LineRow {
    #[sqlx(flatten)]
    head: HeadRow,
    title_version: i32,
    title_author: String,
    title: String,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    number: i32,
    author_id: String,
    kind: String,
    title: String,
    terms: String,
    part_a: Option<String>,
    part_b: Option<String>,
    review_on: Option<i32>,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    version: i32,
    actor_id: String,
    kind: String,
    reason: Option<String>,
    review_on: Option<i32>,
    at: i64,
}

impl EventRow {
    fn into_event(self) -> StoreResult<AgreementEvent> {
        Ok(AgreementEvent {
            seq: self.seq,
            version: number(self.version)?,
            actor: account(&self.actor_id)?,
            kind: kind(&self.kind)?,
            reason: self.reason,
            review_on: self.review_on,
            at: time(self.at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MoveRow {
    agreement_id: String,
    seq: i64,
    version: i32,
    actor_id: String,
    kind: String,
    review_on: Option<i32>,
    at: i64,
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
    /// The event and version rows of a move, inside the caller's transaction.
    async fn insert_move(conn: &mut DB::Connection, write: &AgreementWrite) -> StoreResult<()> {
        let id = write.head.id.to_string();
        if let Some(v) = &write.version {
            sqlx::query(INSERT_VERSION)
                .bind(&id)
                .bind(round_number(v.number)?)
                .bind(v.author.to_string())
                .bind(v.kind.as_str())
                .bind(&v.title)
                .bind(&v.terms)
                .bind(v.parts[0].as_deref())
                .bind(v.parts[1].as_deref())
                .bind(v.review_on)
                .bind(millis(v.created_at))
                .execute(&mut *conn)
                .await
                .map_err(db_error("agreement_changed"))?;
        }
        let e = &write.event;
        sqlx::query(INSERT_EVENT)
            .bind(&id)
            .bind(e.seq)
            .bind(round_number(e.version)?)
            .bind(e.actor.to_string())
            .bind(e.kind.as_str())
            .bind(e.reason.as_deref())
            .bind(e.review_on)
            .bind(millis(e.at))
            .execute(&mut *conn)
            .await
            .map_err(db_error("agreement_changed"))?;
        Ok(())
    }

    pub(crate) async fn insert_agreement(&self, write: &AgreementWrite) -> StoreResult<bool> {
        let h = &write.head;
        let mut tx = self.write.begin().await.map_err(backend)?;
        let inserted = sqlx::query(INSERT_HEAD)
            .bind(h.id.to_string())
            .bind(h.relationship_id.to_string())
            .bind(h.domain.as_str())
            .bind(h.proposed_by.to_string())
            .bind(h.origin.as_ref().map(|(deck, _)| deck.as_str()))
            .bind(
                h.origin
                    .as_ref()
                    .map(|(_, round)| round_number(*round))
                    .transpose()?,
            )
            .bind(millis(h.created_at))
            .bind(h.revision)
            .bind(round_number(h.latest_version)?)
            .bind(h.status.as_str())
            .bind(h.in_force.map(round_number).transpose()?)
            .bind(h.awaiting.map(|a| a.to_string()))
            .bind(h.review_on)
            .bind(millis(h.updated_at))
            .execute(&mut *tx)
            .await
            .map_err(db_error("agreement"))?;
        if inserted.rows_affected() != 1 {
            return Ok(false);
        }
        Self::insert_move(&mut tx, write).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn record_agreement_move(&self, write: &AgreementWrite) -> StoreResult<bool> {
        let h = &write.head;
        let mut tx = self.write.begin().await.map_err(backend)?;
        let swapped = sqlx::query(SWAP_HEAD)
            .bind(h.id.to_string())
            .bind(h.relationship_id.to_string())
            .bind(h.revision)
            .bind(round_number(h.latest_version)?)
            .bind(h.status.as_str())
            .bind(h.in_force.map(round_number).transpose()?)
            .bind(h.awaiting.map(|a| a.to_string()))
            .bind(h.review_on)
            .bind(millis(h.updated_at))
            .bind(write.expected_revision)
            .bind(write.actor.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if swapped.rows_affected() != 1 {
            // Dropping the transaction rolls it back: nothing changed.
            return Ok(false);
        }
        Self::insert_move(&mut tx, write).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn agreement(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<AgreementRecord>> {
        let head: Option<HeadRow> = sqlx::query_as(&format!(
            "SELECT {HEAD_COLUMNS} FROM agreements a WHERE a.id = $1 AND a.relationship_id = $2"
        ))
        .bind(id.to_string())
        .bind(rel.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(backend)?;
        let Some(head) = head else { return Ok(None) };
        let head = head.into_head()?;
        let key = id.to_string();
        let versions: Vec<VersionRow> = sqlx::query_as(VERSIONS)
            .bind(&key)
            .bind(round_number(head.latest_version)?)
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        let events: Vec<EventRow> = sqlx::query_as(EVENTS)
            .bind(&key)
            .bind(head.revision)
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        let links: Vec<(String,)> = sqlx::query_as(LINKS)
            .bind(&key)
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        Ok(Some(AgreementRecord {
            head,
            versions: versions
                .into_iter()
                .map(|v| {
                    Ok(AgreementVersion {
                        number: number(v.number)?,
                        author: account(&v.author_id)?,
                        kind: kind(&v.kind)?,
                        title: v.title,
                        terms: v.terms,
                        parts: [v.part_a, v.part_b],
                        review_on: v.review_on,
                        created_at: time(v.created_at)?,
                    })
                })
                .collect::<StoreResult<_>>()?,
            events: events
                .into_iter()
                .map(EventRow::into_event)
                .collect::<StoreResult<_>>()?,
            links: links
                .into_iter()
                .map(|(c,)| uuid(&c))
                .collect::<StoreResult<_>>()?,
        }))
    }

    pub(crate) async fn agreements(
        &self,
        rel: RelationshipId,
        author: Option<AccountId>,
    ) -> StoreResult<Vec<AgreementLine>> {
        let titled_by = match author {
            None => "v.number = a.latest_version",
            Some(_) => {
                "v.number = (SELECT max(w.number) FROM agreement_versions w \
                 WHERE w.agreement_id = a.id AND w.author_id = $2)"
            }
        };
        let sql = format!(
            "SELECT {HEAD_COLUMNS}, v.number AS title_version, v.author_id AS title_author, \
             v.title FROM agreements a JOIN agreement_versions v ON v.agreement_id = a.id \
             AND {titled_by} WHERE a.relationship_id = $1 ORDER BY a.updated_at DESC, a.id"
        );
        let mut query = sqlx::query_as::<_, LineRow>(&sql).bind(rel.to_string());
        if let Some(author) = author {
            query = query.bind(author.to_string());
        }
        let rows = query.fetch_all(&self.read).await.map_err(backend)?;
        rows.into_iter()
            .map(|row| {
                Ok(AgreementLine {
                    head: row.head.into_head()?,
                    title_version: number(row.title_version)?,
                    title_author: account(&row.title_author)?,
                    title: row.title,
                })
            })
            .collect()
    }

    pub(crate) async fn agreement_moves(
        &self,
        rel: RelationshipId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Vec<AgreementEvent>>> {
        let rows: Vec<MoveRow> = sqlx::query_as(MOVES)
            .bind(rel.to_string())
            .bind(millis(since))
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        let mut grouped: Vec<Vec<AgreementEvent>> = Vec::new();
        let mut current: Option<String> = None;
        for row in rows {
            if current.as_deref() != Some(row.agreement_id.as_str()) {
                grouped.push(Vec::new());
                current = Some(row.agreement_id.clone());
            }
            let event = AgreementEvent {
                seq: row.seq,
                version: number(row.version)?,
                actor: account(&row.actor_id)?,
                kind: kind(&row.kind)?,
                reason: None,
                review_on: row.review_on,
                at: time(row.at)?,
            };
            if let Some(last) = grouped.last_mut() {
                last.push(event);
            }
        }
        Ok(grouped)
    }

    pub(crate) async fn link_contribution(
        &self,
        rel: RelationshipId,
        agreement: uuid::Uuid,
        contribution: uuid::Uuid,
        actor: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(LINK)
            .bind(rel.to_string())
            .bind(agreement.to_string())
            .bind(contribution.to_string())
            .bind(actor.to_string())
            .bind(millis(at))
            .execute(&self.write)
            .await
            .map_err(db_error("already_linked"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn unlink_contribution(
        &self,
        rel: RelationshipId,
        agreement: uuid::Uuid,
        contribution: uuid::Uuid,
    ) -> StoreResult<bool> {
        let done = sqlx::query(UNLINK)
            .bind(rel.to_string())
            .bind(agreement.to_string())
            .bind(contribution.to_string())
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }
}
