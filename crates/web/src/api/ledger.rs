//! The ledger API: contributions, thanks, each partner's choice about
//! numbers, and the balance (figures only when both chose to see them).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use domain::ledger::{
    self, BalanceView, ContributionInput, Correction, Domain, EntryView, Figures,
};
use domain::store::ContributionFilter;
use domain::{AccountId, RelationshipId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::relationship_id;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// The nine domains (`domain::ledger::Domain`), as the document names
/// them; only a schema (a test keeps the two lists the same).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum DomainKey {
    HouseholdLabor,
    MoneyAndGoods,
    EmotionalSupport,
    PhysicalAffection,
    SexualIntimacy,
    Parenting,
    FamilyAndSocial,
    Planning,
    PersonalGrowth,
}

/// The one value of the `awaiting` filter; only a schema.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum AwaitingFilter {
    Me,
}

/// Lists are capped so a long history never becomes one huge response.
const LIST_MAX: u32 = 200;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContributionBody {
    /// One of the nine domains in API.md.
    #[schema(value_type = DomainKey)]
    domain: String,
    /// What was done, in a few words (1–500 characters).
    #[schema(pattern = r"\S", max_length = 500)]
    description: String,
    /// The day it happened (default today; at most one day ahead).
    occurred_on: Option<String>,
    /// 1–5: what it cost the giver, relative to their own capacity.
    #[schema(minimum = 1, maximum = 5)]
    effort: i64,
    #[schema(minimum = 1, maximum = 1440)]
    minutes: Option<i64>,
    /// True to log something the partner did for the caller ("you did this for me").
    #[serde(default)]
    for_partner: bool,
    /// With `for_partner`: what it meant to the caller, 1–5 (then it counts as thanked).
    #[schema(minimum = 1, maximum = 5)]
    value: Option<i64>,
    /// With `for_partner`: an optional thank-you the partner will see.
    note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    #[schema(value_type = Option<DomainKey>)]
    domain: Option<String>,
    #[schema(pattern = r"\S", max_length = 500)]
    description: Option<String>,
    occurred_on: Option<String>,
    #[schema(minimum = 1, maximum = 5)]
    effort: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1440)]
    minutes: Option<Option<i64>>,
}

/// Distinguishes `"minutes": null` (clear it) from an absent key (keep it).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgmentBody {
    /// 1–5: how much this meant to the receiver.
    #[schema(minimum = 1, maximum = 5)]
    value: i64,
    /// An optional thank-you the giver will see (up to 1,000 characters).
    note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    show_numbers: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PreferencesView {
    /// The caller's own choice.
    show_numbers: bool,
    /// True only when both partners chose to see numbers.
    numbers_visible: bool,
}

/// A contribution as the caller may see it (rendered from the domain's
/// `EntryView`, which already left out what the caller may not see).
#[derive(Serialize, ToSchema)]
pub struct ContributionView {
    pub(crate) id: uuid::Uuid,
    pub(crate) giver_id: uuid::Uuid,
    pub(crate) receiver_id: uuid::Uuid,
    pub(crate) logged_by: uuid::Uuid,
    /// One of the nine domains in API.md. This and the entry's other words
    /// (description, occurred_on, effort, minutes) are null only after the
    /// relationship ended, on an entry the other partner wrote and the
    /// caller thanked: a former partner reads only their own words.
    #[schema(value_type = Option<String>)]
    pub(crate) domain: Option<Domain>,
    pub(crate) description: Option<String>,
    pub(crate) occurred_on: Option<NaiveDate>,
    pub(crate) effort: Option<u8>,
    pub(crate) minutes: Option<u32>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) acknowledged: bool,
    /// What it meant to the receiver (1–5), once acknowledged: shown to the
    /// receiver, and to the giver only once both partners chose to see numbers.
    pub(crate) value: Option<u8>,
    pub(crate) thanks_note: Option<String>,
    pub(crate) acknowledged_at: Option<DateTime<Utc>>,
    /// The caller may still correct or delete it.
    pub(crate) editable: bool,
}

