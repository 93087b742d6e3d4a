//! "What you wrote": everything one person wrote in a relationship, and
//! nothing anyone else wrote. After a relationship ends this is all a former
//! partner can read of it (SECURITY.md §1.3); it is also what they will take
//! away in an export.

use chrono::{DateTime, Utc};

use crate::access;
use crate::app::App;
use crate::catalog::decks::DECKS;
use crate::catalog::Deck;
use crate::error::DomainError;
use crate::ids::RelationshipId;
use crate::ledger::{self, EntryView};
use crate::me::Me;
use crate::questionnaires::conversations::{self, DeckRound};
use crate::questionnaires::respect::{RespectAnswer, RespectMap};
use crate::questionnaires::values::{ValueAnswer, Values};
use crate::rounds::{self, AnswerKeys, OwnRound};
use crate::store::{ContributionFilter, ConversationNote};

/// One conversation deck: the caller's answers per round and their notes.
#[derive(Debug, Clone, PartialEq)]
pub struct DeckWritten {
    pub deck: &'static Deck,
    pub rounds: Vec<OwnRound<String>>,
    /// (round number, note), the caller's notes only.
    pub notes: Vec<(u32, ConversationNote)>,
}

/// Everything the caller wrote in one relationship.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub ended: bool,
    pub ended_at: Option<DateTime<Utc>>,
    /// Entries the caller logged, and thanks the caller gave (as
    /// [`EntryView`]s: an entry the other wrote shows only the caller's thanks).
    pub entries: Vec<EntryView>,
    pub values: Vec<OwnRound<ValueAnswer>>,
    /// The caller's respect answers, and the map's area names the caller
    /// may read (ours, and the areas the caller added).
    pub respect: Vec<OwnRound<RespectAnswer>>,
    pub respect_map: RespectMap,
    pub decks: Vec<DeckWritten>,
}

/// The most entries listed; a longer ledger is for the export.
const ENTRIES_MAX: u32 = 500;

pub async fn mine(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Written, DomainError> {
    let store = app.store();
    let actor = me.id;
    let reader = access::reader(store, actor, rel).await?;
    let keys = AnswerKeys::of(store, me, &reader.rel).await?;
    let entries = ledger::list(
        app,
        me,
        rel,
        ContributionFilter {
            written_by: Some(actor),
            limit: ENTRIES_MAX,
            ..Default::default()
        },
        now,
    )
    .await?
    .into_iter()
    // Only the caller's own words, even while the relationship is open.
    .filter_map(|mut e| {
        if e.logged_by != actor {
            e.details = None;
        }
        if e.receiver != actor {
            e.thanks = None;
        }
        (e.details.is_some() || e.thanks.is_some()).then_some(e)
    })
    .collect();
    let respect_map = RespectMap::load(app, actor, rel).await?;
    let mut decks = Vec::new();
    for deck in DECKS {
        let rounds = rounds::own_history(store, &keys, &reader, &DeckRound(deck)).await?;
        let mut notes = Vec::new();
        for round in &rounds {
            let stored = store
                .conversation_notes(rel, deck.key, round.number)
                .await?;
            for note in conversations::opened_notes(keys.shared(), stored)? {
                if note.author == actor {
                    notes.push((round.number, note));
                }
            }
        }
        if !rounds.is_empty() {
            decks.push(DeckWritten {
                deck,
                rounds,
                notes,
            });
        }
    }
    Ok(Written {
        ended: reader.is_former(),
        ended_at: reader.rel.members.iter().filter_map(|m| m.left_at).max(),
        entries,
        values: rounds::own_history(store, &keys, &reader, &Values).await?,
        respect: rounds::own_history(store, &keys, &reader, &respect_map).await?,
        respect_map,
        decks,
    })
}
