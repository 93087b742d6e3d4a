//! Links we hand out (the invitation link).

use crate::state::AppState;

/// The configured public address, or nothing: a link is then relative to
/// the page showing it. SECURITY: never the request's `Host` header, which
/// the sender controls, so a forged request cannot make us hand out a link
/// to another site.
pub fn base_url(state: &AppState) -> String {
    state
        .config
        .public_url
        .as_deref()
        .map(|url| url.trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// The page a partner opens to join: the code is in the path so the link
/// works without typing, and is never logged (only the route template is).
pub fn invite_link(state: &AppState, code: &str) -> String {
    format!("{}/j/{code}", base_url(state))
}
