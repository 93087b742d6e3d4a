//! Episodes (`domain::episodes`): each partner's view kept apart, turns in
//! order. Every write repeats, in its own `WHERE`, "the author is a member
//! of this active space" and "the episode is one the author may see" (their
//! own, or one shared with them); a turn's position is taken in the same
//! statement, and the primary key refuses two turns at one place.

use chrono::{DateTime, Utc};
use domain::sealed::{RoundRecord, SideRecord};
use domain::store::{EpisodeRecord, EpisodeView, StoreError, StoreResult, TurnRecord};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, small, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// `$1` the space, `$2` the author: a member of the active space.
const MEMBER_OF_ACTIVE: &str = "EXISTS (SELECT 1 FROM relationships r \
     JOIN relationship_members m ON m.relationship_id = r.id \
     WHERE r.id = $1 AND r.status = 'active' AND m.account_id = $2)";

/// `$1` the space, `$2` the author, `$3` the episode: one they may see.
const MAY_SEE: &str = "EXISTS (SELECT 1 FROM episodes e WHERE e.id = $3 \
     AND e.relationship_id = $1 AND (e.recorded_by = $2 OR e.shared_at IS NOT NULL))";

const EPISODE_COLUMNS: &str = "id, recorded_by, title, kind, day, shared_at, created_at";

const TURN_COLUMNS: &str = "t.episode_id, t.author_id, t.position, t.actor_id, t.code, \
     t.valence, t.intensity, t.token, t.created_at";

#[derive(sqlx::FromRow)]
struct EpisodeRow {
    id: String,
    recorded_by: String,
    title: Option<String>,
    kind: String,
    day: i32,
    shared_at: Option<i64>,
    created_at: i64,
}

impl EpisodeRow {
    fn into_record(self) -> StoreResult<EpisodeRecord> {
        Ok(EpisodeRecord {
            id: uuid(&self.id)?,
            recorded_by: AccountId(uuid(&self.recorded_by)?),
            title: self.title,
            kind: self.kind,
            day: self.day,
            shared_at: self.shared_at.map(time).transpose()?,
            created_at: time(self.created_at)?,
        })
    }
}

/// An episode without its title, and one view's packed turns.
#[derive(sqlx::FromRow)]
struct PackedRow {
    id: String,
    recorded_by: String,
    kind: String,
    day: i32,
    shared_at: Option<i64>,
    created_at: i64,
    turns: String,
}

#[derive(sqlx::FromRow)]
struct TurnRow {
    episode_id: String,
    author_id: String,
    position: i32,
    actor_id: String,
    code: String,
    valence: String,
    intensity: i32,
    token: String,
    created_at: i64,
}

impl TurnRow {
    fn into_record(self) -> StoreResult<TurnRecord> {
        Ok(TurnRecord {
            episode: uuid(&self.episode_id)?,
            author: AccountId(uuid(&self.author_id)?),
            position: u32::try_from(self.position)
                .map_err(|_| StoreError::Backend(format!("turn position {}", self.position)))?,
            actor: AccountId(uuid(&self.actor_id)?),
            code: self.code,
            valence: self.valence,
            intensity: small(self.intensity)?,
            token: self.token,
            created_at: time(self.created_at)?,
        })
    }
}

/// One side of a revealed round, with its round's kind and number.
#[derive(sqlx::FromRow)]
struct RevealedSideRow {
    kind: String,
    number: i32,
    started_at: i64,
    account_id: String,
    answers: Option<String>,
    submitted_at: Option<i64>,
}

