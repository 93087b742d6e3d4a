//! The sealed pages (values, respect map) without JavaScript, on both
//! engines. The heart of it: before both have sent their answers, nothing
//! of one partner's answers, drafts or progress reaches the other's pages;
//! only the one fact "has sent their answers".

use crate::common::pages::{
    location, page_after, plain_html as html, plain_page as page, unescape,
};
use crate::common::{DbEngine, Person, TestApp};
use domain::catalog::values::ITEMS;

/// Answers values question `n` (1-based) through its form; returns where it led.
async fn answer_value(p: &Person, n: usize, importance: &str, definition: &str) -> String {
    let response = p
        .post_form(
            &format!("/values/q/{n}"),
            &[("importance", importance), ("definition", definition)],
        )
        .await;
    assert_eq!(response.status(), 303, "question {n}");
    page_after(&response)
}

fn ada_secret(key: &str) -> String {
    format!("ADA-SECRET-{key}")
}

fn bo_words(key: &str) -> String {
    format!("BO-WORDS-{key}")
}

/// Everything of Ada's that must not reach Bo before the reveal.
fn assert_nothing_of_ada(page: &str, path: &str) {
    assert!(
        !page.contains("ADA-SECRET"),
        "Ada's words leaked into Bo's {path}:\n{page}"
    );
}

