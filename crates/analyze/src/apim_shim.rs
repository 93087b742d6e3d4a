//! A stand-in for the streaming interface `analytics::apim` is gaining on
//! branch `apim-core` (/work/briefs/apim-interface.md): `ApimSpec`,
//! `Member`, `DyadError` and `ApimData::{new, push_dyad, fit}`, so the
//! streaming reader and the benchmark can be built before the core lands.
//! It folds complete dyads into sums (no per-dyad storage) and fits the
//! same closed forms as `analytics::apim::{indistinguishable,
//! distinguishable}`; it cannot fit incomplete dyads (the core's general
//! REML estimator does) and refuses them by count. Delete this file once
//! the core's interface is merged.

use analytics::apim::{ApimError, ApimFit, ChiSquareTest, Effect, Model, Term};
use analytics::distributions::{chi_square_sf, t_two_tailed_p};

pub struct ApimSpec {
    pub roles: Option<[String; 2]>,
    pub covariates: Vec<String>,
}

pub struct Member<'a> {
    pub role: Option<usize>,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub covariates: &'a [Option<f64>],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DyadError {
    TooManyMembers,
    RolesNotOneEach,
}

pub struct ApimData {
    spec: ApimSpec,
    /// Dyads with a missing member or value (the shim cannot fit them).
    incomplete: usize,
    n: usize,
    // Indistinguishable: dyad means and differences.
    s_mx: f64,
    s_my: f64,
    s_mxx: f64,
    s_mxy: f64,
    s_myy: f64,
    s_dxx: f64,
    s_dxy: f64,
    s_dyy: f64,
    // Distinguishable: G = Σ zzᵀ with z = (1, x₁, x₂), h_g = Σ z y_g.
    g: [[f64; 3]; 3],
    h1: [f64; 3],
    h2: [f64; 3],
    s_y11: f64,
    s_y22: f64,
    s_y12: f64,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
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

fn ml_deviance(n: f64, det_ml: f64) -> f64 {
    n * (2.0 * (2.0 * std::f64::consts::PI).ln() + det_ml.ln() + 2.0)
}

/// Inverse of a symmetric 3×3 matrix by cofactors, `None` if singular.
fn inverse3(m: &[[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let c = |i: usize, j: usize| {
        let (i1, i2) = ((i + 1) % 3, (i + 2) % 3);
        let (j1, j2) = ((j + 1) % 3, (j + 2) % 3);
        m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]
    };
    let det = m[0][0] * c(0, 0) + m[0][1] * c(0, 1) + m[0][2] * c(0, 2);
    let scale = m.iter().flatten().fold(0.0f64, |a, v| a.max(v.abs()));
    if !det.is_finite() || det.abs() <= 1e-12 * scale.powi(3) {
        return None;
    }
    let mut inv = [[0.0; 3]; 3];
    for (i, row) in inv.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = c(j, i) / det;
        }
    }
    Some(inv)
}

