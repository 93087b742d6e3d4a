//! Conversions between domain values and their stored form.

use chrono::{DateTime, Utc};
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

pub fn role(text: &str) -> Result<domain::relationship::MemberRole, StoreError> {
    domain::relationship::MemberRole::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown role {text}")))
}

pub fn status(text: &str) -> Result<domain::relationship::RelationshipStatus, StoreError> {
    domain::relationship::RelationshipStatus::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown status {text}")))
}
