//! The ledger's balance: appreciation first, never a debt.
//!
//! Over a window of days this module totals, per partner and per domain,
//! what was given (count, effort, value as rated by the receiver), what was
//! received, and what still waits for thanks; the reciprocity index
//! min/max of value given (DESIGN.md "Analytics, defined"); Walster equity per
//! partner with inputs = effort given and outcomes = value received
//! (SCIENCE.md §3.2 item 2, Walster, Berscheid & Walster 1973, with its sign
//! rules, not the Adams ratio); and a weekly series for the chart.
//!
//! Partners are 0 and 1. Days are days since 1970-01-01 (UTC dates). The
//! domain layer validates entries before calling; out-of-range partners or
//! domains are ignored here rather than trusted, never a panic.

/// The number of contribution domains (API.md, Ledger).
pub const DOMAINS: usize = 9;

/// One contribution, as the analytics see it. Partners are 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// 0 or 1; the receiver is the other. Anything else: the entry is ignored.
    pub giver: usize,
    /// 0..DOMAINS. Anything else: the entry is ignored.
    pub domain: usize,
    /// Days since 1970-01-01 (UTC date).
    pub day: i32,
    /// 1..=5, the giver's cost relative to their own capacity.
    pub effort: u8,
    /// 1..=5 as rated by the receiver; `None` while unacknowledged.
    pub value: Option<u8>,
}

/// One partner's totals over a window (or over one domain of it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartnerTotals {
    /// Contributions this partner gave, acknowledged or not.
    pub given_count: u32,
    /// Sum of receiver-rated values of what this partner gave (acknowledged only).
    pub given_value: u32,
    /// Sum of effort of everything this partner gave (acknowledged or not).
    pub given_effort: u32,
    /// Sum of values this partner rated for what they received.
    pub received_value: u32,
    /// Contributions this partner RECEIVED and has not acknowledged yet.
    pub awaiting_thanks: u32,
}

/// One week (Monday to Sunday) of the chart series.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    /// The Monday that starts the week.
    pub start_day: i32,
    /// Per giver: sum of receiver-rated values of contributions given in the
    /// window's part of this week (acknowledged only).
    pub value_given: [u32; 2],
    /// Per giver: contributions given in the window's part of this week.
    pub count_given: [u32; 2],
}

/// The ledger balance over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    pub partners: [PartnerTotals; 2],
    /// Length `DOMAINS`, index = domain.
    pub by_domain: Vec<[PartnerTotals; 2]>,
    /// min(given_value A, given_value B) / max(...); None when both are 0.
    pub reciprocity_index: Option<f64>,
    /// Walster relative gain per partner with I = given_effort, O = received_value
    /// (SCIENCE.md 3.2 item 2, sign rules, None when I = 0).
    pub equity: [Option<f64>; 2],
    /// Weeks from the Monday on or before `from_day` to the week containing `to_day`, every week present (zeros included), in order.
    pub weekly: Vec<Week>,
}

