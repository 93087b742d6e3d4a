//! A person's keys: a random data key (for what only they may read: their
//! reflections, drafts, private notes) and an X25519 key pair (so a
//! relationship key can be sealed to them without their password).
//!
//! What the database keeps ([`StoredAccountKeys`]): the data key wrapped by
//! the password, and again by the recovery code; the public key; the
//! private key sealed by the data key. Without the password or the
//! recovery code, none of it opens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};
use zeroize::Zeroizing;

use crate::wrap::{self, Cost, Memory};
use crate::{envelope, Key, KeyError};

/// A person's keys, unwrapped: held only while they are signed in.
#[derive(Clone)]
pub struct AccountKeys {
    data: Key,
    secret: SecretKey,
}

/// What the database stores for an account (all text columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccountKeys {
    pub by_password: String,
    pub by_recovery_code: String,
    pub public_key: String,
    pub sealed_secret_key: String,
}

/// The contexts that bind each wrapping to its account and purpose.
fn context(account_id: &str, purpose: &str) -> String {
    format!("account:{account_id}:{purpose}")
}

impl AccountKeys {
    /// New keys for a new account.
    pub fn generate() -> Self {
        Self {
            data: Key::generate(),
            secret: SecretKey::generate(&mut OsRng),
        }
    }

    /// The key for texts only this person reads.
    pub fn data_key(&self) -> &Key {
        &self.data
    }

    /// The public half, as stored (base64url).
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.secret.public_key().as_bytes())
    }

    pub(crate) fn secret_key(&self) -> &SecretKey {
        &self.secret
    }

    /// Everything the database keeps, wrapped by both secrets.
    pub fn store(
        &self,
        account_id: &str,
        password: &str,
        recovery_code: &str,
        cost: Cost,
        memory: &mut Memory,
    ) -> Result<StoredAccountKeys, KeyError> {
        Ok(StoredAccountKeys {
            by_password: wrap::wrap(
                &self.data,
                password,
                cost,
                &context(account_id, "password"),
                memory,
            )?,
            by_recovery_code: wrap::wrap(
                &self.data,
                recovery_code,
                Cost::RANDOM_CODE,
                &context(account_id, "recovery"),
                memory,
            )?,
            public_key: self.public_key(),
            sealed_secret_key: envelope::seal(
                &self.data,
                &self.secret.to_bytes(),
                &context(account_id, "secret-key"),
            ),
        })
    }

    /// Unwrapped at sign-in.
    pub fn with_password(
        stored: &StoredAccountKeys,
        account_id: &str,
        password: &str,
        memory: &mut Memory,
    ) -> Result<Self, KeyError> {
        let data = wrap::unwrap(
            &stored.by_password,
            password,
            &context(account_id, "password"),
            memory,
        )?;
        Self::with_data_key(stored, account_id, data)
    }

    /// Unwrapped after a forgotten password, with the recovery code.
    pub fn with_recovery_code(
        stored: &StoredAccountKeys,
        account_id: &str,
        code: &str,
        memory: &mut Memory,
    ) -> Result<Self, KeyError> {
        let data = wrap::unwrap(
            &stored.by_recovery_code,
            code,
            &context(account_id, "recovery"),
            memory,
        )?;
        Self::with_data_key(stored, account_id, data)
    }

    fn with_data_key(
        stored: &StoredAccountKeys,
        account_id: &str,
        data: Key,
    ) -> Result<Self, KeyError> {
        let bytes = envelope::open(
            &data,
            &stored.sealed_secret_key,
            &context(account_id, "secret-key"),
        )?;
        let secret = Key::from_slice(&bytes, "secret key")?;
        let keys = Self {
            data,
            secret: SecretKey::from_bytes(*secret.bytes()),
        };
        // The stored public key must be this secret key's: otherwise a
        // relationship key would be sealed to a key nobody holds.
        if keys.public_key() != stored.public_key {
            return Err(KeyError::Malformed("public key"));
        }
        Ok(keys)
    }

    /// After a password change (or a reset by recovery code): the same keys
    /// under the new password; everything sealed with them stays readable.
    pub fn rewrap_password(
        &self,
        stored: &StoredAccountKeys,
        account_id: &str,
        new_password: &str,
        cost: Cost,
        memory: &mut Memory,
    ) -> Result<StoredAccountKeys, KeyError> {
        Ok(StoredAccountKeys {
            by_password: wrap::wrap(
                &self.data,
                new_password,
                cost,
                &context(account_id, "password"),
                memory,
            )?,
            ..stored.clone()
        })
    }

    /// After a new recovery code is made (the old one stops working).
    pub fn rewrap_recovery_code(
        &self,
        stored: &StoredAccountKeys,
        account_id: &str,
        new_code: &str,
        memory: &mut Memory,
    ) -> Result<StoredAccountKeys, KeyError> {
        Ok(StoredAccountKeys {
            by_recovery_code: wrap::wrap(
                &self.data,
                new_code,
                Cost::RANDOM_CODE,
                &context(account_id, "recovery"),
                memory,
            )?,
            ..stored.clone()
        })
    }

    /// Both keys as 64 bytes, for [`crate::session`] to lock.
    pub(crate) fn to_bytes(&self) -> Zeroizing<[u8; 64]> {
        let mut out = Zeroizing::new([0u8; 64]);
        out[..32].copy_from_slice(self.data.bytes());
        out[32..].copy_from_slice(&self.secret.to_bytes());
        out
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() != 64 {
            return Err(KeyError::Malformed("account keys"));
        }
        let secret = Key::from_slice(&bytes[32..], "account keys")?;
        Ok(Self {
            data: Key::from_slice(&bytes[..32], "account keys")?,
            secret: SecretKey::from_bytes(*secret.bytes()),
        })
    }
}

