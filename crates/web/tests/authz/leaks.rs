//! H2: the canary leak scanner.
//!
//! A scripted session of both partners plants a marker in every personal
//! text field (values definitions of love, respect and the rest,
//! conversation answers and notes, ledger descriptions and thanks, drafts
//! never sent, a token name, agreement titles, terms and reasons, episode
//! titles and repairs, shared or kept private, and each partner's private
//! note to their counselor, D7), alongside Ada's earlier relationship with
//! Cy. The couple's counselor (both approved every category) reads its
//! report and notes; then Ada revokes it, and it browses again.
//! Every counselor account browses everything too.
//! Then everyone browses every API read and every page, before and after Bo
//! leaves, and each party's received headers and bodies, and the server's
//! log, are scanned: a marker may appear only where the §1.3 policy lets its
//! reader see it.
//!
//! The database file, its WAL and a backup copy are a separate sink: no
//! marker may be readable there by anyone (issue 14, encryption at rest).

use serde_json::json;

use crate::common::DbEngine;
use crate::world::{self, Actor, Cast, Class, Marker, State, DECK, DRAFT_DECK};

/// What the session left behind, for the scans.
struct Session {
    cast: Cast,
}

/// Both partners write in every field, with drafts never sent; everyone
/// browses; Bo leaves; everyone browses again.
async fn scripted(engine: DbEngine) -> Option<Session> {
    let cast = Cast::assemble(engine).await?;
    // What Ada and Cy read of each other while they were together was
    // theirs to read; the scan starts once Cy has left.
    cast.recorder.clear();
    let world = cast.world(State::Revealed).await;
    let rel = world.rel.clone();
    let r = format!("/api/v1/relationships/{rel}");
    let bo_cid = cast.contribution(&cast.bo, "bo", &rel, Class::Shared).await;
    cast.thank(&cast.ada, "ada", &rel, &bo_cid).await;
    // Drafts never sent: a second values round and a second deck.
    // A new round starts when both ask (the second ask agrees).
    cast.ada
        .must("POST", &format!("{r}/values/rounds"), json!({}), 202)
        .await;
    cast.bo
        .must("POST", &format!("{r}/values/rounds"), json!({}), 201)
        .await;
    for (who, owner) in [(&cast.ada, "ada"), (&cast.bo, "bo")] {
        cast.values_draft(who, owner, &rel, Class::Private).await;
        cast.conversation_draft(who, owner, &rel, DRAFT_DECK, Class::Private)
            .await;
    }
    // Bo declines Ada's open proposal with a marked reason (sealed too).
    let reason = cast
        .markers
        .plant("bo", "agreement-reason", Class::Shared, &rel);
    cast.bo
        .must(
            "POST",
            &format!("{r}/agreements/{}/decline", world.open_agreement),
            json!({"version": 1, "reason": reason}),
            200,
        )
        .await;
    // Bo's own episode, kept to himself (a marked title), and his view of
    // Ada's shared one, not shared either.
    let bo_title = cast
        .markers
        .plant("bo", "episode-title", Class::Private, &rel);
    let bo_episode = cast
        .bo
        .must(
            "POST",
            &format!("{r}/episodes"),
            json!({"title": bo_title, "kind": "conflict"}),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    cast.bo
        .must(
            "POST",
            &format!("{r}/episodes/{}/turns", world.episode),
            json!({"actor_id": cast.ada.id, "code": "contempt", "intensity": 3}),
            201,
        )
        .await;
    let ids = Ids {
        cids: vec![world.cid.clone(), bo_cid],
        aids: vec![world.agreement.clone(), world.open_agreement.clone()],
        eids: vec![world.episode.clone(), bo_episode],
        engagements: vec![world.engagement.clone()],
    };
    let rels = [rel.as_str(), cast.r0.as_str()];
    for person in [
        &cast.ada,
        &cast.bo,
        &cast.cy,
        &cast.eve,
        &cast.ivy,
        &cast.token,
        &cast.anonymous,
        &cast.counselor,
        &cast.counselor_unapproved,
        &cast.counselor_revoked,
        &cast.counselor_expired,
    ] {
        browse(person, &rels, &ids).await;
    }
    // Ada revokes the counselor alone: from its next request on, it reads
    // nothing of the couple (R33), the notes included.
    cast.ada
        .must(
            "DELETE",
            &format!("{r}/counselor/{}", world.engagement),
            serde_json::Value::Null,
            204,
        )
        .await;
    cast.counselor.rename("counselor_after");
    browse(&cast.counselor, &rels, &ids).await;
    cast.bo
        .must("POST", &format!("{r}/leave"), json!({}), 200)
        .await;
    cast.ada.rename("ada_after");
    cast.token.rename("ada_after");
    cast.bo.rename("bo_after");
    for person in [&cast.ada, &cast.bo, &cast.token, &cast.counselor] {
        browse(person, &rels, &ids).await;
    }
    Some(Session { cast })
}

/// The ids a browse opens, besides the relationships.
struct Ids {
    cids: Vec<String>,
    aids: Vec<String>,
    eids: Vec<String>,
    /// Counselor engagements (`{cid}` of the `/counselor/` routes).
    engagements: Vec<String>,
}

/// Every API read and every page, with the real ids (the export too: a
/// marker may reach a file only where it may reach its reader).
async fn browse(person: &Actor, rels: &[&str], ids: &Ids) {
    let Ids {
        cids,
        aids,
        eids,
        engagements,
    } = ids;
    let mut paths: Vec<String> = [
        "/api/v1/me",
        "/api/v1/me/sessions",
        "/api/v1/me/security-events",
        "/api/v1/tokens",
        "/api/v1/session",
        "/api/v1/me/export",
        "/api/v1/me/export.html",
        "/",
        "/home",
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
        "/account",
        "/account/export",
        "/account/export.html",
        "/account/views",
        "/join",
        "/safety",
        "/visibility",
        "/episodes",
        "/episodes/patterns",
        "/before-you-answer",
        "/counselor",
        "/clients",
        "/api/v1/counselor/clients",
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect();
    for deck in [DECK, DRAFT_DECK] {
        paths.push(format!("/conversations/{deck}"));
        paths.push(format!("/conversations/{deck}/talk"));
    }
    for cid in cids {
        paths.push(format!("/ledger/edit/{cid}"));
    }
    for eid in eids {
        paths.push(format!("/episodes/{eid}"));
    }
    for rel in rels {
        paths.push(format!("/clients/{rel}"));
        paths.push(format!("/api/v1/counselor/clients/{rel}/report"));
        paths.push(format!("/api/v1/counselor/clients/{rel}/notes"));
        let r = format!("/api/v1/relationships/{rel}");
        for engagement in engagements {
            paths.push(format!("{r}/counselor/{engagement}/notes"));
        }
        for tail in [
            "",
            "/written",
            "/contributions",
            "/contributions/suggestions",
            "/balance",
            "/preferences",
            "/values",
            "/values/items",
            "/values/comparison",
            "/values/comparison?round=1",
            "/respect",
            "/respect/areas",
            "/respect/comparison",
            "/conversations",
            "/agreements",
            "/agreements/say",
            "/episodes",
            "/negative-reciprocity",
            "/counselor",
        ] {
            paths.push(format!("{r}{tail}"));
        }
        for eid in eids {
            paths.push(format!("{r}/episodes/{eid}"));
            paths.push(format!("{r}/episodes/{eid}/repair"));
        }
        for aid in aids {
            paths.push(format!("{r}/agreements/{aid}"));
        }
        for deck in [DECK, DRAFT_DECK] {
            for tail in ["", "/comparison", "/notes"] {
                paths.push(format!("{r}/conversations/{deck}{tail}"));
            }
        }
    }
    for path in paths {
        person.get(&path).await;
    }
}

/// Whether `reader` may see `marker` (SECURITY.md §1.3): its author always;
/// the partner what was shared in the open relationship they share (never
/// a note to the counselor, D7); the couple's counselor, while both allow
/// it every category, what they shared and the notes written to it;
/// nobody else, nothing after the end or the revocation but one's own
/// words, and never the log.
fn may_see(reader: &str, marker: &Marker, open_rel: &str) -> bool {
    let owner = marker.owner;
    match reader {
        r if r == owner => true,
        "counselor" => {
            matches!(marker.class, Class::Shared | Class::CounselorNote)
                && marker.rel == open_rel
                && ["ada", "bo"].contains(&owner)
        }
        "ada_after" => owner == "ada",
        "bo_after" => owner == "bo",
        "ada" | "bo" => {
            marker.class == Class::Shared
                && marker.rel == open_rel
                && ["ada", "bo"].contains(&owner)
        }
        _ => false,
    }
}

const SINKS: [&str; 15] = [
    "ada",
    "ada_after",
    "bo",
    "bo_after",
    "cy",
    "eve",
    "ivy",
    "anonymous",
    "throwaway",
    "counselor",
    "counselor_after",
    "counselor_unapproved",
    "counselor_revoked",
    "counselor_expired",
    "log",
];

async fn no_marker_reaches_anyone_it_was_not_shared_with(engine: DbEngine) {
    let (captured, _guard) = world::capture_logs(tracing::Level::DEBUG);
    let Some(session) = scripted(engine).await else {
        return;
    };
    let cast = &session.cast;
    let markers: Vec<Marker> = cast.markers.all();
    // The open relationship of the session is the one Bo left last: each
    // marker's own relationship says whether it was ever shared there.
    let open_rel = markers
        .iter()
        .rev()
        .find(|m| m.owner == "bo" && !m.rel.is_empty())
        .map(|m| m.rel.clone())
        .expect("a relationship");
    let log = captured.text();
    let received: Vec<String> = SINKS.iter().flat_map(|s| cast.recorder.of(s)).collect();
    let responses = received.len();
    let pages = received
        .iter()
        .filter(|t| {
            t.starts_with("content-type: text/html") || t.contains("\ncontent-type: text/html")
        })
        .count();
    let mut hits = Vec::new();
    let mut seen_by_owner = 0;
    // Proof the scan can see: (reader, owner, class) sightings that are allowed.
    let mut sightings = std::collections::BTreeSet::new();
    for sink in SINKS {
        let texts = if sink == "log" {
            vec![log.clone()]
        } else {
            cast.recorder.of(sink)
        };
        for marker in &markers {
            let found = texts.iter().any(|t| t.contains(&marker.text));
            if !found {
                continue;
            }
            if may_see(sink, marker, &open_rel) {
                seen_by_owner += 1;
                sightings.insert((sink, marker.owner, marker.class.clone()));
            } else {
                hits.push(format!(
                    "{} ({}, {:?}) reached {sink}",
                    marker.text, marker.owner, marker.class
                ));
            }
        }
    }
    assert!(!log.is_empty(), "the log was captured");
    let summary = json!({
        "harness": "leak_scan",
        "engine": world::engine_name(engine),
        "markers": markers.len(),
        "sinks": SINKS.len(),
        "markers_x_sinks": markers.len() * SINKS.len(),
        "allowed_sightings": seen_by_owner,
        "responses": responses,
        "html_pages": pages,
        "hits": hits.len(),
        "hits_logs": hits.iter().filter(|h| h.ends_with("reached log")).count(),
        "hits_d7": hits.iter().filter(|h| h.contains("CounselorNote")).count(),
    });
    println!("{summary}");
    // The scan must have seen what it scans: each partner's drafts reached
    // their author, each one's shared words the other before the end, and
    // each one's own words themselves after it; each one's notes to the
    // counselor reached their author and the counselor.
    for expected in [
        ("ada", "ada", Class::Private),
        ("bo", "bo", Class::Private),
        ("bo", "ada", Class::Shared),
        ("ada", "bo", Class::Shared),
        ("ada_after", "ada", Class::Shared),
        ("bo_after", "bo", Class::Shared),
        ("ada", "ada", Class::CounselorNote),
        ("bo", "bo", Class::CounselorNote),
        ("counselor", "ada", Class::CounselorNote),
        ("counselor", "bo", Class::CounselorNote),
        ("counselor", "ada", Class::Shared),
    ] {
        assert!(sightings.contains(&expected), "never seen: {expected:?}");
    }
    assert!(hits.is_empty(), "markers leaked:\n{}", hits.join("\n"));
}

/// Text at rest: the SQLite file and its WAL, and a backup made by
/// `reciprocity backup`'s own code while the server runs (on PostgreSQL,
/// the backup only: its data files are the database server's), byte-searched.
async fn no_marker_is_readable_in_the_database_file_or_a_backup(engine: DbEngine) {
    let (_captured, _guard) = world::capture_logs(tracing::Level::DEBUG);
    let Some(session) = scripted(engine).await else {
        return;
    };
    let cast = &session.cast;
    let dir = tempfile::tempdir().expect("dir");
    let backup = dir.path().join("at-rest.backup");
    store::backup::backup(&cast.app.db.url, &backup)
        .await
        .expect("backup");
    let mut paths = vec![backup.display().to_string()];
    if let Some(file) = cast.app.db.url.strip_prefix("sqlite://") {
        paths.extend([file.to_owned(), format!("{file}-wal")]);
    }
    let mut sinks: Vec<(String, Vec<u8>)> = Vec::new();
    for path in paths {
        sinks.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
    }
    let private: Vec<Marker> = cast
        .markers
        .all()
        .into_iter()
        .filter(|m| m.owner != "attacker")
        .collect();
    let mut found = 0;
    for (path, bytes) in &sinks {
        let n = private
            .iter()
            .filter(|m| bytes.windows(m.text.len()).any(|w| w == m.text.as_bytes()))
            .count();
        println!(
            "at rest: {n} of {} markers readable in {path}",
            private.len()
        );
        found += n;
    }
    println!(
        "{}",
        json!({"harness": "leak_scan_at_rest", "markers": private.len(),
            "sinks": sinks.len(), "hits_db_plaintext": found})
    );
    assert_eq!(found, 0, "markers readable at rest");
}

on_both_engines!(no_marker_reaches_anyone_it_was_not_shared_with);

#[tokio::test]
async fn sqlite_at_rest_no_marker_is_readable_in_the_database_file_or_a_backup() {
    no_marker_is_readable_in_the_database_file_or_a_backup(DbEngine::Sqlite).await;
}

#[tokio::test]
async fn postgres_at_rest_no_marker_is_readable_in_a_backup() {
    no_marker_is_readable_in_the_database_file_or_a_backup(DbEngine::Postgres).await;
}
