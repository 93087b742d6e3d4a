//! Sealed rounds: each partner answers alone, and both see both at the same moment.
//!
//! One mechanism, used by values, the respect map, conversations (and later
//! repair). A [`Round`] belongs to a relationship of exactly two partners and
//! is generic over the answer type `A`: each capability brings its own (all
//! of one partner's answers for the round, already validated at the edge).
//!
//! A round moves through three states ([`RoundState`]):
//! - **open**: nobody has submitted; each partner saves drafts as they go,
//!   replacing the previous draft each time;
//! - **one submitted**: one partner's answers are fixed; the other still drafts;
//! - **revealed**: both submitted; both answers are visible to both, and
//!   nothing can change any more.
//!
//! Rules, each enforced here and nowhere else:
//! - only the two partners can do anything with a round ([`SealedError::NotAPartner`]);
//! - a partner submits once, and only after saving a draft
//!   ([`SealedError::NothingToSubmit`]); whether the draft is *complete* is the
//!   capability's rule, checked before it calls [`Round::submit`];
//! - after submitting, a partner can neither change nor resubmit
//!   ([`SealedError::AlreadySubmitted`]);
//! - the comparison exists only once both submitted ([`SealedError::Sealed`]);
//! - the reveal time is the later of the two submission times (the moment
//!   the second partner submitted, under a clock that does not run backwards),
//!   one value shared by both views;
//! - a new round starts only once the latest one is revealed
//!   ([`start_next`]); earlier rounds are never changed, so they stay readable.
//!
//! # SECURITY: the seal
//!
//! **Before the reveal, the only thing one partner can learn about the other
//! is whether they have submitted — one bool.** Never their answers, their
//! draft, whether a draft exists, how many times they saved, or when they
//! drafted or submitted. This is enforced by the types in this file:
//! [`RoundView::Sealed`] has no field that could carry the other partner's
//! answers or times, and [`Round::view_for`] and [`Round::comparison`] are the
//! only ways for a partner to read a round. Drafts carry no timestamp at all,
//! so there is none to leak. [`Round::record`] returns everything, for the
//! store to persist; never hand its result to a person.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::DomainError;
use crate::ids::AccountId;

/// Why an operation on a sealed round was refused: each variant names the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealedError {
    /// The account is not one of the round's two partners.
    #[error("Not a partner in this round.")]
    NotAPartner,
    /// A round needs two different accounts.
    #[error("A round needs two different partners.")]
    SamePartnerTwice,
    /// The partner already submitted: their answers are fixed for this round.
    #[error("Your answers for this round are already sent, so they can no longer change.")]
    AlreadySubmitted,
    /// Submit before any answer was saved.
    #[error("There are no answers to send yet.")]
    NothingToSubmit,
    /// The other partner's answers are sealed until both have submitted.
    #[error("The answers stay sealed until both of you have sent yours.")]
    Sealed,
    /// A new round was asked for while the latest one is not yet revealed.
    #[error(
        "The current round is still open; start a new one once both of you have sent your answers."
    )]
    RoundInProgress,
    /// A stored round breaks an invariant (a submission without answers).
    #[error("A stored round is inconsistent.")]
    InconsistentRecord,
}

impl SealedError {
    /// The stable code the API puts in its error body.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAPartner => "not_found",
            Self::SamePartnerTwice => "same_partner_twice",
            Self::AlreadySubmitted => "already_submitted",
            Self::NothingToSubmit => "nothing_to_submit",
            Self::Sealed => "sealed",
            Self::RoundInProgress => "round_in_progress",
            Self::InconsistentRecord => "inconsistent_record",
        }
    }
}

impl From<SealedError> for DomainError {
    /// A stranger is told the round does not exist, like every other
    /// relationship resource; the state conflicts are 409s; a corrupt record
    /// is a storage failure, never shown to the client.
    fn from(e: SealedError) -> Self {
        match e {
            SealedError::NotAPartner => DomainError::NotFound,
            SealedError::InconsistentRecord => DomainError::Storage(e.to_string()),
            SealedError::SamePartnerTwice
            | SealedError::AlreadySubmitted
            | SealedError::NothingToSubmit
            | SealedError::Sealed
            | SealedError::RoundInProgress => DomainError::conflict(e.code(), e.to_string()),
        }
    }
}

