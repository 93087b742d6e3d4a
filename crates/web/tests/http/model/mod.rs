//! H3 in SECURITY.md §3 (R2–R4, R25–R29, R36): model-based property tests.
//! Random sequences of actions by three people (create and join a
//! relationship, log, correct, withdraw and thank contributions, choose to
//! see numbers, save, submit and reveal sealed rounds of values, the respect
//! map and a conversation deck, notes, leave and start again, sign out and
//! in, API tokens) run against the real server over HTTP, on SQLite and on
//! PostgreSQL, and against a small reference model of the §1.3 visibility
//! rules (`reference.rs`). After every step, for every person and every
//! relationship: the status each action answered, what each read shows
//! (field by field), a refused read answering exactly as for an id that
//! never existed, and no response holding a word the model hides.
//!
//! `proptest-state-machine` generates and shrinks the sequences from the
//! model (`ReferenceStateMachine`). Its `StateMachineTest` runner is not
//! used: its hooks are associated functions with no context, and here every
//! case shares one server per engine (starting one per case would cost more
//! than the case), so the loop below is that runner's loop with the server
//! passed in.
//!
//! Bounded for CI by default; by hand: `H3_CASES=1000 H3_STEPS=50` (and
//! `H3_SEED`). One JSON summary line per engine (`-- --nocapture`).

mod checks;
mod reference;
mod regressions;
mod sut;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use proptest::test_runner::{
    Config, FileFailurePersistence, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};
use proptest_state_machine::ReferenceStateMachine;
use serde_json::json;

use crate::common::{self, DbEngine, TestApp};
use checks::{Baselines, Tally};
use reference::{Model, Reference, Step};
use sut::Case;

/// Every case gets accounts of its own on the shared server.
static CASES: AtomicU64 = AtomicU64::new(1);

