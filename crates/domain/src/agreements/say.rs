//! Balance of say (DESIGN.md): over a window, who proposes, whose proposals
//! pass unchanged, who counters and who declines.
//!
//! Superiority and control make reciprocity impossible, but one couple's
//! counts are small and easily over-read. So the figures are counts, and
//! the one judgement made from them is deliberately blunt and late: a note
//! shows only when at least [`MIN_ANSWERED`] proposals were answered and one
//! partner's passed unchanged more than 80% of the time while the other's
//! did less than 20% of the time (or the other had none answered). It never
//! says who; it is never a diagnosis.

use serde::Serialize;

use super::negotiation::{Kind, Move};
use crate::ids::AccountId;

/// Answered proposals (both partners together) before any note can show.
pub const MIN_ANSWERED: u32 = 8;
/// Above this share of a partner's proposals passing unchanged…
pub const HIGH: f64 = 0.8;
/// …while the other's pass unchanged below this share, the note shows.
pub const LOW: f64 = 0.2;

/// One partner's part in the decisions of the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Say {
    pub account_id: AccountId,
    /// Agreements they proposed (wrote version 1 of).
    pub proposed: u32,
    /// Of those, how many the other partner answered (accepted, countered
    /// or declined any version).
    pub answered: u32,
    /// Of those, how many the other accepted as first written.
    pub passed_unchanged: u32,
    /// Counter-proposals they made to the other's version.
    pub countered: u32,
    /// Versions of the other's they declined.
    pub declined: u32,
    /// `passed_unchanged / answered`; `None` with nothing answered.
    pub unchanged_rate: Option<f64>,
}

/// Both partners' say, and whether it leans far to one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Balance {
    pub partners: [Say; 2],
    /// Answered proposals, both partners together.
    pub answered: u32,
    /// The gentle note shows (see the module's rule).
    pub one_sided: bool,
}

fn zero(account_id: AccountId) -> Say {
    Say {
        account_id,
        proposed: 0,
        answered: 0,
        passed_unchanged: 0,
        countered: 0,
        declined: 0,
        unchanged_rate: None,
    }
}

