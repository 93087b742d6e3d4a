//! The account page: where a person sees and ends their sessions, changes
//! their password, makes a new recovery code, mints and revokes tokens for
//! scripts, reads what happened to their account (SECURITY.md R16, R19),
//! and downloads everything they may see (R37).
//! Every action is the API's own rule (`auth::credentials`, `api::security`),
//! drawn as a page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use domain::store::SecurityEventKind;
use serde::Deserialize;

use super::account::RecoveryCodePage;
use super::form::{Errors, PageForm};
use super::notice::{self, Done};
use super::render;
use crate::auth::client::ClientAddr;
use crate::auth::credentials::{self, TokenRequest};
use crate::auth::Authenticated;
use crate::error::PageError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(page))
        .route("/account/export", get(export))
        .route("/account/export.html", get(export_html))
        .route("/account/password", post(change_password))
        .route("/account/recovery-code", post(new_recovery_code))
        .route("/account/sessions/{id}/end", post(end_session))
        .route("/account/sessions/end-others", post(end_other_sessions))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/delete", post(delete_account))
}

struct SessionRow {
    id: String,
    device: String,
    current: bool,
    persistent: bool,
    last_seen: String,
    since: String,
}

struct TokenRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
    expires: String,
}

struct EventRow {
    what: &'static str,
    when: String,
    device: String,
    client: String,
    /// Worth a second look (a failed or slowed sign-in).
    alert: bool,
}

/// Which form on the page an error or a notice belongs to.
#[derive(Default, PartialEq, Eq)]
enum Part {
    #[default]
    None,
    Password,
    Recovery,
    Tokens,
    Delete,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    exit_url: &'a str,
    display_name: &'a str,
    email: &'a str,
    has_recovery_code: bool,
    /// Two-step sign-in is on.
    two_factor: bool,
    counselor: bool,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    events: Vec<EventRow>,
    /// A confirmation to announce (after a redirect, from `?done=`).
    notice: &'a str,
    /// The form the errors belong to.
    part: Part,
    errors: Errors,
    /// A token just made, shown this once.
    new_token: Option<String>,
    token_name: &'a str,
}

impl AccountPage<'_> {
    /// The errors of one form only: three forms here have a password field.
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

fn when(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// The event as the owner reads it.
fn describe(kind: SecurityEventKind) -> &'static str {
    match kind {
        SecurityEventKind::SignedIn => "Signed in",
        SecurityEventKind::SignInFailed => "Someone tried to sign in with a wrong password",
        SecurityEventKind::SignInThrottled => "Sign-in attempts were slowed down after many tries",
        SecurityEventKind::PasswordChanged => "Password changed",
        SecurityEventKind::PasswordReset => "Password reset",
        SecurityEventKind::RecoveryCodeCreated => "New recovery code made",
        SecurityEventKind::ResetLinkCreated => "The server's operator made a password reset link",
        SecurityEventKind::TokenCreated => "Token for scripts made",
        SecurityEventKind::TokenRevoked => "Token for scripts revoked",
        SecurityEventKind::SessionEnded => "A device was signed out",
        SecurityEventKind::OtherSessionsEnded => "Every other device was signed out",
        SecurityEventKind::TwoFactorOn => "Two-step sign-in turned on",
        SecurityEventKind::TwoFactorOff => "Two-step sign-in turned off",
        SecurityEventKind::TwoFactorRefused => {
            "Your password was entered, then a wrong or already used code from the app"
        }
        SecurityEventKind::TwoFactorMissing => {
            "Your password was entered, without the code from your authenticator app"
        }
        SecurityEventKind::TwoFactorRecoveryCodeUsed => {
            "Signed in with a two-step recovery code instead of the app"
        }
    }
}

/// What one drawing of the page adds to the account's own data.
#[derive(Default)]
struct Extra<'a> {
    notice: &'a str,
    part: Part,
    errors: Errors,
    new_token: Option<String>,
    token_name: &'a str,
}

impl<'a> Extra<'a> {
    fn errors(part: Part, errors: Errors) -> Self {
        Self {
            part,
            errors,
            ..Self::default()
        }
    }
}

async fn draw(
    state: &AppState,
    who: &Authenticated,
    status: StatusCode,
    extra: Extra<'_>,
) -> Result<Response, PageError> {
    let Extra {
        notice,
        part,
        errors,
        new_token,
        token_name,
    } = extra;
    let now = Utc::now();
    let current = who.session.as_ref().map(|s| s.id);
    let sessions = crate::auth::session::live_sessions(state, who.account_id)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            id: s.id.to_string(),
            current: Some(s.id) == current,
            device: s.device,
            persistent: s.persistent,
            last_seen: when(s.last_seen_at),
            since: when(s.created_at),
        })
        .collect();
    let tokens = domain::accounts::tokens(&state.app, &who.me)
        .await?
        .into_iter()
        .filter(|t| t.expires_at > now)
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
            expires: when(t.expires_at),
        })
        .collect();
    let events = domain::accounts::security_events(&state.app, who.account_id)
        .await?
        .into_iter()
        .map(|e| EventRow {
            what: describe(e.kind),
            alert: matches!(
                e.kind,
                SecurityEventKind::SignInFailed
                    | SecurityEventKind::SignInThrottled
                    | SecurityEventKind::TwoFactorRefused
                    | SecurityEventKind::TwoFactorMissing
            ),
            when: when(e.at),
            device: e.device,
            client: e.client,
        })
        .collect();
    Ok(render(
        status,
        &AccountPage {
            exit_url: &state.config.exit_url,
            display_name: &who.account.display_name,
            email: &who.account.email,
            has_recovery_code: who.account.has_recovery_code,
            two_factor: who.account.two_factor,
            counselor: who.account.kind == domain::accounts::AccountKind::Counselor,
            sessions,
            tokens,
            events,
            notice,
            part,
            errors,
            new_token,
            token_name,
        },
    ))
}

