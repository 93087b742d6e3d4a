//! What we ask: the values questionnaire, the respect-map areas and the
//! conversation decks. Every word here is ours, written to be warm and plain;
//! the keys are part of the API contract (stored in answers), so a key is
//! never renamed or reused — retire an item by adding a new one instead.

pub mod decks;
pub mod reflections;
pub mod respect;
pub mod values;

/// One characteristic of a relationship in the values questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueItem {
    /// Stable snake_case key, e.g. `respect`.
    pub key: &'static str,
    /// Short name shown as a heading, e.g. "Respect".
    pub name: &'static str,
    /// The importance question, answered 1 (matters little) to 5 (matters most).
    pub question: &'static str,
    /// The invitation to define it in one's own words.
    pub definition_prompt: &'static str,
    /// A question to open the conversation when the two of you differ.
    pub opening_question: &'static str,
}

/// One area of the respect map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RespectArea {
    pub key: &'static str,
    pub name: &'static str,
    /// A line saying what the area covers, so both read it the same way.
    pub hint: &'static str,
}

/// One prompt of a conversation deck, answered privately in writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompt {
    pub key: &'static str,
    pub text: &'static str,
}

/// A guided conversation: a few prompts around one theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deck {
    pub key: &'static str,
    pub title: &'static str,
    /// One or two sentences on what the deck is for and when to use it.
    pub summary: &'static str,
    pub prompts: &'static [Prompt],
}

/// Assertions shared by the catalogue's tests: keys, lengths and plain text.
#[cfg(test)]
pub(crate) mod checks {
    use std::collections::HashSet;

    /// Asserts that every key is non-empty snake_case and that none repeats;
    /// `owner` (e.g. a deck's key, or "" for none) prefixes the messages.
    pub(crate) fn assert_unique_snake_case_keys<'a>(
        owner: &str,
        keys: impl IntoIterator<Item = &'a str>,
    ) {
        let prefix = if owner.is_empty() {
            String::new()
        } else {
            format!("{owner}: ")
        };
        let mut seen = HashSet::new();
        for key in keys {
            assert!(is_snake_case(key), "{prefix}bad key {key:?}");
            assert!(seen.insert(key), "{prefix}duplicate key {key:?}");
        }
    }

    /// Asserts that the keys are exactly `required`, in that order.
    pub(crate) fn assert_keys_in_order<'a>(
        keys: impl IntoIterator<Item = &'a str>,
        required: &[&str],
    ) {
        let keys: Vec<&str> = keys.into_iter().collect();
        assert_eq!(keys, required);
    }

    /// Asserts that `text` is not empty and has at most `max` characters;
    /// the message names `owner` and `field`.
    pub(crate) fn assert_fits(owner: &str, field: &str, text: &str, max: usize) {
        let n = text.chars().count();
        assert!(n > 0 && n <= max, "{owner}: {field} is {n} chars");
    }

    /// Asserts that `text` is plain: no '<', '>' or typographic quotes; the
    /// message names `owner` unless it is "".
    pub(crate) fn assert_plain(owner: &str, text: &str) {
        let plain = !text
            .chars()
            .any(|c| matches!(c, '<' | '>' | '\u{2019}' | '\u{201C}' | '\u{201D}'));
        if owner.is_empty() {
            assert!(plain, "{text:?}");
        } else {
            assert!(plain, "{owner}: {text:?}");
        }
    }

    fn is_snake_case(key: &str) -> bool {
        !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }
}
