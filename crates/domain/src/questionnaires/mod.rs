//! The three sealed questionnaires: what each answer holds, how a request
//! becomes validated answers, when a set is complete, and how two revealed
//! sets compare. Persistence and the seal are shared in [`crate::rounds`].

pub mod conversations;
pub mod respect;
pub mod values;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::FieldError;

/// The longest definition or written answer, in characters.
pub const TEXT_MAX_CHARS: usize = 2_000;

/// Free text as a person wrote it: trimmed, `None` when blank, refused over
/// [`TEXT_MAX_CHARS`] (named by `field`).
pub fn optional_text(raw: Option<&str>, field: &'static str) -> Result<Option<String>, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("Please keep your answer to {TEXT_MAX_CHARS} characters or fewer."),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// A 1–5 answer, refused outside the scale (named by `field`).
pub fn scale(value: i64, field: &'static str, what: &str) -> Result<u8, FieldError> {
    u8::try_from(value)
        .ok()
        .filter(|v| (1..=5).contains(v))
        .ok_or_else(|| {
            FieldError::new(field, "out_of_range", format!("Choose {what} from 1 to 5."))
        })
}

/// "Not for us": an item that does not apply to the two of them (parenting
/// without children), answered as a skip. It carries no number, so nothing
/// that reads scores can take it for a low one; every comparison leaves it
/// out. Stored as `"not_for_us": true` (a `false` is refused on reading), so
/// a stored skip can never be mistaken for a score either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NotForUs;

impl Serialize for NotForUs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(true)
    }
}

impl<'de> Deserialize<'de> for NotForUs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if bool::deserialize(d)? {
            Ok(Self)
        } else {
            Err(serde::de::Error::custom("not_for_us is only ever true"))
        }
    }
}

/// The error for a request that sends a score and "Not for us" together.
pub fn score_or_skip() -> FieldError {
    FieldError::new(
        "not_for_us",
        "conflicting",
        "Choose a number or \u{201c}Not for us\u{201d}, not both.",
    )
}

/// A required 1–5 answer: refused when absent (named by `field`, pointing
/// to "Not for us" as the other choice) or outside the scale.
pub fn required_scale(
    value: Option<i64>,
    field: &'static str,
    what: &str,
) -> Result<u8, FieldError> {
    match value {
        Some(v) => scale(v, field, what),
        None => Err(FieldError::new(
            field,
            "required",
            format!("Choose {what} from 1 to 5, or \u{201c}Not for us\u{201d}."),
        )),
    }
}

/// Refuses an empty request and an item named twice in one request.
pub fn distinct_keys<'a>(
    keys: impl Iterator<Item = &'a str>,
    field: &'static str,
) -> Result<(), FieldError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut any = false;
    for key in keys {
        any = true;
        if !seen.insert(key) {
            return Err(FieldError::new(
                field,
                "duplicate",
                format!("\"{key}\" appears twice; send each once."),
            ));
        }
    }
    if any {
        Ok(())
    } else {
        Err(FieldError::new(
            "answers",
            "required",
            "Send at least one answer.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_blank_is_none_and_length_is_counted_in_characters() {
        assert_eq!(
            optional_text(Some("  kind  "), "d"),
            Ok(Some("kind".into()))
        );
        assert_eq!(optional_text(Some("   "), "d"), Ok(None));
        assert_eq!(optional_text(None, "d"), Ok(None));
        let exactly = "é".repeat(TEXT_MAX_CHARS);
        assert!(optional_text(Some(&exactly), "d").is_ok());
        let over = "é".repeat(TEXT_MAX_CHARS + 1);
        assert_eq!(
            optional_text(Some(&over), "d")
                .expect_err("should be refused")
                .code,
            "too_long"
        );
    }

    #[test]
    fn scale_accepts_one_to_five_only() {
        assert_eq!(scale(1, "importance", "x"), Ok(1));
        assert_eq!(scale(5, "importance", "x"), Ok(5));
        for bad in [0, 6, -1, 256 + 3] {
            assert_eq!(
                scale(bad, "importance", "x")
                    .expect_err("should be refused")
                    .field,
                "importance"
            );
        }
    }

    #[test]
    fn a_skip_is_stored_as_true_and_nothing_else_reads_as_one() {
        assert_eq!(
            serde_json::to_string(&NotForUs).ok().as_deref(),
            Some("true")
        );
        assert_eq!(
            serde_json::from_str::<NotForUs>("true").ok(),
            Some(NotForUs)
        );
        assert!(serde_json::from_str::<NotForUs>("false").is_err());
        assert!(serde_json::from_str::<NotForUs>("1").is_err());
    }

    #[test]
    fn a_required_scale_names_the_other_choice_when_absent() {
        assert_eq!(required_scale(Some(4), "importance", "x"), Ok(4));
        let err = required_scale(None, "importance", "x").expect_err("should be refused");
        assert_eq!((err.field, err.code), ("importance", "required"));
        assert!(err.message.contains("Not for us"));
        assert_eq!(
            required_scale(Some(0), "importance", "x")
                .expect_err("should be refused")
                .code,
            "out_of_range"
        );
    }

    #[test]
    fn keys_must_be_distinct_and_present() {
        assert!(distinct_keys(["a", "b"].into_iter(), "item").is_ok());
        assert_eq!(
            distinct_keys(["a", "a"].into_iter(), "item")
                .expect_err("should be refused")
                .code,
            "duplicate"
        );
        assert_eq!(
            distinct_keys(std::iter::empty(), "item")
                .expect_err("should be refused")
                .field,
            "answers"
        );
    }
}
