//! The reference model: a few plain structs that say, for three people and
//! the relationships between them, what each action should answer and what
//! each person may see afterwards. It is the SECURITY.md §1.3 table written
//! as code, small enough to check by eye:
//!
//! - D2 (a draft answer in a sealed round): its author only, and nobody else
//!   learns that it exists;
//! - D3 (a ledger entry, a thank-you, a conversation note, a revealed
//!   answer): its author and the partner while the relationship is active;
//!   withdrawn or overwritten, nobody;
//! - sealed answers: the partner sees them only once both have submitted;
//! - an ended relationship: each former partner reads their own words and
//!   nothing the other wrote; anyone else is told it does not exist.
//!
//! Counselors (D4, D7) and agreements do not exist in the product yet: see
//! `COUNSELOR:` below for where their transitions and rules will go.
//!
//! The model knows no ids. It numbers relationships, entries and words
//! ("markers") in the order they are made; the driver maps those numbers to
//! what the server returned.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;

/// People in each case: two partners and a third who can be a stranger, a
/// new partner after a leave, or the one who joins first.
pub const PEOPLE: usize = 3;

/// The sealed instruments, each driven through the same four endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instrument {
    Values,
    Respect,
    /// The first conversation deck (its answers are free text).
    Talk,
}

impl Instrument {
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Clone, Debug)]
pub enum Action {
    /// Start a relationship (an invitation for the partner).
    Create,
    /// Use the invitation of relationship number `pick` (modulo how many).
    Join {
        pick: usize,
    },
    /// Leave the actor's current relationship.
    Leave,
    /// Log a contribution; `for_partner`: the partner did it for the actor
    /// (then it is thanked at once, with a note).
    Log {
        for_partner: bool,
        effort: u8,
    },
    /// Correct entry number `pick` (of every entry of the case, so strangers
    /// and former partners try too).
    Correct {
        pick: usize,
        effort: u8,
    },
    /// Withdraw (delete) entry number `pick`.
    Withdraw {
        pick: usize,
    },
    /// Thank entry number `pick`, with or without a note.
    Thank {
        pick: usize,
        value: u8,
        note: bool,
    },
    /// The actor's choice to see numbers (ratings) in the current relationship.
    ShowNumbers {
        show: bool,
    },
    /// Save a draft (every item of the instrument, at `level`, with a new
    /// marker in its one text field where it has one).
    Save {
        instrument: Instrument,
        level: u8,
    },
    Submit {
        instrument: Instrument,
    },
    NewRound {
        instrument: Instrument,
    },
    /// A note on the conversation deck's latest round.
    Note,
    SignOut,
    SignIn,
    NewToken,
    RevokeToken,
    // COUNSELOR: invite a counselor, approve, revoke, send a counselor note
    // (D7), and agreements (propose, counter, accept, withdraw assent, D4)
    // join here once the product has them, with their rules in `apply`
    // and their visibility in `may_see` below.
}

#[derive(Clone, Debug)]
pub struct Step {
    pub actor: usize,
    pub action: Action,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Active,
    Ended,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Ended => "ended",
        }
    }
}

/// One person's answers in a round: every item at `level`; `marker` is the
/// text of the one free-text field (values' first definition, the deck's
/// first prompt); the respect map has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub level: u8,
    pub marker: Option<u32>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Side {
    pub draft: Option<Answer>,
    pub submitted: bool,
}

/// A sealed round: one side per member, in member order.
#[derive(Clone, Debug, Default)]
pub struct Round {
    pub sides: [Side; 2],
}

impl Round {
    pub fn revealed(&self) -> bool {
        self.sides.iter().all(|s| s.submitted)
    }
}

#[derive(Clone, Debug)]
pub struct Rel {
    /// The creator first, then whoever joined.
    pub members: Vec<usize>,
    pub status: Status,
    pub invite_used: bool,
    /// Each person's choice to see numbers (by person index).
    pub show_numbers: [bool; PEOPLE],
    /// Rounds of each instrument (by `Instrument::index`), oldest first.
    pub rounds: [Vec<Round>; 3],
    /// Who has an open request for the next round, per instrument (values
    /// and the respect map start a new round when both agree).
    pub asks: [Option<usize>; 3],
}

