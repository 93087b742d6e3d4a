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

mod data;
mod engine;
mod legacy;

pub use data::ApimData;
pub use legacy::{distinguishable, indistinguishable, Dyad, Person};

use crate::distributions::{
    chi_square_sf, normal_two_tailed_critical, t_two_tailed_critical, t_two_tailed_p,
};
use crate::finite;
use crate::linalg::SquareMatrix;
use data::{Moments, FIRST_COV, X, XP};
use engine::{Criterion, Group, Problem, M2};

/// What the data hold beyond X and Y.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApimSpec {
    /// `Some([first, second])` when a distinguishing column was given: the two
    /// values as written in the file, in order of first appearance.
    pub roles: Option<[String; 2]>,
    /// Names of the covariate columns, in order.
    pub covariates: Vec<String>,
}

/// One person's row as read. `role` indexes `ApimSpec::roles` (ignored
/// without roles). A value is `None` when the cell is missing.
/// `covariates.len() == spec.covariates.len()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member<'a> {
    pub role: Option<usize>,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub covariates: &'a [Option<f64>],
}

/// Why one dyad's rows cannot be used; the caller adds the dyad id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DyadError {
    /// More than two rows.
    TooManyMembers,
    /// With roles: the members do not have one role each (or a role is
    /// missing or out of range).
    RolesNotOneEach,
}

impl std::fmt::Display for DyadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooManyMembers => write!(f, "the dyad has more than two rows"),
            Self::RolesNotOneEach => write!(
                f,
                "the dyad's members do not have one role each (one of each distinguishing value)"
            ),
        }
    }
}

impl std::error::Error for DyadError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Indistinguishable,
    Distinguishable,
}

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

/// Why a model could not be fitted; each names the dyads concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum ApimError {
    /// Dyads with one member, or a member without X or Y (only from the
    /// dyad-list wrappers; `ApimData` fits incomplete dyads).
    Incomplete(Vec<String>),
    /// Dyads with more than two rows.
    TooManyMembers(Vec<String>),
    /// The distinguishing variable does not take exactly two values.
    RoleCount(Vec<String>),
    /// Dyads whose two members do not have one role each.
    RolesPerDyad(Vec<String>),
    /// Too few complete dyads for the model's parameters.
    TooFewDyads {
        have: usize,
        need: usize,
        /// Fixed effects in each member's equation.
        parameters: usize,
        model: Model,
    },
    /// X does not vary as the model needs.
    Degenerate(&'static str),
    /// The distinguishable model was asked for without roles in the spec.
    NeedsRoles,
    /// The REML iterations did not settle.
    NoConvergence,
}

impl std::fmt::Display for ApimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn list(ids: &[String]) -> String {
            const SHOWN: usize = 10;
            let mut s = ids
                .iter()
                .take(SHOWN)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            if ids.len() > SHOWN {
                s.push_str(&format!(" and {} more", ids.len() - SHOWN));
            }
            s
        }
        match self {
            Self::Incomplete(ids) => write!(
                f,
                "incomplete dyads (a member missing, or missing X or Y): {}; this interface \
                 takes complete dyads only (ApimData fits incomplete ones)",
                list(ids)
            ),
            Self::TooManyMembers(ids) => {
                write!(f, "dyads with more than two rows: {}", list(ids))
            }
            Self::RoleCount(values) => write!(
                f,
                "the distinguishing variable must take exactly two values, found {}: {}",
                values.len(),
                list(values)
            ),
            Self::RolesPerDyad(ids) => write!(
                f,
                "dyads whose members do not have one role each: {}",
                list(ids)
            ),
            Self::TooFewDyads {
                have,
                need,
                parameters,
                model: Model::Distinguishable,
            } => write!(
                f,
                "{have} complete dyads (both partners' rows usable); the distinguishable model \
                 estimates {parameters} effects per role plus each role's residual variance and \
                 their correlation, so it needs at least {need} complete dyads (with fewer the \
                 residual correlation comes out as exactly ±1 and every test is meaningless). \
                 Collect more dyads, or fit the indistinguishable model"
            ),
            Self::TooFewDyads {
                have,
                need,
                parameters,
                model: Model::Indistinguishable,
            } => write!(
                f,
                "{have} complete dyads (both partners' rows usable); the model estimates \
                 {parameters} effects plus a residual variance and covariance, so it needs at \
                 least {need} complete dyads"
            ),
            Self::Degenerate(what) => write!(f, "{what}"),
            Self::NeedsRoles => write!(
                f,
                "the distinguishable model needs a distinguishing variable with two values"
            ),
            Self::NoConvergence => write!(
                f,
                "the REML estimates did not settle after 500 iterations; the data may be too \
                 few or too irregular for this model"
            ),
        }
    }
}

