//! Episodes: an exchange remembered turn by turn, to see negative
//! reciprocity (a negative act answered by an equally negative one) and
//! learn to answer differently (API.md "Episodes and negative reciprocity",
//! DESIGN.md "Episodes", SCIENCE.md §1, §4).
//!
//! Rules, each in one place:
//! - An episode is private to whoever recorded it until they share it.
//!   Sharing is their choice and cannot be taken back for the episode
//!   itself (its title, kind and day): the partner has seen it.
//! - Each partner keeps their own **view**: their memory of the turns, in
//!   order, each with who acted, a code, a feeling and an intensity. The
//!   other partner adds their own view of a shared episode; neither view
//!   overwrites the other. A view is private to its author until they share
//!   it, and a shared view can be withdrawn.
//! - Of a partner's unshared episodes and views, the other learns nothing:
//!   no count, no date (SECURITY.md R25).
//! - Once the space ended, each former partner reads the episodes they
//!   recorded, and only their own view of them.
//!
//! `patterns.rs` computes the pattern page, `repair.rs` the sealed repair
//! and responsibility balance, `codes.rs` and `guide.rs` hold our words.

pub mod codes;
pub mod guide;
pub mod patterns;
pub mod repair;

use analytics::episodes as figures;
pub use analytics::episodes::{Bids, Direction, Ratio, Responsibility, Spiral, Valence};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::access::{self, Reader};
use crate::access_log;
use crate::app::App;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::ledger::{date_of, day_number};
use crate::me::{Me, Shared};
use crate::store::{EpisodeRecord, EpisodeView, Store, StoreError, TurnRecord};
pub use codes::{Code, CODES};

pub const TITLE_MAX_CHARS: usize = 200;
/// A view holds at most this many turns (an evening's argument, turn by
/// turn, is a few dozen).
pub const MAX_TURNS: u32 = 500;
const TITLE: &str = "episodes.title";
/// The access log's name for a partner's shared views.
pub const LOG_ITEM: &str = "episodes";

/// Conflict, or an everyday exchange (their benchmarks differ, SCIENCE.md §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Conflict,
    Everyday,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conflict => "conflict",
            Self::Everyday => "everyday",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "conflict" => Some(Self::Conflict),
            "everyday" => Some(Self::Everyday),
            _ => None,
        }
    }
}

/// An episode as someone typed it.
#[derive(Debug, Clone, Copy)]
pub struct EpisodeInput<'a> {
    pub title: &'a str,
    pub kind: &'a str,
    /// `YYYY-MM-DD` or an RFC 3339 time; today by default.
    pub occurred_at: Option<&'a str>,
    /// Share it with the partner at once.
    pub share: bool,
}

/// A turn as someone typed it.
#[derive(Debug, Clone, Copy)]
pub struct TurnInput<'a> {
    pub actor_id: &'a str,
    pub code: &'a str,
    /// The code's usual feeling when absent.
    pub valence: Option<&'a str>,
    pub intensity: i64,
}

/// One turn as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub position: u32,
    pub actor: AccountId,
    pub code: &'static Code,
    pub valence: Valence,
    pub intensity: u8,
}

/// An episode as the caller may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub id: uuid::Uuid,
    /// `None` once the recorder deleted their account.
    pub title: Option<String>,
    pub kind: Kind,
    pub on: NaiveDate,
    pub recorded_by: AccountId,
    /// The recorder shared it.
    pub shared: bool,
}

/// One episode with the views the caller may read.
#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeDetail {
    pub episode: Episode,
    /// The caller's own turns, in order.
    pub mine: Vec<Turn>,
    pub mine_shared: bool,
    /// The partner's view, when they shared it and both are in the space.
    pub partner: Option<Vec<Turn>>,
    /// Spirals in the caller's view (0-based starts).
    pub spirals: Vec<Spiral>,
    /// The caller may still add turns and share (an active space).
    pub writable: bool,
}

