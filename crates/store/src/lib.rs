//! The `Store` on SQLite and on PostgreSQL.
//!
//! Both engines run the very same SQL: ids are UUID text, times are integer
//! milliseconds, placeholders are `$n`, which SQLite also understands. Each
//! query file holds its statements as constants, beside the row structs they
//! read into and the conversion to domain types; the queries are generic
//! over an [`engine::Engine`], which carries the little that differs (the
//! migration set, and one aggregate's name). Each engine is a cargo feature
//! (`sqlite`, `postgres`; both on by default).
//!
//! Every write into a relationship's data carries `AND EXISTS (SELECT 1 FROM
//! relationships WHERE id = $1 AND status = 'active')` (the relationship id
//! is always `$1`), so no write lands after the relationship ended, however
//! the requests interleave.

mod access_log;
mod accounts;
mod agreements;
#[cfg(feature = "sqlite")]
pub mod backup;
mod checkins;
mod conversations;
mod convert;
mod counselor;
mod credentials;
pub mod deletion;
pub mod engine;
mod episodes;
mod held_forms;
mod ledger;
#[cfg(feature = "postgres")]
pub mod postgres;
mod reflections;
mod relationships;
mod respect;
mod round_proposals;
mod sealed;
mod secrets;
mod security_events;
mod sessions;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod store;
// Two-factor
mod two_factor;
