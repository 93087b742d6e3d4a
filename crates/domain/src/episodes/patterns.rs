//! The pattern page: negative reciprocity each way, spirals, the
//! positive-to-negative ratio, turning toward bids, month by month, and
//! responsibility balance over repairs. Every figure comes from
//! `analytics::episodes`; this file only chooses the turns.
//!
//! Which turns: of each episode the caller may see, one sequence: their
//! own view when they recorded turns, else the partner's shared view. Two
//! views of one episode are two memories of one exchange; counting both
//! would count the exchange twice. The partner's unshared views never
//! enter the caller's figures, so nothing here depends on them.

use std::collections::{BTreeMap, HashSet};

use analytics::episodes::{self as figures, Bids, Direction, Ratio, Responsibility};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{from_token, may_see, pair_of, repair, Kind, Opener, LOG_ITEM};
use crate::access;
use crate::access_log;
use crate::app::App;
use crate::error::DomainError;
use crate::ids::{AccountId, RelationshipId};
use crate::ledger::{date_of, day_number};
use crate::me::Me;
use crate::store::EpisodeRecord;

/// A spiral, where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct SpiralAt {
    pub episode_id: uuid::Uuid,
    pub title: Option<String>,
    pub on: NaiveDate,
    /// 1-based position of its first turn in the view.
    pub start: u32,
    pub length: usize,
    pub peak: u8,
}

/// One month's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub episodes: usize,
    pub turns: usize,
    pub spirals: usize,
    /// Over conflict episodes.
    pub conflict: Ratio,
    pub directions: [Direction; 2],
}

/// Everything the pattern page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Patterns {
    /// The two partners in the order of the figures (`from`/`to` 0 and 1).
    pub pair: [AccountId; 2],
    pub episodes: usize,
    pub turns: usize,
    pub directions: [Direction; 2],
    /// Latest first.
    pub spirals: Vec<SpiralAt>,
    pub conflict: Ratio,
    pub everyday: Ratio,
    pub bids: [Bids; 2],
    /// Oldest first.
    pub months: Vec<Month>,
    /// Three spirals or more in the last 30 days.
    pub spirals_recur: bool,
    /// `None` for a former partner (it would hold the other's repairs).
    pub responsibility: Option<Responsibility>,
}

/// One episode's chosen sequence.
struct Sequence {
    episode: EpisodeRecord,
    turns: Vec<figures::Turn>,
}

fn month_of(day: i32) -> String {
    let d = date_of(day);
    format!("{:04}-{:02}", d.year(), d.month())
}

fn ratio_of(seqs: &[&Sequence], kind: Kind) -> Ratio {
    figures::ratio(
        seqs.iter()
            .filter(|s| s.episode.kind == kind.as_str())
            .flat_map(|s| s.turns.iter()),
    )
}

fn directions_of(seqs: &[&Sequence]) -> [Direction; 2] {
    let turns: Vec<&[figures::Turn]> = seqs.iter().map(|s| s.turns.as_slice()).collect();
    figures::directions(&turns)
}

/// A view's turns from its packed tokens.
fn unpacked(packed: &str) -> Result<Vec<figures::Turn>, DomainError> {
    packed
        .split(',')
        .map(|t| from_token(t).ok_or_else(|| DomainError::Storage(format!("turn token {t:?}"))))
        .collect()
}

pub async fn patterns(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Patterns, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let pair = pair_of(&reader);
    let (sequences, read_partner) = chosen(store, me, &reader).await?;
    if read_partner {
        if let Some(partner) = reader.partner() {
            access_log::record(store, rel, partner, me.id, LOG_ITEM, now).await;
        }
    }
    let found = spirals_in(&sequences);
    // Titles are opened only for the latest spirals the page lists.
    let mut opener = Opener::new(me, &reader);
    let mut listed = Vec::new();
    for (e, sp) in found.iter().rev().take(SPIRALS_LISTED) {
        let title = match store.episode(rel, e.id).await? {
            Some(stored) => opener.open(store, &stored).await?.title,
            None => None,
        };
        listed.push(spiral_at(e, sp, title));
    }
    let responsibility = if reader.is_former() {
        None
    } else {
        Some(repair::responsibility(app, me, &reader, pair).await?)
    };
    Ok(assemble(
        pair,
        &sequences,
        &found,
        listed,
        responsibility,
        now,
    ))
}

/// The sequences the caller's figures are made of (see the module
/// comment), ordered by day; true when the partner's shared views were
/// read into them.
async fn chosen(
    store: &dyn crate::store::Store,
    me: &Me,
    reader: &access::Reader,
) -> Result<(Vec<Sequence>, bool), DomainError> {
    // One row per view (its turns packed in order), not one per turn.
    let mine: Vec<(EpisodeRecord, String)> = store
        .packed_views(reader.rel.id, me.id, false)
        .await?
        .into_iter()
        .filter(|(e, _)| may_see(reader, e))
        .collect();
    let theirs: Vec<(EpisodeRecord, String)> = match reader.partner() {
        Some(partner) => store.packed_views(reader.rel.id, partner, true).await?,
        None => Vec::new(),
    };
    let own: HashSet<uuid::Uuid> = mine.iter().map(|(e, _)| e.id).collect();
    let mut read_partner = false;
    let mut sequences = Vec::with_capacity(mine.len() + theirs.len());
    for (episode, packed) in mine {
        let turns = unpacked(&packed)?;
        sequences.push(Sequence { episode, turns });
    }
    for (episode, packed) in theirs {
        if episode.shared_at.is_some() && !own.contains(&episode.id) {
            read_partner = true;
            let turns = unpacked(&packed)?;
            sequences.push(Sequence { episode, turns });
        }
    }
    sequences.sort_by(|a, b| {
        (a.episode.day, a.episode.created_at, a.episode.id).cmp(&(
            b.episode.day,
            b.episode.created_at,
            b.episode.id,
        ))
    });
    Ok((sequences, read_partner))
}

