//! Sign-up, sign-in and sign-out: the rules both the JSON API and the web
//! pages call, so they can never drift apart.

use std::time::Instant;

use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use domain::accounts::AccountKind;
use domain::me::Me;
use domain::recovery::RecoveryCode;
use domain::secret::{Secret, SecretHash};
use domain::store::{NewAccount, NewSession, SecurityEventKind};
use domain::two_factor::SignInCheck;
use domain::values::{DisplayName, Email};
use domain::{AccountId, Checks};

use crate::auth::client::device_label;
pub use crate::auth::client::ClientAddr;
use crate::auth::credentials::new_password;
use crate::auth::rate_limit::Rate;
use crate::auth::{account_keys, cookies, events, two_factor};
use crate::error::AppError;
use crate::state::AppState;

pub struct SignUp<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub display_name: &'a str,
    /// `partner` (also when absent) or `counselor`.
    pub kind: Option<&'a str>,
}

pub struct NewAccountView {
    pub id: AccountId,
    pub kind: AccountKind,
    pub email: String,
    pub display_name: String,
    /// Shown once, to be written down: the way back in without anyone's help.
    pub recovery_code: RecoveryCode,
}

/// Takes one attempt from each bucket, or none: a refusal by a later bucket
/// gives back what the earlier ones took.
pub(crate) fn take_all(state: &AppState, buckets: &[(String, Rate)]) -> Result<(), AppError> {
    let now = Instant::now();
    for (i, (key, rate)) in buckets.iter().enumerate() {
        if let Err(wait) = state.limiter.take(key, *rate, now) {
            for (taken, rate) in &buckets[..i] {
                state.limiter.refund(taken, *rate);
            }
            return Err(AppError::rate_limited(wait));
        }
    }
    Ok(())
}

pub async fn sign_up(
    state: &AppState,
    client: &ClientAddr,
    input: SignUp<'_>,
) -> Result<NewAccountView, AppError> {
    // Every field is judged before any is refused, so the form shows all
    // there is to fix at once, the e-mail address first as before.
    let mut checks = Checks::new();
    let email = checks.field(Email::parse(input.email));
    let kind = checks.field(AccountKind::from_request(input.kind));
    // The password comes before the name, so that the main error of a form
    // missing both is the one that matters most. It never contains the name
    // (judged when there is one) nor the address (as typed, even refused).
    let display_name = DisplayName::parse(input.display_name);
    let name = display_name.as_ref().map_or("", DisplayName::as_str);
    let password = checks.field(new_password(input.password, "password", input.email, name));
    let display_name = checks.field(display_name);
    let (email, kind, password, display_name) =
        checks.done((email, kind, password, display_name))?;
    let limits = state.config.limits;
    take_all(
        state,
        &[
            (format!("signup:{}", client.0), limits.sign_up_per_client),
            (
                format!("signup:email:{}", email.as_str()),
                limits.sign_up_per_target,
            ),
        ],
    )?;
    let password_hash = state
        .passwords
        .hash(password.expose().to_owned())
        .await
        .map_err(|e| AppError::internal().caused_by(e))?;
    let recovery_code = RecoveryCode::generate();
    let id = AccountId::new();
    let (_, keys) = account_keys::create(
        &state.passwords,
        id,
        password.expose(),
        recovery_code.expose(),
    )
    .await?;
    let account = NewAccount {
        id,
        email,
        display_name: display_name.as_str().to_owned(),
        password_hash,
        recovery_hash: recovery_code.hash(),
        created_at: Utc::now(),
        keys,
        kind,
    };
    domain::accounts::create(&state.app, &account).await?;
    tracing::info!(account = %account.id, kind = kind.as_str(), "account created");
    Ok(NewAccountView {
        id: account.id,
        kind,
        email: account.email.as_str().to_owned(),
        display_name: account.display_name,
        recovery_code,
    })
}

/// A successful sign-in: the new session id (for the cookie) and a fresh
/// trusted-device mark for this browser.
pub struct SignedIn {
    pub account_id: AccountId,
    pub session: Secret,
    pub device_cookie: String,
    /// "Keep me signed in" was asked: the cookie outlives the browser.
    pub remember: bool,
}

pub struct SignIn<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub remember: bool,
    /// The code from the authenticator app, or a two-step recovery code;
    /// asked for only by an account with two-step sign-in on.
    pub totp: Option<&'a str>,
}

pub fn invalid_credentials() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "That e-mail and password don't match an account.",
    )
}

