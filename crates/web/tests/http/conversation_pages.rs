//! The conversation pages without JavaScript, on both engines: answer a deck
//! one prompt at a time, send, and nothing of it reaches the partner's pages
//! before both have sent; then the reveal, notes, and a second round set
//! beside the first.

use crate::common::pages::{html, page, page_after};
use crate::common::{DbEngine, Person, TestApp};

/// `defining_love`, the first deck: pages name decks by number (R23).
const DECK: &str = "/conversations/1";
const ADA_ONE: &str = "ADA-PRIVATE sunrise pancakes on a Sunday";
const ADA_THREE: &str = "ADA-PRIVATE a hand on my shoulder";
const ADA_SKIPPED: &str = "ADA-PRIVATE-SKIPPED never saved";
const BO_TWO: &str = "BO-ANSWER I fix the bike";

/// Saves one prompt's answer; returns where it leads.
async fn answer(p: &Person, n: usize, text: &str) -> String {
    let r = p
        .post_form(
            &format!("{DECK}/p/{n}"),
            &[("text", text), ("action", "save")],
        )
        .await;
    assert_eq!(r.status(), 303, "save prompt {n}");
    page_after(&r)
}

/// Everything Bo can open about the deck, with the status each answers.
async fn bo_sees(bo: &Person) -> Vec<String> {
    let mut pages = vec![
        html(bo, "/conversations").await,
        html(bo, DECK).await,
        html(bo, &format!("{DECK}/p/1")).await,
        html(bo, &format!("{DECK}/p/3")).await,
    ];
    for talk in [format!("{DECK}/talk"), format!("{DECK}/talk?round=1")] {
        let response = bo.get(&talk).await;
        assert_eq!(response.status(), 409, "{talk} is sealed");
        pages.push(response.text().await.expect("html"));
    }
    pages
}

fn assert_nothing_of_ada(pages: &[String]) {
    for page in pages {
        assert!(!page.contains("ADA-PRIVATE"), "Ada's words leaked:\n{page}");
    }
}

/// What the first column headed `who` shows on a talk page.
fn answer_of<'a>(page: &'a str, who: &str) -> &'a str {
    let head = format!("<p class=\"who\">{who}</p>");
    let start = page.find(&head).expect("a column") + head.len();
    let rest = &page[start..];
    let end = rest.find("</div>").expect("its answer");
    &rest[..end]
}

