//! H10 in SECURITY.md §3 (issue 13 item 10), bounded for CI: the real
//! `reciprocity serve` on a fresh database, a few couples seeded through the
//! API with the load generator of `bench/load`, then a few seconds of its
//! 70% read / 30% write mix. Every request must get the answer the mix
//! expects (0 errors: no 5xx, no busy database, no refused connection), and
//! every kind of request must have run, and the server's peak memory must
//! stay under a generous bound. Timings are printed, not asserted.
//!
//! By hand, the full size (1,000 couples, a minute per engine) is
//! `bash bench/load/run.sh`. Knobs here: `RECIPROCITY_LOAD_COUPLES` (20),
//! `RECIPROCITY_LOAD_SECONDS` (4), `RECIPROCITY_LOAD_USERS` (16). Each run
//! prints one JSON line with its figures (`-- --nocapture`).

mod support;

use std::time::Duration;

use store_conformance::testdb::{Engine, TestDb};
use support::{env_or, Server};

/// A ceiling for the server's peak resident memory over the whole run,
/// far above what it needs (about 30 MB idle, a few MB per couple at most).
const MEMORY_BOUND_MB: f64 = 256.0;

async fn mix_has_no_errors(db: TestDb, engine: &str) {
    let server = Server::start(&db.url).await;
    let config = load::Config {
        base: server.base(),
        engine: engine.to_owned(),
        couples: env_or("RECIPROCITY_LOAD_COUPLES", 20),
        seed_concurrency: 8,
        concurrency: env_or("RECIPROCITY_LOAD_USERS", 16),
        duration: Duration::from_secs(env_or("RECIPROCITY_LOAD_SECONDS", 4)),
        seed: env_or("RECIPROCITY_LOAD_SEED", 20261129),
        server_pid: server.pid(),
        spread_addresses: true,
    };
    let report = load::run(&config).await.expect("seeding through the API");
    println!("{}", serde_json::to_string(&report).expect("json"));
    assert_eq!(
        report.errors, 0,
        "{engine}: requests failed under load: {:#?}",
        report.error_samples
    );
    assert!(
        report.kinds_not_run().is_empty(),
        "{engine}: kinds of request that never ran: {:?}",
        report.kinds_not_run()
    );
    // R47, memory growth bounded: before the argon2 work memory was reused
    // (crates/web/src/auth/password.rs), the 80 password hashes of 20
    // couples' sign-ups and sign-ins left this server at about 500 MB.
    if let Some(peak) = report.memory.hwm_mb {
        assert!(
            peak < MEMORY_BOUND_MB,
            "{engine}: the server peaked at {peak} MB resident"
        );
    }
    assert!(
        report.writes > 0 && report.reads > report.writes,
        "{engine}: the mix is mostly reads"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_write_mix_on_sqlite_answers_every_request() {
    let db = TestDb::new(Engine::Sqlite).await.expect("SQLite");
    mix_has_no_errors(db, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_write_mix_on_postgres_answers_every_request() {
    let Some(db) = support::postgres().await else {
        return;
    };
    mix_has_no_errors(db, "postgres").await;
}
