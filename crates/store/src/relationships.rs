//! Relationships: creating one with its invitation, joining with the code,
//! reading members and memberships, and leaving (which ends it for both).

use chrono::{DateTime, Utc};
use domain::secret::SecretHash;
use domain::store::{
    Invitation, JoinOutcome, Member, Membership, NewRelationship, Relationship, StoreResult,
};
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::{backend, db_error, millis, role, status, time, uuid};
use crate::engine::{Engine, RowsAffected as _, SqlStore, Value};

const INSERT_PENDING: &str = "INSERT INTO relationships (id, status, created_at, key_check) \
     VALUES ($1, 'pending', $2, $3)";

/// The partial unique index on open memberships refuses a second open
/// relationship (`Conflict("open_relationship")`), however two requests
/// interleave.
const INSERT_PARTNER: &str = "INSERT INTO relationship_members \
     (relationship_id, account_id, role, joined_at, sealed_key) \
     VALUES ($1, $2, 'partner', $3, $4)";

const INSERT_INVITE: &str = "INSERT INTO relationship_invites \
     (relationship_id, code_hash, created_by, expires_at, wrapped_key) VALUES ($1, $2, $3, $4, $5)";

const REPLACE_INVITE: &str = "UPDATE relationship_invites \
     SET code_hash = $2, expires_at = $3, wrapped_key = $4 WHERE relationship_id = $1";

const INVITE_CREATOR: &str = "SELECT created_by FROM relationship_invites WHERE code_hash = $1";

const INVITATION: &str = "SELECT relationship_id, created_by, expires_at, wrapped_key \
     FROM relationship_invites WHERE code_hash = $1";

/// The key of a relationship from before encryption at rest is made once:
/// of two members racing, the second finds `key_check` set and changes nothing.
const SET_KEY_CHECK: &str =
    "UPDATE relationships SET key_check = $2 WHERE id = $1 AND key_check IS NULL";

/// A member's copy of the key, written only where they have none.
const GIVE_KEY: &str = "UPDATE relationship_members SET sealed_key = $3 \
     WHERE relationship_id = $1 AND account_id = $2 AND sealed_key IS NULL";

/// Deleting the invitation is what spends it: of two people racing with one
/// code, only one DELETE finds the row.
const SPEND_INVITE: &str = "DELETE FROM relationship_invites WHERE code_hash = $1 \
     AND expires_at > $2 RETURNING relationship_id";

const ACTIVATE: &str =
    "UPDATE relationships SET status = 'active' WHERE id = $1 AND status = 'pending'";

const MEMBERSHIPS_OF: &str = "SELECT m.relationship_id, m.role, r.status, m.joined_at \
     FROM relationship_members m JOIN relationships r ON r.id = m.relationship_id \
     WHERE m.account_id = $1 ORDER BY m.joined_at DESC, m.relationship_id";

const HEAD: &str = "SELECT r.status, r.created_at, i.expires_at AS invite_expires_at, \
     r.key_check, r.clear_text_allowed \
     FROM relationships r LEFT JOIN relationship_invites i ON i.relationship_id = r.id \
     WHERE r.id = $1";

const MEMBERS: &str = "SELECT m.account_id, a.display_name, m.role, m.left_at, \
     a.public_key, m.sealed_key \
     FROM relationship_members m JOIN accounts a ON a.id = m.account_id \
     WHERE m.relationship_id = $1 ORDER BY m.joined_at, m.account_id";

const MARK_LEFT: &str = "UPDATE relationship_members SET left_at = $3 \
     WHERE relationship_id = $1 AND account_id = $2 AND left_at IS NULL";

const END: &str =
    "UPDATE relationships SET status = 'ended', ended_at = $2 WHERE id = $1 AND status <> 'ended'";

/// Both members are free to open another relationship.
const CLOSE_MEMBERSHIPS: &str = "UPDATE relationship_members SET closed_at = $2 \
     WHERE relationship_id = $1 AND closed_at IS NULL";

const DELETE_INVITES: &str = "DELETE FROM relationship_invites WHERE relationship_id = $1";

