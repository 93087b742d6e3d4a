//! Generalised least squares with REML or ML variance components over dyad
//! blocks, computed from sufficient statistics alone.
//!
//! The data are groups of identically structured blocks: complete dyads (a
//! 2×2 residual covariance Σ) and dyads with one usable row (1×1). Within a
//! group every block has the same Σ(θ), so every quantity REML needs is a
//! sum over blocks of `Zᵢᵀ B Zᵢ` for a small matrix B, where `Zᵢ` stacks each
//! row's design and outcome; that sum is `Σ_ab B_ab G_ab` with `G` the
//! group's moment matrix. Memory therefore does not grow with the data.
//!
//! Σ is linear in θ (`Σ = Σ_k θ_k S_k`), so the second derivatives of V
//! vanish and the standard REML formulas (Harville 1977, JASA 72:320–340;
//! Searle, Casella & McCulloch 1992, *Variance Components*, §6.6–6.8) read,
//! with P = V⁻¹ − V⁻¹X(XᵀV⁻¹X)⁻¹XᵀV⁻¹ and V_k = ∂V/∂θ_k:
//!
//! - ℓ_R = −½[(N−p) ln 2π + ln|V| + ln|XᵀV⁻¹X| + yᵀPy]
//! - ∂ℓ_R/∂θ_k = −½ tr(PV_k) + ½ yᵀPV_kPy
//! - ∂²ℓ_R/∂θ_k∂θ_l = ½ tr(PV_kPV_l) − yᵀPV_kPV_lPy (observed)
//! - E[−∂²ℓ_R] = ½ tr(PV_kPV_l) (Fisher scoring)
//!
//! and for ML, ℓ = −½[N ln 2π + ln|V| + rᵀV⁻¹r] with information
//! ½ tr(V⁻¹V_kV⁻¹V_l).

use crate::linalg::SquareMatrix;

/// A 2×2 matrix stored row-major; a 1×1 block uses element 0 only.
pub(super) type M2 = [f64; 4];

/// Dyads whose usable rows form the same covariance block.
#[derive(Debug, Clone)]
pub(super) struct Group {
    /// Rows per block: 2 (complete dyads) or 1.
    pub size: usize,
    /// Number of blocks.
    pub n: f64,
    /// Σ over blocks of z zᵀ with z = [d₁; y₁; d₂; y₂] (or [d; y]), row-major,
    /// of order `size · (p + 1)`.
    pub g: Vec<f64>,
    /// ∂Σ/∂θ_k for each variance parameter k.
    pub s: Vec<M2>,
}

/// A GLS problem: p fixed effects, N rows, the groups.
#[derive(Debug, Clone)]
pub(super) struct Problem {
    pub p: usize,
    pub n_rows: f64,
    pub groups: Vec<Group>,
    pub n_theta: usize,
}

/// Everything the likelihood gives at one θ.
#[derive(Debug, Clone)]
pub(super) struct Eval {
    pub ll_reml: f64,
    pub ll_ml: f64,
    pub grad_reml: Vec<f64>,
    pub grad_ml: Vec<f64>,
    /// Observed ∂²ℓ_R/∂θ∂θᵀ, row-major K×K.
    pub hess_reml: Vec<f64>,
    pub fisher_reml: Vec<f64>,
    pub fisher_ml: Vec<f64>,
    /// GLS estimates β̂ and their covariance C = (XᵀV⁻¹X)⁻¹.
    pub beta: Vec<f64>,
    pub cov: SquareMatrix,
    /// ∂C/∂θ_k = C XᵀV⁻¹V_kV⁻¹X C for each k (Satterthwaite needs them).
    pub dcov: Vec<SquareMatrix>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Criterion {
    Reml,
    Ml,
}

fn mul(a: &M2, b: &M2) -> M2 {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
    ]
}

fn trace(size: usize, a: &M2) -> f64 {
    if size == 1 {
        a[0]
    } else {
        a[0] + a[3]
    }
}

