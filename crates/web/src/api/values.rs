//! The values API: the questionnaire, the caller's answers (sealed until
//! both submitted), the comparison and topics, and new rounds.

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::catalog::values::ITEMS;
use domain::questionnaires::values::{ValueAnswer, ValueInput, Values, ValuesComparison};
use domain::questionnaires::TEXT_MAX_CHARS;
use domain::rounds::{self, Answers, Instrument};
use domain::DomainError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::relationship_id;
use super::sealed::{RoundStatus, SealedApi};
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct ItemView {
    key: &'static str,
    name: &'static str,
    /// Answered with `importance`, 1 (matters a little) to 5 (matters most).
    question: &'static str,
    /// Answered with `definition`, in the partner's own words (optional).
    definition_prompt: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ItemsBody {
    items: Vec<ItemView>,
    /// The longest `definition`, in characters.
    definition_max_chars: usize,
}

// Named apart from the conversation's bodies of the same Rust name: the
// document keys schemas by name, and one silently replaced the other (H4).
#[derive(Deserialize, ToSchema)]
#[schema(as = ValuesAnswerBody)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// An item key from `values/items` (`item` is accepted too).
    #[serde(alias = "item")]
    key: String,
    /// 1 to 5; absent (or null) when `not_for_us` is true.
    #[schema(minimum = 1, maximum = 5)]
    #[serde(default)]
    importance: Option<i64>,
    /// "Not for us": the item does not apply to the two of you. Stored as
    /// a skip, never as a score; refused beside an `importance`.
    #[serde(default)]
    not_for_us: bool,
    /// Up to 2,000 characters; blank or absent means none.
    definition: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ValuesAnswersBody)]
#[serde(deny_unknown_fields)]
pub struct AnswersBody {
    /// Saved into the caller's draft: an item sent again replaces the
    /// earlier answer; items not sent keep theirs.
    answers: Vec<AnswerBody>,
}

#[derive(Serialize, ToSchema)]
pub struct MyAnswer {
    key: &'static str,
    /// The same as `key` (its earlier name).
    item: &'static str,
    /// 1 to 5; null when `not_for_us`.
    importance: Option<u8>,
    /// Answered "Not for us": skipped, not scored.
    not_for_us: bool,
    definition: Option<String>,
}

/// The caller's status in the current round and their own answers only.
#[derive(Serialize, ToSchema)]
pub struct ValuesStatus {
    #[serde(flatten)]
    status: RoundStatus,
    /// Items the questionnaire has; submit needs all of them answered.
    items_total: usize,
    answers: Vec<MyAnswer>,
}

#[derive(Serialize, ToSchema)]
pub struct SideView {
    account_id: uuid::Uuid,
    /// 1 to 5; null when this partner answered "Not for us".
    importance: Option<u8>,
    not_for_us: bool,
    definition: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ItemComparisonView {
    item: &'static str,
    name: &'static str,
    /// The first partner of the round (`partners[0]`).
    a: SideView,
    /// The second partner of the round (`partners[1]`).
    b: SideView,
    /// |a − b| importance, 0 to 4; null when either answered "Not for
    /// us" (a skip has no gap, and the item is never a topic).
    gap: Option<u8>,
}

#[derive(Serialize, ToSchema)]
pub struct TopicView {
    item: &'static str,
    name: &'static str,
    gap: u8,
    /// How much the item matters to the two of you: mean importance.
    weight: f64,
    /// gap × weight; topics come most pressing first.
    score: f64,
    /// A question to start the conversation.
    opening_question: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ValuesComparisonBody {
    round: u32,
    revealed_at: DateTime<Utc>,
    /// The order of `a` and `b`, the same for both partners.
    partners: [uuid::Uuid; 2],
    items: Vec<ItemComparisonView>,
    topics: Vec<TopicView>,
}

/// A revealed values comparison as JSON (partners' and counselor's alike).
pub(crate) fn comparison_body(c: &ValuesComparison) -> ValuesComparisonBody {
    let side = |who: domain::AccountId, a: &ValueAnswer| SideView {
        account_id: who.0,
        importance: a.importance(),
        not_for_us: a.not_for_us(),
        definition: a.definition().map(str::to_owned),
    };
    let [pa, pb] = c.partners;
    ValuesComparisonBody {
        round: c.number,
        revealed_at: c.revealed_at,
        partners: [pa.0, pb.0],
        items: c
            .items
            .iter()
            .map(|i| ItemComparisonView {
                item: i.item.key,
                name: i.item.name,
                a: side(pa, &i.a),
                b: side(pb, &i.b),
                gap: i.gap,
            })
            .collect(),
        topics: c
            .topics
            .iter()
            .map(|t| TopicView {
                item: t.item.key,
                name: t.item.name,
                gap: t.gap,
                weight: t.weight,
                score: t.score,
                opening_question: t.item.opening_question,
            })
            .collect(),
    }
}

impl SealedApi for Values {
    type Entry = AnswerBody;
    type Status = ValuesStatus;
    type Compared = ValuesComparisonBody;

