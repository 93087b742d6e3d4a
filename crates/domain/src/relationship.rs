//! Relationships: how two accounts become a couple, and how either leaves.
//!
//! Rules, each enforced here and nowhere else:
//! - an account is in at most one open (pending or active) relationship
//!   (checked first for a helpful message; held by a partial unique index on
//!   open memberships, so two requests racing cannot both pass);
//! - an invitation works once, for 7 days, and never for its own creator;
//! - only members see a relationship; anyone else is told it does not exist;
//! - either member can leave at any time, alone; nobody is notified.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::Serialize;

use crate::access;
use crate::accounts::AccountKind;
use crate::app::App;
use crate::error::{DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::me::{self, Me};
use crate::secret::SecretHash;
use crate::store::{
    JoinOutcome, Membership, NewRelationship, NewRelationshipKeys, Relationship, Store, StoreError,
};

/// How long an invitation stays valid.
pub const INVITE_LIFETIME_DAYS: i64 = 7;
/// 20 random bytes: 160 bits, above the 128 the issue asks for.
const INVITE_BYTES: usize = 20;
/// RFC 4648 base32 in lower case: no symbols, so the code survives being read aloud.
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationshipStatus {
    /// Created, waiting for the partner to join.
    Pending,
    Active,
    /// One member left; the space is closed for both.
    Ended,
}

impl RelationshipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "active" => Some(Self::Active),
            "ended" => Some(Self::Ended),
            _ => None,
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Self::Ended)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Partner,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "partner" => Some(Self::Partner),
            _ => None,
        }
    }
}

/// An invitation code as shown to its creator: 32 base32 characters in
/// groups of four, e.g. `abcd-efgh-…`.
pub struct InviteCode(String);

