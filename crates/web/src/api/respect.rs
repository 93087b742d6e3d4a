//! The respect-map API: the areas (ours and the couple's own), the caller's
//! answers (sealed until both submitted), the comparison, and new rounds.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use domain::questionnaires::respect::{self, Area, RespectAnswer, RespectInput, RespectMap};
use domain::rounds::{self, Answers, Instrument};
use domain::DomainError;
use domain::RelationshipId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::relationship_id;
use super::sealed::{self, RoundStatus, SealedApi};
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AreaView {
    /// Ours are named (`creativity`); the couple's own are ids.
    key: String,
    name: String,
    hint: Option<&'static str>,
    /// Added by the couple.
    custom: bool,
}

impl From<&Area> for AreaView {
    fn from(a: &Area) -> Self {
        Self {
            key: a.key.clone(),
            name: a.name.clone(),
            hint: a.hint,
            custom: a.custom,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAreaBody {
    /// Up to 60 characters, different from the areas already on the map.
    name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaAnswerBody {
    /// An area key from `respect/areas` (`area` is accepted too).
    #[serde(alias = "area")]
    key: String,
    /// "I respect your …", 1 to 5; absent (or null) with `not_for_us`.
    #[schema(minimum = 1, maximum = 5)]
    #[serde(default)]
    i_respect: Option<i64>,
    /// "I feel respected in my …", 1 to 5; absent (or null) with `not_for_us`.
    #[schema(minimum = 1, maximum = 5)]
    #[serde(default)]
    i_feel_respected: Option<i64>,
    /// "Not for us": the area does not apply to the two of you. Stored as
    /// a skip, never as a score; refused beside either number.
    #[serde(default)]
    not_for_us: bool,
}

/// `PUT R/respect` (its first form, kept for clients that use it).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespectBody {
    /// Saved into the caller's draft: an area sent again replaces the earlier answer.
    areas: Vec<AreaAnswerBody>,
}

/// `PUT R/respect/answers`: the same body every sealed instrument takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespectAnswersBody {
    /// Saved into the caller's draft: an area sent again replaces the earlier answer.
    answers: Vec<AreaAnswerBody>,
}

#[derive(Serialize, ToSchema)]
pub struct MyAreaAnswer {
    key: String,
    /// The same as `key` (its earlier name).
    area: String,
    /// 1 to 5; null when `not_for_us`.
    i_respect: Option<u8>,
    /// 1 to 5; null when `not_for_us`.
    i_feel_respected: Option<u8>,
    /// Answered "Not for us": skipped, not scored.
    not_for_us: bool,
}

/// The caller's status in the current round and their own answers only.
#[derive(Serialize, ToSchema)]
pub struct RespectStatus {
    #[serde(flatten)]
    status: RoundStatus,
    /// Areas on the map; submit needs all of them answered.
    areas_total: usize,
    answers: Vec<MyAreaAnswer>,
}

/// One direction: what one partner says beside what the other feels.
// Named apart in the document: the episodes' `DirectionView` is another
// type, and schema names are one namespace (the same name hid this one).
#[derive(Serialize, ToSchema)]
#[schema(as = RespectDirectionView)]
pub struct DirectionView {
    /// Who said "I respect your …".
    from: uuid::Uuid,
    /// Who said "I feel respected in my …".
    to: uuid::Uuid,
    /// Null when `from` answered "Not for us".
    stated: Option<u8>,
    /// Null when `to` answered "Not for us".
    felt: Option<u8>,
    /// Null when either answered "Not for us": a skip is set beside nothing.
    gap: Option<u8>,
    /// gap ≥ 2, or felt ≤ 2: worth talking about (never for a skip).
    highlighted: bool,
    /// Either partner answered this area "Not for us".
    not_for_us: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AreaComparisonView {
    area: String,
    name: String,
    /// `partners[0]`'s answers.
    a: MyAreaAnswer,
    /// `partners[1]`'s answers.
    b: MyAreaAnswer,
    /// `a`'s stated respect beside `b`'s felt respect, then the reverse.
    directions: [DirectionView; 2],
}

#[derive(Serialize, ToSchema)]
pub struct RespectComparisonBody {
    round: u32,
    revealed_at: DateTime<Utc>,
    partners: [uuid::Uuid; 2],
    areas: Vec<AreaComparisonView>,
}

fn answer_view(key: &str, a: &RespectAnswer) -> MyAreaAnswer {
    MyAreaAnswer {
        key: key.to_owned(),
        area: key.to_owned(),
        i_respect: a.i_respect(),
        i_feel_respected: a.i_feel_respected(),
        not_for_us: a.not_for_us(),
    }
}

/// A revealed respect comparison as JSON (partners' and counselor's alike).
pub(crate) fn comparison_body(c: &respect::RespectComparison) -> RespectComparisonBody {
    let [pa, pb] = c.partners;
    // A direction from what each said; its gap only when neither skipped.
    let direction = |(from, said): (domain::AccountId, &RespectAnswer),
                     (to, felt): (domain::AccountId, &RespectAnswer),
                     g: &Option<respect::RespectGap>| DirectionView {
        from: from.0,
        to: to.0,
        stated: said.i_respect(),
        felt: felt.i_feel_respected(),
        gap: g.map(|g| g.gap),
        highlighted: g.is_some_and(|g| g.highlighted()),
        not_for_us: said.not_for_us() || felt.not_for_us(),
    };
    RespectComparisonBody {
        round: c.number,
        revealed_at: c.revealed_at,
        partners: [pa.0, pb.0],
        areas: c
            .areas
            .iter()
            .map(|x| AreaComparisonView {
                area: x.area.key.clone(),
                name: x.area.name.clone(),
                a: answer_view(&x.area.key, &x.a),
                b: answer_view(&x.area.key, &x.b),
                directions: [
                    direction((pa, &x.a), (pb, &x.b), &x.towards_b),
                    direction((pb, &x.b), (pa, &x.a), &x.towards_a),
                ],
            })
            .collect(),
    }
}

impl SealedApi for RespectMap {
    type Entry = AreaAnswerBody;
    type Status = RespectStatus;
    type Compared = RespectComparisonBody;

    async fn compared(
        &self,
        state: &AppState,
        caller: &Authenticated,
        rel: RelationshipId,
        round: Option<u32>,
    ) -> Result<RespectComparisonBody, AppError> {
        let revealed = rounds::comparison(&state.app, &caller.me, rel, self, round).await?;
        Ok(comparison_body(&self.compare(&revealed)))
    }

    fn entries(
        &self,
        sent: &[AreaAnswerBody],
    ) -> Result<Answers<Option<RespectAnswer>>, DomainError> {
        let inputs: Vec<RespectInput<'_>> = sent
            .iter()
            .map(|a| RespectInput {
                area: &a.key,
                i_respect: a.i_respect,
                i_feel_respected: a.i_feel_respected,
                not_for_us: a.not_for_us,
            })
            .collect();
        Instrument::parse(self, &inputs)
    }

    fn status(&self, status: RoundStatus, mine: &Answers<RespectAnswer>) -> RespectStatus {
        let answers = self
            .areas
            .iter()
            .filter_map(|area| mine.get(&area.key).map(|a| answer_view(&area.key, a)))
            .collect();
        RespectStatus {
            status,
            areas_total: self.areas.len(),
            answers,
        }
    }
}

/// The caller's relationship and its map (404 to anyone else).
async fn map_of(
    state: &AppState,
    caller: &Authenticated,
    id: &str,
) -> Result<(RelationshipId, RespectMap), AppError> {
    let rel = relationship_id(id)?;
    Ok((
        rel,
        RespectMap::load(&state.app, caller.account_id, rel).await?,
    ))
}

/// The areas of the couple's map: ours, then their own.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/respect/areas", operation_id = "respect_areas", tag = "respect",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The areas", body = [AreaView]),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn areas(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<AreaView>>, AppError> {
    let (_, map) = map_of(&state, &caller, &id).await?;
    Ok(Json(map.areas.iter().map(AreaView::from).collect()))
}

/// Adds an area of the couple's own, while nobody has submitted this round.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/respect/areas", operation_id = "respect_add_area", tag = "respect",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = NewAreaBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Added", body = AreaView),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`area_exists`, or `round_in_progress` once someone submitted", body = ErrorBody),
        (status = 422, description = "The name is invalid", body = ErrorBody),
    )
)]
pub async fn add_area(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewAreaBody>,
) -> Result<(StatusCode, Json<AreaView>), AppError> {
    let area = respect::add_area(
        &state.app,
        caller.account_id,
        relationship_id(&id)?,
        &body.name,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(AreaView::from(&area))))
}

