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
    Thanked,
    Logged,
    Sent,
}

impl Done {
    pub fn code(self) -> &'static str {
        match self {
            Done::Saved => "saved",
            Done::Added => "added",
            Done::Deleted => "deleted",
            Done::Thanked => "thanked",
            Done::Logged => "logged",
            Done::Sent => "sent",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [
            Done::Saved,
            Done::Added,
            Done::Deleted,
            Done::Thanked,
            Done::Logged,
            Done::Sent,
        ]
        .into_iter()
        .find(|d| d.code() == code)
    }

    pub fn sentence(self) -> &'static str {
        match self {
            Done::Saved => "Saved.",
            Done::Added => "Added.",
            Done::Deleted => "Deleted.",
            Done::Thanked => "Your thanks is on its way.",
            Done::Logged => "Noted. Thank you for writing it down.",
            Done::Sent => "Sent.",
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
    fn only_our_codes_have_words() {
        assert_eq!(text("thanked"), Some("Your thanks is on its way."));
        assert_eq!(text("<script>"), None);
        assert_eq!(text(""), None);
    }
}
