//! The episode pages over real HTTP, on both engines: an episode recorded
//! with the form, turns added one by one (a negative one brings the
//! "before you answer" notice), undone, and refused beside their field
//! with nothing written; the partner cannot open a private episode and
//! adds their own view once it is shared; the repair stays sealed until
//! both sent theirs; the pattern page says "too little" until there is
//! enough; the guide opens signed out; a former partner reads their own
//! episodes with no forms.

use serde_json::json;

use crate::common::pages::{html, page_after, plain_html};
use crate::common::{Couple, DbEngine, Person, TestApp};

async fn post(p: &Person, path: &str, form: &[(&str, &str)]) -> String {
    let response = p.post_form(path, form).await;
    assert_eq!(
        response.status(),
        303,
        "{path}: {:?}",
        response.text().await
    );
    page_after(&response)
}

/// Records an episode with the form; its id.
async fn record(p: &Person, title: &str, share: bool) -> String {
    let mut form = vec![("title", title), ("kind", "conflict"), ("occurred_at", "")];
    if share {
        form.push(("share", "true"));
    }
    let at = post(p, "/episodes", &form).await;
    at.strip_prefix("/episodes/")
        .and_then(|rest| rest.split('?').next())
        .expect("an episode")
        .to_owned()
}

/// Adds a turn with the form; where it leads.
async fn turn(p: &Person, id: &str, actor: &str, code: &str, intensity: &str) -> String {
    post(
        p,
        &format!("/episodes/{id}/turns"),
        &[
            ("actor_id", actor),
            ("code", code),
            ("valence", ""),
            ("intensity", intensity),
        ],
    )
    .await
}

