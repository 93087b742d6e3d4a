//! Questions to start a private reflection. Each one belongs to a moment in
//! the app (before answering a round, after a reveal, after thanks, after a
//! hard moment), so the page that leads there can offer it; a reflection
//! may also start from none of them.
//!
//! Pages choose a question by its position (`/reflections?q=2`), so new
//! questions are only ever added at the end.

use super::Prompt;

pub const REFLECTION_PROMPTS: &[Prompt] = &[
    Prompt {
        key: "before_values",
        text: "Before you answer about values: what matters most to you right now, and is it the same as a year ago?",
    },
    Prompt {
        key: "after_reveal",
        text: "Now that you have read each other's answers: what surprised you, and what would you like to ask about?",
    },
    Prompt {
        key: "noticed_today",
        text: "What did your partner do lately that you noticed and have not mentioned yet?",
    },
    Prompt {
        key: "giving_and_receiving",
        text: "Where do you feel you give more than you receive, or receive more than you give? How sure are you of that?",
    },
    Prompt {
        key: "after_hard_moment",
        text: "After a hard moment: what did you feel, what did you do, and what part of it is yours to own?",
    },
    Prompt {
        key: "what_i_need",
        text: "What do you need right now that you have not asked for? What makes it hard to ask?",
    },
];

/// The prompt with this key, if there is one.
pub fn reflection_prompt(key: &str) -> Option<&'static Prompt> {
    REFLECTION_PROMPTS.iter().find(|p| p.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_snake_case() {
        let mut keys: Vec<_> = REFLECTION_PROMPTS.iter().map(|p| p.key).collect();
        assert!(keys
            .iter()
            .all(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), REFLECTION_PROMPTS.len());
        assert_eq!(
            reflection_prompt("after_reveal").map(|p| p.key),
            Some("after_reveal")
        );
        assert!(reflection_prompt("nope").is_none());
    }
}
