//! The counselor's pages, for both sides (`domain::counselor` has the rules).
//!
//! Partners, at `/counselor`: invite a counselor (the code is shown once),
//! see who they are and what each of you allowed, approve, renew, revoke
//! at once, and write private notes only the counselor reads.
//!
//! Counselors, at `/clients`: join a couple with their code, list the
//! couples who both approved, and open a couple's session report, made to
//! print. Every page asks the domain again, so a revoked counselor's open
//! page is refused on its next load.

use super::notice::{self, Done};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use domain::counselor::engagements::{self, Client, CounselorView, Status};
use domain::counselor::notes::{self, Note, Received, NOTE_MAX_CHARS};
use domain::counselor::report;
use domain::counselor::Category;
use serde::Deserialize;

use super::conversations::{lines, normalized};
use super::counselor_report::{self, Section};
use super::form::{Errors, PageForm};
use super::{render, signed_in};
use crate::auth::Authenticated;
use crate::error::{AppError, PageError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/counselor", get(page).post(invite))
        .route("/counselor/approve", post(approve))
        .route("/counselor/renew", post(renew))
        .route("/counselor/revoke", post(revoke))
        .route("/counselor/notes", post(write_note))
        .route("/clients", get(clients_page))
        .route("/clients/join", post(join))
        .route("/clients/{rid}", get(report_page))
}

/// The six categories as checkboxes (one field each: a plain form cannot
/// send a list the urlencoded reader takes).
#[derive(Deserialize, Default)]
pub struct CategoriesForm {
    #[serde(default)]
    values_and_respect: Option<String>,
    #[serde(default)]
    conversations: Option<String>,
    #[serde(default)]
    agreements: Option<String>,
    #[serde(default)]
    ledger: Option<String>,
    #[serde(default)]
    checkins: Option<String>,
    #[serde(default)]
    episodes: Option<String>,
}

impl CategoriesForm {
    fn keys(&self) -> Vec<String> {
        [
            (&self.values_and_respect, Category::ValuesAndRespect),
            (&self.conversations, Category::Conversations),
            (&self.agreements, Category::Agreements),
            (&self.ledger, Category::Ledger),
            (&self.checkins, Category::Checkins),
            (&self.episodes, Category::Episodes),
        ]
        .into_iter()
        .filter(|(v, _)| v.is_some())
        .map(|(_, c)| c.key().to_owned())
        .collect()
    }
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(flatten)]
    categories: CategoriesForm,
}

#[derive(Deserialize, Default)]
pub struct EngagementForm {
    #[serde(default)]
    id: String,
    #[serde(flatten)]
    categories: CategoriesForm,
}

#[derive(Deserialize, Default)]
pub struct NoteForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize, Default)]
pub struct JoinForm {
    #[serde(default)]
    code: String,
}

/// A checkbox of the category form.
pub struct Choice {
    key: &'static str,
    label: &'static str,
    checked: bool,
}

fn choices(checked: impl Fn(Category) -> bool) -> Vec<Choice> {
    Category::ALL
        .into_iter()
        .map(|c| Choice {
            key: c.key(),
            label: counselor_report::label(c),
            checked: checked(c),
        })
        .collect()
}

fn labels(set: &std::collections::BTreeSet<Category>) -> Vec<&'static str> {
    set.iter().map(|c| counselor_report::label(*c)).collect()
}

struct NoteLine {
    day: String,
    lines: Vec<String>,
}

fn note_line(n: &Note) -> NoteLine {
    NoteLine {
        day: n.written_at.format("%-d %B %Y").to_string(),
        lines: lines(&n.text),
    }
}

/// What the partner's page shows of the current counselor.
struct Current {
    id: uuid::Uuid,
    email: String,
    name: Option<String>,
    joined: bool,
    status: &'static str,
    invited_by_me: bool,
    i_approved: bool,
    mine: Vec<&'static str>,
    theirs: Option<Vec<&'static str>>,
    visible: Vec<&'static str>,
    expires: Option<String>,
    /// The approval form, checked as the other partner proposed (or as I chose).
    form: Vec<Choice>,
}

