//! Negative reciprocity in a couple's own recorded episodes: the figures of
//! the pattern page (API.md "Episodes and negative reciprocity").
//!
//! - **Directions** (SCIENCE.md §1.3): for "A then B", every A-turn directly
//!   answered by a B-turn is one tally of a 2×2 table (A negative or not,
//!   B negative or not). P(B negative | A negative) is read against B's
//!   base rate in the same table, with the adjusted residual and Yule's Q.
//!   The tallies come from the lag engine at lag 1 over four codes (actor ×
//!   negative), with `alternating` actors: partners take turns, so a
//!   same-actor transition is a structural zero, never a chance zero (read
//!   as chance, turn-taking alone looks like strong reciprocity; see
//!   `tests/turn_taking.rs`). Pairs never cross an episode; a person's two
//!   turns in a row are not an answer, so the sequence breaks there.
//! - **Spirals** (DESIGN.md "Analytics, defined"): a run of at least three
//!   consecutive negative turns that alternate actors with non-decreasing
//!   intensity; its start, length and peak.
//! - **Positive-to-negative ratio** (SCIENCE.md §4.1): P/N with the raw
//!   counts, undefined when N = 0, and the smoothed (P + ½)/(N + ½).
//! - **Turning toward** (SCIENCE.md §4.2): of one partner's bids answered
//!   by the other with toward, away or against, the share turned toward.
//! - **Responsibility balance**: of the repaired episodes, the share in
//!   which each partner named their own part.
//!
//! Below a minimum of data a figure is `None`: the page says there is too
//! little to tell rather than show a number built on three turns
//! (SCIENCE.md §1.5, "suppress display if R_i is below a minimum").

use crate::finite;
use crate::lag::{self, LagOptions, TransitionCounter};

/// A turn's feeling as the person recording it judged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Valence {
    Positive,
    Neutral,
    Negative,
}

/// How a turn answered the other partner's bid for connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    Toward,
    Away,
    Against,
}

/// One turn of an episode; `actor` is 0 or 1 (the space's member order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    pub actor: usize,
    pub valence: Valence,
    /// 1 (mild) to 5 (intense).
    pub intensity: u8,
    /// The turn is a bid for connection.
    pub bid: bool,
    /// The turn answers a bid.
    pub response: Option<Response>,
}

impl Turn {
    fn negative(&self) -> bool {
        self.valence == Valence::Negative
    }
}

/// A direction's figures are shown from this many negative turns answered.
pub const MIN_NEGATIVE_ANSWERED: u64 = 5;
/// …and this many answered turns in all.
pub const MIN_ANSWERED: u64 = 20;
/// A ratio is shown from this many positive and negative turns together.
pub const MIN_RATIO_TURNS: u64 = 10;
/// A turning-toward rate is shown from this many answered bids
/// (SCIENCE.md §4.2: "require a minimum denominator (e.g. ≥ 10 bids)").
pub const MIN_ANSWERED_BIDS: u64 = 10;
/// The shortest spiral.
pub const SPIRAL_MIN_TURNS: usize = 3;
/// Spirals "recur" at this many within [`RECUR_WINDOW_DAYS`].
pub const SPIRALS_RECUR: usize = 3;
pub const RECUR_WINDOW_DAYS: i32 = 30;
/// Responsibility balance: at least this many repaired episodes…
pub const MIN_REPAIRED: u64 = 4;

/// A spiral within one episode: `start` is the 0-based index of its first turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spiral {
    pub start: usize,
    pub length: usize,
    pub peak: u8,
}

/// Every spiral of one episode's turns, in order. Runs are maximal: a turn
/// that breaks a run (not negative, the same actor again, or a drop in
/// intensity) ends it, and if negative starts the next.
pub fn spirals(turns: &[Turn]) -> Vec<Spiral> {
    let mut found = Vec::new();
    let mut run: Option<(usize, usize)> = None; // (start, length)
    let close = |run: Option<(usize, usize)>, found: &mut Vec<Spiral>| {
        if let Some((start, length)) = run.filter(|&(_, len)| len >= SPIRAL_MIN_TURNS) {
            let peak = turns[start..start + length]
                .iter()
                .map(|t| t.intensity)
                .max()
                .unwrap_or(0);
            found.push(Spiral {
                start,
                length,
                peak,
            });
        }
    };
    for (i, turn) in turns.iter().enumerate() {
        if !turn.negative() {
            close(run.take(), &mut found);
            continue;
        }
        let continues = i > 0 && run.is_some() && {
            let prev = &turns[i - 1];
            prev.actor != turn.actor && turn.intensity >= prev.intensity
        };
        if continues {
            run = run.map(|(start, len)| (start, len + 1));
        } else {
            close(run.take(), &mut found);
            run = Some((i, 1));
        }
    }
    close(run, &mut found);
    found
}

