//! Accounts and their credentials as the web layer's authentication uses
//! them: create an account, find one to check a password against, keep
//! sessions and tokens, change or reset a password, record what happened for
//! the owner. Hashing, cookies and rate limits stay in `web`; this is the
//! store behind them, reachable only through [`App`], and the rules that do
//! not depend on HTTP (how long a token may live, which session is whose).

use chrono::{DateTime, Duration, Utc};

use crate::app::App;
use crate::error::{DomainError, FieldError};
use crate::ids::AccountId;
use crate::me::Me;
use crate::secret::{Secret, SecretHash};
use crate::store::{
    Account, Credential, HeldForm, NewAccount, NewSession, NewToken, PasswordChange, Principal,
    ResetKeys, ResetProof, SecurityEvent, SecurityEventKind, SessionInfo, StoreError, Sweep,
    TokenInfo,
};
use crate::values::Email;

/// What an account is for (SECURITY.md R13, issue 18). Chosen at sign-up
/// and never changed afterwards, so a rule that reads it cannot race a
/// change of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountKind {
    /// One of a couple (the default). Two-step sign-in is optional.
    #[default]
    Partner,
    /// A counselor: never joins a couple's space, reads only what both
    /// partners allow, and must sign in with two steps before that.
    Counselor,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Partner => "partner",
            Self::Counselor => "counselor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "partner" => Some(Self::Partner),
            "counselor" => Some(Self::Counselor),
            _ => None,
        }
    }

    /// The kind a sign-up asked for; `None` means a partner.
    pub fn from_request(requested: Option<&str>) -> Result<Self, FieldError> {
        match requested {
            None => Ok(Self::Partner),
            Some(text) => Self::parse(text).ok_or_else(|| {
                FieldError::new(
                    "kind",
                    "invalid_kind",
                    "An account is either \"partner\" or \"counselor\".",
                )
            }),
        }
    }
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("email taken")]
    EmailTaken,
    #[error(transparent)]
    Other(#[from] DomainError),
}

pub async fn create(app: &App, account: &NewAccount) -> Result<(), CreateError> {
    match app.store().insert_account(account).await {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(CreateError::EmailTaken),
        Err(other) => Err(CreateError::Other(other.into())),
    }
}

/// The account with this address, to verify a password against.
pub async fn by_email(app: &App, email: &Email) -> Result<Option<Account>, DomainError> {
    Ok(app.store().account_by_email(email).await?)
}

pub async fn by_id(app: &App, id: AccountId) -> Result<Option<Account>, DomainError> {
    Ok(app.store().account_by_id(id).await?)
}

/// The caller behind a credential, with account and memberships, in one read.
pub async fn principal(
    app: &App,
    credential: Credential<'_>,
) -> Result<Option<Principal>, DomainError> {
    // A deleted account's leftover credential opens nothing (`deletion::live`).
    Ok(crate::deletion::live(
        app.store().principal(credential).await?,
    ))
}

// Sessions.

pub async fn start_session(app: &App, session: &NewSession) -> Result<(), DomainError> {
    Ok(app.store().insert_session(session).await?)
}

pub async fn end_session(app: &App, id_hash: &SecretHash) -> Result<(), DomainError> {
    Ok(app.store().delete_session(id_hash).await?)
}

/// Moves `last_seen_at` to `now` unless it is already later than `unless_after`.
pub async fn touch_session(
    app: &App,
    id_hash: &SecretHash,
    now: DateTime<Utc>,
    unless_after: DateTime<Utc>,
) -> Result<(), DomainError> {
    Ok(app
        .store()
        .touch_session(id_hash, now, unless_after)
        .await?)
}

/// The owner's sessions, most recently used first.
pub async fn sessions(app: &App, owner: AccountId) -> Result<Vec<SessionInfo>, DomainError> {
    Ok(app.store().sessions_of(owner).await?)
}

