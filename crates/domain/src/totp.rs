//! Time-based one-time passwords, the second factor counselors must use
//! (SECURITY.md R13: TOTP, single-use codes, never SMS).
//!
//! RFC 6238 over RFC 4226 (HOTP) with the parameters every authenticator
//! app expects: HMAC-SHA1, 30-second steps, 6 digits, a 160-bit secret
//! shown as base32 and in an `otpauth://` link (the QR code encodes it).
//!
//! Single use: [`verify`] answers the time step a code matched, and the
//! store keeps the last step used per account with a conditional write
//! ("only if later than the one kept"), so a code replayed within its
//! window, or two sign-ins racing with one code, pass once.
//!
//! Pure: no clock, no store. The caller passes the time.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds per time step (RFC 6238 §4.1, X = 30).
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Secret length in bytes: 160 bits, the HMAC-SHA1 block's recommended
/// key size (RFC 4226 §4, R6).
pub const SECRET_BYTES: usize = 20;
/// Steps accepted either side of now, for a phone's clock a little off
/// (RFC 6238 §5.2 recommends at most one).
pub const DRIFT_STEPS: i64 = 1;

/// A TOTP secret. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// RFC 4648 base32 without padding, as authenticator apps read it.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl Secret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret in base32, for typing into an app by hand.
    pub fn base32(&self) -> String {
        let mut out = String::with_capacity(self.0.len().div_ceil(5) * 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for &b in &self.0 {
            buffer = (buffer << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
            }
        }
        if bits > 0 {
            out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
        }
        out
    }

    /// Reads base32 (case, spaces and padding ignored); `None` if not base32.
    pub fn from_base32(text: &str) -> Option<Self> {
        let (mut buffer, mut bits) = (0u32, 0u32);
        let mut out = Vec::new();
        for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
            let c = c.to_ascii_uppercase();
            let v = BASE32.iter().position(|&b| char::from(b) == c)? as u32;
            buffer = (buffer << 5) | v;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out.push((buffer >> bits) as u8);
            }
        }
        (!out.is_empty()).then_some(Self(out))
    }
}

/// RFC 4226 HOTP: HMAC-SHA1 of the counter, dynamically truncated.
pub fn hotp(secret: &Secret, counter: u64) -> u32 {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = (u32::from(digest[offset]) & 0x7f) << 24
        | u32::from(digest[offset + 1]) << 16
        | u32::from(digest[offset + 2]) << 8
        | u32::from(digest[offset + 3]);
    binary % 10u32.pow(DIGITS)
}

/// The time step of a Unix time (RFC 6238 §4.2, T0 = 0).
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code of a time step, zero-padded.
pub fn code_of_step(secret: &Secret, step: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, u64::try_from(step).unwrap_or(0)),
        width = DIGITS as usize
    )
}

/// The code at a Unix time.
pub fn code_at(secret: &Secret, unix_seconds: i64) -> String {
    code_of_step(secret, step_of(unix_seconds))
}

/// Compares two codes in constant time (same length assumed public).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The time step `code` matches at `now` (within [`DRIFT_STEPS`]), if it is
/// later than `last_used`: a code is good once. The caller stores the step
/// with a conditional write before accepting the sign-in.
pub fn verify(secret: &Secret, code: &str, now: i64, last_used: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now_step = step_of(now);
    let mut matched = None;
    // Every candidate is computed, so the time taken says nothing of which matched.
    for step in now_step - DRIFT_STEPS..=now_step + DRIFT_STEPS {
        if step >= 0 && same(&code_of_step(secret, step), &code) && matched.is_none() {
            matched = Some(step);
        }
    }
    matched.filter(|step| last_used.is_none_or(|last| *step > last))
}

/// Percent-encodes a label for the `otpauth` link.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `otpauth://` link an authenticator app reads (from the QR code).
/// SECURITY: `issuer` is neutral by design (R23): no app-specific name.
pub fn otpauth_uri(secret: &Secret, issuer: &str, account: &str) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        encode(issuer),
        encode(account),
        secret.base32(),
        encode(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA-1 seed is the ASCII "12345678901234567890".
    fn rfc_secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890")
    }

    #[test]
    fn the_rfc_6238_test_vectors_hold() {
        // Appendix B gives 8 digits; 6 digits are the last six (mod 10^6).
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(&rfc_secret(), time), eight[2..], "T = {time}");
        }
    }

    #[test]
    fn the_rfc_4226_hotp_values_hold() {
        // RFC 4226 Appendix D, counters 0–9, 6 digits.
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, want) in expected.iter().enumerate() {
            assert_eq!(
                hotp(&rfc_secret(), counter as u64),
                *want,
                "count {counter}"
            );
        }
    }

    #[test]
    fn a_code_is_good_once_and_only_near_its_time() {
        let s = rfc_secret();
        let now = 1_234_567_890;
        let code = code_at(&s, now);
        let step = step_of(now);
        assert_eq!(verify(&s, &code, now, None), Some(step));
        // Replayed after use: refused, even within its 30 seconds.
        assert_eq!(verify(&s, &code, now + 5, Some(step)), None);
        // A phone a step behind or ahead is fine; two steps is not.
        assert_eq!(verify(&s, &code, now + STEP_SECONDS, None), Some(step));
        assert_eq!(verify(&s, &code, now - STEP_SECONDS, None), Some(step));
        assert_eq!(verify(&s, &code, now + 2 * STEP_SECONDS, None), None);
        // Spaces are forgiven; letters, short codes and another secret are not.
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(&s, &spaced, now, None), Some(step));
        assert_eq!(verify(&s, "12a456", now, None), None);
        assert_eq!(verify(&s, &code[..5], now, None), None);
        assert_eq!(verify(&Secret::generate(), &code, now, None), None);
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        // RFC 4648 §10: BASE32("foobar") = "MZXW6YTBOI======".
        assert_eq!(Secret::from_bytes(b"foobar").base32(), "MZXW6YTBOI");
        assert_eq!(
            Secret::from_base32("mzxw 6ytb oi======").map(|s| s.as_bytes().to_vec()),
            Some(b"foobar".to_vec())
        );
        let s = Secret::generate();
        assert_eq!(s.as_bytes().len(), SECRET_BYTES);
        assert_eq!(Secret::from_base32(&s.base32()), Some(s.clone()));
        assert_eq!(Secret::from_base32("not base32!"), None);
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }

    #[test]
    fn the_link_carries_the_secret_and_neutral_labels() {
        let uri = otpauth_uri(&Secret::from_bytes(b"foobar"), "Notes", "sam@example.org");
        assert_eq!(
            uri,
            "otpauth://totp/Notes:sam%40example.org?secret=MZXW6YTBOI&issuer=Notes&algorithm=SHA1&digits=6&period=30"
        );
    }
}
