//! Inviting, approving, renewing and revoking a counselor; what each
//! partner sees of their counselor, and a counselor's list of clients.
//!
//! Every move is decided twice: by [`Engagement`]'s rules on the rows as
//! read (for a clear answer), and by the store's conditional write (so a
//! move racing a revocation or a leave cannot land after it).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::access;
use crate::app::App;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::me::Me;
use crate::relationship::{InviteCode, RelationshipStatus};
use crate::store::{ApprovalWrite, EngagementJoin, EngagementRecord, NewEngagement, StoreError};
use crate::values::Email;

use super::consent::{Approval, Category, Engagement};

/// How long a counselor's invitation code works.
pub const CODE_DAYS: i64 = 7;

/// Category keys as a person sends them: all or nothing, each known, at
/// least one. `None` takes `default` (the API's body may leave them out).
pub fn categories(
    raw: Option<&[String]>,
    default: impl FnOnce() -> BTreeSet<Category>,
) -> Result<BTreeSet<Category>, FieldError> {
    let Some(raw) = raw else {
        return Ok(default());
    };
    let mut chosen = BTreeSet::new();
    for key in raw {
        chosen.insert(Category::parse(key).ok_or_else(|| {
            FieldError::new(
                "categories",
                "unknown_category",
                format!(
                    "\"{}\" is not something a counselor can be shown. Choose from: {}.",
                    key.chars().take(40).collect::<String>(),
                    Category::ALL.map(Category::key).join(", ")
                ),
            )
        })?);
    }
    if chosen.is_empty() {
        return Err(FieldError::new(
            "categories",
            "required",
            "Choose at least one part of your space your counselor may read.",
        ));
    }
    Ok(chosen)
}

/// The fields of an invitation checked together, so that a form shows a
/// refused address and a refused choice at once: the categories first
/// (as a caller checks them before `invite`), then the address.
pub fn invitation_fields(
    email: &str,
    chosen: Result<BTreeSet<Category>, FieldError>,
) -> Result<BTreeSet<Category>, DomainError> {
    let mut checks = Checks::new();
    let chosen = checks.field(chosen);
    checks.check(Email::parse(email).map(|_| ()));
    checks.done(chosen)
}

/// The stored form of a set of categories.
pub(crate) fn stored(categories: &BTreeSet<Category>) -> String {
    categories
        .iter()
        .map(|c| c.key())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_stored(text: &str) -> BTreeSet<Category> {
    text.split(',').filter_map(Category::parse).collect()
}

/// The rules' view of the stored rows. `pair` in the space's member order.
pub(crate) fn rules(record: &EngagementRecord, pair: [AccountId; 2]) -> Engagement {
    let approval = |who: AccountId| {
        record
            .approvals
            .iter()
            .find(|a| a.account == who)
            .map(|a| Approval {
                categories: parse_stored(&a.categories),
                at: a.approved_at,
            })
    };
    Engagement {
        pair,
        invited_by: record.invited_by,
        approvals: [approval(pair[0]), approval(pair[1])],
        // Who revoked does not change the rules' answer.
        revoked: record.revoked_at.map(|at| (record.invited_by, at)),
    }
}

/// Where an engagement stands, in the words both partners see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the counselor to join, or for a partner's approval.
    Waiting,
    /// The counselor reads what both allowed.
    Open,
    /// Both approved, and 90 days passed without both renewing.
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Open => "open",
            Self::Expired => "expired",
        }
    }
}

fn status(rules: &Engagement, joined: bool, now: DateTime<Utc>) -> Status {
    match rules.expires_at() {
        Some(end) if now >= end => Status::Expired,
        Some(_) if joined => Status::Open,
        _ => Status::Waiting,
    }
}

