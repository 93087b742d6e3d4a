//! Sign-up, sign-in, sign-out and tokens: the rules both the JSON API and
//! the web pages call, so they can never drift apart.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use domain::secret::{Secret, SecretHash};
use domain::store::{NewAccount, NewSession, NewToken};
use domain::values::{DisplayName, Email, Password, TokenName};
use domain::AccountId;

use crate::auth::cookies;
use crate::error::AppError;
use crate::state::AppState;

/// The client's address, for rate limits. Behind a proxy we run
/// (`trust_proxy`), the last hop of `X-Forwarded-For`.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok());
            if let Some(ip) = forwarded {
                return Ok(Self(ip.to_string()));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(Self(peer.unwrap_or_else(|| "unknown".to_owned())))
    }
}

pub struct SignUp<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub display_name: &'a str,
}

pub struct NewAccountView {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
}

pub async fn sign_up(
    state: &AppState,
    client: &ClientAddr,
    input: SignUp<'_>,
) -> Result<NewAccountView, AppError> {
    let email = Email::parse(input.email)?;
    let password = Password::choose(
        input.password,
        &domain::values::PasswordContext {
            email: input.email,
            display_name: input.display_name,
        },
    )?;
    let display_name = DisplayName::parse(input.display_name)?;
    let limits = state.config.limits;
    state
        .limiter
        .take(
            &format!("signup:{}", client.0),
            limits.sign_up_per_client,
            Instant::now(),
        )
        .map_err(AppError::rate_limited)?;
    let password_hash = state
        .passwords
        .hash(password.expose().to_owned())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "hashing failed");
            AppError::internal()
        })?;
    let account = NewAccount {
        id: AccountId::new(),
        email,
        display_name: display_name.as_str().to_owned(),
        password_hash,
        created_at: Utc::now(),
    };
    domain::accounts::create(&state.app, &account).await?;
    tracing::info!(account = %account.id, "account created");
    Ok(NewAccountView {
        id: account.id,
        email: account.email.as_str().to_owned(),
        display_name: account.display_name,
    })
}

/// A successful sign-in: the new session id (for the cookie) and a fresh
/// trusted-device mark for this browser.
pub struct SignedIn {
    pub account_id: AccountId,
    pub session: Secret,
    pub device_cookie: String,
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
    email: &str,
    password: &str,
) -> Result<SignedIn, AppError> {
    let account = match Email::parse(email) {
        Ok(email) => domain::accounts::by_email(&state.app, &email).await?,
        Err(_) => None,
    };
    let normalised = email.trim().to_lowercase();
    // SECURITY: limits are per account *and* client together, never per
    // account alone, and a device this account already trusts has a budget
    // of its own: failing on purpose cannot lock the owner out (R15).
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
        ],
    };
    let now = Instant::now();
    for (i, (key, rate)) in buckets.iter().enumerate() {
        if let Err(wait) = state.limiter.take(key, *rate, now) {
            for (taken, rate) in &buckets[..i] {
                state.limiter.refund(taken, *rate);
            }
            state.metrics.sign_in_limited();
            return Err(AppError::rate_limited(wait));
        }
    }
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let ok = state
        .passwords
        .verify(password.to_owned(), stored)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "verification failed");
            AppError::internal()
        })?;
    let account = match (ok, account) {
        (true, Some(account)) => account,
        _ => {
            state.metrics.sign_in_failed();
            return Err(invalid_credentials());
        }
    };
    for (key, rate) in &buckets {
        state.limiter.refund(key, *rate);
    }
    // Rotation: whatever session the browser carried is ended, and a new id
    // is issued, so a session fixed before sign-in is worthless after it.
    if let Some(old) = cookies::get(headers, cookies::SESSION).filter(|v| !v.is_empty()) {
        domain::accounts::end_session(&state.app, &SecretHash::of(old)).await?;
    }
    let session = Secret::generate("");
    domain::accounts::start_session(
        &state.app,
        &NewSession {
            id_hash: session.hash(),
            account_id: account.id,
            created_at: Utc::now(),
        },
    )
    .await?;
    state.metrics.sign_in_succeeded();
    tracing::info!(account = %account.id, "signed in");
    Ok(SignedIn {
        account_id: account.id,
        session,
        device_cookie: state.device_key.issue(account.id),
    })
}

pub async fn sign_out(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(value) = cookies::get(headers, cookies::SESSION).filter(|v| !v.is_empty()) {
        domain::accounts::end_session(&state.app, &SecretHash::of(value)).await?;
    }
    Ok(())
}

/// Creates a personal API token; the secret is returned once and stored hashed.
pub async fn create_token(
    state: &AppState,
    account: AccountId,
    name: &str,
) -> Result<Secret, AppError> {
    let name = TokenName::parse(name)?;
    let token = Secret::generate("rcp_");
    domain::accounts::mint_token(
        &state.app,
        &NewToken {
            id: uuid::Uuid::new_v4(),
            account_id: account,
            name: name.as_str().to_owned(),
            token_hash: token.hash(),
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(token)
}
