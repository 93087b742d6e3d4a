//! The full lag-sequential analysis of one transition table: for every
//! given→target cell the count, expected count, transitional probability,
//! adjusted residual and its p, Yule's Q and Wampold's kappa; for the table
//! N, G², its degrees of freedom and p.
//!
//! Formulas: SCIENCE.md §1.2 items 1–9 (O'Connor 1999; Bakeman & Quera 1995;
//! Haberman 1979; Wampold 1989). Validated against O'Connor (1999) Appendix B
//! in `tests/oconnor.rs`.

use crate::distributions::{chi_square_sf, normal_two_tailed_p};

use super::cells::{
    adjusted_residual, finite, g_squared, independence_expected, log_odds, pearson_x2, yules_q,
    LogOdds,
};
use super::kappa::{kappa, kappa_z};
use super::quasi::{hat_matrix_residuals, ipf};
use super::{LagError, TransitionTable};

/// Which transitions the coding rule makes impossible (structural zeros);
/// with any, expected counts come from quasi-independence (IPF) and
/// residuals from the hat matrix (SCIENCE.md §1.2 item 9).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LagOptions {
    /// Codes cannot follow themselves: at lag 1 the diagonal is a structural
    /// zero. At lag ≥ 2 a code can recur, so the diagonal is allowed there
    /// (SCIENCE.md §1.2 item 9, last point).
    pub no_repeat: bool,
    /// Partners take turns: the actor of each code (index = code). At odd
    /// lags a code is followed by the other partner's, so same-actor cells
    /// are structural zeros; at even lags by the same partner's, so
    /// cross-actor cells are (SCIENCE.md §1.3, "who-follows-whom" table).
    pub alternating: Option<Vec<u32>>,
    /// Further given→target transitions that cannot happen at the analysed
    /// lag.
    pub impossible: Vec<(usize, usize)>,
}

impl LagOptions {
    /// Whether a given→target transition at `lag` is ruled out.
    pub fn forbids(&self, given: usize, target: usize, lag: usize) -> bool {
        let repeat = self.no_repeat && lag == 1 && given == target;
        let turn = self.alternating.as_ref().is_some_and(|actors| {
            let same = actors.get(given) == actors.get(target);
            same == (lag % 2 == 1)
        });
        repeat || turn || self.impossible.contains(&(given, target))
    }
}

/// Statistics of one given→target cell; `None` where undefined.
#[derive(Debug, Clone, PartialEq)]
pub struct CellStats {
    pub given: usize,
    pub target: usize,
    pub count: u64,
    pub expected: Option<f64>,
    pub transitional_probability: Option<f64>,
    pub adjusted_residual: Option<f64>,
    pub p_value: Option<f64>,
    pub yules_q: Option<f64>,
    pub wampold_kappa: Option<f64>,
    pub kappa_z: Option<f64>,
    /// Log odds ratio of the cell's 2×2 collapse, with SE and 95% CI.
    pub log_odds: Option<LogOdds>,
    /// The target code's base rate C_j/N, to read the transitional
    /// probability against.
    pub target_base_rate: Option<f64>,
    /// A cell with a z whose expected count is under 5, where the normal
    /// approximation behind z and p is poor (SCIENCE.md §1.5).
    pub small_expected: bool,
    /// The transition is impossible under the coding rule.
    pub structural_zero: bool,
}

/// Iterative proportional fitting diagnostics (only with structural zeros).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IpfSummary {
    pub iterations: usize,
    pub max_margin_error: f64,
    pub converged: bool,
    /// Allowed cells fitted as 0 because no table with these margins can
    /// fill them (sampling zeros on the boundary).
    pub forced_zeros: usize,
}

/// Everything `analyze lag` reports for one table.
#[derive(Debug, Clone, PartialEq)]
pub struct LagAnalysis {
    pub lag: usize,
    /// N, the number of tallies.
    pub n: u64,
    pub codes: usize,
    pub sequences: u64,
    /// Row-major, `codes × codes` cells.
    pub cells: Vec<CellStats>,
    pub g2: Option<f64>,
    pub g2_df: Option<u64>,
    pub g2_p: Option<f64>,
    /// Pearson's X² on the same df as G².
    pub x2: Option<f64>,
    pub x2_p: Option<f64>,
    /// Per code: how often it is the given code (R_i/N) and the target
    /// (C_j/N) of a tally; `None` when there are no tallies.
    pub given_rates: Vec<Option<f64>>,
    /// Per code: how often it occurs as an event, in any position.
    pub events: Vec<u64>,
    pub target_rates: Vec<Option<f64>>,
    pub structural_zeros: usize,
    pub ipf: Option<IpfSummary>,
}

