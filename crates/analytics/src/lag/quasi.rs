//! Quasi-independence for tables with structural zeros (codes that cannot
//! follow themselves): expected counts by iterative proportional fitting and
//! adjusted residuals by the hat-matrix formula.
//!
//! Sources: Bakeman & Quera (1995), *Psychological Bulletin* 118:272–284
//! (quasi-independence for lag-sequential tables); Christensen (1997),
//! *Log-Linear Models and Logistic Regression*, p. 357 (h_c and the adjusted
//! residual); SCIENCE.md §1.2 item 9.

use crate::linalg::SquareMatrix;

use super::cells::finite;

/// Result of iterative proportional fitting.
#[derive(Debug, Clone, PartialEq)]
pub struct IpfFit {
    pub expected: Vec<f64>,
    pub iterations: usize,
    /// Largest absolute difference between a fitted and an observed margin
    /// at the end.
    pub max_margin_error: f64,
    pub converged: bool,
    /// Allowed cells whose maximum-likelihood fit is 0 because no table with
    /// these margins can have a tally there (see [`forced_zeros`]).
    pub forced_zeros: usize,
}

/// IPF stops once every margin matches to this fraction of N (SCIENCE.md
/// §1.2 item 9 suggests 1e-10).
pub const IPF_TOLERANCE: f64 = 1e-10;
/// A fit still counts as converged if every margin is within this many
/// tallies when the iteration cap is reached: LagSequential's own criterion
/// (Draper & O'Connor).
pub const IPF_ACCEPT: f64 = 1e-4;
/// Iteration cap: 10 000, fewer for large tables so that 1 000 codes still
/// end in seconds.
fn max_iterations(k: usize) -> usize {
    (200_000_000 / (k * k).max(1)).clamp(200, 10_000)
}

/// Allowed cells that must be 0 in every table with the observed margins and
/// structural zeros, hence 0 in the (extended) maximum-likelihood fit.
///
/// Why: with sampling zeros the quasi-independence MLE can lie on the
/// boundary, where IPF creeps towards 0 in such cells like 1/iterations and
/// never meets a tight tolerance. A cell (i, j) can hold a tally in some
/// table with the same margins iff, in the flow network of the observed
/// table (row i → column j for each allowed cell, column j → row i for each
/// observed tally), column j leads back to row i, i.e. both lie in one
/// strongly connected component (the standard max-flow argument; Haberman
/// 1974, *The Analysis of Frequency Data*, ch. 2, on existence of the MLE).
/// Fixing those cells at 0 leaves an interior fit, where IPF converges
/// geometrically.
pub fn forced_zeros(k: usize, counts: &[u64], zeros: &[bool]) -> Vec<bool> {
    let rows_active: Vec<bool> = (0..k)
        .map(|i| (0..k).any(|j| counts[i * k + j] > 0))
        .collect();
    let cols_active: Vec<bool> = (0..k)
        .map(|j| (0..k).any(|i| counts[i * k + j] > 0))
        .collect();
    let allowed = |i: usize, j: usize| rows_active[i] && cols_active[j] && !zeros[i * k + j];
    // Nodes 0..k are rows, k..2k columns.
    let forward = |v: usize, w: usize| -> bool {
        match (v < k, w < k) {
            (true, false) => allowed(v, w - k),
            (false, true) => counts[w * k + (v - k)] > 0,
            _ => false,
        }
    };
    let comp = strongly_connected(2 * k, forward);
    (0..k * k)
        .map(|c| {
            let (i, j) = (c / k, c % k);
            allowed(i, j) && counts[c] == 0 && comp[i] != comp[k + j]
        })
        .collect()
}

/// Kosaraju's algorithm on an implicit dense graph (`edge(v, w)`), iterative
/// so a large code set cannot overflow the stack. O(V²).
fn strongly_connected(n: usize, edge: impl Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(w) = (*next..n).find(|&w| !seen[w] && edge(v, w)) {
                *next = w + 1;
                seen[w] = true;
                stack.push((w, 0));
            } else {
                order.push(v);
                stack.pop();
            }
        }
    }
    let mut comp = vec![usize::MAX; n];
    let mut label = 0;
    for &root in order.iter().rev() {
        if comp[root] != usize::MAX {
            continue;
        }
        comp[root] = label;
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            for (w, cw) in comp.iter_mut().enumerate() {
                if *cw == usize::MAX && edge(w, v) {
                    *cw = label;
                    stack.push(w);
                }
            }
        }
        label += 1;
    }
    comp
}

