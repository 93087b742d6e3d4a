//! Who is calling: a server-side session (cookie `session`) or a personal
//! API token (`Authorization: Bearer …`).
//!
//! SECURITY: the cookie holds a random id; the database holds only its
//! SHA-256, so a copy of the database cannot be used to sign in. A session
//! ends after `session_idle` without use or `session_max` after sign-in,
//! whichever comes first; a "keep me signed in" session after
//! `remember_for`. A token ends at its expiry. Web pages never accept a
//! token: the UI router strips the `Authorization` header (see `ui::routes`).

use std::sync::{Arc, OnceLock};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use chrono::{DateTime, Duration, Utc};
use domain::me::Me;
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
    /// A personal API token, by its id.
    Token(uuid::Uuid),
}

/// The caller's session as the pages' idle warning needs it.
#[derive(Debug, Clone)]
pub struct SessionFacts {
    pub id: uuid::Uuid,
    /// "Keep me signed in" was chosen at sign-in.
    pub persistent: bool,
    /// When the session ends if nothing more happens.
    pub idle_ends_at: DateTime<Utc>,
    /// When it ends whatever happens.
    pub ends_at: DateTime<Utc>,
}

/// A signed-in caller, with the account and memberships read together with
/// the credential (one query). As an extractor it answers 401 to anyone else.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub account_id: AccountId,
    /// The caller with the keys their credential opened: what every use
    /// case that reads or writes a person's words takes.
    pub me: Arc<Me>,
    pub credential: Credential,
    pub account: Account,
    pub memberships: Vec<Membership>,
    /// The session, when the caller came with one (not with a token).
    pub session: Option<SessionFacts>,
}

impl Authenticated {
    /// The space the pages are about: the open one (active or waiting for
    /// the partner), else the latest that ended; none for someone who never
    /// had one.
    pub fn current_space(&self) -> Option<&Membership> {
        self.memberships
            .iter()
            .find(|m| m.status.is_open())
            .or_else(|| self.memberships.first())
    }

    /// The hash of the caller's session id, when the caller has a session.
    pub fn session_hash(&self) -> Option<&SecretHash> {
        match &self.credential {
            Credential::Session(hash) => Some(hash),
            Credential::Token(_) => None,
        }
    }
}

/// Who sent a request.
#[derive(Debug, Clone)]
pub enum Caller {
    Signed(Box<Authenticated>),
    /// The request carried a session that has just run out (idle or too
    /// old): the account is known, so a form it posted can be kept for it.
    Expired(AccountId),
    Anonymous,
}

/// The caller if signed in, `None` otherwise; for pages that show either.
pub struct MaybeAuthenticated(pub Option<Authenticated>);

/// Where the request log finds the caller's account once a handler has
/// identified it (the log line is written after the handler ran).
#[derive(Debug, Clone, Default)]
pub struct CallerSlot(Arc<OnceLock<AccountId>>);

impl CallerSlot {
    pub fn account(&self) -> Option<AccountId> {
        self.0.get().copied()
    }

    pub fn set(&self, account: AccountId) {
        let _ = self.0.set(account);
    }
}

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
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            slot.set(found.account_id);
        }
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
        if let Some(found) = parts.extensions.get::<Authenticated>() {
            return Ok(Self(Some(found.clone())));
        }
        Ok(Self(authenticate(&parts.headers, state).await?))
    }
}