/// Balance over entries with from_day <= day <= to_day (inclusive). Entries outside are ignored.
///
/// One pass over `entries`, two allocations (domains, weeks); no allocation
/// per entry. Entries with `giver > 1` or `domain >= DOMAINS` are ignored.
/// Effort and value are taken as given (the domain layer enforces 1..=5);
/// sums saturate instead of overflowing. When `from_day > to_day` the result
/// has zero totals and an empty weekly series.
///
/// The weekly series has one element per week of the window, so the caller
/// bounds the window (a 90-day default is 14 weeks; ten years is 523).
pub fn balance(entries: &[Entry], from_day: i32, to_day: i32) -> Balance {
    let mut partners: [PartnerTotals; 2] = Default::default();
    let mut by_domain: Vec<[PartnerTotals; 2]> = vec![Default::default(); DOMAINS];
    let mut weekly = Vec::new();

    if from_day <= to_day {
        let first = week_start(from_day);
        let last = week_start(to_day);
        // Both are Mondays with first <= last, so the count is exact.
        let weeks = (i64::from(last) - i64::from(first)) / 7 + 1;
        weekly = (0..weeks)
            .map(|w| Week {
                start_day: saturating_i32(i64::from(first) + 7 * w),
                value_given: [0; 2],
                count_given: [0; 2],
            })
            .collect();

        for e in entries {
            if e.giver > 1 || e.domain >= DOMAINS || e.day < from_day || e.day > to_day {
                continue;
            }
            let giver = e.giver;
            let receiver = 1 - giver;
            let effort = u32::from(e.effort);
            let value = e.value.map(u32::from);

            add(&mut partners, giver, receiver, effort, value);
            add(&mut by_domain[e.domain], giver, receiver, effort, value);

            // from_day <= day, so week_start(day) >= first and the index is
            // in range; `get_mut` keeps it panic-free regardless.
            let idx = (i64::from(week_start(e.day)) - i64::from(first)) / 7;
            if let Some(week) = usize::try_from(idx).ok().and_then(|i| weekly.get_mut(i)) {
                week.count_given[giver] = week.count_given[giver].saturating_add(1);
                if let Some(v) = value {
                    week.value_given[giver] = week.value_given[giver].saturating_add(v);
                }
            }
        }
    }

    let reciprocity_index = reciprocity_index(
        f64::from(partners[0].given_value),
        f64::from(partners[1].given_value),
    );
    let equity = [0, 1].map(|p| {
        walster_relative_gain(
            f64::from(partners[p].given_effort),
            f64::from(partners[p].received_value),
        )
    });

    Balance {
        partners,
        by_domain,
        reciprocity_index,
        equity,
        weekly,
    }
}

/// Adds one contribution to a pair of totals. `giver` and `receiver` are 0/1.
fn add(t: &mut [PartnerTotals; 2], giver: usize, receiver: usize, effort: u32, value: Option<u32>) {
    let g = &mut t[giver];
    g.given_count = g.given_count.saturating_add(1);
    g.given_effort = g.given_effort.saturating_add(effort);
    if let Some(v) = value {
        g.given_value = g.given_value.saturating_add(v);
    }
    let r = &mut t[receiver];
    match value {
        Some(v) => r.received_value = r.received_value.saturating_add(v),
        None => r.awaiting_thanks = r.awaiting_thanks.saturating_add(1),
    }
}

/// Walster, Berscheid & Walster (1973): (O − I) / |I|^k with k = sign(I)·sign(O − I); 0 when O = I; None when I = 0.
///
/// So for k = +1 the gain is (O − I)/|I| and for k = −1 it is (O − I)·|I|
/// (SCIENCE.md §3.2 item 2). Non-finite inputs or results are `None`. The
/// scale is highly non-linear: never average these values across time.
pub fn walster_relative_gain(input: f64, outcome: f64) -> Option<f64> {
    if !input.is_finite() || !outcome.is_finite() || input == 0.0 {
        return None;
    }
    let gain = outcome - input;
    if gain == 0.0 {
        return Some(0.0);
    }
    // Both signs are ±1 here (input ≠ 0, gain ≠ 0).
    let k_positive = (input > 0.0) == (gain > 0.0);
    let g = if k_positive {
        gain / input.abs()
    } else {
        gain * input.abs()
    };
    crate::finite(g)
}

/// min(a, b) / max(a, b); None when both are 0 (nothing given either way); inputs are non-negative.
///
/// A negative or non-finite input is outside the definition and gives `None`.
pub fn reciprocity_index(a: f64, b: f64) -> Option<f64> {
    if !(a.is_finite() && b.is_finite() && a >= 0.0 && b >= 0.0) {
        return None;
    }
    let hi = a.max(b);
    if hi == 0.0 {
        return None;
    }
    crate::finite(a.min(b) / hi)
}

/// Which way the giving of a window leans, as each receiver rated it.
/// Never a debt: it says whose gifts meant more lately, not what is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lean {
    /// Nothing thanked yet either way (both rated totals are 0).
    NothingYet,
    /// Close enough that a direction would be noise (see [`lean`]).
    AboutEven,
    /// Toward the partner (0 or 1) whose gifts meant more to the other;
    /// `clearly` when the smaller total is under half the larger.
    Toward { giver: usize, clearly: bool },
}

