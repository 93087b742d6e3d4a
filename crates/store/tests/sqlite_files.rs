//! The SQLite files on disk are their owner's alone: the database and its
//! `-wal` and `-shm` companions have mode 0600 whatever the umask.
#![cfg(all(unix, feature = "sqlite"))]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use domain::store::Store;
use store::sqlite::SqliteStore;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn companions(db: &Path) -> [std::path::PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        name.into()
    };
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

#[tokio::test]
async fn a_new_database_and_its_wal_files_are_readable_by_their_owner_only() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("new.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open");
    // Migrations write, so the WAL holds pages.
    store.migrate().await.expect("migrate");
    for file in companions(&db) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[tokio::test]
async fn files_left_readable_by_an_earlier_version_are_tightened_on_open() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("old.db");
    let url = format!("sqlite://{}", db.display());
    let store = SqliteStore::connect(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    let files = companions(&db);
    // As an earlier version left them, while still open (the -wal and -shm
    // exist only then).
    for file in &files {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let again = SqliteStore::connect(&url).await.expect("open again");
    again.migrate().await.expect("migrate again");
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    drop(store);
}
