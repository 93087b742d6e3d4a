//! H1: the authorization matrix, generated from the route table.
//!
//! The routes are read from the running server's OpenAPI document (which
//! `utoipa_axum::routes!` builds from the very registrations that serve
//! requests). `matrix.toml` must list exactly those `(method, path)` pairs:
//! a route missing from it, or a route it lists that is not served, fails
//! the test, so every new capability has to join the matrix.
//!
//! For each route, state and role the matrix names one outcome; the harness
//! builds the state with markers in every personal text field, sends the
//! real request (real ids, a valid body) as the role, and checks:
//! - `see`: 2xx, and the object's markers are in the body (a list shows it);
//! - `blind`: 2xx, and none of the object's markers is (a list hides it);
//! - `ok`: 2xx (writes, and reads with no personal text);
//! - `401`, `403`, `404`, `409`: that status, with no marker of anyone's in
//!   the body; a 404 must be byte-identical (status, content type, body) to
//!   the 404 for ids that never existed, so it does not reveal existence;
//! - `-`: the role does not exist in that state (see `matrix.toml`);
//! - `signin` (pages only): a redirect to the sign-in page.
//!
//! Pages are listed by hand under `[pages]`: the UI router has no route
//! table to read, so a page missing there is not caught the way a missing
//! API route is. Their cases run like the routes' (a page must show none of
//! the author's markers to anyone it calls `blind`); a page's write is
//! posted as the urlencoded form a browser sends.
//!
//! `AUTHZ_RECORD=1` prints what each case answered instead of checking it,
//! one line per route and state, to help write a new route's rows (review
//! every allow before copying it in).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde_json::{json, Value};

use crate::common::DbEngine;
use crate::world::{
    self, Actor, Cast, Class, Consent, State, World, CONSENTS, DECK, PASSWORD, STATES,
};

const MATRIX: &str = include_str!("matrix.toml");

struct Route {
    op: String,
    /// A web page (`[pages]`), not an API route of the OpenAPI document.
    page: bool,
    /// An allowed case changes the state: each runs in a world built afresh.
    fresh: bool,
    /// An allowed case would end the author's own credentials (password
    /// change, sign-out): the author (or token) is played by a new account.
    throwaway: bool,
    /// Per state, one outcome per role (in `roles` order).
    states: Vec<(State, Vec<String>)>,
}

struct Matrix {
    roles: Vec<String>,
    placeholder_roles: Vec<String>,
    routes: BTreeMap<String, Route>,
}

fn matrix() -> Matrix {
    let table: toml::Table = MATRIX.parse().expect("matrix.toml parses");
    let strings = |key: &str| -> Vec<String> {
        table[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key}"))
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect()
    };
    let roles = strings("roles");
    let placeholder_roles = table["placeholder_roles"]
        .as_table()
        .expect("placeholder_roles")
        .keys()
        .cloned()
        .collect();
    let mut routes = BTreeMap::new();
    let pages = table
        .get("pages")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .map(|entry| (entry, true));
    let api = table["routes"]
        .as_table()
        .expect("routes")
        .iter()
        .map(|entry| (entry, false));
    for ((op, spec), page) in api.chain(pages) {
        let spec = spec.as_table().expect("route table");
        let mut states = Vec::new();
        for (name, state) in STATES {
            if let Some(row) = spec.get(name) {
                let row: Vec<String> = row
                    .as_str()
                    .expect("row")
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                assert_eq!(row.len(), roles.len(), "{op} {name}: one outcome per role");
                states.push((state, row));
            }
        }
        for key in spec.keys() {
            assert!(
                ["fresh", "throwaway", "why"].contains(&key.as_str())
                    || STATES.iter().any(|(n, _)| n == key),
                "{op}: unknown key {key}"
            );
        }
        assert!(!states.is_empty(), "{op}: no state");
        let flag = |k: &str| spec.get(k).and_then(toml::Value::as_bool).unwrap_or(false);
        routes.insert(
            op.clone(),
            Route {
                op: op.clone(),
                page,
                fresh: flag("fresh"),
                throwaway: flag("throwaway"),
                states,
            },
        );
    }
    Matrix {
        roles,
        placeholder_roles,
        routes,
    }
}

/// Every `(METHOD path)` the server documents.
fn served(doc: &Value) -> BTreeSet<String> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    ops
}

