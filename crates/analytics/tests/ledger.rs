//! Invariants of the ledger balance over random histories (proptest).

use analytics::ledger::{balance, week_start, Entry, PartnerTotals, DOMAINS};
use proptest::prelude::*;

/// Valid entries (with a few out-of-range givers and domains mixed in) over
/// about a year of days around 2024.
fn entry() -> impl Strategy<Value = Entry> {
    (
        prop_oneof![10 => 0usize..2, 1 => 2usize..5],
        prop_oneof![10 => 0usize..DOMAINS, 1 => DOMAINS..DOMAINS + 3],
        19_500i32..19_900,
        1u8..=5,
        prop::option::weighted(0.7, 1u8..=5),
    )
        .prop_map(|(giver, domain, day, effort, value)| Entry {
            giver,
            domain,
            day,
            effort,
            value,
        })
}

fn history() -> impl Strategy<Value = (Vec<Entry>, i32, i32)> {
    (
        prop::collection::vec(entry(), 0..200),
        19_450i32..19_950,
        0i32..400,
    )
        .prop_map(|(entries, from, len)| (entries, from, from + len))
}

fn sum(ts: impl Iterator<Item = PartnerTotals>) -> PartnerTotals {
    ts.fold(PartnerTotals::default(), |a, t| PartnerTotals {
        given_count: a.given_count + t.given_count,
        given_value: a.given_value + t.given_value,
        given_effort: a.given_effort + t.given_effort,
        received_value: a.received_value + t.received_value,
        awaiting_thanks: a.awaiting_thanks + t.awaiting_thanks,
    })
}

proptest! {
    #[test]
    fn domains_sum_to_partner_totals((entries, from, to) in history()) {
        let b = balance(&entries, from, to);
        prop_assert_eq!(b.by_domain.len(), DOMAINS);
        for p in 0..2 {
            let s = sum(b.by_domain.iter().map(|d| d[p].clone()));
            prop_assert_eq!(&s, &b.partners[p]);
        }
    }

    #[test]
    fn weeks_sum_to_given_and_cover_the_window((entries, from, to) in history()) {
        let b = balance(&entries, from, to);
        for p in 0..2 {
            let v: u32 = b.weekly.iter().map(|w| w.value_given[p]).sum();
            let c: u32 = b.weekly.iter().map(|w| w.count_given[p]).sum();
            prop_assert_eq!(v, b.partners[p].given_value);
            prop_assert_eq!(c, b.partners[p].given_count);
        }
        prop_assert_eq!(b.weekly.first().map(|w| w.start_day), Some(week_start(from)));
        prop_assert_eq!(b.weekly.last().map(|w| w.start_day), Some(week_start(to)));
        for w in b.weekly.windows(2) {
            prop_assert_eq!(w[1].start_day - w[0].start_day, 7);
        }
    }

    #[test]
    fn given_by_one_is_received_by_the_other((entries, from, to) in history()) {
        let b = balance(&entries, from, to);
        prop_assert_eq!(b.partners[0].given_value, b.partners[1].received_value);
        prop_assert_eq!(b.partners[1].given_value, b.partners[0].received_value);
        // Everything B gave is either thanked by A or waiting for A's thanks.
        let unthanked_from = |p: usize| entries.iter().filter(|e| {
            e.giver == p && e.domain < DOMAINS && (from..=to).contains(&e.day) && e.value.is_none()
        }).count() as u32;
        prop_assert_eq!(b.partners[0].awaiting_thanks, unthanked_from(1));
        prop_assert_eq!(b.partners[1].awaiting_thanks, unthanked_from(0));
    }

    #[test]
    fn index_in_unit_interval_and_equity_defined_iff_input((entries, from, to) in history()) {
        let b = balance(&entries, from, to);
        let both_zero = b.partners[0].given_value == 0 && b.partners[1].given_value == 0;
        match b.reciprocity_index {
            Some(r) => prop_assert!((0.0..=1.0).contains(&r), "index {}", r),
            None => prop_assert!(both_zero),
        }
        for p in 0..2 {
            prop_assert_eq!(b.equity[p].is_some(), b.partners[p].given_effort > 0);
            if let Some(g) = b.equity[p] {
                prop_assert!(g.is_finite());
            }
        }
    }

    #[test]
    fn week_start_is_a_monday_on_or_before(day in -1_000_000i32..1_000_000) {
        let m = week_start(day);
        prop_assert!(m <= day && day - m < 7);
        // Day 4 (1970-01-05) was a Monday.
        prop_assert_eq!((m - 4).rem_euclid(7), 0);
    }

    #[test]
    fn reversed_window_is_empty(entries in prop::collection::vec(entry(), 0..50), from in 0i32..30_000, gap in 1i32..100) {
        let b = balance(&entries, from, from - gap);
        prop_assert!(b.weekly.is_empty());
        prop_assert_eq!(sum(b.partners.iter().cloned()), PartnerTotals::default());
    }
}

/// The benchmark's shape: ten years, 20,000 entries. Only the result is
/// checked here; its speed is measured by the benchmark, not asserted.
#[test]
fn twenty_thousand_entries_ten_years() {
    let start = 16_000;
    let entries: Vec<Entry> = (0..20_000u32)
        .map(|i| Entry {
            giver: (i % 2) as usize,
            domain: (i % DOMAINS as u32) as usize,
            day: start + (i * 3653 / 20_000) as i32,
            effort: (i % 5 + 1) as u8,
            value: (i % 7 != 0).then_some((i % 5 + 1) as u8),
        })
        .collect();
    let b = balance(&entries, start, start + 3652);
    assert_eq!(
        b.partners[0].given_count + b.partners[1].given_count,
        20_000
    );
    // Mondays 15999 (week of day 16000) to 19646 (week of day 19652): 3647/7 + 1.
    assert_eq!(b.weekly.len(), 522);
}
