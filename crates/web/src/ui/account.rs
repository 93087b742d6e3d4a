//! Landing, sign-up, sign-in and sign-out pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::render;
use crate::auth::service::{self, ClientAddr, SignUp};
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
    errors: Errors,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    exit_url: &'a str,
    email: &'a str,
    invite: &'a str,
    errors: Errors,
}

#[derive(Deserialize, Default)]
pub struct InviteQuery {
    #[serde(default)]
    invite: String,
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
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    invite: String,
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
            errors: Errors::default(),
        },
    )
}

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
    };
    let created = service::sign_up(&state, &client, input).await;
    // A new account is signed in straight away: nobody wants to type it all twice.
    let signed_in = match created {
        Ok(_) => service::sign_in(&state, &client, &headers, &form.email, &form.password).await,
        Err(err) => Err(err),
    };
    match signed_in {
        Ok(done) => Ok(signed_in_redirect(&state, &done, invite)),
        Err(err) if err.status.is_server_error() => Err(PageError(err)),
        Err(err) => Ok(render(
            err.status,
            &SignUpPage {
                exit_url: &state.config.exit_url,
                display_name: &form.display_name,
                email: &form.email,
                invite,
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
    if who.is_some() {
        return Redirect::to(&next_page(invite)).into_response();
    }
    render(
        StatusCode::OK,
        &SignInPage {
            exit_url: &state.config.exit_url,
            email: "",
            invite,
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
    Ok(
        match service::sign_in(&state, &client, &headers, &form.email, &form.password).await {
            Ok(done) => signed_in_redirect(&state, &done, invite),
            Err(err) if err.status.is_server_error() => return Err(PageError(err)),
            Err(err) => {
                let mut response = render(
                    err.status,
                    &SignInPage {
                        exit_url: &state.config.exit_url,
                        email: &form.email,
                        invite,
                        // Shown above the form: it is about the pair, not one field.
                        errors: Errors::from_api(&err, &[]),
                    },
                );
                err.set_retry_after(&mut response);
                response
            }
        },
    )
}

fn signed_in_redirect(state: &AppState, done: &service::SignedIn, invite: &str) -> Response {
    let secure = state.config.secure_cookies();
    (
        AppendHeaders([
            (
                header::SET_COOKIE,
                cookies::session(done.session.expose(), secure),
            ),
            (
                header::SET_COOKIE,
                cookies::device(&done.device_cookie, secure),
            ),
        ]),
        Redirect::to(&next_page(invite)),
    )
        .into_response()
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
        Redirect::to("/"),
    )
        .into_response())
}
