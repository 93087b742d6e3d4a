//! The couple's home page, and creating, joining and leaving the shared space.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use domain::relationship::{self, Invitation, RelationshipStatus};
use domain::store::Membership;
use domain::AccountId;
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::{render, signed_in};
use crate::auth::MaybeAuthenticated;
use crate::error::{AppError, PageError};
use crate::links;
use crate::state::AppState;

/// What the home page shows, by the state of the person's space.
pub enum Space {
    None,
    Waiting(String),
    Together(String),
    Ended,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    exit_url: &'a str,
    display_name: String,
    space: Space,
    errors: Errors,
    /// Failed or slowed sign-ins since the previous sign-in (R16).
    failed_sign_ins: usize,
    /// What waits, in a shared space (empty otherwise).
    w: Waiting,
}

/// A place the home points at, and how it is named there.
struct Link {
    href: String,
    label: String,
}

/// A thank-you either way, as the home lists it.
struct ThanksItem {
    received: bool,
    description: String,
}

/// What the home shows of `domain::home::Home`, with the links each item
/// opens. Built only from that view, so it holds nothing the caller may
/// not see.
#[derive(Default)]
struct Waiting {
    first_time: bool,
    /// Unthanked entries from the partner: how many, and the first few.
    to_thank_count: usize,
    to_thank: Vec<String>,
    /// Sealed rounds the partner has sent (repairs apart: see `repairs`).
    your_turn: Vec<Link>,
    /// Episodes whose repair the partner sent and the person has not: (id, title).
    repairs: Vec<(uuid::Uuid, String)>,
    /// Sealed rounds the person has sent and the partner has not.
    their_turn: Vec<Link>,
    /// Agreements waiting for the person's answer: (id, title).
    awaiting: Vec<(uuid::Uuid, String)>,
    /// Agreed ones whose review date has come: (id, title).
    due: Vec<(uuid::Uuid, String)>,
    /// The person's next check-in is due.
    checkin_due: bool,
    spiral_note: bool,
    counselor_awaiting: bool,
    /// The next conversation: its link and why it is suggested.
    next: Option<(Link, &'static str)>,
    recent_thanks: Vec<ThanksItem>,
}

impl Waiting {
    /// Nothing at all waits (the page then says so, kindly).
    fn is_quiet(&self) -> bool {
        self.to_thank_count == 0
            && self.your_turn.is_empty()
            && self.repairs.is_empty()
            && self.their_turn.is_empty()
            && self.awaiting.is_empty()
            && self.due.is_empty()
            && !self.checkin_due
            && !self.counselor_awaiting
    }

    fn of(home: domain::home::Home) -> Self {
        use domain::home::{Sealed, Whose, Why};
        let mut w = Waiting {
            first_time: home.first_time,
            to_thank_count: home.to_thank.count,
            to_thank: home.to_thank.items.into_iter().map(|(_, d)| d).collect(),
            checkin_due: home.checkin_due,
            spiral_note: home.spiral_note,
            counselor_awaiting: home.counselor_awaiting,
            awaiting: home
                .agreements_awaiting
                .into_iter()
                .map(|a| (a.id, a.title))
                .collect(),
            due: home
                .agreements_due
                .into_iter()
                .map(|a| (a.id, a.title))
                .collect(),
            recent_thanks: home
                .recent_thanks
                .into_iter()
                .map(|t| ThanksItem {
                    received: t.received,
                    description: t.description,
                })
                .collect(),
            ..Waiting::default()
        };
        for s in home.sealed {
            let round = |name: &str| format!("{name}, round {}", s.round);
            let link = match &s.what {
                Sealed::Values => Link {
                    href: "/values".into(),
                    label: round("What matters to us"),
                },
                Sealed::Respect => Link {
                    href: "/respect".into(),
                    label: round("Respect map"),
                },
                Sealed::Conversation(deck) => Link {
                    href: format!("/conversations/{}", super::conversations::deck_number(deck)),
                    label: round(deck.title),
                },
                Sealed::Repair { episode, title } => {
                    let title = title.clone().unwrap_or_else(|| "An episode".to_owned());
                    if s.whose == Whose::Yours {
                        w.repairs.push((*episode, title));
                        continue;
                    }
                    Link {
                        href: format!("/episodes/{episode}#repair"),
                        label: format!("Repair after: {title}"),
                    }
                }
            };
            match s.whose {
                Whose::Yours => w.your_turn.push(link),
                Whose::Partners => w.their_turn.push(link),
            }
        }
        w.next = home.next_conversation.map(|n| {
            let why = match n.why {
                Why::Continue => "you started writing here. Pick it up whenever you're ready.",
                Why::New => "something the two of you haven't talked through yet.",
                Why::Again => {
                    "you've talked through every deck. This one was longest ago, and people change."
                }
            };
            (
                Link {
                    // R23: page addresses name a deck by number.
                    href: format!(
                        "/conversations/{}",
                        super::conversations::deck_number(n.deck)
                    ),
                    label: n.deck.title.to_owned(),
                },
                why,
            )
        });
        w
    }
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage<'a> {
    exit_url: &'a str,
    link: String,
    code: &'a str,
    expires_on: String,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage<'a> {
    exit_url: &'a str,
    code: &'a str,
    /// Who made the invitation, when the link carried a code that works.
    inviter: Option<String>,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "invited.html")]
struct InvitedPage<'a> {
    exit_url: &'a str,
    code: &'a str,
}