/// Fits the quasi-independence model E_ij = α_i β_j on allowed cells
/// (`zeros[i*k+j]` marks a structural zero) to the observed margins.
pub fn ipf(k: usize, counts: &[u64], zeros: &[bool]) -> IpfFit {
    let rows: Vec<f64> = (0..k)
        .map(|i| counts[i * k..(i + 1) * k].iter().sum::<u64>() as f64)
        .collect();
    let cols: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| counts[i * k + j]).sum::<u64>() as f64)
        .collect();
    let n: f64 = rows.iter().sum();
    let forced = forced_zeros(k, counts, zeros);
    // Step 1: E = S, the indicator of allowed cells (less forced zeros).
    let mut e: Vec<f64> = zeros
        .iter()
        .zip(&forced)
        .map(|(&z, &f)| if z || f { 0.0 } else { 1.0 })
        .collect();
    let tol = IPF_TOLERANCE * n.max(1.0);
    let mut err = f64::INFINITY;
    let mut iterations = 0;
    let cap = max_iterations(k);
    while iterations < cap {
        iterations += 1;
        // Step 2: scale rows to R_i.
        for i in 0..k {
            let s: f64 = e[i * k..(i + 1) * k].iter().sum();
            let f = if s > 0.0 { rows[i] / s } else { 0.0 };
            e[i * k..(i + 1) * k].iter_mut().for_each(|x| *x *= f);
        }
        // Step 3: scale columns to C_j.
        for j in 0..k {
            let s: f64 = (0..k).map(|i| e[i * k + j]).sum();
            let f = if s > 0.0 { cols[j] / s } else { 0.0 };
            for i in 0..k {
                e[i * k + j] *= f;
            }
        }
        // Step 4: after the column step only the row margins can be off.
        err = (0..k)
            .map(|i| (e[i * k..(i + 1) * k].iter().sum::<f64>() - rows[i]).abs())
            .fold(0.0, f64::max);
        if err <= tol {
            break;
        }
    }
    IpfFit {
        expected: e,
        iterations,
        max_margin_error: err,
        converged: err <= tol || err <= IPF_ACCEPT,
        forced_zeros: forced.iter().filter(|&&f| f).count(),
    }
}

/// Adjusted residuals of a quasi-independence fit, with the model's degrees
/// of freedom.
#[derive(Debug, Clone, PartialEq)]
pub struct HatResiduals {
    pub residuals: Vec<Option<f64>>,
    /// Cells with positive fitted count minus free parameters.
    pub df: u64,
}

