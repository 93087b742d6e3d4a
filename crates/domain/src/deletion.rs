//! Deleting an account (issue 14; SECURITY.md R28(d), R29, R38): the owner,
//! with their password, removes their account and everything that is only
//! theirs, at once and for good, without anyone's consent.
//!
//! What goes and what stays follows one rule: a person's own words go, the
//! partner's words stay (§1.3, the "ex-partner after unlink" column, which
//! already hides each one's words from the other once a space has ended).
//!
//! - Every relationship the person has open (active, or pending an
//!   invitation) ends exactly as when they leave it
//!   (`Store::leave_relationship`). SECURITY (R29): the partner is sent
//!   nothing; they find the space ended, as after a leave.
//! - Gone: the contributions they logged (with any thanks the partner gave
//!   on them: a thanks is an answer to that entry and lives in its row);
//!   their thanks on entries the partner logged (value, note and time are
//!   cleared, so the entry reads as never thanked); their conversation
//!   notes; their side of every sealed round, drafts and submitted answers
//!   alike; the respect areas they added; their show-numbers choices, open
//!   invitations, sessions, tokens, security events, held forms and reset
//!   links; their two-step sign-in (the sealed secret and the recovery
//!   codes' hashes). The account's kind stays on the tombstone (it says
//!   nothing of the person).
//! - A sealed round keeps its row and the partner's side; the person's side
//!   is emptied (answers and submission time set NULL) rather than deleted.
//!   A round needs its two sides (`Round::from_record`), deleting the round
//!   would take the partner's answers with it, and keeping a submission time
//!   without answers breaks the rule that a submitted side holds answers.
//!   An emptied side reads as "never answered", which is what is left of it;
//!   round numbers stay, so the partner's history keeps its numbering. The
//!   partner, now a former partner, reads rounds by their own side alone
//!   (`rounds::own_only`), so their view does not change.
//! - The respect areas the person added are deleted. The partner's answers
//!   keep their ratings under the area's id, but once the space has ended
//!   the partner's map already leaves out the areas the other added
//!   (`RespectMap::load`), so nothing the partner sees changes, and the name
//!   (the deleted person's words) does not stay behind.
//! - Episodes: one the person recorded and never shared goes whole; one
//!   they shared stays (the partner's own view and repair hang on it) with
//!   its title emptied. The person's own views and turns go; the partner's
//!   view keeps its turns, naming the person as a turn's actor by id only.
//! - Stays: everything the partner wrote: entries they logged (also those
//!   where the deleted person gave or received), their thanks, answers and
//!   notes.
//! - The account row stays, as a tombstone, so that the references in what
//!   the partner keeps still hold: the e-mail address becomes
//!   `deleted:<account id>` (unique, and not an address, so it can never be
//!   signed in with, and the real address is free to sign up again), the
//!   display name becomes [`FORMER_MEMBER`] (what the former partner reads
//!   beside their own words), and the password and recovery hashes are
//!   emptied, so nobody can sign in or reset a password into it.
//!
//! The check of the password and the deletion are one conditional write: of
//! a deletion racing a password change, or two deletions, only the first
//! finds the password hash it was checked against.

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::error::DomainError;
use crate::ids::AccountId;
use crate::store::{Account, Principal};

/// The display name a deleted account is shown by, beside the words its
/// former partner keeps. Neutral on purpose: it says nothing of why.
pub const FORMER_MEMBER: &str = "Former member";

/// The e-mail column of a deleted account: unique (the id is), and not an
/// e-mail address (no `@`), so `Email::parse` refuses it at every sign-in.
pub fn tombstone_email(id: AccountId) -> String {
    format!("deleted:{id}")
}

/// Whether `account` is what is left of a deleted account. No password can
/// match an empty hash, so no sign-in opens one.
pub fn is_deleted(account: &Account) -> bool {
    account.password_hash.is_empty()
}

/// SECURITY: a credential that resolves to a deleted account opens
/// nothing. Deletion removes every session and token in its transaction,
/// but a sign-in that checked the password just before it (the hash is
/// slow on purpose) can still write its new session just after; that
/// session must not reach the tombstone.
pub fn live(principal: Option<Principal>) -> Option<Principal> {
    principal.filter(|p| !is_deleted(&p.account))
}

/// Deletes `account` if its password hash is still `expected_password_hash`
/// (the one the caller's password was just checked against): see the module
/// comment. 409 `account_changed` when a racing password change or deletion
/// came first; nothing is changed then.
pub async fn delete_account(
    app: &App,
    account: AccountId,
    expected_password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if app
        .store()
        .delete_account(account, expected_password_hash, now)
        .await?
    {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "account_changed",
            "Your account changed a moment ago (a new password, or it was already deleted). \
             Nothing was deleted by this request; sign in again and retry if you still want to.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Email;

    #[test]
    fn a_tombstone_address_is_unique_and_never_an_address() {
        let (a, b) = (AccountId::new(), AccountId::new());
        assert_ne!(tombstone_email(a), tombstone_email(b));
        assert!(Email::parse(&tombstone_email(a)).is_err());
    }
}
