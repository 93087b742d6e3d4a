//! The agreements API (API.md "Agreements"): propose, counter, accept,
//! decline, withdraw, review and retire, with every version kept. The
//! rules live in `domain::agreements`; this file only shapes JSON.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use domain::agreements::{
    self, diff::Piece, HistoryLine, Status, Summary, Thread, VersionView, Words,
};
use domain::ledger::Domain;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ledger::{ContributionView, DomainKey};
use super::relationship_id;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

// ------------------------------------------------------------ bodies

/// A conversation an agreement grows from.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationRef {
    /// The deck's key (see `GET …/conversations`).
    deck: String,
    /// The round, from 1.
    round: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgreementBody {
    /// One of the nine domains in API.md.
    #[schema(value_type = DomainKey)]
    domain: String,
    /// A short name (1–120 characters).
    title: String,
    /// The terms in plain words (1–10,000 characters).
    terms: String,
    /// The caller's own part, if it helps to say (up to 2,000 characters).
    #[serde(default)]
    my_part: Option<String>,
    /// The partner's part, as the caller proposes it.
    #[serde(default)]
    partner_part: Option<String>,
    /// When to look at it again together (`YYYY-MM-DD`, today or later).
    #[serde(default)]
    review_on: Option<String>,
    /// The revealed conversation it grew from, if any.
    #[serde(default)]
    conversation: Option<ConversationRef>,
}

/// A new version. Fields left out are carried from the version it answers;
/// an empty part or review date clears it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    terms: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    my_part: Option<String>,
    #[serde(default)]
    partner_part: Option<String>,
    #[serde(default)]
    review_on: Option<String>,
}

