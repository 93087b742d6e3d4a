//! The check-ins API (API.md "Check-ins"). The rules and figures live in
//! `domain::checkins` and `analytics::checkins`; this file shapes JSON.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use domain::checkins::{self, CheckinInput, MyCheckin, SeriesPoint, ITEMS};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::relationship_id;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// The ten answers, each 0–8, named as in API.md.
#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct Answers {
    satisfaction: i64,
    rewards: i64,
    costs: i64,
    investment: i64,
    alternatives: i64,
    commitment: i64,
    passion: i64,
    love_given: i64,
    love_received: i64,
    respected: i64,
}

impl Answers {
    fn from_items(items: [u8; 10]) -> Self {
        let v = items.map(i64::from);
        Self {
            satisfaction: v[0],
            rewards: v[1],
            costs: v[2],
            investment: v[3],
            alternatives: v[4],
            commitment: v[5],
            passion: v[6],
            love_given: v[7],
            love_received: v[8],
            respected: v[9],
        }
    }
}

/// A check-in: the ten answers, each 0–8, named as in API.md.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCheckinBody {
    /// The day it is about (default today; a check-in done on paper can be
    /// entered later; at most a day ahead).
    #[serde(default)]
    on: Option<String>,
    #[schema(minimum = 0, maximum = 8)]
    satisfaction: i64,
    #[schema(minimum = 0, maximum = 8)]
    rewards: i64,
    #[schema(minimum = 0, maximum = 8)]
    costs: i64,
    #[schema(minimum = 0, maximum = 8)]
    investment: i64,
    #[schema(minimum = 0, maximum = 8)]
    alternatives: i64,
    #[schema(minimum = 0, maximum = 8)]
    commitment: i64,
    #[schema(minimum = 0, maximum = 8)]
    passion: i64,
    #[schema(minimum = 0, maximum = 8)]
    love_given: i64,
    #[schema(minimum = 0, maximum = 8)]
    love_received: i64,
    #[schema(minimum = 0, maximum = 8)]
    respected: i64,
    /// Share this one with your partner (private unless true).
    #[serde(default)]
    share: bool,
    /// A note for yourself alone (up to 2,000 characters).
    #[serde(default)]
    note: Option<String>,
    /// Replace your check-in of that day instead of refusing a second.
    #[serde(default)]
    replace: bool,
}

impl NewCheckinBody {
    /// In `domain::checkins::ITEMS` order.
    fn in_order(&self) -> [i64; 10] {
        [
            self.satisfaction,
            self.rewards,
            self.costs,
            self.investment,
            self.alternatives,
            self.commitment,
            self.passion,
            self.love_given,
            self.love_received,
            self.respected,
        ]
    }
}