/// Inverse and ln det of a block, or `None` unless positive definite. A 1×1
/// block keeps zeros off element 0, so the 2×2 products above stay valid.
fn inverse(size: usize, m: &M2) -> Option<(M2, f64)> {
    if size == 1 {
        return (m[0] > 0.0 && m[0].is_finite()).then(|| ([1.0 / m[0], 0.0, 0.0, 0.0], m[0].ln()));
    }
    let det = m[0] * m[3] - m[1] * m[2];
    // A relative floor: a correlation within ~1e-13 of ±1 is treated as
    // singular, where the quadratic form would lose all its digits.
    if !(m[0] > 0.0 && m[3] > 0.0 && det > m[0] * m[3] * 1e-13 && det.is_finite()) {
        return None;
    }
    Some(([m[3] / det, -m[1] / det, -m[2] / det, m[0] / det], det.ln()))
}

impl Group {
    pub fn sigma(&self, theta: &[f64]) -> M2 {
        let mut out = [0.0; 4];
        for (t, s) in theta.iter().zip(&self.s) {
            for (o, v) in out.iter_mut().zip(s) {
                *o += t * v;
            }
        }
        out
    }

    /// Σ over blocks of Zᵢᵀ B Zᵢ, an order-(p+1) matrix whose leading p×p
    /// block is XᵀBX, last column XᵀBy and corner yᵀBy.
    fn quad(&self, q: usize, b: &M2, out: &mut SquareMatrix) {
        let dim = self.size * q;
        for a in 0..self.size {
            for c in 0..self.size {
                let w = b[a * 2 + c];
                if w == 0.0 {
                    continue;
                }
                for i in 0..q {
                    let row = (a * q + i) * dim + c * q;
                    for j in 0..q {
                        out.add(i, j, w * self.g[row + j]);
                    }
                }
            }
        }
    }
}

fn mat_vec(m: &SquareMatrix, v: &[f64], rows: usize) -> Vec<f64> {
    (0..rows)
        .map(|i| (0..v.len()).map(|j| m.get(i, j) * v[j]).sum())
        .collect()
}

/// tr(A B) over the leading p×p blocks.
fn trace_product(a: &SquareMatrix, b: &SquareMatrix, p: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..p {
        for j in 0..p {
            s += a.get(i, j) * b.get(j, i);
        }
    }
    s
}

/// A · B · A over the leading p×p blocks.
fn sandwich(a: &SquareMatrix, b: &SquareMatrix, p: usize) -> SquareMatrix {
    let mut ab = SquareMatrix::zeros(p);
    for i in 0..p {
        for j in 0..p {
            ab.set(i, j, (0..p).map(|k| a.get(i, k) * b.get(k, j)).sum());
        }
    }
    let mut out = SquareMatrix::zeros(p);
    for i in 0..p {
        for j in 0..p {
            out.set(i, j, (0..p).map(|k| ab.get(i, k) * a.get(k, j)).sum());
        }
    }
    out
}

fn leading(m: &SquareMatrix, p: usize) -> SquareMatrix {
    let mut out = SquareMatrix::zeros(p);
    for i in 0..p {
        for j in 0..p {
            out.set(i, j, m.get(i, j));
        }
    }
    out
}

impl Problem {
    /// Whether Σ(θ) is positive definite in every group.
    pub fn feasible(&self, theta: &[f64]) -> bool {
        self.groups
            .iter()
            .all(|g| inverse(g.size, &g.sigma(theta)).is_some())
    }

