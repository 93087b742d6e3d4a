//! `POST /api/v1/session` signs in; `DELETE` signs out.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::cookies;
use crate::auth::service::{self, ClientAddr};
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SignedInBody {
    account_id: uuid::Uuid,
}

/// Sign in; sets the `session` cookie.
#[utoipa::path(
    post, path = "/api/v1/session", operation_id = "sign_in", tag = "accounts",
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in; the `session` cookie is set", body = SignedInBody),
        (status = 401, description = "Unknown e-mail or wrong password (one answer for both)", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Response, AppError> {
    let signed_in =
        service::sign_in(&state, &client, &headers, &body.email, &body.password).await?;
    let secure = state.config.secure_cookies();
    Ok((
        AppendHeaders([
            (
                header::SET_COOKIE,
                cookies::session(signed_in.session.expose(), secure),
            ),
            (
                header::SET_COOKIE,
                cookies::device(&signed_in.device_cookie, secure),
            ),
        ]),
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
