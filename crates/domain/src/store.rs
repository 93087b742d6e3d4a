//! The `Store` trait: every read and write the use cases need, one method per
//! question. Each engine implements it; each multi-row write is one
//! transaction inside its method, so a caller can never leave half a change.
//!
//! Rules live in the writes: a write into a relationship's data lands only
//! while the relationship is active (the condition is in the statement), and
//! answers `false` when it changed nothing, so a use case never decides on
//! a state that may have changed since it read it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::accounts::AccountKind;
use crate::ids::{AccountId, RelationshipId};
use crate::ledger::Domain;
use crate::relationship::{MemberRole, RelationshipStatus};
use crate::sealed::{RoundRecord, SideRecord};
use crate::secret::SecretHash;
use crate::values::Email;
pub use keys::StoredAccountKeys;

/// What can go wrong in a store, in terms the domain can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the string names the rule (e.g. `email`).
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// The engine failed. The detail goes to the log, never to a client.
    #[error("database: {0}")]
    Backend(String),
}

impl From<StoreError> for crate::DomainError {
    /// A rule the database held against a concurrent request is a state
    /// conflict (409), never a failure on our side: use cases name the rules
    /// they expect; any other one still answers "try again", not 500.
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(_) => crate::DomainError::Conflict {
                code: "conflict",
                message: "Something changed at the same moment. Please look again and retry."
                    .into(),
                field: None,
            },
            StoreError::Backend(detail) => crate::DomainError::Storage(detail),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: AccountId,
    pub email: Email,
    pub display_name: String,
    /// An argon2id PHC string; never the password.
    pub password_hash: String,
    /// The hash of the recovery code shown once at sign-up.
    pub recovery_hash: SecretHash,
    pub created_at: DateTime<Utc>,
    /// The account's keys, wrapped by the password and the recovery code.
    pub keys: StoredAccountKeys,
    /// Partner or counselor; never changes after sign-up.
    pub kind: AccountKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// Whether the owner holds a recovery code (accounts made before codes
    /// existed have none until they make one).
    pub has_recovery_code: bool,
    /// The account's wrapped keys; `None` for an account made before
    /// encryption at rest, until its owner next signs in.
    pub keys: Option<StoredAccountKeys>,
    /// Partner or counselor; never changes after sign-up.
    pub kind: AccountKind,
    /// Two-step sign-in is on (enrolled and confirmed).
    pub two_factor: bool,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: uuid::Uuid,
    pub id_hash: SecretHash,
    pub account_id: AccountId,
    pub created_at: DateTime<Utc>,
    /// A coarse label such as "Firefox on Android", for the owner's list.
    pub device: String,
    /// "Keep me signed in on this device" was chosen.
    pub persistent: bool,
    /// The account keys, sealed under a secret derived from the session id
    /// (`keys::SessionSecret::of_credential`), which only the cookie holds.
    pub sealed_keys: String,
}

/// A live server-side session, as found by the hash of its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: uuid::Uuid,
    pub account_id: AccountId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub persistent: bool,
    /// See [`NewSession::sealed_keys`].
    pub sealed_keys: Option<String>,
}

/// One of the owner's sessions, as listed to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: uuid::Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub device: String,
    pub persistent: bool,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: uuid::Uuid,
    pub account_id: AccountId,
    pub name: String,
    pub token_hash: SecretHash,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The account keys, sealed under a secret derived from the token.
    pub sealed_keys: String,
}

/// A personal API token as its owner sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: uuid::Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// The token a request came with, as found by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUse {
    pub id: uuid::Uuid,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// See [`NewToken::sealed_keys`].
    pub sealed_keys: Option<String>,
}

/// A new password, and what ends with the old one.
#[derive(Debug, Clone)]
pub struct PasswordChange<'a> {
    pub account_id: AccountId,
    /// The stored hash the current password was checked against: of two
    /// racing changes, only the first still finds it.
    pub expected_hash: &'a str,
    pub new_hash: &'a str,
    /// The data key wrapped by the new password (`None` only for an
    /// account that has no keys yet).
    pub new_key_by_password: Option<&'a str>,
    /// The session that asked, which stays signed in (its keys are the
    /// same keys); every other session and every token of the account ends.
    pub keep_session: &'a SecretHash,
}

/// How someone who forgot their password proves the account is theirs.
#[derive(Debug, Clone)]
pub enum ResetProof<'a> {
    /// The account's recovery code; it is used up, and `next_code_hash`
    /// (a fresh code shown to the person) replaces it.
    RecoveryCode {
        email: &'a str,
        code_hash: &'a SecretHash,
        next_code_hash: &'a SecretHash,
    },
    /// A one-time link an operator created; it is used up.
    Link {
        token_hash: &'a SecretHash,
        now: DateTime<Utc>,
    },
}

/// The keys an account has after a password reset.
#[derive(Debug, Clone)]
pub enum ResetKeys<'a> {
    /// The recovery code unwrapped the data key: the same keys, wrapped by
    /// the new password and the next recovery code. Nothing is lost.
    Kept {
        by_password: &'a str,
        by_recovery: &'a str,
    },
    /// An operator's link: new keys. Texts sealed with the old data key
    /// (drafts never submitted, reflections, token names) cannot be opened any more and
    /// are deleted; the relationship keys sealed to the old public key are
    /// dropped, for the partner to seal again to the new one.
    Fresh(&'a StoredAccountKeys),
}

/// What the owner is told happened to their account's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityEventKind {
    SignedIn,
    SignInFailed,
    SignInThrottled,
    PasswordChanged,
    PasswordReset,
    RecoveryCodeCreated,
    ResetLinkCreated,
    TokenCreated,
    TokenRevoked,
    SessionEnded,
    OtherSessionsEnded,
    TwoFactorOn,
    TwoFactorOff,
    /// The right password with a wrong or already used code.
    TwoFactorRefused,
    /// The right password without the code two-step sign-in asks for.
    TwoFactorMissing,
    /// Signed in with a two-step recovery code instead of the app.
    TwoFactorRecoveryCodeUsed,
}