impl RevealedSideRow {
    fn side(self) -> StoreResult<SideRecord<String>> {
        Ok(SideRecord {
            account: AccountId(uuid(&self.account_id)?),
            answers: self.answers,
            submitted_at: self.submitted_at.map(time).transpose()?,
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
    pub(crate) async fn insert_episode(
        &self,
        rel: RelationshipId,
        e: &EpisodeRecord,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO episodes (relationship_id, recorded_by, id, title, kind, day, \
             shared_at, created_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
             WHERE {MEMBER_OF_ACTIVE}"
        ))
        .bind(rel.to_string())
        .bind(e.recorded_by.to_string())
        .bind(e.id.to_string())
        .bind(e.title.as_deref())
        .bind(e.kind.as_str())
        .bind(e.day)
        .bind(e.shared_at.map(millis))
        .bind(millis(e.created_at))
        .execute(&mut *tx)
        .await
        .map_err(db_error("episode"))?;
        if inserted.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO episode_views (episode_id, author_id, shared) VALUES ($1, $2, $3)",
        )
        .bind(e.id.to_string())
        .bind(e.recorded_by.to_string())
        .bind(e.shared_at.is_some())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn episodes_for(
        &self,
        rel: RelationshipId,
        viewer: AccountId,
    ) -> StoreResult<Vec<EpisodeRecord>> {
        let rows: Vec<EpisodeRow> = sqlx::query_as(&format!(
            "SELECT {EPISODE_COLUMNS} FROM episodes WHERE relationship_id = $1 \
             AND (recorded_by = $2 OR shared_at IS NOT NULL) ORDER BY day, created_at, id"
        ))
        .bind(rel.to_string())
        .bind(viewer.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(backend)?;
        rows.into_iter().map(EpisodeRow::into_record).collect()
    }

    pub(crate) async fn episode(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<EpisodeRecord>> {
        let row: Option<EpisodeRow> = sqlx::query_as(&format!(
            "SELECT {EPISODE_COLUMNS} FROM episodes WHERE relationship_id = $1 AND id = $2"
        ))
        .bind(rel.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(backend)?;
        row.map(EpisodeRow::into_record).transpose()
    }

    pub(crate) async fn episode_views(
        &self,
        rel: RelationshipId,
        episode: Option<uuid::Uuid>,
    ) -> StoreResult<Vec<EpisodeView>> {
        let one = if episode.is_some() {
            " AND e.id = $2"
        } else {
            ""
        };
        let sql = format!(
            "SELECT v.episode_id, v.author_id, v.shared FROM episode_views v \
             JOIN episodes e ON e.id = v.episode_id WHERE e.relationship_id = $1{one} \
             ORDER BY v.episode_id, v.author_id"
        );
        let mut query = sqlx::query_as::<_, (String, String, bool)>(&sql).bind(rel.to_string());
        if let Some(id) = episode {
            query = query.bind(id.to_string());
        }
        let rows = query.fetch_all(&self.read).await.map_err(backend)?;
        rows.into_iter()
            .map(|(episode, author, shared)| {
                Ok(EpisodeView {
                    episode: uuid(&episode)?,
                    author: AccountId(uuid(&author)?),
                    shared,
                })
            })
            .collect()
    }

    pub(crate) async fn episode_turns(
        &self,
        rel: RelationshipId,
        episode: Option<uuid::Uuid>,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<TurnRecord>> {
        let only = if shared_only { " AND v.shared" } else { "" };
        let one = if episode.is_some() {
            " AND e.id = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {TURN_COLUMNS} FROM episode_turns t \
             JOIN episode_views v ON v.episode_id = t.episode_id AND v.author_id = t.author_id \
             JOIN episodes e ON e.id = t.episode_id \
             WHERE e.relationship_id = $1 AND t.author_id = $2{only}{one} \
             ORDER BY e.day, e.created_at, e.id, t.position"
        );
        let mut query = sqlx::query_as::<_, TurnRow>(&sql)
            .bind(rel.to_string())
            .bind(author.to_string());
        if let Some(id) = episode {
            query = query.bind(id.to_string());
        }
        let rows = query.fetch_all(&self.read).await.map_err(backend)?;
        rows.into_iter().map(TurnRow::into_record).collect()
    }

    /// The author's view of an episode they may see, opened if it is not yet.
    async fn open_view(
        conn: &mut DB::Connection,
        rel: RelationshipId,
        episode: uuid::Uuid,
        author: AccountId,
    ) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO episode_views (episode_id, author_id, shared) SELECT $3, $2, $4 \
             WHERE {MEMBER_OF_ACTIVE} AND {MAY_SEE} ON CONFLICT (episode_id, author_id) DO NOTHING"
        ))
        .bind(rel.to_string())
        .bind(author.to_string())
        .bind(episode.to_string())
        .bind(false)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
        Ok(())
    }

    pub(crate) async fn append_turn(
        &self,
        rel: RelationshipId,
        t: &TurnRecord,
    ) -> StoreResult<Option<u32>> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        Self::open_view(&mut tx, rel, t.episode, t.author).await?;
        let position: Option<(i32,)> = sqlx::query_as(&format!(
            "INSERT INTO episode_turns (episode_id, author_id, position, actor_id, code, \
             valence, intensity, token, created_at) \
             SELECT $3, $2, COALESCE((SELECT MAX(position) FROM episode_turns \
             WHERE episode_id = $3 AND author_id = $2), 0) + 1, $4, $5, $6, $7, $8, $9 \
             WHERE {MEMBER_OF_ACTIVE} AND {MAY_SEE} RETURNING position"
        ))
        .bind(rel.to_string())
        .bind(t.author.to_string())
        .bind(t.episode.to_string())
        .bind(t.actor.to_string())
        .bind(t.code.as_str())
        .bind(t.valence.as_str())
        .bind(i32::from(t.intensity))
        .bind(t.token.as_str())
        .bind(millis(t.created_at))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error("turn_position"))?;
        let Some((position,)) = position else {
            return Ok(None);
        };
        // The packed copy, in the same transaction: a turn that lost the
        // race for its place never reaches it.
        sqlx::query(
            "UPDATE episode_views SET turns = CASE WHEN turns = '' THEN $3 \
             ELSE turns || ',' || $3 END WHERE episode_id = $1 AND author_id = $2",
        )
        .bind(t.episode.to_string())
        .bind(t.author.to_string())
        .bind(t.token.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(Some(u32::try_from(position).map_err(|_| {
            StoreError::Backend(format!("turn position {position}"))
        })?))
    }

    pub(crate) async fn packed_views(
        &self,
        rel: RelationshipId,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<(EpisodeRecord, String)>> {
        let only = if shared_only { " AND v.shared" } else { "" };
        let rows: Vec<PackedRow> = sqlx::query_as(&format!(
            "SELECT e.id, e.recorded_by, e.kind, e.day, e.shared_at, e.created_at, v.turns \
             FROM episode_views v JOIN episodes e ON e.id = v.episode_id \
             WHERE e.relationship_id = $1 AND v.author_id = $2 AND v.turns <> ''{only} \
             ORDER BY e.day, e.created_at, e.id"
        ))
        .bind(rel.to_string())
        .bind(author.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                let episode = EpisodeRow {
                    id: r.id,
                    recorded_by: r.recorded_by,
                    title: None,
                    kind: r.kind,
                    day: r.day,
                    shared_at: r.shared_at,
                    created_at: r.created_at,
                };
                Ok((episode.into_record()?, r.turns))
            })
            .collect()
    }

    pub(crate) async fn remove_last_turn(
        &self,
        rel: RelationshipId,
        episode: uuid::Uuid,
        author: AccountId,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        // The view's row first: on PostgreSQL this locks it against a turn
        // added at the same moment, until the packed copy is rewritten.
        let view = sqlx::query(&format!(
            "UPDATE episode_views SET turns = turns WHERE episode_id = $3 AND author_id = $2 \
             AND {MEMBER_OF_ACTIVE} AND {MAY_SEE}"
        ))
        .bind(rel.to_string())
        .bind(author.to_string())
        .bind(episode.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if view.rows_affected() != 1 {
            return Ok(false);
        }
        let done = sqlx::query(
            "DELETE FROM episode_turns WHERE episode_id = $1 AND author_id = $2 \
             AND position = (SELECT MAX(position) FROM episode_turns \
             WHERE episode_id = $1 AND author_id = $2)",
        )
        .bind(episode.to_string())
        .bind(author.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let tokens: Vec<(String,)> = sqlx::query_as(
            "SELECT token FROM episode_turns WHERE episode_id = $1 AND author_id = $2 \
             ORDER BY position",
        )
        .bind(episode.to_string())
        .bind(author.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let packed = tokens
            .into_iter()
            .map(|(t,)| t)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query("UPDATE episode_views SET turns = $3 WHERE episode_id = $1 AND author_id = $2")
            .bind(episode.to_string())
            .bind(author.to_string())
            .bind(packed)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn set_view_shared(
        &self,
        rel: RelationshipId,
        episode: uuid::Uuid,
        author: AccountId,
        shared: bool,
        reveal: Option<(&str, DateTime<Utc>)>,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        if let Some((title, at)) = reveal {
            // Only the recorder, only the first time: a second share (or a
            // racing one) finds `shared_at` set and leaves the title alone.
            let done = sqlx::query(&format!(
                "UPDATE episodes SET shared_at = $4, title = $5 WHERE id = $3 \
                 AND relationship_id = $1 AND recorded_by = $2 AND shared_at IS NULL \
                 AND {MEMBER_OF_ACTIVE}"
            ))
            .bind(rel.to_string())
            .bind(author.to_string())
            .bind(episode.to_string())
            .bind(millis(at))
            .bind(title)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
        }
        Self::open_view(&mut tx, rel, episode, author).await?;
        let done = sqlx::query(&format!(
            "UPDATE episode_views SET shared = $4 WHERE episode_id = $3 AND author_id = $2 \
             AND {MEMBER_OF_ACTIVE} AND {MAY_SEE}"
        ))
        .bind(rel.to_string())
        .bind(author.to_string())
        .bind(episode.to_string())
        .bind(shared)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn revealed_rounds(
        &self,
        rel: RelationshipId,
        prefix: &str,
    ) -> StoreResult<Vec<(String, RoundRecord<String>)>> {
        let rows: Vec<RevealedSideRow> = sqlx::query_as(
            "SELECT r.kind, r.number, r.started_at, s.account_id, s.answers, s.submitted_at \
             FROM sealed_rounds r JOIN sealed_sides s ON s.round_id = r.id \
             WHERE r.relationship_id = $1 AND substr(r.kind, 1, length($2)) = $2 \
             AND NOT EXISTS (SELECT 1 FROM sealed_sides x WHERE x.round_id = r.id \
             AND x.submitted_at IS NULL) ORDER BY r.kind, r.number, s.position",
        )
        .bind(rel.to_string())
        .bind(prefix)
        .fetch_all(&self.read)
        .await
        .map_err(backend)?;
        let mut rounds = Vec::with_capacity(rows.len() / 2);
        let mut rows = rows.into_iter();
        while let (Some(a), Some(b)) = (rows.next(), rows.next()) {
            if (a.kind.as_str(), a.number) != (b.kind.as_str(), b.number) {
                return Err(StoreError::Backend(format!(
                    "round {} of {} has one side",
                    a.number, a.kind
                )));
            }
            let (kind, number, started_at) = (a.kind.clone(), a.number, a.started_at);
            rounds.push((
                kind,
                RoundRecord {
                    number: u32::try_from(number)
                        .map_err(|_| StoreError::Backend(format!("round number {number}")))?,
                    started_at: time(started_at)?,
                    sides: [a.side()?, b.side()?],
                },
            ));
        }
        Ok(rounds)
    }
}