/// What a partner sees of their counselor. Each partner's categories are
/// shown to both: it is a joint decision, and seeing the other's choice is
/// how each knows what the counselor reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounselorView {
    pub id: uuid::Uuid,
    /// The address the inviter typed: both partners check it is who they mean.
    pub email: String,
    /// The counselor's own name, once they joined.
    pub name: Option<String>,
    pub joined: bool,
    pub status: Status,
    pub invited_by_me: bool,
    pub mine: Option<Approval>,
    pub theirs: Option<Approval>,
    /// What the counselor may read now (both approved, open, not expired).
    pub visible: BTreeSet<Category>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new invitation, as its inviter sees it once.
pub struct Invitation {
    pub id: uuid::Uuid,
    pub code: InviteCode,
    pub expires_at: DateTime<Utc>,
}

fn engaged() -> DomainError {
    DomainError::Conflict {
        code: "counselor_engaged",
        message: "You already have a counselor here, or an invitation waiting. End it first \
                  if you want to invite someone else."
            .into(),
        field: Some("email"),
    }
}

/// A partner invites a counselor by their e-mail address; the invitation
/// is the inviter's approval of `categories`. The code (shown once) goes
/// to the counselor by whatever way the partner trusts; it carries the
/// couple's key, wrapped, as a partner's invitation does.
pub async fn invite(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    email: &str,
    chosen: BTreeSet<Category>,
    now: DateTime<Utc>,
) -> Result<Invitation, DomainError> {
    let store = app.store();
    let email = Email::parse(email)?;
    let writer = access::writer(store, me.id, rel).await?;
    if store.open_engagement(rel).await?.is_some() {
        return Err(engaged());
    }
    let id = uuid::Uuid::new_v4();
    let code = InviteCode::generate();
    let key = me.shared(store, &writer.rel).await?;
    let wrapped = key
        .relationship_key()
        .for_invitation(
            &invitation_context(id),
            &crate::relationship::normalise_code(code.expose()),
            &mut keys::wrap::Memory::new(),
        )
        .map_err(|e| DomainError::Storage(format!("wrap the key for a counselor: {e}")))?;
    let expires_at = now + Duration::days(CODE_DAYS);
    let written = store
        .insert_engagement(&NewEngagement {
            id,
            relationship_id: rel,
            invited_email: email.as_str().to_owned(),
            invited_by: me.id,
            code_hash: code.hash(),
            code_expires_at: expires_at,
            wrapped_key: wrapped,
            categories: stored(&chosen),
            created_at: now,
        })
        .await;
    match written {
        Ok(true) => Ok(Invitation {
            id,
            code,
            expires_at,
        }),
        Ok(false) => Err(access::refusal(store, me.id, rel)
            .await?
            .unwrap_or(DomainError::NotFound)),
        Err(StoreError::Conflict(_)) => Err(engaged()),
        Err(e) => Err(e.into()),
    }
}

/// What binds a counselor invitation's wrapped key to its engagement.
fn invitation_context(engagement: uuid::Uuid) -> String {
    format!("counselor:{engagement}")
}

fn invalid_code() -> FieldError {
    // One answer for unknown, spent, expired, revoked and someone else's
    // codes: telling them apart would tell a guesser which exist.
    FieldError::new(
        "code",
        "invite_invalid",
        "This code doesn't work. It may have been used, be more than 7 days old, or be meant \
         for another address. Ask the couple for a new one.",
    )
}

