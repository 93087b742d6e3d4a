//! The check-in pages over real HTTP, on both engines: a check-in filled
//! with the form shows on the trends page with its outcome; a second on the
//! same day is refused beside the day and writes nothing, then replaces the
//! first when asked; an unshared check-in's day never reaches the partner's
//! page, byte for byte; sharing and withdrawing from the page; the cadence.

use crate::common::pages::{html, location, plain_html};
use crate::common::{DbEngine, Person, TestApp};

const KEYS: [&str; 10] = [
    "satisfaction",
    "rewards",
    "costs",
    "investment",
    "alternatives",
    "commitment",
    "passion",
    "love_given",
    "love_received",
    "respected",
];

fn days_ago(n: i64) -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() - chrono::Duration::days(n)
}

/// The form as a browser sends it: every answer 4 but rewards and costs,
/// and the extra fields given (an answer among them replaces its 4).
async fn fill(p: &Person, rewards: &str, costs: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = KEYS
        .iter()
        .filter(|k| !extra.iter().any(|(e, _)| e == *k))
        .map(|k| {
            (
                *k,
                match *k {
                    "rewards" => rewards,
                    "costs" => costs,
                    _ => "4",
                },
            )
        })
        .collect();
    form.extend_from_slice(extra);
    p.post_form("/checkins", &form).await
}

async fn kept(p: &Person, rewards: &str, costs: &str, extra: &[(&str, &str)]) -> String {
    let response = fill(p, rewards, costs, extra).await;
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    location(&response)
}

/// The first check-in id on the caller's trends page.
fn first_checkin(page: &str) -> String {
    let start = page.find("id=\"c-").expect("a check-in") + "id=\"c-".len();
    page[start..start + 36].to_owned()
}

async fn a_check_in_from_the_form_shows_on_the_trends_page(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, bo) = app.ui_couple().await;
    let form = html(&ada, "/checkins").await;
    assert!(form.contains("name=\"satisfaction\" value=\"8\""), "{form}");
    assert!(form.contains("<title>Notes</title>"));
    assert!(form.contains("type=\"date\""));
    assert!(form.contains("A check-in is due."), "none yet: due");
    assert!(form.contains("id=\"share\" name=\"share\" type=\"checkbox\" value=\"true\" "));
    assert!(!form.contains("value=\"true\" checked"), "off by default");
    assert!(plain_html(&ada, "/home")
        .await
        .contains("A check-in is due."));

    // Rewards 7, costs 2: an outcome of 5.
    let at = kept(
        &ada,
        "7",
        "2",
        &[("on", ""), ("note", "NOTE-ADA-ONLY"), ("share", "true")],
    )
    .await;
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        at,
        format!("/checkins/trends?shared={today}&done=kept#kept")
    );
    let page = plain_html(&ada, &at).await;
    assert!(page.contains("id=\"kept\""), "{page}");
    assert!(page.contains("shared with Bo"));
    assert!(page.contains("Latest outcome (what it gives minus what it costs): 5"));
    assert!(page.contains(
        "Comparison level (the average of the outcomes before): not enough check-ins yet"
    ));
    assert!(page.contains("<svg class=\"chart\""), "a chart");
    assert!(page.contains("id=\"me-table\""), "and its text equivalent");
    assert!(page.contains("<td>5</td>"));
    assert!(page.contains("NOTE-ADA-ONLY"), "the author reads her note");
    assert!(!plain_html(&ada, "/home")
        .await
        .contains("A check-in is due."));

    // Bo sees the shared one, never the note.
    let bos = plain_html(&bo, "/checkins/trends").await;
    assert!(bos.contains("Ada's shared check-ins"), "{bos}");
    assert!(bos.contains("id=\"partner-table\""));
    assert!(!bos.contains("NOTE-ADA-ONLY"));

    // Bo shares one the same week, feeling more love than Ada feels from
    // him: both see the pair, and a gentle sentence on the gap.
    kept(
        &bo,
        "4",
        "4",
        &[
            ("share", "true"),
            ("love_given", "8"),
            ("love_received", "4"),
        ],
    )
    .await;
    let adas = plain_html(&ada, "/checkins/trends").await;
    assert!(adas.contains("id=\"love-table\""), "{adas}");
    assert!(
        adas.contains("the love Bo feels for you (8 of 8) and the love you feel from Bo (4 of 8)"),
        "{adas}"
    );
    assert_eq!(
        adas.matches("class=\"gentle love-gap\"").count(),
        1,
        "4 and 4 are no gap"
    );
    let bos = plain_html(&bo, "/checkins/trends").await;
    assert!(
        bos.contains("the love you feel for Ada (8 of 8) and the love Ada feels from you (4 of 8)")
    );

    // The cadence: every two weeks, and garbage refused beside its field.
    let at = ada
        .post_form("/checkins/cadence", &[("every_days", "14")])
        .await;
    assert_eq!(location(&at), "/checkins?done=saved#cadence");
    assert!(plain_html(&bo, "/checkins")
        .await
        .contains("You two check in every two weeks."));
    let bad = ada
        .post_form("/checkins/cadence", &[("every_days", "365")])
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad
        .text()
        .await
        .expect("html")
        .contains("id=\"every_days-error\""));
}