fn title(raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            "title",
            "required",
            "Give it a short name you will recognise, like \u{201c}Sunday's talk about money\u{201d}.",
        ));
    }
    if text.chars().count() > TITLE_MAX_CHARS {
        return Err(FieldError::new(
            "title",
            "too_long",
            format!("Please keep the name to {TITLE_MAX_CHARS} characters or fewer."),
        ));
    }
    Ok(text.to_owned())
}

/// The day it happened: a date or a time, at most a day ahead (time zones).
fn occurred_on(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(today);
    };
    let invalid = || {
        FieldError::new(
            "occurred_at",
            "invalid_date",
            "Write the day it happened as a date like 2026-03-14.",
        )
    };
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.date_naive())
        })
        .ok_or_else(invalid)?;
    if day > today + Duration::days(1) {
        return Err(FieldError::new(
            "occurred_at",
            "in_the_future",
            "The day it happened hasn't come yet: choose today or earlier.",
        ));
    }
    if day < NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(invalid());
    }
    Ok(day)
}

fn kind(raw: &str) -> Result<Kind, FieldError> {
    Kind::parse(raw.trim()).ok_or_else(|| {
        FieldError::new(
            "kind",
            "unknown",
            "Choose \u{201c}conflict\u{201d} or \u{201c}everyday\u{201d}.",
        )
    })
}

/// A turn checked against the rules: a known code, a known feeling,
/// intensity 1–5, and an actor who is one of the two partners. Every rule
/// is checked, so a form shows all there is to fix at once.
fn turn_of(
    input: TurnInput<'_>,
    pair: [AccountId; 2],
) -> Result<(AccountId, &'static Code, Valence, u8), DomainError> {
    let mut checks = Checks::new();
    let actor = uuid::Uuid::parse_str(input.actor_id.trim())
        .ok()
        .map(AccountId)
        .filter(|a| pair.contains(a))
        .ok_or_else(|| {
            FieldError::new(
                "actor_id",
                "not_a_partner",
                "Choose one of the two of you: who took this turn?",
            )
        });
    let actor = checks.field(actor);
    let code = checks.field(codes::find(input.code.trim()).ok_or_else(|| {
        FieldError::new("code", "unknown", "Choose one of the listed kinds of turn.")
    }));
    // No feeling chosen takes the code's own (so none, when no code is).
    let valence = match input.valence.map(str::trim).filter(|v| !v.is_empty()) {
        None => code.map(|code| code.valence),
        Some(text) => checks.field(codes::valence_of(text).ok_or_else(|| {
            FieldError::new(
                "valence",
                "unknown",
                "Choose positive, neutral or negative.",
            )
        })),
    };
    let intensity = u8::try_from(input.intensity)
        .ok()
        .filter(|i| (1..=5).contains(i))
        .ok_or_else(|| {
            FieldError::new(
                "intensity",
                "out_of_range",
                "Choose from 1 (mild) to 5 (intense).",
            )
        });
    let intensity = checks.field(intensity);
    checks.done((actor, code, valence, intensity))
}

fn record_key(rel: RelationshipId, id: uuid::Uuid) -> String {
    format!("{rel}:{id}")
}

/// Opens episodes for one reader; the couple's key is unwrapped once, on
/// the first shared title (a list opens hundreds).
pub(crate) struct Opener<'a> {
    me: &'a Me,
    reader: &'a Reader,
    shared: Option<Shared>,
}

impl<'a> Opener<'a> {
    pub(crate) fn new(me: &'a Me, reader: &'a Reader) -> Self {
        Self {
            me,
            reader,
            shared: None,
        }
    }

