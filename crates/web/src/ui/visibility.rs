//! "What my partner can see" (SECURITY.md R26): per kind of data, what the
//! partner sees of it and who else does.
//!
//! The page is drawn from [`ROWS`] and nothing else, and
//! `tests/http/visibility.rs` plants a marker in each row's data and reads
//! every API route as the partner to prove each row true. A row changed
//! here without its rule changing fails that test; a new kind of data a
//! partner can read must join this table (and that test) before it ships.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::relationship::{self, RelationshipStatus};

use super::{render, signed_in};
use crate::error::PageError;
use crate::state::AppState;

/// What the partner sees of one kind of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Yes,
    /// Sealed rounds: nothing but "sent or not" until both have sent.
    AfterBothSend,
    /// The 1–5 rating of a thank-you: only once both chose to see figures.
    IfBothChooseFigures,
    /// Check-ins: only the ones the author shares, until they withdraw them.
    IfYouShare,
    No,
    /// Not the data, and not whether there is any.
    NotEvenThatItExists,
    /// On the partner's own access log: who looked at their shared items,
    /// which kind, which day (SECURITY.md D5).
    OnTheirAccessLog,
}

impl Seen {
    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::AfterBothSend => "Once you have both sent yours",
            Self::IfBothChooseFigures => "Only if you both choose to see figures",
            Self::IfYouShare => "Only the ones you choose to share",
            Self::No => "No",
            Self::NotEvenThatItExists => "No, not even that it exists",
            Self::OnTheirAccessLog => "Yes, on a list only they see: the days you looked",
        }
    }
}

/// Who else in the app sees a kind of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Others {
    NoOne,
    /// A counselor you both approved, for a part you both allowed, while
    /// neither of you has ended it (`docs/counselor.md`).
    CounselorIfBothAllow,
    /// The counselor you wrote to, and nobody else.
    YourCounselor,
}

impl Others {
    pub fn label(self) -> &'static str {
        match self {
            Self::NoOne => "No one else",
            Self::CounselorIfBothAllow => {
                "A counselor, only if you both approve them and both allow this part"
            }
            Self::YourCounselor => "Your counselor, and no one else",
        }
    }
}

/// One kind of data.
#[derive(Debug)]
pub struct Row {
    /// Stable name, for the test that checks the row.
    pub key: &'static str,
    pub what: &'static str,
    pub partner: Seen,
    pub others: Others,
    /// The row said precisely, in a sentence or two.
    pub detail: &'static str,
}

