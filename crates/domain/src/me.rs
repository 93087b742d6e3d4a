//! `Me`: the signed-in caller with the keys their credential opened, and
//! the one place texts are sealed before a write and opened after a read
//! (issue 14; `docs/encryption.md` says which key seals which field).
//!
//! A use case that stores or shows a person's words takes `&Me`, never a
//! bare account id, so it cannot forget to seal: the store only ever sees
//! `rk1.` envelopes for those fields. Each envelope is bound to its place
//! by a context (`field:owner:record`), so a ciphertext copied into
//! another row, account or relationship does not open (SECURITY.md R6).
//!
//! - [`Own`]: the caller's data key, for what only they may read (drafts
//!   of sealed rounds, token names, reflections).
//! - [`Shared`]: the couple's key, for what both partners read (submitted
//!   answers, ledger descriptions and thanks, conversation notes).

use keys::{envelope, AccountKeys, RelationshipKey};

use crate::error::DomainError;
use crate::ids::{AccountId, RelationshipId};
use crate::store::{Relationship, Store};

/// What `Relationship::key_check` seals: opening it proves a key is the couple's.
const KEY_CHECK: &str = "reciprocity relationship key";

pub struct Me {
    pub id: AccountId,
    /// `None` when the credential holds no keys (it cannot happen to a
    /// session made by this version; the answer is to sign in again).
    keys: Option<AccountKeys>,
}

impl std::fmt::Debug for Me {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Me")
            .field("id", &self.id)
            .field("keys", &self.keys.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The caller's own data key, to seal and open their private texts.
pub struct Own<'a> {
    owner: AccountId,
    keys: &'a AccountKeys,
}

/// A couple's key, opened for one request.
pub struct Shared {
    rel: RelationshipId,
    key: RelationshipKey,
    clear_text_allowed: bool,
}

fn sign_in_again() -> DomainError {
    DomainError::conflict(
        "sign_in_again",
        "Please sign in again: your private texts open only with your password.",
    )
}

fn key_not_shared_yet() -> DomainError {
    DomainError::conflict(
        "key_not_shared_yet",
        "Your shared space's texts open once your partner has signed in again: their app hands you the key.",
    )
}

/// A stored text that does not open: changed in the database, or sealed
/// for another place. Never shown; the log gets the detail.
fn damaged(field: &str) -> DomainError {
    DomainError::Storage(format!("a sealed {field} did not open"))
}

impl Me {
    pub fn new(id: AccountId, keys: Option<AccountKeys>) -> Self {
        Self { id, keys }
    }

    /// The caller's keys (to re-wrap them for a new password or code).
    pub fn account_keys(&self) -> Result<&AccountKeys, DomainError> {
        self.keys.as_ref().ok_or_else(sign_in_again)
    }

    /// The caller's own key.
    pub fn own(&self) -> Result<Own<'_>, DomainError> {
        Ok(Own {
            owner: self.id,
            keys: self.account_keys()?,
        })
    }

