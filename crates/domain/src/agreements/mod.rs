//! Agreements: a couple's written terms for an exchange (labor, money and
//! goods, support, affection, intimacy, …), negotiated in versions and
//! reviewed as life changes (API.md "Agreements", DESIGN.md).
//!
//! - The rules of the negotiation live in [`negotiation`]; every move here
//!   replays the agreement, asks it, and stores the move only if nobody
//!   moved meanwhile (a compare and swap on the head's revision, inside the
//!   store's transaction), deciding again on the new state if someone did.
//! - Titles, terms, parts and reasons are sealed with the couple's key.
//! - Once the space ended, each former partner keeps their own copy of what
//!   they proposed and nothing of the other's (SECURITY.md §1.3, D4): only
//!   the versions and moves they wrote, without the agreement's status.
//! - Reading the partner's words notes it in their access log.

pub mod diff;
pub mod negotiation;
pub mod say;

use chrono::{DateTime, Duration, NaiveDate, Utc};

pub use negotiation::{Ask, Kind, Move, Negotiation, Status};

use crate::access::{self, Reader};
use crate::access_log;
use crate::app::App;
use crate::catalog::Deck;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::ledger::{self, date_of, day_number, Domain, EntryView};
use crate::me::{Me, Shared};
use crate::questionnaires::conversations;
use crate::store::{
    AgreementEvent, AgreementHead, AgreementLine, AgreementRecord, AgreementVersion,
    AgreementWrite, Relationship, Store,
};

pub const TITLE_MAX_CHARS: usize = 120;
pub const TERMS_MAX_CHARS: usize = 10_000;
pub const PART_MAX_CHARS: usize = 2_000;
pub const REASON_MAX_CHARS: usize = 2_000;
/// A review date at most this far ahead.
const REVIEW_MAX_YEARS: i64 = 10;
/// The balance of say looks back this far unless asked otherwise.
pub const SAY_WINDOW_DAYS: i64 = 365;
/// Tries at a move when others keep moving first.
const ATTEMPTS: usize = 4;

/// The sealed fields, each bound to its agreement and version or move.
const TITLE: &str = "agreement_versions.title";
const TERMS: &str = "agreement_versions.terms";
const PART: [&str; 2] = ["agreement_versions.part_a", "agreement_versions.part_b"];
const REASON: &str = "agreement_events.reason";

// ------------------------------------------------------------ validation

/// Required text, its too-long message naming `what` it is, since a form
/// may refuse several texts at once.
fn text(
    raw: &str,
    field: &'static str,
    what: &str,
    max: usize,
    empty: &'static str,
) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "required", empty));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("Please keep {what} to {max} characters or fewer."),
        ));
    }
    Ok(text.to_owned())
}

fn title(raw: &str) -> Result<String, FieldError> {
    text(
        raw,
        "title",
        "the name",
        TITLE_MAX_CHARS,
        "Give it a short name, like “Sunday dinners”.",
    )
}

fn terms(raw: &str) -> Result<String, FieldError> {
    text(
        raw,
        "terms",
        "the terms",
        TERMS_MAX_CHARS,
        "Write the terms in your own words: who does what, and how often.",
    )
}

fn reason(raw: &str) -> Result<String, FieldError> {
    text(
        raw,
        "reason",
        "the reason",
        REASON_MAX_CHARS,
        "Say in a few words why, so your partner understands.",
    )
}

/// An optional part: `None` when absent, `Some(None)` when cleared.
fn part(
    raw: Option<&str>,
    field: &'static str,
    whose: &str,
) -> Result<Option<Option<String>>, FieldError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.trim();
    if text.chars().count() > PART_MAX_CHARS {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("Please keep {whose} part to {PART_MAX_CHARS} characters or fewer."),
        ));
    }
    Ok(Some((!text.is_empty()).then(|| text.to_owned())))
}

/// A review date: `None` when absent, `Some(None)` when cleared; from
/// today to ten years ahead.
pub fn review_on(raw: Option<&str>, today: NaiveDate) -> Result<Option<Option<i32>>, FieldError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.trim();
    if text.is_empty() {
        return Ok(Some(None));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            "review_on",
            "invalid_date",
            "Write the review date as a date like 2027-03-14.",
        )
    })?;
    if date < today {
        return Err(FieldError::new(
            "review_on",
            "in_the_past",
            "Choose a review date from today on.",
        ));
    }
    if date > today + Duration::days(365 * REVIEW_MAX_YEARS) {
        return Err(FieldError::new(
            "review_on",
            "too_far",
            "Choose a review date within the next ten years.",
        ));
    }
    Ok(Some(Some(day_number(date))))
}