/// The real path for a template in a world (or, with `random`, the same
/// path with ids that never existed).
fn concrete(template: &str, world: &World, random: bool) -> String {
    let fresh = || uuid::Uuid::new_v4().to_string();
    let pick = |real: &str| if random { fresh() } else { real.to_owned() };
    let mut path = template.replace("{deck}", DECK);
    // `{cid}` names the counselor engagement under `/counselor/` (API.md's
    // name), a contribution elsewhere.
    let cid = if path.contains("/counselor/") {
        &world.engagement
    } else {
        &world.cid
    };
    path = path.replace("{cid}", &pick(cid));
    // `{rid}` is the couple on the counselor's report page, a reflection
    // elsewhere.
    let rid = if path.starts_with("/clients/") {
        &world.rel
    } else {
        &world.reflection
    };
    path = path.replace("{rid}", &pick(rid));
    path = path.replace("{checkin}", &pick(&world.checkin));
    path = path.replace("{eid}", &pick(&world.episode));
    // Answering a proposal needs one still open; the other moves act on
    // the agreed one.
    let open = ["/counter", "/accept", "/decline"]
        .iter()
        .any(|end| path.ends_with(end));
    let aid = if open {
        &world.open_agreement
    } else {
        &world.agreement
    };
    path = path.replace("{aid}", &pick(aid));
    let id = if path.starts_with("/api/v1/relationships/{id}")
        || path.starts_with("/api/v1/counselor/clients/{id}")
    {
        pick(&world.rel)
    } else if path.starts_with("/api/v1/tokens/{id}") {
        pick(&world.spare_token)
    } else if path.starts_with("/api/v1/me/sessions/{id}") {
        pick(&world.spare_session)
    } else {
        fresh()
    };
    path.replace("{id}", &id)
}

fn allowish(expect: &str) -> bool {
    matches!(expect, "see" | "blind" | "ok" | "?")
}

/// How a refusal is named in the matrix: its status, or `signin` for a
/// page's redirect to the sign-in page.
fn refusal(reply: &world::Reply) -> String {
    let to_sign_in = reply
        .location
        .as_deref()
        .is_some_and(|l| l == "/signin" || l.starts_with("/signin?"));
    if reply.status == 303 && to_sign_in {
        "signin".to_owned()
    } else {
        reply.status.to_string()
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    unexpected_allows: usize,
    unexpected_denies: usize,
    wrong_deny_status: usize,
    leaks_in_denies: usize,
    d7_leaks: usize,
    non_identical_404: usize,
    deny: BTreeMap<u16, usize>,
    failures: Vec<String>,
    recorded: BTreeMap<(String, usize), Vec<String>>,
}

struct Case<'a> {
    route: &'a Route,
    state_name: &'static str,
    state_index: usize,
    role: &'a str,
    role_index: usize,
    roles: usize,
    expect: &'a str,
}

