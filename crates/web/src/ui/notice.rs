//! Confirmations after a save, a thank you, an add or a delete.
//!
//! A form that succeeds answers with a redirect (post/redirect/get), and the
//! redirect carries a short code, `?done=thanked`, never words or data. The
//! page then announces our own fixed sentence for that code (base.html draws
//! it as a status message, so a screen reader reads it out). An unknown
//! code shows nothing: a link can never make the page say something else.

use axum::response::{IntoResponse, Redirect, Response};

/// What just happened, as the redirect names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    Saved,
    Added,
    Deleted,
    Undone,
    Thanked,
    Logged,
    Corrected,
    Proposed,
    Sent,
    Shared,
    Kept,
    SignedOut,
    /// The account page: a new password (every other session ended).
    PasswordChanged,
    /// The account page: one device signed out.
    SessionEnded,
    /// The account page: every other device signed out.
    OthersSignedOut,
    /// The account page: an API token revoked.
    TokenRevoked,
    /// Two-step sign-in turned off.
    TwoStepOff,
    /// A counselor joined a couple with their code.
    Joined,
    /// A new round asked for: it starts when the partner agrees.
    Asked,
    /// A new round started (agreed, or asked when the partner had asked).
    Started,
    /// The partner's request for a new round declined, for now.
    Declined,
    /// One's own request for a new round taken back.
    Withdrawn,
    /// One's own answers from last time filled into the new round.
    Prefilled,
    /// The request had changed meanwhile (the partner took it back, another
    /// tab answered): the page shows where things stand.
    MovedOn,
}

/// Every code, for reading one back from a query string.
const ALL: [Done; 24] = [
    Done::Saved,
    Done::Added,
    Done::Deleted,
    Done::Undone,
    Done::Thanked,
    Done::Logged,
    Done::Corrected,
    Done::Proposed,
    Done::Sent,
    Done::Shared,
    Done::Kept,
    Done::SignedOut,
    Done::PasswordChanged,
    Done::SessionEnded,
    Done::OthersSignedOut,
    Done::TokenRevoked,
    Done::TwoStepOff,
    Done::Joined,
    Done::Asked,
    Done::Started,
    Done::Declined,
    Done::Withdrawn,
    Done::Prefilled,
    Done::MovedOn,
];

impl Done {
    pub fn code(self) -> &'static str {
        match self {
            Done::Saved => "saved",
            Done::Added => "added",
            Done::Deleted => "deleted",
            Done::Undone => "undone",
            Done::Thanked => "thanked",
            Done::Logged => "logged",
            Done::Corrected => "corrected",
            Done::Proposed => "proposed",
            Done::Sent => "sent",
            Done::Shared => "shared",
            Done::Kept => "kept",
            Done::SignedOut => "signed-out",
            Done::PasswordChanged => "password",
            Done::SessionEnded => "session",
            Done::OthersSignedOut => "others",
            Done::TokenRevoked => "revoked",
            Done::TwoStepOff => "off",
            Done::Joined => "joined",
            Done::Asked => "asked",
            Done::Started => "started",
            Done::Declined => "declined",
            Done::Withdrawn => "withdrawn",
            Done::Prefilled => "prefilled",
            Done::MovedOn => "moved-on",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        ALL.into_iter().find(|d| d.code() == code)
    }

    /// Our words for it: short, and about what happens next where that
    /// helps (who can see it now).
    pub fn sentence(self) -> &'static str {
        match self {
            Done::Saved => "Saved.",
            Done::Added => "Added.",
            Done::Deleted => "Deleted.",
            Done::Undone => "Undone: it's as if you hadn't added it.",
            Done::Thanked => "Your thanks is on its way.",
            Done::Logged => "Noted. It's on your list now.",
            Done::Corrected => "Your correction is saved.",
            Done::Proposed => "Sent. Your partner will find it here next time they look.",
            Done::Sent => "Sent. It stays sealed until you have both sent yours.",
            Done::Shared => "Shared with your partner.",
            Done::Kept => "Kept, just for you.",
            Done::SignedOut => "You're signed out.",
            Done::PasswordChanged => "Your password is changed. Every other device was signed out.",
            Done::SessionEnded => "That device is signed out.",
            Done::OthersSignedOut => "Every other device is signed out.",
            Done::TokenRevoked => "The token is revoked. It stops working at once.",
            Done::TwoStepOff => "Two-step sign-in is off. Your password alone signs you in again.",
            Done::Joined => {
                "You have joined. The couple appears here once both partners have approved."
            }
            Done::Asked => "Asked. The new round starts as soon as your partner agrees.",
            Done::Started => {
                "A new round has started. Your answers stay sealed until you have both sent yours."
            }
            Done::Declined => "Not now, then. Either of you can ask again whenever you're ready.",
            Done::Withdrawn => "Taken back. Nothing has changed.",
            Done::Prefilled => {
                "Your answers from last time are filled in. Change anything before you send."
            }
            Done::MovedOn => {
                "That had already changed in the meantime, so here is where things stand now."
            }
        }
    }
}

/// The sentence for a `done` code from a query string, if it is one of ours.
pub fn text(code: &str) -> Option<&'static str> {
    Done::from_code(code).map(Done::sentence)
}

/// A 303 to `to` that announces `done` there. A `#fragment` stays last.
pub fn after(to: &str, done: Done) -> Response {
    Redirect::to(&with_done(to, done)).into_response()
}

fn with_done(to: &str, done: Done) -> String {
    let (path, fragment) = match to.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (to, None),
    };
    let joiner = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{joiner}done={}", done.code());
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_goes_before_the_fragment_and_after_a_query() {
        assert_eq!(with_done("/ledger", Done::Thanked), "/ledger?done=thanked");
        assert_eq!(
            with_done("/episodes/7#add", Done::Added),
            "/episodes/7?done=added#add"
        );
        assert_eq!(
            with_done("/checkins/trends?a=1#kept", Done::Saved),
            "/checkins/trends?a=1&done=saved#kept"
        );
    }

    #[test]
    fn every_code_reads_back_as_itself() {
        for done in ALL {
            assert_eq!(Done::from_code(done.code()), Some(done));
        }
    }

    #[test]
    fn only_our_codes_have_words() {
        assert_eq!(text("thanked"), Some("Your thanks is on its way."));
        assert_eq!(text("<script>"), None);
        assert_eq!(text(""), None);
    }
}
