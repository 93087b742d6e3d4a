//! The "what my partner can see" table (`web::visibility::ROWS`, SECURITY.md
//! R26 and H9) held against what the partner actually receives, on both
//! engines.
//!
//! Ada plants a marker in the data of every row; Bo, her partner, then reads
//! every GET route of the API (from the OpenAPI document, so a new route is
//! read too) and the pages of the shared space, at three moments:
//! - `Sealed`: Ada has drafts, has sent one conversation, logged, thanked;
//! - `Revealed`: Bo has sent that conversation too, Ada kept a note, and
//!   both chose to see figures;
//! - `Ended`: Bo has left.
//!
//! Each row's `partner` value says what must hold: `Yes` markers reach Bo
//! from the moment they exist, `AfterBothSend` ones only once revealed, `No`
//! and `NotEvenThatItExists` ones never. Drafts must not even change what Bo
//! reads, byte for byte. After the end, none of Ada's words reach Bo.
//! A row without a probe here fails the test, so the table cannot grow a
//! promise nobody checks.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use web::visibility::{Seen, ROWS};

use crate::common::{DbEngine, Person, TestApp};

const PASSWORD: &str = "a long password";
/// The conversation Ada sends (and Bo later too).
const SENT_DECK: &str = "defining_love";
/// A conversation Ada only drafts.
const DRAFT_DECK: &str = "intimacy";
/// Rows about things the app does not have yet: nothing to plant. The test
/// fails once the API grows a route for them, so they get a probe then.
const NOT_IN_APP: &[(&str, &str)] = &[];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Moment {
    Sealed,
    Revealed,
    Ended,
}

/// Ada's markers by row key, with the moment each was planted by.
#[derive(Default)]
struct Planted(BTreeMap<&'static str, Vec<(String, Moment)>>);

impl Planted {
    /// A new marker for `row`: lower case, letters, digits and hyphens, so
    /// no escaping (JSON, HTML) and no case folding (e-mail) can hide it.
    fn plant(&mut self, row: &'static str, by: Moment) -> String {
        let text = format!(
            "mk-{}-{}",
            row.replace('_', "-"),
            uuid::Uuid::new_v4().simple()
        );
        self.record(row, text.clone(), by);
        text
    }

    /// A value Ada holds that was not chosen by the test (an id, a code).
    fn record(&mut self, row: &'static str, text: String, by: Moment) {
        self.0.entry(row).or_default().push((text, by));
    }
}

/// Everything Bo received at one moment: `(path, status and body)`.
struct Reads(Vec<(String, String)>);

impl Reads {
    fn find(&self, marker: &str) -> Option<&str> {
        let marker = marker.to_lowercase();
        self.0
            .iter()
            .find(|(_, text)| text.to_lowercase().contains(&marker))
            .map(|(path, _)| path.as_str())
    }
}

fn days_ago(n: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(n)).to_string()
}

async fn json_of(response: reqwest::Response, what: &str, status: u16) -> Value {
    assert_eq!(response.status(), status, "{what}");
    response.json().await.unwrap_or(Value::Null)
}

/// Every GET of the API, with this couple's ids (`aid`: Ada's agreement),
/// and the pages of the space.
async fn paths_to_read(
    p: &Person,
    rel: &str,
    aid: &str,
    eid: &str,
    counselor: &str,
) -> Vec<String> {
    let doc = json_of(p.get("/api/openapi.json").await, "openapi", 200).await;
    let mut paths = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        if item.get("get").is_none() {
            continue;
        }
        let with_rel = template.replace(
            "/api/v1/relationships/{id}",
            &format!("/api/v1/relationships/{rel}"),
        );
        let decks: &[&str] = if with_rel.contains("{deck}") {
            &[SENT_DECK, DRAFT_DECK]
        } else {
            &[""]
        };
        for deck in decks {
            let path = with_rel
                .replace("{deck}", deck)
                .replace("{aid}", aid)
                .replace("{eid}", eid)
                .replace("/counselor/{cid}", &format!("/counselor/{counselor}"))
                .replace(
                    "/counselor/clients/{id}",
                    &format!("/counselor/clients/{rel}"),
                );
            assert!(
                !path.contains('{'),
                "a GET route with a placeholder this test does not fill: {template}"
            );
            paths.push(path);
        }
    }
    for page in [
        "/home",
        "/visibility",
        "/written",
        "/ledger",
        "/ledger/history",
        "/ledger/balance",
        "/values",
        "/values/q/1",
        "/values/compare",
        "/respect",
        "/respect/q/1",
        "/respect/compare",
        "/conversations",
        "/agreements",
    ] {
        paths.push(page.to_owned());
    }
    paths.push(format!("/agreements/{aid}"));
    for page in ["/episodes", "/episodes/patterns"] {
        paths.push(page.to_owned());
    }
    paths.push(format!("/episodes/{eid}"));
    // The pages number the decks in the order the API lists them.
    let decks = json_of(
        p.get(&format!("/api/v1/relationships/{rel}/conversations"))
            .await,
        "decks",
        200,
    )
    .await;
    let decks = decks.as_array().expect("decks");
    for deck in [SENT_DECK, DRAFT_DECK] {
        let n = 1 + decks
            .iter()
            .position(|d| d["key"] == deck)
            .expect("deck listed");
        for tail in ["", "/talk", "/p/1"] {
            paths.push(format!("/conversations/{n}{tail}"));
        }
    }
    paths
}

