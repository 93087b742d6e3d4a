//! The ledger: contributions seen and thanked.
//!
//! Appreciation first. A contribution is recorded by its giver (or by its
//! receiver, "you did this for me"); only the receiver says what it meant to
//! them, once. Figures (the reciprocity index, equity) are computed by
//! `analytics::ledger` and shown only when both partners have chosen to see
//! numbers: keeping score predicts falling satisfaction, so nothing here
//! ever turns the balance into a debt.

pub use analytics::ledger::{Balance, Entry, Lean, PartnerTotals, Week};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::access::{self, Reader, Writer};
use crate::access_log;
use crate::app::App;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::me::{Me, Shared};
use crate::store::{ContributionFilter, ContributionRecord, NewContribution, Relationship, Store};

/// A giver may correct or delete their own entry for this long; after that
/// it is history.
pub const EDIT_WINDOW_HOURS: i64 = 24;
/// The balance looks back this far unless asked otherwise.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;
const DESCRIPTION_MAX: usize = 500;
const NOTE_MAX: usize = 1000;
const MINUTES_MAX: u32 = 24 * 60;

/// The nine domains of exchange (API.md), in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    HouseholdLabor,
    MoneyAndGoods,
    EmotionalSupport,
    PhysicalAffection,
    SexualIntimacy,
    Parenting,
    FamilyAndSocial,
    Planning,
    PersonalGrowth,
}

impl Domain {
    pub const ALL: [Domain; 9] = [
        Self::HouseholdLabor,
        Self::MoneyAndGoods,
        Self::EmotionalSupport,
        Self::PhysicalAffection,
        Self::SexualIntimacy,
        Self::Parenting,
        Self::FamilyAndSocial,
        Self::Planning,
        Self::PersonalGrowth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HouseholdLabor => "household_labor",
            Self::MoneyAndGoods => "money_and_goods",
            Self::EmotionalSupport => "emotional_support",
            Self::PhysicalAffection => "physical_affection",
            Self::SexualIntimacy => "sexual_intimacy",
            Self::Parenting => "parenting",
            Self::FamilyAndSocial => "family_and_social",
            Self::Planning => "planning",
            Self::PersonalGrowth => "personal_growth",
        }
    }

    /// How the web UI names the domain.
    pub fn label(self) -> &'static str {
        match self {
            Self::HouseholdLabor => "Home and chores",
            Self::MoneyAndGoods => "Money and things",
            Self::EmotionalSupport => "Listening and support",
            Self::PhysicalAffection => "Affection and touch",
            Self::SexualIntimacy => "Intimacy",
            Self::Parenting => "Children",
            Self::FamilyAndSocial => "Family and friends",
            Self::Planning => "Planning and remembering",
            Self::PersonalGrowth => "Growing together",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|d| *d == self).unwrap_or(0)
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "domain",
                    "unknown_domain",
                    format!(
                        "Choose what it is about: one of {}.",
                        Self::ALL.map(Domain::as_str).join(", ")
                    ),
                )
            })
    }
}

/// A rating from 1 to 5 (effort, or what a gift meant), its message naming
/// `what` is rated, since a form may refuse both at once.
pub fn rating(value: i64, field: &'static str, what: &str) -> Result<u8, FieldError> {
    u8::try_from(value)
        .ok()
        .filter(|v| (1..=5).contains(v))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "out_of_range",
                format!("Choose {what}, from 1 to 5."),
            )
        })
}

/// The two ratings' words, in one place for the quick log, a correction
/// and a thank-you.
const EFFORT: &str = "how much it took";
const MEANT: &str = "how much it meant to you";

fn description(raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            "description",
            "required",
            "Say in a few words what was done.",
        ));
    }
    if text.chars().count() > DESCRIPTION_MAX {
        return Err(FieldError::new(
            "description",
            "too_long",
            format!("Please keep the description to {DESCRIPTION_MAX} characters or fewer."),
        ));
    }
    Ok(text.to_owned())
}

