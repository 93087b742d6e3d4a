//! The actor–partner interdependence model (APIM) for dyads: closed-form
//! REML estimates for complete dyads, indistinguishable or distinguishable.
//!
//! Sources: Kenny, Kashy & Cook (2006), *Dyadic Data Analysis*, ch. 6–7;
//! SCIENCE.md §6.3, whose closed forms (mean/difference decomposition for
//! indistinguishable dyads; equation-by-equation OLS for distinguishable
//! dyads, a seemingly-unrelated system with identical regressors) reproduce
//! SAS PROC MIXED `repeated / type=cs` and `type=csh` (Kenny's Day2.lst, see
//! `tests/apim_acitelli.rs`). Incomplete dyads are refused by name: they need
//! the general iterative estimator, which this module does not implement.

use crate::distributions::{chi_square_sf, t_two_tailed_p};
use crate::finite;
use crate::linalg::SquareMatrix;

/// One person's row: their role (the distinguishing variable, if any) and
/// their X and Y, `None` when missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub role: Option<String>,
    pub x: Option<f64>,
    pub y: Option<f64>,
}

/// A dyad: its id as written in the data and its members.
#[derive(Debug, Clone, PartialEq)]
pub struct Dyad {
    pub id: String,
    pub members: Vec<Person>,
}

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
}

/// A fixed effect with its REML standard error and t test.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub term: Term,
    /// The distinguishing value as written in the data; `None` for
    /// indistinguishable dyads.
    pub role: Option<String>,
    pub estimate: f64,
    pub se: Option<f64>,
    /// Denominator degrees of freedom (Satterthwaite, as SAS PROC MIXED).
    pub df: Option<f64>,
    pub t: Option<f64>,
    pub p: Option<f64>,
}

/// A likelihood-ratio chi-square test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquareTest {
    pub chi2: f64,
    pub df: u32,
    pub p: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApimFit {
    pub model: Model,
    pub n_dyads: usize,
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
}

