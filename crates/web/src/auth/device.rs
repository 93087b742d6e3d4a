//! Trusted devices: after a successful sign-in the browser gets a `device`
//! cookie bound to that account by an HMAC under a server key.
//!
//! SECURITY: sign-in attempts from a device the account has trusted draw on
//! their own rate-limit budget. A partner who floods sign-ins for the other's
//! e-mail, even from the same home network, exhausts only the budget of
//! untrusted devices; the owner's own phone still gets in (SECURITY.md R15).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use domain::AccountId;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct DeviceKey(Vec<u8>);

impl DeviceKey {
    pub fn from_secret(secret: &str) -> Self {
        Self(secret.as_bytes().to_vec())
    }

    /// A fresh random key in text form, for `Store::server_secret`.
    pub fn fresh_secret() -> String {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A new cookie value for `account`: `<device id>.<mac>`.
    pub fn issue(&self, account: AccountId) -> String {
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let id = URL_SAFE_NO_PAD.encode(id);
        let mac = URL_SAFE_NO_PAD.encode(self.mac(account, &id));
        format!("{id}.{mac}")
    }

    /// The device id, if `cookie` was issued to `account` by this server.
    pub fn verify<'a>(&self, cookie: &'a str, account: AccountId) -> Option<&'a str> {
        let (id, mac) = cookie.split_once('.')?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        let check = self.hmac(account, id)?;
        // verify_slice compares in constant time.
        check.verify_slice(&mac).ok().map(|()| id)
    }

    fn hmac(&self, account: AccountId, id: &str) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.0).ok()?;
        mac.update(b"device:");
        mac.update(account.to_string().as_bytes());
        mac.update(b":");
        mac.update(id.as_bytes());
        Some(mac)
    }

    fn mac(&self, account: AccountId, id: &str) -> Vec<u8> {
        self.hmac(account, id)
            .map(|m| m.finalize().into_bytes().to_vec())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_cookie_is_bound_to_its_account_and_key() {
        let key = DeviceKey::from_secret("k1");
        let (alice, bob) = (AccountId::new(), AccountId::new());
        let cookie = key.issue(alice);
        assert!(key.verify(&cookie, alice).is_some());
        assert!(
            key.verify(&cookie, bob).is_none(),
            "another account's device is not trusted"
        );
        assert!(DeviceKey::from_secret("k2")
            .verify(&cookie, alice)
            .is_none());
        let forged = format!("{}.AAAA", cookie.split('.').next().unwrap_or_default());
        assert!(key.verify(&forged, alice).is_none());
        assert!(key.verify("garbage", alice).is_none());
    }
}
