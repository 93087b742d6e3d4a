//! The conformance story on SQLite and on PostgreSQL.

use store_conformance::story;
use store_conformance::testdb::{Engine, TestDb};

#[tokio::test]
async fn every_store_method_behaves_the_same_on_sqlite() {
    let db = TestDb::new(Engine::Sqlite)
        .await
        .expect("SQLite is always available");
    story::run(db.store.as_ref()).await;
}

#[tokio::test]
async fn every_store_method_behaves_the_same_on_postgres() {
    let Some(db) = TestDb::new(Engine::Postgres).await else {
        return;
    };
    story::run(db.store.as_ref()).await;
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
