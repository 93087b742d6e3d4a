//! The Safety page (SECURITY.md R30, R35): what the app protects, what it
//! cannot, quick exit, leaving alone, and where to find help. Open to
//! everyone, signed in or not, so a person can read it before signing up.
//!
//! SECURITY: nothing about the visitor is on it, not even their name; being
//! signed in changes only which links are offered.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::render;
use crate::auth::MaybeAuthenticated;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "safety.html")]
struct SafetyPage<'a> {
    exit_url: &'a str,
    signed_in: bool,
}

pub async fn page(
    State(state): State<AppState>,
    MaybeAuthenticated(who): MaybeAuthenticated,
) -> Response {
    render(
        StatusCode::OK,
        &SafetyPage {
            exit_url: &state.config.exit_url,
            signed_in: who.is_some(),
        },
    )
}