fn note(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > NOTE_MAX {
        return Err(FieldError::new(
            "note",
            "too_long",
            format!("Please keep the note to {NOTE_MAX} characters or fewer."),
        ));
    }
    Ok(Some(text.to_owned()))
}

fn minutes(raw: Option<i64>) -> Result<Option<u32>, FieldError> {
    match raw {
        None => Ok(None),
        Some(m) => u32::try_from(m)
            .ok()
            .filter(|m| (1..=MINUTES_MAX).contains(m))
            .map(Some)
            .ok_or_else(|| {
                FieldError::new("minutes", "out_of_range", "Minutes go from 1 to 1440.")
            }),
    }
}

/// A `YYYY-MM-DD` date no more than a day ahead of `today` (a partner a
/// time zone ahead of the server may already be on tomorrow).
pub fn occurred_on(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(today);
    };
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            "occurred_on",
            "invalid_date",
            "Write the day it happened as a date like 2026-03-14.",
        )
    })?;
    if date > today + Duration::days(1) {
        return Err(FieldError::new(
            "occurred_on",
            "in_the_future",
            "The day it happened hasn't come yet: choose today or earlier.",
        ));
    }
    if date < NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(FieldError::new(
            "occurred_on",
            "invalid_date",
            "Choose a day it happened from 1970 on.",
        ));
    }
    Ok(date)
}

/// Days since 1970-01-01, the unit the store and the analytics count in.
pub fn day_number(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}

pub fn date_of(day: i32) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    epoch + Duration::days(i64::from(day))
}

/// What a person typed to record a contribution, before validation.
pub struct ContributionInput<'a> {
    pub domain: &'a str,
    pub description: &'a str,
    pub occurred_on: Option<&'a str>,
    pub effort: i64,
    pub minutes: Option<i64>,
    /// "You did this for me": the caller is the receiver and the partner the giver.
    pub for_partner: bool,
    /// Required when `for_partner`: what it meant to the caller, who received it.
    pub value: Option<i64>,
    pub note: Option<&'a str>,
}

/// Whether figures (the receiver's 1–5 ratings and everything computed
/// from them) may be shown: only when both partners chose to see them.
/// SECURITY/SCIENCE: the one place the consent is decided; views below carry
/// a figure only when this says `Shown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Hidden,
    Shown,
}

/// What the author of an entry wrote about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDetails {
    pub domain: Domain,
    pub description: String,
    /// Days since 1970-01-01.
    pub day: i32,
    pub effort: u8,
    pub minutes: Option<u32>,
}

/// The receiver's response to an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thanks {
    /// What it meant to the receiver, 1–5. SECURITY: `Some` only for the
    /// receiver themselves, or for the giver once both chose to see figures.
    pub value: Option<u8>,
    pub note: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// A contribution as one person may see it; the only form in which an
/// entry leaves the domain. Built by [`EntryView::for_reader`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryView {
    pub id: uuid::Uuid,
    pub giver: AccountId,
    pub receiver: AccountId,
    pub logged_by: AccountId,
    pub created_at: DateTime<Utc>,
    /// `None` when the caller may not read the author's words (a former
    /// partner reading an entry the other wrote).
    pub details: Option<EntryDetails>,
    /// `None` before it was thanked, or when the caller may not read the
    /// thanks (a former partner reading the other's).
    pub thanks: Option<Thanks>,
    /// The caller may still correct or delete it (the 24-hour rule).
    pub editable: bool,
}

impl EntryView {
    /// What `reader` may see of `record`; `None` when nothing at all.
    fn for_reader(
        record: ContributionRecord,
        reader: &Reader,
        consent: Consent,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        let editable =
            !reader.is_former() && correction_refused(&record, reader.actor, now).is_none();
        let details = reader
            .may_read_words_of(record.logged_by)
            .then_some(EntryDetails {
                domain: record.domain,
                description: record.description,
                day: record.day,
                effort: record.effort,
                minutes: record.minutes,
            });
        let own_rating = record.receiver == reader.actor;
        let thanks = record
            .value
            .filter(|_| reader.may_read_words_of(record.receiver))
            .map(|value| Thanks {
                value: (own_rating || consent == Consent::Shown).then_some(value),
                note: record.thanks_note,
                at: record.acknowledged_at,
            });
        if details.is_none() && thanks.is_none() {
            return None;
        }
        Some(Self {
            id: record.id,
            giver: record.giver,
            receiver: record.receiver,
            logged_by: record.logged_by,
            created_at: record.created_at,
            details,
            thanks,
            editable,
        })
    }
}