async fn read_all(p: &Person, paths: &[String]) -> Reads {
    let mut reads = Vec::new();
    for path in paths {
        let response = p.get(path).await;
        let status = response.status().as_u16();
        let mut text = format!("{status}\n");
        for (name, value) in response.headers() {
            if name != "date" {
                text.push_str(&format!(
                    "{name}: {}\n",
                    String::from_utf8_lossy(value.as_bytes())
                ));
            }
        }
        text.push_str(&response.text().await.expect("body"));
        reads.push((path.clone(), text));
    }
    Reads(reads)
}

/// What Bo reads about his partner's side of every sealed round: the
/// relationship's API routes, status and body only (headers carry dates).
fn round_views(reads: &Reads) -> Vec<(String, String)> {
    reads
        .0
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/relationships/"))
        .map(|(path, text)| {
            let status = &text[..3];
            let body = text.split_once("\n\n").map_or("", |(_, b)| b);
            (path.clone(), format!("{status} {body}"))
        })
        .collect()
}

/// The rating Bo's partner gave Bo's contribution `cid`, as Bo sees it.
async fn rating_bo_sees(bo: &Person, r: &str, cid: &str) -> Value {
    let list = json_of(bo.get(&format!("{r}/contributions")).await, "list", 200).await;
    let entry = list
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["id"] == cid)
        .expect("Bo sees his own entry");
    assert_eq!(entry["acknowledged"], true, "thanked");
    entry["value"].clone()
}

