//! Sealed rounds kept in the store: the use cases every sealed questionnaire
//! shares (values, the respect map, conversation decks): answer as you go,
//! submit, read what you may, start again, list earlier rounds.
//!
//! The rules of the seal live in [`crate::sealed`]; this file only loads a
//! round, asks it, and saves the one side the caller changed. SECURITY: every
//! read a person makes goes through `Round::view_for` or `Round::comparison`.

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::access::{self, Reader};
use crate::access_log;
use crate::app::App;
use crate::error::{DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::me::{Me, Shared};
use crate::sealed::{self, Comparison, Own, Round, RoundRecord, RoundState, RoundView, SideRecord};
use crate::store::{Relationship, Store, StoreError};

/// One partner's answers for a round, by item key.
pub type Answers<T> = BTreeMap<String, T>;

/// What a sealed capability brings: its name in the store, and when a set of
/// answers is complete enough to submit.
pub trait Questionnaire: Send + Sync {
    type Answer: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync;
    /// The store's `kind` for this questionnaire's rounds.
    fn kind(&self) -> String;
    /// `Err` names what is still missing before `answers` can be submitted.
    fn complete(&self, answers: &Answers<Self::Answer>) -> Result<(), FieldError>;
    /// Whether a next round starts only when both partners want it: one
    /// proposes, the other agrees ([`crate::next_round`]). Otherwise either
    /// partner starts it alone (a conversation deck taken again).
    fn rounds_by_agreement(&self) -> bool {
        false
    }
}

/// A sealed instrument (values, the respect map, a conversation deck, and
/// next repair): what is asked, how a person's answers are validated, and
/// what a revealed round computes. The seal, drafts, submission and rounds
/// are the same for every instrument and live in this module.
pub trait Instrument: Questionnaire {
    /// One answer as a person sends it, before validation.
    type Input<'a>;
    /// What a revealed round computes for this instrument.
    type Comparison;
    /// The item keys, in the order they are asked.
    fn item_keys(&self) -> Vec<&str>;
    /// Validates a request's answers, all or nothing (each error names its
    /// field; an answer with several refused fields names each of them).
    fn parse(
        &self,
        inputs: &[Self::Input<'_>],
    ) -> Result<Answers<Option<Self::Answer>>, DomainError>;
    /// The comparison of a revealed round.
    fn compare(&self, revealed: &Revealed<Self::Answer>) -> Self::Comparison;
}

/// A round's place in the history: the same for both partners.
///
/// SECURITY: no start time. Round 1 comes into being when the first partner
/// saves a draft, so its start time (or its very existence) would tell the
/// other when, or whether, they began. An empty history reads as an open
/// round 1, exactly like a round 1 that only holds the partner's draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundSummary {
    pub number: u32,
    #[serde(flatten)]
    pub state: RoundState,
}

/// What the caller may see of the current (latest) round, with the history.
/// Once the relationship ended, only the caller's own side: `view` is
/// `Sealed` with `partner_submitted` false, and `rounds` lists the rounds
/// the caller wrote in, by the caller's side alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Current<T> {
    /// The relationship has ended: read-only, one's own words.
    pub ended: bool,
    /// The round's number; 1 before anyone has answered.
    pub number: u32,
    pub view: RoundView<Answers<T>>,
    /// Every round, oldest first (an open round 1 before anyone answered).
    pub rounds: Vec<RoundSummary>,
    /// Where asking for the next round stands, once the latest round is
    /// revealed (questionnaires whose rounds start by agreement only).
    pub asking: Option<crate::next_round::Asking>,
}

pub(crate) type Full<T> = Round<Answers<T>>;
/// Every round's state without its answers (see `Store::round_outline`).
pub(crate) type Outline = Vec<Round<()>>;

fn encode<T: Serialize>(answers: &Answers<T>) -> Result<String, DomainError> {
    serde_json::to_string(answers).map_err(|e| DomainError::Storage(format!("encode answers: {e}")))
}

/// The keys a round's answers are sealed with, for one caller: a draft
/// with its author's own key (nobody else ever reads it), submitted
/// answers with the couple's key (both read them once revealed).
pub(crate) struct AnswerKeys<'a> {
    me: &'a Me,
    shared: Shared,
}

const DRAFT: &str = "sealed_sides.draft";
const SUBMITTED: &str = "sealed_sides.answers";