impl Rel {
    pub fn is_member(&self, p: usize) -> bool {
        self.members.contains(&p)
    }

    /// The position of `p` in a round's sides.
    pub fn side_of(&self, p: usize) -> Option<usize> {
        self.members.iter().position(|&m| m == p)
    }

    pub fn consent(&self) -> bool {
        self.members.len() == 2 && self.members.iter().all(|&m| self.show_numbers[m])
    }
}

#[derive(Clone, Debug)]
pub struct Thanks {
    pub value: u8,
    pub note: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub rel: usize,
    pub giver: usize,
    pub receiver: usize,
    pub logged_by: usize,
    /// The description's marker (a correction gives it a new one).
    pub marker: u32,
    pub effort: u8,
    pub thanks: Option<Thanks>,
    pub withdrawn: bool,
}

#[derive(Clone, Debug)]
pub struct Note {
    pub rel: usize,
    pub round: u32,
    pub author: usize,
    pub marker: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    None,
    Live,
    Revoked,
}

#[derive(Clone, Debug)]
pub struct Model {
    pub signed_in: [bool; PEOPLE],
    pub token: [Token; PEOPLE],
    pub rels: Vec<Rel>,
    pub entries: Vec<Entry>,
    pub notes: Vec<Note>,
    pub markers: u32,
    /// What the last step should answer: `None` when it sends nothing
    /// (the actor has no relationship to act in, nothing to pick).
    pub expect: Option<u16>,
}

impl Default for Model {
    fn default() -> Self {
        Self {
            signed_in: [true; PEOPLE],
            token: [Token::None; PEOPLE],
            rels: Vec::new(),
            entries: Vec::new(),
            notes: Vec::new(),
            markers: 0,
            expect: None,
        }
    }
}

impl Model {
    fn marker(&mut self) -> u32 {
        self.markers += 1;
        self.markers
    }

    /// The open (pending or active) relationship of `p`.
    pub fn open_of(&self, p: usize) -> Option<usize> {
        self.rels
            .iter()
            .position(|r| r.is_member(p) && r.status != Status::Ended)
    }

    /// Where `p` acts: their open relationship, else the latest they were in.
    pub fn current_of(&self, p: usize) -> Option<usize> {
        self.open_of(p)
            .or_else(|| self.rels.iter().rposition(|r| r.is_member(p)))
    }

    /// The shared prelude of every write in relationship `r` (`access::writer`):
    /// 404 to a non-member, 409 once ended or while waiting for the partner.
    fn writer(&self, p: usize, r: usize) -> Result<(), u16> {
        let rel = &self.rels[r];
        if !rel.is_member(p) {
            Err(404)
        } else if rel.status != Status::Active {
            Err(409)
        } else {
            Ok(())
        }
    }

    /// The round number the status shows `p` (the API's "current" round):
    /// the latest round while open; once ended, the latest round `p` wrote in.
    pub fn current_round(&self, p: usize, r: usize, i: Instrument) -> u32 {
        let rel = &self.rels[r];
        let rounds = &rel.rounds[i.index()];
        if rel.status == Status::Ended {
            let me = rel.side_of(p).unwrap_or(0);
            rounds
                .iter()
                .rposition(|round| wrote_in(&round.sides[me]))
                .map_or(1, |n| n as u32 + 1)
        } else {
            rounds.len().max(1) as u32
        }
    }

    /// Applies one step, recording what it should answer.
    pub fn step(&mut self, step: &Step) {
        self.expect = self.apply_step(step);
    }

