//! Every form shows all its errors at once (issue 19): a form with several
//! bad fields answers one page with each field's message beside it and
//! once more, as a link to it, in the summary at the top; the API's 422
//! lists them all in `errors` (the first still `code`, `message`, `field`).
//! Nothing is written. On both engines.

use serde_json::{json, Value};

use crate::common::pages::unescape;
use crate::common::{DbEngine, Person, TestApp};

/// The API's `errors` as `(field, message)`, after checking the main error
/// is the first of them.
async fn api_errors(response: reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("json");
    let error = &body["error"];
    let all = error["errors"].as_array().expect("errors listed").clone();
    assert!(!all.is_empty(), "{body}");
    // The first is the main error an older client reads.
    assert_eq!(all[0]["field"], error["field"], "{body}");
    assert_eq!(all[0]["code"], error["code"], "{body}");
    assert_eq!(all[0]["message"], error["message"], "{body}");
    all.iter()
        .map(|e| {
            assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "{body}");
            (
                e["field"].as_str().expect("field").to_owned(),
                e["message"].as_str().expect("message").to_owned(),
            )
        })
        .collect()
}

/// Posts a form that must be refused with 422, and gives back its page
/// with askama's escapes undone.
async fn refused_page(p: &Person, path: &str, form: &[(&str, &str)]) -> String {
    let response = p.post_form(path, form).await;
    assert_eq!(response.status(), 422, "{path}");
    unescape(&response.text().await.expect("html"))
}

/// Each `(field, message, anchor)` appears once beside its field and once
/// in the summary as a link to `#anchor`, which is on the page; the
/// summary's heading counts them, and lists them in the order given (the
/// form's).
fn shows_all(page: &str, expected: &[(&str, &str, &str)]) {
    let summary_at = page
        .find("id=\"error-summary\"")
        .unwrap_or_else(|| panic!("no summary:\n{page}"));
    let heading = format!("{} things need a second look", expected.len());
    assert!(page.contains(&heading), "{heading}:\n{page}");
    let form_at = page[summary_at..]
        .find("<form")
        .map(|i| i + summary_at)
        .expect("a form after the summary");
    let mut last_link = summary_at;
    for (field, message, anchor) in expected {
        let beside = format!("id=\"{field}-error\" role=\"alert\">{message}</p>");
        assert_eq!(page.matches(&beside).count(), 1, "{beside}:\n{page}");
        assert!(page.find(&beside).expect("beside") > form_at, "{beside}");
        let link = format!("<a href=\"#{anchor}\">{message}</a>");
        assert_eq!(page.matches(&link).count(), 1, "{link}:\n{page}");
        let at = page.find(&link).expect("link");
        assert!(at > summary_at && at < form_at, "{link} in the summary");
        assert!(at > last_link, "{link} in the form's order");
        last_link = at;
        // The message appears nowhere else (not twice beside, not as the
        // general banner).
        assert_eq!(page.matches(*message).count(), 2, "{message}:\n{page}");
        assert!(
            page.contains(&format!("id=\"{anchor}\"")),
            "the link's target #{anchor} is on the page"
        );
    }
}

/// The messages the API gave, in the order the page expects its fields.
fn messages_of<'a>(all: &'a [(String, String)], fields: &[&str]) -> Vec<&'a str> {
    let listed: Vec<&str> = all.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(listed, fields, "every field listed, in rule order");
    all.iter().map(|(_, m)| m.as_str()).collect()
}

