//! Two-step sign-in as the API and the pages both use it: turning it on
//! (the password again, then a first right code), turning it off, and the
//! answers a sign-in gets when the second step is missing or wrong
//! (SECURITY.md R13, R16, R20; the rules: `domain::two_factor`).
//!
//! SECURITY: like the password and the recovery code, two-step sign-in is
//! managed from a signed-in browser only: a token is a script's key, and
//! one that leaks must not be able to turn the second step off or replace
//! the authenticator with one its holder controls.

use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use domain::recovery::RecoveryCode;
use domain::store::SecurityEventKind;
use domain::two_factor::{self, Enrolment};

use crate::auth::client::ClientAddr;
use crate::auth::credentials::{reauthenticate, require_session};
use crate::auth::events;
use crate::auth::session::Authenticated;
use crate::error::AppError;
use crate::state::AppState;

/// What a screen reader says of the QR code.
pub const QR_LABEL: &str = "QR code to scan with your authenticator app";

/// An enrolment as shown: the secret written out, the link, and its QR code.
pub struct Shown {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

impl Shown {
    pub fn of(enrolment: &Enrolment) -> Result<Self, AppError> {
        Ok(Self {
            secret: enrolment.secret.base32(),
            qr_svg: crate::qr::svg(&enrolment.otpauth_uri, QR_LABEL)?,
            otpauth_uri: enrolment.otpauth_uri.clone(),
        })
    }
}

/// 401 at sign-in: the password was right and the account asks for a code.
pub fn code_required() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        "two_factor_required",
        "Please also type the code from your authenticator app: two-step sign-in is on \
         for this account.",
    )
    .with_field("totp")
}

/// 401 at sign-in: a wrong code, one already used, or an unknown recovery
/// code, with one answer for all.
pub fn code_refused() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_two_factor",
        "That code didn't work. Type the six digits your app shows now (each code works \
         only once), or one of your two-step recovery codes.",
    )
    .with_field("totp")
}

/// Starts an enrolment after checking the password again (R20).
pub async fn start(
    state: &AppState,
    caller: &Authenticated,
    password: &str,
) -> Result<Shown, AppError> {
    require_session(caller, "Set up two-step sign-in")?;
    reauthenticate(state, caller, password, "password").await?;
    let enrolment =
        two_factor::start(&state.app, &caller.me, &caller.account.email, Utc::now()).await?;
    Shown::of(&enrolment)
}

/// The enrolment waiting for its first code, to show again.
pub async fn pending(state: &AppState, caller: &Authenticated) -> Result<Option<Shown>, AppError> {
    match two_factor::pending(&state.app, &caller.me, &caller.account.email).await? {
        Some(enrolment) => Ok(Some(Shown::of(&enrolment)?)),
        None => Ok(None),
    }
}

/// Confirms the enrolment with a first right code; the recovery codes
/// are returned to show once.
pub async fn confirm(
    state: &AppState,
    caller: &Authenticated,
    client: &ClientAddr,
    headers: &HeaderMap,
    code: &str,
) -> Result<Vec<RecoveryCode>, AppError> {
    require_session(caller, "Set up two-step sign-in")?;
    let codes = two_factor::confirm(&state.app, &caller.me, code, Utc::now()).await?;
    events::record(
        state,
        caller.account_id,
        SecurityEventKind::TwoFactorOn,
        client,
        headers,
    )
    .await;
    Ok(codes)
}

/// Turns two-step sign-in off (partners), after the password again.
pub async fn turn_off(
    state: &AppState,
    caller: &Authenticated,
    client: &ClientAddr,
    headers: &HeaderMap,
    password: &str,
) -> Result<(), AppError> {
    require_session(caller, "Turn off two-step sign-in")?;
    // A counselor is told before typing the password for nothing.
    two_factor::may_turn_off(&caller.account)?;
    reauthenticate(state, caller, password, "password").await?;
    two_factor::turn_off(&state.app, &caller.account).await?;
    events::record(
        state,
        caller.account_id,
        SecurityEventKind::TwoFactorOff,
        client,
        headers,
    )
    .await;
    Ok(())
}
