//! Likelihood-ratio tests of the model itself: nonindependence (the residual
//! dyad covariance is 0) and distinguishability (roles matter).

use super::engine::{Criterion, Problem};
use super::solve::Solution;
use super::{ApimData, ApimError, ChiSquareTest, Model};
use crate::distributions::chi_square_sf;
use crate::finite;

/// A likelihood-ratio test from half the deviance difference (the log-
/// likelihood gain); negative gains from rounding count as 0.
fn lr_test(gain: f64, df: u32) -> Option<ChiSquareTest> {
    let chi2 = finite((2.0 * gain).max(0.0))?;
    Some(ChiSquareTest {
        chi2,
        df,
        p: finite(chi_square_sf(chi2, df as f64)),
    })
}

/// Nonindependence: REML with the dyad covariance held at 0, against the
/// fit. The fixed effects are the same in both, so their REML likelihoods
/// are comparable; 1 df, and 0 is inside the parameter space because the
/// covariance may be negative.
pub(super) fn nonindependence_test(
    problem: &Problem,
    model: Model,
    reml: &Solution,
) -> Option<ChiSquareTest> {
    let mut theta0 = reml.theta.clone();
    let last = theta0.len() - 1;
    theta0[last] = 0.0;
    if model == Model::Indistinguishable {
        theta0[0] = reml.theta[0] + reml.theta[1];
    }
    let mut free = vec![true; theta0.len()];
    free[last] = false;
    problem
        .maximize(&theta0, &free, Criterion::Reml)
        .filter(|o| o.converged)
        .and_then(|null| lr_test(reml.eval.ll_reml - null.eval.ll_reml, 1))
}

impl ApimData {
    /// Distinguishable against indistinguishable, on ML deviances because
    /// the fixed effects differ (REML likelihoods of different fixed effects
    /// are not comparable); `None` for the indistinguishable model.
    pub(super) fn distinguishability_test(
        &self,
        model: Model,
        ml_deviance: f64,
        closed: bool,
    ) -> Result<Option<ChiSquareTest>, ApimError> {
        let m = self.m();
        let test = match model {
            Model::Distinguishable => {
                let indist = self.problem(Model::Indistinguishable);
                let (ml0, _) =
                    self.solve(&indist, Model::Indistinguishable, Criterion::Ml, closed)?;
                // 2m + 3 parameters against m + 2.
                lr_test(0.5 * (-2.0 * ml0.eval.ll_ml - ml_deviance), (m + 1) as u32)
            }
            Model::Indistinguishable => None,
        };
        Ok(test)
    }
}
