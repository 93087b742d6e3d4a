//! The reflections API: a private journal per person in a shared space.
//! Only the author ever reads their reflections (API.md "Private
//! reflections"); the rule lives in `domain::reflections`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use domain::catalog::reflections::REFLECTION_PROMPTS;
use domain::reflections::{self, MyReflection, TEXT_MAX_CHARS};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::conversations::PromptView;
use super::relationship_id;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReflectionBody {
    /// What you want to write, up to 10,000 characters.
    text: String,
    /// The key of the question it answers (see `GET …/reflections/prompts`);
    /// leave it out to write freely.
    #[serde(default)]
    prompt: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReflectionView {
    pub id: uuid::Uuid,
    /// The key of the question it answers, or null.
    pub prompt: Option<&'static str>,
    /// That question's words, or null.
    pub prompt_text: Option<&'static str>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl From<MyReflection> for ReflectionView {
    fn from(r: MyReflection) -> Self {
        Self {
            id: r.id,
            prompt: r.prompt.map(|p| p.key),
            prompt_text: r.prompt.map(|p| p.text),
            text: r.text,
            created_at: r.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReflectionPromptsBody {
    prompts: Vec<PromptView>,
    text_max_chars: usize,
}

fn reflection_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// Keeps a private reflection, readable by its author alone.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/reflections", operation_id = "create_reflection",
    tag = "reflections",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = NewReflectionBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Kept, sealed with the author's own key", body = ReflectionView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`ended`: the space has ended", body = ErrorBody),
        (status = 422, description = "`text` or `prompt` is invalid", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewReflectionBody>,
) -> Result<(StatusCode, Json<ReflectionView>), AppError> {
    let kept = reflections::write(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        &body.text,
        body.prompt.as_deref(),
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(kept.into())))
}

/// The caller's own reflections in this space, newest first.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/reflections", operation_id = "list_reflections",
    tag = "reflections",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller's own, newest first (at most 500)", body = [ReflectionView]),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReflectionView>>, AppError> {
    let mine = reflections::mine(&state.app, &caller.me, relationship_id(&id)?).await?;
    Ok(Json(mine.into_iter().map(ReflectionView::from).collect()))
}

/// Deletes one of the caller's reflections for good.
#[utoipa::path(
    delete, path = "/api/v1/relationships/{id}/reflections/{rid}", operation_id = "delete_reflection",
    tag = "reflections",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("rid" = uuid::Uuid, Path, description = "Reflection id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No reflection of the caller's with this id here", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, rid)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    reflections::delete(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        reflection_id(&rid)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The questions a reflection may start from.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/reflections/prompts", operation_id = "reflection_prompts",
    tag = "reflections",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The prompts", body = ReflectionPromptsBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn prompts(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ReflectionPromptsBody>, AppError> {
    domain::relationship::get(&state.app, caller.account_id, relationship_id(&id)?).await?;
    Ok(Json(ReflectionPromptsBody {
        prompts: REFLECTION_PROMPTS
            .iter()
            .map(|p| PromptView {
                key: p.key,
                text: p.text,
            })
            .collect(),
        text_max_chars: TEXT_MAX_CHARS,
    }))
}
