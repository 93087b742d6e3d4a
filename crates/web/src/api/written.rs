//! `GET R/written`: everything the caller wrote in a relationship, and
//! nothing anyone else wrote. After the relationship ended this is what a
//! former partner keeps; the page "What you wrote" renders the same body.

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::catalog::values::ITEMS;
use domain::rounds::{Answers, OwnRound};
use domain::sealed::Own;
use domain::written::{self, Written};
use serde::Serialize;
use utoipa::ToSchema;

use super::ledger::ContributionView;
use super::relationship_id;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

/// One round of a questionnaire, as the caller wrote it.
#[derive(Serialize, ToSchema)]
pub struct RoundWritten<T: ToSchema> {
    pub round: u32,
    /// `sent` (submitted) or `draft` (never sent).
    pub status: &'static str,
    pub sent_at: Option<DateTime<Utc>>,
    pub answers: Vec<T>,
}

#[derive(Serialize, ToSchema)]
pub struct ValueWritten {
    pub item: &'static str,
    pub name: &'static str,
    /// 1 to 5; null when answered "Not for us".
    pub importance: Option<u8>,
    pub not_for_us: bool,
    pub definition: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RespectWritten {
    pub key: String,
    pub name: String,
    /// 1 to 5; null when answered "Not for us".
    pub i_respect: Option<u8>,
    pub i_feel_respected: Option<u8>,
    pub not_for_us: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PromptWritten {
    pub prompt: &'static str,
    pub text: &'static str,
    pub answer: String,
}

#[derive(Serialize, ToSchema)]
pub struct NoteWritten {
    pub round: u32,
    pub text: String,
    pub agreement_idea: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct DeckWritten {
    pub deck: &'static str,
    pub title: &'static str,
    pub rounds: Vec<RoundWritten<PromptWritten>>,
    pub notes: Vec<NoteWritten>,
}

#[derive(Serialize, ToSchema)]
pub struct WrittenBody {
    /// The relationship has ended: this is all the caller can read of it.
    pub ended: bool,
    pub ended_at: Option<DateTime<Utc>>,
    /// Entries the caller logged, and thanks the caller gave (on an entry
    /// the other partner wrote, only the caller's thanks: its words are null).
    pub entries: Vec<ContributionView>,
    pub values: Vec<RoundWritten<ValueWritten>>,
    pub respect: Vec<RoundWritten<RespectWritten>>,
    pub conversations: Vec<DeckWritten>,
}

fn rounds<T, U: ToSchema>(
    own: Vec<OwnRound<T>>,
    each: impl Fn(Answers<T>) -> Vec<U>,
) -> Vec<RoundWritten<U>> {
    own.into_iter()
        .map(|r| {
            let (status, sent_at, answers) = match r.mine {
                Own::Submitted { answers, at } => ("sent", Some(at), answers),
                Own::Drafting { draft } => ("draft", None, draft.unwrap_or_default()),
            };
            RoundWritten {
                round: r.number,
                status,
                sent_at,
                answers: each(answers),
            }
        })
        .collect()
}

impl From<Written> for WrittenBody {
    fn from(w: Written) -> Self {
        let map = w.respect_map;
        Self {
            ended: w.ended,
            ended_at: w.ended_at,
            entries: w.entries.into_iter().map(ContributionView::from).collect(),
            // Questionnaire order, as the person answered them.
            values: rounds(w.values, |mut answers| {
                ITEMS
                    .iter()
                    .filter_map(|item| {
                        answers.remove(item.key).map(|a| ValueWritten {
                            item: item.key,
                            name: item.name,
                            importance: a.importance(),
                            not_for_us: a.not_for_us(),
                            definition: a.definition().map(str::to_owned),
                        })
                    })
                    .collect()
            }),
            // Areas the caller may no longer read the name of (one the other
            // partner added) are left out with their answers.
            respect: rounds(w.respect, |mut answers| {
                map.areas
                    .iter()
                    .filter_map(|area| {
                        answers.remove(&area.key).map(|a| RespectWritten {
                            key: area.key.clone(),
                            name: area.name.clone(),
                            i_respect: a.i_respect(),
                            i_feel_respected: a.i_feel_respected(),
                            not_for_us: a.not_for_us(),
                        })
                    })
                    .collect()
            }),
            conversations: w
                .decks
                .into_iter()
                .map(|d| DeckWritten {
                    deck: d.deck.key,
                    title: d.deck.title,
                    rounds: rounds(d.rounds, |mut answers| {
                        d.deck
                            .prompts
                            .iter()
                            .filter_map(|p| {
                                answers.remove(p.key).map(|answer| PromptWritten {
                                    prompt: p.key,
                                    text: p.text,
                                    answer,
                                })
                            })
                            .collect()
                    }),
                    notes: d
                        .notes
                        .into_iter()
                        .map(|(round, n)| NoteWritten {
                            round,
                            text: n.text,
                            agreement_idea: n.agreement_idea,
                            created_at: n.created_at,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Everything the caller wrote in this relationship, and nothing else:
/// what a former partner keeps once the relationship ended.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/written", operation_id = "written_by_me", tag = "relationships",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller's own words", body = WrittenBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such relationship, or not the caller's", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<WrittenBody>, AppError> {
    let written = written::mine(&state.app, &caller.me, relationship_id(&id)?, Utc::now()).await?;
    Ok(Json(written.into()))
}