/// SECURITY: the promise made to each person about their partner. Every
/// row must stay true of every route; `tests/http/visibility.rs` checks it.
pub const ROWS: &[Row] = &[
    Row {
        key: "display_name",
        what: "The name you chose to be called",
        partner: Seen::Yes,
        others: Others::NoOne,
        detail: "It is how the app names you to your partner.",
    },
    Row {
        key: "email",
        what: "Your e-mail address",
        partner: Seen::No,
        others: Others::NoOne,
        detail: "It is only for signing in. Your partner sees your name instead.",
    },
    Row {
        key: "drafts",
        what: "Answers you have not sent yet (what matters to you, the respect map, conversations)",
        partner: Seen::NotEvenThatItExists,
        others: Others::NoOne,
        detail: "Until you send, your partner sees only that you have not sent yet. \
                 Starting, saving or changing a draft changes nothing they can see.",
    },
    Row {
        key: "sent_answers",
        what: "Answers you have sent",
        partner: Seen::AfterBothSend,
        others: Others::CounselorIfBothAllow,
        detail: "Before that, your partner learns only that you have sent yours: not when, \
                 and not what. Then you both see both sets of answers at the same moment.",
    },
    Row {
        key: "respect_areas",
        what: "Areas you add to your respect map",
        partner: Seen::Yes,
        others: Others::CounselorIfBothAllow,
        detail: "The map is shared, so an area either of you adds is on it for both of you. \
                 What you answer about it stays sealed like your other answers.",
    },
    Row {
        key: "conversation_notes",
        what: "Notes you keep after a conversation",
        partner: Seen::Yes,
        others: Others::CounselorIfBothAllow,
        detail: "Notes belong to a conversation you have both opened, so both of you read them.",
    },
    Row {
        key: "agreements",
        what: "Agreements you propose, and your answers to your partner's",
        partner: Seen::Yes,
        others: Others::CounselorIfBothAllow,
        detail: "Agreements are made together, so both of you read every version, answer and \
                 reason as soon as it is written. Either of you can withdraw your assent at \
                 any time. If the space ends, each of you keeps only what you wrote yourself.",
    },
    Row {
        key: "ledger_entries",
        what: "What you note in Noticed",
        partner: Seen::Yes,
        others: Others::CounselorIfBothAllow,
        detail: "What was done, its kind, the day, the effort and minutes, and when you noted it.",
    },
    Row {
        key: "thanks_note",
        what: "Your words of thanks",
        partner: Seen::Yes,
        others: Others::CounselorIfBothAllow,
        detail: "The person you thank reads them, with when you wrote them. They also see \
                 whether you have thanked something they did yet.",
    },
    Row {
        key: "thanks_value",
        what: "How much something meant to you, from 1 to 5",
        partner: Seen::IfBothChooseFigures,
        others: Others::CounselorIfBothAllow,
        detail: "You always see your own. The person who did it sees it only once both of you \
                 have chosen to see figures on the balance page. Until then, your choice \
                 about figures is not shown to them either.",
    },
    Row {
        key: "checkins",
        what: "Your check-ins",
        partner: Seen::IfYouShare,
        others: Others::CounselorIfBothAllow,
        detail: "A check-in is yours unless you share it. Your partner sees the ones you \
                 share, with their day, and nothing of the others: not how many, not when. \
                 You can take back a shared one at any time.",
    },
    Row {
        key: "checkin_notes",
        what: "The note on a check-in",
        partner: Seen::NotEvenThatItExists,
        others: Others::NoOne,
        detail: "Locked with your own password, even on a check-in you share.",
    },
    Row {
        key: "episodes",
        what: "Episodes you record, and how you remember their turns",
        partner: Seen::IfYouShare,
        others: Others::CounselorIfBothAllow,
        detail: "An episode is yours until you share it; before that your partner cannot \
                 tell it exists. Once shared, they see its name and day, can add how they \
                 remember it, and see how you remembered each turn (theirs included) for as \
                 long as you keep your view shared. You can take your view back at any time; \
                 the episode's name and day stay shared.",
    },
    Row {
        key: "repairs",
        what: "What you write after an episode: your part, what you felt and needed, \
               what you will do next time",
        partner: Seen::AfterBothSend,
        others: Others::NoOne,
        detail: "Sealed like your answers on values: your partner sees only whether you \
                 have sent yours, until they have sent theirs too.",
    },
    Row {
        key: "account_security",
        what: "Where you are signed in, your sign-ins, your password and recovery code, \
               and your tokens",
        partner: Seen::No,
        others: Others::NoOne,
        detail: "Your account page is yours alone. Your partner is never told when you sign \
                 in or out or change how you sign in.",
    },
    Row {
        key: "your_views",
        what: "When you open what your partner shared with you",
        partner: Seen::OnTheirAccessLog,
        others: Others::NoOne,
        detail: "Your partner's account page lists who looked at what they shared: your \
                 name, which kind of thing (Noticed, a revealed round) and the day, once a \
                 day. Not how long or how often. Your own list works the same way.",
    },
    Row {
        key: "reflections",
        what: "Private reflections",
        partner: Seen::NotEvenThatItExists,
        others: Others::NoOne,
        detail: "Your journal (Just for you) is locked with your own password. Only you \
                 read it; your partner cannot tell whether you keep one, and nobody running \
                 the server can read it either.",
    },
    Row {
        key: "counselor_notes",
        what: "Private notes you write to your counselor",
        partner: Seen::NotEvenThatItExists,
        others: Others::YourCounselor,
        detail: "Only you and your counselor read them. Your partner sees nothing of them: not \
                 how many, not when, not that there are any.",
    },
];

/// Whom the page is about.
enum Partner {
    /// The active partner, by the name they chose.
    Named(String),
    /// No one yet, or no one any more.
    Nobody,
}

#[derive(Template)]
#[template(path = "visibility.html")]
struct VisibilityPage<'a> {
    exit_url: &'a str,
    partner: Partner,
    rows: &'static [Row],
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let mut partner = Partner::Nobody;
    let open = who.memberships.iter().find(|m| m.status.is_open());
    if let Some(m) = open.filter(|m| m.status == RelationshipStatus::Active) {
        let rel = relationship::get(&state.app, who.account_id, m.relationship_id).await?;
        if let Some(p) = rel.members.iter().find(|p| p.account_id != who.account_id) {
            partner = Partner::Named(p.display_name.clone());
        }
    }
    Ok(render(
        StatusCode::OK,
        &VisibilityPage {
            exit_url: &state.config.exit_url,
            partner,
            rows: ROWS,
        },
    ))
}