/// The page; a confirmation after a redirect (`?done=`) is base.html's,
/// from `notice::Done`.
pub async fn page(
    State(state): State<AppState>,
    who: Authenticated,
) -> Result<Response, PageError> {
    draw(&state, &who, StatusCode::OK, Extra::default()).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    who: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    match credentials::change_password(
        &state,
        &who,
        &client,
        &headers,
        &form.current_password,
        &form.new_password,
    )
    .await
    {
        Ok(()) => Ok(notice::after("/account", Done::PasswordChanged)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["current_password", "new_password"])?;
            draw(&state, &who, status, Extra::errors(Part::Password, errors)).await
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordOnly {
    #[serde(default)]
    password: String,
}

pub async fn new_recovery_code(
    State(state): State<AppState>,
    who: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<PasswordOnly>,
) -> Result<Response, PageError> {
    match credentials::new_recovery_code(&state, &who, &client, &headers, &form.password).await {
        Ok(code) => Ok(render(
            StatusCode::OK,
            &RecoveryCodePage {
                exit_url: &state.config.exit_url,
                heading: "Your new recovery code",
                code: code.expose(),
                next: "/account",
            },
        )),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["password"])?;
            draw(&state, &who, status, Extra::errors(Part::Recovery, errors)).await
        }
    }
}

fn session_id(raw: &str) -> Result<uuid::Uuid, PageError> {
    uuid::Uuid::parse_str(raw).map_err(|_| PageError(crate::error::AppError::not_found()))
}

pub async fn end_session(
    State(state): State<AppState>,
    who: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    credentials::end_session(&state, &who, &client, &headers, session_id(&id)?).await?;
    Ok(notice::after("/account", Done::SessionEnded))
}

pub async fn end_other_sessions(
    State(state): State<AppState>,
    who: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    credentials::end_other_sessions(&state, &who, &client, &headers).await?;
    Ok(notice::after("/account", Done::OthersSignedOut))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
    #[serde(default)]
    password: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    who: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<TokenForm>,
) -> Result<Response, PageError> {
    let days = match form.expires_in_days.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(days) => Some(days),
            Err(_) => Some(0),
        },
    };
    let request = TokenRequest {
        name: &form.name,
        password: &form.password,
        expires_in_days: days,
    };
    match credentials::create_token(&state, &who, &client, &headers, request).await {
        Ok((token, _)) => {
            let extra = Extra {
                notice: "Your token is ready. Copy it now: it is shown this once.",
                part: Part::Tokens,
                new_token: Some(token.expose().to_owned()),
                ..Extra::default()
            };
            draw(&state, &who, StatusCode::CREATED, extra).await
        }
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["name", "expires_in_days", "password"])?;
            let extra = Extra {
                token_name: &form.name,
                ..Extra::errors(Part::Tokens, errors)
            };
            draw(&state, &who, status, extra).await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    who: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    credentials::revoke_token(&state, &who, &client, &headers, session_id(&id)?).await?;
    Ok(notice::after("/account", Done::TokenRevoked))
}

/// "Delete my account": the API's rule (`credentials::delete_account`) as a
/// form. Done, the person is signed out (the session went with the account;
/// the cookie and what the browser kept go here) and told so on a short
/// neutral page; a wrong password draws the account page again with the
/// error beside the field.
pub async fn delete_account(
    State(state): State<AppState>,
    who: Authenticated,
    PageForm(form): PageForm<PasswordOnly>,
) -> Result<Response, PageError> {
    match credentials::delete_account(&state, &who, &form.password).await {
        Ok(()) => {
            let page = super::message(
                &state,
                StatusCode::OK,
                "Your account has been deleted",
                "Your account has been deleted, with everything you wrote here. \
                 You are signed out. Thank you for the time you spent with us.",
            );
            Ok((
                [
                    (
                        axum::http::header::SET_COOKIE,
                        crate::auth::cookies::clear_session(state.config.secure_cookies()),
                    ),
                    crate::auth::cookies::clear_site_data(),
                ],
                page,
            )
                .into_response())
        }
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["password"])?;
            draw(&state, &who, status, Extra::errors(Part::Delete, errors)).await
        }
    }
}

/// "Download my data": the same file as `GET /api/v1/me/export` (pages take
/// the session only: the UI router drops any token).
pub async fn export(
    State(state): State<AppState>,
    who: Authenticated,
) -> Result<Response, PageError> {
    let archive = crate::api::export::archive(&state, &who, Utc::now()).await?;
    Ok(crate::api::export::download(&archive)?)
}

/// "Download as a web page": the same page as `GET /api/v1/me/export.html`
/// (the session only, as above).
pub async fn export_html(
    State(state): State<AppState>,
    who: Authenticated,
) -> Result<Response, PageError> {
    let archive = crate::api::export::archive(&state, &who, Utc::now()).await?;
    Ok(crate::api::export::download_html(&archive)?)
}