/// A counselor joins with the code a partner passed on. Only the account
/// whose address the partner typed can; the couple's key, unwrapped with
/// the code, is sealed to the counselor in the same write that spends it.
/// They read nothing until both partners approved.
pub async fn join(
    app: &App,
    me: &Me,
    typed_code: &str,
    now: DateTime<Utc>,
) -> Result<RelationshipId, DomainError> {
    let store = app.store();
    let account = super::counselor_account(app, me.id).await?;
    let typed = typed_code.trim();
    if typed.is_empty() {
        return Err(
            FieldError::new("code", "required", "Enter the code the couple gave you.").into(),
        );
    }
    if typed.len() > 200 {
        return Err(invalid_code().into());
    }
    let hash = crate::relationship::hash_invite(typed);
    let Some(found) = store.engagement_by_code(&hash).await? else {
        return Err(invalid_code().into());
    };
    let (Some(wrapped), true) = (&found.wrapped_key, found.invited_email == account.email) else {
        return Err(invalid_code().into());
    };
    // SECURITY: a partner never reads the other's private notes as "their
    // counselor". Counselor accounts cannot join a space (`relationship`),
    // and this says so again here, where it matters most.
    let couple = store.relationship(found.relationship_id).await?;
    if couple.is_some_and(|r| r.members.iter().any(|m| m.account_id == me.id)) {
        return Err(invalid_code().into());
    }
    let key = keys::RelationshipKey::from_invitation(
        wrapped,
        &invitation_context(found.id),
        &crate::relationship::normalise_code(typed),
        &mut keys::wrap::Memory::new(),
    )
    .map_err(|_| invalid_code())?;
    let sealed = key
        .seal_to(&me.account_keys()?.public_key())
        .map_err(|e| DomainError::Storage(format!("seal the key: {e}")))?;
    let joined = store
        .join_engagement(&EngagementJoin {
            code_hash: &hash,
            counselor: me.id,
            email: &account.email,
            sealed_key: &sealed,
            at: now,
        })
        .await?;
    if !joined {
        return Err(invalid_code().into());
    }
    Ok(found.relationship_id)
}

/// The couple's current engagement, if `id` names it.
async fn current(
    app: &App,
    rel: RelationshipId,
    id: uuid::Uuid,
) -> Result<EngagementRecord, DomainError> {
    app.store()
        .open_engagement(rel)
        .await?
        .filter(|e| e.id == id)
        .ok_or(DomainError::NotFound)
}

/// Why an approval or renewal changed nothing.
async fn refused(app: &App, me: &Me, rel: RelationshipId) -> DomainError {
    match access::refusal(app.store(), me.id, rel).await {
        Ok(Some(refusal)) => refusal,
        Ok(None) => DomainError::NotFound,
        Err(e) => e,
    }
}

/// The other partner's approval, once; `None` categories approve what the
/// inviter proposed. The approver sees the counselor's address (and name,
/// once joined) on the page where they approve: a stranger posing as a
/// counselor needs both partners to say yes, each in their own session.
pub async fn approve(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    raw: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let writer = access::writer(app.store(), me.id, rel).await?;
    let record = current(app, rel, id).await?;
    let mut engagement = rules(&record, writer.pair());
    let proposed = engagement
        .approvals
        .iter()
        .flatten()
        .next()
        .map(|a| a.categories.clone())
        .unwrap_or_default();
    let chosen = categories(raw, || proposed)?;
    engagement
        .approve(me.id, chosen.clone(), now)
        .map_err(consent_refused)?;
    let written = app
        .store()
        .approve_engagement(&ApprovalWrite {
            rel,
            engagement: id,
            account: me.id,
            categories: &stored(&chosen),
            at: now,
        })
        .await;
    match written {
        Ok(true) => Ok(()),
        Ok(false) => Err(refused(app, me, rel).await),
        Err(StoreError::Conflict(_)) => Err(consent_refused(super::ConsentError::AlreadyApproved)),
        Err(e) => Err(e.into()),
    }
}

/// A partner renews their approval for another 90 days (the grant runs
/// from the earlier of the two: both renew to keep it), and may change
/// their categories; `None` keeps them.
pub async fn renew(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    raw: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let writer = access::writer(app.store(), me.id, rel).await?;
    let record = current(app, rel, id).await?;
    let mut engagement = rules(&record, writer.pair());
    let side = usize::from(writer.pair()[1] == me.id);
    let kept = engagement.approvals[side]
        .as_ref()
        .map(|a| a.categories.clone())
        .unwrap_or_default();
    let chosen = categories(raw, || kept)?;
    engagement
        .renew(me.id, chosen.clone(), now)
        .map_err(consent_refused)?;
    let written = app
        .store()
        .renew_engagement(&ApprovalWrite {
            rel,
            engagement: id,
            account: me.id,
            categories: &stored(&chosen),
            at: now,
        })
        .await?;
    if !written {
        return Err(refused(app, me, rel).await);
    }
    Ok(())
}