fn current(v: &CounselorView) -> Current {
    let proposed = v
        .mine
        .as_ref()
        .or(v.theirs.as_ref())
        .map(|a| a.categories.clone())
        .unwrap_or_default();
    Current {
        id: v.id,
        email: v.email.clone(),
        name: v.name.clone(),
        joined: v.joined,
        status: match v.status {
            Status::Waiting => "waiting",
            Status::Open => "open",
            Status::Expired => "expired",
        },
        invited_by_me: v.invited_by_me,
        i_approved: v.mine.is_some(),
        mine: v
            .mine
            .as_ref()
            .map(|a| labels(&a.categories))
            .unwrap_or_default(),
        theirs: v.theirs.as_ref().map(|a| labels(&a.categories)),
        visible: labels(&v.visible),
        expires: v.expires_at.map(|t| t.format("%-d %B %Y").to_string()),
        form: choices(|c| proposed.contains(&c)),
    }
}

#[derive(Template)]
#[template(path = "counselor.html")]
struct CounselorPage<'a> {
    exit_url: &'a str,
    current: Option<Current>,
    /// The invitation form (with no counselor).
    email: String,
    invite_choices: Vec<Choice>,
    notes: Vec<NoteLine>,
    note_text: String,
    max_chars: usize,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "counselor_code.html")]
struct CodePage<'a> {
    exit_url: &'a str,
    email: &'a str,
    code: &'a str,
    expires: String,
}

/// The caller's active space, if any.
fn active_space(who: &Authenticated) -> Option<domain::RelationshipId> {
    who.current_space()
        .filter(|m| m.status == domain::relationship::RelationshipStatus::Active)
        .map(|m| m.relationship_id)
}

fn not_yet(state: &AppState) -> Response {
    super::message(
        state,
        StatusCode::OK,
        "Not yet",
        "Bringing in a counselor opens once your partner has joined your space.",
    )
}

async fn partner_page(
    state: &AppState,
    who: &Authenticated,
    rel: domain::RelationshipId,
    form: (String, Vec<String>, String),
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let view = engagements::view(&state.app, &who.me, rel, Utc::now()).await?;
    let notes = match &view {
        Some(v) => notes::mine(&state.app, &who.me, rel, v.id).await?,
        None => Vec::new(),
    };
    let (email, chosen, note_text) = form;
    Ok(render(
        status,
        &CounselorPage {
            exit_url: &state.config.exit_url,
            current: view.as_ref().map(current),
            email,
            invite_choices: choices(|c| chosen.iter().any(|k| k == c.key())),
            notes: notes.iter().map(note_line).collect(),
            note_text,
            max_chars: NOTE_MAX_CHARS,
            errors,
        },
    ))
}

