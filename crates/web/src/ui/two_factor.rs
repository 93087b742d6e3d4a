//! `/account/two-factor`: turning two-step sign-in on and off as pages.
//! Every action is the API's own rule (`auth::two_factor`), drawn as a
//! page: the password first, then the QR code and the secret written out
//! with a field for a first code, then the recovery codes once.
//!
//! Post/redirect/get: starting redirects to the page, which shows the
//! waiting enrolment again from the stored (sealed) secret, so a reload
//! never makes a new one. The recovery codes are the exception: they are
//! drawn by the confirming POST itself, since they exist only then.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::accounts::AccountKind;
use domain::two_factor::{self, Status};
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::notice::{self, Done};
use super::render;
use crate::auth::client::ClientAddr;
use crate::auth::two_factor::{self as flow, Shown};
use crate::auth::Authenticated;
use crate::error::PageError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/two-factor", get(page))
        .route("/account/two-factor/start", post(start))
        .route("/account/two-factor/confirm", post(confirm))
        .route("/account/two-factor/off", post(turn_off))
}

/// Which form on the page an error belongs to (two ask for the password).
#[derive(Default, PartialEq, Eq)]
enum Part {
    #[default]
    None,
    Start,
    Confirm,
    Off,
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage<'a> {
    exit_url: &'a str,
    counselor: bool,
    status: Status,
    /// The enrolment waiting for its first code.
    enrolment: Option<Shown>,
    part: Part,
    errors: Errors,
}

impl TwoFactorPage<'_> {
    fn is_on(&self) -> bool {
        matches!(self.status, Status::On { .. })
    }

    fn codes_left(&self) -> u32 {
        match self.status {
            Status::On {
                recovery_codes_left,
            } => recovery_codes_left,
            _ => 0,
        }
    }

    /// The errors of one form only: two forms here have a password field.
    fn errors_of(&self, part: Part) -> Option<&Errors> {
        (self.part == part).then_some(&self.errors)
    }

    fn error(&self, part: Part, field: &str) -> Option<&str> {
        self.errors_of(part).and_then(|e| e.get(field))
    }

    fn general(&self, part: Part) -> Option<&str> {
        self.errors_of(part).and_then(Errors::general)
    }
}

#[derive(Template)]
#[template(path = "two_factor_codes.html")]
struct CodesPage<'a> {
    exit_url: &'a str,
    codes: Vec<String>,
    counselor: bool,
}

async fn draw(
    state: &AppState,
    who: &Authenticated,
    status_code: StatusCode,
    part: Part,
    errors: Errors,
) -> Result<Response, PageError> {
    let status = two_factor::status(&state.app, who.account_id).await?;
    let enrolment = match status {
        Status::Enrolling => flow::pending(state, who).await?,
        _ => None,
    };
    Ok(render(
        status_code,
        &TwoFactorPage {
            exit_url: &state.config.exit_url,
            counselor: who.account.kind == AccountKind::Counselor,
            status,
            enrolment,
            part,
            errors,
        },
    ))
}

/// The page; a confirmation after a redirect (`?done=off`) is base.html's.
pub async fn page(
    State(state): State<AppState>,
    who: Authenticated,
) -> Result<Response, PageError> {
    draw(&state, &who, StatusCode::OK, Part::None, Errors::default()).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn start(
    State(state): State<AppState>,
    who: Authenticated,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    match flow::start(&state, &who, &form.password).await {
        Ok(_) => Ok(Redirect::to("/account/two-factor").into_response()),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["password"])?;
            draw(&state, &who, status, Part::Start, errors).await
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    who: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    match flow::confirm(&state, &who, &client, &headers, &form.code).await {
        Ok(codes) => Ok(render(
            StatusCode::OK,
            &CodesPage {
                exit_url: &state.config.exit_url,
                codes: codes.iter().map(|c| c.expose().to_owned()).collect(),
                counselor: who.account.kind == AccountKind::Counselor,
            },
        )),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["code"])?;
            draw(&state, &who, status, Part::Confirm, errors).await
        }
    }
}

pub async fn turn_off(
    State(state): State<AppState>,
    who: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    match flow::turn_off(&state, &who, &client, &headers, &form.password).await {
        Ok(()) => Ok(notice::after("/account/two-factor", Done::TwoStepOff)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["password"])?;
            draw(&state, &who, status, Part::Off, errors).await
        }
    }
}