async fn record_turns_undo_and_the_guide_after_a_negative_turn(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let Couple {
        ada, ada_id, bo_id, ..
    } = app.couple().await;
    let list = plain_html(&ada, "/episodes").await;
    assert!(list.contains("<title>Notes</title>"));
    assert!(list.contains("Record an episode") && list.contains("Share with Bo now"));
    assert!(list.contains("href=\"/episodes/patterns\""));
    assert!(list.contains("href=\"/before-you-answer\""));
    assert!(list.contains("id=\"no-episodes\""));

    let id = record(&ada, "Sunday's talk about money", false).await;
    let list = plain_html(&ada, "/episodes").await;
    assert!(list.contains("Sunday's talk about money"), "{list}");
    assert!(list.contains("only you"));

    // A positive turn: back to the form, no notice.
    let at = turn(&ada, &id, &ada_id, "gentle_start_up", "2").await;
    assert_eq!(at, format!("/episodes/{id}#add"));
    let page = plain_html(&ada, &at).await;
    assert!(page.contains("a turn coded Gentle start-up"), "{page}");
    assert!(page.contains("(positive, light)"));
    assert!(!page.contains("id=\"guide-notice\""));
    // The other partner is chosen for the next turn (people take turns).
    assert!(
        page.contains(&format!("value=\"{bo_id}\" checked")),
        "{page}"
    );

    // A negative one: the notice, with the first step and the guide.
    let at = turn(&ada, &id, &bo_id, "criticism", "3").await;
    assert_eq!(at, format!("/episodes/{id}?after=negative#add"));
    let page = plain_html(&ada, &at).await;
    assert!(page.contains("id=\"guide-notice\""), "{page}");
    assert!(page.contains("Pause.") && page.contains("href=\"/before-you-answer\""));
    assert!(page.contains("Bo</strong>: a turn coded Criticism"));
    assert!(!plain_html(&ada, &format!("/episodes/{id}"))
        .await
        .contains("id=\"guide-notice\""));

    // Undo the last.
    assert_eq!(
        post(&ada, &format!("/episodes/{id}/turns/undo"), &[]).await,
        format!("/episodes/{id}#add")
    );
    let page = plain_html(&ada, &format!("/episodes/{id}")).await;
    assert!(!page.contains("a turn coded Criticism"), "{page}");
    assert!(page.contains("a turn coded Gentle start-up"));
    assert_eq!(app.count("episode_turns").await, 1);

    // Refused beside the field, the form kept, nothing written.
    let bad = ada
        .post_form(
            &format!("/episodes/{id}/turns"),
            &[
                ("actor_id", &ada_id),
                ("code", "criticism"),
                ("valence", ""),
                ("intensity", "9"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let shown = bad.text().await.expect("html");
    assert!(shown.contains("id=\"intensity-error\""), "{shown}");
    assert!(shown.contains("aria-describedby=\"intensity-error\""));
    assert!(
        shown.contains("value=\"criticism\" checked"),
        "the form is kept"
    );
    let bad = ada
        .post_form(
            &format!("/episodes/{id}/turns"),
            &[
                ("actor_id", &ada_id),
                ("code", "sulking"),
                ("intensity", "2"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad
        .text()
        .await
        .expect("html")
        .contains("id=\"code-error\""));
    assert_eq!(app.count("episode_turns").await, 1, "nothing written");

    // The record form refuses an empty title beside it.
    let bad = ada
        .post_form("/episodes", &[("title", " "), ("kind", "conflict")])
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad
        .text()
        .await
        .expect("html")
        .contains("id=\"title-error\""));
    assert_eq!(app.count("episodes").await, 1);
    // Garbage is not there.
    assert_eq!(ada.get("/episodes/nope").await.status(), 404);
}

async fn the_partner_sees_it_only_once_shared_and_adds_their_own_view(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let Couple {
        ada,
        ada_id,
        bo,
        bo_id,
        ..
    } = app.couple().await;
    let id = record(&ada, "PRIVATE-TITLE", false).await;
    turn(&ada, &id, &ada_id, "contempt", "2").await;
    assert_eq!(bo.get(&format!("/episodes/{id}")).await.status(), 404);
    assert!(!html(&bo, "/episodes").await.contains("PRIVATE-TITLE"));
    assert_eq!(
        bo.post_form(
            &format!("/episodes/{id}/turns"),
            &[
                ("actor_id", &bo_id),
                ("code", "neutral"),
                ("intensity", "1")
            ]
        )
        .await
        .status(),
        404
    );

    let page = plain_html(&ada, &format!("/episodes/{id}")).await;
    assert!(page.contains("Sharing your view lets Bo see how you remembered each turn"));
    assert!(page.contains("can't be undone"));
    assert!(!page.contains("id=\"repair\""), "no repair before sharing");
    assert_eq!(
        post(
            &ada,
            &format!("/episodes/{id}/share"),
            &[("shared", "true")]
        )
        .await,
        format!("/episodes/{id}#sharing")
    );
    let bos = plain_html(&bo, &format!("/episodes/{id}")).await;
    assert!(
        bos.contains("PRIVATE-TITLE") && bos.contains("recorded by Ada"),
        "{bos}"
    );
    assert!(bos.contains("How Ada remembers it"));
    assert!(bos.contains("Ada</strong>: a turn coded Contempt"));
    assert!(plain_html(&bo, "/episodes")
        .await
        .contains("recorded by Ada, shared with you"));

    // Bo adds his own view and shares it; Ada reads both side by side.
    turn(&bo, &id, &bo_id, "repair_attempt", "2").await;
    post(&bo, &format!("/episodes/{id}/share"), &[("shared", "true")]).await;
    let adas = plain_html(&ada, &format!("/episodes/{id}")).await;
    assert!(adas.contains("How Bo remembers it"), "{adas}");
    assert!(adas.contains("Bo</strong>: a turn coded Repair attempt"));

    // Ada withdraws her view: the episode stays, her turns go.
    post(
        &ada,
        &format!("/episodes/{id}/share"),
        &[("shared", "false")],
    )
    .await;
    let bos = plain_html(&bo, &format!("/episodes/{id}")).await;
    assert!(bos.contains("PRIVATE-TITLE"));
    assert!(!bos.contains("id=\"partner-view\""), "{bos}");
}

async fn the_repair_is_sealed_until_both_have_sent_theirs(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let Couple { ada, bo, .. } = app.couple().await;
    let id = record(&ada, "The late dinner", true).await;
    let path = format!("/episodes/{id}");
    let repair = format!("/episodes/{id}/repair");
    let adas = plain_html(&ada, &path).await;
    assert!(adas.contains("id=\"repair\"") && adas.contains("What was my part in it?"));

    // A draft: kept for Ada, nothing for Bo.
    post(&ada, &repair, &[("felt", "ADA-FELT"), ("send", "false")]).await;
    assert!(plain_html(&ada, &path)
        .await
        .contains(">ADA-FELT</textarea>"));
    let bos = plain_html(&bo, &path).await;
    assert!(bos.contains("Ada hasn't sent theirs yet."), "{bos}");
    assert!(!bos.contains("ADA-FELT"));
    assert!(
        !plain_html(&bo, "/home").await.contains("id=\"repairs\""),
        "a draft waits for no one"
    );

    // Sent: Bo learns only that.
    post(
        &ada,
        &repair,
        &[
            ("my_part", "ADA-PART"),
            ("felt", "ADA-FELT"),
            ("send", "true"),
        ],
    )
    .await;
    let bos = plain_html(&bo, &path).await;
    assert!(bos.contains("Ada has sent theirs."), "{bos}");
    // Bo's home says a repair waits for him, one tap from it; Ada's does not.
    let home = plain_html(&bo, "/home").await;
    assert!(home.contains("id=\"repairs\""), "{home}");
    assert!(home.contains(&format!(
        "<a href=\"/episodes/{id}#repair\">The late dinner</a>"
    )));
    assert!(!home.contains("ADA-FELT") && !home.contains("ADA-PART"));
    assert!(!plain_html(&ada, "/home").await.contains("id=\"repairs\""));
    assert!(!bos.contains("ADA-FELT") && !bos.contains("ADA-PART"));
    assert!(plain_html(&ada, &path)
        .await
        .contains("It stays sealed until Bo sends theirs"));

    // An empty one is refused beside "felt", nothing sent.
    let empty = bo.post_form(&repair, &[("send", "true")]).await;
    assert_eq!(empty.status(), 422);
    let shown = empty.text().await.expect("html");
    assert!(shown.contains("id=\"felt-error\""), "{shown}");
    assert!(!shown.contains("ADA-FELT"));
    // Too long, beside its field.
    let long = "x".repeat(5001);
    let too_long = bo
        .post_form(&repair, &[("needed", &long), ("send", "true")])
        .await;
    assert_eq!(too_long.status(), 422);
    assert!(too_long
        .text()
        .await
        .expect("html")
        .contains("id=\"needed-error\""));

    post(&bo, &repair, &[("needed", "BO-NEEDED"), ("send", "true")]).await;
    assert!(
        !plain_html(&bo, "/home").await.contains("id=\"repairs\""),
        "done"
    );
    for p in [&ada, &bo] {
        let page = plain_html(p, &path).await;
        assert!(page.contains("You have both written yours."), "{page}");
        assert!(page.contains("ADA-PART") && page.contains("BO-NEEDED"));
    }
}

async fn the_pattern_page_says_too_little_then_shows_a_percentage(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let Couple {
        ada,
        ada_id,
        bo_id,
        r,
        ..
    } = app.couple().await;
    let page = plain_html(&ada, "/episodes/patterns").await;
    assert!(page.contains("<title>Notes</title>"));
    assert!(page.contains("too little recorded yet to tell"), "{page}");
    assert!(page.contains("never a pass mark"));

    // Through the API for speed: Ada negative, Bo negative, Ada positive,
    // Bo positive, and again: every negative of Ada's answered negatively.
    let created = ada
        .post_json(
            &format!("{r}/episodes"),
            &json!({"title": "Many turns", "kind": "conflict"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let eid = created.json::<serde_json::Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cycle = [
        (&ada_id, "criticism"),
        (&bo_id, "defensiveness"),
        (&ada_id, "appreciation"),
        (&bo_id, "affection"),
    ];
    for k in 0..44 {
        let (actor, code) = cycle[k % 4];
        let added = ada
            .post_json(
                &format!("{r}/episodes/{eid}/turns"),
                &json!({"actor_id": actor, "code": code, "intensity": 2}),
            )
            .await;
        assert_eq!(added.status(), 201, "turn {k}");
        if k == 3 {
            let page = plain_html(&ada, "/episodes/patterns").await;
            assert!(page.contains("too little recorded yet to tell"), "{page}");
            // The month says so too, in both directions and the ratio.
            let month = page
                .split("id=\"month-table\"")
                .nth(1)
                .expect("month table");
            assert_eq!(
                month.matches("<td>too little yet</td>").count(),
                3,
                "{month}"
            );
        }
    }
    let page = plain_html(&ada, "/episodes/patterns").await;
    assert!(
        page.contains("After one of your negative turns, Bo answered negatively 100% of the time;"),
        "{page}"
    );
    assert!(
        page.contains("After one of Bo's negative turns, you answered negatively 0% of the time;")
    );
    assert!(page.contains("id=\"direction-table\""));
    assert!(page.contains("Warmth to hurt: about 1 to 1 (22 positive turns, 22 negative)."));
    assert!(page.contains("id=\"month-table\""));
    let month = page
        .split("id=\"month-table\"")
        .nth(1)
        .expect("month table");
    assert!(
        month.contains("Negative answered negatively: You then Bo"),
        "{month}"
    );
    assert!(month.contains("<td>100%</td><td>0%</td>"), "{month}");
    assert!(page.contains("id=\"no-spirals\""));
}

async fn the_guide_opens_signed_out_and_every_page_links_to_it(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let stranger = app.person();
    let guide = plain_html(&stranger, "/before-you-answer").await;
    assert!(guide.contains("<title>Notes</title>"));
    assert!(guide.contains("<h1>Before you answer</h1>") && guide.contains("Keep your own values"));
    assert!(plain_html(&stranger, "/signin")
        .await
        .contains("href=\"/before-you-answer\">A hard moment? Before you answer</a>"));
    // The other pages ask to sign in.
    assert_ne!(stranger.get("/episodes").await.status(), 200);
}

async fn a_former_partner_reads_their_own_episodes_without_forms(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let Couple {
        ada,
        ada_id,
        bo,
        bo_id,
        ..
    } = app.couple().await;
    let id = record(&ada, "ADA-EPISODE", true).await;
    turn(&ada, &id, &ada_id, "stonewalling", "2").await;
    post(
        &ada,
        &format!("/episodes/{id}/share"),
        &[("shared", "true")],
    )
    .await;
    let bos_id = record(&bo, "BO-EPISODE", true).await;
    turn(&bo, &bos_id, &bo_id, "humor", "1").await;
    turn(&bo, &id, &bo_id, "affection", "1").await;
    post(&bo, &format!("/episodes/{id}/share"), &[("shared", "true")]).await;
    assert_eq!(bo.post_form("/leave", &[]).await.status(), 303);

    let list = plain_html(&ada, "/episodes").await;
    assert!(list.contains("This space has ended"), "{list}");
    assert!(list.contains("ADA-EPISODE") && !list.contains("BO-EPISODE"));
    assert!(!list.contains("<form"), "{list}");
    let page = plain_html(&ada, &format!("/episodes/{id}")).await;
    assert!(page.contains("a turn coded Stonewalling"), "{page}");
    assert!(
        !page.contains("a turn coded Affection"),
        "only her own view"
    );
    assert!(!page.contains("<form"));
    assert_eq!(ada.get(&format!("/episodes/{bos_id}")).await.status(), 404);
    let patterns = plain_html(&ada, "/episodes/patterns").await;
    assert!(!patterns.contains("id=\"owning\""));
    // The old forms write nothing.
    let before = app.count("episode_turns").await;
    let late = ada
        .post_form(
            &format!("/episodes/{id}/turns"),
            &[
                ("actor_id", &ada_id),
                ("code", "neutral"),
                ("intensity", "1"),
            ],
        )
        .await;
    assert_eq!(page_after(&late), "/written");
    assert_eq!(app.count("episode_turns").await, before);
}

on_both_engines!(
    record_turns_undo_and_the_guide_after_a_negative_turn,
    the_partner_sees_it_only_once_shared_and_adds_their_own_view,
    the_repair_is_sealed_until_both_have_sent_theirs,
    the_pattern_page_says_too_little_then_shows_a_percentage,
    the_guide_opens_signed_out_and_every_page_links_to_it,
    a_former_partner_reads_their_own_episodes_without_forms,
);