fn version_number(raw: i64) -> Result<u32, FieldError> {
    u32::try_from(raw).ok().filter(|v| *v >= 1).ok_or_else(|| {
        FieldError::new(
            "version",
            "unknown_version",
            "There is no such version of this agreement.",
        )
    })
}

// ------------------------------------------------------------ inputs

/// The words of a version as someone typed them. Absent fields of a
/// counter or revision are carried from the version it answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Words<'a> {
    pub title: Option<&'a str>,
    pub terms: &'a str,
    /// The caller's own part, and the partner's, in plain words.
    pub my_part: Option<&'a str>,
    pub partner_part: Option<&'a str>,
    pub review_on: Option<&'a str>,
}

/// A new agreement as proposed.
#[derive(Debug, Clone, Copy)]
pub struct Proposal<'a> {
    pub domain: &'a str,
    pub words: Words<'a>,
    /// The conversation (deck key, round) it grew from, if any.
    pub conversation: Option<(&'a str, i64)>,
}

/// Validated words, before carrying anything over.
#[derive(Clone)]
struct Checked {
    title: Option<String>,
    terms: String,
    my_part: Option<Option<String>>,
    partner_part: Option<Option<String>>,
    review_on: Option<Option<i32>>,
}

fn check_words(words: &Words<'_>, today: NaiveDate) -> Result<Checked, DomainError> {
    let mut checks = Checks::new();
    let checked = words_into(&mut checks, words, today);
    checks.done(checked)
}

/// Checks every field of the words, noting each refusal in `checks`, so
/// that a form shows all there is to fix at once.
fn words_into(checks: &mut Checks, words: &Words<'_>, today: NaiveDate) -> Option<Checked> {
    let title = checks.field(words.title.map(title).transpose());
    let terms = checks.field(terms(words.terms));
    let my_part = checks.field(part(words.my_part, "my_part", "your"));
    let partner_part = checks.field(part(words.partner_part, "partner_part", "your partner's"));
    let review_on = checks.field(review_on(words.review_on, today));
    Some(Checked {
        title: title?,
        terms: terms?,
        my_part: my_part?,
        partner_part: partner_part?,
        review_on: review_on?,
    })
}

// ------------------------------------------------------------ views

/// An agreement in a list, as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: uuid::Uuid,
    pub domain: Domain,
    pub title: String,
    /// `None` once the space ended: a former partner keeps their own words,
    /// not the other's answers.
    pub status: Option<Status>,
    pub latest_version: u32,
    pub in_force: Option<u32>,
    pub review_on: Option<NaiveDate>,
    /// Agreed, and its review date has come.
    pub due: bool,
    /// The latest version waits for the caller's answer.
    pub awaiting_me: bool,
    /// The latest version waits for the partner's answer.
    pub awaiting_partner: bool,
    pub proposed_by: AccountId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One version as the caller may read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionView {
    pub number: u32,
    pub author: AccountId,
    pub kind: Kind,
    pub title: String,
    pub terms: String,
    /// Each partner's part, where the version names one.
    pub parts: Vec<(AccountId, String)>,
    pub review_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    /// What changed in the terms since the version shown before it.
    pub changes: Option<Vec<diff::Piece>>,
    /// Whether the title changed since the version shown before it.
    pub title_changed: bool,
}

/// One move in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub actor: AccountId,
    pub kind: Kind,
    pub version: u32,
    pub reason: Option<String>,
    pub review_on: Option<NaiveDate>,
    pub at: DateTime<Utc>,
}

/// What the caller may do now (each from [`Negotiation::check`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moves {
    /// The version the caller may accept.
    pub accept: Option<u32>,
    /// The version the caller may decline.
    pub decline: Option<u32>,
    pub counter: bool,
    pub revise: bool,
    pub withdraw: bool,
    pub confirm: bool,
    pub retire: bool,
    pub link: bool,
}

/// An agreement with its versions, history and linked contributions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub summary: Summary,
    pub origin: Option<(&'static Deck, u32)>,
    /// Oldest first.
    pub versions: Vec<VersionView>,
    pub history: Vec<HistoryLine>,
    pub links: Vec<EntryView>,
    pub can: Moves,
    /// Who accepts the latest version now (while the space is open).
    pub accepting: Vec<AccountId>,
}