impl std::error::Error for ApimError {}

/// A residual correlation this close to ±1 is reported as at the boundary.
const BOUNDARY_RHO: f64 = 0.999;
/// A residual variance below this fraction of the outcome's variance is
/// reported as at the boundary (the model reproduces the outcome exactly).
const BOUNDARY_VARIANCE: f64 = 1e-6;

const COLLINEAR: &str = "the predictors are collinear (X constant, X equal between partners in \
     every dyad, or a covariate constant or a copy of X), so the effects cannot be separated";

/// A REML or ML solution.
struct Solution {
    theta: Vec<f64>,
    eval: engine::Eval,
}

impl ApimData {
    /// Fits the model: `Model::Indistinguishable` always;
    /// `Model::Distinguishable` needs roles (and then carries the
    /// distinguishability test).
    pub fn fit(&self, model: Model) -> Result<ApimFit, ApimError> {
        self.fit_with(model, true)
    }

    fn m(&self) -> usize {
        FIRST_COV + self.spec.covariates.len()
    }

    /// The GLS problem for a model: groups of blocks with their moment
    /// matrices in the model's design and ∂Σ/∂θ. Indistinguishable θ =
    /// (v, c): Σ = [[v + c, c], [c, v + c]], a single row v + c.
    /// Distinguishable θ = (σ₁², σ₂², σ₁₂).
    fn problem(&self, model: Model) -> Problem {
        let m = self.m();
        let b = m + 1;
        let mut groups = Vec::new();
        match model {
            Model::Indistinguishable => {
                if self.complete.n > 0 {
                    groups.push(Group {
                        size: 2,
                        n: self.complete.n as f64,
                        g: self.complete.sum.clone(),
                        s: vec![[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]],
                    });
                }
                let n1 = self.single[0].n + self.single[1].n;
                if n1 > 0 {
                    let g = self.single[0]
                        .sum
                        .iter()
                        .zip(&self.single[1].sum)
                        .map(|(a, c)| a + c)
                        .collect();
                    groups.push(Group {
                        size: 1,
                        n: n1 as f64,
                        g,
                        s: vec![[1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]],
                    });
                }
                Problem {
                    p: m,
                    n_rows: self.n_rows_used() as f64,
                    groups,
                    n_theta: 2,
                }
            }
            Model::Distinguishable => {
                // A base index of a role-r member maps to the model layout
                // [d (2m); y]: u_i → r·m + i, y → 2m.
                let place = |r: usize, i: usize| if i < m { r * m + i } else { 2 * m };
                let q = 2 * m + 1;
                let scatter = |mo: &Moments, members: &[usize]| {
                    let dim = members.len() * q;
                    let mut g = vec![0.0; dim * dim];
                    for (ka, &ra) in members.iter().enumerate() {
                        for (kb, &rb) in members.iter().enumerate() {
                            for i in 0..b {
                                for j in 0..b {
                                    let row = ka * q + place(ra, i);
                                    let col = kb * q + place(rb, j);
                                    g[row * dim + col] += mo.get(ka * b + i, kb * b + j);
                                }
                            }
                        }
                    }
                    g
                };
                if self.complete.n > 0 {
                    groups.push(Group {
                        size: 2,
                        n: self.complete.n as f64,
                        g: scatter(&self.complete, &[0, 1]),
                        s: vec![
                            [1.0, 0.0, 0.0, 0.0],
                            [0.0, 0.0, 0.0, 1.0],
                            [0.0, 1.0, 1.0, 0.0],
                        ],
                    });
                }
                for r in 0..2 {
                    if self.single[r].n > 0 {
                        let mut s = vec![[0.0; 4]; 3];
                        s[r][0] = 1.0;
                        groups.push(Group {
                            size: 1,
                            n: self.single[r].n as f64,
                            g: scatter(&self.single[r], &[r]),
                            s,
                        });
                    }
                }
                Problem {
                    p: 2 * m,
                    n_rows: self.n_rows_used() as f64,
                    groups,
                    n_theta: 3,
                }
            }
        }
    }

