//! Absolute links we hand out (the invitation link).

use axum::http::{header, HeaderMap};

use crate::state::AppState;

/// The configured public address, or else the host this request came to.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The page a partner opens to join: the code is in the path so the link
/// works without typing, and is never logged (only the route template is).
pub fn invite_link(state: &AppState, headers: &HeaderMap, code: &str) -> String {
    format!("{}/j/{code}", base_url(state, headers))
}
