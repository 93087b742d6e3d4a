//! Wampold's transformed kappa and its z, with the null moments taken from
//! the data's own structure: how many sequences, how long, which lag.
//!
//! Wampold (1989, *Quality & Quantity* 23:171) and O'Connor (1999) define,
//! for one sequence of n events at lag 1, the expected count e = n_i n_j / n,
//! the variance n_i n_j (n − n_i)(n − n_j)/(n²(n − 1)), z = (f − e)/√var and
//! κ = (f − e)/(min(n_i, n_j) − e), or (f − e)/e when that is negative
//! (SCIENCE.md §1.2 item 8). Those counts of events stand in for counts of
//! pairs, which is right only for a single sequence at lag 1: with S
//! sequences there are n − S·K pairs, not n − 1, and every expected count is
//! too large, so under no dependence at all most z values of many short
//! sequences fall past −1.96.
//!
//! Here the moments are exact under the null that kappa's z is meant to test,
//! "the order within each sequence is random": every arrangement of each
//! sequence's own events is equally likely (the permutation null of Bakeman,
//! Robinson & Quera 1996, which `permutation.rs` samples). For one sequence of
//! T events with counts n_i, at lag K there are M = T − K pairs; a pair is
//! (i, j) with probability n_i (n_j − δ_ij) / (T(T − 1)), so
//!
//!   E f_ij = M n_i (n_j − δ_ij) / (T)₂,
//!
//! and E f² adds, over ordered pairs of pairs, those sharing a position
//! (2·max(0, T − 2K) of them; possible only when i = j, probability
//! (n_i)₃/(T)₃) and the disjoint ones (M(M − 1) − 2·max(0, T − 2K); probability
//! (n_i)₂(n_j)₂/(T)₄, or (n_i)₄/(T)₄ when i = j), with (a)ₖ the falling
//! factorial. Sequences are shuffled independently, so means and variances
//! add over sequences.
//!
//! For one sequence at lag 1 this is Wampold's formula exactly off the
//! diagonal (M = n − 1 gives e = n_i n_j / n and his variance); the published
//! O'Connor values are reproduced there (`tests/oconnor.rs`). On the diagonal
//! Wampold's n_i²/n lets an event follow itself; the exact n_i(n_i − 1)/n does
//! not, and the largest possible count is n_i − 1, not n_i. A simulation under
//! the null (`tests/kappa_null.rs`) puts |z| > 1.96 in about 5% of cells for
//! many short sequences and at lag 2, where the event-count formula put it in
//! 79% and 100%.
//!
//! When the table has structural zeros (codes that cannot repeat, partners
//! who alternate, impossible transitions) the null is quasi-independence, not
//! a free shuffle. Wampold's no-repeat e = n_i n_j/(n − n_i) is right only
//! when codes are equally frequent (with frequencies .4/.3/.2/.1 it rejects a
//! true null in about 40% of cells), so there kappa uses the quasi-
//! independence expected count and its z is the model's adjusted residual.

use super::cells::finite;

/// Null moments of every cell, summed over sequences: mean and variance of
/// f_ij under within-sequence permutation, and the largest count the
/// sequences' events allow.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct KappaMoments {
    k: usize,
    /// Row length of the buffers (≥ k), doubled on growth like the count
    /// table's, so adding codes one at a time stays cheap.
    stride: usize,
    mean: Vec<f64>,
    var: Vec<f64>,
    max: Vec<f64>,
}

/// The falling factorial (a)ₘ = a(a − 1)…(a − m + 1), as f64.
fn falling(a: u64, m: u64) -> f64 {
    (0..m).map(|t| a as f64 - t as f64).product()
}

impl KappaMoments {
    pub(crate) fn new(k: usize) -> Self {
        Self {
            k,
            stride: k,
            mean: vec![0.0; k * k],
            var: vec![0.0; k * k],
            max: vec![0.0; k * k],
        }
    }