fn members(rel: &Relationship) -> Result<[AccountId; 2], DomainError> {
    match rel.members.as_slice() {
        [a, b, ..] => Ok([a.account_id, b.account_id]),
        _ => Err(access::ended()),
    }
}

fn moves_of(events: &[AgreementEvent]) -> Vec<Move> {
    events
        .iter()
        .map(|e| Move {
            actor: e.actor,
            kind: e.kind,
            version: e.version,
        })
        .collect()
}

fn replay(members: [AccountId; 2], record: &AgreementRecord) -> Result<Negotiation, DomainError> {
    Negotiation::replay(members, &moves_of(&record.events)).ok_or_else(|| {
        DomainError::Storage(format!("agreement {} has no proposal", record.head.id))
    })
}

fn due(head: &AgreementHead, today: NaiveDate) -> bool {
    head.status == Status::Accepted && head.review_on.is_some_and(|d| d <= day_number(today))
}

/// `shown` is the newest version the reader may read (for a former
/// partner, their own latest: the count of the other's is not theirs).
fn summary(
    head: &AgreementHead,
    title: String,
    shown: u32,
    reader: &Reader,
    today: NaiveDate,
) -> Summary {
    let former = reader.is_former();
    Summary {
        id: head.id,
        domain: head.domain,
        title,
        status: (!former).then_some(head.status),
        latest_version: if former { shown } else { head.latest_version },
        in_force: head.in_force.filter(|_| !former),
        review_on: head.review_on.filter(|_| !former).map(date_of),
        due: !former && due(head, today),
        awaiting_me: !former && head.awaiting == Some(reader.actor),
        awaiting_partner: !former && head.awaiting.is_some_and(|a| a != reader.actor),
        proposed_by: head.proposed_by,
        created_at: head.created_at,
        updated_at: head.updated_at,
    }
}

fn record_key(id: uuid::Uuid, n: impl std::fmt::Display) -> String {
    format!("{id}:{n}")
}

fn open_version(
    key: &Shared,
    id: uuid::Uuid,
    v: &AgreementVersion,
) -> Result<AgreementVersion, DomainError> {
    let at = record_key(id, v.number);
    let mut parts = [None, None];
    for (i, sealed) in v.parts.iter().enumerate() {
        parts[i] = sealed
            .as_deref()
            .map(|p| key.open(PART[i], &at, p))
            .transpose()?;
    }
    Ok(AgreementVersion {
        title: key.open(TITLE, &at, &v.title)?,
        terms: key.open(TERMS, &at, &v.terms)?,
        parts,
        ..v.clone()
    })
}

/// What a former partner's own version shows where its terms were the
/// other's, carried over unchanged.
const CARRIED: &str = "(The same terms as your partner's version before it.)";

/// A former partner's own version whose title was the other's.
fn untitled(domain: Domain) -> String {
    format!("Your proposal ({})", domain.label())
}

/// Who first wrote each field of each version: a version that repeats the
/// field of the one before it (carried over, or typed the same) keeps that
/// one's writer. Terms, title and each part, indexed like the versions.
struct Origins {
    title: Vec<AccountId>,
    terms: Vec<AccountId>,
    parts: [Vec<AccountId>; 2],
}

impl Origins {
    fn of(versions: &[AgreementVersion]) -> Self {
        fn chain<T: PartialEq>(
            versions: &[AgreementVersion],
            field: impl Fn(&AgreementVersion) -> T,
        ) -> Vec<AccountId> {
            let mut origins: Vec<AccountId> = Vec::with_capacity(versions.len());
            for (i, v) in versions.iter().enumerate() {
                let origin = match i.checked_sub(1) {
                    Some(p) if field(&versions[p]) == field(v) => origins[p],
                    _ => v.author,
                };
                origins.push(origin);
            }
            origins
        }
        Self {
            title: chain(versions, |v| v.title.clone()),
            terms: chain(versions, |v| v.terms.clone()),
            parts: [
                chain(versions, |v| v.parts[0].clone()),
                chain(versions, |v| v.parts[1].clone()),
            ],
        }
    }
}