/// About even when the gap is at most one gift at the top of the 1–5 scale.
pub const EVEN_WITHIN_VALUE: u32 = 5;
/// About even when the smaller total is at least 4/5 of the larger.
pub const EVEN_RATIO: f64 = 0.8;
/// "Clearly" when the smaller total is under half of the larger.
pub const CLEAR_RATIO: f64 = 0.5;

/// Which way the value given (`given_value` per partner, rated by the
/// receiver) leans over a window.
///
/// Why these tolerances: every gift is rated 1 to 5, so a gap of one highly
/// rated gift (5) is a single evening's difference and says nothing about a
/// season; and as totals grow a fixed gap matters less, so a ratio of at
/// least 0.8 (the reciprocity index, min/max) also counts as about even.
/// Giving is never exact (DESIGN.md), so the words stay coarse: even, a
/// little, or clearly.
pub fn lean(given_value: [u32; 2]) -> Lean {
    let [a, b] = given_value;
    let (hi, lo) = (a.max(b), a.min(b));
    if hi == 0 {
        return Lean::NothingYet;
    }
    let ratio = f64::from(lo) / f64::from(hi);
    if hi - lo <= EVEN_WITHIN_VALUE || ratio >= EVEN_RATIO {
        return Lean::AboutEven;
    }
    Lean::Toward {
        giver: usize::from(b > a),
        clearly: ratio < CLEAR_RATIO,
    }
}

/// The Monday on or before `day` (1970-01-01 was a Thursday).
///
/// For the few days before the first representable Monday (near `i32::MIN`)
/// the result saturates at `i32::MIN`.
pub fn week_start(day: i32) -> i32 {
    let d = i64::from(day);
    // Day 0 is a Thursday, 3 days after Monday: (d + 3) mod 7 = days since Monday.
    saturating_i32(d - (d + 3).rem_euclid(7))
}

