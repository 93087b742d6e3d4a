//! argon2id password hashing on the blocking pool.
//!
//! SECURITY: an unknown e-mail is verified against a dummy hash, so signing
//! in with an unknown address costs the same time as a wrong password and
//! answers the same (SECURITY.md R14). Hashing is bounded by a semaphore so
//! a flood of sign-ins cannot exhaust memory (19 MiB per hash; R47).
//!
//! The 19 MiB of work memory of each hash is allocated once per permit and
//! reused, never freed. Found by the H10 load test (bench/load): with a new
//! 19 MiB allocation per hash, glibc's allocator (whose mmap threshold rises
//! to 19 MiB after the first such block is freed) served the blocks from
//! its heaps and kept them, so the resident set grew with every sign-in:
//! 864 MB after 400 sign-ups and sign-ins, where it is now about 30 MB.

use std::sync::{Arc, Mutex};

use argon2::password_hash::{
    self, rand_core::OsRng, Output, ParamsString, PasswordHash, Salt, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Passwords {
    dummy_hash: Arc<String>,
    permits: Arc<Semaphore>,
    /// Work memory for one hash each, at most one per permit: taken while a
    /// permit is held, given back after the hash.
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
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
            // A buffer of its own, dropped at once: the idle server keeps no
            // work memory until the first sign-in.
            dummy_hash: Arc::new(hash_now(
                "a password nobody has, for timing parity",
                &mut Vec::new(),
            )?),
            // One hash per core: more only queues CPU work and adds 19 MiB each
            // to the resident set (measured in bench/README.md).
            permits: Arc::new(Semaphore::new(parallelism)),
            memory: Arc::new(Mutex::new(Vec::new())),
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.with_memory(move |memory| hash_now(&password, memory))
            .await?
    }

    /// Verifies `password` against `stored`, or against the dummy hash when
    /// there is no account, so that both paths take the same time.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let matches = self
            .with_memory(move |memory| verify_now(&password, &hash, memory))
            .await?;
        Ok(known && matches)
    }

    /// Runs key derivations (the `keys` crate's argon2id wrappings) on the
    /// same bounded pool and reused work memories as password hashes: a
    /// sign-in derives twice, and both count against the same limit (R47).
    pub async fn key_work<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut keys::wrap::Memory) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        self.with_memory(work).await
    }

    /// Runs `work` on the blocking pool with a permit and a work memory.
    async fn with_memory<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        let mut memory = self.pool().pop().unwrap_or_default();
        let (result, memory) = tokio::task::spawn_blocking(move || {
            let result = work(&mut memory);
            (result, memory)
        })
        .await
        .map_err(|e| HashError(e.to_string()))?;
        self.pool().push(memory);
        Ok(result)
    }

    fn pool(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many work memories exist (for the test: never more than permits).
    #[cfg(test)]
    fn memories(&self) -> usize {
        self.pool().len()
    }
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), the same
/// as `PasswordHasher::hash_password` makes, computed in `memory`.
fn hash_now(password: &str, memory: &mut Vec<Block>) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    let argon = argon2();
    let output = compute(
        &argon,
        password.as_bytes(),
        salt.as_salt(),
        Params::DEFAULT_OUTPUT_LEN,
        memory,
    )
    .map_err(|e| HashError(e.to_string()))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| HashError(e.to_string()))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `stored` (with the parameters
/// written in it), as `PasswordVerifier::verify_password` decides: the
/// outputs are compared in constant time (`Output`'s equality).
fn verify_now(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let argon = Argon2::new(algorithm, version, params);
    compute(&argon, password.as_bytes(), salt, expected.len(), memory)
        .is_ok_and(|computed| computed == expected)
}

/// The raw argon2 output of `len` bytes, computed in `memory` (grown to the
/// parameters' size the first time, then reused as it is).
fn compute(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: Salt<'_>,
    len: usize,
    memory: &mut Vec<Block>,
) -> password_hash::Result<Output> {
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf)?;
    let blocks = argon.params().block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    Output::init_with(len, |out| {
        Ok(argon.hash_password_into_with_memory(password, salt, out, &mut memory[..])?)
    })
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

    /// The regression test of the H10 finding (see the top of this file):
    /// however many hashes run, at once or one after another, the work
    /// memories are reused, one per permit at most.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_memory_is_reused_not_allocated_per_hash() {
        let passwords = Passwords::new().expect("hasher");
        let stored = passwords
            .hash("correct horse battery".into())
            .await
            .expect("hash");
        let mut tasks = Vec::new();
        for i in 0..12 {
            let (p, stored) = (passwords.clone(), stored.clone());
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    p.verify("correct horse battery".into(), Some(stored)).await
                } else {
                    p.hash(format!("password {i}"))
                        .await
                        .map(|h| h.starts_with("$argon2id$"))
                }
            }));
        }
        for task in tasks {
            assert!(task.await.expect("task").expect("hash"));
        }
        let permits = std::thread::available_parallelism().map_or(2, usize::from);
        assert!(
            (1..=permits).contains(&passwords.memories()),
            "{} work memories for {permits} permits",
            passwords.memories()
        );
    }

    /// Hashes made by the crate's own `PasswordHasher` (every hash stored
    /// before this change) still verify, and ours verify with the crate's.
    #[tokio::test]
    async fn hashes_stay_compatible_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let passwords = Passwords::new().expect("hasher");
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2()
            .hash_password(b"an older password", &salt)
            .expect("hash")
            .to_string();
        assert!(passwords
            .verify("an older password".into(), Some(theirs.clone()))
            .await
            .expect("verify"));
        assert!(!passwords
            .verify("another password".into(), Some(theirs))
            .await
            .expect("verify"));
        let ours = passwords
            .hash("a newer password".into())
            .await
            .expect("hash");
        let parsed = PasswordHash::new(&ours).expect("PHC string");
        assert!(argon2()
            .verify_password(b"a newer password", &parsed)
            .is_ok());
        assert!(argon2()
            .verify_password(b"a wrong password", &parsed)
            .is_err());
        // Other parameters written in a stored hash are honoured too.
        let light = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).expect("params"),
        )
        .hash_password(b"light", &salt)
        .expect("hash")
        .to_string();
        assert!(passwords
            .verify("light".into(), Some(light))
            .await
            .expect("verify"));
    }
}
