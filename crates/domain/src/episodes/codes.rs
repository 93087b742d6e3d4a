//! The codes a turn can carry, in our own words, each with a plain
//! explanation and the feeling it usually has (the person recording can
//! change it). Drawn from the observational research on couples' conflict
//! (SCIENCE.md §4.2–4.4): the four ways a fight tends to go wrong and
//! what answers each, bids for connection and the three ways to answer
//! one, repair attempts, and everyday warmth.

use analytics::episodes::{Response, Valence};

/// A family of codes, for grouping buttons on a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Hurts,
    Helps,
    Connection,
    Warmth,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Self::Hurts => "What tends to hurt",
            Self::Helps => "What helps instead",
            Self::Connection => "Reaching out, and answering",
            Self::Warmth => "Warmth and repair",
        }
    }
}

/// One code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The API's value.
    pub key: &'static str,
    pub label: &'static str,
    pub explanation: &'static str,
    pub valence: Valence,
    pub group: Group,
    /// The turn reaches out for the other's attention.
    pub bid: bool,
    /// The turn answers a bid this way.
    pub response: Option<Response>,
}

const fn code(
    key: &'static str,
    label: &'static str,
    explanation: &'static str,
    valence: Valence,
    group: Group,
) -> Code {
    Code {
        key,
        label,
        explanation,
        valence,
        group,
        bid: false,
        response: None,
    }
}

const fn answer(c: Code, response: Response) -> Code {
    Code {
        response: Some(response),
        ..c
    }
}

use Group::{Connection, Helps, Hurts, Warmth};
use Valence::{Negative, Neutral, Positive};

/// Every code, in the order the recording page shows them.
pub const CODES: [Code; 16] = [
    code(
        "criticism",
        "Criticism",
        "Blaming who they are rather than what happened: \u{201c}you always\u{2026}\u{201d}, \u{201c}you never\u{2026}\u{201d}.",
        Negative,
        Hurts,
    ),
    code(
        "contempt",
        "Contempt",
        "Looking down on them: mocking, sarcasm, rolling eyes, calling names.",
        Negative,
        Hurts,
    ),
    code(
        "defensiveness",
        "Defensiveness",
        "Shielding yourself with an excuse or a complaint of your own instead of hearing them.",
        Negative,
        Hurts,
    ),
    code(
        "stonewalling",
        "Stonewalling",
        "Shutting down: going quiet, looking away, leaving without a word.",
        Negative,
        Hurts,
    ),
    code(
        "gentle_start_up",
        "Gentle start-up",
        "Raising a problem without blame: how you feel about one thing, and what you would like.",
        Positive,
        Helps,
    ),
    code(
        "appreciation",
        "Appreciation",
        "Saying what you value in them, or thanking them for something.",
        Positive,
        Helps,
    ),
    code(
        "taking_responsibility",
        "Taking responsibility",
        "Owning your part, even a small part.",
        Positive,
        Helps,
    ),
    code(
        "self_soothing",
        "Self-soothing",
        "Noticing you are overwhelmed, taking a break to calm down, and coming back.",
        Positive,
        Helps,
    ),
    Code {
        bid: true,
        ..code(
            "bid",
            "Bid for connection",
            "Reaching out for attention, interest, help or a moment together.",
            Positive,
            Connection,
        )
    },
    answer(
        code(
            "turning_toward",
            "Turning toward",
            "Answering a bid: noticing it and responding with interest.",
            Positive,
            Connection,
        ),
        Response::Toward,
    ),
    answer(
        code(
            "turning_away",
            "Turning away",
            "Missing a bid: not noticing, staying busy, or answering something else.",
            Negative,
            Connection,
        ),
        Response::Away,
    ),
    answer(
        code(
            "turning_against",
            "Turning against",
            "Answering a bid with irritation or hostility.",
            Negative,
            Connection,
        ),
        Response::Against,
    ),
    code(
        "repair_attempt",
        "Repair attempt",
        "Anything that tries to stop things getting worse: a joke, a touch, \u{201c}can we start again?\u{201d}",
        Positive,
        Warmth,
    ),
    code(
        "affection",
        "Affection",
        "Warmth: a kind word, a hug, a smile.",
        Positive,
        Warmth,
    ),
    code(
        "humor",
        "Humor",
        "Lightness you could both laugh at, not at anyone's expense.",
        Positive,
        Warmth,
    ),
    code(
        "neutral",
        "Neutral",
        "Plain information or a question, neither warm nor cold.",
        Neutral,
        Warmth,
    ),
];

pub fn find(key: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.key == key)
}

pub fn valence_key(v: Valence) -> &'static str {
    match v {
        Valence::Positive => "positive",
        Valence::Neutral => "neutral",
        Valence::Negative => "negative",
    }
}

pub fn valence_of(key: &str) -> Option<Valence> {
    match key {
        "positive" => Some(Valence::Positive),
        "neutral" => Some(Valence::Neutral),
        "negative" => Some(Valence::Negative),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_every_group_has_codes() {
        let mut keys: Vec<&str> = CODES.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), CODES.len());
        for g in [Hurts, Helps, Connection, Warmth] {
            assert!(CODES.iter().any(|c| c.group == g));
        }
        assert_eq!(CODES.iter().filter(|c| c.bid).count(), 1);
        assert_eq!(CODES.iter().filter(|c| c.response.is_some()).count(), 3);
        for v in [Positive, Neutral, Negative] {
            assert_eq!(valence_of(valence_key(v)), Some(v));
        }
    }
}