    /// The likelihoods, derivatives and GLS estimates at θ; `None` when
    /// Σ(θ) is not positive definite or XᵀV⁻¹X is singular.
    pub fn eval(&self, theta: &[f64]) -> Option<Eval> {
        let (p, q, k_n) = (self.p, self.p + 1, self.n_theta);
        let mut inv = Vec::with_capacity(self.groups.len());
        let mut log_det_v = 0.0;
        let mut a = SquareMatrix::zeros(q);
        for g in &self.groups {
            let (si, ld) = inverse(g.size, &g.sigma(theta))?;
            log_det_v += g.n * ld;
            g.quad(q, &si, &mut a);
            inv.push(si);
        }
        let xvx = leading(&a, p);
        let cov = xvx.spd_inverse()?;
        let log_det_xvx = xvx.spd_log_det()?;
        let xvy: Vec<f64> = (0..p).map(|i| a.get(i, p)).collect();
        let beta = mat_vec(&cov, &xvy, p);
        let rvr = a.get(p, p) - beta.iter().zip(&xvy).map(|(b, v)| b * v).sum::<f64>();
        // w = [−β; 1], so wᵀ Q(B) w = Σᵢ rᵢᵀ B rᵢ with rᵢ the GLS residuals.
        let mut w: Vec<f64> = beta.iter().map(|b| -b).collect();
        w.push(1.0);
        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        let n = self.n_rows;

        // First-order pieces per parameter.
        let mut wx = Vec::with_capacity(k_n);
        let mut xbr = Vec::with_capacity(k_n);
        let mut grad_reml = vec![0.0; k_n];
        let mut grad_ml = vec![0.0; k_n];
        for k in 0..k_n {
            let mut wk = SquareMatrix::zeros(q);
            let mut tr_vk = 0.0;
            for (g, si) in self.groups.iter().zip(&inv) {
                let b = mul(&mul(si, &g.s[k]), si);
                g.quad(q, &b, &mut wk);
                tr_vk += g.n * trace(g.size, &mul(si, &g.s[k]));
            }
            let wkw = mat_vec(&wk, &w, q);
            let rbr: f64 = wkw.iter().zip(&w).map(|(a, b)| a * b).sum();
            let wxk = leading(&wk, p);
            grad_reml[k] = -0.5 * (tr_vk - trace_product(&cov, &wxk, p)) + 0.5 * rbr;
            grad_ml[k] = -0.5 * tr_vk + 0.5 * rbr;
            xbr.push(wkw[..p].to_vec());
            wx.push(wxk);
        }

        let mut hess_reml = vec![0.0; k_n * k_n];
        let mut fisher_reml = vec![0.0; k_n * k_n];
        let mut fisher_ml = vec![0.0; k_n * k_n];
        for k in 0..k_n {
            for l in k..k_n {
                let mut wkl = SquareMatrix::zeros(q);
                let mut tr_vv = 0.0;
                for (g, si) in self.groups.iter().zip(&inv) {
                    let sk = mul(si, &g.s[k]);
                    let sl = mul(si, &g.s[l]);
                    g.quad(q, &mul(&mul(&sk, &sl), si), &mut wkl);
                    tr_vv += g.n * trace(g.size, &mul(&sk, &sl));
                }
                let rbr_kl: f64 = mat_vec(&wkl, &w, q)
                    .iter()
                    .zip(&w)
                    .map(|(a, b)| a * b)
                    .sum();
                let c_xbr_l = mat_vec(&cov, &xbr[l], p);
                let cross: f64 = xbr[k].iter().zip(&c_xbr_l).map(|(a, b)| a * b).sum();
                let cwk = {
                    let mut m = SquareMatrix::zeros(p);
                    for i in 0..p {
                        for j in 0..p {
                            m.set(i, j, (0..p).map(|h| cov.get(i, h) * wx[k].get(h, j)).sum());
                        }
                    }
                    m
                };
                let cwl = {
                    let mut m = SquareMatrix::zeros(p);
                    for i in 0..p {
                        for j in 0..p {
                            m.set(i, j, (0..p).map(|h| cov.get(i, h) * wx[l].get(h, j)).sum());
                        }
                    }
                    m
                };
                let tr_pp = tr_vv - 2.0 * trace_product(&cov, &leading(&wkl, p), p)
                    + trace_product(&cwk, &cwl, p);
                let h = 0.5 * tr_pp - (rbr_kl - cross);
                for (i, j) in [(k, l), (l, k)] {
                    hess_reml[i * k_n + j] = h;
                    fisher_reml[i * k_n + j] = 0.5 * tr_pp;
                    fisher_ml[i * k_n + j] = 0.5 * tr_vv;
                }
            }
        }
        let dcov = wx.iter().map(|m| sandwich(&cov, m, p)).collect();
        Some(Eval {
            ll_reml: -0.5 * ((n - p as f64) * ln2pi + log_det_v + log_det_xvx + rvr),
            ll_ml: -0.5 * (n * ln2pi + log_det_v + rvr),
            grad_reml,
            grad_ml,
            hess_reml,
            fisher_reml,
            fisher_ml,
            beta,
            cov,
            dcov,
        })
    }

