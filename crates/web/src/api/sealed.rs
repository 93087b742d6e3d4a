//! One sealed-round API for every instrument (values, the respect map,
//! conversation decks, and next repair): the caller's round status, saving
//! answers, submitting, starting a new round, and the `round` query. An
//! instrument says only what is its own ([`SealedApi`]): how a request's
//! answers become its answers, and how the caller's status reads.
//!
//! SECURITY: a status is built from `RoundView`, which before the reveal
//! holds the caller's own answers and one bool about the partner. The
//! partner's answers leave the server only through a comparison, which the
//! domain refuses (409 `sealed`) until both have submitted.

use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use domain::next_round::{self, Asked};
use domain::rounds::{self, Answers, Current, Instrument, Questionnaire, RoundSummary};
use domain::sealed::{Own, RoundState, RoundView};
use domain::{DomainError, RelationshipId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Authenticated;
use crate::error::AppError;
use crate::state::AppState;

/// What one instrument brings to the sealed-round API.
pub trait SealedApi: Questionnaire {
    /// One answer as a request sends it (its identifier is `key`; the
    /// instrument's older name for it is accepted too).
    type Entry;
    /// The caller's status in the current round, with their own answers.
    type Status: Serialize;
    /// Validates a request's answers, all or nothing.
    fn entries(&self, sent: &[Self::Entry]) -> Result<Answers<Option<Self::Answer>>, DomainError>;
    /// The status body, from the shared round status and the caller's answers.
    fn status(&self, round: RoundStatus, mine: &Answers<Self::Answer>) -> Self::Status;
    /// A revealed round as the comparison shows it (409 `sealed` before).
    type Compared: Serialize;
    /// Reads round `round` (the latest when `None`) through the domain,
    /// which refuses it until both partners submitted.
    fn compared(
        &self,
        state: &AppState,
        caller: &Authenticated,
        rel: RelationshipId,
        round: Option<u32>,
    ) -> impl std::future::Future<Output = Result<Self::Compared, AppError>> + Send;
}

fn respond<I: SealedApi>(q: &I, current: &Current<I::Answer>) -> Json<I::Status> {
    Json(status_body(q, current))
}

/// The status body of `current`, as `GET` on the instrument answers it
/// (the export writes the same body).
pub fn status_body<I: SealedApi>(q: &I, current: &Current<I::Answer>) -> I::Status {
    let (round, mine) = status(current);
    q.status(round, &mine)
}

/// The caller's status and own answers in the current round.
pub async fn current<I: SealedApi>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
) -> Result<Json<I::Status>, AppError> {
    let current = rounds::current(&state.app, &caller.me, rel, q).await?;
    Ok(respond(q, &current))
}

/// Saves answers into the caller's draft (all or none of them).
pub async fn save<I: SealedApi>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
    sent: &[I::Entry],
) -> Result<Json<I::Status>, AppError> {
    let entries = q.entries(sent)?;
    let current = rounds::save(&state.app, &caller.me, rel, q, entries, Utc::now()).await?;
    Ok(respond(q, &current))
}

/// Fixes the caller's answers; the reveal when the partner already submitted.
pub async fn submit<I: SealedApi>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
) -> Result<Json<I::Status>, AppError> {
    let current = rounds::submit(&state.app, &caller.me, rel, q, Utc::now()).await?;
    Ok(respond(q, &current))
}

/// Asks for the next round once the latest is revealed: 201 when it
/// started (the partner had asked already, or the instrument needs no
/// agreement), 202 when the ask is recorded and waits for the partner.
pub async fn start<I: SealedApi>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
) -> Result<(StatusCode, Json<I::Status>), AppError> {
    let (asked, current) = next_round::ask(&state.app, &caller.me, rel, q, Utc::now()).await?;
    let code = match asked {
        Asked::Started => StatusCode::CREATED,
        Asked::Proposed => StatusCode::ACCEPTED,
    };
    Ok((code, respond(q, &current)))
}

/// Asks for the next round (201); `already_asked` or `partner_asked` (409).
pub async fn propose<I: SealedApi>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
) -> Result<(StatusCode, Json<I::Status>), AppError> {
    let current = next_round::propose(&state.app, &caller.me, rel, q, Utc::now()).await?;
    Ok((StatusCode::CREATED, respond(q, &current)))
}

/// Agrees to the partner's request: the round starts (201).
pub async fn agree<I: SealedApi + Instrument>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
    prefill: bool,
) -> Result<(StatusCode, Json<I::Status>), AppError> {
    let current = next_round::agree(&state.app, &caller.me, rel, q, prefill, Utc::now()).await?;
    Ok((StatusCode::CREATED, respond(q, &current)))
}