/// The fields sealed with the couple's key, each bound to its entry's id.
const DESCRIPTION: &str = "contributions.description";
const THANKS_NOTE: &str = "contributions.thanks_note";

/// A stored entry with its words opened; every read goes through here.
fn opened(key: &Shared, mut record: ContributionRecord) -> Result<ContributionRecord, DomainError> {
    let id = record.id.to_string();
    record.description = key.open(DESCRIPTION, &id, &record.description)?;
    record.thanks_note = record
        .thanks_note
        .map(|note| key.open(THANKS_NOTE, &id, &note))
        .transpose()?;
    Ok(record)
}

fn one_view(
    record: ContributionRecord,
    reader: &Reader,
    consent: Consent,
    now: DateTime<Utc>,
) -> Result<EntryView, DomainError> {
    EntryView::for_reader(record, reader, consent, now).ok_or(DomainError::NotFound)
}

/// The figures consent of a relationship, as `reader` is subject to it.
async fn consent(store: &dyn Store, reader: &Reader) -> Result<Consent, DomainError> {
    Ok(if choices(store, reader).await?.visible() {
        Consent::Shown
    } else {
        Consent::Hidden
    })
}

/// The entries `ids` as `reader` may see them, in that order; those gone
/// or not theirs to read are left out (agreements show their linked
/// contributions through this, with the ledger's own rules).
pub(crate) async fn views_of(
    store: &dyn Store,
    key: &Shared,
    reader: &Reader,
    ids: &[uuid::Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<EntryView>, DomainError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let consent = consent(store, reader).await?;
    let mut views = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(record) = store.contribution(reader.rel.id, *id).await? {
            if let Some(view) = EntryView::for_reader(opened(key, record)?, reader, consent, now) {
                views.push(view);
            }
        }
    }
    Ok(views)
}

