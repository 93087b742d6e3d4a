//! argon2id password hashing on the blocking pool.
//!
//! SECURITY: an unknown e-mail is verified against a dummy hash, so signing
//! in with an unknown address costs the same time as a wrong password and
//! answers the same (SECURITY.md R14). Hashing is bounded by a semaphore so
//! a flood of sign-ins cannot exhaust memory (19 MiB per hash; R47).

use std::sync::Arc;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::Argon2;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Passwords {
    dummy_hash: Arc<String>,
    permits: Arc<Semaphore>,
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// argon2id, m = 19 MiB, t = 2, p = 1: the OWASP Password Storage cheat
/// sheet's first recommended configuration, and the crate's default.
fn argon2() -> Argon2<'static> {
    Argon2::default()
}

impl Passwords {
    pub fn new() -> Result<Self, HashError> {
        let parallelism = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2);
        Ok(Self {
            dummy_hash: Arc::new(hash_now("a password nobody has, for timing parity")?),
            // One hash per core: more only queues CPU work and adds 19 MiB each
            // to the resident set (measured in bench/README.md).
            permits: Arc::new(Semaphore::new(parallelism)),
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(|e| HashError(e.to_string()))?
    }

    /// Verifies `password` against `stored`, or against the dummy hash when
    /// there is no account, so that both paths take the same time.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    argon2()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .map_err(|e| HashError(e.to_string()))?;
        Ok(known && matches)
    }
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_do() {
        let passwords = Passwords::new().expect("hasher");
        let hash = passwords
            .hash("correct horse battery".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(passwords
            .verify("correct horse battery".into(), Some(hash.clone()))
            .await
            .expect("verify"));
        assert!(!passwords
            .verify("wrong horse battery".into(), Some(hash))
            .await
            .expect("verify"));
        // Even the dummy's own password does not open a missing account.
        assert!(!passwords
            .verify("a password nobody has, for timing parity".into(), None)
            .await
            .expect("verify"));
    }
}