impl<'a> AnswerKeys<'a> {
    /// A counselor's keys: the couple's key their engagement holds. A
    /// counselor is neither side, so a draft never opens for them.
    pub(crate) fn for_counselor(me: &'a Me, shared: Shared) -> Self {
        Self { me, shared }
    }

    pub(crate) async fn of(
        store: &dyn Store,
        me: &'a Me,
        rel: &Relationship,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            me,
            shared: me.shared(store, rel).await?,
        })
    }

    /// The couple's key (notes beside the answers are sealed with it too).
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Where a side's answers belong: questionnaire, round, author.
    fn record(kind: &str, number: u32, account: AccountId) -> String {
        format!("{kind}/{number}/{account}")
    }

    fn seal(
        &self,
        kind: &str,
        number: u32,
        side: &SideRecord<String>,
    ) -> Result<Option<String>, DomainError> {
        let record = Self::record(kind, number, side.account);
        let Some(json) = &side.answers else {
            return Ok(None);
        };
        Ok(Some(if side.submitted_at.is_some() {
            self.shared.seal(SUBMITTED, &record, json)
        } else {
            self.me.own()?.seal(DRAFT, &record, json)
        }))
    }

    /// The side's answers as JSON; a partner's draft (sealed with their own
    /// key) is `Some("{}")`: it exists, and nothing of it can be read.
    fn open(
        &self,
        kind: &str,
        number: u32,
        side: &SideRecord<String>,
    ) -> Result<Option<String>, DomainError> {
        let record = Self::record(kind, number, side.account);
        let Some(stored) = &side.answers else {
            return Ok(None);
        };
        Ok(Some(
            match (side.submitted_at, side.account == self.me.id) {
                (Some(_), _) => self.shared.open(SUBMITTED, &record, stored)?,
                (None, true) => self.me.own()?.open(DRAFT, &record, stored)?,
                (None, false) => "{}".to_owned(),
            },
        ))
    }
}

fn decode_record<T: DeserializeOwned>(
    keys: &AnswerKeys<'_>,
    kind: &str,
    record: RoundRecord<String>,
) -> Result<Full<T>, DomainError> {
    let RoundRecord {
        number,
        started_at,
        sides,
    } = record;
    let [a, b] = sides.map(|side| {
        let answers = keys
            .open(kind, number, &side)?
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|e| DomainError::Storage(format!("decode answers of round {number}: {e}")))?;
        Ok::<_, DomainError>(SideRecord {
            account: side.account,
            answers,
            submitted_at: side.submitted_at,
        })
    });
    Ok(Round::from_record(RoundRecord {
        number,
        started_at,
        sides: [a?, b?],
    })?)
}

/// A round with both sides empty, in whatever answer type the caller needs.
pub(crate) fn empty_record<A>(round: &Round<impl Sized>) -> RoundRecord<A> {
    let [a, b] = round.partners();
    let side = |account| SideRecord {
        account,
        answers: None,
        submitted_at: None,
    };
    RoundRecord {
        number: round.number(),
        started_at: round.started_at(),
        sides: [side(a), side(b)],
    }
}

pub(crate) async fn outline<Q: Questionnaire>(
    store: &dyn Store,
    rel: RelationshipId,
    q: &Q,
) -> Result<Outline, DomainError> {
    store
        .round_outline(rel, &q.kind())
        .await?
        .into_iter()
        .map(|r| Ok(Round::from_record(r)?))
        .collect()
}

/// The rounds numbered `first..=last`, with their answers. A long history
/// is never read whole: the outline says which numbers are needed.
pub(crate) async fn full<Q: Questionnaire>(
    store: &dyn Store,
    keys: &AnswerKeys<'_>,
    rel: RelationshipId,
    q: &Q,
    first: u32,
    last: u32,
) -> Result<Vec<Full<Q::Answer>>, DomainError> {
    let kind = q.kind();
    store
        .sealed_rounds(rel, &kind, first..=last)
        .await?
        .into_iter()
        .map(|record| decode_record(keys, &kind, record))
        .collect()
}

