//! Folding dyads into sufficient statistics: per covariance pattern, the sum
//! of outer products of each block's stacked [design; outcome] rows.

use super::{ApimSpec, DyadError, Member};

/// Σ z zᵀ over the blocks of one pattern, row-major. Only the upper
/// triangle (j ≥ i) is accumulated, the matrix being symmetric: zᵢzⱼ and
/// zⱼzᵢ are the same double, so `get` and `symmetric` give bit for bit the
/// sums of the full product.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Moments {
    pub dim: usize,
    pub n: usize,
    sum: Vec<f64>,
}

impl Moments {
    fn new(dim: usize) -> Self {
        Self {
            dim,
            n: 0,
            sum: vec![0.0; dim * dim],
        }
    }

    #[inline]
    fn add(&mut self, z: &[f64]) {
        debug_assert_eq!(z.len(), self.dim);
        self.n += 1;
        let dim = self.dim;
        for (i, &zi) in z.iter().enumerate() {
            let row = &mut self.sum[i * dim + i..(i + 1) * dim];
            for (cell, &zj) in row.iter_mut().zip(&z[i..]) {
                *cell += zi * zj;
            }
        }
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        let (a, b) = if i <= j { (i, j) } else { (j, i) };
        self.sum[a * self.dim + b]
    }

    /// The whole matrix, row-major.
    pub fn symmetric(&self) -> Vec<f64> {
        let dim = self.dim;
        let mut full = self.sum.clone();
        for i in 0..dim {
            for j in 0..i {
                full[i * dim + j] = full[j * dim + i];
            }
        }
        full
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
        let n = members.len();
        if n > 2 {
            return Err(DyadError::TooManyMembers);
        }
        let Some(first) = members.first() else {
            return Ok(());
        };
        let mut order: [&Member; 2] = [first, members.get(1).unwrap_or(first)];
        if self.spec.roles.is_some() {
            let ok = match (order[0].role, n) {
                (Some(r), 1) => r < 2,
                (Some(a), _) => matches!((a, order[1].role), (0, Some(1)) | (1, Some(0))),
                (None, _) => false,
            };
            if !ok {
                return Err(DyadError::RolesNotOneEach);
            }
            if n == 2 && order[0].role > order[1].role {
                order.swap(0, 1);
            }
        }
        self.rows_pushed += n;
        let q = self.spec.covariates.len();
        let finite = |v: Option<f64>| v.filter(|v| v.is_finite());
        // Member i's row is usable when its own values are all finite and
        // its partner's X is; then this holds the partner's X.
        let mut usable: [Option<f64>; 2] = [None, None];
        for i in 0..n {
            let m = order[i];
            let own_ok = m.covariates.len() == q
                && finite(m.x).is_some()
                && finite(m.y).is_some()
                && m.covariates.iter().all(|c| finite(*c).is_some());
            if own_ok && n == 2 {
                usable[i] = finite(order[1 - i].x);
            }
        }
        let Some(first_usable) = (0..n).find(|&i| usable[i].is_some()) else {
            return Ok(());
        };
        let origin: &[f64] = self.origin.get_or_insert_with(|| {
            let m = order[first_usable];
            let mut v = Vec::with_capacity(2 + q);
            v.extend([m.x.unwrap_or_default(), m.y.unwrap_or_default()]);
            v.extend(m.covariates.iter().map(|c| c.unwrap_or_default()));
            v
        });
        // Writes member i's row [1, x, x_partner, c…, y] − origin into out
        // (m + 1 values).
        let row = |i: usize, out: &mut [f64]| {
            let m = order[i];
            let o_x = origin[0];
            out[0] = 1.0;
            out[X] = m.x.unwrap_or_default() - o_x;
            out[XP] = usable[i].unwrap_or_default() - o_x;
            for ((cell, c), o) in out[FIRST_COV..FIRST_COV + q]
                .iter_mut()
                .zip(m.covariates)
                .zip(&origin[2..])
            {
                *cell = c.unwrap_or_default() - o;
            }
            out[FIRST_COV + q] = m.y.unwrap_or_default() - origin[1];
        };
        let b = FIRST_COV + q + 1;
        // The stacked rows: on the stack for up to 6 covariates.
        let mut stack = [0.0f64; 20];
        let mut heap = Vec::new();
        let z: &mut [f64] = if 2 * b <= stack.len() {
            &mut stack[..2 * b]
        } else {
            heap.resize(2 * b, 0.0);
            &mut heap
        };
        if usable[0].is_some() && usable[1].is_some() {
            let (z1, z2) = z.split_at_mut(b);
            row(0, z1);
            row(1, z2);
            self.complete.add(z);
        } else {
            // One usable row (both would be the complete case above).
            let i = first_usable;
            let slot = if self.spec.roles.is_some() {
                order[i].role.unwrap_or(0)
            } else {
                0
            };
            let z = &mut z[..b];
            row(i, z);
            self.single[slot].add(z);
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
