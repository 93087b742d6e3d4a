//! A key wrapped by a key derived from something a person knows or holds:
//! their password, their recovery code, an invitation code.
//!
//! Stored as `ak1$m=…,t=…,p=…$<salt>$<envelope>`: the argon2id parameters
//! and salt travel with each wrapping, so raising the cost later needs no
//! migration (a new wrapping at the next sign-in), and tests can use a
//! small cost without a different code path.

use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use zeroize::Zeroizing;

use crate::{envelope, Key, KeyError};

const PREFIX: &str = "ak1";
const SALT_BYTES: usize = 16;

/// argon2id's cost: memory in KiB, passes, lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl Cost {
    /// OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): about 20–40 ms
    /// here, paid once per sign-in, password change or join.
    pub const INTERACTIVE: Cost = Cost {
        memory_kib: 19 * 1024,
        passes: 2,
        lanes: 1,
    };

    /// argon2's minimum, for tests only: the same code path in microseconds.
    pub const FOR_TESTS: Cost = Cost {
        memory_kib: 8,
        passes: 1,
        lanes: 1,
    };

    /// For codes the server generated from the OS's random source (recovery
    /// codes: 125 bits; invitation codes: 160 bits; session ids and tokens:
    /// 256 bits). Stretching protects guessable secrets; nobody can guess
    /// these, so argon2 runs at its minimum, as a plain keyed hash, and one
    /// stored format serves every wrapping.
    pub const RANDOM_CODE: Cost = Cost {
        memory_kib: 8,
        passes: 1,
        lanes: 1,
    };
}

/// argon2's work memory, reused from one derivation to the next.
///
/// SECURITY/resources: a fresh 19 MiB allocation per derivation makes
/// glibc's heap grow with every sign-in (found by the H10 load test for
/// password hashes); the server keeps one of these per permit of its
/// argon2 semaphore and lends it to each derivation.
pub type Memory = Vec<Block>;

/// Wraps `key` under `secret` (for `context`, e.g. `account:<id>:password`).
pub fn wrap(
    key: &Key,
    secret: &str,
    cost: Cost,
    context: &str,
    memory: &mut Memory,
) -> Result<String, KeyError> {
    let mut salt = [0u8; SALT_BYTES];
    OsRng.fill_bytes(&mut salt);
    let kek = derive(secret, &salt, cost, memory)?;
    Ok(format!(
        "{PREFIX}$m={},t={},p={}${}${}",
        cost.memory_kib,
        cost.passes,
        cost.lanes,
        URL_SAFE_NO_PAD.encode(salt),
        envelope::seal(&kek, key.bytes(), context)
    ))
}

/// Unwraps what [`wrap`] made, with the same secret and context.
pub fn unwrap(
    wrapped: &str,
    secret: &str,
    context: &str,
    memory: &mut Memory,
) -> Result<Key, KeyError> {
    let malformed = KeyError::Malformed("wrapped key");
    let mut parts = wrapped.split('$');
    let (Some(PREFIX), Some(params), Some(salt), Some(sealed), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed);
    };
    let cost = parse_cost(params).ok_or(malformed.clone())?;
    let salt = URL_SAFE_NO_PAD
        .decode(salt)
        .map_err(|_| malformed.clone())?;
    let kek = derive(secret, &salt, cost, memory)?;
    let bytes = envelope::open(&kek, sealed, context)?;
    Key::from_slice(&bytes, "wrapped key")
}

/// The cost a wrapping was made with (to re-wrap one made cheaper).
pub fn cost_of(wrapped: &str) -> Option<Cost> {
    wrapped.split('$').nth(1).and_then(parse_cost)
}

fn parse_cost(params: &str) -> Option<Cost> {
    let mut cost = Cost {
        memory_kib: 0,
        passes: 0,
        lanes: 0,
    };
    for part in params.split(',') {
        let (name, value) = part.split_once('=')?;
        let value: u32 = value.parse().ok()?;
        match name {
            "m" => cost.memory_kib = value,
            "t" => cost.passes = value,
            "p" => cost.lanes = value,
            _ => return None,
        }
    }
    Some(cost)
}

pub(crate) fn derive(
    secret: &str,
    salt: &[u8],
    cost: Cost,
    memory: &mut Memory,
) -> Result<Key, KeyError> {
    let params = Params::new(cost.memory_kib, cost.passes, cost.lanes, Some(32))
        .map_err(|e| KeyError::Kdf(e.to_string()))?;
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(
            secret.as_bytes(),
            salt,
            out.as_mut(),
            &mut memory[..blocks],
        )
        .map_err(|e| KeyError::Kdf(e.to_string()))?;
    Ok(Key(*out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_with_its_secret_only() {
        let key = Key::generate();
        let wrapped = wrap(
            &key,
            "a long password",
            Cost::FOR_TESTS,
            "account:1:password",
            &mut Memory::new(),
        )
        .expect("wraps");
        assert!(wrapped.starts_with("ak1$m=8,t=1,p=1$"), "{wrapped}");
        assert_eq!(cost_of(&wrapped), Some(Cost::FOR_TESTS));
        assert_eq!(
            unwrap(
                &wrapped,
                "a long password",
                "account:1:password",
                &mut Memory::new()
            )
            .expect("opens"),
            key
        );
        for (secret, context) in [
            ("a long passwore", "account:1:password"),
            ("a long password", "account:2:password"),
            ("", "account:1:password"),
        ] {
            assert_eq!(
                unwrap(&wrapped, secret, context, &mut Memory::new()),
                Err(KeyError::CannotOpen),
                "{secret} {context}"
            );
        }
    }

    #[test]
    fn each_wrapping_has_its_own_salt() {
        // The same password never derives the same key twice, so one
        // precomputed table cannot attack every account.
        let key = Key::generate();
        let a = wrap(&key, "pw", Cost::FOR_TESTS, "c", &mut Memory::new()).expect("wraps");
        let b = wrap(&key, "pw", Cost::FOR_TESTS, "c", &mut Memory::new()).expect("wraps");
        assert_ne!(a.split('$').nth(2), b.split('$').nth(2));
    }

    #[test]
    fn malformed_wrappings_are_refused_without_panicking() {
        let good = wrap(
            &Key::generate(),
            "pw",
            Cost::FOR_TESTS,
            "c",
            &mut Memory::new(),
        )
        .expect("wraps");
        let (head, _) = good.rsplit_once('$').expect("parts");
        for bad in [
            "",
            "ak1",
            "ak2$m=8,t=1,p=1$AAAA$rk1.AAAA",
            "ak1$m=8,t=1$AAAA",
            "ak1$m=x,t=1,p=1$AAAA$rk1.AAAA",
            "ak1$m=8,t=1,p=1,q=2$AAAA$rk1.AAAA",
            &format!("{good}$extra"),
            &format!("{head}$rk1.AAAA"),
        ] {
            assert!(unwrap(bad, "pw", "c", &mut Memory::new()).is_err(), "{bad}");
        }
        // A cost argon2 refuses (zero passes) is an error, not a panic.
        assert!(matches!(
            unwrap(
                "ak1$m=8,t=0,p=1$AAAAAAAAAAAAAAAAAAAAAA$rk1.AAAA",
                "pw",
                "c",
                &mut Memory::new()
            ),
            Err(KeyError::Kdf(_))
        ));
    }
}
