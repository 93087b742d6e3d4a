//! The respect map: the areas of a partner's life in which each of you can say
//! "I respect your ..." and "I feel respected in my ...".

use super::RespectArea;

/// The start of a statement of respect for the partner, e.g. "I respect your creativity".
pub const RESPECT_PROMPT: &str = "I respect your";

/// The start of a statement of feeling respected, e.g. "I feel respected in my creativity".
pub const FELT_PROMPT: &str = "I feel respected in my";

pub const AREAS: &[RespectArea] = &[
    RespectArea {
        key: "philosophy",
        name: "Philosophy of life",
        hint: "What they believe and value, and how they make sense of life, through faith, thought or experience.",
    },
    RespectArea {
        key: "profession",
        name: "Work and profession",
        hint: "Their work, paid or unpaid: the skill, care and effort they bring to it, and the path they have chosen.",
    },
    RespectArea {
        key: "principles",
        name: "Principles",
        hint: "The values they live by: how they treat people, keep their word and stand up for what they think is right.",
    },
    RespectArea {
        key: "intelligence",
        name: "Intelligence",
        hint: "How they think, learn and solve problems, including practical know-how and understanding people.",
    },
    RespectArea {
        key: "creativity",
        name: "Creativity",
        hint: "How they make, imagine or find new ways, in art, cooking, play, work or everyday problems.",
    },
    RespectArea {
        key: "parenting",
        name: "Parenting",
        hint: "How they care for, guide or hope to raise children, or their wish not to.",
    },
    RespectArea {
        key: "personal_growth",
        name: "Personal growth",
        hint: "How they learn, change and work on themselves over time, including the steps that feel hard.",
    },
];

/// The area's name as it reads after [`RESPECT_PROMPT`] or [`FELT_PROMPT`]:
/// simply lower-cased, so "Creativity" gives "I respect your creativity".
pub fn phrase(area_name: &str) -> String {
    area_name.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::checks::{
        assert_fits, assert_keys_in_order, assert_plain, assert_unique_snake_case_keys,
    };

    const REQUIRED_KEYS: [&str; 7] = [
        "philosophy",
        "profession",
        "principles",
        "intelligence",
        "creativity",
        "parenting",
        "personal_growth",
    ];

    #[test]
    fn keys_are_unique_snake_case_and_non_empty() {
        assert_unique_snake_case_keys("", AREAS.iter().map(|area| area.key));
    }

    #[test]
    fn required_keys_are_present_in_order() {
        assert_keys_in_order(AREAS.iter().map(|area| area.key), &REQUIRED_KEYS);
    }

    #[test]
    fn hints_fit_on_a_phone_screen() {
        for area in AREAS {
            assert!(!area.name.is_empty(), "{}: empty name", area.key);
            assert_fits(area.key, "hint", area.hint, 140);
        }
    }

    #[test]
    fn texts_are_plain() {
        for text in [RESPECT_PROMPT, FELT_PROMPT] {
            assert_plain("", text);
        }
        for area in AREAS {
            for text in [area.name, area.hint] {
                assert_plain(area.key, text);
            }
        }
    }

    #[test]
    fn phrase_builds_readable_statements() {
        assert_eq!(
            format!("{RESPECT_PROMPT} {}", phrase("Creativity")),
            "I respect your creativity"
        );
        assert_eq!(
            format!("{FELT_PROMPT} {}", phrase("Work and profession")),
            "I feel respected in my work and profession"
        );
    }
}
