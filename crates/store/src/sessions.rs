//! Sessions and API tokens, and the principal behind either credential: the
//! account with all its memberships, read in one statement per request.

use chrono::{DateTime, Utc};
use domain::secret::SecretHash;
use domain::store::{
    Account, Credential, Membership, NewSession, NewToken, Principal, Session, SessionInfo,
    StoreResult, Sweep, TokenInfo, TokenUse,
};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::accounts::account_columns;
use crate::convert::{backend, db_error, millis, role, status, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

const INSERT_SESSION: &str = "INSERT INTO sessions \
     (id, id_hash, account_id, created_at, last_seen_at, device, persistent, sealed_keys) \
     VALUES ($1, $2, $3, $4, $4, $5, $6, $7)";

/// Moves `last_seen_at` forward, unless it was already touched after `$3`.
const TOUCH_SESSION: &str =
    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at <= $3";

const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";

const SESSIONS_OF: &str = "SELECT id, created_at, last_seen_at, device, persistent \
     FROM sessions WHERE account_id = $1 ORDER BY last_seen_at DESC, id";

/// The owner's own session only: an id of someone else's session ends nothing.
const END_SESSION_OF: &str = "DELETE FROM sessions WHERE id = $1 AND account_id = $2";

const END_OTHER_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2";

/// Ordinary sessions idle or too old, and remembered ones past their time.
const SWEEP_SESSIONS: &str = "DELETE FROM sessions WHERE \
     (persistent = $4 AND (last_seen_at < $1 OR created_at < $2)) OR created_at < $3";
const SWEEP_TOKENS: &str = "DELETE FROM api_tokens WHERE expires_at <= $1";
const SWEEP_RESET_LINKS: &str = "DELETE FROM password_resets WHERE expires_at <= $1";
const SWEEP_EVENTS: &str = "DELETE FROM security_events WHERE at < $1";
const SWEEP_HELD_FORMS: &str = "DELETE FROM held_forms WHERE created_at < $1";

const INSERT_TOKEN: &str = "INSERT INTO api_tokens \
     (id, account_id, name, token_hash, created_at, expires_at, sealed_keys) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

const TOKENS_OF: &str = "SELECT id, name, created_at, last_used_at, expires_at \
     FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC, id";

const REVOKE_TOKEN: &str = "DELETE FROM api_tokens WHERE id = $1 AND account_id = $2";

const TOUCH_TOKEN: &str = "UPDATE api_tokens SET last_used_at = $2 \
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)";

/// The principal behind a session: session, the account, and one row per
/// membership (NULLs when there is none), newest membership first.
const PRINCIPAL_BY_SESSION: &str = concat!(
    "SELECT s.id AS credential_id, \
     s.created_at AS session_created_at, s.last_seen_at AS session_last_seen_at, \
     s.persistent AS session_persistent, s.sealed_keys, \
     CAST(NULL AS BIGINT) AS token_expires_at, CAST(NULL AS BIGINT) AS token_last_used_at, ",
    account_columns!(),
    ", m.relationship_id, m.role, r.status, m.joined_at \
     FROM sessions s JOIN accounts a ON a.id = s.account_id \
     LEFT JOIN relationship_members m ON m.account_id = a.id \
     LEFT JOIN relationships r ON r.id = m.relationship_id \
     WHERE s.id_hash = $1 ORDER BY m.joined_at DESC, m.relationship_id"
);

/// The same columns as [`PRINCIPAL_BY_SESSION`] for an API token, whose
/// session columns are NULL.
const PRINCIPAL_BY_TOKEN: &str = concat!(
    "SELECT t.id AS credential_id, \
     CAST(NULL AS BIGINT) AS session_created_at, CAST(NULL AS BIGINT) AS session_last_seen_at, \
     CAST(NULL AS BOOLEAN) AS session_persistent, t.sealed_keys, \
     t.expires_at AS token_expires_at, t.last_used_at AS token_last_used_at, ",
    account_columns!(),
    ", m.relationship_id, m.role, r.status, m.joined_at \
     FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
     LEFT JOIN relationship_members m ON m.account_id = a.id \
     LEFT JOIN relationships r ON r.id = m.relationship_id \
     WHERE t.token_hash = $1 ORDER BY m.joined_at DESC, m.relationship_id"
);

/// One row of [`PRINCIPAL_BY_SESSION`] or [`PRINCIPAL_BY_TOKEN`].
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    created_at: i64,
    last_seen_at: i64,
    device: String,
    persistent: bool,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    name: String,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct PrincipalRow {
    credential_id: String,
    session_created_at: Option<i64>,
    session_last_seen_at: Option<i64>,
    session_persistent: Option<bool>,
    sealed_keys: Option<String>,
    token_expires_at: Option<i64>,
    token_last_used_at: Option<i64>,
    id: String,
    email: String,
    display_name: String,
    password_hash: String,
    created_at: i64,
    has_recovery_code: bool,
    key_by_password: Option<String>,
    key_by_recovery: Option<String>,
    public_key: Option<String>,
    sealed_secret_key: Option<String>,
    kind: String,
    two_factor: bool,
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
    let credential_id = uuid(&first.credential_id)?;
    let session = match (first.session_created_at, first.session_last_seen_at) {
        (Some(created), Some(seen)) => Some(Session {
            id: credential_id,
            account_id: id,
            created_at: time(created)?,
            last_seen_at: time(seen)?,
            persistent: first.session_persistent.unwrap_or(false),
            sealed_keys: first.sealed_keys.clone(),
        }),
        _ => None,
    };
    let token = match first.token_expires_at {
        Some(expires) => Some(TokenUse {
            id: credential_id,
            expires_at: time(expires)?,
            last_used_at: first.token_last_used_at.map(time).transpose()?,
            sealed_keys: first.sealed_keys.clone(),
        }),
        None => None,
    };
    let account = Account {
        id,
        email: first.email,
        display_name: first.display_name,
        password_hash: first.password_hash,
        created_at: time(first.created_at)?,
        has_recovery_code: first.has_recovery_code,
        keys: crate::accounts::stored_keys(
            first.key_by_password,
            first.key_by_recovery,
            first.public_key,
            first.sealed_secret_key,
        ),
        kind: crate::accounts::kind(&first.kind)?,
        two_factor: first.two_factor,
    };
    Ok(Some(Principal {
        account,
        session,
        token,
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
        sqlx::query(INSERT_SESSION)
            .bind(s.id.to_string())
            .bind(s.id_hash.as_str())
            .bind(s.account_id.to_string())
            .bind(millis(s.created_at))
            .bind(&s.device)
            .bind(s.persistent)
            .bind(&s.sealed_keys)
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

    pub(crate) async fn sessions_of(&self, account: AccountId) -> StoreResult<Vec<SessionInfo>> {
        let rows: Vec<SessionRow> = sqlx::query_as(SESSIONS_OF)
            .bind(account.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                Ok(SessionInfo {
                    id: uuid(&r.id)?,
                    created_at: time(r.created_at)?,
                    last_seen_at: time(r.last_seen_at)?,
                    device: r.device,
                    persistent: r.persistent,
                })
            })
            .collect()
    }

    pub(crate) async fn end_session_of(
        &self,
        account: AccountId,
        id: uuid::Uuid,
    ) -> StoreResult<bool> {
        let done = sqlx::query(END_SESSION_OF)
            .bind(id.to_string())
            .bind(account.to_string())
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn end_other_sessions(
        &self,
        account: AccountId,
        keep: &SecretHash,
    ) -> StoreResult<u64> {
        let done = sqlx::query(END_OTHER_SESSIONS)
            .bind(account.to_string())
            .bind(keep.as_str())
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    pub(crate) async fn sweep(&self, sweep: &Sweep) -> StoreResult<u64> {
        let mut removed = sqlx::query(SWEEP_SESSIONS)
            .bind(millis(sweep.idle_before))
            .bind(millis(sweep.started_before))
            .bind(millis(sweep.remembered_before))
            .bind(false)
            .execute(&self.write)
            .await
            .map_err(backend)?
            .rows_affected();
        for (sql, cutoff) in [
            (SWEEP_TOKENS, sweep.now),
            (SWEEP_RESET_LINKS, sweep.now),
            (SWEEP_EVENTS, sweep.events_before),
            (SWEEP_HELD_FORMS, sweep.held_before),
        ] {
            removed += sqlx::query(sql)
                .bind(millis(cutoff))
                .execute(&self.write)
                .await
                .map_err(backend)?
                .rows_affected();
        }
        // SECURITY (R38): old pages of what was deleted leave the WAL (SQLite).
        self.checkpoint().await?;
        Ok(removed)
    }

    pub(crate) async fn insert_token(&self, t: &NewToken) -> StoreResult<()> {
        sqlx::query(INSERT_TOKEN)
            .bind(t.id.to_string())
            .bind(t.account_id.to_string())
            .bind(&t.name)
            .bind(t.token_hash.as_str())
            .bind(millis(t.created_at))
            .bind(millis(t.expires_at))
            .bind(&t.sealed_keys)
            .execute(&self.write)
            .await
            .map_err(db_error("token"))?;
        Ok(())
    }

    pub(crate) async fn tokens_of(&self, account: AccountId) -> StoreResult<Vec<TokenInfo>> {
        let rows: Vec<TokenRow> = sqlx::query_as(TOKENS_OF)
            .bind(account.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: uuid(&r.id)?,
                    name: r.name,
                    created_at: time(r.created_at)?,
                    last_used_at: r.last_used_at.map(time).transpose()?,
                    expires_at: time(r.expires_at)?,
                })
            })
            .collect()
    }

    pub(crate) async fn revoke_token(
        &self,
        account: AccountId,
        id: uuid::Uuid,
    ) -> StoreResult<bool> {
        let done = sqlx::query(REVOKE_TOKEN)
            .bind(id.to_string())
            .bind(account.to_string())
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn touch_token(
        &self,
        id: uuid::Uuid,
        now: DateTime<Utc>,
        unless_after: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(TOUCH_TOKEN)
            .bind(id.to_string())
            .bind(millis(now))
            .bind(millis(unless_after))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
