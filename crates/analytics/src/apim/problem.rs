//! Lays the folded moments out as the engine's GLS problem for each model:
//! which fixed effects each row carries (one set shared by both partners, or
//! one set per role) and how Σ depends on θ.

use super::data::{Moments, FIRST_COV};
use super::engine::{Group, Problem};
use super::{ApimData, Model};

impl ApimData {
    /// Fixed effects in one person's equation: intercept, actor, partner
    /// and one per covariate.
    pub(super) fn m(&self) -> usize {
        FIRST_COV + self.spec.covariates.len()
    }

    /// The GLS problem for a model: groups of blocks with their moment
    /// matrices in the model's design and ∂Σ/∂θ. Indistinguishable θ =
    /// (v, c): Σ = [[v + c, c], [c, v + c]], a single row v + c.
    /// Distinguishable θ = (σ₁², σ₂², σ₁₂).
    pub(super) fn problem(&self, model: Model) -> Problem {
        let m = self.m();
        let b = m + 1;
        let mut groups = Vec::new();
        match model {
            Model::Indistinguishable => {
                if self.complete.n > 0 {
                    groups.push(Group {
                        size: 2,
                        n: self.complete.n as f64,
                        g: self.complete.symmetric(),
                        s: vec![[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]],
                    });
                }
                let n1 = self.single[0].n + self.single[1].n;
                if n1 > 0 {
                    let g = self.single[0]
                        .symmetric()
                        .iter()
                        .zip(&self.single[1].symmetric())
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
}
