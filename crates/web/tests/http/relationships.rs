//! Relationships over real HTTP, on both engines: create, join, read, leave.

use crate::common::{error_of, DbEngine, TestApp};
use serde_json::{json, Value};

async fn two_people_become_a_couple_and_either_can_end_it(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, ada_id) = app.signed_in("ada@example.org", "Ada").await;
    let (bo, bo_id) = app.signed_in("bo@example.org", "Bo").await;

    let created = ada.post_json("/api/v1/relationships", &json!({})).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("json");
    assert_eq!(created["status"], "pending");
    let code = created["invite_code"].as_str().expect("code").to_owned();
    let rel = created["id"].as_str().expect("id").to_owned();
    assert!(created["invite_link"]
        .as_str()
        .expect("link")
        .ends_with(&format!("/j/{code}")));
    assert_eq!(
        app.count(&format!("relationship_invites WHERE code_hash = '{code}'"))
            .await,
        0,
        "stored hashed"
    );

    // Codes may be typed in capitals and with spaces instead of dashes.
    let typed = code.to_uppercase().replace('-', " ");
    let joined = bo
        .post_json("/api/v1/relationships/join", &json!({"invite_code": typed}))
        .await;
    assert_eq!(joined.status(), 200);
    assert_eq!(
        joined.json::<Value>().await.expect("json"),
        json!({"id": rel, "status": "active"})
    );

    for person in [&ada, &bo] {
        let me: Value = person.get("/api/v1/me").await.json().await.expect("json");
        assert_eq!(
            me["relationships"],
            json!([{"id": rel, "role": "partner", "status": "active"}])
        );
        let seen: Value = person
            .get(&format!("/api/v1/relationships/{rel}"))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(seen["status"], "active");
        let members: Vec<(&str, &str)> = seen["members"]
            .as_array()
            .expect("members")
            .iter()
            .map(|m| {
                (
                    m["account_id"].as_str().expect("id"),
                    m["display_name"].as_str().expect("name"),
                )
            })
            .collect();
        assert_eq!(members, [(ada_id.as_str(), "Ada"), (bo_id.as_str(), "Bo")]);
    }

    // Bo leaves; nobody had to agree, and both now see it ended.
    let left = bo
        .post_json(&format!("/api/v1/relationships/{rel}/leave"), &json!({}))
        .await;
    assert_eq!(left.status(), 200);
    assert_eq!(
        left.json::<Value>().await.expect("json"),
        json!({"status": "ended"})
    );
    let seen: Value = ada
        .get(&format!("/api/v1/relationships/{rel}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(seen["status"], "ended");
    // Leaving twice is harmless.
    let again = bo
        .post_json(&format!("/api/v1/relationships/{rel}/leave"), &json!({}))
        .await;
    assert_eq!(again.status(), 200);

    // After an ending, each can start afresh.
    assert_eq!(
        ada.post_json("/api/v1/relationships", &json!({}))
            .await
            .status(),
        201
    );
}

async fn strangers_cannot_see_or_leave_a_relationship(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    let (eve, _) = app.signed_in("eve@example.org", "Eve").await;
    let created = ada.create_relationship().await;
    let rel = created["id"].as_str().expect("id");

    let peek = eve.get(&format!("/api/v1/relationships/{rel}")).await;
    assert_eq!(
        peek.status(),
        404,
        "404, not 403: existence is not disclosed"
    );
    let nothing = eve
        .get(&format!("/api/v1/relationships/{}", uuid_like()))
        .await;
    assert_eq!(nothing.status(), 404);
    assert_eq!(
        eve.get("/api/v1/relationships/not-a-uuid").await.status(),
        404
    );
    let leave = eve
        .post_json(&format!("/api/v1/relationships/{rel}/leave"), &json!({}))
        .await;
    assert_eq!(leave.status(), 404);
    let renew = eve
        .post_json(&format!("/api/v1/relationships/{rel}/invite"), &json!({}))
        .await;
    assert_eq!(renew.status(), 404);
    assert_eq!(
        app.person()
            .get(&format!("/api/v1/relationships/{rel}"))
            .await
            .status(),
        401
    );

    let seen: Value = ada
        .get(&format!("/api/v1/relationships/{rel}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        seen["status"], "pending",
        "the stranger's attempts changed nothing"
    );
}

fn uuid_like() -> &'static str {
    "00000000-0000-4000-8000-000000000000"
}

async fn invitation_codes_work_once_and_never_for_their_creator(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    let (bo, _) = app.signed_in("bo@example.org", "Bo").await;
    let (cy, _) = app.signed_in("cy@example.org", "Cy").await;
    let created = ada.create_relationship().await;
    let code = created["invite_code"].as_str().expect("code");

    let own = ada
        .post_json("/api/v1/relationships/join", &json!({"invite_code": code}))
        .await;
    assert_eq!(own.status(), 409);
    assert_eq!(
        error_of(own).await,
        ("already_in_relationship".into(), Some("invite_code".into()))
    );

    assert_eq!(
        bo.post_json("/api/v1/relationships/join", &json!({"invite_code": code}))
            .await
            .status(),
        200
    );
    let reused = cy
        .post_json("/api/v1/relationships/join", &json!({"invite_code": code}))
        .await;
    assert_eq!(reused.status(), 422);
    assert_eq!(
        error_of(reused).await,
        ("invite_invalid".into(), Some("invite_code".into()))
    );
    assert_eq!(
        app.count("relationship_members").await,
        2,
        "the refused join added nobody"
    );

    let bad_inputs = [
        (json!({"invite_code": ""}), 422, "required"),
        (
            json!({"invite_code": "x".repeat(500)}),
            422,
            "invite_invalid",
        ),
        (json!({"invite_code": 7}), 400, "invalid_type"),
        (json!({}), 400, "missing_field"),
        (
            json!({"invite_code": "abcd", "role": "owner"}),
            400,
            "unknown_field",
        ),
    ];
    for (body, status, code) in bad_inputs {
        let response = cy.post_json("/api/v1/relationships/join", &body).await;
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(error_of(response).await.0, code, "{body}");
    }
    assert_eq!(app.count("relationship_members").await, 2);
}

async fn an_expired_invitation_is_refused_and_a_renewed_one_works(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    let (bo, _) = app.signed_in("bo@example.org", "Bo").await;
    let created = ada.create_relationship().await;
    let rel = created["id"].as_str().expect("id");
    let code = created["invite_code"].as_str().expect("code");
    // Seven days pass.
    assert_eq!(
        app.sql("UPDATE relationship_invites SET expires_at = 0")
            .await,
        1
    );

    let late = bo
        .post_json("/api/v1/relationships/join", &json!({"invite_code": code}))
        .await;
    assert_eq!(late.status(), 422);
    assert_eq!(
        error_of(late).await,
        ("invite_invalid".into(), Some("invite_code".into()))
    );

    let renewed = ada
        .post_json(&format!("/api/v1/relationships/{rel}/invite"), &json!({}))
        .await;
    assert_eq!(renewed.status(), 201);
    let renewed: Value = renewed.json().await.expect("json");
    let fresh = renewed["invite_code"].as_str().expect("code");
    assert_ne!(fresh, code);
    let joined = bo
        .post_json("/api/v1/relationships/join", &json!({"invite_code": fresh}))
        .await;
    assert_eq!(joined.status(), 200);
    // An active relationship has no invitation to renew.
    let too_late = ada
        .post_json(&format!("/api/v1/relationships/{rel}/invite"), &json!({}))
        .await;
    assert_eq!(too_late.status(), 409);
}

async fn one_open_relationship_at_a_time(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    let (bo, _) = app.signed_in("bo@example.org", "Bo").await;
    assert_eq!(
        ada.post_json("/api/v1/relationships", &json!({}))
            .await
            .status(),
        201
    );
    let second = ada.post_json("/api/v1/relationships", &json!({})).await;
    assert_eq!(second.status(), 409);
    assert_eq!(error_of(second).await.0, "already_in_relationship");
    assert_eq!(app.count("relationships").await, 1);

    let bo_rel: Value = bo
        .post_json("/api/v1/relationships", &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let join_other = ada
        .post_json(
            "/api/v1/relationships/join",
            &json!({"invite_code": bo_rel["invite_code"]}),
        )
        .await;
    assert_eq!(join_other.status(), 409);
    assert_eq!(app.count("relationship_members").await, 2);
    let unknown = ada
        .post_json("/api/v1/relationships", &json!({"name": "us"}))
        .await;
    assert_eq!(unknown.status(), 400);
}

/// The invitation link a new space gets when its request claims another host.
async fn link_under_forged_host(app: &TestApp) -> String {
    let (ada, _) = app.signed_in("ada@example.org", "Ada").await;
    let created: Value = ada
        .client
        .post(ada.url("/api/v1/relationships"))
        .header("host", "evil.example")
        .json(&json!({}))
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("json");
    created["invite_link"].as_str().expect("link").to_owned()
}

/// Invitation links come from `--public-url` alone: a request's forged
/// `Host` cannot make the server hand out a link to another site.
async fn invitation_links_never_follow_the_host_header(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let link = link_under_forged_host(&app).await;
    assert!(
        link.starts_with("/j/"),
        "relative without --public-url: {link}"
    );

    let mut config = crate::common::relaxed();
    config.public_url = Some("https://notes.example.org/".into());
    let Some(app) = TestApp::spawn_with(engine, config).await else {
        return;
    };
    let link = link_under_forged_host(&app).await;
    assert!(link.starts_with("https://notes.example.org/j/"), "{link}");
}

on_both_engines!(
    invitation_links_never_follow_the_host_header,
    two_people_become_a_couple_and_either_can_end_it,
    strangers_cannot_see_or_leave_a_relationship,
    invitation_codes_work_once_and_never_for_their_creator,
    an_expired_invitation_is_refused_and_a_renewed_one_works,
    one_open_relationship_at_a_time,
);
