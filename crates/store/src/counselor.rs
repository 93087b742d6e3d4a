//! A couple's counselor (issue 18): engagements, each partner's approval,
//! and the private notes to the counselor. Every write carries its rule in
//! its statement (an unrevoked engagement; a member of the active space),
//! so a revocation, an approval and a leave racing each other always end
//! in a state the rules allow.

use domain::secret::SecretHash;
use domain::store::{
    ApprovalRecord, ApprovalWrite, CounselorNote, EngagementJoin, EngagementRecord, NewEngagement,
    StoreResult,
};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// `$1` the space, `$2` the partner: a member of the active space.
const MEMBER_OF_ACTIVE: &str = "EXISTS (SELECT 1 FROM relationships r \
     JOIN relationship_members m ON m.relationship_id = r.id \
     WHERE r.id = $1 AND r.status = 'active' AND m.account_id = $2 AND m.left_at IS NULL)";

/// `$1` the space, `$3` the engagement: one the couple has not revoked.
const UNREVOKED: &str = "EXISTS (SELECT 1 FROM counselor_engagements g \
     WHERE g.id = $3 AND g.relationship_id = $1 AND g.revoked_at IS NULL)";

const COLUMNS: &str = "g.id, g.relationship_id, g.invited_email, g.invited_by, \
     g.code_expires_at, g.wrapped_key, g.counselor_id, a.display_name AS counselor_name, \
     a.public_key AS counselor_public_key, g.sealed_key, g.joined_at, g.created_at, g.revoked_at \
     FROM counselor_engagements g LEFT JOIN accounts a ON a.id = g.counselor_id";

#[derive(sqlx::FromRow)]
struct EngagementRow {
    id: String,
    relationship_id: String,
    invited_email: String,
    invited_by: String,
    code_expires_at: i64,
    wrapped_key: Option<String>,
    counselor_id: Option<String>,
    counselor_name: Option<String>,
    counselor_public_key: Option<String>,
    sealed_key: Option<String>,
    joined_at: Option<i64>,
    created_at: i64,
    revoked_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ApprovalRow {
    engagement_id: String,
    account_id: String,
    categories: String,
    approved_at: i64,
}

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: String,
    engagement_id: String,
    author_id: String,
    note_key: String,
    for_counselor: String,
    for_author: String,
    created_at: i64,
}

fn account(text: &str) -> StoreResult<AccountId> {
    Ok(AccountId(uuid(text)?))
}

fn note(row: NoteRow) -> StoreResult<CounselorNote> {
    Ok(CounselorNote {
        id: uuid(&row.id)?,
        engagement: uuid(&row.engagement_id)?,
        author: account(&row.author_id)?,
        note_key: row.note_key,
        for_counselor: row.for_counselor,
        for_author: row.for_author,
        created_at: time(row.created_at)?,
    })
}

