//! The account keys at the moments a person proves who they are (issue 14;
//! `docs/encryption.md`): made at sign-up, opened with the password at
//! sign-in, re-wrapped when the password or the recovery code changes, and
//! locked into a session or token under a secret only its holder has.
//!
//! The argon2id work runs on the password pool ([`Passwords::key_work`]),
//! so key derivations share its concurrency limit and work memory.

use domain::recovery;
use domain::store::{Account, StoredAccountKeys};
use domain::AccountId;
use keys::{AccountKeys, Cost, SessionSecret};

use crate::auth::password::Passwords;
use crate::error::AppError;

/// The cost of the password's wrapping: the same as the password hash.
const PASSWORD_COST: Cost = Cost::INTERACTIVE;

fn failed(err: impl std::fmt::Display) -> AppError {
    AppError::internal().caused_by(err.to_string())
}

/// New keys for a new account, wrapped by its password and recovery code.
pub async fn create(
    passwords: &Passwords,
    account: AccountId,
    password: &str,
    recovery_code: &str,
) -> Result<(AccountKeys, StoredAccountKeys), AppError> {
    let (password, code) = (password.to_owned(), recovery::normalise(recovery_code));
    passwords
        .key_work(move |memory| {
            let keys = AccountKeys::generate();
            let stored = keys.store(
                &account.to_string(),
                &password,
                &code,
                PASSWORD_COST,
                memory,
            )?;
            Ok::<_, keys::KeyError>((keys, stored))
        })
        .await
        .map_err(failed)?
        .map_err(failed)
}

/// The account's keys, opened with the password just verified. An account
/// made before encryption at rest gets its keys now (the one moment its
/// password is at hand), without a recovery-code wrapping until the owner
/// makes a new code.
pub async fn open(
    passwords: &Passwords,
    app: &domain::App,
    account: &Account,
    password: &str,
) -> Result<AccountKeys, AppError> {
    let id = account.id;
    if let Some(stored) = account.keys.clone() {
        return unwrap_with_password(passwords, id, stored, password).await;
    }
    let password_owned = password.to_owned();
    let (keys, stored) = passwords
        .key_work(move |memory| {
            let keys = AccountKeys::generate();
            let mut stored =
                keys.store(&id.to_string(), &password_owned, "", PASSWORD_COST, memory)?;
            // No recovery code is at hand: nothing wraps by it until the
            // owner makes a new one.
            stored.by_recovery_code = String::new();
            Ok::<_, keys::KeyError>((keys, stored))
        })
        .await
        .map_err(failed)?
        .map_err(failed)?;
    if domain::accounts::give_keys(app, id, &stored).await? {
        return Ok(keys);
    }
    // A concurrent sign-in gave the account its keys first: open those.
    let stored = domain::accounts::by_id(app, id)
        .await?
        .and_then(|a| a.keys)
        .ok_or_else(AppError::internal)?;
    unwrap_with_password(passwords, id, stored, password).await
}

async fn unwrap_with_password(
    passwords: &Passwords,
    id: AccountId,
    stored: StoredAccountKeys,
    password: &str,
) -> Result<AccountKeys, AppError> {
    let password = password.to_owned();
    passwords
        .key_work(move |memory| {
            AccountKeys::with_password(&stored, &id.to_string(), &password, memory)
        })
        .await
        .map_err(failed)?
        .map_err(failed)
}

/// The keys wrapped by a new password.
pub async fn rewrap_password(
    passwords: &Passwords,
    keys: &AccountKeys,
    stored: &StoredAccountKeys,
    account: AccountId,
    new_password: &str,
) -> Result<String, AppError> {
    let (keys, stored, new_password) = (keys.clone(), stored.clone(), new_password.to_owned());
    passwords
        .key_work(move |memory| {
            keys.rewrap_password(
                &stored,
                &account.to_string(),
                &new_password,
                PASSWORD_COST,
                memory,
            )
            .map(|s| s.by_password)
        })
        .await
        .map_err(failed)?
        .map_err(failed)
}

/// The keys wrapped by a new recovery code (no stretching: see
/// `keys::Cost::RANDOM_CODE`).
pub fn rewrap_recovery_code(
    keys: &AccountKeys,
    stored: &StoredAccountKeys,
    account: AccountId,
    code: &str,
) -> Result<String, AppError> {
    keys.rewrap_recovery_code(
        stored,
        &account.to_string(),
        &recovery::normalise(code),
        &mut keys::wrap::Memory::new(),
    )
    .map(|s| s.by_recovery_code)
    .map_err(failed)
}

/// Seals the keys into a new session or token row, under a secret derived
/// from the credential the client holds (`row` is the row's id).
pub fn lock(keys: &AccountKeys, credential: &str, row: uuid::Uuid) -> Result<String, AppError> {
    Ok(SessionSecret::of_credential(credential)
        .map_err(failed)?
        .lock(keys, &row.to_string()))
}

/// The keys an account has after a password reset (see
/// `domain::store::ResetKeys`). Whatever the proof, exactly one slow
/// derivation runs (the new password's wrapping), so a wrong code, an
/// unknown address and a right code take the same time (R14).
pub mod reset_keys {
    use domain::store::{Account, ResetKeys, StoredAccountKeys};
    use domain::{recovery, AccountId};
    use keys::AccountKeys;

    use super::{create, failed, rewrap_password, rewrap_recovery_code};
    use crate::error::AppError;
    use crate::state::AppState;

    pub enum Owned {
        Kept {
            by_password: String,
            by_recovery: String,
        },
        Fresh(StoredAccountKeys),
    }

    impl Owned {
        pub fn as_reset(&self) -> ResetKeys<'_> {
            match self {
                Self::Kept {
                    by_password,
                    by_recovery,
                } => ResetKeys::Kept {
                    by_password,
                    by_recovery,
                },
                Self::Fresh(stored) => ResetKeys::Fresh(stored),
            }
        }
    }

    /// With the recovery code: the same keys when the code unwraps them
    /// (nothing is lost); new ones otherwise (an account from before
    /// encryption at rest that never made a new code; or a wrong code, when
    /// the write that checks the code changes nothing anyway).
    pub async fn with_code(
        state: &AppState,
        account: Option<&Account>,
        code: &str,
        new_password: &str,
        next_code: &str,
    ) -> Result<Owned, AppError> {
        let id = account.map_or_else(AccountId::new, |a| a.id);
        let opened = account.and_then(|a| a.keys.as_ref()).and_then(|stored| {
            AccountKeys::with_recovery_code(
                stored,
                &id.to_string(),
                &recovery::normalise(code),
                &mut keys::wrap::Memory::new(),
            )
            .ok()
            .map(|keys| (stored, keys))
        });
        match opened {
            Some((stored, keys)) => Ok(Owned::Kept {
                by_password: rewrap_password(&state.passwords, &keys, stored, id, new_password)
                    .await?,
                by_recovery: rewrap_recovery_code(&keys, stored, id, next_code)?,
            }),
            None => fresh(state, id, new_password, next_code).await,
        }
    }

    /// New keys (an operator's link): texts sealed with the old ones are lost.
    pub async fn fresh(
        state: &AppState,
        id: AccountId,
        new_password: &str,
        next_code: &str,
    ) -> Result<Owned, AppError> {
        let (_, stored) = create(&state.passwords, id, new_password, next_code)
            .await
            .map_err(|e| failed(format!("{e:?}")))?;
        Ok(Owned::Fresh(stored))
    }
}