/// A stored public key, to seal a relationship key to.
pub fn public_key(stored: &str) -> Result<PublicKey, KeyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(stored)
        .map_err(|_| KeyError::Malformed("public key"))?;
    PublicKey::from_slice(&bytes).map_err(|_| KeyError::Malformed("public key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0b6e3c1a";

    fn stored(keys: &AccountKeys) -> StoredAccountKeys {
        keys.store(
            ID,
            "a long password",
            "RCV-1234-5678",
            Cost::FOR_TESTS,
            &mut Memory::new(),
        )
        .expect("stores")
    }

    #[test]
    fn password_and_recovery_code_each_unwrap_the_same_keys() {
        let keys = AccountKeys::generate();
        let stored = stored(&keys);
        let note = envelope::seal_text(keys.data_key(), "my own words", "reflections:1");
        for unwrapped in [
            AccountKeys::with_password(&stored, ID, "a long password", &mut Memory::new())
                .expect("password"),
            AccountKeys::with_recovery_code(&stored, ID, "RCV-1234-5678", &mut Memory::new())
                .expect("code"),
        ] {
            assert_eq!(unwrapped.public_key(), keys.public_key());
            assert_eq!(
                *envelope::open_text(unwrapped.data_key(), &note, "reflections:1").expect("opens"),
                "my own words"
            );
        }
        // Nothing stored is the key itself or opens without a secret.
        assert!(
            AccountKeys::with_password(&stored, ID, "RCV-1234-5678", &mut Memory::new()).is_err()
        );
        assert!(AccountKeys::with_recovery_code(
            &stored,
            ID,
            "a long password",
            &mut Memory::new()
        )
        .is_err());
        assert!(AccountKeys::with_password(
            &stored,
            "another-id",
            "a long password",
            &mut Memory::new()
        )
        .is_err());
    }

    #[test]
    fn a_password_change_keeps_everything_readable_and_retires_the_old_password() {
        let keys = AccountKeys::generate();
        let before = stored(&keys);
        let note = envelope::seal_text(keys.data_key(), "draft", "drafts:7");
        let signed_in =
            AccountKeys::with_password(&before, ID, "a long password", &mut Memory::new())
                .expect("in");
        let after = signed_in
            .rewrap_password(
                &before,
                ID,
                "a new long password",
                Cost::FOR_TESTS,
                &mut Memory::new(),
            )
            .expect("rewraps");
        assert!(
            AccountKeys::with_password(&after, ID, "a long password", &mut Memory::new()).is_err()
        );
        let again =
            AccountKeys::with_password(&after, ID, "a new long password", &mut Memory::new())
                .expect("new");
        assert_eq!(
            *envelope::open_text(again.data_key(), &note, "drafts:7").expect("opens"),
            "draft"
        );
        // The recovery code still works, and a new code retires it.
        assert!(
            AccountKeys::with_recovery_code(&after, ID, "RCV-1234-5678", &mut Memory::new())
                .is_ok()
        );
        let newer = again
            .rewrap_recovery_code(&after, ID, "RCV-9999-0000", &mut Memory::new())
            .expect("rewraps");
        assert!(
            AccountKeys::with_recovery_code(&newer, ID, "RCV-1234-5678", &mut Memory::new())
                .is_err()
        );
        assert!(
            AccountKeys::with_recovery_code(&newer, ID, "RCV-9999-0000", &mut Memory::new())
                .is_ok()
        );
    }

    #[test]
    fn a_swapped_public_key_is_noticed() {
        // A public key replaced in the database is noticed (and refused)
        // at the owner's next sign-in instead of being used unseen.
        let keys = AccountKeys::generate();
        let mut stored = stored(&keys);
        stored.public_key = AccountKeys::generate().public_key();
        assert_eq!(
            AccountKeys::with_password(&stored, ID, "a long password", &mut Memory::new()).err(),
            Some(KeyError::Malformed("public key"))
        );
    }
}