impl VersionBody {
    fn words(&self) -> Words<'_> {
        Words {
            title: self.title.as_deref(),
            terms: &self.terms,
            my_part: self.my_part.as_deref(),
            partner_part: self.partner_part.as_deref(),
            review_on: self.review_on.as_deref(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The version accepted: it must be the latest.
    version: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    /// The version declined: it must be the latest.
    version: i64,
    /// Why, in a few words (1–2,000 characters); the partner reads it.
    reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireBody {
    /// Why it is retired (1–2,000 characters).
    reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    /// The next review date, or none.
    #[serde(default)]
    review_on: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// A contribution of this space, in the agreement's domain.
    contribution_id: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this domain.
    #[param(value_type = Option<DomainKey>)]
    domain: Option<String>,
    /// Only this status: proposed, accepted, declined, withdrawn or retired.
    status: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SayQuery {
    /// How many days to look back (7–3650, default 365).
    days: Option<i64>,
}

// ------------------------------------------------------------ views

fn status_text(status: Option<Status>) -> &'static str {
    status.map_or("ended", Status::as_str)
}

/// An agreement in a list.
#[derive(Serialize, ToSchema)]
pub struct AgreementSummaryView {
    id: uuid::Uuid,
    #[schema(value_type = DomainKey)]
    domain: Domain,
    title: String,
    /// proposed, accepted, declined, withdrawn (no longer agreed), retired;
    /// `ended` once the space ended.
    status: &'static str,
    /// The latest version's number.
    version: u32,
    /// The version both stand by, if any.
    in_force: Option<u32>,
    review_on: Option<NaiveDate>,
    /// Agreed, and its review date has come.
    due: bool,
    /// The latest version waits for the caller's answer.
    awaiting_me: bool,
    awaiting_partner: bool,
    proposed_by: uuid::Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<&Summary> for AgreementSummaryView {
    fn from(s: &Summary) -> Self {
        Self {
            id: s.id,
            domain: s.domain,
            title: s.title.clone(),
            status: status_text(s.status),
            version: s.latest_version,
            in_force: s.in_force,
            review_on: s.review_on,
            due: s.due,
            awaiting_me: s.awaiting_me,
            awaiting_partner: s.awaiting_partner,
            proposed_by: s.proposed_by.0,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PartView {
    account_id: uuid::Uuid,
    text: String,
}

/// A run of words in the comparison with the version before.
#[derive(Serialize, ToSchema)]
pub struct ChangeView {
    /// same, added or removed.
    change: &'static str,
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct VersionJson {
    number: u32,
    author_id: uuid::Uuid,
    /// propose, counter or revise.
    kind: &'static str,
    title: String,
    terms: String,
    parts: Vec<PartView>,
    review_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    /// The terms compared with the version before (null for the first shown).
    changes: Option<Vec<ChangeView>>,
}

impl From<&VersionView> for VersionJson {
    fn from(v: &VersionView) -> Self {
        Self {
            number: v.number,
            author_id: v.author.0,
            kind: v.kind.as_str(),
            title: v.title.clone(),
            terms: v.terms.clone(),
            parts: v
                .parts
                .iter()
                .map(|(who, text)| PartView {
                    account_id: who.0,
                    text: text.clone(),
                })
                .collect(),
            review_on: v.review_on,
            created_at: v.created_at,
            changes: v.changes.as_ref().map(|pieces| {
                pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Same(t) => ("same", t),
                        Piece::Added(t) => ("added", t),
                        Piece::Removed(t) => ("removed", t),
                    })
                    .map(|(change, text)| ChangeView {
                        change,
                        text: text.clone(),
                    })
                    .collect()
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HistoryJson {
    actor_id: uuid::Uuid,
    /// propose, counter, revise, accept, decline, withdraw, confirm, retire.
    kind: &'static str,
    version: u32,
    reason: Option<String>,
    review_on: Option<NaiveDate>,
    at: DateTime<Utc>,
}

impl From<&HistoryLine> for HistoryJson {
    fn from(h: &HistoryLine) -> Self {
        Self {
            actor_id: h.actor.0,
            kind: h.kind.as_str(),
            version: h.version,
            reason: h.reason.clone(),
            review_on: h.review_on,
            at: h.at,
        }
    }
}

/// What the caller may do now.
#[derive(Serialize, ToSchema)]
pub struct MovesJson {
    /// The version the caller may accept, or null.
    accept: Option<u32>,
    /// The version the caller may decline, or null.
    decline: Option<u32>,
    counter: bool,
    revise: bool,
    withdraw: bool,
    confirm: bool,
    retire: bool,
    link: bool,
}

#[derive(Serialize, ToSchema)]
pub struct OriginView {
    deck: &'static str,
    deck_title: &'static str,
    round: u32,
}

/// An agreement with its negotiation: every version the caller may read,
/// oldest first, and every move.
#[derive(Serialize, ToSchema)]
pub struct AgreementView {
    #[serde(flatten)]
    summary: AgreementSummaryView,
    /// Who accepts the latest version now.
    accepted_by: Vec<uuid::Uuid>,
    origin: Option<OriginView>,
    versions: Vec<VersionJson>,
    history: Vec<HistoryJson>,
    /// Ledger contributions linked to it: how it is lived.
    contributions: Vec<ContributionView>,
    can: MovesJson,
}

impl From<Thread> for AgreementView {
    fn from(t: Thread) -> Self {
        Self {
            summary: (&t.summary).into(),
            accepted_by: t.accepting.iter().map(|a| a.0).collect(),
            origin: t.origin.map(|(deck, round)| OriginView {
                deck: deck.key,
                deck_title: deck.title,
                round,
            }),
            versions: t.versions.iter().map(VersionJson::from).collect(),
            history: t.history.iter().map(HistoryJson::from).collect(),
            contributions: t.links.into_iter().map(ContributionView::from).collect(),
            can: MovesJson {
                accept: t.can.accept,
                decline: t.can.decline,
                counter: t.can.counter,
                revise: t.can.revise,
                withdraw: t.can.withdraw,
                confirm: t.can.confirm,
                retire: t.can.retire,
                link: t.can.link,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SayPartnerView {
    account_id: uuid::Uuid,
    proposed: u32,
    answered: u32,
    passed_unchanged: u32,
    countered: u32,
    declined: u32,
    /// passed_unchanged / answered; null with nothing answered.
    unchanged_rate: Option<f64>,
}

/// Who proposes, whose proposals pass unchanged, who counters and who
/// declines, over a window.
#[derive(Serialize, ToSchema)]
pub struct SayView {
    days: i64,
    partners: Vec<SayPartnerView>,
    answered: u32,
    /// At least 8 answered, and one partner's proposals pass unchanged more
    /// than 80% of the time against under 20% for the other's: the page
    /// shows a gentle note. Never a diagnosis.
    one_sided: bool,
}

/// A balance of say as JSON (partners' and counselor's alike).
pub(crate) fn say_view(days: i64, balance: &agreements::say::Balance) -> SayView {
    SayView {
        days,
        partners: balance
            .partners
            .iter()
            .map(|s| SayPartnerView {
                account_id: s.account_id.0,
                proposed: s.proposed,
                answered: s.answered,
                passed_unchanged: s.passed_unchanged,
                countered: s.countered,
                declined: s.declined,
                unchanged_rate: s.unchanged_rate,
            })
            .collect(),
        answered: balance.answered,
        one_sided: balance.one_sided,
    }
}

fn agreement_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

type Answer = Result<Json<AgreementView>, AppError>;

// ------------------------------------------------------------ routes

/// Proposes an agreement (version 1, accepted by its author).
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements", operation_id = "propose_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = NewAgreementBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Proposed", body = AgreementView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`ended` or `not_active`", body = ErrorBody),
        (status = 422, description = "A field is invalid (named in `field`)", body = ErrorBody),
    )
)]
pub async fn propose(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewAgreementBody>,
) -> Result<(StatusCode, Json<AgreementView>), AppError> {
    let proposal = agreements::Proposal {
        domain: &body.domain,
        words: Words {
            title: Some(&body.title),
            terms: &body.terms,
            my_part: body.my_part.as_deref(),
            partner_part: body.partner_part.as_deref(),
            review_on: body.review_on.as_deref(),
        },
        conversation: body
            .conversation
            .as_ref()
            .map(|c| (c.deck.as_str(), c.round)),
    };
    let thread = agreements::propose(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        proposal,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(thread.into())))
}

/// The agreements of this space, most recently changed first.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/agreements", operation_id = "list_agreements",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ListQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The agreements the caller may see", body = [AgreementSummaryView]),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 422, description = "`domain` or `status` is not one of ours", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<AgreementSummaryView>>, AppError> {
    let domain = query
        .domain
        .as_deref()
        .map(Domain::parse)
        .transpose()
        .map_err(AppError::invalid)?;
    let status = match query.status.as_deref() {
        None => None,
        Some(raw) => Some(Status::parse(raw.trim()).ok_or_else(|| {
            AppError::invalid(domain::FieldError::new(
                "status",
                "unknown_status",
                "Choose one of: proposed, accepted, declined, withdrawn, retired.",
            ))
        })?),
    };
    let all = agreements::list(&state.app, &caller.me, relationship_id(&id)?, Utc::now()).await?;
    Ok(Json(
        all.iter()
            .filter(|s| domain.is_none_or(|d| s.domain == d))
            .filter(|s| status.is_none_or(|st| s.status == Some(st)))
            .map(AgreementSummaryView::from)
            .collect(),
    ))
}

/// One agreement with its versions, history and linked contributions.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/agreements/{aid}", operation_id = "get_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The agreement as the caller may read it", body = AgreementView),
        (status = 404, description = "No such agreement the caller may see", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
) -> Answer {
    let thread = agreements::thread(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        agreement_id(&aid)?,
        Utc::now(),
    )
    .await?;
    Ok(Json(thread.into()))
}

/// A counter-proposal: a new version while the agreement is being talked over.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements/{aid}/counter", operation_id = "counter_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    request_body = VersionBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The new version", body = AgreementView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "`agreed_already` (propose changes instead), `retired`, `ended`", body = ErrorBody),
        (status = 422, description = "A field is invalid (named in `field`)", body = ErrorBody),
    )
)]
pub async fn counter(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(body): ApiJson<VersionBody>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let thread =
        agreements::counter(&state.app, &caller.me, rel, aid, body.words(), Utc::now()).await?;
    Ok(Json(thread.into()))
}

/// Proposed changes to an agreed agreement: a new version; what was agreed
/// stays in force until both accept the change.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements/{aid}/revise", operation_id = "revise_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    request_body = VersionBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The new version", body = AgreementView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "`still_open` (counter instead), `retired`, `ended`", body = ErrorBody),
        (status = 422, description = "A field is invalid (named in `field`)", body = ErrorBody),
    )
)]
pub async fn revise(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(body): ApiJson<VersionBody>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let thread =
        agreements::revise(&state.app, &caller.me, rel, aid, body.words(), Utc::now()).await?;
    Ok(Json(thread.into()))
}

/// Accepts the latest version; `accepted` once both accepted it.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements/{aid}/accept", operation_id = "accept_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    request_body = AcceptBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Accepted by the caller", body = AgreementView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "`superseded`: a newer version replaced it; `retired`, `ended`", body = ErrorBody),
        (status = 422, description = "`version`: no such version", body = ErrorBody),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let thread =
        agreements::accept(&state.app, &caller.me, rel, aid, body.version, Utc::now()).await?;
    Ok(Json(thread.into()))
}

/// Declines the latest version, with a reason.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements/{aid}/decline", operation_id = "decline_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    request_body = DeclineBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Declined", body = AgreementView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "`superseded`, `already_accepted`, `already_declined`, `retired`, `ended`", body = ErrorBody),
        (status = 422, description = "`version` or `reason` is invalid", body = ErrorBody),
    )
)]
pub async fn decline(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(body): ApiJson<DeclineBody>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let thread = agreements::decline(
        &state.app,
        &caller.me,
        rel,
        aid,
        body.version,
        &body.reason,
        Utc::now(),
    )
    .await?;
    Ok(Json(thread.into()))
}

