//! What differs between SQLite and PostgreSQL, in one trait, and the store
//! struct every query file adds its methods to.
//!
//! The queries are generic functions over an [`Engine`], monomorphised once
//! per engine exactly as the former macro was expanded, so nothing is
//! dispatched at run time (unlike `sqlx::Any`). Rust does not carry a trait's
//! `where` clauses to its users, so each query file's `impl` block restates
//! the sqlx bounds; they are the same in every file (see [`SqlStore`]).

use sqlx::migrate::{Migrate, Migrator};
use sqlx::{Database, Decode, Encode, Pool, Type};

/// One database engine: the few things that cannot be the same SQL text.
pub trait Engine: Database<Connection: Migrate, QueryResult: RowsAffected> {
    /// What `Store::engine_name` answers.
    const ENGINE_NAME: &'static str;

    /// `ledger_entries`: the window packed into one string. The aggregate
    /// is `group_concat` on SQLite and `string_agg` on PostgreSQL; the two
    /// texts sit side by side in `ledger.rs`.
    const PACKED_LEDGER: &'static str;

    /// A statement that lets the current transaction's commit return
    /// before it reaches the disk, where the engine has one (PostgreSQL's
    /// `synchronous_commit`); see `insert_security_event`.
    const RELAXED_COMMIT: Option<&'static str>;

    /// A statement that writes the engine's log of recent pages back into
    /// the database and empties it, where that log is a file of ours; run
    /// after an account's deletion commits and by the periodic sweep
    /// (SECURITY.md R38, see `deletion.rs`). `None` where there is none.
    const CHECKPOINT: Option<&'static str>;

    /// This engine's migration set.
    fn migrator() -> &'static Migrator;
}

/// The number of rows a statement changed (each driver has its own result
/// type, with the same inherent method).
pub trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

#[cfg(feature = "sqlite")]
impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::sqlite::SqliteQueryResult::rows_affected(self)
    }
}

#[cfg(feature = "postgres")]
impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::postgres::PgQueryResult::rows_affected(self)
    }
}

/// A Rust type stored as-is in a column of `DB` (read and written).
pub trait Value<DB: Database>: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB> {}

impl<DB: Database, T> Value<DB> for T where
    T: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>
{
}

/// The `Store` on one engine: a `read` pool and a `write` pool (the same
/// pool on PostgreSQL; on SQLite one writer connection beside a pool of
/// readers, because SQLite writers queue for one lock anyway and a pool of
/// writers only adds tail latency).
///
/// The query files (`accounts.rs`, `sessions.rs`, …) each add an
/// `impl<DB> SqlStore<DB>` block with these bounds, which every engine meets:
///
/// ```text
/// where
///     DB: Engine,
///     for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
///     for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
///     for<'r> &'r str: ColumnIndex<DB::Row>,
///     usize: ColumnIndex<DB::Row>,
///     String: Value<DB>, i64: Value<DB>, i32: Value<DB>, bool: Value<DB>,
///     Option<String>: Value<DB>, Option<i64>: Value<DB>, Option<i32>: Value<DB>,
///     for<'q> &'q str: Encode<'q, DB> + Type<DB>,
///     for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
/// ```
pub struct SqlStore<DB: Database> {
    pub(crate) read: Pool<DB>,
    pub(crate) write: Pool<DB>,
}
