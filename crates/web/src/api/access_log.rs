//! `GET /api/v1/me/access-log`: who looked at the caller's shared items
//! (SECURITY.md D5). Only the owner reads their log: the route has no id, it
//! is always the caller's own.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AccessLogItem {
    /// Who looked.
    pub viewer_id: uuid::Uuid,
    pub viewer_name: String,
    pub relationship_id: uuid::Uuid,
    /// `ledger`, `values`, `respect` or `deck:<key>`.
    pub item: String,
    /// The same in words, as the account page shows it.
    pub description: String,
    /// The day they looked (one line per viewer, item and day).
    pub day: NaiveDate,
    /// Their first look that day.
    pub first_at: DateTime<Utc>,
}

/// Who looked at what you shared, newest first (at most 200 lines).
#[utoipa::path(
    get, path = "/api/v1/me/access-log", operation_id = "access_log", tag = "accounts",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller's access log, newest first", body = [AccessLogItem]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn access_log(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<Vec<AccessLogItem>>, AppError> {
    Ok(Json(
        items(&state, &caller, domain::access_log::Lines::Latest).await?,
    ))
}

pub async fn items(
    state: &AppState,
    caller: &Authenticated,
    lines: domain::access_log::Lines,
) -> Result<Vec<AccessLogItem>, AppError> {
    let lines = domain::access_log::of(&state.app, caller.account_id, lines).await?;
    Ok(lines
        .into_iter()
        .map(|l| AccessLogItem {
            viewer_id: l.viewer.0,
            viewer_name: l.viewer_name,
            relationship_id: l.relationship_id.0,
            description: domain::access_log::describe(&l.item),
            item: l.item,
            day: domain::ledger::date_of(l.day),
            first_at: l.first_at,
        })
        .collect())
}
