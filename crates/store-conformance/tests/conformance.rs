//! The conformance story on SQLite and on PostgreSQL: one test per chapter
//! and engine, each on a fresh database, so the first failure does not hide
//! the rest.
//!
//! SQLite is always there. PostgreSQL fails its tests when unreachable,
//! unless `RECIPROCITY_SKIP_POSTGRES=1` (never under `CI=true`) asks to skip
//! them; see `store_conformance::testdb`.

use store_conformance::story;
use store_conformance::testdb::{Engine, TestDb};

async fn sqlite() -> TestDb {
    TestDb::new(Engine::Sqlite)
        .await
        .expect("SQLite is always available")
}

#[tokio::test]
async fn accounts_on_sqlite() {
    let db = sqlite().await;
    story::accounts(db.store.as_ref()).await;
}

#[tokio::test]
async fn accounts_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::accounts(db.store.as_ref()).await;
}

#[tokio::test]
async fn server_secrets_on_sqlite() {
    let db = sqlite().await;
    story::server_secrets(db.store.as_ref()).await;
}

#[tokio::test]
async fn server_secrets_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::server_secrets(db.store.as_ref()).await;
}

#[tokio::test]
async fn sessions_and_tokens_on_sqlite() {
    let db = sqlite().await;
    story::sessions_and_tokens(db.store.as_ref()).await;
}

#[tokio::test]
async fn sessions_and_tokens_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::sessions_and_tokens(db.store.as_ref()).await;
}

#[tokio::test]
async fn relationships_on_sqlite() {
    let db = sqlite().await;
    story::relationships(db.store.as_ref()).await;
}

#[tokio::test]
async fn relationships_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::relationships(db.store.as_ref()).await;
}

#[tokio::test]
async fn ledger_on_sqlite() {
    let db = sqlite().await;
    story::ledger(db.store.as_ref()).await;
}

#[tokio::test]
async fn ledger_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::ledger(db.store.as_ref()).await;
}

#[tokio::test]
async fn sealed_rounds_on_sqlite() {
    let db = sqlite().await;
    story::sealed_rounds(db.store.as_ref()).await;
}

#[tokio::test]
async fn sealed_rounds_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::sealed_rounds(db.store.as_ref()).await;
}

#[tokio::test]
async fn rules_in_writes_on_sqlite() {
    let db = sqlite().await;
    story::rules_in_writes(db.store.as_ref()).await;
}

#[tokio::test]
async fn rules_in_writes_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::rules_in_writes(db.store.as_ref()).await;
}

#[tokio::test]
async fn migrations_can_run_twice() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(db) = TestDb::new(engine).await else {
            continue;
        };
        db.store
            .migrate()
            .await
            .expect("second migration is a no-op");
    }
}

#[tokio::test]
async fn account_control_on_sqlite() {
    let db = sqlite().await;
    story::account_control(db.store.as_ref()).await;
}

#[tokio::test]
async fn account_control_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::account_control(db.store.as_ref()).await;
}

#[tokio::test]
async fn keys_and_access_log_on_sqlite() {
    let db = sqlite().await;
    story::keys_and_access_log(db.store.as_ref()).await;
}

#[tokio::test]
async fn keys_and_access_log_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::keys_and_access_log(db.store.as_ref()).await;
}

#[tokio::test]
async fn reflections_on_sqlite() {
    let db = sqlite().await;
    story::reflections(db.store.as_ref()).await;
}

#[tokio::test]
async fn reflections_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::reflections(db.store.as_ref()).await;
}

#[tokio::test]
async fn deletion_on_sqlite() {
    let db = sqlite().await;
    story::deletion(db.store.as_ref()).await;
}

#[tokio::test]
async fn deletion_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::deletion(db.store.as_ref()).await;
}

// Two-factor
#[tokio::test]
async fn two_factor_on_sqlite() {
    let db = sqlite().await;
    story::two_factor(db.store.as_ref()).await;
}

#[tokio::test]
async fn two_factor_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::two_factor(db.store.as_ref()).await;
}

#[tokio::test]
async fn round_proposals_on_sqlite() {
    let db = sqlite().await;
    story::round_proposals(db.store.as_ref()).await;
}

#[tokio::test]
async fn round_proposals_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::round_proposals(db.store.as_ref()).await;
}