/// Resolves the caller from a bearer token or the session cookie.
pub async fn authenticate(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<Authenticated>, AppError> {
    Ok(match identify(headers, state).await? {
        Caller::Signed(who) => Some(*who),
        Caller::Expired(_) | Caller::Anonymous => None,
    })
}

/// Resolves the caller, telling a session that has just run out apart from
/// no session at all. An expired session is ended on the spot.
pub async fn identify(headers: &HeaderMap, state: &AppState) -> Result<Caller, AppError> {
    let now = Utc::now();
    if let Some(secret) = bearer(headers) {
        let found = domain::accounts::principal(
            &state.app,
            StoreCredential::Token(&SecretHash::of(secret)),
        )
        .await?;
        let Some((found, token)) = found.and_then(|p| p.token.clone().map(|t| (p, t))) else {
            return Ok(Caller::Anonymous);
        };
        if token.expires_at <= now {
            return Ok(Caller::Anonymous);
        }
        let Some(me) = unlock(
            found.account.id,
            secret,
            token.sealed_keys.as_deref(),
            token.id,
        ) else {
            return Ok(Caller::Anonymous);
        };
        if token.last_used_at.is_none_or(|at| now - at > TOUCH_AFTER) {
            domain::accounts::touch_token(&state.app, token.id, now, now - TOUCH_AFTER).await?;
        }
        return Ok(Caller::Signed(Box::new(Authenticated {
            account_id: found.account.id,
            me,
            credential: Credential::Token(token.id),
            account: found.account,
            memberships: found.memberships,
            session: None,
        })));
    }
    let Some(cookie) = cookies::get(headers, cookies::SESSION).filter(|v| !v.is_empty()) else {
        return Ok(Caller::Anonymous);
    };
    let hash = SecretHash::of(cookie);
    let Some(found) =
        domain::accounts::principal(&state.app, StoreCredential::Session(&hash)).await?
    else {
        return Ok(Caller::Anonymous);
    };
    let Some(session) = found.session else {
        return Ok(Caller::Anonymous);
    };
    let (idle, max) = state.config.session_limits(session.persistent);
    let ends_at = session.created_at + max;
    let live = state.config.session_is_live(
        session.persistent,
        session.created_at,
        session.last_seen_at,
        now,
    );
    if !live {
        domain::accounts::end_session(&state.app, &hash).await?;
        return Ok(Caller::Expired(found.account.id));
    }
    let Some(me) = unlock(
        found.account.id,
        cookie,
        session.sealed_keys.as_deref(),
        session.id,
    ) else {
        return Ok(Caller::Anonymous);
    };
    let mut last_seen = session.last_seen_at;
    if now - session.last_seen_at > TOUCH_AFTER {
        domain::accounts::touch_session(&state.app, &hash, now, now - TOUCH_AFTER).await?;
        last_seen = now;
    }
    Ok(Caller::Signed(Box::new(Authenticated {
        account_id: found.account.id,
        me,
        credential: Credential::Session(hash),
        account: found.account,
        memberships: found.memberships,
        session: Some(SessionFacts {
            id: session.id,
            persistent: session.persistent,
            idle_ends_at: (last_seen + idle).min(ends_at),
            ends_at,
        }),
    })))
}

/// Opens the account keys a session or token row holds, with the secret
/// derived from the credential the client sent (never stored). `None` when
/// they do not open: the row was changed, or made by another credential;
/// the caller is then treated as not signed in, and signs in again.
fn unlock(
    account: AccountId,
    credential: &str,
    sealed: Option<&str>,
    row: uuid::Uuid,
) -> Option<Arc<Me>> {
    let opened = sealed
        .ok_or(keys::KeyError::Malformed("no keys held"))
        .and_then(|sealed| {
            keys::SessionSecret::of_credential(credential)?.unlock(sealed, &row.to_string())
        });
    match opened {
        Ok(keys) => Some(Arc::new(Me::new(account, Some(keys)))),
        Err(err) => {
            tracing::warn!(target: "security", %account, error = %err, "a credential's keys did not open");
            None
        }
    }
}

/// The owner's sessions that can still be used (ended ones wait for the
/// sweep, but are not sessions any more), most recently used first.
pub async fn live_sessions(
    state: &AppState,
    owner: AccountId,
) -> Result<Vec<domain::store::SessionInfo>, AppError> {
    let now = Utc::now();
    let all = domain::accounts::sessions(&state.app, owner).await?;
    Ok(all
        .into_iter()
        .filter(|s| {
            state
                .config
                .session_is_live(s.persistent, s.created_at, s.last_seen_at, now)
        })
        .collect())
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
