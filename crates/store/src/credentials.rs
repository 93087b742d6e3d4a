//! Passwords and recovery: changing a password, resetting a forgotten one
//! with the recovery code or an operator's one-time link, and what ends with
//! the old password (sessions and tokens), all in one transaction.

use chrono::{DateTime, Utc};
use domain::secret::SecretHash;
use domain::store::{PasswordChange, ResetKeys, ResetProof, StoreResult};
use domain::AccountId;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, millis, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// The rule is in the WHERE: the password changes only if the hash the
/// current password was checked against is still the stored one.
/// The data key is re-wrapped by the new password in the same statement.
const CHANGE_PASSWORD: &str = "UPDATE accounts SET password_hash = $3, \
     key_by_password = COALESCE($4, key_by_password) WHERE id = $1 AND password_hash = $2";

/// The recovery code is used up by the same statement that uses it.
const RESET_BY_CODE: &str = "UPDATE accounts SET password_hash = $3, recovery_hash = $4 \
     WHERE email = $1 AND recovery_hash = $2 RETURNING id";

/// The same keys, wrapped by the new password and the next recovery code.
const REWRAP_KEYS: &str =
    "UPDATE accounts SET key_by_password = $2, key_by_recovery = $3 WHERE id = $1";

/// New keys after an operator's reset.
const REPLACE_KEYS: &str = "UPDATE accounts SET key_by_password = $2, key_by_recovery = $3, \
     public_key = $4, sealed_secret_key = $5 WHERE id = $1";

/// Relationship keys sealed to the old public key open no more: dropped,
/// for the partner to seal again to the new one (`Store::give_relationship_key`).
const DROP_RELATIONSHIP_KEYS: &str =
    "UPDATE relationship_members SET sealed_key = NULL WHERE account_id = $1";

/// Drafts were sealed with the old data key: unreadable now, so removed.
const DROP_DRAFTS: &str =
    "UPDATE sealed_sides SET answers = NULL WHERE account_id = $1 AND submitted_at IS NULL";

/// Reflections were sealed with the old data key too.
const DROP_REFLECTIONS: &str = "DELETE FROM reflections WHERE author_id = $1";

/// The authenticator's secret was sealed with the old data key too: it
/// opens no more, so two-step sign-in goes with it (a counselor sets it up
/// again before reading anything; `domain::two_factor::ready`).
const DROP_TWO_FACTOR: &str = "DELETE FROM two_factor WHERE account_id = $1";
const DROP_TWO_FACTOR_CODES: &str = "DELETE FROM two_factor_recovery_codes WHERE account_id = $1";

/// A link works once and only before it expires.
const TAKE_RESET_LINK: &str =
    "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2 RETURNING account_id";

const RESET_LINK_OWNER: &str =
    "SELECT account_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2";

const SET_PASSWORD: &str = "UPDATE accounts SET password_hash = $2 WHERE id = $1";

const SET_RECOVERY: &str = "UPDATE accounts SET recovery_hash = $2, \
     key_by_recovery = COALESCE($3, key_by_recovery) WHERE id = $1";

const DELETE_RESET_LINKS: &str = "DELETE FROM password_resets WHERE account_id = $1";

const INSERT_RESET_LINK: &str = "INSERT INTO password_resets \
     (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";

/// Every session but the one kept (an empty hash keeps none).
const END_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2";

const END_TOKENS: &str = "DELETE FROM api_tokens WHERE account_id = $1";

/// Ends every session of the account but the one whose hash is `keep`, and
/// every token, inside the caller's transaction.
async fn end_credentials<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    account: &str,
    keep: &str,
) -> StoreResult<()>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
{
    sqlx::query(END_SESSIONS)
        .bind(account)
        .bind(keep)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    sqlx::query(END_TOKENS)
        .bind(account)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
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
    pub(crate) async fn change_password(&self, c: &PasswordChange<'_>) -> StoreResult<bool> {
        let account = c.account_id.to_string();
        let mut tx = self.write.begin().await.map_err(backend)?;
        let changed = sqlx::query(CHANGE_PASSWORD)
            .bind(&account)
            .bind(c.expected_hash)
            .bind(c.new_hash)
            .bind(c.new_key_by_password)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        end_credentials(&mut tx, &account, c.keep_session.as_str()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn reset_password(
        &self,
        proof: &ResetProof<'_>,
        new_hash: &str,
        keys: &ResetKeys<'_>,
    ) -> StoreResult<Option<AccountId>> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        let account: Option<String> = match proof {
            ResetProof::RecoveryCode {
                email,
                code_hash,
                next_code_hash,
            } => sqlx::query_scalar(RESET_BY_CODE)
                .bind(*email)
                .bind(code_hash.as_str())
                .bind(new_hash)
                .bind(next_code_hash.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?,
            ResetProof::Link { token_hash, now } => {
                let account: Option<String> = sqlx::query_scalar(TAKE_RESET_LINK)
                    .bind(token_hash.as_str())
                    .bind(millis(*now))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
                if let Some(id) = &account {
                    sqlx::query(SET_PASSWORD)
                        .bind(id)
                        .bind(new_hash)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                account
            }
        };
        let Some(account) = account else {
            return Ok(None);
        };
        match keys {
            ResetKeys::Kept {
                by_password,
                by_recovery,
            } => {
                sqlx::query(REWRAP_KEYS)
                    .bind(&account)
                    .bind(*by_password)
                    .bind(*by_recovery)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            ResetKeys::Fresh(fresh) => {
                sqlx::query(REPLACE_KEYS)
                    .bind(&account)
                    .bind(&fresh.by_password)
                    .bind(&fresh.by_recovery_code)
                    .bind(&fresh.public_key)
                    .bind(&fresh.sealed_secret_key)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                for sql in [
                    DROP_RELATIONSHIP_KEYS,
                    DROP_DRAFTS,
                    DROP_REFLECTIONS,
                    DROP_TWO_FACTOR,
                    DROP_TWO_FACTOR_CODES,
                ] {
                    sqlx::query(sql)
                        .bind(&account)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
            }
        }
        end_credentials(&mut tx, &account, "").await?;
        tx.commit().await.map_err(backend)?;
        Ok(Some(AccountId(uuid(&account)?)))
    }

    pub(crate) async fn set_recovery_code(
        &self,
        account: AccountId,
        code_hash: &SecretHash,
        key_by_recovery: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(SET_RECOVERY)
            .bind(account.to_string())
            .bind(code_hash.as_str())
            .bind(key_by_recovery)
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(())
    }

    pub(crate) async fn reset_link_owner(
        &self,
        token_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<AccountId>> {
        let owner: Option<String> = sqlx::query_scalar(RESET_LINK_OWNER)
            .bind(token_hash.as_str())
            .bind(millis(now))
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        owner.map(|id| Ok(AccountId(uuid(&id)?))).transpose()
    }

    pub(crate) async fn insert_reset_link(
        &self,
        account: AccountId,
        token_hash: &SecretHash,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let account = account.to_string();
        let mut tx = self.write.begin().await.map_err(backend)?;
        sqlx::query(DELETE_RESET_LINKS)
            .bind(&account)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(INSERT_RESET_LINK)
            .bind(token_hash.as_str())
            .bind(&account)
            .bind(millis(created_at))
            .bind(millis(expires_at))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }
}