/// Withdraws the caller's assent, alone and at once: the agreement is then
/// no longer agreed, for both.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements/{aid}/withdraw", operation_id = "withdraw_from_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Withdrawn", body = AgreementView),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "`nothing_to_withdraw`, `retired`, `ended`", body = ErrorBody),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let thread = agreements::withdraw(&state.app, &caller.me, rel, aid, Utc::now()).await?;
    Ok(Json(thread.into()))
}

/// Reviewed and kept as it is, with the next review date (or none).
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements/{aid}/confirm", operation_id = "confirm_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    request_body = ConfirmBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Confirmed", body = AgreementView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "`not_agreed`, `retired`, `ended`", body = ErrorBody),
        (status = 422, description = "`review_on` is invalid", body = ErrorBody),
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let thread = agreements::confirm(
        &state.app,
        &caller.me,
        rel,
        aid,
        body.review_on.as_deref(),
        Utc::now(),
    )
    .await?;
    Ok(Json(thread.into()))
}

/// Retires it with a reason; it stays in history.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements/{aid}/retire", operation_id = "retire_agreement",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    request_body = RetireBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Retired", body = AgreementView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "`retired`, `ended`", body = ErrorBody),
        (status = 422, description = "`reason` is invalid", body = ErrorBody),
    )
)]
pub async fn retire(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(body): ApiJson<RetireBody>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let thread =
        agreements::retire(&state.app, &caller.me, rel, aid, &body.reason, Utc::now()).await?;
    Ok(Json(thread.into()))
}