fn dot(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn mul(m: &[[f64; 3]; 3], v: &[f64; 3]) -> [f64; 3] {
    [dot(&m[0], v), dot(&m[1], v), dot(&m[2], v)]
}

impl ApimData {
    pub fn new(spec: ApimSpec) -> Self {
        Self {
            spec,
            incomplete: 0,
            n: 0,
            s_mx: 0.0,
            s_my: 0.0,
            s_mxx: 0.0,
            s_mxy: 0.0,
            s_myy: 0.0,
            s_dxx: 0.0,
            s_dxy: 0.0,
            s_dyy: 0.0,
            g: [[0.0; 3]; 3],
            h1: [0.0; 3],
            h2: [0.0; 3],
            s_y11: 0.0,
            s_y22: 0.0,
            s_y12: 0.0,
        }
    }

    pub fn push_dyad(&mut self, members: &[Member]) -> Result<(), DyadError> {
        if members.len() > 2 {
            return Err(DyadError::TooManyMembers);
        }
        let (mut a, mut b) = match members {
            [a, b] => (a, b),
            _ => {
                self.incomplete += 1;
                return Ok(());
            }
        };
        if self.spec.roles.is_some() {
            match (a.role, b.role) {
                (Some(0), Some(1)) => {}
                (Some(1), Some(0)) => std::mem::swap(&mut a, &mut b),
                _ => return Err(DyadError::RolesNotOneEach),
            }
        }
        let complete = |m: &Member| m.covariates.iter().all(Option::is_some);
        let (Some(x1), Some(y1), Some(x2), Some(y2)) = (a.x, a.y, b.x, b.y) else {
            self.incomplete += 1;
            return Ok(());
        };
        if !complete(a) || !complete(b) {
            self.incomplete += 1;
            return Ok(());
        }
        self.n += 1;
        let (mx, my, dx, dy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0, x1 - x2, y1 - y2);
        self.s_mx += mx;
        self.s_my += my;
        self.s_mxx += mx * mx;
        self.s_mxy += mx * my;
        self.s_myy += my * my;
        self.s_dxx += dx * dx;
        self.s_dxy += dx * dy;
        self.s_dyy += dy * dy;
        let z = [1.0, x1, x2];
        for i in 0..3 {
            for j in 0..3 {
                self.g[i][j] += z[i] * z[j];
            }
            self.h1[i] += z[i] * y1;
            self.h2[i] += z[i] * y2;
        }
        self.s_y11 += y1 * y1;
        self.s_y22 += y2 * y2;
        self.s_y12 += y1 * y2;
        Ok(())
    }

    pub fn fit(&self, model: Model) -> Result<ApimFit, ApimError> {
        if self.incomplete > 0 {
            return Err(ApimError::Incomplete(vec![format!(
                "{} dyads (this build's stand-in estimator fits complete dyads only)",
                self.incomplete
            )]));
        }
        if !self.spec.covariates.is_empty() {
            return Err(ApimError::Degenerate(
                "covariates need the general estimator, which this build does not have yet",
            ));
        }
        match model {
            Model::Indistinguishable => self.indistinguishable(),
            Model::Distinguishable => self.distinguishable(),
        }
    }

    fn indistinguishable(&self) -> Result<ApimFit, ApimError> {
        let n = self.n;
        if n < 3 {
            return Err(ApimError::TooFewDyads { have: n, need: 3 });
        }
        let nf = n as f64;
        let mean_x = self.s_mx / nf;
        let mean_y = self.s_my / nf;
        let sxx = self.s_mxx - self.s_mx * mean_x;
        let sxy = self.s_mxy - self.s_mx * mean_y;
        let syy = self.s_myy - self.s_my * mean_y;
        let sdd = self.s_dxx;
        if sxx <= 1e-12 * self.s_mxx.abs() {
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
        let rss_b = (syy - sxy * theta1).max(0.0);
        let theta2 = self.s_dxy / sdd;
        let rss_w = (self.s_dyy - self.s_dxy * theta2).max(0.0);
        let v_s = 2.0 * rss_b / (nf - 2.0);
        let v_d = rss_w / (2.0 * (nf - 1.0));
        let var_t1 = (v_s / 2.0) / sxx;
        let var_t2 = 2.0 * v_d / sdd;
        let var_ap = (var_t1 + var_t2) / 4.0;
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

    fn distinguishable(&self) -> Result<ApimFit, ApimError> {
        let Some(roles) = &self.spec.roles else {
            return Err(ApimError::RoleCount(Vec::new()));
        };
        let n = self.n;
        if n < 4 {
            return Err(ApimError::TooFewDyads { have: n, need: 4 });
        }
        let nf = n as f64;
        let inv = inverse3(&self.g).ok_or(ApimError::Degenerate(
            "X is constant or collinear between partners, so actor and partner effects cannot be separated",
        ))?;
        let b1 = mul(&inv, &self.h1);
        let b2 = mul(&inv, &self.h2);
        let s11 = (self.s_y11 - dot(&b1, &self.h1)).max(0.0);
        let s22 = (self.s_y22 - dot(&b2, &self.h2)).max(0.0);
        let s12 = self.s_y12 - dot(&self.h1, &b2);
        let df = nf - 3.0;
        let (v1, v2, c12) = (s11 / df, s22 / df, s12 / df);
        let diag = [inv[0][0], inv[1][1], inv[2][2]];
        let terms = [Term::Intercept, Term::Actor, Term::Partner];
        let mut effects = Vec::with_capacity(6);
        // Role 0 regresses y₁ on (1, x₁, x₂); role 1 regresses y₂ on
        // (1, x₂, x₁): the same columns, so its actor is b₂'s x₂ entry.
        let est = [[b1[0], b1[1], b1[2]], [b2[0], b2[2], b2[1]]];
        let d = [diag, [diag[0], diag[2], diag[1]]];
        for (g, var) in [v1, v2].into_iter().enumerate() {
            for (j, term) in terms.iter().enumerate() {
                effects.push(effect(
                    *term,
                    Some(roles[g].clone()),
                    est[g][j],
                    var * d[g][j],
                    df,
                ));
            }
        }
        let ml = ml_deviance(nf, (s11 * s22 - s12 * s12) / (nf * nf));
        let indist = self.indistinguishable()?;
        let chi2 = (indist.ml_deviance - ml).max(0.0);
        Ok(ApimFit {
            model: Model::Distinguishable,
            n_dyads: n,
            effects,
            residual_variance: None,
            dyad_covariance: finite(c12),
            partial_icc: finite(c12 / (v1 * v2).sqrt()),
            role_variances: vec![(roles[0].clone(), v1), (roles[1].clone(), v2)],
            ml_deviance: ml,
            distinguishability_test: Some(ChiSquareTest {
                chi2,
                df: 4,
                p: finite(chi_square_sf(chi2, 4.0)),
            }),
        })
    }
}