/// Says not now to the partner's request.
pub async fn decline<I: SealedApi>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
) -> Result<Json<I::Status>, AppError> {
    let current = next_round::decline(&state.app, &caller.me, rel, q, Utc::now()).await?;
    Ok(respond(q, &current))
}

/// Takes back the caller's own request.
pub async fn withdraw<I: SealedApi>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
) -> Result<Json<I::Status>, AppError> {
    let current = next_round::withdraw(&state.app, &caller.me, rel, q, Utc::now()).await?;
    Ok(respond(q, &current))
}

/// Fills the caller's draft from their own answers last time.
pub async fn prefill<I: SealedApi + Instrument>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
) -> Result<Json<I::Status>, AppError> {
    let current = next_round::prefill(&state.app, &caller.me, rel, q).await?;
    Ok(respond(q, &current))
}

/// `POST …/rounds/proposal/agree`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AgreeBody {
    /// Start my draft from my own answers last time (never the partner's).
    #[serde(default)]
    pub prefill: bool,
}

/// One round in the history, the same for both partners.
#[derive(Serialize, ToSchema)]
pub struct RoundInfo {
    number: u32,
    /// `open`, `one_submitted` or `revealed`.
    state: &'static str,
    revealed_at: Option<DateTime<Utc>>,
}

/// Where the caller stands in the current round.
#[derive(Serialize, ToSchema)]
pub struct RoundStatus {
    /// The current round's number (1 before anyone answered).
    round: u32,
    /// `drafting`, `submitted` (waiting for the partner) or `revealed`.
    mine: &'static str,
    /// Whether the partner has submitted this round: the only thing said
    /// about their side before the reveal.
    partner_submitted: bool,
    revealed_at: Option<DateTime<Utc>>,
    /// Every round, oldest first (once the relationship ended: only the
    /// rounds the caller wrote in, by the caller's side alone).
    rounds: Vec<RoundInfo>,
    /// The relationship has ended: read-only, and only the caller's own
    /// answers (`partner_submitted` is then always false).
    ended: bool,
    /// Once this round is revealed, where asking for the next one stands:
    /// `you_asked`, `partner_asks` (agree or decline), `partner_declined`,
    /// `you_declined`; null when nobody has asked (values and the respect
    /// map only: a new round starts when both agree).
    asking: Option<&'static str>,
    /// The caller's draft is empty and they sent answers in an earlier
    /// round: `POST …/prefill` starts it from those answers.
    can_prefill: bool,
}

fn info(summary: &RoundSummary) -> RoundInfo {
    let (state, revealed_at) = match summary.state {
        RoundState::Open => ("open", None),
        RoundState::OneSubmitted => ("one_submitted", None),
        RoundState::Revealed { at } => ("revealed", Some(at)),
    };
    RoundInfo {
        number: summary.number,
        state,
        revealed_at,
    }
}

/// The caller's status and their own answers (draft, submitted or revealed).
pub fn status<T: Clone>(current: &Current<T>) -> (RoundStatus, domain::rounds::Answers<T>) {
    let (mine, partner_submitted, revealed_at, answers) = match &current.view {
        RoundView::Sealed {
            mine: Own::Drafting { draft },
            partner_submitted,
        } => ("drafting", *partner_submitted, None, draft.clone()),
        RoundView::Sealed {
            mine: Own::Submitted { answers, .. },
            partner_submitted,
        } => ("submitted", *partner_submitted, None, Some(answers.clone())),
        RoundView::Revealed {
            mine, revealed_at, ..
        } => ("revealed", true, Some(*revealed_at), Some(mine.clone())),
    };
    let status = RoundStatus {
        round: current.number,
        mine,
        partner_submitted,
        revealed_at,
        rounds: current.rounds.iter().map(info).collect(),
        ended: current.ended,
        asking: current.asking.map(next_round::Asking::as_str),
        can_prefill: next_round::can_prefill(current),
    };
    (status, answers.unwrap_or_default())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    /// A round number; the latest round when absent.
    // utoipa writes a u32 as int32, whose range stops at 2^31 - 1 (H4).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295.0)]
    round: Option<u32>,
}

impl RoundQuery {
    pub fn round(&self) -> Option<u32> {
        self.round
    }
}

