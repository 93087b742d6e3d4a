//! The reward–cost balance of one person's check-ins over time
//! (SCIENCE.md §2.1, Thibaut & Kelley 1959; API.md "Check-ins").
//!
//! - outcome `O = rewards − costs` for each check-in;
//! - comparison level: the mean outcome of that person's *earlier*
//!   check-ins (their own past as the standard; none before the second);
//! - outcome against comparison level, `O − CL` (satisfaction ∝ O − CL);
//! - the least-squares slope of outcome against time, in points per week
//!   (none below two check-ins).
//!
//! One person's series only: nothing here compares partners or predicts
//! commitment from population weights (SCIENCE.md §2.5).

use crate::finite;

/// One check-in: its day (days since 1970-01-01) and outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub day: i32,
    pub outcome: f64,
}

/// Rewards − costs.
pub fn outcome(rewards: u8, costs: u8) -> f64 {
    f64::from(rewards) - f64::from(costs)
}

/// For each point (in day order), the mean outcome of the points before it;
/// `None` for the first.
pub fn comparison_levels(points: &[Point]) -> Vec<Option<f64>> {
    let mut sum = 0.0;
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let level = (i > 0).then(|| sum / i as f64);
            sum += p.outcome;
            level.and_then(finite)
        })
        .collect()
}

/// The ordinary least-squares slope of outcome on time in weeks; `None`
/// below two points or when every point is on one day.
pub fn slope_per_week(points: &[Point]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let weeks = |p: &Point| f64::from(p.day) / 7.0;
    let mean_x = points.iter().map(weeks).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.outcome).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for p in points {
        let dx = weeks(p) - mean_x;
        sxy += dx * (p.outcome - mean_y);
        sxx += dx * dx;
    }
    if sxx == 0.0 {
        return None;
    }
    finite(sxy / sxx)
}

/// The figures of one person's series, as API.md names them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Balance {
    pub latest_outcome: Option<f64>,
    /// The mean of the outcomes before the latest.
    pub comparison_level: Option<f64>,
    pub outcome_vs_comparison: Option<f64>,
    pub slope_per_week: Option<f64>,
}

/// The figures for `points`, in day order.
pub fn balance(points: &[Point]) -> Balance {
    let latest_outcome = points.last().map(|p| p.outcome);
    let comparison_level = comparison_levels(points).last().copied().flatten();
    Balance {
        latest_outcome,
        comparison_level,
        outcome_vs_comparison: latest_outcome
            .zip(comparison_level)
            .and_then(|(o, cl)| finite(o - cl)),
        slope_per_week: slope_per_week(points),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i32, outcome: f64) -> Point {
        Point { day, outcome }
    }

    #[test]
    fn three_weekly_check_ins_by_hand() {
        // Outcomes 2, 4, 3 at weeks 0, 1, 2. Mean week 1, mean outcome 3;
        // Σ(x−x̄)(y−ȳ) = (−1)(−1) + 0 + (1)(0) = 1 and Σ(x−x̄)² = 2, so the
        // slope is 1/2 point per week. The comparison level before the
        // third is (2 + 4) / 2 = 3, so O − CL = 3 − 3 = 0.
        let points = [at(7, 2.0), at(14, 4.0), at(21, 3.0)];
        assert_eq!(comparison_levels(&points), vec![None, Some(2.0), Some(3.0)]);
        assert_eq!(
            balance(&points),
            Balance {
                latest_outcome: Some(3.0),
                comparison_level: Some(3.0),
                outcome_vs_comparison: Some(0.0),
                slope_per_week: Some(0.5),
            }
        );
    }

    #[test]
    fn uneven_days_by_hand() {
        // Days 0, 3, 14 (weeks 0, 3/7, 2) with outcomes −1, 1, 6.
        // x̄ = (0 + 3/7 + 2)/3 = 17/21, ȳ = 2.
        // Σ(x−x̄)(y−ȳ) = (−17/21)(−3) + (−8/21)(−1) + (25/21)(4) = 159/21.
        // Σ(x−x̄)² = (289 + 64 + 625)/441 = 978/441.
        // slope = (159/21) / (978/441) = 159·21/978 = 3339/978 ≈ 3.41411.
        let points = [at(0, -1.0), at(3, 1.0), at(14, 6.0)];
        let slope = slope_per_week(&points).expect("slope");
        assert!((slope - 3339.0 / 978.0).abs() < 1e-12, "{slope}");
        let b = balance(&points);
        assert_eq!(b.comparison_level, Some(0.0));
        assert_eq!(b.outcome_vs_comparison, Some(6.0));
    }

    #[test]
    fn fewer_than_two_points_give_no_slope_and_no_comparison() {
        assert_eq!(
            balance(&[]),
            Balance {
                latest_outcome: None,
                comparison_level: None,
                outcome_vs_comparison: None,
                slope_per_week: None,
            }
        );
        let one = balance(&[at(5, 4.0)]);
        assert_eq!(
            (one.latest_outcome, one.comparison_level, one.slope_per_week),
            (Some(4.0), None, None)
        );
        assert_eq!(outcome(3, 7), -4.0);
    }
}