    /// The stored episode as the caller may see it, title opened.
    pub(crate) async fn open(
        &mut self,
        store: &dyn Store,
        e: &EpisodeRecord,
    ) -> Result<Episode, DomainError> {
        let key = record_key(self.reader.rel.id, e.id);
        let title = match (&e.title, e.shared_at.is_some()) {
            (None, _) => None,
            (Some(sealed), true) => {
                if self.shared.is_none() {
                    self.shared = Some(self.me.shared(store, &self.reader.rel).await?);
                }
                match &self.shared {
                    Some(shared) => Some(shared.open(TITLE, &key, sealed)?),
                    None => None,
                }
            }
            (Some(sealed), false) => Some(self.me.own()?.open(TITLE, &key, sealed)?),
        };
        Ok(Episode {
            id: e.id,
            title,
            kind: Kind::parse(&e.kind)
                .ok_or_else(|| DomainError::Storage(format!("episode kind {}", e.kind)))?,
            on: date_of(e.day),
            recorded_by: e.recorded_by,
            shared: e.shared_at.is_some(),
        })
    }
}

/// Whether the caller may see this stored episode at all.
fn may_see(reader: &Reader, e: &EpisodeRecord) -> bool {
    e.recorded_by == reader.actor || (!reader.is_former() && e.shared_at.is_some())
}

pub(crate) fn turn_of_record(t: &TurnRecord) -> Result<Turn, DomainError> {
    Ok(Turn {
        position: t.position,
        actor: t.actor,
        code: codes::find(&t.code)
            .ok_or_else(|| DomainError::Storage(format!("turn code {}", t.code)))?,
        valence: codes::valence_of(&t.valence)
            .ok_or_else(|| DomainError::Storage(format!("turn valence {}", t.valence)))?,
        intensity: t.intensity,
    })
}

/// A turn for the analytics: the actor as 0 or 1 in the space's order.
pub(crate) fn analysed(t: &Turn, pair: [AccountId; 2]) -> figures::Turn {
    figures::Turn {
        actor: usize::from(t.actor == pair[1]),
        valence: t.valence,
        intensity: t.intensity,
        bid: t.code.bid,
        response: t.code.response,
    }
}

/// A turn as the pattern page reads it from its view's packed `turns`:
/// "<actor 0 or 1 in member order> <code> <valence> <intensity>".
pub(crate) fn token(actor: usize, code: &Code, valence: Valence, intensity: u8) -> String {
    format!(
        "{actor} {} {} {intensity}",
        code.key,
        codes::valence_key(valence)
    )
}

/// The turn a [`token`] stands for; `None` for one this version cannot read.
pub(crate) fn from_token(token: &str) -> Option<figures::Turn> {
    let mut parts = token.split(' ');
    let actor = match parts.next()? {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let code = codes::find(parts.next()?)?;
    let valence = codes::valence_of(parts.next()?)?;
    let intensity = parts.next()?.parse().ok().filter(|i| (1..=5).contains(i))?;
    Some(figures::Turn {
        actor,
        valence,
        intensity,
        bid: code.bid,
        response: code.response,
    })
}

/// The space's two partners in member order (one, before the partner joined).
pub(crate) fn pair_of(reader: &Reader) -> [AccountId; 2] {
    match reader.rel.members.as_slice() {
        [a, b, ..] => [a.account_id, b.account_id],
        [a] => [a.account_id, reader.partner().unwrap_or(a.account_id)],
        [] => [reader.actor, reader.actor],
    }
}

/// Records an episode (private unless `share`).
pub async fn record(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    input: EpisodeInput<'_>,
    now: DateTime<Utc>,
) -> Result<Episode, DomainError> {
    let store = app.store();
    let mut checks = Checks::new();
    let title = checks.field(title(input.title));
    let kind = checks.field(kind(input.kind));
    let on = checks.field(occurred_on(input.occurred_at, now.date_naive()));
    let (title, kind, on) = checks.done((title, kind, on))?;
    let writer = access::writer(store, me.id, rel).await?;
    let id = uuid::Uuid::new_v4();
    let key = record_key(rel, id);
    let sealed = if input.share {
        me.shared(store, &writer.rel)
            .await?
            .seal(TITLE, &key, &title)
    } else {
        me.own()?.seal(TITLE, &key, &title)
    };
    let record = EpisodeRecord {
        id,
        recorded_by: me.id,
        title: Some(sealed),
        kind: kind.as_str().to_owned(),
        day: day_number(on),
        shared_at: input.share.then_some(now),
        created_at: now,
    };
    if !store.insert_episode(rel, &record).await? {
        return Err(access::refusal(store, me.id, rel)
            .await?
            .unwrap_or_else(access::ended));
    }
    Ok(Episode {
        id,
        title: Some(title),
        kind,
        on,
        recorded_by: me.id,
        shared: input.share,
    })
}

/// The episodes the caller may see, newest first.
pub async fn list(app: &App, me: &Me, rel: RelationshipId) -> Result<Vec<Episode>, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let mut opener = Opener::new(me, &reader);
    let mut out = Vec::new();
    for e in store.episodes_for(rel, me.id).await?.iter().rev() {
        if may_see(&reader, e) {
            out.push(opener.open(store, e).await?);
        }
    }
    Ok(out)
}

