//! Getting back in: the recovery-code page, the operator's reset link, and
//! the form kept across an idle sign-out. Also the layer every page goes
//! through, which knows whether the visitor's session has just run out.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::account::{local_path, RecoveryCodePage};
use super::form::{Errors, PageForm};
use super::{message, render};
use crate::auth::client::ClientAddr;
use crate::auth::credentials::{self, ResetWith};
use crate::auth::session::{identify, Caller, CallerSlot};
use crate::auth::{cookies, held, Authenticated};
use crate::error::{NeedsSignIn, PageFailure};
use crate::middleware::BODY_LIMIT;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/recover", get(recover_page).post(recover))
        .route("/reset/{token}", get(reset_page).post(reset))
        .route("/held", get(held_page))
}

/// Every page request passes here first. It drops any bearer token (web
/// pages never accept one, R17), identifies the visitor once for the
/// handlers, and handles a session that has just run out: a GET is sent to
/// sign in and back, and a form posted meanwhile is kept for its author
/// (see [`held`]) instead of being lost.
pub async fn page_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    request.headers_mut().remove(header::AUTHORIZATION);
    let caller = match identify(request.headers(), &state).await {
        Ok(caller) => caller,
        Err(err) => return super::error_page(&state, err),
    };
    let expired = match caller {
        Caller::Signed(who) => {
            if let Some(slot) = request.extensions().get::<CallerSlot>() {
                slot.set(who.account_id);
            }
            request.extensions_mut().insert::<Authenticated>(*who);
            false
        }
        Caller::Expired(account) if request.method() == Method::POST => {
            return hold_post(&state, account, request).await;
        }
        Caller::Expired(_) => true,
        Caller::Anonymous => false,
    };
    let back_to = (request.method() == Method::GET)
        .then(|| {
            request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
        })
        .flatten()
        .unwrap_or_default();
    let mut response = next.run(request).await;
    // A page that needs a signed-in visitor answered 401: to the sign-in
    // page, which says why when the session ran out, and comes back here.
    if response.extensions_mut().remove::<NeedsSignIn>().is_some() {
        response.extensions_mut().remove::<PageFailure>();
        let mut target = String::from("/signin");
        let mut query = Vec::new();
        if expired {
            query.push("expired=1".to_owned());
        }
        let back_to = local_path(&back_to);
        if !back_to.is_empty() && back_to != "/home" {
            query.push(format!("next={}", urlencode(back_to)));
        }
        if !query.is_empty() {
            target.push('?');
            target.push_str(&query.join("&"));
        }
        let mut redirect = Redirect::to(&target).into_response();
        if expired {
            redirect.headers_mut().insert(
                header::SET_COOKIE,
                cookies::clear_session(state.config.secure_cookies()),
            );
        }
        return redirect;
    }
    response
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Keeps a form posted after its session ran out, then asks to sign in.
async fn hold_post(state: &AppState, account: domain::AccountId, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let secure = state.config.secure_cookies();
    let body = match axum::body::to_bytes(request.into_body(), BODY_LIMIT).await {
        Ok(body) => body,
        Err(_) => return Redirect::to("/signin?expired=1").into_response(),
    };
    match held::hold(state, account, &path, &body).await {
        Ok(cookie) => (
            AppendHeaders([
                (header::SET_COOKIE, cookies::held(&cookie, secure)),
                (header::SET_COOKIE, cookies::clear_session(secure)),
            ]),
            Redirect::to("/signin?expired=1&held=1"),
        )
            .into_response(),
        Err(err) => super::error_page(state, err),
    }
}

struct HeldField {
    name: String,
    value: String,
    /// Text the person wrote (shown to edit), rather than a choice or a key.
    written: bool,
}

#[derive(Template)]
#[template(path = "held.html")]
struct HeldPage<'a> {
    exit_url: &'a str,
    action: &'a str,
    fields: Vec<HeldField>,
}

