//! `GET /api/v1/me`: who I am and my relationships.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Authenticated;
use crate::error::ErrorBody;

#[derive(Serialize, ToSchema)]
pub struct MeBody {
    id: uuid::Uuid,
    email: String,
    display_name: String,
    /// `partner` or `counselor`.
    kind: String,
    /// Two-step sign-in is on (set up and confirmed).
    two_factor: bool,
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
pub async fn get(caller: Authenticated) -> Json<MeBody> {
    // The extractor already read the account and its memberships together
    // with the session: `GET /me` costs one query.
    Json(MeBody {
        id: caller.account.id.0,
        email: caller.account.email,
        display_name: caller.account.display_name,
        kind: caller.account.kind.as_str().to_owned(),
        two_factor: caller.account.two_factor,
        relationships: caller
            .memberships
            .into_iter()
            .map(|m| MembershipBody {
                id: m.relationship_id.0,
                role: m.role.as_str().to_owned(),
                status: m.status.as_str().to_owned(),
            })
            .collect(),
    })
}
