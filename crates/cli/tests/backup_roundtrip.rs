//! R42 in SECURITY.md: a backup restores, row for row, into a fresh
//! database, on both engines, and across them.
//!
//! Realistic data is seeded through the API of the real server (accounts, a
//! relationship, contributions with thanks, preferences, sealed values and
//! conversation rounds with notes, reflections, agreements, respect areas, a token, an open
//! invitation, an operator's reset link); `reciprocity backup FILE` copies
//! it while the server runs, `reciprocity restore FILE` puts it into a new
//! database, and the comparison takes its tables from the schema itself (so
//! a table added later is compared without anyone touching this file). The
//! comparison is first shown to see a single changed row. Each test prints
//! one JSON line (`-- --nocapture`).

mod support;

use std::path::Path;
use std::process::Output;
use std::time::Instant;

use serde_json::{json, Value};
use support::{binary, couple, differences, dump, is_sqlite, Person, Server};

/// Everything a couple and a stranger can write through the API.
async fn seed(base: &str) -> usize {
    let c = couple(base, "seed").await;
    let (ada, bo, r) = (&c.ada, &c.bo, &c.r);
    let mut writes = 0;
    let contributions = format!("{r}/contributions");
    let mut ids = Vec::new();
    for (i, (p, domain)) in [
        (ada, "household_labor"),
        (bo, "emotional_support"),
        (ada, "planning"),
        (bo, "money_and_goods"),
        (ada, "parenting"),
        (bo, "household_labor"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({"domain": domain, "description": format!("entry {i}: ünïcode ✓, 'quotes', \"more\""),
            "effort": 1 + i % 5, "minutes": 10 * (i + 1)});
        ids.push((i, p.expect(&contributions, &body, 201).await["id"].clone()));
        writes += 1;
    }
    // Each thanks the other's first two.
    for (i, id) in &ids[..4] {
        let thanker = if i % 2 == 0 { bo } else { ada };
        thanker
            .expect(
                &format!(
                    "{contributions}/{}/acknowledgment",
                    id.as_str().expect("id")
                ),
                &json!({"value": 1 + i % 5, "note": format!("thanks {i}")}),
                200,
            )
            .await;
        writes += 1;
    }
    ada.expect(
        &contributions,
        &json!({"domain": "planning", "description": "you booked the tickets", "effort": 2,
            "for_partner": true, "value": 5, "note": "that meant a lot"}),
        201,
    )
    .await;
    for p in [ada, bo] {
        p.expect_put(
            &format!("{r}/preferences"),
            &json!({"show_numbers": true}),
            200,
        )
        .await;
        writes += 1;
    }

    // Values: both answer every item and submit; the round is compared.
    let items = ada.get_json(&format!("{r}/values/items")).await;
    let keys: Vec<String> = items["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_owned())
        .collect();
    for (p, mark) in [(ada, "ada"), (bo, "bo")] {
        let answers: Vec<Value> = keys
            .iter()
            .enumerate()
            .map(|(n, k)| json!({"item": k, "importance": 1 + n % 5, "definition": format!("{mark}: {k}")}))
            .collect();
        p.expect_put(
            &format!("{r}/values/answers"),
            &json!({ "answers": answers }),
            200,
        )
        .await;
        p.expect(&format!("{r}/values/submit"), &json!({}), 200)
            .await;
        writes += 2;
    }
    ada.get_json(&format!("{r}/values/comparison")).await;

    // Respect: an area of each one's own.
    for (p, name) in [(ada, "Music"), (bo, "Hiking")] {
        p.expect(&format!("{r}/respect/areas"), &json!({ "name": name }), 201)
            .await;
        writes += 1;
    }

    // A conversation: both answer and submit, then each keeps a note.
    let deck = format!("{r}/conversations/defining_love");
    let prompt = ada.get_json(&deck).await["prompts"][0]["key"]
        .as_str()
        .expect("prompt")
        .to_owned();
    for (p, mark) in [(ada, "ada"), (bo, "bo")] {
        p.expect_put(
            &format!("{deck}/answers"),
            &json!({"answers": [{"prompt": prompt, "text": format!("{mark} answer")}]}),
            200,
        )
        .await;
        p.expect(&format!("{deck}/submit"), &json!({}), 200).await;
        writes += 2;
    }
    for (p, mark) in [(ada, "ada"), (bo, "bo")] {
        p.expect(
            &format!("{deck}/notes"),
            &json!({"text": format!("{mark} note")}),
            201,
        )
        .await;
        writes += 1;
    }

    // A private reflection each (sealed with its author's key).
    for (p, mark) in [(ada, "ada"), (bo, "bo")] {
        p.expect(
            &format!("{r}/reflections"),
            &json!({"text": format!("{mark} reflection"), "prompt": "noticed_today"}),
            201,
        )
        .await;
        writes += 1;
    }

    // An agreement: Ada proposes, Bo counters, Ada declines with a reason
    // (sealed words in versions and moves), and links Bo's last entry.
    let a = format!("{r}/agreements");
    let aid = ada
        .expect(
            &a,
            &json!({"domain": "household_labor", "title": "Chores", "terms": "ada terms ✓"}),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    bo.expect(
        &format!("{a}/{aid}/counter"),
        &json!({"terms": "bo terms"}),
        200,
    )
    .await;
    ada.expect(
        &format!("{a}/{aid}/decline"),
        &json!({"version": 2, "reason": "not this week"}),
        200,
    )
    .await;
    let last = ids.last().expect("entries").1.clone();
    ada.expect(
        &format!("{a}/{aid}/contributions"),
        &json!({ "contribution_id": last }),
        200,
    )
    .await;
    writes += 4;

    // A token for scripts, and a stranger waiting for a partner.
    ada.expect(
        "/api/v1/tokens",
        &json!({"name": "backup script", "password": support::PASSWORD}),
        201,
    )
    .await;
    let cy = Person::new(base);
    cy.sign_up_and_in("cy@example.org", "Cy").await;
    cy.expect("/api/v1/relationships", &json!({}), 201).await;
    writes + 3
}

/// An operator's reset link for Cy (the `password_resets` table), made the
/// way an operator makes one.
fn operator_reset_link(url: &str) {
    let out = binary()
        .args([
            "admin",
            "reset-password",
            "cy@example.org",
            "--database",
            url,
        ])
        .output()
        .expect("run admin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The tables with no row after seeding: places the seed does not reach.
fn empty_tables(d: &std::collections::BTreeMap<String, Vec<String>>) -> Vec<&String> {
    d.iter()
        .filter(|(_, rows)| rows.is_empty())
        .map(|(t, _)| t)
        .collect()
}

async fn the_comparison_sees_every_table_and_a_single_changed_row(url: &str, engine: &str) {
    let started = Instant::now();
    let mut server = Server::start(url).await;
    let writes = seed(&server.base()).await;
    operator_reset_link(url);
    server.stop();

    let before = dump(url).await;
    let again = dump(url).await;
    assert!(
        differences(&before, &again).is_empty(),
        "a dump is deterministic"
    );
    for table in [
        "accounts",
        "contributions",
        "sealed_rounds",
        "sealed_sides",
        "security_events",
        "reflections",
        "agreements",
        "agreement_versions",
        "agreement_events",
        "agreement_links",
        "_sqlx_migrations",
    ] {
        assert!(
            before.get(table).is_some_and(|rows| !rows.is_empty()),
            "{table} seeded and dumped"
        );
    }

    // One thanks note changed: exactly that row differs, both ways.
    let changed = "UPDATE contributions SET thanks_note = 'changed' WHERE id = \
        (SELECT id FROM contributions WHERE thanks_note IS NOT NULL ORDER BY id LIMIT 1)";
    execute(url, changed).await;
    let after = dump(url).await;
    let diff = differences(&before, &after);
    assert_eq!(diff.len(), 2, "{diff:#?}");
    assert!(
        diff.iter()
            .all(|d| d.starts_with("contributions: only in the")),
        "{diff:#?}"
    );

    let rows: usize = before.values().map(Vec::len).sum();
    println!(
        "{}",
        json!({
            "harness": "backup_restore_comparison",
            "engine": engine,
            "api_writes": writes,
            "tables": before.len(),
            "rows": rows,
            "tables_left_empty_by_the_seed": empty_tables(&before),
            "single_row_change_detected": diff.len() == 2,
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
}

async fn execute(url: &str, statement: &str) {
    use sqlx::Connection;
    if is_sqlite(url) {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open");
        sqlx::query(statement)
            .execute(&mut conn)
            .await
            .expect("sql");
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("open");
        sqlx::query(statement)
            .execute(&mut conn)
            .await
            .expect("sql");
    }
}

/// API.md's contract: `reciprocity backup FILE` from a live server's
/// database, `reciprocity restore FILE` into a fresh one, then every table
/// equal row for row. The backup file is its owner's alone (R42).
async fn backup_then_restore_gives_back_every_row(url: &str, fresh_url: &str, engine: &str) {
    let started = Instant::now();
    let mut server = Server::start(url).await;
    seed(&server.base()).await;
    operator_reset_link(url);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("reciprocity.backup");
    // Online: the server is still running.
    succeeded(run("backup", url, &file));
    server.stop();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("backup file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the backup is its owner's alone");
    }
    let backup_done = started.elapsed();
    succeeded(run("restore", fresh_url, &file));
    let diff = differences(&dump(url).await, &dump(fresh_url).await);
    println!(
        "{}",
        json!({
            "harness": "backup_restore",
            "engine": engine,
            "table_mismatches": diff.len(),
            "backup_bytes": std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0),
            "restore_s": (started.elapsed() - backup_done).as_secs_f64(),
        })
    );
    assert!(diff.is_empty(), "{diff:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_comparison_sees_every_table_and_a_single_changed_row() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("seeded.db").display());
    the_comparison_sees_every_table_and_a_single_changed_row(&url, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_comparison_sees_every_table_and_a_single_changed_row() {
    let Some(db) = support::postgres().await else {
        return;
    };
    the_comparison_sees_every_table_and_a_single_changed_row(&db.url, "postgres").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_then_restore_gives_back_every_row() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let fresh = format!("sqlite://{}", dir.path().join("restored.db").display());
    backup_then_restore_gives_back_every_row(&url, &fresh, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_then_restore_gives_back_every_row() {
    let (Some(live), Some(fresh)) = (support::postgres().await, support::postgres().await) else {
        return;
    };
    // A migrated, empty database: what an operator restores into.
    backup_then_restore_gives_back_every_row(&live.url, &fresh.url, "postgres").await;
}

/// `reciprocity backup|restore --database URL FILE`.
fn run(subcommand: &str, url: &str, file: &Path) -> Output {
    binary()
        .args([subcommand, "--database", url])
        .arg(file)
        .output()
        .expect("run reciprocity")
}

/// Its standard output, after checking it succeeded.
fn succeeded(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Its error message, after checking it failed.
fn failed(out: Output) -> String {
    assert!(
        !out.status.success(),
        "should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// SQLite to PostgreSQL (`reciprocity export` / `import`, what an operator
/// moving to a provider's engine runs) and back (`backup` / `restore`):
/// nothing is lost, and on the new engine a person signs in with their
/// password and reads their sealed words (the wrapped keys moved with them).
/// Also: an import refuses a database that already holds data, on
/// PostgreSQL, and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres_and_back_keeps_every_row() {
    let Some(pg) = support::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let live = format!("sqlite://{}", dir.path().join("live.db").display());
    let back = format!("sqlite://{}", dir.path().join("back.db").display());
    let mut server = Server::start(&live).await;
    seed(&server.base()).await;
    operator_reset_link(&live);
    server.stop();

    let from_sqlite = dir.path().join("from-sqlite.backup");
    let from_postgres = dir.path().join("from-postgres.backup");
    let said = succeeded(run("export", &live, &from_sqlite));
    assert!(said.starts_with("backed up "), "{said}");
    succeeded(run("import", &pg.url, &from_sqlite));
    let in_postgres = dump(&pg.url).await;
    let again = failed(run("import", &pg.url, &from_sqlite));
    assert!(again.contains("already holds data"), "{again}");
    assert!(
        differences(&in_postgres, &dump(&pg.url).await).is_empty(),
        "a refused restore writes nothing"
    );
    succeeded(run("backup", &pg.url, &from_postgres));
    succeeded(run("restore", &back, &from_postgres));

    let (before, after) = (dump(&live).await, dump(&back).await);
    let rows: usize = before.values().map(Vec::len).sum();
    let diff = differences(&before, &after);
    println!(
        "{}",
        json!({"harness": "backup_restore", "engine": "sqlite->postgres->sqlite",
               "rows": rows, "table_mismatches": diff.len()})
    );
    assert!(diff.is_empty(), "{diff:#?}");
    // Same row counts in PostgreSQL, table by table.
    for (table, rows) in &before {
        assert_eq!(
            in_postgres.get(table).map(Vec::len),
            Some(rows.len()),
            "{table} in PostgreSQL"
        );
    }
    // Last, as it writes (a session, a security event): on PostgreSQL a
    // person signs in and reads their words.
    let mut moved = Server::start(&pg.url).await;
    let ada = Person::new(&moved.base());
    ada.expect(
        "/api/v1/session",
        &json!({"email": "ada.seed@example.org", "password": support::PASSWORD}),
        200,
    )
    .await;
    let memberships = ada.get_json("/api/v1/me").await;
    let rel = memberships["relationships"][0]["id"]
        .as_str()
        .expect("a relationship")
        .to_owned();
    let entries = ada
        .get_json(&format!("/api/v1/relationships/{rel}/contributions"))
        .await;
    assert!(
        entries.to_string().contains("entry 0: ünïcode"),
        "sealed words open on the new engine: {entries}"
    );
    moved.stop();
}

/// What an operator can get wrong, each refused with a message that says
/// what to do, and nothing overwritten or half-written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mistakes_are_refused_plainly_and_change_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let live = format!("sqlite://{}", dir.path().join("live.db").display());
    let mut server = Server::start(&live).await;
    seed(&server.base()).await;
    server.stop();
    let file = dir.path().join("ok.backup");
    succeeded(run("backup", &live, &file));

    // A backup never overwrites a file.
    let kept = std::fs::read(&file).expect("backup");
    let message = failed(run("backup", &live, &file));
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(std::fs::read(&file).expect("backup"), kept);

    // A database that is not there: no backup file is left behind.
    let missing = format!("sqlite://{}", dir.path().join("nowhere.db").display());
    let orphan = dir.path().join("orphan.backup");
    let message = failed(run("backup", &missing, &orphan));
    assert!(message.contains("there is no database at"), "{message}");
    assert!(!orphan.exists(), "a failed backup leaves no file");

    // Restoring into a database that holds data: refused, nothing changes.
    let before = dump(&live).await;
    let message = failed(run("restore", &live, &file));
    assert!(message.contains("already holds data"), "{message}");
    assert!(differences(&before, &dump(&live).await).is_empty());

    // Files that are not (finished) backups.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all").expect("write");
    let live_file = dir.path().join("live.db");
    let absent = dir.path().join("absent.backup");
    for (path, why) in [
        (&file, "same file"),
        (&text, "not a Reciprocity backup"),
        (&live_file, "did not finish"),
        (&absent, "no such file"),
    ] {
        let target = if path == &file {
            format!("sqlite://{}", file.display())
        } else {
            format!("sqlite://{}", dir.path().join("target.db").display())
        };
        let message = failed(run("restore", &target, path));
        assert!(message.contains(why), "{}: {message}", path.display());
    }

    // A backup from another schema version.
    let other = dir.path().join("other.backup");
    std::fs::copy(&file, &other).expect("copy");
    let other_url = format!("sqlite://{}", other.display());
    execute(
        &other_url,
        "UPDATE reciprocity_backup SET schema_version = 999",
    )
    .await;
    let target = format!("sqlite://{}", dir.path().join("target2.db").display());
    let message = failed(run("restore", &target, &other));
    assert!(
        message.contains("schema version 999") && message.contains("reciprocity migrate"),
        "{message}"
    );
}

/// Two restores of one backup into one new database at the same moment:
/// the rule (one restore into an empty database) holds at the write, by a
/// lock, so exactly one lands, whole, and the other is refused plainly.
async fn two_restores_at_once_land_once(url: &str, target: &str) {
    let dir = tempfile::tempdir().expect("dir");
    let mut server = Server::start(url).await;
    seed(&server.base()).await;
    server.stop();
    let file = dir.path().join("race.backup");
    succeeded(run("backup", url, &file));
    // Migrated first, so the race is over the data, not the schema.
    succeeded(
        binary()
            .args(["migrate", "--database", target])
            .output()
            .expect("migrate"),
    );
    let start = || {
        binary()
            .args(["restore", "--database", target])
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn restore")
    };
    let (first, second) = (start(), start());
    let outputs = [
        first.wait_with_output().expect("first"),
        second.wait_with_output().expect("second"),
    ];
    let won = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "exactly one restore lands");
    let loser = outputs
        .into_iter()
        .find(|o| !o.status.success())
        .expect("a loser");
    let message = String::from_utf8_lossy(&loser.stderr);
    assert!(message.contains("already holds data"), "{message}");
    let diff = differences(&dump(url).await, &dump(target).await);
    assert!(diff.is_empty(), "{diff:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_two_restores_at_once_land_once() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let target = format!("sqlite://{}", dir.path().join("target.db").display());
    two_restores_at_once_land_once(&url, &target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_restores_at_once_land_once() {
    let (Some(live), Some(target)) = (support::postgres().await, support::postgres().await) else {
        return;
    };
    two_restores_at_once_land_once(&live.url, &target.url).await;
}
