//! The couple's home as JSON: what waits for the caller, the same things
//! the home page shows (`domain::home`), so a program sees what a person does.

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::home::{self, Home, Sealed, Whose, Why};
use serde::Serialize;
use utoipa::ToSchema;

use super::relationship_id;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct HomeBody {
    /// Nothing has begun in the space yet (no entry, round, agreement or check-in).
    first_time: bool,
    to_thank: ToThankBody,
    /// Sealed rounds one of you has sent and the other has not: which round
    /// and whose turn, never what anyone wrote. Yours first.
    sealed: Vec<SealedBody>,
    /// Your next check-in is due.
    checkin_due: bool,
    /// Agreements whose latest version waits for your answer.
    agreements_awaiting: Vec<AgreementBody>,
    /// Agreements in force whose review date has come.
    agreements_due: Vec<AgreementBody>,
    /// Spirals have come back often lately: a gentle note, no one named.
    spiral_note: bool,
    /// A counselor was invited and waits for your approval.
    counselor_awaiting: bool,
    /// The conversation suggested next, if any deck is free.
    next_conversation: Option<NextConversationBody>,
    /// Thanks given and received in the last 14 days, newest first (at most 4).
    recent_thanks: Vec<ThanksBody>,
}

#[derive(Serialize, ToSchema)]
pub struct ToThankBody {
    /// Your partner's entries for you not yet thanked (counted up to 50).
    count: usize,
    /// The newest three.
    items: Vec<EntryLineBody>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryLineBody {
    id: uuid::Uuid,
    description: String,
}

#[derive(Serialize, ToSchema)]
pub struct SealedBody {
    /// `values`, `respect`, `conversation` or `repair`.
    kind: &'static str,
    /// The deck's key, for a conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    deck: Option<&'static str>,
    /// The episode, for a repair.
    #[serde(skip_serializing_if = "Option::is_none")]
    episode_id: Option<uuid::Uuid>,
    /// The deck's title, or the episode's title when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    round: u32,
    /// `yours` (your partner has sent) or `partner` (you have sent).
    whose_turn: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementBody {
    id: uuid::Uuid,
    title: String,
}

#[derive(Serialize, ToSchema)]
pub struct NextConversationBody {
    deck: &'static str,
    title: &'static str,
    /// `continue` (you started writing), `new` (never talked through) or
    /// `again` (every deck talked through; this one longest ago).
    why: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ThanksBody {
    entry_id: uuid::Uuid,
    /// `received` (your partner thanked you) or `given` (you thanked them).
    direction: &'static str,
    description: String,
    at: DateTime<Utc>,
}

fn sealed_body(s: home::SealedWaiting) -> SealedBody {
    let (kind, deck, episode_id, title) = match s.what {
        Sealed::Values => ("values", None, None, None),
        Sealed::Respect => ("respect", None, None, None),
        Sealed::Conversation(d) => ("conversation", Some(d.key), None, Some(d.title.to_owned())),
        Sealed::Repair { episode, title } => ("repair", None, Some(episode), title),
    };
    SealedBody {
        kind,
        deck,
        episode_id,
        title,
        round: s.round,
        whose_turn: match s.whose {
            Whose::Yours => "yours",
            Whose::Partners => "partner",
        },
    }
}

impl From<Home> for HomeBody {
    fn from(h: Home) -> Self {
        let agreement = |a: home::AgreementLine| AgreementBody {
            id: a.id,
            title: a.title,
        };
        Self {
            first_time: h.first_time,
            to_thank: ToThankBody {
                count: h.to_thank.count,
                items: h
                    .to_thank
                    .items
                    .into_iter()
                    .map(|(id, description)| EntryLineBody { id, description })
                    .collect(),
            },
            sealed: h.sealed.into_iter().map(sealed_body).collect(),
            checkin_due: h.checkin_due,
            agreements_awaiting: h.agreements_awaiting.into_iter().map(agreement).collect(),
            agreements_due: h.agreements_due.into_iter().map(agreement).collect(),
            spiral_note: h.spiral_note,
            counselor_awaiting: h.counselor_awaiting,
            next_conversation: h.next_conversation.map(|s| NextConversationBody {
                deck: s.deck.key,
                title: s.deck.title,
                why: match s.why {
                    Why::Continue => "continue",
                    Why::New => "new",
                    Why::Again => "again",
                },
            }),
            recent_thanks: h
                .recent_thanks
                .into_iter()
                .map(|t| ThanksBody {
                    entry_id: t.entry,
                    direction: if t.received { "received" } else { "given" },
                    description: t.description,
                    at: t.at,
                })
                .collect(),
        }
    }
}

/// What waits for the caller in the space: things to thank, sealed rounds
/// and whose turn, a check-in or agreement due, a counselor to approve, the
/// next conversation, recent thanks.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/home", operation_id = "get_home",
    tag = "relationships",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "What waits for the caller", body = HomeBody),
        (status = 404, description = "Not the caller's relationship, or it has ended", body = ErrorBody),
        (status = 409, description = "`not_active`: the partner has not joined yet", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<HomeBody>, AppError> {
    let home = home::waiting(&state.app, &caller.me, relationship_id(&id)?, Utc::now()).await?;
    Ok(Json(home.into()))
}
