//! Folding dyads into sufficient statistics: per covariance pattern, the sum
//! of outer products of each block's stacked [design; outcome] rows.

use super::{ApimSpec, DyadError, Member};

/// Σ z zᵀ over the blocks of one pattern, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Moments {
    pub dim: usize,
    pub n: usize,
    pub sum: Vec<f64>,
}

impl Moments {
    fn new(dim: usize) -> Self {
        Self {
            dim,
            n: 0,
            sum: vec![0.0; dim * dim],
        }
    }

    fn add(&mut self, z: &[f64]) {
        self.n += 1;
        for (i, zi) in z.iter().enumerate() {
            let row = &mut self.sum[i * self.dim..(i + 1) * self.dim];
            for (cell, zj) in row.iter_mut().zip(z) {
                *cell += zi * zj;
            }
        }
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.sum[i * self.dim + j]
    }
}

/// One person's row in the base layout `u = [1, x, x_partner, c₁ … c_q]`
/// followed by y, every value shifted by the origin.
pub(super) const X: usize = 1;
pub(super) const XP: usize = 2;
pub(super) const FIRST_COV: usize = 3;

/// Sufficient statistics of all dyads pushed so far. The base row of a
/// person has m = 3 + q entries (intercept, own X, partner's X, own
/// covariates) and then Y.
#[derive(Debug, Clone, PartialEq)]
pub struct ApimData {
    pub(super) spec: ApimSpec,
    /// The first usable row's (x, y, covariates): subtracting it before
    /// squaring keeps the moment sums from cancelling catastrophically when
    /// values sit far from zero (e.g. years, or scores around 1000).
    pub(super) origin: Option<Vec<f64>>,
    /// Dyads with both rows usable: z = [u₁; y₁; u₂; y₂], member 1 having
    /// role 0 when there are roles.
    pub(super) complete: Moments,
    /// Dyads with one usable row, by the row's role (slot 0 without roles).
    pub(super) single: [Moments; 2],
    pub(super) rows_pushed: usize,
}

impl ApimData {
    /// Sufficient statistics for `spec`, empty.
    pub fn new(spec: ApimSpec) -> Self {
        let m = FIRST_COV + spec.covariates.len();
        Self {
            spec,
            origin: None,
            complete: Moments::new(2 * (m + 1)),
            single: [Moments::new(m + 1), Moments::new(m + 1)],
            rows_pushed: 0,
        }
    }

    /// The spec the data were folded for.
    pub fn spec(&self) -> &ApimSpec {
        &self.spec
    }

    /// The 1 or 2 rows of one dyad. A person's row is usable when their own
    /// X, Y and every covariate are present and finite **and their partner's
    /// X is present**: in pairwise data the partner's X is a column of the
    /// person's row (`x_P`), so a missing partner, or a partner without X,
    /// makes that row NA and `nlme::gls(..., na.action = na.omit)` drops it.
    /// The partner's missing Y or covariate does not. A dyad with one usable
    /// row enters as a 1×1 block; with none it is not counted. A covariate
    /// slice of the wrong length counts as missing covariates. On error
    /// nothing is added.
    pub fn push_dyad(&mut self, members: &[Member]) -> Result<(), DyadError> {
        if members.len() > 2 {
            return Err(DyadError::TooManyMembers);
        }
        let mut order: Vec<&Member> = members.iter().collect();
        if self.spec.roles.is_some() {
            let roles: Vec<Option<usize>> = order.iter().map(|m| m.role).collect();
            let ok = match roles.as_slice() {
                [Some(r)] => *r < 2,
                [Some(a), Some(b)] => (*a == 0 && *b == 1) || (*a == 1 && *b == 0),
                [] => true,
                _ => false,
            };
            if !ok {
                return Err(DyadError::RolesNotOneEach);
            }
            order.sort_by_key(|m| m.role);
        }
        self.rows_pushed += order.len();
        let q = self.spec.covariates.len();
        let own = |m: &Member| -> Option<Vec<f64>> {
            let finite = |v: Option<f64>| v.filter(|v| v.is_finite());
            if m.covariates.len() != q {
                return None;
            }
            let mut v = vec![finite(m.x)?, finite(m.y)?];
            for c in m.covariates {
                v.push(finite(*c)?);
            }
            Some(v)
        };
        let usable: Vec<Option<(Vec<f64>, f64)>> = order
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let partner_x = order
                    .get(1 - i.min(1))
                    .filter(|_| order.len() == 2)
                    .and_then(|p| p.x)
                    .filter(|v| v.is_finite())?;
                Some((own(m)?, partner_x))
            })
            .collect();
        let first = usable.iter().flatten().next();
        let Some((first_own, _)) = first else {
            return Ok(());
        };
        let origin = self.origin.get_or_insert_with(|| first_own.clone()).clone();
        let row = |(own, xp): &(Vec<f64>, f64)| -> Vec<f64> {
            let mut z = vec![1.0, own[0] - origin[0], xp - origin[0]];
            z.extend(own[2..].iter().zip(&origin[2..]).map(|(c, o)| c - o));
            z.push(own[1] - origin[1]);
            z
        };
        match usable.as_slice() {
            [Some(a), Some(b)] => {
                let mut z = row(a);
                z.extend(row(b));
                self.complete.add(&z);
            }
            _ => {
                for (m, u) in order.iter().zip(&usable) {
                    if let Some(u) = u {
                        let slot = if self.spec.roles.is_some() {
                            m.role.unwrap_or(0)
                        } else {
                            0
                        };
                        self.single[slot].add(&row(u));
                    }
                }
            }
        }
        Ok(())
    }

    /// Dyads with at least one usable row.
    pub fn n_dyads(&self) -> usize {
        self.complete.n + self.single[0].n + self.single[1].n
    }

    /// Dyads with both rows usable.
    pub fn n_complete_dyads(&self) -> usize {
        self.complete.n
    }

    /// Rows that enter the fit.
    pub fn n_rows_used(&self) -> usize {
        2 * self.complete.n + self.single[0].n + self.single[1].n
    }

    /// Rows pushed, usable or not.
    pub fn n_rows_pushed(&self) -> usize {
        self.rows_pushed
    }
}
