//! Keys held across requests without the server keeping them readable: at
//! sign-in the unwrapped account keys are sealed under a random secret that
//! is sent to the browser in the session cookie and never stored. The
//! database row of the session holds only the sealed keys, so the database
//! alone (a copy, a backup, an operator's query) opens nothing; each request
//! brings the cookie, and the keys are opened for that request only.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::account::AccountKeys;
use crate::{envelope, Key, KeyError};

pub struct SessionSecret(Key);

fn context(session_id: &str) -> String {
    format!("session:{session_id}")
}

impl SessionSecret {
    pub fn generate() -> Self {
        Self(Key::generate())
    }

    /// As the cookie carries it.
    /// The secret of a credential the server hands out and stores only as
    /// a SHA-256 hash (a session id in its cookie, a personal API token):
    /// derived from it with argon2id under a salt of its own, so the stored
    /// hash (another function of the credential) tells nothing about it.
    /// The credential carries 256 random bits, so no stretching is needed.
    pub fn of_credential(credential: &str) -> Result<Self, KeyError> {
        crate::wrap::derive(
            credential,
            b"reciprocity:credential-keys",
            crate::Cost::RANDOM_CODE,
            &mut crate::wrap::Memory::new(),
        )
        .map(Self)
    }

    pub fn to_cookie(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.bytes())
    }

    pub fn from_cookie(value: &str) -> Result<Self, KeyError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(value)
            .map_err(|_| KeyError::Malformed("session secret"))?;
        Key::from_slice(&bytes, "session secret").map(Self)
    }

    /// The keys sealed for the session's row.
    pub fn lock(&self, keys: &AccountKeys, session_id: &str) -> String {
        envelope::seal(&self.0, keys.to_bytes().as_ref(), &context(session_id))
    }

    /// The keys back, for one request.
    pub fn unlock(&self, locked: &str, session_id: &str) -> Result<AccountKeys, KeyError> {
        let bytes = envelope::open(&self.0, locked, &context(session_id))?;
        AccountKeys::from_bytes(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_always_derives_the_same_secret_and_another_credential_does_not() {
        let keys = AccountKeys::generate();
        let locked = SessionSecret::of_credential("session-id-1")
            .expect("derives")
            .lock(&keys, "s1");
        let again = SessionSecret::of_credential("session-id-1").expect("derives");
        assert_eq!(
            again.unlock(&locked, "s1").expect("opens").public_key(),
            keys.public_key()
        );
        let other = SessionSecret::of_credential("session-id-2").expect("derives");
        assert_eq!(
            other.unlock(&locked, "s1").err(),
            Some(KeyError::CannotOpen)
        );
    }

    #[test]
    fn only_the_cookie_opens_the_sessions_keys() {
        let keys = AccountKeys::generate();
        let secret = SessionSecret::generate();
        let locked = secret.lock(&keys, "s1");
        let cookie = secret.to_cookie();
        let back = SessionSecret::from_cookie(&cookie)
            .expect("cookie")
            .unlock(&locked, "s1")
            .expect("opens");
        assert_eq!(back.public_key(), keys.public_key());
        // Another session's cookie, or this cookie on another session's row.
        assert!(SessionSecret::generate().unlock(&locked, "s1").is_err());
        assert!(secret.unlock(&locked, "s2").is_err());
        for bad in ["", "short", "!!!!"] {
            assert!(SessionSecret::from_cookie(bad).is_err(), "{bad}");
        }
    }
}
