//! Deleting an account: one conditional transaction that ends the owner's
//! open relationships, removes what they wrote and every credential, and
//! leaves the account row as a tombstone (what goes, what stays and why:
//! `domain::deletion`). Then, on SQLite, the WAL is checkpointed and
//! emptied (SECURITY.md R38: deletion actually deletes).
//!
//! [`ACCOUNT_REFERENCES`] names every column that refers to an account and
//! what deletion does to it; a test compares it with the schema of both
//! engines (`store-conformance/tests/deletion_coverage.rs`), so a table that
//! gains an account reference, or a kept row that gains a column, fails
//! until this file says what happens to it.
//!
//! At rest:
//! - SQLite runs with `secure_delete` (see `sqlite.rs`): a deleted row, an
//!   old index entry and a freed page are overwritten with zeros in the
//!   database file. The WAL still holds each changed page as it was before,
//!   so once the deletion has committed the store runs [`Engine::CHECKPOINT`]
//!   (`wal_checkpoint(TRUNCATE)`): the new pages are copied back and the WAL
//!   is cut to zero bytes. The periodic sweep runs it too, which finishes
//!   the job if a reader held an old snapshot at that moment.
//! - PostgreSQL keeps a deleted or updated row as a dead tuple until VACUUM
//!   reclaims it; autovacuum (on by default) must stay on. Its WAL belongs
//!   to the database server: nothing is run here.
//! - Backups made before the deletion still hold the data until they age
//!   out (R38's retention window): that is the operator's rotation.
//!
//! On SQLite the one writer connection runs transactions one after the
//! other, so a write the owner sends from another device lands either
//! before the deletion (and is deleted with the rest) or after it (and
//! finds no session). On PostgreSQL, a write whose statement began before
//! the deletion committed and that inserts into the owner's open space can
//! still land just after it, in the now ended space, where only its author
//! could have read it; closing that would take a lock in every write.

use chrono::{DateTime, Utc};
use domain::store::StoreResult;
use domain::AccountId;
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, millis};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};
use crate::relationships::end_relationship;

/// What deletion does to the rows that refer to the account through one
/// column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Every row that names the account in this column is deleted.
    Deleted,
    /// The rows stay (they hold what someone else keeps); `scrubbed`
    /// columns are emptied or replaced, `kept` ones are left as they are.
    /// Together they name every column of the table, so a new column on a
    /// row that survives deletion must be placed in one or the other.
    Kept {
        scrubbed: &'static [&'static str],
        kept: &'static [&'static str],
    },
}

/// One column that refers to an account, and what deletion does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub table: &'static str,
    pub column: &'static str,
    pub rows: Rows,
}

const fn deleted(table: &'static str, column: &'static str) -> Reference {
    Reference {
        table,
        column,
        rows: Rows::Deleted,
    }
}

const CONTRIBUTION_COLUMNS: [&str; 14] = [
    "id",
    "relationship_id",
    "giver_id",
    "receiver_id",
    "logged_by",
    "domain",
    "description",
    "day",
    "effort",
    "minutes",
    "created_at",
    "value",
    "thanks_note",
    "acknowledged_at",
];

const AGREEMENT_COLUMNS: [&str; 14] = [
    "id",
    "relationship_id",
    "domain",
    "proposed_by",
    "origin_deck",
    "origin_round",
    "created_at",
    "revision",
    "latest_version",
    "status",
    "in_force",
    "awaiting_id",
    "review_on",
    "updated_at",
];

/// Columns that hold an account id without a foreign key to `accounts`
/// (the agreements tables, 0012): the schema cannot name them, so the
/// coverage test takes them from here and checks each still exists.
pub const UNCONSTRAINED_ACCOUNT_REFERENCES: &[(&str, &str)] = &[
    ("agreements", "proposed_by"),
    ("agreements", "awaiting_id"),
    ("agreement_versions", "author_id"),
    ("agreement_events", "actor_id"),
    ("agreement_links", "linked_by"),
    ("episodes", "recorded_by"),
    ("episode_turns", "author_id"),
    ("episode_turns", "actor_id"),
];