/// Whether spirals recur for the caller (the same rule and turns as the
/// pattern page's note), for the home page. SECURITY: only a bool leaves;
/// the partner's access log gets its line only when their shared views
/// went into a note that is shown, as the pattern page logs its reads.
pub(crate) async fn spirals_recur(
    app: &App,
    me: &Me,
    reader: &access::Reader,
    now: DateTime<Utc>,
) -> Result<bool, DomainError> {
    let store = app.store();
    let (sequences, read_partner) = chosen(store, me, reader).await?;
    let days: Vec<i32> = spirals_in(&sequences).iter().map(|(e, _)| e.day).collect();
    let recur = figures::spirals_recur(&days, day_number(now.date_naive()));
    if recur && read_partner {
        if let Some(partner) = reader.partner() {
            access_log::record(store, reader.rel.id, partner, me.id, LOG_ITEM, now).await;
        }
    }
    Ok(recur)
}

/// The couple's patterns as their counselor sees them: every episode
/// either partner shared, each once (the recorder's shared view when it
/// holds turns, else the other's shared one), without titles or
/// responsibility (the repairs are the partners' own conversation). Each
/// partner whose shared views are read gets a line in their access log.
pub(crate) async fn for_counselor(
    store: &dyn crate::store::Store,
    rel: RelationshipId,
    pair: [AccountId; 2],
    counselor: AccountId,
    now: DateTime<Utc>,
) -> Result<Patterns, DomainError> {
    let mut by_episode: BTreeMap<uuid::Uuid, (EpisodeRecord, String, bool)> = BTreeMap::new();
    for author in pair {
        let views = store.packed_views(rel, author, true).await?;
        if !views.is_empty() {
            access_log::record(store, rel, author, counselor, LOG_ITEM, now).await;
        }
        for (episode, packed) in views {
            if episode.shared_at.is_none() {
                continue;
            }
            let by_recorder = episode.recorded_by == author;
            match by_episode.get(&episode.id) {
                Some((_, _, true)) => {}
                Some(_) if !by_recorder => {}
                _ => {
                    by_episode.insert(episode.id, (episode, packed, by_recorder));
                }
            }
        }
    }
    let mut sequences = Vec::with_capacity(by_episode.len());
    for (episode, packed, _) in by_episode.into_values() {
        let turns = unpacked(&packed)?;
        sequences.push(Sequence { episode, turns });
    }
    sequences.sort_by(|a, b| {
        (a.episode.day, a.episode.created_at, a.episode.id).cmp(&(
            b.episode.day,
            b.episode.created_at,
            b.episode.id,
        ))
    });
    let found = spirals_in(&sequences);
    let listed = found
        .iter()
        .rev()
        .take(SPIRALS_LISTED)
        .map(|(e, sp)| spiral_at(e, sp, None))
        .collect();
    Ok(assemble(pair, &sequences, &found, listed, None, now))
}

/// Every spiral in the sequences, in order, with its episode.
fn spirals_in(sequences: &[Sequence]) -> Vec<(&EpisodeRecord, figures::Spiral)> {
    sequences
        .iter()
        .flat_map(|s| {
            figures::spirals(&s.turns)
                .into_iter()
                .map(move |sp| (&s.episode, sp))
        })
        .collect()
}

fn spiral_at(e: &EpisodeRecord, sp: &figures::Spiral, title: Option<String>) -> SpiralAt {
    SpiralAt {
        episode_id: e.id,
        title,
        on: date_of(e.day),
        start: u32::try_from(sp.start + 1).unwrap_or(u32::MAX),
        length: sp.length,
        peak: sp.peak,
    }
}

/// The figures of the chosen sequences (ordered by day).
fn assemble(
    pair: [AccountId; 2],
    sequences: &[Sequence],
    found: &[(&EpisodeRecord, figures::Spiral)],
    listed: Vec<SpiralAt>,
    responsibility: Option<Responsibility>,
    now: DateTime<Utc>,
) -> Patterns {
    let all: Vec<&Sequence> = sequences.iter().collect();
    let spiral_days: Vec<i32> = found.iter().map(|(e, _)| e.day).collect();
    let mut spirals_by_month: BTreeMap<String, usize> = BTreeMap::new();
    for day in &spiral_days {
        *spirals_by_month.entry(month_of(*day)).or_default() += 1;
    }
    let mut months: BTreeMap<String, Vec<&Sequence>> = BTreeMap::new();
    for s in sequences {
        months.entry(month_of(s.episode.day)).or_default().push(s);
    }
    let months = months
        .into_iter()
        .map(|(month, seqs)| Month {
            episodes: seqs.len(),
            turns: seqs.iter().map(|s| s.turns.len()).sum(),
            spirals: spirals_by_month.get(&month).copied().unwrap_or(0),
            conflict: ratio_of(&seqs, Kind::Conflict),
            directions: directions_of(&seqs),
            month,
        })
        .collect();
    let turns_all: Vec<&[figures::Turn]> = all.iter().map(|s| s.turns.as_slice()).collect();
    Patterns {
        pair,
        episodes: sequences.len(),
        turns: sequences.iter().map(|s| s.turns.len()).sum(),
        directions: directions_of(&all),
        spirals: listed,
        conflict: ratio_of(&all, Kind::Conflict),
        everyday: ratio_of(&all, Kind::Everyday),
        bids: figures::bids(&turns_all),
        months,
        spirals_recur: figures::spirals_recur(&spiral_days, day_number(now.date_naive())),
        responsibility,
    }
}

/// How many spirals the page lists by name.
pub const SPIRALS_LISTED: usize = 10;
