//! A refreshed or restored tab never meets a 405.
//!
//! Every form posts to an address of its own (`/ledger/log`), and success
//! redirects to a page (post/redirect/get). But a page drawn in answer to a
//! post (a form with its errors, an invitation code shown once) sits at the
//! form's address, and a browser that restores the tab, or a person who
//! opens the address again, sends a GET there. Such a GET goes back to the
//! page the form belongs to, instead of "405 Method Not Allowed".
//! Only the web pages do this; the JSON API keeps its 405.

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

pub async fn back_to_the_page(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && (method == Method::GET || method == Method::HEAD)
    {
        return Redirect::to(&page_of(&path)).into_response();
    }
    response
}

/// The page a form's address belongs to. Places whose pages are about one
/// thing (an agreement, an episode, a deck) keep its id; everything else
/// goes to its place's first page.
fn page_of(path: &str) -> String {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["agreements", id, _verb] => format!("/agreements/{id}"),
        ["episodes", id, ..] => format!("/episodes/{id}"),
        ["conversations", deck, ..] => format!("/conversations/{deck}"),
        ["account", "two-factor", ..] => "/account/two-factor".to_owned(),
        ["ledger", "numbers"] => "/ledger/balance".to_owned(),
        ["ledger", "delete", _] => "/ledger/history".to_owned(),
        ["clients", ..] => "/clients".to_owned(),
        ["signout"] => "/".to_owned(),
        ["relationship", ..] | ["join"] => "/home".to_owned(),
        [place, ..]
            if [
                "ledger",
                "checkins",
                "counselor",
                "reflections",
                "respect",
                "values",
                "account",
            ]
            .contains(place) =>
        {
            format!("/{place}")
        }
        _ => "/home".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn each_form_address_goes_back_to_its_page() {
        for (form, page) in [
            ("/ledger/log", "/ledger"),
            ("/ledger/thank/5f0c", "/ledger"),
            ("/ledger/numbers", "/ledger/balance"),
            ("/ledger/delete/5f0c", "/ledger/history"),
            ("/agreements/12/accept", "/agreements/12"),
            ("/episodes/7/turns/undo", "/episodes/7"),
            (
                "/conversations/early-days/submit",
                "/conversations/early-days",
            ),
            ("/account/sessions/3/end", "/account"),
            ("/account/two-factor/confirm", "/account/two-factor"),
            ("/respect/submit", "/respect"),
            ("/values/new-round", "/values"),
            ("/clients/join", "/clients"),
            ("/relationship/invite", "/home"),
            ("/join", "/home"),
            ("/signout", "/"),
            ("/somewhere/else", "/home"),
        ] {
            assert_eq!(page_of(form), page, "{form}");
        }
    }
}