/// Either partner ends the counselor's access, alone and at once: the
/// counselor's next request is refused. The other partner sees only that
/// the counselor is no longer there.
pub async fn revoke(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let reader = access::reader(app.store(), me.id, rel).await?;
    if reader.is_former() {
        return Err(DomainError::NotFound);
    }
    if !app.store().revoke_engagement(rel, id, me.id, now).await? {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

fn consent_refused(err: super::ConsentError) -> DomainError {
    use super::ConsentError::*;
    match err {
        AlreadyApproved => DomainError::conflict(
            "already_approved",
            "You have already approved this counselor. To change what they may read, renew \
             your approval with the parts you choose.",
        ),
        NotApproved => DomainError::conflict(
            "not_approved",
            "Approve this counselor first; renewing comes after.",
        ),
        // A revoked engagement is not the current one: it cannot be found.
        Revoked | NotAPartner => DomainError::NotFound,
        NoCategory => FieldError::new(
            "categories",
            "required",
            "Choose at least one part of your space your counselor may read.",
        )
        .into(),
    }
}

/// What a partner sees of their counselor, if there is one; `None` after
/// a revocation (by either) and once the space ended.
pub async fn view(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Option<CounselorView>, DomainError> {
    let reader = access::reader(app.store(), me.id, rel).await?;
    if reader.rel.status != RelationshipStatus::Active {
        return Ok(None);
    }
    let Some(record) = app.store().open_engagement(rel).await? else {
        return Ok(None);
    };
    let pair = pair_of(&reader.rel);
    let engagement = rules(&record, pair);
    let side = usize::from(pair[1] == me.id);
    let joined = record.counselor.is_some();
    Ok(Some(CounselorView {
        id: record.id,
        email: record.invited_email.clone(),
        name: record.counselor_name.clone(),
        joined,
        status: status(&engagement, joined, now),
        invited_by_me: record.invited_by == me.id,
        mine: engagement.approvals[side].clone(),
        theirs: engagement.approvals[1 - side].clone(),
        visible: if joined {
            engagement.visible(now)
        } else {
            BTreeSet::new()
        },
        expires_at: engagement.expires_at(),
    }))
}

/// The two partners in member order.
pub(crate) fn pair_of(rel: &crate::store::Relationship) -> [AccountId; 2] {
    match rel.members.as_slice() {
        [a, b, ..] => [a.account_id, b.account_id],
        [a] => [a.account_id, a.account_id],
        [] => [AccountId(uuid::Uuid::nil()), AccountId(uuid::Uuid::nil())],
    }
}

/// One client couple on a counselor's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub relationship_id: RelationshipId,
    pub pair: [AccountId; 2],
    pub names: [String; 2],
    pub categories: BTreeSet<Category>,
    pub expires_at: DateTime<Utc>,
}

/// Every couple whose counselor `me` is and who both approved, with what
/// each allows; engagements still waiting, revoked or expired are left out.
pub async fn clients(app: &App, me: &Me, now: DateTime<Utc>) -> Result<Vec<Client>, DomainError> {
    super::counselor_account(app, me.id).await?;
    let store = app.store();
    let mut clients = Vec::new();
    for record in store.engagements_of_counselor(me.id).await? {
        let Some(rel) = store.relationship(record.relationship_id).await? else {
            continue;
        };
        if rel.status != RelationshipStatus::Active || rel.members.len() < 2 {
            continue;
        }
        let engagement = rules(&record, pair_of(&rel));
        let visible = engagement.visible(now);
        let Some(expires_at) = engagement.expires_at().filter(|_| !visible.is_empty()) else {
            continue;
        };
        clients.push(Client {
            relationship_id: rel.id,
            pair: pair_of(&rel),
            names: [
                rel.members[0].display_name.clone(),
                rel.members[1].display_name.clone(),
            ],
            categories: visible,
            expires_at,
        });
    }
    Ok(clients)
}
