//! Check-ins: a short private questionnaire on how the relationship is
//! going for each partner, and how that moves over months (API.md
//! "Check-ins", SCIENCE.md §2).
//!
//! - Ten items, each 0–8, written by us; under two minutes on a phone.
//! - Private by default. Each check-in is shared or not by its author, and
//!   a shared one can be withdrawn later. The partner sees only shared
//!   ones, and of unshared ones nothing at all: no count, no date.
//! - The optional note is for its author alone, sealed with their own key.
//! - The figures (outcome, comparison level, slope) come from
//!   `analytics::checkins`, over one person's own series.
//! - Once the space ended each former partner reads only their own.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

pub use analytics::checkins::Balance;
use analytics::checkins::{self as figures, Point};

use crate::access::{self, Reader};
use crate::access_log;
use crate::app::App;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::ledger::{date_of, day_number};
use crate::me::Me;
use crate::store::CheckinRecord;

/// One question of the check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// The API's field name.
    pub key: &'static str,
    /// A short name for charts and tables.
    pub label: &'static str,
    pub question: &'static str,
    /// What 0 and 8 mean.
    pub low: &'static str,
    pub high: &'static str,
}

/// The questionnaire, in the order it is asked and stored.
pub const ITEMS: [Item; 10] = [
    Item {
        key: "satisfaction",
        label: "Satisfaction",
        question: "All in all, how happy are you with your relationship these days?",
        low: "Not at all",
        high: "Completely",
    },
    Item {
        key: "rewards",
        label: "What it gives you",
        question: "How much good is the relationship bringing you lately: care, fun, help, closeness?",
        low: "Very little",
        high: "A great deal",
    },
    Item {
        key: "costs",
        label: "What it costs you",
        question: "How much is it costing you lately: effort, worry, things you give up?",
        low: "Very little",
        high: "A great deal",
    },
    Item {
        key: "investment",
        label: "What you have put in",
        question: "How much have you put into this relationship that you would lose if it ended: time, memories, a life built together?",
        low: "Very little",
        high: "A great deal",
    },
    Item {
        key: "alternatives",
        label: "Other ways your needs are met",
        question: "If this relationship ended, how well could your needs be met in other ways: by friends, family, someone else, or on your own?",
        low: "Not at all",
        high: "Very well",
    },
    Item {
        key: "commitment",
        label: "Wanting it to last",
        question: "How much do you want this relationship to last?",
        low: "Not at all",
        high: "With all my heart",
    },
    Item {
        key: "passion",
        label: "Passion",
        question: "How much passion and desire do you feel between you?",
        low: "None",
        high: "A great deal",
    },
    Item {
        key: "love_given",
        label: "Love you feel",
        question: "How much love do you feel for your partner?",
        low: "None",
        high: "A great deal",
    },
    Item {
        key: "love_received",
        label: "Love you feel from them",
        question: "How much love do you feel from your partner?",
        low: "None",
        high: "A great deal",
    },
    Item {
        key: "respected",
        label: "Feeling respected",
        question: "How respected do you feel by your partner?",
        low: "Not at all",
        high: "Completely",
    },
];

/// The highest answer.
pub const SCALE_MAX: u8 = 8;
pub const NOTE_MAX_CHARS: usize = 2_000;
/// Weekly unless the couple chooses otherwise.
pub const DEFAULT_CADENCE_DAYS: u32 = 7;
const CADENCE_DAYS: std::ops::RangeInclusive<u32> = 1..=90;
/// The sealed note's field name.
const NOTE: &str = "checkins.note";

const REWARDS: usize = 1;
const COSTS: usize = 2;
/// The two items of reciprocated love.
pub const LOVE_GIVEN: usize = 7;
pub const LOVE_RECEIVED: usize = 8;

/// A check-in as someone typed it, before validation.
#[derive(Debug, Clone, Copy)]
pub struct CheckinInput<'a> {
    /// `YYYY-MM-DD`, default today: a check-in done on paper, entered later.
    pub on: Option<&'a str>,
    /// The ten answers in [`ITEMS`] order.
    pub answers: [i64; 10],
    pub share: bool,
    pub note: Option<&'a str>,
    /// Replace the check-in of that day rather than refuse a second.
    pub replace: bool,
}

/// A check-in as its author reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyCheckin {
    pub id: uuid::Uuid,
    pub on: NaiveDate,
    pub items: [u8; 10],
    pub shared: bool,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One point of a person's series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub on: NaiveDate,
    pub items: [u8; 10],
    pub outcome: f64,
    /// The mean outcome of this person's earlier check-ins in the series.
    pub comparison_level: Option<f64>,
}

