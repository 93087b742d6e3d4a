//! The negotiation of one agreement, as a pure state machine: the one
//! place its rules are written.
//!
//! An agreement is a list of moves (events). [`Negotiation::replay`] reads
//! them into the current state; [`Negotiation::check`] says whether a new
//! move is allowed and what it records. The store writes the move only if
//! nobody else wrote since the replay (a compare and swap on the head's
//! revision), so every rule below holds at the moment of writing.
//!
//! - Proposing or countering puts a new version on the table; its author
//!   accepts it by writing it. Versions never change (the database refuses
//!   an update too): a counter is version n + 1.
//! - An agreement is `accepted` only when both partners accept the same,
//!   latest version. It is then in force.
//! - The partner who did not write the latest version may decline it, with
//!   a reason. Either partner may put a counter-proposal while it is open.
//! - Either partner withdraws their assent at any time, alone (SECURITY.md
//!   §1.3, D4): the agreement is then no longer agreed, for both.
//! - An agreed agreement is changed by proposing changes (a new version:
//!   what was agreed stays in force until both accept the change),
//!   confirmed unchanged at its review, or retired with a reason.

use serde::Serialize;

use crate::error::{DomainError, FieldError};
use crate::ids::AccountId;

/// Where an agreement stands, for both partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The latest version waits for an answer.
    Proposed,
    /// Both partners accepted the latest version.
    Accepted,
    /// The latest version was declined; either may counter it.
    Declined,
    /// It was agreed, and one partner withdrew their assent.
    Withdrawn,
    /// Retired with a reason; kept in history.
    Retired,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::Proposed,
        Self::Accepted,
        Self::Declined,
        Self::Withdrawn,
        Self::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::Retired => "retired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// How the web UI names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposed => "Being talked over",
            Self::Accepted => "Agreed",
            Self::Declined => "Declined",
            Self::Withdrawn => "No longer agreed",
            Self::Retired => "Retired",
        }
    }
}

/// What a recorded move was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Version 1.
    Propose,
    /// A new version while it is being talked over.
    Counter,
    /// A new version of an agreed (or no longer agreed) agreement.
    Revise,
    Accept,
    Decline,
    Withdraw,
    /// Reviewed and kept unchanged.
    Confirm,
    Retire,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Self::Propose,
        Self::Counter,
        Self::Revise,
        Self::Accept,
        Self::Decline,
        Self::Withdraw,
        Self::Confirm,
        Self::Retire,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Propose => "propose",
            Self::Counter => "counter",
            Self::Revise => "revise",
            Self::Accept => "accept",
            Self::Decline => "decline",
            Self::Withdraw => "withdraw",
            Self::Confirm => "confirm",
            Self::Retire => "retire",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Whether the move put a new version on the table.
    pub fn writes_version(self) -> bool {
        matches!(self, Self::Propose | Self::Counter | Self::Revise)
    }
}

/// One recorded move: who did what to which version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub actor: AccountId,
    pub kind: Kind,
    pub version: u32,
}

/// A move someone asks for, before it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Counter,
    Revise,
    Accept { version: u32 },
    Decline { version: u32 },
    Withdraw,
    Confirm,
    Retire,
}

/// The state an agreement's moves lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiation {
    pub members: [AccountId; 2],
    /// The newest version's number (1 after the proposal).
    pub latest: u32,
    pub latest_author: AccountId,
    /// Who accepts the latest version, in member order.
    pub accepting: [bool; 2],
    /// The version both accepted and still stand by.
    pub in_force: Option<u32>,
    /// Who declined the latest version, while that stands.
    pub declined_by: Option<AccountId>,
    /// Who withdrew from what was agreed, while that stands.
    pub withdrawn_by: Option<AccountId>,
    pub retired: bool,
}

fn conflict(code: &'static str, message: &'static str) -> DomainError {
    DomainError::conflict(code, message)
}

impl Negotiation {
    /// The state after the first move (the proposal of version 1).
    pub fn proposed(members: [AccountId; 2], author: AccountId) -> Self {
        let mut state = Self {
            members,
            latest: 0,
            latest_author: author,
            accepting: [false; 2],
            in_force: None,
            declined_by: None,
            withdrawn_by: None,
            retired: false,
        };
        state.apply(Move {
            actor: author,
            kind: Kind::Propose,
            version: 1,
        });
        state
    }

