//! A couple's key: texts both partners may read (submitted answers,
//! conversation notes, ledger descriptions and thanks, agreements) are
//! sealed with it. It is stored sealed to each member's public key
//! (libsodium's sealed box, from the `crypto_box` crate), so a partner can
//! give it to the other without knowing their password; a joiner receives
//! it through a copy wrapped by their invitation code, which is re-sealed
//! to them at join and then deleted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::OsRng;

use crate::account::{self, AccountKeys};
use crate::wrap::{self, Cost, Memory};
use crate::{Key, KeyError};

const SEALED_PREFIX: &str = "rs1.";

pub struct RelationshipKey(Key);

fn invitation_context(relationship_id: &str) -> String {
    format!("relationship:{relationship_id}:invitation")
}

impl RelationshipKey {
    pub fn generate() -> Self {
        Self(Key::generate())
    }

    /// The key that seals the couple's shared texts.
    pub fn key(&self) -> &Key {
        &self.0
    }

    /// Sealed to a member's stored public key: only their private key opens it.
    pub fn seal_to(&self, public_key: &str) -> Result<String, KeyError> {
        let public = account::public_key(public_key)?;
        let sealed = public
            .seal(&mut OsRng, self.0.bytes())
            .map_err(|_| KeyError::Malformed("public key"))?;
        Ok(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
    }

    /// Opened by the member it was sealed to.
    pub fn open_sealed(keys: &AccountKeys, sealed: &str) -> Result<Self, KeyError> {
        let body = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(KeyError::Malformed("sealed relationship key"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| KeyError::Malformed("sealed relationship key"))?;
        let opened = keys
            .secret_key()
            .unseal(&bytes)
            .map_err(|_| KeyError::CannotOpen)?;
        Ok(Self(Key::from_slice(&opened, "relationship key")?))
    }

    /// The copy an invitation carries, wrapped by its code.
    pub fn for_invitation(
        &self,
        relationship_id: &str,
        code: &str,
        memory: &mut Memory,
    ) -> Result<String, KeyError> {
        wrap::wrap(
            &self.0,
            code,
            Cost::RANDOM_CODE,
            &invitation_context(relationship_id),
            memory,
        )
    }

    /// Opened by the joiner with the code they were given.
    pub fn from_invitation(
        wrapped: &str,
        relationship_id: &str,
        code: &str,
        memory: &mut Memory,
    ) -> Result<Self, KeyError> {
        wrap::unwrap(wrapped, code, &invitation_context(relationship_id), memory).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope;

    #[test]
    fn a_couple_shares_a_key_through_the_invitation_and_their_public_keys() {
        let (ada, bo, stranger) = (
            AccountKeys::generate(),
            AccountKeys::generate(),
            AccountKeys::generate(),
        );
        // Ada starts the relationship and invites Bo.
        let key = RelationshipKey::generate();
        let for_ada = key.seal_to(&ada.public_key()).expect("seals");
        let invitation = key
            .for_invitation("r1", "INVITE-CODE-42", &mut Memory::new())
            .expect("wraps");
        let note = envelope::seal_text(key.key(), "our note", "conversation_notes.text:9");

        // Bo joins with the code; the key is re-sealed to him.
        let joined = RelationshipKey::from_invitation(
            &invitation,
            "r1",
            "INVITE-CODE-42",
            &mut Memory::new(),
        )
        .expect("code opens");
        let for_bo = joined.seal_to(&bo.public_key()).expect("seals");

        for (keys, sealed) in [(&ada, &for_ada), (&bo, &for_bo)] {
            let theirs = RelationshipKey::open_sealed(keys, sealed).expect("opens");
            assert_eq!(
                *envelope::open_text(theirs.key(), &note, "conversation_notes.text:9")
                    .expect("reads"),
                "our note"
            );
        }
        // Nobody else: not a stranger's keys, not another code, not the
        // same code for another relationship.
        assert_eq!(
            RelationshipKey::open_sealed(&stranger, &for_ada).err(),
            Some(KeyError::CannotOpen)
        );
        assert!(RelationshipKey::from_invitation(
            &invitation,
            "r1",
            "INVITE-CODE-43",
            &mut Memory::new()
        )
        .is_err());
        assert!(RelationshipKey::from_invitation(
            &invitation,
            "r2",
            "INVITE-CODE-42",
            &mut Memory::new()
        )
        .is_err());
    }

    #[test]
    fn malformed_sealed_keys_are_refused() {
        let ada = AccountKeys::generate();
        for bad in ["", "rs1.", "rs1.!!", "ak1$x", "rs1.AAAA"] {
            assert!(RelationshipKey::open_sealed(&ada, bad).is_err(), "{bad}");
        }
        assert!(RelationshipKey::generate().seal_to("not-a-key").is_err());
    }
}
