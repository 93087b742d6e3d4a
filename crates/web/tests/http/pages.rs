//! The web UI without JavaScript: plain form posts over real HTTP, on both
//! engines. (The browser tests in e2e/ drive the same pages in Chromium.)

use crate::common::pages::{invite_code, location};
use crate::common::{DbEngine, Person, TestApp};

async fn body(response: reqwest::Response) -> String {
    response.text().await.expect("html")
}

async fn sign_up(person: &Person, name: &str, email: &str, invite: &str) -> reqwest::Response {
    person
        .post_form(
            "/signup",
            &[
                ("display_name", name),
                ("email", email),
                ("password", "a long password"),
                ("invite", invite),
            ],
        )
        .await
}

async fn a_couple_forms_and_ends_their_space_with_forms_alone(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let ada = app.person();
    let landing = ada.get("/").await;
    assert_eq!(landing.status(), 200);
    assert!(body(landing).await.contains("<title>Notes</title>"));

    let created = sign_up(&ada, "Ada", "ada@example.org", "").await;
    assert_eq!(created.status(), 201);
    let shown = body(created).await;
    assert!(
        shown.contains("id=\"recovery-code\"") && shown.contains("href=\"/home\""),
        "the recovery code, once, then home"
    );
    // Sign-up says plainly what an operator's reset cannot bring back (issue 14).
    assert!(
        shown.contains("id=\"if-both-lost\"") && shown.contains("your journal"),
        "what is lost if both password and code are lost"
    );
    let home = body(ada.get("/home").await).await;
    assert!(home.contains("Hello, Ada") && home.contains("action=\"/relationship\""));

    let invite = ada.post_form("/relationship", &[]).await;
    assert_eq!(invite.status(), 200);
    let html = body(invite).await;
    let code = invite_code(&html);
    assert!(
        html.contains(&format!("/j/{code}\"")),
        "the link is offered"
    );

    // Bo opens the link signed out, signs up from there and comes back to it.
    let bo = app.person();
    let invited = body(bo.get(&format!("/j/{code}")).await).await;
    assert!(invited.contains(&format!("/signup?invite={code}")));
    let signed_up = sign_up(&bo, "Bo", "bo@example.org", &code).await;
    assert!(body(signed_up)
        .await
        .contains(&format!("href=\"/j/{code}\"")));
    let confirm = body(bo.get(&format!("/j/{code}")).await).await;
    assert!(
        confirm.contains(&format!("value=\"{code}\"")),
        "the code is filled in"
    );
    let joined = bo
        .post_form("/join", &[("invite_code", code.as_str())])
        .await;
    assert_eq!(
        (joined.status().as_u16(), location(&joined)),
        (303, "/home".to_owned())
    );

    assert!(body(ada.get("/home").await).await.contains("You and Bo"));
    assert!(body(bo.get("/home").await).await.contains("You and Ada"));

    let leave_page = body(bo.get("/leave").await).await;
    assert!(leave_page.contains("won't send your partner a message"));
    assert!(
        leave_page.contains("each of you keeps, read-only, what you wrote yourself"),
        "the leave page says beforehand what each keeps and loses"
    );
    assert_eq!(bo.post_form("/leave", &[]).await.status(), 303);
    assert!(body(ada.get("/home").await)
        .await
        .contains("This space has ended"));

    let out = ada.post_form("/signout", &[]).await;
    assert_eq!(location(&out), "/?done=signed-out");
    assert_eq!(location(&ada.get("/home").await), "/signin");
}

async fn form_errors_are_shown_beside_their_field_and_write_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let p = app.person();
    let short = p
        .post_form(
            "/signup",
            &[
                ("display_name", "Sam"),
                ("email", "sam@example.org"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    let html = body(short).await;
    assert!(
        html.contains("aria-invalid=\"true\" aria-describedby=\"password-error"),
        "{html}"
    );
    assert!(html.contains("id=\"password-error\" role=\"alert\">Use at least 10 characters"));
    assert!(
        html.contains("value=\"sam@example.org\""),
        "what was typed is kept"
    );
    assert!(
        !html.contains("value=\"short\""),
        "a password is never echoed"
    );

    let missing = p
        .post_form("/signup", &[("email", "sam@example.org")])
        .await;
    assert_eq!(missing.status(), 422);
    assert!(body(missing).await.contains("id=\"password-error\""));
    assert_eq!(app.count("accounts").await, 0);

    assert_eq!(
        sign_up(&p, "Sam", "sam@example.org", "").await.status(),
        201
    );
    let wrong = p.post_form("/join", &[("invite_code", "aaaa-bbbb")]).await;
    assert_eq!(wrong.status(), 422);
    assert!(body(wrong)
        .await
        .contains("id=\"invite_code-error\" role=\"alert\">This code doesn"));

    let stranger = app.person();
    let bad_sign_in = stranger
        .post_form(
            "/signin",
            &[
                ("email", "sam@example.org"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(bad_sign_in.status(), 401);
    assert!(body(bad_sign_in)
        .await
        .contains("role=\"alert\">That e-mail and password don"));
    assert_eq!(app.count("relationship_members").await, 0);
}

async fn what_people_type_is_escaped(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let p = app.person();
    assert_eq!(
        sign_up(&p, "<script>alert(1)</script>", "x@example.org", "")
            .await
            .status(),
        201
    );
    let home = body(p.get("/home").await).await;
    assert!(!home.contains("<script>alert"));
    assert!(
        home.contains("script&#62;alert(1)&#60;/script&#62;"),
        "shown as text, escaped"
    );
    let odd_invite = body(app.person().get("/signup?invite=%22%3E%3Cscript%3E").await).await;
    assert!(!odd_invite.contains("<script>") && !odd_invite.contains("name=\"invite\""));
}

async fn quick_exit_ends_the_session_and_leaves_for_the_neutral_site(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let p = app.person();
    sign_up(&p, "Sam", "sam@example.org", "").await;
    let home = body(p.get("/home").await).await;
    assert!(home.contains(
        "id=\"quick-exit\" href=\"/exit\" data-exit-url=\"https://neutral.example/weather\""
    ));
    let exit = p.get("/exit").await;
    assert_eq!(exit.status(), 303);
    assert_eq!(location(&exit), "https://neutral.example/weather");
    assert_eq!(exit.headers()["clear-site-data"], "\"cache\", \"storage\"");
    assert_eq!(
        location(&p.get("/home").await),
        "/signin",
        "the session has ended"
    );
    assert_eq!(app.count("sessions").await, 0);
}

on_both_engines!(
    a_couple_forms_and_ends_their_space_with_forms_alone,
    form_errors_are_shown_beside_their_field_and_write_nothing,
    what_people_type_is_escaped,
    quick_exit_ends_the_session_and_leaves_for_the_neutral_site,
);
