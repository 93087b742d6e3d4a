//! The `Store` on SQLite and on PostgreSQL.
//!
//! Both engines run the very same SQL (see `queries.rs`): ids are UUID text,
//! times are integer milliseconds, placeholders are `$n`, which SQLite also
//! understands. Only connecting and the migration sets differ per engine.

mod convert;
pub mod postgres;
mod queries;
pub mod sqlite;