    fn apply_step(&mut self, step: &Step) -> Option<u16> {
        let p = step.actor;
        match step.action {
            Action::SignIn => {
                self.signed_in[p] = true;
                return Some(200);
            }
            // Signing out needs no session: a repeat is harmless.
            Action::SignOut => {
                self.signed_in[p] = false;
                return Some(204);
            }
            _ => {}
        }
        if self.nothing_to_act_on(p, &step.action) {
            return None;
        }
        if !self.signed_in[p] {
            // Every other action is made with the session cookie.
            return Some(401);
        }
        match step.action {
            Action::SignIn | Action::SignOut => unreachable!("answered above"),
            Action::NewToken => {
                if self.token[p] == Token::Live {
                    return None;
                }
                self.token[p] = Token::Live;
                Some(201)
            }
            Action::RevokeToken => {
                if self.token[p] != Token::Live {
                    return None;
                }
                self.token[p] = Token::Revoked;
                Some(204)
            }
            Action::Create => {
                if self.open_of(p).is_some() {
                    return Some(409);
                }
                self.rels.push(Rel {
                    members: vec![p],
                    status: Status::Pending,
                    invite_used: false,
                    show_numbers: [false; PEOPLE],
                    rounds: Default::default(),
                    asks: Default::default(),
                });
                Some(201)
            }
            Action::Join { pick } => {
                if self.rels.is_empty() {
                    return None;
                }
                let r = pick % self.rels.len();
                if self.open_of(p).is_some() {
                    return Some(409);
                }
                let rel = &mut self.rels[r];
                if rel.status != Status::Pending || rel.invite_used {
                    // Used, or its creator left: one answer for every dead code.
                    return Some(422);
                }
                rel.members.push(p);
                rel.status = Status::Active;
                rel.invite_used = true;
                Some(200)
            }
            Action::Leave => {
                let r = self.current_of(p)?;
                self.rels[r].status = Status::Ended;
                Some(200)
            }
            Action::Log {
                for_partner,
                effort,
            } => {
                let r = self.current_of(p)?;
                if let Err(status) = self.writer(p, r) {
                    return Some(status);
                }
                let partner = self.rels[r].members.iter().copied().find(|&m| m != p)?;
                let marker = self.marker();
                let (giver, receiver, thanks) = if for_partner {
                    let note = self.marker();
                    let thanks = Thanks {
                        value: 6 - effort,
                        note: Some(note),
                    };
                    (partner, p, Some(thanks))
                } else {
                    (p, partner, None)
                };
                self.entries.push(Entry {
                    rel: r,
                    giver,
                    receiver,
                    logged_by: p,
                    marker,
                    effort,
                    thanks,
                    withdrawn: false,
                });
                Some(201)
            }
            Action::Correct { pick, effort } => {
                let e = self.entry_for_change(p, pick)?;
                if let Err(status) = e {
                    return Some(status);
                }
                let e = e.ok()?;
                let marker = self.marker();
                let entry = &mut self.entries[e];
                entry.marker = marker;
                entry.effort = effort;
                Some(200)
            }
            Action::Withdraw { pick } => {
                let e = self.entry_for_change(p, pick)?;
                if let Err(status) = e {
                    return Some(status);
                }
                self.entries[e.ok()?].withdrawn = true;
                Some(204)
            }
            Action::Thank { pick, value, note } => {
                let e = self.entry_to_thank(p, pick)?;
                if let Err(status) = e {
                    return Some(status);
                }
                let note = note.then(|| self.marker());
                self.entries[e.ok()?].thanks = Some(Thanks { value, note });
                Some(200)
            }
            Action::ShowNumbers { show } => {
                let r = self.current_of(p)?;
                if let Err(status) = self.writer(p, r) {
                    return Some(status);
                }
                self.rels[r].show_numbers[p] = show;
                Some(200)
            }
            Action::Save { instrument, level } => {
                let r = self.current_of(p)?;
                if let Err(status) = self.writer(p, r) {
                    return Some(status);
                }
                let marker = (instrument != Instrument::Respect).then(|| self.marker());
                let rel = &mut self.rels[r];
                let me = rel.side_of(p)?;
                let rounds = &mut rel.rounds[instrument.index()];
                if rounds.is_empty() {
                    rounds.push(Round::default());
                }
                let side = &mut rounds.last_mut()?.sides[me];
                if side.submitted {
                    return Some(409);
                }
                side.draft = Some(Answer { level, marker });
                Some(200)
            }
            Action::Submit { instrument } => {
                let r = self.current_of(p)?;
                if let Err(status) = self.writer(p, r) {
                    return Some(status);
                }
                let rel = &mut self.rels[r];
                let me = rel.side_of(p)?;
                let Some(round) = rel.rounds[instrument.index()].last_mut() else {
                    return Some(409);
                };
                let side = &mut round.sides[me];
                if side.submitted || side.draft.is_none() {
                    return Some(409);
                }
                side.submitted = true;
                Some(200)
            }
            Action::NewRound { instrument } => {
                let r = self.current_of(p)?;
                if let Err(status) = self.writer(p, r) {
                    return Some(status);
                }
                let rel = &mut self.rels[r];
                let rounds = &mut rel.rounds[instrument.index()];
                if instrument == Instrument::Talk {
                    if rounds.last().is_some_and(|round| !round.revealed()) {
                        return Some(409);
                    }
                    rounds.push(Round::default());
                    return Some(201);
                }
                // Values and the respect map: a request, or the agreement
                // to the partner's request (which starts the round); only
                // after a revealed round (before, the round is still open).
                if !rounds.last().is_some_and(Round::revealed) {
                    return Some(409);
                }
                let asks = &mut rel.asks[instrument.index()];
                match *asks {
                    Some(asker) if asker != p => {
                        *asks = None;
                        rounds.push(Round::default());
                        Some(201)
                    }
                    _ => {
                        *asks = Some(p);
                        Some(202)
                    }
                }
            }
            Action::Note => {
                let r = self.current_of(p)?;
                if let Err(status) = self.writer(p, r) {
                    return Some(status);
                }
                let rounds = &self.rels[r].rounds[Instrument::Talk.index()];
                if !rounds.last().is_some_and(Round::revealed) {
                    return Some(409);
                }
                let round = rounds.len() as u32;
                let marker = self.marker();
                self.notes.push(Note {
                    rel: r,
                    round,
                    author: p,
                    marker,
                });
                Some(201)
            }
        }
    }

