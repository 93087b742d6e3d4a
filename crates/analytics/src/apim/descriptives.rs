//! Mean and SD of the rows that entered the fit, read off the same moment
//! sums the fit uses (so they describe exactly those rows), and the
//! outcome's variance, the scale for the boundary checks and the floors of
//! the iterations.

use super::data::{FIRST_COV, X};
use super::{ApimData, Descriptives, Model, Summary};
use crate::finite;

impl ApimData {
    /// The sample variance of Y over the rows used.
    pub(super) fn y_variance(&self) -> f64 {
        self.descriptives(Model::Indistinguishable, &[0.0, 0.0])[0]
            .y
            .sd
            .map_or(0.0, |s| s * s)
    }

    /// Mean and SD of X, Y and the covariates over the rows used, overall
    /// for the indistinguishable model and by role otherwise. `origin` is
    /// added back to the means ([0, 0, …] gives shifted means).
    pub(super) fn descriptives(&self, model: Model, origin: &[f64]) -> Vec<Descriptives> {
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
