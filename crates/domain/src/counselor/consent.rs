//! A counselor's access to a couple: two keys, scoped, expiring, revocable
//! by either partner alone (SECURITY.md R33, §1.3 D4/D7; issue 18).
//!
//! The rules, pure and in one place (`engagements` builds an [`Engagement`]
//! from the stored rows on every request and asks it; the store's writes
//! repeat the parts that must hold at the moment of writing):
//! - A partner invites; the invitation counts as that partner's approval,
//!   with the categories they chose. The other partner approves with their
//!   own categories. Only then does the counselor see anything.
//! - A category is visible only when **both** partners approved it.
//! - Access lasts [`GRANT_DAYS`] from the **earlier** of the two latest
//!   approvals or renewals: both must renew to keep it.
//! - Either partner revokes at once, alone, and a revoked engagement never
//!   opens again (a new invitation starts a new one).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use crate::ids::AccountId;

/// How long a grant lasts without both partners renewing it.
pub const GRANT_DAYS: i64 = 90;

/// What a counselor may be allowed to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    ValuesAndRespect,
    Conversations,
    Agreements,
    Ledger,
    Checkins,
    Episodes,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::ValuesAndRespect,
        Category::Conversations,
        Category::Agreements,
        Category::Ledger,
        Category::Checkins,
        Category::Episodes,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::ValuesAndRespect => "values_and_respect",
            Self::Conversations => "conversations",
            Self::Agreements => "agreements",
            Self::Ledger => "ledger",
            Self::Checkins => "checkins",
            Self::Episodes => "episodes",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// One partner's consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub categories: BTreeSet<Category>,
    /// When they approved or last renewed.
    pub at: DateTime<Utc>,
}

/// Why a move was refused; each names its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentError {
    /// The account is not one of the couple.
    NotAPartner,
    /// This partner already approved (renew instead).
    AlreadyApproved,
    /// Renewing before having approved.
    NotApproved,
    /// Either partner revoked it: it never opens again.
    Revoked,
    /// No category chosen.
    NoCategory,
}

/// A counselor engagement for one couple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engagement {
    /// The couple, in the space's member order.
    pub pair: [AccountId; 2],
    pub invited_by: AccountId,
    /// Each partner's approval, in `pair` order.
    pub approvals: [Option<Approval>; 2],
    /// Who revoked, and when.
    pub revoked: Option<(AccountId, DateTime<Utc>)>,
}

impl Engagement {
    /// A partner's invitation: it carries their approval.
    pub fn invite(
        pair: [AccountId; 2],
        by: AccountId,
        categories: BTreeSet<Category>,
        at: DateTime<Utc>,
    ) -> Result<Self, ConsentError> {
        let side = side(pair, by)?;
        if categories.is_empty() {
            return Err(ConsentError::NoCategory);
        }
        let mut approvals = [None, None];
        approvals[side] = Some(Approval { categories, at });
        Ok(Self {
            pair,
            invited_by: by,
            approvals,
            revoked: None,
        })
    }

    /// The other partner's approval (once).
    pub fn approve(
        &mut self,
        by: AccountId,
        categories: BTreeSet<Category>,
        at: DateTime<Utc>,
    ) -> Result<(), ConsentError> {
        let side = self.open_side(by)?;
        if self.approvals[side].is_some() {
            return Err(ConsentError::AlreadyApproved);
        }
        if categories.is_empty() {
            return Err(ConsentError::NoCategory);
        }
        self.approvals[side] = Some(Approval { categories, at });
        Ok(())
    }

    /// A partner renews their approval (and may change its categories).
    pub fn renew(
        &mut self,
        by: AccountId,
        categories: BTreeSet<Category>,
        at: DateTime<Utc>,
    ) -> Result<(), ConsentError> {
        let side = self.open_side(by)?;
        if categories.is_empty() {
            return Err(ConsentError::NoCategory);
        }
        match &mut self.approvals[side] {
            Some(approval) => {
                *approval = Approval { categories, at };
                Ok(())
            }
            None => Err(ConsentError::NotApproved),
        }
    }

    /// Either partner, at once, alone.
    pub fn revoke(&mut self, by: AccountId, at: DateTime<Utc>) -> Result<(), ConsentError> {
        self.open_side(by)?;
        self.revoked = Some((by, at));
        Ok(())
    }

    /// When access ends: [`GRANT_DAYS`] after the earlier of the two
    /// approvals; `None` until both approved.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        let [Some(a), Some(b)] = &self.approvals else {
            return None;
        };
        Some(a.at.min(b.at) + Duration::days(GRANT_DAYS))
    }

    /// The categories the counselor may read at `now`: those both partners
    /// approved, while not revoked and not expired; empty otherwise.
    pub fn visible(&self, now: DateTime<Utc>) -> BTreeSet<Category> {
        let [Some(a), Some(b)] = &self.approvals else {
            return BTreeSet::new();
        };
        let open = self.revoked.is_none() && self.expires_at().is_some_and(|end| now < end);
        if !open {
            return BTreeSet::new();
        }
        a.categories.intersection(&b.categories).copied().collect()
    }

    /// Whether the counselor may read anything at all at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        !self.visible(now).is_empty()
    }

    fn open_side(&self, who: AccountId) -> Result<usize, ConsentError> {
        let side = side(self.pair, who)?;
        if self.revoked.is_some() {
            return Err(ConsentError::Revoked);
        }
        Ok(side)
    }
}