    /// Whether the step has nothing to send: no relationship to act in, no
    /// relationship or entry to pick, no token to revoke (or one already).
    fn nothing_to_act_on(&self, p: usize, action: &Action) -> bool {
        match action {
            Action::SignIn | Action::SignOut | Action::Create => false,
            Action::NewToken => self.token[p] == Token::Live,
            Action::RevokeToken => self.token[p] != Token::Live,
            Action::Join { .. } => self.rels.is_empty(),
            Action::Correct { .. } | Action::Withdraw { .. } | Action::Thank { .. } => {
                self.entries.is_empty()
            }
            Action::Leave
            | Action::Log { .. }
            | Action::ShowNumbers { .. }
            | Action::Save { .. }
            | Action::Submit { .. }
            | Action::NewRound { .. }
            | Action::Note => self.current_of(p).is_none(),
        }
    }

    /// The rules of correcting or withdrawing entry `pick` (the 24-hour
    /// window is never reached here): `Ok(index)` when allowed, else the
    /// status, in the order the server decides them.
    fn entry_for_change(&self, p: usize, pick: usize) -> Option<Result<usize, u16>> {
        let e = pick % self.entries.len().max(1);
        let entry = self.entries.get(e)?;
        Some(if let Err(status) = self.writer(p, entry.rel) {
            Err(status)
        } else if entry.withdrawn {
            Err(404)
        } else if entry.logged_by != p {
            Err(403)
        } else if entry.thanks.is_some() && entry.giver == p {
            // Thanked: kept as it was (a receiver's own "for me" entry,
            // thanked as it was logged, stays theirs to change).
            Err(409)
        } else {
            Ok(e)
        })
    }