    /// The state the recorded moves lead to, in order; `None` when the
    /// first is not a proposal.
    pub fn replay(members: [AccountId; 2], moves: &[Move]) -> Option<Self> {
        let (first, rest) = moves.split_first()?;
        if first.kind != Kind::Propose {
            return None;
        }
        let mut state = Self::proposed(members, first.actor);
        for m in rest {
            state.apply(*m);
        }
        Some(state)
    }

    fn side(&self, actor: AccountId) -> Option<usize> {
        self.members.iter().position(|m| *m == actor)
    }

    pub fn status(&self) -> Status {
        if self.retired {
            Status::Retired
        } else if self.in_force == Some(self.latest) {
            Status::Accepted
        } else if self.declined_by.is_some() {
            Status::Declined
        } else if self.withdrawn_by.is_some() {
            Status::Withdrawn
        } else {
            Status::Proposed
        }
    }

    /// Whether `actor` accepts the latest version.
    pub fn accepts(&self, actor: AccountId) -> bool {
        self.side(actor).is_some_and(|i| self.accepting[i])
    }

    /// The partner whose answer the latest version waits for, if one does.
    pub fn awaiting(&self) -> Option<AccountId> {
        if self.status() != Status::Proposed && self.status() != Status::Declined {
            return None;
        }
        match self.accepting {
            [true, false] if self.declined_by != Some(self.members[1]) => Some(self.members[1]),
            [false, true] if self.declined_by != Some(self.members[0]) => Some(self.members[0]),
            _ => None,
        }
    }

    /// Applies a move already checked (or recorded). Unknown actors and
    /// out-of-order versions change nothing, so a replay never panics.
    pub fn apply(&mut self, m: Move) {
        let Some(side) = self.side(m.actor) else {
            return;
        };
        match m.kind {
            Kind::Propose | Kind::Counter | Kind::Revise => {
                self.latest = m.version;
                self.latest_author = m.actor;
                self.accepting = [false; 2];
                self.accepting[side] = true;
                self.declined_by = None;
                self.withdrawn_by = None;
            }
            Kind::Accept if m.version == self.latest => {
                self.accepting[side] = true;
                if self.declined_by == Some(m.actor) {
                    self.declined_by = None;
                }
                if self.accepting == [true, true] {
                    self.in_force = Some(self.latest);
                    self.withdrawn_by = None;
                }
            }
            Kind::Decline if m.version == self.latest => {
                self.declined_by = Some(m.actor);
            }
            Kind::Withdraw => {
                self.accepting[side] = false;
                if self.in_force.take().is_some() {
                    self.withdrawn_by = Some(m.actor);
                }
            }
            Kind::Retire => self.retired = true,
            Kind::Accept | Kind::Decline | Kind::Confirm => {}
        }
    }

    /// Whether `actor` may make the move `ask`, and the move it records.
    /// `Ok(None)` when it changes nothing (accepting what one accepts).
    pub fn check(&self, actor: AccountId, ask: Ask) -> Result<Option<Move>, DomainError> {
        if self.side(actor).is_none() {
            return Err(DomainError::NotFound);
        }
        if self.retired {
            return Err(conflict(
                "retired",
                "This agreement was retired. It stays in your history; propose a new one to start again.",
            ));
        }
        let status = self.status();
        let record = |kind, version| {
            Ok(Some(Move {
                actor,
                kind,
                version,
            }))
        };
        match ask {
            Ask::Counter => match status {
                Status::Proposed | Status::Declined => record(Kind::Counter, self.latest + 1),
                _ => Err(conflict(
                    "agreed_already",
                    "You both agreed to this one. To change it, propose changes to it instead.",
                )),
            },
            Ask::Revise => match status {
                Status::Accepted | Status::Withdrawn => record(Kind::Revise, self.latest + 1),
                _ => Err(conflict(
                    "still_open",
                    "This one is still being talked over: answer it with a counter-proposal.",
                )),
            },
            Ask::Accept { version } => {
                self.current(version)?;
                if self.accepts(actor) {
                    Ok(None)
                } else {
                    record(Kind::Accept, version)
                }
            }
            Ask::Decline { version } => {
                self.current(version)?;
                if self.accepts(actor) {
                    return Err(conflict(
                        "already_accepted",
                        "You accept this version. To step back from it, withdraw your assent.",
                    ));
                }
                if self.declined_by == Some(actor) {
                    return Err(conflict(
                        "already_declined",
                        "You've already declined this version.",
                    ));
                }
                record(Kind::Decline, version)
            }
            Ask::Withdraw => match (self.in_force, self.accepts(actor)) {
                (Some(agreed), _) => record(Kind::Withdraw, agreed),
                (None, true) => record(Kind::Withdraw, self.latest),
                (None, false) => Err(conflict(
                    "nothing_to_withdraw",
                    "You haven't accepted this agreement, so there is nothing to withdraw.",
                )),
            },
            Ask::Confirm => match status {
                Status::Accepted => record(Kind::Confirm, self.latest),
                _ => Err(conflict(
                    "not_agreed",
                    "Only an agreement you both stand by can be confirmed as it is.",
                )),
            },
            Ask::Retire => record(Kind::Retire, self.latest),
        }
    }