/// The latest round with its answers, if there is one.
pub(crate) async fn latest<Q: Questionnaire>(
    store: &dyn Store,
    keys: &AnswerKeys<'_>,
    rel: RelationshipId,
    q: &Q,
    outline: &Outline,
) -> Result<Option<Full<Q::Answer>>, DomainError> {
    let Some(number) = outline.last().map(Round::number) else {
        return Ok(None);
    };
    Ok(full(store, keys, rel, q, number, number).await?.pop())
}

/// The relationship, when `actor` may answer in it: a member of an active
/// relationship (a round needs two); `ended` or `not_active` (409) otherwise.
pub(crate) async fn answerable(
    store: &dyn Store,
    actor: AccountId,
    rel: RelationshipId,
) -> Result<(Relationship, [AccountId; 2]), DomainError> {
    let writer = access::writer(store, actor, rel).await?;
    let pair = writer.pair();
    Ok((writer.rel, pair))
}

/// Why a conditional write of a round changed nothing: the relationship's
/// state if that is the reason, else `otherwise`.
async fn refused(
    store: &dyn Store,
    actor: AccountId,
    rel: RelationshipId,
    otherwise: sealed::SealedError,
) -> DomainError {
    match access::refusal(store, actor, rel).await {
        Ok(Some(refusal)) => refusal,
        Ok(None) => otherwise.into(),
        Err(err) => err,
    }
}

/// The history as both partners may see it; `latest` (the caller's fresh
/// copy of the last round, perhaps just changed) stands in for its outline.
fn summaries<T>(outline: &Outline, latest: Option<&Full<T>>) -> Vec<RoundSummary> {
    let mut rounds: Vec<RoundSummary> = outline
        .iter()
        .map(|r| RoundSummary {
            number: r.number(),
            state: r.state(),
        })
        .collect();
    if let Some(latest) = latest {
        rounds.retain(|r| r.number != latest.number());
        rounds.push(RoundSummary {
            number: latest.number(),
            state: latest.state(),
        });
    }
    rounds
}

pub(crate) fn current_of<T: Clone>(
    outline: &Outline,
    latest: Option<&Full<T>>,
    actor: AccountId,
) -> Result<Current<T>, DomainError> {
    match latest {
        Some(round) => Ok(Current {
            ended: false,
            number: round.number(),
            view: round.view_for(actor)?,
            rounds: summaries(outline, latest),
            asking: None,
        }),
        // Nobody has answered yet: an empty round 1, as it will be.
        None => Ok(Current {
            ended: false,
            number: 1,
            view: RoundView::Sealed {
                mine: Own::Drafting { draft: None },
                partner_submitted: false,
            },
            rounds: vec![RoundSummary {
                number: 1,
                state: RoundState::Open,
            }],
            asking: None,
        }),
    }
}

/// SECURITY: a former partner's view: the rounds they wrote in, by their
/// own side alone, and their own answers of the latest such round.
fn own_only<T: Clone>(
    outline: &Outline,
    latest: Option<&Full<T>>,
    actor: AccountId,
) -> Result<Current<T>, DomainError> {
    let mut rounds = Vec::new();
    for round in outline {
        let state = match round.own_side(actor)? {
            Own::Drafting { draft: None } => continue,
            Own::Drafting { draft: Some(()) } => RoundState::Open,
            Own::Submitted { .. } => RoundState::OneSubmitted,
        };
        rounds.push(RoundSummary {
            number: round.number(),
            state,
        });
    }
    let mine = match latest {
        Some(round) => round.own_side(actor)?,
        None => Own::Drafting { draft: None },
    };
    Ok(Current {
        ended: true,
        number: rounds.last().map_or(1, |r| r.number),
        view: RoundView::Sealed {
            mine,
            partner_submitted: false,
        },
        rounds,
        asking: None,
    })
}

/// The caller's view of the latest round, with the history of rounds.
pub async fn current<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
) -> Result<Current<Q::Answer>, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let keys = AnswerKeys::of(store, me, &reader.rel).await?;
    current_in(store, &keys, &reader, q).await
}

