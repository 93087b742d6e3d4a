//! `POST /api/v1/session` signs in; `DELETE` signs out; `GET` tells a page
//! how long the session has left (for the idle warning) and renews it.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::cookies;
use crate::auth::service::{self, ClientAddr, SignIn, SignedIn};
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    email: String,
    password: String,
    /// Keep this device signed in for 30 days (default false). Never on a
    /// shared or borrowed device.
    #[serde(default)]
    remember: bool,
    /// The six digits the authenticator app shows, or one of the two-step
    /// recovery codes. Needed only when two-step sign-in is on; without it
    /// such an account answers 401 `two_factor_required` (after the right
    /// password only).
    #[serde(default)]
    totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SignedInBody {
    account_id: uuid::Uuid,
}

/// The `Set-Cookie` headers of a sign-in: the session (kept by the browser
/// only if "keep me signed in" was asked) and the trusted-device mark.
pub fn sign_in_cookies(
    state: &AppState,
    done: &SignedIn,
) -> [(header::HeaderName, HeaderValue); 2] {
    let secure = state.config.secure_cookies();
    let session = if done.remember {
        cookies::remembered_session(done.session.expose(), secure, state.config.remember_for)
    } else {
        cookies::session(done.session.expose(), secure)
    };
    [
        (header::SET_COOKIE, session),
        (
            header::SET_COOKIE,
            cookies::device(&done.device_cookie, secure),
        ),
    ]
}

/// Sign in; sets the `session` cookie.
#[utoipa::path(
    post, path = "/api/v1/session", operation_id = "sign_in", tag = "accounts",
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in; the `session` cookie is set", body = SignedInBody),
        (status = 401, description = "Unknown e-mail or wrong password (`invalid_credentials`, one answer for both); the right password without the code two-step sign-in asks for (`two_factor_required`, field `totp`); a wrong or already used code (`invalid_two_factor`, field `totp`)", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Response, AppError> {
    let signed_in = service::sign_in(
        &state,
        &client,
        &headers,
        SignIn {
            email: &body.email,
            password: &body.password,
            remember: body.remember,
            totp: body.totp.as_deref(),
        },
    )
    .await?;
    Ok((
        AppendHeaders(sign_in_cookies(&state, &signed_in)),
        Json(SignedInBody {
            account_id: signed_in.account_id.0,
        }),
    )
        .into_response())
}

/// Sign out: ends this session on the server and clears the cookie.
#[utoipa::path(
    delete, path = "/api/v1/session", operation_id = "sign_out", tag = "accounts",
    responses((status = 204, description = "Signed out (also when not signed in)"))
)]
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    service::sign_out(&state, &headers).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [
            (
                header::SET_COOKIE,
                cookies::clear_session(state.config.secure_cookies()),
            ),
            cookies::clear_site_data(),
        ],
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct SessionBody {
    id: uuid::Uuid,
    account_id: uuid::Uuid,
    /// "Keep me signed in" was chosen: no idle limit short of `expires_at`.
    persistent: bool,
    /// Seconds of inactivity after which this session ends.
    idle_timeout_seconds: i64,
    /// When the session ends if nothing more happens (this request counts).
    idle_expires_at: chrono::DateTime<Utc>,
    /// The same, as seconds from now (a page's clock may be wrong).
    idle_seconds_left: i64,
    /// When the session ends whatever happens.
    expires_at: chrono::DateTime<Utc>,
}

/// The caller's session: how long it has left. Calling it counts as
/// activity, so a page renews the session when its reader types.
#[utoipa::path(
    get, path = "/api/v1/session", operation_id = "get_session", tag = "accounts",
    security(("session" = [])),
    responses(
        (status = 200, description = "The caller's session", body = SessionBody),
        (status = 401, description = "Not signed in, or the session has ended", body = ErrorBody),
        (status = 404, description = "Called with an API token, which has no session", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<SessionBody>, AppError> {
    let Some(session) = caller.session else {
        return Err(AppError::not_found());
    };
    let (idle, _) = state.config.session_limits(session.persistent);
    Ok(Json(SessionBody {
        id: session.id,
        account_id: caller.account_id.0,
        persistent: session.persistent,
        idle_timeout_seconds: idle.num_seconds(),
        idle_expires_at: session.idle_ends_at,
        idle_seconds_left: (session.idle_ends_at - Utc::now()).num_seconds().max(0),
        expires_at: session.ends_at,
    }))
}
