//! The key hierarchy of encryption at rest (issue 14; `docs/encryption.md`
//! explains the choices). Pure code over well-kept RustCrypto crates: no
//! cipher is written here, only how keys are made, wrapped and unwrapped.
//!
//! - [`envelope`]: text sealed with a 256-bit key (XChaCha20-Poly1305),
//!   bound to where it belongs by a context string, so a ciphertext moved
//!   to another row or field does not open.
//! - [`wrap`]: a key wrapped by a key derived from a password, a recovery
//!   code or an invitation code (argon2id; its parameters travel with it).
//! - [`account`]: each person's data key and X25519 key pair, stored wrapped
//!   by their password and, separately, by their recovery code.
//! - [`relationship`]: a couple's key, sealed to each member's public key,
//!   and handed to a joiner through their invitation code.
//! - [`session`]: a signed-in person's keys, held by the server only
//!   encrypted under a secret that lives in their session cookie.

pub mod account;
pub mod envelope;
mod key;
pub mod relationship;
pub mod session;
pub mod wrap;

pub use account::{AccountKeys, StoredAccountKeys};
pub use key::Key;
pub use relationship::RelationshipKey;
pub use session::SessionSecret;
pub use wrap::Cost;

/// Why something did not open. Deliberately coarse: a wrong password and a
/// tampered ciphertext look the same to whoever tries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not something this crate wrote (or cut short).
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The secret was wrong, or the data or its context was changed.
    #[error("cannot open: wrong secret, or changed data")]
    CannotOpen,
    /// Key derivation parameters argon2 refuses.
    #[error("key derivation: {0}")]
    Kdf(String),
}