async fn a_deck_stays_sealed_until_both_send_then_opens_for_both(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, bo) = app.ui_couple().await;

    let decks = html(&ada, "/conversations").await;
    assert!(decks.contains("href=\"/conversations/1\""));
    // No deck's subject in any address a browser keeps in its history.
    for key in ["defining_love", "intimacy", "negativity_plan"] {
        assert!(!decks.contains(&format!("/conversations/{key}")), "{key}");
    }
    assert_eq!(
        decks
            .matches("<h2><a class=\"deck-link\" href=\"/conversations/")
            .count(),
        7
    );
    assert!(decks.contains("Not started"));
    let empty = html(&ada, DECK).await;
    assert!(empty.contains("You've answered 0 of 6 prompts."), "{empty}");
    assert!(
        empty.contains(" disabled>Send my answers</button>"),
        "nothing to send yet"
    );
    assert!(empty.contains("Bo hasn't sent their answers yet."));
    assert!(empty.contains(&format!("href=\"{DECK}/p/1\">Start</a>")));

    let bo_before = bo_sees(&bo).await;

    // Ada answers prompts 1 and 3, skipping 2 (with text typed) and 4 to 6.
    assert_eq!(answer(&ada, 1, ADA_ONE).await, format!("{DECK}/p/2"));
    let skipped = ada
        .post_form(
            &format!("{DECK}/p/2"),
            &[("text", ADA_SKIPPED), ("action", "skip")],
        )
        .await;
    assert_eq!(skipped.status(), 303);
    assert_eq!(page_after(&skipped), format!("{DECK}/p/3"));
    assert_eq!(answer(&ada, 3, ADA_THREE).await, format!("{DECK}/p/4"));
    let last = ada
        .post_form(&format!("{DECK}/p/6"), &[("text", ""), ("action", "save")])
        .await;
    assert_eq!(
        page_after(&last),
        DECK,
        "the last prompt leads to the overview"
    );
    let prompt = html(&ada, &format!("{DECK}/p/1")).await;
    assert!(prompt.contains("Prompt 1 of 6") && prompt.contains("<progress"));
    assert!(
        prompt.contains(&format!(">{ADA_ONE}</textarea>")),
        "prefilled"
    );
    assert!(html(&ada, &format!("{DECK}/p/2"))
        .await
        .contains("></textarea>"));
    let mine = html(&ada, DECK).await;
    assert!(mine.contains("You've answered 2 of 6 prompts."), "{mine}");
    assert!(mine.contains(&format!("href=\"{DECK}/p/2\">Continue</a>")));
    assert!(mine.contains("aria-describedby=\"send-hint\">Send my answers</button>"));
    assert!(!mine.contains(ADA_SKIPPED));

    // Drafts change nothing on Bo's pages: byte for byte the same.
    assert_eq!(bo_sees(&bo).await, bo_before, "Bo's pages while Ada drafts");

    let sent = ada.post_form(&format!("{DECK}/submit"), &[]).await;
    assert_eq!(sent.status(), 303);
    let waiting = html(&ada, DECK).await;
    assert!(
        waiting.contains("Your answers are sealed; waiting for Bo."),
        "{waiting}"
    );
    assert!(waiting.contains(ADA_ONE), "Ada sees what she sent");
    assert!(html(&ada, "/conversations")
        .await
        .contains("Waiting for Bo"));
    // Sent answers can't change: the prompt pages lead back to the overview.
    let back = ada.get(&format!("{DECK}/p/1")).await;
    assert_eq!(
        (back.status().as_u16(), page_after(&back)),
        (303, DECK.into())
    );
    assert_eq!(
        page_after(
            &ada.post_form(
                &format!("{DECK}/p/1"),
                &[("text", "changed"), ("action", "save")]
            )
            .await
        ),
        DECK
    );
    assert!(!html(&ada, DECK).await.contains("changed"));
    assert!(page(&ada, &format!("{DECK}/talk"), 409)
        .await
        .contains("sealed"));
    // No notes before the reveal.
    let early = ada
        .post_form(
            &format!("{DECK}/notes"),
            &[("text", "Too soon"), ("round", "1")],
        )
        .await;
    assert_eq!(early.status(), 409);
    assert_eq!(app.count("conversation_notes").await, 0);

    // Bo learns one thing: Ada has sent hers.
    let bo_now = bo_sees(&bo).await;
    assert_nothing_of_ada(&bo_now);
    assert!(bo_now[1].contains("Ada has sent their answers."));
    assert!(bo_now[1].contains("You've answered 0 of 6 prompts."));
    assert!(bo_now[0].contains("Ada has sent theirs"));
    assert!(
        !bo_now[1].contains("waiting for"),
        "nothing of Ada's state but the bool"
    );

    // Bo can't send nothing; then answers prompt 2 and sends.
    let nothing = bo.post_form(&format!("{DECK}/submit"), &[]).await;
    assert_eq!(nothing.status(), 409);
    assert!(nothing
        .text()
        .await
        .expect("html")
        .contains("Write an answer to at least one prompt before sending."));
    answer(&bo, 2, BO_TWO).await;
    assert_nothing_of_ada(&bo_sees_drafting(&bo).await);
    assert_eq!(
        bo.post_form(&format!("{DECK}/submit"), &[]).await.status(),
        303
    );

    // Both see both, each with their own answers under "You". On the first
    // prompt Ada wrote and Bo skipped; nobody wrote on prompts 4 to 6.
    let expected = [
        (&ada, "Bo", ADA_ONE, "Bo skipped this one."),
        (&bo, "Ada", "You skipped this one.", ADA_ONE),
    ];
    for (person, partner, mine, theirs) in expected {
        let overview = html(person, DECK).await;
        assert!(overview.contains(&format!("href=\"{DECK}/talk?round=1\"")));
        assert!(overview.contains("Run this conversation again"));
        let talk = html(person, &format!("{DECK}/talk")).await;
        assert!(talk.contains(ADA_ONE) && talk.contains(ADA_THREE) && talk.contains(BO_TWO));
        assert!(!talk.contains(ADA_SKIPPED) && !talk.contains("Last time"));
        assert!(answer_of(&talk, "You").contains(mine), "{talk}");
        assert!(answer_of(&talk, partner).contains(theirs), "{talk}");
        assert_eq!(talk.matches("You both skipped this one.").count(), 3);
        assert_eq!(talk, html(person, &format!("{DECK}/talk?round=1")).await);
        assert!(html(person, "/conversations")
            .await
            .contains("Ready to talk"));
    }

    // Notes: refused empty, kept with the agreement flag, seen by both.
    let blank = ada
        .post_form(&format!("{DECK}/notes"), &[("text", "  "), ("round", "1")])
        .await;
    assert_eq!(blank.status(), 422);
    assert!(blank
        .text()
        .await
        .expect("html")
        .contains("id=\"text-error\" role=\"alert\""));
    let noted = ada
        .post_form(
            &format!("{DECK}/notes"),
            &[
                ("text", "Pancakes every Sunday"),
                ("agreement_idea", "true"),
                ("round", "1"),
            ],
        )
        .await;
    assert_eq!(noted.status(), 303);
    let plain = bo
        .post_form(
            &format!("{DECK}/notes"),
            &[("text", "Ask before fixing things"), ("round", "1")],
        )
        .await;
    assert_eq!(plain.status(), 303);
    let talk = html(&bo, &format!("{DECK}/talk?round=1")).await;
    assert!(talk.contains("Pancakes every Sunday") && talk.contains("Ask before fixing things"));
    assert_eq!(talk.matches("Idea for an agreement</strong>").count(), 1);
    assert!(talk.contains("Ada · ") && talk.contains("You · "));
    assert_eq!(app.count("conversation_notes").await, 2);

    // Again: round 2 opens sealed, round 1 stays readable.
    assert_eq!(
        bo.post_form(&format!("{DECK}/again"), &[]).await.status(),
        303
    );
    assert_eq!(
        ada.post_form(&format!("{DECK}/again"), &[]).await.status(),
        303,
        "a second start is harmless"
    );
    let round_two = html(&ada, DECK).await;
    assert!(round_two.contains("Round 2") && round_two.contains("0 of 6"));
    assert!(round_two.contains(&format!("href=\"{DECK}/talk?round=1\"")));
    assert!(!page(&ada, &format!("{DECK}/talk"), 409)
        .await
        .contains(ADA_ONE));
    assert!(html(&ada, &format!("{DECK}/talk?round=1"))
        .await
        .contains(ADA_ONE));
    answer(&ada, 1, "ADA-ROUND-TWO pancakes still").await;
    answer(&bo, 1, "BO-ROUND-TWO walks").await;
    assert!(!html(&bo, DECK).await.contains("ADA-ROUND-TWO"));
    for p in [&ada, &bo] {
        assert_eq!(
            p.post_form(&format!("{DECK}/submit"), &[]).await.status(),
            303
        );
    }
    let second = html(&bo, &format!("{DECK}/talk")).await;
    assert!(second.contains("Round 2") && second.contains("Last time (round 1)"));
    assert!(second.contains("ADA-ROUND-TWO") && second.contains("BO-ROUND-TWO"));
    let last_time = &second[second.find("Last time").expect("last time")..];
    assert!(answer_of(last_time, "Ada").contains(ADA_ONE), "{second}");
    assert!(
        !second.contains("Pancakes every Sunday"),
        "notes stay with their round"
    );
}