/// Whether spirals recur: at least [`SPIRALS_RECUR`] in episodes of the
/// last [`RECUR_WINDOW_DAYS`] days up to `today` (days since 1970-01-01),
/// given the day of each spiral's episode.
pub fn spirals_recur(spiral_days: &[i32], today: i32) -> bool {
    spiral_days
        .iter()
        .filter(|&&d| d <= today && today - d < RECUR_WINDOW_DAYS)
        .count()
        >= SPIRALS_RECUR
}

/// Positive and negative turns, and their ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    pub positive: u64,
    pub negative: u64,
    /// P/N: `None` when N = 0 or there are fewer than [`MIN_RATIO_TURNS`].
    pub ratio: Option<f64>,
    /// (P + ½)/(N + ½), defined even when N = 0 (SCIENCE.md §4.1); `None`
    /// below the minimum too.
    pub smoothed: Option<f64>,
}

pub fn ratio<'a>(turns: impl IntoIterator<Item = &'a Turn>) -> Ratio {
    let (mut positive, mut negative) = (0u64, 0u64);
    for t in turns {
        match t.valence {
            Valence::Positive => positive += 1,
            Valence::Negative => negative += 1,
            Valence::Neutral => {}
        }
    }
    let enough = positive + negative >= MIN_RATIO_TURNS;
    Ratio {
        positive,
        negative,
        ratio: (enough && negative > 0)
            .then(|| positive as f64 / negative as f64)
            .and_then(finite),
        smoothed: enough
            .then(|| (positive as f64 + 0.5) / (negative as f64 + 0.5))
            .and_then(finite),
    }
}

/// Negative reciprocity from one partner to the other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Direction {
    pub from: usize,
    pub to: usize,
    /// `from`'s turns directly answered by `to`.
    pub n: u64,
    /// Of those, the negative ones.
    pub negative_answered: u64,
    /// Of those, answered negatively.
    pub negative_after_negative: u64,
    /// There is enough to say anything ([`MIN_NEGATIVE_ANSWERED`],
    /// [`MIN_ANSWERED`]); without it every figure below is `None`.
    pub enough: bool,
    /// P(`to` negative | `from` negative).
    pub p_negative_after_negative: Option<f64>,
    /// P(`to` negative) over all `to`'s answers to `from`.
    pub base_rate: Option<f64>,
    pub adjusted_residual: Option<f64>,
    pub yules_q: Option<f64>,
}

/// The four codes of the lag table: actor × negative or not.
fn code(t: &Turn) -> u32 {
    (t.actor as u32) * 2 + u32::from(!t.negative())
}
const NEGATIVE: usize = 0;
const NOT_NEGATIVE: usize = 1;

