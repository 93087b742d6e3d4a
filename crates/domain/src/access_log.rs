//! Who looked at what a person shared (SECURITY.md D5, R27): each time a
//! partner reads a view holding the other's shared words (the ledger, a
//! revealed round), the owner's log gets a line: who, what kind, which
//! day. Only the owner reads it; the viewer is not told it exists.
//!
//! Recorded in the use cases that build those views, right where the
//! partner's words are handed out, so a new way to read them cannot forget.

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::error::DomainError;
use crate::ids::{AccountId, RelationshipId};
use crate::ledger::day_number;
use crate::store::{AccessEntry, Store};

/// The most lines shown.
const SHOWN: u32 = 200;

/// Notes that `viewer` read `owner`'s shared `item` now. A failure to log
/// is logged and does not fail the read: the person asked to see their own
/// shared space, and a lost log line is less harm than a refused page.
pub(crate) async fn record(
    store: &dyn Store,
    rel: RelationshipId,
    owner: AccountId,
    viewer: AccountId,
    item: &str,
    now: DateTime<Utc>,
) {
    if owner == viewer {
        return;
    }
    let entry = AccessEntry {
        owner,
        viewer,
        viewer_name: String::new(),
        relationship_id: rel,
        item: item.to_owned(),
        day: day_number(now.date_naive()),
        first_at: now,
    };
    if let Err(err) = store.record_access(&entry).await {
        tracing::warn!(error = %err, "access log line not recorded");
    }
}

/// How much of the log to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// The latest 200 (the page and the API).
    Latest,
    /// All of it (the export: the owner's evidence, R28(c), R37).
    All,
}

/// The owner's log, newest first.
pub async fn of(
    app: &App,
    owner: AccountId,
    lines: Lines,
) -> Result<Vec<AccessEntry>, DomainError> {
    let limit = match lines {
        Lines::Latest => SHOWN,
        Lines::All => u32::MAX,
    };
    Ok(app.store().access_log_of(owner, limit).await?)
}

/// What a log line's item is, in words for its owner.
pub fn describe(item: &str) -> String {
    match item {
        "ledger" => "your ledger entries and thanks".to_owned(),
        "values" => "your answers on values".to_owned(),
        "respect" => "your respect map".to_owned(),
        "agreements" => "your agreement proposals and answers".to_owned(),
        "checkins" => "the check-ins you shared".to_owned(),
        "episodes" => "the episodes and views you shared".to_owned(),
        "repair" => "your repair notes after an episode".to_owned(),
        // Logged to the note's author alone: the other partner's log never
        // says a note exists (D7).
        crate::counselor::notes::LOGGED_AS => "your private notes to your counselor".to_owned(),
        other => match other.strip_prefix("deck:") {
            Some(deck) => match crate::catalog::decks::DECKS.iter().find(|d| d.key == deck) {
                Some(d) => format!("your answers in \u{201c}{}\u{201d}", d.title),
                None => "your conversation answers".to_owned(),
            },
            None => "your shared items".to_owned(),
        },
    }
}
