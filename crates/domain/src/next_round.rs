//! A next round of values or the respect map starts when both want it:
//! one partner asks ([`propose`]), the other agrees ([`agree`], which starts
//! the round) or says not now ([`decline`]); the one who asked may take it
//! back ([`withdraw`]). Once a round has started, each partner may fill
//! their own draft from their own answers last time ([`prefill`]); never
//! from the partner's.
//!
//! The rules live in the writes: at most one open proposal per relationship
//! and questionnaire (a unique partial index), and every answer to it a
//! conditional write on its being open, so two agrees at once start one
//! round (`Store::agree_round_proposal`).
//!
//! SECURITY: a proposal is an act meant for the partner (like an agreement
//! proposed), so both see it; it holds no words. Prefill reads the caller's
//! own side of an earlier round (`Round::own_side`) and writes the caller's
//! own draft, sealed with their own key like any draft.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::access;
use crate::app::App;
use crate::error::DomainError;
use crate::ids::{AccountId, RelationshipId};
use crate::me::Me;
use crate::rounds::{
    self, answerable, current_of, empty_record, AnswerKeys, Current, Instrument, Outline,
    Questionnaire,
};
use crate::sealed::{self, Own, Round, RoundRecord, RoundState, RoundView, SealedError};
use crate::store::{ProposalStatus, RoundProposal, Store, StoreError};

/// Where asking for the next round stands, from the reader's side. Shown
/// only while the latest round is revealed and the proposal follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Asking {
    /// The reader asked; waiting for the partner.
    YouAsked,
    /// The partner asks; the reader may agree or say not now.
    PartnerAsks,
    /// The reader asked and the partner said not now (either may ask again).
    PartnerDeclined,
    /// The partner asked and the reader said not now.
    YouDeclined,
}

impl Asking {
    /// How `proposal` reads for `reader`; `None` for one taken back or
    /// agreed (the round then speaks for itself).
    pub fn of(proposal: &RoundProposal, reader: AccountId) -> Option<Self> {
        let mine = proposal.proposed_by == reader;
        match (proposal.status, mine) {
            (ProposalStatus::Open, true) => Some(Self::YouAsked),
            (ProposalStatus::Open, false) => Some(Self::PartnerAsks),
            (ProposalStatus::Declined, true) => Some(Self::PartnerDeclined),
            (ProposalStatus::Declined, false) => Some(Self::YouDeclined),
            (ProposalStatus::Agreed | ProposalStatus::Withdrawn, _) => None,
        }
    }

    /// The stable word the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::YouAsked => "you_asked",
            Self::PartnerAsks => "partner_asks",
            Self::PartnerDeclined => "partner_declined",
            Self::YouDeclined => "you_declined",
        }
    }
}

/// What asking for a next round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// The round started (the partner had asked already, or the
    /// questionnaire needs no agreement).
    Started,
    /// The ask is recorded; the round starts when the partner agrees.
    Proposed,
}

/// The open proposal of `kind`, if any.
async fn open_proposal(
    store: &dyn Store,
    rel: RelationshipId,
    kind: &str,
) -> Result<Option<RoundProposal>, DomainError> {
    Ok(store
        .latest_round_proposal(rel, kind)
        .await?
        .filter(|p| p.status == ProposalStatus::Open))
}

/// The reader's view of asking, for `rounds::current`: the latest proposal,
/// while it follows the latest round and that round is revealed.
pub(crate) async fn asking(
    store: &dyn Store,
    rel: RelationshipId,
    kind: &str,
    outline: &Outline,
    reader: AccountId,
) -> Result<Option<Asking>, DomainError> {
    let Some(latest) = outline.last().filter(|r| r.is_revealed()) else {
        return Ok(None);
    };
    Ok(store
        .latest_round_proposal(rel, kind)
        .await?
        .filter(|p| p.after == latest.number())
        .and_then(|p| Asking::of(&p, reader)))
}

fn no_proposal() -> DomainError {
    DomainError::conflict(
        "no_proposal",
        "There's no open request for a new round to answer.",
    )
}

