//! Landing, sign-up, sign-in and sign-out pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use domain::accounts::AccountKind;
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::render;
use crate::api::sign_in_cookies;
use crate::auth::service::{self, ClientAddr, SignIn, SignUp};
use crate::auth::{cookies, MaybeAuthenticated};
use crate::error::PageError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing<'a> {
    exit_url: &'a str,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage<'a> {
    exit_url: &'a str,
    display_name: &'a str,
    email: &'a str,
    invite: &'a str,
    /// "I'm joining as a counselor" was ticked (kept on a form with errors).
    counselor: bool,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    exit_url: &'a str,
    email: &'a str,
    invite: &'a str,
    /// Where to go after signing in (a local path), or empty.
    next: &'a str,
    /// Signed out by the idle limit: say so.
    expired: bool,
    /// A form posted after the session ended was kept.
    held: bool,
    errors: Errors,
}

/// The recovery code, shown once (after sign-up, or when a new one is made).
#[derive(Template)]
#[template(path = "recovery_code.html")]
pub(super) struct RecoveryCodePage<'a> {
    pub exit_url: &'a str,
    pub heading: &'a str,
    pub code: &'a str,
    pub next: &'a str,
}

#[derive(Deserialize, Default)]
pub struct InviteQuery {
    #[serde(default)]
    invite: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
    #[serde(default)]
    held: Option<String>,
}

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    invite: String,
    /// The "I'm joining as a counselor" checkbox: present when ticked.
    #[serde(default)]
    counselor: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    invite: String,
    #[serde(default)]
    next: String,
    /// The "keep me signed in" checkbox: present when ticked.
    #[serde(default)]
    remember: Option<String>,
    /// The authenticator's code; always offered, since the page must not
    /// tell who has two-step sign-in before the password is right.
    #[serde(default)]
    totp: String,
}

/// A path on this site to return to after signing in; anything else (another
/// site, a scheme, an odd character) is dropped rather than followed.
pub(super) fn local_path(raw: &str) -> &str {
    let safe = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= 512
        && raw
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '\\' && c != '"' && c != '<' && c != '>');
    if safe && !raw.starts_with("/signin") && !raw.starts_with("/signup") {
        raw
    } else {
        ""
    }
}

/// An invitation code carried through sign-up or sign-in; anything that
/// could not be a code is dropped rather than echoed into a page or a URL.
pub(super) fn carried_invite(raw: &str) -> &str {
    let plausible = raw.len() <= 64 && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if plausible {
        raw
    } else {
        ""
    }
}

/// Where to go after signing in: back to the invitation, or home.
fn next_page(invite: &str) -> String {
    if invite.is_empty() {
        "/home".to_owned()
    } else {
        format!("/j/{invite}")
    }
}

/// After signing in: a kept form first, then the page the person was on,
/// then the invitation or home.
fn after_sign_in(headers: &HeaderMap, next: &str, invite: &str) -> String {
    if cookies::get(headers, cookies::HELD).is_some_and(|v| !v.is_empty()) {
        return "/held".to_owned();
    }
    match local_path(next) {
        "" => next_page(invite),
        path => path.to_owned(),
    }
}

pub async fn landing(
    State(state): State<AppState>,
    MaybeAuthenticated(who): MaybeAuthenticated,
) -> Response {
    if who.is_some() {
        return Redirect::to("/home").into_response();
    }
    render(
        StatusCode::OK,
        &Landing {
            exit_url: &state.config.exit_url,
        },
    )
}

pub async fn signup_page(
    State(state): State<AppState>,
    MaybeAuthenticated(who): MaybeAuthenticated,
    Query(query): Query<InviteQuery>,
) -> Response {
    let invite = carried_invite(&query.invite);
    if who.is_some() {
        return Redirect::to(&next_page(invite)).into_response();
    }
    render(
        StatusCode::OK,
        &SignUpPage {
            exit_url: &state.config.exit_url,
            display_name: "",
            email: "",
            invite,
            counselor: false,
            errors: Errors::default(),
        },
    )
}

