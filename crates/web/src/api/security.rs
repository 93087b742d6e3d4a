//! The owner's control of their account (SECURITY.md R11, R16, R19, R20):
//! password change, sessions listed and ended, security events, the
//! recovery code, and the password reset for someone locked out.
//!
//! SECURITY: every handler here acts on the caller's own account only; an
//! id of someone else's session answers 404, as one that never existed.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::store::SecurityEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::client::ClientAddr;
use crate::auth::credentials::{self, ResetWith};
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeBody {
    current_password: String,
    /// 10 to 128 characters, not a common password, without your name or e-mail.
    new_password: String,
}

/// Change the password; every other session and every token ends.
#[utoipa::path(
    put, path = "/api/v1/me/password", operation_id = "change_password", tag = "accounts",
    request_body = PasswordChangeBody,
    security(("session" = [])),
    responses(
        (status = 204, description = "Changed; other sessions and all tokens ended"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Wrong current password, or called with a token", body = ErrorBody),
        (status = 409, description = "The password was changed meanwhile", body = ErrorBody),
        (status = 422, description = "The new password breaks a rule", body = ErrorBody),
        (status = 429, description = "Too many password attempts", body = ErrorBody),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordChangeBody>,
) -> Result<StatusCode, AppError> {
    credentials::change_password(
        &state,
        &caller,
        &client,
        &headers,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SessionItem {
    id: uuid::Uuid,
    /// This is the session making the request.
    current: bool,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    /// A coarse label such as "Firefox on Android".
    device: String,
    /// "Keep me signed in" was chosen for it.
    persistent: bool,
}

/// The caller's sessions, most recently used first.
#[utoipa::path(
    get, path = "/api/v1/me/sessions", operation_id = "list_sessions", tag = "accounts",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller's own sessions", body = [SessionItem]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn sessions(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<Vec<SessionItem>>, AppError> {
    let current = caller.session.as_ref().map(|s| s.id);
    let listed = crate::auth::session::live_sessions(&state, caller.account_id).await?;
    Ok(Json(
        listed
            .into_iter()
            .map(|s| SessionItem {
                current: Some(s.id) == current,
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                device: s.device,
                persistent: s.persistent,
            })
            .collect(),
    ))
}

/// End one of the caller's sessions (sign that device out).
#[utoipa::path(
    delete, path = "/api/v1/me/sessions/{id}", operation_id = "end_session", tag = "accounts",
    params(("id" = String, Path, description = "The session's id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such session of yours", body = ErrorBody),
    )
)]
pub async fn end_session(
    State(state): State<AppState>,
    caller: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::not_found())?;
    credentials::end_session(&state, &caller, &client, &headers, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign out everywhere else: every session of the caller but this one.
#[utoipa::path(
    delete, path = "/api/v1/me/sessions", operation_id = "end_other_sessions", tag = "accounts",
    security(("session" = [])),
    responses(
        (status = 204, description = "Every other session ended"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Called with a token (session only)", body = ErrorBody),
    )
)]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    caller: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    credentials::end_other_sessions(&state, &caller, &client, &headers).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SecurityEventItem {
    id: uuid::Uuid,
    /// `signed_in`, `sign_in_failed`, `sign_in_throttled`, `password_changed`,
    /// `password_reset`, `recovery_code_created`, `reset_link_created`,
    /// `token_created`, `token_revoked`, `session_ended`, `other_sessions_ended`,
    /// `two_factor_on`, `two_factor_off`, `two_factor_refused` (the right
    /// password, then a wrong or used code), `two_factor_missing` (the right
    /// password without a code), `two_factor_recovery_code_used`.
    kind: String,
    at: DateTime<Utc>,
    /// A coarse label such as "Safari on iPhone".
    device: String,
    /// The client's address with its last part hidden, e.g. `192.0.2.x`.
    client: String,
}

/// What happened to the caller's account: sign-ins, failed sign-ins and
/// credential changes. Nobody else ever reads these.
#[utoipa::path(
    get, path = "/api/v1/me/security-events", operation_id = "list_security_events", tag = "accounts",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller's events, newest first (at most 100)", body = [SecurityEventItem]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn security_events(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<Vec<SecurityEventItem>>, AppError> {
    let events = domain::accounts::security_events(&state.app, caller.account_id).await?;
    Ok(Json(
        events.into_iter().map(SecurityEventItem::from).collect(),
    ))
}

impl From<SecurityEvent> for SecurityEventItem {
    fn from(e: SecurityEvent) -> Self {
        Self {
            id: e.id,
            kind: e.kind.as_str().to_owned(),
            at: e.at,
            device: e.device,
            client: e.client,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodeBody {
    /// Shown this once: write it down and keep it somewhere only you reach.
    recovery_code: String,
}

/// Make a new recovery code; the old one stops working.
#[utoipa::path(
    post, path = "/api/v1/me/recovery-code", operation_id = "new_recovery_code", tag = "accounts",
    request_body = PasswordBody,
    security(("session" = [])),
    responses(
        (status = 201, description = "The new code, shown once", body = RecoveryCodeBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Wrong password, or called with a token", body = ErrorBody),
        (status = 429, description = "Too many password attempts", body = ErrorBody),
    )
)]
pub async fn new_recovery_code(
    State(state): State<AppState>,
    caller: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<(StatusCode, Json<RecoveryCodeBody>), AppError> {
    let code =
        credentials::new_recovery_code(&state, &caller, &client, &headers, &body.password).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecoveryCodeBody {
            recovery_code: code.expose().to_owned(),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// With `recovery_code`: the account's e-mail address.
    email: Option<String>,
    /// The recovery code written down at sign-up (spaces and dashes ignored).
    recovery_code: Option<String>,
    /// Or: the secret of a reset link an operator made (`/reset/<token>`).
    reset_token: Option<String>,
    new_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResetAnswer {
    /// With a recovery code: the next one (the used one no longer works),
    /// shown this once. Null after a reset link.
    recovery_code: Option<String>,
}

/// Set a new password with the recovery code, or with an operator's reset
/// link. Every session and token of the account ends.
#[utoipa::path(
    post, path = "/api/v1/password-reset", operation_id = "reset_password", tag = "accounts",
    request_body = ResetBody,
    responses(
        (status = 200, description = "The password is set", body = ResetAnswer),
        (status = 400, description = "Neither a recovery code nor a reset token", body = ErrorBody),
        (status = 401, description = "The proof does not match (one answer whatever was wrong)", body = ErrorBody),
        (status = 422, description = "The new password breaks a rule", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Json<ResetAnswer>, AppError> {
    let proof = match (&body.email, &body.recovery_code, &body.reset_token) {
        (Some(email), Some(code), None) => ResetWith::RecoveryCode { email, code },
        (None, None, Some(token)) => ResetWith::Link { token },
        _ => {
            return Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "proof_required",
                "Send either your e-mail and recovery code, or a reset token.",
            )
            .with_field("recovery_code"))
        }
    };
    let next =
        credentials::reset_password(&state, &client, &headers, proof, &body.new_password).await?;
    Ok(Json(ResetAnswer {
        recovery_code: next.map(|c| c.expose().to_owned()),
    }))
}
