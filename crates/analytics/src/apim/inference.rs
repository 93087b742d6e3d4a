//! Inference on the fixed effects: REML standard errors, Satterthwaite df,
//! t intervals, Wald tests of contrasts, and k = partner/actor with its
//! delta-method interval.

use super::data::{FIRST_COV, X, XP};
use super::engine::Problem;
use super::solve::Solution;
use super::{ApimData, Effect, Hypothesis, KRatio, Term, WaldTest};
use crate::distributions::{normal_two_tailed_critical, t_two_tailed_critical, t_two_tailed_p};
use crate::finite;
use crate::linalg::SquareMatrix;

impl ApimData {
    /// The REML fit moved back to the original scale, with the asymptotic
    /// covariance of θ̂ that Satterthwaite's df need.
    pub(super) fn inference(
        &self,
        reml: &Solution,
        problem: &Problem,
        origin: &[f64],
    ) -> Inference {
        let m = self.m();
        // Back to the original scale: β = Tβ' + y₀·e_intercept, with T
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
        Inference {
            beta,
            cov,
            dcov,
            acov,
        }
    }

    /// Each effect with its t test and interval, k for each role, and the
    /// Wald tests of actor = partner and (distinguishable) of equal effects
    /// across roles. `roles` is `Some` exactly for the distinguishable model.
    pub(super) fn fixed_effects(
        &self,
        inf: &Inference,
        roles: Option<&[String; 2]>,
        warnings: &mut Vec<String>,
    ) -> FixedEffects {
        let m = self.m();
        let p = inf.beta.len();
        let blocks = p / m;
        let role_name = |blk: usize| roles.map(|r| r[blk].clone());
        let mut effects = Vec::with_capacity(p);
        for blk in 0..blocks {
            for j in 0..m {
                let term = match j {
                    0 => Term::Intercept,
                    X => Term::Actor,
                    XP => Term::Partner,
                    c => Term::Covariate(c - FIRST_COV),
                };
                let (est, var, df) = inf.contrast(&unit(p, blk * m + j));
                effects.push(effect(
                    term,
                    role_name(blk),
                    self.term_name(term),
                    est,
                    var,
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
                inf.beta[ip],
                inf.cov.get(ip, ip),
                inf.cov.get(ia, ip),
                warnings,
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

        FixedEffects {
            effects,
            k,
            actor_partner_tests,
            role_difference_tests,
        }
    }

    /// The name an effect is reported under.
    fn term_name(&self, term: Term) -> String {
        match term {
            Term::Intercept => "intercept".into(),
            Term::Actor => "actor".into(),
            Term::Partner => "partner".into(),
            Term::Covariate(i) => self.spec.covariates[i].clone(),
        }
    }
}

/// The pieces contrasts need, on the original scale.
pub(super) struct Inference {
    beta: Vec<f64>,
    /// C = (XᵀV̂⁻¹X)⁻¹.
    cov: SquareMatrix,
    /// ∂C/∂θ_k for each variance parameter k.
    dcov: Vec<SquareMatrix>,
    /// The asymptotic covariance of θ̂ (the inverse observed REML
    /// information); `None` when that information is not positive definite,
    /// and then no contrast has Satterthwaite df.
    pub(super) acov: Option<SquareMatrix>,
}

/// The effects and the statistics built on them, as `ApimFit` reports them.
pub(super) struct FixedEffects {
    pub(super) effects: Vec<Effect>,
    pub(super) k: Vec<KRatio>,
    pub(super) actor_partner_tests: Vec<WaldTest>,
    pub(super) role_difference_tests: Vec<WaldTest>,
}

impl Inference {
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
        let est = l.iter().zip(&self.beta).map(|(a, b)| a * b).sum();
        let var = quad(&self.cov);
        let df = self.acov.as_ref().and_then(|a| {
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