    /// Σᵢ rᵢ rᵢᵀ of the residuals y − Xβ per group (2×2 or 1×1).
    fn residual_cross(problem: &Problem, beta: &[f64]) -> Vec<M2> {
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
    fn interior(model: Model, theta: &[f64], scale: f64) -> Vec<f64> {
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
    fn identity(model: Model) -> Vec<f64> {
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
    fn solve(
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
            return Ok((Solution { theta, eval }, true));
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

    /// The fit; `allow_closed_form = false` forces the iterations (tests
    /// compare the two paths).
    fn fit_with(&self, model: Model, allow_closed_form: bool) -> Result<ApimFit, ApimError> {
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

        // Inference on the original scale: β = Tβ' + y₀·e_intercept, with T
        // undoing the shift by the origin (unit triangular, so ln|XᵀX| and
        // the likelihoods are unchanged).
        let p = problem.p;
        let blocks = p / m;
        let mut t = SquareMatrix::zeros(p);
        for i in 0..p {
            t.set(i, i, 1.0);
        }
        for blk in 0..blocks {
            let o = blk * m;
            t.set(o, o + X, -origin[0]);
            t.set(o, o + XP, -origin[0]);
            for j in 0..self.spec.covariates.len() {
                t.set(o, o + FIRST_COV + j, -origin[2 + j]);
            }
        }
        let transform = |c: &SquareMatrix| {
            let mut out = SquareMatrix::zeros(p);
            for i in 0..p {
                for j in 0..p {
                    let mut s = 0.0;
                    for a in 0..p {
                        for b in 0..p {
                            s += t.get(i, a) * c.get(a, b) * t.get(j, b);
                        }
                    }
                    out.set(i, j, s);
                }
            }
            out
        };
        let mut beta: Vec<f64> = (0..p)
            .map(|i| (0..p).map(|j| t.get(i, j) * reml.eval.beta[j]).sum())
            .collect();
        for blk in 0..blocks {
            beta[blk * m] += origin[1];
        }
        let cov = transform(&reml.eval.cov);
        let dcov: Vec<SquareMatrix> = reml.eval.dcov.iter().map(&transform).collect();
        // Asymptotic covariance of θ̂: the inverse observed REML information.
        let k_n = problem.n_theta;
        let mut info = SquareMatrix::zeros(k_n);
        for i in 0..k_n {
            for j in 0..k_n {
                info.set(i, j, -reml.eval.hess_reml[i * k_n + j]);
            }
        }
        let acov = info.spd_inverse();
        if acov.is_none() {
            warnings.push(
                "The variance estimates have no usable sampling covariance (the likelihood is \
                 flat or at a boundary in some direction), so Satterthwaite degrees of freedom, \
                 p-values and confidence intervals are not given."
                    .to_string(),
            );
        }
        let inf = Inference {
            beta: &beta,
            cov: &cov,
            dcov: &dcov,
            acov: acov.as_ref(),
        };

        let role_name = |blk: usize| roles.as_ref().map(|r| r[blk].clone());
        let mut effects = Vec::with_capacity(p);
        for blk in 0..blocks {
            for j in 0..m {
                let term = match j {
                    0 => Term::Intercept,
                    X => Term::Actor,
                    XP => Term::Partner,
                    c => Term::Covariate(c - FIRST_COV),
                };
                let (est, se, df) = inf.contrast(&unit(p, blk * m + j));
                effects.push(effect(
                    term,
                    role_name(blk),
                    self.term_name(term),
                    est,
                    se,
                    df,
                ));
            }
        }

        let mut k = Vec::new();
        let mut actor_partner_tests = Vec::new();
        for blk in 0..blocks {
            let (ia, ip) = (blk * m + X, blk * m + XP);
            k.push(k_ratio(
                role_name(blk),
                &effects[ia],
                beta[ip],
                cov.get(ip, ip),
                cov.get(ia, ip),
                &mut warnings,
            ));
            let mut l = unit(p, ia);
            l[ip] = -1.0;
            actor_partner_tests.push(wald(
                Hypothesis::ActorEqualsPartner,
                role_name(blk),
                inf.contrast(&l),
            ));
        }
        let mut role_difference_tests = Vec::new();
        if blocks == 2 {
            for (j, e) in effects.iter().take(m).enumerate() {
                let mut l = unit(p, j);
                l[m + j] = -1.0;
                role_difference_tests.push(wald(
                    Hypothesis::SameAcrossRoles(e.term),
                    None,
                    inf.contrast(&l),
                ));
            }
        }

        // Nonindependence: REML with the dyad covariance held at 0.
        let nonindependence_test = {
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
        };

        let distinguishability_test = match model {
            Model::Distinguishable => {
                let indist = self.problem(Model::Indistinguishable);
                let (ml0, _) =
                    self.solve(&indist, Model::Indistinguishable, Criterion::Ml, closed)?;
                // 2m + 3 parameters against m + 2.
                lr_test(0.5 * (-2.0 * ml0.eval.ll_ml - ml_deviance), (m + 1) as u32)
            }
            Model::Indistinguishable => None,
        };

        // nlme 3.1-162 reports the textbook REML log-likelihood (checked by
        // scripts/r/apim_reference.R, which writes it out densely).
        let ll_nlme = finite(reml.eval.ll_reml);
        let n_par = (p + k_n) as f64;
        let n_obs = problem.n_rows - p as f64;
        let aic = ll_nlme.and_then(|l| finite(-2.0 * l + 2.0 * n_par));
        let bic = ll_nlme.and_then(|l| finite(-2.0 * l + n_par * n_obs.ln()));

        let dropped = self.rows_pushed - self.n_rows_used();
        if dropped > 0 {
            warnings.insert(
                0,
                format!(
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
                ),
            );
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

    /// The sample variance of Y over the rows used.
    fn y_variance(&self) -> f64 {
        self.descriptives(Model::Indistinguishable, &[0.0, 0.0])[0]
            .y
            .sd
            .map_or(0.0, |s| s * s)
    }

    fn term_name(&self, term: Term) -> String {
        match term {
            Term::Intercept => "intercept".into(),
            Term::Actor => "actor".into(),
            Term::Partner => "partner".into(),
            Term::Covariate(i) => self.spec.covariates[i].clone(),
        }
    }

    /// Warnings for variance parameters at (or numerically at) the edge of
    /// the parameter space; true when any is.
    fn boundary_warnings(
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

    /// Mean and SD of X, Y and the covariates over the rows used, overall
    /// for the indistinguishable model and by role otherwise. `origin` is
    /// added back to the means ([0, 0, …] gives shifted means).
    fn descriptives(&self, model: Model, origin: &[f64]) -> Vec<Descriptives> {
        let m = self.m();
        let b = m + 1;
        // Sums of 1, z_v and z_v² for the rows of role slot r.
        let sums = |r: usize, v: usize| -> (f64, f64, f64) {
            let c = &self.complete;
            let s = &self.single[r];
            let o = r * b;
            (
                c.get(o, o) + s.get(0, 0),
                c.get(o, o + v) + s.get(0, v),
                c.get(o + v, o + v) + s.get(v, v),
            )
        };
        let summary = |slots: &[usize], v: usize, shift: f64| {
            let (mut n, mut s, mut s2) = (0.0, 0.0, 0.0);
            for &r in slots {
                let (a, b, c) = sums(r, v);
                n += a;
                s += b;
                s2 += c;
            }
            let mean = finite(shift + s / n);
            let var = (s2 - s * s / n) / (n - 1.0);
            Summary {
                mean,
                sd: finite(var.max(0.0).sqrt()),
            }
        };
        let at = |i: usize| origin.get(i).copied().unwrap_or(0.0);
        let describe = |slots: &[usize], role: Option<String>| {
            let n_rows = slots
                .iter()
                .map(|&r| self.complete.n + self.single[r].n)
                .sum();
            Descriptives {
                role,
                n_rows,
                x: summary(slots, X, at(0)),
                y: summary(slots, m, at(1)),
                covariates: (0..self.spec.covariates.len())
                    .map(|j| summary(slots, FIRST_COV + j, at(2 + j)))
                    .collect(),
            }
        };
        match (model, &self.spec.roles) {
            (Model::Distinguishable, Some(r)) => vec![
                describe(&[0], Some(r[0].clone())),
                describe(&[1], Some(r[1].clone())),
            ],
            _ => vec![describe(&[0, 1], None)],
        }
    }
}

/// The pieces contrasts need, on the original scale.
struct Inference<'a> {
    beta: &'a [f64],
    cov: &'a SquareMatrix,
    dcov: &'a [SquareMatrix],
    acov: Option<&'a SquareMatrix>,
}

impl Inference<'_> {
    /// lᵀβ̂, its variance, and Satterthwaite's df 2·φ²/(gᵀAg) with φ = lᵀCl,
    /// g_k = lᵀ(∂C/∂θ_k)l and A the asymptotic covariance of θ̂
    /// (Satterthwaite 1946; Giesbrecht & Burns 1985, Biometrics 41:477–486).
    fn contrast(&self, l: &[f64]) -> (f64, f64, Option<f64>) {
        let quad = |m: &SquareMatrix| {
            let mut s = 0.0;
            for (i, li) in l.iter().enumerate() {
                for (j, lj) in l.iter().enumerate() {
                    s += li * m.get(i, j) * lj;
                }
            }
            s
        };
        let est = l.iter().zip(self.beta).map(|(a, b)| a * b).sum();
        let var = quad(self.cov);
        let df = self.acov.and_then(|a| {
            let g: Vec<f64> = self.dcov.iter().map(quad).collect();
            let mut gag = 0.0;
            for (i, gi) in g.iter().enumerate() {
                for (j, gj) in g.iter().enumerate() {
                    gag += gi * a.get(i, j) * gj;
                }
            }
            finite(2.0 * var * var / gag).filter(|d| *d > 0.0)
        });
        (est, var, df)
    }
}

fn unit(p: usize, i: usize) -> Vec<f64> {
    let mut v = vec![0.0; p];
    v[i] = 1.0;
    v
}

fn effect(
    term: Term,
    role: Option<String>,
    name: String,
    estimate: f64,
    var: f64,
    df: Option<f64>,
) -> Effect {
    let se = finite(var.sqrt()).filter(|s| *s > 0.0);
    let t = se.and_then(|s| finite(estimate / s));
    let crit = df.and_then(|d| t_two_tailed_critical(0.05, d));
    let half = se.zip(crit).and_then(|(s, c)| finite(s * c));
    Effect {
        term,
        role,
        name,
        estimate,
        se,
        df,
        t,
        p: t.zip(df).and_then(|(t, d)| finite(t_two_tailed_p(t, d))),
        ci_low: half.and_then(|h| finite(estimate - h)),
        ci_high: half.and_then(|h| finite(estimate + h)),
    }
}

fn wald(hypothesis: Hypothesis, role: Option<String>, c: (f64, f64, Option<f64>)) -> WaldTest {
    let (difference, var, df) = c;
    let se = finite(var.sqrt()).filter(|s| *s > 0.0);
    let t = se.and_then(|s| finite(difference / s));
    WaldTest {
        hypothesis,
        role,
        difference,
        se,
        df,
        t,
        p: t.zip(df).and_then(|(t, d)| finite(t_two_tailed_p(t, d))),
    }
}

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

fn k_ratio(
    role: Option<String>,
    actor: &Effect,
    partner: f64,
    var_p: f64,
    cov_ap: f64,
    warnings: &mut Vec<String>,
) -> KRatio {
    let a = actor.estimate;
    let excludes_zero = match (actor.ci_low, actor.ci_high) {
        (Some(lo), Some(hi)) => lo > 0.0 || hi < 0.0,
        _ => false,
    };
    if !excludes_zero {
        warnings.push(format!(
            "k (partner / actor{}) is not given: the actor effect's 95% interval includes 0 (or \
             could not be computed), and a ratio over an effect that may be zero has no stable \
             value or interval (Kenny & Ledermann 2010 compute k only for a nonzero actor \
             effect).",
            role.as_ref()
                .map_or(String::new(), |r| format!(", role \"{r}\""))
        ));
        return KRatio {
            role,
            k: None,
            se: None,
            ci_low: None,
            ci_high: None,
        };
    }
    let k = partner / a;
    let var_a = actor.se.map_or(f64::NAN, |s| s * s);
    let var_k = (var_p - 2.0 * k * cov_ap + k * k * var_a) / (a * a);
    let se = finite(var_k.sqrt()).filter(|s| *s > 0.0);
    let z = normal_two_tailed_critical(0.05);
    let half = se.zip(z).and_then(|(s, z)| finite(s * z));
    KRatio {
        role,
        k: finite(k),
        se,
        ci_low: half.and_then(|h| finite(k - h)),
        ci_high: half.and_then(|h| finite(k + h)),
    }
}

#[cfg(test)]
mod tests;
