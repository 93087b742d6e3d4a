//! Per-cell statistics of a transition table under independence: expected
//! count, adjusted residual, Yule's Q, and the table's G² (Wampold's kappa
//! is in `kappa.rs`).
//!
//! Each returns `None` where the statistic is undefined for the data
//! (SCIENCE.md §1.5), so no NaN can reach a caller.

pub(crate) use crate::finite;

/// Expected counts under independence, E_ij = R_i·C_j/N (SCIENCE.md §1.2
/// item 4; O'Connor 1999). All zero when N = 0.
pub(crate) fn independence_expected(k: usize, rows: &[u64], cols: &[u64], n: u64) -> Vec<f64> {
    let mut e = vec![0.0; k * k];
    if n == 0 {
        return e;
    }
    let nf = n as f64;
    for i in 0..k {
        for j in 0..k {
            e[i * k + j] = rows[i] as f64 * cols[j] as f64 / nf;
        }
    }
    e
}

/// Adjusted residual z = (f − E)/√(E(1 − p_i)(1 − q_j)) (Haberman 1979 eq.
/// 5.2.6; Bakeman & Quera 1995 eq. 6.3; SCIENCE.md §1.2 item 5). Undefined
/// when E = 0 or a margin holds every tally (a single code).
pub(crate) fn adjusted_residual(f: u64, e: f64, row: u64, col: u64, n: u64) -> Option<f64> {
    if n == 0 || e <= 0.0 {
        return None;
    }
    let nf = n as f64;
    let var = e * (1.0 - row as f64 / nf) * (1.0 - col as f64 / nf);
    if var <= 0.0 {
        return None;
    }
    finite((f as f64 - e) / var.sqrt())
}

/// Yule's Q of the 2×2 collapse around cell (i, j): a = f_ij, b = R_i − a,
/// c = C_j − a, d = N − R_i − C_j + a; Q = (ad − bc)/(ad + bc), undefined when
/// ad + bc = 0 (Bakeman & Gottman 1997 eq. 7.7; SCIENCE.md §1.2 item 6).
pub(crate) fn yules_q(f: u64, row: u64, col: u64, n: u64) -> Option<f64> {
    let a = f as f64;
    let b = (row - f) as f64;
    let c = (col - f) as f64;
    let d = (n + f) as f64 - row as f64 - col as f64;
    let ad = a * d;
    let bc = b * c;
    if ad + bc <= 0.0 {
        return None;
    }
    finite((ad - bc) / (ad + bc))
}

/// The log odds ratio of the 2×2 collapse around a cell, with its standard
/// error and 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogOdds {
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// A cell of the 2×2 was 0, so 0.5 was added to all four (Haldane).
    pub corrected: bool,
}

