//! The ledger pages: quick log, "noticed yet?", history and balance.

use super::notice::{self, Done};
use std::sync::Arc;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::ledger::{self, ContributionInput, Domain, EntryView, Figures};
use domain::me::Me;
use domain::relationship::{self, RelationshipStatus};
use domain::store::{ContributionFilter, Relationship};
use domain::AccountId;
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::{chart, message, render, signed_in};
use crate::error::{AppError, PageError};
use crate::state::AppState;

const SCALE: [u8; 5] = [1, 2, 3, 4, 5];

fn domains() -> Vec<(&'static str, &'static str)> {
    Domain::ALL
        .iter()
        .map(|d| (d.as_str(), d.label()))
        .collect()
}

/// A contribution as a page shows it.
pub struct Item {
    id: uuid::Uuid,
    description: String,
    domain: &'static str,
    day: String,
    giver: String,
    thanked: bool,
    thanks: Option<String>,
    /// The viewer may still correct or delete it (the domain's 24-hour rule).
    editable: bool,
}

/// A page item from what the domain let the viewer see. An entry whose
/// words the viewer may not read is never listed by these pages (only
/// "what you wrote" shows thanks without their entry).
fn item(c: EntryView, names: &dyn Fn(AccountId) -> String) -> Option<Item> {
    let details = c.details?;
    Some(Item {
        editable: c.editable,
        id: c.id,
        domain: details.domain.label(),
        day: ledger::date_of(details.day).format("%-d %b %Y").to_string(),
        giver: names(c.giver),
        thanked: c.thanks.is_some(),
        thanks: c.thanks.and_then(|t| t.note),
        description: details.description,
    })
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage<'a> {
    exit_url: &'a str,
    partner: String,
    domains: Vec<(&'static str, &'static str)>,
    scale: [u8; 5],
    suggestions: Vec<String>,
    to_thank: Vec<Item>,
    description: String,
    domain: String,
    effort: u8,
    /// What the person chose for "how much did it mean", kept across an error.
    value: u8,
    for_partner: bool,
    occurred_on: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "ledger_history.html")]
struct HistoryPage<'a> {
    exit_url: &'a str,
    partner: String,
    domains: Vec<(&'static str, &'static str)>,
    domain: String,
    person: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "ledger_edit.html")]
struct EditPage<'a> {
    exit_url: &'a str,
    id: uuid::Uuid,
    domains: Vec<(&'static str, &'static str)>,
    scale: [u8; 5],
    description: String,
    domain: String,
    effort: u8,
    occurred_on: String,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "ledger_balance.html")]
struct BalancePage<'a> {
    exit_url: &'a str,
    partner: String,
    visible: bool,
    mine: bool,
    index: String,
    /// Which way the giving leans, in words (`domain::ledger::lean_sentence`);
    /// only with figures shown.
    lean: String,
    chart: String,
    names: (String, String),
    weeks: Vec<(String, u32, u32)>,
    thanked: Vec<String>,
    /// Gifts not yet rated by their receiver, so not in the figures yet.
    waiting: u32,
}

/// The signed-in person and their active relationship. As an extractor it
/// answers with the sign-in redirect, or a friendly page when the partner
/// has not joined yet, so a handler starts with both in hand.
pub struct Space {
    /// The person, with the keys their session opened.
    pub(super) me: Arc<Me>,
    pub(super) rel: Relationship,
}

impl FromRequestParts<AppState> for Space {
    type Rejection = Response;

    /// Once the person's space has ended, every page of it leads to what
    /// they wrote, read-only (the pages of an open space would offer
    /// actions that no longer exist).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let who = signed_in(state, &parts.headers).await?;
        let rel = match who.current_space() {
            Some(m) if m.status == RelationshipStatus::Active => m.relationship_id,
            Some(m) if m.status == RelationshipStatus::Ended => {
                return Err(Redirect::to("/written").into_response())
            }
            _ => {
                return Err(message(
                    state,
                    StatusCode::OK,
                    "Not yet",
                    "This opens once your partner has joined your space.",
                ))
            }
        };
        match relationship::get(&state.app, who.account_id, rel).await {
            Ok(rel) => Ok(Self { me: who.me, rel }),
            Err(err) => Err(PageError::from(err).into_response()),
        }
    }
}

pub(super) fn partner_name(rel: &Relationship, me: AccountId) -> String {
    rel.members
        .iter()
        .find(|m| m.account_id != me)
        .map(|m| m.display_name.clone())
        .unwrap_or_else(|| "your partner".to_owned())
}

#[derive(Deserialize, Default)]
pub struct LogForm {
    #[serde(default)]
    who: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    effort: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    occurred_on: String,
}

