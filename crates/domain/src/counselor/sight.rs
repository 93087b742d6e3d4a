//! The one door through which a counselor reads a couple's data.
//!
//! [`open`] is called on every counselor request and decides from the rows
//! as they are now: no cache, so a revocation, an expiry or a leave refuses
//! the very next request (SECURITY.md R33). Anyone it refuses (a counselor
//! before both approvals, after revocation or expiry, another counselor, a
//! partner) is told the couple does not exist: 404, never 403.
//!
//! A [`Sight`] carries the categories both partners allowed and the
//! couple's key; the report asks it per section, so a section of a
//! category not allowed is never read at all.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::error::DomainError;
use crate::ids::{AccountId, RelationshipId};
use crate::me::{Me, Shared};
use crate::relationship::RelationshipStatus;
use crate::store::{EngagementRecord, Relationship, Store};

use super::consent::Category;
use super::engagements::{pair_of, rules};

/// What a counselor may read of one couple, for one request.
pub struct Sight {
    pub counselor: AccountId,
    pub rel: Relationship,
    pub engagement: EngagementRecord,
    /// The partners in member order, with their names.
    pub pair: [AccountId; 2],
    pub names: [String; 2],
    /// What both partners allowed, now.
    pub categories: BTreeSet<Category>,
    /// When the counselor joined, and when access ends.
    pub since: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub(crate) shared: Shared,
}

impl Sight {
    pub fn allows(&self, category: Category) -> bool {
        self.categories.contains(&category)
    }
}

/// The counselor's sight of `rel` at `now`, or not found.
pub async fn open(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Sight, DomainError> {
    open_in(app.store(), me, rel, now).await
}

pub(crate) async fn open_in(
    store: &dyn Store,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Sight, DomainError> {
    let relationship = store
        .relationship(rel)
        .await?
        .ok_or(DomainError::NotFound)?;
    if relationship.status != RelationshipStatus::Active || relationship.members.len() < 2 {
        return Err(DomainError::NotFound);
    }
    let engagement = store
        .open_engagement(rel)
        .await?
        .filter(|e| e.counselor == Some(me.id))
        .ok_or(DomainError::NotFound)?;
    let pair = pair_of(&relationship);
    let rules = rules(&engagement, pair);
    let categories = rules.visible(now);
    let (Some(expires_at), Some(since), Some(sealed)) = (
        rules.expires_at(),
        engagement.joined_at,
        engagement.sealed_key.as_deref(),
    ) else {
        return Err(DomainError::NotFound);
    };
    if categories.is_empty() {
        return Err(DomainError::NotFound);
    }
    let shared = me.counselor_key(&relationship, sealed)?;
    let names = [
        relationship.members[0].display_name.clone(),
        relationship.members[1].display_name.clone(),
    ];
    Ok(Sight {
        counselor: me.id,
        pair,
        names,
        categories,
        since,
        expires_at,
        shared,
        engagement,
        rel: relationship,
    })
}
