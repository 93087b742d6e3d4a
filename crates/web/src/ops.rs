//! Operations endpoints: health, metrics, and the API's 404.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;

/// 200 once the database answers; 503 while it does not.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match domain::accounts::ping(&state.app).await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

pub async fn api_not_found() -> AppError {
    AppError::not_found()
}
