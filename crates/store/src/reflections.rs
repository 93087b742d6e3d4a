//! Private reflections: one person's journal in a shared space, sealed with
//! their own key before it reaches this file (`domain::reflections`).
//! Every statement names the author, so no query here can hand one
//! person's reflections to another.

use domain::store::{Reflection, StoreResult};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// Lands only while the author is a member of a space that has not ended
/// (waiting for the partner, or both there): a reflection racing a leave
/// or an account deletion is refused, never left in the ended space.
const INSERT: &str = "INSERT INTO reflections (id, relationship_id, author_id, prompt, text, \
     created_at) SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM relationships r \
     JOIN relationship_members m ON m.relationship_id = r.id \
     WHERE r.id = $2 AND r.status <> 'ended' AND m.account_id = $3)";

const OF_AUTHOR: &str = "SELECT id, prompt, text, created_at FROM reflections \
     WHERE author_id = $1 AND relationship_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3";

const DELETE: &str =
    "DELETE FROM reflections WHERE id = $1 AND author_id = $2 AND relationship_id = $3";

#[derive(sqlx::FromRow)]
struct ReflectionRow {
    id: String,
    prompt: Option<String>,
    text: String,
    created_at: i64,
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
    pub(crate) async fn insert_reflection(&self, r: &Reflection) -> StoreResult<bool> {
        let done = sqlx::query(INSERT)
            .bind(r.id.to_string())
            .bind(r.relationship_id.to_string())
            .bind(r.author.to_string())
            .bind(r.prompt.as_deref())
            .bind(&r.text)
            .bind(millis(r.created_at))
            .execute(&self.write)
            .await
            .map_err(db_error("reflection"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn reflections_of(
        &self,
        author: AccountId,
        rel: RelationshipId,
        limit: u32,
    ) -> StoreResult<Vec<Reflection>> {
        let rows: Vec<ReflectionRow> = sqlx::query_as(OF_AUTHOR)
            .bind(author.to_string())
            .bind(rel.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(|row| {
                Ok(Reflection {
                    id: uuid(&row.id)?,
                    relationship_id: rel,
                    author,
                    prompt: row.prompt,
                    text: row.text,
                    created_at: time(row.created_at)?,
                })
            })
            .collect()
    }

    pub(crate) async fn delete_reflection(
        &self,
        author: AccountId,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<bool> {
        let done = sqlx::query(DELETE)
            .bind(id.to_string())
            .bind(author.to_string())
            .bind(rel.to_string())
            .execute(&self.write)
            .await
            .map_err(backend)?;
        let deleted = done.rows_affected() == 1;
        if deleted {
            // The old page still sits in the WAL until a checkpoint copies
            // the zeroed one back (R38); the sweep retries if a reader
            // kept this one from completing.
            let _ = self.checkpoint().await;
        }
        Ok(deleted)
    }
}