impl SecurityEventKind {
    pub const ALL: [Self; 16] = [
        Self::SignedIn,
        Self::SignInFailed,
        Self::SignInThrottled,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::RecoveryCodeCreated,
        Self::ResetLinkCreated,
        Self::TokenCreated,
        Self::TokenRevoked,
        Self::SessionEnded,
        Self::OtherSessionsEnded,
        Self::TwoFactorOn,
        Self::TwoFactorOff,
        Self::TwoFactorRefused,
        Self::TwoFactorMissing,
        Self::TwoFactorRecoveryCodeUsed,
    ];

    /// Recorded while answering someone not yet signed in (a failed or
    /// throttled sign-in), so its cost shows in that answer's timing.
    pub fn before_sign_in(self) -> bool {
        matches!(
            self,
            Self::SignInFailed
                | Self::SignInThrottled
                | Self::TwoFactorRefused
                | Self::TwoFactorMissing
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignInThrottled => "sign_in_throttled",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::RecoveryCodeCreated => "recovery_code_created",
            Self::ResetLinkCreated => "reset_link_created",
            Self::TokenCreated => "token_created",
            Self::TokenRevoked => "token_revoked",
            Self::SessionEnded => "session_ended",
            Self::OtherSessionsEnded => "other_sessions_ended",
            Self::TwoFactorOn => "two_factor_on",
            Self::TwoFactorOff => "two_factor_off",
            Self::TwoFactorRefused => "two_factor_refused",
            Self::TwoFactorMissing => "two_factor_missing",
            Self::TwoFactorRecoveryCodeUsed => "two_factor_recovery_code_used",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    pub id: uuid::Uuid,
    pub account_id: AccountId,
    pub kind: SecurityEventKind,
    pub at: DateTime<Utc>,
    /// A coarse device label, or empty when unknown.
    pub device: String,
    /// The client's truncated address (e.g. `192.0.2.x`), or empty.
    pub client: String,
}

/// A form posted after its session ended, kept (encrypted) for its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldForm {
    pub id: uuid::Uuid,
    pub account_id: AccountId,
    /// Where the form was posted.
    pub path: String,
    /// The body, encrypted under a key only the author's browser holds.
    pub sealed: String,
    pub created_at: DateTime<Utc>,
}

/// What the periodic sweep removes: everything that has run out.
#[derive(Debug, Clone, Copy)]
pub struct Sweep {
    /// Ordinary sessions last used before this.
    pub idle_before: DateTime<Utc>,
    /// Ordinary sessions begun before this.
    pub started_before: DateTime<Utc>,
    /// "Keep me signed in" sessions begun before this.
    pub remembered_before: DateTime<Utc>,
    /// Tokens and reset links that expired before this.
    pub now: DateTime<Utc>,
    /// Security events older than this.
    pub events_before: DateTime<Utc>,
    /// Held forms older than this.
    pub held_before: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewRelationship {
    pub id: RelationshipId,
    pub creator: AccountId,
    pub invite_hash: SecretHash,
    pub invite_expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub keys: NewRelationshipKeys,
}

/// A new relationship's key in the forms it is stored in.
#[derive(Debug, Clone)]
pub struct NewRelationshipKeys {
    /// Sealed to the creator's public key.
    pub for_creator: String,
    /// Wrapped by the invitation code, for the joiner.
    pub for_invitation: String,
    /// A constant sealed with the key (see `Relationship::key_check`).
    pub check: String,
}

/// An invitation as the joiner's request finds it by its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub relationship_id: RelationshipId,
    pub created_by: AccountId,
    pub expires_at: DateTime<Utc>,
    /// The relationship key wrapped by the code.
    pub wrapped_key: Option<String>,
}

/// How a caller proved who they are, by the hash of the secret they sent.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    Session(&'a SecretHash),
    Token(&'a SecretHash),
}

/// Everything a request needs to know about its caller, in one read: the
/// account, its session (none for a token) and its relationships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: Account,
    pub session: Option<Session>,
    pub token: Option<TokenUse>,
    pub memberships: Vec<Membership>,
}

/// One of the caller's relationships, as listed on `GET /me`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub relationship_id: RelationshipId,
    pub role: MemberRole,
    pub status: RelationshipStatus,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub account_id: AccountId,
    pub display_name: String,
    pub role: MemberRole,
    /// Set once this member left; a member who left sees nothing new.
    pub left_at: Option<DateTime<Utc>>,
    /// The member's public key (`None` until an account made before
    /// encryption at rest signs in again).
    pub public_key: Option<String>,
    /// The relationship key sealed to this member; `None` until a member
    /// who holds it seals it to them (after a join by a keyless account, or
    /// an operator's reset gave them new keys).
    pub sealed_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    pub id: RelationshipId,
    pub status: RelationshipStatus,
    pub created_at: DateTime<Utc>,
    pub invite_expires_at: Option<DateTime<Utc>>,
    pub members: Vec<Member>,
    /// A constant sealed with the relationship key, set once: proves which
    /// key is the couple's, so two members can never each make their own.
    pub key_check: Option<String>,
    /// Made before encryption at rest: its older texts are stored in clear.
    pub clear_text_allowed: bool,
}

/// What happened to an attempt to join with an invite code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    Joined(RelationshipId),
    /// No pending relationship has this code unexpired (never existed, used, or expired).
    InvalidCode,
    /// The code belongs to a relationship the caller created.
    OwnInvitation,
}

#[derive(Debug, Clone)]
pub struct NewContribution {
    pub id: uuid::Uuid,
    pub relationship_id: RelationshipId,
    pub giver: AccountId,
    pub receiver: AccountId,
    /// Who wrote the entry: the giver, or the receiver ("you did this for me").
    pub logged_by: AccountId,
    pub domain: Domain,
    pub description: String,
    /// Days since 1970-01-01.
    pub day: i32,
    pub effort: u8,
    pub minutes: Option<u32>,
    pub created_at: DateTime<Utc>,
    /// Set at once when the receiver logs it.
    pub value: Option<u8>,
    pub thanks_note: Option<String>,
}