#[derive(Serialize, ToSchema)]
pub struct CheckinView {
    id: uuid::Uuid,
    on: NaiveDate,
    #[serde(flatten)]
    answers: Answers,
    /// Rewards − costs.
    outcome: i64,
    shared: bool,
    /// Yours alone.
    note: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<MyCheckin> for CheckinView {
    fn from(c: MyCheckin) -> Self {
        Self {
            id: c.id,
            on: c.on,
            answers: Answers::from_items(c.items),
            outcome: i64::from(c.items[1]) - i64::from(c.items[2]),
            shared: c.shared,
            note: c.note,
            created_at: c.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareBody {
    share: bool,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadenceBody {
    /// How often to check in, in days (1–90; weekly is 7).
    every_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PointView {
    on: NaiveDate,
    outcome: f64,
    /// The mean outcome of this person's earlier check-ins in the series.
    comparison_level: Option<f64>,
    #[serde(flatten)]
    answers: Answers,
}

impl From<&SeriesPoint> for PointView {
    fn from(p: &SeriesPoint) -> Self {
        Self {
            on: p.on,
            outcome: p.outcome,
            comparison_level: p.comparison_level,
            answers: Answers::from_items(p.items),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PartnerSummary {
    account_id: uuid::Uuid,
    series: Vec<PointView>,
    latest_outcome: Option<f64>,
    comparison_level: Option<f64>,
    outcome_vs_comparison: Option<f64>,
    slope_per_week: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct LoveView {
    week_of: NaiveDate,
    from: uuid::Uuid,
    /// How much love `from` feels.
    love_given: u8,
    to: uuid::Uuid,
    /// How much love `to` feels from them.
    love_received: u8,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryView {
    /// The caller's own (always first), then the partner's shared ones.
    partners: Vec<PartnerSummary>,
    /// Reciprocated love, in weeks both shared.
    love: Vec<LoveView>,
    cadence_days: u32,
    /// The caller's next check-in is due.
    due: bool,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionView {
    key: &'static str,
    label: &'static str,
    question: &'static str,
    low: &'static str,
    high: &'static str,
}

fn checkin_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// Keeps a check-in (private unless `share`).
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/checkins", operation_id = "create_checkin",
    tag = "checkins",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = NewCheckinBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Kept", body = CheckinView),
        (status = 400, description = "Malformed body, or an answer missing (named in `field`)", body = ErrorBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`already_checked_in` (that day; send `replace`), `ended`, `not_active`", body = ErrorBody),
        (status = 422, description = "An answer outside 0–8, `on` or `note` invalid (named in `field`)", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewCheckinBody>,
) -> Result<(StatusCode, Json<CheckinView>), AppError> {
    let input = CheckinInput {
        on: body.on.as_deref(),
        answers: body.in_order(),
        share: body.share,
        note: body.note.as_deref(),
        replace: body.replace,
    };
    let kept = checkins::record(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        input,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(kept.into())))
}

/// The caller's own check-ins, newest first, with their notes.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/checkins", operation_id = "list_checkins",
    tag = "checkins",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller's own", body = [CheckinView]),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<CheckinView>>, AppError> {
    let mine = checkins::mine(&state.app, &caller.me, relationship_id(&id)?).await?;
    Ok(Json(mine.into_iter().map(CheckinView::from).collect()))
}

/// Shares one of the caller's check-ins, or withdraws it.
#[utoipa::path(
    put, path = "/api/v1/relationships/{id}/checkins/{checkin}/share", operation_id = "share_checkin",
    tag = "checkins",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("checkin" = uuid::Uuid, Path, description = "Check-in id")),
    request_body = ShareBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 204, description = "Done"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No check-in of the caller's with this id", body = ErrorBody),
        (status = 409, description = "`ended`", body = ErrorBody),
    )
)]
pub async fn share(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
    ApiJson(body): ApiJson<ShareBody>,
) -> Result<StatusCode, AppError> {
    checkins::set_shared(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        checkin_id(&cid)?,
        body.share,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Each partner's series and figures: the caller's own always, the
/// partner's only where shared.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/checkins/summary", operation_id = "checkin_summary",
    tag = "checkins",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The summary", body = SummaryView),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn summary(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<SummaryView>, AppError> {
    let s = checkins::summary(&state.app, &caller.me, relationship_id(&id)?, Utc::now()).await?;
    Ok(Json(s.into()))
}

impl From<checkins::Summary> for SummaryView {
    fn from(s: checkins::Summary) -> Self {
        Self {
            partners: s
                .partners
                .iter()
                .map(|p| PartnerSummary {
                    account_id: p.account_id.0,
                    series: p.series.iter().map(PointView::from).collect(),
                    latest_outcome: p.balance.latest_outcome,
                    comparison_level: p.balance.comparison_level,
                    outcome_vs_comparison: p.balance.outcome_vs_comparison,
                    slope_per_week: p.balance.slope_per_week,
                })
                .collect(),
            love: s
                .love
                .iter()
                .map(|l| LoveView {
                    week_of: l.week_of,
                    from: l.from.0,
                    love_given: l.love_given,
                    to: l.to.0,
                    love_received: l.love_received,
                })
                .collect(),
            cadence_days: s.cadence_days,
            due: s.due,
        }
    }
}

/// Sets how often the couple checks in.
#[utoipa::path(
    put, path = "/api/v1/relationships/{id}/checkins/cadence", operation_id = "set_checkin_cadence",
    tag = "checkins",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = CadenceBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Set", body = CadenceBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`ended`, `not_active`", body = ErrorBody),
        (status = 422, description = "`every_days` out of range", body = ErrorBody),
    )
)]
pub async fn set_cadence(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CadenceBody>,
) -> Result<Json<CadenceBody>, AppError> {
    let days = checkins::set_cadence(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        body.every_days,
        Utc::now(),
    )
    .await?;
    Ok(Json(CadenceBody {
        every_days: i64::from(days),
    }))
}

/// The questionnaire.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/checkins/questions", operation_id = "checkin_questions",
    tag = "checkins",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The ten questions, each answered 0–8", body = [QuestionView]),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn questions(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<QuestionView>>, AppError> {
    domain::relationship::get(&state.app, caller.account_id, relationship_id(&id)?).await?;
    Ok(Json(
        ITEMS
            .iter()
            .map(|i| QuestionView {
                key: i.key,
                label: i.label,
                question: i.question,
                low: i.low,
                high: i.high,
            })
            .collect(),
    ))
}

/// The dyadic export: shared check-ins only, in pairwise format (one row
/// per partner per week both shared, own answers `_A`, the other's `_P`),
/// ready for `reciprocity analyze apim`.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/checkins/export.csv", operation_id = "export_checkins",
    tag = "checkins",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`ended`, `not_active`", body = ErrorBody),
    )
)]
pub async fn export_csv(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let csv =
        checkins::dyadic_csv(&state.app, &caller.me, relationship_id(&id)?, Utc::now()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"checkins.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
