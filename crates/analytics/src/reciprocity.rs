//! Negative reciprocity for the app: for a couple's episodes (sequences of
//! turns), the direction-specific 2×2 tables "A negative → B negative".
//!
//! Definition: SCIENCE.md §1.3 (Gottman 1979; Allison & Liker 1982;
//! Bakeman & Quera 2011): over every A-turn immediately followed by a B-turn,
//! rows A negative / not, columns B negative / not; report P(B− | A−), the
//! base rate P(B−) over those tallies, the adjusted residual of the
//! (A−, B−) cell with its two-tailed p, and Yule's Q. The domain layer only
//! maps episodes to `Turn`s.

use crate::distributions::normal_two_tailed_p;
use crate::lag::{adjusted_residual, yules_q};

/// One turn of an episode, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    /// Who spoke; any two distinct numbers for the two partners.
    pub actor: u32,
    pub negative: bool,
}

/// The reciprocity statistics of one direction `from → to`.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectionStats {
    pub from: u32,
    pub to: u32,
    /// Tallies: `from`-turns immediately followed by a `to`-turn.
    pub n: u64,
    /// Tallies where the `from`-turn was negative.
    pub negative_given: u64,
    /// P(to negative | from negative); `None` without a negative `from`-turn.
    pub p_negative_after_negative: Option<f64>,
    /// P(to negative) over all tallies of this direction.
    pub base_rate: Option<f64>,
    pub adjusted_residual: Option<f64>,
    pub p_value: Option<f64>,
    pub yules_q: Option<f64>,
}

/// Direction-specific negative reciprocity over all episodes. Pairs never
/// span two episodes.
pub fn negative_reciprocity<E: AsRef<[Turn]>>(
    episodes: &[E],
    from: u32,
    to: u32,
) -> DirectionStats {
    // cells[a][b]: a = from-turn negative (0) or not (1), b likewise for `to`.
    let mut cells = [[0u64; 2]; 2];
    for ep in episodes {
        for w in ep.as_ref().windows(2) {
            if w[0].actor == from && w[1].actor == to {
                cells[usize::from(!w[0].negative)][usize::from(!w[1].negative)] += 1;
            }
        }
    }
    let a = cells[0][0];
    let row = cells[0][0] + cells[0][1];
    let col = cells[0][0] + cells[1][0];
    let n = row + cells[1][0] + cells[1][1];
    let expected = if n > 0 {
        row as f64 * col as f64 / n as f64
    } else {
        0.0
    };
    let z = adjusted_residual(a, expected, row, col, n);
    DirectionStats {
        from,
        to,
        n,
        negative_given: row,
        p_negative_after_negative: (row > 0).then(|| a as f64 / row as f64),
        base_rate: (n > 0).then(|| col as f64 / n as f64),
        adjusted_residual: z,
        p_value: z.map(normal_two_tailed_p),
        yules_q: yules_q(a, row, col, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(actor: u32, negative: bool) -> Turn {
        Turn { actor, negative }
    }

    // By hand: A→B tallies (A−,B−) ×2, (A−,B+) ×1, (A+,B−) ×1, (A+,B+) ×2.
    // N = 6, R = 3, C = 3; P(B−|A−) = 2/3; base rate 1/2; E = 1.5;
    // z = 0.5/√(1.5·0.5·0.5) = 0.816497; Q = (4 − 1)/(4 + 1) = 0.6.
    #[test]
    fn a_to_b_by_hand() {
        let ep1 = vec![t(0, true), t(1, true), t(0, true), t(1, false), t(0, false)];
        let ep2 = vec![t(0, false), t(1, true), t(0, true), t(1, true)];
        let ep3 = vec![t(0, false), t(1, false), t(0, false), t(1, false)];
        let d = negative_reciprocity(&[ep1, ep2, ep3], 0, 1);
        assert_eq!(d.n, 6);
        assert_eq!(d.p_negative_after_negative, Some(2.0 / 3.0));
        assert_eq!(d.base_rate, Some(0.5));
        let z = d.adjusted_residual.expect("z");
        assert!((z - 0.5 / (1.5_f64 * 0.25).sqrt()).abs() < 1e-12);
        assert!((d.yules_q.expect("q") - 0.6).abs() < 1e-12);
    }

    #[test]
    fn no_tallies_means_no_statistics() {
        let d = negative_reciprocity(&[vec![t(0, true), t(0, true)]], 0, 1);
        assert_eq!(d.n, 0);
        assert_eq!(d.p_negative_after_negative, None);
        assert_eq!(d.base_rate, None);
        assert_eq!(d.adjusted_residual, None);
        assert_eq!(d.yules_q, None);
    }
}