/// Adjusted residuals z_c = (f_c − E_c)/√(E_c(1 − h_c)) with
/// h_c = E_c x_cᵀ(XᵀWX)⁻¹x_c, X the independence design restricted to cells
/// with positive fitted count, W = diag(E) (Christensen 1997 p. 357).
///
/// The design has one effect per active row and per active column, less one
/// per connected block of the table: one block gives the usual intercept +
/// (K_r − 1) + (K_c − 1) parameters; when structural or forced zeros split the
/// table into independent blocks, each block has its own intercept, which
/// keeps XᵀWX invertible. `None` for structural and forced zeros, empty
/// margins, and cells fitted exactly (1 − h = 0).
pub fn hat_matrix_residuals(
    k: usize,
    counts: &[u64],
    expected: &[f64],
    zeros: &[bool],
) -> HatResiduals {
    let mut out = vec![None; k * k];
    let in_design = |c: usize| !zeros[c] && expected[c] > 0.0;
    // Union-find over rows (0..k) and columns (k..2k) joined by design cells.
    let mut parent: Vec<usize> = (0..2 * k).collect();
    fn find(parent: &mut [usize], mut v: usize) -> usize {
        while parent[v] != v {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        v
    }
    let mut node_used = vec![false; 2 * k];
    let mut cells = 0usize;
    for c in (0..k * k).filter(|&c| in_design(c)) {
        let (i, j) = (c / k, c % k);
        node_used[i] = true;
        node_used[k + j] = true;
        cells += 1;
        let (a, b) = (find(&mut parent, i), find(&mut parent, k + j));
        parent[a] = b;
    }
    // Parameters: every used row; every used column except the first column
    // of each block (its reference level).
    let mut param = vec![None; 2 * k];
    let mut block_has_reference = vec![false; 2 * k];
    let mut p = 0;
    for v in 0..2 * k {
        if !node_used[v] {
            continue;
        }
        if v >= k {
            let root = find(&mut parent, v);
            if !block_has_reference[root] {
                block_has_reference[root] = true;
                continue;
            }
        }
        param[v] = Some(p);
        p += 1;
    }
    let df = cells.saturating_sub(p) as u64;
    let design = |c: usize| -> [Option<usize>; 2] { [param[c / k], param[k + c % k]] };
    let mut m = SquareMatrix::zeros(p);
    for c in (0..k * k).filter(|&c| in_design(c)) {
        let x = design(c);
        for a in x.iter().flatten() {
            for b in x.iter().flatten() {
                m.add(*a, *b, expected[c]);
            }
        }
    }
    let Some(inv) = m.spd_inverse() else {
        return HatResiduals { residuals: out, df };
    };
    for c in (0..k * k).filter(|&c| in_design(c)) {
        let e = expected[c];
        let x = design(c);
        let mut q = 0.0;
        for a in x.iter().flatten() {
            for b in x.iter().flatten() {
                q += inv.get(*a, *b);
            }
        }
        let var = e * (1.0 - e * q);
        // 1 − h ≈ 0 means the cell is fitted exactly by the margins.
        if var > e * 1e-9 {
            out[c] = finite((counts[c] as f64 - e) / var.sqrt());
        }
    }
    HatResiduals { residuals: out, df }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipf_matches_margins_and_respects_zeros() {
        // 3 codes that cannot repeat.
        let counts = [0, 5, 3, 4, 0, 6, 2, 7, 0];
        let zeros: Vec<bool> = (0..9).map(|c| c % 4 == 0).collect();
        let fit = ipf(3, &counts, &zeros);
        assert!(fit.converged);
        for d in [0, 4, 8] {
            assert_eq!(fit.expected[d], 0.0);
        }
        for i in 0..3 {
            let r: f64 = fit.expected[i * 3..i * 3 + 3].iter().sum();
            let want: u64 = counts[i * 3..i * 3 + 3].iter().sum();
            assert!((r - want as f64).abs() < 1e-8);
        }
    }

    // By hand: in a 3×3 quasi-independence table with an empty diagonal there
    // is 1 degree of freedom, so all six residuals have the same magnitude,
    // alternating in sign around the cycle 0→1→2→0 vs 0→2→1→0.
    #[test]
    fn three_code_no_repeat_residuals_share_one_magnitude() {
        let counts = [0, 5, 3, 4, 0, 6, 2, 7, 0];
        let zeros: Vec<bool> = (0..9).map(|c| c % 4 == 0).collect();
        let fit = ipf(3, &counts, &zeros);
        let z = hat_matrix_residuals(3, &counts, &fit.expected, &zeros).residuals;
        let m = z[1].expect("z01").abs();
        for c in [1, 2, 3, 5, 6, 7] {
            let v = z[c].expect("z");
            assert!((v.abs() - m).abs() < 1e-8, "{c}: {v} vs {m}");
        }
        // 0→1, 1→2, 2→0 share a sign; 0→2, 1→0, 2→1 the other.
        let s = z[1].expect("z").signum();
        assert_eq!(z[5].expect("z").signum(), s);
        assert_eq!(z[6].expect("z").signum(), s);
        assert_eq!(z[2].expect("z").signum(), -s);
        for d in [0, 4, 8] {
            assert_eq!(z[d], None);
        }
    }

    #[test]
    fn cells_no_table_with_these_margins_can_fill_are_forced_to_zero() {
        // Sequence 1 2 0 under no-repeat: tallies 1→2 and 2→0. Column 0 is
        // filled by row 2 alone, so 1→0 must be 0 in any table with these
        // margins; IPF would only creep towards that.
        let counts = [0, 0, 0, 0, 0, 1, 1, 0, 0];
        let zeros: Vec<bool> = (0..9).map(|c| c % 4 == 0).collect();
        let forced = forced_zeros(3, &counts, &zeros);
        assert_eq!(forced.iter().filter(|&&f| f).count(), 1);
        assert!(forced[3]);
        let fit = ipf(3, &counts, &zeros);
        assert!(fit.converged && fit.iterations < 10);
        assert_eq!(fit.expected[3], 0.0);
        assert_eq!(fit.expected[5], 1.0);
    }

    #[test]
    fn two_codes_that_cannot_repeat_have_no_residuals() {
        let counts = [0, 5, 5, 0];
        let zeros = [true, false, false, true];
        let fit = ipf(2, &counts, &zeros);
        assert_eq!(fit.expected, vec![0.0, 5.0, 5.0, 0.0]);
        assert!(hat_matrix_residuals(2, &counts, &fit.expected, &zeros)
            .residuals
            .iter()
            .all(Option::is_none));
    }
}
