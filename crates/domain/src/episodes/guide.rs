//! "Before you answer": a minute's reading for a hard moment, offered when
//! someone records a negative turn and linked from every page. Our own
//! words, shaped by the interpersonal-effectiveness skills of DBT
//! (SCIENCE.md §5.1: describe, express, ask, listen; gentle, interested,
//! validating; keeping your own values) and by the research on flooding
//! (§4.3: a break of at least twenty minutes). Nothing here is framed as
//! an obligation to the other person (§5.3).

/// One step of the guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub title: &'static str,
    pub text: &'static str,
}

pub const INTRO: &str = "When something stings, the fastest answer is rarely the one you \
     would choose a day later. These steps take a minute to read.";

pub const STEPS: [Step; 6] = [
    Step {
        title: "Pause",
        text: "Breathe out slowly before you answer. If your heart is racing or your \
               thoughts are loud, take a break of at least twenty minutes, and say when \
               you will come back: \u{201c}I want to talk about this. Can we pick it up \
               at eight?\u{201d} Then do something calming, not rehearsing the argument.",
    },
    Step {
        title: "Describe",
        text: "Say what happened as a camera would have seen it, without guessing at \
               motives: \u{201c}The dishes were still in the sink this morning.\u{201d}",
    },
    Step {
        title: "Say how you feel",
        text: "Speak about yourself, not about them: \u{201c}I felt tired and alone with \
               it.\u{201d}",
    },
    Step {
        title: "Ask for one thing",
        text: "Ask clearly for something they can do, or say no clearly: \u{201c}Could we \
               take turns on weekday evenings?\u{201d}",
    },
    Step {
        title: "Listen",
        text: "Be gentle, and be curious about their side. Say back what you heard before \
               you answer it, and let them know what makes sense to you in what they \
               feel, even where you see it differently.",
    },
    Step {
        title: "Keep your own values",
        text: "Be fair to them and to yourself. You do not have to apologise for having a \
               need, or give up what matters to you to end the argument. If you are \
               afraid of your partner, none of this is yours to fix: the safety page has \
               people who can help.",
    },
];
