//! The agreements pages over real HTTP, on both engines: a proposal made
//! with the form reaches the partner, who suggests changes with the form
//! (and sees what changed), the proposer accepts, and both see it agreed;
//! a proposal without terms is refused beside its field and writes nothing.

use crate::common::pages::{html, page_after, plain_html};
use crate::common::{DbEngine, Person, TestApp};

/// The agreement's id from a redirect to its page.
fn agreement_of(location: &str) -> String {
    location
        .strip_prefix("/agreements/")
        .and_then(|rest| rest.split(['?', '#']).next())
        .expect("an agreement's page")
        .to_owned()
}

async fn post(p: &Person, path: &str, form: &[(&str, &str)]) -> String {
    let response = p.post_form(path, form).await;
    assert_eq!(response.status(), 303, "{path}");
    page_after(&response)
}

async fn propose_counter_accept_with_the_forms(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, bo) = app.ui_couple().await;
    let list = plain_html(&ada, "/agreements").await;
    assert!(list.contains("Propose an agreement"), "{list}");
    assert!(html(&ada, "/agreements/new")
        .await
        .contains("name=\"terms\""));

    let at = post(
        &ada,
        "/agreements",
        &[
            ("domain", "household_labor"),
            ("title", "Sunday dinners"),
            ("terms", "I cook on Sundays,\r\nyou wash up."),
            ("my_part", "Cooking"),
            ("partner_part", "Washing up"),
            ("review_on", ""),
        ],
    )
    .await;
    let id = agreement_of(&at);
    assert!(at.ends_with("#status"), "{at}");

    // Bo sees it waiting for his answer, on the list and at home.
    let bos = plain_html(&bo, "/agreements").await;
    assert!(bos.contains("Waiting for your answer") && bos.contains("Sunday dinners"));
    let home = plain_html(&bo, "/home").await;
    assert!(home.contains(&format!("/agreements/{id}")), "{home}");
    let page = plain_html(&bo, &format!("/agreements/{id}")).await;
    assert!(page.contains("Being talked over"));
    assert!(page.contains("I cook on Sundays,") && page.contains("Ada's part"));
    assert!(page.contains(&format!("action=\"/agreements/{id}/accept\"")));
    assert!(page.contains(&format!("action=\"/agreements/{id}/counter\"")));
    // Ada answers nothing of her own proposal.
    let adas = plain_html(&ada, &format!("/agreements/{id}")).await;
    assert!(!adas.contains(&format!("action=\"/agreements/{id}/accept\"")));

    // An empty counter is refused beside its field, keeping the page.
    let empty = bo
        .post_form(
            &format!("/agreements/{id}/counter"),
            &[("terms", "  "), ("title", "")],
        )
        .await;
    assert_eq!(empty.status(), 422);
    let shown = empty.text().await.expect("html");
    assert!(shown.contains("id=\"w-terms-error\""), "{shown}");
    assert!(shown.contains("aria-invalid=\"true\""));

    let back = post(
        &bo,
        &format!("/agreements/{id}/counter"),
        &[
            ("title", ""),
            ("terms", "I cook on Sundays,\r\nyou wash up and dry."),
            ("my_part", "Washing up"),
            ("partner_part", "Cooking"),
            ("review_on", ""),
        ],
    )
    .await;
    assert_eq!(back, format!("/agreements/{id}#versions-heading"));

    // Ada sees what changed, marked for eyes and for screen readers.
    let page = plain_html(&ada, &format!("/agreements/{id}")).await;
    assert!(page.contains("Version 2"), "{page}");
    assert!(
        page.contains("<ins><span class=\"visually-hidden\">added: </span>"),
        "{page}"
    );
    assert!(page.contains("Bo suggested changes"));
    let version = "2";
    let done = post(
        &ada,
        &format!("/agreements/{id}/accept"),
        &[("version", version)],
    )
    .await;
    assert_eq!(done, format!("/agreements/{id}#status"));

    for p in [&ada, &bo] {
        let page = plain_html(p, &format!("/agreements/{id}")).await;
        assert!(page.contains("<strong>Agreed</strong>"), "{page}");
        assert!(page.contains("You both stand by the latest version."));
        let list = plain_html(p, "/agreements").await;
        assert!(list.contains("id=\"agreed-heading\""), "{list}");
    }
    // Accepting an old version again is refused with words, not a crash.
    let stale = ada
        .post_form(&format!("/agreements/{id}/accept"), &[("version", "1")])
        .await;
    assert!(
        matches!(stale.status().as_u16(), 409 | 422),
        "{}",
        stale.status()
    );
    assert!(stale
        .text()
        .await
        .expect("html")
        .contains("id=\"move-error\""));
    // A move the pages do not know is not there.
    assert_eq!(
        ada.post_form(&format!("/agreements/{id}/shred"), &[])
            .await
            .status(),
        404
    );
    assert_eq!(
        ada.get("/agreements/not-an-id").await.status(),
        404,
        "garbage is an agreement that does not exist"
    );
}

async fn a_proposal_without_terms_is_refused_by_field_and_writes_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _bo) = app.ui_couple().await;
    let refused = ada
        .post_form(
            "/agreements",
            &[
                ("domain", "money_and_goods"),
                ("title", "KEPT-TITLE"),
                ("terms", "   "),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let shown = refused.text().await.expect("html");
    assert!(shown.contains("id=\"terms-error\""), "{shown}");
    assert!(shown.contains("value=\"KEPT-TITLE\""), "the title is kept");
    assert!(
        shown.contains("value=\"money_and_goods\" selected"),
        "the domain too"
    );
    assert_eq!(app.count("agreements").await, 0);
    assert_eq!(app.count("agreement_versions").await, 0);
}

async fn a_note_marked_as_an_idea_becomes_a_proposal(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, bo) = app.ui_couple().await;
    // Both answer the first deck's first prompt and send: the round opens.
    for p in [&ada, &bo] {
        post(
            p,
            "/conversations/1/p/1",
            &[("text", "Pancakes"), ("action", "save")],
        )
        .await;
        post(p, "/conversations/1/submit", &[]).await;
    }
    post(
        &ada,
        "/conversations/1/notes",
        &[
            ("text", "NOTE-IDEA we cook together on Sundays"),
            ("agreement_idea", "true"),
            ("round", "1"),
        ],
    )
    .await;
    let talk = plain_html(&bo, "/conversations/1/talk?round=1").await;
    let start = talk
        .find("/agreements/new?deck=1&round=1&note=")
        .expect("a link to propose it");
    let link = talk[start..].split('"').next().expect("link").to_owned();
    assert!(talk.contains("Turn this into a proposal"));

    let form = plain_html(&bo, &link).await;
    assert!(form.contains(">NOTE-IDEA we cook together on Sundays</textarea>"));
    assert!(form.contains("name=\"deck\" value=\"1\""), "{form}");
    let at = post(
        &bo,
        "/agreements",
        &[
            ("deck", "1"),
            ("round", "1"),
            ("domain", "household_labor"),
            ("title", "Sunday cooking"),
            ("terms", "NOTE-IDEA we cook together on Sundays"),
        ],
    )
    .await;
    let page = plain_html(&ada, &format!("/agreements/{}", agreement_of(&at))).await;
    assert!(
        page.contains("It grew from your conversation <a href=\"/conversations/1/talk?round=1\">"),
        "{page}"
    );
}

on_both_engines!(
    propose_counter_accept_with_the_forms,
    a_note_marked_as_an_idea_becomes_a_proposal,
    a_proposal_without_terms_is_refused_by_field_and_writes_nothing,
);