impl From<EntryView> for ContributionView {
    fn from(c: EntryView) -> Self {
        let details = c.details;
        let thanks = c.thanks;
        Self {
            id: c.id,
            giver_id: c.giver.0,
            receiver_id: c.receiver.0,
            logged_by: c.logged_by.0,
            domain: details.as_ref().map(|d| d.domain),
            occurred_on: details.as_ref().map(|d| ledger::date_of(d.day)),
            effort: details.as_ref().map(|d| d.effort),
            minutes: details.as_ref().and_then(|d| d.minutes),
            description: details.map(|d| d.description),
            created_at: c.created_at,
            acknowledged: thanks.is_some(),
            value: thanks.as_ref().and_then(|t| t.value),
            acknowledged_at: thanks.as_ref().and_then(|t| t.at),
            thanks_note: thanks.and_then(|t| t.note),
            editable: c.editable,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this domain.
    #[param(value_type = Option<DomainKey>)]
    domain: Option<String>,
    /// Only what this partner gave (an account id).
    #[param(value_type = Option<uuid::Uuid>)]
    giver: Option<String>,
    /// `me`: only what the caller received and has not thanked yet.
    #[param(value_type = Option<AwaitingFilter>)]
    awaiting: Option<String>,
    /// At most this many (default and maximum 200), newest first.
    // utoipa writes a u32 as int32, whose range stops at 2^31 - 1 (H4).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295.0)]
    limit: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowQuery {
    /// First day (default: 89 days before `to`).
    #[param(value_type = Option<NaiveDate>)]
    from: Option<String>,
    /// Last day (default: today).
    #[param(value_type = Option<NaiveDate>)]
    to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PartnerFigures {
    account_id: uuid::Uuid,
    given_value: Option<u32>,
    given_effort: Option<u32>,
    received_value: Option<u32>,
    given_count: Option<u32>,
    /// Walster relative gain (inputs = effort given, outcomes = value received).
    equity: Option<f64>,
    /// Contributions this partner received and has not thanked yet; always shown.
    unacknowledged: u32,
}

#[derive(Serialize, ToSchema)]
pub struct WeekView {
    week_of: NaiveDate,
    /// Value given per partner, in the order of `partners`.
    value_given: [u32; 2],
}

#[derive(Serialize, ToSchema)]
pub struct BalanceBody {
    from: NaiveDate,
    to: NaiveDate,
    /// True only when both partners chose `show_numbers`; until then every figure is null.
    numbers_visible: bool,
    /// min/max of value given by each partner (receiver-rated).
    reciprocity_index: Option<f64>,
    partners: Vec<PartnerFigures>,
    /// Per domain, the same figures per partner.
    #[schema(value_type = Object)]
    by_domain: serde_json::Map<String, serde_json::Value>,
    weekly: Option<Vec<WeekView>>,
}

fn contribution_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// Record a contribution (by its giver, or by its receiver with `for_partner`).
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/contributions", operation_id = "create_contribution", tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = NewContributionBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Recorded", body = ContributionView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "The relationship is not active", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewContributionBody>,
) -> Result<(StatusCode, Json<ContributionView>), AppError> {
    let input = ContributionInput {
        domain: &body.domain,
        description: &body.description,
        occurred_on: body.occurred_on.as_deref(),
        effort: body.effort,
        minutes: body.minutes,
        for_partner: body.for_partner,
        value: body.value,
        note: body.note.as_deref(),
    };
    let recorded = ledger::record(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        input,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(recorded.into())))
}

/// Contributions, newest first, with optional filters.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/contributions", operation_id = "list_contributions", tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ListQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Contributions", body = [ContributionView]),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 422, description = "A filter is invalid", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ContributionView>>, AppError> {
    let filter = ContributionFilter {
        domain: query.domain.as_deref().map(Domain::parse).transpose()?,
        giver: query
            .giver
            .as_deref()
            .map(|g| {
                g.parse::<AccountId>().map_err(|_| {
                    AppError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_id",
                        "Use an account id.",
                    )
                    .with_field("giver")
                })
            })
            .transpose()?,
        awaiting: match query.awaiting.as_deref() {
            None => None,
            Some("me") => Some(caller.account_id),
            Some(_) => {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_filter",
                    "The only value for awaiting is `me`.",
                )
                .with_field("awaiting"))
            }
        },
        limit: query.limit.unwrap_or(LIST_MAX).clamp(1, LIST_MAX),
        written_by: None,
    };
    let found = ledger::list(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        filter,
        Utc::now(),
    )
    .await?;
    Ok(Json(
        found.into_iter().map(ContributionView::from).collect(),
    ))
}

