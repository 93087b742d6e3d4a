//! After leaving, each former partner reads only their own words: the ended
//! space takes no writes (409 `ended`), its balance and comparisons are gone,
//! and no read route gives either one a word the other wrote. Also: no
//! ledger route shows a giver the receiver's rating until both chose numbers.

use crate::common;

use crate::common::{DbEngine, Person, TestApp};
use serde_json::{json, Value};

const ADA: &str = "ADA-MARK";
const BO: &str = "BO-MARK";
const DECK: &str = "defining_love";
/// Whatever a refused write would have written carries this.
const LATE: &str = "AFTER-END";

/// A response's status and JSON body (null when there is none, as for a 204).
async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The error code of an error body ("" for any other body).
fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

async fn call(p: &Person, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = match method {
        "GET" => p.get(path).await,
        "POST" => p.post_json(path, body).await,
        "PUT" => p.put_json(path, body).await,
        "PATCH" => p.patch_json(path, body).await,
        "DELETE" => p.delete(path).await,
        other => panic!("no such method {other}"),
    };
    answer(response).await
}

/// The body of a request that must answer `status`.
async fn expect(p: &Person, method: &str, path: &str, body: Value, status: u16) -> Value {
    let (got, reply) = call(p, method, path, &body).await;
    assert_eq!(got, status, "{method} {path} {body}: {reply}");
    reply
}

async fn get_ok(p: &Person, path: &str) -> Value {
    expect(p, "GET", path, Value::Null, 200).await
}

