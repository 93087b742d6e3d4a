//! Comparing two partners' sealed answers: how far apart they are on what
//! matters, and where one partner's respect is not felt by the other.
//!
//! Definitions (ours; SCIENCE.md has no published statistic for these, so
//! each test below is computed by hand):
//! - importance gap `g = |a − b|` on the 1–5 scale, so 0..=4;
//! - a conversation topic's weight is how much the item matters to the two
//!   of them, the mean importance `w = (a + b) / 2`; its score is `g · w`.
//!   A gap on something both hold dear comes before the same gap on
//!   something neither cares much about;
//! - respect: one partner's stated respect `s` ("I respect your …") beside the
//!   other's felt respect `f` ("I feel respected in my …"); the pair is worth
//!   a look when `|s − f| ≥ 2`, or when `f ≤ 2` whatever was stated.

/// Importance gap on the 1–5 scale.
pub fn importance_gap(a: u8, b: u8) -> u8 {
    a.abs_diff(b)
}

/// How much an item matters to the two of them: the mean importance.
pub fn topic_weight(a: u8, b: u8) -> f64 {
    (f64::from(a) + f64::from(b)) / 2.0
}

/// Gap weighted by how much the item matters to both.
pub fn topic_score(a: u8, b: u8) -> f64 {
    f64::from(importance_gap(a, b)) * topic_weight(a, b)
}

/// The items worth a conversation, most pressing first: those with a gap of
/// at least 1, by score, then by weight (a bigger shared stake first), then
/// in questionnaire order so equal topics keep a stable order.
pub fn rank_topics(importances: &[(u8, u8)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..importances.len())
        .filter(|&i| importance_gap(importances[i].0, importances[i].1) >= 1)
        .collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (importances[i], importances[j]);
        topic_score(b.0, b.1)
            .total_cmp(&topic_score(a.0, a.1))
            .then(topic_weight(b.0, b.1).total_cmp(&topic_weight(a.0, a.1)))
            .then(i.cmp(&j))
    });
    order
}

/// Below or at this felt respect, the area is highlighted whatever was stated.
pub const LOW_FELT_RESPECT: u8 = 2;
/// A difference of this much between stated and felt respect is highlighted.
pub const RESPECT_GAP_NOTICE: u8 = 2;

/// One direction of respect: what one partner says beside what the other feels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RespectGap {
    pub stated: u8,
    pub felt: u8,
    pub gap: u8,
    /// `gap ≥ 2`: the respect given is not the respect received.
    pub differs: bool,
    /// `felt ≤ 2`: the partner feels little respect here.
    pub low_felt: bool,
}

impl RespectGap {
    pub fn new(stated: u8, felt: u8) -> Self {
        let gap = stated.abs_diff(felt);
        Self {
            stated,
            felt,
            gap,
            differs: gap >= RESPECT_GAP_NOTICE,
            low_felt: felt <= LOW_FELT_RESPECT,
        }
    }

    /// Whether the comparison should draw attention to this pair.
    pub fn highlighted(&self) -> bool {
        self.differs || self.low_felt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_is_symmetric_and_bounded_by_the_scale() {
        assert_eq!(importance_gap(5, 1), 4);
        assert_eq!(importance_gap(1, 5), 4);
        assert_eq!(importance_gap(3, 3), 0);
    }

    #[test]
    fn score_weights_the_gap_by_mean_importance() {
        // By hand: (5, 3) → gap 2, weight (5+3)/2 = 4, score 8.
        assert_eq!(topic_score(5, 3), 8.0);
        // (3, 1) → gap 2, weight 2, score 4: the same gap on less dear ground.
        assert_eq!(topic_score(3, 1), 4.0);
        // (4, 1) → gap 3, weight 2.5, score 7.5.
        assert_eq!(topic_score(4, 1), 7.5);
        assert_eq!(topic_score(2, 2), 0.0);
    }

    #[test]
    fn topics_rank_by_score_then_weight_then_order_and_skip_agreement() {
        // Scores by hand: [0]=(5,3) 8.0; [1]=(4,4) none; [2]=(3,1) 4.0;
        // [3]=(4,1) 7.5; [4]=(1,3) 4.0 (ties [2], same weight 2 → order);
        // [5]=(5,4) gap 1 · 4.5 = 4.5; [6]=(2,4) gap 2 · 3 = 6.0.
        let pairs = [(5, 3), (4, 4), (3, 1), (4, 1), (1, 3), (5, 4), (2, 4)];
        assert_eq!(rank_topics(&pairs), vec![0, 3, 6, 5, 2, 4]);
    }

    #[test]
    fn equal_scores_put_the_bigger_shared_stake_first() {
        // (5,3): 2 · 4 = 8; (5,1): 4 · 3 = 12; (4,2): 2 · 3 = 6; (3,5) = 8,
        // same weight as [0] → questionnaire order. (2,1) 1 · 1.5 = 1.5 and
        // (3,2) 1 · 2.5 = 2.5: the higher weight comes first.
        let pairs = [(5, 3), (5, 1), (4, 2), (3, 5), (2, 1), (3, 2)];
        assert_eq!(rank_topics(&pairs), vec![1, 0, 3, 2, 5, 4]);
    }

    #[test]
    fn no_topics_when_both_agree_everywhere() {
        assert!(rank_topics(&[(3, 3), (5, 5)]).is_empty());
        assert!(rank_topics(&[]).is_empty());
    }

    #[test]
    fn respect_is_highlighted_on_a_gap_of_two_or_low_felt_respect() {
        let fine = RespectGap::new(4, 3);
        assert_eq!((fine.gap, fine.differs, fine.low_felt), (1, false, false));
        assert!(!fine.highlighted());
        let apart = RespectGap::new(5, 3);
        assert!(apart.differs && !apart.low_felt && apart.highlighted());
        // Felt 2 with stated 2: no gap, yet little respect is felt.
        let low = RespectGap::new(2, 2);
        assert!(!low.differs && low.low_felt && low.highlighted());
        // Felt higher than stated by 2 also differs: worth talking about too.
        assert!(RespectGap::new(1, 3).differs);
        assert!(!RespectGap::new(3, 3).highlighted());
    }
}
