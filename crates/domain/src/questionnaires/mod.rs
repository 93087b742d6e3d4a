//! The three sealed questionnaires: what each answer holds, how a request
//! becomes validated answers, when a set is complete, and how two revealed
//! sets compare. Persistence and the seal are shared in [`crate::rounds`].

pub mod conversations;
pub mod respect;
pub mod values;

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
