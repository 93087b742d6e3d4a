//! Recovery codes: the one way back into an account whose password is
//! forgotten that does not go through the partner, an e-mail box or the
//! operator (SECURITY.md R10, R11).
//!
//! A code is 25 characters of Crockford's base32 in five groups
//! (`7Q2KD-…`): 125 bits, far past guessing, so a plain SHA-256 is enough to
//! store it. It is written for paper: no letters that look alike (I, L, O,
//! U are left out), and typing is forgiving (any case, spaces or dashes,
//! and I/L read as 1, O as 0).

use rand::Rng;

use crate::secret::SecretHash;

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUPS: usize = 5;
const GROUP_LEN: usize = 5;

/// A fresh code, shown to its owner once.
pub struct RecoveryCode(String);

impl RecoveryCode {
    pub fn generate() -> Self {
        let mut rng = rand::rngs::OsRng;
        let groups: Vec<String> = (0..GROUPS)
            .map(|_| {
                (0..GROUP_LEN)
                    .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                    .collect()
            })
            .collect();
        Self(groups.join("-"))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        hash_typed(&self.0)
    }
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(***)")
    }
}

/// The stored hash of a code as a person typed it.
pub fn hash_typed(typed: &str) -> SecretHash {
    SecretHash::of(&normalise(typed))
}

/// A code as typed, in the one form both its hash and the key it wraps use.
pub fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_five_groups_of_crockford_base32() {
        let code = RecoveryCode::generate();
        let groups: Vec<&str> = code.expose().split('-').collect();
        assert_eq!(groups.len(), 5);
        assert!(groups
            .iter()
            .all(|g| g.len() == 5 && g.bytes().all(|b| ALPHABET.contains(&b))));
        assert_ne!(code.expose(), RecoveryCode::generate().expose());
    }

    #[test]
    fn typing_is_forgiving_but_exact_in_what_counts() {
        let code = RecoveryCode("01ABC-DEFGH-JKMNP-QRSTV-WXYZ1".into());
        let stored = code.hash();
        for typed in [
            "01ABC-DEFGH-JKMNP-QRSTV-WXYZ1",
            "01abc defgh jkmnp qrstv wxyz1",
            "o1abcdefghjkmnpqrstvwxyzl",
            " 01ABC-DEFGH-JKMNP-QRSTV-WXYZI ",
        ] {
            assert_eq!(hash_typed(typed), stored, "{typed}");
        }
        assert_ne!(hash_typed("01ABC-DEFGH-JKMNP-QRSTV-WXYZ2"), stored);
    }
}
