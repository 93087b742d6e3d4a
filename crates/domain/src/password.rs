//! The password policy (SECURITY.md R12) in one place: how long a new
//! password may be, and which ones are refused because they are among the
//! first an attacker would try. No composition rules: any characters,
//! spaces and pasted passphrases are welcome.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::error::FieldError;

/// NIST SP 800-63B asks for at least 8; we ask for 10 and nothing else.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Room for any passphrase or password manager; short enough that hashing
/// an attacker's oversized input stays cheap.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The app's own name is the first context word a guesser tries.
const APP_NAME: &str = "reciprocity";
/// A context word shorter than this would refuse too many good passwords
/// ("al" is inside "always").
const CONTEXT_WORD_MIN_CHARS: usize = 3;
/// Fewer distinct characters than this is a repeat such as `1111111111` or
/// `abababababab`, which the shipped list leaves to pattern matchers.
const MIN_DISTINCT_CHARS: usize = 4;

/// The most common passwords, lower-case: see `data/README.md` for the
/// source, version and licence. Built once, on the first sign-up.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty())
        .collect()
});

/// What the person has told us about themselves while choosing a password:
/// a password containing it is the first thing someone who knows them tries.
/// Raw input is fine; the words are trimmed and lower-cased here.
pub struct PasswordContext<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
}

impl PasswordContext<'_> {
    /// The lower-cased words a new password must not contain: the app's
    /// name, the e-mail's local part, the display name and each of its words.
    fn words(&self) -> Vec<String> {
        let long_enough = |w: &str| w.chars().count() >= CONTEXT_WORD_MIN_CHARS;
        let mut words = vec![APP_NAME.to_owned()];
        let email = self.email.trim().to_lowercase();
        let local = email.split('@').next().unwrap_or_default();
        if long_enough(local) {
            words.push(local.to_owned());
        }
        let name = self.display_name.trim().to_lowercase();
        if long_enough(&name) {
            words.push(name.clone());
        }
        words.extend(
            name.split(|c: char| !c.is_alphanumeric())
                .filter(|w| long_enough(w))
                .map(str::to_owned),
        );
        words
    }
}

/// A password that meets the policy. Only [`Password::choose`] makes one,
/// so a new password cannot skip a rule; signing in never needs this type.
pub struct Password(String);