/// The views of one episode, for a caller who may see it.
async fn views(
    store: &dyn Store,
    reader: &Reader,
    id: uuid::Uuid,
) -> Result<Vec<EpisodeView>, DomainError> {
    Ok(store.episode_views(reader.rel.id, Some(id)).await?)
}

/// One episode with the caller's view and, if shared, the partner's.
/// Reading the partner's view adds a line to their access log.
pub async fn detail(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<EpisodeDetail, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let stored = store
        .episode(rel, id)
        .await?
        .filter(|e| may_see(&reader, e))
        .ok_or(DomainError::NotFound)?;
    let episode = Opener::new(me, &reader).open(store, &stored).await?;
    let pair = pair_of(&reader);
    let mine: Vec<Turn> = store
        .episode_turns(rel, Some(id), me.id, false)
        .await?
        .iter()
        .map(turn_of_record)
        .collect::<Result<_, _>>()?;
    let mine_shared = views(store, &reader, id)
        .await?
        .iter()
        .any(|v| v.author == me.id && v.shared);
    let partner = match reader.partner() {
        Some(partner) if episode.shared => {
            let theirs: Vec<Turn> = store
                .episode_turns(rel, Some(id), partner, true)
                .await?
                .iter()
                .map(turn_of_record)
                .collect::<Result<_, _>>()?;
            if theirs.is_empty() {
                None
            } else {
                access_log::record(store, rel, partner, me.id, LOG_ITEM, now).await;
                Some(theirs)
            }
        }
        _ => None,
    };
    let analysed_mine: Vec<figures::Turn> = mine.iter().map(|t| analysed(t, pair)).collect();
    Ok(EpisodeDetail {
        spirals: figures::spirals(&analysed_mine),
        episode,
        mine,
        mine_shared,
        partner,
        writable: !reader.is_former() && reader.partner().is_some(),
    })
}

/// One of the caller's own views of an episode they can no longer open
/// (their former partner recorded it): their turns and their repair, which
/// are their words and stay theirs (SECURITY.md R28(c)). The episode's
/// title and the other's view are not theirs, and are not here.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnView {
    pub episode: uuid::Uuid,
    pub on: NaiveDate,
    pub kind: Kind,
    pub turns: Vec<Turn>,
    pub repair: Option<repair::RepairAnswers>,
}

