//! Adjusting p-values for the many cells of one table, so that a reader who
//! scans 36 cells for "significant" ones does not find two by chance.
//!
//! Sources: Bonferroni (each p times the number of tests m, capped at 1);
//! Holm (1979), *Scandinavian Journal of Statistics* 6:65–70, step-down:
//! the i-th smallest p times (m − i + 1), made monotone by a running
//! maximum, capped at 1. Both as R's `p.adjust` computes them.

/// How to adjust a family of p-values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustment {
    Bonferroni,
    Holm,
}

/// Adjusted p-values in the input's order; undefined p-values stay
/// undefined and do not count towards m.
pub fn adjust(method: Adjustment, p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut defined: Vec<(usize, f64)> = p
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let m = defined.len() as f64;
    let mut out = vec![None; p.len()];
    match method {
        Adjustment::Bonferroni => {
            for (i, v) in defined {
                out[i] = Some((v * m).min(1.0));
            }
        }
        Adjustment::Holm => {
            defined.sort_by(|a, b| a.1.total_cmp(&b.1));
            let mut running = 0.0_f64;
            for (rank, (i, v)) in defined.into_iter().enumerate() {
                running = running.max((v * (m - rank as f64)).min(1.0));
                out[i] = Some(running);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // By hand, as R's p.adjust(c(0.01, 0.04, 0.03, 0.02, 0.05)) gives it
    // (the undefined p is left out, so m = 5). Holm, sorted: .01·5 = .05,
    // .02·4 = .08, .03·3 = .09, max(.04·2, .09) = .09, max(.05·1, .09) = .09;
    // in input order .05 .09 .09 .08 .09. Bonferroni: .05 .20 .15 .10 .25.
    #[test]
    fn matches_r_p_adjust_by_hand() {
        let p = [
            Some(0.01),
            Some(0.04),
            Some(0.03),
            None,
            Some(0.02),
            Some(0.05),
        ];
        let holm = adjust(Adjustment::Holm, &p);
        let want = [
            Some(0.05),
            Some(0.09),
            Some(0.09),
            None,
            Some(0.08),
            Some(0.09),
        ];
        for (g, w) in holm.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{g} vs {w}"),
                (g, w) => assert_eq!(*g, w),
            }
        }
        let bonf = adjust(Adjustment::Bonferroni, &p);
        let want = [0.05, 0.20, 0.15, 0.10, 0.25];
        for (g, w) in bonf.iter().flatten().zip(want) {
            assert!((g - w).abs() < 1e-12);
        }
        assert_eq!(
            adjust(Adjustment::Holm, &[Some(0.6), Some(0.7)]),
            vec![Some(1.0), Some(1.0)]
        );
    }
}
