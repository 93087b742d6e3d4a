//! The closed-form REML and ML variance components for complete dyads
//! without covariates (SCIENCE.md §6.3). There GLS equals OLS, so the OLS
//! residuals give the components directly and no iterations are needed; the
//! unit tests check the closed form against the iterations.

use super::engine::{Problem, M2};
use super::solve::{Solution, COLLINEAR};
use super::{ApimData, ApimError, Model};

impl ApimData {
    /// θ from the OLS residual cross-products of the complete dyads
    /// (`cross[0]`), moved just inside the parameter space when it falls on
    /// or beyond the boundary so that it can still be evaluated.
    pub(super) fn closed_form(
        &self,
        problem: &Problem,
        model: Model,
        cross: &[M2],
        reml: bool,
        scale: f64,
    ) -> Result<Solution, ApimError> {
        let n = self.complete.n as f64;
        let s = cross[0];
        let theta = match model {
            Model::Indistinguishable => {
                // v_d = Σd²/(2(n−1)), v_s = Σs²/(2(n−2)) for REML (n
                // for ML), with d and s the residual differences and
                // sums; CS = (v_s − v_d)/2.
                let (sd, ss) = (s[0] + s[3] - 2.0 * s[1], s[0] + s[3] + 2.0 * s[1]);
                let (dd, ds) = if reml { (n - 1.0, n - 2.0) } else { (n, n) };
                let v_d = sd / (2.0 * dd);
                let v_s = ss / (2.0 * ds);
                vec![v_d, (v_s - v_d) / 2.0]
            }
            Model::Distinguishable => {
                let d = if reml { n - self.m() as f64 } else { n };
                vec![s[0] / d, s[3] / d, s[1] / d]
            }
        };
        let theta = if problem.feasible(&theta) {
            theta
        } else {
            Self::interior(model, &theta, scale)
        };
        let eval = problem
            .eval(&theta)
            .ok_or(ApimError::Degenerate(COLLINEAR))?;
        Ok(Solution { theta, eval })
    }
}
