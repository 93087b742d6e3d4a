//! The ledger pages: quick log, "noticed yet?", history and balance.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::ledger::{self, ContributionInput, Domain};
use domain::relationship::{self, RelationshipStatus};
use domain::store::{ContributionFilter, ContributionRecord, Relationship};
use domain::AccountId;
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::{chart, error_page, message, render, signed_in};
use crate::error::ApiError;
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

fn item(c: ContributionRecord, viewer: AccountId, names: &dyn Fn(AccountId) -> String) -> Item {
    Item {
        editable: ledger::correction_refused(&c, viewer, Utc::now()).is_none(),
        id: c.id,
        domain: c.domain.label(),
        day: ledger::date_of(c.day).format("%-d %b %Y").to_string(),
        giver: names(c.giver),
        thanked: c.value.is_some(),
        thanks: c.thanks_note,
        description: c.description,
    }
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
    pub(super) me: AccountId,
    pub(super) rel: Relationship,
}

impl FromRequestParts<AppState> for Space {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let who = signed_in(state, &parts.headers).await?;
        let active = who
            .memberships
            .iter()
            .find(|m| m.status == RelationshipStatus::Active)
            .map(|m| m.relationship_id);
        let Some(rel) = active else {
            return Err(message(
                state,
                StatusCode::OK,
                "Not yet",
                "This opens once your partner has joined your space.",
            ));
        };
        match relationship::visible_to(state.store(), who.account_id, rel).await {
            Ok(rel) => Ok(Self {
                me: who.account_id,
                rel,
            }),
            Err(err) => Err(error_page(state, err.into())),
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
    me: AccountId,
    rel: &Relationship,
    form: LogForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let suggestions = ledger::suggestions(state.store(), me, rel.id).await?;
        let filter = ContributionFilter {
            awaiting: Some(me),
            limit: 50,
            ..Default::default()
        };
        let waiting = ledger::list(state.store(), me, rel.id, filter).await?;
        Ok::<_, ApiError>((suggestions, waiting))
    };
    let (suggestions, waiting) = match loaded.await {
        Ok(found) => found,
        Err(err) => return error_page(state, err),
    };
    let partner = partner_name(rel, me);
    let name_of = |id: AccountId| {
        if id == me {
            "You".to_owned()
        } else {
            partner.clone()
        }
    };
    render(
        status,
        &LedgerPage {
            exit_url: &state.config.exit_url,
            to_thank: waiting.into_iter().map(|c| item(c, me, &name_of)).collect(),
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
    )
}

pub async fn page(State(state): State<AppState>, Space { me, rel }: Space) -> Response {
    ledger_page(
        &state,
        me,
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
) -> Response {
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
    match ledger::record(state.store(), me, rel.id, input, Utc::now()).await {
        Ok(_) => Redirect::to("/ledger").into_response(),
        Err(err) => {
            let err = ApiError::from(err);
            if err.status.is_server_error() {
                return error_page(&state, err);
            }
            let errors = Errors::from_api(
                &err,
                &["description", "domain", "effort", "value", "occurred_on"],
            );
            ledger_page(&state, me, &rel, form, errors, err.status).await
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
) -> Response {
    let Ok(cid) = cid.parse::<uuid::Uuid>() else {
        return error_page(&state, ApiError::not_found());
    };
    let value = number(&form.value).unwrap_or(0);
    match ledger::acknowledge(
        state.store(),
        me,
        rel.id,
        cid,
        value,
        Some(&form.note),
        Utc::now(),
    )
    .await
    {
        Ok(_) => Redirect::to("/ledger").into_response(),
        Err(err) => {
            let err = ApiError::from(err);
            if err.status.is_server_error() || err.field.is_none() {
                return error_page(&state, err);
            }
            let errors = Errors::from_api(&err, &[]);
            ledger_page(&state, me, &rel, LogForm::default(), errors, err.status).await
        }
    }
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
) -> Response {
    let partner_id = rel
        .members
        .iter()
        .find(|m| m.account_id != me)
        .map(|m| m.account_id);
    let filter = ContributionFilter {
        domain: Domain::parse(&query.domain).ok(),
        giver: match query.person.as_str() {
            "me" => Some(me),
            "partner" => partner_id,
            _ => None,
        },
        awaiting: None,
        limit: 200,
    };
    let found = match ledger::list(state.store(), me, rel.id, filter).await {
        Ok(found) => found,
        Err(err) => return error_page(&state, err.into()),
    };
    let partner = partner_name(&rel, me);
    let name_of = |id: AccountId| {
        if id == me {
            "You".to_owned()
        } else {
            partner.clone()
        }
    };
    render(
        StatusCode::OK,
        &HistoryPage {
            exit_url: &state.config.exit_url,
            items: found.into_iter().map(|c| item(c, me, &name_of)).collect(),
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
    )
}

pub async fn balance(State(state): State<AppState>, Space { me, rel }: Space) -> Response {
    let view = match ledger::balance(state.store(), me, rel.id, None, None, Utc::now()).await {
        Ok(view) => view,
        Err(err) => return error_page(&state, err.into()),
    };
    let partner = partner_name(&rel, me);
    let name = |id: AccountId| {
        if id == me {
            "You".to_owned()
        } else {
            partner.clone()
        }
    };
    let names = (name(view.members[0]), name(view.members[1]));
    let visible = view.numbers.visible();
    let thanked = if visible {
        Vec::new()
    } else {
        let filter = ContributionFilter {
            limit: 200,
            ..Default::default()
        };
        match ledger::list(state.store(), me, rel.id, filter).await {
            Ok(found) => found
                .into_iter()
                .filter(|c| c.value.is_some() && c.day >= ledger::day_number(view.from))
                .map(|c| match &c.thanks_note {
                    Some(note) => format!(
                        "{} thanked {} for “{}”: “{}”",
                        name(c.receiver),
                        name(c.giver).to_lowercase_if_you(),
                        c.description,
                        note
                    ),
                    None => format!(
                        "{} thanked {} for “{}”",
                        name(c.receiver),
                        name(c.giver).to_lowercase_if_you(),
                        c.description
                    ),
                })
                .collect(),
            Err(err) => return error_page(&state, err.into()),
        }
    };
    let series: Vec<[u32; 2]> = view.balance.weekly.iter().map(|w| w.value_given).collect();
    render(
        StatusCode::OK,
        &BalancePage {
            exit_url: &state.config.exit_url,
            partner,
            visible,
            mine: view.numbers.mine,
            index: view
                .balance
                .reciprocity_index
                .map(|i| format!("{i:.2}"))
                .unwrap_or_else(|| "not yet".to_owned()),
            chart: chart::weekly_bars(&series, [&names.0, &names.1]),
            weeks: view
                .balance
                .weekly
                .iter()
                .map(|w| {
                    (
                        ledger::date_of(w.start_day).format("%-d %b").to_string(),
                        w.value_given[0],
                        w.value_given[1],
                    )
                })
                .collect(),
            names,
            thanked,
            waiting: view
                .balance
                .partners
                .iter()
                .map(|p| p.awaiting_thanks)
                .sum(),
        },
    )
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
) -> Response {
    match ledger::set_show_numbers(state.store(), me, rel.id, form.show == "true", Utc::now()).await
    {
        Ok(()) => Redirect::to("/ledger/balance").into_response(),
        Err(err) => error_page(&state, err.into()),
    }
}

/// The entry, if the signed-in person may still correct it; otherwise the page that says why.
async fn own_entry(
    state: &AppState,
    me: AccountId,
    rel: &Relationship,
    cid: &str,
) -> Result<ContributionRecord, Response> {
    let found = match cid.parse::<uuid::Uuid>() {
        Ok(id) => state
            .store()
            .contribution(rel.id, id)
            .await
            .map_err(|e| error_page(state, e.into()))?,
        Err(_) => None,
    };
    let Some(found) = found else {
        return Err(error_page(state, ApiError::not_found()));
    };
    if let Some(refusal) = ledger::correction_refused(&found, me, Utc::now()) {
        return Err(error_page(state, refusal.into()));
    }
    Ok(found)
}

fn edit_page(
    state: &AppState,
    c: &ContributionRecord,
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
            id: c.id,
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
) -> Response {
    match own_entry(&state, me, &rel, &cid).await {
        Ok(c) => edit_page(&state, &c, None, Errors::default(), StatusCode::OK),
        Err(page) => page,
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(cid): Path<String>,
    PageForm(form): PageForm<LogForm>,
) -> Response {
    let c = match own_entry(&state, me, &rel, &cid).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let change = ledger::Correction {
        domain: Some(&form.domain),
        description: Some(&form.description),
        occurred_on: Some(&form.occurred_on),
        effort: Some(number(&form.effort).unwrap_or(0)),
        minutes: None,
    };
    match ledger::correct(state.store(), me, rel.id, c.id, change, Utc::now()).await {
        Ok(_) => Redirect::to("/ledger/history").into_response(),
        Err(err) => {
            let err = ApiError::from(err);
            if err.status.is_server_error() {
                return error_page(&state, err);
            }
            let errors =
                Errors::from_api(&err, &["description", "domain", "effort", "occurred_on"]);
            edit_page(&state, &c, Some(form), errors, err.status)
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(cid): Path<String>,
) -> Response {
    let c = match own_entry(&state, me, &rel, &cid).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match ledger::remove(state.store(), me, rel.id, c.id, Utc::now()).await {
        Ok(()) => Redirect::to("/ledger/history").into_response(),
        Err(err) => error_page(&state, err.into()),
    }
}
