//! The page chrome every page shares: the navigation with its active place,
//! the confirmation a redirect asked for (`?done=…`), and whether the
//! visitor is signed in and as whom.
//!
//! No page struct carries any of it. [`scope`], a layer around every page,
//! keeps it for the current request in a task-local; `base.html` reads it
//! with `crate::ui::chrome::current()`. The visitor is recorded by the
//! inner layer [`note_caller`] (from what `page_session` identified) and
//! again by `ui::signed_in`, the one call every signed-in page makes. A page
//! drawn outside the scope (a unit test, the app-wide 404) gets the default:
//! signed out, no navigation, no notice.

use std::cell::RefCell;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use domain::accounts::AccountKind;

use super::icons;
use crate::auth::Authenticated;

tokio::task_local! {
    static CHROME: RefCell<Chrome>;
}

/// Who is looking, as far as the chrome cares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Visitor {
    #[default]
    SignedOut,
    Partner,
    Counselor,
}

/// A place in the navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Home,
    Noticed,
    Talk,
    Agreements,
    CheckIn,
    Account,
    Clients,
}

const PARTNER_PLACES: [Place; 6] = [
    Place::Home,
    Place::Noticed,
    Place::Talk,
    Place::Agreements,
    Place::CheckIn,
    Place::Account,
];

/// A counselor has no shared space: their pages are their clients and
/// their own account.
const COUNSELOR_PLACES: [Place; 2] = [Place::Clients, Place::Account];

impl Place {
    pub fn href(self) -> &'static str {
        match self {
            Place::Home => "/home",
            Place::Noticed => "/ledger",
            Place::Talk => "/talk",
            Place::Agreements => "/agreements",
            Place::CheckIn => "/checkins",
            Place::Account => "/account",
            Place::Clients => "/clients",
        }
    }

    /// The one name of the place, the same in the navigation, its headings
    /// and every link to it.
    pub fn label(self) -> &'static str {
        match self {
            Place::Home => "Home",
            Place::Noticed => "Noticed",
            Place::Talk => "Talk",
            Place::Agreements => "Agreements",
            Place::CheckIn => "Check-in",
            Place::Account => "Account",
            Place::Clients => "Clients",
        }
    }

    /// The key of the place's colour in app.css (`.area-…`).
    pub fn area(self) -> &'static str {
        match self {
            Place::Home => "home",
            Place::Noticed => "noticed",
            Place::Talk => "talk",
            Place::Agreements => "agreements",
            Place::CheckIn => "checkin",
            Place::Account => "account",
            Place::Clients => "clients",
        }
    }

    pub fn icon(self) -> &'static str {
        icons::place(self)
    }
}

/// Which place a path belongs to, for the visitor's navigation.
///
/// Episodes go under Talk: an episode is a hard moment the two of you
/// record turn by turn so you can talk it through and repair it, which is
/// what the Talk places (values, respect, conversations) are for; it is
/// neither an everyday thanks (Noticed) nor a promise (Agreements). The
/// counselor a couple invites is someone to talk with, so Talk as well.
/// A person's own data (what they wrote, what a partner can see, who
/// looked) sits with the account.
pub fn place_of(path: &str, visitor: Visitor) -> Option<Place> {
    let under = |prefix: &str| place_prefix(path, prefix);
    match visitor {
        Visitor::SignedOut => None,
        Visitor::Counselor => {
            if under("/clients") {
                Some(Place::Clients)
            } else if under_any(path, &["/account", "/visibility", "/written"]) {
                Some(Place::Account)
            } else {
                None
            }
        }
        Visitor::Partner => {
            if under_any(
                path,
                &[
                    "/home",
                    "/reflections",
                    "/leave",
                    "/join",
                    "/j",
                    "/relationship",
                ],
            ) {
                Some(Place::Home)
            } else if under("/ledger") {
                Some(Place::Noticed)
            } else if under_any(
                path,
                &[
                    "/talk",
                    "/values",
                    "/respect",
                    "/conversations",
                    "/episodes",
                    "/counselor",
                ],
            ) {
                Some(Place::Talk)
            } else if under("/agreements") {
                Some(Place::Agreements)
            } else if under("/checkins") {
                Some(Place::CheckIn)
            } else if under_any(path, &["/account", "/visibility", "/written"]) {
                Some(Place::Account)
            } else {
                None
            }
        }
    }
}

/// Whether `path` is `prefix` or below it (`/ledger/x`, not `/ledgerx`).
fn place_prefix(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `path` is under any of `prefixes`.
fn under_any(path: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| place_prefix(path, p))
}

/// One link of the navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub icon: &'static str,
    pub area: &'static str,
    pub current: bool,
}

/// What the chrome knows about the current request.
#[derive(Clone, Debug, Default)]
pub struct Chrome {
    path: String,
    notice: Option<&'static str>,
    visitor: Visitor,
}

impl Chrome {
    fn for_request(path: &str, query: Option<&str>) -> Self {
        Self {
            path: path.to_owned(),
            notice: query.and_then(done_code).and_then(super::notice::text),
            visitor: Visitor::SignedOut,
        }
    }

