//! `ApimData::fit`: checks the data can carry the model, solves for the
//! variance components, and assembles the report from the other modules.

use super::engine::Criterion;
use super::hypotheses::nonindependence_test;
use super::inference::FixedEffects;
use super::warnings::NO_SAMPLING_COVARIANCE;
use super::{ApimData, ApimError, ApimFit, Model};
use crate::finite;

impl ApimData {
    /// Fits the model: `Model::Indistinguishable` always;
    /// `Model::Distinguishable` needs roles (and then carries the
    /// distinguishability test).
    pub fn fit(&self, model: Model) -> Result<ApimFit, ApimError> {
        self.fit_with(model, true)
    }

    /// The fit; `allow_closed_form = false` forces the iterations (tests
    /// compare the two paths).
    pub(super) fn fit_with(
        &self,
        model: Model,
        allow_closed_form: bool,
    ) -> Result<ApimFit, ApimError> {
        let m = self.m();
        let roles = match model {
            Model::Distinguishable => Some(self.spec.roles.clone().ok_or(ApimError::NeedsRoles)?),
            Model::Indistinguishable => None,
        };
        let need = match model {
            Model::Indistinguishable => m,
            Model::Distinguishable => m + 2,
        };
        if self.complete.n < need {
            return Err(ApimError::TooFewDyads {
                have: self.complete.n,
                need,
                parameters: m,
                model,
            });
        }
        let origin = self.origin.clone().ok_or(ApimError::TooFewDyads {
            have: 0,
            need,
            parameters: m,
            model,
        })?;
        if self.y_variance().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(ApimError::Degenerate(
                "Y takes the same value in every usable row, so there is nothing to explain",
            ));
        }
        let problem = self.problem(model);
        let closed = allow_closed_form
            && self.spec.covariates.is_empty()
            && self.single[0].n == 0
            && self.single[1].n == 0;
        let (reml, converged) = self.solve(&problem, model, Criterion::Reml, closed)?;
        let mut warnings = Vec::new();
        let boundary = self.boundary_warnings(model, &reml.theta, roles.as_ref(), &mut warnings);
        if !converged && !boundary {
            return Err(ApimError::NoConvergence);
        }
        let (ml, _) = self.solve(&problem, model, Criterion::Ml, closed)?;
        let ml_deviance = -2.0 * ml.eval.ll_ml;

        let inf = self.inference(&reml, &problem, &origin);
        if inf.acov.is_none() {
            warnings.push(NO_SAMPLING_COVARIANCE.to_string());
        }
        let FixedEffects {
            effects,
            k,
            actor_partner_tests,
            role_difference_tests,
        } = self.fixed_effects(&inf, roles.as_ref(), &mut warnings);

        let nonindependence_test = nonindependence_test(&problem, model, &reml);

        let distinguishability_test = self.distinguishability_test(model, ml_deviance, closed)?;

        // nlme 3.1-162 reports the textbook REML log-likelihood (checked by
        // scripts/r/apim_reference.R, which writes it out densely).
        let ll_nlme = finite(reml.eval.ll_reml);
        let p = problem.p;
        let n_par = (p + problem.n_theta) as f64;
        let n_obs = problem.n_rows - p as f64;
        let aic = ll_nlme.and_then(|l| finite(-2.0 * l + 2.0 * n_par));
        let bic = ll_nlme.and_then(|l| finite(-2.0 * l + n_par * n_obs.ln()));

        // First in the list: it concerns the data every later number comes
        // from.
        if let Some(w) = self.dropped_rows_warning() {
            warnings.insert(0, w);
        }

        let (residual_variance, dyad_covariance, partial_icc, role_variances) = match model {
            Model::Indistinguishable => {
                let (v, c) = (reml.theta[0], reml.theta[1]);
                (finite(v), finite(c), finite(c / (v + c)), Vec::new())
            }
            Model::Distinguishable => {
                let (s1, s2, s12) = (reml.theta[0], reml.theta[1], reml.theta[2]);
                let r = roles.clone().unwrap_or_default();
                (
                    None,
                    finite(s12),
                    finite(s12 / (s1 * s2).sqrt()),
                    vec![(r[0].clone(), s1), (r[1].clone(), s2)],
                )
            }
        };

        Ok(ApimFit {
            model,
            n_dyads: self.n_dyads(),
            n_complete_dyads: self.complete.n,
            n_rows_used: self.n_rows_used(),
            effects,
            residual_variance,
            dyad_covariance,
            partial_icc,
            role_variances,
            ml_deviance,
            distinguishability_test,
            reml_log_likelihood: ll_nlme,
            aic,
            bic,
            k,
            actor_partner_tests,
            role_difference_tests,
            nonindependence_test,
            descriptives: self.descriptives(model, &origin),
            covariates: self.spec.covariates.clone(),
            closed_form: closed,
            warnings,
        })
    }
}
