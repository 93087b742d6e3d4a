//! A 256-bit secret key that wipes itself when dropped and never prints.

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use zeroize::Zeroize;

use crate::KeyError;

pub const KEY_BYTES: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub struct Key(pub(crate) [u8; KEY_BYTES]);

impl Key {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = [0u8; KEY_BYTES];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub(crate) fn from_slice(bytes: &[u8], what: &'static str) -> Result<Self, KeyError> {
        let array: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| KeyError::Malformed(what))?;
        Ok(Self(array))
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}