/// The balance over agreements given as their moves, in order.
pub fn balance<'a>(
    members: [AccountId; 2],
    agreements: impl IntoIterator<Item = &'a [Move]>,
) -> Balance {
    let mut say = members.map(zero);
    let side = |actor: AccountId| members.iter().position(|m| *m == actor);
    for moves in agreements {
        let Some(first) = moves.first().filter(|m| m.kind == Kind::Propose) else {
            continue;
        };
        let Some(proposer) = side(first.actor) else {
            continue;
        };
        say[proposer].proposed += 1;
        let mut author = first.actor;
        let mut first_answer: Option<&Move> = None;
        for m in &moves[1..] {
            let Some(who) = side(m.actor) else { continue };
            let answers_the_other = m.actor != author;
            match m.kind {
                Kind::Counter if answers_the_other => say[who].countered += 1,
                Kind::Decline => say[who].declined += 1,
                _ => {}
            }
            if first_answer.is_none()
                && m.actor != first.actor
                && matches!(m.kind, Kind::Accept | Kind::Counter | Kind::Decline)
            {
                first_answer = Some(m);
            }
            if m.kind.writes_version() {
                author = m.actor;
            }
        }
        if let Some(answer) = first_answer {
            say[proposer].answered += 1;
            if answer.kind == Kind::Accept && answer.version == 1 {
                say[proposer].passed_unchanged += 1;
            }
        }
    }
    for s in &mut say {
        s.unchanged_rate =
            (s.answered > 0).then(|| f64::from(s.passed_unchanged) / f64::from(s.answered));
    }
    let answered = say[0].answered + say[1].answered;
    let leans = |high: &Say, low: &Say| {
        high.unchanged_rate.is_some_and(|r| r > HIGH) && low.unchanged_rate.is_none_or(|r| r < LOW)
    };
    let one_sided =
        answered >= MIN_ANSWERED && (leans(&say[0], &say[1]) || leans(&say[1], &say[0]));
    Balance {
        partners: say,
        answered,
        one_sided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> [AccountId; 2] {
        [
            AccountId(uuid::Uuid::from_u128(1)),
            AccountId(uuid::Uuid::from_u128(2)),
        ]
    }

    fn mv(actor: AccountId, kind: Kind, version: u32) -> Move {
        Move {
            actor,
            kind,
            version,
        }
    }

    /// `n` agreements `proposer` proposed and the other accepted as written.
    fn unchanged(proposer: AccountId, other: AccountId, n: usize) -> Vec<Vec<Move>> {
        vec![vec![mv(proposer, Kind::Propose, 1), mv(other, Kind::Accept, 1)]; n]
    }

    /// `n` agreements `proposer` proposed and the other countered, then accepted.
    fn countered(proposer: AccountId, other: AccountId, n: usize) -> Vec<Vec<Move>> {
        vec![
            vec![
                mv(proposer, Kind::Propose, 1),
                mv(other, Kind::Counter, 2),
                mv(proposer, Kind::Accept, 2),
            ];
            n
        ]
    }

    fn of(agreements: &[Vec<Move>]) -> Balance {
        balance(pair(), agreements.iter().map(Vec::as_slice))
    }

    #[test]
    fn counts_by_hand() {
        let [a, b] = pair();
        // A: 3 proposals, 2 accepted as written, 1 countered by B; one
        // unanswered. B: 1 proposal, declined by A, then B countered their
        // own (not a counter to A) and A accepted.
        let mut all = unchanged(a, b, 2);
        all.extend(countered(a, b, 1));
        all.push(vec![mv(a, Kind::Propose, 1)]);
        all.push(vec![
            mv(b, Kind::Propose, 1),
            mv(a, Kind::Decline, 1),
            mv(b, Kind::Counter, 2),
            mv(a, Kind::Accept, 2),
        ]);
        let got = of(&all);
        let [sa, sb] = &got.partners;
        assert_eq!((sa.proposed, sa.answered, sa.passed_unchanged), (4, 3, 2));
        assert_eq!((sa.countered, sa.declined), (0, 1));
        assert_eq!((sb.proposed, sb.answered, sb.passed_unchanged), (1, 1, 0));
        assert_eq!((sb.countered, sb.declined), (1, 0));
        assert_eq!(sa.unchanged_rate, Some(2.0 / 3.0));
        assert_eq!(sb.unchanged_rate, Some(0.0));
        assert_eq!(got.answered, 4);
        assert!(!got.one_sided, "fewer than 8 answered");
    }

    #[test]
    fn leans_only_past_both_thresholds_and_eight_answers() {
        let [a, b] = pair();
        // 9 of A's 10 pass unchanged (90%), 0 of B's 2 (0%): 12 answered.
        let mut all = unchanged(a, b, 9);
        all.extend(countered(a, b, 1));
        all.extend(countered(b, a, 2));
        assert!(of(&all).one_sided);
        // 8 of 10 is 80%: not more than 80%.
        let mut all = unchanged(a, b, 8);
        all.extend(countered(a, b, 2));
        all.extend(countered(b, a, 2));
        assert!(!of(&all).one_sided);
        // B's pass 1 in 4 (25%): not under 20%.
        let mut all = unchanged(a, b, 10);
        all.extend(unchanged(b, a, 1));
        all.extend(countered(b, a, 3));
        assert!(!of(&all).one_sided);
        // Only A proposes: 8 of 8 pass, B has none answered.
        assert!(of(&unchanged(a, b, 8)).one_sided);
        assert!(!of(&unchanged(a, b, 7)).one_sided);
        // The same, the other way round.
        assert!(of(&unchanged(b, a, 8)).one_sided);
    }
}
