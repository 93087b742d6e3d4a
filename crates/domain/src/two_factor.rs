//! Two-step sign-in with an authenticator app (TOTP; SECURITY.md R13:
//! optional for partners, required for counselors, codes single-use).
//!
//! The use cases: start an enrolment (a fresh secret), confirm it with a
//! right code (ten one-time recovery codes, shown once), turn it off
//! (partners only), check the second step at sign-in, and [`ready`], the
//! gate a counselor's requests pass before they read anything.
//!
//! SECURITY:
//! - The secret is sealed with the account's own data key
//!   (`Me::own().seal`), which opens only with the password (or a session
//!   made with it): the operator, a backup or a copy of the database cannot
//!   compute a code. An operator's password reset makes new keys, so it
//!   removes two-step sign-in with the rest of what the old key sealed.
//! - Single use holds at the moment of writing: a code is accepted only by
//!   the write that moves `last_step` forward, a recovery code only by the
//!   write that sets its `used_at` while it is still empty. Two sign-ins
//!   racing with one code pass once; the other is refused.

use chrono::{DateTime, Utc};

use crate::accounts::AccountKind;
use crate::app::App;
use crate::error::{DomainError, FieldError};
use crate::ids::AccountId;
use crate::me::Me;
use crate::recovery::{self, RecoveryCode};
use crate::store::Account;
use crate::totp::{self, Secret};

/// How many recovery codes a confirmation makes.
pub const RECOVERY_CODES: usize = 10;

/// The name authenticator apps list the account under. Neutral on purpose
/// (R23, R31): a glance at the phone must not say what this site is for.
/// The same word as every page's title.
pub const ISSUER: &str = "Notes";

/// The field the secret is sealed as (bound to the account by `Me::own`).
const SECRET_FIELD: &str = "two_factor.secret";

/// An enrolment waiting for its first code: what the app needs to know.
pub struct Enrolment {
    pub secret: Secret,
    /// The `otpauth://` link (what the QR code holds).
    pub otpauth_uri: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(***)")
    }
}

/// Where an account stands with two-step sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Off,
    /// Started, waiting for a first right code.
    Enrolling,
    On {
        recovery_codes_left: u32,
    },
}

/// What the second step of a sign-in found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInCheck {
    /// The account has no two-step sign-in: the password was enough.
    NotOn,
    /// A right code from the app, now used.
    Code,
    /// A recovery code, now used.
    RecoveryCode,
    /// No code was given, and one is needed.
    Missing,
    /// A wrong code, one already used, or an unknown recovery code (one
    /// answer for all: which it was would help a guesser).
    Wrong,
}

fn already_on() -> DomainError {
    DomainError::conflict(
        "two_factor_on",
        "Two-step sign-in is already on for your account.",
    )
}

fn not_started() -> DomainError {
    DomainError::conflict(
        "two_factor_not_started",
        "Start by entering your password to get a new code for your app.",
    )
}

fn changed_meanwhile() -> DomainError {
    DomainError::conflict(
        "two_factor_changed",
        "Two-step sign-in changed a moment ago, perhaps in another window. \
         Please look at the page again.",
    )
}

fn wrong_code() -> DomainError {
    FieldError::new(
        "code",
        "invalid_two_factor",
        "That code doesn't match. Type the six digits your app shows now.",
    )
    .into()
}

/// The error [`ready`] answers for a counselor without two-step sign-in
/// (the API maps `Forbidden` to 403 with this code).
pub fn required() -> DomainError {
    DomainError::Forbidden {
        code: "two_factor_required",
        message: "Before you can see anything a couple shares with you, please turn on \
                  two-step sign-in from your account page. It takes a minute, and it \
                  keeps what they trust you with safe even if your password leaks."
            .into(),
    }
}

fn link(secret: &Secret, label: &str) -> String {
    totp::otpauth_uri(secret, ISSUER, label)
}

fn open_secret(me: &Me, sealed: &str) -> Result<Secret, DomainError> {
    let base32 = me.own()?.open(SECRET_FIELD, &me.id.to_string(), sealed)?;
    Secret::from_base32(&base32)
        .ok_or_else(|| DomainError::Storage("a two-factor secret is not base32".into()))
}

/// Where the account stands.
pub async fn status(app: &App, id: AccountId) -> Result<Status, DomainError> {
    Ok(match app.store().two_factor_of(id).await? {
        None => Status::Off,
        Some(record) if record.confirmed_at.is_none() => Status::Enrolling,
        Some(record) => Status::On {
            recovery_codes_left: record.recovery_codes_left,
        },
    })
}

