//! Security events: what happened to an account's credentials, kept for
//! its owner alone (SECURITY.md R16).

use domain::store::{SecurityEvent, SecurityEventKind, StoreError, StoreResult};
use domain::AccountId;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, millis, time, uuid};
use crate::engine::{Engine, SqlStore, Value};

const INSERT: &str = "INSERT INTO security_events (id, account_id, kind, at, device, client) \
     VALUES ($1, $2, $3, $4, $5, $6)";

const OF_ACCOUNT: &str = "SELECT id, account_id, kind, at, device, client FROM security_events \
     WHERE account_id = $1 ORDER BY at DESC, id LIMIT $2";

#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    account_id: String,
    kind: String,
    at: i64,
    device: String,
    client: String,
}

impl EventRow {
    fn into_event(self) -> StoreResult<SecurityEvent> {
        let kind = SecurityEventKind::parse(&self.kind)
            .ok_or_else(|| StoreError::Backend(format!("unknown event kind {}", self.kind)))?;
        Ok(SecurityEvent {
            id: uuid(&self.id)?,
            account_id: AccountId(uuid(&self.account_id)?),
            kind,
            at: time(self.at)?,
            device: self.device,
            client: self.client,
        })
    }
}

impl<DB> SqlStore<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
    String: Value<DB>,
    i64: Value<DB>,
    i32: Value<DB>,
    bool: Value<DB>,
    Option<String>: Value<DB>,
    Option<i64>: Value<DB>,
    Option<i32>: Value<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
{
    pub(crate) async fn insert_security_event(&self, e: &SecurityEvent) -> StoreResult<()> {
        let insert = sqlx::query(INSERT)
            .bind(e.id.to_string())
            .bind(e.account_id.to_string())
            .bind(e.kind.as_str())
            .bind(millis(e.at))
            .bind(&e.device)
            .bind(&e.client);
        // SECURITY (R14): a failed sign-in for a known e-mail records an
        // event and one for an unknown e-mail does not; waiting for that
        // commit to reach the disk made known e-mails measurably slower to
        // refuse on PostgreSQL (+3.4 ms median, SECURITY-TESTS.md H6). Such
        // an event's commit does not wait for the disk: a database crash in
        // the next fraction of a second may lose it, and nothing the caller
        // was told depends on it. Every other event waits as usual.
        match DB::RELAXED_COMMIT.filter(|_| e.kind.before_sign_in()) {
            Some(relax) => {
                let mut tx = self.write.begin().await.map_err(backend)?;
                sqlx::query(relax)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                insert.execute(&mut *tx).await.map_err(backend)?;
                tx.commit().await.map_err(backend)?;
            }
            None => {
                insert.execute(&self.write).await.map_err(backend)?;
            }
        }
        Ok(())
    }

    pub(crate) async fn security_events_of(
        &self,
        account: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<SecurityEvent>> {
        let rows: Vec<EventRow> = sqlx::query_as(OF_ACCOUNT)
            .bind(account.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter().map(EventRow::into_event).collect()
    }
}
