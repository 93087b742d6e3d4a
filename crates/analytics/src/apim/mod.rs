//! The actor–partner interdependence model (APIM) for dyads, indistinguishable
//! or distinguishable, by REML on pairwise data, from sufficient statistics.
//!
//! Sources: Kenny, Kashy & Cook (2006), *Dyadic Data Analysis*, ch. 6–7;
//! SCIENCE.md §6.3; Kenny & Ledermann (2010), *J Family Psychology*
//! 24:359–366 (the ratio k = partner/actor).
//!
//! **The model.** Each person's row (pairwise format) is
//! `y = b₀ + a·x_own + p·x_partner + Σ g_j·c_j,own + e`, with the residuals of
//! two partners correlated. Indistinguishable dyads share one set of effects
//! and an exchangeable (compound-symmetry) residual covariance, as
//! `nlme::gls(y ~ x_A + x_P + c_A, correlation = corCompSymm(form = ~1|dyad))`.
//! Distinguishable dyads have an intercept, actor, partner and covariate
//! effect per role and a 2×2 residual covariance with a variance per role
//! (the two-intercept model: `gls(y ~ 0 + role + role:x_A + role:x_P +
//! role:c_A, correlation = corCompSymm(~1|dyad), weights = varIdent(~1|role))`).
//!
//! **Covariates** enter as the person's own value only (not the partner's):
//! one coefficient in the indistinguishable model, one per role in the
//! distinguishable model. This is the usual way a control variable such as
//! age or relationship length enters an APIM; a researcher who wants the
//! partner's value too can add it as its own column.
//!
//! **Incomplete dyads.** Every usable row enters (see `ApimData::push_dyad`
//! for what makes a row usable, exactly as `na.omit` on pairwise data): a
//! complete dyad is a 2-row block, a dyad with one usable row a 1-row block.
//! Estimation is REML by Newton–Raphson over these blocks (`engine`). For
//! complete dyads without covariates the REML variance components have the
//! closed forms of SCIENCE.md §6.3 (mean/difference decomposition;
//! equation-by-equation OLS), reproduced against SAS PROC MIXED in
//! `tests/apim_acitelli.rs`; that path skips the iterations, and a test
//! checks both paths agree.
//!
//! **Inference.** Standard errors are REML's (XᵀV̂⁻¹X)⁻¹. Denominator df are
//! Satterthwaite's, from the observed REML information of the variance
//! parameters and the derivative of each contrast's variance (as SAS PROC
//! MIXED `ddfm=satterth` and R `emmeans(mode = "satterthwaite")` on gls); on
//! complete dyads without covariates they equal the closed forms (SAS's 146
//! and 273 for Acitelli). Confidence intervals are t on those df. Tests of
//! actor = partner and of equal effects across roles are Wald t tests of the
//! contrast on its own Satterthwaite df (the F(1, df) = t² of emmeans). The
//! ratio k = p/a has a delta-method interval using the full covariance of
//! (a, p) with the normal critical value (it is a large-sample method; Kenny
//! & Ledermann 2010 prefer bootstrap intervals, which sufficient statistics
//! cannot give). Nonindependence is tested by a REML likelihood-ratio test of
//! the residual dyad covariance being 0 (1 df; the fixed effects are the
//! same, so REML likelihoods are comparable, and 0 is inside the parameter
//! space because the covariance may be negative). The distinguishability
//! test compares ML deviances, since the fixed effects differ.
//!
//! **Likelihood and information criteria.** `reml_log_likelihood`, `aic` and
//! `bic` are R's `logLik`, `AIC` and `BIC` of the REML gls fit (nlme 3.1-162):
//! the REML log-likelihood above, p fixed effects plus the variance
//! parameters (2 indistinguishable, 3 distinguishable) as the parameter
//! count, and N − p observations for BIC.
//!
//! **Where things are.** `data` folds dyads into sufficient statistics;
//! `problem` lays them out as each model's GLS problem; `engine` evaluates
//! and maximises the likelihood; `solve` and `closed_form` find the variance
//! components; `inference` turns them into effects, intervals, Wald tests and
//! k; `hypotheses` holds the likelihood-ratio tests of the model;
//! `warnings` and `descriptives` say what a reader must know beside the
//! numbers; `fit` puts these together. The public types are in `spec`
//! (input), `report` (output) and `error`; `legacy` keeps the older
//! dyad-list interface.

mod closed_form;
mod data;
mod descriptives;
mod engine;
mod error;
mod fit;
mod hypotheses;
mod inference;
mod legacy;
mod problem;
mod report;
mod solve;
mod spec;
mod warnings;

pub use data::ApimData;
pub use error::ApimError;
pub use legacy::{distinguishable, indistinguishable, Dyad, Person};
pub use report::{
    ApimFit, ChiSquareTest, Descriptives, Effect, Hypothesis, KRatio, Summary, Term, WaldTest,
};
pub use spec::{ApimSpec, DyadError, Member, Model};

#[cfg(test)]
mod tests;
