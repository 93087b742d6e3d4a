//! Plain-English warnings a reader must see beside the numbers: variance
//! estimates at the edge of the parameter space, rows left out.

use super::{ApimData, Model};

/// A residual correlation this close to ±1 is reported as at the boundary.
const BOUNDARY_RHO: f64 = 0.999;
/// A residual variance below this fraction of the outcome's variance is
/// reported as at the boundary (the model reproduces the outcome exactly).
const BOUNDARY_VARIANCE: f64 = 1e-6;

/// Said when the observed REML information of θ̂ cannot be inverted: every
/// Satterthwaite df needs that inverse.
pub(super) const NO_SAMPLING_COVARIANCE: &str =
    "The variance estimates have no usable sampling covariance (the likelihood is \
     flat or at a boundary in some direction), so Satterthwaite degrees of freedom, \
     p-values and confidence intervals are not given.";

impl ApimData {
    /// How many rows were left out and why, when any were: a reader must
    /// know the fit does not describe every row they gave.
    pub(super) fn dropped_rows_warning(&self) -> Option<String> {
        let dropped = self.rows_pushed - self.n_rows_used();
        if dropped == 0 {
            return None;
        }
        Some(format!(
            "{dropped} of {} rows were left out because a value they need was missing \
             (the person's own X, Y{} or their partner's X, which the partner effect \
             needs), as R's nlme::gls with na.omit does on pairwise data; {} of the {} \
             dyads entered with one partner's row only.",
            self.rows_pushed,
            if self.spec.covariates.is_empty() {
                ""
            } else {
                " or a covariate,"
            },
            self.single[0].n + self.single[1].n,
            self.n_dyads()
        ))
    }

    /// Warnings for variance parameters at (or numerically at) the edge of
    /// the parameter space; true when any is.
    pub(super) fn boundary_warnings(
        &self,
        model: Model,
        theta: &[f64],
        roles: Option<&[String; 2]>,
        warnings: &mut Vec<String>,
    ) -> bool {
        let tiny = BOUNDARY_VARIANCE * self.y_variance();
        let mut at = false;
        let (rho, variances): (f64, Vec<(Option<&String>, f64)>) = match model {
            Model::Indistinguishable => (
                theta[1] / (theta[0] + theta[1]),
                vec![(None, theta[0] + theta[1])],
            ),
            Model::Distinguishable => (
                theta[2] / (theta[0] * theta[1]).sqrt(),
                vec![
                    (roles.map(|r| &r[0]), theta[0]),
                    (roles.map(|r| &r[1]), theta[1]),
                ],
            ),
        };
        for (role, v) in variances {
            if v <= tiny {
                at = true;
                let whose = role.map_or("The residual variance".to_string(), |r| {
                    format!("The residual variance of role \"{r}\"")
                });
                warnings.push(format!(
                    "{whose} is essentially zero: the model reproduces that outcome almost \
                     exactly, which usually means an outcome computed from the predictors or \
                     far too few rows. Standard errors and tests are not trustworthy; check the \
                     columns and collect more dyads."
                ));
            }
        }
        // NaN (no usable correlation) counts as at the boundary too.
        if rho.abs() >= BOUNDARY_RHO || rho.is_nan() {
            at = true;
            warnings.push(format!(
                "The residual correlation between partners is {:.4}, at the edge of what a \
                 correlation can be. This usually means too few dyads for the model, or one \
                 partner's outcome nearly a copy of the other's. Standard errors, degrees of \
                 freedom and tests that rely on it are not trustworthy; more dyads are needed{}.",
                rho,
                if model == Model::Distinguishable {
                    ", or the indistinguishable model, which has fewer parameters"
                } else {
                    ""
                }
            ));
        }
        at
    }
}
