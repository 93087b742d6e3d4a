//! Changing what proves an account is yours: the password (changed with the
//! current one, or reset with the recovery code or an operator's link), the
//! recovery code, and personal API tokens. Each needs the password again
//! (SECURITY.md R20), and each is recorded for the owner (R16).

use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use domain::accounts::TokenLifetime;
use domain::recovery::{self, RecoveryCode};
use domain::secret::{Secret, SecretHash};
use domain::store::{NewToken, PasswordChange, ResetProof, SecurityEventKind, TokenInfo};
use domain::values::{Email, Password, PasswordContext, TokenName};
use domain::{Checks, FieldError};

use crate::auth::account_keys::{self, reset_keys};
use crate::auth::client::ClientAddr;
use crate::auth::events;
use crate::auth::rate_limit::Rate;
use crate::auth::service::take_all;
use crate::auth::session::{Authenticated, Credential};
use crate::error::AppError;
use crate::state::AppState;

/// Re-entering the password, for one account, from any device.
const REAUTH: Rate = Rate::new(10, 60);

/// A new password for the account with this e-mail and name, named `field`
/// in errors (`password` at sign-up, `new_password` elsewhere). The address
/// may be as typed, even one refused (the words are trimmed and lower-cased
/// when compared), so that a form refusing it still judges the password.
pub fn new_password(
    raw: &str,
    field: &'static str,
    email: &str,
    display_name: &str,
) -> Result<Password, FieldError> {
    let context = PasswordContext {
        email,
        display_name,
    };
    Password::choose(raw, &context).map_err(|err| FieldError { field, ..err })
}

fn wrong_password(field: &'static str) -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        "wrong_password",
        "That isn't your current password.",
    )
    .with_field(field)
}

/// Checks the caller's password again before a sensitive change (R20),
/// at a pace that makes guessing it from an unlocked browser hopeless.
pub async fn reauthenticate(
    state: &AppState,
    caller: &Authenticated,
    password: &str,
    field: &'static str,
) -> Result<(), AppError> {
    take_all(state, &[(format!("reauth:{}", caller.account_id), REAUTH)])?;
    let ok = state
        .passwords
        .verify(
            password.to_owned(),
            Some(caller.account.password_hash.clone()),
        )
        .await
        .map_err(|e| AppError::internal().caused_by(e))?;
    if ok {
        Ok(())
    } else {
        Err(wrong_password(field))
    }
}

/// A new personal API token, its secret shown once. Only a person with a
/// session and the password mints one: a token cannot mint another, so a
/// leaked token cannot make itself permanent (R17).
pub async fn create_token(
    state: &AppState,
    caller: &Authenticated,
    client: &ClientAddr,
    headers: &HeaderMap,
    request: TokenRequest<'_>,
) -> Result<(Secret, TokenInfo), AppError> {
    if matches!(caller.credential, Credential::Token(_)) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "token_cannot_mint",
            "A token cannot create tokens. Sign in with your password to make one.",
        ));
    }
    // Both fields are checked, so the form names each one to fix at once.
    let mut checks = Checks::new();
    let name = checks.field(TokenName::parse(request.name));
    let lifetime = checks.field(TokenLifetime::days(request.expires_in_days));
    let (name, lifetime) = checks.done((name, lifetime))?;
    reauthenticate(state, caller, request.password, "password").await?;
    let token = Secret::generate("rcp_");
    let now = Utc::now();
    let id = uuid::Uuid::new_v4();
    let new = NewToken {
        id,
        account_id: caller.account_id,
        name: name.as_str().to_owned(),
        token_hash: token.hash(),
        created_at: now,
        expires_at: lifetime.expires_at(now),
        sealed_keys: account_keys::lock(caller.me.account_keys()?, token.expose(), id)?,
    };
    domain::accounts::mint_token(&state.app, &caller.me, &new).await?;
    events::record(
        state,
        caller.account_id,
        SecurityEventKind::TokenCreated,
        client,
        headers,
    )
    .await;
    let info = TokenInfo {
        id: new.id,
        name: new.name,
        created_at: now,
        last_used_at: None,
        expires_at: new.expires_at,
    };
    Ok((token, info))
}

pub struct TokenRequest<'a> {
    pub name: &'a str,
    pub password: &'a str,
    pub expires_in_days: Option<i64>,
}

pub async fn revoke_token(
    state: &AppState,
    caller: &Authenticated,
    client: &ClientAddr,
    headers: &HeaderMap,
    id: uuid::Uuid,
) -> Result<(), AppError> {
    domain::accounts::revoke_token(&state.app, caller.account_id, id).await?;
    events::record(
        state,
        caller.account_id,
        SecurityEventKind::TokenRevoked,
        client,
        headers,
    )
    .await;
    Ok(())
}