/// [`current`] for a caller already known to be a member of `rel` (a list
/// of several questionnaires checks membership once).
pub(crate) async fn current_in<Q: Questionnaire>(
    store: &dyn Store,
    keys: &AnswerKeys<'_>,
    reader: &Reader,
    q: &Q,
) -> Result<Current<Q::Answer>, DomainError> {
    let rel = reader.rel.id;
    let outline = outline(store, rel, q).await?;
    if reader.is_former() {
        // The latest round the former partner wrote in, not the latest round.
        let last_own = outline
            .iter()
            .rev()
            .find(|r| !matches!(r.own_side(reader.actor), Ok(Own::Drafting { draft: None })))
            .map(Round::number);
        let latest = match last_own {
            Some(n) => full(store, keys, rel, q, n, n).await?.pop(),
            None => None,
        };
        return own_only(&outline, latest.as_ref(), reader.actor);
    }
    let latest = latest(store, keys, rel, q, &outline).await?;
    let mut current = current_of(&outline, latest.as_ref(), reader.actor)?;
    if q.rounds_by_agreement() {
        current.asking =
            crate::next_round::asking(store, rel, &q.kind(), &outline, reader.actor).await?;
    }
    Ok(current)
}

/// The latest round, starting round 1 when there is none. Two partners
/// answering first at the same moment both end up in the same round 1.
async fn latest_or_first<Q: Questionnaire>(
    store: &dyn Store,
    keys: &AnswerKeys<'_>,
    rel: RelationshipId,
    pair: [AccountId; 2],
    q: &Q,
    now: DateTime<Utc>,
) -> Result<(Outline, Full<Q::Answer>), DomainError> {
    let found = outline(store, rel, q).await?;
    if let Some(round) = latest(store, keys, rel, q, &found).await? {
        return Ok((found, round));
    }
    let first = Round::first(pair, now)?;
    match store
        .insert_round(rel, &q.kind(), &empty_record(&first))
        .await
    {
        Ok(true) => Ok((found, first)),
        Ok(false) => Err(access::ended()),
        Err(StoreError::Conflict(_)) => {
            let found = outline(store, rel, q).await?;
            let round = latest(store, keys, rel, q, &found).await?.ok_or_else(|| {
                DomainError::Storage("round 1 conflicted but cannot be read".into())
            })?;
            Ok((found, round))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn save_side<Q: Questionnaire>(
    store: &dyn Store,
    keys: &AnswerKeys<'_>,
    rel: RelationshipId,
    q: &Q,
    round: &Full<Q::Answer>,
    actor: AccountId,
) -> Result<(), DomainError> {
    let side = round
        .record()
        .sides
        .iter()
        .find(|s| s.account == actor)
        .ok_or(DomainError::NotFound)?;
    let encoded = SideRecord {
        account: actor,
        answers: side.answers.as_ref().map(encode).transpose()?,
        submitted_at: side.submitted_at,
    };
    let kind = q.kind();
    let stored = SideRecord {
        answers: keys.seal(&kind, round.number(), &encoded)?,
        ..encoded
    };
    // False: the caller submitted in a concurrent request after we loaded,
    // or the relationship ended meanwhile.
    if store.save_side(rel, &kind, round.number(), &stored).await? {
        Ok(())
    } else {
        Err(refused(store, actor, rel, sealed::SealedError::AlreadySubmitted).await)
    }
}

/// Adds `entries` to the caller's draft of the current round (an entry for an
/// item already answered replaces it; `None` removes it), starting round 1 if
/// needed. Refused once the caller has submitted this round.
pub async fn save<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    entries: Answers<Option<Q::Answer>>,
    now: DateTime<Utc>,
) -> Result<Current<Q::Answer>, DomainError> {
    let store = app.store();
    let actor = me.id;
    let (relationship, pair) = answerable(store, actor, rel).await?;
    let keys = AnswerKeys::of(store, me, &relationship).await?;
    let (outline, mut round) = latest_or_first(store, &keys, rel, pair, q, now).await?;
    let mut draft = match round.view_for(actor)? {
        RoundView::Sealed {
            mine: Own::Drafting { draft },
            ..
        } => draft.unwrap_or_default(),
        _ => return Err(sealed::SealedError::AlreadySubmitted.into()),
    };
    for (key, entry) in entries {
        match entry {
            Some(answer) => draft.insert(key, answer),
            None => draft.remove(&key),
        };
    }
    round.save_draft(actor, draft)?;
    save_side(store, &keys, rel, q, &round, actor).await?;
    current_of(&outline, Some(&round), actor)
}

/// Fixes the caller's draft as their answers for the current round; when the
/// partner already submitted, this is the reveal.
pub async fn submit<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    now: DateTime<Utc>,
) -> Result<Current<Q::Answer>, DomainError> {
    let store = app.store();
    let actor = me.id;
    let (relationship, _) = answerable(store, actor, rel).await?;
    let keys = AnswerKeys::of(store, me, &relationship).await?;
    let outline = outline(store, rel, q).await?;
    let mut round = latest(store, &keys, rel, q, &outline)
        .await?
        .ok_or(sealed::SealedError::NothingToSubmit)?;
    if let RoundView::Sealed {
        mine: Own::Drafting { draft: Some(draft) },
        ..
    } = round.view_for(actor)?
    {
        q.complete(&draft)?;
    }
    // The reveal time is the later submission; never before the partner's,
    // even if this server's clock stepped back between the two requests.
    // In the store's precision (milliseconds), so the time this answer
    // shows is the one every later read shows.
    let at = round
        .record()
        .sides
        .iter()
        .filter_map(|s| s.submitted_at)
        .fold(now.trunc_subsecs(3), DateTime::max);
    round.submit(actor, at)?;
    save_side(store, &keys, rel, q, &round, actor).await?;
    current_of(&outline, Some(&round), actor)
}

/// Starts the next round, so both can answer again (values change). Only once
/// the latest round is revealed; earlier rounds stay as they were. For a
/// questionnaire whose rounds start by agreement this is refused: those
/// start through [`crate::next_round`] (`ask`, `agree`).
pub async fn start<Q: Questionnaire>(
    app: &App,
    actor: AccountId,
    rel: RelationshipId,
    q: &Q,
    now: DateTime<Utc>,
) -> Result<Current<Q::Answer>, DomainError> {
    if q.rounds_by_agreement() {
        return Err(DomainError::conflict(
            "needs_agreement",
            "A new round starts when you both agree: one of you asks, the other says yes.",
        ));
    }
    let store = app.store();
    let (_, pair) = answerable(store, actor, rel).await?;
    let outline = outline(store, rel, q).await?;
    let next = sealed::start_next(&outline, pair, actor, now)?;
    match store
        .insert_round(rel, &q.kind(), &empty_record(&next))
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return Err(refused(store, actor, rel, sealed::SealedError::RoundInProgress).await)
        }
        // The partner started it a moment ago: same outcome as a repeat.
        Err(StoreError::Conflict(_)) => return Err(sealed::SealedError::RoundInProgress.into()),
        Err(e) => return Err(e.into()),
    }
    let fresh: Full<Q::Answer> = Round::from_record(empty_record(&next))?;
    current_of(&outline, Some(&fresh), actor)
}