/// One partner's series, as the caller may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonSeries {
    pub account_id: AccountId,
    pub series: Vec<SeriesPoint>,
    pub balance: Balance,
}

/// Reciprocated love in one week both shared a check-in: how much love one
/// partner feels beside how much the other feels from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LovePair {
    /// The Monday of the week.
    pub week_of: NaiveDate,
    pub from: AccountId,
    pub love_given: u8,
    pub to: AccountId,
    pub love_received: u8,
}

/// The check-in summary as the caller may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The caller's own first (always), then the partner's shared ones
    /// (only while both are in the space, and only if any are shared).
    pub partners: Vec<PersonSeries>,
    /// Weeks both shared, oldest first.
    pub love: Vec<LovePair>,
    pub cadence_days: u32,
    /// The caller's next check-in is due.
    pub due: bool,
}

/// One answer, its message naming the question's short name, since a form
/// may refuse several answers at once.
fn answer(raw: i64, item: &Item) -> Result<u8, FieldError> {
    u8::try_from(raw)
        .ok()
        .filter(|v| *v <= SCALE_MAX)
        .ok_or_else(|| {
            FieldError::new(
                item.key,
                "out_of_range",
                format!(
                    "For \u{201c}{}\u{201d}, choose a number from 0 to 8.",
                    item.label
                ),
            )
        })
}

/// A `YYYY-MM-DD` date, today by default, at most a day ahead (a partner a
/// time zone ahead may already be on tomorrow).
fn on(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(today);
    };
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            "on",
            "invalid_date",
            "Write the day it's about as a date like 2026-03-14.",
        )
    })?;
    if date > today + Duration::days(1) {
        return Err(FieldError::new(
            "on",
            "in_the_future",
            "The day it's about hasn't come yet: choose today or earlier.",
        ));
    }
    if date.year() < 1970 {
        return Err(FieldError::new(
            "on",
            "invalid_date",
            "Choose a day from 1970 on.",
        ));
    }
    Ok(date)
}

fn note(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > NOTE_MAX_CHARS {
        return Err(FieldError::new(
            "note",
            "too_long",
            format!("Please keep the note to {NOTE_MAX_CHARS} characters or fewer."),
        ));
    }
    Ok(Some(text.to_owned()))
}

fn already() -> DomainError {
    DomainError::Conflict {
        code: "already_checked_in",
        message:
            "You've already checked in on that day. Send it again with `replace` to change it."
                .into(),
        field: Some("on"),
    }
}

/// Keeps the caller's check-in.
pub async fn record(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    input: CheckinInput<'_>,
    now: DateTime<Utc>,
) -> Result<MyCheckin, DomainError> {
    let store = app.store();
    // Every answer and field is checked, so a form shows all there is to
    // fix at once, in the order it reads.
    let mut checks = Checks::new();
    let mut items = [0u8; 10];
    for (i, item) in ITEMS.iter().enumerate() {
        if let Some(value) = checks.field(answer(input.answers[i], item)) {
            items[i] = value;
        }
    }
    let day = checks.field(on(input.on, now.date_naive()));
    let note = checks.field(note(input.note));
    let (day, note) = checks.done((day, note))?;
    access::writer(store, me.id, rel).await?;
    let id = uuid::Uuid::new_v4();
    let mine = MyCheckin {
        id,
        on: day,
        items,
        shared: input.share,
        note,
        created_at: now,
    };
    let sealed_note = match &mine.note {
        Some(text) => Some(
            me.own()?
                .seal(NOTE, &format!("{rel}:{}", day_number(day)), text),
        ),
        None => None,
    };
    let record = CheckinRecord {
        id,
        author: me.id,
        day: day_number(day),
        items,
        shared: input.share,
        note: sealed_note,
        created_at: now,
    };
    // One per person and day: the unique index decides between two racing;
    // both statements repeat "a member of this active space".
    let written = if input.replace {
        store.replace_checkin(rel, &record).await?
            || store
                .insert_checkin(rel, &record)
                .await
                .map_err(|e| match DomainError::from(e) {
                    DomainError::Conflict { .. } => already(),
                    other => other,
                })?
    } else {
        store
            .insert_checkin(rel, &record)
            .await
            .map_err(|e| match DomainError::from(e) {
                DomainError::Conflict { .. } => already(),
                other => other,
            })?
    };
    if !written {
        return Err(access::refusal(store, me.id, rel)
            .await?
            .unwrap_or_else(access::ended));
    }
    Ok(mine)
}