/// An ended space's counselor leaves with it: revoked by whoever left,
/// their copy of the couple's key and any unspent code gone.
const REVOKE_COUNSELORS: &str = "UPDATE counselor_engagements SET revoked_at = $2, \
     revoked_by = $3, sealed_key = NULL, code_hash = NULL, wrapped_key = NULL \
     WHERE relationship_id = $1 AND revoked_at IS NULL";

#[derive(sqlx::FromRow)]
struct MembershipRow {
    relationship_id: String,
    role: String,
    status: String,
    joined_at: i64,
}

impl MembershipRow {
    fn into_membership(self) -> StoreResult<Membership> {
        Ok(Membership {
            relationship_id: RelationshipId(uuid(&self.relationship_id)?),
            role: role(&self.role)?,
            status: status(&self.status)?,
            joined_at: time(self.joined_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    status: String,
    created_at: i64,
    invite_expires_at: Option<i64>,
    key_check: Option<String>,
    clear_text_allowed: bool,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    account_id: String,
    display_name: String,
    role: String,
    left_at: Option<i64>,
    public_key: Option<String>,
    sealed_key: Option<String>,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    relationship_id: String,
    created_by: String,
    expires_at: i64,
    wrapped_key: Option<String>,
}

impl MemberRow {
    fn into_member(self) -> StoreResult<Member> {
        Ok(Member {
            account_id: AccountId(uuid(&self.account_id)?),
            display_name: self.display_name,
            role: role(&self.role)?,
            left_at: self.left_at.map(time).transpose()?,
            public_key: self.public_key,
            sealed_key: self.sealed_key,
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
    pub(crate) async fn create_relationship(&self, r: &NewRelationship) -> StoreResult<()> {
        let id = r.id.to_string();
        let creator = r.creator.to_string();
        let at = millis(r.created_at);
        let mut tx = self.write.begin().await.map_err(backend)?;
        sqlx::query(INSERT_PENDING)
            .bind(&id)
            .bind(at)
            .bind(&r.keys.check)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(INSERT_PARTNER)
            .bind(&id)
            .bind(&creator)
            .bind(at)
            .bind(&r.keys.for_creator)
            .execute(&mut *tx)
            .await
            .map_err(db_error("open_relationship"))?;
        sqlx::query(INSERT_INVITE)
            .bind(&id)
            .bind(r.invite_hash.as_str())
            .bind(&creator)
            .bind(millis(r.invite_expires_at))
            .bind(&r.keys.for_invitation)
            .execute(&mut *tx)
            .await
            .map_err(db_error("invite"))?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn replace_invite(
        &self,
        id: RelationshipId,
        invite_hash: &SecretHash,
        expires_at: DateTime<Utc>,
        wrapped_key: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(REPLACE_INVITE)
            .bind(id.to_string())
            .bind(invite_hash.as_str())
            .bind(millis(expires_at))
            .bind(wrapped_key)
            .execute(&self.write)
            .await
            .map_err(db_error("invite"))?;
        Ok(())
    }

    pub(crate) async fn invitation(
        &self,
        invite_hash: &SecretHash,
    ) -> StoreResult<Option<Invitation>> {
        let row: Option<InvitationRow> = sqlx::query_as(INVITATION)
            .bind(invite_hash.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        row.map(|r| {
            Ok(Invitation {
                relationship_id: RelationshipId(uuid(&r.relationship_id)?),
                created_by: AccountId(uuid(&r.created_by)?),
                expires_at: time(r.expires_at)?,
                wrapped_key: r.wrapped_key,
            })
        })
        .transpose()
    }

    pub(crate) async fn create_relationship_key(
        &self,
        rel: RelationshipId,
        account: AccountId,
        sealed_key: &str,
        check: &str,
    ) -> StoreResult<bool> {
        let rel = rel.to_string();
        let mut tx = self.write.begin().await.map_err(backend)?;
        let made = sqlx::query(SET_KEY_CHECK)
            .bind(&rel)
            .bind(check)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if made.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(GIVE_KEY)
            .bind(&rel)
            .bind(account.to_string())
            .bind(sealed_key)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    pub(crate) async fn give_relationship_key(
        &self,
        rel: RelationshipId,
        account: AccountId,
        sealed_key: &str,
    ) -> StoreResult<bool> {
        let given = sqlx::query(GIVE_KEY)
            .bind(rel.to_string())
            .bind(account.to_string())
            .bind(sealed_key)
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(given.rows_affected() == 1)
    }

    pub(crate) async fn join_relationship(
        &self,
        invite_hash: &SecretHash,
        account: AccountId,
        now: DateTime<Utc>,
        sealed_key: Option<&str>,
    ) -> StoreResult<JoinOutcome> {
        let account = account.to_string();
        let now = millis(now);
        let mut tx = self.write.begin().await.map_err(backend)?;
        let creator: Option<String> = sqlx::query_scalar(INVITE_CREATOR)
            .bind(invite_hash.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        if creator.as_ref().is_some_and(|c| *c == account) {
            return Ok(JoinOutcome::OwnInvitation);
        }
        let spent: Option<String> = sqlx::query_scalar(SPEND_INVITE)
            .bind(invite_hash.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let Some(relationship_id) = spent else {
            return Ok(JoinOutcome::InvalidCode);
        };
        let activated = sqlx::query(ACTIVATE)
            .bind(&relationship_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if activated.rows_affected() != 1 {
            return Ok(JoinOutcome::InvalidCode);
        }
        sqlx::query(INSERT_PARTNER)
            .bind(&relationship_id)
            .bind(&account)
            .bind(now)
            .bind(sealed_key)
            .execute(&mut *tx)
            .await
            .map_err(db_error("open_relationship"))?;
        tx.commit().await.map_err(backend)?;
        Ok(JoinOutcome::Joined(RelationshipId(uuid(&relationship_id)?)))
    }

    pub(crate) async fn memberships_of(&self, account: AccountId) -> StoreResult<Vec<Membership>> {
        let rows: Vec<MembershipRow> = sqlx::query_as(MEMBERSHIPS_OF)
            .bind(account.to_string())
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        rows.into_iter()
            .map(MembershipRow::into_membership)
            .collect()
    }

    pub(crate) async fn relationship(
        &self,
        id: RelationshipId,
    ) -> StoreResult<Option<Relationship>> {
        let id_text = id.to_string();
        let head: Option<HeadRow> = sqlx::query_as(HEAD)
            .bind(&id_text)
            .fetch_optional(&self.read)
            .await
            .map_err(backend)?;
        let Some(head) = head else {
            return Ok(None);
        };
        let members: Vec<MemberRow> = sqlx::query_as(MEMBERS)
            .bind(&id_text)
            .fetch_all(&self.read)
            .await
            .map_err(backend)?;
        Ok(Some(Relationship {
            id,
            status: status(&head.status)?,
            created_at: time(head.created_at)?,
            invite_expires_at: head.invite_expires_at.map(time).transpose()?,
            key_check: head.key_check,
            clear_text_allowed: head.clear_text_allowed,
            members: members
                .into_iter()
                .map(MemberRow::into_member)
                .collect::<StoreResult<_>>()?,
        }))
    }

    pub(crate) async fn leave_relationship(
        &self,
        id: RelationshipId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        end_relationship(&mut tx, &id.to_string(), &account.to_string(), millis(now)).await?;
        tx.commit().await.map_err(backend)
    }
}

/// Ends relationship `id` for both members, `account` being the one who
/// leaves, inside the caller's transaction: the member is marked as left,
/// the relationship as ended, every membership closed, any open invitation
/// spent. `leave_relationship` is this alone; deleting an account does this
/// to each relationship its owner has open (`deletion.rs`), so the two
/// cannot drift apart.
pub(crate) async fn end_relationship<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    id: &str,
    account: &str,
    now: i64,
) -> StoreResult<()>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    i64: Value<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
{
    sqlx::query(MARK_LEFT)
        .bind(id)
        .bind(account)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    sqlx::query(END)
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    sqlx::query(CLOSE_MEMBERSHIPS)
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    sqlx::query(DELETE_INVITES)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    sqlx::query(REVOKE_COUNSELORS)
        .bind(id)
        .bind(now)
        .bind(account)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}