async fn sign_up_shows_every_error_at_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let before = app.count("accounts").await;
    // The API first: its messages are the ones the page must show.
    let api = app
        .person()
        .post_json(
            "/api/v1/accounts",
            &json!({"email": "not an address", "password": "short", "display_name": ""}),
        )
        .await;
    let all = api_errors(api).await;
    let m = messages_of(&all, &["email", "password", "display_name"]);

    let page = refused_page(
        &app.person(),
        "/signup",
        &[
            ("display_name", ""),
            ("email", "not an address"),
            ("password", "short"),
        ],
    )
    .await;
    shows_all(
        &page,
        &[
            ("display_name", m[2], "display_name"),
            ("email", m[0], "email"),
            ("password", m[1], "password"),
        ],
    );
    assert_eq!(app.count("accounts").await, before, "nothing half-written");

    // One bad field is still one error, as before, with a summary of one.
    let one = app
        .person()
        .post_form(
            "/signup",
            &[
                ("display_name", "Ada"),
                ("email", "ada@example.org"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(one.status(), 422);
    let one = unescape(&one.text().await.expect("html"));
    assert!(one.contains("One thing needs a second look"), "{one}");
    assert!(one.contains(&format!("<a href=\"#password\">{}</a>", m[1])));
    assert!(!one.contains("id=\"email-error\""));
    assert_eq!(app.count("accounts").await, before);
}

async fn the_quick_log_and_its_api_show_every_error_at_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let couple = app.couple().await;
    let api = couple
        .ada
        .post_json(
            &format!("{}/contributions", couple.r),
            &json!({"domain": "juggling", "description": "", "occurred_on": "someday", "effort": 9}),
        )
        .await;
    let all = api_errors(api).await;
    let m = messages_of(&all, &["domain", "description", "occurred_on", "effort"]);
    assert_eq!(app.count("contributions").await, 0, "nothing half-written");

    // The same person on the page (a session serves both).
    let page = refused_page(
        &couple.ada,
        "/ledger/log",
        &[
            ("who", "me"),
            ("description", ""),
            ("domain", "juggling"),
            ("effort", "9"),
            ("occurred_on", "someday"),
        ],
    )
    .await;
    shows_all(
        &page,
        &[
            ("description", m[1], "description"),
            ("domain", m[0], "domain"),
            ("effort", m[3], "effort-group"),
            ("occurred_on", m[2], "occurred_on"),
        ],
    );
    assert_eq!(app.count("contributions").await, 0, "nothing half-written");
}

async fn a_new_episode_shows_every_error_at_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let couple = app.couple().await;
    let api = couple
        .ada
        .post_json(
            &format!("{}/episodes", couple.r),
            &json!({"title": "", "kind": "argument", "occurred_at": "yesterday-ish"}),
        )
        .await;
    let all = api_errors(api).await;
    let m = messages_of(&all, &["title", "kind", "occurred_at"]);

    let page = refused_page(
        &couple.ada,
        "/episodes",
        &[
            ("title", ""),
            ("kind", "argument"),
            ("occurred_at", "yesterday-ish"),
        ],
    )
    .await;
    shows_all(
        &page,
        &[
            ("title", m[0], "title"),
            ("kind", m[1], "kind-group"),
            ("occurred_at", m[2], "occurred_at"),
        ],
    );
    assert_eq!(app.count("episodes").await, 0, "nothing half-written");
}

async fn a_new_agreement_shows_every_error_at_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _bo) = app.ui_couple().await;
    let long = "x".repeat(5000);
    let page = refused_page(
        &ada,
        "/agreements",
        &[
            ("domain", "juggling"),
            ("title", ""),
            ("terms", ""),
            ("my_part", &long),
            ("review_on", "soon"),
        ],
    )
    .await;
    let summary = &page[page.find("id=\"error-summary\"").expect("summary")..];
    let links = summary[..summary.find("</ul>").expect("list")]
        .matches("<li><a href=\"#")
        .count();
    assert_eq!(
        links, 5,
        "domain, title, terms, my_part, review_on:\n{page}"
    );
    for field in ["domain", "title", "terms", "my_part", "review_on"] {
        assert!(page.contains(&format!("<a href=\"#{field}\">")), "{field}");
        assert_eq!(
            page.matches(&format!("id=\"{field}-error\"")).count(),
            1,
            "{field}"
        );
    }
    assert_eq!(app.count("agreements").await, 0, "nothing half-written");
}