/// Where a round stands. The same for everyone who may see the round: it
/// says who submitted (shareable) and never when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RoundState {
    Open,
    OneSubmitted,
    Revealed { at: DateTime<Utc> },
}

/// One partner's side of a round, as stored. Private to its author until the reveal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideRecord<A> {
    pub account: AccountId,
    /// The latest draft, or after submission the submitted answers.
    pub answers: Option<A>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// Everything about a round, for the store to persist and restore.
/// SECURITY: contains both partners' drafts; never show it to anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRecord<A> {
    /// 1 for a relationship's first round, then one more for each next round.
    pub number: u32,
    pub started_at: DateTime<Utc>,
    pub sides: [SideRecord<A>; 2],
}

/// One round of sealed answers between two partners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round<A> {
    record: RoundRecord<A>,
}

/// A partner's own side, as they see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Own<A> {
    /// Still drafting: the latest saved answers, if any.
    Drafting { draft: Option<A> },
    /// Submitted and fixed.
    Submitted { answers: A, at: DateTime<Utc> },
}

/// What one partner may see of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RoundView<A> {
    /// Before the reveal. SECURITY: about the other partner, one bool and
    /// nothing else; do not add a field here that depends on their side.
    Sealed {
        mine: Own<A>,
        partner_submitted: bool,
    },
    /// Both submitted: both answers, and the one reveal time both see.
    Revealed {
        mine: A,
        partner: A,
        revealed_at: DateTime<Utc>,
    },
}

/// Both partners' answers, in the round's partner order, once revealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison<A> {
    pub answers: [(AccountId, A); 2],
    pub revealed_at: DateTime<Utc>,
}

impl<A> Round<A> {
    /// The first round of a relationship between `partners`.
    pub fn first(partners: [AccountId; 2], started_at: DateTime<Utc>) -> Result<Self, SealedError> {
        Self::numbered(1, partners, started_at)
    }

    fn numbered(
        number: u32,
        [a, b]: [AccountId; 2],
        started_at: DateTime<Utc>,
    ) -> Result<Self, SealedError> {
        if a == b {
            return Err(SealedError::SamePartnerTwice);
        }
        let side = |account| SideRecord {
            account,
            answers: None,
            submitted_at: None,
        };
        Ok(Self {
            record: RoundRecord {
                number,
                started_at,
                sides: [side(a), side(b)],
            },
        })
    }

    /// Rebuilds a round the store loaded, checking its invariants.
    pub fn from_record(record: RoundRecord<A>) -> Result<Self, SealedError> {
        let [a, b] = &record.sides;
        if a.account == b.account {
            return Err(SealedError::SamePartnerTwice);
        }
        if record
            .sides
            .iter()
            .any(|s| s.submitted_at.is_some() && s.answers.is_none())
        {
            return Err(SealedError::InconsistentRecord);
        }
        Ok(Self { record })
    }

    /// Everything, for the store. SECURITY: never show this to a person;
    /// people read rounds through [`Round::view_for`] and [`Round::comparison`].
    pub fn record(&self) -> &RoundRecord<A> {
        &self.record
    }

    pub fn into_record(self) -> RoundRecord<A> {
        self.record
    }

    pub fn number(&self) -> u32 {
        self.record.number
    }

    pub fn started_at(&self) -> DateTime<Utc> {
        self.record.started_at
    }

    pub fn partners(&self) -> [AccountId; 2] {
        [self.record.sides[0].account, self.record.sides[1].account]
    }

    pub fn is_partner(&self, who: AccountId) -> bool {
        self.record.sides.iter().any(|s| s.account == who)
    }

    /// The later of the two submission times, once both submitted.
    pub fn revealed_at(&self) -> Option<DateTime<Utc>> {
        let [a, b] = &self.record.sides;
        Some(a.submitted_at?.max(b.submitted_at?))
    }