    /// Adds one sequence of `t` events at lag `lag`; `composition` lists each
    /// code that occurs in it with its count.
    pub(crate) fn add_sequence(&mut self, t: u64, lag: u64, composition: &[(usize, u64)]) {
        if t <= lag {
            return;
        }
        let m = (t - lag) as f64;
        let overlapping = 2.0 * t.saturating_sub(2 * lag) as f64;
        let disjoint = m * (m - 1.0) - overlapping;
        let (t2, t3, t4) = (falling(t, 2), falling(t, 3), falling(t, 4));
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        for &(i, ni) in composition {
            for &(j, nj) in composition {
                let (p1, p_shared, p_disjoint, most) = if i == j {
                    (
                        ratio(falling(ni, 2), t2),
                        ratio(falling(ni, 3), t3),
                        ratio(falling(ni, 4), t4),
                        (ni.saturating_sub(1) as f64).min(m),
                    )
                } else {
                    (
                        ratio((ni * nj) as f64, t2),
                        0.0,
                        ratio(falling(ni, 2) * falling(nj, 2), t4),
                        (ni.min(nj) as f64).min(m),
                    )
                };
                let mean = m * p1;
                let second = mean + overlapping * p_shared + disjoint * p_disjoint;
                let c = i * self.stride + j;
                self.mean[c] += mean;
                // Rounding can leave a zero variance a hair below zero.
                self.var[c] += (second - mean * mean).max(0.0);
                self.max[c] += most;
            }
        }
    }

    /// Grows to `k` codes, keeping what has been added.
    pub(crate) fn grow(&mut self, k: usize) {
        if k <= self.k {
            return;
        }
        if k > self.stride {
            self.restride(k.max(self.stride * 2).max(8));
        }
        self.k = k;
    }

    /// The same moments with rows exactly `k` long (for a finished table).
    pub(crate) fn compact(mut self) -> Self {
        self.restride(self.k);
        self
    }

    fn restride(&mut self, stride: usize) {
        let move_to = |v: &Vec<f64>| {
            let mut out = vec![0.0; stride * stride];
            for i in 0..self.k {
                out[i * stride..i * stride + self.k]
                    .copy_from_slice(&v[i * self.stride..i * self.stride + self.k]);
            }
            out
        };
        (self.mean, self.var, self.max) =
            (move_to(&self.mean), move_to(&self.var), move_to(&self.max));
        self.stride = stride;
    }

    pub(crate) fn mean(&self, i: usize, j: usize) -> f64 {
        self.mean[i * self.stride + j]
    }

    pub(crate) fn variance(&self, i: usize, j: usize) -> f64 {
        self.var[i * self.stride + j]
    }

    pub(crate) fn max(&self, i: usize, j: usize) -> f64 {
        self.max[i * self.stride + j]
    }
}

/// Wampold's κ from the count f, its null expectation e and the largest
/// count possible: (f − e)/(max − e), or (f − e)/e when that is negative.
/// Undefined when the cell cannot vary (max ≤ e with f ≥ e).
pub(crate) fn kappa(f: u64, e: f64, max: f64) -> Option<f64> {
    let d = f as f64 - e;
    let positive = (max - e > 0.0).then(|| d / (max - e));
    match positive {
        Some(k) if k >= 0.0 => finite(k),
        _ if d < 0.0 && e > 0.0 => finite(d / e),
        _ => None,
    }
}

