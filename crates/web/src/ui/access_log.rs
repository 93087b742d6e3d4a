//! `/account/views`: the access log as a page, for its owner alone
//! (SECURITY.md D5; `api::access_log` has the rules).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{render, signed_in};
use crate::api::access_log::{items, AccessLogItem};
use crate::error::PageError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "access_log.html")]
struct AccessLogPage<'a> {
    exit_url: &'a str,
    items: Vec<AccessLogItem>,
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let items = items(&state, &who, domain::access_log::Lines::Latest).await?;
    Ok(render(
        StatusCode::OK,
        &AccessLogPage {
            exit_url: &state.config.exit_url,
            items,
        },
    ))
}