impl LagAnalysis {
    pub fn cell(&self, given: usize, target: usize) -> &CellStats {
        &self.cells[given * self.codes + target]
    }
}

/// The structural-zero mask over a K×K table at `lag`, row-major.
pub fn structural_zeros(k: usize, lag: usize, options: &LagOptions) -> Vec<bool> {
    (0..k * k)
        .map(|c| options.forbids(c / k, c % k, lag))
        .collect()
}

/// Whether the data look like turn-taking: there are tallies, and none of
/// them is a transition the alternation rule forbids at this lag (no
/// same-actor pair at odd lags, no cross-actor pair at even lags). `actors`
/// gives each code's actor.
pub fn looks_alternating(table: &TransitionTable, actors: &[u32]) -> bool {
    let k = table.codes();
    let rule = LagOptions {
        alternating: Some(actors.to_vec()),
        ..LagOptions::default()
    };
    actors.len() == k
        && table.total() > 0
        && (0..k * k).all(|c| table.counts()[c] == 0 || !rule.forbids(c / k, c % k, table.lag()))
}

/// Expected counts, adjusted residuals and model df for a K×K count matrix.
pub(crate) struct ModelFit {
    pub expected: Vec<f64>,
    pub residuals: Vec<Option<f64>>,
    pub df: u64,
    pub ipf: Option<IpfSummary>,
}

/// Fits independence (closed form) or, with structural zeros, quasi-
/// independence (IPF + hat matrix).
pub(crate) fn fit_model(k: usize, counts: &[u64], zeros: &[bool]) -> ModelFit {
    let rows: Vec<u64> = (0..k)
        .map(|i| counts[i * k..(i + 1) * k].iter().sum())
        .collect();
    let cols: Vec<u64> = (0..k)
        .map(|j| (0..k).map(|i| counts[i * k + j]).sum())
        .collect();
    let n: u64 = rows.iter().sum();
    // df = cells − free parameters: (K_r − 1)(K_c − 1) over the codes that
    // occur in the table (SCIENCE.md §1.2 item 7, §1.5); with structural
    // zeros the hat-matrix step counts them, giving (K−1)² − s.
    let active_rows = rows.iter().filter(|&&r| r > 0).count() as u64;
    let active_cols = cols.iter().filter(|&&c| c > 0).count() as u64;
    let df = active_rows.saturating_sub(1) * active_cols.saturating_sub(1);

    if zeros.iter().any(|&z| z) {
        let fit = ipf(k, counts, zeros);
        let hat = hat_matrix_residuals(k, counts, &fit.expected, zeros);
        ModelFit {
            expected: fit.expected,
            residuals: hat.residuals,
            df: hat.df,
            ipf: Some(IpfSummary {
                iterations: fit.iterations,
                max_margin_error: fit.max_margin_error,
                converged: fit.converged,
                forced_zeros: fit.forced_zeros,
            }),
        }
    } else {
        let expected = independence_expected(k, &rows, &cols, n);
        let residuals = (0..k * k)
            .map(|c| adjusted_residual(counts[c], expected[c], rows[c / k], cols[c % k], n))
            .collect();
        ModelFit {
            expected,
            residuals,
            df,
            ipf: None,
        }
    }
}

