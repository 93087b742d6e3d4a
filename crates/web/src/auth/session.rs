//! Who is calling: a server-side session (cookie `session`) or a personal
//! API token (`Authorization: Bearer …`).
//!
//! SECURITY: the cookie holds a random id; the database holds only its
//! SHA-256, so a copy of the database cannot be used to sign in. A session
//! ends after `session_idle` without use or `session_max` after sign-in,
//! whichever comes first.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use chrono::{Duration, Utc};
use domain::secret::SecretHash;
use domain::store::{Account, Credential as StoreCredential, Membership};
use domain::AccountId;

use crate::auth::cookies;
use crate::error::AppError;
use crate::state::AppState;

/// Touching `last_seen_at` on every request would make every read a write;
/// once a minute keeps idle expiry accurate to a minute.
const TOUCH_AFTER: Duration = Duration::seconds(60);

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser session; holds the hash of its id, for sign-out.
    Session(SecretHash),
    /// A personal API token.
    Token,
}

/// A signed-in caller, with the account and memberships read together with
/// the credential (one query). As an extractor it answers 401 to anyone else.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub account_id: AccountId,
    pub credential: Credential,
    pub account: Account,
    pub memberships: Vec<Membership>,
}

/// The caller if signed in, `None` otherwise; for pages that show either.
pub struct MaybeAuthenticated(pub Option<Authenticated>);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(found) = parts.extensions.get::<Authenticated>() {
            return Ok(found.clone());
        }
        let found = authenticate(&parts.headers, state)
            .await?
            .ok_or_else(AppError::unauthorized)?;
        parts.extensions.insert(found.clone());
        Ok(found)
    }
}

impl FromRequestParts<AppState> for MaybeAuthenticated {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(authenticate(&parts.headers, state).await?))
    }
}

/// Resolves the caller from a bearer token or the session cookie.
pub async fn authenticate(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<Authenticated>, AppError> {
    if let Some(token) = bearer(headers) {
        let found =
            domain::accounts::principal(&state.app, StoreCredential::Token(&SecretHash::of(token)))
                .await?;
        return Ok(found.map(|p| Authenticated {
            account_id: p.account.id,
            credential: Credential::Token,
            account: p.account,
            memberships: p.memberships,
        }));
    }
    let Some(cookie) = cookies::get(headers, cookies::SESSION).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let hash = SecretHash::of(cookie);
    let Some(found) =
        domain::accounts::principal(&state.app, StoreCredential::Session(&hash)).await?
    else {
        return Ok(None);
    };
    let Some(session) = found.session else {
        return Ok(None);
    };
    let now = Utc::now();
    let config = &state.config;
    if now - session.last_seen_at > config.session_idle
        || now - session.created_at > config.session_max
    {
        domain::accounts::end_session(&state.app, &hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_AFTER {
        domain::accounts::touch_session(&state.app, &hash, now, now - TOUCH_AFTER).await?;
    }
    Ok(Some(Authenticated {
        account_id: found.account.id,
        credential: Credential::Session(hash),
        account: found.account,
        memberships: found.memberships,
    }))
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}