    pub fn is_revealed(&self) -> bool {
        self.revealed_at().is_some()
    }

    pub fn state(&self) -> RoundState {
        match self.revealed_at() {
            Some(at) => RoundState::Revealed { at },
            None if self.record.sides.iter().any(|s| s.submitted_at.is_some()) => {
                RoundState::OneSubmitted
            }
            None => RoundState::Open,
        }
    }

    /// Indexes of `who`'s side and the other side.
    fn sides_of(&self, who: AccountId) -> Result<(usize, usize), SealedError> {
        match self.record.sides.iter().position(|s| s.account == who) {
            Some(0) => Ok((0, 1)),
            Some(_) => Ok((1, 0)),
            None => Err(SealedError::NotAPartner),
        }
    }

    /// Replaces `who`'s draft; allowed until they submit, whatever the other did.
    pub fn save_draft(&mut self, who: AccountId, answers: A) -> Result<(), SealedError> {
        let (mine, _) = self.sides_of(who)?;
        let side = &mut self.record.sides[mine];
        if side.submitted_at.is_some() {
            return Err(SealedError::AlreadySubmitted);
        }
        side.answers = Some(answers);
        Ok(())
    }

    /// Fixes `who`'s latest draft as their answers for this round. Returns
    /// the state after: [`RoundState::Revealed`] when `who` was the second.
    pub fn submit(&mut self, who: AccountId, at: DateTime<Utc>) -> Result<RoundState, SealedError> {
        let (mine, _) = self.sides_of(who)?;
        let side = &mut self.record.sides[mine];
        if side.submitted_at.is_some() {
            return Err(SealedError::AlreadySubmitted);
        }
        if side.answers.is_none() {
            return Err(SealedError::NothingToSubmit);
        }
        side.submitted_at = Some(at);
        Ok(self.state())
    }
}

impl<A: Clone> Round<A> {
    /// Only what `who` wrote, whatever the round's state: the view of a
    /// former partner once the relationship ended. SECURITY: nothing of the
    /// other side, not even whether they submitted (SECURITY.md §1.3).
    pub fn own_side(&self, who: AccountId) -> Result<Own<A>, SealedError> {
        let (mine, _) = self.sides_of(who)?;
        let me = &self.record.sides[mine];
        Ok(match (&me.answers, me.submitted_at) {
            (Some(answers), Some(at)) => Own::Submitted {
                answers: answers.clone(),
                at,
            },
            (draft, _) => Own::Drafting {
                draft: draft.clone(),
            },
        })
    }

    /// What `who` may see. SECURITY: this is where the seal is enforced —
    /// before the reveal, the other side contributes exactly one bool.
    pub fn view_for(&self, who: AccountId) -> Result<RoundView<A>, SealedError> {
        let (mine, theirs) = self.sides_of(who)?;
        let me = &self.record.sides[mine];
        let them = &self.record.sides[theirs];
        if let (Some(revealed_at), Some(my_answers), Some(their_answers)) =
            (self.revealed_at(), &me.answers, &them.answers)
        {
            return Ok(RoundView::Revealed {
                mine: my_answers.clone(),
                partner: their_answers.clone(),
                revealed_at,
            });
        }
        let own = match (&me.answers, me.submitted_at) {
            (Some(answers), Some(at)) => Own::Submitted {
                answers: answers.clone(),
                at,
            },
            (draft, _) => Own::Drafting {
                draft: draft.clone(),
            },
        };
        Ok(RoundView::Sealed {
            mine: own,
            partner_submitted: them.submitted_at.is_some(),
        })
    }

    /// Both answers side by side, for a partner, once both submitted.
    pub fn comparison(&self, who: AccountId) -> Result<Comparison<A>, SealedError> {
        self.sides_of(who)?;
        let [a, b] = &self.record.sides;
        match (self.revealed_at(), &a.answers, &b.answers) {
            (Some(revealed_at), Some(x), Some(y)) => Ok(Comparison {
                answers: [(a.account, x.clone()), (b.account, y.clone())],
                revealed_at,
            }),
            _ => Err(SealedError::Sealed),
        }
    }
}