/// The four endpoints every sealed instrument has, with their OpenAPI
/// descriptions, written once: the caller's status, saving answers,
/// submitting, and starting a new round. Each delegates to the generic
/// handler above; `load` turns the path into the relationship and the
/// instrument (a deck comes from the path, the respect map is loaded).
macro_rules! sealed_endpoints {
    (
        tag = $tag:literal,
        params = [$(($pname:literal = $pty:ty, $pdesc:literal)),+],
        path = $ptuple:ty,
        status = ($status_path:literal, $status_op:literal),
        save = ($save_path:literal, $save_op:literal, $body:ty),
        submit = ($submit_path:literal, $submit_op:literal),
        rounds = ($rounds_path:literal, $rounds_op:literal),
        comparison = ($cmp_path:literal, $cmp_op:literal, $cmp_ty:ty),
        returns = $status_ty:ty,
        load = |$state:ident, $caller:ident, $path:ident| $load:expr $(,)?
    ) => {
        /// Both partners' answers side by side, once both submitted.
        #[utoipa::path(
            get, path = $cmp_path, operation_id = $cmp_op, tag = $tag,
            params($(($pname = $pty, Path, description = $pdesc)),+, $crate::api::sealed::RoundQuery),
            security(("session" = []), ("token" = [])),
            responses(
                (status = 200, description = "The revealed round", body = $cmp_ty),
                (status = 404, description = "No such relationship or round", body = ErrorBody),
                (status = 409, description = "`sealed`: not both partners have submitted", body = ErrorBody),
            )
        )]
        pub async fn comparison(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<$ptuple>,
            $crate::extract::ApiQuery(query): $crate::extract::ApiQuery<$crate::api::sealed::RoundQuery>,
        ) -> Result<Json<$cmp_ty>, AppError> {
            let (rel, q) = $load;
            Ok(Json(
                $crate::api::sealed::SealedApi::compared(&q, &$state, &$caller, rel, query.round())
                    .await?,
            ))
        }

        /// The caller's status in the current round, with their own answers.
        #[utoipa::path(
            get, path = $status_path, operation_id = $status_op, tag = $tag,
            params($(($pname = $pty, Path, description = $pdesc)),+),
            security(("session" = []), ("token" = [])),
            responses(
                (status = 200, description = "Status and own answers", body = $status_ty),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
            )
        )]
        pub async fn status(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<$ptuple>,
        ) -> Result<Json<$status_ty>, AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::current(&$state, &$caller, rel, &q).await
        }

        /// Saves answers into the caller's draft (all or none of them).
        #[utoipa::path(
            put, path = $save_path, operation_id = $save_op, tag = $tag,
            params($(($pname = $pty, Path, description = $pdesc)),+),
            request_body = $body,
            security(("session" = []), ("token" = [])),
            responses(
                (status = 200, description = "Saved", body = $status_ty),
                (status = 400, description = "Malformed body", body = ErrorBody),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
                (status = 409, description = "Already submitted this round, or the space is not active", body = ErrorBody),
                (status = 422, description = "A field is invalid (named in `field`)", body = ErrorBody),
            )
        )]
        pub async fn save(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<$ptuple>,
            ApiJson(body): ApiJson<$body>,
        ) -> Result<Json<$status_ty>, AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::save(&$state, &$caller, rel, &q, &body.answers).await
        }

        /// Fixes the caller's answers for this round; the reveal when the partner already submitted.
        #[utoipa::path(
            post, path = $submit_path, operation_id = $submit_op, tag = $tag,
            params($(($pname = $pty, Path, description = $pdesc)),+),
            security(("session" = []), ("token" = [])),
            responses(
                (status = 200, description = "Submitted", body = $status_ty),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
                (status = 409, description = "Already submitted, or nothing to submit", body = ErrorBody),
                (status = 422, description = "Not answered enough yet to send", body = ErrorBody),
            )
        )]
        pub async fn submit(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<$ptuple>,
        ) -> Result<Json<$status_ty>, AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::submit(&$state, &$caller, rel, &q).await
        }

        /// A new round so both can answer again; earlier rounds stay
        /// readable. Where a new round needs both (values, the respect map)
        /// this asks for it (202), or agrees when the partner asked (201).
        #[utoipa::path(
            post, path = $rounds_path, operation_id = $rounds_op, tag = $tag,
            params($(($pname = $pty, Path, description = $pdesc)),+),
            security(("session" = []), ("token" = [])),
            responses(
                (status = 201, description = "Started", body = $status_ty),
                (status = 202, description = "Asked for; starts when the partner agrees (values and the respect map; a deck starts at once)", body = $status_ty),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
                (status = 409, description = "`round_in_progress`: the latest round is not revealed yet", body = ErrorBody),
            )
        )]
        pub async fn new_round(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<$ptuple>,
        ) -> Result<(axum::http::StatusCode, Json<$status_ty>), AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::start(&$state, &$caller, rel, &q).await
        }
    };
}