/// The caller's views and repairs on episodes they may no longer open
/// (empty while the space is open: they can open every episode they wrote
/// in), for their export.
pub async fn own_views_elsewhere(
    app: &App,
    me: &Me,
    rel: RelationshipId,
) -> Result<Vec<OwnView>, DomainError> {
    use crate::rounds;
    use crate::sealed::{Own, RoundView};
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let mut ids: Vec<uuid::Uuid> = store
        .packed_views(rel, me.id, false)
        .await?
        .into_iter()
        .map(|(e, _)| e.id)
        .collect();
    for (kind, outline) in store.outlines_with_prefix(rel, repair::KIND_PREFIX).await? {
        let mine = outline
            .sides
            .iter()
            .any(|s| s.account == me.id && s.answers.is_some());
        if let Some(id) = kind
            .strip_prefix(repair::KIND_PREFIX)
            .and_then(|id| id.parse::<uuid::Uuid>().ok())
            .filter(|_| mine)
        {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let Some(e) = store.episode(rel, id).await? else {
            continue;
        };
        if may_see(&reader, &e) {
            continue;
        }
        let turns = store
            .episode_turns(rel, Some(id), me.id, false)
            .await?
            .iter()
            .map(turn_of_record)
            .collect::<Result<Vec<_>, _>>()?;
        let answers = match rounds::current(app, me, rel, &repair::Repair(id))
            .await?
            .view
        {
            RoundView::Sealed {
                mine: Own::Drafting { draft },
                ..
            } => draft,
            RoundView::Sealed {
                mine: Own::Submitted { answers, .. },
                ..
            } => Some(answers),
            RoundView::Revealed { mine, .. } => Some(mine),
        };
        out.push(OwnView {
            episode: id,
            on: date_of(e.day),
            kind: Kind::parse(&e.kind)
                .ok_or_else(|| DomainError::Storage(format!("episode kind {}", e.kind)))?,
            turns,
            repair: answers.as_ref().map(repair::RepairAnswers::from_answers),
        });
    }
    Ok(out)
}

/// Appends a turn to the caller's view; returns its position.
pub async fn add_turn(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    input: TurnInput<'_>,
    now: DateTime<Utc>,
) -> Result<Turn, DomainError> {
    let store = app.store();
    let writer = access::writer(store, me.id, rel).await?;
    let (actor, code, valence, intensity) = turn_of(input, writer.pair())?;
    let stored = store
        .episode(rel, id)
        .await?
        .filter(|e| may_see(&writer.as_reader(), e))
        .ok_or(DomainError::NotFound)?;
    let mut record = TurnRecord {
        episode: stored.id,
        author: me.id,
        position: 0,
        actor,
        code: code.key.to_owned(),
        valence: codes::valence_key(valence).to_owned(),
        intensity,
        token: token(
            usize::from(actor == writer.pair()[1]),
            code,
            valence,
            intensity,
        ),
        created_at: now,
    };
    let count = store
        .episode_turns(rel, Some(id), me.id, false)
        .await?
        .len();
    if u32::try_from(count).unwrap_or(u32::MAX) >= MAX_TURNS {
        return Err(DomainError::Conflict {
            code: "too_many_turns",
            message: format!("A view holds at most {MAX_TURNS} turns."),
            field: Some("code"),
        });
    }
    // The position is taken inside the write; two turns sent at the same
    // moment collide on the primary key, and the second tries the next place.
    for _ in 0..5 {
        match store.append_turn(rel, &record).await {
            Ok(Some(position)) => {
                record.position = position;
                return turn_of_record(&record);
            }
            Ok(None) => {
                return Err(access::refusal(store, me.id, rel)
                    .await?
                    .unwrap_or(DomainError::NotFound))
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(DomainError::conflict(
        "busy",
        "Several turns arrived at once; please send that one again.",
    ))
}

/// Removes the last turn of the caller's view (a mistaken tap).
pub async fn undo_turn(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
) -> Result<(), DomainError> {
    let store = app.store();
    access::writer(store, me.id, rel).await?;
    if store.remove_last_turn(rel, id, me.id).await? {
        return Ok(());
    }
    Err(access::refusal(store, me.id, rel)
        .await?
        .unwrap_or(DomainError::NotFound))
}

/// Shares the caller's view (and, the first time the recorder shares, the
/// episode itself), or withdraws the view.
pub async fn set_shared(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    shared: bool,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let store = app.store();
    let writer = access::writer(store, me.id, rel).await?;
    let stored = store
        .episode(rel, id)
        .await?
        .filter(|e| may_see(&writer.as_reader(), e))
        .ok_or(DomainError::NotFound)?;
    // The recorder's first share: the title is sealed again for the couple.
    let reveal = match (&stored.title, stored.shared_at) {
        (Some(sealed), None) if shared => {
            let key = record_key(rel, id);
            let text = me.own()?.open(TITLE, &key, sealed)?;
            Some(
                me.shared(store, &writer.rel)
                    .await?
                    .seal(TITLE, &key, &text),
            )
        }
        _ => None,
    };
    let written = store
        .set_view_shared(rel, id, me.id, shared, reveal.as_deref().map(|t| (t, now)))
        .await?;
    if written {
        return Ok(());
    }
    if reveal.is_some() {
        // Shared a moment ago by a racing request: share the view alone.
        if store.set_view_shared(rel, id, me.id, shared, None).await? {
            return Ok(());
        }
    }
    Err(access::refusal(store, me.id, rel)
        .await?
        .unwrap_or(DomainError::NotFound))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_and_turns_are_checked_by_field() {
        assert_eq!(title("  ").map_err(|e| e.field), Err("title"));
        assert!(title(&"t".repeat(TITLE_MAX_CHARS + 1)).is_err());
        assert_eq!(kind("fight").map_err(|e| e.field), Err("kind"));
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        assert_eq!(occurred_on(None, today), Ok(today));
        assert_eq!(
            occurred_on(Some("2026-11-29T21:15:00+01:00"), today),
            Ok(today - Duration::days(1))
        );
        assert_eq!(
            occurred_on(Some("2026-12-05"), today).map_err(|e| e.code),
            Err("in_the_future")
        );
        let (a, b) = (AccountId::new(), AccountId::new());
        let ok = TurnInput {
            actor_id: &a.to_string(),
            code: "criticism",
            valence: None,
            intensity: 3,
        };
        let (actor, code, valence, intensity) = turn_of(ok, [a, b]).expect("valid");
        assert_eq!(
            (actor, code.key, valence, intensity),
            (a, "criticism", Valence::Negative, 3)
        );
        let stranger = AccountId::new().to_string();
        for (input, field) in [
            (
                TurnInput {
                    actor_id: &stranger,
                    ..ok
                },
                "actor_id",
            ),
            (
                TurnInput {
                    code: "sulking",
                    ..ok
                },
                "code",
            ),
            (
                TurnInput {
                    valence: Some("meh"),
                    ..ok
                },
                "valence",
            ),
            (TurnInput { intensity: 0, ..ok }, "intensity"),
            (TurnInput { intensity: 6, ..ok }, "intensity"),
        ] {
            assert_eq!(
                turn_of(input, [a, b]).map_err(|e| e.field_errors()[0].field),
                Err(field)
            );
        }
        // Every rule broken at once: each named, in the form's order.
        let every = turn_of(
            TurnInput {
                actor_id: &stranger,
                code: "sulking",
                valence: Some("meh"),
                intensity: 9,
            },
            [a, b],
        )
        .expect_err("all refused");
        let fields: Vec<_> = every.field_errors().iter().map(|f| f.field).collect();
        assert_eq!(fields, ["actor_id", "code", "valence", "intensity"]);
        let changed = turn_of(
            TurnInput {
                valence: Some("neutral"),
                ..ok
            },
            [a, b],
        )
        .expect("ok");
        assert_eq!(
            changed.2,
            Valence::Neutral,
            "the person can change the feeling"
        );
    }

    #[test]
    fn a_token_reads_back_as_the_turn() {
        let bid = codes::find("bid").expect("bid");
        let t = token(1, bid, Valence::Positive, 4);
        assert_eq!(t, "1 bid positive 4");
        let turn = from_token(&t).expect("turn");
        assert_eq!(
            (turn.actor, turn.valence, turn.intensity, turn.bid),
            (1, Valence::Positive, 4, true)
        );
        for bad in [
            "2 bid positive 4",
            "1 sulk positive 4",
            "1 bid meh 4",
            "1 bid positive 9",
            "1 bid",
        ] {
            assert_eq!(from_token(bad), None, "{bad}");
        }
    }
}
