//! The conversation decks: a few prompts around one theme, each answered
//! privately in writing, then revealed together and talked through.

use super::{Deck, Prompt};

const DEFINING_LOVE: &[Prompt] = &[
    Prompt {
        key: "felt_loved",
        text: "Think of a moment when you felt truly loved, by anyone at all. What happened, and what made it feel like love?",
    },
    Prompt {
        key: "how_you_show_love",
        text: "How do you most often show love to me? Include the small, everyday things too.",
    },
    Prompt {
        key: "how_you_feel_loved",
        text: "What do I do, or what could I do, that helps you feel loved?",
    },
    Prompt {
        key: "love_growing_up",
        text: "How was love shown in the home you grew up in? What would you like to keep, and what would you like to do differently?",
    },
    Prompt {
        key: "love_on_hard_days",
        text: "What does love look like to you on a hard day, when one of us is tired, sad or stressed?",
    },
    Prompt {
        key: "love_in_one_sentence",
        text: "If you had to describe love in one sentence, what would you write?",
    },
];

const DEFINING_RESPECT: &[Prompt] = &[
    Prompt {
        key: "respect_in_your_words",
        text: "In your own words, what does respect mean to you?",
    },
    Prompt {
        key: "felt_respected",
        text: "Think of a recent moment when you felt respected by me. What did I do or say?",
    },
    Prompt {
        key: "small_signs",
        text: "What small, everyday sign of respect means the most to you?",
    },
    Prompt {
        key: "respect_in_disagreement",
        text: "When we disagree, how would you like us to treat each other?",
    },
    Prompt {
        key: "respect_growing_up",
        text: "How did the adults around you show respect when you were growing up? How do you think that shapes you now?",
    },
    Prompt {
        key: "something_you_respect",
        text: "What is something about me that you respect, and may not have told me yet?",
    },
];

const GOODS_AND_LABOR: &[Prompt] = &[
    Prompt {
        key: "pictured_before",
        text: "Before we committed to each other, how did you picture us sharing chores, money, things and care?",
    },
    Prompt {
        key: "how_it_is_now",
        text: "How do you see the way we share chores, money, things and care today? What works well for you?",
    },
    Prompt {
        key: "what_you_give",
        text: "What do you give to our life together that you feel good about, in time, money, things or care?",
    },
    Prompt {
        key: "what_you_receive",
        text: "What do you receive from me that you value, even if you don't often say so?",
    },
    Prompt {
        key: "unseen_work",
        text: "Is there something you do for us that you think may go unnoticed? How would you like it to be seen?",
    },
    Prompt {
        key: "one_change",
        text: "If you could change one thing about how we share, what would it be, and what might you offer in return?",
    },
];

const INTIMACY: &[Prompt] = &[
    Prompt {
        key: "feeling_close",
        text: "When do you feel most emotionally close to me? What is usually happening in those moments?",
    },
    Prompt {
        key: "everyday_touch",
        text: "What kinds of everyday touch do you enjoy, like holding hands, a hug, or sitting close?",
    },
    Prompt {
        key: "feeling_safe",
        text: "What helps you feel safe and relaxed enough to be open with me, in words or with your body?",
    },
    Prompt {
        key: "desire",
        text: "What helps you feel in the mood for sex, and what tends to get in the way? You're welcome to pass on this one.",
    },
    Prompt {
        key: "saying_not_now",
        text: "How would you like us to say 'not now' to each other, in a way that feels kind to both of us?",
    },
    Prompt {
        key: "unsaid",
        text: "Is there something about closeness you'd like me to know but haven't found the moment to say? It's fine to pass.",
    },
];

const OUR_VALUES: &[Prompt] = &[
    Prompt {
        key: "what_matters_most",
        text: "What three things matter most to you in life right now?",
    },
    Prompt {
        key: "where_values_came_from",
        text: "Who or what shaped the values you hold most dear?",
    },
    Prompt {
        key: "values_day_to_day",
        text: "Where do you see your values showing up in how we live day to day?",
    },
    Prompt {
        key: "shared_value",
        text: "What is one value you think we share? When did you first notice it?",
    },
    Prompt {
        key: "different_views",
        text: "Is there a value where we seem to see things differently? What would help you understand my side, and me yours?",
    },
    Prompt {
        key: "what_we_stand_for",
        text: "Ten years from now, what would you like our life together to stand for?",
    },
];

const HANDLING_CHANGE: &[Prompt] = &[
    Prompt {
        key: "change_you_lived_through",
        text: "Think of a big change you went through in your life. What helped you get through it?",
    },
    Prompt {
        key: "first_reaction",
        text: "When something changes suddenly, what is your first reaction, and what do you need in that moment?",
    },
    Prompt {
        key: "support_from_me",
        text: "When things are changing, how can I best support you?",
    },
    Prompt {
        key: "change_ahead",
        text: "What change do you see coming for us, and how do you feel about it?",
    },
    Prompt {
        key: "deciding_together",
        text: "When a change affects us both, how would you like us to decide together?",
    },
    Prompt {
        key: "how_we_have_changed",
        text: "How have you changed since we met? What change in me have you noticed and liked?",
    },
];