/// Ends one of the owner's own sessions; anyone else's id is not found.
pub async fn end_session_of(
    app: &App,
    owner: AccountId,
    id: uuid::Uuid,
) -> Result<(), DomainError> {
    if app.store().end_session_of(owner, id).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// "Sign out everywhere else": every session of the owner but `keep`.
pub async fn end_other_sessions(
    app: &App,
    owner: AccountId,
    keep: &SecretHash,
) -> Result<u64, DomainError> {
    Ok(app.store().end_other_sessions(owner, keep).await?)
}

/// Removes whatever has run out (sessions, tokens, links, old events).
pub async fn sweep(app: &App, sweep: &Sweep) -> Result<u64, DomainError> {
    Ok(app.store().sweep(sweep).await?)
}

// Personal API tokens.

/// How long a personal token lives (SECURITY.md R17): 90 days unless the
/// owner asks otherwise, and never more than a year, so a token forgotten
/// in a script or taken from an unlocked browser stops on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime(i64);

impl TokenLifetime {
    pub const DEFAULT_DAYS: i64 = 90;
    pub const MAX_DAYS: i64 = 365;

    pub fn days(requested: Option<i64>) -> Result<Self, FieldError> {
        let days = requested.unwrap_or(Self::DEFAULT_DAYS);
        if !(1..=Self::MAX_DAYS).contains(&days) {
            return Err(FieldError::new(
                "expires_in_days",
                "out_of_range",
                format!("A token can last from 1 to {} days.", Self::MAX_DAYS),
            ));
        }
        Ok(Self(days))
    }

    pub fn expires_at(self, from: DateTime<Utc>) -> DateTime<Utc> {
        from + Duration::days(self.0)
    }
}

/// The field a token's name is sealed as (with its owner's key: only they list tokens).
const TOKEN_NAME: &str = "api_tokens.name";

/// Stores a new token; its name is sealed with the owner's key.
pub async fn mint_token(app: &App, me: &Me, token: &NewToken) -> Result<(), DomainError> {
    let sealed = NewToken {
        name: me
            .own()?
            .seal(TOKEN_NAME, &token.id.to_string(), &token.name),
        ..token.clone()
    };
    Ok(app.store().insert_token(&sealed).await?)
}

/// The owner's tokens, newest first; never their secrets.
pub async fn tokens(app: &App, me: &Me) -> Result<Vec<TokenInfo>, DomainError> {
    let own = me.own()?;
    app.store()
        .tokens_of(me.id)
        .await?
        .into_iter()
        .map(|token| {
            Ok(TokenInfo {
                name: own.open(TOKEN_NAME, &token.id.to_string(), &token.name)?,
                ..token
            })
        })
        .collect()
}

/// Revokes one of the owner's tokens; anyone else's id is not found.
pub async fn revoke_token(app: &App, owner: AccountId, id: uuid::Uuid) -> Result<(), DomainError> {
    if app.store().revoke_token(owner, id).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// Records that a token was used now, unless it already was after `unless_after`.
pub async fn touch_token(
    app: &App,
    id: uuid::Uuid,
    now: DateTime<Utc>,
    unless_after: DateTime<Utc>,
) -> Result<(), DomainError> {
    Ok(app.store().touch_token(id, now, unless_after).await?)
}

// Passwords and recovery.

/// Sets a new password; every other session and every token end with the
/// old one. Of two racing changes made with the same current password,
/// the second finds the password already changed (409).
pub async fn change_password(app: &App, change: &PasswordChange<'_>) -> Result<(), DomainError> {
    if app.store().change_password(change).await? {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "password_changed",
            "Your password was changed a moment ago. Sign in with the new one.",
        ))
    }
}

/// Sets a new password for whoever holds the proof (recovery code or
/// operator's link), using the proof up; every session and token ends.
pub async fn reset_password(
    app: &App,
    proof: &ResetProof<'_>,
    new_hash: &str,
    keys: &ResetKeys<'_>,
) -> Result<Option<AccountId>, DomainError> {
    Ok(app.store().reset_password(proof, new_hash, keys).await?)
}

/// Whose reset link this is, while it works (a read: the reset itself
/// uses the link up in its own conditional write).
pub async fn reset_link_owner(
    app: &App,
    token_hash: &SecretHash,
    now: DateTime<Utc>,
) -> Result<Option<AccountId>, DomainError> {
    Ok(app.store().reset_link_owner(token_hash, now).await?)
}

/// Replaces the recovery code, and the data key wrapped by it.
pub async fn set_recovery_code(
    app: &App,
    owner: AccountId,
    code_hash: &SecretHash,
    key_by_recovery: Option<&str>,
) -> Result<(), DomainError> {
    Ok(app
        .store()
        .set_recovery_code(owner, code_hash, key_by_recovery)
        .await?)
}

/// Gives keys to an account made before encryption at rest (at sign-in,
/// the one moment its password is at hand); false when a concurrent
/// sign-in gave it keys first (then those are the account's).
pub async fn give_keys(
    app: &App,
    owner: AccountId,
    keys: &crate::store::StoredAccountKeys,
) -> Result<bool, DomainError> {
    Ok(app.store().set_account_keys(owner, keys).await?)
}

/// How long an operator's reset link works.
pub const RESET_LINK_LIFETIME: Duration = Duration::hours(24);

/// A reset link's secret (shown once, on the operator's terminal) and when
/// it stops working.
pub struct ResetLink {
    pub token: Secret,
    pub expires_at: DateTime<Utc>,
}