async fn a_new_token_names_both_fields_at_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (sam, _) = app.signed_in("sam@example.org", "Sam").await;
    let api = sam
        .post_json(
            "/api/v1/tokens",
            &json!({"name": " ", "password": "a long password", "expires_in_days": 366}),
        )
        .await;
    let all = api_errors(api).await;
    let m = messages_of(&all, &["name", "expires_in_days"]);
    // On the account page, the token form's ids carry its prefix.
    let page = refused_page(
        &sam,
        "/account/tokens",
        &[
            ("name", " "),
            ("expires_in_days", "366"),
            ("password", "a long password"),
        ],
    )
    .await;
    shows_all(
        &page,
        &[
            ("token_name", m[0], "token_name"),
            ("token_expires_in_days", m[1], "token_expires_in_days"),
        ],
    );
    assert_eq!(app.count("api_tokens").await, 0, "nothing written");

    // A wrong password is checked only once the fields are accepted, and is
    // no refusal of what was typed: it names its field, with no list.
    let wrong = sam
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "backup", "password": "not it at all"}),
        )
        .await;
    assert_eq!(wrong.status(), 403);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["error"]["field"], "password", "{body}");
    assert!(body["error"].get("errors").is_none(), "{body}");
}

async fn a_password_reset_names_the_address_and_the_password_at_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let api = app
        .person()
        .post_json(
            "/api/v1/password-reset",
            &json!({"email": "sam at home", "recovery_code": "AAAA-BBBB-CCCC-DDDD",
                "new_password": "short"}),
        )
        .await;
    let all = api_errors(api).await;
    let m = messages_of(&all, &["email", "new_password"]);
    let page = refused_page(
        &app.person(),
        "/recover",
        &[
            ("email", "sam at home"),
            ("recovery_code", "AAAA-BBBB-CCCC-DDDD"),
            ("new_password", "short"),
        ],
    )
    .await;
    shows_all(
        &page,
        &[
            ("email", m[0], "email"),
            ("new_password", m[1], "new_password"),
        ],
    );
}

async fn an_area_of_the_respect_map_names_both_scales_at_once(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _bo) = app.ui_couple().await;
    let page = refused_page(&ada, "/respect/q/1", &[]).await;
    let message = |field: &str| {
        let beside = format!("id=\"{field}-error\" role=\"alert\">");
        let at = page.find(&beside).expect(field) + beside.len();
        page[at..at + page[at..].find("</p>").expect("end")].to_owned()
    };
    let (respect, feel) = (message("i_respect"), message("i_feel_respected"));
    shows_all(
        &page,
        &[
            ("i_respect", &respect, "i_respect-group"),
            ("i_feel_respected", &feel, "i_feel_respected-group"),
        ],
    );
    assert_eq!(app.count("sealed_rounds").await, 0, "nothing written");
}

async fn a_check_in_with_no_answers_names_each_question(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _bo) = app.ui_couple().await;
    let page = refused_page(&ada, "/checkins", &[("on", "2099-01-01")]).await;
    let summary = &page[page.find("id=\"error-summary\"").expect("summary")..];
    let summary = &summary[..summary.find("</ul>").expect("list")];
    // Ten questions and the day, each link saying which it is about: no two
    // alike, so the list can be read on its own.
    let links: Vec<&str> = summary
        .split("<li><a href=\"#")
        .skip(1)
        .map(|l| &l[l.find('>').expect("link") + 1..l.find("</a>").expect("end")])
        .collect();
    assert_eq!(links.len(), 11, "{summary}");
    let distinct: std::collections::BTreeSet<_> = links.iter().collect();
    assert_eq!(distinct.len(), links.len(), "{links:?}");
    assert!(
        summary.contains("11 things need a second look"),
        "{summary}"
    );
    assert!(
        summary.contains("<a href=\"#satisfaction-group\">"),
        "{summary}"
    );
    assert!(summary.contains("<a href=\"#on\">"), "{summary}");
    assert_eq!(app.count("checkins").await, 0, "nothing written");
}

on_both_engines!(
    sign_up_shows_every_error_at_once,
    the_quick_log_and_its_api_show_every_error_at_once,
    a_new_episode_shows_every_error_at_once,
    a_new_agreement_shows_every_error_at_once,
    a_new_token_names_both_fields_at_once,
    a_password_reset_names_the_address_and_the_password_at_once,
    an_area_of_the_respect_map_names_both_scales_at_once,
    a_check_in_with_no_answers_names_each_question,
);