/// Why a conditional write on a proposal changed nothing: the space's state
/// if that is the reason, else `otherwise`.
async fn refused(
    store: &dyn Store,
    actor: AccountId,
    rel: RelationshipId,
    otherwise: DomainError,
) -> DomainError {
    match access::refusal(store, actor, rel).await {
        Ok(Some(refusal)) => refusal,
        Ok(None) => otherwise,
        Err(err) => err,
    }
}

/// The outcome of placing a proposal.
enum Placed {
    Made,
    MineOpen,
    PartnersOpen(RoundProposal),
}

/// Records the caller's ask, unless one is open already. Only once the
/// latest round is revealed (before, or with no round at all, the current
/// round is still to be answered).
async fn place<Q: Questionnaire>(
    store: &dyn Store,
    actor: AccountId,
    rel: RelationshipId,
    q: &Q,
    now: DateTime<Utc>,
) -> Result<(Placed, Outline), DomainError> {
    answerable(store, actor, rel).await?;
    let outline = rounds::outline(store, rel, q).await?;
    let Some(latest) = outline.last().filter(|r| r.is_revealed()) else {
        return Err(SealedError::RoundInProgress.into());
    };
    let after = latest.number();
    let kind = q.kind();
    let sorted = |open: RoundProposal| {
        if open.proposed_by == actor {
            Placed::MineOpen
        } else {
            Placed::PartnersOpen(open)
        }
    };
    if let Some(open) = open_proposal(store, rel, &kind).await? {
        return Ok((sorted(open), outline));
    }
    let proposal = RoundProposal {
        id: uuid::Uuid::new_v4(),
        after,
        proposed_by: actor,
        proposed_at: now,
        status: ProposalStatus::Open,
        closed_at: None,
    };
    match store.insert_round_proposal(rel, &kind, &proposal).await {
        Ok(true) => Ok((Placed::Made, outline)),
        Ok(false) => Err(refused(store, actor, rel, SealedError::RoundInProgress.into()).await),
        // The partner asked at the same moment: theirs stands.
        Err(StoreError::Conflict(_)) => match open_proposal(store, rel, &kind).await? {
            Some(open) => Ok((sorted(open), outline)),
            None => Err(StoreError::Conflict("round_proposal").into()),
        },
        Err(e) => Err(e.into()),
    }
}

/// The caller's view after a change.
async fn fresh<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
) -> Result<Current<Q::Answer>, DomainError> {
    rounds::current(app, me, rel, q).await
}

/// Asks for the next round. Refused while the current round is not
/// revealed (`round_in_progress`), when the caller asked already
/// (`already_asked`) and when the partner has (`partner_asked`: agree instead).
pub async fn propose<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    now: DateTime<Utc>,
) -> Result<Current<Q::Answer>, DomainError> {
    match place(app.store(), me.id, rel, q, now).await?.0 {
        Placed::Made => fresh(app, me, rel, q).await,
        Placed::MineOpen => Err(DomainError::conflict(
            "already_asked",
            "You've already asked for a new round; it starts when your partner agrees.",
        )),
        Placed::PartnersOpen(_) => Err(DomainError::conflict(
            "partner_asked",
            "Your partner has already asked for a new round: you can agree to start it.",
        )),
    }
}

/// The one call a client that only knows "new round" makes (`POST …/rounds`,
/// the page's button): for a questionnaire whose rounds start by agreement,
/// it asks, or agrees when the partner asked already (asking twice is the
/// same outcome as asking once); for any other, it starts the round.
pub async fn ask<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    now: DateTime<Utc>,
) -> Result<(Asked, Current<Q::Answer>), DomainError> {
    if !q.rounds_by_agreement() {
        let current = rounds::start(app, me.id, rel, q, now).await?;
        return Ok((Asked::Started, current));
    }
    let store = app.store();
    let (placed, outline) = place(store, me.id, rel, q, now).await?;
    match placed {
        Placed::Made | Placed::MineOpen => Ok((Asked::Proposed, fresh(app, me, rel, q).await?)),
        Placed::PartnersOpen(open) => {
            start_agreed(store, me.id, rel, q, &open, &outline, now).await?;
            Ok((Asked::Started, fresh(app, me, rel, q).await?))
        }
    }
}