/// Shares one of the caller's check-ins with the partner, or withdraws it.
pub async fn set_shared(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    shared: bool,
) -> Result<(), DomainError> {
    let store = app.store();
    access::writer(store, me.id, rel).await?;
    if store.set_checkin_shared(rel, me.id, id, shared).await? {
        return Ok(());
    }
    Err(access::refusal(store, me.id, rel)
        .await?
        .unwrap_or(DomainError::NotFound))
}

/// The caller's own check-ins, newest first, with their notes.
pub async fn mine(app: &App, me: &Me, rel: RelationshipId) -> Result<Vec<MyCheckin>, DomainError> {
    let store = app.store();
    access::reader(store, me.id, rel).await?;
    let stored = store.checkins_of(rel, me.id, false).await?;
    let mut all = Vec::with_capacity(stored.len());
    for c in stored.into_iter().rev() {
        let note = match &c.note {
            Some(sealed) => Some(me.own()?.open(NOTE, &format!("{rel}:{}", c.day), sealed)?),
            None => None,
        };
        all.push(MyCheckin {
            id: c.id,
            on: date_of(c.day),
            items: c.items,
            shared: c.shared,
            note,
            created_at: c.created_at,
        });
    }
    Ok(all)
}

fn series_of(account_id: AccountId, checkins: &[CheckinRecord]) -> PersonSeries {
    let points: Vec<Point> = checkins
        .iter()
        .map(|c| Point {
            day: c.day,
            outcome: figures::outcome(c.items[REWARDS], c.items[COSTS]),
        })
        .collect();
    let levels = figures::comparison_levels(&points);
    PersonSeries {
        account_id,
        series: checkins
            .iter()
            .zip(&points)
            .zip(levels)
            .map(|((c, p), level)| SeriesPoint {
                on: date_of(c.day),
                items: c.items,
                outcome: p.outcome,
                comparison_level: level,
            })
            .collect(),
        balance: figures::balance(&points),
    }
}

/// The Monday of the week `day` falls in.
fn week_of(day: i32) -> NaiveDate {
    let date = date_of(day);
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The latest check-in of each week, by week.
fn by_week(checkins: &[CheckinRecord]) -> std::collections::BTreeMap<NaiveDate, &CheckinRecord> {
    checkins.iter().map(|c| (week_of(c.day), c)).collect()
}

/// Weeks both shared, with love felt beside love received each way.
fn love_pairs(a: (AccountId, &[CheckinRecord]), b: (AccountId, &[CheckinRecord])) -> Vec<LovePair> {
    let (weeks_a, weeks_b) = (by_week(a.1), by_week(b.1));
    let mut pairs = Vec::new();
    for (week, ca) in &weeks_a {
        if let Some(cb) = weeks_b.get(week) {
            for ((from, given), (to, received)) in [((a.0, ca), (b.0, cb)), ((b.0, cb), (a.0, ca))]
            {
                pairs.push(LovePair {
                    week_of: *week,
                    from,
                    love_given: given.items[LOVE_GIVEN],
                    to,
                    love_received: received.items[LOVE_RECEIVED],
                });
            }
        }
    }
    pairs
}

/// The couple's cadence in days.
async fn cadence(store: &dyn crate::store::Store, rel: RelationshipId) -> Result<u32, DomainError> {
    Ok(store
        .checkin_cadence(rel)
        .await?
        .unwrap_or(DEFAULT_CADENCE_DAYS))
}

/// Whether a check-in is due for someone whose latest was on `last`.
fn is_due(last: Option<i32>, every_days: u32, today: NaiveDate) -> bool {
    last.is_none_or(|day| day_number(today) - day >= i32::try_from(every_days).unwrap_or(i32::MAX))
}

/// The partner's shared check-ins, when the caller may see them: while
/// both are in the space. Reading them notes it in the partner's log.
async fn partners_shared(
    app: &App,
    reader: &Reader,
    now: DateTime<Utc>,
) -> Result<Option<(AccountId, Vec<CheckinRecord>)>, DomainError> {
    let Some(partner) = reader.partner() else {
        return Ok(None);
    };
    let store = app.store();
    let shared = store.checkins_of(reader.rel.id, partner, true).await?;
    if !shared.is_empty() {
        access_log::record(store, reader.rel.id, partner, reader.actor, "checkins", now).await;
    }
    Ok(Some((partner, shared)))
}

/// The caller's series and figures, the partner's shared ones beside them,
/// and reciprocated love where both shared.
pub async fn summary(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Summary, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let own = store.checkins_of(rel, me.id, false).await?;
    let every = cadence(store, rel).await?;
    let due = !reader.is_former() && is_due(own.last().map(|c| c.day), every, now.date_naive());
    let mut partners = vec![series_of(me.id, &own)];
    let mut love = Vec::new();
    if let Some((partner, theirs)) = partners_shared(app, &reader, now).await? {
        if !theirs.is_empty() {
            let own_shared: Vec<CheckinRecord> = own.iter().filter(|c| c.shared).cloned().collect();
            love = love_pairs((me.id, &own_shared), (partner, &theirs));
            partners.push(series_of(partner, &theirs));
        }
    }
    Ok(Summary {
        partners,
        love,
        cadence_days: every,
        due,
    })
}

/// Both partners' **shared** check-ins and reciprocated love where both
/// shared, for the couple's counselor: never a private one (the store is
/// asked for shared ones only). Each partner whose shared check-ins are
/// read gets a line in their access log.
pub(crate) async fn for_counselor(
    store: &dyn crate::store::Store,
    rel: RelationshipId,
    pair: [AccountId; 2],
    counselor: AccountId,
    now: DateTime<Utc>,
) -> Result<Summary, DomainError> {
    let a = store.checkins_of(rel, pair[0], true).await?;
    let b = store.checkins_of(rel, pair[1], true).await?;
    for (who, shared) in [(pair[0], &a), (pair[1], &b)] {
        if !shared.is_empty() {
            access_log::record(store, rel, who, counselor, "checkins", now).await;
        }
    }
    Ok(Summary {
        love: love_pairs((pair[0], &a), (pair[1], &b)),
        partners: vec![series_of(pair[0], &a), series_of(pair[1], &b)],
        cadence_days: cadence(store, rel).await?,
        due: false,
    })
}

/// Where the caller's own check-ins stand (see [`due`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The next check-in is due.
    pub due: bool,
    /// How often the couple checks in, in days.
    pub every_days: u32,
    /// The caller has checked in at least once.
    pub ever: bool,
}