    /// The rules of thanking entry `pick`: the receiver, once.
    fn entry_to_thank(&self, p: usize, pick: usize) -> Option<Result<usize, u16>> {
        let e = pick % self.entries.len().max(1);
        let entry = self.entries.get(e)?;
        Some(if let Err(status) = self.writer(p, entry.rel) {
            Err(status)
        } else if entry.withdrawn {
            Err(404)
        } else if entry.receiver != p {
            Err(403)
        } else if entry.thanks.is_some() {
            Err(409)
        } else {
            Ok(e)
        })
    }

    /// Every marker `p` may read anywhere, by the §1.3 rules. The leak check
    /// holds every response `p` receives against this set.
    pub fn may_see(&self, p: usize) -> BTreeSet<u32> {
        let mut seen = BTreeSet::new();
        for entry in self.entries.iter().filter(|e| !e.withdrawn) {
            let rel = &self.rels[entry.rel];
            if !rel.is_member(p) {
                continue;
            }
            let open = rel.status != Status::Ended;
            if open || entry.logged_by == p {
                seen.insert(entry.marker);
            }
            if let Some(note) = entry.thanks.as_ref().and_then(|t| t.note) {
                if open || entry.receiver == p {
                    seen.insert(note);
                }
            }
        }
        for (r, rel) in self.rels.iter().enumerate() {
            let Some(me) = rel.side_of(p) else { continue };
            let open = rel.status != Status::Ended;
            for rounds in &rel.rounds {
                for round in rounds {
                    for (s, side) in round.sides.iter().enumerate() {
                        let visible = s == me || (open && round.revealed());
                        if let Some(m) = side.draft.and_then(|a| a.marker).filter(|_| visible) {
                            seen.insert(m);
                        }
                    }
                }
            }
            for note in self.notes.iter().filter(|n| n.rel == r) {
                if open || note.author == p {
                    seen.insert(note.marker);
                }
            }
        }
        seen
    }
}

/// Whether a side holds anything its author wrote.
pub fn wrote_in(side: &Side) -> bool {
    side.draft.is_some() || side.submitted
}

/// The reference state machine: generation (and shrinking) of step
/// sequences from the model, as `proptest-state-machine` drives it.
pub struct Reference;

fn action() -> impl Strategy<Value = Action> {
    let instrument = prop_oneof![
        Just(Instrument::Values),
        Just(Instrument::Respect),
        Just(Instrument::Talk)
    ];
    // Weights: enough relationship churn to reach leaves and new partners,
    // and enough sealed-round traffic to reach reveals.
    prop_oneof![
        3 => Just(Action::Create),
        3 => (0..8usize).prop_map(|pick| Action::Join { pick }),
        3 => Just(Action::Leave),
        5 => (any::<bool>(), 1..=5u8)
            .prop_map(|(for_partner, effort)| Action::Log { for_partner, effort }),
        2 => (0..32usize, 1..=5u8).prop_map(|(pick, effort)| Action::Correct { pick, effort }),
        2 => (0..32usize).prop_map(|pick| Action::Withdraw { pick }),
        3 => (0..32usize, 1..=5u8, any::<bool>())
            .prop_map(|(pick, value, note)| Action::Thank { pick, value, note }),
        1 => any::<bool>().prop_map(|show| Action::ShowNumbers { show }),
        5 => (instrument.clone(), 1..=5u8)
            .prop_map(|(instrument, level)| Action::Save { instrument, level }),
        4 => instrument.clone().prop_map(|instrument| Action::Submit { instrument }),
        1 => instrument.prop_map(|instrument| Action::NewRound { instrument }),
        2 => Just(Action::Note),
        1 => Just(Action::SignOut),
        1 => Just(Action::SignIn),
        1 => Just(Action::NewToken),
        1 => Just(Action::RevokeToken),
    ]
}

