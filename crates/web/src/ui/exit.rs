//! Quick exit (SECURITY.md R30): ends the session and sends the browser to
//! a neutral site. With JavaScript the page calls `POST /exit` in the
//! background and replaces itself (no history entry); without it, the link
//! `GET /exit` does both with a redirect.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::{cookies, service};
use crate::state::AppState;

async fn end_session(
    state: &AppState,
    headers: &HeaderMap,
) -> [(header::HeaderName, HeaderValue); 2] {
    if let Err(err) = service::sign_out(state, headers).await {
        tracing::warn!(error = %err.message, "quick exit could not end the session");
    }
    [
        (
            header::SET_COOKIE,
            cookies::clear_session(state.config.secure_cookies()),
        ),
        cookies::clear_site_data(),
    ]
}

pub async fn exit_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cleared = end_session(&state, &headers).await;
    let location = HeaderValue::from_str(&state.config.exit_url)
        .unwrap_or(HeaderValue::from_static("about:blank"));
    (
        StatusCode::SEE_OTHER,
        cleared,
        [(header::LOCATION, location)],
    )
        .into_response()
}

pub async fn exit_post(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cleared = end_session(&state, &headers).await;
    (StatusCode::NO_CONTENT, cleared).into_response()
}