/// A contribution as stored, with its acknowledgment if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionRecord {
    pub id: uuid::Uuid,
    pub giver: AccountId,
    pub receiver: AccountId,
    pub logged_by: AccountId,
    pub domain: Domain,
    pub description: String,
    pub day: i32,
    pub effort: u8,
    pub minutes: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub value: Option<u8>,
    pub thanks_note: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Which contributions to list; all filters are optional and combine.
#[derive(Debug, Clone, Default)]
pub struct ContributionFilter {
    pub giver: Option<AccountId>,
    pub domain: Option<Domain>,
    /// Only those this account received and has not acknowledged yet.
    pub awaiting: Option<AccountId>,
    /// Only those this account wrote something on: entries it logged, and
    /// entries it thanked (what a former partner may still read).
    pub written_by: Option<AccountId>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// One line of an owner's access log: `viewer` looked at the owner's shared
/// items of kind `item` on `day` (first at `first_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub owner: AccountId,
    pub viewer: AccountId,
    /// The viewer's display name (as read; empty when recording).
    pub viewer_name: String,
    pub relationship_id: RelationshipId,
    /// `ledger`, or a questionnaire kind (`values`, `respect`, `deck:<key>`).
    pub item: String,
    /// Days since 1970-01-01.
    pub day: i32,
    pub first_at: DateTime<Utc>,
}

/// A private reflection: what its author wrote, for them alone. In the
/// store `text` is the author's sealed envelope; in the domain, the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reflection {
    pub id: uuid::Uuid,
    pub relationship_id: RelationshipId,
    pub author: AccountId,
    /// The key of the question it answers (`catalog::reflections`), if any.
    pub prompt: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A respect-map area a couple added to the standard ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomArea {
    pub id: uuid::Uuid,
    pub name: String,
    pub created_by: AccountId,
    pub created_at: DateTime<Utc>,
}

/// How a proposal of a next round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalStatus {
    /// Waiting for the other partner.
    Open,
    /// The other partner agreed: the round started.
    Agreed,
    /// The other partner said "not now".
    Declined,
    /// The proposer took it back.
    Withdrawn,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Agreed => "agreed",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Agreed, Self::Declined, Self::Withdrawn]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One partner's proposal to start the next round of a sealed
/// questionnaire, which starts only when the other agrees. Shared with the
/// partner: asking is something done together. Holds no words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundProposal {
    pub id: uuid::Uuid,
    /// The revealed round it follows: agreeing starts round `after + 1`.
    pub after: u32,
    pub proposed_by: AccountId,
    pub proposed_at: DateTime<Utc>,
    pub status: ProposalStatus,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A note either partner wrote about a revealed conversation: something they
/// agreed on, or an idea to turn into an agreement. Shared with the partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationNote {
    pub id: uuid::Uuid,
    pub author: AccountId,
    pub text: String,
    /// The author marked it as something to propose as an agreement.
    pub agreement_idea: bool,
    pub created_at: DateTime<Utc>,
}

/// An agreement's head as stored: what its moves led to, kept for lists,
/// and the revision every write compares and swaps (`domain::agreements`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementHead {
    pub id: uuid::Uuid,
    pub relationship_id: RelationshipId,
    pub domain: crate::ledger::Domain,
    pub proposed_by: AccountId,
    /// The conversation (deck key, round) it started from, if any.
    pub origin: Option<(String, u32)>,
    pub created_at: DateTime<Utc>,
    /// One more with every move: the token of the compare and swap.
    pub revision: i64,
    pub latest_version: u32,
    pub status: crate::agreements::Status,
    pub in_force: Option<u32>,
    pub awaiting: Option<AccountId>,
    /// Days since 1970-01-01.
    pub review_on: Option<i32>,
    pub updated_at: DateTime<Utc>,
}

/// One version of an agreement; never changed once written. Words sealed
/// with the couple's key; `parts` in the relationship's member order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementVersion {
    pub number: u32,
    pub author: AccountId,
    pub kind: crate::agreements::Kind,
    pub title: String,
    pub terms: String,
    pub parts: [Option<String>; 2],
    pub review_on: Option<i32>,
    pub created_at: DateTime<Utc>,
}

/// One move on an agreement, in order (`seq` is the revision it made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementEvent {
    pub seq: i64,
    pub version: u32,
    pub actor: AccountId,
    pub kind: crate::agreements::Kind,
    /// Why it was declined or retired (sealed).
    pub reason: Option<String>,
    /// The review date a confirmation set.
    pub review_on: Option<i32>,
    pub at: DateTime<Utc>,
}

/// An agreement with every version and move, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementRecord {
    pub head: AgreementHead,
    pub versions: Vec<AgreementVersion>,
    pub events: Vec<AgreementEvent>,
    /// Linked ledger contributions, in the order they were linked.
    pub links: Vec<uuid::Uuid>,
}

/// A line of the agreements list: the head and one version's title
/// (sealed), the latest one, or for a former partner their own latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementLine {
    pub head: AgreementHead,
    pub title_version: u32,
    pub title_author: AccountId,
    pub title: String,
}

/// A move to store: the new head (its `revision` one more than `expected`),
/// the event and, for a proposal, counter or revision, the new version.
#[derive(Debug, Clone)]
pub struct AgreementWrite {
    pub head: AgreementHead,
    pub expected_revision: i64,
    pub actor: AccountId,
    pub event: AgreementEvent,
    pub version: Option<AgreementVersion>,
}

