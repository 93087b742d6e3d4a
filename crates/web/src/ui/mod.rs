//! The web UI: server-rendered pages that work without JavaScript.

use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub async fn not_found() -> Response {
    (axum::http::StatusCode::NOT_FOUND, "not found").into_response()
}
