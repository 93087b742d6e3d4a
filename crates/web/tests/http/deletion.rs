//! Deleting an account (`DELETE /api/v1/me`, `POST /account/delete`;
//! SECURITY.md R28(d), R29, R38), on a real server over HTTP, on both
//! engines: Ada's words and credentials go, her e-mail is free again, Bo
//! keeps his own words and finds the space ended; a wrong password, a token
//! and a racing second request change nothing; and nothing of Ada's is left
//! readable in the database files or a backup.

use serde_json::{json, Value};

use crate::common::{self, error_of, DbEngine, Person, TestApp};

const PASSWORD: &str = "a long password";
const ADA: &str = "ADA-DEL-MARK";
const BO: &str = "BO-DEL-MARK";
const DECK: &str = "defining_love";

/// A response's status and JSON body (null when there is none, as for a 204).
async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn expect(p: &Person, method: &str, path: &str, body: Value, status: u16) -> Value {
    let response = match method {
        "GET" => p.get(path).await,
        "POST" => p.post_json(path, &body).await,
        "PUT" => p.put_json(path, &body).await,
        other => panic!("no such method {other}"),
    };
    let (got, reply) = answer(response).await;
    assert_eq!(got, status, "{method} {path} {body}: {reply}");
    reply
}

/// Logs a contribution; returns its id.
async fn logged(contributions: &str, p: &Person, body: Value) -> String {
    expect(p, "POST", contributions, body, 201).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn delete_me(p: &Person, body: &Value) -> reqwest::Response {
    p.client
        .delete(p.url("/api/v1/me"))
        .json(body)
        .send()
        .await
        .expect("DELETE /api/v1/me")
}

/// Ada and Bo, a couple whose every personal field carries their marker:
/// entries both logged, thanks both ways, a revealed values round and a
/// second one with drafts, a revealed conversation with notes, respect
/// areas, the numbers choice; and a token of Ada's.
struct Story {
    app: TestApp,
    ada: Person,
    ada_id: String,
    ada_email: String,
    ada_token: String,
    bo: Person,
    bo_id: String,
    r: String,
    /// Entries Bo logged, by their descriptions.
    bo_entries: Vec<(String, String)>,
    /// Ada's agreement Bo countered (and Ada declined his version).
    agreement: String,
}

impl Story {
    async fn told(engine: DbEngine) -> Option<Self> {
        let app = TestApp::spawn(engine).await?;
        // The e-mail is a marker too, unique to this run.
        let ada_email = format!("ada-{}@example.org", uuid::Uuid::new_v4().simple());
        let (ada, ada_id) = app.signed_in(&ada_email, "Ada").await;
        let (bo, bo_id) = app.signed_in("bo@example.org", "Bo").await;
        let created = ada.create_relationship().await;
        expect(
            &bo,
            "POST",
            "/api/v1/relationships/join",
            json!({"invite_code": created["invite_code"]}),
            200,
        )
        .await;
        let r = format!(
            "/api/v1/relationships/{}",
            created["id"].as_str().expect("id")
        );
        let c = format!("{r}/contributions");
        let ada_gift = logged(
            &c,
            &ada,
            json!({"domain": "household_labor", "description": format!("{ADA} dishes"), "effort": 3}),
        )
        .await;
        let ada_for_bo = logged(
            &c,
            &ada,
            json!({"domain": "planning", "description": format!("{ADA} you booked it"),
                "effort": 2, "for_partner": true, "value": 5, "note": format!("{ADA} lovely")}),
        )
        .await;
        let bo_gift_text = format!("{BO} laundry");
        let bo_gift = logged(
            &c,
            &bo,
            json!({"domain": "household_labor", "description": bo_gift_text, "effort": 3}),
        )
        .await;
        let bo_for_ada_text = format!("{BO} she cooked");
        let bo_for_ada = logged(
            &c,
            &bo,
            json!({"domain": "household_labor", "description": bo_for_ada_text, "effort": 4,
                "for_partner": true, "value": 4, "note": format!("{BO} yum")}),
        )
        .await;
        // Thanks both ways.
        expect(
            &ada,
            "POST",
            &format!("{c}/{bo_gift}/acknowledgment"),
            json!({"value": 5, "note": format!("{ADA} thank you")}),
            200,
        )
        .await;
        expect(
            &bo,
            "POST",
            &format!("{c}/{ada_gift}/acknowledgment"),
            json!({"value": 3, "note": format!("{BO} thanks")}),
            200,
        )
        .await;
        let _ = ada_for_bo;

        // Values: round 1 revealed, round 2 with a draft from each.
        let items = expect(&ada, "GET", &format!("{r}/values/items"), Value::Null, 200).await;
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
        expect(
            &ada,
            "GET",
            &format!("{r}/values/comparison"),
            Value::Null,
            200,
        )
        .await;
        // A new round starts when both ask (the second ask agrees).
        expect(&ada, "POST", &format!("{r}/values/rounds"), json!({}), 202).await;
        expect(&bo, "POST", &format!("{r}/values/rounds"), json!({}), 201).await;
        for (p, mark) in [(&ada, ADA), (&bo, BO)] {
            expect(
                p,
                "PUT",
                &format!("{r}/values/answers"),
                json!({"answers": [{"item": keys[0], "importance": 2,
                    "definition": format!("{mark} draft")}]}),
                200,
            )
            .await;
        }

        // A conversation, revealed, with a note from each.
        let deck = format!("{r}/conversations/{DECK}");
        let prompt = expect(&ada, "GET", &deck, Value::Null, 200).await["prompts"][0]["key"]
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

        // A private reflection each.
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

        // Agreements: Ada proposes, Bo counters, Ada declines his version
        // with a reason; a second one both accept, and Ada links Bo's entry.
        let a = format!("{r}/agreements");
        let agreement = expect(
            &ada,
            "POST",
            &a,
            json!({"domain": "household_labor", "title": format!("{ADA} chores"),
                "terms": format!("{ADA} terms")}),
            201,
        )
        .await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        expect(
            &bo,
            "POST",
            &format!("{a}/{agreement}/counter"),
            json!({"title": format!("{BO} chores"), "terms": format!("{BO} terms")}),
            200,
        )
        .await;
        expect(
            &ada,
            "POST",
            &format!("{a}/{agreement}/decline"),
            json!({"version": 2, "reason": format!("{ADA} reason")}),
            200,
        )
        .await;
        let agreed = expect(
            &ada,
            "POST",
            &a,
            json!({"domain": "household_labor", "title": format!("{ADA} laundry"),
                "terms": format!("{ADA} laundry terms")}),
            201,
        )
        .await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        expect(
            &bo,
            "POST",
            &format!("{a}/{agreed}/accept"),
            json!({"version": 1}),
            200,
        )
        .await;
        expect(
            &ada,
            "POST",
            &format!("{a}/{agreed}/contributions"),
            json!({ "contribution_id": bo_gift }),
            200,
        )
        .await;

        // Respect areas and the numbers choice.
        for (p, name) in [(&ada, format!("{ADA} Music")), (&bo, format!("{BO} Hike"))] {
            expect(
                p,
                "POST",
                &format!("{r}/respect/areas"),
                json!({ "name": name }),
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

        let minted = expect(
            &ada,
            "POST",
            "/api/v1/tokens",
            json!({"name": format!("{ADA} script"), "password": PASSWORD}),
            201,
        )
        .await;
        // Two-factor: Ada turns two-step sign-in on (a sealed secret and
        // ten recovery codes' hashes, credentials that go with her).
        let started = expect(
            &ada,
            "POST",
            "/api/v1/me/two-factor",
            json!({"password": PASSWORD}),
            201,
        )
        .await;
        let secret = domain::totp::Secret::from_base32(started["secret"].as_str().expect("secret"))
            .expect("base32");
        let code = domain::totp::code_at(&secret, chrono::Utc::now().timestamp());
        expect(
            &ada,
            "POST",
            "/api/v1/me/two-factor/confirm",
            json!({"code": code}),
            200,
        )
        .await;
        Some(Self {
            app,
            ada,
            ada_id,
            ada_email,
            ada_token: minted["token"].as_str().expect("token").to_owned(),
            bo,
            bo_id,
            r,
            bo_entries: vec![(bo_gift, bo_gift_text), (bo_for_ada, bo_for_ada_text)],
            agreement,
        })
    }

    /// A GET with Ada's token.
    async fn with_token(&self, path: &str) -> u16 {
        self.ada
            .client
            .get(self.ada.url(path))
            .bearer_auth(&self.ada_token)
            .send()
            .await
            .expect("GET")
            .status()
            .as_u16()
    }

    /// Rows naming her account in every table that can hold her words or
    /// credentials (her words are sealed, so they are found by whose they
    /// are; the byte scans of the database files look for the words), and
    /// the respect area named with her marker (area names are stored clear).
    async fn ada_rows(&self) -> Vec<(String, i64)> {
        let id = &self.ada_id;
        let mut counts = Vec::new();
        for table in [
            format!("contributions WHERE logged_by = '{id}'"),
            format!("contributions WHERE receiver_id = '{id}' AND value IS NOT NULL"),
            format!("sealed_sides WHERE account_id = '{id}' AND answers IS NOT NULL"),
            format!("conversation_notes WHERE author_id = '{id}'"),
            format!("reflections WHERE author_id = '{id}'"),
            format!("agreement_versions WHERE author_id = '{id}'"),
            format!("agreement_events WHERE actor_id = '{id}' AND reason IS NOT NULL"),
            format!("agreement_links WHERE linked_by = '{id}'"),
            format!("respect_areas WHERE name LIKE '%{ADA}%'"),
            format!("ledger_preferences WHERE account_id = '{id}'"),
            format!("sessions WHERE account_id = '{id}'"),
            format!("api_tokens WHERE account_id = '{id}'"),
            format!("security_events WHERE account_id = '{id}'"),
            format!("accounts WHERE email = '{}'", self.ada_email),
            // Two-factor
            format!("two_factor WHERE account_id = '{id}'"),
            format!("two_factor_recovery_codes WHERE account_id = '{id}'"),
        ] {
            let n = self.app.count(&table).await;
            counts.push((table, n));
        }
        counts
    }

    /// Everything of this story that a refused deletion must leave as it was.
    async fn fingerprint(&self) -> Vec<(String, i64)> {
        let mut counts = self.ada_rows().await;
        for table in [
            "contributions",
            "sealed_sides WHERE answers IS NOT NULL",
            "conversation_notes",
            "reflections",
            "respect_areas",
            "relationships WHERE status = 'active'",
        ] {
            counts.push((table.to_owned(), self.app.count(table).await));
        }
        counts
    }
}

async fn deleting_removes_her_words_and_credentials_and_leaves_bo_his_own(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    assert!(
        story.ada_rows().await.iter().all(|(_, n)| *n > 0),
        "the story wrote everywhere: {:?}",
        story.ada_rows().await
    );
    let response = delete_me(&story.ada, &json!({"password": PASSWORD})).await;
    assert_eq!(response.status(), 204);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.starts_with("session=;") && cookie.contains("Max-Age=0"),
        "the session cookie is cleared: {cookie}"
    );
    assert_eq!(
        response
            .headers()
            .get("clear-site-data")
            .and_then(|v| v.to_str().ok()),
        Some("\"cache\", \"storage\"")
    );

    // Nothing of Ada's is left, nothing names her account but the tombstone.
    let left: Vec<_> = story
        .ada_rows()
        .await
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .collect();
    assert!(left.is_empty(), "Ada's rows left: {left:?}");
    assert_eq!(
        story
            .app
            .count(&format!(
                "accounts WHERE id = '{}' AND display_name = 'Former member' \
                 AND password_hash = '' AND recovery_hash IS NULL AND email = 'deleted:{}'",
                story.ada_id, story.ada_id
            ))
            .await,
        1,
        "the tombstone"
    );

    // Her session (the cookie the client may still send) and her token no
    // longer open anything, and her e-mail no longer signs in.
    let stale = story.app.person();
    assert_eq!(story.ada.get("/api/v1/me").await.status(), 401);
    assert_eq!(story.with_token("/api/v1/me").await, 401);
    let sign_in = stale
        .post_json(
            "/api/v1/session",
            &json!({"email": story.ada_email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(sign_in.status(), 401);
    assert_eq!(error_of(sign_in).await.0, "invalid_credentials");

    // The address can make a new account, which starts empty.
    let again = stale
        .post_json(
            "/api/v1/accounts",
            &json!({"email": story.ada_email, "password": PASSWORD, "display_name": "Ada"}),
        )
        .await;
    assert_eq!(again.status(), 201);
    let new_id = again.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_ne!(new_id, story.ada_id);
    let signed = stale
        .post_json(
            "/api/v1/session",
            &json!({"email": story.ada_email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed.status(), 200);
    let me = expect(&stale, "GET", "/api/v1/me", Value::Null, 200).await;
    assert_eq!(me["relationships"], json!([]), "{me}");

    // Bo: the space reads as ended, Ada as "Former member".
    let r = &story.r;
    // His agreement reads with his version only, none of her words; her
    // moves stay in its history as ids.
    let thread = expect(
        &story.bo,
        "GET",
        &format!("{r}/agreements/{}", story.agreement),
        Value::Null,
        200,
    )
    .await;
    assert!(!thread.to_string().contains(ADA), "{thread}");
    assert!(
        thread.to_string().contains(&format!("{BO} terms")),
        "{thread}"
    );
    let listed = expect(
        &story.bo,
        "GET",
        &format!("{r}/agreements"),
        Value::Null,
        200,
    )
    .await;
    assert!(!listed.to_string().contains(ADA), "{listed}");
    let rel = expect(&story.bo, "GET", r, Value::Null, 200).await;
    assert_eq!(rel["status"], "ended", "{rel}");
    let names: Vec<&str> = rel["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["display_name"].as_str().unwrap_or(""))
        .collect();
    assert!(names.contains(&"Former member"), "{rel}");
    let me = expect(&story.bo, "GET", "/api/v1/me", Value::Null, 200).await;
    assert_eq!(me["relationships"][0]["status"], "ended", "{me}");

    // Bo still reads the entries he logged, his answers and his notes.
    let list = expect(
        &story.bo,
        "GET",
        &format!("{r}/contributions"),
        Value::Null,
        200,
    )
    .await;
    for (id, text) in &story.bo_entries {
        let entry = list
            .as_array()
            .expect("list")
            .iter()
            .find(|e| e["id"] == id.as_str())
            .unwrap_or_else(|| panic!("Bo's entry {text}: {list}"));
        assert_eq!(entry["description"].as_str(), Some(text.as_str()));
    }
    let values = expect(&story.bo, "GET", &format!("{r}/values"), Value::Null, 200).await;
    assert!(values.to_string().contains(BO), "Bo's answers: {values}");
    let notes = expect(
        &story.bo,
        "GET",
        &format!("{r}/conversations/{DECK}/notes"),
        Value::Null,
        200,
    )
    .await;
    assert_eq!(
        notes.as_array().expect("notes").len(),
        1,
        "Bo's own note: {notes}"
    );
    assert_eq!(notes[0]["text"], format!("{BO} note"));
    assert_eq!(notes[0]["author"], story.bo_id.as_str());

    // And none of Ada's words anywhere he can read.
    let mut seen = Vec::new();
    for path in [
        "/api/v1/me".to_owned(),
        r.clone(),
        format!("{r}/written"),
        format!("{r}/contributions"),
        format!("{r}/contributions/suggestions"),
        format!("{r}/preferences"),
        format!("{r}/values"),
        format!("{r}/values/comparison?round=1"),
        format!("{r}/respect"),
        format!("{r}/respect/areas"),
        format!("{r}/conversations"),
        format!("{r}/conversations/{DECK}"),
        format!("{r}/conversations/{DECK}/notes"),
        "/home".to_owned(),
        "/written".to_owned(),
        "/ledger/history".to_owned(),
        "/values".to_owned(),
        "/respect".to_owned(),
        format!("/conversations/{DECK}"),
    ] {
        let text = story.bo.get(&path).await.text().await.expect("text");
        assert!(
            !text.contains(ADA) && !text.contains(&story.ada_email),
            "{path} shows Bo Ada's words: {text}"
        );
        seen.push(text);
    }
    assert!(
        seen.iter().any(|t| t.contains(BO)),
        "Bo's own words were read"
    );
}

async fn a_wrong_or_missing_password_deletes_nothing(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    let before = story.fingerprint().await;
    let wrong = delete_me(&story.ada, &json!({"password": "not the password"})).await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        error_of(wrong).await,
        ("wrong_password".to_owned(), Some("password".to_owned()))
    );
    let missing = delete_me(&story.ada, &json!({})).await;
    assert_eq!(missing.status(), 400);
    assert_eq!(error_of(missing).await.1.as_deref(), Some("password"));
    // The password as anything but JSON is refused like any other write.
    let as_text = story
        .ada
        .client
        .delete(story.ada.url("/api/v1/me"))
        .header("content-type", "text/plain")
        .body(json!({"password": PASSWORD}).to_string())
        .send()
        .await
        .expect("DELETE");
    assert_eq!(as_text.status(), 415);
    assert_eq!(story.fingerprint().await, before);
    expect(&story.ada, "GET", "/api/v1/me", Value::Null, 200).await;
}

async fn a_token_cannot_delete_its_account(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    let before = story.fingerprint().await;
    // A script's client: the token, and no cookie.
    let bare = reqwest::Client::new()
        .delete(story.ada.url("/api/v1/me"))
        .bearer_auth(&story.ada_token)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(bare.status(), 403);
    let (code, _) = error_of(bare).await;
    assert_eq!(code, "session_required");
    assert_eq!(story.fingerprint().await, before);
    assert_eq!(story.with_token("/api/v1/me").await, 200);
}

async fn two_deletions_at_once_delete_once_and_never_fail(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    let body = json!({"password": PASSWORD});
    let (first, second) = tokio::join!(delete_me(&story.ada, &body), delete_me(&story.ada, &body));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 204, "{statuses:?}");
    assert!(
        [401, 409].contains(&statuses[1]),
        "the second is told the session is gone or the account changed: {statuses:?}"
    );
    let left: Vec<_> = story
        .ada_rows()
        .await
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .collect();
    assert!(left.is_empty(), "Ada's rows left: {left:?}");
    assert_eq!(
        story
            .app
            .count("accounts WHERE display_name = 'Former member'")
            .await,
        1
    );
    assert_eq!(
        story
            .app
            .count("relationships WHERE status <> 'ended'")
            .await,
        0
    );
}

/// The page: a wrong password shows the form again with the error by the
/// field; the right one signs out and says the account is gone.
async fn the_account_page_deletes_with_the_password(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    let page = ada.get("/account").await.text().await.expect("page");
    assert!(page.contains("Delete my account"), "{page}");
    assert!(page.contains("href=\"/account#export\""), "{page}");
    let wrong = ada
        .post_form("/account/delete", &[("password", "not the password")])
        .await;
    assert_eq!(wrong.status(), 403);
    let text = wrong.text().await.expect("page");
    assert!(
        text.contains("id=\"delete_password-error\""),
        "the error by the field: {text}"
    );
    assert_eq!(app.count("accounts WHERE password_hash = ''").await, 0);

    let done = ada
        .post_form("/account/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(done.status(), 200);
    let cleared = done
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("session=;") && c.contains("Max-Age=0"));
    assert!(cleared, "the session cookie is cleared");
    assert!(done.headers().contains_key("clear-site-data"));
    let text = done.text().await.expect("page");
    assert!(text.contains("Your account has been deleted"), "{text}");
    assert!(
        text.contains("href=\"/\""),
        "a way to the start page: {text}"
    );
    let home = ada.get("/home").await;
    assert_eq!(home.status(), 303);
    assert!(home
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|l| l.starts_with("/signin")));
    let sign_in = app
        .person()
        .post_form(
            "/signin",
            &[("email", "ada@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_ne!(sign_in.status(), 303, "signing in fails");
}

/// R38 at rest: after the deletion, none of Ada's markers (her e-mail, her
/// words) is in the SQLite file or its WAL, byte for byte, nor in a backup
/// made by `reciprocity backup`'s own code (on PostgreSQL: the backup, the
/// data files being the database server's). Bo's words are, which shows
/// the search can find what is there.
async fn nothing_of_hers_is_left_in_the_database_files_or_a_backup(engine: DbEngine) {
    let Some(story) = Story::told(engine).await else {
        return;
    };
    let response = delete_me(&story.ada, &json!({"password": PASSWORD})).await;
    assert_eq!(response.status(), 204);
    // Bo goes on reading, as he would.
    expect(&story.bo, "GET", &story.r, Value::Null, 200).await;
    let dir = tempfile::tempdir().expect("dir");
    let backup = dir.path().join("after-deletion.backup");
    store::backup::backup(&story.app.db.url, &backup)
        .await
        .expect("backup");
    let mut paths = vec![backup.display().to_string()];
    if let Some(file) = story.app.db.url.strip_prefix("sqlite://") {
        paths.extend([file.to_owned(), format!("{file}-wal")]);
    }
    let contains =
        |bytes: &[u8], marker: &str| bytes.windows(marker.len()).any(|w| w == marker.as_bytes());
    let ada_markers = [story.ada_email.as_str(), ADA];
    let mut found = Vec::new();
    let mut bo_seen = false;
    for path in &paths {
        let bytes = std::fs::read(path).unwrap_or_default();
        for marker in ada_markers {
            if contains(&bytes, marker) {
                found.push(format!("{marker} in {path}"));
            }
        }
        bo_seen |= contains(&bytes, BO);
    }
    println!(
        "{}",
        json!({"harness": "deletion_at_rest", "engine": common_engine(engine),
            "files": paths.len(), "hits": found.len()})
    );
    assert!(bo_seen, "Bo's words are found in {paths:?}");
    assert!(found.is_empty(), "Ada's data readable at rest: {found:?}");
}

fn common_engine(engine: DbEngine) -> &'static str {
    match engine {
        common::DbEngine::Sqlite => "sqlite",
        common::DbEngine::Postgres => "postgres",
    }
}

on_both_engines!(
    deleting_removes_her_words_and_credentials_and_leaves_bo_his_own,
    a_wrong_or_missing_password_deletes_nothing,
    a_token_cannot_delete_its_account,
    two_deletions_at_once_delete_once_and_never_fail,
    the_account_page_deletes_with_the_password,
    nothing_of_hers_is_left_in_the_database_files_or_a_backup,
);