/// The writer's view of an entry just written: read back with the rules.
async fn written(
    store: &dyn Store,
    key: &Shared,
    writer: &Writer,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<EntryView, DomainError> {
    let reader = writer.as_reader();
    let record = store
        .contribution(writer.rel.id, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let consent = consent(store, &reader).await?;
    one_view(opened(key, record)?, &reader, consent, now)
}

pub async fn record(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    input: ContributionInput<'_>,
    now: DateTime<Utc>,
) -> Result<EntryView, DomainError> {
    let store = app.store();
    let actor = me.id;
    // Every field is checked, so a form shows all there is to fix at once.
    let mut checks = Checks::new();
    let domain = checks.field(Domain::parse(input.domain));
    let description = checks.field(description(input.description));
    let occurred = checks.field(occurred_on(input.occurred_on, now.date_naive()));
    let effort = checks.field(rating(input.effort, "effort", EFFORT));
    let minutes = checks.field(minutes(input.minutes));
    let receiving = if input.for_partner {
        let value = input
            .value
            .ok_or_else(|| {
                FieldError::new(
                    "value",
                    "required",
                    "Say how much this meant to you, from 1 to 5.",
                )
            })
            .and_then(|value| rating(value, "value", MEANT));
        let value = checks.field(value);
        let thanks = checks.field(note(input.note));
        value
            .zip(thanks)
            .map(|(value, thanks)| (Some(value), thanks))
    } else {
        checks.field(match input.value {
            Some(_) => Err(FieldError::new(
                "value",
                "receiver_only",
                "Only the person who received it says what it meant to them.",
            )),
            None => Ok((None, None)),
        })
    };
    let (domain, description, occurred, effort, minutes, (value, thanks)) =
        checks.done((domain, description, occurred, effort, minutes, receiving))?;
    let writer = access::writer(store, actor, rel).await?;
    let key = me.shared(store, &writer.rel).await?;
    let (giver, receiver) = if input.for_partner {
        (writer.partner, actor)
    } else {
        (actor, writer.partner)
    };
    let id = uuid::Uuid::new_v4();
    let record = id.to_string();
    let new = NewContribution {
        id,
        relationship_id: rel,
        giver,
        receiver,
        logged_by: actor,
        domain,
        description: key.seal(DESCRIPTION, &record, &description),
        day: day_number(occurred),
        effort,
        minutes,
        created_at: now,
        value,
        thanks_note: thanks.map(|note| key.seal(THANKS_NOTE, &record, &note)),
    };
    // The store inserts only into an active relationship: a leave that
    // lands between the check above and this write wins.
    if !store.insert_contribution(&new).await? {
        return Err(access::refusal(store, actor, rel)
            .await?
            .unwrap_or_else(access::ended));
    }
    written(store, &key, &writer, new.id, now).await
}

fn already_thanked() -> DomainError {
    DomainError::conflict("already_acknowledged", "You've already thanked this one.")
}

/// The receiver says what it meant (and may say thank you).
pub async fn acknowledge(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    value: i64,
    thanks: Option<&str>,
    now: DateTime<Utc>,
) -> Result<EntryView, DomainError> {
    let store = app.store();
    let actor = me.id;
    let value = rating(value, "value", MEANT)?;
    let thanks = note(thanks)?;
    let writer = access::writer(store, actor, rel).await?;
    let key = me.shared(store, &writer.rel).await?;
    let thanks = thanks.map(|note| key.seal(THANKS_NOTE, &id.to_string(), &note));
    let found = store
        .contribution(rel, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    if found.receiver != actor {
        return Err(DomainError::Forbidden {
            code: "receiver_only",
            message: "Only the person who received this can say what it meant to them.".into(),
        });
    }
    if found.value.is_some() {
        return Err(already_thanked());
    }
    // The rule is in the write (`value IS NULL`, receiver, active): of two
    // thanks, or a thanks and a leave, racing, one wins.
    if !store
        .acknowledge_contribution(rel, id, actor, value, thanks.as_deref(), now)
        .await?
    {
        return Err(access::refusal(store, actor, rel)
            .await?
            .unwrap_or_else(already_thanked));
    }
    written(store, &key, &writer, id, now).await
}

/// Why an entry can no longer be changed by `actor`, if it cannot. The one
/// place the 24-hour rule is stated; the store repeats it in the write
/// ([`crate::store::Store::update_contribution`]) so a thanks racing a
/// correction cannot be overtaken.
pub fn correction_refused(
    record: &ContributionRecord,
    actor: AccountId,
    now: DateTime<Utc>,
) -> Option<DomainError> {
    if record.logged_by != actor {
        return Some(DomainError::Forbidden {
            code: "not_yours",
            message: "Only the person who wrote this entry can change it.".into(),
        });
    }
    if now - record.created_at > Duration::hours(EDIT_WINDOW_HOURS) {
        return Some(DomainError::conflict(
            "kept_as_history",
            "Entries can be changed for 24 hours; after that they are kept as they were.",
        ));
    }
    if record.value.is_some() && record.giver == actor {
        return Some(DomainError::conflict(
            "kept_as_history",
            "Your partner has already responded to this entry, so it is kept as it was.",
        ));
    }
    None
}

/// The oldest creation time an entry may have and still be changed at `now`.
pub fn correction_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(EDIT_WINDOW_HOURS)
}

/// Loads a contribution its author may still change.
async fn correctable(
    store: &dyn Store,
    actor: AccountId,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<(Writer, ContributionRecord), DomainError> {
    let writer = access::writer(store, actor, rel).await?;
    let found = store
        .contribution(rel, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    match correction_refused(&found, actor, now) {
        Some(refusal) => Err(refusal),
        None => Ok((writer, found)),
    }
}

/// Why a conditional correction or deletion changed nothing: the entry is
/// gone, was thanked meanwhile, or the relationship ended meanwhile.
async fn explain_refused_change(
    store: &dyn Store,
    actor: AccountId,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> DomainError {
    match correctable(store, actor, rel, id, now).await {
        Err(refused) => refused,
        // Nothing explains it: report the conflict rather than pretend.
        Ok(_) => DomainError::conflict(
            "kept_as_history",
            "This entry changed while you were editing it; it is kept as it is now.",
        ),
    }
}

pub struct Correction<'a> {
    pub domain: Option<&'a str>,
    pub description: Option<&'a str>,
    pub occurred_on: Option<&'a str>,
    pub effort: Option<i64>,
    pub minutes: Option<Option<i64>>,
}

pub async fn correct(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    change: Correction<'_>,
    now: DateTime<Utc>,
) -> Result<EntryView, DomainError> {
    let store = app.store();
    let actor = me.id;
    let (writer, mut updated) = correctable(store, actor, rel, id, now).await?;
    let key = me.shared(store, &writer.rel).await?;
    // Every changed field is checked before any is applied, so a form
    // shows all there is to fix at once.
    let mut checks = Checks::new();
    let domain = change.domain.map(|d| checks.field(Domain::parse(d)));
    let text = change.description.map(|d| checks.field(description(d)));
    let day = change
        .occurred_on
        .map(|_| checks.field(occurred_on(change.occurred_on, now.date_naive())));
    let effort = change
        .effort
        .map(|e| checks.field(rating(e, "effort", EFFORT)));
    let minutes = change.minutes.map(|m| checks.field(minutes(m)));
    // Each is `None` when unchanged, `Some(value)` when changed and accepted.
    let (domain, text, day, effort, minutes) = checks.done((
        changed(domain),
        changed(text),
        changed(day),
        changed(effort),
        changed(minutes),
    ))?;
    if let Some(d) = domain {
        updated.domain = d;
    }
    if let Some(d) = text {
        updated.description = key.seal(DESCRIPTION, &id.to_string(), &d);
    }
    if let Some(d) = day {
        updated.day = day_number(d);
    }
    if let Some(e) = effort {
        updated.effort = e;
    }
    if let Some(m) = minutes {
        updated.minutes = m;
    }
    if !store
        .update_contribution(rel, actor, &updated, correction_cutoff(now))
        .await?
    {
        return Err(explain_refused_change(store, actor, rel, id, now).await);
    }
    written(store, &key, &writer, id, now).await
}

/// A field a correction may leave alone, for `Checks::done`: unchanged is
/// a kept `None`, a refused change is missing.
fn changed<T>(checked: Option<Option<T>>) -> Option<Option<T>> {
    match checked {
        None => Some(None),
        Some(kept) => kept.map(Some),
    }
}

pub async fn remove(
    app: &App,
    actor: AccountId,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let store = app.store();
    correctable(store, actor, rel, id, now).await?;
    if !store
        .delete_contribution(rel, actor, id, correction_cutoff(now))
        .await?
    {
        return Err(explain_refused_change(store, actor, rel, id, now).await);
    }
    Ok(())
}

/// Contributions the actor may see, newest first: while the relationship
/// is open, all of them (figures by consent); once it ended, only what the
/// actor wrote (entries they logged, thanks they gave).
pub async fn list(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    mut filter: ContributionFilter,
    now: DateTime<Utc>,
) -> Result<Vec<EntryView>, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    if reader.is_former() {
        filter.written_by = Some(me.id);
    }
    let consent = consent(store, &reader).await?;
    let found = store.contributions(rel, &filter).await?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let key = me.shared(store, &reader.rel).await?;
    let mut views = Vec::with_capacity(found.len());
    for record in found {
        if let Some(view) = EntryView::for_reader(opened(&key, record)?, &reader, consent, now) {
            views.push(view);
        }
    }
    if let Some(partner) = reader.partner() {
        let theirs = |v: &EntryView| {
            (v.logged_by == partner && v.details.is_some())
                || (v.receiver == partner && v.thanks.is_some())
        };
        if views.iter().any(theirs) {
            access_log::record(store, rel, partner, me.id, "ledger", now).await;
        }
    }
    Ok(views)
}

/// The entry's words, if `actor` may still correct it; otherwise why not
/// (the correction form asks before it shows anything).
pub async fn correctable_entry(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<EntryDetails, DomainError> {
    let store = app.store();
    let (writer, record) = correctable(store, me.id, rel, id, now).await?;
    let record = opened(&me.shared(store, &writer.rel).await?, record)?;
    Ok(EntryDetails {
        domain: record.domain,
        description: record.description,
        day: record.day,
        effort: record.effort,
        minutes: record.minutes,
    })
}

/// The actor's own recent descriptions, offered again when logging.
///
/// Each description is sealed apart (random nonces), so the database cannot
/// tell two equal ones apart: the latest 64 are opened and told apart here.
pub async fn suggestions(
    app: &App,
    me: &Me,
    rel: RelationshipId,
) -> Result<Vec<String>, DomainError> {
    const SHOWN: usize = 8;
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let recent = store.recent_descriptions(rel, me.id, 64).await?;
    if recent.is_empty() {
        return Ok(Vec::new());
    }
    let key = me.shared(store, &reader.rel).await?;
    let mut distinct: Vec<String> = Vec::with_capacity(SHOWN);
    for (id, sealed) in recent {
        let text = key.open(DESCRIPTION, &id.to_string(), &sealed)?;
        if !distinct.contains(&text) {
            distinct.push(text);
            if distinct.len() == SHOWN {
                break;
            }
        }
    }
    Ok(distinct)
}

pub async fn set_show_numbers(
    app: &App,
    actor: AccountId,
    rel: RelationshipId,
    show: bool,
    now: DateTime<Utc>,
) -> Result<NumbersChoice, DomainError> {
    let store = app.store();
    access::writer(store, actor, rel).await?;
    if !store.set_show_numbers(rel, actor, show, now).await? {
        return Err(access::refusal(store, actor, rel)
            .await?
            .unwrap_or_else(access::ended));
    }
    numbers_choice(app, actor, rel).await
}

/// Each partner's own choice, and whether numbers are visible (both chose them).
pub struct NumbersChoice {
    pub mine: bool,
    pub partner: bool,
}

impl NumbersChoice {
    pub fn visible(&self) -> bool {
        self.mine && self.partner
    }
}

async fn choices(store: &dyn Store, reader: &Reader) -> Result<NumbersChoice, DomainError> {
    let chosen = store.show_numbers(reader.rel.id).await?;
    let choice_of = |who: AccountId| chosen.iter().any(|(a, show)| *a == who && *show);
    Ok(NumbersChoice {
        mine: choice_of(reader.actor),
        // A former partner's choice is theirs: it no longer counts for anyone.
        partner: reader.partner().is_some_and(choice_of),
    })
}

pub async fn numbers_choice(
    app: &App,
    actor: AccountId,
    rel: RelationshipId,
) -> Result<NumbersChoice, DomainError> {
    let store = app.store();
    let reader = access::reader(store, actor, rel).await?;
    choices(store, &reader).await
}

/// What a balance may show. SECURITY/SCIENCE: until both partners chose to
/// see figures there is no figure here at all, only how many gifts still
/// wait for thanks (which each partner can count from the lists anyway).
#[derive(Debug, Clone, PartialEq)]
pub enum Figures {
    Hidden {
        /// Per partner (in `BalanceView::members` order).
        awaiting_thanks: [u32; 2],
        /// Per domain (index of [`Domain::ALL`]), per partner.
        awaiting_by_domain: Vec<[u32; 2]>,
    },
    Shown(Balance),
}

/// The balance of a window, with the members in the order of the analytics (0, 1).
pub struct BalanceView {
    pub members: [AccountId; 2],
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub numbers: NumbersChoice,
    pub figures: Figures,
}

fn ended_balance() -> DomainError {
    DomainError::conflict(
        "ended",
        "This space has ended, so its balance is no longer shown. You can still reread what you wrote.",
    )
}

pub async fn balance(
    app: &App,
    actor: AccountId,
    rel: RelationshipId,
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<BalanceView, DomainError> {
    let store = app.store();
    let reader = access::reader(store, actor, rel).await?;
    // The balance weighs both partners' words: a former partner has none of
    // the other's to weigh.
    if reader.is_former() {
        return Err(ended_balance());
    }
    let today = now.date_naive();
    let parse = |raw: &str, field: &'static str| {
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new(field, "invalid_date", "Use a date like 2026-03-14."))
    };
    let to = match to.filter(|t| !t.trim().is_empty()) {
        Some(t) => parse(t, "to")?,
        None => today,
    };
    let from = match from.filter(|f| !f.trim().is_empty()) {
        Some(f) => parse(f, "from")?,
        None => to - Duration::days(DEFAULT_WINDOW_DAYS - 1),
    };
    if from > to {
        return Err(FieldError::new(
            "from",
            "after_to",
            "The start must be on or before the end.",
        )
        .into());
    }
    if (to - from).num_days() > 366 * 20 {
        return Err(
            FieldError::new("from", "too_long", "Choose a window of at most 20 years.").into(),
        );
    }
    let numbers = choices(store, &reader).await?;
    balance_of(store, &reader.rel, from, to, numbers).await
}

/// The balance of a space from `from` to `to` with the figures `numbers`
/// allows; the same for both partners and for their counselor.
async fn balance_of(
    store: &dyn Store,
    rel: &Relationship,
    from: NaiveDate,
    to: NaiveDate,
    numbers: NumbersChoice,
) -> Result<BalanceView, DomainError> {
    let [first, second] = match rel.members.as_slice() {
        [a, b, ..] => [a.account_id, b.account_id],
        [a] => [a.account_id, a.account_id],
        [] => return Err(DomainError::NotFound),
    };
    let (from_day, to_day) = (day_number(from), day_number(to));
    let entries = store
        .ledger_entries(rel.id, first, from_day, to_day)
        .await?;
    let balance = analytics::ledger::balance(&entries, from_day, to_day);
    let figures = if numbers.visible() {
        Figures::Shown(balance)
    } else {
        let awaiting = |t: &[PartnerTotals; 2]| [t[0].awaiting_thanks, t[1].awaiting_thanks];
        Figures::Hidden {
            awaiting_thanks: awaiting(&balance.partners),
            awaiting_by_domain: balance.by_domain.iter().map(awaiting).collect(),
        }
    };
    Ok(BalanceView {
        members: [first, second],
        from,
        to,
        numbers,
        figures,
    })
}

/// The balance over the default window ending `today`, for the couple's
/// counselor: figures only when both partners chose to see figures
/// (`numbers` then reads as both "yes"), the same rule as for them.
pub(crate) async fn balance_for_counselor(
    store: &dyn Store,
    rel: &Relationship,
    pair: [AccountId; 2],
    today: NaiveDate,
) -> Result<BalanceView, DomainError> {
    let chosen = store.show_numbers(rel.id).await?;
    let choice_of = |who: AccountId| chosen.iter().any(|(a, show)| *a == who && *show);
    let numbers = NumbersChoice {
        mine: choice_of(pair[0]),
        partner: choice_of(pair[1]),
    };
    let from = today - Duration::days(DEFAULT_WINDOW_DAYS - 1);
    balance_of(store, rel, from, today, numbers).await
}

/// The balance in one sentence for the partner at `viewer` (0 or 1, the
/// analytics order) about `partner`: which way the value given leans, as
/// each receiver rated it ([`analytics::ledger::lean`]). Warm and coarse on
/// purpose: never exact, never a debt, never "you are not giving enough"
/// (SCIENCE.md §5.2: an imbalance must never read as a verdict).
pub fn lean_sentence(given_value: [u32; 2], viewer: usize, partner: &str) -> String {
    const SEASON: &str =
        "It's a picture of a season, never a debt: giving moves back and forth over time.";
    match analytics::ledger::lean(given_value) {
        Lean::NothingYet => format!(
            "Nothing has been thanked in these days yet, so there is no picture of how your giving leans. Thanking {partner} for something starts it."
        ),
        Lean::AboutEven => {
            "Your giving is about even lately: what each of you did meant about as much to the other. It never needs to be exact.".to_owned()
        }
        Lean::Toward { giver, clearly } => {
            let how = if clearly { "" } else { " a little" };
            let more = if clearly { "more" } else { "a bit more" };
            if giver == viewer {
                format!("Lately it leans{how} toward you: what you did meant {more} to {partner} than the other way round, as {partner} rated it. {SEASON}")
            } else {
                format!("Lately it leans{how} toward {partner}: what {partner} did meant {more} to you than the other way round, as you rated it. {SEASON}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tolerances are `analytics::ledger::lean`'s (hand-computed there);
    /// here: the direction is the viewer's, and no sentence is a debt.
    #[test]
    fn lean_sentences_say_which_way_warmly() {
        // 12 vs 30: ratio 0.4 → clearly toward partner 1.
        let me_first = lean_sentence([12, 30], 0, "Sam");
        assert!(
            me_first.starts_with("Lately it leans toward Sam:"),
            "{me_first}"
        );
        let me_second = lean_sentence([12, 30], 1, "Alex");
        assert!(
            me_second.starts_with("Lately it leans toward you:"),
            "{me_second}"
        );
        assert!(me_second.contains("meant more to Alex"));
        // 30 vs 20: ratio 0.667 → a little toward partner 0.
        let little = lean_sentence([30, 20], 0, "Sam");
        assert!(
            little.starts_with("Lately it leans a little toward you:"),
            "{little}"
        );
        assert!(little.contains("a bit more"));
        // 10 vs 14: gap 4 ≤ 5 → about even.
        assert!(lean_sentence([10, 14], 0, "Sam").contains("about even"));
        assert!(lean_sentence([0, 0], 1, "Sam").contains("Thanking Sam"));
        for s in [me_first, me_second, little] {
            assert!(s.contains("never a debt"));
            assert!(!s.contains("owe") && !s.contains("not giving enough"));
        }
    }

    #[test]
    fn domains_parse_by_their_api_names_only() {
        for d in Domain::ALL {
            assert_eq!(Domain::parse(d.as_str()), Ok(d));
        }
        assert_eq!(Domain::parse("chores").map_err(|e| e.field), Err("domain"));
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!(rating(1, "effort", EFFORT), Ok(1));
        assert_eq!(rating(5, "value", MEANT), Ok(5));
        for bad in [0, 6, -1, 300] {
            assert_eq!(
                rating(bad, "effort", EFFORT).map_err(|e| e.field),
                Err("effort")
            );
        }
    }

    #[test]
    fn dates_may_be_at_most_a_day_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        assert_eq!(occurred_on(None, today), Ok(today));
        assert!(occurred_on(Some("2026-11-28"), today).is_ok());
        assert_eq!(
            occurred_on(Some("2026-11-29"), today).map_err(|e| e.code),
            Err("in_the_future")
        );
        assert_eq!(
            occurred_on(Some("27/11/2026"), today).map_err(|e| e.code),
            Err("invalid_date")
        );
    }

    #[test]
    fn day_numbers_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 14).expect("date");
        assert_eq!(date_of(day_number(d)), d);
        assert_eq!(
            day_number(NaiveDate::from_ymd_opt(1970, 1, 2).expect("date")),
            1
        );
    }

    #[test]
    fn descriptions_are_required_and_bounded() {
        assert!(description("  ").is_err());
        assert!(description(&"x".repeat(501)).is_err());
        assert_eq!(description(" Made dinner "), Ok("Made dinner".to_owned()));
    }
}