/// Runs one case; whether it was answered 2xx (and may have changed the world).
async fn run(cast: &Cast, world: &World, case: &Case<'_>, tally: &mut Tally, record: bool) -> bool {
    let (method, template) = case.route.op.split_once(' ').expect("op");
    let state = world.state;
    // The anonymous caller is a new client each time: a sign-in it made
    // must not carry over. A throwaway route's allowed case is played (and
    // its body written) by a stand-in account.
    let stand = if case.route.throwaway && allowish(case.expect) {
        Some(stand_in(cast, case.role == "token").await)
    } else {
        None
    };
    let anonymous;
    let actor: &Actor = if case.role == "anonymous" {
        anonymous = Actor::new(&cast.app.base, &cast.recorder, "anonymous", None);
        &anonymous
    } else if let Some(stand) = &stand {
        stand
    } else {
        cast.playing(case.role, state).expect("role plays")
    };
    let subject = stand.as_ref().unwrap_or(&cast.ada);
    let path = concrete(template, world, false);
    let body = world::body_for(cast, &case.route.op, world, subject);
    let reply = send(actor, case.route, method, &path, body.as_ref()).await;
    let text = reply.text();
    let shows_object = world.object.iter().any(|m| text.contains(m.as_str()));
    let ok = (200..300).contains(&reply.status);
    let observed = if ok {
        if shows_object {
            "see".to_owned()
        } else if method == "GET" {
            "blind".to_owned()
        } else {
            "ok".to_owned()
        }
    } else {
        refusal(&reply)
    };
    tally.cases += 1;
    // SECURITY (R34, D7): a private note to the counselor reaches its
    // author and the counselor it was written to (while both partners
    // allow them in), and nobody else, whatever the route, state or
    // expectation: not the other partner, not a counselor refused.
    let reader = actor.who.lock().expect("who").clone();
    if text.contains("MARKER-counselor-note") {
        for m in cast.markers.all() {
            if m.class == Class::CounselorNote
                && text.contains(&m.text)
                && reader != m.owner
                && reader != "counselor"
            {
                tally.d7_leaks += 1;
                tally.failures.push(format!(
                    "D7 LEAK ({} of {}) to {reader}: {} [{}] as {}",
                    m.text, m.owner, case.route.op, case.state_name, case.role
                ));
            }
        }
    }
    if record {
        tally
            .recorded
            .entry((case.route.op.clone(), case.state_index))
            .or_insert_with(|| vec!["-".to_owned(); case.roles])[case.role_index] = observed;
        return ok;
    }
    let at = format!(
        "{} [{}] as {}: expected {}, got {} {}",
        case.route.op,
        case.state_name,
        case.role,
        case.expect,
        reply.status,
        text.chars().take(200).collect::<String>()
    );
    let expected_deny = !allowish(case.expect);
    if !ok {
        *tally.deny.entry(reply.status).or_default() += 1;
        // SECURITY: a refusal says nothing of anyone's words.
        if let Some(m) = text
            .contains("MARKER-")
            .then(|| cast.markers.all())
            .into_iter()
            .flatten()
            .find(|m| m.owner != "attacker" && text.contains(&m.text))
        {
            tally.leaks_in_denies += 1;
            tally
                .failures
                .push(format!("LEAK in a refusal ({}): {at}", m.text));
        }
    }
    match (expected_deny, ok) {
        (true, true) => {
            tally.unexpected_allows += 1;
            tally.failures.push(format!("UNEXPECTED ALLOW: {at}"));
        }
        (false, false) => {
            tally.unexpected_denies += 1;
            tally.failures.push(format!("UNEXPECTED DENY: {at}"));
        }
        (true, false) => {
            if observed != case.expect {
                tally.wrong_deny_status += 1;
                tally.failures.push(format!("WRONG STATUS: {at}"));
            }
        }
        (false, true) => match case.expect {
            "see" if !shows_object => {
                tally.unexpected_denies += 1;
                tally
                    .failures
                    .push(format!("OBJECT MISSING from a list: {at}"));
            }
            "blind" if shows_object => {
                tally.unexpected_allows += 1;
                tally.failures.push(format!("OBJECT SHOWN: {at}"));
            }
            _ => {}
        },
    }
    // SECURITY: "not yours" and "never existed" are the same answer.
    if reply.status == 404 {
        let twin_path = concrete(template, world, true);
        let twin_body = world::body_for(cast, &case.route.op, world, subject);
        let twin = send(actor, case.route, method, &twin_path, twin_body.as_ref()).await;
        if (twin.status, &twin.content_type, &twin.body)
            != (reply.status, &reply.content_type, &reply.body)
        {
            tally.non_identical_404 += 1;
            tally.failures.push(format!(
                "404 NOT IDENTICAL to a never-existing id ({} {} {}): {at}",
                twin.status,
                twin.content_type,
                twin.text()
            ));
        }
    }
    ok
}