/// One check-in as stored: ten 0–8 answers in [`crate::checkins::ITEMS`]
/// order, clear; the note sealed with the author's own key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinRecord {
    pub id: uuid::Uuid,
    pub author: AccountId,
    /// Days since 1970-01-01.
    pub day: i32,
    pub items: [u8; 10],
    pub shared: bool,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A counselor engagement as stored (issue 18; `counselor::Engagement` is
/// its rules).
#[derive(Debug, Clone)]
pub struct EngagementRecord {
    pub id: uuid::Uuid,
    pub relationship_id: RelationshipId,
    /// The address the inviter typed: only that account can join.
    pub invited_email: String,
    pub invited_by: AccountId,
    pub code_expires_at: DateTime<Utc>,
    /// The couple's key wrapped by the code, until it is spent.
    pub wrapped_key: Option<String>,
    /// The counselor, once joined, with their name and public key.
    pub counselor: Option<AccountId>,
    pub counselor_name: Option<String>,
    pub counselor_public_key: Option<String>,
    /// The couple's key sealed to the counselor (gone once revoked).
    pub sealed_key: Option<String>,
    pub joined_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub approvals: Vec<ApprovalRecord>,
}

/// One partner's consent as stored: category keys, comma-separated.
#[derive(Debug, Clone)]
pub struct ApprovalRecord {
    pub account: AccountId,
    pub categories: String,
    pub approved_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewEngagement {
    pub id: uuid::Uuid,
    pub relationship_id: RelationshipId,
    pub invited_email: String,
    pub invited_by: AccountId,
    pub code_hash: SecretHash,
    pub code_expires_at: DateTime<Utc>,
    pub wrapped_key: String,
    pub categories: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct EngagementJoin<'a> {
    pub code_hash: &'a SecretHash,
    pub counselor: AccountId,
    pub email: &'a str,
    pub sealed_key: &'a str,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ApprovalWrite<'a> {
    pub rel: RelationshipId,
    pub engagement: uuid::Uuid,
    pub account: AccountId,
    pub categories: &'a str,
    pub at: DateTime<Utc>,
}

/// A private note to the counselor (D7), sealed twice before it gets here.
#[derive(Debug, Clone)]
pub struct CounselorNote {
    pub id: uuid::Uuid,
    pub engagement: uuid::Uuid,
    pub author: AccountId,
    /// A fresh key, sealed to the counselor's public key.
    pub note_key: String,
    /// The text sealed with that key.
    pub for_counselor: String,
    /// The text sealed with the author's own key.
    pub for_author: String,
    pub created_at: DateTime<Utc>,
}

/// An episode as stored. The title is sealed with the recorder's own key
/// until it is shared, with the couple's key after; `None` once the
/// recorder deleted their account (the other partner keeps their view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeRecord {
    pub id: uuid::Uuid,
    pub recorded_by: AccountId,
    pub title: Option<String>,
    /// `conflict` or `everyday`.
    pub kind: String,
    /// The day it happened, days since 1970-01-01.
    pub day: i32,
    /// When the recorder shared it; `None` while only they know of it.
    pub shared_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// One partner's account of an episode: whether they share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpisodeView {
    pub episode: uuid::Uuid,
    pub author: AccountId,
    pub shared: bool,
}

/// One turn of one partner's view, clear (the pattern page computes on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnRecord {
    pub episode: uuid::Uuid,
    /// Whose view.
    pub author: AccountId,
    /// 1, 2, 3… within the view.
    pub position: u32,
    pub actor: AccountId,
    pub code: String,
    /// `positive`, `neutral` or `negative`.
    pub valence: String,
    pub intensity: u8,
    /// The turn as the pattern reads it (`episodes::token`), packed into
    /// its view's `turns` in order.
    pub token: String,
    pub created_at: DateTime<Utc>,
}

/// An account's authenticator as stored (see `crate::two_factor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorRecord {
    /// The TOTP secret in base32, sealed with the owner's own key.
    pub secret: String,
    pub created_at: DateTime<Utc>,
    /// `None` while enrolling.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The last time step a code was accepted for.
    pub last_step: Option<i64>,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u32,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for logs and metrics.
    fn engine_name(&self) -> &'static str;
    /// Applies this engine's migrations; safe to run repeatedly.
    async fn migrate(&self) -> StoreResult<()>;
    /// Answers once the database can serve a query.
    async fn ping(&self) -> StoreResult<()>;
    /// A key the server keeps for itself under `name`: the stored one, or
    /// `fresh` if none was stored yet (the first instance to ask wins).
    async fn server_secret(&self, name: &str, fresh: &str) -> StoreResult<String>;

    // Accounts.
    /// Fails with `Conflict("email")` when the address is taken.
    async fn insert_account(&self, account: &NewAccount) -> StoreResult<()>;
    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<Account>>;
    async fn account_by_id(&self, id: AccountId) -> StoreResult<Option<Account>>;
    /// Gives keys to an account made before encryption at rest; false when
    /// it already has some (a concurrent sign-in made them first).
    async fn set_account_keys(
        &self,
        account: AccountId,
        keys: &StoredAccountKeys,
    ) -> StoreResult<bool>;

    // Sessions.
    async fn insert_session(&self, session: &NewSession) -> StoreResult<()>;
    /// Moves `last_seen_at` to `now` unless it is already later than `unless_after`
    /// (so concurrent requests on one session write once, not once each).
    async fn touch_session(
        &self,
        id_hash: &SecretHash,
        now: DateTime<Utc>,
        unless_after: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The caller behind a credential, with account and memberships, in one query.
    async fn principal(&self, credential: Credential<'_>) -> StoreResult<Option<Principal>>;
    async fn delete_session(&self, id_hash: &SecretHash) -> StoreResult<()>;
    /// The account's sessions, newest first.
    async fn sessions_of(&self, account: AccountId) -> StoreResult<Vec<SessionInfo>>;
    /// Ends one of the account's sessions; false when it has no such session.
    async fn end_session_of(&self, account: AccountId, id: uuid::Uuid) -> StoreResult<bool>;
    /// Ends every session of the account but `keep`; returns how many ended.
    async fn end_other_sessions(&self, account: AccountId, keep: &SecretHash) -> StoreResult<u64>;
    /// Removes whatever has run out: sessions, tokens, reset links, old
    /// security events and held forms; returns how many rows went.
    /// On SQLite it also checkpoints and empties the WAL (SECURITY.md R38).
    async fn sweep(&self, sweep: &Sweep) -> StoreResult<u64>;

    // Personal API tokens.
    async fn insert_token(&self, token: &NewToken) -> StoreResult<()>;
    /// The account's tokens, newest first (never their secrets).
    async fn tokens_of(&self, account: AccountId) -> StoreResult<Vec<TokenInfo>>;
    /// Revokes one of the account's tokens; false when it has no such token.
    async fn revoke_token(&self, account: AccountId, id: uuid::Uuid) -> StoreResult<bool>;
    /// Records a token's use, at most once per `unless_after` window.
    async fn touch_token(
        &self,
        id: uuid::Uuid,
        now: DateTime<Utc>,
        unless_after: DateTime<Utc>,
    ) -> StoreResult<()>;

    // Passwords and recovery.
    /// Sets the new password if the stored hash is still the expected one,
    /// ending every other session and every token in the same transaction;
    /// false when a racing change came first.
    async fn change_password(&self, change: &PasswordChange<'_>) -> StoreResult<bool>;
    /// Sets a new password for whoever holds the proof, using the proof up
    /// and ending every session and token; `None` when the proof is wrong,
    /// used or expired.
    async fn reset_password(
        &self,
        proof: &ResetProof<'_>,
        new_hash: &str,
        keys: &ResetKeys<'_>,
    ) -> StoreResult<Option<AccountId>>;
    /// Replaces the account's recovery code (by its hash) and the data key
    /// wrapped by it.
    async fn set_recovery_code(
        &self,
        account: AccountId,
        code_hash: &SecretHash,
        key_by_recovery: Option<&str>,
    ) -> StoreResult<()>;
    /// The account a working (unexpired) reset link belongs to.
    async fn reset_link_owner(
        &self,
        token_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<AccountId>>;
    /// Creates a one-time reset link, replacing any earlier one of the account.
    async fn insert_reset_link(
        &self,
        account: AccountId,
        token_hash: &SecretHash,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;

    // The access log, for the owner alone.
    /// Records a view, once per owner, viewer, item and day.
    async fn record_access(&self, entry: &AccessEntry) -> StoreResult<()>;
    /// The owner's log, newest first, at most `limit` lines.
    async fn access_log_of(&self, owner: AccountId, limit: u32) -> StoreResult<Vec<AccessEntry>>;

    // Private reflections, for their author alone.
    /// Stores a reflection while its author is a member of a relationship
    /// that has not ended (the rule is in the insert); false otherwise.
    async fn insert_reflection(&self, reflection: &Reflection) -> StoreResult<bool>;
    /// The author's reflections in `rel`, newest first, at most `limit`.
    async fn reflections_of(
        &self,
        author: AccountId,
        rel: RelationshipId,
        limit: u32,
    ) -> StoreResult<Vec<Reflection>>;
    /// Deletes one of the author's reflections in `rel`; false when the
    /// author has no such reflection there.
    async fn delete_reflection(
        &self,
        author: AccountId,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<bool>;

    // Security events, for the owner alone.
    async fn insert_security_event(&self, event: &SecurityEvent) -> StoreResult<()>;
    /// The account's events, newest first, at most `limit`.
    async fn security_events_of(
        &self,
        account: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<SecurityEvent>>;

    // Forms held across a sign-out.
    async fn insert_held_form(&self, form: &HeldForm) -> StoreResult<()>;
    /// Takes (reads and deletes, once) the account's held form `id` if it
    /// was held after `since`.
    async fn take_held_form(
        &self,
        id: uuid::Uuid,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<HeldForm>>;

    // Deleting an account (see `crate::deletion` for what goes and what stays).
    /// In one transaction, and only while the stored password hash is still
    /// `expected_password_hash`: ends every relationship the account has
    /// open (as `leave_relationship`, at `now`), removes what its owner
    /// wrote and every credential, and leaves the account row as a
    /// tombstone nobody can sign in to. False, with nothing changed, when
    /// the hash is no longer the expected one (a racing password change or
    /// deletion came first). On SQLite the WAL is then checkpointed and
    /// emptied, so no old page holds what was deleted.
    async fn delete_account(
        &self,
        account: AccountId,
        expected_password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    // Relationships.
    /// Creates the relationship, its creator's membership and its invitation together.
    async fn create_relationship(&self, relationship: &NewRelationship) -> StoreResult<()>;
    /// Replaces the invitation of a pending relationship (the old code stops
    /// working), with the relationship key wrapped by the new code.
    async fn replace_invite(
        &self,
        id: RelationshipId,
        invite_hash: &SecretHash,
        expires_at: DateTime<Utc>,
        wrapped_key: Option<&str>,
    ) -> StoreResult<()>;
    /// The invitation with this code, if any (used or not, expired or not).
    async fn invitation(&self, invite_hash: &SecretHash) -> StoreResult<Option<Invitation>>;
    /// Joins by invitation in one transaction: checks the code is unused and
    /// unexpired, adds the member (with the relationship key sealed to
    /// them), activates the relationship, spends the code (and the key
    /// wrapped by it).
    async fn join_relationship(
        &self,
        invite_hash: &SecretHash,
        account: AccountId,
        now: DateTime<Utc>,
        sealed_key: Option<&str>,
    ) -> StoreResult<JoinOutcome>;
    /// Makes `check` the relationship's key check and seals the key to
    /// `account`, only if the relationship has no key yet (one made before
    /// encryption at rest); false when another member made one first.
    async fn create_relationship_key(
        &self,
        rel: RelationshipId,
        account: AccountId,
        sealed_key: &str,
        check: &str,
    ) -> StoreResult<bool>;
    /// Seals the relationship key to a member who has no copy; false when
    /// they have one already.
    async fn give_relationship_key(
        &self,
        rel: RelationshipId,
        account: AccountId,
        sealed_key: &str,
    ) -> StoreResult<bool>;
    async fn memberships_of(&self, account: AccountId) -> StoreResult<Vec<Membership>>;
    async fn relationship(&self, id: RelationshipId) -> StoreResult<Option<Relationship>>;
    /// Ends the relationship for both: marks the member as left and the
    /// relationship as ended, and spends any open invitation.
    async fn leave_relationship(
        &self,
        id: RelationshipId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    // Ledger.
    /// False (nothing written) unless the relationship is active.
    async fn insert_contribution(&self, contribution: &NewContribution) -> StoreResult<bool>;
    async fn contribution(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<ContributionRecord>>;
    /// Records the receiver's acknowledgment; false when it was already
    /// acknowledged (or is not theirs, or the relationship is not active), so
    /// two concurrent thanks cannot both win.
    async fn acknowledge_contribution(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
        receiver: AccountId,
        value: u8,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Rewrites the editable fields (domain, description, day, effort,
    /// minutes), only while the correction rule holds at the moment of
    /// writing: logged by `author`, created after `created_after`, not yet
    /// thanked when `author` is its giver, relationship active. False when
    /// any of these fails (then nothing changed).
    async fn update_contribution(
        &self,
        rel: RelationshipId,
        author: AccountId,
        contribution: &ContributionRecord,
        created_after: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Deletes under the same rule as `update_contribution`.
    async fn delete_contribution(
        &self,
        rel: RelationshipId,
        author: AccountId,
        id: uuid::Uuid,
        created_after: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn contributions(
        &self,
        rel: RelationshipId,
        filter: &ContributionFilter,
    ) -> StoreResult<Vec<ContributionRecord>>;
    /// Every contribution with `from_day <= day <= to_day`, as the analytics
    /// see it: giver 0 is `first`, giver 1 the other partner.
    async fn ledger_entries(
        &self,
        rel: RelationshipId,
        first: AccountId,
        from_day: i32,
        to_day: i32,
    ) -> StoreResult<Vec<crate::ledger::Entry>>;
    /// The descriptions of the entries the account logged most recently,
    /// newest first, each with its entry's id (sealed texts: equal
    /// descriptions look different here, so telling them apart is the
    /// caller's).
    async fn recent_descriptions(
        &self,
        rel: RelationshipId,
        account: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<(uuid::Uuid, String)>>;
    async fn set_show_numbers(
        &self,
        rel: RelationshipId,
        account: AccountId,
        show: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Each member's stored choice (members who never chose are absent: no numbers).
    async fn show_numbers(&self, rel: RelationshipId) -> StoreResult<Vec<(AccountId, bool)>>;

    // Sealed rounds (values, respect map, conversation decks). `kind` names
    // the questionnaire (`values`, `respect`, `deck:<key>`); answers are an
    // opaque payload the domain encodes. SECURITY: these return both sides;
    // only `sealed::Round::view_for` may decide what a person sees of them.
    /// The rounds of `kind` numbered within `numbers`, oldest first, with answers.
    async fn sealed_rounds(
        &self,
        rel: RelationshipId,
        kind: &str,
        numbers: std::ops::RangeInclusive<u32>,
    ) -> StoreResult<Vec<RoundRecord<String>>>;
    /// Every round of `kind`, oldest first, without the answers: only
    /// whether each side has any, and when it submitted. Enough for states
    /// and history, and cheap however long the history grows.
    async fn round_outline(
        &self,
        rel: RelationshipId,
        kind: &str,
    ) -> StoreResult<Vec<RoundRecord<()>>>;
    /// Adds a round with both (empty) sides in one transaction. Fails with
    /// `Conflict("round")` when that number exists (two partners started at
    /// once); false when the relationship is not active.
    async fn insert_round(
        &self,
        rel: RelationshipId,
        kind: &str,
        round: &RoundRecord<String>,
    ) -> StoreResult<bool>;
    /// Writes one partner's side (a draft, or the submission when
    /// `submitted_at` is set), but only while that side is not submitted:
    /// false when it already was, so a late draft or a second concurrent
    /// submit cannot overwrite fixed answers. False too when the
    /// relationship is not active.
    async fn save_side(
        &self,
        rel: RelationshipId,
        kind: &str,
        number: u32,
        side: &SideRecord<String>,
    ) -> StoreResult<bool>;

    // Proposals of a next round (values, the respect map): at most one open
    // per relationship and kind (a unique partial index); each close is a
    // conditional write on `status = 'open'` with its rule in the statement.
    /// The latest proposal of a next round of `kind`, whatever its status.
    async fn latest_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
    ) -> StoreResult<Option<RoundProposal>>;
    /// Records an open proposal while the relationship is active (false
    /// otherwise); `Conflict("round_proposal")` when one is open already.
    async fn insert_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        proposal: &RoundProposal,
    ) -> StoreResult<bool>;
    /// Closes open proposal `id` as `Declined` (only by the partner who did
    /// not propose) or `Withdrawn` (only by its proposer). False when it is
    /// no longer open, the rule does not hold, or the relationship is not
    /// active.
    async fn close_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        id: uuid::Uuid,
        by: AccountId,
        outcome: ProposalStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// The other partner agrees to open proposal `id`: marks it agreed and
    /// inserts `round` (both sides empty) in one transaction. Of two agrees
    /// at once only one finds the proposal open: false for the other (and
    /// when `by` proposed it, or the relationship is not active);
    /// `Conflict("round")` when that round number exists.
    async fn agree_round_proposal(
        &self,
        rel: RelationshipId,
        kind: &str,
        id: uuid::Uuid,
        by: AccountId,
        round: &RoundRecord<String>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    // Respect map: the areas a couple added, oldest first.
    /// Adds the area in the next free slot, at most `max` per relationship.
    /// Fails with `Conflict("area_name")` when the relationship already has
    /// an area of that name (compared without case), `Conflict("area_slot")`
    /// when another insert took the same slot at the same moment (try
    /// again); `Ok(false)` when all slots are taken or the relationship is
    /// not active.
    async fn insert_custom_area(
        &self,
        rel: RelationshipId,
        area: &CustomArea,
        max: u32,
    ) -> StoreResult<bool>;
    async fn custom_areas(&self, rel: RelationshipId) -> StoreResult<Vec<CustomArea>>;

    // Notes on a revealed conversation round, oldest first.
    async fn insert_conversation_note(
        &self,
        rel: RelationshipId,
        deck: &str,
        number: u32,
        note: &ConversationNote,
    ) -> StoreResult<bool>;
    async fn conversation_notes(
        &self,
        rel: RelationshipId,
        deck: &str,
        number: u32,
    ) -> StoreResult<Vec<ConversationNote>>;
    // Agreements: a head, immutable versions and an ordered log of moves.
    /// Stores a new agreement (head, version 1, the proposal) while the
    /// actor is a member of an active relationship; false otherwise.
    async fn insert_agreement(&self, write: &AgreementWrite) -> StoreResult<bool>;
    /// Stores a move only if the head is still at `expected_revision` and
    /// the relationship is active with the actor in it (one transaction);
    /// false when either no longer holds.
    async fn record_agreement_move(&self, write: &AgreementWrite) -> StoreResult<bool>;
    /// One agreement of `rel`, with its versions, moves and links.
    async fn agreement(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<AgreementRecord>>;
    /// The agreements of `rel`, most recently changed first, each with its
    /// latest version's title; with `author`, only agreements that author
    /// wrote a version of, titled by their own latest version.
    async fn agreements(
        &self,
        rel: RelationshipId,
        author: Option<AccountId>,
    ) -> StoreResult<Vec<AgreementLine>>;
    /// The moves (reasons left out) of every agreement of `rel` created at
    /// or after `since`, grouped by agreement and in order.
    async fn agreement_moves(
        &self,
        rel: RelationshipId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Vec<AgreementEvent>>>;
    /// Links a contribution of `rel` in the agreement's domain while the
    /// relationship is active; false otherwise (or if already linked).
    async fn link_contribution(
        &self,
        rel: RelationshipId,
        agreement: uuid::Uuid,
        contribution: uuid::Uuid,
        actor: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Unlinks it while the relationship is active; false if not linked.
    async fn unlink_contribution(
        &self,
        rel: RelationshipId,
        agreement: uuid::Uuid,
        contribution: uuid::Uuid,
    ) -> StoreResult<bool>;
    // Check-ins: one per person per day.
    /// Stores a check-in while the author is in the active relationship;
    /// false otherwise; `Conflict("already_checked_in")` for a second on
    /// the same day.
    async fn insert_checkin(
        &self,
        rel: RelationshipId,
        checkin: &CheckinRecord,
    ) -> StoreResult<bool>;
    /// Replaces the author's check-in of that day (answers, sharing, note)
    /// while the relationship is active; false when there is none.
    async fn replace_checkin(
        &self,
        rel: RelationshipId,
        checkin: &CheckinRecord,
    ) -> StoreResult<bool>;
    /// The author's check-ins in `rel`, oldest first; only shared ones with
    /// `shared_only`.
    async fn checkins_of(
        &self,
        rel: RelationshipId,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<CheckinRecord>>;
    /// Shares or withdraws one of the author's check-ins while the
    /// relationship is active; false when there is no such check-in.
    async fn set_checkin_shared(
        &self,
        rel: RelationshipId,
        author: AccountId,
        id: uuid::Uuid,
        shared: bool,
    ) -> StoreResult<bool>;
    /// The couple's cadence in days, if they chose one.
    async fn checkin_cadence(&self, rel: RelationshipId) -> StoreResult<Option<u32>>;
    /// Sets the cadence while the actor is in the active relationship.
    async fn set_checkin_cadence(
        &self,
        rel: RelationshipId,
        actor: AccountId,
        every_days: u32,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    // Episodes: each partner's view kept apart; every write repeats "a
    // member of this active space" and "an episode the author may see"
    // (their own, or one shared with them).
    /// Stores an episode and its recorder's (empty, unshared) view in one
    /// transaction, while the recorder is in the active space.
    async fn insert_episode(
        &self,
        rel: RelationshipId,
        episode: &EpisodeRecord,
    ) -> StoreResult<bool>;
    /// The episodes `viewer` may know of: their own and shared ones, by day.
    async fn episodes_for(
        &self,
        rel: RelationshipId,
        viewer: AccountId,
    ) -> StoreResult<Vec<EpisodeRecord>>;
    async fn episode(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<EpisodeRecord>>;
    /// Every view of the space's episodes (or one episode's), without turns.
    async fn episode_views(
        &self,
        rel: RelationshipId,
        episode: Option<uuid::Uuid>,
    ) -> StoreResult<Vec<EpisodeView>>;
    /// The author's turns (only of shared views with `shared_only`), of one
    /// episode or all, by episode then position.
    async fn episode_turns(
        &self,
        rel: RelationshipId,
        episode: Option<uuid::Uuid>,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<TurnRecord>>;
    /// Appends a turn at the end of the author's view (opening the view if
    /// needed); its position is taken in the same statement. `None` when
    /// the author is not in the active space or may not see the episode;
    /// `Conflict("turn_position")` when a concurrent turn took the place.
    async fn append_turn(&self, rel: RelationshipId, turn: &TurnRecord)
        -> StoreResult<Option<u32>>;
    /// Every view of `author` in the space (only shared ones with
    /// `shared_only`) that holds turns, by the episode's day: the episode
    /// (its title left out: `None`) and the turns' tokens, comma-separated,
    /// in order. One row per view, for the pattern page.
    async fn packed_views(
        &self,
        rel: RelationshipId,
        author: AccountId,
        shared_only: bool,
    ) -> StoreResult<Vec<(EpisodeRecord, String)>>;
    /// Removes the last turn of the author's view; false when there is none.
    async fn remove_last_turn(
        &self,
        rel: RelationshipId,
        episode: uuid::Uuid,
        author: AccountId,
    ) -> StoreResult<bool>;
    /// Shares or withdraws the author's view (opening it if needed). With
    /// `reveal`, the recorder's first share, in the same transaction the
    /// episode becomes shared with its title sealed again for the couple.
    async fn set_view_shared(
        &self,
        rel: RelationshipId,
        episode: uuid::Uuid,
        author: AccountId,
        shared: bool,
        reveal: Option<(&str, DateTime<Utc>)>,
    ) -> StoreResult<bool>;
    /// Every round of a kind starting with `prefix` without its answers
    /// (as `round_outline`), with its kind: which repairs wait for whom.
    async fn outlines_with_prefix(
        &self,
        rel: RelationshipId,
        prefix: &str,
    ) -> StoreResult<Vec<(String, RoundRecord<()>)>>;
    /// Every round of a kind starting with `prefix` that both sides
    /// submitted, with its kind (the repairs behind responsibility balance).
    async fn revealed_rounds(
        &self,
        rel: RelationshipId,
        prefix: &str,
    ) -> StoreResult<Vec<(String, RoundRecord<String>)>>;

    // Counselor (issue 18): one engagement a couple has not revoked; every
    // write repeats its rule (an unrevoked engagement, a member of the
    // active space) in its statement.
    /// Stores an invitation and the inviter's approval in one transaction,
    /// while the inviter is in the active space; `Conflict("counselor_engaged")`
    /// when the couple already has an engagement it has not revoked.
    async fn insert_engagement(&self, engagement: &NewEngagement) -> StoreResult<bool>;
    /// The couple's engagement they have not revoked, with its approvals.
    async fn open_engagement(&self, rel: RelationshipId) -> StoreResult<Option<EngagementRecord>>;
    /// The unspent invitation with this code, unrevoked (expired or not).
    async fn engagement_by_code(
        &self,
        code_hash: &SecretHash,
    ) -> StoreResult<Option<EngagementRecord>>;
    /// The counselor joins: spends the code and keeps the couple's key
    /// sealed to them, only while the code is unspent, unexpired and
    /// unrevoked, names the counselor's address, and the space is active.
    async fn join_engagement(&self, join: &EngagementJoin<'_>) -> StoreResult<bool>;
    /// A partner's first approval; `Conflict("already_approved")` for a second.
    async fn approve_engagement(&self, approval: &ApprovalWrite<'_>) -> StoreResult<bool>;
    /// A partner renews (and may change) their approval.
    async fn renew_engagement(&self, approval: &ApprovalWrite<'_>) -> StoreResult<bool>;
    /// Either partner revokes, alone: the counselor's key goes with it.
    async fn revoke_engagement(
        &self,
        rel: RelationshipId,
        id: uuid::Uuid,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Every unrevoked engagement the counselor joined, with approvals.
    async fn engagements_of_counselor(
        &self,
        counselor: AccountId,
    ) -> StoreResult<Vec<EngagementRecord>>;
    /// A private note to the counselor, while the engagement is unrevoked
    /// and joined and its author a member of the active space.
    async fn insert_counselor_note(&self, note: &CounselorNote) -> StoreResult<bool>;
    /// The notes of an engagement, oldest first: the author's own with
    /// `Some(author)`, all of them (for the counselor) with `None`.
    async fn counselor_notes(
        &self,
        engagement: uuid::Uuid,
        author: Option<AccountId>,
    ) -> StoreResult<Vec<CounselorNote>>;
    /// Every note `author` wrote to any counselor of the space, revoked
    /// engagements included, oldest first (the author's export).
    async fn counselor_notes_by(
        &self,
        rel: RelationshipId,
        author: AccountId,
    ) -> StoreResult<Vec<CounselorNote>>;
    // Two-factor: each write carries its own rule, so a code or a recovery
    // code is spent by the statement that accepts it (single use however
    // requests interleave).
    /// The account's authenticator, confirmed or not.
    async fn two_factor_of(&self, account: AccountId) -> StoreResult<Option<TwoFactorRecord>>;
    /// Starts (or restarts) an enrolment with a new sealed secret; false
    /// when two-step sign-in is already confirmed (nothing changes then).
    async fn start_two_factor(
        &self,
        account: AccountId,
        sealed_secret: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Confirms the enrolment whose secret is still `sealed_secret`, with
    /// the step its code matched as the last used, and replaces the
    /// recovery codes, in one transaction; false when the enrolment was
    /// confirmed, restarted or removed meanwhile.
    async fn confirm_two_factor(
        &self,
        account: AccountId,
        sealed_secret: &str,
        step: i64,
        now: DateTime<Utc>,
        recovery_hashes: &[SecretHash],
    ) -> StoreResult<bool>;
    /// Accepts time step `step` only if it is later than the last one
    /// accepted (and two-step sign-in is confirmed); false otherwise.
    async fn use_two_factor_step(&self, account: AccountId, step: i64) -> StoreResult<bool>;
    /// Spends an unused recovery code; false when there is none by that hash.
    async fn use_two_factor_recovery_code(
        &self,
        account: AccountId,
        code_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Removes the authenticator and its recovery codes of a partner
    /// account (never a counselor's: the write says so); false when there
    /// was nothing to remove or the account is a counselor's.
    async fn remove_two_factor(&self, account: AccountId) -> StoreResult<bool>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_conflict_is_a_409_never_a_storage_failure() {
        let err = crate::DomainError::from(StoreError::Conflict("area_slot"));
        assert!(
            matches!(
                err,
                crate::DomainError::Conflict {
                    code: "conflict",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = crate::DomainError::from(StoreError::Backend("disk full".into()));
        assert!(matches!(err, crate::DomainError::Storage(_)));
    }
}