/// Where a counselor goes after signing up: two-step sign-in is theirs
/// to set up before anything a couple shares opens to them.
const COUNSELOR_NEXT: &str = "/account/two-factor";

pub async fn signup(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<SignUpForm>,
) -> Result<Response, PageError> {
    let invite = carried_invite(&form.invite);
    let input = SignUp {
        email: &form.email,
        password: &form.password,
        display_name: &form.display_name,
        kind: form.counselor.is_some().then_some("counselor"),
    };
    let created = service::sign_up(&state, &client, input).await;
    // A new account is signed in straight away: nobody wants to type it all twice.
    let signed_in = match created {
        Ok(account) => service::sign_in(
            &state,
            &client,
            &headers,
            SignIn {
                email: &form.email,
                password: &form.password,
                remember: false,
                totp: None,
            },
        )
        .await
        .map(|done| (done, account)),
        Err(err) => Err(err),
    };
    match signed_in {
        // The recovery code is shown now, once, before anything else.
        Ok((done, account)) => {
            let next = match account.kind {
                AccountKind::Counselor => COUNSELOR_NEXT.to_owned(),
                AccountKind::Partner => next_page(invite),
            };
            let page = render(
                StatusCode::CREATED,
                &RecoveryCodePage {
                    exit_url: &state.config.exit_url,
                    heading: "Keep your recovery code",
                    code: account.recovery_code.expose(),
                    next: &next,
                },
            );
            Ok((AppendHeaders(sign_in_cookies(&state, &done)), page).into_response())
        }
        Err(err) if err.status.is_server_error() => Err(PageError(err)),
        Err(err) => Ok(render(
            err.status,
            &SignUpPage {
                exit_url: &state.config.exit_url,
                display_name: &form.display_name,
                email: &form.email,
                invite,
                counselor: form.counselor.is_some(),
                errors: Errors::from_api(&err, &["display_name", "email", "password"]),
            },
        )),
    }
}

pub async fn signin_page(
    State(state): State<AppState>,
    MaybeAuthenticated(who): MaybeAuthenticated,
    Query(query): Query<InviteQuery>,
) -> Response {
    let invite = carried_invite(&query.invite);
    let next = local_path(&query.next);
    if who.is_some() {
        return Redirect::to(&next_page(invite)).into_response();
    }
    render(
        StatusCode::OK,
        &SignInPage {
            exit_url: &state.config.exit_url,
            email: "",
            invite,
            next,
            expired: query.expired.is_some(),
            held: query.held.is_some(),
            errors: Errors::default(),
        },
    )
}

pub async fn signin(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<SignInForm>,
) -> Result<Response, PageError> {
    let invite = carried_invite(&form.invite);
    let next = local_path(&form.next);
    let input = SignIn {
        email: &form.email,
        password: &form.password,
        remember: form.remember.is_some(),
        totp: Some(&form.totp),
    };
    Ok(
        match service::sign_in(&state, &client, &headers, input).await {
            Ok(done) => (
                AppendHeaders(sign_in_cookies(&state, &done)),
                Redirect::to(&after_sign_in(&headers, next, invite)),
            )
                .into_response(),
            Err(err) if err.status.is_server_error() => return Err(PageError(err)),
            Err(err) => {
                let mut response = render(
                    err.status,
                    &SignInPage {
                        exit_url: &state.config.exit_url,
                        email: &form.email,
                        invite,
                        next,
                        expired: false,
                        held: false,
                        // Shown above the form: it is about the pair, not one
                        // field; only the second step's answers (which come after
                        // the right password) stand beside their own field.
                        errors: Errors::from_api(&err, &["totp"]),
                    },
                );
                err.set_retry_after(&mut response);
                response
            }
        },
    )
}

pub async fn signout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    service::sign_out(&state, &headers).await?;
    Ok((
        [
            (
                header::SET_COOKIE,
                cookies::clear_session(state.config.secure_cookies()),
            ),
            cookies::clear_site_data(),
        ],
        super::notice::after("/", super::notice::Done::SignedOut),
    )
        .into_response())
}