fn engagement(row: EngagementRow) -> StoreResult<EngagementRecord> {
    Ok(EngagementRecord {
        id: uuid(&row.id)?,
        relationship_id: RelationshipId(uuid(&row.relationship_id)?),
        invited_email: row.invited_email,
        invited_by: account(&row.invited_by)?,
        code_expires_at: time(row.code_expires_at)?,
        wrapped_key: row.wrapped_key,
        counselor: row.counselor_id.as_deref().map(account).transpose()?,
        counselor_name: row.counselor_name,
        counselor_public_key: row.counselor_public_key,
        sealed_key: row.sealed_key,
        joined_at: row.joined_at.map(time).transpose()?,
        created_at: time(row.created_at)?,
        revoked_at: row.revoked_at.map(time).transpose()?,
        approvals: Vec::new(),
    })
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
    pub(crate) async fn insert_engagement(&self, e: &NewEngagement) -> StoreResult<bool> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO counselor_engagements (relationship_id, invited_by, id, invited_email, \
             code_hash, code_expires_at, wrapped_key, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE {MEMBER_OF_ACTIVE}"
        ))
        .bind(e.relationship_id.to_string())
        .bind(e.invited_by.to_string())
        .bind(e.id.to_string())
        .bind(&e.invited_email)
        .bind(e.code_hash.as_str())
        .bind(millis(e.code_expires_at))
        .bind(&e.wrapped_key)
        .bind(millis(e.created_at))
        .execute(&mut *tx)
        .await
        .map_err(db_error("counselor_engaged"))?;
        if inserted.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO counselor_approvals (engagement_id, account_id, categories, approved_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(e.id.to_string())
        .bind(e.invited_by.to_string())
        .bind(&e.categories)
        .bind(millis(e.created_at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    /// Engagements with their approvals, read in two statements.
    async fn with_approvals(&self, rows: Vec<EngagementRow>) -> StoreResult<Vec<EngagementRecord>> {
        let mut found = rows
            .into_iter()
            .map(engagement)
            .collect::<StoreResult<Vec<_>>>()?;
        if found.is_empty() {
            return Ok(found);
        }
        let marks = (1..=found.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT engagement_id, account_id, categories, approved_at FROM counselor_approvals \
             WHERE engagement_id IN ({marks}) ORDER BY approved_at, account_id"
        );
        let mut query = sqlx::query_as::<_, ApprovalRow>(&sql);
        for e in &found {
            query = query.bind(e.id.to_string());
        }
        let approvals = query.fetch_all(&self.read).await.map_err(backend)?;
        for row in approvals {
            let id = uuid(&row.engagement_id)?;
            if let Some(e) = found.iter_mut().find(|e| e.id == id) {
                e.approvals.push(ApprovalRecord {
                    account: account(&row.account_id)?,
                    categories: row.categories,
                    approved_at: time(row.approved_at)?,
                });
            }
        }
        Ok(found)
    }

    pub(crate) async fn open_engagement(
        &self,
        rel: RelationshipId,
    ) -> StoreResult<Option<EngagementRecord>> {
        let rows: Vec<EngagementRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} WHERE g.relationship_id = $1 AND g.revoked_at IS NULL"
        ))
        .bind(rel.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(backend)?;
        Ok(self.with_approvals(rows).await?.pop())
    }

    pub(crate) async fn engagement_by_code(
        &self,
        code_hash: &SecretHash,
    ) -> StoreResult<Option<EngagementRecord>> {
        let rows: Vec<EngagementRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} WHERE g.code_hash = $1 AND g.revoked_at IS NULL"
        ))
        .bind(code_hash.as_str())
        .fetch_all(&self.read)
        .await
        .map_err(backend)?;
        Ok(self.with_approvals(rows).await?.pop())
    }

    pub(crate) async fn join_engagement(&self, j: &EngagementJoin<'_>) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE counselor_engagements SET counselor_id = $2, sealed_key = $3, joined_at = $4, \
             code_hash = NULL, wrapped_key = NULL \
             WHERE code_hash = $1 AND revoked_at IS NULL AND counselor_id IS NULL \
             AND code_expires_at > $4 AND invited_email = $5 \
             AND EXISTS (SELECT 1 FROM relationships r \
                 WHERE r.id = counselor_engagements.relationship_id AND r.status = 'active')",
        )
        .bind(j.code_hash.as_str())
        .bind(j.counselor.to_string())
        .bind(j.sealed_key)
        .bind(millis(j.at))
        .bind(j.email)
        .execute(&self.write)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn approve_engagement(&self, a: &ApprovalWrite<'_>) -> StoreResult<bool> {
        let done = sqlx::query(&format!(
            "INSERT INTO counselor_approvals (engagement_id, account_id, categories, approved_at) \
             SELECT $3, $2, $4, $5 WHERE {MEMBER_OF_ACTIVE} AND {UNREVOKED}"
        ))
        .bind(a.rel.to_string())
        .bind(a.account.to_string())
        .bind(a.engagement.to_string())
        .bind(a.categories)
        .bind(millis(a.at))
        .execute(&self.write)
        .await
        .map_err(db_error("already_approved"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn renew_engagement(&self, a: &ApprovalWrite<'_>) -> StoreResult<bool> {
        let done = sqlx::query(&format!(
            "UPDATE counselor_approvals SET categories = $4, approved_at = $5 \
             WHERE engagement_id = $3 AND account_id = $2 AND {MEMBER_OF_ACTIVE} AND {UNREVOKED}"
        ))
        .bind(a.rel.to_string())
        .bind(a.account.to_string())
        .bind(a.engagement.to_string())
        .bind(a.categories)
        .bind(millis(a.at))
        .execute(&self.write)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn revoke_engagement(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
        by: AccountId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        // A member who is still in the space (open or not: a leave ends
        // the engagement anyway) revokes; the counselor's copy of the
        // couple's key and any unspent code go in the same statement.
        let done = sqlx::query(
            "UPDATE counselor_engagements SET revoked_at = $4, revoked_by = $2, \
             sealed_key = NULL, code_hash = NULL, wrapped_key = NULL \
             WHERE id = $3 AND relationship_id = $1 AND revoked_at IS NULL \
             AND EXISTS (SELECT 1 FROM relationship_members m \
                 WHERE m.relationship_id = $1 AND m.account_id = $2)",
        )
        .bind(rel.to_string())
        .bind(by.to_string())
        .bind(id.to_string())
        .bind(millis(at))
        .execute(&self.write)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn engagements_of_counselor(
        &self,
        counselor: AccountId,
    ) -> StoreResult<Vec<EngagementRecord>> {
        let rows: Vec<EngagementRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} WHERE g.counselor_id = $1 AND g.revoked_at IS NULL \
             ORDER BY g.joined_at, g.id"
        ))
        .bind(counselor.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(backend)?;
        self.with_approvals(rows).await
    }

    pub(crate) async fn insert_counselor_note(&self, n: &CounselorNote) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO counselor_notes (id, engagement_id, author_id, note_key, for_counselor, \
             for_author, created_at) SELECT $1, $2, $3, $4, $5, $6, $7 \
             WHERE EXISTS (SELECT 1 FROM counselor_engagements g \
                 JOIN relationships r ON r.id = g.relationship_id \
                 JOIN relationship_members m ON m.relationship_id = r.id \
                 WHERE g.id = $2 AND g.revoked_at IS NULL AND g.counselor_id IS NOT NULL \
                 AND r.status = 'active' AND m.account_id = $3 AND m.left_at IS NULL)",
        )
        .bind(n.id.to_string())
        .bind(n.engagement.to_string())
        .bind(n.author.to_string())
        .bind(&n.note_key)
        .bind(&n.for_counselor)
        .bind(&n.for_author)
        .bind(millis(n.created_at))
        .execute(&self.write)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn counselor_notes(
        &self,
        engagement: uuid::Uuid,
        author: Option<AccountId>,
    ) -> StoreResult<Vec<CounselorNote>> {
        let rows: Vec<NoteRow> = sqlx::query_as(
            "SELECT id, engagement_id, author_id, note_key, for_counselor, for_author, created_at \
             FROM counselor_notes WHERE engagement_id = $1 AND ($2 IS NULL OR author_id = $2) \
             ORDER BY created_at, id",
        )
        .bind(engagement.to_string())
        .bind(author.map(|a| a.to_string()))
        .fetch_all(&self.read)
        .await
        .map_err(backend)?;
        rows.into_iter().map(note).collect()
    }

    pub(crate) async fn counselor_notes_by(
        &self,
        rel: RelationshipId,
        author: AccountId,
    ) -> StoreResult<Vec<CounselorNote>> {
        let rows: Vec<NoteRow> = sqlx::query_as(
            "SELECT n.id, n.engagement_id, n.author_id, n.note_key, n.for_counselor, \
             n.for_author, n.created_at FROM counselor_notes n \
             JOIN counselor_engagements g ON g.id = n.engagement_id \
             WHERE g.relationship_id = $1 AND n.author_id = $2 ORDER BY n.created_at, n.id",
        )
        .bind(rel.to_string())
        .bind(author.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(backend)?;
        rows.into_iter().map(note).collect()
    }
}
