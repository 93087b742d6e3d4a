//! "What you wrote": the person's own words in their space, read-only.
//! After the space ends, every page of it leads here.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::written;

use super::{render, signed_in};
use crate::api::written::WrittenBody;
use crate::error::PageError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "written.html")]
struct WrittenPage<'a> {
    exit_url: &'a str,
    me: uuid::Uuid,
    ended_on: Option<String>,
    w: WrittenBody,
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let Some(membership) = who.current_space() else {
        return Ok(Redirect::to("/home").into_response());
    };
    let w: WrittenBody = written::mine(&state.app, &who.me, membership.relationship_id, Utc::now())
        .await?
        .into();
    Ok(render(
        StatusCode::OK,
        &WrittenPage {
            exit_url: &state.config.exit_url,
            me: who.account_id.0,
            ended_on: w.ended_at.map(|t| t.format("%-d %B %Y").to_string()),
            w,
        },
    ))
}