/// After signing in again: the kept form, with its text, ready to send.
pub async fn held_page(
    State(state): State<AppState>,
    who: Authenticated,
    headers: HeaderMap,
) -> Result<Response, crate::error::PageError> {
    let secure = state.config.secure_cookies();
    let clear = AppendHeaders([(header::SET_COOKIE, cookies::clear_held(secure))]);
    let Some(cookie) = cookies::get(&headers, cookies::HELD).filter(|v| !v.is_empty()) else {
        return Ok(Redirect::to("/home").into_response());
    };
    let Some(form) = held::take(&state, who.account_id, cookie).await? else {
        return Ok((clear, Redirect::to("/home")).into_response());
    };
    let fields = form
        .fields
        .into_iter()
        .map(|(name, value)| HeldField {
            written: is_written(&name, &value),
            name,
            value,
        })
        .collect();
    Ok((
        clear,
        render(
            StatusCode::OK,
            &HeldPage {
                exit_url: &state.config.exit_url,
                action: &form.path,
                fields,
            },
        ),
    )
        .into_response())
}

/// The fields of our forms where people write in their own words.
const FREE_TEXT_FIELDS: [&str; 5] = ["definition", "description", "text", "note", "name"];

/// Whether a kept field is the person's own writing (shown to check and
/// edit) rather than a choice or a key (carried along unseen). Free text is
/// what hurts to lose; a choice is a short word or number.
fn is_written(name: &str, value: &str) -> bool {
    FREE_TEXT_FIELDS.contains(&name)
        || value.chars().any(char::is_whitespace)
        || value.chars().count() > 24
}

#[derive(Template)]
#[template(path = "recover.html")]
struct RecoverPage<'a> {
    exit_url: &'a str,
    /// The operator's link secret, or empty for the recovery-code form.
    token: &'a str,
    email: &'a str,
    errors: Errors,
}

#[derive(Deserialize)]
pub struct RecoverForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    recovery_code: String,
    #[serde(default)]
    new_password: String,
}

pub async fn recover_page(State(state): State<AppState>) -> Response {
    render(
        StatusCode::OK,
        &RecoverPage {
            exit_url: &state.config.exit_url,
            token: "",
            email: "",
            errors: Errors::default(),
        },
    )
}

pub async fn recover(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<RecoverForm>,
) -> Result<Response, crate::error::PageError> {
    let proof = ResetWith::RecoveryCode {
        email: &form.email,
        code: &form.recovery_code,
    };
    match credentials::reset_password(&state, &client, &headers, proof, &form.new_password).await {
        Ok(next) => {
            let code = next.map(|c| c.expose().to_owned()).unwrap_or_default();
            Ok(render(
                StatusCode::OK,
                &RecoveryCodePage {
                    exit_url: &state.config.exit_url,
                    heading: "Your password is set. Here is your next recovery code",
                    code: &code,
                    next: "/signin",
                },
            ))
        }
        Err(err) => {
            let (errors, status) =
                Errors::for_form(err, &["email", "recovery_code", "new_password"])?;
            Ok(render(
                status,
                &RecoverPage {
                    exit_url: &state.config.exit_url,
                    token: "",
                    email: &form.email,
                    errors,
                },
            ))
        }
    }
}

/// An operator's reset link: only its form; whether it is still good is
/// known once used, so a stranger probing links learns nothing sooner.
pub async fn reset_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let token = plausible_token(&token);
    render(
        StatusCode::OK,
        &RecoverPage {
            exit_url: &state.config.exit_url,
            token,
            email: "",
            errors: Errors::default(),
        },
    )
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    new_password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Path(token): Path<String>,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, crate::error::PageError> {
    let proof = ResetWith::Link { token: &token };
    match credentials::reset_password(&state, &client, &headers, proof, &form.new_password).await {
        Ok(_) => Ok(message(
            &state,
            StatusCode::OK,
            "Your password is set",
            "Sign in with your new password. Every device that was signed in has been signed out.",
        )),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["new_password"])?;
            Ok(render(
                status,
                &RecoverPage {
                    exit_url: &state.config.exit_url,
                    token: plausible_token(&token),
                    email: "",
                    errors,
                },
            ))
        }
    }
}

/// A reset link's secret as it can be (base64url, 43 characters); anything
/// else is dropped rather than echoed into the page.
fn plausible_token(raw: &str) -> &str {
    let ok = raw.len() <= 64
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        raw
    } else {
        ""
    }
}