    /// Refuses any version but the latest: an unknown one by name (422),
    /// a replaced one as a conflict (409).
    fn current(&self, version: u32) -> Result<(), DomainError> {
        if version == 0 || version > self.latest {
            return Err(FieldError::new(
                "version",
                "unknown_version",
                "There is no such version of this agreement.",
            )
            .into());
        }
        if version < self.latest {
            return Err(DomainError::Conflict {
                code: "superseded",
                message:
                    "A newer version replaced this one. Read the newest version and answer that."
                        .into(),
                field: Some("version"),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pair() -> [AccountId; 2] {
        [
            AccountId(uuid::Uuid::from_u128(1)),
            AccountId(uuid::Uuid::from_u128(2)),
        ]
    }

    fn step(state: &mut Negotiation, actor: AccountId, ask: Ask) -> Result<(), DomainError> {
        if let Some(m) = state.check(actor, ask)? {
            state.apply(m);
        }
        Ok(())
    }

    fn code(err: DomainError) -> &'static str {
        match err {
            DomainError::Conflict { code, .. } => code,
            DomainError::Invalid(f) => f.code,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn propose_counter_accept() {
        let [a, b] = pair();
        let mut s = Negotiation::proposed([a, b], a);
        assert_eq!((s.status(), s.awaiting()), (Status::Proposed, Some(b)));
        step(&mut s, b, Ask::Counter).expect("counter");
        assert_eq!((s.latest, s.awaiting()), (2, Some(a)));
        // A's acceptance of version 1 came too late.
        let late = s
            .check(a, Ask::Accept { version: 1 })
            .expect_err("superseded");
        assert_eq!(code(late), "superseded");
        step(&mut s, a, Ask::Accept { version: 2 }).expect("accept");
        assert_eq!((s.status(), s.in_force), (Status::Accepted, Some(2)));
        assert_eq!(s.awaiting(), None);
        // Accepting again changes nothing; countering needs a revision.
        assert_eq!(s.check(b, Ask::Accept { version: 2 }).expect("same"), None);
        assert_eq!(
            code(s.check(b, Ask::Counter).expect_err("agreed")),
            "agreed_already"
        );
        let unknown = s.check(b, Ask::Accept { version: 3 }).expect_err("unknown");
        assert_eq!(code(unknown), "unknown_version");
    }

    #[test]
    fn a_revision_leaves_what_was_agreed_in_force_until_both_accept() {
        let [a, b] = pair();
        let mut s = Negotiation::proposed([a, b], a);
        step(&mut s, b, Ask::Accept { version: 1 }).expect("accept");
        step(&mut s, b, Ask::Revise).expect("revise");
        assert_eq!(
            (s.status(), s.in_force, s.latest),
            (Status::Proposed, Some(1), 2)
        );
        step(&mut s, a, Ask::Decline { version: 2 }).expect("decline");
        assert_eq!((s.status(), s.in_force), (Status::Declined, Some(1)));
        step(&mut s, a, Ask::Counter).expect("counter a declined revision");
        step(&mut s, b, Ask::Accept { version: 3 }).expect("accept");
        assert_eq!((s.status(), s.in_force), (Status::Accepted, Some(3)));
    }

    #[test]
    fn either_withdraws_alone_and_may_accept_again() {
        let [a, b] = pair();
        let mut s = Negotiation::proposed([a, b], a);
        step(&mut s, b, Ask::Accept { version: 1 }).expect("accept");
        step(&mut s, b, Ask::Withdraw).expect("withdraw");
        assert_eq!(
            (s.status(), s.in_force, s.withdrawn_by),
            (Status::Withdrawn, None, Some(b))
        );
        assert_eq!(
            code(s.check(b, Ask::Withdraw).expect_err("twice")),
            "nothing_to_withdraw"
        );
        assert_eq!(
            code(s.check(a, Ask::Confirm).expect_err("not agreed")),
            "not_agreed"
        );
        step(&mut s, b, Ask::Accept { version: 1 }).expect("again");
        assert_eq!(s.status(), Status::Accepted);
    }

    #[test]
    fn only_the_one_answering_declines_and_retired_is_final() {
        let [a, b] = pair();
        let mut s = Negotiation::proposed([a, b], a);
        let own = s.check(a, Ask::Decline { version: 1 }).expect_err("own");
        assert_eq!(code(own), "already_accepted");
        step(&mut s, b, Ask::Decline { version: 1 }).expect("decline");
        assert_eq!(
            code(s.check(b, Ask::Decline { version: 1 }).expect_err("twice")),
            "already_declined"
        );
        step(&mut s, a, Ask::Retire).expect("retire");
        assert_eq!(s.status(), Status::Retired);
        for ask in [
            Ask::Counter,
            Ask::Revise,
            Ask::Accept { version: 1 },
            Ask::Withdraw,
            Ask::Retire,
        ] {
            assert_eq!(code(s.check(b, ask).expect_err("retired")), "retired");
        }
        let stranger = AccountId(uuid::Uuid::from_u128(3));
        assert!(matches!(
            s.check(stranger, Ask::Retire),
            Err(DomainError::NotFound)
        ));
    }

    /// The oracle for the property below, from the moves alone: each
    /// partner's last word since the latest version was written accepts it.
    fn both_accept_latest(moves: &[Move], members: [AccountId; 2]) -> bool {
        let Some(i) = moves.iter().rposition(|m| m.kind.writes_version()) else {
            return false;
        };
        let latest = moves[i].version;
        members.iter().all(|member| {
            moves[i..]
                .iter()
                .rev()
                .filter(|m| m.actor == *member)
                .find_map(|m| match m.kind {
                    k if k.writes_version() => Some(true),
                    Kind::Accept => Some(m.version == latest),
                    Kind::Withdraw | Kind::Decline => Some(false),
                    _ => None,
                })
                .unwrap_or(false)
        })
    }

    fn ask() -> impl Strategy<Value = (bool, Ask)> {
        let version = 0u32..6;
        (
            any::<bool>(),
            prop_oneof![
                Just(Ask::Counter),
                Just(Ask::Revise),
                version.clone().prop_map(|version| Ask::Accept { version }),
                version.prop_map(|version| Ask::Decline { version }),
                Just(Ask::Withdraw),
                Just(Ask::Confirm),
                Just(Ask::Retire),
            ],
        )
    }

    proptest! {
        /// Any sequence of asks: `accepted` implies both partners accepted
        /// the same, latest version; versions are only ever added, one
        /// number at a time; replaying the recorded moves gives the same
        /// state (what the store does on every request).
        #[test]
        fn accepted_means_both_accepted_the_latest_version(
            asks in proptest::collection::vec(ask(), 0..40)
        ) {
            let members = pair();
            let mut state = Negotiation::proposed(members, members[0]);
            let mut moves = vec![Move { actor: members[0], kind: Kind::Propose, version: 1 }];
            for (first, ask) in asks {
                let actor = members[usize::from(!first)];
                let before = state.latest;
                if let Ok(Some(m)) = state.check(actor, ask) {
                    state.apply(m);
                    moves.push(m);
                }
                prop_assert!(state.latest == before || state.latest == before + 1);
                if state.status() == Status::Accepted {
                    prop_assert_eq!(state.accepting, [true, true]);
                    prop_assert_eq!(state.in_force, Some(state.latest));
                    prop_assert!(both_accept_latest(&moves, members));
                }
                let replayed = Negotiation::replay(members, &moves).expect("starts with a proposal");
                prop_assert_eq!(&replayed, &state);
            }
        }
    }
}
