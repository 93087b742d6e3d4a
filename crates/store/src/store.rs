//! `domain::store::Store` for [`SqlStore`] on any [`Engine`]: each method
//! hands over to the method of the same name in its query file
//! (`accounts.rs`, `sessions.rs`, `relationships.rs`, `ledger.rs`,
//! `sealed.rs`, `respect.rs`, `conversations.rs`, `secrets.rs`,
//! `credentials.rs`, `security_events.rs`, `held_forms.rs`, `access_log.rs`,
//! `reflections.rs`, `agreements.rs`, `checkins.rs`, `episodes.rs`, `deletion.rs`,
//! `two_factor.rs`).
//!
//! `SqlStore::name(self, …)` names the inherent method there, not this
//! trait method: inherent methods come first.

use std::ops::RangeInclusive;

use chrono::{DateTime, Utc};
use domain::ledger::Entry;
use domain::sealed::{RoundRecord, SideRecord};
use domain::secret::SecretHash;
use domain::store::{
    AccessEntry, Account, AgreementEvent, AgreementLine, AgreementRecord, AgreementWrite,
    ApprovalWrite, CheckinRecord, ContributionFilter, ContributionRecord, ConversationNote,
    CounselorNote, Credential, CustomArea, EngagementJoin, EngagementRecord, EpisodeRecord,
    EpisodeView, HeldForm, Invitation, JoinOutcome, Membership, NewAccount, NewContribution,
    NewEngagement, NewRelationship, NewSession, NewToken, PasswordChange, Principal,
    ProposalStatus, Reflection, Relationship, ResetKeys, ResetProof, RoundProposal, SecurityEvent,
    SessionInfo, Store, StoreError, StoreResult, StoredAccountKeys, Sweep, TokenInfo, TurnRecord,
    TwoFactorRecord,
};
use domain::values::Email;
use domain::{AccountId, RelationshipId};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

use crate::convert::backend;
use crate::engine::{Engine, SqlStore, Value};