/// Lag-sequential analysis of a table.
pub fn analyze(table: &TransitionTable, options: &LagOptions) -> Result<LagAnalysis, LagError> {
    let k = table.codes();
    let counts = table.counts();
    if options
        .alternating
        .as_ref()
        .is_some_and(|actors| actors.len() != k)
        || options.impossible.iter().any(|&(g, t)| g >= k || t >= k)
    {
        return Err(LagError::Shape);
    }
    let zeros = structural_zeros(k, table.lag(), options);
    if let Some(c) = (0..k * k).find(|&c| zeros[c] && counts[c] > 0) {
        return Err(LagError::ImpossibleObserved {
            given: c / k,
            target: c % k,
            count: counts[c],
        });
    }
    let rows = table.row_totals();
    let cols = table.col_totals();
    let n = table.total();
    let fit = fit_model(k, counts, &zeros);
    let has_zeros = zeros.iter().any(|&z| z);

    let rate = |m: u64| (n > 0).then(|| m as f64 / n as f64);
    let mut cells = Vec::with_capacity(k * k);
    for (i, &row) in rows.iter().enumerate() {
        for (j, &col) in cols.iter().enumerate() {
            let c = i * k + j;
            let f = counts[c];
            let structural = zeros[c];
            let z = fit.residuals[c];
            let expected = if n > 0 { finite(fit.expected[c]) } else { None };
            // Kappa is undefined wherever the cell's other statistics are
            // (a code never given or never a target, no pairs, one code):
            // printing −1 there would read as a finding. Its null is the
            // within-sequence shuffle, or, where the table has structural
            // zeros, the quasi-independence model (see `kappa.rs`).
            let (kappa, kappa_z) = match (table.kappa_moments(), z) {
                (Some(m), Some(z)) if !structural => {
                    if has_zeros {
                        (kappa(f, fit.expected[c], m.max(i, j)), Some(z))
                    } else {
                        let e = m.mean(i, j);
                        (kappa(f, e, m.max(i, j)), kappa_z(f, e, m.variance(i, j)))
                    }
                }
                _ => (None, None),
            };
            cells.push(CellStats {
                given: i,
                target: j,
                count: f,
                expected,
                transitional_probability: (row > 0).then(|| f as f64 / row as f64),
                adjusted_residual: z,
                p_value: z.map(normal_two_tailed_p),
                yules_q: yules_q(f, row, col, n).filter(|_| !structural),
                wampold_kappa: kappa,
                kappa_z,
                log_odds: log_odds(f, row, col, n).filter(|_| !structural),
                target_base_rate: rate(col),
                small_expected: z.is_some() && expected.is_some_and(|e| e < 5.0),
                structural_zero: structural,
            });
        }
    }
    let chi_p = |stat: Option<f64>| match stat {
        Some(x) if fit.df > 0 => finite(chi_square_sf(x, fit.df as f64)),
        _ => None,
    };
    let (g2, g2_df, x2) = if n == 0 {
        (None, None, None)
    } else {
        (
            g_squared(counts, &fit.expected),
            Some(fit.df),
            pearson_x2(counts, &fit.expected),
        )
    };
    Ok(LagAnalysis {
        lag: table.lag(),
        n,
        codes: k,
        sequences: table.sequences(),
        cells,
        g2,
        g2_df,
        g2_p: chi_p(g2),
        x2,
        x2_p: chi_p(x2),
        given_rates: rows.iter().map(|&r| rate(r)).collect(),
        events: table.events().to_vec(),
        target_rates: cols.iter().map(|&c| rate(c)).collect(),
        structural_zeros: zeros.iter().filter(|&&z| z).count(),
        ipf: fit.ipf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_table_has_only_undefined_statistics() {
        let t = TransitionTable::from_sequences(&[vec![0u32], vec![1]], 1, 0).expect("t");
        let a = analyze(&t, &LagOptions::default()).expect("a");
        assert_eq!(a.n, 0);
        assert_eq!(a.g2, None);
        assert!(a.cells.iter().all(|c| c.expected.is_none()
            && c.adjusted_residual.is_none()
            && c.yules_q.is_none()
            && c.transitional_probability.is_none()));
    }

    #[test]
    fn a_single_code_has_undefined_residuals_but_a_probability() {
        let t = TransitionTable::from_sequences(&[vec![0u32, 0, 0, 0]], 1, 0).expect("t");
        let a = analyze(&t, &LagOptions::default()).expect("a");
        let c = a.cell(0, 0);
        assert_eq!(c.count, 3);
        assert_eq!(c.transitional_probability, Some(1.0));
        assert_eq!(c.adjusted_residual, None);
        assert_eq!(c.p_value, None);
        assert_eq!(a.g2_df, Some(0));
        assert_eq!(a.g2_p, None);
    }

    #[test]
    fn kappa_is_undefined_wherever_the_residual_is() {
        // Code 2 occurs once, last: never a given code, so its row has no
        // residual, and kappa (on event counts) must not print −1 there.
        let t = TransitionTable::from_sequences(&[vec![0u32, 1, 0, 1, 1, 0, 2]], 1, 0).expect("t");
        let a = analyze(&t, &LagOptions::default()).expect("a");
        for j in 0..3 {
            let c = a.cell(2, j);
            assert_eq!(c.adjusted_residual, None);
            assert_eq!((c.wampold_kappa, c.kappa_z), (None, None), "cell 2→{j}");
        }
        assert!(
            a.cell(0, 1).wampold_kappa.is_some(),
            "defined cells keep theirs"
        );
        // One code: nothing is defined.
        let one = TransitionTable::from_sequences(&[vec![0u32, 0, 0]], 1, 0).expect("t");
        let c = analyze(&one, &LagOptions::default())
            .expect("a")
            .cell(0, 0)
            .clone();
        assert_eq!((c.wampold_kappa, c.kappa_z), (None, None));
        // No pairs at all.
        let empty = TransitionTable::from_sequences(&[vec![0u32], vec![1]], 1, 0).expect("t");
        let a = analyze(&empty, &LagOptions::default()).expect("a");
        assert!(a
            .cells
            .iter()
            .all(|c| c.wampold_kappa.is_none() && c.kappa_z.is_none()));
    }

    #[test]
    fn a_repeat_under_no_repeat_is_refused() {
        let t = TransitionTable::from_sequences(&[vec![0u32, 1, 1, 0]], 1, 0).expect("t");
        let err = analyze(
            &t,
            &LagOptions {
                no_repeat: true,
                ..Default::default()
            },
        )
        .expect_err("repeat");
        assert_eq!(
            err,
            LagError::ImpossibleObserved {
                given: 1,
                target: 1,
                count: 1
            }
        );
        // At lag 2 the same rule puts no zero on the diagonal.
        let t2 = TransitionTable::from_sequences(&[vec![0u32, 1, 0, 1, 0]], 2, 0).expect("t");
        let a = analyze(
            &t2,
            &LagOptions {
                no_repeat: true,
                ..Default::default()
            },
        )
        .expect("lag 2");
        assert_eq!(a.structural_zeros, 0);
        assert_eq!(a.cell(0, 0).count, 2);
    }

    #[test]
    fn no_repeat_degrees_of_freedom_are_k_minus_one_squared_minus_s() {
        let seq: Vec<u32> = [0, 1, 2, 0, 2, 1, 0, 1, 0, 2, 1, 2, 0, 1, 2, 1, 0, 2, 0, 1].to_vec();
        let t = TransitionTable::from_sequences(&[seq], 1, 0).expect("t");
        let a = analyze(
            &t,
            &LagOptions {
                no_repeat: true,
                ..Default::default()
            },
        )
        .expect("a");
        assert_eq!(a.structural_zeros, 3);
        assert_eq!(a.g2_df, Some(1)); // (3 − 1)² − 3
        let plain = analyze(&t, &LagOptions::default()).expect("plain");
        assert_eq!(plain.g2_df, Some(4));
        // The quasi-independence fit puts no mass on the diagonal, unlike R·C/N.
        assert_eq!(a.cell(0, 0).expected, Some(0.0));
        assert!(plain.cell(0, 0).expected.expect("E") > 0.0);
        assert!(a.ipf.expect("ipf").converged);
    }

    #[test]
    fn a_row_that_never_gives_is_undefined_not_zero() {
        // Code 2 only ever ends the sequence: R_2 = 0.
        let t = TransitionTable::from_sequences(&[vec![0u32, 1, 0, 1, 1, 0, 2]], 1, 0).expect("t");
        let a = analyze(&t, &LagOptions::default()).expect("a");
        for j in 0..3 {
            let c = a.cell(2, j);
            assert_eq!(c.transitional_probability, None);
            assert_eq!(c.adjusted_residual, None);
            assert_eq!(c.yules_q, None);
        }
        // Two active rows × three active columns → df = (2−1)(3−1) = 2.
        assert_eq!(a.g2_df, Some(2));
    }
}
