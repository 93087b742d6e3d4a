//! One story of every `Store` method, run on both engines, plus the helpers
//! that give each test a fresh database: a new SQLite file in a temporary
//! folder, or a new PostgreSQL database on the local server.

pub mod story;
pub mod testdb;