pub(crate) use sealed_endpoints;

/// The endpoints of an instrument whose next round starts by agreement
/// (values, the respect map): ask, agree, decline, withdraw, and prefill.
macro_rules! agreed_round_endpoints {
    (
        tag = $tag:literal,
        proposal = ($proposal_path:literal, $propose_op:literal, $withdraw_op:literal),
        agree = ($agree_path:literal, $agree_op:literal),
        decline = ($decline_path:literal, $decline_op:literal),
        prefill = ($prefill_path:literal, $prefill_op:literal),
        returns = $status_ty:ty,
        load = |$state:ident, $caller:ident, $path:ident| $load:expr $(,)?
    ) => {
        /// Asks the partner to start a new round together (only once the
        /// latest is revealed); it starts when they agree.
        #[utoipa::path(
            post, path = $proposal_path, operation_id = $propose_op, tag = $tag,
            params(("id" = uuid::Uuid, Path, description = "Relationship id")),
            security(("session" = []), ("token" = [])),
            responses(
                (status = 201, description = "Asked", body = $status_ty),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
                (status = 409, description = "`round_in_progress`, `already_asked`, `partner_asked` (agree instead), or the space is not active", body = ErrorBody),
            )
        )]
        pub async fn propose_round(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<String>,
        ) -> Result<(axum::http::StatusCode, Json<$status_ty>), AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::propose(&$state, &$caller, rel, &q).await
        }

        /// Agrees to the partner's request: the new round starts now. With
        /// `prefill`, the caller's draft starts from their own answers last time.
        #[utoipa::path(
            post, path = $agree_path, operation_id = $agree_op, tag = $tag,
            params(("id" = uuid::Uuid, Path, description = "Relationship id")),
            request_body = $crate::api::sealed::AgreeBody,
            security(("session" = []), ("token" = [])),
            responses(
                (status = 201, description = "The round started", body = $status_ty),
                (status = 400, description = "Malformed body", body = ErrorBody),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
                (status = 409, description = "`no_proposal`: the partner has no open request (or it was just agreed)", body = ErrorBody),
            )
        )]
        pub async fn agree_round(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<String>,
            ApiJson(body): ApiJson<$crate::api::sealed::AgreeBody>,
        ) -> Result<(axum::http::StatusCode, Json<$status_ty>), AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::agree(&$state, &$caller, rel, &q, body.prefill).await
        }

        /// Says not now to the partner's request for a new round.
        #[utoipa::path(
            post, path = $decline_path, operation_id = $decline_op, tag = $tag,
            params(("id" = uuid::Uuid, Path, description = "Relationship id")),
            security(("session" = []), ("token" = [])),
            responses(
                (status = 200, description = "Declined", body = $status_ty),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
                (status = 409, description = "`no_proposal`: the partner has no open request", body = ErrorBody),
            )
        )]
        pub async fn decline_round(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<String>,
        ) -> Result<Json<$status_ty>, AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::decline(&$state, &$caller, rel, &q).await
        }

        /// Takes back the caller's own request for a new round.
        #[utoipa::path(
            delete, path = $proposal_path, operation_id = $withdraw_op, tag = $tag,
            params(("id" = uuid::Uuid, Path, description = "Relationship id")),
            security(("session" = []), ("token" = [])),
            responses(
                (status = 200, description = "Withdrawn", body = $status_ty),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
                (status = 409, description = "`no_proposal`: the caller has no open request", body = ErrorBody),
            )
        )]
        pub async fn withdraw_round(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<String>,
        ) -> Result<Json<$status_ty>, AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::withdraw(&$state, &$caller, rel, &q).await
        }

        /// Fills the caller's draft of the current round from their own
        /// answers in the latest earlier round they sent (never the
        /// partner's); what they answered this round already stays.
        #[utoipa::path(
            post, path = $prefill_path, operation_id = $prefill_op, tag = $tag,
            params(("id" = uuid::Uuid, Path, description = "Relationship id")),
            security(("session" = []), ("token" = [])),
            responses(
                (status = 200, description = "The draft, filled", body = $status_ty),
                (status = 404, description = "Not the caller's relationship", body = ErrorBody),
                (status = 409, description = "`nothing_to_prefill`, or `already_submitted`", body = ErrorBody),
            )
        )]
        pub async fn prefill(
            State($state): State<AppState>,
            $caller: Authenticated,
            Path($path): Path<String>,
        ) -> Result<Json<$status_ty>, AppError> {
            let (rel, q) = $load;
            $crate::api::sealed::prefill(&$state, &$caller, rel, &q).await
        }
    };
}

pub(crate) use agreed_round_endpoints;