/// Starts the round `open` asks for, as the partner who did not ask.
async fn start_agreed<Q: Questionnaire>(
    store: &dyn Store,
    actor: AccountId,
    rel: RelationshipId,
    q: &Q,
    open: &RoundProposal,
    outline: &Outline,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let (_, pair) = answerable(store, actor, rel).await?;
    let next = sealed::start_next(outline, pair, actor, now)?;
    if next.number() != open.after.saturating_add(1) {
        // A proposal older than the latest round: nothing to start from it.
        return Err(no_proposal());
    }
    let record: RoundRecord<String> = empty_record(&next);
    match store
        .agree_round_proposal(rel, &q.kind(), open.id, actor, &record, now)
        .await
    {
        Ok(true) => Ok(()),
        // Agreed a moment ago (another tab), declined or taken back.
        Ok(false) => Err(refused(store, actor, rel, no_proposal()).await),
        Err(StoreError::Conflict(_)) => Err(SealedError::RoundInProgress.into()),
        Err(e) => Err(e.into()),
    }
}

/// Agrees to the partner's open request: the round starts now. With
/// `prefill`, the caller's draft starts from their own answers last time.
/// `no_proposal` (409) when the partner has no open request.
pub async fn agree<Q: Instrument>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    prefill_mine: bool,
    now: DateTime<Utc>,
) -> Result<Current<Q::Answer>, DomainError> {
    let store = app.store();
    answerable(store, me.id, rel).await?;
    let open = open_proposal(store, rel, &q.kind())
        .await?
        .filter(|p| p.proposed_by != me.id)
        .ok_or_else(no_proposal)?;
    let outline = rounds::outline(store, rel, q).await?;
    start_agreed(store, me.id, rel, q, &open, &outline, now).await?;
    if prefill_mine {
        return prefill(app, me, rel, q).await;
    }
    fresh(app, me, rel, q).await
}

/// Closes the open request as `outcome`: declined by the partner who did
/// not ask, withdrawn by the one who did.
async fn close<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    outcome: ProposalStatus,
    now: DateTime<Utc>,
) -> Result<Current<Q::Answer>, DomainError> {
    let store = app.store();
    answerable(store, me.id, rel).await?;
    let kind = q.kind();
    let mine = outcome == ProposalStatus::Withdrawn;
    let open = open_proposal(store, rel, &kind)
        .await?
        .filter(|p| (p.proposed_by == me.id) == mine)
        .ok_or_else(no_proposal)?;
    if !store
        .close_round_proposal(rel, &kind, open.id, me.id, outcome, now)
        .await?
    {
        return Err(refused(store, me.id, rel, no_proposal()).await);
    }
    fresh(app, me, rel, q).await
}

/// Says "not now" to the partner's open request.
pub async fn decline<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    now: DateTime<Utc>,
) -> Result<Current<Q::Answer>, DomainError> {
    close(app, me, rel, q, ProposalStatus::Declined, now).await
}

/// Takes back the caller's own open request.
pub async fn withdraw<Q: Questionnaire>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
    now: DateTime<Utc>,
) -> Result<Current<Q::Answer>, DomainError> {
    close(app, me, rel, q, ProposalStatus::Withdrawn, now).await
}

/// Whether the caller could fill their current draft from their own earlier
/// answers: they are drafting a round after the first, have answered
/// nothing in it yet, and sent answers in an earlier round.
pub fn can_prefill<T>(current: &Current<T>) -> bool {
    let empty_draft = matches!(
        &current.view,
        RoundView::Sealed { mine: Own::Drafting { draft }, .. }
            if draft.as_ref().is_none_or(|d| d.is_empty())
    );
    empty_draft
        && !current.ended
        && current
            .rounds
            .iter()
            .any(|r| r.number < current.number && matches!(r.state, RoundState::Revealed { .. }))
}