#[derive(Template)]
#[template(path = "leave.html")]
struct LeavePage<'a> {
    exit_url: &'a str,
}

#[derive(Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    invite_code: String,
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y").to_string()
}

/// The person's open relationship if any, else the most recent one.
async fn current(state: &AppState, account: AccountId) -> Result<Option<Membership>, AppError> {
    let memberships = domain::relationship::memberships(&state.app, account).await?;
    Ok(memberships.into_iter().next())
}

async fn home_page(
    state: &AppState,
    who: &crate::auth::Authenticated,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let account = who.account_id;
    let me = domain::accounts::by_id(&state.app, account)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    let events = domain::accounts::security_events(&state.app, account).await?;
    let failed_sign_ins = domain::accounts::failures_since_last_sign_in(&events);
    let mut w = Waiting::default();
    let space = match current(state, account).await? {
        None => Space::None,
        Some(m) => {
            let rel = relationship::get(&state.app, account, m.relationship_id).await?;
            match rel.status {
                RelationshipStatus::Pending => Space::Waiting(
                    rel.invite_expires_at
                        .map(day)
                        .unwrap_or_else(|| "it expires".to_owned()),
                ),
                RelationshipStatus::Active => {
                    w = Waiting::of(
                        domain::home::waiting(&state.app, &who.me, rel.id, Utc::now()).await?,
                    );
                    Space::Together(
                        rel.members
                            .iter()
                            .find(|p| p.account_id != account)
                            .map(|p| p.display_name.clone())
                            .unwrap_or_default(),
                    )
                }
                RelationshipStatus::Ended => Space::Ended,
            }
        }
    };
    Ok(render(
        status,
        &HomePage {
            exit_url: &state.config.exit_url,
            display_name: me.display_name,
            space,
            errors,
            failed_sign_ins,
            w,
        },
    ))
}

pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match signed_in(&state, &headers).await {
        // A counselor has no space of their own: their home is their clients.
        Ok(who) if who.account.kind == domain::accounts::AccountKind::Counselor => {
            Ok(Redirect::to("/clients").into_response())
        }
        Ok(who) => home_page(&state, &who, Errors::default(), StatusCode::OK).await,
        Err(redirect) => Ok(redirect),
    }
}

fn invite_page(state: &AppState, invitation: &Invitation) -> Response {
    render(
        StatusCode::OK,
        &InvitePage {
            exit_url: &state.config.exit_url,
            link: links::invite_link(state, invitation.code.expose()),
            code: invitation.code.expose(),
            expires_on: day(invitation.expires_at),
        },
    )
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let invitation = relationship::create(&state.app, &who.me, Utc::now()).await?;
    Ok(invite_page(&state, &invitation))
}

pub async fn renew_invite(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let m = current(&state, who.account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let invitation =
        relationship::renew_invite(&state.app, &who.me, m.relationship_id, Utc::now()).await?;
    Ok(invite_page(&state, &invitation))
}

pub async fn join_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(redirect) = signed_in(&state, &headers).await {
        return redirect;
    }
    render(
        StatusCode::OK,
        &JoinPage {
            exit_url: &state.config.exit_url,
            code: "",
            inviter: None,
            errors: Errors::default(),
        },
    )
}

/// The invitation link. Signed out: offers sign-up or sign-in and comes back,
/// naming no one (a link seen over a shoulder or in a message preview must
/// not tell a passer-by who invited whom). Signed in: a confirmation form
/// that names the inviter when the code works, so opening a link never
/// joins by itself and the person sees whose space they are joining.
pub async fn invited(
    State(state): State<AppState>,
    MaybeAuthenticated(who): MaybeAuthenticated,
    Path(code): Path<String>,
) -> Response {
    let code = super::account::carried_invite(&code).to_owned();
    let exit_url = &state.config.exit_url;
    let Some(who) = who else {
        return render(
            StatusCode::OK,
            &InvitedPage {
                exit_url,
                code: &code,
            },
        );
    };
    // A failed read only leaves the name out: the join itself says why a
    // code does not work.
    let inviter = relationship::inviter(&state.app, &who.me, &code, Utc::now())
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(error = %err, "inviter lookup failed");
            None
        });
    render(
        StatusCode::OK,
        &JoinPage {
            exit_url,
            code: &code,
            inviter,
            errors: Errors::default(),
        },
    )
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
    match relationship::join(&state.app, &who.me, &form.invite_code, Utc::now()).await {
        Ok(_) => Ok(Redirect::to("/home").into_response()),
        Err(err) => {
            // Every refusal here is about the one field of this form.
            let err = AppError::from(err);
            if err.status.is_server_error() {
                return Err(PageError(err));
            }
            Ok(render(
                err.status,
                &JoinPage {
                    exit_url: &state.config.exit_url,
                    code: &form.invite_code,
                    inviter: None,
                    errors: Errors::from_api(&err, &["invite_code"]),
                },
            ))
        }
    }
}

pub async fn leave_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(redirect) = signed_in(&state, &headers).await {
        return redirect;
    }
    render(
        StatusCode::OK,
        &LeavePage {
            exit_url: &state.config.exit_url,
        },
    )
}

pub async fn leave(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    if let Some(m) = current(&state, who.account_id)
        .await?
        .filter(|m| m.status.is_open())
    {
        relationship::leave(&state.app, who.account_id, m.relationship_id, Utc::now()).await?;
    }
    Ok(Redirect::to("/home").into_response())
}
