//! The conversations API: the decks, the caller's written answers (sealed
//! until both submitted), the reveal beside last time, notes on what came
//! of the talk, and running a deck again.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use domain::catalog::Deck;
use domain::questionnaires::conversations::{self, AnswerInput, DeckRound};
use domain::rounds::{self, Answers, Instrument};
use domain::store::ConversationNote;
use domain::DomainError;
use domain::RelationshipId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::relationship_id;
use super::sealed::{status as round_status, RoundQuery, RoundStatus, SealedApi};
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct PromptView {
    pub key: &'static str,
    pub text: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct DeckSummary {
    key: &'static str,
    title: &'static str,
    summary: &'static str,
    prompts_total: usize,
    #[serde(flatten)]
    status: RoundStatus,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ConversationAnswerBody)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// A prompt key of this deck (`prompt` is accepted too).
    #[serde(alias = "prompt")]
    key: String,
    /// Up to 2,000 characters; blank or absent clears the answer (a prompt may be skipped).
    text: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ConversationAnswersBody)]
#[serde(deny_unknown_fields)]
pub struct AnswersBody {
    answers: Vec<AnswerBody>,
}

#[derive(Serialize, ToSchema)]
pub struct MyPromptAnswer {
    key: &'static str,
    /// The same as `key` (its earlier name).
    prompt: &'static str,
    text: String,
}

/// The deck, and the caller's status and own answers in its current round.
#[derive(Serialize, ToSchema)]
pub struct DeckStatus {
    key: &'static str,
    title: &'static str,
    summary: &'static str,
    prompts: Vec<PromptView>,
    #[serde(flatten)]
    status: RoundStatus,
    answers: Vec<MyPromptAnswer>,
}