    /// The confirmation to announce, only ever one of our own sentences.
    pub fn notice(&self) -> Option<&'static str> {
        self.notice
    }

    pub fn signed_in(&self) -> bool {
        self.visitor != Visitor::SignedOut
    }

    pub fn place(&self) -> Option<Place> {
        place_of(&self.path, self.visitor)
    }

    /// The colour key of the page (`area-…` on the body), "plain" outside
    /// every place.
    pub fn area(&self) -> &'static str {
        // Episodes live under Talk but keep a colour of their own.
        if self.place() == Some(Place::Talk) && place_prefix(&self.path, "/episodes") {
            return "episodes";
        }
        self.place().map_or("plain", Place::area)
    }

    /// The navigation: none for a visitor who is not signed in (the pages
    /// they can reach are few, and each links on).
    pub fn nav(&self) -> Vec<NavItem> {
        let places: &[Place] = match self.visitor {
            Visitor::SignedOut => &[],
            Visitor::Partner => &PARTNER_PLACES,
            Visitor::Counselor => &COUNSELOR_PLACES,
        };
        let here = self.place();
        places
            .iter()
            .map(|&p| NavItem {
                href: p.href(),
                label: p.label(),
                icon: p.icon(),
                area: p.area(),
                current: here == Some(p),
            })
            .collect()
    }

    /// Where the bar's mark leads.
    pub fn home_href(&self) -> &'static str {
        match self.visitor {
            Visitor::SignedOut => "/",
            Visitor::Partner => "/home",
            Visitor::Counselor => "/clients",
        }
    }
}

/// The value of the first `done=` in a query string.
fn done_code(query: &str) -> Option<&str> {
    query.split('&').find_map(|pair| pair.strip_prefix("done="))
}

/// The chrome of the request being answered (the default outside one).
pub fn current() -> Chrome {
    CHROME.try_with(|c| c.borrow().clone()).unwrap_or_default()
}

/// Records who is signed in for this request's chrome.
pub fn record(who: &Authenticated) {
    let visitor = match who.account.kind {
        AccountKind::Counselor => Visitor::Counselor,
        _ => Visitor::Partner,
    };
    // Outside a scope (a test calling a handler directly) there is nothing
    // to record into, and nothing draws the chrome either.
    let _ = CHROME.try_with(|c| c.borrow_mut().visitor = visitor);
}

/// The layer around every page: the chrome lives as long as the request.
pub async fn scope(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let chrome = Chrome::for_request(uri.path(), uri.query());
    CHROME.scope(RefCell::new(chrome), next.run(request)).await
}

/// The layer inside `page_session`: whoever it identified is signed in,
/// for every page, whether or not the handler asks again.
pub async fn note_caller(request: Request, next: Next) -> Response {
    if let Some(who) = request.extensions().get::<Authenticated>() {
        record(who);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_belongs_to_one_place() {
        let p = Visitor::Partner;
        assert_eq!(place_of("/home", p), Some(Place::Home));
        assert_eq!(place_of("/ledger", p), Some(Place::Noticed));
        assert_eq!(place_of("/ledger/history", p), Some(Place::Noticed));
        assert_eq!(place_of("/values/compare", p), Some(Place::Talk));
        assert_eq!(place_of("/respect", p), Some(Place::Talk));
        assert_eq!(place_of("/conversations/3", p), Some(Place::Talk));
        assert_eq!(place_of("/episodes/patterns", p), Some(Place::Talk));
        assert_eq!(place_of("/agreements/new", p), Some(Place::Agreements));
        assert_eq!(place_of("/checkins/trends", p), Some(Place::CheckIn));
        assert_eq!(place_of("/account/two-factor", p), Some(Place::Account));
        assert_eq!(place_of("/visibility", p), Some(Place::Account));
        // A prefix counts only up to a slash.
        assert_eq!(place_of("/ledgerx", p), None);
        assert_eq!(place_of("/safety", p), None);
    }

    #[test]
    fn a_counselor_has_clients_and_account_and_a_visitor_nothing() {
        let c = Visitor::Counselor;
        assert_eq!(place_of("/clients/abc", c), Some(Place::Clients));
        assert_eq!(place_of("/account", c), Some(Place::Account));
        assert_eq!(place_of("/ledger", c), None);
        assert_eq!(place_of("/home", Visitor::SignedOut), None);
        let chrome = Chrome {
            path: "/clients".into(),
            notice: None,
            visitor: c,
        };
        let nav = chrome.nav();
        assert_eq!(
            nav.iter().map(|n| n.label).collect::<Vec<_>>(),
            ["Clients", "Account"]
        );
        assert!(nav[0].current && !nav[1].current);
        assert!(Chrome::default().nav().is_empty());
    }

    #[test]
    fn only_our_done_codes_make_a_notice() {
        let c = Chrome::for_request("/ledger", Some("x=1&done=thanked"));
        assert_eq!(c.notice(), Some("Your thanks is on its way."));
        assert_eq!(
            Chrome::for_request("/", Some("done=%3Cb%3E")).notice(),
            None
        );
        assert_eq!(Chrome::for_request("/", None).notice(), None);
    }

    #[tokio::test]
    async fn outside_a_request_the_chrome_is_the_default() {
        assert!(!current().signed_in());
        let inside = CHROME
            .scope(
                RefCell::new(Chrome::for_request("/ledger", Some("done=saved"))),
                async { current() },
            )
            .await;
        assert_eq!(inside.notice(), Some("Saved."));
    }
}