/// Links a ledger contribution in the same domain.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/agreements/{aid}/contributions", operation_id = "link_contribution",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("aid" = uuid::Uuid, Path, description = "Agreement id")),
    request_body = LinkBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Linked", body = AgreementView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "`already_linked`, `retired`, `ended`", body = ErrorBody),
        (status = 422, description = "`contribution_id`: unknown, or another domain", body = ErrorBody),
    )
)]
pub async fn link(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let contribution = body.contribution_id.trim().parse().map_err(|_| {
        AppError::invalid(domain::FieldError::new(
            "contribution_id",
            "unknown",
            "There is no such contribution in your space.",
        ))
    })?;
    let thread =
        agreements::link(&state.app, &caller.me, rel, aid, contribution, Utc::now()).await?;
    Ok(Json(thread.into()))
}

/// Unlinks a contribution.
#[utoipa::path(
    delete, path = "/api/v1/relationships/{id}/agreements/{aid}/contributions/{cid}", operation_id = "unlink_contribution",
    tag = "agreements",
    params(
        ("id" = uuid::Uuid, Path, description = "Relationship id"),
        ("aid" = uuid::Uuid, Path, description = "Agreement id"),
        ("cid" = uuid::Uuid, Path, description = "Contribution id"),
    ),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Unlinked", body = AgreementView),
        (status = 404, description = "No such agreement or link", body = ErrorBody),
        (status = 409, description = "`ended`", body = ErrorBody),
    )
)]
pub async fn unlink(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, aid, cid)): Path<(String, String, String)>,
) -> Answer {
    let (rel, aid) = (relationship_id(&id)?, agreement_id(&aid)?);
    let cid = cid.parse().map_err(|_| AppError::not_found())?;
    let thread = agreements::unlink(&state.app, &caller.me, rel, aid, cid, Utc::now()).await?;
    Ok(Json(thread.into()))
}

/// The balance of say over a window.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/agreements/say", operation_id = "balance_of_say",
    tag = "agreements",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), SayQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Counts per partner", body = SayView),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`ended`", body = ErrorBody),
        (status = 422, description = "`days` out of range", body = ErrorBody),
    )
)]
pub async fn say(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<SayQuery>,
) -> Result<Json<SayView>, AppError> {
    let balance = agreements::balance_of_say(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        query.days,
        Utc::now(),
    )
    .await?;
    Ok(Json(say_view(
        query.days.unwrap_or(agreements::SAY_WINDOW_DAYS),
        &balance,
    )))
}