/// Sends a case's request: a page's write as the form a browser posts, an
/// API route's as JSON.
async fn send(
    actor: &Actor,
    route: &Route,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> world::Reply {
    if route.page {
        actor.send_form(method, path, body).await
    } else {
        actor.send(method, path, body).await
    }
}

/// A new account standing in for the author (or, with `token`, for the
/// author's token), for cases that would end the author's credentials.
async fn stand_in(cast: &Cast, token: bool) -> Actor {
    let person = world::signed_up(&cast.app.base, &cast.recorder, "throwaway").await;
    if !token {
        return person;
    }
    let minted = person
        .must(
            "POST",
            "/api/v1/tokens",
            json!({"name": "stand-in", "password": PASSWORD}),
            201,
        )
        .await;
    let mut holder = Actor::new(
        &cast.app.base,
        &cast.recorder,
        "throwaway",
        Some(minted["token"].as_str().expect("token").to_owned()),
    );
    holder.id.clone_from(&person.id);
    holder.email.clone_from(&person.email);
    holder.recovery_code.clone_from(&person.recovery_code);
    holder
}

async fn the_matrix_lists_every_route_and_each_case_answers_as_it_says(engine: DbEngine) {
    let started = Instant::now();
    let record = std::env::var("AUTHZ_RECORD").is_ok_and(|v| v == "1");
    let matrix = matrix();
    let (captured, _guard) = world::capture_logs(tracing::Level::INFO);
    let Some(cast) = Cast::assemble(engine).await else {
        return;
    };
    let doc = cast.anonymous.get("/api/openapi.json").await.json();
    let served = served(&doc);
    let listed: BTreeSet<String> = matrix
        .routes
        .values()
        .filter(|r| !r.page)
        .map(|r| r.op.clone())
        .collect();
    let unmatrixed: Vec<&String> = served.difference(&listed).collect();
    let not_served: Vec<&String> = listed.difference(&served).collect();

    let mut tally = Tally::default();
    // Each state is played once per counselor condition: the worlds of
    // `Consent::Open` for every role but the refusing counselors, then one
    // world per refusing counselor, its engagement in its condition (a
    // couple holds one engagement it has not revoked). Without a couple
    // (`account`, `pending`) there is no engagement: one world for all.
    for (state_index, (state_name, state)) in STATES.iter().enumerate() {
        for consent in CONSENTS {
            let mut now = Vec::new();
            let mut later = Vec::new();
            for route in matrix.routes.values() {
                let Some((_, row)) = route.states.iter().find(|(s, _)| s == state) else {
                    continue;
                };
                for (role_index, (role, expect)) in matrix.roles.iter().zip(row).enumerate() {
                    let played_in = if state.counseled() {
                        Consent::of_role(role)
                    } else {
                        Consent::Open
                    };
                    if expect == "-" || played_in != consent {
                        continue;
                    }
                    let case = Case {
                        route,
                        state_name,
                        state_index,
                        role,
                        role_index,
                        roles: matrix.roles.len(),
                        expect,
                    };
                    if route.fresh && allowish(expect) {
                        later.push(case);
                    } else {
                        now.push(case);
                    }
                }
            }
            if now.is_empty() && later.is_empty() {
                continue;
            }
            let world = cast.world_for(*state, consent).await;
            for case in &now {
                run(&cast, &world, case, &mut tally, record).await;
            }
            // A world an allowed write may have changed is built again.
            let mut world = world;
            let mut dirty = true;
            for case in &later {
                if dirty {
                    world = cast.world_for(*state, consent).await;
                }
                dirty = run(&cast, &world, case, &mut tally, record).await;
            }
        }
    }

    if record {
        for ((op, state_index), row) in &tally.recorded {
            println!(
                "RECORD\t{op}\t{}\t{}",
                STATES[*state_index].0,
                row.join(" ")
            );
        }
    }
    // SECURITY: no one's words in the server's log, whatever was refused.
    let log = captured.text();
    let logged: Vec<String> = cast
        .markers
        .all()
        .into_iter()
        .filter(|m| log.contains(&m.text))
        .map(|m| m.text)
        .collect();
    let denies_404 = tally.deny.get(&404).copied().unwrap_or(0);
    let denies_403 = tally.deny.get(&403).copied().unwrap_or(0);
    let summary = json!({
        "harness": "authz_matrix",
        "engine": world::engine_name(engine),
        "routes": served.len(),
        "pages": matrix.routes.values().filter(|r| r.page).count(),
        "roles": matrix.roles.len(),
        "placeholder_roles": matrix.placeholder_roles.len(),
        "states": STATES.len(),
        "cases": tally.cases,
        "unexpected_allows": tally.unexpected_allows,
        "unexpected_denies": tally.unexpected_denies,
        "wrong_deny_status": tally.wrong_deny_status,
        "unmatrixed_routes": unmatrixed.len(),
        "matrix_routes_not_served": not_served.len(),
        "denies": tally.deny.values().sum::<usize>(),
        "denies_by_status": tally.deny.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "share_404_of_404_403": if denies_404 + denies_403 == 0 { 0.0 } else {
            (denies_404 as f64 / (denies_404 + denies_403) as f64 * 1000.0).round() / 1000.0 },
        "leaks_in_denies": tally.leaks_in_denies,
        "d7_leaks": tally.d7_leaks,
        "non_identical_404": tally.non_identical_404,
        "markers": cast.markers.all().len(),
        "markers_in_log": logged.len(),
        "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    });
    println!("{summary}");
    if record {
        return;
    }
    assert!(
        unmatrixed.is_empty(),
        "routes missing from matrix.toml (add a row for each role and state): {unmatrixed:?}"
    );
    assert!(
        not_served.is_empty(),
        "matrix.toml lists routes the server does not serve: {not_served:?}"
    );
    assert!(!log.is_empty(), "the log was captured");
    assert!(logged.is_empty(), "markers in the log: {logged:?}");
    assert!(
        tally.failures.is_empty(),
        "{} failing cases:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}

on_both_engines!(the_matrix_lists_every_route_and_each_case_answers_as_it_says);