/// Why a model could not be fitted; each names the dyads concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum ApimError {
    /// Dyads with one member, or a member without X or Y.
    Incomplete(Vec<String>),
    /// Dyads with more than two rows.
    TooManyMembers(Vec<String>),
    /// The distinguishing variable does not take exactly two values.
    RoleCount(Vec<String>),
    /// Dyads whose two members do not have one role each.
    RolesPerDyad(Vec<String>),
    /// Too few dyads for the model's degrees of freedom.
    TooFewDyads { have: usize, need: usize },
    /// X does not vary as the model needs.
    Degenerate(&'static str),
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
                "incomplete dyads (a member missing, or missing X or Y): {}; the closed-form \
                 estimator needs both partners' X and Y, and the general REML estimator for \
                 incomplete dyads is not implemented, so remove or complete these dyads",
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
            Self::TooFewDyads { have, need } => {
                write!(f, "{have} complete dyads; this model needs at least {need}")
            }
            Self::Degenerate(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for ApimError {}

/// (x1, y1, x2, y2) of every dyad, or the ids of those that are not complete
/// pairs. With roles, member 1 has `roles.0` and member 2 `roles.1`.
fn pairs(dyads: &[Dyad], roles: Option<(&str, &str)>) -> Result<Vec<[f64; 4]>, ApimError> {
    let too_many: Vec<String> = dyads
        .iter()
        .filter(|d| d.members.len() > 2)
        .map(|d| d.id.clone())
        .collect();
    if !too_many.is_empty() {
        return Err(ApimError::TooManyMembers(too_many));
    }
    let incomplete: Vec<String> = dyads
        .iter()
        .filter(|d| d.members.len() < 2 || d.members.iter().any(|m| m.x.is_none() || m.y.is_none()))
        .map(|d| d.id.clone())
        .collect();
    if !incomplete.is_empty() {
        return Err(ApimError::Incomplete(incomplete));
    }
    let mut out = Vec::with_capacity(dyads.len());
    let mut bad_roles = Vec::new();
    for d in dyads {
        let (mut a, mut b) = (&d.members[0], &d.members[1]);
        if let Some((r1, r2)) = roles {
            if a.role.as_deref() == Some(r2) && b.role.as_deref() == Some(r1) {
                std::mem::swap(&mut a, &mut b);
            }
            if a.role.as_deref() != Some(r1) || b.role.as_deref() != Some(r2) {
                bad_roles.push(d.id.clone());
                continue;
            }
        }
        if let (Some(x1), Some(y1), Some(x2), Some(y2)) = (a.x, a.y, b.x, b.y) {
            out.push([x1, y1, x2, y2]);
        }
    }
    if !bad_roles.is_empty() {
        return Err(ApimError::RolesPerDyad(bad_roles));
    }
    Ok(out)
}

fn effect(term: Term, role: Option<String>, estimate: f64, var: f64, df: f64) -> Effect {
    let se = finite(var.sqrt()).filter(|s| *s > 0.0);
    let t = se.and_then(|s| finite(estimate / s));
    Effect {
        term,
        role,
        estimate,
        se,
        df: finite(df),
        t,
        p: t.and_then(|t| finite(t_two_tailed_p(t, df))),
    }
}

/// ML deviance of a bivariate normal residual with covariance S/n over n
/// dyads: n(2 ln 2π + ln det(S/n) + 2), since Σ_i r_iᵀ Σ⁻¹ r_i = tr(Σ⁻¹S) = 2n.
fn ml_deviance(n: f64, det_ml: f64) -> f64 {
    n * (2.0 * (2.0 * std::f64::consts::PI).ln() + det_ml.ln() + 2.0)
}

/// APIM with indistinguishable members (SCIENCE.md §6.3, closed form):
/// between-dyad OLS of ȳ on x̄ gives b₀ and θ₁ = a + p; within-dyad OLS of
/// Δy on Δx without intercept gives θ₂ = a − p; REML variances
/// v_s = 2·RSS_b/(n−2), v_d = RSS_w/(2(n−1)).
pub fn indistinguishable(dyads: &[Dyad]) -> Result<ApimFit, ApimError> {
    let d = pairs(dyads, None)?;
    let n = d.len();
    if n < 3 {
        return Err(ApimError::TooFewDyads { have: n, need: 3 });
    }
    let nf = n as f64;
    let mx: Vec<f64> = d.iter().map(|r| (r[0] + r[2]) / 2.0).collect();
    let my: Vec<f64> = d.iter().map(|r| (r[1] + r[3]) / 2.0).collect();
    let dx: Vec<f64> = d.iter().map(|r| r[0] - r[2]).collect();
    let dy: Vec<f64> = d.iter().map(|r| r[1] - r[3]).collect();
    let mean_x = mx.iter().sum::<f64>() / nf;
    let mean_y = my.iter().sum::<f64>() / nf;
    let sxx: f64 = mx.iter().map(|x| (x - mean_x).powi(2)).sum();
    let sxy: f64 = mx
        .iter()
        .zip(&my)
        .map(|(x, y)| (x - mean_x) * (y - mean_y))
        .sum();
    let sdd: f64 = dx.iter().map(|x| x * x).sum();
    if sxx <= 0.0 {
        return Err(ApimError::Degenerate(
            "the dyad means of X are all equal, so actor and partner effects cannot be separated",
        ));
    }
    if sdd <= 0.0 {
        return Err(ApimError::Degenerate(
            "partners have equal X in every dyad, so actor and partner effects cannot be separated",
        ));
    }
    let theta1 = sxy / sxx;
    let b0 = mean_y - theta1 * mean_x;
    let rss_b: f64 = mx
        .iter()
        .zip(&my)
        .map(|(x, y)| (y - b0 - theta1 * x).powi(2))
        .sum();
    let theta2 = dx.iter().zip(&dy).map(|(x, y)| x * y).sum::<f64>() / sdd;
    let rss_w: f64 = dx
        .iter()
        .zip(&dy)
        .map(|(x, y)| (y - theta2 * x).powi(2))
        .sum();

    let v_s = 2.0 * rss_b / (nf - 2.0);
    let v_d = rss_w / (2.0 * (nf - 1.0));
    let var_t1 = (v_s / 2.0) / sxx;
    let var_t2 = 2.0 * v_d / sdd;
    let var_ap = (var_t1 + var_t2) / 4.0;
    // Satterthwaite (1946): v_s and v_d are independent with n−2 and n−1
    // df, so Var(a) = (u₁ + u₂)/4 has df (u₁+u₂)²/(u₁²/(n−2) + u₂²/(n−1)).
    // SAS PROC MIXED ddfm=satterth gives the same (273 for Acitelli).
    let df_ap =
        (var_t1 + var_t2).powi(2) / (var_t1.powi(2) / (nf - 2.0) + var_t2.powi(2) / (nf - 1.0));
    let var_b0 = (v_s / 2.0) * (1.0 / nf + mean_x * mean_x / sxx);

    let cs = (v_s - v_d) / 2.0;
    let ml = ml_deviance(nf, (2.0 * rss_b / nf) * (rss_w / (2.0 * nf)));
    Ok(ApimFit {
        model: Model::Indistinguishable,
        n_dyads: n,
        effects: vec![
            effect(Term::Intercept, None, b0, var_b0, nf - 2.0),
            effect(Term::Actor, None, (theta1 + theta2) / 2.0, var_ap, df_ap),
            effect(Term::Partner, None, (theta1 - theta2) / 2.0, var_ap, df_ap),
        ],
        residual_variance: finite(v_d),
        dyad_covariance: finite(cs),
        partial_icc: finite(cs / (cs + v_d)),
        role_variances: Vec::new(),
        ml_deviance: ml,
        distinguishability_test: None,
    })
}

/// One equation's OLS fit: coefficients, diagonal of (XᵀX)⁻¹, residuals.
type Ols = ([f64; 3], [f64; 3], Vec<f64>);

/// The distinct roles in order of first appearance.
fn roles(dyads: &[Dyad]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for m in dyads.iter().flat_map(|d| &d.members) {
        if let Some(r) = &m.role {
            if !seen.contains(r) {
                seen.push(r.clone());
            }
        }
    }
    seen
}

/// APIM with members distinguished by role (SCIENCE.md §6.3, two-intercept
/// model): with complete dyads both equations share the regressors
/// {1, x₁, x₂}, so GLS equals equation-by-equation OLS; the REML residual
/// covariance is S/(n − 3) and SE = √(σ_gg (XᵀX)⁻¹_jj) on n − 3 df. Also
/// tests distinguishability: χ² = ML deviance (indistinguishable) − ML
/// deviance (distinguishable) on 9 − 5 = 4 df.
pub fn distinguishable(dyads: &[Dyad]) -> Result<ApimFit, ApimError> {
    let r = roles(dyads);
    if r.len() != 2 {
        return Err(ApimError::RoleCount(r));
    }
    let d = pairs(dyads, Some((&r[0], &r[1])))?;
    let n = d.len();
    if n < 4 {
        return Err(ApimError::TooFewDyads { have: n, need: 4 });
    }
    let nf = n as f64;
    // Equation g regresses y_g on (1, x_g, x_other): OLS with (XᵀX)⁻¹.
    type Design<'a> = &'a dyn Fn(&[f64; 4]) -> ([f64; 3], f64);
    let solve = |design: Design| -> Result<Ols, ApimError> {
        let mut xtx = SquareMatrix::zeros(3);
        let mut xty = [0.0; 3];
        for row in &d {
            let (x, y) = design(row);
            for a in 0..3 {
                xty[a] += x[a] * y;
                for b in 0..3 {
                    xtx.add(a, b, x[a] * x[b]);
                }
            }
        }
        let inv = xtx.spd_inverse().ok_or(ApimError::Degenerate(
            "X is constant or collinear between partners, so actor and partner effects cannot be separated",
        ))?;
        let mut beta = [0.0; 3];
        for (a, b) in beta.iter_mut().enumerate() {
            *b = (0..3).map(|c| inv.get(a, c) * xty[c]).sum();
        }
        let resid = d
            .iter()
            .map(|row| {
                let (x, y) = design(row);
                y - (0..3).map(|a| beta[a] * x[a]).sum::<f64>()
            })
            .collect();
        Ok((beta, [inv.get(0, 0), inv.get(1, 1), inv.get(2, 2)], resid))
    };
    let (b1, diag1, e1) = solve(&|r| ([1.0, r[0], r[2]], r[1]))?;
    let (b2, diag2, e2) = solve(&|r| ([1.0, r[2], r[0]], r[3]))?;
    let s11: f64 = e1.iter().map(|e| e * e).sum();
    let s22: f64 = e2.iter().map(|e| e * e).sum();
    let s12: f64 = e1.iter().zip(&e2).map(|(a, b)| a * b).sum();
    let df = nf - 3.0;
    let (v1, v2, c12) = (s11 / df, s22 / df, s12 / df);
    let terms = [Term::Intercept, Term::Actor, Term::Partner];
    let mut effects = Vec::with_capacity(6);
    for (role, beta, var, diag) in [(&r[0], &b1, v1, diag1), (&r[1], &b2, v2, diag2)] {
        for (j, term) in terms.iter().enumerate() {
            effects.push(effect(
                *term,
                Some(role.clone()),
                beta[j],
                var * diag[j],
                df,
            ));
        }
    }
    let det_ml = (s11 * s22 - s12 * s12) / (nf * nf);
    let ml = ml_deviance(nf, det_ml);
    let indist = indistinguishable(dyads)?;
    let chi2 = (indist.ml_deviance - ml).max(0.0);
    Ok(ApimFit {
        model: Model::Distinguishable,
        n_dyads: n,
        effects,
        residual_variance: None,
        dyad_covariance: finite(c12),
        partial_icc: finite(c12 / (v1 * v2).sqrt()),
        role_variances: vec![(r[0].clone(), v1), (r[1].clone(), v2)],
        ml_deviance: ml,
        distinguishability_test: Some(ChiSquareTest {
            chi2,
            df: 4,
            p: finite(chi_square_sf(chi2, 4.0)),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: &str, x: f64, y: f64) -> Person {
        Person {
            role: Some(role.into()),
            x: Some(x),
            y: Some(y),
        }
    }

    fn dyad(id: &str, a: Person, b: Person) -> Dyad {
        Dyad {
            id: id.into(),
            members: vec![a, b],
        }
    }

    #[test]
    fn exact_data_recovers_the_generating_effects() {
        // y = 1 + 0.5·x_own + 0.25·x_partner exactly, X varying both within
        // and between dyads: the estimates are the generating values.
        let xs = [(1.0, 2.0), (3.0, 1.0), (2.0, 5.0), (4.0, 4.5), (0.5, 3.0)];
        let dyads: Vec<Dyad> = xs
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| {
                dyad(
                    &i.to_string(),
                    person("w", a, 1.0 + 0.5 * a + 0.25 * b),
                    person("h", b, 1.0 + 0.5 * b + 0.25 * a),
                )
            })
            .collect();
        let fit = indistinguishable(&dyads).expect("fit");
        let est: Vec<f64> = fit.effects.iter().map(|e| e.estimate).collect();
        for (got, want) in est.iter().zip([1.0, 0.5, 0.25]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        let dist = distinguishable(&dyads).expect("fit");
        for e in &dist.effects {
            let want = match e.term {
                Term::Intercept => 1.0,
                Term::Actor => 0.5,
                Term::Partner => 0.25,
            };
            assert!((e.estimate - want).abs() < 1e-10);
        }
    }

    #[test]
    fn incomplete_dyads_are_refused_by_name() {
        let mut dyads = vec![
            dyad("a", person("w", 1.0, 2.0), person("h", 2.0, 3.0)),
            dyad("b", person("w", 1.5, 2.0), person("h", 2.5, 3.5)),
        ];
        dyads.push(Dyad {
            id: "c".into(),
            members: vec![person("w", 1.0, 1.0)],
        });
        dyads.push(Dyad {
            id: "d".into(),
            members: vec![
                person("w", 1.0, 1.0),
                Person {
                    role: Some("h".into()),
                    x: None,
                    y: Some(2.0),
                },
            ],
        });
        let err = indistinguishable(&dyads).expect_err("incomplete");
        assert_eq!(err, ApimError::Incomplete(vec!["c".into(), "d".into()]));
        assert!(err.to_string().contains("c, d"));
    }

    #[test]
    fn roles_must_split_each_dyad() {
        let dyads = vec![
            dyad("a", person("w", 1.0, 2.0), person("h", 2.0, 3.0)),
            dyad("b", person("w", 1.5, 2.0), person("w", 2.5, 3.5)),
        ];
        assert_eq!(
            distinguishable(&dyads).expect_err("roles"),
            ApimError::RolesPerDyad(vec!["b".into()])
        );
    }
}
