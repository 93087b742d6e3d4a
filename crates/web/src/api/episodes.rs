//! The episodes API (API.md "Episodes and negative reciprocity"). The
//! rules live in `domain::episodes`, the figures in `analytics::episodes`;
//! this file shapes JSON.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use domain::episodes::codes::{self, CODES};
use domain::episodes::patterns::{self, Patterns};
use domain::episodes::repair::{self, RepairAnswers, RepairInput, RepairView};
use domain::episodes::{
    self, guide, Direction, Episode, EpisodeDetail, EpisodeInput, Ratio, Turn, TurnInput, Valence,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::relationship_id;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Where the web app's "before you answer" guide lives.
pub const GUIDE_PAGE: &str = "/before-you-answer";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEpisodeBody {
    /// A short name you will recognise (up to 200 characters).
    title: String,
    /// `conflict` or `everyday`.
    kind: String,
    /// When it happened: `YYYY-MM-DD` or an RFC 3339 time (default today).
    #[serde(default)]
    occurred_at: Option<String>,
    /// Share it with your partner now (private unless true).
    #[serde(default)]
    share: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EpisodeView {
    id: uuid::Uuid,
    /// `null` once the person who recorded it deleted their account.
    title: Option<String>,
    kind: &'static str,
    occurred_on: NaiveDate,
    recorded_by: uuid::Uuid,
    /// The person who recorded it shared it.
    shared: bool,
}

impl From<&Episode> for EpisodeView {
    fn from(e: &Episode) -> Self {
        Self {
            id: e.id,
            title: e.title.clone(),
            kind: e.kind.as_str(),
            occurred_on: e.on,
            recorded_by: e.recorded_by.0,
            shared: e.shared,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTurnBody {
    /// One of the two partners.
    actor_id: String,
    /// One of `GET /api/v1/episode-codes`.
    code: String,
    /// `positive`, `neutral` or `negative`; the code's usual feeling if absent.
    #[serde(default)]
    valence: Option<String>,
    /// 1 (mild) to 5 (intense).
    #[schema(minimum = 1, maximum = 5)]
    intensity: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TurnView {
    /// 1, 2, 3… within the view.
    position: u32,
    actor_id: uuid::Uuid,
    code: &'static str,
    valence: &'static str,
    intensity: u8,
}

impl From<&Turn> for TurnView {
    fn from(t: &Turn) -> Self {
        Self {
            position: t.position,
            actor_id: t.actor.0,
            code: t.code.key,
            valence: codes::valence_key(t.valence),
            intensity: t.intensity,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AddedTurnView {
    #[serde(flatten)]
    turn: TurnView,
    /// For a negative turn: the "before you answer" guide, a minute's reading.
    guide: Option<&'static str>,
}

#[derive(Serialize, ToSchema)]
pub struct SpiralView {
    /// 1-based position of its first turn.
    start: u32,
    length: usize,
    peak: u8,
}

#[derive(Serialize, ToSchema)]
pub struct EpisodeDetailView {
    #[serde(flatten)]
    episode: EpisodeView,
    /// The caller's own view, in order.
    mine: Vec<TurnView>,
    /// The caller shares their view.
    mine_shared: bool,
    /// The partner's view, when they shared it.
    partner: Option<Vec<TurnView>>,
    /// Spirals in the caller's view.
    spirals: Vec<SpiralView>,
}

impl From<&EpisodeDetail> for EpisodeDetailView {
    fn from(d: &EpisodeDetail) -> Self {
        Self {
            episode: (&d.episode).into(),
            mine: d.mine.iter().map(TurnView::from).collect(),
            mine_shared: d.mine_shared,
            partner: d
                .partner
                .as_ref()
                .map(|p| p.iter().map(TurnView::from).collect()),
            spirals: d
                .spirals
                .iter()
                .map(|s| SpiralView {
                    start: u32::try_from(s.start + 1).unwrap_or(u32::MAX),
                    length: s.length,
                    peak: s.peak,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareBody {
    share: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairBody {
    /// What was my part in it (may stay empty). Each answer up to 5,000
    /// characters; an absent field keeps what you wrote before.
    #[serde(default)]
    my_part: Option<String>,
    #[serde(default)]
    felt: Option<String>,
    #[serde(default)]
    needed: Option<String>,
    #[serde(default)]
    next_time: Option<String>,
    /// Keep it as a draft instead of sending it (default: send).
    #[serde(default)]
    draft: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RepairAnswersView {
    my_part: String,
    felt: String,
    needed: String,
    next_time: String,
}

impl From<&RepairAnswers> for RepairAnswersView {
    fn from(a: &RepairAnswers) -> Self {
        Self {
            my_part: a.my_part.clone(),
            felt: a.felt.clone(),
            needed: a.needed.clone(),
            next_time: a.next_time.clone(),
        }
    }
}

/// Sealed until both sent theirs: before that, about the partner only
/// whether they sent it.
#[derive(Serialize, ToSchema)]
pub struct RepairStateView {
    /// `sealed` or `revealed`.
    state: &'static str,
    mine: Option<RepairAnswersView>,
    /// The caller sent theirs.
    sent: bool,
    partner_sent: bool,
    partner: Option<RepairAnswersView>,
    revealed_at: Option<DateTime<Utc>>,
}

impl From<&RepairView> for RepairStateView {
    fn from(v: &RepairView) -> Self {
        match v {
            RepairView::Sealed {
                mine,
                sent,
                partner_sent,
            } => Self {
                state: "sealed",
                mine: mine.as_ref().map(RepairAnswersView::from),
                sent: *sent,
                partner_sent: *partner_sent,
                partner: None,
                revealed_at: None,
            },
            RepairView::Revealed {
                mine,
                partner,
                revealed_at,
            } => Self {
                state: "revealed",
                mine: Some(mine.into()),
                sent: true,
                partner_sent: true,
                partner: Some(partner.into()),
                revealed_at: Some(*revealed_at),
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DirectionView {
    from: uuid::Uuid,
    to: uuid::Uuid,
    /// P(`to` answers negatively | `from` was negative); `null` with too little data.
    p_negative_after_negative: Option<f64>,
    /// How often `to` answers `from` negatively at all.
    base_rate: Option<f64>,
    /// Under the turn-taking model (same-actor transitions are structural zeros).
    adjusted_residual: Option<f64>,
    yules_q: Option<f64>,
    /// `from`'s turns directly answered by `to`.
    n: u64,
    negative_answered: u64,
    negative_after_negative: u64,
    /// False: too few turns to say anything; the figures above are `null`.
    enough_data: bool,
}

fn direction(d: &Direction, pair: [domain::AccountId; 2]) -> DirectionView {
    DirectionView {
        from: pair[d.from].0,
        to: pair[d.to].0,
        p_negative_after_negative: d.p_negative_after_negative,
        base_rate: d.base_rate,
        adjusted_residual: d.adjusted_residual,
        yules_q: d.yules_q,
        n: d.n,
        negative_answered: d.negative_answered,
        negative_after_negative: d.negative_after_negative,
        enough_data: d.enough,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PatternSpiralView {
    episode_id: uuid::Uuid,
    title: Option<String>,
    occurred_on: NaiveDate,
    start: u32,
    length: usize,
    peak: u8,
}

#[derive(Serialize, ToSchema)]
pub struct RatioView {
    positive: u64,
    negative: u64,
    /// P/N; `null` with no negative turn or too few turns.
    ratio: Option<f64>,
    /// (P + ½)/(N + ½); `null` with too few turns.
    smoothed: Option<f64>,
}

impl From<&Ratio> for RatioView {
    fn from(r: &Ratio) -> Self {
        Self {
            positive: r.positive,
            negative: r.negative,
            ratio: r.ratio,
            smoothed: r.smoothed,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RatiosView {
    conflict: RatioView,
    everyday: RatioView,
}

#[derive(Serialize, ToSchema)]
pub struct BidsView {
    bidder: uuid::Uuid,
    responder: uuid::Uuid,
    bids: u64,
    toward: u64,
    away: u64,
    against: u64,
    /// `null` below 10 answered bids.
    toward_rate: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct MonthView {
    /// `YYYY-MM`.
    month: String,
    episodes: usize,
    turns: usize,
    spirals: usize,
    /// Over conflict episodes; `null` with too little data.
    positive_negative_ratio: Option<f64>,
    directions: Vec<DirectionView>,
}

#[derive(Serialize, ToSchema)]
pub struct ResponsibilityPartnerView {
    account_id: uuid::Uuid,
    /// Repaired episodes in which they named their own part.
    named: u64,
    share: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ResponsibilityView {
    /// Episodes both partners wrote their repair for.
    repaired: u64,
    partners: Vec<ResponsibilityPartnerView>,
    /// One names their part in under a third of at least four repairs
    /// while the other does in over two thirds.
    imbalance: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NegativeReciprocityView {
    /// Each way: A then B, and B then A.
    directions: Vec<DirectionView>,
    /// The latest spirals (at most 10), newest first.
    spirals: Vec<PatternSpiralView>,
    /// Positive to negative turns in conflict episodes; `null` with too little data.
    positive_negative_ratio: Option<f64>,
    ratios: RatiosView,
    bids: Vec<BidsView>,
    /// Oldest first.
    months: Vec<MonthView>,
    /// Three spirals or more in the last 30 days.
    spirals_recur: bool,
    /// `null` once the space ended.
    responsibility: Option<ResponsibilityView>,
    episodes: usize,
    turns: usize,
}

impl From<&Patterns> for NegativeReciprocityView {
    fn from(p: &Patterns) -> Self {
        let pair = p.pair;
        Self {
            directions: p.directions.iter().map(|d| direction(d, pair)).collect(),
            spirals: p
                .spirals
                .iter()
                .map(|s| PatternSpiralView {
                    episode_id: s.episode_id,
                    title: s.title.clone(),
                    occurred_on: s.on,
                    start: s.start,
                    length: s.length,
                    peak: s.peak,
                })
                .collect(),
            positive_negative_ratio: p.conflict.ratio,
            ratios: RatiosView {
                conflict: (&p.conflict).into(),
                everyday: (&p.everyday).into(),
            },
            bids: p
                .bids
                .iter()
                .map(|b| BidsView {
                    bidder: pair[b.bidder].0,
                    responder: pair[b.responder].0,
                    bids: b.bids,
                    toward: b.toward,
                    away: b.away,
                    against: b.against,
                    toward_rate: b.toward_rate,
                })
                .collect(),
            months: p
                .months
                .iter()
                .map(|m| MonthView {
                    month: m.month.clone(),
                    episodes: m.episodes,
                    turns: m.turns,
                    spirals: m.spirals,
                    positive_negative_ratio: m.conflict.ratio,
                    directions: m.directions.iter().map(|d| direction(d, pair)).collect(),
                })
                .collect(),
            spirals_recur: p.spirals_recur,
            responsibility: p.responsibility.as_ref().map(|r| ResponsibilityView {
                repaired: r.repaired,
                partners: (0..2)
                    .map(|i| ResponsibilityPartnerView {
                        account_id: pair[i].0,
                        named: r.named[i],
                        share: r.share[i],
                    })
                    .collect(),
                imbalance: r.imbalance,
            }),
            episodes: p.episodes,
            turns: p.turns,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CodeView {
    key: &'static str,
    label: &'static str,
    explanation: &'static str,
    /// The usual feeling; the person can change it.
    valence: &'static str,
    group: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct GuideStepView {
    title: &'static str,
    text: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct GuideView {
    intro: &'static str,
    steps: Vec<GuideStepView>,
    /// The same guide in the web app.
    page: &'static str,
}

/// One episode in the export: as `GET R/episodes/{eid}` shows it, with the
/// repair as `GET R/episodes/{eid}/repair` does.
#[derive(Serialize, ToSchema)]
pub struct EpisodeArchive {
    #[serde(flatten)]
    episode: EpisodeDetailView,
    repair: RepairStateView,
}

/// One of the caller's own views of an episode their former partner
/// recorded (its title and the other's view are not theirs): in the export.
#[derive(Serialize, ToSchema)]
pub struct OwnViewArchive {
    episode_id: uuid::Uuid,
    occurred_on: NaiveDate,
    kind: &'static str,
    /// The caller's turns, in order.
    turns: Vec<TurnView>,
    /// The caller's own repair, sent or not, or `null`.
    repair: Option<RepairAnswersView>,
}

/// The caller's own views and repairs of episodes they can no longer open.
pub async fn own_views_archive(
    app: &domain::App,
    me: &domain::me::Me,
    rel: domain::RelationshipId,
) -> Result<Vec<OwnViewArchive>, domain::DomainError> {
    Ok(episodes::own_views_elsewhere(app, me, rel)
        .await?
        .iter()
        .map(|v| OwnViewArchive {
            episode_id: v.episode,
            occurred_on: v.on,
            kind: v.kind.as_str(),
            turns: v.turns.iter().map(TurnView::from).collect(),
            repair: v.repair.as_ref().map(RepairAnswersView::from),
        })
        .collect())
}

/// Every episode the caller may see in `rel`, newest first, for the export.
pub async fn archive(
    app: &domain::App,
    me: &domain::me::Me,
    rel: domain::RelationshipId,
    now: DateTime<Utc>,
) -> Result<Vec<EpisodeArchive>, domain::DomainError> {
    let mut all = Vec::new();
    for e in episodes::list(app, me, rel).await? {
        let detail = episodes::detail(app, me, rel, e.id, now).await?;
        let repair = repair::view(app, me, rel, e.id, now).await?;
        all.push(EpisodeArchive {
            episode: (&detail).into(),
            repair: (&repair).into(),
        });
    }
    Ok(all)
}

fn episode_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// Records an episode (private unless `share`).
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/episodes", operation_id = "create_episode",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = NewEpisodeBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Recorded", body = EpisodeView),
        (status = 400, description = "Malformed body (named in `field`)", body = ErrorBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`ended`, `not_active`", body = ErrorBody),
        (status = 422, description = "`title`, `kind` or `occurred_at` invalid (named in `field`)", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewEpisodeBody>,
) -> Result<(StatusCode, Json<EpisodeView>), AppError> {
    let input = EpisodeInput {
        title: &body.title,
        kind: &body.kind,
        occurred_at: body.occurred_at.as_deref(),
        share: body.share,
    };
    let e = episodes::record(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        input,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json((&e).into())))
}

/// The episodes the caller may see (their own, and shared ones), newest first.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/episodes", operation_id = "list_episodes",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Episodes", body = [EpisodeView]),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<EpisodeView>>, AppError> {
    let all = episodes::list(&state.app, &caller.me, relationship_id(&id)?).await?;
    Ok(Json(all.iter().map(EpisodeView::from).collect()))
}

/// One episode: the caller's view and, when shared, the partner's.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/episodes/{eid}", operation_id = "get_episode",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("eid" = uuid::Uuid, Path, description = "Episode id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The episode", body = EpisodeDetailView),
        (status = 404, description = "No episode the caller may see", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, eid)): Path<(String, String)>,
) -> Result<Json<EpisodeDetailView>, AppError> {
    let d = episodes::detail(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        episode_id(&eid)?,
        Utc::now(),
    )
    .await?;
    Ok(Json((&d).into()))
}

/// Adds a turn at the end of the caller's view. A negative turn's answer
/// points to the "before you answer" guide.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/episodes/{eid}/turns", operation_id = "add_turn",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("eid" = uuid::Uuid, Path, description = "Episode id")),
    request_body = NewTurnBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Added, in order", body = AddedTurnView),
        (status = 400, description = "Malformed body (named in `field`)", body = ErrorBody),
        (status = 404, description = "No episode the caller may see", body = ErrorBody),
        (status = 409, description = "`ended`, `not_active`, `too_many_turns`, `busy`", body = ErrorBody),
        (status = 422, description = "`actor_id`, `code`, `valence` or `intensity` invalid (named in `field`)", body = ErrorBody),
    )
)]
pub async fn add_turn(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, eid)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewTurnBody>,
) -> Result<(StatusCode, Json<AddedTurnView>), AppError> {
    let input = TurnInput {
        actor_id: &body.actor_id,
        code: &body.code,
        valence: body.valence.as_deref(),
        intensity: body.intensity,
    };
    let turn = episodes::add_turn(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        episode_id(&eid)?,
        input,
        Utc::now(),
    )
    .await?;
    let negative = turn.valence == Valence::Negative;
    Ok((
        StatusCode::CREATED,
        Json(AddedTurnView {
            turn: (&turn).into(),
            guide: negative.then_some(GUIDE_PAGE),
        }),
    ))
}

/// Removes the last turn of the caller's view (a mistaken tap).
#[utoipa::path(
    delete, path = "/api/v1/relationships/{id}/episodes/{eid}/turns/last", operation_id = "undo_turn",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("eid" = uuid::Uuid, Path, description = "Episode id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No turn of the caller's in an episode they may see", body = ErrorBody),
        (status = 409, description = "`ended`", body = ErrorBody),
    )
)]
pub async fn undo_turn(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, eid)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    episodes::undo_turn(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        episode_id(&eid)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shares the caller's view (the first time the recorder shares, the
/// episode too, for good), or withdraws the view.
#[utoipa::path(
    put, path = "/api/v1/relationships/{id}/episodes/{eid}/share", operation_id = "share_episode",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("eid" = uuid::Uuid, Path, description = "Episode id")),
    request_body = ShareBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 204, description = "Done"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No episode the caller may see", body = ErrorBody),
        (status = 409, description = "`ended`, `not_active`", body = ErrorBody),
    )
)]
pub async fn share(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, eid)): Path<(String, String)>,
    ApiJson(body): ApiJson<ShareBody>,
) -> Result<StatusCode, AppError> {
    episodes::set_shared(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        episode_id(&eid)?,
        body.share,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Writes the caller's repair of a shared episode; sealed until both sent theirs.
#[utoipa::path(
    put, path = "/api/v1/relationships/{id}/episodes/{eid}/repair", operation_id = "write_repair",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("eid" = uuid::Uuid, Path, description = "Episode id")),
    request_body = RepairBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Saved or sent", body = RepairStateView),
        (status = 400, description = "Malformed body (named in `field`)", body = ErrorBody),
        (status = 404, description = "No episode the caller may see", body = ErrorBody),
        (status = 409, description = "`not_shared`, `already_submitted`, `ended`, `not_active`", body = ErrorBody),
        (status = 422, description = "An answer over 5,000 characters, or nothing written (named in `field`)", body = ErrorBody),
    )
)]
pub async fn write_repair(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, eid)): Path<(String, String)>,
    ApiJson(body): ApiJson<RepairBody>,
) -> Result<Json<RepairStateView>, AppError> {
    let input = RepairInput {
        my_part: body.my_part.as_deref(),
        felt: body.felt.as_deref(),
        needed: body.needed.as_deref(),
        next_time: body.next_time.as_deref(),
    };
    let v = repair::write(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        episode_id(&eid)?,
        input,
        !body.draft,
        Utc::now(),
    )
    .await?;
    Ok(Json((&v).into()))
}

/// The caller's repair, and the partner's once both sent theirs.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/episodes/{eid}/repair", operation_id = "get_repair",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("eid" = uuid::Uuid, Path, description = "Episode id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The repair as the caller may see it", body = RepairStateView),
        (status = 404, description = "No episode the caller may see", body = ErrorBody),
    )
)]
pub async fn get_repair(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, eid)): Path<(String, String)>,
) -> Result<Json<RepairStateView>, AppError> {
    let v = repair::view(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        episode_id(&eid)?,
        Utc::now(),
    )
    .await?;
    Ok(Json((&v).into()))
}

/// Negative reciprocity each way, spirals, ratios, bids, months and
/// responsibility balance, over the episodes the caller may see.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/negative-reciprocity", operation_id = "negative_reciprocity",
    tag = "episodes",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The pattern", body = NegativeReciprocityView),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn negative_reciprocity(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<NegativeReciprocityView>, AppError> {
    let p = patterns::patterns(&state.app, &caller.me, relationship_id(&id)?, Utc::now()).await?;
    Ok(Json((&p).into()))
}

/// The codes a turn can carry, with plain explanations.
#[utoipa::path(
    get, path = "/api/v1/episode-codes", operation_id = "episode_codes",
    tag = "episodes",
    responses((status = 200, description = "Every code", body = [CodeView]))
)]
pub async fn codes_list() -> Json<Vec<CodeView>> {
    Json(
        CODES
            .iter()
            .map(|c| CodeView {
                key: c.key,
                label: c.label,
                explanation: c.explanation,
                valence: codes::valence_key(c.valence),
                group: c.group.label(),
            })
            .collect(),
    )
}

/// "Before you answer": a minute's reading for a hard moment.
#[utoipa::path(
    get, path = "/api/v1/before-you-answer", operation_id = "before_you_answer",
    tag = "episodes",
    responses((status = 200, description = "The guide", body = GuideView))
)]
pub async fn before_you_answer() -> Json<GuideView> {
    Json(GuideView {
        intro: guide::INTRO,
        steps: guide::STEPS
            .iter()
            .map(|s| GuideStepView {
                title: s.title,
                text: s.text,
            })
            .collect(),
        page: GUIDE_PAGE,
    })
}
