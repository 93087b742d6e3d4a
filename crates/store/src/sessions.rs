//! Sessions and API tokens, and the principal behind either credential: the
//! account with all its memberships, read in one statement per request.

use chrono::{DateTime, Utc};
use domain::secret::SecretHash;
use domain::store::{
    Account, Credential, Membership, NewSession, NewToken, Principal, Session, StoreResult,
};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, role, status, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

const INSERT_SESSION: &str =
    "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at) \
     VALUES ($1, $2, $3, $4)";

/// Moves `last_seen_at` forward, unless it was already touched after `$3`.
const TOUCH_SESSION: &str =
    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at <= $3";

const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";

/// Idle for too long, or too old however active.
const DELETE_STALE_SESSIONS: &str =
    "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2";

const INSERT_TOKEN: &str = "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at) \
     VALUES ($1, $2, $3, $4, $5)";

/// The principal behind a session: session times, the account, and one row
/// per membership (NULLs when there is none), newest membership first.
const PRINCIPAL_BY_SESSION: &str = "SELECT s.created_at AS session_created_at, \
     s.last_seen_at AS session_last_seen_at, a.id, a.email, a.display_name, a.password_hash, \
     a.created_at, m.relationship_id, m.role, r.status, m.joined_at \
     FROM sessions s JOIN accounts a ON a.id = s.account_id \
     LEFT JOIN relationship_members m ON m.account_id = a.id \
     LEFT JOIN relationships r ON r.id = m.relationship_id \
     WHERE s.id_hash = $1 ORDER BY m.joined_at DESC, m.relationship_id";

/// The same columns as [`PRINCIPAL_BY_SESSION`] for an API token, whose
/// session times are NULL.
const PRINCIPAL_BY_TOKEN: &str = "SELECT CAST(NULL AS BIGINT) AS session_created_at, \
     CAST(NULL AS BIGINT) AS session_last_seen_at, a.id, a.email, a.display_name, \
     a.password_hash, a.created_at, m.relationship_id, m.role, r.status, m.joined_at \
     FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
     LEFT JOIN relationship_members m ON m.account_id = a.id \
     LEFT JOIN relationships r ON r.id = m.relationship_id \
     WHERE t.token_hash = $1 ORDER BY m.joined_at DESC, m.relationship_id";

/// One row of [`PRINCIPAL_BY_SESSION`] or [`PRINCIPAL_BY_TOKEN`].
#[derive(sqlx::FromRow)]
struct PrincipalRow {
    session_created_at: Option<i64>,
    session_last_seen_at: Option<i64>,
    id: String,
    email: String,
    display_name: String,
    password_hash: String,
    created_at: i64,
    relationship_id: Option<String>,
    role: Option<String>,
    status: Option<String>,
    joined_at: Option<i64>,
}

impl PrincipalRow {
    /// The membership this row carries, if the account has any.
    fn membership(&self) -> StoreResult<Option<Membership>> {
        let (Some(rel), Some(role_text), Some(status_text), Some(joined)) = (
            &self.relationship_id,
            &self.role,
            &self.status,
            self.joined_at,
        ) else {
            return Ok(None);
        };
        Ok(Some(Membership {
            relationship_id: RelationshipId(uuid(rel)?),
            role: role(role_text)?,
            status: status(status_text)?,
            joined_at: time(joined)?,
        }))
    }
}

/// Folds the rows of one principal (all carry the same account).
fn principal(rows: Vec<PrincipalRow>) -> StoreResult<Option<Principal>> {
    let memberships = rows
        .iter()
        .filter_map(|row| row.membership().transpose())
        .collect::<StoreResult<Vec<_>>>()?;
    let Some(first) = rows.into_iter().next() else {
        return Ok(None);
    };
    let id = AccountId(uuid(&first.id)?);
    let session = match (first.session_created_at, first.session_last_seen_at) {
        (Some(created), Some(seen)) => Some(Session {
            account_id: id,
            created_at: time(created)?,
            last_seen_at: time(seen)?,
        }),
        _ => None,
    };
    let account = Account {
        id,
        email: first.email,
        display_name: first.display_name,
        password_hash: first.password_hash,
        created_at: time(first.created_at)?,
    };
    Ok(Some(Principal {
        account,
        session,
        memberships,
    }))
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
    pub(crate) async fn insert_session(&self, s: &NewSession) -> StoreResult<()> {
        let at = millis(s.created_at);
        sqlx::query(INSERT_SESSION)
            .bind(s.id_hash.as_str())
            .bind(s.account_id.to_string())
            .bind(at)
            .bind(at)
            .execute(&self.write)
            .await
            .map_err(db_error("session"))?;
        Ok(())
    }

    pub(crate) async fn touch_session(
        &self,
        id_hash: &SecretHash,
        now: DateTime<Utc>,
        unless_after: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(TOUCH_SESSION)
            .bind(id_hash.as_str())
            .bind(millis(now))
            .bind(millis(unless_after))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(())
    }

    pub(crate) async fn principal(
        &self,
        credential: Credential<'_>,
    ) -> StoreResult<Option<Principal>> {
        let (sql, hash) = match credential {
            Credential::Session(h) => (PRINCIPAL_BY_SESSION, h),
            Credential::Token(h) => (PRINCIPAL_BY_TOKEN, h),
        };
        let rows: Vec<PrincipalRow> = sqlx::query_as(sql)
            .bind(hash.as_str())
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        principal(rows)
    }

    pub(crate) async fn delete_session(&self, id_hash: &SecretHash) -> StoreResult<()> {
        sqlx::query(DELETE_SESSION)
            .bind(id_hash.as_str())
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(())
    }

    pub(crate) async fn delete_stale_sessions(
        &self,
        idle_cutoff: DateTime<Utc>,
        absolute_cutoff: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let done = sqlx::query(DELETE_STALE_SESSIONS)
            .bind(millis(idle_cutoff))
            .bind(millis(absolute_cutoff))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    pub(crate) async fn insert_token(&self, t: &NewToken) -> StoreResult<()> {
        sqlx::query(INSERT_TOKEN)
            .bind(t.id.to_string())
            .bind(t.account_id.to_string())
            .bind(&t.name)
            .bind(t.token_hash.as_str())
            .bind(millis(t.created_at))
            .execute(&self.write)
            .await
            .map_err(db_error("token"))?;
        Ok(())
    }
}