/// Signs one of the caller's own devices out; anyone else's session id is
/// not found.
pub async fn end_session(
    state: &AppState,
    caller: &Authenticated,
    client: &ClientAddr,
    headers: &HeaderMap,
    id: uuid::Uuid,
) -> Result<(), AppError> {
    domain::accounts::end_session_of(&state.app, caller.account_id, id).await?;
    events::record(
        state,
        caller.account_id,
        SecurityEventKind::SessionEnded,
        client,
        headers,
    )
    .await;
    Ok(())
}

/// "Sign out everywhere else": every session of the caller but the current
/// one (called with a token, every session).
pub async fn end_other_sessions(
    state: &AppState,
    caller: &Authenticated,
    client: &ClientAddr,
    headers: &HeaderMap,
) -> Result<(), AppError> {
    let keep = require_session(caller, "Sign out your other devices")?;
    domain::accounts::end_other_sessions(&state.app, caller.account_id, keep).await?;
    events::record(
        state,
        caller.account_id,
        SecurityEventKind::OtherSessionsEnded,
        client,
        headers,
    )
    .await;
    Ok(())
}

/// The caller's session, or 403 `session_required` for a token.
///
/// SECURITY: what decides who can get into the account (the password, the
/// recovery code, signing the owner's other devices out) is changed from a
/// signed-in browser only. A token is a script's key: one that leaks must
/// not lock the owner out or take the account over. These routes are
/// documented session-only in the OpenAPI document.
pub(crate) fn require_session<'a>(
    caller: &'a Authenticated,
    doing: &str,
) -> Result<&'a SecretHash, AppError> {
    caller.session_hash().ok_or_else(|| {
        AppError::new(
            StatusCode::FORBIDDEN,
            "session_required",
            format!("{doing} from a signed-in browser, not with a token."),
        )
    })
}

/// Changes the password with the current one. Every other session and
/// every token ends; the session that asked stays (a token cannot ask).
pub async fn change_password(
    state: &AppState,
    caller: &Authenticated,
    client: &ClientAddr,
    headers: &HeaderMap,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let session = require_session(caller, "Change your password")?;
    let account = &caller.account;
    let password = new_password(new, "new_password", &account.email, &account.display_name)?;
    reauthenticate(state, caller, current, "current_password").await?;
    let new_hash = state
        .passwords
        .hash(password.expose().to_owned())
        .await
        .map_err(|e| AppError::internal().caused_by(e))?;
    let new_key = match &caller.account.keys {
        Some(stored) => Some(
            account_keys::rewrap_password(
                &state.passwords,
                caller.me.account_keys()?,
                stored,
                caller.account_id,
                password.expose(),
            )
            .await?,
        ),
        None => None,
    };
    domain::accounts::change_password(
        &state.app,
        &PasswordChange {
            account_id: caller.account_id,
            expected_hash: &caller.account.password_hash,
            new_hash: &new_hash,
            new_key_by_password: new_key.as_deref(),
            keep_session: session,
        },
    )
    .await?;
    events::record(
        state,
        caller.account_id,
        SecurityEventKind::PasswordChanged,
        client,
        headers,
    )
    .await;
    Ok(())
}

/// A new recovery code replacing the old one, shown once.
pub async fn new_recovery_code(
    state: &AppState,
    caller: &Authenticated,
    client: &ClientAddr,
    headers: &HeaderMap,
    password: &str,
) -> Result<RecoveryCode, AppError> {
    // A recovery code resets the password, so it is guarded like it.
    require_session(caller, "Make a new recovery code")?;
    reauthenticate(state, caller, password, "password").await?;
    let code = RecoveryCode::generate();
    let key = match &caller.account.keys {
        Some(stored) => Some(account_keys::rewrap_recovery_code(
            caller.me.account_keys()?,
            stored,
            caller.account_id,
            code.expose(),
        )?),
        None => None,
    };
    domain::accounts::set_recovery_code(
        &state.app,
        caller.account_id,
        &code.hash(),
        key.as_deref(),
    )
    .await?;
    events::record(
        state,
        caller.account_id,
        SecurityEventKind::RecoveryCodeCreated,
        client,
        headers,
    )
    .await;
    Ok(code)
}

/// How a locked-out person proves the account is theirs.
pub enum ResetWith<'a> {
    RecoveryCode { email: &'a str, code: &'a str },
    Link { token: &'a str },
}

pub fn invalid_reset() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_recovery",
        "That doesn't match. Check the code (or ask for a new link) and try again.",
    )
}