impl InviteCode {
    pub fn generate() -> Self {
        let mut bytes = [0u8; INVITE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(group(&base32(&bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        hash_invite(&self.0)
    }
}

/// The stored form of a code as typed: case, spaces and dashes do not matter.
pub fn hash_invite(typed: &str) -> SecretHash {
    SecretHash::of(&normalise(typed))
}

/// A code as typed, in the form its wrapped key was made with (a
/// counselor's invitation code is made and typed like a partner's).
pub(crate) fn normalise_code(typed: &str) -> String {
    normalise(typed)
}

/// A code as typed, without what does not matter (case, spaces, dashes).
fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The relationship key wrapped by an invitation code, for the joiner.
fn wrap_for_invitation(
    key: &keys::RelationshipKey,
    rel: RelationshipId,
    code: &InviteCode,
) -> Result<String, DomainError> {
    key.for_invitation(
        &rel.to_string(),
        &normalise(code.expose()),
        &mut keys::wrap::Memory::new(),
    )
    .map_err(|e| DomainError::Storage(format!("wrap the relationship key: {e}")))
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn group(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A new invitation, as its creator sees it once.
pub struct Invitation {
    pub relationship_id: RelationshipId,
    pub code: InviteCode,
    pub expires_at: DateTime<Utc>,
}

/// Opens a new relationship with `creator` as its first member.
/// The couple's key is made here: sealed to the creator, and wrapped by
/// the invitation code for the joiner.
pub async fn create(app: &App, me: &Me, now: DateTime<Utc>) -> Result<Invitation, DomainError> {
    let store = app.store();
    let creator = me.id;
    ensure_partner(store, creator).await?;
    ensure_no_open_relationship(store, creator).await?;
    let code = InviteCode::generate();
    let invitation = Invitation {
        relationship_id: RelationshipId::new(),
        expires_at: now + Duration::days(INVITE_LIFETIME_DAYS),
        code,
    };
    let rel = invitation.relationship_id;
    let key = keys::RelationshipKey::generate();
    let keys = NewRelationshipKeys {
        for_creator: key
            .seal_to(&me.account_keys()?.public_key())
            .map_err(|e| DomainError::Storage(format!("seal the relationship key: {e}")))?,
        for_invitation: wrap_for_invitation(&key, rel, &invitation.code)?,
        check: me::seal_check(&key, rel),
    };
    store
        .create_relationship(&NewRelationship {
            id: rel,
            creator,
            invite_hash: invitation.code.hash(),
            invite_expires_at: invitation.expires_at,
            created_at: now,
            keys,
        })
        .await
        .map_err(open_elsewhere)?;
    Ok(invitation)
}

/// A fresh code for a relationship still waiting for its partner; the old code stops working.
pub async fn renew_invite(
    app: &App,
    me: &Me,
    id: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Invitation, DomainError> {
    let store = app.store();
    let relationship = visible_to(store, me.id, id).await?;
    if relationship.status == RelationshipStatus::Ended {
        return Err(access::ended());
    }
    if relationship.status != RelationshipStatus::Pending {
        return Err(DomainError::conflict(
            "not_pending",
            "Only a relationship still waiting for a partner has an invitation.",
        ));
    }
    let invitation = Invitation {
        relationship_id: id,
        code: InviteCode::generate(),
        expires_at: now + Duration::days(INVITE_LIFETIME_DAYS),
    };
    let key = me.shared(store, &relationship).await?;
    let wrapped = wrap_for_invitation(key.relationship_key(), id, &invitation.code)?;
    store
        .replace_invite(
            id,
            &invitation.code.hash(),
            invitation.expires_at,
            Some(&wrapped),
        )
        .await?;
    Ok(invitation)
}

/// Joins the relationship an invitation code belongs to.
/// The joiner receives the couple's key through the copy wrapped by the
/// code, sealed to them in the same write that spends the code.
pub async fn join(
    app: &App,
    me: &Me,
    typed_code: &str,
    now: DateTime<Utc>,
) -> Result<RelationshipId, DomainError> {
    let store = app.store();
    let account = me.id;
    if typed_code.trim().is_empty() {
        return Err(FieldError::new(
            "invite_code",
            "required",
            "Enter the invitation code your partner shared.",
        )
        .into());
    }
    if typed_code.len() > 200 {
        return Err(invalid_code().into());
    }
    // Before the code is looked at: a counselor learns nothing of it.
    ensure_partner(store, account).await?;
    if let Some(open) = open_membership(store, account).await? {
        // Someone waiting for their own partner who types a code has most
        // likely typed their own: say so, rather than only "not allowed".
        let message = if open.status == RelationshipStatus::Pending {
            "You already have a space waiting for your partner. If this is your own invitation, \
             send it to them; to join theirs instead, close yours first."
        } else {
            "You already have a relationship here. Leave it first to join another."
        };
        return Err(DomainError::Conflict {
            code: "already_in_relationship",
            message: message.into(),
            field: Some("invite_code"),
        });
    }
    let code_hash = hash_invite(typed_code);
    let sealed_key = match store.invitation(&code_hash).await? {
        Some(invitation) if invitation.created_by != account => match invitation.wrapped_key {
            Some(wrapped) => {
                let key = keys::RelationshipKey::from_invitation(
                    &wrapped,
                    &invitation.relationship_id.to_string(),
                    &normalise(typed_code),
                    &mut keys::wrap::Memory::new(),
                )
                .map_err(|e| DomainError::Storage(format!("open the invitation's key: {e}")))?;
                Some(
                    key.seal_to(&me.account_keys()?.public_key())
                        .map_err(|e| DomainError::Storage(format!("seal the key: {e}")))?,
                )
            }
            // An invitation from before encryption at rest: the partner
            // hands the key over at their next request.
            None => None,
        },
        // Unknown, or the caller's own: the write below says which.
        _ => None,
    };
    match store
        .join_relationship(&code_hash, account, now, sealed_key.as_deref())
        .await
        .map_err(open_elsewhere)?
    {
        JoinOutcome::Joined(id) => Ok(id),
        JoinOutcome::InvalidCode => Err(invalid_code().into()),
        JoinOutcome::OwnInvitation => Err(DomainError::Conflict {
            code: "own_invitation",
            message: "This is your own invitation. Share it with your partner so they can join."
                .into(),
            field: Some("invite_code"),
        }),
    }
}

/// The name of whoever made an invitation code that still works, for the
/// person about to join with it: the confirmation page says whose space
/// they are joining. `None`, without saying why, for an empty, unknown,
/// used, expired or own code, and for a counselor (who can't join).
///
/// SECURITY: the code is the secret that proves the inviter meant this
/// person; whoever holds it may join, and so may learn who asked. The web
/// page asks only for a signed-in visitor, so a link glimpsed in a message
/// preview does not name anyone to a passer-by.
pub async fn inviter(
    app: &App,
    me: &Me,
    typed_code: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, DomainError> {
    if typed_code.trim().is_empty() || typed_code.len() > 200 {
        return Ok(None);
    }
    let store = app.store();
    if ensure_partner(store, me.id).await.is_err() {
        return Ok(None);
    }
    let Some(invitation) = store.invitation(&hash_invite(typed_code)).await? else {
        return Ok(None);
    };
    if invitation.created_by == me.id || invitation.expires_at <= now {
        return Ok(None);
    }
    Ok(store
        .account_by_id(invitation.created_by)
        .await?
        .map(|a| a.display_name))
}

/// The store's unique rule on open memberships, as the person is told it:
/// the request raced another that opened a relationship for this account.
fn open_elsewhere(err: StoreError) -> DomainError {
    match err {
        StoreError::Conflict("open_relationship") => already_in_relationship(),
        other => other.into(),
    }
}

fn already_in_relationship() -> DomainError {
    DomainError::conflict(
        "already_in_relationship",
        "You already have a relationship here. Leave it first to start a new one.",
    )
}

fn invalid_code() -> FieldError {
    // One message for unknown, used and expired codes: telling them apart
    // would let a guesser learn which codes once existed.
    FieldError::new(
        "invite_code",
        "invite_invalid",
        "This code doesn't work. It may have been used already or be more than 7 days old. Ask your partner for a new one.",
    )
}

/// The relationship, if `actor` is or was one of its members. To anyone else
/// it does not exist (404, never 403: existence is not disclosed).
pub async fn get(
    app: &App,
    actor: AccountId,
    id: RelationshipId,
) -> Result<Relationship, DomainError> {
    visible_to(app.store(), actor, id).await
}

pub(crate) async fn visible_to(
    store: &dyn Store,
    actor: AccountId,
    id: RelationshipId,
) -> Result<Relationship, DomainError> {
    Ok(access::reader(store, actor, id).await?.rel)
}

/// The account's relationships, the open one (if any) first, then the
/// most recent.
pub async fn memberships(app: &App, account: AccountId) -> Result<Vec<Membership>, DomainError> {
    let mut all = app.store().memberships_of(account).await?;
    all.sort_by_key(|m| !m.status.is_open());
    Ok(all)
}

/// Leaves the relationship. Needs nobody's consent and notifies nobody;
/// leaving an already-ended relationship is a no-op, so a retry is safe.
pub async fn leave(
    app: &App,
    actor: AccountId,
    id: RelationshipId,
    now: DateTime<Utc>,
) -> Result<RelationshipStatus, DomainError> {
    let store = app.store();
    let relationship = visible_to(store, actor, id).await?;
    if relationship.status.is_open() {
        store.leave_relationship(id, actor, now).await?;
    }
    Ok(RelationshipStatus::Ended)
}

async fn open_membership(
    store: &dyn Store,
    account: AccountId,
) -> Result<Option<Membership>, DomainError> {
    Ok(store
        .memberships_of(account)
        .await?
        .into_iter()
        .find(|m| m.status.is_open()))
}

/// A counselor account never becomes one of a couple (issue 18): it reads
/// only what both partners allow, through an engagement. A read is enough
/// here: an account's kind never changes after sign-up. The answer names
/// nothing of any space.
async fn ensure_partner(store: &dyn Store, account: AccountId) -> Result<(), DomainError> {
    let kind = store
        .account_by_id(account)
        .await?
        .map_or(AccountKind::Partner, |a| a.kind);
    if kind == AccountKind::Counselor {
        return Err(DomainError::conflict(
            "counselor_account",
            "A counselor account can't create or join a couple's space. If you are also \
             in a relationship yourself, please make a separate partner account for that.",
        ));
    }
    Ok(())
}

async fn ensure_no_open_relationship(
    store: &dyn Store,
    account: AccountId,
) -> Result<(), DomainError> {
    if open_membership(store, account).await?.is_some() {
        return Err(already_in_relationship());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648_vectors() {
        // RFC 4648 section 10, lower-cased and without padding.
        assert_eq!(base32(b"f"), "my");
        assert_eq!(base32(b"fo"), "mzxq");
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
    }

    #[test]
    fn invite_codes_carry_160_bits_in_readable_groups() {
        let code = InviteCode::generate();
        let letters: String = code.expose().chars().filter(|c| *c != '-').collect();
        assert_eq!(letters.len(), 32, "32 base32 characters are 160 bits");
        assert_eq!(code.expose().split('-').count(), 8);
    }

    #[test]
    fn typed_codes_ignore_case_spaces_and_dashes() {
        let code = InviteCode::generate();
        let typed = code.expose().to_uppercase().replace('-', " ");
        assert_eq!(hash_invite(&typed), code.hash());
    }
}