/// How often the couple checks in, and whether the caller's next check-in
/// is due: for the home page and the questionnaire, which show no one's
/// answers (so, unlike [`summary`], this reads nothing of the partner's and
/// adds no line to their access log).
pub async fn due(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Due, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let every = cadence(store, rel).await?;
    let last = store
        .checkins_of(rel, me.id, false)
        .await?
        .last()
        .map(|c| c.day);
    Ok(Due {
        due: !reader.is_former() && is_due(last, every, now.date_naive()),
        every_days: every,
        ever: last.is_some(),
    })
}

/// Sets how often the couple checks in (either partner, for both).
pub async fn set_cadence(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    every_days: i64,
    now: DateTime<Utc>,
) -> Result<u32, DomainError> {
    let store = app.store();
    let days = u32::try_from(every_days)
        .ok()
        .filter(|d| CADENCE_DAYS.contains(d))
        .ok_or_else(|| {
            FieldError::new("every_days", "out_of_range", "Choose from 1 to 90 days.")
        })?;
    access::writer(store, me.id, rel).await?;
    if !store.set_checkin_cadence(rel, me.id, days, now).await? {
        return Err(access::refusal(store, me.id, rel)
            .await?
            .unwrap_or_else(access::ended));
    }
    Ok(days)
}

/// The dyadic export (pairwise format, SCIENCE.md §6.2): for each week both
/// partners shared a check-in, one row per partner with their own answers
/// (`_A`) and the other's (`_P`). `dyad` is the week, `person` 1 or 2 in
/// the space's member order. It reads straight into
/// `reciprocity analyze apim --dyad dyad --distinguish person …`.
pub async fn dyadic_csv(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<String, DomainError> {
    let store = app.store();
    // The partner's answers: only while both are in the space.
    let writer = access::writer(store, me.id, rel).await?;
    let [a, b] = writer.pair();
    let rows_a = store.checkins_of(rel, a, true).await?;
    let rows_b = store.checkins_of(rel, b, true).await?;
    let partner = writer.partner;
    if !(if partner == a { &rows_a } else { &rows_b }).is_empty() {
        access_log::record(store, rel, partner, me.id, "checkins", now).await;
    }
    let (weeks_a, weeks_b) = (by_week(&rows_a), by_week(&rows_b));
    let columns = |suffix: &str| {
        ITEMS
            .iter()
            .map(|i| format!("{}_{suffix}", i.key))
            .chain(std::iter::once(format!("outcome_{suffix}")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut csv = format!("dyad,person,{},{}\n", columns("A"), columns("P"));
    let values = |c: &CheckinRecord| {
        c.items
            .iter()
            .map(u8::to_string)
            .chain(std::iter::once(
                figures::outcome(c.items[REWARDS], c.items[COSTS]).to_string(),
            ))
            .collect::<Vec<_>>()
            .join(",")
    };
    for (week, ca) in &weeks_a {
        if let Some(cb) = weeks_b.get(week) {
            csv.push_str(&format!("{week},1,{},{}\n", values(ca), values(cb)));
            csv.push_str(&format!("{week},2,{},{}\n", values(cb), values(ca)));
        }
    }
    Ok(csv)
}

/// The index of an item by its API key (for forms).
pub fn item_index(key: &str) -> Option<usize> {
    ITEMS.iter().position(|i| i.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(day: i32, items: [u8; 10]) -> CheckinRecord {
        CheckinRecord {
            id: uuid::Uuid::nil(),
            author: AccountId(uuid::Uuid::nil()),
            day,
            items,
            shared: true,
            note: None,
            created_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn answers_and_dates_are_checked_by_field() {
        let item = |key| ITEMS.iter().find(|i| i.key == key).expect("an item");
        assert_eq!(answer(8, item("passion")), Ok(8));
        let over = answer(9, item("passion")).expect_err("9");
        assert_eq!((over.field, over.code), ("passion", "out_of_range"));
        // Ten questions may be refused at once: each names its own.
        assert!(over.message.contains(item("passion").label), "{over:?}");
        assert!(answer(-1, item("costs")).is_err());
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        assert_eq!(on(None, today), Ok(today));
        assert!(on(Some("2026-12-01"), today).is_ok(), "a time zone ahead");
        assert_eq!(
            on(Some("2026-12-02"), today).map_err(|e| e.code),
            Err("in_the_future")
        );
        assert_eq!(
            on(Some("30/11/2026"), today).map_err(|e| e.field),
            Err("on")
        );
        assert_eq!(note(Some("  ")), Ok(None));
        assert!(note(Some(&"n".repeat(NOTE_MAX_CHARS + 1))).is_err());
    }

    #[test]
    fn the_outcome_is_rewards_minus_costs_and_the_series_carries_the_comparison_level() {
        // Rewards/costs 6/2, 5/5, 7/1: outcomes 4, 0, 6; levels -, 4, 2.
        let mut a = [4u8; 10];
        let mut rows = Vec::new();
        for (day, (r, c)) in [(0, (6, 2)), (7, (5, 5)), (14, (7, 1))] {
            a[REWARDS] = r;
            a[COSTS] = c;
            rows.push(rec(day, a));
        }
        let s = series_of(AccountId(uuid::Uuid::nil()), &rows);
        let outcomes: Vec<f64> = s.series.iter().map(|p| p.outcome).collect();
        assert_eq!(outcomes, [4.0, 0.0, 6.0]);
        let levels: Vec<Option<f64>> = s.series.iter().map(|p| p.comparison_level).collect();
        assert_eq!(levels, [None, Some(4.0), Some(2.0)]);
        assert_eq!(s.balance.outcome_vs_comparison, Some(4.0));
        assert_eq!(s.balance.slope_per_week, Some(1.0));
    }

    #[test]
    fn love_pairs_meet_in_weeks_both_shared() {
        // 2026-11-30 is a Monday; three days on is the same week.
        let monday = day_number(NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"));
        let mut a = [0u8; 10];
        a[LOVE_GIVEN] = 7;
        a[LOVE_RECEIVED] = 5;
        let mut b = [0u8; 10];
        b[LOVE_GIVEN] = 6;
        b[LOVE_RECEIVED] = 3;
        let (ida, idb) = (
            AccountId(uuid::Uuid::from_u128(1)),
            AccountId(uuid::Uuid::from_u128(2)),
        );
        let pairs = love_pairs(
            (ida, &[rec(monday, a), rec(monday + 7, a)]),
            (idb, &[rec(monday + 3, b)]),
        );
        assert_eq!(pairs.len(), 2, "one week in common, both ways");
        assert_eq!(
            (pairs[0].from, pairs[0].love_given, pairs[0].love_received),
            (ida, 7, 3)
        );
        assert_eq!(
            (pairs[1].from, pairs[1].love_given, pairs[1].love_received),
            (idb, 6, 5)
        );
        assert_eq!(
            pairs[0].week_of,
            NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
        );
    }

    #[test]
    fn due_after_the_cadence() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        let t = day_number(today);
        assert!(is_due(None, 7, today));
        assert!(!is_due(Some(t - 6), 7, today));
        assert!(is_due(Some(t - 7), 7, today));
    }
}
