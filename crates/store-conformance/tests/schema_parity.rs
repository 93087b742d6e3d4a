//! Both migration sets build the same schema: the same tables, and in each
//! table the same columns with the same nullability. Types are left out on
//! purpose: the engines name them differently (TEXT/INTEGER against
//! TEXT/BIGINT/BOOLEAN), and the conformance story checks that they hold
//! the same values.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Connection;
use store_conformance::testdb::{Engine, TestDb};

/// Table name → column name → nullable.
type Schema = BTreeMap<String, BTreeMap<String, bool>>;

/// sqlx's own bookkeeping, which each driver shapes its own way.
const IGNORED: &[&str] = &["_sqlx_migrations"];

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = sqlx::SqliteConnection::connect(url)
        .await
        .expect("open the SQLite database");
    // A non-INTEGER PRIMARY KEY column admits NULL in SQLite only by a
    // historical accident; it is meant as NOT NULL, as on PostgreSQL.
    let rows: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT m.name, c.name, c.\"notnull\" = 0 AND c.pk = 0 \
         FROM sqlite_master m, pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("read the SQLite schema");
    collect(rows)
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("connect to the PostgreSQL database");
    let rows: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT), is_nullable = 'YES' \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(&mut conn)
    .await
    .expect("read the PostgreSQL schema");
    collect(rows)
}

fn collect(rows: Vec<(String, String, bool)>) -> Schema {
    let mut schema = Schema::new();
    for (table, column, nullable) in rows {
        if !IGNORED.contains(&table.as_str()) {
            schema.entry(table).or_default().insert(column, nullable);
        }
    }
    schema
}

/// Every difference, one line each, sorted by table and column; empty when
/// the schemas agree.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let nullability = |nullable: bool| if nullable { "NULL" } else { "NOT NULL" };
    let tables: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    let mut out = Vec::new();
    for table in tables {
        let (s, p) = match (sqlite.get(table), postgres.get(table)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("table {table}: only on SQLite"));
                continue;
            }
            _ => {
                out.push(format!("table {table}: only on PostgreSQL"));
                continue;
            }
        };
        let columns: BTreeSet<&String> = s.keys().chain(p.keys()).collect();
        for column in columns {
            match (s.get(column), p.get(column)) {
                (Some(_), None) => {
                    out.push(format!("table {table}: column {column} only on SQLite"))
                }
                (None, Some(_)) => {
                    out.push(format!("table {table}: column {column} only on PostgreSQL"))
                }
                (Some(a), Some(b)) if a != b => out.push(format!(
                    "table {table}: column {column} is {} on SQLite, {} on PostgreSQL",
                    nullability(*a),
                    nullability(*b)
                )),
                _ => {}
            }
        }
    }
    out
}

#[tokio::test]
async fn both_migration_sets_build_the_same_tables_and_columns() {
    let sqlite = TestDb::new(Engine::Sqlite)
        .await
        .expect("SQLite is always available");
    let Some(postgres) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    let s = sqlite_schema(&sqlite.url).await;
    let p = postgres_schema(&postgres.url).await;
    assert!(!s.is_empty(), "no tables found on SQLite");
    let diff = differences(&s, &p);
    assert!(
        diff.is_empty(),
        "the SQLite and PostgreSQL schemas differ:\n  {}",
        diff.join("\n  ")
    );
}

#[test]
fn differences_are_named() {
    let schema = |tables: &[(&str, &[(&str, bool)])]| -> Schema {
        tables
            .iter()
            .map(|(t, cols)| {
                let cols = cols.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect();
                ((*t).to_owned(), cols)
            })
            .collect()
    };
    let s = schema(&[("a", &[("id", false), ("x", true)]), ("s_only", &[])]);
    let p = schema(&[("a", &[("id", true), ("y", true)]), ("p_only", &[])]);
    assert_eq!(
        differences(&s, &p),
        [
            "table a: column id is NOT NULL on SQLite, NULL on PostgreSQL",
            "table a: column x only on SQLite",
            "table a: column y only on PostgreSQL",
            "table p_only: only on PostgreSQL",
            "table s_only: only on SQLite",
        ]
    );
    assert!(differences(&s, &s).is_empty());
}
