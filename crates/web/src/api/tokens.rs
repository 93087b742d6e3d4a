//! `POST /api/v1/tokens`: personal API tokens for scripts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::service;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// A name to recognise the token by, e.g. "backup script".
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    /// Shown this once; only its hash is kept. Send as `Authorization: Bearer <token>`.
    token: String,
}

/// Create a personal API token.
#[utoipa::path(
    post, path = "/api/v1/tokens", operation_id = "create_token", tag = "accounts",
    request_body = NewTokenBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "The token, shown once", body = TokenBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<(StatusCode, Json<TokenBody>), AppError> {
    let token = service::create_token(&state, caller.account_id, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenBody {
            token: token.expose().to_owned(),
        }),
    ))
}