/// Every column that refers to an account (`accounts.id` itself first: the
/// tombstone), with what deletion does. The statements below carry it out.
pub const ACCOUNT_REFERENCES: &[Reference] = &[
    // The wrapped keys go too (crypto-shredding, R38): whatever the
    // person's own key sealed, in a backup made before, opens no more.
    Reference {
        table: "accounts",
        column: "id",
        rows: Rows::Kept {
            scrubbed: &[
                "email",
                "display_name",
                "password_hash",
                "recovery_hash",
                "key_by_password",
                "key_by_recovery",
                "public_key",
                "sealed_secret_key",
            ],
            kept: &["id", "created_at", "kind"],
        },
    },
    // Ended as by a leave; the membership row stays so the former partner
    // still finds who was in the space (as "Former member").
    // Their copy of the couple's key goes.
    Reference {
        table: "relationship_members",
        column: "account_id",
        rows: Rows::Kept {
            scrubbed: &["sealed_key"],
            kept: &[
                "relationship_id",
                "account_id",
                "role",
                "joined_at",
                "left_at",
                "closed_at",
            ],
        },
    },
    deleted("relationship_invites", "created_by"),
    // Entries the person logged go; entries the partner logged stay, the
    // person's thanks on them cleared, whoever gave.
    deleted("contributions", "logged_by"),
    Reference {
        table: "contributions",
        column: "receiver_id",
        rows: Rows::Kept {
            scrubbed: &["value", "thanks_note", "acknowledged_at"],
            kept: &[
                "id",
                "relationship_id",
                "giver_id",
                "receiver_id",
                "logged_by",
                "domain",
                "description",
                "day",
                "effort",
                "minutes",
                "created_at",
            ],
        },
    },
    Reference {
        table: "contributions",
        column: "giver_id",
        rows: Rows::Kept {
            scrubbed: &[],
            kept: &CONTRIBUTION_COLUMNS,
        },
    },
    deleted("ledger_preferences", "account_id"),
    Reference {
        table: "sealed_sides",
        column: "account_id",
        rows: Rows::Kept {
            scrubbed: &["answers", "submitted_at"],
            kept: &["round_id", "account_id", "position"],
        },
    },
    deleted("respect_areas", "created_by"),
    // Asking for a next round holds no words, but it was the person's act.
    deleted("round_proposals", "proposed_by"),
    deleted("conversation_notes", "author_id"),
    deleted("reflections", "author_id"),
    // A partner's private notes to a counselor go with them; a counselor's
    // engagements go with the counselor (their approvals and the notes
    // sent to them with each, by the schema's cascade).
    deleted("counselor_notes", "author_id"),
    deleted("counselor_engagements", "counselor_id"),
    // Agreements: the person's words go (the versions they wrote, the
    // reasons they gave, the links they made); the head and the other's
    // history of moves stay, naming the tombstone by id only. Versions are
    // only ever deleted (the database refuses to rewrite one).
    Reference {
        table: "agreements",
        column: "proposed_by",
        rows: Rows::Kept {
            scrubbed: &[],
            kept: &AGREEMENT_COLUMNS,
        },
    },
    Reference {
        table: "agreements",
        column: "awaiting_id",
        rows: Rows::Kept {
            scrubbed: &[],
            kept: &AGREEMENT_COLUMNS,
        },
    },
    deleted("agreement_versions", "author_id"),
    Reference {
        table: "agreement_events",
        column: "actor_id",
        rows: Rows::Kept {
            scrubbed: &["reason"],
            kept: &[
                "agreement_id",
                "seq",
                "version",
                "actor_id",
                "kind",
                "review_on",
                "at",
            ],
        },
    },
    deleted("agreement_links", "linked_by"),
    // Check-ins are the person's alone (shared ones go too); the couple's
    // cadence stays, naming whoever set it by id only.
    deleted("checkins", "author_id"),
    Reference {
        table: "checkin_cadence",
        column: "set_by",
        rows: Rows::Kept {
            scrubbed: &[],
            kept: &["relationship_id", "every_days", "set_by", "set_at"],
        },
    },
    // Episodes: one the person kept to themselves goes; one they shared
    // stays for the partner (who may have added their own view and repair),
    // its title emptied. The person's own views and turns go; the partner's
    // view keeps naming them as a turn's actor, by id only.
    Reference {
        table: "episodes",
        column: "recorded_by",
        rows: Rows::Kept {
            scrubbed: &["title"],
            kept: &[
                "id",
                "relationship_id",
                "recorded_by",
                "kind",
                "day",
                "shared_at",
                "created_at",
            ],
        },
    },
    deleted("episode_turns", "author_id"),
    deleted("episode_views", "author_id"),
    Reference {
        table: "episode_turns",
        column: "actor_id",
        rows: Rows::Kept {
            scrubbed: &[],
            kept: &[
                "episode_id",
                "author_id",
                "position",
                "actor_id",
                "code",
                "valence",
                "intensity",
                "token",
                "created_at",
            ],
        },
    },
    deleted("sessions", "account_id"),
    deleted("api_tokens", "account_id"),
    deleted("password_resets", "account_id"),
    deleted("security_events", "account_id"),
    deleted("held_forms", "account_id"),
    // Who looked at whose shared items: the person's own log goes; their
    // lines in someone else's log are that owner's record (R27: append-only,
    // nobody else removes them) and stay, naming the tombstone ("Former
    // member"). They hold ids, a kind and a day: no words.
    deleted("access_log", "owner_id"),
    Reference {
        table: "access_log",
        column: "viewer_id",
        rows: Rows::Kept {
            scrubbed: &[],
            kept: &[
                "owner_id",
                "viewer_id",
                "relationship_id",
                "item",
                "day",
                "first_at",
            ],
        },
    },
    // Two-factor: the sealed secret and the recovery codes' hashes are
    // credentials; they go with the rest.
    deleted("two_factor", "account_id"),
    deleted("two_factor_recovery_codes", "account_id"),
];