/// An action for `p`, weighted by where `p` stands: signed out, they most
/// likely sign in; without an open relationship, they most likely start or
/// join one (the pending one); in one, they often make the move a partner
/// who means to finish would make, and otherwise anything.
fn action_for(state: &Model, p: usize) -> BoxedStrategy<Action> {
    if !state.signed_in[p] {
        return prop_oneof![2 => Just(Action::SignIn), 1 => action()].boxed();
    }
    let Some(r) = state.open_of(p) else {
        let pending: Vec<usize> = (0..state.rels.len())
            .filter(|&r| state.rels[r].status == Status::Pending)
            .collect();
        let join = if pending.is_empty() {
            (0..8usize).boxed()
        } else {
            proptest::sample::select(pending).boxed()
        }
        .prop_map(|pick| Action::Join { pick });
        return prop_oneof![2 => Just(Action::Create), 3 => join, 1 => action()].boxed();
    };
    // Varies with the history, so the levels saved vary too.
    let level = 1 + (state.markers % 5) as u8;
    let sealed = sealed_moves(&state.rels[r], p, level);
    let ledger = ledger_moves(state, r, p, level);
    if sealed.is_empty() {
        return prop_oneof![1 => action(), 1 => proptest::sample::select(ledger)].boxed();
    }
    prop_oneof![
        2 => action(),
        3 => proptest::sample::select(sealed),
        1 => proptest::sample::select(ledger),
    ]
    .boxed()
}

/// The next move of `p` in each sealed instrument: save, submit, then a
/// note or a new round once revealed. A round someone already wrote in comes
/// first: one round at a time reaches its reveal far sooner than three.
fn sealed_moves(rel: &Rel, p: usize, level: u8) -> Vec<Action> {
    let me = rel.side_of(p).unwrap_or_default();
    let (mut finishing, mut any) = (Vec::new(), Vec::new());
    for i in [Instrument::Values, Instrument::Respect, Instrument::Talk] {
        let latest = rel.rounds[i.index()].last();
        let move_here = match latest {
            Some(round) if round.revealed() => {
                if i == Instrument::Talk {
                    any.push(Action::Note);
                }
                Some(Action::NewRound { instrument: i })
            }
            Some(round) if round.sides[me].submitted => None,
            Some(round) if round.sides[me].draft.is_some() => {
                Some(Action::Submit { instrument: i })
            }
            _ => Some(Action::Save {
                instrument: i,
                level,
            }),
        };
        let started = latest.is_some_and(|r| !r.revealed() && r.sides.iter().any(wrote_in));
        match move_here {
            Some(m) if started => finishing.push(m),
            Some(m) => any.push(m),
            None => {}
        }
    }
    if finishing.is_empty() {
        any
    } else {
        finishing
    }
}

/// Something given (so that there is something to thank, correct, withdraw,
/// and keep or lose after a leave), and thanks for what the partner gave.
fn ledger_moves(state: &Model, r: usize, p: usize, level: u8) -> Vec<Action> {
    let mut moves = vec![Action::Log {
        for_partner: state.markers % 2 == 1,
        effort: level,
    }];
    if let Some(pick) = state
        .entries
        .iter()
        .position(|e| e.rel == r && e.receiver == p && e.thanks.is_none() && !e.withdrawn)
    {
        moves.push(Action::Thank {
            pick,
            value: level,
            note: !state.markers.is_multiple_of(3),
        });
    }
    moves
}

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::default()).boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        // Mostly the people of the newest relationship act (or, while it
        // waits for a partner, the others), so that a couple gets far
        // enough to reveal a round and leave; anyone may act too.
        let people: Vec<usize> = match state.rels.last() {
            Some(r) if r.status == Status::Pending => {
                (0..PEOPLE).filter(|p| !r.is_member(*p)).collect()
            }
            Some(r) => r.members.clone(),
            None => (0..PEOPLE).collect(),
        };
        let actor = prop_oneof![
            3 => proptest::sample::select(people),
            1 => 0..PEOPLE,
        ];
        let state = state.clone();
        actor
            .prop_flat_map(move |actor| {
                action_for(&state, actor).prop_map(move |action| Step { actor, action })
            })
            .boxed()
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        state.step(step);
        state
    }
}
