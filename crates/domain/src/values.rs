//! Values validated at the edge, so the rest of the code never sees an invalid one.

use crate::error::FieldError;

// The password policy has a module of its own; its type is a value like the others.
pub use crate::password::{Password, PasswordContext};

/// The longest e-mail address RFC 5321 allows in a path.
const EMAIL_MAX: usize = 254;
const DISPLAY_NAME_MAX_CHARS: usize = 60;

/// An e-mail address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_lowercase();
        let invalid = || {
            FieldError::new(
                "email",
                "invalid_email",
                "Enter an e-mail address like name@example.org.",
            )
        };
        if value.is_empty() {
            return Err(FieldError::new(
                "email",
                "required",
                "Enter your e-mail address.",
            ));
        }
        if value.len() > EMAIL_MAX {
            return Err(FieldError::new(
                "email",
                "too_long",
                "That e-mail address is too long.",
            ));
        }
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && !local.contains('@')
            && local.chars().all(|c| !c.is_whitespace() && !c.is_control());
        if !(domain_ok && local_ok) {
            return Err(invalid());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name a partner sees: 1 to 60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::new(
                "display_name",
                "required",
                "Tell us what to call you.",
            ));
        }
        if value.chars().count() > DISPLAY_NAME_MAX_CHARS {
            return Err(FieldError::new(
                "display_name",
                "too_long",
                format!("Please keep your name to {DISPLAY_NAME_MAX_CHARS} characters or fewer."),
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(FieldError::new(
                "display_name",
                "invalid",
                "Use only letters, numbers and punctuation in your name.",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of a personal API token, so its owner can tell tokens apart.
#[derive(Debug, Clone)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::new(
                "name",
                "required",
                "Give the token a name.",
            ));
        }
        if value.chars().count() > 80 || value.chars().any(char::is_control) {
            return Err(FieldError::new(
                "name",
                "invalid",
                "Please keep the token's name to 80 plain characters or fewer.",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Sam@Example.ORG ").map(|e| e.0),
            Ok("sam@example.org".to_owned())
        );
        for bad in [
            "",
            "sam",
            "sam@",
            "@example.org",
            "sam@example",
            "sam@ex ample.org",
            "a@b@c.org",
            "sam@.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse(" Sam ").map(|n| n.0),
            Ok("Sam".to_owned())
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(61)).is_err());
        assert!(DisplayName::parse("Sam\u{7}").is_err());
    }
}