/// The caller's view of an agreement. Former partners: their own versions
/// and moves only, and nothing when they wrote none.
fn thread_view(
    record: &AgreementRecord,
    key: &Shared,
    reader: &Reader,
    links: Vec<EntryView>,
    today: NaiveDate,
) -> Result<Thread, DomainError> {
    let id = record.head.id;
    let members = members(&reader.rel)?;
    let opened = record
        .versions
        .iter()
        .map(|v| open_version(key, id, v))
        .collect::<Result<Vec<_>, DomainError>>()?;
    let origins = Origins::of(&opened);
    let deadline = std::time::Instant::now() + diff::BUDGET;
    let mut versions: Vec<VersionView> = Vec::with_capacity(opened.len());
    let mut before: Option<(Option<String>, Option<String>)> = None;
    for (i, v) in opened.into_iter().enumerate() {
        if !reader.may_read_words_of(v.author) {
            continue;
        }
        // SECURITY (D4): once the space ended, a field the other partner
        // wrote first and this version only carried over is theirs, not
        // the reader's: it is left out of the reader's own copy.
        let mine = |origin: AccountId| reader.may_read_words_of(origin);
        let title = mine(origins.title[i]).then_some(v.title);
        let terms = mine(origins.terms[i]).then_some(v.terms);
        let (changes, title_changed) = match &before {
            Some((was_title, was_terms)) => (
                was_terms
                    .as_ref()
                    .zip(terms.as_ref())
                    .map(|(was, now)| diff::words_until(was, now, deadline)),
                matches!((was_title, &title), (Some(a), Some(b)) if a != b),
            ),
            None => (None, false),
        };
        before = Some((title.clone(), terms.clone()));
        versions.push(VersionView {
            number: v.number,
            author: v.author,
            kind: v.kind,
            parts: members
                .iter()
                .zip(v.parts)
                .enumerate()
                .filter(|(side, _)| mine(origins.parts[*side][i]))
                .filter_map(|(_, (m, p))| p.map(|p| (*m, p)))
                .collect(),
            title: title.unwrap_or_else(|| untitled(record.head.domain)),
            terms: terms.unwrap_or_else(|| CARRIED.to_owned()),
            review_on: v.review_on.map(date_of),
            created_at: v.created_at,
            changes,
            title_changed,
        });
    }
    let Some(newest) = versions.last() else {
        return Err(DomainError::NotFound);
    };
    let (title, shown) = (newest.title.clone(), newest.number);
    let history = record
        .events
        .iter()
        .filter(|e| reader.may_read_words_of(e.actor))
        .map(|e| {
            Ok(HistoryLine {
                actor: e.actor,
                kind: e.kind,
                version: e.version,
                reason: e
                    .reason
                    .as_deref()
                    .map(|r| key.open(REASON, &record_key(id, e.seq), r))
                    .transpose()?,
                review_on: e.review_on.map(date_of),
                at: e.at,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    let (can, accepting) = if reader.is_former() {
        (Moves::default(), Vec::new())
    } else {
        let state = replay(members, record)?;
        let may = |ask| matches!(state.check(reader.actor, ask), Ok(Some(_)));
        let can = Moves {
            accept: may(Ask::Accept {
                version: state.latest,
            })
            .then_some(state.latest),
            decline: may(Ask::Decline {
                version: state.latest,
            })
            .then_some(state.latest),
            counter: may(Ask::Counter),
            revise: may(Ask::Revise),
            withdraw: may(Ask::Withdraw),
            confirm: may(Ask::Confirm),
            retire: may(Ask::Retire),
            link: !state.retired && reader.partner().is_some(),
        };
        let accepting = members.into_iter().filter(|m| state.accepts(*m)).collect();
        (can, accepting)
    };
    Ok(Thread {
        summary: summary(&record.head, title, shown, reader, today),
        origin: record
            .head
            .origin
            .as_ref()
            .and_then(|(deck, round)| conversations::deck(deck).ok().map(|d| (d, *round))),
        versions,
        history,
        links,
        can,
        accepting,
    })
}

/// Notes in the partner's access log that the caller read their words.
async fn log_read(store: &dyn Store, reader: &Reader, partner_wrote: bool, now: DateTime<Utc>) {
    if let (Some(partner), true) = (reader.partner(), partner_wrote) {
        access_log::record(
            store,
            reader.rel.id,
            partner,
            reader.actor,
            "agreements",
            now,
        )
        .await;
    }
}

async fn load(
    store: &dyn Store,
    rel: RelationshipId,
    id: uuid::Uuid,
) -> Result<AgreementRecord, DomainError> {
    store.agreement(rel, id).await?.ok_or(DomainError::NotFound)
}

async fn read_thread(
    store: &dyn Store,
    me: &Me,
    reader: &Reader,
    record: &AgreementRecord,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let key = me.shared(store, &reader.rel).await?;
    let links = ledger::views_of(store, &key, reader, &record.links, now).await?;
    let thread = thread_view(record, &key, reader, links, now.date_naive())?;
    let partner_wrote = thread.versions.iter().any(|v| v.author != reader.actor)
        || thread
            .history
            .iter()
            .any(|h| h.actor != reader.actor && h.reason.is_some());
    log_read(store, reader, partner_wrote, now).await;
    Ok(thread)
}

// ------------------------------------------------------------ use cases

/// Proposes a new agreement (version 1, accepted by its author).
pub async fn propose(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    proposal: Proposal<'_>,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let store = app.store();
    let mut checks = Checks::new();
    let domain = checks.field(Domain::parse(proposal.domain));
    let words = words_into(&mut checks, &proposal.words, now.date_naive());
    // A new agreement needs a name (a counter or revision may keep the one
    // it answers); checked last, as before, and only when none was given.
    let title = checks.field(match (proposal.words.title, &words) {
        (None, _) => Err(FieldError::new(
            "title",
            "required",
            "Give it a short name, like “Sunday dinners”.",
        )),
        (Some(_), Some(words)) => Ok(words.title.clone()),
        (Some(_), None) => Ok(None),
    });
    let (domain, words, title) = checks.done((domain, words, title.flatten()))?;
    let writer = access::writer(store, me.id, rel).await?;
    let origin = match proposal.conversation {
        None => None,
        Some((deck, round)) => {
            let deck = conversations::deck(deck).map_err(|_| {
                FieldError::new(
                    "conversation",
                    "unknown",
                    "That conversation is not one of ours.",
                )
            })?;
            let round = u32::try_from(round)
                .ok()
                .filter(|r| *r >= 1)
                .ok_or_else(|| {
                    FieldError::new("conversation", "unknown_round", "There is no such round.")
                })?;
            // Only a conversation both have opened can be a starting point.
            conversations::notes(app, me, rel, deck, round)
                .await
                .map_err(|_| {
                    FieldError::new(
                        "conversation",
                        "not_revealed",
                        "That conversation hasn't been opened by you both yet.",
                    )
                })?;
            Some((deck.key.to_owned(), round))
        }
    };
    let members = writer.pair();
    let key = me.shared(store, &writer.rel).await?;
    let id = uuid::Uuid::new_v4();
    let state = Negotiation::proposed(members, me.id);
    let version = new_version(
        &key,
        id,
        1,
        Kind::Propose,
        me.id,
        members,
        None,
        words,
        title,
        now,
    )?;
    let head = AgreementHead {
        id,
        relationship_id: rel,
        domain,
        proposed_by: me.id,
        origin,
        created_at: now,
        revision: 1,
        latest_version: 1,
        status: state.status(),
        in_force: state.in_force,
        awaiting: state.awaiting(),
        review_on: version.review_on,
        updated_at: now,
    };
    let write = AgreementWrite {
        expected_revision: 0,
        actor: me.id,
        event: AgreementEvent {
            seq: 1,
            version: 1,
            actor: me.id,
            kind: Kind::Propose,
            reason: None,
            review_on: None,
            at: now,
        },
        version: Some(version),
        head,
    };
    if !store.insert_agreement(&write).await? {
        return Err(access::refusal(store, me.id, rel)
            .await?
            .unwrap_or_else(access::ended));
    }
    read_thread(
        store,
        me,
        &writer.as_reader(),
        &load(store, rel, id).await?,
        now,
    )
    .await
}

/// A new version's stored form: the words given, the rest carried from
/// `previous` (opened), sealed.
#[allow(clippy::too_many_arguments)]
fn new_version(
    key: &Shared,
    id: uuid::Uuid,
    number: u32,
    kind: Kind,
    author: AccountId,
    members: [AccountId; 2],
    previous: Option<&AgreementVersion>,
    words: Checked,
    title: String,
    now: DateTime<Utc>,
) -> Result<AgreementVersion, DomainError> {
    let mine = members.iter().position(|m| *m == author).unwrap_or(0);
    let mut parts = previous.map(|p| p.parts.clone()).unwrap_or_default();
    if let Some(p) = words.my_part {
        parts[mine] = p;
    }
    if let Some(p) = words.partner_part {
        parts[1 - mine] = p;
    }
    let review_on = match words.review_on {
        Some(given) => given,
        None => previous.and_then(|p| p.review_on),
    };
    let at = record_key(id, number);
    let mut sealed_parts = [None, None];
    for (i, p) in parts.iter().enumerate() {
        sealed_parts[i] = p.as_deref().map(|p| key.seal(PART[i], &at, p));
    }
    Ok(AgreementVersion {
        number,
        author,
        kind,
        title: key.seal(TITLE, &at, &title),
        terms: key.seal(TERMS, &at, &words.terms),
        parts: sealed_parts,
        review_on,
        created_at: now,
    })
}

/// What a move adds besides itself.
#[derive(Clone)]
enum Extra {
    None,
    Version(Checked),
    Reason(String),
    Review(Option<i32>),
}

async fn make_move(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    ask: Ask,
    extra: Extra,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let store = app.store();
    for _ in 0..ATTEMPTS {
        let writer = access::writer(store, me.id, rel).await?;
        let record = load(store, rel, id).await?;
        let members = writer.pair();
        let state = replay(members, &record)?;
        let Some(mv) = state.check(me.id, ask)? else {
            return read_thread(store, me, &writer.as_reader(), &record, now).await;
        };
        let key = me.shared(store, &writer.rel).await?;
        let seq = record.head.revision + 1;
        let mut event = AgreementEvent {
            seq,
            version: mv.version,
            actor: me.id,
            kind: mv.kind,
            reason: None,
            review_on: None,
            at: now,
        };
        let mut version = None;
        let mut review = record.head.review_on;
        match &extra {
            Extra::Version(words) => {
                let previous = record
                    .versions
                    .iter()
                    .find(|v| v.number == state.latest)
                    .map(|v| open_version(&key, id, v))
                    .transpose()?;
                let title = match (&words.title, &previous) {
                    (Some(t), _) => t.clone(),
                    (None, Some(p)) => p.title.clone(),
                    (None, None) => return Err(DomainError::Storage("no version to carry".into())),
                };
                let v = new_version(
                    &key,
                    id,
                    mv.version,
                    mv.kind,
                    me.id,
                    members,
                    previous.as_ref(),
                    words.clone(),
                    title,
                    now,
                )?;
                review = v.review_on;
                version = Some(v);
            }
            Extra::Reason(r) => {
                event.reason = Some(key.seal(REASON, &record_key(id, seq), r));
            }
            Extra::Review(on) => {
                event.review_on = *on;
                review = *on;
            }
            Extra::None => {}
        }
        let mut after = state.clone();
        after.apply(mv);
        let head = AgreementHead {
            revision: seq,
            latest_version: after.latest,
            status: after.status(),
            in_force: after.in_force,
            awaiting: after.awaiting(),
            review_on: review,
            updated_at: now,
            ..record.head.clone()
        };
        let write = AgreementWrite {
            head,
            expected_revision: record.head.revision,
            actor: me.id,
            event,
            version,
        };
        if store.record_agreement_move(&write).await? {
            let record = load(store, rel, id).await?;
            return read_thread(store, me, &writer.as_reader(), &record, now).await;
        }
        // The space ended, or the other partner moved first: decide again.
        if let Some(refused) = access::refusal(store, me.id, rel).await? {
            return Err(refused);
        }
    }
    Err(DomainError::conflict(
        "changed",
        "This agreement changed while you were answering. Please look at it again.",
    ))
}

/// A counter-proposal: version n + 1 while it is being talked over.
pub async fn counter(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    words: Words<'_>,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let checked = check_words(&words, now.date_naive())?;
    make_move(app, me, rel, id, Ask::Counter, Extra::Version(checked), now).await
}

/// Proposed changes to an agreed agreement (at its review, or any time):
/// version n + 1; what was agreed stays in force until both accept.
pub async fn revise(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    words: Words<'_>,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let checked = check_words(&words, now.date_naive())?;
    make_move(app, me, rel, id, Ask::Revise, Extra::Version(checked), now).await
}

pub async fn accept(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    version: i64,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let version = version_number(version)?;
    make_move(app, me, rel, id, Ask::Accept { version }, Extra::None, now).await
}

pub async fn decline(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    version: i64,
    why: &str,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let mut checks = Checks::new();
    let version = checks.field(version_number(version));
    let why = checks.field(reason(why));
    let (version, why) = checks.done((version, why))?;
    make_move(
        app,
        me,
        rel,
        id,
        Ask::Decline { version },
        Extra::Reason(why),
        now,
    )
    .await
}

/// Withdraws the caller's assent, alone and at once.
pub async fn withdraw(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    make_move(app, me, rel, id, Ask::Withdraw, Extra::None, now).await
}

/// Reviewed and kept as it is, with the next review date (or none).
pub async fn confirm(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    next_review: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let on = review_on(next_review, now.date_naive())?.flatten();
    make_move(app, me, rel, id, Ask::Confirm, Extra::Review(on), now).await
}

pub async fn retire(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    why: &str,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let why = reason(why)?;
    make_move(app, me, rel, id, Ask::Retire, Extra::Reason(why), now).await
}

/// One agreement with its versions and history.
pub async fn thread(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let record = load(store, rel, id).await?;
    read_thread(store, me, &reader, &record, now).await
}

/// The agreements the caller may see, most recently changed first.
pub async fn list(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Vec<Summary>, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let only = reader.is_former().then_some(me.id);
    let lines: Vec<AgreementLine> = store.agreements(rel, only).await?;
    if lines.is_empty() {
        return Ok(Vec::new());
    }
    let key = me.shared(store, &reader.rel).await?;
    let today = now.date_naive();
    if reader.is_former() {
        // A former partner's titles depend on who first wrote them (see
        // `Origins`): each of their agreements is read whole. Rare and small.
        let mut summaries = Vec::with_capacity(lines.len());
        for line in lines {
            let record = load(store, rel, line.head.id).await?;
            summaries.push(thread_view(&record, &key, &reader, Vec::new(), today)?.summary);
        }
        return Ok(summaries);
    }
    let mut partner_wrote = false;
    let summaries = lines
        .into_iter()
        .map(|line| {
            partner_wrote |= line.title_author != me.id;
            let at = record_key(line.head.id, line.title_version);
            let title = key.open(TITLE, &at, &line.title)?;
            Ok(summary(
                &line.head,
                title,
                line.title_version,
                &reader,
                today,
            ))
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    log_read(store, &reader, partner_wrote, now).await;
    Ok(summaries)
}

/// The balance of say over the last `days` days (default a year).
pub async fn balance_of_say(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    days: Option<i64>,
    now: DateTime<Utc>,
) -> Result<say::Balance, DomainError> {
    let store = app.store();
    let days = match days {
        None => SAY_WINDOW_DAYS,
        Some(d) if (7..=3650).contains(&d) => d,
        Some(_) => {
            return Err(
                FieldError::new("days", "out_of_range", "Choose from 7 to 3650 days.").into(),
            )
        }
    };
    let reader = access::reader(store, me.id, rel).await?;
    if reader.is_former() {
        // The balance is made of both partners' answers: not the other's to keep.
        return Err(access::ended());
    }
    let members = members(&reader.rel)?;
    let logs = store
        .agreement_moves(rel, now - Duration::days(days))
        .await?;
    let moves: Vec<Vec<Move>> = logs.iter().map(|events| moves_of(events)).collect();
    Ok(say::balance(members, moves.iter().map(Vec::as_slice)))
}

/// One agreement as the couple's counselor sees it in a session report.
#[derive(Debug, Clone, PartialEq)]
pub struct Brief {
    pub id: uuid::Uuid,
    pub domain: crate::ledger::Domain,
    pub title: String,
    pub status: Status,
    pub latest_version: u32,
    pub in_force: Option<u32>,
    pub updated_at: DateTime<Utc>,
}

/// Every agreement of the space with its latest title, and the balance of
/// say over the last year, for the couple's counselor (`shared` is the
/// couple's key their engagement holds). Agreements are joint (D4): both
/// partners wrote them and both allowed the counselor in.
pub(crate) async fn for_counselor(
    store: &dyn Store,
    shared: &Shared,
    rel: &Relationship,
    now: DateTime<Utc>,
) -> Result<(Vec<Brief>, say::Balance), DomainError> {
    let lines = store.agreements(rel.id, None).await?;
    let briefs = lines
        .into_iter()
        .map(|line| {
            let at = record_key(line.head.id, line.title_version);
            Ok(Brief {
                title: shared.open(TITLE, &at, &line.title)?,
                id: line.head.id,
                domain: line.head.domain,
                status: line.head.status,
                latest_version: line.head.latest_version,
                in_force: line.head.in_force,
                updated_at: line.head.updated_at,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    let logs = store
        .agreement_moves(rel.id, now - Duration::days(SAY_WINDOW_DAYS))
        .await?;
    let moves: Vec<Vec<Move>> = logs.iter().map(|events| moves_of(events)).collect();
    let balance = say::balance(members(rel)?, moves.iter().map(Vec::as_slice));
    Ok((briefs, balance))
}

/// Links a ledger contribution in the same domain to the agreement.
pub async fn link(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    contribution: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let store = app.store();
    let writer = access::writer(store, me.id, rel).await?;
    let record = load(store, rel, id).await?;
    let found = store
        .contribution(rel, contribution)
        .await?
        .ok_or_else(|| {
            FieldError::new(
                "contribution_id",
                "unknown",
                "There is no such contribution in your space.",
            )
        })?;
    if found.domain != record.head.domain {
        return Err(FieldError::new(
            "contribution_id",
            "different_domain",
            "Only contributions in the agreement's own area can be linked to it.",
        )
        .into());
    }
    if record.head.status == Status::Retired {
        return Err(DomainError::conflict(
            "retired",
            "This agreement was retired; it stays as it was.",
        ));
    }
    if record.links.contains(&contribution) {
        return Err(DomainError::conflict(
            "already_linked",
            "That contribution is already linked.",
        ));
    }
    // The insert repeats the rules (same space and domain, active, not retired).
    if !store
        .link_contribution(rel, id, contribution, me.id, now)
        .await?
    {
        return Err(access::refusal(store, me.id, rel)
            .await?
            .unwrap_or_else(|| {
                DomainError::conflict(
                    "changed",
                    "This agreement changed meanwhile. Please look at it again.",
                )
            }));
    }
    read_thread(
        store,
        me,
        &writer.as_reader(),
        &load(store, rel, id).await?,
        now,
    )
    .await
}

pub async fn unlink(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    contribution: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Thread, DomainError> {
    let store = app.store();
    let writer = access::writer(store, me.id, rel).await?;
    load(store, rel, id).await?;
    if !store.unlink_contribution(rel, id, contribution).await? {
        return Err(access::refusal(store, me.id, rel)
            .await?
            .unwrap_or(DomainError::NotFound));
    }
    read_thread(
        store,
        me,
        &writer.as_reader(),
        &load(store, rel, id).await?,
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn words_are_checked_by_field() {
        let today = day("2026-11-30");
        let ok = Words {
            title: Some(" Dinners "),
            terms: " I cook, you wash. ",
            ..Words::default()
        };
        let checked = check_words(&ok, today).expect("valid");
        assert_eq!(
            (checked.title.as_deref(), checked.terms.as_str()),
            (Some("Dinners"), "I cook, you wash.")
        );
        let empty = check_words(&Words { terms: "  ", ..ok }, today)
            .err()
            .expect("empty")
            .field_errors()[0]
            .clone();
        assert_eq!((empty.field, empty.code), ("terms", "required"));
        let long = "x".repeat(TERMS_MAX_CHARS + 1);
        let over = check_words(&Words { terms: &long, ..ok }, today)
            .err()
            .expect("long")
            .field_errors()[0]
            .clone();
        assert_eq!((over.field, over.code), ("terms", "too_long"));
        assert!(check_words(
            &Words {
                terms: &"é".repeat(TERMS_MAX_CHARS),
                ..ok
            },
            today
        )
        .is_ok());
        let part = "p".repeat(PART_MAX_CHARS + 1);
        let over = check_words(
            &Words {
                my_part: Some(&part),
                ..ok
            },
            today,
        )
        .err()
        .expect("part")
        .field_errors()[0]
            .clone();
        assert_eq!(over.field, "my_part");
        // Every field wrong at once: each named, in the order they are checked.
        let every = check_words(
            &Words {
                title: Some(" "),
                terms: "",
                my_part: Some(&part),
                partner_part: Some(&part),
                review_on: Some("someday"),
            },
            today,
        )
        .err()
        .expect("all refused");
        let fields: Vec<_> = every.field_errors().iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            ["title", "terms", "my_part", "partner_part", "review_on"]
        );
    }

    #[test]
    fn review_dates_run_from_today_to_ten_years() {
        let today = day("2026-11-30");
        assert_eq!(review_on(None, today), Ok(None));
        assert_eq!(review_on(Some(""), today), Ok(Some(None)));
        assert_eq!(
            review_on(Some("2026-11-30"), today),
            Ok(Some(Some(day_number(today))))
        );
        assert_eq!(
            review_on(Some("2026-11-29"), today).err().map(|e| e.code),
            Some("in_the_past")
        );
        assert_eq!(
            review_on(Some("2040-01-01"), today).err().map(|e| e.code),
            Some("too_far")
        );
        assert_eq!(
            review_on(Some("soon"), today).err().map(|e| e.field),
            Some("review_on")
        );
    }
}
