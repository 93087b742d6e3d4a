//! Sealed text: `rk1.` then base64url (no padding) of a random 24-byte
//! nonce and the XChaCha20-Poly1305 ciphertext with its tag.
//!
//! Why XChaCha20-Poly1305: its 192-bit nonce can be drawn at random for
//! every write without counting (a couple writes for years; a random 96-bit
//! AES-GCM nonce would need bookkeeping to stay safe), it is constant-time
//! in software on every CPU, and the RustCrypto crate is audited.
//!
//! The context (AEAD associated data) names the text's place, such as
//! `contributions.description:<id>`: the database can be edited by whoever
//! holds it, and without the context a ciphertext copied from one row into
//! another (one person's answer into the other's) would open there.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::{Key, KeyError};

const PREFIX: &str = "rk1.";
const NONCE_BYTES: usize = 24;

/// Seals `plaintext` for `context` with `key`.
pub fn seal(key: &Key, plaintext: &[u8], context: &str) -> String {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = XChaCha20Poly1305::new(key.bytes().into())
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: context.as_bytes(),
            },
        )
        // Encryption fails only for inputs beyond 256 GiB.
        .expect("XChaCha20-Poly1305 seals any realistic input");
    let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
}

/// Opens what [`seal`] made with the same key and context.
pub fn open(key: &Key, envelope: &str, context: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let body = envelope
        .strip_prefix(PREFIX)
        .ok_or(KeyError::Malformed("envelope"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| KeyError::Malformed("envelope"))?;
    if bytes.len() < NONCE_BYTES + 16 {
        return Err(KeyError::Malformed("envelope"));
    }
    let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
    XChaCha20Poly1305::new(key.bytes().into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: context.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| KeyError::CannotOpen)
}

/// [`seal`] for text.
pub fn seal_text(key: &Key, text: &str, context: &str) -> String {
    seal(key, text.as_bytes(), context)
}

/// [`open`] for text; text that is not UTF-8 was not sealed by us.
pub fn open_text(key: &Key, envelope: &str, context: &str) -> Result<Zeroizing<String>, KeyError> {
    let bytes = open(key, envelope, context)?;
    std::str::from_utf8(&bytes)
        .map(|s| Zeroizing::new(s.to_owned()))
        .map_err(|_| KeyError::Malformed("sealed text"))
}

/// Whether a stored value is an envelope (for data written before
/// encryption, during a migration).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_opens_with_its_key_and_context_only() {
        let key = Key::generate();
        let sealed = seal_text(&key, "ünïcode answer ✓", "sealed_sides.answer:1");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("answer"), "{sealed}");
        assert_eq!(
            *open_text(&key, &sealed, "sealed_sides.answer:1").expect("opens"),
            "ünïcode answer ✓"
        );
        // Another row, another key: both refused the same way.
        assert_eq!(
            open_text(&key, &sealed, "sealed_sides.answer:2"),
            Err(KeyError::CannotOpen)
        );
        assert_eq!(
            open_text(&Key::generate(), &sealed, "sealed_sides.answer:1"),
            Err(KeyError::CannotOpen)
        );
    }

    #[test]
    fn the_same_text_seals_differently_each_time() {
        // A fresh nonce per write: equal answers do not show as equal.
        let key = Key::generate();
        assert_ne!(seal_text(&key, "yes", "c"), seal_text(&key, "yes", "c"));
    }

    #[test]
    fn any_changed_byte_is_refused() {
        let key = Key::generate();
        let sealed = seal(&key, b"thanks for the dinner", "c");
        let raw = URL_SAFE_NO_PAD
            .decode(&sealed[PREFIX.len()..])
            .expect("b64");
        for i in 0..raw.len() {
            let mut changed = raw.clone();
            changed[i] ^= 0x01;
            let forged = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(&changed));
            assert_eq!(
                open(&key, &forged, "c"),
                Err(KeyError::CannotOpen),
                "byte {i}"
            );
        }
        // Cut short, no prefix, not base64: malformed, never a panic.
        for bad in [&sealed[..sealed.len() - 30], "hello", "rk1.***", "rk1."] {
            assert_eq!(
                open(&key, bad, "c"),
                Err(KeyError::Malformed("envelope")),
                "{bad}"
            );
        }
    }

    #[test]
    fn empty_text_round_trips() {
        let key = Key::generate();
        assert_eq!(
            *open_text(&key, &seal_text(&key, "", "c"), "c").expect("opens"),
            ""
        );
    }
}