/// Starts the relationship's next round, for the caller to append to its
/// rounds (oldest first). Either partner may start one, but only once the
/// latest round is revealed: a partner cannot discard a round the other has
/// submitted to, and at most one round is ever unrevealed. With no rounds
/// yet, this starts round 1.
pub fn start_next<A>(
    rounds: &[Round<A>],
    partners: [AccountId; 2],
    who: AccountId,
    at: DateTime<Utc>,
) -> Result<Round<A>, SealedError> {
    if !partners.contains(&who) {
        return Err(SealedError::NotAPartner);
    }
    let number = match rounds.last() {
        None => 1,
        Some(latest) if !latest.is_partner(who) => return Err(SealedError::NotAPartner),
        Some(latest) if !latest.is_revealed() => return Err(SealedError::RoundInProgress),
        Some(latest) => latest.number().saturating_add(1),
    };
    Round::numbered(number, partners, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0)
            .single()
            .expect("time")
    }

    struct Couple {
        a: AccountId,
        b: AccountId,
        stranger: AccountId,
        round: Round<String>,
    }

    fn couple() -> Couple {
        let (a, b) = (AccountId::new(), AccountId::new());
        Couple {
            a,
            b,
            stranger: AccountId::new(),
            round: Round::first([a, b], t(0)).expect("round"),
        }
    }

    fn sealed_mine(v: RoundView<String>) -> (Own<String>, bool) {
        match v {
            RoundView::Sealed {
                mine,
                partner_submitted,
            } => (mine, partner_submitted),
            RoundView::Revealed { .. } => panic!("expected sealed, got {v:?}"),
        }
    }

    #[test]
    fn a_draft_can_be_replaced_until_submit() {
        let mut c = couple();
        c.round.save_draft(c.a, "one".into()).expect("save");
        c.round.save_draft(c.a, "two".into()).expect("save");
        let (mine, _) = sealed_mine(c.round.view_for(c.a).expect("view"));
        assert_eq!(
            mine,
            Own::Drafting {
                draft: Some("two".into())
            }
        );
        assert_eq!(c.round.state(), RoundState::Open);
    }

    #[test]
    fn submit_fixes_the_latest_draft() {
        let mut c = couple();
        c.round.save_draft(c.a, "final".into()).expect("save");
        assert_eq!(c.round.submit(c.a, t(5)), Ok(RoundState::OneSubmitted));
        let (mine, partner_submitted) = sealed_mine(c.round.view_for(c.a).expect("view"));
        assert_eq!(
            mine,
            Own::Submitted {
                answers: "final".into(),
                at: t(5)
            }
        );
        assert!(!partner_submitted);
    }

    #[test]
    fn nothing_changes_after_submit() {
        let mut c = couple();
        c.round.save_draft(c.a, "final".into()).expect("save");
        c.round.submit(c.a, t(5)).expect("submit");
        let before = c.round.clone();
        assert_eq!(
            c.round.save_draft(c.a, "changed".into()),
            Err(SealedError::AlreadySubmitted)
        );
        assert_eq!(
            c.round.submit(c.a, t(6)),
            Err(SealedError::AlreadySubmitted)
        );
        assert_eq!(c.round, before);
    }

    #[test]
    fn submitting_without_a_draft_is_refused() {
        let mut c = couple();
        assert_eq!(c.round.submit(c.a, t(1)), Err(SealedError::NothingToSubmit));
        assert_eq!(c.round.state(), RoundState::Open);
    }

    #[test]
    fn a_stranger_can_do_nothing() {
        let mut c = couple();
        c.round.save_draft(c.a, "mine".into()).expect("save");
        let before = c.round.clone();
        let s = c.stranger;
        assert_eq!(
            c.round.save_draft(s, "x".into()),
            Err(SealedError::NotAPartner)
        );
        assert_eq!(c.round.submit(s, t(1)), Err(SealedError::NotAPartner));
        assert_eq!(c.round.view_for(s), Err(SealedError::NotAPartner));
        assert_eq!(c.round.comparison(s), Err(SealedError::NotAPartner));
        assert_eq!(c.round, before);
        assert_eq!(
            DomainError::from(SealedError::NotAPartner).to_string(),
            "not found"
        );
    }

    #[test]
    fn the_other_sees_only_the_submitted_flag() {
        let mut c = couple();
        c.round.save_draft(c.a, "secret".into()).expect("save");
        let (mine, partner_submitted) = sealed_mine(c.round.view_for(c.b).expect("view"));
        assert_eq!(mine, Own::Drafting { draft: None });
        assert!(!partner_submitted);
        c.round.submit(c.a, t(3)).expect("submit");
        let (mine, partner_submitted) = sealed_mine(c.round.view_for(c.b).expect("view"));
        assert_eq!(mine, Own::Drafting { draft: None });
        assert!(partner_submitted);
        assert_eq!(c.round.comparison(c.b), Err(SealedError::Sealed));
        assert_eq!(c.round.comparison(c.a), Err(SealedError::Sealed));
    }

    #[test]
    fn reveal_happens_exactly_when_the_second_submits_at_one_time_for_both() {
        let mut c = couple();
        c.round.save_draft(c.a, "from a".into()).expect("save");
        c.round.save_draft(c.b, "from b".into()).expect("save");
        c.round.submit(c.b, t(10)).expect("submit");
        assert!(!c.round.is_revealed());
        assert_eq!(
            c.round.submit(c.a, t(20)),
            Ok(RoundState::Revealed { at: t(20) })
        );
        assert_eq!(
            c.round.view_for(c.a),
            Ok(RoundView::Revealed {
                mine: "from a".into(),
                partner: "from b".into(),
                revealed_at: t(20),
            })
        );
        assert_eq!(
            c.round.view_for(c.b),
            Ok(RoundView::Revealed {
                mine: "from b".into(),
                partner: "from a".into(),
                revealed_at: t(20),
            })
        );
        let expected = Comparison {
            answers: [(c.a, "from a".to_string()), (c.b, "from b".to_string())],
            revealed_at: t(20),
        };
        assert_eq!(c.round.comparison(c.a), Ok(expected.clone()));
        assert_eq!(c.round.comparison(c.b), Ok(expected));
    }

    #[test]
    fn reveal_time_never_precedes_a_submission() {
        let mut c = couple();
        c.round.save_draft(c.a, "a".into()).expect("save");
        c.round.save_draft(c.b, "b".into()).expect("save");
        c.round.submit(c.a, t(30)).expect("submit");
        c.round.submit(c.b, t(20)).expect("submit");
        assert_eq!(c.round.revealed_at(), Some(t(30)));
    }

    #[test]
    fn a_next_round_waits_for_the_reveal_and_keeps_the_earlier_one() {
        let mut c = couple();
        let pair = [c.a, c.b];
        assert_eq!(
            Round::<String>::first([c.a, c.a], t(0)),
            Err(SealedError::SamePartnerTwice)
        );
        let mut rounds = vec![c.round.clone()];
        assert_eq!(
            start_next(&rounds, pair, c.a, t(1)),
            Err(SealedError::RoundInProgress)
        );
        assert_eq!(
            start_next(&rounds, pair, c.stranger, t(1)),
            Err(SealedError::NotAPartner)
        );
        c.round.save_draft(c.a, "a1".into()).expect("save");
        c.round.save_draft(c.b, "b1".into()).expect("save");
        c.round.submit(c.a, t(2)).expect("submit");
        c.round.submit(c.b, t(3)).expect("submit");
        rounds = vec![c.round.clone()];
        let next = start_next(&rounds, pair, c.b, t(4)).expect("next");
        assert_eq!(next.number(), 2);
        assert_eq!(next.state(), RoundState::Open);
        rounds.push(next);
        assert!(rounds[0].comparison(c.a).is_ok());
        assert_eq!(
            start_next::<String>(&[], pair, c.a, t(0))
                .expect("first")
                .number(),
            1
        );
    }

    #[test]
    fn a_stored_round_is_checked_when_restored() {
        let mut c = couple();
        c.round.save_draft(c.a, "a".into()).expect("save");
        c.round.submit(c.a, t(1)).expect("submit");
        let restored = Round::from_record(c.round.clone().into_record()).expect("restore");
        assert_eq!(restored, c.round);
        let mut bad = c.round.into_record();
        bad.sides[0].answers = None;
        assert_eq!(
            Round::from_record(bad),
            Err(SealedError::InconsistentRecord)
        );
    }

    // ---- property test: random sequences by both partners and a stranger ----

    /// 0 and 1 are the partners, 2 a stranger.
    #[derive(Debug, Clone)]
    enum Action {
        Save(usize, u32),
        Submit(usize, i64),
        View(usize),
        Compare(usize),
    }

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            3 => (0..3usize, any::<u32>()).prop_map(|(w, n)| Action::Save(w, n)),
            1 => (0..3usize, 0..1_000i64).prop_map(|(w, s)| Action::Submit(w, s)),
            1 => (0..3usize).prop_map(Action::View),
            1 => (0..3usize).prop_map(Action::Compare),
        ]
    }

    /// A canary answer that names its author, so a leak is visible in any rendering.
    fn canary(who: usize, n: u32, variant: u32) -> String {
        format!("CANARY-{who}-{n}-{variant}")
    }

    /// What is observable after each step, for each viewer (0, 1).
    type Trace = Vec<[Result<RoundView<String>, SealedError>; 2]>;

    /// Runs `actions`; partner `alter` (if any) saves different drafts, and
    /// more of them, than in the plain run. Checks the invariants at every step.
    fn run(actions: &[Action], alter: Option<usize>) -> Result<Trace, TestCaseError> {
        let ids = [AccountId::new(), AccountId::new(), AccountId::new()];
        // Fresh ids per run are fine: views carry no ids, so traces of two
        // runs compare by value; comparisons are checked within a run.
        let mut round = Round::first([ids[0], ids[1]], t(0))
            .map_err(|e| TestCaseError::fail(format!("first: {e}")))?;
        // The model: latest answers and submission time per partner.
        let mut answers: [Option<String>; 2] = [None, None];
        let mut submitted: [Option<DateTime<Utc>>; 2] = [None, None];
        let mut trace = Trace::new();

        for act in actions {
            let before = round.clone();
            match *act {
                Action::Save(who, n) => {
                    let writes: Vec<String> = if alter == Some(who) {
                        vec![canary(who, n, 1), canary(who, n, 2)]
                    } else {
                        vec![canary(who, n, 0)]
                    };
                    for w in writes {
                        let got = round.save_draft(ids[who], w.clone());
                        let want = if who == 2 {
                            Err(SealedError::NotAPartner)
                        } else if submitted[who].is_some() {
                            Err(SealedError::AlreadySubmitted)
                        } else {
                            answers[who] = Some(w);
                            Ok(())
                        };
                        prop_assert_eq!(got, want);
                    }
                }
                Action::Submit(who, secs) => {
                    let got = round.submit(ids[who], t(secs));
                    if who == 2 {
                        prop_assert_eq!(got, Err(SealedError::NotAPartner));
                    } else if submitted[who].is_some() {
                        prop_assert_eq!(got, Err(SealedError::AlreadySubmitted));
                    } else if answers[who].is_none() {
                        prop_assert_eq!(got, Err(SealedError::NothingToSubmit));
                    } else {
                        submitted[who] = Some(t(secs));
                        prop_assert!(got.is_ok());
                    }
                }
                Action::View(who) | Action::Compare(who) => {
                    // Reads must not change anything.
                    let _ = round.view_for(ids[who]);
                    let _ = round.comparison(ids[who]);
                    prop_assert_eq!(&round, &before);
                }
            }
            if matches!(act, Action::Save(2, _) | Action::Submit(2, _)) {
                prop_assert_eq!(&round, &before);
            }

            // Invariants after every step.
            let revealed = submitted[0].is_some() && submitted[1].is_some();
            let reveal_time = match submitted {
                [Some(x), Some(y)] => Some(x.max(y)),
                _ => None,
            };
            prop_assert_eq!(round.revealed_at(), reveal_time);
            prop_assert_eq!(round.view_for(ids[2]), Err(SealedError::NotAPartner));
            prop_assert_eq!(round.comparison(ids[2]), Err(SealedError::NotAPartner));

            let views = [round.view_for(ids[0]), round.view_for(ids[1])];
            for x in 0..2 {
                let y = 1 - x;
                let view = views[x]
                    .clone()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let rendered = format!("{view:?}");
                match &view {
                    RoundView::Sealed {
                        mine,
                        partner_submitted,
                    } => {
                        prop_assert!(!revealed);
                        // Nothing of Y's answers, in any rendering of X's view.
                        let leak = format!("CANARY-{y}-");
                        prop_assert!(!rendered.contains(&leak), "leak in {}", rendered);
                        prop_assert_eq!(*partner_submitted, submitted[y].is_some());
                        let want_mine = match submitted[x] {
                            Some(at) => Own::Submitted {
                                answers: answers[x].clone().unwrap_or_default(),
                                at,
                            },
                            None => Own::Drafting {
                                draft: answers[x].clone(),
                            },
                        };
                        prop_assert_eq!(mine, &want_mine);
                        prop_assert_eq!(round.comparison(ids[x]), Err(SealedError::Sealed));
                    }
                    RoundView::Revealed {
                        mine,
                        partner,
                        revealed_at,
                    } => {
                        prop_assert!(revealed);
                        prop_assert_eq!(Some(mine), answers[x].as_ref());
                        prop_assert_eq!(Some(partner), answers[y].as_ref());
                        prop_assert_eq!(Some(*revealed_at), reveal_time);
                    }
                }
            }
            if revealed {
                // Both see exactly the same pair, at the same time.
                let c0 = round.comparison(ids[0]);
                prop_assert_eq!(&c0, &round.comparison(ids[1]));
                match (&views[0], &views[1], c0) {
                    (
                        Ok(RoundView::Revealed {
                            mine: m0,
                            partner: p0,
                            revealed_at: r0,
                        }),
                        Ok(RoundView::Revealed {
                            mine: m1,
                            partner: p1,
                            revealed_at: r1,
                        }),
                        Ok(c),
                    ) => {
                        prop_assert_eq!(m0, p1);
                        prop_assert_eq!(m1, p0);
                        prop_assert_eq!(r0, r1);
                        prop_assert_eq!(&c.answers[0], &(ids[0], m0.clone()));
                        prop_assert_eq!(&c.answers[1], &(ids[1], m1.clone()));
                        prop_assert_eq!(Some(c.revealed_at), reveal_time);
                    }
                    other => prop_assert!(false, "not revealed to both: {:?}", other),
                }
            }
            trace.push(views);
        }
        Ok(trace)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn no_read_reveals_the_other_partner_before_both_submitted(
            actions in prop::collection::vec(action(), 0..40)
        ) {
            let plain = run(&actions, None)?;
            for y in 0..2 {
                let x = 1 - y;
                // Same actions, but Y drafts other answers, more often.
                let altered = run(&actions, Some(y))?;
                prop_assert_eq!(plain.len(), altered.len());
                for (p, a) in plain.iter().zip(&altered) {
                    match (&p[x], &a[x]) {
                        // Sealed: X's view is identical whatever Y drafted.
                        (Ok(RoundView::Sealed { .. }), _) => prop_assert_eq!(&p[x], &a[x]),
                        // Revealed: X's own side and the time are identical.
                        (
                            Ok(RoundView::Revealed { mine: m1, revealed_at: r1, .. }),
                            Ok(RoundView::Revealed { mine: m2, revealed_at: r2, .. }),
                        ) => {
                            prop_assert_eq!(m1, m2);
                            prop_assert_eq!(r1, r2);
                        }
                        other => prop_assert!(false, "runs diverged: {:?}", other),
                    }
                }
            }
        }
    }
}