    /// The couple's key of `rel` (the caller must be, or have been, a
    /// member: `rel` comes from `access::reader` or `access::writer`).
    ///
    /// On the way, hands the key to any member who has none yet (a partner
    /// whose account got new keys, or joined before they had any), and makes
    /// the key of a relationship from before encryption at rest. Both writes
    /// are conditional, so two members doing this at once agree.
    pub(crate) async fn shared(
        &self,
        store: &dyn Store,
        rel: &Relationship,
    ) -> Result<Shared, DomainError> {
        let keys = self.account_keys()?;
        let mine = rel
            .members
            .iter()
            .find(|m| m.account_id == self.id)
            .ok_or(DomainError::NotFound)?;
        let key = match (&mine.sealed_key, &rel.key_check) {
            (Some(sealed), _) => RelationshipKey::open_sealed(keys, sealed)
                .map_err(|_| damaged("relationship key"))?,
            (None, Some(_)) => return Err(key_not_shared_yet()),
            (None, None) => {
                let key = RelationshipKey::generate();
                let sealed = key
                    .seal_to(&keys.public_key())
                    .map_err(|_| damaged("public key"))?;
                let check = seal_check(&key, rel.id);
                if !store
                    .create_relationship_key(rel.id, self.id, &sealed, &check)
                    .await?
                {
                    // Another member made it a moment ago; it is theirs to hand over.
                    return Err(key_not_shared_yet());
                }
                key
            }
        };
        if let Some(check) = &rel.key_check {
            if envelope::open_text(key.key(), check, &check_context(rel.id)).is_err() {
                return Err(damaged("relationship key check"));
            }
        }
        for member in &rel.members {
            if let (None, Some(public)) = (&member.sealed_key, &member.public_key) {
                if member.account_id == self.id {
                    continue;
                }
                let sealed = key.seal_to(public).map_err(|_| damaged("public key"))?;
                store
                    .give_relationship_key(rel.id, member.account_id, &sealed)
                    .await?;
            }
        }
        Ok(Shared {
            rel: rel.id,
            key,
            clear_text_allowed: rel.clear_text_allowed,
        })
    }
}

impl Me {
    /// The couple's key of `rel` as their counselor holds it: sealed to the
    /// counselor when they joined (`counselor::engagements::join`), and
    /// checked against the couple's key check like a member's.
    pub(crate) fn counselor_key(
        &self,
        rel: &Relationship,
        sealed: &str,
    ) -> Result<Shared, DomainError> {
        let key = RelationshipKey::open_sealed(self.account_keys()?, sealed)
            .map_err(|_| damaged("counselor's relationship key"))?;
        if let Some(check) = &rel.key_check {
            if envelope::open_text(key.key(), check, &check_context(rel.id)).is_err() {
                return Err(damaged("relationship key check"));
            }
        }
        Ok(Shared {
            rel: rel.id,
            key,
            clear_text_allowed: rel.clear_text_allowed,
        })
    }
}

fn check_context(rel: RelationshipId) -> String {
    format!("relationships.key_check:{rel}")
}

/// The key check of a new relationship's key.
pub fn seal_check(key: &RelationshipKey, rel: RelationshipId) -> String {
    envelope::seal_text(key.key(), KEY_CHECK, &check_context(rel))
}

impl Own<'_> {
    fn context(&self, field: &str, record: &str) -> String {
        format!("{field}:{}:{record}", self.owner)
    }

    /// Seals `text` for `field` of `record` (e.g. `api_tokens.name`, the token id).
    pub fn seal(&self, field: &str, record: &str, text: &str) -> String {
        envelope::seal_text(self.keys.data_key(), text, &self.context(field, record))
    }

    pub fn open(&self, field: &str, record: &str, stored: &str) -> Result<String, DomainError> {
        envelope::open_text(self.keys.data_key(), stored, &self.context(field, record))
            .map(|text| text.as_str().to_owned())
            .map_err(|_| damaged(field))
    }
}

impl Shared {
    /// The key itself (to wrap it for a new invitation code).
    pub(crate) fn relationship_key(&self) -> &RelationshipKey {
        &self.key
    }

    fn context(&self, field: &str, record: &str) -> String {
        format!("{field}:{}:{record}", self.rel)
    }

    pub fn seal(&self, field: &str, record: &str, text: &str) -> String {
        envelope::seal_text(self.key.key(), text, &self.context(field, record))
    }

    /// Opens a text of this relationship. One written before encryption at
    /// rest (no envelope) reads as itself, but only in a relationship made
    /// before then: anywhere else a clear text was planted, and is refused.
    pub fn open(&self, field: &str, record: &str, stored: &str) -> Result<String, DomainError> {
        if !envelope::is_sealed(stored) && self.clear_text_allowed {
            return Ok(stored.to_owned());
        }
        envelope::open_text(self.key.key(), stored, &self.context(field, record))
            .map(|text| text.as_str().to_owned())
            .map_err(|_| damaged(field))
    }
}
