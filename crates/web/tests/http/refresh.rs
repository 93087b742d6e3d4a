//! Post/redirect/get: a form that succeeds redirects to a page that says
//! so (`?done=…`), and a GET of a form's own address (a refreshed or
//! restored tab) goes back to its page instead of answering 405. The JSON
//! API keeps its 405.

use crate::common::pages::{html, location};
use crate::common::{DbEngine, TestApp};

async fn a_refreshed_form_address_goes_back_to_its_page(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _bo) = app.ui_couple().await;
    let id = "00000000-0000-4000-8000-000000000000";
    // Every POST-only address of the web pages, with where it belongs.
    let forms = [
        ("/ledger/log", "/ledger"),
        (&*format!("/ledger/thank/{id}"), "/ledger"),
        ("/ledger/numbers", "/ledger/balance"),
        (&*format!("/ledger/delete/{id}"), "/ledger/history"),
        ("/agreements/7/accept", "/agreements/7"),
        ("/checkins/cadence", "/checkins"),
        ("/checkins/3/share", "/checkins"),
        (
            "/conversations/early-days/submit",
            "/conversations/early-days",
        ),
        (
            "/conversations/early-days/again",
            "/conversations/early-days",
        ),
        (
            "/conversations/early-days/notes",
            "/conversations/early-days",
        ),
        ("/counselor/approve", "/counselor"),
        ("/counselor/renew", "/counselor"),
        ("/counselor/revoke", "/counselor"),
        ("/counselor/notes", "/counselor"),
        ("/clients/join", "/clients"),
        ("/episodes/5/turns", "/episodes/5"),
        ("/episodes/5/turns/undo", "/episodes/5"),
        ("/episodes/5/share", "/episodes/5"),
        ("/episodes/5/repair", "/episodes/5"),
        ("/reflections/5/delete", "/reflections"),
        ("/respect/areas", "/respect"),
        ("/respect/submit", "/respect"),
        ("/respect/new-round", "/respect"),
        ("/values/submit", "/values"),
        ("/values/new-round", "/values"),
        ("/account/password", "/account"),
        ("/account/recovery-code", "/account"),
        ("/account/sessions/3/end", "/account"),
        ("/account/sessions/end-others", "/account"),
        ("/account/tokens", "/account"),
        ("/account/tokens/3/revoke", "/account"),
        ("/account/delete", "/account"),
        ("/account/two-factor/start", "/account/two-factor"),
        ("/account/two-factor/confirm", "/account/two-factor"),
        ("/account/two-factor/off", "/account/two-factor"),
        ("/relationship", "/home"),
        ("/relationship/invite", "/home"),
        ("/signout", "/"),
    ];
    for (form, page) in forms {
        let response = ada.get(form).await;
        assert_eq!(response.status(), 303, "GET {form}");
        assert_eq!(location(&response), page, "GET {form}");
    }
    // Where the page is one everybody may open, it opens.
    for page in ["/ledger", "/ledger/history", "/account", "/home", "/values"] {
        html(&ada, page).await;
    }
    // The API is a contract for programs: a wrong method stays a 405.
    let api = ada.get("/api/v1/accounts").await;
    assert_eq!(api.status(), 405, "GET of a POST-only API path");
}

async fn a_save_redirects_to_a_page_that_says_so(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, bo) = app.ui_couple().await;
    let today = chrono::Utc::now().date_naive().to_string();
    let logged = ada
        .post_form(
            "/ledger/log",
            &[
                ("who", "me"),
                ("description", "Fixed the bike"),
                ("domain", "planning"),
                ("effort", "3"),
                ("occurred_on", &today),
            ],
        )
        .await;
    assert_eq!(logged.status(), 303);
    assert_eq!(location(&logged), "/ledger?done=logged");
    let page = html(&ada, "/ledger?done=logged").await;
    assert!(
        page.contains("role=\"status\"") && page.contains("Noted. It"),
        "the confirmation is announced: {page}"
    );
    // A code that is not ours says nothing.
    let odd = html(&ada, "/ledger?done=%3Cb%3Ehi%3C%2Fb%3E").await;
    assert!(!odd.contains("<b>hi</b>") && !odd.contains("&lt;b&gt;hi"));

    let signed_out = bo.post_form("/signout", &[]).await;
    assert_eq!(location(&signed_out), "/?done=signed-out");
}

on_both_engines!(
    a_refreshed_form_address_goes_back_to_its_page,
    a_save_redirects_to_a_page_that_says_so,
);