/// z = (f − e)/√var, undefined when the null variance is zero.
pub(crate) fn kappa_z(f: u64, e: f64, var: f64) -> Option<f64> {
    (var > 0.0).then(|| finite((f as f64 - e) / var.sqrt()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every arrangement of a small sequence, to check the moments exactly.
    fn arrangements(codes: &[usize]) -> Vec<Vec<usize>> {
        if codes.len() <= 1 {
            return vec![codes.to_vec()];
        }
        let mut out = Vec::new();
        for p in 0..codes.len() {
            let mut rest = codes.to_vec();
            let first = rest.remove(p);
            for mut tail in arrangements(&rest) {
                tail.insert(0, first);
                out.push(tail);
            }
        }
        out
    }

    // The moments are the mean and variance of f_ij over all T! orderings
    // (counted with repeats, which weights each distinct arrangement
    // equally): checked by enumeration for T = 6, lags 1–3, every cell.
    #[test]
    fn moments_equal_enumeration_over_every_arrangement() {
        let seq = [0usize, 0, 0, 1, 1, 2];
        let all = arrangements(&seq);
        for lag in 1..=3 {
            let mut m = KappaMoments::new(3);
            m.add_sequence(6, lag as u64, &[(0, 3), (1, 2), (2, 1)]);
            for i in 0..3 {
                for j in 0..3 {
                    let counts: Vec<f64> = all
                        .iter()
                        .map(|a| {
                            (0..6 - lag)
                                .filter(|&t| a[t] == i && a[t + lag] == j)
                                .count() as f64
                        })
                        .collect();
                    let n = counts.len() as f64;
                    let mean = counts.iter().sum::<f64>() / n;
                    let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / n;
                    let most = counts.iter().cloned().fold(0.0, f64::max);
                    assert!((m.mean(i, j) - mean).abs() < 1e-12, "mean {i}{j} lag {lag}");
                    assert!(
                        (m.variance(i, j) - var).abs() < 1e-12,
                        "var {i}{j} lag {lag}"
                    );
                    assert!(m.max(i, j) >= most, "max {i}{j} lag {lag} is a bound");
                }
            }
        }
    }

    // One sequence at lag 1, off the diagonal: Wampold's e = n_i n_j / n and
    // var = n_i n_j (n − n_i)(n − n_j)/(n²(n − 1)). n = 100, n_i = 20,
    // n_j = 30: e = 6, var = 20·30·80·70/(10⁴·99) = 3.393939…
    #[test]
    fn one_sequence_at_lag_one_is_wampolds_formula_off_the_diagonal() {
        let mut m = KappaMoments::new(3);
        m.add_sequence(100, 1, &[(0, 20), (1, 30), (2, 50)]);
        assert!((m.mean(0, 1) - 6.0).abs() < 1e-12);
        assert!((m.variance(0, 1) - 20.0 * 30.0 * 80.0 * 70.0 / (1e4 * 99.0)).abs() < 1e-12);
        assert_eq!(m.max(0, 1), 20.0);
        // Diagonal: n_i(n_i − 1)/n = 20·19/100 = 3.8, not Wampold's 4.
        assert!((m.mean(0, 0) - 3.8).abs() < 1e-12);
        assert_eq!(m.max(0, 0), 19.0);
    }

    #[test]
    fn kappa_by_hand() {
        // f = 10, e = 6, max 20: κ = 4/14; f = 3: (3 − 6)/6 = −0.5.
        assert!((kappa(10, 6.0, 20.0).expect("k") - 4.0 / 14.0).abs() < 1e-12);
        assert_eq!(kappa(3, 6.0, 20.0), Some(-0.5));
        assert_eq!(kappa(6, 6.0, 20.0), Some(0.0));
        // A cell that cannot exceed its expectation has no positive kappa.
        assert_eq!(kappa(2, 2.0, 2.0), None);
        assert_eq!(kappa_z(3, 3.0, 0.0), None);
    }

    #[test]
    fn sequences_add_and_short_ones_add_nothing() {
        let mut one = KappaMoments::new(2);
        one.add_sequence(1, 1, &[(0, 1)]);
        assert_eq!(one.mean(0, 0), 0.0);
        let mut two = KappaMoments::new(2);
        two.add_sequence(4, 1, &[(0, 2), (1, 2)]);
        two.add_sequence(4, 1, &[(0, 2), (1, 2)]);
        let mut single = KappaMoments::new(2);
        single.add_sequence(4, 1, &[(0, 2), (1, 2)]);
        assert!((two.mean(0, 1) - 2.0 * single.mean(0, 1)).abs() < 1e-12);
        two.grow(3);
        assert!((two.mean(0, 1) - 2.0 * single.mean(0, 1)).abs() < 1e-12);
    }
}