/// Both directions (0 → 1, then 1 → 0) over the episodes' turn sequences.
pub fn directions(episodes: &[&[Turn]]) -> [Direction; 2] {
    let mut counter = TransitionCounter::new(1).expect("lag 1 is valid");
    counter.reserve_codes(4);
    for turns in episodes {
        let mut previous: Option<usize> = None;
        for t in *turns {
            if previous == Some(t.actor) {
                // Two turns of one person: not an answer, so no pair.
                counter.end_sequence();
            }
            counter.push(code(t)).expect("four codes fit any table");
            previous = Some(t.actor);
        }
        counter.end_sequence();
    }
    let table = counter.finish();
    let options = LagOptions {
        alternating: Some(vec![0, 0, 1, 1]),
        ..LagOptions::default()
    };
    // No same-actor pair was counted, so the alternation rule holds.
    let analysis = lag::analyze(&table, &options).ok();
    let direction = |from: usize, to: usize| {
        let (neg_from, not_from) = (from * 2 + NEGATIVE, from * 2 + NOT_NEGATIVE);
        let (neg_to, not_to) = (to * 2 + NEGATIVE, to * 2 + NOT_NEGATIVE);
        let f = |g: usize, t: usize| table.count(g, t);
        let a = f(neg_from, neg_to);
        let row = a + f(neg_from, not_to);
        let col = a + f(not_from, neg_to);
        let n = row + f(not_from, neg_to) + f(not_from, not_to);
        let enough = row >= MIN_NEGATIVE_ANSWERED && n >= MIN_ANSWERED;
        let cell = analysis.as_ref().map(|a| a.cell(neg_from, neg_to));
        Direction {
            from,
            to,
            n,
            negative_answered: row,
            negative_after_negative: a,
            enough,
            p_negative_after_negative: enough
                .then(|| cell.and_then(|c| c.transitional_probability))
                .flatten(),
            base_rate: enough.then(|| col as f64 / n as f64).and_then(finite),
            adjusted_residual: enough
                .then(|| cell.and_then(|c| c.adjusted_residual))
                .flatten(),
            // The direction's own 2×2 (SCIENCE.md §1.3), not the collapse of
            // the whole four-code table, whose other corner would hold the
            // other direction's tallies.
            yules_q: enough.then(|| lag::yules_q(a, row, col, n)).flatten(),
        }
    };
    [direction(0, 1), direction(1, 0)]
}

/// One partner's bids and how the other answered them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bids {
    pub bidder: usize,
    pub responder: usize,
    pub bids: u64,
    pub toward: u64,
    pub away: u64,
    pub against: u64,
    /// toward / (toward + away + against), from [`MIN_ANSWERED_BIDS`].
    pub toward_rate: Option<f64>,
}

/// Bids by each partner (0's, then 1's), each answered by the other's next
/// turn when that turn is coded toward, away or against.
pub fn bids(episodes: &[&[Turn]]) -> [Bids; 2] {
    let mut out = [0, 1].map(|bidder| Bids {
        bidder,
        responder: 1 - bidder,
        bids: 0,
        toward: 0,
        away: 0,
        against: 0,
        toward_rate: None,
    });
    for turns in episodes {
        for (i, t) in turns.iter().enumerate() {
            if !t.bid || t.actor > 1 {
                continue;
            }
            let b = &mut out[t.actor];
            b.bids += 1;
            match turns.get(i + 1).filter(|next| next.actor != t.actor) {
                Some(Turn {
                    response: Some(Response::Toward),
                    ..
                }) => b.toward += 1,
                Some(Turn {
                    response: Some(Response::Away),
                    ..
                }) => b.away += 1,
                Some(Turn {
                    response: Some(Response::Against),
                    ..
                }) => b.against += 1,
                _ => {}
            }
        }
    }
    for b in &mut out {
        let answered = b.toward + b.away + b.against;
        b.toward_rate = (answered >= MIN_ANSWERED_BIDS)
            .then(|| b.toward as f64 / answered as f64)
            .and_then(finite);
    }
    out
}

/// Who named their own part, over the repaired episodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Responsibility {
    /// Episodes both partners wrote their repair for.
    pub repaired: u64,
    /// For each partner, in how many of those they named their own part.
    pub named: [u64; 2],
    /// `named / repaired`, once there is any repaired episode.
    pub share: [Option<f64>; 2],
    /// A persistent imbalance: at least [`MIN_REPAIRED`] repaired, one
    /// partner's share under a third while the other's is over two thirds.
    pub imbalance: bool,
}

