//! Random secrets (session ids, API tokens, invite codes) and the one-way hash
//! under which they are stored.
//!
//! SECURITY: the database only ever holds `Secret::hash()` of a secret, so a
//! stolen database file or backup cannot be replayed as a session, a token or
//! an invitation.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 bytes: 256 bits of entropy, well over the 128 bits ASVS 7.2.3 asks for.
const SECRET_BYTES: usize = 32;

/// A freshly generated secret, shown to its owner once.
pub struct Secret(String);

impl Secret {
    /// A new random secret with `prefix` (e.g. `rcp_`) so a leaked token is recognisable.
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// SHA-256 of a secret, hex-encoded. A plain hash is enough (no salt, no
/// argon2): the secret has 256 bits of entropy, so it cannot be guessed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SecretHash(String);

impl SecretHash {
    pub fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.trim().as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push_str(&format!("{byte:02x}"));
        }
        Self(hex)
    }

    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretHash({}…)", &self.0[..8.min(self.0.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn secrets_are_long_distinct_and_url_safe() {
        let secrets: Vec<Secret> = (0..1000).map(|_| Secret::generate("x_")).collect();
        let distinct: HashSet<&str> = secrets.iter().map(Secret::expose).collect();
        assert_eq!(distinct.len(), 1000);
        for s in &secrets {
            // 32 bytes in unpadded base64 are 43 characters.
            assert_eq!(s.expose().len(), 2 + 43);
            assert!(s.expose()[2..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        }
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(
            SecretHash::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