async fn a_second_on_the_same_day_is_refused_by_the_day_then_replaced(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _bo) = app.ui_couple().await;
    let day = days_ago(3).to_string();
    kept(&ada, "6", "2", &[("on", &day)]).await;

    let again = fill(&ada, "3", "3", &[("on", &day), ("note", "KEPT-NOTE")]).await;
    assert_eq!(again.status(), 409);
    let shown = again.text().await.expect("html");
    assert!(shown.contains("id=\"on-error\""), "{shown}");
    assert!(shown.contains("aria-describedby=\"on-error on-hint\""));
    assert!(shown.contains("aria-invalid=\"true\""));
    assert!(shown.contains("name=\"replace\" value=\"true\""));
    assert!(shown.contains(">KEPT-NOTE</textarea>"), "the form is kept");
    assert!(shown.contains("name=\"costs\" value=\"3\" checked"));
    assert_eq!(app.count("checkins").await, 1, "nothing written");
    let page = plain_html(&ada, "/checkins/trends").await;
    assert!(page.contains("outcome 4"), "{page}");

    // Replaced: one check-in, the new outcome.
    kept(&ada, "3", "3", &[("on", &day), ("replace", "true")]).await;
    assert_eq!(app.count("checkins").await, 1);
    let page = plain_html(&ada, "/checkins/trends").await;
    assert!(
        page.contains("outcome 0") && !page.contains("outcome 4"),
        "{page}"
    );

    // A missing answer is refused beside its question, nothing written.
    let missing = ada
        .post_form("/checkins", &[("satisfaction", "4"), ("on", "")])
        .await;
    assert_eq!(missing.status(), 422);
    let shown = missing.text().await.expect("html");
    assert!(shown.contains("id=\"rewards-error\""), "{shown}");
    assert!(shown.contains("aria-describedby=\"rewards-error\""));
    assert_eq!(app.count("checkins").await, 1);
}

async fn an_unshared_day_never_reaches_the_partner_and_sharing_can_stop(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, bo) = app.ui_couple().await;
    // A unique past day, in every form the pages write a day.
    let day = chrono::NaiveDate::from_ymd_opt(2021, 2, 17).expect("date");
    let forms = [
        day.to_string(),
        day.format("%-d %B %Y").to_string(),
        day.format("%-d %b").to_string(),
    ];
    kept(&ada, "5", "1", &[("on", &forms[0])]).await;
    let adas = html(&ada, "/checkins/trends").await;
    assert!(adas.contains(&forms[1]), "Ada sees her own");
    for page in ["/checkins/trends", "/checkins", "/home"] {
        let bos = html(&bo, page).await;
        for f in &forms {
            assert!(!bos.contains(f.as_str()), "{page} shows {f}");
        }
    }

    // Shared from the page: Bo sees the day; withdrawn: gone again.
    let id = first_checkin(&adas);
    let back = ada
        .post_form(&format!("/checkins/{id}/share"), &[("share", "true")])
        .await;
    assert_eq!(
        location(&back),
        format!("/checkins/trends?done=shared#c-{id}")
    );
    let adas = plain_html(&ada, "/checkins/trends").await;
    assert!(adas.contains("Stop sharing the check-in of 17 February 2021"));
    assert!(plain_html(&bo, "/checkins/trends")
        .await
        .contains("17 Feb 2021"));
    ada.post_form(&format!("/checkins/{id}/share"), &[("share", "false")])
        .await;
    let bos = html(&bo, "/checkins/trends").await;
    for f in &forms {
        assert!(!bos.contains(f.as_str()), "withdrawn, yet shows {f}");
    }
    assert!(plain_html(&ada, "/checkins/trends")
        .await
        .contains("Share the check-in of 17 February 2021 with Bo"));
    // Bo cannot share Ada's, and garbage is not there.
    assert_eq!(
        bo.post_form(&format!("/checkins/{id}/share"), &[("share", "true")])
            .await
            .status(),
        404
    );
    assert_eq!(
        ada.post_form("/checkins/nope/share", &[("share", "true")])
            .await
            .status(),
        404
    );
}

on_both_engines!(
    a_check_in_from_the_form_shows_on_the_trends_page,
    a_second_on_the_same_day_is_refused_by_the_day_then_replaced,
    an_unshared_day_never_reaches_the_partner_and_sharing_can_stop,
);
