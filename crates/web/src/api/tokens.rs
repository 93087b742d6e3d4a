//! Personal API tokens for scripts: minted with the password from a signed-in
//! session, listed without their secret, revoked one by one (R17).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::store::TokenInfo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::credentials::{self, TokenRequest};
use crate::auth::service::ClientAddr;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// A name to recognise the token by, e.g. "backup script".
    name: String,
    /// Your password: a token is a key to your account.
    password: String,
    /// 1 to 365; 90 when left out.
    expires_in_days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct NewTokenAnswer {
    id: uuid::Uuid,
    /// Shown this once; only its hash is kept. Send as `Authorization: Bearer <token>`.
    token: String,
    name: String,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenListItem {
    id: uuid::Uuid,
    name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
}

impl From<TokenInfo> for TokenListItem {
    fn from(t: TokenInfo) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
        }
    }
}

/// Create a personal API token.
#[utoipa::path(
    post, path = "/api/v1/tokens", operation_id = "create_token", tag = "accounts",
    request_body = NewTokenBody,
    security(("session" = [])),
    responses(
        (status = 201, description = "The token, shown once", body = NewTokenAnswer),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Wrong password, or the request came with a token", body = ErrorBody),
        (status = 422, description = "Invalid name or lifetime", body = ErrorBody),
        (status = 429, description = "Too many password attempts", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<(StatusCode, Json<NewTokenAnswer>), AppError> {
    let (token, info) = credentials::create_token(
        &state,
        &caller,
        &client,
        &headers,
        TokenRequest {
            name: &body.name,
            password: &body.password,
            expires_in_days: body.expires_in_days,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenAnswer {
            id: info.id,
            token: token.expose().to_owned(),
            name: info.name,
            expires_at: info.expires_at,
        }),
    ))
}

/// The caller's tokens (never their secrets).
#[utoipa::path(
    get, path = "/api/v1/tokens", operation_id = "list_tokens", tag = "accounts",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller's tokens, newest first", body = [TokenListItem]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<Vec<TokenListItem>>, AppError> {
    let tokens = domain::accounts::tokens(&state.app, &caller.me).await?;
    Ok(Json(tokens.into_iter().map(TokenListItem::from).collect()))
}

/// Revoke one of the caller's tokens; it fails from the next request.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", operation_id = "revoke_token", tag = "accounts",
    params(("id" = String, Path, description = "The token's id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such token of yours", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::not_found())?;
    credentials::revoke_token(&state, &caller, &client, &headers, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