/// Both answers of round `number` (the latest when `None`), once revealed;
/// `Sealed` before that, and not found for a round that does not exist.
/// Also returns the round before it when that one is revealed, so a recurring
/// conversation can be set beside last time.
pub async fn comparison<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    number: Option<u32>,
) -> Result<Revealed<Q::Answer>, DomainError> {
    let store = app.store();
    comparison_in(store, me, rel, q, number).await
}

/// [`comparison`] inside the crate (notes and the talk page ask it too).
/// SECURITY: a former partner is told no comparison exists: it holds the
/// other's words.
pub(crate) async fn comparison_in<Q: Questionnaire>(
    store: &dyn Store,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    number: Option<u32>,
) -> Result<Revealed<Q::Answer>, DomainError> {
    let actor = me.id;
    let reader = access::reader(store, actor, rel).await?;
    if reader.is_former() {
        return Err(DomainError::NotFound);
    }
    let outline = outline(store, rel, q).await?;
    let found = match number {
        None => outline.last(),
        Some(n) => outline.iter().find(|r| r.number() == n),
    };
    let wanted = match found {
        Some(round) => round.number(),
        // SECURITY: with no round stored, round 1 answers as sealed, just
        // as it would if the partner had a draft in it: 404 here would say
        // whether they had started.
        None if outline.is_empty() && number.is_none_or(|n| n == 1) => {
            return Err(sealed::SealedError::Sealed.into())
        }
        None => return Err(DomainError::NotFound),
    };
    // The seal is checked on the outline first, so a sealed round's answers
    // are not even read; then only this round and the one before it.
    outline
        .iter()
        .find(|r| r.number() == wanted)
        .map(|r| r.comparison(actor))
        .transpose()?;
    let keys = AnswerKeys::of(store, me, &reader.rel).await?;
    let mut pair = full(
        store,
        &keys,
        rel,
        q,
        wanted.saturating_sub(1).max(1),
        wanted,
    )
    .await?;
    let this_round = pair
        .pop()
        .filter(|r| r.number() == wanted)
        .ok_or_else(|| DomainError::Storage(format!("round {wanted} vanished")))?;
    let previous = pair.pop().and_then(|r| r.comparison(actor).ok());
    let this = this_round.comparison(actor)?;
    if let Some(partner) = reader.partner() {
        access_log::record(store, rel, partner, actor, &q.kind(), Utc::now()).await;
    }
    Ok(Revealed {
        number: wanted,
        this,
        previous,
    })
}