    async fn compared(
        &self,
        state: &AppState,
        caller: &Authenticated,
        rel: domain::RelationshipId,
        round: Option<u32>,
    ) -> Result<ValuesComparisonBody, AppError> {
        let revealed = rounds::comparison(&state.app, &caller.me, rel, self, round).await?;
        Ok(comparison_body(&self.compare(&revealed)))
    }

    fn entries(&self, sent: &[AnswerBody]) -> Result<Answers<Option<ValueAnswer>>, DomainError> {
        let inputs: Vec<ValueInput<'_>> = sent
            .iter()
            .map(|a| ValueInput {
                item: &a.key,
                importance: a.importance,
                not_for_us: a.not_for_us,
                definition: a.definition.as_deref(),
            })
            .collect();
        Instrument::parse(self, &inputs)
    }

    fn status(&self, status: RoundStatus, mine: &Answers<ValueAnswer>) -> ValuesStatus {
        // Questionnaire order, so a client can show progress as it goes.
        let answers = ITEMS
            .iter()
            .filter_map(|item| {
                mine.get(item.key).map(|a| MyAnswer {
                    key: item.key,
                    item: item.key,
                    importance: a.importance(),
                    not_for_us: a.not_for_us(),
                    definition: a.definition().map(str::to_owned),
                })
            })
            .collect();
        ValuesStatus {
            status,
            items_total: ITEMS.len(),
            answers,
        }
    }
}

/// The values questionnaire.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/values/items", operation_id = "values_items", tag = "values",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The questionnaire", body = ItemsBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn items(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ItemsBody>, AppError> {
    domain::relationship::get(&state.app, caller.account_id, relationship_id(&id)?).await?;
    Ok(Json(ItemsBody {
        items: ITEMS
            .iter()
            .map(|i| ItemView {
                key: i.key,
                name: i.name,
                question: i.question,
                definition_prompt: i.definition_prompt,
            })
            .collect(),
        definition_max_chars: TEXT_MAX_CHARS,
    }))
}

super::sealed::sealed_endpoints! {
    tag = "values",
    params = [("id" = uuid::Uuid, "Relationship id")],
    path = String,
    status = ("/api/v1/relationships/{id}/values", "values_status"),
    save = ("/api/v1/relationships/{id}/values/answers", "values_save", AnswersBody),
    submit = ("/api/v1/relationships/{id}/values/submit", "values_submit"),
    rounds = ("/api/v1/relationships/{id}/values/rounds", "values_new_round"),
    comparison = ("/api/v1/relationships/{id}/values/comparison", "values_comparison", ValuesComparisonBody),
    returns = ValuesStatus,
    load = |state, caller, id| (relationship_id(&id)?, Values),
}

super::sealed::agreed_round_endpoints! {
    tag = "values",
    proposal = ("/api/v1/relationships/{id}/values/rounds/proposal", "values_propose_round", "values_withdraw_round"),
    agree = ("/api/v1/relationships/{id}/values/rounds/proposal/agree", "values_agree_round"),
    decline = ("/api/v1/relationships/{id}/values/rounds/proposal/decline", "values_decline_round"),
    prefill = ("/api/v1/relationships/{id}/values/prefill", "values_prefill"),
    returns = ValuesStatus,
    load = |state, caller, id| (relationship_id(&id)?, Values),
}