/// Sets a new password for whoever holds the proof. With a recovery code,
/// the code is used up and a fresh one is returned, to write down. Every
/// session and token of the account ends. A wrong e-mail and a wrong code
/// get the same answer (R14), and tries are slowed per address and per
/// client.
pub async fn reset_password(
    state: &AppState,
    client: &ClientAddr,
    headers: &HeaderMap,
    proof: ResetWith<'_>,
    new: &str,
) -> Result<Option<RecoveryCode>, AppError> {
    let limits = state.config.limits;
    let mut buckets = vec![(
        format!("reset:client:{}", client.0),
        limits.reset_per_client,
    )];
    // The address and the new password are judged together, so that the
    // form names both when both need fixing.
    let mut checks = Checks::new();
    let (email, typed) = match &proof {
        ResetWith::RecoveryCode { email, .. } => {
            (checks.field(Email::parse(email)).map(Some), *email)
        }
        // The link names no address; the rules that need none still hold.
        ResetWith::Link { .. } => (Some(None), ""),
    };
    // SECURITY (R14): the new password is judged by what the requester
    // typed, never by the account's display name. With it, a known address
    // answered 422 `contains_personal` where an unknown one answered 401,
    // before any limit was taken: a free check of whether an address has an
    // account, and of its name. (Sign-up and a signed-in change still refuse
    // the name.)
    let password = checks.field(new_password(new, "new_password", typed, ""));
    let (email, password) = checks.done((email, password))?;
    if let Some(email) = &email {
        buckets.push((
            format!("reset:email:{}", email.as_str()),
            limits.reset_per_target,
        ));
    }
    take_all(state, &buckets)?;
    let new_hash = state
        .passwords
        .hash(password.expose().to_owned())
        .await
        .map_err(|e| AppError::internal().caused_by(e))?;
    let next_code = RecoveryCode::generate();
    let next_hash = next_code.hash();
    let now = Utc::now();
    let (found, gives_code) = match proof {
        ResetWith::RecoveryCode { code, .. } => {
            let code_hash = recovery::hash_typed(code);
            let email = email.as_ref().map(Email::as_str).unwrap_or_default();
            let account = match Email::parse(email) {
                Ok(parsed) => domain::accounts::by_email(&state.app, &parsed).await?,
                Err(_) => None,
            };
            let keys = reset_keys::with_code(
                state,
                account.as_ref(),
                code,
                password.expose(),
                next_code.expose(),
            )
            .await?;
            let proof = ResetProof::RecoveryCode {
                email,
                code_hash: &code_hash,
                next_code_hash: &next_hash,
            };
            (
                domain::accounts::reset_password(&state.app, &proof, &new_hash, &keys.as_reset())
                    .await?,
                true,
            )
        }
        ResetWith::Link { token } => {
            let token_hash = SecretHash::of(token);
            let owner = domain::accounts::reset_link_owner(&state.app, &token_hash, now).await?;
            let keys = reset_keys::fresh(
                state,
                owner.unwrap_or_else(domain::AccountId::new),
                password.expose(),
                next_code.expose(),
            )
            .await?;
            let proof = ResetProof::Link {
                token_hash: &token_hash,
                now,
            };
            (
                domain::accounts::reset_password(&state.app, &proof, &new_hash, &keys.as_reset())
                    .await?
                    .filter(|reset| Some(*reset) == owner),
                false,
            )
        }
    };
    let Some(account) = found else {
        tracing::warn!(target: "security", event = "reset_refused", "password reset refused");
        return Err(invalid_reset());
    };
    events::record(
        state,
        account,
        SecurityEventKind::PasswordReset,
        client,
        headers,
    )
    .await;
    Ok(gives_code.then_some(next_code))
}

/// Deletes the caller's account and everything that is only theirs, for
/// good (SECURITY.md R28(d), R38; what goes and what stays:
/// `domain::deletion`). The password is asked again, at the pace of every
/// re-check (R20). Only from a signed-in browser: a token is a script's key,
/// and one that leaks must not be able to erase its owner's account. The
/// caller's own session ends with the rest; the handler clears its cookie.
/// SECURITY (R29): nobody is told, the partner included.
pub async fn delete_account(
    state: &AppState,
    caller: &Authenticated,
    password: &str,
) -> Result<(), AppError> {
    require_session(caller, "Delete your account")?;
    reauthenticate(state, caller, password, "password").await?;
    domain::deletion::delete_account(
        &state.app,
        caller.account_id,
        &caller.account.password_hash,
        Utc::now(),
    )
    .await?;
    tracing::info!(target: "security", event = "account_deleted", "an account was deleted");
    Ok(())
}
