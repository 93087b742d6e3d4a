//! Accounts and their credentials as the web layer's authentication uses
//! them: create an account, find one to check a password against, keep
//! sessions and tokens. Hashing, cookies and rate limits stay in `web`; this
//! is the store behind them, reachable only through [`App`].

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::error::DomainError;
use crate::ids::AccountId;
use crate::secret::SecretHash;
use crate::store::{Account, Credential, NewAccount, NewSession, NewToken, Principal, StoreError};
use crate::values::Email;

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("email taken")]
    EmailTaken,
    #[error(transparent)]
    Other(#[from] DomainError),
}

pub async fn create(app: &App, account: &NewAccount) -> Result<(), CreateError> {
    match app.store().insert_account(account).await {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(CreateError::EmailTaken),
        Err(other) => Err(CreateError::Other(other.into())),
    }
}

/// The account with this address, to verify a password against.
pub async fn by_email(app: &App, email: &Email) -> Result<Option<Account>, DomainError> {
    Ok(app.store().account_by_email(email).await?)
}

pub async fn by_id(app: &App, id: AccountId) -> Result<Option<Account>, DomainError> {
    Ok(app.store().account_by_id(id).await?)
}

/// The caller behind a credential, with account and memberships, in one read.
pub async fn principal(
    app: &App,
    credential: Credential<'_>,
) -> Result<Option<Principal>, DomainError> {
    Ok(app.store().principal(credential).await?)
}

pub async fn start_session(app: &App, session: &NewSession) -> Result<(), DomainError> {
    Ok(app.store().insert_session(session).await?)
}

pub async fn end_session(app: &App, id_hash: &SecretHash) -> Result<(), DomainError> {
    Ok(app.store().delete_session(id_hash).await?)
}

/// Moves `last_seen_at` to `now` unless it is already later than `unless_after`.
pub async fn touch_session(
    app: &App,
    id_hash: &SecretHash,
    now: DateTime<Utc>,
    unless_after: DateTime<Utc>,
) -> Result<(), DomainError> {
    Ok(app
        .store()
        .touch_session(id_hash, now, unless_after)
        .await?)
}

/// Removes sessions idle since `idle_cutoff` or created before `absolute_cutoff`.
pub async fn sweep_sessions(
    app: &App,
    idle_cutoff: DateTime<Utc>,
    absolute_cutoff: DateTime<Utc>,
) -> Result<u64, DomainError> {
    Ok(app
        .store()
        .delete_stale_sessions(idle_cutoff, absolute_cutoff)
        .await?)
}

pub async fn mint_token(app: &App, token: &NewToken) -> Result<(), DomainError> {
    Ok(app.store().insert_token(token).await?)
}

/// A key the server keeps for itself under `name` (the stored one, or `fresh`).
pub async fn server_secret(app: &App, name: &str, fresh: &str) -> Result<String, DomainError> {
    Ok(app.store().server_secret(name, fresh).await?)
}

/// Answers once the database can serve a query.
pub async fn ping(app: &App) -> Result<(), DomainError> {
    Ok(app.store().ping().await?)
}