pub async fn sign_in(
    state: &AppState,
    client: &ClientAddr,
    headers: &HeaderMap,
    input: SignIn<'_>,
) -> Result<SignedIn, AppError> {
    let account = match Email::parse(input.email) {
        Ok(email) => domain::accounts::by_email(&state.app, &email).await?,
        Err(_) => None,
    };
    let normalised = input.email.trim().to_lowercase();
    // SECURITY: limits are per client address, per account and client
    // together, and per account across every address; a device this
    // account already trusts has a budget of its own, so failing on purpose,
    // from anywhere, cannot lock the owner out of their own phone (R15).
    let limits = state.config.limits;
    let trusted_device = account.as_ref().and_then(|a| {
        cookies::get(headers, cookies::DEVICE).and_then(|c| state.device_key.verify(c, a.id))
    });
    let buckets = match trusted_device {
        Some(device) => vec![(
            format!("signin:device:{device}:{normalised}"),
            limits.sign_in_trusted_device,
        )],
        None => vec![
            (
                format!("signin:client:{}", client.0),
                limits.sign_in_per_client,
            ),
            (
                format!("signin:client:{}:{normalised}", client.0),
                limits.sign_in_per_account,
            ),
            (
                format!("signin:account:{normalised}"),
                limits.sign_in_per_target,
            ),
        ],
    };
    if let Err(limited) = take_all(state, &buckets) {
        state.metrics.sign_in_limited();
        tracing::warn!(target: "security", event = "sign_in_throttled", account = ?account.as_ref().map(|a| a.id), "sign-in throttled");
        if let Some(account) = &account {
            events::record(
                state,
                account.id,
                SecurityEventKind::SignInThrottled,
                client,
                headers,
            )
            .await;
        }
        return Err(limited);
    }
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let ok = state
        .passwords
        .verify(input.password.to_owned(), stored)
        .await
        .map_err(|e| AppError::internal().caused_by(e))?;
    let account = match (ok, account) {
        (true, Some(account)) => account,
        (_, account) => {
            state.metrics.sign_in_failed();
            match account {
                Some(account) => {
                    events::record(
                        state,
                        account.id,
                        SecurityEventKind::SignInFailed,
                        client,
                        headers,
                    )
                    .await;
                }
                None => {
                    tracing::warn!(target: "security", event = "sign_in_failed", "sign-in failed for an unknown address");
                }
            }
            return Err(invalid_credentials());
        }
    };
    let keys = account_keys::open(&state.passwords, &state.app, &account, input.password).await?;
    let me = Me::new(account.id, Some(keys));
    // The second step, only once the password was right: before that,
    // nothing says whether the account has one (R14).
    if let Err(refused) = second_step(state, client, headers, &me, input.totp).await? {
        // SECURITY: a wrong code keeps the attempt it took, from the very
        // buckets a wrong password takes from, so guessing codes is as slow
        // as guessing passwords. Only a missing code gives it back: the
        // password was right and nothing was guessed (a client learns here
        // that it must ask for a code).
        if refused.give_back {
            for (key, rate) in &buckets {
                state.limiter.refund(key, *rate);
            }
        }
        return Err(refused.error);
    }
    for (key, rate) in &buckets {
        state.limiter.refund(key, *rate);
    }
    let keys = me.account_keys()?;
    // Rotation: whatever session the browser carried is ended, and a new id
    // is issued, so a session fixed before sign-in is worthless after it.
    if let Some(old) = cookies::get(headers, cookies::SESSION).filter(|v| !v.is_empty()) {
        domain::accounts::end_session(&state.app, &SecretHash::of(old)).await?;
    }
    let session = Secret::generate("");
    let row = uuid::Uuid::new_v4();
    domain::accounts::start_session(
        &state.app,
        &NewSession {
            id: row,
            id_hash: session.hash(),
            account_id: account.id,
            created_at: Utc::now(),
            device: device_label(headers),
            persistent: input.remember,
            sealed_keys: account_keys::lock(keys, session.expose(), row)?,
        },
    )
    .await?;
    state.metrics.sign_in_succeeded();
    events::record(
        state,
        account.id,
        SecurityEventKind::SignedIn,
        client,
        headers,
    )
    .await;
    Ok(SignedIn {
        account_id: account.id,
        session,
        device_cookie: state.device_key.issue(account.id),
        remember: input.remember,
    })
}

/// A sign-in refused at its second step.
struct Refused {
    error: AppError,
    /// The attempt goes back to the rate-limit buckets (a missing code).
    give_back: bool,
}

/// Checks the second step of a sign-in (`domain::two_factor`), recording
/// for the owner what happened (R16: a right password without the second
/// step may mean the password leaked). The outer error is a failure on
/// our side; the inner one, a refusal.
async fn second_step(
    state: &AppState,
    client: &ClientAddr,
    headers: &HeaderMap,
    me: &Me,
    typed: Option<&str>,
) -> Result<Result<(), Refused>, AppError> {
    let (kind, answer) =
        match domain::two_factor::check_at_sign_in(&state.app, me, typed, Utc::now()).await? {
            SignInCheck::NotOn | SignInCheck::Code => return Ok(Ok(())),
            SignInCheck::RecoveryCode => (SecurityEventKind::TwoFactorRecoveryCodeUsed, Ok(())),
            SignInCheck::Missing => (
                SecurityEventKind::TwoFactorMissing,
                Err(Refused {
                    error: two_factor::code_required(),
                    give_back: true,
                }),
            ),
            SignInCheck::Wrong => {
                state.metrics.sign_in_failed();
                (
                    SecurityEventKind::TwoFactorRefused,
                    Err(Refused {
                        error: two_factor::code_refused(),
                        give_back: false,
                    }),
                )
            }
        };
    events::record(state, me.id, kind, client, headers).await;
    Ok(answer)
}

pub async fn sign_out(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(value) = cookies::get(headers, cookies::SESSION).filter(|v| !v.is_empty()) {
        domain::accounts::end_session(&state.app, &SecretHash::of(value)).await?;
    }
    Ok(())
}