/// Bo's pages while Bo drafts (the prompt page shows Bo's own words).
async fn bo_sees_drafting(bo: &Person) -> Vec<String> {
    let mut pages = vec![html(bo, "/conversations").await, html(bo, DECK).await];
    pages.push(page(bo, &format!("{DECK}/talk"), 409).await);
    pages
}

async fn too_long_text_is_refused_and_unknown_pages_are_404(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, bo) = app.ui_couple().await;
    let long = "é".repeat(2001);
    let refused = ada
        .post_form(
            &format!("{DECK}/p/2"),
            &[("text", &long), ("action", "save")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.expect("html");
    assert!(body.contains("id=\"text-error\" role=\"alert\""), "{body}");
    assert!(body.contains("aria-invalid=\"true\" aria-describedby=\"text-error text-hint\""));
    assert!(body.contains("2000 characters"));
    assert!(
        body.contains(&format!(">{long}</textarea>")),
        "what was typed is kept"
    );
    assert!(body.contains("Prompt 2 of 6"));
    assert_eq!(app.count("sealed_rounds").await, 0, "nothing saved");
    assert!(html(&ada, DECK).await.contains("0 of 6"));

    // Exactly the limit, with browser line breaks, fits.
    let fits = format!("{}\r\n{}", "a".repeat(1000), "b".repeat(999));
    answer(&ada, 2, &fits).await;
    assert!(html(&ada, DECK).await.contains("1 of 6"));

    for path in [
        "/conversations/poker",
        "/conversations/0",
        "/conversations/8",
        "/conversations/defining_love",
        "/conversations/poker/p/1",
        "/conversations/poker/talk",
        "/conversations/1/p/0",
        "/conversations/1/p/7",
        "/conversations/1/p/one",
        "/conversations/1/talk?round=99",
        "/conversations/1/talk?round=abc",
    ] {
        let body = page(&bo, path, 404).await;
        assert!(body.contains("<title>Notes</title>"), "{path}");
    }
    for path in ["/conversations/poker/submit", "/conversations/poker/p/1"] {
        assert_eq!(bo.post_form(path, &[("text", "x")]).await.status(), 404);
    }
    let stranger = app.person();
    let redirected = stranger.get("/conversations").await;
    assert_eq!(redirected.status(), 303);
    assert_eq!(
        page_after(&redirected),
        "/signin?next=%2Fconversations",
        "to sign in, then back"
    );
}

on_both_engines!(
    a_deck_stays_sealed_until_both_send_then_opens_for_both,
    too_long_text_is_refused_and_unknown_pages_are_404,
);
