//! A couple's counselor (issue 18; SECURITY.md R13, R33, R34).
//!
//! - [`consent`]: the rules of two-key consent, pure.
//! - [`engagements`]: invite, join, approve, renew, revoke; what each
//!   partner sees of their counselor and what a counselor sees of clients.
//! - [`sight`]: the one door through which a counselor reads a couple's
//!   data: checked again on every request, so a revocation or an expiry
//!   refuses the very next one.
//! - [`notes`]: a partner's private note to the counselor (D7).
//! - [`report`]: the session report, built only from what both allowed.

pub mod consent;
pub mod engagements;
pub mod notes;
pub mod report;
pub mod sight;

pub use consent::{Approval, Category, ConsentError, Engagement, GRANT_DAYS};

use crate::accounts::AccountKind;
use crate::app::App;
use crate::error::DomainError;
use crate::ids::AccountId;
use crate::store::Account;

/// The caller's account, when it may act as a counselor: a counselor
/// account (403 `counselor_only` for a partner's), with two-step sign-in on
/// (403 `two_factor_required` until then; SECURITY.md R13).
pub(crate) async fn counselor_account(app: &App, id: AccountId) -> Result<Account, DomainError> {
    let account = app
        .store()
        .account_by_id(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    if account.kind != AccountKind::Counselor {
        return Err(DomainError::Forbidden {
            code: "counselor_only",
            message: "This is for counselors. A couple brings one in from their own space, \
                      under Counselor."
                .into(),
        });
    }
    crate::two_factor::ready(app, id).await?;
    Ok(account)
}