/// The caller's recent descriptions, to offer again when logging.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/contributions/suggestions", operation_id = "contribution_suggestions",
    tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Recent descriptions, newest first", body = [String]))
)]
pub async fn suggestions(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(
        ledger::suggestions(&state.app, &caller.me, relationship_id(&id)?).await?,
    ))
}

/// Correct one's own entry within 24 hours (before it is thanked).
#[utoipa::path(
    patch, path = "/api/v1/relationships/{id}/contributions/{cid}", operation_id = "correct_contribution",
    tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("cid" = uuid::Uuid, Path, description = "Contribution id")),
    request_body = CorrectionBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Corrected", body = ContributionView),
        (status = 403, description = "Someone else's entry", body = ErrorBody),
        (status = 404, description = "No such contribution here", body = ErrorBody),
        (status = 409, description = "Older than 24 hours, or already thanked", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
pub async fn correct(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
    ApiJson(body): ApiJson<CorrectionBody>,
) -> Result<Json<ContributionView>, AppError> {
    let change = Correction {
        domain: body.domain.as_deref(),
        description: body.description.as_deref(),
        occurred_on: body.occurred_on.as_deref(),
        effort: body.effort,
        minutes: body.minutes,
    };
    let rel = relationship_id(&id)?;
    let done = ledger::correct(
        &state.app,
        &caller.me,
        rel,
        contribution_id(&cid)?,
        change,
        Utc::now(),
    )
    .await?;
    Ok(Json(done.into()))
}

/// Delete one's own entry within 24 hours (before it is thanked).
#[utoipa::path(
    delete, path = "/api/v1/relationships/{id}/contributions/{cid}", operation_id = "delete_contribution",
    tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("cid" = uuid::Uuid, Path, description = "Contribution id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Someone else's entry", body = ErrorBody),
        (status = 404, description = "No such contribution here", body = ErrorBody),
        (status = 409, description = "Older than 24 hours, or already thanked", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    ledger::remove(
        &state.app,
        caller.account_id,
        relationship_id(&id)?,
        contribution_id(&cid)?,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The receiver says what it meant to them, once, with an optional thank-you.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/contributions/{cid}/acknowledgment", operation_id = "acknowledge_contribution",
    tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("cid" = uuid::Uuid, Path, description = "Contribution id")),
    request_body = AcknowledgmentBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Thanked", body = ContributionView),
        (status = 403, description = "Only the receiver can acknowledge", body = ErrorBody),
        (status = 404, description = "No such contribution here", body = ErrorBody),
        (status = 409, description = "Already acknowledged", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
    ApiJson(body): ApiJson<AcknowledgmentBody>,
) -> Result<Json<ContributionView>, AppError> {
    let rel = relationship_id(&id)?;
    let done = ledger::acknowledge(
        &state.app,
        &caller.me,
        rel,
        contribution_id(&cid)?,
        body.value,
        body.note.as_deref(),
        Utc::now(),
    )
    .await?;
    Ok(Json(done.into()))
}

/// Each partner's own choice to see numbers.
#[utoipa::path(
    put, path = "/api/v1/relationships/{id}/preferences", operation_id = "set_preferences", tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = PreferencesBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Saved", body = PreferencesView),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "The relationship has ended: nothing in it changes any more", body = ErrorBody),
    )
)]
pub async fn set_preferences(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PreferencesBody>,
) -> Result<Json<PreferencesView>, AppError> {
    let rel = relationship_id(&id)?;
    let choice = ledger::set_show_numbers(
        &state.app,
        caller.account_id,
        rel,
        body.show_numbers,
        Utc::now(),
    )
    .await?;
    Ok(Json(PreferencesView {
        show_numbers: choice.mine,
        numbers_visible: choice.visible(),
    }))
}