async fn ledger_page(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    form: LogForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let suggestions = ledger::suggestions(&state.app, me, rel.id).await?;
    let filter = ContributionFilter {
        awaiting: Some(me.id),
        limit: 50,
        ..Default::default()
    };
    let waiting = ledger::list(&state.app, me, rel.id, filter, Utc::now()).await?;
    let partner = partner_name(rel, me.id);
    let name_of = |id: AccountId| {
        if id == me.id {
            "You".to_owned()
        } else {
            partner.clone()
        }
    };
    Ok(render(
        status,
        &LedgerPage {
            exit_url: &state.config.exit_url,
            to_thank: waiting
                .into_iter()
                .filter_map(|c| item(c, &name_of))
                .collect(),
            partner: partner.clone(),
            domains: domains(),
            scale: SCALE,
            suggestions,
            description: form.description,
            domain: form.domain,
            effort: form.effort.parse().unwrap_or(0),
            value: form.value.parse().unwrap_or(0),
            for_partner: form.who == "partner",
            occurred_on: if form.occurred_on.is_empty() {
                Utc::now().date_naive().to_string()
            } else {
                form.occurred_on
            },
            errors,
        },
    ))
}

pub async fn page(
    State(state): State<AppState>,
    Space { me, rel }: Space,
) -> Result<Response, PageError> {
    ledger_page(
        &state,
        &me,
        &rel,
        LogForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// A number field of a form: empty is "not given", anything else must parse.
fn number(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        None
    } else {
        Some(raw.parse().unwrap_or(0))
    }
}

pub async fn log(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    PageForm(form): PageForm<LogForm>,
) -> Result<Response, PageError> {
    let for_partner = form.who == "partner";
    let input = ContributionInput {
        domain: &form.domain,
        description: &form.description,
        occurred_on: Some(form.occurred_on.as_str()),
        effort: number(&form.effort).unwrap_or(0),
        minutes: None,
        for_partner,
        value: if for_partner {
            number(&form.value)
        } else {
            None
        },
        note: None,
    };
    match ledger::record(&state.app, &me, rel.id, input, Utc::now()).await {
        Ok(_) => Ok(notice::after("/ledger", Done::Logged)),
        Err(err) => {
            let fields = ["description", "domain", "effort", "value", "occurred_on"];
            let (errors, status) = Errors::for_form(err, &fields)?;
            ledger_page(&state, &me, &rel, form, errors, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct ThankForm {
    #[serde(default)]
    value: String,
    #[serde(default)]
    note: String,
}

pub async fn thank(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(cid): Path<String>,
    PageForm(form): PageForm<ThankForm>,
) -> Result<Response, PageError> {
    let cid = entry_id(&cid)?;
    let value = number(&form.value).unwrap_or(0);
    match ledger::acknowledge(
        &state.app,
        &me,
        rel.id,
        cid,
        value,
        Some(&form.note),
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(notice::after("/ledger", Done::Thanked)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["value", "note"])?;
            ledger_page(&state, &me, &rel, LogForm::default(), errors, status).await
        }
    }
}

/// An entry id from a path; garbage is an entry that does not exist.
fn entry_id(raw: &str) -> Result<uuid::Uuid, PageError> {
    raw.parse().map_err(|_| PageError(AppError::not_found()))
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    person: String,
}

pub async fn history(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    let partner_id = rel
        .members
        .iter()
        .find(|m| m.account_id != me.id)
        .map(|m| m.account_id);
    let filter = ContributionFilter {
        domain: Domain::parse(&query.domain).ok(),
        giver: match query.person.as_str() {
            "me" => Some(me.id),
            "partner" => partner_id,
            _ => None,
        },
        awaiting: None,
        limit: 200,
        written_by: None,
    };
    let found = ledger::list(&state.app, &me, rel.id, filter, Utc::now()).await?;
    let partner = partner_name(&rel, me.id);
    let name_of = |id: AccountId| {
        if id == me.id {
            "You".to_owned()
        } else {
            partner.clone()
        }
    };
    Ok(render(
        StatusCode::OK,
        &HistoryPage {
            exit_url: &state.config.exit_url,
            items: found
                .into_iter()
                .filter_map(|c| item(c, &name_of))
                .collect(),
            partner: partner.clone(),
            domains: domains(),
            domain: Domain::parse(&query.domain)
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
            person: if matches!(query.person.as_str(), "me" | "partner") {
                query.person
            } else {
                String::new()
            },
        },
    ))
}

pub async fn balance(
    State(state): State<AppState>,
    Space { me, rel }: Space,
) -> Result<Response, PageError> {
    let now = Utc::now();
    let view = ledger::balance(&state.app, me.id, rel.id, None, None, now).await?;
    let partner = partner_name(&rel, me.id);
    let name = |id: AccountId| {
        if id == me.id {
            "You".to_owned()
        } else {
            partner.clone()
        }
    };
    let names = (name(view.members[0]), name(view.members[1]));
    // What the page shows comes from what the domain allowed: with
    // `Figures::Hidden` there is no figure to draw, only thanks in words.
    let viewer = usize::from(view.members[0] != me.id);
    let (visible, index, lean, series, waiting, thanked) = match &view.figures {
        Figures::Shown(b) => (
            true,
            b.reciprocity_index
                .map(|i| format!("{i:.2}"))
                .unwrap_or_else(|| "not yet".to_owned()),
            ledger::lean_sentence(
                [b.partners[0].given_value, b.partners[1].given_value],
                viewer,
                &partner,
            ),
            b.weekly
                .iter()
                .map(|w| (w.start_day, w.value_given))
                .collect(),
            b.partners.iter().map(|p| p.awaiting_thanks).sum(),
            Vec::new(),
        ),
        Figures::Hidden {
            awaiting_thanks, ..
        } => {
            let filter = ContributionFilter {
                limit: 200,
                ..Default::default()
            };
            let from = ledger::day_number(view.from);
            let thanked = ledger::list(&state.app, &me, rel.id, filter, now)
                .await?
                .into_iter()
                .filter_map(|c| {
                    let details = c.details?;
                    let thanks = c.thanks?;
                    (details.day >= from).then(|| {
                        let who = name(c.receiver);
                        let whom = name(c.giver).to_lowercase_if_you();
                        match thanks.note {
                            Some(note) => format!(
                                "{who} thanked {whom} for “{}”: “{note}”",
                                details.description
                            ),
                            None => format!("{who} thanked {whom} for “{}”", details.description),
                        }
                    })
                })
                .collect();
            (
                false,
                "not yet".to_owned(),
                String::new(),
                Vec::new(),
                awaiting_thanks.iter().sum(),
                thanked,
            )
        }
    };
    let weeks: Vec<(String, [u32; 2])> = series
        .iter()
        .map(|(day, v)| (ledger::date_of(*day).format("%-d %b").to_string(), *v))
        .collect();
    Ok(render(
        StatusCode::OK,
        &BalancePage {
            exit_url: &state.config.exit_url,
            partner,
            visible,
            mine: view.numbers.mine,
            index,
            lean,
            chart: chart::weekly_bars(
                "given-chart",
                &format!("Value given per week: {} and {}", names.0, names.1),
                "Value, as the other rated it",
                &weeks,
                [&names.0, &names.1],
            ),
            weeks: weeks.into_iter().map(|(w, v)| (w, v[0], v[1])).collect(),
            names,
            thanked,
            waiting,
        },
    ))
}

trait YouCase {
    fn to_lowercase_if_you(self) -> String;
}

impl YouCase for String {
    /// "You thanked Sam", but "Sam thanked you".
    fn to_lowercase_if_you(self) -> String {
        if self == "You" {
            "you".to_owned()
        } else {
            self
        }
    }
}

#[derive(Deserialize)]
pub struct NumbersForm {
    #[serde(default)]
    show: String,
}

pub async fn numbers(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    PageForm(form): PageForm<NumbersForm>,
) -> Result<Response, PageError> {
    ledger::set_show_numbers(&state.app, me.id, rel.id, form.show == "true", Utc::now()).await?;
    Ok(notice::after("/ledger/balance", Done::Saved))
}

/// The entry, if the signed-in person may still correct it; otherwise the
/// page that says why (the domain's rule, `ledger::correction_refused`).
async fn own_entry(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    cid: &str,
) -> Result<(uuid::Uuid, ledger::EntryDetails), PageError> {
    let id = entry_id(cid)?;
    let details = ledger::correctable_entry(&state.app, me, rel.id, id, Utc::now()).await?;
    Ok((id, details))
}

fn edit_page(
    state: &AppState,
    id: uuid::Uuid,
    c: &ledger::EntryDetails,
    form: Option<LogForm>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let form = form.unwrap_or_else(|| LogForm {
        description: c.description.clone(),
        domain: c.domain.as_str().to_owned(),
        effort: c.effort.to_string(),
        occurred_on: ledger::date_of(c.day).to_string(),
        ..LogForm::default()
    });
    render(
        status,
        &EditPage {
            exit_url: &state.config.exit_url,
            id,
            domains: domains(),
            scale: SCALE,
            description: form.description,
            domain: form.domain,
            effort: form.effort.parse().unwrap_or(0),
            occurred_on: form.occurred_on,
            errors,
        },
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(cid): Path<String>,
) -> Result<Response, PageError> {
    let (id, details) = own_entry(&state, &me, &rel, &cid).await?;
    Ok(edit_page(
        &state,
        id,
        &details,
        None,
        Errors::default(),
        StatusCode::OK,
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(cid): Path<String>,
    PageForm(form): PageForm<LogForm>,
) -> Result<Response, PageError> {
    let (id, details) = own_entry(&state, &me, &rel, &cid).await?;
    let change = ledger::Correction {
        domain: Some(&form.domain),
        description: Some(&form.description),
        occurred_on: Some(&form.occurred_on),
        effort: Some(number(&form.effort).unwrap_or(0)),
        minutes: None,
    };
    match ledger::correct(&state.app, &me, rel.id, id, change, Utc::now()).await {
        Ok(_) => Ok(notice::after("/ledger/history", Done::Corrected)),
        Err(err) => {
            let fields = ["description", "domain", "effort", "occurred_on"];
            let (errors, status) = Errors::for_form(err, &fields)?;
            Ok(edit_page(&state, id, &details, Some(form), errors, status))
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(cid): Path<String>,
) -> Result<Response, PageError> {
    let (id, _) = own_entry(&state, &me, &rel, &cid).await?;
    ledger::remove(&state.app, me.id, rel.id, id, Utc::now()).await?;
    Ok(notice::after("/ledger/history", Done::Deleted))
}
