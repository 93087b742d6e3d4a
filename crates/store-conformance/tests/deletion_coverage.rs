//! Deletion covers the whole schema (SECURITY.md R38): every column that
//! refers to an account, read from the schema each engine builds, is named
//! in `store::deletion::ACCOUNT_REFERENCES`; and for each table whose rows
//! survive a deletion, every column is placed as scrubbed or kept. A
//! migration that adds an account reference, or a column to such a row
//! (an encryption key, say), fails here until deletion says what becomes of
//! it.

use std::collections::BTreeSet;

use sqlx::Connection;
use store::deletion::{Rows, ACCOUNT_REFERENCES, UNCONSTRAINED_ACCOUNT_REFERENCES};
use store_conformance::testdb::{Engine, TestDb};

/// `(table, column)` pairs with a foreign key to `accounts`.
async fn references(db: &TestDb) -> BTreeSet<(String, String)> {
    let rows: Vec<(String, String)> = match db.engine {
        Engine::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("open SQLite");
            sqlx::query_as(
                "SELECT m.name, f.\"from\" FROM sqlite_master m, \
                 pragma_foreign_key_list(m.name) f \
                 WHERE m.type = 'table' AND f.\"table\" = 'accounts'",
            )
            .fetch_all(&mut conn)
            .await
            .expect("read foreign keys")
        }
        Engine::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
            sqlx::query_as(
                "SELECT CAST(t.relname AS TEXT), CAST(a.attname AS TEXT) \
                 FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
                 WHERE c.contype = 'f' AND c.confrelid = CAST('accounts' AS regclass)",
            )
            .fetch_all(&mut conn)
            .await
            .expect("read foreign keys")
        }
    };
    rows.into_iter().collect()
}

/// The columns of `table`.
async fn columns(db: &TestDb, table: &str) -> BTreeSet<String> {
    let rows: Vec<(String,)> = match db.engine {
        Engine::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("open SQLite");
            sqlx::query_as("SELECT name FROM pragma_table_info($1)")
                .bind(table)
                .fetch_all(&mut conn)
                .await
                .expect("read columns")
        }
        Engine::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
            sqlx::query_as(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .expect("read columns")
        }
    };
    rows.into_iter().map(|(c,)| c).collect()
}

async fn deletion_names_every_account_reference_and_every_kept_column(db: TestDb) {
    let mut in_schema = references(&db).await;
    assert!(
        in_schema.contains(&("sessions".to_owned(), "account_id".to_owned())),
        "the schema's foreign keys were read: {in_schema:?}"
    );
    // Account ids held without a foreign key: each must still be a column.
    for (table, column) in UNCONSTRAINED_ACCOUNT_REFERENCES {
        assert!(
            columns(&db, table).await.contains(*column),
            "store::deletion::UNCONSTRAINED_ACCOUNT_REFERENCES names {table}.{column}, \
             which the schema no longer has"
        );
        in_schema.insert(((*table).to_owned(), (*column).to_owned()));
    }
    // `accounts.id` is the tombstone itself, not a reference to it.
    let named: BTreeSet<(String, String)> = ACCOUNT_REFERENCES
        .iter()
        .filter(|r| r.table != "accounts")
        .map(|r| (r.table.to_owned(), r.column.to_owned()))
        .collect();
    let unhandled: Vec<_> = in_schema.difference(&named).collect();
    assert!(
        unhandled.is_empty(),
        "columns referring to an account that deleting an account does not handle \
         (add each to store::deletion::ACCOUNT_REFERENCES and its statements): {unhandled:?}"
    );
    let stale: Vec<_> = named.difference(&in_schema).collect();
    assert!(
        stale.is_empty(),
        "store::deletion::ACCOUNT_REFERENCES names columns the schema no longer has: {stale:?}"
    );
    assert_eq!(ACCOUNT_REFERENCES[0].table, "accounts");
    for reference in ACCOUNT_REFERENCES {
        let Rows::Kept { scrubbed, kept } = reference.rows else {
            continue;
        };
        let placed: BTreeSet<String> = scrubbed
            .iter()
            .chain(kept)
            .map(|c| (*c).to_owned())
            .collect();
        let actual = columns(&db, reference.table).await;
        assert_eq!(
            placed, actual,
            "{}: rows that survive a deletion must place every column as scrubbed or kept \
             in store::deletion::ACCOUNT_REFERENCES (a new key column: scrubbed, and set \
             NULL by the deletion)",
            reference.table
        );
    }
}

#[tokio::test]
async fn sqlite_deletion_names_every_account_reference_and_every_kept_column() {
    let db = TestDb::new(Engine::Sqlite)
        .await
        .expect("SQLite is always available");
    deletion_names_every_account_reference_and_every_kept_column(db).await;
}

#[tokio::test]
async fn postgres_deletion_names_every_account_reference_and_every_kept_column() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    deletion_names_every_account_reference_and_every_kept_column(db).await;
}