/// The caller's choice, and whether numbers are visible.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/preferences", operation_id = "get_preferences", tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Choices", body = PreferencesView))
)]
pub async fn get_preferences(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<PreferencesView>, AppError> {
    preferences_of(&state, caller.account_id, relationship_id(&id)?)
        .await
        .map(Json)
}

async fn preferences_of(
    state: &AppState,
    actor: AccountId,
    rel: RelationshipId,
) -> Result<PreferencesView, AppError> {
    let choice = ledger::numbers_choice(&state.app, actor, rel).await?;
    Ok(PreferencesView {
        show_numbers: choice.mine,
        numbers_visible: choice.visible(),
    })
}

/// The balance over a window (default the last 90 days).
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/balance", operation_id = "get_balance", tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), WindowQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The balance; figures are null until both partners chose to see numbers", body = BalanceBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "The relationship has ended: its balance is no longer shown", body = ErrorBody),
        (status = 422, description = "A date is invalid", body = ErrorBody),
    )
)]
pub async fn balance(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiQuery(window): ApiQuery<WindowQuery>,
) -> Result<Json<BalanceBody>, AppError> {
    let view = ledger::balance(
        &state.app,
        caller.account_id,
        relationship_id(&id)?,
        given_date(window.from.as_deref(), "from")?,
        given_date(window.to.as_deref(), "to")?,
        Utc::now(),
    )
    .await?;
    Ok(Json(balance_body(&view)))
}

/// A date parameter a program sent: `?to=` with nothing is not a date, and
/// answers 422 instead of standing for the default (found by H4). The
/// balance page keeps reading an empty date field as "the default".
fn given_date<'a>(raw: Option<&'a str>, field: &'static str) -> Result<Option<&'a str>, AppError> {
    match raw {
        Some(text) if text.trim().is_empty() => Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_date",
            "Use a date like 2026-03-14.",
        )
        .with_field(field)),
        other => Ok(other),
    }
}

fn partner_figures(
    members: &[AccountId; 2],
    figures: &Figures,
    pick: impl Fn(&ledger::Balance) -> &[ledger::PartnerTotals; 2],
    awaiting: [u32; 2],
    equity: Option<[Option<f64>; 2]>,
) -> Vec<PartnerFigures> {
    (0..2)
        .map(|i| {
            let shown = match figures {
                Figures::Shown(balance) => Some(&pick(balance)[i]),
                Figures::Hidden { .. } => None,
            };
            PartnerFigures {
                account_id: members[i].0,
                given_value: shown.map(|t| t.given_value),
                given_effort: shown.map(|t| t.given_effort),
                received_value: shown.map(|t| t.received_value),
                given_count: shown.map(|t| t.given_count),
                equity: equity.and_then(|e| e[i]),
                unacknowledged: awaiting[i],
            }
        })
        .collect()
}

/// Renders what the domain allowed: `Figures::Hidden` carries no figure at
/// all, so there is nothing here to hide (the rule lives in `ledger::balance`).
pub fn balance_body(view: &BalanceView) -> BalanceBody {
    let figures = &view.figures;
    let awaiting = |d: Option<usize>| match figures {
        Figures::Shown(b) => {
            let t = d.map_or(&b.partners, |d| &b.by_domain[d]);
            [t[0].awaiting_thanks, t[1].awaiting_thanks]
        }
        Figures::Hidden {
            awaiting_thanks,
            awaiting_by_domain,
        } => d.map_or(*awaiting_thanks, |d| {
            awaiting_by_domain.get(d).copied().unwrap_or_default()
        }),
    };
    let by_domain = Domain::ALL
        .iter()
        .map(|d| {
            let i = d.index();
            let rows = partner_figures(
                &view.members,
                figures,
                |b| &b.by_domain[i],
                awaiting(Some(i)),
                None,
            );
            let value = serde_json::to_value(rows).unwrap_or_default();
            (d.as_str().to_owned(), value)
        })
        .collect();
    let (index, equity, weekly) = match figures {
        Figures::Shown(b) => (
            b.reciprocity_index,
            Some(b.equity),
            Some(
                b.weekly
                    .iter()
                    .map(|w| WeekView {
                        week_of: ledger::date_of(w.start_day),
                        value_given: w.value_given,
                    })
                    .collect(),
            ),
        ),
        Figures::Hidden { .. } => (None, None, None),
    };
    BalanceBody {
        from: view.from,
        to: view.to,
        numbers_visible: matches!(figures, Figures::Shown(_)),
        reciprocity_index: index,
        partners: partner_figures(
            &view.members,
            figures,
            |b| &b.partners,
            awaiting(None),
            equity,
        ),
        by_domain,
        weekly,
    }
}