/// Fills the caller's draft of the current round with their own answers
/// from the latest earlier round they sent, for every question still on
/// the questionnaire that the draft does not answer yet (what they have
/// answered this round stays). Only the caller's own side is read.
/// `nothing_to_prefill` (409) when they sent no earlier round;
/// `already_submitted` once they sent this one.
pub async fn prefill<Q: Instrument>(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    q: &Q,
) -> Result<Current<Q::Answer>, DomainError> {
    let store = app.store();
    let actor = me.id;
    let (relationship, _) = answerable(store, actor, rel).await?;
    let keys = AnswerKeys::of(store, me, &relationship).await?;
    let outline = rounds::outline(store, rel, q).await?;
    let nothing = || {
        DomainError::conflict(
            "nothing_to_prefill",
            "There are no answers of yours from an earlier round to start from.",
        )
    };
    let mut round = rounds::latest(store, &keys, rel, q, &outline)
        .await?
        .ok_or_else(nothing)?;
    let mut draft = match round.view_for(actor)? {
        RoundView::Sealed {
            mine: Own::Drafting { draft },
            ..
        } => draft.unwrap_or_default(),
        _ => return Err(SealedError::AlreadySubmitted.into()),
    };
    // The latest earlier round in which the caller sent answers.
    let earlier = outline
        .iter()
        .rev()
        .filter(|r| r.number() < round.number())
        .find(|r| matches!(r.own_side(actor), Ok(Own::Submitted { .. })))
        .map(Round::number)
        .ok_or_else(nothing)?;
    let before = rounds::full(store, &keys, rel, q, earlier, earlier)
        .await?
        .pop()
        .ok_or_else(nothing)?;
    let Own::Submitted { answers: last, .. } = before.own_side(actor)? else {
        return Err(nothing());
    };
    let asked = q.item_keys();
    for (key, answer) in last {
        if asked.contains(&key.as_str()) && !draft.contains_key(&key) {
            draft.insert(key, answer);
        }
    }
    round.save_draft(actor, draft)?;
    rounds::save_side(store, &keys, rel, q, &round, actor).await?;
    let mut current = current_of(&outline, Some(&round), actor)?;
    current.asking = None;
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rounds::RoundSummary;

    fn proposal(by: AccountId, status: ProposalStatus) -> RoundProposal {
        RoundProposal {
            id: uuid::Uuid::new_v4(),
            after: 1,
            proposed_by: by,
            proposed_at: DateTime::UNIX_EPOCH,
            status,
            closed_at: None,
        }
    }

    #[test]
    fn each_partner_reads_the_same_proposal_from_their_side() {
        let (a, b) = (AccountId::new(), AccountId::new());
        let open = proposal(a, ProposalStatus::Open);
        assert_eq!(Asking::of(&open, a), Some(Asking::YouAsked));
        assert_eq!(Asking::of(&open, b), Some(Asking::PartnerAsks));
        let declined = proposal(a, ProposalStatus::Declined);
        assert_eq!(Asking::of(&declined, a), Some(Asking::PartnerDeclined));
        assert_eq!(Asking::of(&declined, b), Some(Asking::YouDeclined));
        for gone in [ProposalStatus::Agreed, ProposalStatus::Withdrawn] {
            assert_eq!(Asking::of(&proposal(a, gone), a), None);
            assert_eq!(Asking::of(&proposal(a, gone), b), None);
        }
    }

    fn current(number: u32, draft: Option<Vec<&str>>, earlier: RoundState) -> Current<u8> {
        let draft = draft.map(|keys| keys.into_iter().map(|k| (k.to_owned(), 3)).collect());
        Current {
            ended: false,
            number,
            view: RoundView::Sealed {
                mine: Own::Drafting { draft },
                partner_submitted: false,
            },
            rounds: (1..=number)
                .map(|n| RoundSummary {
                    number: n,
                    state: if n < number {
                        earlier
                    } else {
                        RoundState::Open
                    },
                })
                .collect(),
            asking: None,
        }
    }

    #[test]
    fn prefill_is_offered_on_an_empty_draft_after_a_revealed_round_only() {
        let revealed = RoundState::Revealed {
            at: DateTime::UNIX_EPOCH,
        };
        assert!(can_prefill(&current(2, None, revealed)));
        assert!(can_prefill(&current(2, Some(vec![]), revealed)));
        assert!(!can_prefill(&current(2, Some(vec!["a"]), revealed)));
        assert!(!can_prefill(&current(1, None, revealed)));
        let mut ended = current(2, None, revealed);
        ended.ended = true;
        assert!(!can_prefill(&ended));
    }
}
