//! Conversation notes: what a partner wrote beside one card of a deck, and
//! whether it is an idea for an agreement.

use domain::store::{ConversationNote, StoreResult};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, round_number, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

/// Lands only while the relationship is active.
const INSERT: &str = "INSERT INTO conversation_notes (relationship_id, id, deck, number, \
     author_id, text, agreement_idea, created_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')";

const LIST: &str =
    "SELECT id, author_id, text, agreement_idea, created_at FROM conversation_notes \
     WHERE relationship_id = $1 AND deck = $2 AND number = $3 ORDER BY created_at, id";

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: String,
    author_id: String,
    text: String,
    agreement_idea: bool,
    created_at: i64,
}

impl NoteRow {
    fn into_note(self) -> StoreResult<ConversationNote> {
        Ok(ConversationNote {
            id: uuid(&self.id)?,
            author: AccountId(uuid(&self.author_id)?),
            text: self.text,
            agreement_idea: self.agreement_idea,
            created_at: time(self.created_at)?,
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
    pub(crate) async fn insert_conversation_note(
        &self,
        rel: RelationshipId,
        deck: &str,
        number: u32,
        note: &ConversationNote,
    ) -> StoreResult<bool> {
        let done = sqlx::query(INSERT)
            .bind(rel.to_string())
            .bind(note.id.to_string())
            .bind(deck)
            .bind(round_number(number)?)
            .bind(note.author.to_string())
            .bind(&note.text)
            .bind(note.agreement_idea)
            .bind(millis(note.created_at))
            .execute(&self.write)
            .await
            .map_err(db_error("note"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn conversation_notes(
        &self,
        rel: RelationshipId,
        deck: &str,
        number: u32,
    ) -> StoreResult<Vec<ConversationNote>> {
        let Ok(number) = i32::try_from(number) else {
            return Ok(Vec::new());
        };
        let rows: Vec<NoteRow> = sqlx::query_as(LIST)
            .bind(rel.to_string())
            .bind(deck)
            .bind(number)
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter().map(NoteRow::into_note).collect()
    }
}
