//! H8 in SECURITY.md (R41): the real `reciprocity serve` is killed with
//! SIGKILL at random moments while writers keep sending ledger writes, then
//! started again; every write it acknowledged must still be there, with no
//! half-written row, and the SQLite file must pass `integrity_check` and
//! `foreign_key_check`.
//!
//! The writers live in this test process, which the kills never touch: an
//! id is recorded only after a 2xx answer, so the acknowledgments cannot be
//! lost with the server. Two kinds of write: a contribution (an INSERT) and
//! its receiver's thanks (an UPDATE of value, note and time together, which
//! must land whole or not at all). On SQLite a separate connection forces
//! `wal_checkpoint(TRUNCATE)` every 50 ms while the server writes, so kills
//! also fall during checkpoints (the server's own automatic checkpoints run
//! too). On PostgreSQL only the app is killed; the database survives. On
//! both, an online backup is taken every 200 ms meanwhile, and each backup
//! is checked like the database (every write acknowledged before it began
//! is in it, nothing torn).
//!
//! Bounded for CI: 30 kills, each 0-400 ms after the server is healthy.
//! By hand (scripts/harness/crash.sh): `RECIPROCITY_CRASH_KILLS=1000
//! RECIPROCITY_CRASH_MAX_MS=2000`, and `RECIPROCITY_CRASH_SEED` to replay.
//! Each run prints one JSON line with its figures (`-- --nocapture`).

mod support;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection;
use support::{couple, env_or, is_sqlite, Couple, Rng, Server};

#[derive(Default)]
struct Acks {
    /// Contributions the server answered 201 for.
    contributions: Vec<String>,
    /// Thanks the server answered 200 for: contribution id and its value.
    thanks: Vec<(String, i64)>,
    /// Ada's acknowledged contributions that Bo has not thanked yet.
    to_thank: VecDeque<String>,
}

#[derive(Default)]
struct Counters {
    sent: AtomicU64,
    server_errors: AtomicU64,
    refused: AtomicU64,
}

