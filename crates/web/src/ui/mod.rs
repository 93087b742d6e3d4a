//! The web UI: server-rendered pages that work without JavaScript. Every
//! form is a plain POST; errors are shown next to their field. Page titles
//! are neutral ("Notes") so a glance at the tab reveals nothing.

mod access_log;
mod account;
mod agreements;
mod chart;
mod checkins;
pub mod chrome;
mod conversations;
mod counselor;
mod counselor_report;
mod episodes;
mod exit;
mod form;
mod icons;
mod ledger;
pub mod notice;
mod recover;
mod reflections;
mod refresh;
mod respect;
mod safety;
mod sealed;
mod security;
mod space;
mod statics;
mod talk;
mod values;
pub mod visibility;
mod written;
// Two-factor
mod two_factor;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::Authenticated;
use crate::error::{AppError, PageFailure};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(account::landing))
        .route("/signup", get(account::signup_page).post(account::signup))
        .route("/signin", get(account::signin_page).post(account::signin))
        .route("/signout", post(account::signout))
        .route("/home", get(space::home))
        .route("/relationship", post(space::create))
        .route("/relationship/invite", post(space::renew_invite))
        .route("/join", get(space::join_page).post(space::join))
        .route("/j/{code}", get(space::invited))
        .route("/leave", get(space::leave_page).post(space::leave))
        .route("/written", get(written::page))
        .route("/account/views", get(access_log::page))
        .route("/ledger", get(ledger::page))
        .route("/ledger/log", post(ledger::log))
        .route("/ledger/thank/{cid}", post(ledger::thank))
        .route("/ledger/history", get(ledger::history))
        .route("/ledger/balance", get(ledger::balance))
        .route("/ledger/numbers", post(ledger::numbers))
        .route(
            "/ledger/edit/{cid}",
            get(ledger::edit_form).post(ledger::edit),
        )
        .route("/ledger/delete/{cid}", post(ledger::delete))
        .route("/exit", get(exit::exit_get).post(exit::exit_post))
        .route("/safety", get(safety::page))
        .route("/visibility", get(visibility::page))
        .route("/static/app.css", get(statics::css))
        .route("/static/app.js", get(statics::js))
        .route("/static/icon.svg", get(statics::icon_svg))
        .route("/static/icon-192.png", get(statics::icon_192))
        .route("/static/icon-512.png", get(statics::icon_512))
        .route("/manifest.webmanifest", get(statics::manifest))
        .route("/sw.js", get(statics::service_worker))
        .route("/talk", get(talk::page))
        .merge(values::routes())
        .merge(respect::routes())
        .merge(conversations::routes())
        .merge(security::routes())
        .merge(recover::routes())
        .merge(reflections::routes())
        .merge(agreements::routes())
        .merge(checkins::routes())
        .merge(episodes::routes())
        .merge(counselor::routes())
        // Two-factor
        .merge(two_factor::routes())
        .layer(axum::middleware::from_fn(refresh::back_to_the_page))
}

pub use recover::page_session;

/// Renders a page with a status; a template error is logged and answered generically.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub exit_url: &'a str,
    pub heading: &'a str,
    pub message: &'a str,
}

/// A short page for failures that have no form to return to.
pub fn message(state: &AppState, status: StatusCode, heading: &str, text: &str) -> Response {
    render(
        status,
        &MessagePage {
            exit_url: &state.config.exit_url,
            heading,
            message: text,
        },
    )
}

/// Draws the page of a handler that answered `Err(PageError)`: the handler
/// chose status and sentence, this adds the page around them (it needs the
/// server's settings, which an error value does not carry).
pub async fn render_page_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let Some(failure) = response.extensions_mut().remove::<PageFailure>() else {
        return response;
    };
    let heading = match (failure.code, response.status()) {
        ("ended", _) => "This space has ended",
        ("sealed", _) => "Sealed for now",
        (_, StatusCode::NOT_FOUND) => "Not here",
        _ => "Sorry",
    };
    let mut page = message(&state, response.status(), heading, &failure.message);
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    page
}

/// Turns an error without a field into a page (storage failures, rate limits).
pub fn error_page(state: &AppState, err: AppError) -> Response {
    let status = err.status;
    let mut response = message(state, status, "Sorry", &err.message);
    err.set_retry_after(&mut response);
    response
}

/// The signed-in person, or a redirect to the sign-in page.
pub async fn signed_in(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Authenticated, Response> {
    match crate::auth::session::authenticate(headers, state).await {
        Ok(Some(who)) => {
            chrome::record(&who);
            Ok(who)
        }
        // `page_session` turns the 401 into the sign-in page, which knows
        // whether the session ran out and returns here after.
        Ok(None) => {
            let mut response = StatusCode::UNAUTHORIZED.into_response();
            response.extensions_mut().insert(crate::error::NeedsSignIn);
            Err(response)
        }
        Err(err) => Err(error_page(state, err)),
    }
}

/// The signed-in person and the space a capability's pages are about: the
/// active one, or the one that ended (read-only, one's own words). Anyone
/// else is told `what` opens once the partner has joined.
pub async fn space_to_read(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    what: &str,
) -> Result<(std::sync::Arc<domain::me::Me>, domain::store::Relationship), Response> {
    use domain::relationship::{self, RelationshipStatus};
    let who = signed_in(state, headers).await?;
    let rel = match who.current_space() {
        Some(m)
            if m.status == RelationshipStatus::Active || m.status == RelationshipStatus::Ended =>
        {
            m.relationship_id
        }
        _ => {
            return Err(message(
                state,
                StatusCode::OK,
                "Not yet",
                &format!("{what} open once your partner has joined your space."),
            ))
        }
    };
    match relationship::get(&state.app, who.account_id, rel).await {
        Ok(rel) => Ok((who.me, rel)),
        Err(err) => Err(crate::error::PageError::from(err).into_response()),
    }
}

pub async fn not_found(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    message(
        &state,
        StatusCode::NOT_FOUND,
        "Not here",
        "There's no page at this address.",
    )
}