/// Answers every prompt of `deck` as `who`, with marked texts when `mark` is given.
async fn answer_deck(who: &Person, r: &str, deck: &str, mut mark: impl FnMut() -> String) {
    let path = format!("{r}/conversations/{deck}");
    let status = json_of(who.get(&path).await, "deck", 200).await;
    let answers: Vec<Value> = status["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .map(|p| json!({"prompt": p["key"], "text": mark()}))
        .collect();
    let saved = who
        .put_json(&format!("{path}/answers"), &json!({ "answers": answers }))
        .await;
    assert_eq!(saved.status(), 200, "answers to {deck}");
}

async fn the_partner_sees_exactly_what_the_visibility_table_says(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let mut planted = Planted::default();
    let sealed = Moment::Sealed;

    // Ada, with a marked e-mail and name; Bo; their space.
    let email = format!("{}@example.org", planted.plant("email", sealed));
    let name = planted.plant("display_name", sealed);
    let ada = app.person();
    let created = json_of(
        ada.post_json(
            "/api/v1/accounts",
            &json!({"email": email, "password": PASSWORD, "display_name": name}),
        )
        .await,
        "sign up",
        201,
    )
    .await;
    let code = created["recovery_code"].as_str().expect("recovery code");
    planted.record("account_security", code.to_owned(), sealed);
    let signed_in = ada
        .post_json(
            "/api/v1/session",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed_in.status(), 200);
    let (bo, _) = app.signed_in("bo@example.org", "Bo").await;
    let rel = ada.create_relationship().await;
    let joined = bo
        .post_json(
            "/api/v1/relationships/join",
            &json!({"invite_code": rel["invite_code"]}),
        )
        .await;
    assert_eq!(joined.status(), 200, "join");
    let rel = rel["id"].as_str().expect("id").to_owned();
    let r = format!("/api/v1/relationships/{rel}");
    // An agreement Ada proposes: shared with Bo from the start.
    let proposed = json_of(
        ada.post_json(
            &format!("{r}/agreements"),
            &json!({
                "domain": "planning",
                "title": planted.plant("agreements", sealed),
                "terms": planted.plant("agreements", sealed),
                "my_part": planted.plant("agreements", sealed),
            }),
        )
        .await,
        "agreement",
        201,
    )
    .await;
    let aid = proposed["id"].as_str().expect("id").to_owned();
    // Episodes: one Ada shares (its title the marker of her shared ones),
    // one she keeps to herself; her repair of the shared one is sent now,
    // sealed until Bo sends his.
    let episode_titles = (
        format!("mk-episode-shared-{}", uuid::Uuid::new_v4().simple()),
        format!("mk-episode-private-{}", uuid::Uuid::new_v4().simple()),
    );
    let mut eid = String::new();
    for (title, share) in [(&episode_titles.0, true), (&episode_titles.1, false)] {
        let e = json_of(
            ada.post_json(
                &format!("{r}/episodes"),
                &json!({"title": title, "kind": "conflict", "share": share}),
            )
            .await,
            "episode",
            201,
        )
        .await;
        let id = e["id"].as_str().expect("id").to_owned();
        let turned = ada
            .post_json(
                &format!("{r}/episodes/{id}/turns"),
                &json!({"actor_id": created["id"], "code": "criticism", "intensity": 2}),
            )
            .await;
        assert_eq!(turned.status(), 201, "turn");
        if share {
            eid = id;
        }
    }
    let repair = ada
        .put_json(
            &format!("{r}/episodes/{eid}/repair"),
            &json!({"my_part": planted.plant("repairs", sealed)}),
        )
        .await;
    assert_eq!(repair.status(), 200, "Ada's repair");
    // A counselor both approved; Ada writes them a private note (D7),
    // which Bo must never meet, nor learn exists.
    let counselor = crate::counselor::counselor(&app, "rivera@example.org").await;
    let invited = json_of(
        ada.post_json(
            &format!("{r}/counselor"),
            &json!({"email": "rivera@example.org"}),
        )
        .await,
        "invite a counselor",
        201,
    )
    .await;
    let gid = invited["id"].as_str().expect("id").to_owned();
    let joined = counselor
        .post_json("/api/v1/counselor/join", &json!({"code": invited["code"]}))
        .await;
    assert_eq!(joined.status(), 200, "the counselor joins");
    let approved = bo
        .post_json(&format!("{r}/counselor/{gid}/approve"), &json!({}))
        .await;
    assert_eq!(approved.status(), 200, "Bo approves");
    let noted = ada
        .post_json(
            &format!("{r}/counselor/{gid}/notes"),
            &json!({"text": planted.plant("counselor_notes", sealed)}),
        )
        .await;
    assert_eq!(noted.status(), 201, "Ada's note to the counselor");
    let paths = paths_to_read(&bo, &rel, &aid, &eid, &gid).await;

    // Ada's account: a marked token, and the ids of her sessions and events.
    let token_name = planted.plant("account_security", sealed);
    let token = json_of(
        ada.post_json(
            "/api/v1/tokens",
            &json!({"name": token_name, "password": PASSWORD}),
        )
        .await,
        "token",
        201,
    )
    .await;
    for field in ["id", "token"] {
        planted.record(
            "account_security",
            token[field].as_str().expect(field).to_owned(),
            sealed,
        );
    }
    for list in ["/api/v1/me/sessions", "/api/v1/me/security-events"] {
        let items = json_of(ada.get(list).await, list, 200).await;
        for item in items.as_array().expect(list) {
            planted.record(
                "account_security",
                item["id"].as_str().expect("id").to_owned(),
                sealed,
            );
        }
    }

    // Drafts and reflections: Bo's view of every round, and his own list
    // of reflections, must not move, byte for byte.
    let before = round_views(&read_all(&bo, &paths).await);
    let bo_reflections = format!("{r}/reflections");
    let reflections_before = bo.get(&bo_reflections).await.text().await.expect("body");
    for _ in 0..2 {
        let kept = ada
            .post_json(
                &bo_reflections,
                &json!({"text": planted.plant("reflections", sealed)}),
            )
            .await;
        assert_eq!(kept.status(), 201, "reflection");
    }
    let items = json_of(ada.get(&format!("{r}/values/items")).await, "items", 200).await;
    for _ in 0..2 {
        // Saved twice: how often Ada saves is hers too.
        let answers: Vec<Value> = items["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| json!({"item": i["key"], "importance": 4, "definition": planted.plant("drafts", sealed)}))
            .collect();
        let saved = ada
            .put_json(
                &format!("{r}/values/answers"),
                &json!({ "answers": answers }),
            )
            .await;
        assert_eq!(saved.status(), 200, "values draft");
    }
    let areas = json_of(ada.get(&format!("{r}/respect/areas")).await, "areas", 200).await;
    let answers: Vec<Value> = areas
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| json!({"key": a["key"], "i_respect": 4, "i_feel_respected": 2}))
        .collect();
    let saved = ada
        .put_json(
            &format!("{r}/respect/answers"),
            &json!({ "answers": answers }),
        )
        .await;
    assert_eq!(saved.status(), 200, "respect draft");
    answer_deck(&ada, &r, DRAFT_DECK, || planted.plant("drafts", sealed)).await;
    let after = round_views(&read_all(&bo, &paths).await);
    assert_eq!(before.len(), after.len());
    for (was, is) in before.iter().zip(&after) {
        assert_eq!(was, is, "Ada's drafts changed what Bo reads at {}", was.0);
    }
    assert_eq!(
        reflections_before,
        bo.get(&bo_reflections).await.text().await.expect("body"),
        "Ada's reflections changed Bo's own list"
    );

    // Sent, not yet revealed; shared at once: an area, an entry, thanks.
    answer_deck(&ada, &r, SENT_DECK, || {
        planted.plant("sent_answers", sealed)
    })
    .await;
    let sent = ada
        .post_json(&format!("{r}/conversations/{SENT_DECK}/submit"), &json!({}))
        .await;
    assert_eq!(sent.status(), 200, "Ada sends");
    let area = planted.plant("respect_areas", sealed);
    let added = ada
        .post_json(&format!("{r}/respect/areas"), &json!({"name": area}))
        .await;
    assert_eq!(added.status(), 201, "area");
    let entry = planted.plant("ledger_entries", sealed);
    let logged = ada
        .post_json(
            &format!("{r}/contributions"),
            &json!({"domain": "planning", "description": entry, "effort": 2}),
        )
        .await;
    assert_eq!(logged.status(), 201, "Ada logs");
    let bos = json_of(
        bo.post_json(
            &format!("{r}/contributions"),
            &json!({"domain": "household_labor", "description": "Cooked", "effort": 3}),
        )
        .await,
        "Bo logs",
        201,
    )
    .await;
    let cid = bos["id"].as_str().expect("id").to_owned();
    let thanks = planted.plant("thanks_note", sealed);
    let thanked = ada
        .post_json(
            &format!("{r}/contributions/{cid}/acknowledgment"),
            &json!({"value": 4, "note": thanks}),
        )
        .await;
    assert_eq!(thanked.status(), 200, "Ada thanks");
    // Check-ins: one shared, one private, each with a note for Ada alone;
    // their far-off days are the markers of the check-ins themselves.
    let shared_on = days_ago(3000);
    let private_on = days_ago(4000);
    for (on, share) in [(&shared_on, true), (&private_on, false)] {
        let mut body =
            json!({"on": on, "share": share, "note": planted.plant("checkin_notes", sealed)});
        for key in [
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
        ] {
            body[key] = json!(5);
        }
        let kept = ada.post_json(&format!("{r}/checkins"), &body).await;
        assert_eq!(kept.status(), 201, "check-in");
    }
    let mut reads = BTreeMap::new();
    reads.insert(Moment::Sealed, read_all(&bo, &paths).await);
    let mut rating = BTreeMap::new();
    rating.insert(Moment::Sealed, rating_bo_sees(&bo, &r, &cid).await);

    // Revealed: Bo sends too; Ada keeps a note; both choose figures.
    answer_deck(&bo, &r, SENT_DECK, || "Bo's own answer".to_owned()).await;
    let sent = bo
        .post_json(&format!("{r}/conversations/{SENT_DECK}/submit"), &json!({}))
        .await;
    assert_eq!(sent.status(), 200, "Bo sends");
    let note = planted.plant("conversation_notes", Moment::Revealed);
    let kept = ada
        .post_json(
            &format!("{r}/conversations/{SENT_DECK}/notes"),
            &json!({"text": note}),
        )
        .await;
    assert_eq!(kept.status(), 201, "note");
    let repair = bo
        .put_json(
            &format!("{r}/episodes/{eid}/repair"),
            &json!({"my_part": "Bo's own part"}),
        )
        .await;
    assert_eq!(repair.status(), 200, "Bo's repair");
    for who in [&ada, &bo] {
        let chose = who
            .put_json(&format!("{r}/preferences"), &json!({"show_numbers": true}))
            .await;
        assert_eq!(chose.status(), 200, "figures");
    }
    reads.insert(Moment::Revealed, read_all(&bo, &paths).await);
    rating.insert(Moment::Revealed, rating_bo_sees(&bo, &r, &cid).await);
    // Ada opens the ledger, which holds Bo's entry: his access log says so.
    let ada_id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(ada.get(&format!("{r}/contributions")).await.status(), 200);
    let bo_log = json_of(bo.get("/api/v1/me/access-log").await, "access log", 200).await;

    // Ended: Bo leaves.
    let left = bo.post_json(&format!("{r}/leave"), &json!({})).await;
    assert_eq!(left.status(), 200, "leave");
    reads.insert(Moment::Ended, read_all(&bo, &paths).await);

    // Every row has a probe, and every probe a row.
    let doc = json_of(bo.get("/api/openapi.json").await, "openapi", 200).await;
    for row in ROWS {
        if let Some((_, word)) = NOT_IN_APP.iter().find(|(k, _)| *k == row.key) {
            assert!(
                !doc["paths"]
                    .as_object()
                    .expect("paths")
                    .keys()
                    .any(|p| p.contains(word)),
                "the app now has {word} routes: give the row {:?} a probe",
                row.key
            );
            continue;
        }
        let probed = planted.0.contains_key(row.key)
            || matches!(
                row.partner,
                Seen::IfBothChooseFigures | Seen::OnTheirAccessLog | Seen::IfYouShare
            );
        assert!(probed, "the row {:?} has no probe in this test", row.key);
    }
    for key in planted.0.keys() {
        assert!(
            ROWS.iter().any(|row| row.key == *key),
            "a probe for no row: {key}"
        );
    }

    let mut checked = 0;
    for row in ROWS {
        if row.partner == Seen::OnTheirAccessLog {
            let lines = bo_log.as_array().expect("lines");
            assert!(
                lines
                    .iter()
                    .any(|l| l["viewer_id"] == ada_id.as_str() && l["item"] == "ledger"),
                "Ada's look at the ledger is on Bo's list: {bo_log}"
            );
            checked += 1;
            continue;
        }
        if row.partner == Seen::IfYouShare {
            let (shared, private) = match row.key {
                "checkins" => (&shared_on, &private_on),
                "episodes" => (&episode_titles.0, &episode_titles.1),
                other => panic!("a row about sharing with no probe: {other}"),
            };
            for (moment, read) in &reads {
                let open = *moment != Moment::Ended;
                assert_eq!(
                    read.find(shared).is_some(),
                    open,
                    "the shared {} at {moment:?}",
                    row.key
                );
                assert_eq!(
                    read.find(private),
                    None,
                    "the private {} reached the partner at {moment:?}",
                    row.key
                );
            }
            checked += 1;
            continue;
        }
        if row.partner == Seen::IfBothChooseFigures {
            assert_eq!(row.key, "thanks_value", "the one row about figures");
            assert_eq!(
                rating[&Moment::Sealed],
                Value::Null,
                "hidden until both chose figures"
            );
            assert_eq!(
                rating[&Moment::Revealed],
                json!(4),
                "shown once both chose figures"
            );
            checked += 1;
            continue;
        }
        for (marker, planted_by) in planted.0.get(row.key).into_iter().flatten() {
            for (moment, read) in &reads {
                let found = read.find(marker);
                let open = *moment != Moment::Ended;
                let must_see = open
                    && moment >= planted_by
                    && match row.partner {
                        Seen::Yes => true,
                        Seen::AfterBothSend => *moment == Moment::Revealed,
                        _ => false,
                    };
                // After the end Bo reads only his own words: none of Ada's.
                // Her name still labels the space they had.
                let may_see = must_see || (!open && row.key == "display_name");
                if must_see {
                    assert!(
                        found.is_some(),
                        "{:?} {marker} not seen by the partner at {moment:?}",
                        row.key
                    );
                } else if !may_see {
                    assert!(
                        found.is_none(),
                        "{:?} {marker} reached the partner at {moment:?} through {}",
                        row.key,
                        found.unwrap_or_default()
                    );
                }
                checked += 1;
            }
        }
    }
    println!(
        "{}",
        json!({
            "harness": "visibility_table",
            "engine": format!("{engine:?}").to_lowercase(),
            "rows": ROWS.len(),
            "markers": planted.0.values().map(Vec::len).sum::<usize>(),
            "reads_per_moment": paths.len(),
            "moments": reads.len(),
            "checks": checked,
        })
    );
    assert!(checked > 40, "{checked} checks");
}

on_both_engines!(the_partner_sees_exactly_what_the_visibility_table_says);
