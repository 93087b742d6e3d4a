//! The Store on embedded SQLite: WAL, foreign keys, `secure_delete`, one
//! writer connection beside a small pool of readers.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};

use crate::engine::{Engine, SqlStore};

/// The `Store` on SQLite.
pub type SqliteStore = SqlStore<Sqlite>;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

impl Engine for Sqlite {
    const ENGINE_NAME: &'static str = "sqlite";
    const PACKED_LEDGER: &'static str = crate::ledger::PACKED_GROUP_CONCAT;
    // Durability is per connection on SQLite (`synchronous`), and the one
    // writer connection serves every write: no per-transaction relaxing.
    const RELAXED_COMMIT: Option<&'static str> = None;
    // SECURITY (R38): with `secure_delete` a deleted row is zeroed in its
    // page, but the WAL still holds the page as it was before, until a
    // checkpoint copies the new page back and TRUNCATE empties the file.
    const CHECKPOINT: Option<&'static str> = Some("PRAGMA wal_checkpoint(TRUNCATE)");

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }
}

impl SqlStore<Sqlite> {
    /// Opens (creating if missing) the database file named by a `sqlite://` URL.
    ///
    /// SECURITY: the file and its `-wal` and `-shm` companions are readable
    /// by their owner only (0600): they hold every couple's words, and under
    /// the usual umask SQLite would create them readable by every local user.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?;
        let file = on_disk(url, &options);
        if let Some(file) = &file {
            owner_only::create_or_tighten(file)?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            // FULL: a committed write survives power loss, not only a crash
            // (SECURITY.md R41). Writes here are small and rare.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            // Deleted rows are overwritten with zeros, so "delete" means gone
            // from the file too, not only from the index.
            .pragma("secure_delete", "ON")
            // Keep the WAL from growing without bound after a write burst.
            .pragma("journal_size_limit", "67108864")
            // 8 MiB of page cache per connection (the default is 2 MiB): a
            // couple's ten-year ledger then stays in memory between requests.
            .pragma("cache_size", "-8192");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        // A local file connection cannot go stale, so the liveness ping sqlx
        // makes on every acquire would be pure overhead (measured: see bench/).
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        if let Some(file) = &file {
            // SQLite gives a new -wal or -shm its database's mode; these may
            // be left from before the database was tightened.
            for suffix in ["-wal", "-shm"] {
                let mut companion = file.clone().into_os_string();
                companion.push(suffix);
                owner_only::tighten(Path::new(&companion));
            }
        }
        Ok(Self { read, write })
    }
}

/// The database file named by `url`, or `None` when the database lives in
/// memory.
fn on_disk(url: &str, options: &SqliteConnectOptions) -> Option<PathBuf> {
    let name = options.get_filename();
    let in_memory = url.contains(":memory:")
        || url.contains("mode=memory")
        || name.to_string_lossy().starts_with("file:");
    (!in_memory).then(|| name.to_path_buf())
}

#[cfg(unix)]
mod owner_only {
    use std::fs::{OpenOptions, Permissions};
    use std::io::ErrorKind;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    const MODE: u32 = 0o600;

    /// Creates the (empty) database file with mode 0600 before SQLite
    /// opens it, so it is never readable by others even for a moment; an
    /// existing file is tightened to 0600.
    pub fn create_or_tighten(file: &Path) -> std::io::Result<()> {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(MODE)
            .open(file)
        {
            Ok(_) => Ok(()),
            Err(err) if err.kind() == ErrorKind::AlreadyExists => {
                tighten(file);
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    /// Best effort: a file that is missing or that this user does not own
    /// keeps its mode (its owner decides), and opening goes on.
    pub fn tighten(file: &Path) {
        let _ = std::fs::set_permissions(file, Permissions::from_mode(MODE));
    }
}

#[cfg(not(unix))]
mod owner_only {
    use std::path::Path;

    pub fn create_or_tighten(_file: &Path) -> std::io::Result<()> {
        Ok(())
    }

    pub fn tighten(_file: &Path) {}
}
