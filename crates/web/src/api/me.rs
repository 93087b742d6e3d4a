//! `GET /api/v1/me`: who I am and my relationships.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct MeBody {
    id: uuid::Uuid,
    email: String,
    display_name: String,
    relationships: Vec<MembershipBody>,
}

#[derive(Serialize, ToSchema)]
pub struct MembershipBody {
    id: uuid::Uuid,
    /// `partner`.
    role: String,
    /// `pending`, `active` or `ended`.
    status: String,
}

/// The signed-in account.
#[utoipa::path(
    get, path = "/api/v1/me", operation_id = "get_me", tag = "accounts",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller's account", body = MeBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<MeBody>, ApiError> {
    let store = state.store();
    let (account, memberships) = tokio::try_join!(
        store.account_by_id(caller.account_id),
        store.memberships_of(caller.account_id)
    )?;
    // A valid session for a deleted account is no session at all.
    let account = account.ok_or_else(ApiError::unauthorized)?;
    Ok(Json(MeBody {
        id: account.id.0,
        email: account.email,
        display_name: account.display_name,
        relationships: memberships
            .into_iter()
            .map(|m| MembershipBody {
                id: m.relationship_id.0,
                role: m.role.as_str().to_owned(),
                status: m.status.as_str().to_owned(),
            })
            .collect(),
    }))
}