/// Logs a contribution; returns its id.
async fn logged(p: &Person, contributions: &str, body: Value) -> String {
    expect(p, "POST", contributions, body, 201).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// One former partner, with the entries that matter to them.
struct Side {
    person: Person,
    id: String,
    mark: &'static str,
    /// Logged by this partner and thanked by the other.
    thanked: String,
    thanked_text: String,
    /// Logged by this partner, never thanked.
    waiting: String,
    waiting_text: String,
    /// The other's entry this partner thanked: (id, value, note).
    thanks_given: (String, u64, String),
}

/// Ada and Bo shared a ledger, values, a conversation and a respect map,
/// each writing their marker into everything; then Bo left.
struct Story {
    app: TestApp,
    r: String,
    ada: Side,
    bo: Side,
    /// What Ada logged Bo did for her, with her value and note.
    ada_for_bo: (String, String, u64, String),
    item: String,
    prompt: String,
}

impl Story {
    async fn told(engine: DbEngine) -> Option<Self> {
        let app = TestApp::spawn(engine).await?;
        let common::Couple {
            ada,
            ada_id,
            bo,
            bo_id,
            r,
        } = app.couple().await;
        let contributions = format!("{r}/contributions");
        let texts = [
            format!("{ADA} dishes"),
            format!("{ADA} holiday plans"),
            format!("{BO} laundry"),
            format!("{BO} a long talk"),
        ];
        let ada_thanked = logged(
            &ada,
            &contributions,
            json!({"domain": "household_labor", "description": texts[0],
                "effort": 3, "minutes": 20}),
        )
        .await;
        let ada_waiting = logged(
            &ada,
            &contributions,
            json!({"domain": "planning", "description": texts[1], "effort": 2}),
        )
        .await;
        let bo_thanked = logged(
            &bo,
            &contributions,
            json!({"domain": "household_labor", "description": texts[2],
                "effort": 3, "minutes": 40}),
        )
        .await;
        let bo_waiting = logged(
            &bo,
            &contributions,
            json!({"domain": "emotional_support", "description": texts[3], "effort": 4}),
        )
        .await;
        let ada_note = format!("{ADA} thank you");
        let bo_note = format!("{BO} thanks");
        expect(
            &ada,
            "POST",
            &format!("{contributions}/{bo_thanked}/acknowledgment"),
            json!({"value": 4, "note": ada_note}),
            200,
        )
        .await;
        expect(
            &bo,
            "POST",
            &format!("{contributions}/{ada_thanked}/acknowledgment"),
            json!({"value": 3, "note": bo_note}),
            200,
        )
        .await;
        let for_bo_text = format!("{ADA} you booked the tickets");
        let for_bo_note = format!("{ADA} that meant a lot");
        let for_bo = logged(
            &ada,
            &contributions,
            json!({"domain": "planning", "description": for_bo_text, "effort": 2,
                "for_partner": true, "value": 5, "note": for_bo_note}),
        )
        .await;

        // Values: both answer every item, in their own words, and submit.
        let items = get_ok(&ada, &format!("{r}/values/items")).await;
        let keys: Vec<String> = items["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["key"].as_str().expect("key").to_owned())
            .collect();
        for (p, mark) in [(&ada, ADA), (&bo, BO)] {
            let answers: Vec<Value> = keys
                .iter()
                .map(|k| json!({"item": k, "importance": 3, "definition": format!("{mark}-{k}")}))
                .collect();
            expect(
                p,
                "PUT",
                &format!("{r}/values/answers"),
                json!({ "answers": answers }),
                200,
            )
            .await;
        }
        for p in [&ada, &bo] {
            expect(p, "POST", &format!("{r}/values/submit"), json!({}), 200).await;
        }
        get_ok(&ada, &format!("{r}/values/comparison")).await;

        // A conversation: both answer and submit, then each keeps a note.
        let deck = format!("{r}/conversations/{DECK}");
        let prompt = get_ok(&ada, &deck).await["prompts"][0]["key"]
            .as_str()
            .expect("prompt")
            .to_owned();
        for (p, mark) in [(&ada, ADA), (&bo, BO)] {
            expect(
                p,
                "PUT",
                &format!("{deck}/answers"),
                json!({"answers": [{"prompt": prompt, "text": format!("{mark} answer")}]}),
                200,
            )
            .await;
        }
        for p in [&ada, &bo] {
            expect(p, "POST", &format!("{deck}/submit"), json!({}), 200).await;
        }
        for (p, mark) in [(&ada, ADA), (&bo, BO)] {
            expect(
                p,
                "POST",
                &format!("{deck}/notes"),
                json!({"text": format!("{mark} note")}),
                201,
            )
            .await;
        }

        // The respect map: each adds an area of their own.
        for (p, name) in [
            (&ada, format!("{ADA} Music")),
            (&bo, format!("{BO} Hiking")),
        ] {
            expect(
                p,
                "POST",
                &format!("{r}/respect/areas"),
                json!({ "name": name }),
                201,
            )
            .await;
        }

        // Each keeps a private reflection.
        for (p, mark) in [(&ada, ADA), (&bo, BO)] {
            expect(
                p,
                "POST",
                &format!("{r}/reflections"),
                json!({"text": format!("{mark} reflection")}),
                201,
            )
            .await;
        }

        for p in [&ada, &bo] {
            expect(
                p,
                "PUT",
                &format!("{r}/preferences"),
                json!({"show_numbers": true}),
                200,
            )
            .await;
        }
        expect(&bo, "POST", &format!("{r}/leave"), json!({}), 200).await;

        let [ada_thanked_text, ada_waiting_text, bo_thanked_text, bo_waiting_text] = texts;
        Some(Self {
            app,
            r,
            ada: Side {
                person: ada,
                id: ada_id,
                mark: ADA,
                thanked: ada_thanked.clone(),
                thanked_text: ada_thanked_text,
                waiting: ada_waiting,
                waiting_text: ada_waiting_text,
                thanks_given: (bo_thanked.clone(), 4, ada_note),
            },
            bo: Side {
                person: bo,
                id: bo_id,
                mark: BO,
                thanked: bo_thanked,
                thanked_text: bo_thanked_text,
                waiting: bo_waiting,
                waiting_text: bo_waiting_text,
                thanks_given: (ada_thanked, 3, bo_note),
            },
            ada_for_bo: (for_bo, for_bo_text, 5, for_bo_note),
            item: keys[0].clone(),
            prompt,
        })
    }

    /// Each side with the other.
    fn sides(&self) -> [(&Side, &Side); 2] {
        [(&self.ada, &self.bo), (&self.bo, &self.ada)]
    }

    /// Row counts that any of the writes tried after the end would change.
    async fn fingerprint(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "contributions",
            "contributions WHERE value IS NOT NULL",
            "contributions WHERE description LIKE '%AFTER-END%' OR thanks_note LIKE '%AFTER-END%'",
            "ledger_preferences WHERE show_numbers",
            "sealed_rounds",
            "sealed_sides WHERE submitted_at IS NOT NULL",
            "sealed_sides WHERE answers LIKE '%AFTER-END%'",
            "respect_areas",
            "round_proposals",
            "conversation_notes",
            "reflections",
        ] {
            counts.push((table, self.app.count(table).await));
        }
        counts
    }
}

/// Every write a partner could try in the space, with `mine` an entry of
/// their own that is not thanked and `theirs` one of the other's.
fn writes(story: &Story, mine: &str, theirs: &str) -> Vec<(&'static str, String, Value)> {
    let r = &story.r;
    let c = format!("{r}/contributions");
    let random = uuid::Uuid::new_v4();
    let deck = format!("{r}/conversations/{DECK}");
    let fix = json!({"description": LATE});
    vec![
        (
            "POST",
            c.clone(),
            json!({"domain": "planning", "description": LATE, "effort": 2}),
        ),
        (
            "POST",
            c.clone(),
            json!({"domain": "planning", "description": LATE, "effort": 2,
                "for_partner": true, "value": 3, "note": LATE}),
        ),
        (
            "POST",
            format!("{c}/{theirs}/acknowledgment"),
            json!({"value": 2, "note": LATE}),
        ),
        ("PATCH", format!("{c}/{mine}"), fix.clone()),
        ("PATCH", format!("{c}/{theirs}"), fix.clone()),
        ("PATCH", format!("{c}/{random}"), fix),
        ("DELETE", format!("{c}/{mine}"), Value::Null),
        ("DELETE", format!("{c}/{theirs}"), Value::Null),
        ("DELETE", format!("{c}/{random}"), Value::Null),
        (
            "PUT",
            format!("{r}/preferences"),
            json!({"show_numbers": false}),
        ),
        (
            "PUT",
            format!("{r}/values/answers"),
            json!({"answers": [{"item": story.item, "importance": 1, "definition": LATE}]}),
        ),
        ("POST", format!("{r}/values/submit"), json!({})),
        ("POST", format!("{r}/values/rounds"), json!({})),
        (
            "PUT",
            format!("{r}/respect"),
            json!({"areas": [{"area": "creativity", "i_respect": 3, "i_feel_respected": 3}]}),
        ),
        (
            "POST",
            format!("{r}/respect/areas"),
            json!({ "name": LATE }),
        ),
        ("POST", format!("{r}/respect/submit"), json!({})),
        ("POST", format!("{r}/respect/rounds"), json!({})),
        ("POST", format!("{r}/values/rounds/proposal"), json!({})),
        ("DELETE", format!("{r}/values/rounds/proposal"), Value::Null),
        (
            "POST",
            format!("{r}/values/rounds/proposal/agree"),
            json!({"prefill": true}),
        ),
        (
            "POST",
            format!("{r}/values/rounds/proposal/decline"),
            json!({}),
        ),
        ("POST", format!("{r}/values/prefill"), json!({})),
        ("POST", format!("{r}/respect/rounds/proposal"), json!({})),
        (
            "DELETE",
            format!("{r}/respect/rounds/proposal"),
            Value::Null,
        ),
        (
            "POST",
            format!("{r}/respect/rounds/proposal/agree"),
            json!({"prefill": true}),
        ),
        (
            "POST",
            format!("{r}/respect/rounds/proposal/decline"),
            json!({}),
        ),
        ("POST", format!("{r}/respect/prefill"), json!({})),
        (
            "PUT",
            format!("{deck}/answers"),
            json!({"answers": [{"prompt": story.prompt, "text": LATE}]}),
        ),
        ("POST", format!("{deck}/submit"), json!({})),
        ("POST", format!("{deck}/rounds"), json!({})),
        ("POST", format!("{deck}/notes"), json!({ "text": LATE })),
        ("POST", format!("{r}/reflections"), json!({ "text": LATE })),
    ]
}

async fn after_leaving_the_space_reads_as_ended_and_takes_no_writes_from_either(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    for (side, _) in story.sides() {
        let seen = get_ok(&side.person, &story.r).await;
        assert_eq!(seen["status"], "ended", "{seen}");
    }
    let before = story.fingerprint().await;
    let mut wrong = Vec::new();
    for (side, other) in story.sides() {
        for (method, path, body) in writes(&story, &side.waiting, &other.waiting) {
            let (status, reply) = call(&side.person, method, &path, &body).await;
            if (status, code(&reply)) != (409, "ended") {
                wrong.push(format!("{} {method} {path}: {status} {reply}", side.mark));
            }
        }
    }
    let after = story.fingerprint().await;
    for (was, is) in before.iter().zip(&after) {
        if was != is {
            wrong.push(format!("changed: {} {} -> {}", was.0, was.1, is.1));
        }
    }
    assert!(
        wrong.is_empty(),
        "every write after the end is 409 `ended` and changes nothing; not so:\n{}",
        wrong.join("\n")
    );
}

async fn after_leaving_the_balance_and_every_comparison_are_gone_for_both(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    let r = &story.r;
    let mut wrong = Vec::new();
    for (side, _) in story.sides() {
        let mut expected = vec![(format!("{r}/balance"), 409, "ended")];
        for path in [
            "values/comparison",
            "values/comparison?round=1",
            "respect/comparison",
            "conversations/defining_love/comparison",
            "conversations/defining_love/comparison?round=1",
        ] {
            expected.push((format!("{r}/{path}"), 404, "not_found"));
        }
        for (path, status, error) in expected {
            let (got, reply) = call(&side.person, "GET", &path, &Value::Null).await;
            if (got, code(&reply)) != (status, error) {
                let shown: String = reply.to_string().chars().take(200).collect();
                wrong.push(format!(
                    "{} GET {path}: {got} {shown} (expected {status} {error})",
                    side.mark
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn by_id<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list.as_array()
        .expect("a list")
        .iter()
        .find(|e| e["id"] == id)
}

async fn after_leaving_each_reads_only_their_own_ledger_words(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    for (side, other) in story.sides() {
        let who = side.mark;
        let list = get_ok(&side.person, &format!("{}/contributions", story.r)).await;
        for (id, text) in [
            (&side.thanked, &side.thanked_text),
            (&side.waiting, &side.waiting_text),
        ] {
            let own = by_id(&list, id).unwrap_or_else(|| panic!("{who}: own entry {text}"));
            assert_eq!(own["description"].as_str(), Some(text.as_str()), "{who}");
        }
        assert!(
            !list.to_string().contains(other.mark),
            "{who} reads {}'s words: {list}",
            other.mark
        );

        // The other's entry this partner thanked: their own thanks, none of
        // the other's words.
        let (id, value, note) = &side.thanks_given;
        let thanked = by_id(&list, id).unwrap_or_else(|| panic!("{who}: the entry they thanked"));
        assert_eq!(
            (thanked["value"].as_u64(), thanked["thanks_note"].as_str()),
            (Some(*value), Some(note.as_str())),
            "{who}: their own thanks: {thanked}"
        );
        for field in ["description", "domain", "occurred_on", "effort", "minutes"] {
            assert!(
                thanked[field].is_null(),
                "{who}: {field} of the other's entry: {thanked}"
            );
        }

        // Their own entry the other thanked: the other's thanks is gone.
        let own = by_id(&list, &side.thanked).expect("own thanked entry");
        assert_eq!(
            (
                own["acknowledged"].as_bool(),
                own["value"].is_null(),
                own["thanks_note"].is_null()
            ),
            (Some(false), true, true),
            "{who}: the other's thanks on their own entry: {own}"
        );
    }
    // What Ada logged Bo did for her is all hers: words, value and note.
    let (id, text, value, note) = &story.ada_for_bo;
    let list = get_ok(&story.ada.person, &format!("{}/contributions", story.r)).await;
    let mine = by_id(&list, id).expect("Ada's entry for Bo");
    assert_eq!(
        (
            mine["description"].as_str(),
            mine["value"].as_u64(),
            mine["thanks_note"].as_str()
        ),
        (Some(text.as_str()), Some(*value), Some(note.as_str())),
        "{mine}"
    );
}

async fn after_leaving_each_reads_only_their_own_answers_and_notes(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    let r = &story.r;
    for (side, other) in story.sides() {
        let who = side.mark;
        let p = &side.person;

        let values = get_ok(p, &format!("{r}/values")).await;
        let answers = values["answers"].as_array().expect("answers");
        assert!(!answers.is_empty(), "{who}: own values answers: {values}");
        assert!(
            answers
                .iter()
                .all(|a| a["definition"].as_str().is_some_and(|d| d.starts_with(who))),
            "{who}: own definitions: {values}"
        );
        assert_eq!(values["partner_submitted"], false, "{who}: {values}");
        assert_eq!(
            values["ended"], true,
            "{who}: the status says the space ended"
        );
        assert!(
            !values.to_string().contains(other.mark),
            "{who}: values status: {values}"
        );

        let deck = get_ok(p, &format!("{r}/conversations/{DECK}")).await;
        assert_eq!(
            deck["answers"][0]["text"].as_str(),
            Some(format!("{who} answer").as_str()),
            "{who}: own conversation answer: {deck}"
        );
        assert!(!deck.to_string().contains(other.mark), "{who}: {deck}");

        let notes = get_ok(p, &format!("{r}/conversations/{DECK}/notes")).await;
        let texts: Vec<(&str, &str)> = notes
            .as_array()
            .expect("notes")
            .iter()
            .map(|n| {
                (
                    n["author"].as_str().unwrap_or(""),
                    n["text"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            texts,
            [(side.id.as_str(), format!("{who} note").as_str())],
            "{who}: only their own notes"
        );

        let areas = get_ok(p, &format!("{r}/respect/areas")).await;
        assert!(
            !areas.to_string().contains(other.mark),
            "{who}: respect areas: {areas}"
        );
        let own_area = match who {
            ADA => format!("{ADA} Music"),
            _ => format!("{BO} Hiking"),
        };
        assert!(
            areas
                .as_array()
                .expect("areas")
                .iter()
                .any(|a| a["name"] == own_area.as_str()),
            "{who}: their own area: {areas}"
        );
    }
}

async fn after_leaving_no_read_route_shows_either_the_others_words(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    let r = &story.r;
    let mut wrong = Vec::new();
    for (side, other) in story.sides() {
        let mut routes = vec!["/api/v1/me".to_owned(), r.clone()];
        for path in [
            "contributions".to_owned(),
            format!("contributions?giver={}", other.id),
            format!("contributions?giver={}", side.id),
            "contributions?awaiting=me".to_owned(),
            "contributions?domain=household_labor".to_owned(),
            "contributions/suggestions".to_owned(),
            "balance".to_owned(),
            "preferences".to_owned(),
            "values".to_owned(),
            "values/items".to_owned(),
            "values/comparison".to_owned(),
            "values/comparison?round=1".to_owned(),
            "respect".to_owned(),
            "respect/areas".to_owned(),
            "respect/comparison".to_owned(),
            "conversations".to_owned(),
            format!("conversations/{DECK}"),
            format!("conversations/{DECK}/comparison"),
            format!("conversations/{DECK}/comparison?round=1"),
            format!("conversations/{DECK}/notes"),
            format!("conversations/{DECK}/notes?round=1"),
            "written".to_owned(),
            "reflections".to_owned(),
            "reflections/prompts".to_owned(),
        ] {
            routes.push(format!("{r}/{path}"));
        }
        for path in routes {
            let response = side.person.get(&path).await;
            let status = response.status().as_u16();
            let body = response.text().await.expect("body");
            if status >= 500 {
                wrong.push(format!("{} GET {path}: {status}", side.mark));
            }
            if body.contains(other.mark) {
                let at = body.find(other.mark).unwrap_or(0);
                let start = (0..=at.saturating_sub(60))
                    .rev()
                    .find(|i| body.is_char_boundary(*i))
                    .unwrap_or(0);
                let around: String = body[start..].chars().take(120).collect();
                wrong.push(format!(
                    "{} GET {path}: {status} shows {}: …{around}…",
                    side.mark, other.mark
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "after the end, a former partner reads the other's words:\n{}",
        wrong.join("\n")
    );
}

async fn set_numbers(p: &Person, r: &str, show: bool) -> Value {
    expect(
        p,
        "PUT",
        &format!("{r}/preferences"),
        json!({ "show_numbers": show }),
        200,
    )
    .await
}

async fn figures_are_shown_to_a_giver_only_when_both_chose_to_see_them(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple {
        ada,
        ada_id,
        bo,
        bo_id,
        r,
    } = app.couple().await;
    let c = format!("{r}/contributions");

    // Ada gives; Bo says it meant 5. Every answer to Bo, the receiver, shows
    // his own rating whatever either chose.
    let windows = expect(
        &ada,
        "POST",
        &c,
        json!({"domain": "household_labor", "description": "Cleaned the windows", "effort": 3}),
        201,
    )
    .await;
    assert!(windows["value"].is_null(), "{windows}");
    let windows = windows["id"].as_str().expect("id").to_owned();
    let thanked = expect(
        &bo,
        "POST",
        &format!("{c}/{windows}/acknowledgment"),
        json!({"value": 5, "note": "Thank you"}),
        200,
    )
    .await;
    assert_eq!(thanked["value"], 5, "the receiver's own rating: {thanked}");
    // Bo logs what Ada did for him, rated at once, then corrects the words.
    let bike = expect(
        &bo,
        "POST",
        &c,
        json!({"domain": "household_labor", "description": "Fixed my bike", "effort": 2,
            "for_partner": true, "value": 5}),
        201,
    )
    .await;
    assert_eq!(
        (bike["giver_id"].as_str(), bike["value"].as_u64()),
        (Some(ada_id.as_str()), Some(5)),
        "{bike}"
    );
    let bike = bike["id"].as_str().expect("id").to_owned();
    let fixed = expect(
        &bo,
        "PATCH",
        &format!("{c}/{bike}"),
        json!({"description": "Fixed my bike, twice"}),
        200,
    )
    .await;
    assert_eq!(fixed["value"], 5, "the receiver's own rating: {fixed}");
    // And the other way round: Bo gave, Ada says it meant 2.
    let dinner = expect(
        &ada,
        "POST",
        &c,
        json!({"domain": "household_labor", "description": "Made dinner", "effort": 2,
            "for_partner": true, "value": 2, "note": "Lovely"}),
        201,
    )
    .await;
    assert_eq!(dinner["value"], 2, "{dinner}");

    // Each partner's view of every list: a rating of their own gift only
    // when both chose numbers; their own ratings and every note always.
    let views = |p_id: &str| {
        [
            String::new(),
            format!("?giver={p_id}"),
            "?domain=household_labor".to_owned(),
            "?limit=50".to_owned(),
        ]
    };
    let check = |stage: &'static str, visible: bool| {
        let (ada, bo, c, r) = (&ada, &bo, &c, &r);
        let (ada_id, bo_id) = (ada_id.clone(), bo_id.clone());
        async move {
            for (who, p, me) in [("Ada", ada, &ada_id), ("Bo", bo, &bo_id)] {
                for query in views(me) {
                    let list = get_ok(p, &format!("{c}{query}")).await;
                    for e in list.as_array().expect("list") {
                        let gave = e["giver_id"] == me.as_str();
                        let expected = match (gave, e["description"].as_str()) {
                            (true, _) if !visible => Value::Null,
                            (_, Some("Cleaned the windows" | "Fixed my bike, twice")) => json!(5),
                            (_, Some("Made dinner")) => json!(2),
                            _ => panic!("{stage}: an unexpected entry {e}"),
                        };
                        assert_eq!(
                            e["value"], expected,
                            "{stage}: {who} (gave it: {gave}) GET {c}{query}: {e}"
                        );
                        assert_eq!(e["acknowledged"], true, "{stage}: {e}");
                        if e["description"] == "Cleaned the windows" {
                            assert_eq!(
                                e["thanks_note"], "Thank you",
                                "{stage}: words of thanks always"
                            );
                        }
                    }
                }
                let balance = get_ok(p, &format!("{r}/balance")).await;
                assert_eq!(
                    (
                        balance["numbers_visible"].as_bool(),
                        balance["reciprocity_index"].is_null(),
                        balance["partners"][0]["given_value"].is_null()
                    ),
                    (Some(visible), !visible, !visible),
                    "{stage}: {who}'s balance: {balance}"
                );
            }
        }
    };

    check("nobody chose numbers", false).await;
    let mine = set_numbers(&ada, &r, true).await;
    assert_eq!(mine["numbers_visible"], false, "{mine}");
    check("only Ada chose numbers", false).await;
    let both = set_numbers(&bo, &r, true).await;
    assert_eq!(both["numbers_visible"], true, "{both}");
    check("both chose numbers", true).await;
    set_numbers(&bo, &r, false).await;
    check("Bo stepped back", false).await;
}

/// The pages after leaving: every page of the space leads to "What you
/// wrote", which shows the reader's own words and none of the other's, and
/// the forms of the old space write nothing.
async fn after_leaving_the_pages_lead_each_to_only_what_they_wrote(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    let before = story.app.count("contributions").await;
    for (side, mine, theirs) in [(&story.ada, ADA, BO), (&story.bo, BO, ADA)] {
        let p = &side.person;
        let home = common::pages::plain_html(p, "/home").await;
        assert!(home.contains("This space has ended"), "{home}");
        assert!(
            home.contains("href=\"/written\""),
            "home links to what you wrote"
        );
        for path in [
            "/ledger",
            "/ledger/history",
            "/ledger/balance",
            "/values",
            "/values/compare",
            "/respect",
            "/respect/compare",
            "/conversations",
        ] {
            let response = p.get(path).await;
            assert_eq!(
                (
                    response.status().as_u16(),
                    common::pages::location(&response)
                ),
                (303, "/written".to_owned()),
                "{path} leads a former partner to what they wrote"
            );
        }
        let written = common::pages::plain_html(p, "/written").await;
        assert!(written.contains("What you wrote"));
        assert!(written.contains("This space has ended"));
        for own in [&side.thanked_text, &side.waiting_text, &side.thanks_given.2] {
            assert!(
                written.contains(own.as_str()),
                "{mine}: {own} is on the page"
            );
        }
        assert!(
            written.contains(&format!("{mine}-")),
            "own values definitions"
        );
        assert!(
            !written.contains(theirs),
            "nothing of {theirs} on {mine}'s page"
        );
        assert!(
            !written.contains("action=\"/ledger") && !written.contains("action=\"/values"),
            "read-only"
        );
        let log = p
            .post_form(
                "/ledger/log",
                &[
                    ("who", "me"),
                    ("description", "after the end"),
                    ("domain", "household_labor"),
                    ("effort", "2"),
                ],
            )
            .await;
        assert_eq!(common::pages::location(&log), "/written");
    }
    assert_eq!(story.app.count("contributions").await, before);
}

/// Agreements after the end (D4): each former partner lists only the
/// agreements they wrote a version of, reads only their own versions and
/// moves (never a word the other wrote: terms, title or a decline reason),
/// and every move answers 409 `ended`.
async fn after_leaving_each_reads_only_their_own_agreement_words(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let common::Couple { ada, bo, r, .. } = app.couple().await;
    let a = format!("{r}/agreements");
    let id = |v: Value| v["id"].as_str().expect("id").to_owned();
    let propose = |mark: &str, what: &str| {
        json!({"domain": "household_labor", "title": format!("{mark} {what} title"),
            "terms": format!("{mark} {what} terms")})
    };
    // Both wrote a version of `shared`; only Bo of `bos` (Ada declined it,
    // with a reason); only Ada of `adas`.
    let shared = id(expect(&ada, "POST", &a, propose(ADA, "shared"), 201).await);
    expect(
        &bo,
        "POST",
        &format!("{a}/{shared}/counter"),
        json!({"title": format!("{BO} counter title"), "terms": format!("{BO} counter terms")}),
        200,
    )
    .await;
    expect(
        &ada,
        "POST",
        &format!("{a}/{shared}/accept"),
        json!({"version": 2}),
        200,
    )
    .await;
    let bos = id(expect(&bo, "POST", &a, propose(BO, "own"), 201).await);
    expect(
        &ada,
        "POST",
        &format!("{a}/{bos}/decline"),
        json!({"version": 1, "reason": format!("{ADA} reason")}),
        200,
    )
    .await;
    let adas = id(expect(&ada, "POST", &a, propose(ADA, "own"), 201).await);
    expect(&bo, "POST", &format!("{r}/leave"), json!({}), 200).await;

    let mut wrong = Vec::new();
    for (me, mark, other, mine, theirs) in
        [(&ada, ADA, BO, &adas, &bos), (&bo, BO, ADA, &bos, &adas)]
    {
        let listed = get_ok(me, &a).await;
        let mut ids: Vec<&str> = listed
            .as_array()
            .expect("list")
            .iter()
            .map(|s| s["id"].as_str().expect("id"))
            .collect();
        ids.sort_unstable();
        let mut expected = vec![shared.as_str(), mine.as_str()];
        expected.sort_unstable();
        if ids != expected {
            wrong.push(format!("{mark} lists {ids:?}, not {expected:?}"));
        }
        if listed.to_string().contains(other) {
            wrong.push(format!("{mark}'s list shows the other's words: {listed}"));
        }
        for aid in [&shared, mine] {
            let thread = get_ok(me, &format!("{a}/{aid}")).await;
            let text = thread.to_string();
            if text.contains(other) || !text.contains(mark) {
                wrong.push(format!("{mark} reads {aid}: {text}"));
            }
            if thread["status"] != "ended" {
                wrong.push(format!("{mark} reads {aid} as {}", thread["status"]));
            }
        }
        let (status, _) = call(me, "GET", &format!("{a}/{theirs}"), &Value::Null).await;
        if status != 404 {
            wrong.push(format!("{mark} opens the other's own agreement: {status}"));
        }
        let s = format!("{a}/{shared}");
        for (method, path, body) in [
            ("POST", a.clone(), propose(LATE, "late")),
            ("POST", format!("{s}/counter"), json!({"terms": LATE})),
            ("POST", format!("{s}/revise"), json!({"terms": LATE})),
            ("POST", format!("{s}/accept"), json!({"version": 2})),
            (
                "POST",
                format!("{s}/decline"),
                json!({"version": 2, "reason": LATE}),
            ),
            ("POST", format!("{s}/withdraw"), json!({})),
            ("POST", format!("{s}/confirm"), json!({})),
            ("POST", format!("{s}/retire"), json!({"reason": LATE})),
        ] {
            let (status, reply) = call(me, method, &path, &body).await;
            if (status, code(&reply)) != (409, "ended") {
                wrong.push(format!("{mark} {method} {path}: {status} {reply}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "after the end each reads only their own agreement words, and moves are \
         409 `ended`; not so:\n{}",
        wrong.join("\n")
    );
}

on_both_engines!(
    after_leaving_the_pages_lead_each_to_only_what_they_wrote,
    after_leaving_each_reads_only_their_own_agreement_words,
    after_leaving_the_space_reads_as_ended_and_takes_no_writes_from_either,
    after_leaving_the_balance_and_every_comparison_are_gone_for_both,
    after_leaving_each_reads_only_their_own_ledger_words,
    after_leaving_each_reads_only_their_own_answers_and_notes,
    after_leaving_no_read_route_shows_either_the_others_words,
    figures_are_shown_to_a_giver_only_when_both_chose_to_see_them,
);