fn saturating_i32(x: i64) -> i32 {
    i32::try_from(x).unwrap_or(if x < 0 { i32::MIN } else { i32::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-4)
    }

    /// SCIENCE.md 3.5 [D], Walster, Berscheid & Walster 1973: every row,
    /// both partners, and g_A − g_B.
    #[test]
    fn walster_matches_science_3_5() {
        // (I_A, O_A, I_B, O_B, g_A, g_B, g_A − g_B)
        let rows: [(f64, f64, f64, f64, f64, f64, f64); 7] = [
            (10.0, 20.0, 5.0, 10.0, 1.0, 1.0, 0.0),
            (10.0, 15.0, 5.0, 10.0, 0.5, 1.0, -0.5),
            (4.0, 6.0, 6.0, 8.0, 0.5, 0.3333, 0.1667),
            (4.0, 6.0, 6.0, 9.0, 0.5, 0.5, 0.0),
            (10.0, 5.0, 5.0, 10.0, -50.0, 1.0, -51.0),
            (-5.0, 5.0, 5.0, 10.0, 50.0, 1.0, 49.0),
            (-5.0, -10.0, 5.0, 10.0, -1.0, 1.0, -2.0),
        ];
        for (ia, oa, ib, ob, ga, gb, d) in rows {
            let a = walster_relative_gain(ia, oa);
            let b = walster_relative_gain(ib, ob);
            assert!(close(a, ga), "g_A for I={ia}, O={oa}: {a:?} != {ga}");
            assert!(close(b, gb), "g_B for I={ib}, O={ob}: {b:?} != {gb}");
            let diff = a.zip(b).map(|(a, b)| a - b);
            assert!(close(diff, d), "g_A − g_B: {diff:?} != {d}");
        }
    }

    /// SCIENCE.md 3.5 [D] edge cases: I = 0 is undefined; O = I gives 0.
    #[test]
    fn walster_edge_cases() {
        assert_eq!(walster_relative_gain(0.0, 5.0), None);
        assert_eq!(walster_relative_gain(0.0, 0.0), None);
        assert_eq!(walster_relative_gain(-0.0, -3.0), None);
        assert_eq!(walster_relative_gain(7.0, 7.0), Some(0.0));
        assert_eq!(walster_relative_gain(-4.0, -4.0), Some(0.0));
        // Negative input, negative gain: k = (−1)(−1) = +1 → (−10 − −4)/4 = −1.5.
        assert!(close(walster_relative_gain(-4.0, -10.0), -1.5));
        // Negative input, positive gain: k = −1 → (2 − −4)·4 = 24.
        assert!(close(walster_relative_gain(-4.0, 2.0), 24.0));
        // Positive input, outcome 0 (nothing thanked yet): k = −1 → −3·3 = −9.
        assert!(close(walster_relative_gain(3.0, 0.0), -9.0));
        assert_eq!(walster_relative_gain(f64::NAN, 1.0), None);
        assert_eq!(walster_relative_gain(1.0, f64::INFINITY), None);
    }

    #[test]
    fn reciprocity_index_hand_computed() {
        assert!(close(reciprocity_index(12.0, 8.0), 0.6667));
        assert!(close(reciprocity_index(8.0, 12.0), 0.6667));
        assert_eq!(reciprocity_index(0.0, 5.0), Some(0.0));
        assert_eq!(reciprocity_index(5.0, 0.0), Some(0.0));
        assert_eq!(reciprocity_index(7.0, 7.0), Some(1.0));
        assert_eq!(reciprocity_index(0.0, 0.0), None);
        assert_eq!(reciprocity_index(-1.0, 5.0), None);
        assert_eq!(reciprocity_index(f64::NAN, 5.0), None);
        assert_eq!(reciprocity_index(f64::INFINITY, 5.0), None);
    }

    /// Hand-computed: gap = |a − b|, ratio = min/max.
    #[test]
    fn lean_hand_computed() {
        assert_eq!(lean([0, 0]), Lean::NothingYet);
        // Gap 5 (one top-rated gift), ratio 0: still about even.
        assert_eq!(lean([5, 0]), Lean::AboutEven);
        // Gap 6, ratio 0: clearly toward partner 0.
        assert_eq!(
            lean([6, 0]),
            Lean::Toward {
                giver: 0,
                clearly: true
            }
        );
        // 40 vs 32: gap 8 > 5 but ratio 0.8 → about even.
        assert_eq!(lean([40, 32]), Lean::AboutEven);
        // 40 vs 31: gap 9, ratio 0.775 → a little toward partner 0.
        assert_eq!(
            lean([40, 31]),
            Lean::Toward {
                giver: 0,
                clearly: false
            }
        );
        // 20 vs 30: gap 10, ratio 0.667 → a little toward partner 1.
        assert_eq!(
            lean([20, 30]),
            Lean::Toward {
                giver: 1,
                clearly: false
            }
        );
        // 10 vs 21: ratio 0.476 < 0.5 → clearly toward partner 1.
        assert_eq!(
            lean([10, 21]),
            Lean::Toward {
                giver: 1,
                clearly: true
            }
        );
        // 10 vs 20: ratio exactly 0.5 is not under half → a little.
        assert_eq!(
            lean([10, 20]),
            Lean::Toward {
                giver: 1,
                clearly: false
            }
        );
        assert_eq!(lean([u32::MAX, u32::MAX]), Lean::AboutEven);
    }

    #[test]
    fn week_start_hand_computed() {
        assert_eq!(week_start(0), -3); // Thu 1970-01-01 → Mon 1969-12-29
        assert_eq!(week_start(-3), -3); // Mon 1969-12-29
        assert_eq!(week_start(-4), -10); // Sun 1969-12-28 → Mon 1969-12-22
        assert_eq!(week_start(-10), -10);
        assert_eq!(week_start(-11), -17);
        assert_eq!(week_start(3), -3); // Sun 1970-01-04
        assert_eq!(week_start(4), 4); // Mon 1970-01-05
        assert_eq!(week_start(10), 4); // Sun 1970-01-11
        assert_eq!(week_start(11), 11);
        assert_eq!(week_start(19_723), 19_723); // Mon 2024-01-01
        assert_eq!(week_start(19_729), 19_723); // Sun 2024-01-07
        assert_eq!(week_start(i32::MAX), 2_147_483_643); // (MAX + 3) mod 7 = 4
        assert_eq!(week_start(i32::MIN), i32::MIN); // saturates, no panic
    }

    fn e(giver: usize, domain: usize, day: i32, effort: u8, value: Option<u8>) -> Entry {
        Entry {
            giver,
            domain,
            day,
            effort,
            value,
        }
    }

    fn totals(c: u32, gv: u32, ge: u32, rv: u32, aw: u32) -> PartnerTotals {
        PartnerTotals {
            given_count: c,
            given_value: gv,
            given_effort: ge,
            received_value: rv,
            awaiting_thanks: aw,
        }
    }

    /// Window Wed 2024-01-03 (19725) ..= Sun 2024-01-21 (19743): weeks start
    /// Mon 19723, 19730 (empty), 19737. A = 0, B = 1.
    ///
    /// ```text
    ///  #  giver dom day    effort value   week
    ///  1  A     0   19725  3      4       19723
    ///  2  A     1   19726  2      5       19723
    ///  3  B     0   19727  4      3       19723
    ///  4  B     2   19729  1      -       19723  (A has not thanked)
    ///  5  A     2   19737  5      2       19737
    ///  6  B     1   19740  3      5       19737
    ///  7  A     0   19743  4      -       19737  (B has not thanked; to_day inclusive)
    ///  8  B     0   19741  3      1       19737
    ///  ignored: day 19724 (before from), day 19744 (after to), giver 2, domain 9
    ///
    /// A gave 1,2,5,7: count 4, value 4+5+2 = 11, effort 3+2+5+4 = 14
    /// B gave 3,4,6,8: count 4, value 3+5+1 = 9,  effort 4+1+3+3 = 11
    /// A received = B's given value = 9, awaiting #4 = 1
    /// B received = A's given value = 11, awaiting #7 = 1
    /// index = 9/11 = 0.8182
    /// equity A: I=14, O=9, O−I=−5 < 0, k=−1 → −5·14 = −70
    /// equity B: I=11, O=11 → 0
    ///
    /// dom 0: A gave 1,7 (c2 v4 e7), received 3,8 (3+1=4), awaiting 0
    ///        B gave 3,8 (c2 v4 e7), received 1 (4), awaiting #7 = 1
    /// dom 1: A gave 2 (c1 v5 e2), received 6 (5), awaiting 0
    ///        B gave 6 (c1 v5 e3), received 2 (5), awaiting 0
    /// dom 2: A gave 5 (c1 v2 e5), received 0, awaiting #4 = 1
    ///        B gave 4 (c1 v0 e1), received 5 (2), awaiting 0
    /// dom 3..8: zeros
    ///
    /// week 19723: A value 4+5 = 9 count 2; B value 3 count 2
    /// week 19730: zeros
    /// week 19737: A value 2 count 2; B value 5+1 = 6 count 2
    /// ```
    #[test]
    fn balance_hand_computed_history() {
        let entries = [
            e(0, 0, 19_725, 3, Some(4)),
            e(0, 1, 19_726, 2, Some(5)),
            e(1, 0, 19_727, 4, Some(3)),
            e(1, 2, 19_729, 1, None),
            e(0, 2, 19_737, 5, Some(2)),
            e(1, 1, 19_740, 3, Some(5)),
            e(0, 0, 19_743, 4, None),
            e(1, 0, 19_741, 3, Some(1)),
            // ignored
            e(0, 0, 19_724, 5, Some(5)),
            e(1, 1, 19_744, 5, Some(5)),
            e(2, 0, 19_730, 1, Some(1)),
            e(0, 9, 19_730, 1, Some(1)),
        ];
        let b = balance(&entries, 19_725, 19_743);

        assert_eq!(b.partners[0], totals(4, 11, 14, 9, 1));
        assert_eq!(b.partners[1], totals(4, 9, 11, 11, 1));

        assert_eq!(b.by_domain.len(), DOMAINS);
        assert_eq!(
            b.by_domain[0],
            [totals(2, 4, 7, 4, 0), totals(2, 4, 7, 4, 1)]
        );
        assert_eq!(
            b.by_domain[1],
            [totals(1, 5, 2, 5, 0), totals(1, 5, 3, 5, 0)]
        );
        assert_eq!(
            b.by_domain[2],
            [totals(1, 2, 5, 0, 1), totals(1, 0, 1, 2, 0)]
        );
        for d in 3..DOMAINS {
            assert_eq!(
                b.by_domain[d],
                <[PartnerTotals; 2]>::default(),
                "domain {d}"
            );
        }

        assert!(close(b.reciprocity_index, 9.0 / 11.0));
        assert!(close(b.reciprocity_index, 0.8182));
        assert!(close(b.equity[0], -70.0));
        assert_eq!(b.equity[1], Some(0.0));

        assert_eq!(
            b.weekly,
            vec![
                Week {
                    start_day: 19_723,
                    value_given: [9, 3],
                    count_given: [2, 2]
                },
                Week {
                    start_day: 19_730,
                    value_given: [0, 0],
                    count_given: [0, 0]
                },
                Week {
                    start_day: 19_737,
                    value_given: [2, 6],
                    count_given: [2, 2]
                },
            ]
        );
    }

    #[test]
    fn balance_one_sided_and_empty() {
        // Only A gives, nothing thanked: B's input is 0 → equity None;
        // no value given either way → index None; A: I=3, O=0 → −3·3 = −9.
        let entries = [e(0, 4, 100, 3, None)];
        let b = balance(&entries, 100, 100);
        assert_eq!(b.partners[0], totals(1, 0, 3, 0, 0));
        assert_eq!(b.partners[1], totals(0, 0, 0, 0, 1));
        assert_eq!(b.reciprocity_index, None);
        assert!(close(b.equity[0], -9.0));
        assert_eq!(b.equity[1], None);
        // Day 100 is a Saturday; its week starts on Monday 95.
        assert_eq!(b.weekly.len(), 1);
        assert_eq!(b.weekly[0].start_day, 95);
        assert_eq!(b.weekly[0].count_given, [1, 0]);

        // Thanked, one way only: index 0, not None.
        let b = balance(&[e(0, 4, 100, 3, Some(5))], 0, 200);
        assert_eq!(b.reciprocity_index, Some(0.0));

        // No entries: zero totals, every week present.
        let b = balance(&[], 4, 17);
        assert_eq!(b.partners, <[PartnerTotals; 2]>::default());
        assert_eq!(
            b.weekly.iter().map(|w| w.start_day).collect::<Vec<_>>(),
            [4, 11]
        );
        assert_eq!(b.equity, [None, None]);
    }

    #[test]
    fn balance_reversed_window_is_empty() {
        let entries = [e(0, 0, 10, 3, Some(4)), e(1, 0, 12, 3, Some(4))];
        let b = balance(&entries, 20, 5);
        assert!(b.weekly.is_empty());
        assert_eq!(b.partners, <[PartnerTotals; 2]>::default());
        assert_eq!(b.by_domain, vec![<[PartnerTotals; 2]>::default(); DOMAINS]);
        assert_eq!(b.reciprocity_index, None);
        assert_eq!(b.equity, [None, None]);
    }

    #[test]
    fn balance_ignores_out_of_range_without_panicking() {
        let entries = [
            e(usize::MAX, 0, 10, 3, Some(4)),
            e(0, usize::MAX, 10, 3, Some(4)),
            e(0, DOMAINS, 10, 3, Some(4)),
            e(0, 0, i32::MIN, 3, Some(4)),
            e(0, 0, i32::MAX, 3, Some(4)),
        ];
        let b = balance(&entries, 0, 20);
        assert_eq!(b.partners, <[PartnerTotals; 2]>::default());
        // Extremes of the day range do not overflow (one week at the top).
        let b = balance(&entries, i32::MAX - 1, i32::MAX);
        assert_eq!(b.partners[0].given_count, 1);
        assert_eq!(b.weekly.len(), 1);
        assert_eq!(b.weekly[0].count_given, [1, 0]);
    }
}