/// The guard and the tombstone in one statement: it changes the row only
/// while the password hash is still the one the caller's password was
/// checked against (and never an already emptied one), so of a deletion
/// racing a password change, or two deletions, only the first passes; on
/// PostgreSQL it also locks the row against them until the commit.
const TOMBSTONE: &str = "UPDATE accounts SET email = $3, display_name = $4, \
     password_hash = '', recovery_hash = NULL, key_by_password = NULL, key_by_recovery = NULL, \
     public_key = NULL, sealed_secret_key = NULL \
     WHERE id = $1 AND password_hash = $2 AND password_hash <> ''";

/// Relationships the account is in that have not ended (active, or pending
/// an invitation): each ends exactly as by `leave_relationship`.
const OPEN_RELATIONSHIPS: &str = "SELECT m.relationship_id FROM relationship_members m \
     JOIN relationships r ON r.id = m.relationship_id \
     WHERE m.account_id = $1 AND r.status <> 'ended' ORDER BY m.relationship_id";

/// What the person wrote and every credential, in the order of
/// [`ACCOUNT_REFERENCES`]; each statement takes the account id as `$1`.
/// Entries they logged are deleted before their thanks are cleared, so the
/// clearing only meets entries the partner logged.
const SCRUB: &[&str] = &[
    "UPDATE relationship_members SET sealed_key = NULL WHERE account_id = $1",
    "DELETE FROM relationship_invites WHERE created_by = $1",
    "DELETE FROM contributions WHERE logged_by = $1",
    "UPDATE contributions SET value = NULL, thanks_note = NULL, acknowledged_at = NULL \
     WHERE receiver_id = $1",
    "DELETE FROM ledger_preferences WHERE account_id = $1",
    "UPDATE sealed_sides SET answers = NULL, submitted_at = NULL WHERE account_id = $1",
    "DELETE FROM respect_areas WHERE created_by = $1",
    "DELETE FROM round_proposals WHERE proposed_by = $1",
    "DELETE FROM conversation_notes WHERE author_id = $1",
    "DELETE FROM reflections WHERE author_id = $1",
    "DELETE FROM counselor_notes WHERE author_id = $1",
    "DELETE FROM counselor_engagements WHERE counselor_id = $1",
    "DELETE FROM agreement_versions WHERE author_id = $1",
    "UPDATE agreement_events SET reason = NULL WHERE actor_id = $1",
    "DELETE FROM agreement_links WHERE linked_by = $1",
    "DELETE FROM checkins WHERE author_id = $1",
    "DELETE FROM episodes WHERE recorded_by = $1 AND shared_at IS NULL",
    "UPDATE episodes SET title = NULL WHERE recorded_by = $1",
    "DELETE FROM episode_turns WHERE author_id = $1",
    "DELETE FROM episode_views WHERE author_id = $1",
    "DELETE FROM sessions WHERE account_id = $1",
    "DELETE FROM api_tokens WHERE account_id = $1",
    "DELETE FROM password_resets WHERE account_id = $1",
    "DELETE FROM security_events WHERE account_id = $1",
    "DELETE FROM held_forms WHERE account_id = $1",
    "DELETE FROM access_log WHERE owner_id = $1",
    // Two-factor
    "DELETE FROM two_factor WHERE account_id = $1",
    "DELETE FROM two_factor_recovery_codes WHERE account_id = $1",
];

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
    pub(crate) async fn delete_account(
        &self,
        account: AccountId,
        expected_password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let id = account.to_string();
        let now = millis(now);
        let mut tx = self.write.begin().await.map_err(backend)?;
        let tombstoned = sqlx::query(TOMBSTONE)
            .bind(&id)
            .bind(expected_password_hash)
            .bind(domain::deletion::tombstone_email(account))
            .bind(domain::deletion::FORMER_MEMBER)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        if tombstoned != 1 {
            // Dropping the transaction rolls it back: nothing changed.
            return Ok(false);
        }
        let open: Vec<String> = sqlx::query_scalar(OPEN_RELATIONSHIPS)
            .bind(&id)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
        for relationship in &open {
            end_relationship(&mut tx, relationship, &id, now).await?;
        }
        for statement in SCRUB {
            sqlx::query(statement)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        // The deletion stands whatever the checkpoint answers: a failure or
        // a reader still on an old snapshot leaves the old pages for the
        // periodic sweep's checkpoint, which reports its own failures.
        let _ = self.checkpoint().await;
        Ok(true)
    }

    /// Runs [`Engine::CHECKPOINT`] where the engine has one; whether it
    /// completed (SQLite answers `busy` = 1 when a reader kept it from
    /// copying every page back).
    pub(crate) async fn checkpoint(&self) -> StoreResult<bool> {
        let Some(statement) = DB::CHECKPOINT else {
            return Ok(true);
        };
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as(statement)
            .fetch_one(&self.write)
            .await
            .map_err(backend)?;
        Ok(busy == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::{Rows, ACCOUNT_REFERENCES, SCRUB};

    #[test]
    fn every_reference_but_the_tombstone_has_its_statement() {
        for reference in ACCOUNT_REFERENCES.iter().skip(1) {
            let named = |s: &&str| {
                s.contains(&format!(" {} ", reference.table))
                    && s.contains(&format!("{} = $1", reference.column))
            };
            let needs_statement = match reference.rows {
                Rows::Deleted => true,
                Rows::Kept { scrubbed, .. } => !scrubbed.is_empty(),
            };
            assert_eq!(
                SCRUB.iter().any(named),
                needs_statement,
                "{}.{}",
                reference.table,
                reference.column
            );
        }
    }

    #[test]
    fn kept_columns_and_scrubbed_columns_never_overlap() {
        for reference in ACCOUNT_REFERENCES {
            if let Rows::Kept { scrubbed, kept } = reference.rows {
                assert!(
                    scrubbed.iter().all(|c| !kept.contains(c)),
                    "{}",
                    reference.table
                );
            }
        }
    }
}