/// The operator's way to help someone locked out (R11): a one-time link,
/// replacing any earlier one, that lets its holder choose a new password.
/// The operator never chooses or learns the password. The owner finds the
/// event in their security events. `None` when no account has this address.
pub async fn issue_reset_link(
    app: &App,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<Option<ResetLink>, DomainError> {
    let Some(account) = by_email(app, email).await? else {
        return Ok(None);
    };
    let token = Secret::generate("");
    let expires_at = now + RESET_LINK_LIFETIME;
    app.store()
        .insert_reset_link(account.id, &token.hash(), now, expires_at)
        .await?;
    record(
        app,
        &SecurityEvent {
            id: uuid::Uuid::new_v4(),
            account_id: account.id,
            kind: SecurityEventKind::ResetLinkCreated,
            at: now,
            device: "The server's operator".to_owned(),
            client: String::new(),
        },
    )
    .await?;
    Ok(Some(ResetLink { token, expires_at }))
}

// Security events (SECURITY.md R16): written for the owner, read by the
// owner; no other use case reads them.

pub async fn record(app: &App, event: &SecurityEvent) -> Result<(), DomainError> {
    Ok(app.store().insert_security_event(event).await?)
}

/// How many events the owner's list shows.
pub const EVENTS_SHOWN: u32 = 100;

pub async fn security_events(
    app: &App,
    owner: AccountId,
) -> Result<Vec<SecurityEvent>, DomainError> {
    Ok(app.store().security_events_of(owner, EVENTS_SHOWN).await?)
}

/// Every event still kept for the owner (the server keeps them 90 days),
/// for the owner's export: a person keeping evidence (SECURITY.md R37)
/// needs all of them, not the page's latest [`EVENTS_SHOWN`].
pub async fn security_events_kept(
    app: &App,
    owner: AccountId,
) -> Result<Vec<SecurityEvent>, DomainError> {
    Ok(app.store().security_events_of(owner, u32::MAX).await?)
}

/// How many times someone failed (or was slowed) signing in to the account
/// since the owner's previous sign-in: what the home page alerts the owner
/// to (R16, "alerts appear in the app at the next login"). `events` are
/// newest first, as [`security_events`] gives them; counting stops at the
/// second sign-in (the first is the one that opened this session).
pub fn failures_since_last_sign_in(events: &[SecurityEvent]) -> usize {
    let mut sign_ins = 0;
    let mut failures = 0;
    for event in events {
        match event.kind {
            SecurityEventKind::SignedIn => {
                sign_ins += 1;
                if sign_ins == 2 {
                    break;
                }
            }
            SecurityEventKind::SignInFailed
            | SecurityEventKind::SignInThrottled
            | SecurityEventKind::TwoFactorRefused => failures += 1,
            _ => {}
        }
    }
    failures
}

// Forms held across a sign-out.

/// How long a held form waits for its author to sign in again.
pub const HOLD_FOR: Duration = Duration::minutes(30);

pub async fn hold_form(app: &App, form: &HeldForm) -> Result<(), DomainError> {
    Ok(app.store().insert_held_form(form).await?)
}

/// The owner's held form `id`, once, if it is still fresh.
pub async fn take_held_form(
    app: &App,
    owner: AccountId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Option<HeldForm>, DomainError> {
    Ok(app
        .store()
        .take_held_form(id, owner, now - HOLD_FOR)
        .await?)
}

// The server's own.

/// A key the server keeps for itself under `name` (the stored one, or `fresh`).
pub async fn server_secret(app: &App, name: &str, fresh: &str) -> Result<String, DomainError> {
    Ok(app.store().server_secret(name, fresh).await?)
}

/// Answers once the database can serve a query.
pub async fn ping(app: &App) -> Result<(), DomainError> {
    Ok(app.store().ping().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(kinds: &[SecurityEventKind]) -> Vec<SecurityEvent> {
        kinds
            .iter()
            .map(|&kind| SecurityEvent {
                id: uuid::Uuid::nil(),
                account_id: AccountId::new(),
                kind,
                at: DateTime::from_timestamp(0, 0).unwrap_or_default(),
                device: String::new(),
                client: String::new(),
            })
            .collect()
    }

    #[test]
    fn failures_are_counted_back_to_the_sign_in_before_this_one() {
        use SecurityEventKind::*;
        // Newest first: this sign-in, two failures and a slow-down since the
        // last one, then older failures the owner was already told about.
        let list = events(&[
            SignedIn,
            SignInFailed,
            TokenCreated,
            SignInThrottled,
            SignInFailed,
            SignedIn,
            SignInFailed,
        ]);
        assert_eq!(failures_since_last_sign_in(&list), 3);
        // Failures after this sign-in count too (someone trying meanwhile).
        assert_eq!(
            failures_since_last_sign_in(&events(&[SignInFailed, SignedIn, SignedIn])),
            1
        );
        assert_eq!(failures_since_last_sign_in(&events(&[SignedIn])), 0);
        assert_eq!(failures_since_last_sign_in(&[]), 0);
    }

    #[test]
    fn tokens_live_ninety_days_unless_asked_and_never_past_a_year() {
        let t0 = DateTime::from_timestamp(0, 0).unwrap_or_default();
        let default = TokenLifetime::days(None).expect("default");
        assert_eq!(default.expires_at(t0), t0 + Duration::days(90));
        assert!(TokenLifetime::days(Some(365)).is_ok());
        assert!(TokenLifetime::days(Some(1)).is_ok());
        for bad in [0, -1, 366, i64::MAX] {
            let err = TokenLifetime::days(Some(bad)).expect_err("refused");
            assert_eq!(err.field, "expires_in_days");
        }
    }
}