/// Signed in, a partner in an active space: who and where; else the page to show.
async fn partner(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(Authenticated, domain::RelationshipId), Response> {
    let who = signed_in(state, headers).await?;
    if who.account.kind == domain::accounts::AccountKind::Counselor {
        // A counselor's side of this is their clients.
        return Err(Redirect::to("/clients").into_response());
    }
    match active_space(&who) {
        Some(rel) => Ok((who, rel)),
        None => Err(not_yet(state)),
    }
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (who, rel) = match partner(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    partner_page(
        &state,
        &who,
        rel,
        (String::new(), Vec::new(), String::new()),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<InviteForm>,
) -> Result<Response, PageError> {
    let (who, rel) = match partner(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let keys = form.categories.keys();
    let chosen = engagements::invitation_fields(
        &form.email,
        engagements::categories(Some(&keys), Default::default),
    );
    let result = match chosen {
        Ok(chosen) => {
            engagements::invite(&state.app, &who.me, rel, &form.email, chosen, Utc::now()).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(invitation) => Ok(render(
            StatusCode::OK,
            &CodePage {
                exit_url: &state.config.exit_url,
                email: form.email.trim(),
                code: invitation.code.expose(),
                expires: invitation.expires_at.format("%-d %B %Y").to_string(),
            },
        )),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["email", "categories"])?;
            partner_page(
                &state,
                &who,
                rel,
                (form.email, keys, String::new()),
                errors,
                status,
            )
            .await
        }
    }
}

fn engagement_id(raw: &str) -> Result<uuid::Uuid, PageError> {
    raw.trim()
        .parse()
        .map_err(|_| PageError(AppError::not_found()))
}

/// Approve or renew: the same form, the same answer.
async fn consent(
    state: AppState,
    headers: HeaderMap,
    form: EngagementForm,
    renew: bool,
) -> Result<Response, PageError> {
    let (who, rel) = match partner(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let id = engagement_id(&form.id)?;
    let keys = form.categories.keys();
    let now = Utc::now();
    let result = if renew {
        engagements::renew(&state.app, &who.me, rel, id, Some(&keys), now).await
    } else {
        engagements::approve(&state.app, &who.me, rel, id, Some(&keys), now).await
    };
    match result {
        Ok(()) => Ok(notice::after("/counselor#who", Done::Saved)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["categories"])?;
            partner_page(
                &state,
                &who,
                rel,
                (String::new(), Vec::new(), String::new()),
                errors,
                status,
            )
            .await
        }
    }
}

pub async fn approve(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<EngagementForm>,
) -> Result<Response, PageError> {
    consent(state, headers, form, false).await
}

pub async fn renew(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<EngagementForm>,
) -> Result<Response, PageError> {
    consent(state, headers, form, true).await
}

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<EngagementForm>,
) -> Result<Response, PageError> {
    let (who, rel) = match partner(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let id = engagement_id(&form.id)?;
    engagements::revoke(&state.app, &who.me, rel, id, Utc::now()).await?;
    Ok(notice::after("/counselor#ended", Done::Saved))
}

pub async fn write_note(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<NoteForm>,
) -> Result<Response, PageError> {
    let (who, rel) = match partner(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let id = engagement_id(&form.id)?;
    let text = normalized(&form.text);
    match notes::write(&state.app, &who.me, rel, id, &text, Utc::now()).await {
        Ok(_) => Ok(notice::after("/counselor#notes", Done::Kept)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["text"])?;
            partner_page(
                &state,
                &who,
                rel,
                (String::new(), Vec::new(), text),
                errors,
                status,
            )
            .await
        }
    }
}

// ------------------------------------------------------------ counselors

struct ClientLine {
    relationship_id: uuid::Uuid,
    names: String,
    allowed: Vec<&'static str>,
    expires: String,
}

fn client_line(c: &Client) -> ClientLine {
    ClientLine {
        relationship_id: c.relationship_id.0,
        names: format!("{} and {}", c.names[0], c.names[1]),
        allowed: labels(&c.categories),
        expires: c.expires_at.format("%-d %B %Y").to_string(),
    }
}

#[derive(Template)]
#[template(path = "clients.html")]
struct ClientsPage<'a> {
    exit_url: &'a str,
    clients: Vec<ClientLine>,
    code: String,
    errors: Errors,
}

async fn clients_of(
    state: &AppState,
    who: &Authenticated,
    code: String,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let clients = engagements::clients(&state.app, &who.me, Utc::now()).await?;
    Ok(render(
        status,
        &ClientsPage {
            exit_url: &state.config.exit_url,
            clients: clients.iter().map(client_line).collect(),
            code,
            errors,
        },
    ))
}

pub async fn clients_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    clients_of(
        &state,
        &who,
        String::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn join(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<JoinForm>,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    match engagements::join(&state.app, &who.me, &form.code, Utc::now()).await {
        Ok(_) => Ok(notice::after("/clients", Done::Joined)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["code"])?;
            clients_of(&state, &who, form.code, errors, status).await
        }
    }
}

struct ReceivedLine {
    from: String,
    day: String,
    lines: Vec<String>,
}

fn received_line(r: &Received) -> ReceivedLine {
    ReceivedLine {
        from: r.from.clone(),
        day: r.note.written_at.format("%-d %B %Y").to_string(),
        lines: lines(&r.note.text),
    }
}

#[derive(Template)]
#[template(path = "client_report.html")]
struct ReportPage<'a> {
    exit_url: &'a str,
    names: String,
    from: String,
    to: String,
    expires: String,
    allowed: Vec<&'static str>,
    not_allowed: Vec<&'static str>,
    sections: Vec<Section>,
    notes: Vec<ReceivedLine>,
}

pub async fn report_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(rid): Path<String>,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let rel: domain::RelationshipId = rid.parse().map_err(|_| PageError(AppError::not_found()))?;
    let now = Utc::now();
    let r = report::report(&state.app, &who.me, rel, now).await?;
    let received = notes::received(&state.app, &who.me, rel, now).await?;
    Ok(render(
        StatusCode::OK,
        &ReportPage {
            exit_url: &state.config.exit_url,
            names: format!("{} and {}", r.names[0], r.names[1]),
            from: r.from.format("%-d %B %Y").to_string(),
            to: r.to.format("%-d %B %Y").to_string(),
            expires: r.expires_at.format("%-d %B %Y").to_string(),
            allowed: labels(&r.categories),
            not_allowed: counselor_report::not_allowed(&r),
            sections: counselor_report::sections(&r),
            notes: received.iter().map(received_line).collect(),
        },
    ))
}
