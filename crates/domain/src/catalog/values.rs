//! The values questionnaire: fifteen characteristics of a relationship, each
//! rated for importance, defined in one's own words, and given an opening
//! question for when the two of you see it differently.

use super::ValueItem;

pub const ITEMS: &[ValueItem] = &[
    ValueItem {
        key: "respect",
        name: "Respect",
        question: "How much does respect matter to you in our relationship?",
        definition_prompt: "What does respect mean to you?",
        opening_question: "Think of a time you felt truly respected by someone. What did they do, and how did it feel?",
    },
    ValueItem {
        key: "love",
        name: "Love",
        question: "How much does love matter to you in our relationship?",
        definition_prompt: "What does love mean to you?",
        opening_question: "How was love shown in the home you grew up in? What would you like to keep from that, and what would you change?",
    },
    ValueItem {
        key: "affection",
        name: "Affection",
        question: "How much does affection matter to you in our relationship?",
        definition_prompt: "What does affection look like for you?",
        opening_question: "What small gesture of affection makes you feel most cared for? When did you last feel it?",
    },
    ValueItem {
        key: "honesty",
        name: "Honesty",
        question: "How much does honesty matter to you in our relationship?",
        definition_prompt: "What does honesty mean to you?",
        opening_question: "When is it easy for you to be fully open with me, and when does it feel harder? What helps you?",
    },
    ValueItem {
        key: "trust",
        name: "Trust",
        question: "How much does trust matter to you in our relationship?",
        definition_prompt: "What does trust mean to you?",
        opening_question: "What helps you feel you can count on someone? Think of one small thing that builds trust for you.",
    },
    ValueItem {
        key: "loyalty",
        name: "Loyalty",
        question: "How much does loyalty matter to you in our relationship?",
        definition_prompt: "What does loyalty mean to you?",
        opening_question: "What does standing by each other look like for you, with friends, with family, or when one of us isn't there?",
    },
    ValueItem {
        key: "independence",
        name: "Independence",
        question: "How much does independence matter to you in our relationship?",
        definition_prompt: "What does having room of your own look like for you?",
        opening_question: "What do you enjoy doing on your own? How do you feel when we come back together after some time apart?",
    },
    ValueItem {
        key: "time_together",
        name: "Time together",
        question: "How much does time together matter to you in our relationship?",
        definition_prompt: "What does time together look like for you?",
        opening_question: "Think of a time together that felt really good to you. What were we doing, and what made it feel that way?",
    },
    ValueItem {
        key: "humor",
        name: "Humor",
        question: "How much does humor matter to you in our relationship?",
        definition_prompt: "What place does laughter have in your life?",
        opening_question: "What makes you laugh the hardest? Can you remember a time laughing together helped you feel close?",
    },
    ValueItem {
        key: "family",
        name: "Family",
        question: "How much does family matter to you in our relationship?",
        definition_prompt: "What does family mean to you?",
        opening_question: "How close was your family when you were growing up? How much time with family feels right to you now?",
    },
    ValueItem {
        key: "money",
        name: "Money",
        question: "How much does the way we handle money matter to you in our relationship?",
        definition_prompt: "What does money mean to you?",
        opening_question: "What did money mean in the home you grew up in? How do you think that shapes the way you feel about it today?",
    },
    ValueItem {
        key: "faith_or_philosophy",
        name: "Faith or philosophy",
        question: "How much does faith or a philosophy of life matter to you in our relationship?",
        definition_prompt: "What place do faith or philosophy have in your life?",
        opening_question: "What gives your life meaning? Where did that come from, and how would you like it to show up in our life together?",
    },
    ValueItem {
        key: "personal_growth",
        name: "Personal growth",
        question: "How much does personal growth matter to you in our relationship?",
        definition_prompt: "What does growing as a person look like for you?",
        opening_question: "What is one way you'd like to grow in the next few years? How could I support you in it?",
    },
    ValueItem {
        key: "intimacy",
        name: "Intimacy",
        question: "How much does intimacy matter to you in our relationship?",
        definition_prompt: "What does intimacy mean to you?",
        opening_question: "When do you feel closest to me? Take your time, and share only what feels comfortable.",
    },
    ValueItem {
        key: "fairness",
        name: "Fairness",
        question: "How much does fairness matter to you in our relationship?",
        definition_prompt: "What does fairness mean to you?",
        opening_question: "When you were growing up, how were chores and decisions shared at home? What feels fair to you now?",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::checks::{
        assert_fits, assert_keys_in_order, assert_plain, assert_unique_snake_case_keys,
    };

    const REQUIRED_KEYS: [&str; 15] = [
        "respect",
        "love",
        "affection",
        "honesty",
        "trust",
        "loyalty",
        "independence",
        "time_together",
        "humor",
        "family",
        "money",
        "faith_or_philosophy",
        "personal_growth",
        "intimacy",
        "fairness",
    ];

    #[test]
    fn keys_are_unique_snake_case_and_non_empty() {
        assert_unique_snake_case_keys("", ITEMS.iter().map(|item| item.key));
    }

    #[test]
    fn required_keys_are_present_in_order() {
        assert_keys_in_order(ITEMS.iter().map(|item| item.key), &REQUIRED_KEYS);
    }

    #[test]
    fn texts_fit_on_a_phone_screen() {
        for item in ITEMS {
            assert!(!item.name.is_empty(), "{}: empty name", item.key);
            assert_fits(item.key, "question", item.question, 120);
            assert_fits(item.key, "definition_prompt", item.definition_prompt, 80);
            assert_fits(item.key, "opening_question", item.opening_question, 160);
        }
    }

    #[test]
    fn texts_are_plain() {
        for item in ITEMS {
            for text in [
                item.name,
                item.question,
                item.definition_prompt,
                item.opening_question,
            ] {
                assert_plain(item.key, text);
            }
        }
    }
}