/// The first form of `PUT R/respect/answers` (answers under `areas`), kept
/// for the clients that use it; it answers exactly as that route does.
#[utoipa::path(
    put, path = "/api/v1/relationships/{id}/respect", operation_id = "respect_save", tag = "respect",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = RespectBody,
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Saved (errors as for `PUT R/respect/answers`)", body = RespectStatus))
)]
pub async fn save_areas(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RespectBody>,
) -> Result<Json<RespectStatus>, AppError> {
    let (rel, map) = map_of(&state, &caller, &id).await?;
    sealed::save(&state, &caller, rel, &map, &body.areas).await
}

super::sealed::sealed_endpoints! {
    tag = "respect",
    params = [("id" = uuid::Uuid, "Relationship id")],
    path = String,
    status = ("/api/v1/relationships/{id}/respect", "respect_status"),
    save = ("/api/v1/relationships/{id}/respect/answers", "respect_save_answers", RespectAnswersBody),
    submit = ("/api/v1/relationships/{id}/respect/submit", "respect_submit"),
    rounds = ("/api/v1/relationships/{id}/respect/rounds", "respect_new_round"),
    comparison = ("/api/v1/relationships/{id}/respect/comparison", "respect_comparison", RespectComparisonBody),
    returns = RespectStatus,
    load = |state, caller, id| map_of(&state, &caller, &id).await?,
}

super::sealed::agreed_round_endpoints! {
    tag = "respect",
    proposal = ("/api/v1/relationships/{id}/respect/rounds/proposal", "respect_propose_round", "respect_withdraw_round"),
    agree = ("/api/v1/relationships/{id}/respect/rounds/proposal/agree", "respect_agree_round"),
    decline = ("/api/v1/relationships/{id}/respect/rounds/proposal/decline", "respect_decline_round"),
    prefill = ("/api/v1/relationships/{id}/respect/prefill", "respect_prefill"),
    returns = RespectStatus,
    load = |state, caller, id| map_of(&state, &caller, &id).await?,
}