#[async_trait::async_trait]
impl<DB> Store for SqlStore<DB>
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
    fn engine_name(&self) -> &'static str {
        DB::ENGINE_NAME
    }

    async fn migrate(&self) -> StoreResult<()> {
        DB::migrator()
            .run(&self.write)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn server_secret(&self, name: &str, fresh: &str) -> StoreResult<String> {
        SqlStore::server_secret(self, name, fresh).await
    }

    async fn insert_account(&self, account: &NewAccount) -> StoreResult<()> {
        SqlStore::insert_account(self, account).await
    }

    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<Account>> {
        SqlStore::account_by_email(self, email).await
    }

    async fn account_by_id(&self, id: AccountId) -> StoreResult<Option<Account>> {
        SqlStore::account_by_id(self, id).await
    }

    async fn set_account_keys(
        &self,
        account: AccountId,
        keys: &StoredAccountKeys,
    ) -> StoreResult<bool> {
        SqlStore::set_account_keys(self, account, keys).await
    }

    async fn insert_session(&self, session: &NewSession) -> StoreResult<()> {
        SqlStore::insert_session(self, session).await
    }

    async fn touch_session(
        &self,
        id_hash: &SecretHash,
        now: DateTime<Utc>,
        unless_after: DateTime<Utc>,
    ) -> StoreResult<()> {
        SqlStore::touch_session(self, id_hash, now, unless_after).await
    }

    async fn principal(&self, credential: Credential<'_>) -> StoreResult<Option<Principal>> {
        SqlStore::principal(self, credential).await
    }

    async fn delete_session(&self, id_hash: &SecretHash) -> StoreResult<()> {
        SqlStore::delete_session(self, id_hash).await
    }

    async fn sessions_of(&self, account: AccountId) -> StoreResult<Vec<SessionInfo>> {
        SqlStore::sessions_of(self, account).await
    }

    async fn end_session_of(&self, account: AccountId, id: uuid::Uuid) -> StoreResult<bool> {
        SqlStore::end_session_of(self, account, id).await
    }

    async fn end_other_sessions(&self, account: AccountId, keep: &SecretHash) -> StoreResult<u64> {
        SqlStore::end_other_sessions(self, account, keep).await
    }

    async fn sweep(&self, sweep: &Sweep) -> StoreResult<u64> {
        SqlStore::sweep(self, sweep).await
    }

    async fn insert_token(&self, token: &NewToken) -> StoreResult<()> {
        SqlStore::insert_token(self, token).await
    }

    async fn tokens_of(&self, account: AccountId) -> StoreResult<Vec<TokenInfo>> {
        SqlStore::tokens_of(self, account).await
    }

    async fn revoke_token(&self, account: AccountId, id: uuid::Uuid) -> StoreResult<bool> {
        SqlStore::revoke_token(self, account, id).await
    }

    async fn touch_token(
        &self,
        id: uuid::Uuid,
        now: DateTime<Utc>,
        unless_after: DateTime<Utc>,
    ) -> StoreResult<()> {
        SqlStore::touch_token(self, id, now, unless_after).await
    }

    async fn change_password(&self, change: &PasswordChange<'_>) -> StoreResult<bool> {
        SqlStore::change_password(self, change).await
    }

    async fn reset_password(
        &self,
        proof: &ResetProof<'_>,
        new_hash: &str,
        keys: &ResetKeys<'_>,
    ) -> StoreResult<Option<AccountId>> {
        SqlStore::reset_password(self, proof, new_hash, keys).await
    }

    async fn set_recovery_code(
        &self,
        account: AccountId,
        code_hash: &SecretHash,
        key_by_recovery: Option<&str>,
    ) -> StoreResult<()> {
        SqlStore::set_recovery_code(self, account, code_hash, key_by_recovery).await
    }

    async fn reset_link_owner(
        &self,
        token_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<AccountId>> {
        SqlStore::reset_link_owner(self, token_hash, now).await
    }

    async fn insert_reset_link(
        &self,
        account: AccountId,
        token_hash: &SecretHash,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        SqlStore::insert_reset_link(self, account, token_hash, created_at, expires_at).await
    }

    async fn insert_security_event(&self, event: &SecurityEvent) -> StoreResult<()> {
        SqlStore::insert_security_event(self, event).await
    }

    async fn record_access(&self, entry: &AccessEntry) -> StoreResult<()> {
        SqlStore::record_access(self, entry).await
    }

    async fn access_log_of(&self, owner: AccountId, limit: u32) -> StoreResult<Vec<AccessEntry>> {
        SqlStore::access_log_of(self, owner, limit).await
    }

    async fn insert_reflection(&self, reflection: &Reflection) -> StoreResult<bool> {
        SqlStore::insert_reflection(self, reflection).await
    }

    async fn reflections_of(
        &self,
        author: AccountId,
        rel: RelationshipId,
        limit: u32,
    ) -> StoreResult<Vec<Reflection>> {
        SqlStore::reflections_of(self, author, rel, limit).await
    }

    async fn delete_reflection(
        &self,
        author: AccountId,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<bool> {
        SqlStore::delete_reflection(self, author, rel, id).await
    }

    async fn security_events_of(
        &self,
        account: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<SecurityEvent>> {
        SqlStore::security_events_of(self, account, limit).await
    }

    async fn insert_held_form(&self, form: &HeldForm) -> StoreResult<()> {
        SqlStore::insert_held_form(self, form).await
    }

    async fn take_held_form(
        &self,
        id: uuid::Uuid,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<HeldForm>> {
        SqlStore::take_held_form(self, id, account, since).await
    }

    async fn delete_account(
        &self,
        account: AccountId,
        expected_password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::delete_account(self, account, expected_password_hash, now).await
    }

    async fn create_relationship(&self, relationship: &NewRelationship) -> StoreResult<()> {
        SqlStore::create_relationship(self, relationship).await
    }

    async fn replace_invite(
        &self,
        id: RelationshipId,
        invite_hash: &SecretHash,
        expires_at: DateTime<Utc>,
        wrapped_key: Option<&str>,
    ) -> StoreResult<()> {
        SqlStore::replace_invite(self, id, invite_hash, expires_at, wrapped_key).await
    }

    async fn invitation(&self, invite_hash: &SecretHash) -> StoreResult<Option<Invitation>> {
        SqlStore::invitation(self, invite_hash).await
    }

    async fn join_relationship(
        &self,
        invite_hash: &SecretHash,
        account: AccountId,
        now: DateTime<Utc>,
        sealed_key: Option<&str>,
    ) -> StoreResult<JoinOutcome> {
        SqlStore::join_relationship(self, invite_hash, account, now, sealed_key).await
    }

    async fn create_relationship_key(
        &self,
        rel: RelationshipId,
        account: AccountId,
        sealed_key: &str,
        check: &str,
    ) -> StoreResult<bool> {
        SqlStore::create_relationship_key(self, rel, account, sealed_key, check).await
    }

    async fn give_relationship_key(
        &self,
        rel: RelationshipId,
        account: AccountId,
        sealed_key: &str,
    ) -> StoreResult<bool> {
        SqlStore::give_relationship_key(self, rel, account, sealed_key).await
    }

    async fn memberships_of(&self, account: AccountId) -> StoreResult<Vec<Membership>> {
        SqlStore::memberships_of(self, account).await
    }

    async fn relationship(&self, id: RelationshipId) -> StoreResult<Option<Relationship>> {
        SqlStore::relationship(self, id).await
    }

    async fn leave_relationship(
        &self,
        id: RelationshipId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        SqlStore::leave_relationship(self, id, account, now).await
    }

    async fn insert_contribution(&self, contribution: &NewContribution) -> StoreResult<bool> {
        SqlStore::insert_contribution(self, contribution).await
    }

    async fn contribution(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<ContributionRecord>> {
        SqlStore::contribution(self, rel, id).await
    }

    async fn acknowledge_contribution(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
        receiver: AccountId,
        value: u8,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::acknowledge_contribution(self, rel, id, receiver, value, note, at).await
    }

    async fn update_contribution(
        &self,
        rel: RelationshipId,
        author: AccountId,
        contribution: &ContributionRecord,
        created_after: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::update_contribution(self, rel, author, contribution, created_after).await
    }

    async fn delete_contribution(
        &self,
        rel: RelationshipId,
        author: AccountId,
        id: uuid::Uuid,
        created_after: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::delete_contribution(self, rel, author, id, created_after).await
    }

    async fn contributions(
        &self,
        rel: RelationshipId,
        filter: &ContributionFilter,
    ) -> StoreResult<Vec<ContributionRecord>> {
        SqlStore::contributions(self, rel, filter).await
    }

    async fn ledger_entries(
        &self,
        rel: RelationshipId,
        first: AccountId,
        from_day: i32,
        to_day: i32,
    ) -> StoreResult<Vec<Entry>> {
        SqlStore::ledger_entries(self, rel, first, from_day, to_day).await
    }

    async fn recent_descriptions(
        &self,
        rel: RelationshipId,
        account: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<(uuid::Uuid, String)>> {
        SqlStore::recent_descriptions(self, rel, account, limit).await
    }

    async fn set_show_numbers(
        &self,
        rel: RelationshipId,
        account: AccountId,
        show: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::set_show_numbers(self, rel, account, show, at).await
    }

    async fn show_numbers(&self, rel: RelationshipId) -> StoreResult<Vec<(AccountId, bool)>> {
        SqlStore::show_numbers(self, rel).await
    }

    async fn sealed_rounds(
        &self,
        rel: RelationshipId,
        kind: &str,
        numbers: RangeInclusive<u32>,
    ) -> StoreResult<Vec<RoundRecord<String>>> {
        SqlStore::sealed_rounds(self, rel, kind, numbers).await
    }

    async fn round_outline(
        &self,
        rel: RelationshipId,
        kind: &str,
    ) -> StoreResult<Vec<RoundRecord<()>>> {
        SqlStore::round_outline(self, rel, kind).await
    }

    async fn insert_round(
        &self,
        rel: RelationshipId,
        kind: &str,
        round: &RoundRecord<String>,
    ) -> StoreResult<bool> {
        SqlStore::insert_round(self, rel, kind, round).await
    }

    async fn save_side(
        &self,
        rel: RelationshipId,
        kind: &str,
        number: u32,
        side: &SideRecord<String>,
    ) -> StoreResult<bool> {
        SqlStore::save_side(self, rel, kind, number, side).await
    }

    async fn latest_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
    ) -> StoreResult<Option<RoundProposal>> {
        SqlStore::latest_round_proposal(self, rel, kind).await
    }

    async fn insert_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        proposal: &RoundProposal,
    ) -> StoreResult<bool> {
        SqlStore::insert_round_proposal(self, rel, kind, proposal).await
    }

    async fn close_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        id: uuid::Uuid,
        by: AccountId,
        outcome: ProposalStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::close_round_proposal(self, rel, kind, id, by, outcome, at).await
    }

    async fn agree_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        id: uuid::Uuid,
        by: AccountId,
        round: &RoundRecord<String>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::agree_round_proposal(self, rel, kind, id, by, round, at).await
    }

    async fn insert_custom_area(
        &self,
        rel: RelationshipId,
        area: &CustomArea,
        max: u32,
    ) -> StoreResult<bool> {
        SqlStore::insert_custom_area(self, rel, area, max).await
    }

    async fn custom_areas(&self, rel: RelationshipId) -> StoreResult<Vec<CustomArea>> {
        SqlStore::custom_areas(self, rel).await
    }

    async fn insert_conversation_note(
        &self,
        rel: RelationshipId,
        deck: &str,
        number: u32,
        note: &ConversationNote,
    ) -> StoreResult<bool> {
        SqlStore::insert_conversation_note(self, rel, deck, number, note).await
    }

    async fn conversation_notes(
        &self,
        rel: RelationshipId,
        deck: &str,
        number: u32,
    ) -> StoreResult<Vec<ConversationNote>> {
        SqlStore::conversation_notes(self, rel, deck, number).await
    }

    async fn insert_agreement(&self, write: &AgreementWrite) -> StoreResult<bool> {
        SqlStore::insert_agreement(self, write).await
    }

    async fn record_agreement_move(&self, write: &AgreementWrite) -> StoreResult<bool> {
        SqlStore::record_agreement_move(self, write).await
    }

    async fn agreement(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<AgreementRecord>> {
        SqlStore::agreement(self, rel, id).await
    }

    async fn agreements(
        &self,
        rel: RelationshipId,
        author: Option<AccountId>,
    ) -> StoreResult<Vec<AgreementLine>> {
        SqlStore::agreements(self, rel, author).await
    }

    async fn agreement_moves(
        &self,
        rel: RelationshipId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Vec<AgreementEvent>>> {
        SqlStore::agreement_moves(self, rel, since).await
    }

    async fn link_contribution(
        &self,
        rel: RelationshipId,
        agreement: uuid::Uuid,
        contribution: uuid::Uuid,
        actor: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::link_contribution(self, rel, agreement, contribution, actor, at).await
    }

    async fn unlink_contribution(
        &self,
        rel: RelationshipId,
        agreement: uuid::Uuid,
        contribution: uuid::Uuid,
    ) -> StoreResult<bool> {
        SqlStore::unlink_contribution(self, rel, agreement, contribution).await
    }

    async fn insert_checkin(
        &self,
        rel: RelationshipId,
        checkin: &CheckinRecord,
    ) -> StoreResult<bool> {
        SqlStore::insert_checkin(self, rel, checkin).await
    }

    async fn replace_checkin(
        &self,
        rel: RelationshipId,
        checkin: &CheckinRecord,
    ) -> StoreResult<bool> {
        SqlStore::replace_checkin(self, rel, checkin).await
    }

    async fn checkins_of(
        &self,
        rel: RelationshipId,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<CheckinRecord>> {
        SqlStore::checkins_of(self, rel, author, shared_only).await
    }

    async fn set_checkin_shared(
        &self,
        rel: RelationshipId,
        author: AccountId,
        id: uuid::Uuid,
        shared: bool,
    ) -> StoreResult<bool> {
        SqlStore::set_checkin_shared(self, rel, author, id, shared).await
    }

    async fn checkin_cadence(&self, rel: RelationshipId) -> StoreResult<Option<u32>> {
        SqlStore::checkin_cadence(self, rel).await
    }

    async fn set_checkin_cadence(
        &self,
        rel: RelationshipId,
        actor: AccountId,
        every_days: u32,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::set_checkin_cadence(self, rel, actor, every_days, at).await
    }

    async fn insert_episode(
        &self,
        rel: RelationshipId,
        episode: &EpisodeRecord,
    ) -> StoreResult<bool> {
        SqlStore::insert_episode(self, rel, episode).await
    }

    async fn episodes_for(
        &self,
        rel: RelationshipId,
        viewer: AccountId,
    ) -> StoreResult<Vec<EpisodeRecord>> {
        SqlStore::episodes_for(self, rel, viewer).await
    }

    async fn episode(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<EpisodeRecord>> {
        SqlStore::episode(self, rel, id).await
    }

    async fn episode_views(
        &self,
        rel: RelationshipId,
        episode: Option<uuid::Uuid>,
    ) -> StoreResult<Vec<EpisodeView>> {
        SqlStore::episode_views(self, rel, episode).await
    }

    async fn episode_turns(
        &self,
        rel: RelationshipId,
        episode: Option<uuid::Uuid>,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<TurnRecord>> {
        SqlStore::episode_turns(self, rel, episode, author, shared_only).await
    }

    async fn append_turn(
        &self,
        rel: RelationshipId,
        turn: &TurnRecord,
    ) -> StoreResult<Option<u32>> {
        SqlStore::append_turn(self, rel, turn).await
    }

    async fn packed_views(
        &self,
        rel: RelationshipId,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<(EpisodeRecord, String)>> {
        SqlStore::packed_views(self, rel, author, shared_only).await
    }

    async fn remove_last_turn(
        &self,
        rel: RelationshipId,
        episode: uuid::Uuid,
        author: AccountId,
    ) -> StoreResult<bool> {
        SqlStore::remove_last_turn(self, rel, episode, author).await
    }

    async fn set_view_shared(
        &self,
        rel: RelationshipId,
        episode: uuid::Uuid,
        author: AccountId,
        shared: bool,
        reveal: Option<(&str, DateTime<Utc>)>,
    ) -> StoreResult<bool> {
        SqlStore::set_view_shared(self, rel, episode, author, shared, reveal).await
    }

    async fn outlines_with_prefix(
        &self,
        rel: RelationshipId,
        prefix: &str,
    ) -> StoreResult<Vec<(String, RoundRecord<()>)>> {
        SqlStore::outlines_with_prefix(self, rel, prefix).await
    }

    async fn revealed_rounds(
        &self,
        rel: RelationshipId,
        prefix: &str,
    ) -> StoreResult<Vec<(String, RoundRecord<String>)>> {
        SqlStore::revealed_rounds(self, rel, prefix).await
    }

    async fn insert_engagement(&self, engagement: &NewEngagement) -> StoreResult<bool> {
        SqlStore::insert_engagement(self, engagement).await
    }

    async fn open_engagement(&self, rel: RelationshipId) -> StoreResult<Option<EngagementRecord>> {
        SqlStore::open_engagement(self, rel).await
    }

    async fn engagement_by_code(
        &self,
        code_hash: &SecretHash,
    ) -> StoreResult<Option<EngagementRecord>> {
        SqlStore::engagement_by_code(self, code_hash).await
    }

    async fn join_engagement(&self, join: &EngagementJoin<'_>) -> StoreResult<bool> {
        SqlStore::join_engagement(self, join).await
    }

    async fn approve_engagement(&self, approval: &ApprovalWrite<'_>) -> StoreResult<bool> {
        SqlStore::approve_engagement(self, approval).await
    }

    async fn renew_engagement(&self, approval: &ApprovalWrite<'_>) -> StoreResult<bool> {
        SqlStore::renew_engagement(self, approval).await
    }

    async fn revoke_engagement(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::revoke_engagement(self, rel, id, by, at).await
    }

    async fn engagements_of_counselor(
        &self,
        counselor: AccountId,
    ) -> StoreResult<Vec<EngagementRecord>> {
        SqlStore::engagements_of_counselor(self, counselor).await
    }

    async fn insert_counselor_note(&self, note: &CounselorNote) -> StoreResult<bool> {
        SqlStore::insert_counselor_note(self, note).await
    }

    async fn counselor_notes(
        &self,
        engagement: uuid::Uuid,
        author: Option<AccountId>,
    ) -> StoreResult<Vec<CounselorNote>> {
        SqlStore::counselor_notes(self, engagement, author).await
    }

    async fn counselor_notes_by(
        &self,
        rel: RelationshipId,
        author: AccountId,
    ) -> StoreResult<Vec<CounselorNote>> {
        SqlStore::counselor_notes_by(self, rel, author).await
    }

    // Two-factor
    async fn two_factor_of(&self, account: AccountId) -> StoreResult<Option<TwoFactorRecord>> {
        SqlStore::two_factor_of(self, account).await
    }

    async fn start_two_factor(
        &self,
        account: AccountId,
        sealed_secret: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::start_two_factor(self, account, sealed_secret, now).await
    }

    async fn confirm_two_factor(
        &self,
        account: AccountId,
        sealed_secret: &str,
        step: i64,
        now: DateTime<Utc>,
        recovery_hashes: &[SecretHash],
    ) -> StoreResult<bool> {
        SqlStore::confirm_two_factor(self, account, sealed_secret, step, now, recovery_hashes).await
    }

    async fn use_two_factor_step(&self, account: AccountId, step: i64) -> StoreResult<bool> {
        SqlStore::use_two_factor_step(self, account, step).await
    }

    async fn use_two_factor_recovery_code(
        &self,
        account: AccountId,
        code_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        SqlStore::use_two_factor_recovery_code(self, account, code_hash, now).await
    }

    async fn remove_two_factor(&self, account: AccountId) -> StoreResult<bool> {
        SqlStore::remove_two_factor(self, account).await
    }
}