/// The latest revealed round of `q`, compared, for a counselor whose
/// `keys` come from their engagement (`AnswerKeys::for_counselor`); `None`
/// while no round has been revealed. Only revealed rounds are read: an
/// open or half-submitted one is not even fetched.
pub(crate) async fn latest_revealed<Q: Instrument>(
    store: &dyn Store,
    keys: &AnswerKeys<'_>,
    rel: RelationshipId,
    q: &Q,
) -> Result<Option<Q::Comparison>, DomainError> {
    let outline = outline(store, rel, q).await?;
    let Some(number) = outline
        .iter()
        .rev()
        .find(|r| matches!(r.state(), RoundState::Revealed { .. }))
        .map(Round::number)
    else {
        return Ok(None);
    };
    let Some(round) = full(store, keys, rel, q, number, number).await?.pop() else {
        return Ok(None);
    };
    let [first, _] = round.partners();
    let this = round.comparison(first)?;
    Ok(Some(q.compare(&Revealed {
        number,
        this,
        previous: None,
    })))
}

/// What one partner wrote in one round: their side alone.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnRound<T> {
    pub number: u32,
    pub mine: Own<Answers<T>>,
}

/// Every round the caller wrote in, oldest first, with only their own
/// answers (drafts included: they are the caller's words too). What a
/// person keeps of a questionnaire, whatever became of the relationship.
pub(crate) async fn own_history<Q: Questionnaire>(
    store: &dyn Store,
    keys: &AnswerKeys<'_>,
    reader: &Reader,
    q: &Q,
) -> Result<Vec<OwnRound<Q::Answer>>, DomainError> {
    let outline = outline(store, reader.rel.id, q).await?;
    let Some(last) = outline.last().map(Round::number) else {
        return Ok(Vec::new());
    };
    let mut mine = Vec::new();
    for round in full(store, keys, reader.rel.id, q, 1, last).await? {
        match round.own_side(reader.actor)? {
            Own::Drafting { draft: None } => {}
            own => mine.push(OwnRound {
                number: round.number(),
                mine: own,
            }),
        }
    }
    Ok(mine)
}

/// A revealed round, and the revealed round before it if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Revealed<T> {
    pub number: u32,
    pub this: Comparison<Answers<T>>,
    pub previous: Option<Comparison<Answers<T>>>,
}

/// Whether anyone has submitted in the current, unrevealed round: then the
/// round's questions are fixed (used by the respect map before adding an area).
pub(crate) async fn submissions_in_progress<Q: Questionnaire>(
    store: &dyn Store,
    rel: RelationshipId,
    q: &Q,
) -> Result<bool, DomainError> {
    Ok(outline(store, rel, q)
        .await?
        .last()
        .is_some_and(|r| r.state() == RoundState::OneSubmitted))
}

/// Every revealed round of the space whose kind starts with `prefix`, with
/// its kind, answers opened (responsibility balance reads all repairs in
/// one query, not one per episode). Revealed only: both partners read them.
pub(crate) async fn revealed_with_prefix<T: DeserializeOwned>(
    store: &dyn Store,
    me: &Me,
    reader: &Reader,
    prefix: &str,
) -> Result<Vec<(String, Round<Answers<T>>)>, DomainError> {
    let keys = AnswerKeys::of(store, me, &reader.rel).await?;
    store
        .revealed_rounds(reader.rel.id, prefix)
        .await?
        .into_iter()
        .map(|(kind, record)| {
            let round = decode_record(&keys, &kind, record)?;
            Ok((kind, round))
        })
        .collect()
}
