//! `DELETE /api/v1/me`: the caller deletes their own account (API.md;
//! SECURITY.md R28(d), R38). The rules are `auth::credentials::delete_account`.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{cookies, credentials, Authenticated};
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountBody {
    /// Your password: deleting cannot be undone.
    password: String,
}

/// Delete the caller's account: it, their drafts and everything they wrote
/// are gone; what their partner wrote stays with the partner. Open
/// relationships end as by a leave, and nobody is notified.
#[utoipa::path(
    delete, path = "/api/v1/me", operation_id = "delete_me", tag = "accounts",
    request_body = DeleteAccountBody,
    security(("session" = [])),
    responses(
        (status = 204, description = "Deleted; this session ended and its cookie is cleared"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Wrong password (`field`: `password`), or called with a token", body = ErrorBody),
        (status = 409, description = "The password changed, or the account was deleted, meanwhile; nothing was deleted", body = ErrorBody),
        (status = 429, description = "Too many password attempts", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Authenticated,
    ApiJson(body): ApiJson<DeleteAccountBody>,
) -> Result<Response, AppError> {
    credentials::delete_account(&state, &caller, &body.password).await?;
    // As at sign-out: the cookie goes, and the browser drops what it kept.
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