/// Starts an enrolment with a fresh secret, replacing one not confirmed
/// yet; 409 `two_factor_on` when two-step sign-in is already on. `label`
/// is what the app shows beside [`ISSUER`] (the e-mail address).
pub async fn start(
    app: &App,
    me: &Me,
    label: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, DomainError> {
    let secret = Secret::generate();
    let sealed = me
        .own()?
        .seal(SECRET_FIELD, &me.id.to_string(), &secret.base32());
    // The write refuses when confirmed: no read-then-write gap.
    if !app.store().start_two_factor(me.id, &sealed, now).await? {
        return Err(already_on());
    }
    Ok(Enrolment {
        otpauth_uri: link(&secret, label),
        secret,
    })
}

/// The enrolment waiting for its first code, to show again (a page drawn
/// after a redirect); `None` when there is none.
pub async fn pending(app: &App, me: &Me, label: &str) -> Result<Option<Enrolment>, DomainError> {
    match app.store().two_factor_of(me.id).await? {
        Some(record) if record.confirmed_at.is_none() => {
            let secret = open_secret(me, &record.secret)?;
            Ok(Some(Enrolment {
                otpauth_uri: link(&secret, label),
                secret,
            }))
        }
        _ => Ok(None),
    }
}

/// Confirms the enrolment with a code from the app. Returns the recovery
/// codes, to show once: only their hashes are kept.
pub async fn confirm(
    app: &App,
    me: &Me,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RecoveryCode>, DomainError> {
    if code.trim().is_empty() {
        return Err(
            FieldError::new("code", "required", "Type the six digits your app shows.").into(),
        );
    }
    let store = app.store();
    let record = match store.two_factor_of(me.id).await? {
        None => return Err(not_started()),
        Some(record) if record.confirmed_at.is_some() => return Err(already_on()),
        Some(record) => record,
    };
    let secret = open_secret(me, &record.secret)?;
    let step =
        totp::verify(&secret, code, now.timestamp(), record.last_step).ok_or_else(wrong_code)?;
    let codes: Vec<RecoveryCode> = (0..RECOVERY_CODES)
        .map(|_| RecoveryCode::generate())
        .collect();
    let hashes: Vec<_> = codes.iter().map(RecoveryCode::hash).collect();
    // The write holds only if the secret is still the one just checked
    // (another window may have restarted the enrolment) and not confirmed.
    if !store
        .confirm_two_factor(me.id, &record.secret, step, now, &hashes)
        .await?
    {
        return Err(changed_meanwhile());
    }
    Ok(codes)
}

/// Whether the account may turn two-step sign-in off: partners only.
pub fn may_turn_off(account: &Account) -> Result<(), DomainError> {
    if account.kind == AccountKind::Counselor {
        return Err(DomainError::conflict(
            "two_factor_required_for_counselors",
            "Counselor accounts always sign in with two steps, to keep what couples \
             share with you safe, so it stays on. If you lost your phone, you can still \
             sign in with one of your recovery codes.",
        ));
    }
    Ok(())
}

/// Turns two-step sign-in off (or abandons an enrolment). Partners only:
/// a counselor's account keeps it (409 `two_factor_required_for_counselors`).
/// 409 `two_factor_off` when there was nothing to turn off.
pub async fn turn_off(app: &App, account: &Account) -> Result<(), DomainError> {
    may_turn_off(account)?;
    // The store's write repeats the rule (partners only).
    if app.store().remove_two_factor(account.id).await? {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "two_factor_off",
            "Two-step sign-in is already off for your account.",
        ))
    }
}

/// The second step of a sign-in, after the password was right (`me` holds
/// the keys it opened). A code is spent by the write that accepts it.
pub async fn check_at_sign_in(
    app: &App,
    me: &Me,
    typed: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SignInCheck, DomainError> {
    let store = app.store();
    let record = match store.two_factor_of(me.id).await? {
        Some(record) if record.confirmed_at.is_some() => record,
        // Not on, or only started: the password was enough.
        _ => return Ok(SignInCheck::NotOn),
    };
    let typed: String = typed
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if typed.is_empty() {
        return Ok(SignInCheck::Missing);
    }
    let looks_like_app_code =
        typed.len() == totp::DIGITS as usize && typed.bytes().all(|b| b.is_ascii_digit());
    if looks_like_app_code {
        let secret = open_secret(me, &record.secret)?;
        let Some(step) = totp::verify(&secret, &typed, now.timestamp(), record.last_step) else {
            return Ok(SignInCheck::Wrong);
        };
        // SECURITY: single use is decided here, by the conditional write,
        // not by the read above: of two sign-ins with this code, one moves
        // `last_step` and the other finds it moved.
        return Ok(if store.use_two_factor_step(me.id, step).await? {
            SignInCheck::Code
        } else {
            SignInCheck::Wrong
        });
    }
    let hash = recovery::hash_typed(&typed);
    Ok(
        if store
            .use_two_factor_recovery_code(me.id, &hash, now)
            .await?
        {
            SignInCheck::RecoveryCode
        } else {
            SignInCheck::Wrong
        },
    )
}

/// Whether the account may go on to what needs two-step sign-in: always
/// for a partner; for a counselor only once it is on. Otherwise 403
/// `two_factor_required` ([`required`]). An unknown account is not found.
pub async fn ready(app: &App, id: AccountId) -> Result<(), DomainError> {
    let account = app
        .store()
        .account_by_id(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    match account.kind {
        AccountKind::Partner => Ok(()),
        AccountKind::Counselor if account.two_factor => Ok(()),
        AccountKind::Counselor => Err(required()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_neutral() {
        let lower = ISSUER.to_lowercase();
        for word in [
            "reciprocity",
            "couple",
            "relationship",
            "counsel",
            "therapy",
        ] {
            assert!(!lower.contains(word), "{word}");
        }
        let uri = link(&Secret::from_bytes(b"foobar"), "sam@example.org");
        assert!(uri.starts_with("otpauth://totp/Notes:sam%40example.org?"));
    }

    #[test]
    fn a_counselor_without_two_step_sign_in_is_told_warmly_with_a_stable_code() {
        match required() {
            DomainError::Forbidden { code, message } => {
                assert_eq!(code, "two_factor_required");
                assert!(message.contains("two-step sign-in"));
            }
            other => panic!("{other:?}"),
        }
    }
}