async fn values_stay_sealed_until_both_sent_then_both_see_both(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let couple = app.couple().await;
    let (ada, bo) = (&couple.ada, &couple.bo);
    let n = ITEMS.len();

    // Nobody has started: an open round for both, and a sealed comparison.
    let start = html(ada, "/values").await;
    assert!(
        start.contains(&format!("You've answered 0 of {n}.")),
        "{start}"
    );
    assert!(start.contains(">Start</a>") && start.contains("href=\"/values/q/1\""));
    assert!(start.contains("Bo hasn't sent their answers yet."));
    assert!(start.contains("<title>Notes</title>"));
    let bo_before = html(bo, "/values").await;
    let sealed_before = page(bo, "/values/compare", 409).await;
    assert!(sealed_before.contains("sealed until both of you have sent yours"));

    // Bad input re-renders the question with 422, names the field, keeps
    // what was typed and writes nothing.
    let bad = ada
        .post_form(
            "/values/q/1",
            &[("importance", ""), ("definition", "kept as typed")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad = unescape(&bad.text().await.expect("html"));
    assert!(
        bad.contains("id=\"importance-error\" role=\"alert\""),
        "{bad}"
    );
    assert!(bad.contains(">kept as typed</textarea>"));
    let long = "x".repeat(2_001);
    let bad = ada
        .post_form("/values/q/1", &[("importance", "4"), ("definition", &long)])
        .await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.expect("html");
    assert!(bad.contains("id=\"definition-error\" role=\"alert\""));
    assert!(
        bad.contains("value=\"4\" checked"),
        "the chosen importance is kept"
    );
    assert_eq!(app.count("sealed_rounds").await, 0, "nothing was written");
    assert_eq!(app.count("sealed_sides").await, 0);

    // Out of range and garbage question numbers are not pages.
    for path in [
        "/values/q/0",
        "/values/q/16",
        "/values/q/x",
        "/values/q/01a",
    ] {
        page(ada, path, 404).await;
    }
    page(ada, "/values/compare?round=abc", 404).await;
    page(ada, "/values/compare?round=7", 404).await;

    // Ada answers the first half; the next unanswered question follows.
    for (i, item) in ITEMS.iter().enumerate().take(7) {
        let next = answer_value(ada, i + 1, "5", &ada_secret(item.key)).await;
        assert_eq!(next, format!("/values/q/{}", i + 2));
    }
    let q1 = html(ada, "/values/q/1").await;
    assert!(q1.contains(&format!(">{}</textarea>", ada_secret(ITEMS[0].key))));
    assert!(q1.contains(&format!("Question 1 of {n}")) && q1.contains("<progress"));
    let ada_mid = html(ada, "/values").await;
    assert!(ada_mid.contains(&format!("You've answered 7 of {n}.")));
    assert!(ada_mid.contains(">Continue</a>") && ada_mid.contains("href=\"/values/q/8\""));
    assert!(ada_mid.contains("8 questions are left before you can send"));
    assert!(ada_mid.contains("disabled"));
    // A bad answer on a later question changes nothing already saved.
    let bad = ada.post_form("/values/q/8", &[("importance", "9")]).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(html(ada, "/values").await, ada_mid);
    // Sending now is refused with the reason.
    let early = ada.post_form("/values/submit", &[]).await;
    assert_eq!(early.status(), 422);
    assert!(unescape(&early.text().await.expect("html")).contains("still open"));

    // Bo's pages are exactly as before Ada began: nothing of her draft, not
    // even how far she got.
    assert_eq!(html(bo, "/values").await, bo_before);
    assert_eq!(page(bo, "/values/compare", 409).await, sealed_before);
    let bo_q1 = html(bo, "/values/q/1").await;
    assert_nothing_of_ada(&bo_q1, "/values/q/1");
    assert!(!bo_q1.contains("checked"), "Bo's own form is empty");

    // Ada finishes (from the end back to 8, then all are answered) and sends.
    for i in (8..=n).rev() {
        let next = answer_value(ada, i, "5", &ada_secret(ITEMS[i - 1].key)).await;
        let want = if i == 8 {
            "/values".to_owned()
        } else {
            "/values/q/8".to_owned()
        };
        assert_eq!(next, want, "after question {i}");
    }
    let ready = html(ada, "/values").await;
    assert!(ready.contains(&format!("You've answered {n} of {n}.")));
    assert!(!ready.contains("disabled"), "Send is enabled");
    let sent = ada.post_form("/values/submit", &[]).await;
    assert_eq!(sent.status(), 303);
    assert_eq!(location(&sent), "/values?done=sent");
    let waiting = html(ada, "/values").await;
    assert!(
        waiting.contains("Your answers are sealed; waiting for Bo."),
        "{waiting}"
    );
    let back = ada.get("/values/q/3").await;
    assert_eq!(back.status(), 303, "answers can no longer change");
    assert_eq!(page_after(&back), "/values");
    assert_eq!(page(ada, "/values/compare", 409).await, sealed_before);

    // Bo learns one thing: that Ada has sent her answers.
    let bo_after = html(bo, "/values").await;
    assert_nothing_of_ada(&bo_after, "/values");
    assert!(bo_after.contains("Ada has sent their answers."));
    assert_eq!(
        bo_after.replace(
            "Ada has sent their answers.",
            "Ada hasn't sent their answers yet."
        ),
        bo_before,
        "the one bool is the only difference"
    );
    assert_eq!(page(bo, "/values/compare", 409).await, sealed_before);
    assert_eq!(
        page(bo, "/values/compare?round=1", 409).await,
        sealed_before
    );
    assert_nothing_of_ada(&html(bo, "/values/q/1").await, "/values/q/1");
    assert_nothing_of_ada(&html(bo, "/values/q/15").await, "/values/q/15");

    // Bo answers: honesty and trust matter less to Bo, so they are topics.
    for (i, item) in ITEMS.iter().enumerate() {
        let importance = match item.key {
            "honesty" => "2",
            "trust" => "3",
            _ => "5",
        };
        answer_value(bo, i + 1, importance, &bo_words(item.key)).await;
    }
    assert_eq!(bo.post_form("/values/submit", &[]).await.status(), 303);

    // The reveal, for both at once.
    for (who, me, other) in [(ada, "ada", "bo"), (bo, "bo", "ada")] {
        let overview = html(who, "/values").await;
        assert!(overview.contains("href=\"/values/compare?round=1\""));
        assert!(overview.contains("Ask for a new round"));
        let reveal = html(who, "/values/compare").await;
        assert_eq!(reveal, html(who, "/values/compare?round=1").await);
        for item in ITEMS {
            assert!(
                reveal.contains(&ada_secret(item.key)),
                "{me} sees Ada's {}",
                item.key
            );
            assert!(reveal.contains(&bo_words(item.key)));
        }
        assert!(reveal.contains("Worth talking about"));
        let honesty = ITEMS.iter().find(|i| i.key == "honesty").expect("honesty");
        let trust = ITEMS.iter().find(|i| i.key == "trust").expect("trust");
        let h = reveal
            .find(honesty.opening_question)
            .expect("honesty topic");
        let t = reveal.find(trust.opening_question).expect("trust topic");
        assert!(h < t, "the larger gap comes first");
        let other_name = if other == "bo" { "Bo" } else { "Ada" };
        let (mine, theirs) = if me == "ada" { ("5", "2") } else { ("2", "5") };
        assert!(
            reveal.contains(&format!(
                "You: <strong>{mine}</strong></span> <span>{other_name}: <strong>{theirs}</strong>"
            )),
            "{me}'s honesty row:\n{reveal}"
        );
    }

    // A new round, asked for by one and agreed by the other (without
    // prefill); the first stays readable, the new one is sealed.
    let next = ada.post_form("/values/new-round", &[]).await;
    assert_eq!(next.status(), 303);
    assert!(html(bo, "/values")
        .await
        .contains("Ada would like to answer again"));
    let agreed = bo.post_form("/values/new-round/agree", &[]).await;
    assert_eq!(agreed.status(), 303);
    let round2 = html(bo, "/values").await;
    assert!(round2.contains("Round 2") && round2.contains(&format!("You've answered 0 of {n}.")));
    assert!(round2.contains("href=\"/values/compare?round=1\""));
    assert!(html(bo, "/values/compare?round=1")
        .await
        .contains(&ada_secret("love")));
    assert_eq!(page(bo, "/values/compare", 409).await, sealed_before);
    assert!(
        !html(bo, "/values/q/1").await.contains("checked"),
        "a new round starts empty"
    );
}

/// Answers respect area `n` (1-based) through its form; returns where it led.
async fn answer_respect(p: &Person, n: usize, i_respect: &str, felt: &str) -> String {
    let response = p
        .post_form(
            &format!("/respect/q/{n}"),
            &[("i_respect", i_respect), ("i_feel_respected", felt)],
        )
        .await;
    assert_eq!(response.status(), 303, "area {n}");
    page_after(&response)
}

async fn the_respect_map_takes_an_area_of_our_own_and_marks_what_to_talk_about(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let couple = app.couple().await;
    let (ada, bo) = (&couple.ada, &couple.bo);

    let start = html(ada, "/respect").await;
    assert!(start.contains("You've answered 0 of 7."), "{start}");
    assert!(start.contains("action=\"/respect/areas\""));

    // Adding an area: errors beside the field, then it is on both maps.
    for (name, code) in [("  ", "Give the area a name"), ("Creativity", "already")] {
        let bad = ada.post_form("/respect/areas", &[("name", name)]).await;
        assert_eq!(bad.status(), 422, "{name:?}");
        let bad = unescape(&bad.text().await.expect("html"));
        assert!(bad.contains("id=\"name-error\" role=\"alert\""), "{bad}");
        assert!(bad.contains(code), "{bad}");
    }
    assert_eq!(app.count("respect_areas").await, 0);
    let added = ada.post_form("/respect/areas", &[("name", "Music")]).await;
    assert_eq!(added.status(), 303);
    let twice = ada.post_form("/respect/areas", &[("name", "music")]).await;
    assert_eq!(twice.status(), 409);
    assert!(twice
        .text()
        .await
        .expect("html")
        .contains("id=\"name-error\""));
    let bo_before = html(bo, "/respect").await;
    assert!(bo_before.contains("You've answered 0 of 8.") && bo_before.contains("Music"));

    // One area per screen with both statements.
    let creativity = html(ada, "/respect/q/5").await;
    assert!(creativity.contains("<h1>Creativity</h1>"));
    assert!(creativity.contains("I respect your creativity"));
    assert!(creativity.contains("I feel respected in my creativity"));
    assert!(creativity.contains("Question 5 of 8"));
    let music = html(ada, "/respect/q/8").await;
    assert!(music.contains("I respect your music"));
    page(ada, "/respect/q/9", 404).await;

    // A half-answered area is refused, naming the missing scale.
    let bad = ada.post_form("/respect/q/1", &[("i_respect", "4")]).await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.expect("html");
    assert!(bad.contains("id=\"i_feel_respected-error\" role=\"alert\""));
    assert!(bad.contains("value=\"4\" checked"));
    assert_eq!(app.count("sealed_rounds").await, 0);

    for area in 1..=8 {
        answer_respect(ada, area, "5", "4").await;
    }
    assert_eq!(
        html(bo, "/respect").await,
        bo_before,
        "nothing of Ada's draft"
    );
    assert_eq!(ada.post_form("/respect/submit", &[]).await.status(), 303);
    assert!(html(ada, "/respect")
        .await
        .contains("Your answers are sealed; waiting for Bo."));

    // Once one has sent, the questions are fixed for this round.
    let late = bo.post_form("/respect/areas", &[("name", "Cooking")]).await;
    assert_eq!(late.status(), 409);
    let bo_sealed = html(bo, "/respect").await;
    assert!(bo_sealed.contains("Ada has sent their answers."));
    assert!(!bo_sealed.contains("action=\"/respect/areas\""));
    page(bo, "/respect/compare", 409).await;

    // Bo feels little respect for his creativity: worth talking about.
    for area in 1..=8 {
        let felt = if area == 5 { "2" } else { "4" };
        answer_respect(bo, area, "4", felt).await;
    }
    assert_eq!(bo.post_form("/respect/submit", &[]).await.status(), 303);

    let reveal = html(ada, "/respect/compare").await;
    let line = "You respect Bo's creativity: 5 — Bo feels respected: 2";
    let at = reveal.find(line).unwrap_or_else(|| panic!("{reveal}"));
    let item = &reveal[reveal[..at].rfind("<li").expect("li")..at];
    assert!(item.contains("worth-talking") && item.contains("Worth talking about"));
    assert!(reveal.contains("Bo respects your creativity: 4 — You feel respected: 4"));
    assert!(reveal.contains("You respect Bo's music: 5 — Bo feels respected: 4"));
    assert_eq!(
        reveal
            .matches("<strong class=\"marker\">Worth talking about</strong>")
            .count(),
        1,
        "only the one line is marked"
    );
    let bo_reveal = html(bo, "/respect/compare").await;
    assert!(bo_reveal.contains("Ada respects your creativity: 5 — You feel respected: 2"));
    assert!(bo_reveal.contains("You respect Ada's music: 4 — Ada feels respected: 4"));
    assert!(html(bo, "/respect").await.contains("Ask for a new round"));
}

on_both_engines!(
    values_stay_sealed_until_both_sent_then_both_see_both,
    the_respect_map_takes_an_area_of_our_own_and_marks_what_to_talk_about,
);
