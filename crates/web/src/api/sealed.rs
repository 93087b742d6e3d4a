//! What the three sealed APIs (values, respect map, conversations) share: the
//! caller's round status, the round history, and the `round` query.
//!
//! SECURITY: a status is built from `RoundView`, which before the reveal
//! holds the caller's own answers and one bool about the partner. The
//! partner's answers leave the server only through a comparison, which the
//! domain refuses (409 `sealed`) until both have submitted.

use chrono::{DateTime, Utc};
use domain::rounds::{Current, RoundSummary};
use domain::sealed::{Own, RoundState, RoundView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    };
    (status, answers.unwrap_or_default())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    /// A round number; the latest round when absent.
    round: Option<u32>,
}

impl RoundQuery {
    pub fn round(&self) -> Option<u32> {
        self.round
    }
}
