//! Accounts: creating one, and finding one by email address or by id.

use domain::accounts::AccountKind;
use domain::store::{Account, NewAccount, StoreError, StoreResult, StoredAccountKeys};
use domain::values::Email;
use domain::AccountId;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

const INSERT: &str = "INSERT INTO accounts (id, email, display_name, password_hash, \
     created_at, recovery_hash, key_by_password, key_by_recovery, public_key, sealed_secret_key, \
     kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// The columns every read of an account takes, from `accounts a`
/// (`sessions.rs` reads the same beside the credential). Whether two-step
/// sign-in is on comes along, so `GET /me` and the counselor gate
/// (`domain::two_factor::ready`) stay one query.
macro_rules! account_columns {
    () => {
        "a.id, a.email, a.display_name, a.password_hash, a.created_at, \
         a.recovery_hash IS NOT NULL AS has_recovery_code, \
         a.key_by_password, a.key_by_recovery, a.public_key, a.sealed_secret_key, a.kind, \
         EXISTS (SELECT 1 FROM two_factor f WHERE f.account_id = a.id \
         AND f.confirmed_at IS NOT NULL) AS two_factor"
    };
}
pub(crate) use account_columns;

const BY_EMAIL: &str = concat!(
    "SELECT ",
    account_columns!(),
    " FROM accounts a WHERE a.email = $1"
);

const BY_ID: &str = concat!(
    "SELECT ",
    account_columns!(),
    " FROM accounts a WHERE a.id = $1"
);

/// Keys for an account made before encryption at rest: only while it has none.
const SET_KEYS: &str = "UPDATE accounts SET key_by_password = $2, key_by_recovery = $3, \
     public_key = $4, sealed_secret_key = $5 WHERE id = $1 AND public_key IS NULL";

#[derive(sqlx::FromRow)]
struct AccountRow {
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
}

pub(crate) fn kind(text: &str) -> StoreResult<AccountKind> {
    AccountKind::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown account kind {text}")))
}

/// The stored keys, when the account has them (all four or none; a key
/// made before the recovery code could wrap it is stored as empty).
pub(crate) fn stored_keys(
    by_password: Option<String>,
    by_recovery: Option<String>,
    public_key: Option<String>,
    sealed_secret_key: Option<String>,
) -> Option<StoredAccountKeys> {
    Some(StoredAccountKeys {
        by_password: by_password?,
        by_recovery_code: by_recovery.unwrap_or_default(),
        public_key: public_key?,
        sealed_secret_key: sealed_secret_key?,
    })
}

impl AccountRow {
    fn into_account(self) -> StoreResult<Account> {
        Ok(Account {
            id: AccountId(uuid(&self.id)?),
            email: self.email,
            display_name: self.display_name,
            password_hash: self.password_hash,
            created_at: time(self.created_at)?,
            has_recovery_code: self.has_recovery_code,
            keys: stored_keys(
                self.key_by_password,
                self.key_by_recovery,
                self.public_key,
                self.sealed_secret_key,
            ),
            kind: kind(&self.kind)?,
            two_factor: self.two_factor,
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
    /// A taken email address is `Conflict("email")`.
    pub(crate) async fn insert_account(&self, a: &NewAccount) -> StoreResult<()> {
        sqlx::query(INSERT)
            .bind(a.id.to_string())
            .bind(a.email.as_str())
            .bind(&a.display_name)
            .bind(&a.password_hash)
            .bind(millis(a.created_at))
            .bind(a.recovery_hash.as_str())
            .bind(&a.keys.by_password)
            .bind(&a.keys.by_recovery_code)
            .bind(&a.keys.public_key)
            .bind(&a.keys.sealed_secret_key)
            .bind(a.kind.as_str())
            .execute(&self.write)
            .await
            .map_err(db_error("email"))?;
        Ok(())
    }

    pub(crate) async fn set_account_keys(
        &self,
        account: AccountId,
        keys: &StoredAccountKeys,
    ) -> StoreResult<bool> {
        let done = sqlx::query(SET_KEYS)
            .bind(account.to_string())
            .bind(&keys.by_password)
            .bind(&keys.by_recovery_code)
            .bind(&keys.public_key)
            .bind(&keys.sealed_secret_key)
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn account_by_email(&self, email: &Email) -> StoreResult<Option<Account>> {
        let row: Option<AccountRow> = sqlx::query_as(BY_EMAIL)
            .bind(email.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        row.map(AccountRow::into_account).transpose()
    }

    pub(crate) async fn account_by_id(&self, id: AccountId) -> StoreResult<Option<Account>> {
        let row: Option<AccountRow> = sqlx::query_as(BY_ID)
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        row.map(AccountRow::into_account).transpose()
    }
}