#[derive(Serialize, ToSchema)]
pub struct LastTime {
    a: Option<String>,
    b: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PromptComparisonView {
    prompt: &'static str,
    text: &'static str,
    /// `partners[0]`'s answer; null when skipped.
    a: Option<String>,
    /// `partners[1]`'s answer; null when skipped.
    b: Option<String>,
    /// The round before, when the deck ran before and that round was revealed.
    last_time: Option<LastTime>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteView {
    id: uuid::Uuid,
    author: uuid::Uuid,
    text: String,
    /// Marked as something to propose as an agreement.
    agreement_idea: bool,
    created_at: DateTime<Utc>,
}

impl From<ConversationNote> for NoteView {
    fn from(n: ConversationNote) -> Self {
        Self {
            id: n.id,
            author: n.author.0,
            text: n.text,
            agreement_idea: n.agreement_idea,
            created_at: n.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeckComparisonBody {
    deck: &'static str,
    round: u32,
    revealed_at: DateTime<Utc>,
    partners: [uuid::Uuid; 2],
    previous_round: Option<u32>,
    prompts: Vec<PromptComparisonView>,
    notes: Vec<NoteView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Up to 2,000 characters.
    text: String,
    /// The revealed round the note is about; the latest when absent.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295.0)]
    round: Option<u32>,
    /// Mark it as an idea to propose as an agreement.
    #[serde(default)]
    agreement_idea: bool,
}

/// A revealed round of a deck with its notes as JSON (partners' and
/// counselor's alike).
pub(crate) fn comparison_body(
    c: conversations::DeckComparison,
    notes: Vec<domain::store::ConversationNote>,
) -> DeckComparisonBody {
    let deck = c.deck;
    DeckComparisonBody {
        deck: deck.key,
        round: c.number,
        revealed_at: c.revealed_at,
        partners: [c.partners[0].0, c.partners[1].0],
        previous_round: c.previous_number,
        prompts: c
            .prompts
            .into_iter()
            .map(|p| PromptComparisonView {
                prompt: p.prompt.key,
                text: p.prompt.text,
                a: p.a,
                b: p.b,
                last_time: p.last_time.map(|[a, b]| LastTime { a, b }),
            })
            .collect(),
        notes: notes.into_iter().map(NoteView::from).collect(),
    }
}

impl SealedApi for DeckRound {
    type Entry = AnswerBody;
    type Status = DeckStatus;
    type Compared = DeckComparisonBody;

    /// With the notes kept so far on that round.
    async fn compared(
        &self,
        state: &AppState,
        caller: &Authenticated,
        rel: RelationshipId,
        round: Option<u32>,
    ) -> Result<DeckComparisonBody, AppError> {
        let deck = self.0;
        let (c, notes) = conversations::talk(&state.app, &caller.me, rel, deck, round).await?;
        Ok(comparison_body(c, notes))
    }

    fn entries(&self, sent: &[AnswerBody]) -> Result<Answers<Option<String>>, DomainError> {
        let inputs: Vec<AnswerInput<'_>> = sent
            .iter()
            .map(|a| AnswerInput {
                prompt: &a.key,
                text: a.text.as_deref(),
            })
            .collect();
        Instrument::parse(self, &inputs)
    }

    fn status(&self, status: RoundStatus, mine: &Answers<String>) -> DeckStatus {
        let deck = self.0;
        DeckStatus {
            key: deck.key,
            title: deck.title,
            summary: deck.summary,
            prompts: deck
                .prompts
                .iter()
                .map(|p| PromptView {
                    key: p.key,
                    text: p.text,
                })
                .collect(),
            status,
            answers: deck
                .prompts
                .iter()
                .filter_map(|p| {
                    mine.get(p.key).map(|text| MyPromptAnswer {
                        key: p.key,
                        prompt: p.key,
                        text: text.clone(),
                    })
                })
                .collect(),
        }
    }
}

fn target(id: &str, deck: &str) -> Result<(RelationshipId, &'static Deck), AppError> {
    Ok((relationship_id(id)?, conversations::deck(deck)?))
}

/// Every deck, with where the caller stands in each.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/conversations", operation_id = "conversation_decks", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The decks", body = [DeckSummary]),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn decks(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeckSummary>>, AppError> {
    let decks = conversations::every_deck(&state.app, &caller.me, relationship_id(&id)?).await?;
    Ok(Json(
        decks
            .iter()
            .map(|(deck, current)| DeckSummary {
                key: deck.key,
                title: deck.title,
                summary: deck.summary,
                prompts_total: deck.prompts.len(),
                status: round_status(current).0,
            })
            .collect(),
    ))
}

/// Keeps what came of the talk, shared with the partner.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/conversations/{deck}/notes", operation_id = "conversation_add_note",
    tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("deck" = String, Path, description = "Deck key")),
    request_body = NoteBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Kept", body = NoteView),
        (status = 404, description = "No such relationship, deck or round", body = ErrorBody),
        (status = 409, description = "`sealed`: the round is not revealed yet", body = ErrorBody),
        (status = 422, description = "The text is invalid", body = ErrorBody),
    )
)]
pub async fn add_note(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, deck)): Path<(String, String)>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<(StatusCode, Json<NoteView>), AppError> {
    let (rel, deck) = target(&id, &deck)?;
    let number = match body.round {
        Some(n) => n,
        None => {
            rounds::current(&state.app, &caller.me, rel, &DeckRound(deck))
                .await?
                .number
        }
    };
    let note = conversations::add_note(
        &state.app,
        &caller.me,
        rel,
        deck,
        number,
        &body.text,
        body.agreement_idea,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

/// The notes on a revealed round (the latest when `round` is absent).
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/conversations/{deck}/notes", operation_id = "conversation_notes",
    tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("deck" = String, Path, description = "Deck key"), RoundQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Notes, oldest first", body = [NoteView]),
        (status = 404, description = "No such relationship, deck or round", body = ErrorBody),
        (status = 409, description = "`sealed`: the round is not revealed yet", body = ErrorBody),
    )
)]
pub async fn notes(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, deck)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<RoundQuery>,
) -> Result<Json<Vec<NoteView>>, AppError> {
    let (rel, deck) = target(&id, &deck)?;
    let number = match query.round() {
        Some(n) => n,
        None => {
            rounds::current(&state.app, &caller.me, rel, &DeckRound(deck))
                .await?
                .number
        }
    };
    let notes = conversations::notes(&state.app, &caller.me, rel, deck, number).await?;
    Ok(Json(notes.into_iter().map(NoteView::from).collect()))
}

super::sealed::sealed_endpoints! {
    tag = "conversations",
    params = [("id" = uuid::Uuid, "Relationship id"), ("deck" = String, "Deck key")],
    path = (String, String),
    status = ("/api/v1/relationships/{id}/conversations/{deck}", "conversation_status"),
    save = ("/api/v1/relationships/{id}/conversations/{deck}/answers", "conversation_save", AnswersBody),
    submit = ("/api/v1/relationships/{id}/conversations/{deck}/submit", "conversation_submit"),
    rounds = ("/api/v1/relationships/{id}/conversations/{deck}/rounds", "conversation_again"),
    comparison = ("/api/v1/relationships/{id}/conversations/{deck}/comparison", "conversation_comparison", DeckComparisonBody),
    returns = DeckStatus,
    load = |state, caller, path| {
        let (rel, deck) = target(&path.0, &path.1)?;
        (rel, DeckRound(deck))
    },
}
