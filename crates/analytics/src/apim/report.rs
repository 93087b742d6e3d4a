//! What a fit reports: the effects with their tests and intervals, the
//! variance components, the model tests, the descriptives and the warnings.
//! An optional statistic is `None` when it cannot be computed, never NaN.

use super::Model;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    Intercept,
    Actor,
    Partner,
    /// The person's own value of `ApimSpec::covariates[i]`.
    Covariate(usize),
}

/// A fixed effect with its REML standard error, t test and 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub term: Term,
    /// The distinguishing value as written in the data; `None` for
    /// indistinguishable dyads.
    pub role: Option<String>,
    /// "intercept", "actor", "partner" or the covariate's column name.
    pub name: String,
    pub estimate: f64,
    pub se: Option<f64>,
    /// Denominator degrees of freedom (Satterthwaite, as SAS PROC MIXED).
    pub df: Option<f64>,
    pub t: Option<f64>,
    pub p: Option<f64>,
    /// 95% confidence interval, estimate ± t₀.₉₇₅(df)·se.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// A likelihood-ratio chi-square test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquareTest {
    pub chi2: f64,
    pub df: u32,
    pub p: Option<f64>,
}

/// k = partner / actor (Kenny & Ledermann 2010) with a delta-method 95%
/// interval: Var(k) ≈ [Var(p) − 2k·Cov(a, p) + k²·Var(a)] / a².
#[derive(Debug, Clone, PartialEq)]
pub struct KRatio {
    pub role: Option<String>,
    /// `None` when the actor effect's 95% interval includes 0: a ratio over a
    /// denominator that may be zero has no stable estimate or interval.
    pub k: Option<f64>,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// What a Wald test compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hypothesis {
    /// Actor effect = partner effect (within a role when distinguishable).
    ActorEqualsPartner,
    /// The effect is equal for both roles (distinguishable only).
    SameAcrossRoles(Term),
}

/// A Wald t test of one linear contrast of the effects, on the contrast's
/// Satterthwaite df (F(1, df) = t²).
#[derive(Debug, Clone, PartialEq)]
pub struct WaldTest {
    pub hypothesis: Hypothesis,
    /// The role within which actor and partner are compared; `None`
    /// otherwise.
    pub role: Option<String>,
    /// Actor − partner, or first role − second role.
    pub difference: f64,
    pub se: Option<f64>,
    pub df: Option<f64>,
    pub t: Option<f64>,
    pub p: Option<f64>,
}

/// Mean and sample SD (n − 1 denominator).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
}

/// The rows that entered the fit, described (by role when distinguishable).
#[derive(Debug, Clone, PartialEq)]
pub struct Descriptives {
    pub role: Option<String>,
    pub n_rows: usize,
    pub x: Summary,
    pub y: Summary,
    /// In the order of `ApimSpec::covariates`.
    pub covariates: Vec<Summary>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApimFit {
    pub model: Model,
    /// Dyads with at least one usable row.
    pub n_dyads: usize,
    /// Dyads with both rows usable.
    pub n_complete_dyads: usize,
    pub n_rows_used: usize,
    pub effects: Vec<Effect>,
    /// Indistinguishable: the within-dyad residual variance (SAS "Residual").
    /// Distinguishable: `None`, see `role_variances`.
    pub residual_variance: Option<f64>,
    /// Residual covariance between partners (SAS "CS"; with roles, the
    /// off-diagonal of the 2×2 residual covariance).
    pub dyad_covariance: Option<f64>,
    /// Residual partial intraclass correlation (with roles, the residual
    /// correlation between partners, SAS "CSH").
    pub partial_icc: Option<f64>,
    /// Distinguishable only: each role's residual variance.
    pub role_variances: Vec<(String, f64)>,
    /// −2 log-likelihood under ML (not REML): the deviance the
    /// distinguishability test compares, since the fixed effects differ.
    pub ml_deviance: f64,
    /// Distinguishable only: distinguishable vs indistinguishable model.
    pub distinguishability_test: Option<ChiSquareTest>,
    /// REML log-likelihood as R's `logLik()` of the gls fit reports it.
    pub reml_log_likelihood: Option<f64>,
    /// R's `AIC()` and `BIC()` of the REML gls fit.
    pub aic: Option<f64>,
    pub bic: Option<f64>,
    /// One k for indistinguishable dyads, one per role otherwise.
    pub k: Vec<KRatio>,
    /// Actor = partner (one test, or one per role).
    pub actor_partner_tests: Vec<WaldTest>,
    /// Distinguishable only: each effect equal across roles.
    pub role_difference_tests: Vec<WaldTest>,
    /// REML likelihood-ratio test of a residual dyad covariance of 0, 1 df.
    pub nonindependence_test: Option<ChiSquareTest>,
    pub descriptives: Vec<Descriptives>,
    /// The covariate names, as in the spec.
    pub covariates: Vec<String>,
    /// Whether the closed-form variance components were used (complete dyads,
    /// no covariates) rather than iterations.
    pub closed_form: bool,
    /// Plain-English notes a reader must see: rows left out, estimates at a
    /// boundary, statistics that could not be computed.
    pub warnings: Vec<String>,
}
