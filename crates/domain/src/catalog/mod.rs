//! What we ask: the values questionnaire, the respect-map areas and the
//! conversation decks. Every word here is ours, written to be warm and plain;
//! the keys are part of the API contract (stored in answers), so a key is
//! never renamed or reused — retire an item by adding a new one instead.

pub mod decks;
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
