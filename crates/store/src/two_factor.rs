//! Two-step sign-in: an account's authenticator (its sealed TOTP secret,
//! whether it is confirmed, the last time step accepted) and its one-time
//! recovery codes (`domain::two_factor` says why each rule is there).
//!
//! SECURITY: every rule is in the write that relies on it. A code is
//! accepted by the statement that moves `last_step` forward, a recovery
//! code by the one that sets `used_at` while it is NULL, a confirmation
//! only while the secret is still the one checked; a statement that
//! changed nothing is the refusal.

use chrono::{DateTime, Utc};
use domain::secret::SecretHash;
use domain::store::{StoreResult, TwoFactorRecord};
use domain::AccountId;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, millis, time};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

const TWO_FACTOR_OF: &str = "SELECT f.secret, f.created_at, f.confirmed_at, f.last_step, \
     (SELECT COUNT(*) FROM two_factor_recovery_codes c \
      WHERE c.account_id = f.account_id AND c.used_at IS NULL) AS recovery_codes_left \
     FROM two_factor f WHERE f.account_id = $1";

/// A new enrolment, or a fresh secret for one not confirmed yet; a
/// confirmed one is left alone (no row changes: the refusal).
const START: &str =
    "INSERT INTO two_factor (account_id, secret, created_at, confirmed_at, last_step) \
     VALUES ($1, $2, $3, NULL, NULL) \
     ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, \
     created_at = excluded.created_at, last_step = NULL \
     WHERE two_factor.confirmed_at IS NULL";

/// Confirms only the enrolment whose secret the code was checked against,
/// and spends that code's step in the same write.
const CONFIRM: &str = "UPDATE two_factor SET confirmed_at = $4, last_step = $3 \
     WHERE account_id = $1 AND secret = $2 AND confirmed_at IS NULL \
     AND (last_step IS NULL OR last_step < $3)";

const DROP_RECOVERY_CODES: &str = "DELETE FROM two_factor_recovery_codes WHERE account_id = $1";

const INSERT_RECOVERY_CODE: &str = "INSERT INTO two_factor_recovery_codes \
     (account_id, code_hash, created_at, used_at) VALUES ($1, $2, $3, NULL)";

/// The single-use rule of a code: only a later step than the last accepted.
const USE_STEP: &str = "UPDATE two_factor SET last_step = $2 \
     WHERE account_id = $1 AND confirmed_at IS NOT NULL \
     AND (last_step IS NULL OR last_step < $2)";

/// The single-use rule of a recovery code: only while unused, and only
/// while two-step sign-in is on.
const USE_RECOVERY_CODE: &str = "UPDATE two_factor_recovery_codes SET used_at = $3 \
     WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL \
     AND EXISTS (SELECT 1 FROM two_factor f WHERE f.account_id = $1 \
     AND f.confirmed_at IS NOT NULL)";

/// Partners only: a counselor's account keeps its second step whatever
/// the request says.
const REMOVE: &str = "DELETE FROM two_factor WHERE account_id = $1 \
     AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = $1 AND a.kind = 'partner')";

#[derive(sqlx::FromRow)]
struct TwoFactorRow {
    secret: String,
    created_at: i64,
    confirmed_at: Option<i64>,
    last_step: Option<i64>,
    recovery_codes_left: i64,
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
    pub(crate) async fn two_factor_of(
        &self,
        account: AccountId,
    ) -> StoreResult<Option<TwoFactorRecord>> {
        let row: Option<TwoFactorRow> = sqlx::query_as(TWO_FACTOR_OF)
            .bind(account.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        row.map(|r| {
            Ok(TwoFactorRecord {
                secret: r.secret,
                created_at: time(r.created_at)?,
                confirmed_at: r.confirmed_at.map(time).transpose()?,
                last_step: r.last_step,
                recovery_codes_left: u32::try_from(r.recovery_codes_left).unwrap_or(0),
            })
        })
        .transpose()
    }

    pub(crate) async fn start_two_factor(
        &self,
        account: AccountId,
        sealed_secret: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(START)
            .bind(account.to_string())
            .bind(sealed_secret)
            .bind(millis(now))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn confirm_two_factor(
        &self,
        account: AccountId,
        sealed_secret: &str,
        step: i64,
        now: DateTime<Utc>,
        recovery_hashes: &[SecretHash],
    ) -> StoreResult<bool> {
        let id = account.to_string();
        let mut tx = self.write.begin().await.map_err(backend)?;
        let confirmed = sqlx::query(CONFIRM)
            .bind(&id)
            .bind(sealed_secret)
            .bind(step)
            .bind(millis(now))
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        if confirmed != 1 {
            // Dropping the transaction rolls it back: nothing changed.
            return Ok(false);
        }
        sqlx::query(DROP_RECOVERY_CODES)
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for hash in recovery_hashes {
            sqlx::query(INSERT_RECOVERY_CODE)
                .bind(&id)
                .bind(hash.as_str())
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn use_two_factor_step(
        &self,
        account: AccountId,
        step: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(USE_STEP)
            .bind(account.to_string())
            .bind(step)
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn use_two_factor_recovery_code(
        &self,
        account: AccountId,
        code_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(USE_RECOVERY_CODE)
            .bind(account.to_string())
            .bind(code_hash.as_str())
            .bind(millis(now))
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn remove_two_factor(&self, account: AccountId) -> StoreResult<bool> {
        let id = account.to_string();
        let mut tx = self.write.begin().await.map_err(backend)?;
        let removed = sqlx::query(REMOVE)
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        if removed != 1 {
            return Ok(false);
        }
        sqlx::query(DROP_RECOVERY_CODES)
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }
}