impl Password {
    /// Applies every rule of R12 to a new password, in the order that gives
    /// the most useful message: length, then the person's own words, then
    /// the common-password list.
    pub fn choose(raw: &str, context: &PasswordContext<'_>) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(FieldError::new(
                "password",
                "required",
                "Choose a password.",
            ));
        }
        if chars < PASSWORD_MIN_CHARS {
            return Err(FieldError::new(
                "password",
                "too_short",
                format!(
                    "Use at least {PASSWORD_MIN_CHARS} characters for your password. A few words together work well."
                ),
            ));
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(FieldError::new(
                "password",
                "too_long",
                format!(
                    "Use at most {PASSWORD_MAX_CHARS} characters for your password; a few words together are plenty."
                ),
            ));
        }
        let lower = raw.to_lowercase();
        if context.words().iter().any(|word| lower.contains(word)) {
            return Err(FieldError::new(
                "password",
                "contains_personal",
                "That password includes your name, your e-mail or the app's name, which are the first things someone would try. A few unrelated words together make a stronger one.",
            ));
        }
        if is_common(&lower) {
            return Err(FieldError::new(
                "password",
                "too_common",
                "Many people use that password, so it is among the first ones guessed. A few unrelated words together make a stronger one.",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Whether a lower-cased password is one a guesser tries early: on the list
/// as typed; on it once trailing symbols, or trailing digits and symbols,
/// are dropped (crackers try every listed word with such endings, so
/// "Password12!" is no stronger than "password"); or a plain repeat or
/// run of characters, which the list leaves out. Leading additions and
/// l33t spellings are not undone: the list already holds the common ones
/// ("p@ssw0rd"), and more would refuse good passwords for little gain.
fn is_common(lower: &str) -> bool {
    let without_symbols = lower.trim_end_matches(|c: char| !c.is_alphanumeric());
    let without_digits = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    if [lower, without_symbols, without_digits]
        .iter()
        .any(|candidate| !candidate.is_empty() && COMMON.contains(candidate))
    {
        return true;
    }
    let distinct: HashSet<char> = lower.chars().collect();
    distinct.len() < MIN_DISTINCT_CHARS || is_run(lower)
}

/// `abcdefghij`, `9876543210`: each character one step from the last.
fn is_run(lower: &str) -> bool {
    let codes: Vec<i64> = lower.chars().map(|c| i64::from(u32::from(c))).collect();
    let steps: Vec<i64> = codes.windows(2).map(|w| w[1] - w[0]).collect();
    steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1)
}

// R12 (SECURITY.md): each case of the password policy.
#[cfg(test)]
mod tests {
    use super::*;

    const ADA: PasswordContext<'static> = PasswordContext {
        email: "ada.l@example.org",
        display_name: "Ada Lovelace",
    };

    fn code(raw: &str) -> Option<&'static str> {
        Password::choose(raw, &ADA).err().map(|e| e.code)
    }

    #[test]
    fn the_list_is_embedded_whole_and_lower_case() {
        assert_eq!(COMMON.len(), 49_233);
        assert!(COMMON.iter().all(|p| *p == p.to_lowercase()));
    }

    #[test]
    fn length_is_counted_in_characters_from_10_to_128() {
        assert_eq!(code(""), Some("required"));
        assert_eq!(code("tulip moss"), None, "10 characters are enough");
        assert_eq!(code("tulip mos"), Some("too_short"), "9 are not");
        // Characters, not bytes: nine 2-byte letters are still nine.
        assert_eq!(code("éèêëēėęěȩ"), Some("too_short"));
        let long: String = "tulip moss harbour kettle "
            .chars()
            .cycle()
            .take(128)
            .collect();
        assert_eq!(code(&long), None, "128 characters are accepted");
        let longer: String = "tulip moss harbour kettle "
            .chars()
            .cycle()
            .take(129)
            .collect();
        assert_eq!(code(&longer), Some("too_long"), "129 are not");
    }

    #[test]
    fn a_pasted_passphrase_with_emoji_and_spaces_is_welcome() {
        let pasted = "  🌷 Tulips at dawn, 7 kettles 🫖 singing!";
        assert_eq!(pasted.chars().count(), 40);
        assert_eq!(code(pasted), None);
        assert_eq!(code("violet harbour quietly folding maps"), None);
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in ["password12", "Password12", "PASSWORD12", "qwertyuiop"] {
            assert_eq!(code(common), Some("too_common"), "{common}");
        }
    }

    #[test]
    fn a_common_word_with_digits_or_symbols_on_the_end_is_still_common() {
        // "password12!" and "Monkey2024!!" are not on the list as typed;
        // "password12" and "monkey" are.
        assert_eq!(code("Password12!"), Some("too_common"));
        assert_eq!(code("Monkey2024!!"), Some("too_common"));
        assert_eq!(code("1234567890!"), Some("too_common"));
        // A passphrase that merely ends in digits is not.
        assert_eq!(code("violet harbour 2024"), None);
    }

    #[test]
    fn repeats_and_runs_the_list_leaves_out_are_refused() {
        for shape in [
            "1111111111",
            "aaaaaaaaaaaa",
            "abababababab",
            "abcdefghij",
            "9876543210",
        ] {
            assert_eq!(code(shape), Some("too_common"), "{shape}");
        }
    }

    #[test]
    fn the_app_name_and_the_persons_own_words_are_refused() {
        for personal in [
            "Reciprocity rocks",
            "my RECIPROCITY login",
            "ada.l forever and ever",
            "ada lovelace 1815",
            "LOVELACE was first",
            "dear ada, hello there",
        ] {
            assert_eq!(code(personal), Some("contains_personal"), "{personal}");
        }
    }

    #[test]
    fn short_context_words_are_ignored() {
        // A two-letter local part or name would refuse half of all passwords.
        let bo = PasswordContext {
            email: "bo@example.org",
            display_name: "Bo",
        };
        assert!(Password::choose("a boat on the bay", &bo).is_ok());
    }

    #[test]
    fn the_password_is_never_printed() {
        let password = Password::choose("violet harbour quietly", &ADA).expect("accepted");
        assert_eq!(format!("{password:?}"), "Password(***)");
        assert_eq!(password.expose(), "violet harbour quietly");
    }
}
