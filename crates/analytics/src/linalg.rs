//! Small dense linear algebra: the inverse of a symmetric positive-definite
//! matrix by Cholesky factorisation (Golub & Van Loan, *Matrix Computations*,
//! 4th ed., §4.2), enough for XᵀWX of a log-linear design and XᵀX of a
//! three-column regression.

/// A square matrix stored row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct SquareMatrix {
    n: usize,
    data: Vec<f64>,
}

impl SquareMatrix {
    pub fn zeros(n: usize) -> Self {
        Self {
            n,
            data: vec![0.0; n * n],
        }
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    pub fn add(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.n + j] += v;
    }

    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.n + j] = v;
    }

    /// ln det of a symmetric positive-definite matrix, 2·Σ ln L_jj from its
    /// Cholesky factor (Golub & Van Loan §4.2), or `None` under the same
    /// conditions as `spd_inverse`.
    pub fn spd_log_det(&self) -> Option<f64> {
        let n = self.n;
        let scale = (0..n).map(|i| self.get(i, i).abs()).fold(0.0_f64, f64::max);
        if n == 0 || scale <= 0.0 || !scale.is_finite() {
            return None;
        }
        let mut l = vec![0.0; n * n];
        let mut log_det = 0.0;
        for j in 0..n {
            let mut d = self.get(j, j);
            for k in 0..j {
                d -= l[j * n + k] * l[j * n + k];
            }
            if d <= scale * 1e-12 || !d.is_finite() {
                return None;
            }
            let djj = d.sqrt();
            log_det += 2.0 * djj.ln();
            l[j * n + j] = djj;
            for i in (j + 1)..n {
                let mut s = self.get(i, j);
                for k in 0..j {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / djj;
            }
        }
        Some(log_det)
    }

    /// Inverse of a symmetric positive-definite matrix, or `None` when the
    /// matrix is singular or not positive definite (a pivot not clearly above
    /// zero relative to the diagonal's scale).
    pub fn spd_inverse(&self) -> Option<SquareMatrix> {
        let n = self.n;
        let scale = (0..n).map(|i| self.get(i, i).abs()).fold(0.0_f64, f64::max);
        if n == 0 || scale <= 0.0 || !scale.is_finite() {
            return None;
        }
        // Lower-triangular L with A = L Lᵀ.
        let mut l = vec![0.0; n * n];
        for j in 0..n {
            let mut d = self.get(j, j);
            for k in 0..j {
                d -= l[j * n + k] * l[j * n + k];
            }
            if d <= scale * 1e-12 || !d.is_finite() {
                return None;
            }
            let djj = d.sqrt();
            l[j * n + j] = djj;
            for i in (j + 1)..n {
                let mut s = self.get(i, j);
                for k in 0..j {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / djj;
            }
        }
        // L⁻¹ by forward substitution, then A⁻¹ = L⁻ᵀ L⁻¹.
        let mut linv = vec![0.0; n * n];
        for i in 0..n {
            linv[i * n + i] = 1.0 / l[i * n + i];
            for j in 0..i {
                let mut s = 0.0;
                for k in j..i {
                    s -= l[i * n + k] * linv[k * n + j];
                }
                linv[i * n + j] = s / l[i * n + i];
            }
        }
        let mut inv = SquareMatrix::zeros(n);
        for i in 0..n {
            for j in 0..=i {
                let mut s = 0.0;
                for k in i..n {
                    s += linv[k * n + i] * linv[k * n + j];
                }
                inv.data[i * n + j] = s;
                inv.data[j * n + i] = s;
            }
        }
        Some(inv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_times_matrix_is_identity() {
        // A hand-made SPD matrix: BᵀB + I for an arbitrary B.
        let rows = [[4.0, 2.0, 0.6], [2.0, 5.0, 1.0], [0.6, 1.0, 3.0]];
        let mut a = SquareMatrix::zeros(3);
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                a.add(i, j, *v);
            }
        }
        let inv = a.spd_inverse().expect("SPD");
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| a.get(i, k) * inv.get(k, j)).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((s - want).abs() < 1e-12, "({i},{j}) = {s}");
            }
        }
    }

    #[test]
    fn log_det_of_a_hand_computed_matrix() {
        // det [[4, 2], [2, 5]] = 20 − 4 = 16.
        let mut a = SquareMatrix::zeros(2);
        for (i, j, v) in [(0, 0, 4.0), (0, 1, 2.0), (1, 0, 2.0), (1, 1, 5.0)] {
            a.set(i, j, v);
        }
        let got = a.spd_log_det().expect("SPD");
        assert!((got - 16f64.ln()).abs() < 1e-14, "{got}");
    }

    #[test]
    fn singular_matrix_has_no_inverse() {
        let mut a = SquareMatrix::zeros(2);
        for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            a.add(i, j, 1.0);
        }
        assert!(a.spd_inverse().is_none());
    }
}