    /// Maximises the criterion over the parameters marked free, the others
    /// held at their values in `theta0`: Newton–Raphson on the observed REML
    /// information when it is positive definite, Fisher scoring otherwise
    /// (and always for ML), halving the step until Σ stays positive definite
    /// and the likelihood does not fall. `converged` is false when the steps
    /// stalled (typically against the boundary ρ = ±1 or a variance of 0).
    pub fn maximize(&self, theta0: &[f64], free: &[bool], crit: Criterion) -> Option<Optimum> {
        const MAX_ITER: usize = 500;
        let idx: Vec<usize> = (0..self.n_theta).filter(|&k| free[k]).collect();
        let mut theta = theta0.to_vec();
        let mut ev = self.eval(&theta)?;
        let ll = |e: &Eval| match crit {
            Criterion::Reml => e.ll_reml,
            Criterion::Ml => e.ll_ml,
        };
        let scale = theta0.iter().fold(0.0_f64, |m, t| m.max(t.abs()));
        let mut converged = idx.is_empty();
        for _ in 0..MAX_ITER {
            if converged {
                break;
            }
            let (grad, info) = match crit {
                Criterion::Reml => (&ev.grad_reml, &ev.fisher_reml),
                Criterion::Ml => (&ev.grad_ml, &ev.fisher_ml),
            };
            let sub = |m: &[f64]| {
                let mut s = SquareMatrix::zeros(idx.len());
                for (a, &i) in idx.iter().enumerate() {
                    for (b, &j) in idx.iter().enumerate() {
                        s.set(a, b, m[i * self.n_theta + j]);
                    }
                }
                s
            };
            let g: Vec<f64> = idx.iter().map(|&i| grad[i]).collect();
            let neg_hess: Vec<f64> = ev.hess_reml.iter().map(|h| -h).collect();
            let newton = (crit == Criterion::Reml)
                .then(|| sub(&neg_hess).spd_inverse())
                .flatten();
            let Some(inv) = newton.or_else(|| sub(info).spd_inverse()) else {
                break;
            };
            let step = mat_vec(&inv, &g, idx.len());
            let current = ll(&ev);
            let mut t = 1.0;
            let mut accepted = None;
            while t > 1e-12 {
                let mut trial = theta.clone();
                for (a, &i) in idx.iter().enumerate() {
                    trial[i] += t * step[a];
                }
                if let Some(e) = self.eval(&trial) {
                    if ll(&e) >= current - 1e-11 * (1.0 + current.abs()) {
                        accepted = Some((trial, e));
                        break;
                    }
                }
                t *= 0.5;
            }
            let Some((trial, e)) = accepted else {
                break;
            };
            let moved = idx
                .iter()
                .map(|&i| (trial[i] - theta[i]).abs())
                .fold(0.0_f64, f64::max);
            theta = trial;
            ev = e;
            converged = moved <= 1e-11 * scale.max(f64::MIN_POSITIVE);
        }
        Some(Optimum {
            theta,
            eval: ev,
            converged,
        })
    }
}

#[derive(Debug, Clone)]
pub(super) struct Optimum {
    pub theta: Vec<f64>,
    pub eval: Eval,
    pub converged: bool,
}