struct Writers {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

const DOMAINS: [&str; 3] = ["household_labor", "emotional_support", "planning"];

/// Ada logs contributions; Bo logs his own and thanks Ada's.
fn start_writers(couple: &Couple, acks: &Arc<Mutex<Acks>>, counters: &Arc<Counters>) -> Writers {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (writer, person) in [(0u64, &couple.ada), (1, &couple.ada), (2, &couple.bo)] {
        let (person, acks, counters, stop) =
            (person.clone(), acks.clone(), counters.clone(), stop.clone());
        let r = couple.r.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let thank = if writer == 2 && n.is_multiple_of(2) {
                    acks.lock().expect("acks").to_thank.pop_front()
                } else {
                    None
                };
                counters.sent.fetch_add(1, Ordering::Relaxed);
                let outcome = match &thank {
                    Some(cid) => {
                        let value = 1 + (n % 5) as i64;
                        person
                            .post(
                                &format!("{r}/contributions/{cid}/acknowledgment"),
                                &json!({"value": value, "note": format!("thank you {n}")}),
                            )
                            .await
                            .map(|resp| (resp, Some(value)))
                    }
                    None => person
                        .post(
                            &format!("{r}/contributions"),
                            &json!({
                                "domain": DOMAINS[(n % 3) as usize],
                                "description": format!("writer {writer}, write {n}"),
                                "effort": 1 + (n % 5),
                                "minutes": 5 + (n % 60),
                            }),
                        )
                        .await
                        .map(|resp| (resp, None)),
                };
                match outcome {
                    Ok((resp, value)) if resp.status().is_success() => {
                        let Ok(body) = resp.json::<serde_json::Value>().await else {
                            // The answer was cut: not an acknowledgment.
                            continue;
                        };
                        let mut acks = acks.lock().expect("acks");
                        match (thank, value) {
                            (Some(cid), Some(value)) => acks.thanks.push((cid, value)),
                            _ => {
                                let id = body["id"].as_str().expect("id").to_owned();
                                if writer < 2 {
                                    acks.to_thank.push_back(id.clone());
                                }
                                acks.contributions.push(id);
                            }
                        }
                    }
                    Ok((resp, _)) => {
                        if resp.status().is_server_error() {
                            counters.server_errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => {
                        // Down (being killed or restarted): try again soon.
                        counters.refused.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }
        }));
    }
    Writers { stop, tasks }
}

/// Forces a TRUNCATE checkpoint every 50 ms from a connection of its own
/// while `live` is set (SQLite only).
fn start_checkpointer(
    url: String,
    live: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut done = 0u64;
        while !stop.load(Ordering::Relaxed) {
            if live.load(Ordering::Relaxed) {
                if let Ok(mut conn) = sqlx::SqliteConnection::connect(&url).await {
                    if sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .execute(&mut conn)
                        .await
                        .is_ok()
                    {
                        done += 1;
                    }
                    let _ = conn.close().await;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        done
    })
}

/// What the online backups taken during the run showed.
#[derive(Default)]
struct Backups {
    taken: u64,
    /// `reciprocity backup` returned an error.
    failed: u64,
    /// A backup without a contribution acknowledged before it started, or
    /// with a torn thanks, an orphan or a failed integrity check.
    bad: u64,
    first_problem: Option<String>,
}

/// Takes an online backup (the code of `reciprocity backup`) every 200 ms
/// while writers write and kills fall, so kills also land during backups
/// (SECURITY.md H8), and checks each one as the live database is checked:
/// it holds every contribution acknowledged before it started (a backup is
/// one consistent snapshot), no torn thanks, no orphan, integrity ok.
/// Runs on a thread of its own: the backup's future is not `Send` (it
/// copies through async closures), which the command-line tool never needs.
fn start_backups(
    url: String,
    acks: Arc<Mutex<Acks>>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Backups> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    std::thread::spawn(move || {
        runtime.block_on(async move {
        let dir = tempfile::tempdir().expect("dir");
        let mut figures = Backups::default();
        while !stop.load(Ordering::Relaxed) {
            let before: Vec<String> = acks.lock().expect("acks").contributions.clone();
            let file = dir.path().join(format!("{}.backup", figures.taken));
            figures.taken += 1;
            match store::backup::backup(&url, &file).await {
                Err(err) => {
                    figures.failed += 1;
                    figures
                        .first_problem
                        .get_or_insert_with(|| format!("backup failed: {err}"));
                }
                Ok(_) => {
                    let found = inspect(&format!("sqlite://{}", file.display())).await;
                    let missing = before
                        .iter()
                        .filter(|id| !found.contributions.contains(*id))
                        .count();
                    if missing > 0
                        || found.partial > 0
                        || found.foreign_key_violations > 0
                        || !found.integrity_ok
                    {
                        figures.bad += 1;
                        figures.first_problem.get_or_insert_with(|| {
                            format!(
                                "backup {}: {missing} acknowledged contributions missing, partial {}, fk {}, integrity ok {}",
                                figures.taken, found.partial, found.foreign_key_violations, found.integrity_ok
                            )
                        });
                    }
                    let _ = std::fs::remove_file(&file);
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        figures
    })
    })
}

/// What the database holds after a kill.
struct Found {
    integrity_ok: bool,
    foreign_key_violations: i64,
    contributions: HashSet<String>,
    thanks: HashMap<String, i64>,
    /// Thanked rows with part of the thanks missing (a torn UPDATE).
    partial: i64,
}

async fn inspect(url: &str) -> Found {
    const IDS: &str = "SELECT id FROM contributions";
    const THANKS: &str = "SELECT id, value FROM contributions WHERE value IS NOT NULL";
    const PARTIAL: &str = "SELECT COUNT(*) FROM contributions \
        WHERE (value IS NULL) <> (acknowledged_at IS NULL) \
           OR (value IS NULL) <> (thanks_note IS NULL)";
    // Rows whose parents are gone (PostgreSQL enforces this itself; the
    // query is the same on both engines).
    const ORPHANS: &str = "SELECT COUNT(*) FROM contributions c \
        WHERE NOT EXISTS (SELECT 1 FROM relationships r WHERE r.id = c.relationship_id) \
           OR NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = c.giver_id) \
           OR NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = c.receiver_id)";
    if is_sqlite(url) {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("reopen");
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .expect("integrity_check");
        let fk = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut conn)
            .await
            .expect("foreign_key_check")
            .len() as i64;
        let orphans: i64 = sqlx::query_scalar(ORPHANS)
            .fetch_one(&mut conn)
            .await
            .expect("orphans");
        let found = Found {
            integrity_ok: integrity == ["ok"],
            foreign_key_violations: fk + orphans,
            contributions: sqlx::query_scalar(IDS)
                .fetch_all(&mut conn)
                .await
                .expect("ids")
                .into_iter()
                .collect(),
            thanks: sqlx::query_as(THANKS)
                .fetch_all(&mut conn)
                .await
                .expect("thanks")
                .into_iter()
                .collect(),
            partial: sqlx::query_scalar(PARTIAL)
                .fetch_one(&mut conn)
                .await
                .expect("partial"),
        };
        let _ = conn.close().await;
        found
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("reconnect");
        let ids: Vec<String> = sqlx::query_scalar("SELECT id::text FROM contributions")
            .fetch_all(&mut conn)
            .await
            .expect("ids");
        let thanks: Vec<(String, i64)> = sqlx::query_as(
            "SELECT id::text, value::int8 FROM contributions WHERE value IS NOT NULL",
        )
        .fetch_all(&mut conn)
        .await
        .expect("thanks");
        let found = Found {
            // No file to check: PostgreSQL keeps its own WAL and survives.
            integrity_ok: true,
            foreign_key_violations: sqlx::query_scalar(ORPHANS)
                .fetch_one(&mut conn)
                .await
                .expect("orphans"),
            contributions: ids.into_iter().collect(),
            thanks: thanks.into_iter().collect(),
            partial: sqlx::query_scalar(PARTIAL)
                .fetch_one(&mut conn)
                .await
                .expect("partial"),
        };
        let _ = conn.close().await;
        found
    }
}

async fn kill_nine_loses_no_acknowledged_write(url: &str, engine: &str) {
    let kills: u64 = env_or("RECIPROCITY_CRASH_KILLS", 30);
    let max_ms: u64 = env_or("RECIPROCITY_CRASH_MAX_MS", 400);
    let seed: u64 = env_or("RECIPROCITY_CRASH_SEED", 0x5EED_0013);
    let mut rng = Rng::new(seed ^ u64::from(engine == "postgres"));
    let started = Instant::now();

    let mut server = Server::start(url).await;
    let couple = couple(&server.base(), engine).await;
    let acks = Arc::new(Mutex::new(Acks::default()));
    let counters = Arc::new(Counters::default());
    let writers = start_writers(&couple, &acks, &counters);
    let live = Arc::new(AtomicBool::new(true));
    let checkpointer = is_sqlite(url)
        .then(|| start_checkpointer(url.to_owned(), live.clone(), writers.stop.clone()));
    let backups = start_backups(url.to_owned(), acks.clone(), writers.stop.clone());

    let (mut lost, mut partial, mut integrity_failures, mut fk_failures) =
        (0usize, 0i64, 0u64, 0i64);
    let mut unacknowledged_present = 0usize;
    let mut first_problem: Option<String> = None;
    for kill in 0..kills {
        tokio::time::sleep(Duration::from_millis(rng.below(max_ms + 1))).await;
        server.kill9();
        live.store(false, Ordering::Relaxed);
        // Everything acknowledged so far came from a server that committed it.
        let (acked, thanked) = {
            let acks = acks.lock().expect("acks");
            (acks.contributions.clone(), acks.thanks.clone())
        };
        let found = inspect(url).await;
        let missing: Vec<&String> = acked
            .iter()
            .filter(|id| !found.contributions.contains(*id))
            .collect();
        let wrong_thanks: Vec<&(String, i64)> = thanked
            .iter()
            .filter(|(id, value)| found.thanks.get(id) != Some(value))
            .collect();
        lost += missing.len() + wrong_thanks.len();
        partial += found.partial;
        fk_failures += found.foreign_key_violations;
        integrity_failures += u64::from(!found.integrity_ok);
        unacknowledged_present = found.contributions.len().saturating_sub(acked.len());
        if first_problem.is_none()
            && (!missing.is_empty()
                || !wrong_thanks.is_empty()
                || found.partial > 0
                || !found.integrity_ok
                || found.foreign_key_violations > 0)
        {
            first_problem = Some(format!(
                "kill {kill}: missing {missing:?}, wrong thanks {wrong_thanks:?}, partial {}, integrity ok {}, fk {}",
                found.partial, found.integrity_ok, found.foreign_key_violations
            ));
        }
        server.restart().await;
        live.store(true, Ordering::Relaxed);
    }
    writers.stop.store(true, Ordering::Relaxed);
    for task in writers.tasks {
        task.await.expect("writer");
    }
    let checkpoints = match checkpointer {
        Some(task) => task.await.expect("checkpointer"),
        None => 0,
    };
    let backups = backups.join().expect("backups");
    server.stop();
    let acks = acks.lock().expect("acks");
    let summary = json!({
        "harness": "crash_kill9",
        "engine": engine,
        "synchronous": if engine == "sqlite" { "FULL" } else { "postgres defaults" },
        "seed": seed,
        "kills": kills,
        "max_ms_between_kills": max_ms,
        "requests_sent": counters.sent.load(Ordering::Relaxed),
        "acknowledged_writes": acks.contributions.len() + acks.thanks.len(),
        "acknowledged_contributions": acks.contributions.len(),
        "acknowledged_thanks": acks.thanks.len(),
        "lost": lost,
        "partial": partial,
        "integrity_failures": integrity_failures,
        "foreign_key_failures": fk_failures,
        "committed_without_acknowledgment": unacknowledged_present,
        "server_5xx": counters.server_errors.load(Ordering::Relaxed),
        "refused_while_down": counters.refused.load(Ordering::Relaxed),
        "forced_checkpoints": checkpoints,
        "online_backups": backups.taken,
        "online_backups_failed": backups.failed,
        "online_backups_bad": backups.bad,
        "seconds": started.elapsed().as_secs_f64(),
    });
    println!("{summary}");
    assert!(
        first_problem.is_none(),
        "{summary}\nfirst problem: {first_problem:?}"
    );
    assert!(
        backups.first_problem.is_none() && backups.taken > 0,
        "{summary}\nfirst backup problem: {:?}",
        backups.first_problem
    );
    assert!(
        acks.contributions.len() as u64 >= kills,
        "the writers got too little through to mean anything: {summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_kill_nine_with_every_acknowledged_write() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    kill_nine_loses_no_acknowledged_write(&url, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_app_survives_kill_nine_with_every_acknowledged_write() {
    let Some(db) = support::postgres().await else {
        return;
    };
    kill_nine_loses_no_acknowledged_write(&db.url, "postgres").await;
}