/// ln(ad/bc) with SE √(1/a + 1/b + 1/c + 1/d) and CI ln OR ± 1.96·SE, on
/// the same 2×2 collapse as Yule's Q; if any of a, b, c, d is 0, 0.5 is
/// added to each first (Haldane 1956; Bakeman & Quera 2011; SCIENCE.md §1.2
/// item 6, §1.5). Undefined where Q is (a code never given or never a
/// target).
pub(crate) fn log_odds(f: u64, row: u64, col: u64, n: u64) -> Option<LogOdds> {
    yules_q(f, row, col, n)?;
    let cells = [
        f as f64,
        (row - f) as f64,
        (col - f) as f64,
        (n + f) as f64 - row as f64 - col as f64,
    ];
    let corrected = cells.contains(&0.0);
    let [a, b, c, d] = cells.map(|x| if corrected { x + 0.5 } else { x });
    let estimate = finite((a * d / (b * c)).ln())?;
    let se = finite((1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt())?;
    // The 97.5th percentile of the standard normal.
    const Z: f64 = 1.959_963_984_540_054;
    Some(LogOdds {
        estimate,
        se,
        ci_low: estimate - Z * se,
        ci_high: estimate + Z * se,
        corrected,
    })
}

/// Pearson's X² = Σ (f − E)²/E over cells with E > 0 (SCIENCE.md §1.2 item
/// 7). `None` if a positive count has no expected mass.
pub(crate) fn pearson_x2(counts: &[u64], expected: &[f64]) -> Option<f64> {
    let mut x2 = 0.0;
    for (&f, &e) in counts.iter().zip(expected) {
        if e > 0.0 {
            x2 += (f as f64 - e).powi(2) / e;
        } else if f > 0 {
            return None;
        }
    }
    finite(x2)
}

/// Likelihood-ratio chi-square G² = 2 Σ f ln(f/E) over cells with f > 0
/// (SCIENCE.md §1.2 item 7). `None` if a positive count has no expected mass.
pub(crate) fn g_squared(counts: &[u64], expected: &[f64]) -> Option<f64> {
    let mut g = 0.0;
    for (&f, &e) in counts.iter().zip(expected) {
        if f > 0 {
            if e <= 0.0 {
                return None;
            }
            let f = f as f64;
            g += f * (f / e).ln();
        }
    }
    // Rounding can leave a perfect fit a hair below zero.
    finite((2.0 * g).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hand computation, 2×2 table [[10, 20], [30, 40]], N = 100:
    // R = (30, 70), C = (40, 60); E_00 = 30·40/100 = 12;
    // z_00 = (10 − 12)/√(12 · 0.7 · 0.6) = −2/√5.04 = −0.890870806…;
    // Q_00 = (10·40 − 20·30)/(10·40 + 20·30) = −200/1000 = −0.2.
    #[test]
    fn two_by_two_by_hand() {
        let z = adjusted_residual(10, 12.0, 30, 40, 100).expect("z");
        assert!((z - (-2.0 / 5.04_f64.sqrt())).abs() < 1e-12);
        let q = yules_q(10, 30, 40, 100).expect("q");
        assert!((q + 0.2).abs() < 1e-12);
        let e = independence_expected(2, &[30, 70], &[40, 60], 100);
        assert_eq!(e, vec![12.0, 18.0, 28.0, 42.0]);
    }

    #[test]
    fn undefined_cases_are_none() {
        // Only one code: every margin is N, so (1 − p) = 0.
        assert_eq!(adjusted_residual(5, 5.0, 5, 5, 5), None);
        // Empty row: E = 0, and ad + bc = 0.
        assert_eq!(adjusted_residual(0, 0.0, 0, 3, 10), None);
        assert_eq!(yules_q(0, 0, 3, 10), None);
        assert_eq!(g_squared(&[1], &[0.0]), None);
    }

    #[test]
    fn a_zero_cell_gives_an_extreme_but_valid_q() {
        // a = 0, b = 5, c = 5, d = 10 → Q = (0 − 25)/(0 + 25) = −1.
        assert_eq!(yules_q(0, 5, 5, 20), Some(-1.0));
    }

    // Hand computation on [[10, 20], [30, 40]] (N = 100), cell (0, 0):
    // a = 10, b = 20, c = 30, d = 40: ln OR = ln(400/600) = −0.405465…,
    // SE = √(1/10 + 1/20 + 1/30 + 1/40) = √0.208333… = 0.456435…
    #[test]
    fn log_odds_by_hand() {
        let lo = log_odds(10, 30, 40, 100).expect("log odds");
        assert!((lo.estimate - (400.0_f64 / 600.0).ln()).abs() < 1e-12);
        assert!((lo.se - 0.208_333_333_333_333_3_f64.sqrt()).abs() < 1e-12);
        assert!((lo.ci_low - (lo.estimate - 1.959_963_984_540_054 * lo.se)).abs() < 1e-12);
        assert!(!lo.corrected);
        // a = 0: 0.5 added to every cell: ln(0.5·10.5/(5.5·5.5)).
        let z = log_odds(0, 5, 5, 20).expect("corrected");
        assert!(z.corrected);
        assert!((z.estimate - (0.5 * 10.5 / (5.5 * 5.5_f64)).ln()).abs() < 1e-12);
        assert_eq!(log_odds(0, 0, 3, 10), None);
    }

    // X² on [[10, 20], [30, 40]] with E = [12, 18, 28, 42]:
    // 4/12 + 4/18 + 4/28 + 4/42 = 0.793650… (R: chisq.test(correct = FALSE)).
    #[test]
    fn pearson_by_hand() {
        let x2 = pearson_x2(&[10, 20, 30, 40], &[12.0, 18.0, 28.0, 42.0]).expect("x2");
        assert!((x2 - (4.0 / 12.0 + 4.0 / 18.0 + 4.0 / 28.0 + 4.0 / 42.0)).abs() < 1e-12);
        assert_eq!(pearson_x2(&[1, 0], &[0.0, 1.0]), None);
    }
}
