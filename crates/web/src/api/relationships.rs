//! Relationships: create, join, read, leave, and renew the invitation.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use domain::relationship;
use domain::RelationshipId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::links;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Serialize, ToSchema)]
pub struct CreatedBody {
    id: uuid::Uuid,
    status: String,
    /// 160 random bits; works once, for 7 days. Shown to the creator only.
    invite_code: String,
    /// The same code as a link the partner can open.
    invite_link: String,
    invite_expires_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    invite_code: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusBody {
    id: uuid::Uuid,
    status: String,
}

#[derive(Serialize, ToSchema)]
pub struct RelationshipBody {
    id: uuid::Uuid,
    status: String,
    members: Vec<MemberBody>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberBody {
    account_id: uuid::Uuid,
    display_name: String,
    role: String,
}

#[derive(Serialize, ToSchema)]
pub struct LeftBody {
    status: String,
}

fn created(state: &AppState, invitation: relationship::Invitation) -> CreatedBody {
    CreatedBody {
        id: invitation.relationship_id.0,
        status: "pending".to_owned(),
        invite_link: links::invite_link(state, invitation.code.expose()),
        invite_code: invitation.code.expose().to_owned(),
        invite_expires_at: invitation.expires_at,
    }
}

/// Start a relationship and get an invitation for the partner.
#[utoipa::path(
    post, path = "/api/v1/relationships", operation_id = "create_relationship", tag = "relationships",
    request_body = Empty,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Created, waiting for the partner", body = CreatedBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "Already in a relationship", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    ApiJson(Empty {}): ApiJson<Empty>,
) -> Result<(StatusCode, Json<CreatedBody>), AppError> {
    let invitation = relationship::create(&state.app, &caller.me, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(created(&state, invitation))))
}

/// Join with the code (or link) a partner shared.
#[utoipa::path(
    post, path = "/api/v1/relationships/join", operation_id = "join_relationship", tag = "relationships",
    request_body = JoinBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Joined", body = StatusBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "Already in a relationship, or one's own invitation", body = ErrorBody),
        (status = 422, description = "The code is unknown, used or expired", body = ErrorBody),
    )
)]
pub async fn join(
    State(state): State<AppState>,
    caller: Authenticated,
    ApiJson(body): ApiJson<JoinBody>,
) -> Result<Json<StatusBody>, AppError> {
    let id = relationship::join(&state.app, &caller.me, &body.invite_code, Utc::now()).await?;
    Ok(Json(StatusBody {
        id: id.0,
        status: "active".to_owned(),
    }))
}

/// Read a relationship the caller belongs to.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}", operation_id = "get_relationship", tag = "relationships",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The relationship", body = RelationshipBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such relationship, or not the caller's", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<RelationshipBody>, AppError> {
    let found = relationship::get(&state.app, caller.account_id, parse_id(&id)?).await?;
    Ok(Json(RelationshipBody {
        id: found.id.0,
        status: found.status.as_str().to_owned(),
        members: found
            .members
            .into_iter()
            .map(|m| MemberBody {
                account_id: m.account_id.0,
                display_name: m.display_name,
                role: m.role.as_str().to_owned(),
            })
            .collect(),
    }))
}

/// Leave: ends the relationship for both. Needs nobody's consent; nobody is notified.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/leave", operation_id = "leave_relationship", tag = "relationships",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = Empty,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Ended", body = LeftBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such relationship, or not the caller's", body = ErrorBody),
    )
)]
pub async fn leave(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(Empty {}): ApiJson<Empty>,
) -> Result<Json<LeftBody>, AppError> {
    let status =
        relationship::leave(&state.app, caller.account_id, parse_id(&id)?, Utc::now()).await?;
    Ok(Json(LeftBody {
        status: status.as_str().to_owned(),
    }))
}

/// Replace the invitation of a relationship still waiting for its partner.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/invite", operation_id = "renew_invite", tag = "relationships",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = Empty,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "A new code; the old one stops working", body = CreatedBody),
        (status = 404, description = "No such relationship, or not the caller's", body = ErrorBody),
        (status = 409, description = "The relationship is not waiting for a partner", body = ErrorBody),
    )
)]
pub async fn renew_invite(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(Empty {}): ApiJson<Empty>,
) -> Result<(StatusCode, Json<CreatedBody>), AppError> {
    let invitation =
        relationship::renew_invite(&state.app, &caller.me, parse_id(&id)?, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(created(&state, invitation))))
}

/// A malformed id names no relationship the caller can see: 404, like any other.
fn parse_id(raw: &str) -> Result<RelationshipId, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}