const NEGATIVITY_PLAN: &[Prompt] = &[
    Prompt {
        key: "early_signs",
        text: "What signs tell you that you're starting to get sharp or defensive? Think of your body, your voice and your words.",
    },
    Prompt {
        key: "pause_signal",
        text: "What word or signal could either of us use to ask for a pause? How would you like the other to respond to it?",
    },
    Prompt {
        key: "calming_down",
        text: "During a pause, what helps you calm down, and how long do you usually need?",
    },
    Prompt {
        key: "coming_back",
        text: "How would you like us to come back together after a pause? Who reaches out first, and how?",
    },
    Prompt {
        key: "repair",
        text: "What words or gestures help you feel that things are OK between us again?",
    },
    Prompt {
        key: "your_part",
        text: "What is one thing you could try next time to help a hard moment stay small?",
    },
];

/// In the order shown. New decks are appended, never inserted or removed:
/// the web pages address a deck by its position (see `ui/conversations.rs`).
pub const DECKS: &[Deck] = &[
    Deck {
        key: "defining_love",
        title: "Defining love",
        summary: "Put love into your own words and see how each of you gives and feels it. A good first conversation, or one for a quiet evening.",
        prompts: DEFINING_LOVE,
    },
    Deck {
        key: "defining_respect",
        title: "Defining respect",
        summary: "Explore what respect means to each of you and how it shows up day to day. Helpful next to the respect map, or whenever respect is on your mind.",
        prompts: DEFINING_RESPECT,
    },
    Deck {
        key: "goods_and_labor",
        title: "Giving and sharing: goods and labor",
        summary: "Talk about what each of you gives and shares: chores, money, things and care. Look at how you pictured it before you committed, and how it is now.",
        prompts: GOODS_AND_LABOR,
    },
    Deck {
        key: "intimacy",
        title: "Closeness: emotional, physical and sexual",
        summary: "A gentle look at emotional, physical and sexual closeness. Go slowly, answer only what feels right, and feel free to pass on any question.",
        prompts: INTIMACY,
    },
    Deck {
        key: "our_values",
        title: "Our values",
        summary: "Talk about what matters most to each of you and how it shows up in your life together. Good after the values questionnaire, or any time.",
        prompts: OUR_VALUES,
    },
    Deck {
        key: "handling_change",
        title: "How we handle change",
        summary: "Look at how each of you meets change, big or small: a move, a new job, a child, getting older. Useful before a change or while you're in one.",
        prompts: HANDLING_CHANGE,
    },
    Deck {
        key: "negativity_plan",
        title: "Our plan for hard moments",
        summary: "Make a plan for when one of you meets negativity with negativity: how to notice it, pause, and find your way back to each other. Best made on a calm day.",
        prompts: NEGATIVITY_PLAN,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::checks::{
        assert_fits, assert_keys_in_order, assert_plain, assert_unique_snake_case_keys,
    };

    const REQUIRED_KEYS: [&str; 7] = [
        "defining_love",
        "defining_respect",
        "goods_and_labor",
        "intimacy",
        "our_values",
        "handling_change",
        "negativity_plan",
    ];

    #[test]
    fn deck_keys_are_unique_snake_case_and_non_empty() {
        assert_unique_snake_case_keys("", DECKS.iter().map(|deck| deck.key));
    }

    #[test]
    fn prompt_keys_are_unique_within_each_deck() {
        for deck in DECKS {
            assert_unique_snake_case_keys(deck.key, deck.prompts.iter().map(|p| p.key));
        }
    }

    #[test]
    fn required_keys_are_present_in_order() {
        assert_keys_in_order(DECKS.iter().map(|deck| deck.key), &REQUIRED_KEYS);
    }

    #[test]
    fn each_deck_has_five_or_six_prompts() {
        for deck in DECKS {
            let n = deck.prompts.len();
            assert!((5..=6).contains(&n), "{}: {n} prompts", deck.key);
        }
    }

    #[test]
    fn texts_fit_on_a_phone_screen() {
        for deck in DECKS {
            assert!(!deck.title.is_empty(), "{}: empty title", deck.key);
            assert_fits(deck.key, "summary", deck.summary, 220);
            for prompt in deck.prompts {
                let owner = format!("{}/{}", deck.key, prompt.key);
                assert_fits(&owner, "prompt", prompt.text, 200);
            }
        }
    }

    #[test]
    fn texts_are_plain() {
        for deck in DECKS {
            for text in [deck.title, deck.summary] {
                assert_plain(deck.key, text);
            }
            for prompt in deck.prompts {
                assert_plain(&format!("{}/{}", deck.key, prompt.key), prompt.text);
            }
        }
    }
}