/// Throttling is another test's subject (H7): a 429 here would be a false
/// difference from the model.
fn unthrottled() -> web::Config {
    let mut config = common::relaxed();
    let lots = web::Rate::new(1_000_000, 1);
    config.limits.sign_in_per_account = lots;
    config.limits.sign_in_trusted_device = lots;
    config.limits.sign_in_per_client = lots;
    config.limits.sign_in_per_target = lots;
    config.limits.sign_up_per_client = lots;
    config.limits.sign_up_per_target = lots;
    config
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The 404 each read route answers for a relationship that never existed.
async fn baselines(app: &TestApp) -> Baselines {
    let (probe, _) = app.signed_in("h3-probe@example.org", "Probe").await;
    let never = format!("/api/v1/relationships/{}", uuid::Uuid::new_v4());
    let mut bodies = std::collections::BTreeMap::new();
    for (route, suffix) in checks::read_routes() {
        let response = probe.get(&format!("{never}{suffix}")).await;
        assert_eq!(response.status(), 404, "never-existed {route}");
        bodies.insert(route, response.text().await.expect("body"));
    }
    Baselines(bodies)
}

/// Totals over every case of one engine's run.
#[derive(Default)]
struct Totals {
    cases: u64,
    transitions: u64,
    requests: u64,
    checks: u64,
    violations: u64,
    denied: u64,
    sightings: u64,
    /// What the cases reached, from the final model of each: a harness
    /// that never reaches a reveal or a leave would check little.
    reveals: u64,
    leaves: u64,
    entries: u64,
    notes: u64,
}

/// Runs one case: fresh accounts, then each step on the server and in the
/// model, with every check after it. The first difference fails the case
/// (proptest then shrinks the sequence).
async fn one_case(
    app: &TestApp,
    baselines: &Baselines,
    mut model: Model,
    steps: Vec<Step>,
    seen: Option<Arc<AtomicUsize>>,
    totals: &mut Totals,
) -> Result<(), String> {
    let mut case = Case::start(app, CASES.fetch_add(1, Ordering::Relaxed)).await;
    let mut tally = Tally::default();
    totals.cases += 1;
    for (i, step) in steps.iter().enumerate() {
        if let Some(seen) = &seen {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        let before = model.clone();
        model.step(step);
        let reply = case.run(step, &before, &model).await;
        let got = reply.as_ref().map(|r| r.status);
        if got.is_some() {
            totals.transitions += 1;
            tally.requests += 1;
        }
        tally.checks += 1;
        if got != model.expect {
            tally.violations.push(format!(
                "answered {got:?}, model {:?}: {}",
                model.expect,
                reply.as_ref().map_or("", |r| r.body.as_str())
            ));
        }
        if let Some(reply) = &reply {
            let allowed = model.may_see(step.actor);
            for found in checks::scan(case.case, &reply.body, &allowed) {
                if let Err(leak) = found {
                    tally
                        .violations
                        .push(format!("the reply carried {leak}, which the model hides"));
                }
            }
        }
        checks::all(&case, &model, baselines, &mut tally).await;
        totals.requests += std::mem::take(&mut tally.requests);
        totals.checks += std::mem::take(&mut tally.checks);
        totals.denied += std::mem::take(&mut tally.denied);
        totals.sightings += std::mem::take(&mut tally.sightings);
        if !tally.violations.is_empty() {
            totals.violations += tally.violations.len() as u64;
            return Err(format!(
                "step {} of {} (P{} {:?}):\n  {}",
                i + 1,
                steps.len(),
                step.actor,
                step.action,
                tally.violations.join("\n  ")
            ));
        }
    }
    totals.reveals += model
        .rels
        .iter()
        .flat_map(|r| r.rounds.iter().flatten())
        .filter(|round| round.revealed())
        .count() as u64;
    totals.leaves += model
        .rels
        .iter()
        .filter(|r| r.status == reference::Status::Ended)
        .count() as u64;
    totals.entries += model.entries.len() as u64;
    totals.notes += model.notes.len() as u64;
    Ok(())
}

/// Runs the property on one engine and prints its summary line.
fn property(engine: DbEngine) {
    let cases = env_number("H3_CASES", 20) as u32;
    let steps = env_number("H3_STEPS", 25) as usize;
    let seed = env_number("H3_SEED", 20_261_129);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let Some(app) = runtime.block_on(TestApp::spawn_with(engine, unthrottled())) else {
        eprintln!("H3 skipped on {engine:?}: no database");
        return;
    };
    let baselines = runtime.block_on(baselines(&app));
    let config = Config {
        cases,
        // Shrinking re-runs a case per try, each a few seconds: a bound
        // keeps a failure's report within minutes.
        max_shrink_iters: 200,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel(
            "proptest-regressions",
        ))),
        ..Config::default()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let totals = std::cell::RefCell::new(Totals::default());
    let started = Instant::now();
    let result = runner.run(
        &Reference::sequential_strategy((steps / 2).max(1)..=steps),
        |(initial, sequence, seen)| {
            let mut totals = totals.borrow_mut();
            runtime
                .block_on(one_case(
                    &app,
                    &baselines,
                    initial,
                    sequence,
                    seen,
                    &mut totals,
                ))
                .map_err(TestCaseError::fail)
        },
    );
    let totals = totals.into_inner();
    let failure = match &result {
        Ok(()) => None,
        Err(TestError::Fail(reason, (_, sequence, _))) => {
            Some(format!("{reason}\nminimal sequence: {sequence:#?}"))
        }
        Err(other) => Some(other.to_string()),
    };
    let summary = json!({
        "harness": "H3",
        "engine": format!("{engine:?}").to_lowercase(),
        "seed": seed,
        "cases": cases,
        "max_steps": steps,
        "cases_run": totals.cases,
        "transitions": totals.transitions,
        "requests": totals.requests,
        "checks": totals.checks,
        "invariant_violations": totals.violations,
        "denied_reads_checked": totals.denied,
        "allowed_sightings": totals.sightings,
        "reached": {
            "reveals": totals.reveals,
            "ended_relationships": totals.leaves,
            "entries": totals.entries,
            "notes": totals.notes,
        },
        "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    });
    println!("{summary}");
    if let Some(failure) = failure {
        panic!("H3 found a difference from the model on {engine:?}: {failure}");
    }
}

#[test]
fn sqlite_matches_the_model() {
    property(DbEngine::Sqlite);
}

#[test]
fn postgres_matches_the_model() {
    property(DbEngine::Postgres);
}

/// The generator, run on the model alone (no server): the sequences CI
/// runs must reach reveals, leaves, thanks and notes, or the checks after
/// them would pass without ever being exercised.
#[test]
fn the_generator_reaches_every_state_that_matters() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = Reference::sequential_strategy(12..=25);
    let (mut reveals, mut leaves, mut thanked, mut notes, mut steps, mut sent) = (0, 0, 0, 0, 0, 0);
    let cases = 200;
    for _ in 0..cases {
        let (mut model, sequence, _) = strategy.new_tree(&mut runner).expect("tree").current();
        for step in &sequence {
            model.step(step);
            steps += 1;
            sent += u32::from(model.expect.is_some());
        }
        let rounds = model.rels.iter().flat_map(|r| r.rounds.iter().flatten());
        reveals += u32::from(rounds.clone().any(reference::Round::revealed));
        leaves += u32::from(
            model
                .rels
                .iter()
                .any(|r| r.status == reference::Status::Ended),
        );
        thanked += u32::from(model.entries.iter().any(|e| e.thanks.is_some()));
        notes += u32::from(!model.notes.is_empty());
    }
    println!(
        "{}",
        json!({"sequences": cases, "steps": steps, "sent": sent, "with_reveal": reveals,
               "with_leave": leaves, "with_thanks": thanked, "with_note": notes})
    );
    for (what, count) in [
        ("a reveal", reveals),
        ("a leave", leaves),
        ("a thanks", thanked),
    ] {
        assert!(
            count * 5 >= cases,
            "only {count} of {cases} sequences reach {what}"
        );
    }
    assert!(notes > 0, "no sequence reaches a note");
}
