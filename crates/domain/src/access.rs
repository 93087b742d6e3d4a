//! Who may read and who may write in a relationship: decided here, once per
//! use case, and nowhere else.
//!
//! - Anyone who is not (and never was) a member is told the relationship
//!   does not exist (404, never 403).
//! - While it is open, a member reads what the capability's own rules allow
//!   (the seal, the figures consent).
//! - SECURITY: once it has ended, each former partner reads exactly what they
//!   wrote themselves and nothing the other wrote (SECURITY.md §1.3, the
//!   ex-partner column); [`Reader::may_read_words_of`] is that rule.
//! - Writes need an active relationship ([`writer`]). The check here gives the
//!   person a clear answer; the store repeats the condition inside each write
//!   (`… AND EXISTS (… status = 'active')`), so a write racing a leave cannot
//!   land after the space ended.

use crate::error::DomainError;
use crate::ids::{AccountId, RelationshipId};
use crate::relationship::RelationshipStatus;
use crate::store::{Relationship, Store};

/// Where the caller stands in a relationship they belong (or belonged) to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Waiting for the partner to join.
    Waiting,
    /// Both partners are there.
    Together { partner: AccountId },
    /// The relationship has ended: read-only, and only one's own words.
    Former,
}

/// A member (or former member) about to read.
#[derive(Debug, Clone)]
pub struct Reader {
    pub actor: AccountId,
    pub rel: Relationship,
    pub standing: Standing,
}

impl Reader {
    pub fn is_former(&self) -> bool {
        self.standing == Standing::Former
    }

    /// SECURITY: the ex-partner rule. While the relationship is open the
    /// capability's own rules decide; once it ended, only the author reads.
    pub fn may_read_words_of(&self, author: AccountId) -> bool {
        author == self.actor || !self.is_former()
    }

    /// The other partner while both are there.
    pub fn partner(&self) -> Option<AccountId> {
        match self.standing {
            Standing::Together { partner } => Some(partner),
            _ => None,
        }
    }
}

/// A partner in an active relationship, about to write.
#[derive(Debug, Clone)]
pub struct Writer {
    pub actor: AccountId,
    pub rel: Relationship,
    pub partner: AccountId,
}

impl Writer {
    /// The two partners in the relationship's member order (the order
    /// sealed rounds and the analytics keep).
    pub fn pair(&self) -> [AccountId; 2] {
        match self.rel.members.as_slice() {
            [a, b, ..] => [a.account_id, b.account_id],
            _ => [self.actor, self.partner],
        }
    }

    /// The same person reading, right after their write (no second lookup).
    pub fn as_reader(&self) -> Reader {
        Reader {
            actor: self.actor,
            rel: self.rel.clone(),
            standing: Standing::Together {
                partner: self.partner,
            },
        }
    }
}

/// The answer to any write in an ended relationship.
pub fn ended() -> DomainError {
    DomainError::conflict(
        "ended",
        "This space has ended, so nothing in it can change any more. You can still reread what you wrote.",
    )
}

pub(crate) fn not_active() -> DomainError {
    DomainError::conflict("not_active", "This opens once your partner has joined.")
}

/// The relationship for a member or former member; not found for anyone else.
pub(crate) async fn reader(
    store: &dyn Store,
    actor: AccountId,
    id: RelationshipId,
) -> Result<Reader, DomainError> {
    let rel = store.relationship(id).await?.ok_or(DomainError::NotFound)?;
    if !rel.members.iter().any(|m| m.account_id == actor) {
        return Err(DomainError::NotFound);
    }
    let partner = rel
        .members
        .iter()
        .find(|m| m.account_id != actor)
        .map(|m| m.account_id);
    let standing = match (rel.status, partner) {
        (RelationshipStatus::Ended, _) => Standing::Former,
        (RelationshipStatus::Active, Some(partner)) => Standing::Together { partner },
        _ => Standing::Waiting,
    };
    Ok(Reader {
        actor,
        rel,
        standing,
    })
}

/// The relationship, when `actor` may write in it: a member of an active
/// relationship. `ended` (409) once it ended, `not_active` (409) while the
/// partner has not joined.
pub(crate) async fn writer(
    store: &dyn Store,
    actor: AccountId,
    id: RelationshipId,
) -> Result<Writer, DomainError> {
    let reader = reader(store, actor, id).await?;
    match reader.standing {
        Standing::Together { partner } => Ok(Writer {
            actor,
            rel: reader.rel,
            partner,
        }),
        Standing::Former => Err(ended()),
        Standing::Waiting => Err(not_active()),
    }
}

/// Why a conditional write in `id` changed nothing, when the reason is the
/// relationship's state; `None` when it is still writable (the caller then
/// names its own rule).
pub(crate) async fn refusal(
    store: &dyn Store,
    actor: AccountId,
    id: RelationshipId,
) -> Result<Option<DomainError>, DomainError> {
    match writer(store, actor, id).await {
        Ok(_) => Ok(None),
        Err(DomainError::Storage(detail)) => Err(DomainError::Storage(detail)),
        Err(refused) => Ok(Some(refused)),
    }
}
