//! The ledger pages without JavaScript, on both engines: log, thank, and a
//! balance page that shows words until both choose figures.

use crate::common::pages::html;
use crate::common::{DbEngine, TestApp};

/// The first thank-you form's contribution id on the ledger page.
fn thank_action(page: &str) -> String {
    let start = page.find("action=\"/ledger/thank/").expect("a thank form") + "action=\"".len();
    page[start..].split('"').next().expect("action").to_owned()
}

async fn a_couple_logs_thanks_and_chooses_figures_together(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let lonely = app.sign_up("Cy", "cy@example.org").await;
    assert!(html(&lonely, "/ledger")
        .await
        .contains("opens once your partner has joined"));
    let (ada, bo) = app.ui_couple().await;

    let today = chrono::Utc::now().date_naive().to_string();
    let bad = ada
        .post_form(
            "/ledger/log",
            &[
                ("who", "me"),
                ("description", ""),
                ("domain", "planning"),
                ("effort", "3"),
                ("occurred_on", &today),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad
        .text()
        .await
        .expect("html")
        .contains("id=\"description-error\" role=\"alert\""));
    let logged = ada
        .post_form(
            "/ledger/log",
            &[
                ("who", "me"),
                ("description", "Planned the trip"),
                ("domain", "planning"),
                ("effort", "4"),
                ("occurred_on", &today),
            ],
        )
        .await;
    assert_eq!(logged.status(), 303);
    assert!(
        html(&ada, "/ledger")
            .await
            .contains("<option value=\"Planned the trip\">"),
        "offered again"
    );

    let bo_page = html(&bo, "/ledger").await;
    assert!(
        bo_page.contains("Planned the trip"),
        "waiting for Bo's thanks"
    );
    let action = thank_action(&bo_page);
    let thanked = bo
        .post_form(&action, &[("value", "5"), ("note", "Best trip ever")])
        .await;
    assert_eq!(thanked.status(), 303);
    assert!(html(&bo, "/ledger").await.contains("Nothing waiting"));

    let words = html(&ada, "/ledger/balance").await;
    assert!(
        words.contains("Bo thanked you for “Planned the trip”: “Best trip ever”"),
        "{words}"
    );
    assert!(
        !words.contains("<svg class=\"chart\""),
        "no figures before both choose"
    );
    ada.post_form("/ledger/numbers", &[("show", "true")]).await;
    assert!(
        !html(&ada, "/ledger/balance")
            .await
            .contains("<svg class=\"chart\""),
        "one choice is not enough"
    );
    bo.post_form("/ledger/numbers", &[("show", "true")]).await;
    let figures = html(&bo, "/ledger/balance").await;
    assert!(figures.contains("<svg class=\"chart\"") && figures.contains("role=\"img\""));
    // Ada gave 5 (as Bo rated it), Bo gave nothing yet: index 0/5, and
    // nothing is waiting for thanks, so no "not counted yet" line.
    assert!(
        figures.contains("Reciprocity: <strong>0.00</strong>"),
        "{figures}"
    );
    assert!(figures.contains(">Value given per week</caption>"));
    assert!(!figures.contains("not counted yet"));
    // Which way it leans, for each: Ada 5, Bo 0 (gap 5, one top-rated
    // gift) is still about even (analytics::ledger::lean).
    assert!(
        figures.contains("id=\"lean\">Your giving is about even lately"),
        "{figures}"
    );
    // The words view never says which way it leans: that is a figure.
    bo.post_form("/ledger/numbers", &[("show", "false")]).await;
    assert!(!html(&ada, "/ledger/balance").await.contains("id=\"lean\""));
    bo.post_form("/ledger/numbers", &[("show", "true")]).await;
    // Bo logs something Ada has not thanked: it is named as not counted yet.
    let today = chrono::Utc::now().date_naive().to_string();
    bo.post_form(
        "/ledger/log",
        &[
            ("who", "me"),
            ("description", "Fixed the bike"),
            ("domain", "household_labor"),
            ("effort", "4"),
            ("occurred_on", &today),
        ],
    )
    .await;
    assert!(html(&ada, "/ledger/balance")
        .await
        .contains("1 thing is still waiting for thanks and not counted yet."));

    let history = html(&bo, "/ledger/history?person=partner&domain=planning").await;
    assert!(history.contains("Planned the trip") && history.contains("Thanked: “Best trip ever”"));
    let mine = html(&bo, "/ledger/history?person=me").await;
    assert!(mine.contains("Fixed the bike") && !mine.contains("Planned the trip"));
    let none = html(&bo, "/ledger/history?person=me&domain=planning").await;
    assert!(none.contains("Nothing here yet"));
}

async fn own_entries_can_be_corrected_or_deleted_from_the_history(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, bo) = app.ui_couple().await;
    let today = chrono::Utc::now().date_naive().to_string();
    let fields = |text: &'static str| {
        vec![
            ("who", "me"),
            ("description", text),
            ("domain", "household_labor"),
            ("effort", "2"),
        ]
    };
    for text in ["Fixed the shelf", "Watered plants"] {
        let mut form = fields(text);
        form.push(("occurred_on", today.as_str()));
        assert_eq!(ada.post_form("/ledger/log", &form).await.status(), 303);
    }
    let history = html(&ada, "/ledger/history").await;
    let link = |page: &str| {
        let start = page.find("href=\"/ledger/edit/").expect("an edit link") + "href=\"".len();
        page[start..].split('"').next().expect("href").to_owned()
    };
    let edit = link(&history);
    assert!(
        !html(&bo, "/ledger/history").await.contains("/ledger/edit/"),
        "not Bo's to change"
    );
    assert_eq!(bo.get(&edit).await.status(), 403);

    let form_page = html(&ada, &edit).await;
    assert!(
        form_page.contains("value=\"Watered plants\""),
        "newest first, prefilled"
    );
    let bad = ada
        .post_form(
            &edit,
            &[
                ("description", "Watered plants"),
                ("domain", "household_labor"),
                ("effort", "9"),
                ("occurred_on", &today),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad
        .text()
        .await
        .expect("html")
        .contains("id=\"effort-error\" role=\"alert\""));
    let fixed = ada
        .post_form(
            &edit,
            &[
                ("description", "Watered all the plants"),
                ("domain", "household_labor"),
                ("effort", "1"),
                ("occurred_on", &today),
            ],
        )
        .await;
    assert_eq!(fixed.status(), 303);
    assert!(html(&bo, "/ledger/history")
        .await
        .contains("Watered all the plants"));

    let delete = edit.replace("/ledger/edit/", "/ledger/delete/");
    assert_eq!(ada.post_form(&delete, &[]).await.status(), 303);
    let after = html(&ada, "/ledger/history").await;
    assert!(!after.contains("Watered all the plants") && after.contains("Fixed the shelf"));
    assert_eq!(app.count("contributions").await, 1);
}

on_both_engines!(
    a_couple_logs_thanks_and_chooses_figures_together,
    own_entries_can_be_corrected_or_deleted_from_the_history,
);
