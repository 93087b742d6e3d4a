//! REML or ML variance components for one model: the closed form where it
//! exists (`closed_form`), else the engine's iterations from a start built on
//! the OLS residuals, kept inside the parameter space so they can begin.

use super::engine::{self, Criterion, Problem, M2};
use super::{ApimData, ApimError, Model};

pub(super) const COLLINEAR: &str =
    "the predictors are collinear (X constant, X equal between partners in \
     every dyad, or a covariate constant or a copy of X), so the effects cannot be separated";

/// A REML or ML solution.
pub(super) struct Solution {
    pub(super) theta: Vec<f64>,
    pub(super) eval: engine::Eval,
}

impl ApimData {
    /// Σᵢ rᵢ rᵢᵀ of the residuals y − Xβ per group (2×2 or 1×1).
    pub(super) fn residual_cross(problem: &Problem, beta: &[f64]) -> Vec<M2> {
        let q = problem.p + 1;
        let mut w: Vec<f64> = beta.iter().map(|b| -b).collect();
        w.push(1.0);
        problem
            .groups
            .iter()
            .map(|g| {
                let dim = g.size * q;
                let mut out = [0.0; 4];
                for a in 0..g.size {
                    for c in 0..g.size {
                        let mut s = 0.0;
                        for i in 0..q {
                            for j in 0..q {
                                s += w[i] * g.g[(a * q + i) * dim + c * q + j] * w[j];
                            }
                        }
                        out[a * 2 + c] = s;
                    }
                }
                out
            })
            .collect()
    }

    /// Moves θ just inside the parameter space (|ρ| ≤ 1 − 1e-9, variances at
    /// least 1e-12 of `scale`) so that a closed form on the boundary can
    /// still be evaluated.
    pub(super) fn interior(model: Model, theta: &[f64], scale: f64) -> Vec<f64> {
        let floor = 1e-12 * scale;
        let max_rho = 1.0 - 1e-9;
        match model {
            Model::Indistinguishable => {
                let total = (theta[0] + theta[1]).max(floor);
                let rho = (theta[1] / total).clamp(-max_rho, max_rho);
                vec![total * (1.0 - rho), total * rho]
            }
            Model::Distinguishable => {
                let (s1, s2) = (theta[0].max(floor), theta[1].max(floor));
                let rho = (theta[2] / (s1 * s2).sqrt()).clamp(-max_rho, max_rho);
                vec![s1, s2, rho * (s1 * s2).sqrt()]
            }
        }
    }

    /// θ with Σ = I.
    pub(super) fn identity(model: Model) -> Vec<f64> {
        match model {
            Model::Indistinguishable => vec![1.0, 0.0],
            Model::Distinguishable => vec![1.0, 1.0, 0.0],
        }
    }

    /// REML or ML variance components: the closed form of SCIENCE.md §6.3
    /// when `closed` (complete dyads, no covariates: GLS = OLS there, so the
    /// OLS residuals give them directly), else iterations from a start built
    /// on the OLS residuals. The boolean is false when the iterations
    /// stalled away from a boundary.
    pub(super) fn solve(
        &self,
        problem: &Problem,
        model: Model,
        crit: Criterion,
        closed: bool,
    ) -> Result<(Solution, bool), ApimError> {
        let ols = problem
            .eval(&Self::identity(model))
            .ok_or(ApimError::Degenerate(COLLINEAR))?;
        let cross = Self::residual_cross(problem, &ols.beta);
        let (n_rows, p) = (problem.n_rows, problem.p as f64);
        let total: f64 = problem
            .groups
            .iter()
            .zip(&cross)
            .map(|(g, s)| if g.size == 2 { s[0] + s[3] } else { s[0] })
            .sum::<f64>()
            / (n_rows - p);
        // Floors for the interior are relative to the outcome's variance, so
        // an exact fit (zero residuals) still has a scale.
        let scale = total.max(self.y_variance());
        let reml = crit == Criterion::Reml;
        if closed {
            return Ok((self.closed_form(problem, model, &cross, reml, scale)?, true));
        }
        // Start: the OLS residuals' variances and covariance, the
        // correlation kept within ±0.9 so the start is well inside.
        let mut rows = [0.0; 2];
        let mut ss = [0.0; 2];
        let mut cov = 0.0;
        let mut n_c = 0.0;
        for (g, s) in problem.groups.iter().zip(&cross) {
            if g.size == 2 {
                ss[0] += s[0];
                ss[1] += s[3];
                rows[0] += g.n;
                rows[1] += g.n;
                cov += s[1];
                n_c += g.n;
            } else {
                let r = if g.s.len() == 3 && g.s[1][0] == 1.0 {
                    1
                } else {
                    0
                };
                ss[r] += s[0];
                rows[r] += g.n;
            }
        }
        let inflate = n_rows / (n_rows - p).max(1.0);
        let start = match model {
            Model::Indistinguishable => {
                let var = inflate * (ss[0] + ss[1]) / (rows[0] + rows[1]);
                let c = (inflate * cov / n_c.max(1.0)).clamp(-0.9 * var, 0.9 * var);
                vec![var - c, c]
            }
            Model::Distinguishable => {
                let v1 = inflate * ss[0] / rows[0].max(1.0);
                let v2 = inflate * ss[1] / rows[1].max(1.0);
                let bound = 0.9 * (v1 * v2).sqrt();
                let c = (inflate * cov / n_c.max(1.0)).clamp(-bound, bound);
                vec![v1, v2, c]
            }
        };
        let start = Self::interior(model, &start, scale);
        let free = vec![true; start.len()];
        let opt = problem
            .maximize(&start, &free, crit)
            .ok_or(ApimError::Degenerate(COLLINEAR))?;
        Ok((
            Solution {
                theta: opt.theta,
                eval: opt.eval,
            },
            opt.converged,
        ))
    }
}