fn side(pair: [AccountId; 2], who: AccountId) -> Result<usize, ConsentError> {
    pair.iter()
        .position(|p| *p == who)
        .ok_or(ConsentError::NotAPartner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use Category::*;

    fn t(days: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
            .single()
            .expect("time")
            + Duration::days(days)
    }

    fn set(cats: &[Category]) -> BTreeSet<Category> {
        cats.iter().copied().collect()
    }

    fn couple() -> (AccountId, AccountId) {
        (AccountId::new(), AccountId::new())
    }

    #[test]
    fn nothing_is_visible_until_both_approved_and_then_only_what_both_chose() {
        let (a, b) = couple();
        let mut e = Engagement::invite([a, b], a, set(&[Ledger, Episodes, Checkins]), t(0))
            .expect("invite");
        assert!(e.visible(t(1)).is_empty(), "one key is not enough");
        e.approve(b, set(&[Episodes, Agreements, Checkins]), t(2))
            .expect("approve");
        assert_eq!(e.visible(t(3)), set(&[Checkins, Episodes]));
        assert_eq!(
            e.approve(b, set(&[Ledger]), t(4)),
            Err(ConsentError::AlreadyApproved)
        );
        assert_eq!(
            e.approve(AccountId::new(), set(&[Ledger]), t(4)),
            Err(ConsentError::NotAPartner)
        );
        assert_eq!(
            e.approve(a, BTreeSet::new(), t(4)),
            Err(ConsentError::AlreadyApproved)
        );
    }

    #[test]
    fn access_ends_ninety_days_after_the_earlier_approval_unless_both_renew() {
        let (a, b) = couple();
        let mut e = Engagement::invite([a, b], a, set(&[Ledger]), t(0)).expect("invite");
        e.approve(b, set(&[Ledger]), t(10)).expect("approve");
        assert_eq!(e.expires_at(), Some(t(90)));
        assert!(e.is_open(t(89)));
        assert!(!e.is_open(t(90)), "the end is exclusive");
        // Only one renews: still the earlier one's ninety days.
        e.renew(b, set(&[Ledger]), t(80)).expect("renew");
        assert_eq!(e.expires_at(), Some(t(90)));
        e.renew(a, set(&[Ledger]), t(85)).expect("renew");
        assert_eq!(e.expires_at(), Some(t(170)));
        assert!(e.is_open(t(120)));
    }

    #[test]
    fn either_partner_revokes_at_once_and_it_never_reopens() {
        let (a, b) = couple();
        let mut e = Engagement::invite([a, b], a, set(&[Ledger]), t(0)).expect("invite");
        e.approve(b, set(&[Ledger]), t(1)).expect("approve");
        e.revoke(b, t(2)).expect("revoke");
        assert!(!e.is_open(t(2)));
        assert_eq!(e.renew(a, set(&[Ledger]), t(3)), Err(ConsentError::Revoked));
        assert_eq!(e.revoke(a, t(3)), Err(ConsentError::Revoked));
        assert_eq!(
            Engagement::invite([a, b], a, BTreeSet::new(), t(0)),
            Err(ConsentError::NoCategory)
        );
        assert_eq!(Category::parse("checkins"), Some(Checkins));
        assert!(Category::ALL
            .iter()
            .all(|c| Category::parse(c.key()) == Some(*c)));
    }

    fn categories() -> impl Strategy<Value = BTreeSet<Category>> {
        proptest::collection::btree_set(proptest::sample::select(Category::ALL.to_vec()), 0..=6)
    }

    #[derive(Debug, Clone)]
    enum Move {
        Approve(usize, BTreeSet<Category>, i64),
        Renew(usize, BTreeSet<Category>, i64),
        Revoke(usize, i64),
    }

    fn moves() -> impl Strategy<Value = Vec<Move>> {
        let one = prop_oneof![
            (0..2usize, categories(), 0..200i64).prop_map(|(p, c, d)| Move::Approve(p, c, d)),
            (0..2usize, categories(), 0..200i64).prop_map(|(p, c, d)| Move::Renew(p, c, d)),
            (0..2usize, 0..200i64).prop_map(|(p, d)| Move::Revoke(p, d)),
        ];
        proptest::collection::vec(one, 0..12)
    }

    proptest! {
        /// Whatever the partners do, the counselor sees a category at a
        /// time only if both partners' current approvals hold it, nobody
        /// revoked, and both approvals are under ninety days old.
        #[test]
        fn visible_means_both_keys_current_and_unrevoked(
            first in categories(), moves in moves(), at in 0..400i64,
        ) {
            let (a, b) = couple();
            let Ok(mut e) = Engagement::invite([a, b], a, first, t(0)) else {
                return Ok(());
            };
            for m in moves {
                let _ = match m {
                    Move::Approve(p, c, d) => e.approve(e.pair[p], c, t(d)),
                    Move::Renew(p, c, d) => e.renew(e.pair[p], c, t(d)),
                    Move::Revoke(p, d) => e.revoke(e.pair[p], t(d)),
                };
            }
            let now = t(at);
            let seen = e.visible(now);
            for c in &seen {
                prop_assert!(e.revoked.is_none());
                for approval in &e.approvals {
                    let approval = approval.as_ref().expect("both approved");
                    prop_assert!(approval.categories.contains(c));
                    prop_assert!(now < approval.at + Duration::days(GRANT_DAYS));
                }
            }
        }
    }
}
