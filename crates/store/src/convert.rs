//! Helpers every query file shares: times as integer milliseconds, ids as
//! UUID text, stored enums, and mapping driver errors to `StoreError`.

use chrono::{DateTime, Utc};
use domain::relationship::{MemberRole, RelationshipStatus};
use domain::store::StoreError;

pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn time(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Backend(format!("stored time out of range: {ms}")))
}

pub fn uuid(text: &str) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(text).map_err(|_| StoreError::Backend("stored id is not a UUID".into()))
}

/// Maps a driver error: unique violations become `Conflict(rule)`, the rest `Backend`.
pub fn db_error(rule: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(rule),
        _ => backend(err),
    }
}

pub fn backend(err: sqlx::Error) -> StoreError {
    StoreError::Backend(err.to_string())
}

pub fn role(text: &str) -> Result<MemberRole, StoreError> {
    MemberRole::parse(text).ok_or_else(|| StoreError::Backend(format!("unknown role {text}")))
}

pub fn status(text: &str) -> Result<RelationshipStatus, StoreError> {
    RelationshipStatus::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown status {text}")))
}

/// A stored 1–5 rating.
pub fn small(v: i32) -> Result<u8, StoreError> {
    u8::try_from(v).map_err(|_| StoreError::Backend(format!("rating out of range: {v}")))
}

/// A round or card number as stored (an `INTEGER` on both engines).
pub fn round_number(number: u32) -> Result<i32, StoreError> {
    i32::try_from(number)
        .map_err(|_| StoreError::Backend(format!("round number out of range: {number}")))
}
