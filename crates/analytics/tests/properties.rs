//! Invariants of the lag-sequential engine over random sequences (proptest).

use analytics::lag::quasi::{hat_matrix_residuals, ipf};
use analytics::lag::{analyze, LagOptions, TransitionTable};
use proptest::prelude::*;

/// Several sequences over up to 6 codes, lengths 0..60.
fn sequences() -> impl Strategy<Value = Vec<Vec<u32>>> {
    (1u32..=6).prop_flat_map(|k| prop::collection::vec(prop::collection::vec(0..k, 0..60), 1..5))
}

/// Sequences in which no code follows itself (a coding rule with structural
/// zeros), built by skipping a draw equal to the previous code.
fn no_repeat_sequences() -> impl Strategy<Value = Vec<Vec<u32>>> {
    (3u32..=6).prop_flat_map(|k| {
        prop::collection::vec(prop::collection::vec(0..k, 2..80), 1..4).prop_map(|seqs| {
            seqs.into_iter()
                .map(|s| {
                    let mut out: Vec<u32> = Vec::new();
                    for c in s {
                        if out.last() != Some(&c) {
                            out.push(c);
                        }
                    }
                    out
                })
                .collect()
        })
    })
}

fn margins(k: usize, m: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let rows = (0..k).map(|i| m[i * k..(i + 1) * k].iter().sum()).collect();
    let cols = (0..k).map(|j| (0..k).map(|i| m[i * k + j]).sum()).collect();
    (rows, cols)
}

proptest! {
    #[test]
    fn counts_sum_to_n_and_n_is_events_minus_lag_per_sequence(seqs in sequences(), lag in 1usize..4) {
        let t = TransitionTable::from_sequences(&seqs, lag, 0).expect("table");
        let want: usize = seqs.iter().map(|s| s.len().saturating_sub(lag)).sum();
        prop_assert_eq!(t.total() as usize, want);
        let a = analyze(&t, &LagOptions::default()).expect("analysis");
        prop_assert_eq!(a.cells.iter().map(|c| c.count).sum::<u64>(), a.n);
    }

    #[test]
    fn expected_margins_equal_observed_margins(seqs in sequences()) {
        let t = TransitionTable::from_sequences(&seqs, 1, 0).expect("table");
        let a = analyze(&t, &LagOptions::default()).expect("analysis");
        prop_assume!(a.n > 0);
        let k = a.codes;
        let e: Vec<f64> = a.cells.iter().map(|c| c.expected.expect("E")).collect();
        let (er, ec) = margins(k, &e);
        for (x, r) in er.iter().zip(t.row_totals()) {
            prop_assert!((x - r as f64).abs() < 1e-9);
        }
        for (x, c) in ec.iter().zip(t.col_totals()) {
            prop_assert!((x - c as f64).abs() < 1e-9);
        }
    }

    #[test]
    fn yules_q_is_within_minus_one_and_one_and_nothing_is_nan(seqs in sequences(), lag in 1usize..3) {
        let t = TransitionTable::from_sequences(&seqs, lag, 0).expect("table");
        let a = analyze(&t, &LagOptions::default()).expect("analysis");
        for c in &a.cells {
            if let Some(q) = c.yules_q {
                prop_assert!((-1.0..=1.0).contains(&q), "Q = {}", q);
            }
            for v in [c.expected, c.transitional_probability, c.adjusted_residual, c.p_value,
                      c.yules_q, c.wampold_kappa, c.kappa_z].into_iter().flatten() {
                prop_assert!(v.is_finite());
            }
            if let Some(p) = c.p_value {
                prop_assert!((0.0..=1.0).contains(&p));
            }
        }
    }

    #[test]
    fn ipf_converges_to_the_margins_with_structural_zeros(seqs in no_repeat_sequences()) {
        let t = TransitionTable::from_sequences(&seqs, 1, 0).expect("table");
        let k = t.codes();
        let zeros: Vec<bool> = (0..k * k).map(|c| c / k == c % k).collect();
        let fit = ipf(k, t.counts(), &zeros);
        prop_assert!(fit.converged, "after {} iterations error {}", fit.iterations, fit.max_margin_error);
        let (er, ec) = margins(k, &fit.expected);
        let tol = 1e-8 * (t.total() as f64).max(1.0);
        for (x, r) in er.iter().zip(t.row_totals()) {
            prop_assert!((x - r as f64).abs() < tol);
        }
        for (x, c) in ec.iter().zip(t.col_totals()) {
            prop_assert!((x - c as f64).abs() < tol);
        }
        for d in 0..k {
            prop_assert_eq!(fit.expected[d * k + d], 0.0);
        }
        // And the analysis built on it never emits NaN.
        let a = analyze(&t, &LagOptions { no_repeat: true, ..Default::default() }).expect("analysis");
        for c in &a.cells {
            prop_assert!(c.adjusted_residual.is_none_or(f64::is_finite));
        }
    }

    #[test]
    fn the_hat_matrix_path_reduces_to_the_plain_residual_without_structural_zeros(seqs in sequences()) {
        let t = TransitionTable::from_sequences(&seqs, 1, 0).expect("table");
        let k = t.codes();
        let plain = analyze(&t, &LagOptions::default()).expect("analysis");
        let zeros = vec![false; k * k];
        let fit = ipf(k, t.counts(), &zeros);
        prop_assert!(fit.converged);
        let z = hat_matrix_residuals(k, t.counts(), &fit.expected, &zeros).residuals;
        for (c, cell) in plain.cells.iter().enumerate() {
            match (z[c], cell.adjusted_residual) {
                (Some(h), Some(p)) => prop_assert!((h - p).abs() < 1e-6 * p.abs().max(1.0), "{} vs {}", h, p),
                // Both undefined, or the plain formula defined where the
                // design is singular only in degenerate one-row/column tables.
                (None, None) => {}
                (h, p) => prop_assert!(false, "cell {}: hat {:?} vs plain {:?}", c, h, p),
            }
        }
    }
}