/// `repairs[k][p]`: in repaired episode k, partner p named their own part.
pub fn responsibility(repairs: &[[bool; 2]]) -> Responsibility {
    let repaired = repairs.len() as u64;
    let named = [0, 1].map(|p| repairs.iter().filter(|r| r[p]).count() as u64);
    let share = named.map(|k| (repaired > 0).then(|| k as f64 / repaired as f64));
    // Compared in integers: k/n < 1/3 ⇔ 3k < n, k/n > 2/3 ⇔ 3k > 2n.
    let low = |k: u64| 3 * k < repaired;
    let high = |k: u64| 3 * k > 2 * repaired;
    let imbalance = repaired >= MIN_REPAIRED
        && ((low(named[0]) && high(named[1])) || (low(named[1]) && high(named[0])));
    Responsibility {
        repaired,
        named,
        share,
        imbalance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Valence::{Negative as N, Neutral as U, Positive as P};

    fn t(actor: usize, valence: Valence, intensity: u8) -> Turn {
        Turn {
            actor,
            valence,
            intensity,
            bid: false,
            response: None,
        }
    }

    #[test]
    fn a_spiral_is_three_alternating_negative_turns_that_do_not_cool() {
        // Intensities 2, 3, 3 alternating: one spiral of 3, peak 3.
        let turns = [t(0, N, 2), t(1, N, 3), t(0, N, 3)];
        assert_eq!(
            spirals(&turns),
            [Spiral {
                start: 0,
                length: 3,
                peak: 3
            }]
        );
        // Two negative turns are not a spiral.
        assert!(spirals(&turns[..2]).is_empty());
    }

    #[test]
    fn a_spiral_breaks_on_a_drop_the_same_actor_or_a_non_negative_turn() {
        // 0:N2 1:N3 | 0:N1 (drop, starts anew) 1:N2 0:N4 | 0:N5 (same actor)
        // 1:N5 0:N5 | 1:P | 0:N1 1:N1 0:N1
        let turns = [
            t(0, N, 2),
            t(1, N, 3),
            t(0, N, 1),
            t(1, N, 2),
            t(0, N, 4),
            t(0, N, 5),
            t(1, N, 5),
            t(0, N, 5),
            t(1, P, 1),
            t(0, N, 1),
            t(1, N, 1),
            t(0, N, 1),
        ];
        let found = spirals(&turns);
        assert_eq!(
            found,
            [
                Spiral {
                    start: 2,
                    length: 3,
                    peak: 4
                },
                Spiral {
                    start: 5,
                    length: 3,
                    peak: 5
                },
                Spiral {
                    start: 9,
                    length: 3,
                    peak: 1
                },
            ]
        );
    }

    #[test]
    fn spirals_recur_at_three_within_thirty_days() {
        let today = 20_000;
        assert!(spirals_recur(&[today, today - 10, today - 29], today));
        assert!(!spirals_recur(&[today, today - 10, today - 30], today));
        assert!(!spirals_recur(&[today, today], today));
    }

    #[test]
    fn the_ratio_counts_positive_against_negative_and_says_nothing_on_too_little() {
        // 7 positive, 4 negative, 2 neutral (SCIENCE.md §4.1's husband: 7:4).
        let mut turns = vec![t(0, P, 1); 7];
        turns.extend([t(0, N, 1); 4]);
        turns.extend([t(0, U, 1); 2]);
        let r = ratio(&turns);
        assert_eq!((r.positive, r.negative), (7, 4));
        assert_eq!(r.ratio, Some(1.75));
        assert_eq!(r.smoothed, Some(7.5 / 4.5));
        // No negative turn: the ratio is undefined, the smoothed one is not.
        let calm = vec![t(0, P, 1); 10];
        assert_eq!(ratio(&calm).ratio, None);
        assert_eq!(ratio(&calm).smoothed, Some(21.0));
        // Nine turns: too few to say.
        assert_eq!(ratio(&turns[..9]).smoothed, None);
    }

    /// A hand-built set: 0 negative then 1 negative 6 times, 0 negative then
    /// 1 not 2 times, 0 not then 1 negative 3 times, 0 not then 1 not 9
    /// times (20 tallies 0 → 1), each pair its own episode so no 1 → 0 pair.
    fn pairs(cells: [(Valence, Valence, usize); 4]) -> Vec<Vec<Turn>> {
        cells
            .iter()
            .flat_map(|&(a, b, k)| std::iter::repeat_n(vec![t(0, a, 2), t(1, b, 2)], k))
            .collect()
    }

    #[test]
    fn a_direction_is_its_own_two_by_two_table() {
        let episodes = pairs([(N, N, 6), (N, P, 2), (P, N, 3), (U, U, 9)]);
        let refs: Vec<&[Turn]> = episodes.iter().map(Vec::as_slice).collect();
        let [ab, ba] = directions(&refs);
        // a = 6, b = 2, c = 3, d = 9; R = 8, C = 9, N = 20.
        assert_eq!(
            (ab.n, ab.negative_answered, ab.negative_after_negative),
            (20, 8, 6)
        );
        assert!(ab.enough);
        assert_eq!(ab.p_negative_after_negative, Some(0.75));
        assert_eq!(ab.base_rate, Some(0.45));
        // Q = (6·9 − 2·3)/(6·9 + 2·3) = 48/60.
        assert_eq!(ab.yules_q, Some(0.8));
        // z = (6 − 8·9/20)/√(3.6·(1 − 8/20)·(1 − 9/20)) = 2.4/√1.188.
        let z = ab.adjusted_residual.expect("z");
        assert!((z - 2.4 / 1.188f64.sqrt()).abs() < 1e-9, "{z}");
        // Nothing answers 1's turns.
        assert_eq!(
            (ba.n, ba.enough, ba.p_negative_after_negative),
            (0, false, None)
        );
    }

    #[test]
    fn too_few_answered_negatives_show_no_figures() {
        let episodes = pairs([(N, N, 4), (N, P, 0), (P, N, 3), (U, U, 13)]);
        let refs: Vec<&[Turn]> = episodes.iter().map(Vec::as_slice).collect();
        let [ab, _] = directions(&refs);
        assert_eq!((ab.n, ab.negative_answered), (20, 4));
        assert!(!ab.enough);
        assert_eq!(
            (
                ab.p_negative_after_negative,
                ab.base_rate,
                ab.adjusted_residual,
                ab.yules_q
            ),
            (None, None, None, None)
        );
    }

    #[test]
    fn a_person_speaking_twice_is_not_an_answer_and_episodes_do_not_join() {
        // 0:N 0:N 1:N — one pair (the second 0:N → 1:N); then a second
        // episode 1:N 0:N — one pair 1 → 0. The end of episode one (1:N)
        // is not answered by the start of episode two (1:N).
        let one = [t(0, N, 1), t(0, N, 1), t(1, N, 1)];
        let two = [t(1, N, 1), t(0, N, 1)];
        let [ab, ba] = directions(&[&one, &two]);
        assert_eq!((ab.n, ab.negative_after_negative), (1, 1));
        assert_eq!((ba.n, ba.negative_after_negative), (1, 1));
    }

    #[test]
    fn bids_count_the_other_partners_answer() {
        let bid = |actor| Turn {
            bid: true,
            ..t(actor, P, 1)
        };
        let answer = |actor, r| Turn {
            response: Some(r),
            ..t(actor, P, 1)
        };
        // Partner 0 bids 12 times: 8 toward, 2 away, 1 against, 1 unanswered
        // (followed by their own turn). Partner 1 bids twice.
        let mut episodes: Vec<Vec<Turn>> = Vec::new();
        for (r, k) in [
            (Response::Toward, 8),
            (Response::Away, 2),
            (Response::Against, 1),
        ] {
            for _ in 0..k {
                episodes.push(vec![bid(0), answer(1, r)]);
            }
        }
        episodes.push(vec![bid(0), bid(0), answer(1, Response::Toward)]);
        let refs: Vec<&[Turn]> = episodes.iter().map(Vec::as_slice).collect();
        let [zero, one] = bids(&refs);
        // The double bid: the first is followed by 0's own turn (unanswered),
        // the second answered toward: 13 bids, 9 toward, 2 away, 1 against.
        assert_eq!(
            (zero.bids, zero.toward, zero.away, zero.against),
            (13, 9, 2, 1)
        );
        assert_eq!(zero.toward_rate, Some(9.0 / 12.0));
        assert_eq!((one.bids, one.toward_rate), (0, None));
    }

    #[test]
    fn responsibility_balance_flags_a_persistent_one_sided_pattern() {
        // Four repaired: partner 0 named their part once (1/4 < 1/3),
        // partner 1 every time (4/4 > 2/3).
        let r = responsibility(&[[true, true], [false, true], [false, true], [false, true]]);
        assert_eq!((r.repaired, r.named), (4, [1, 4]));
        assert_eq!(r.share, [Some(0.25), Some(1.0)]);
        assert!(r.imbalance);
        // Three repaired is too few, however one-sided.
        assert!(!responsibility(&[[false, true]; 3]).imbalance);
        // Six repaired, 2/6 is exactly a third: not under it.
        let even = responsibility(&[
            [true, true],
            [true, true],
            [false, true],
            [false, true],
            [false, true],
            [false, true],
        ]);
        assert_eq!(even.named, [2, 6]);
        assert!(!even.imbalance);
        // Both low: nobody names their part, which is not an imbalance.
        assert!(!responsibility(&[[false, false]; 5]).imbalance);
        assert_eq!(responsibility(&[]).share, [None, None]);
    }
}
