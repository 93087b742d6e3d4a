//! The counselor API (API.md "Agreements and counselor"; issue 18). The
//! rules live in `domain::counselor`; this file shapes JSON.
//!
//! Partners: invite, see, approve, renew, revoke, and write private notes
//! under `/relationships/{id}/counselor`. Counselors: join with a code,
//! list their client couples, read a couple's report and the notes sent to
//! them under `/counselor`. A counselor is never a member of the couple's
//! space, so every partner route answers them 404, as for a stranger.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use domain::counselor::engagements::{self, Client, CounselorView, Status};
use domain::counselor::notes::{self, Note, Received};
use domain::counselor::report::{self, Report};
use domain::counselor::{Approval, Category};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::relationship_id;
use super::values as values_api;
use super::{agreements as agreements_api, checkins as checkins_api, conversations as decks_api};
use super::{episodes as episodes_api, ledger as ledger_api, respect as respect_api};
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

fn engagement_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

fn keys(categories: &std::collections::BTreeSet<Category>) -> Vec<&'static str> {
    categories.iter().map(|c| c.key()).collect()
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// The counselor's e-mail address: only the account with this address
    /// can join with the code.
    email: String,
    /// What you allow them to read: any of `values_and_respect`,
    /// `conversations`, `agreements`, `ledger`, `checkins`, `episodes`
    /// (all of them if left out). They read a part only once your partner
    /// allowed it too.
    #[serde(default)]
    categories: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationView {
    id: uuid::Uuid,
    /// Shown once: give it to your counselor.
    code: String,
    code_expires_at: DateTime<Utc>,
    /// `waiting` (for the counselor or your partner).
    status: &'static str,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoriesBody {
    /// The parts you allow (as for an invitation). Approving without them
    /// allows what the inviting partner proposed; renewing without them
    /// keeps your choice.
    #[serde(default)]
    categories: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct ApprovalView {
    categories: Vec<&'static str>,
    /// When approved or last renewed.
    approved_at: DateTime<Utc>,
}

impl From<&Approval> for ApprovalView {
    fn from(a: &Approval) -> Self {
        Self {
            categories: keys(&a.categories),
            approved_at: a.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CounselorStateView {
    id: uuid::Uuid,
    /// The address the inviting partner typed.
    email: String,
    /// The counselor's own name, once they joined.
    name: Option<String>,
    joined: bool,
    /// `waiting`, `open` or `expired`.
    status: &'static str,
    invited_by_me: bool,
    /// Your approval, and your partner's (each sees both: it is a joint decision).
    mine: Option<ApprovalView>,
    partner: Option<ApprovalView>,
    /// What the counselor may read now.
    visible: Vec<&'static str>,
    /// 90 days after the earlier of the two approvals; both renew to keep it.
    expires_at: Option<DateTime<Utc>>,
}

impl From<&CounselorView> for CounselorStateView {
    fn from(v: &CounselorView) -> Self {
        Self {
            id: v.id,
            email: v.email.clone(),
            name: v.name.clone(),
            joined: v.joined,
            status: v.status.as_str(),
            invited_by_me: v.invited_by_me,
            mine: v.mine.as_ref().map(ApprovalView::from),
            partner: v.theirs.as_ref().map(ApprovalView::from),
            visible: keys(&v.visible),
            expires_at: v.expires_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CounselorEnvelope {
    /// `null` with no counselor (none invited, or revoked by either of you).
    counselor: Option<CounselorStateView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounselorNoteBody {
    /// Up to 4,000 characters, for your counselor's eyes only.
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct CounselorNoteView {
    id: uuid::Uuid,
    text: String,
    written_at: DateTime<Utc>,
}

impl From<&Note> for CounselorNoteView {
    fn from(n: &Note) -> Self {
        Self {
            id: n.id,
            text: n.text.clone(),
            written_at: n.written_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReceivedNoteView {
    /// The partner who wrote it.
    from: String,
    #[serde(flatten)]
    note: CounselorNoteView,
}

impl From<&Received> for ReceivedNoteView {
    fn from(r: &Received) -> Self {
        Self {
            from: r.from.clone(),
            note: (&r.note).into(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounselorJoinBody {
    /// The code the couple gave you.
    code: String,
}

#[derive(Serialize, ToSchema)]
pub struct JoinedView {
    relationship_id: uuid::Uuid,
    /// You read nothing until both partners approved.
    message: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct PartnerNameView {
    account_id: uuid::Uuid,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClientView {
    relationship_id: uuid::Uuid,
    partners: Vec<PartnerNameView>,
    /// What both partners allow you to read.
    categories: Vec<&'static str>,
    expires_at: DateTime<Utc>,
}

impl From<&Client> for ClientView {
    fn from(c: &Client) -> Self {
        Self {
            relationship_id: c.relationship_id.0,
            partners: c
                .pair
                .iter()
                .zip(&c.names)
                .map(|(id, name)| PartnerNameView {
                    account_id: id.0,
                    name: name.clone(),
                })
                .collect(),
            categories: keys(&c.categories),
            expires_at: c.expires_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ValuesAndRespectView {
    /// The latest revealed values round, if any.
    values: Option<values_api::ValuesComparisonBody>,
    /// The latest revealed respect map, if any.
    respect: Option<respect_api::RespectComparisonBody>,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementBriefView {
    id: uuid::Uuid,
    domain: &'static str,
    title: String,
    status: &'static str,
    latest_version: u32,
    in_force: Option<u32>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementsSectionView {
    agreements: Vec<AgreementBriefView>,
    say: agreements_api::SayView,
}

/// The report's sections: each `null` when the couple did not allow it.
#[derive(Serialize, ToSchema)]
pub struct SectionsView {
    values_and_respect: Option<ValuesAndRespectView>,
    /// Every deck's latest revealed round with its notes.
    conversations: Option<Vec<decks_api::DeckComparisonBody>>,
    agreements: Option<AgreementsSectionView>,
    /// Figures only when both partners chose to see figures.
    ledger: Option<ledger_api::BalanceBody>,
    /// Shared check-ins only.
    checkins: Option<checkins_api::SummaryView>,
    /// From shared episodes only.
    episodes: Option<episodes_api::NegativeReciprocityView>,
}

#[derive(Serialize, ToSchema)]
pub struct PeriodView {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    relationship_id: uuid::Uuid,
    partners: Vec<PartnerNameView>,
    categories: Vec<&'static str>,
    /// From the day you joined to now.
    period: PeriodView,
    expires_at: DateTime<Utc>,
    sections: SectionsView,
}

impl From<Report> for ReportView {
    fn from(r: Report) -> Self {
        Self {
            relationship_id: r.relationship_id.0,
            partners: r
                .pair
                .iter()
                .zip(&r.names)
                .map(|(id, name)| PartnerNameView {
                    account_id: id.0,
                    name: name.clone(),
                })
                .collect(),
            categories: keys(&r.categories),
            period: PeriodView {
                from: r.from,
                to: r.to,
            },
            expires_at: r.expires_at,
            sections: SectionsView {
                values_and_respect: r.values_and_respect.map(|s| ValuesAndRespectView {
                    values: s.values.as_ref().map(values_api::comparison_body),
                    respect: s.respect.as_ref().map(respect_api::comparison_body),
                }),
                conversations: r.conversations.map(|decks| {
                    decks
                        .into_iter()
                        .map(|(c, notes)| decks_api::comparison_body(c, notes))
                        .collect()
                }),
                agreements: r.agreements.map(|s| AgreementsSectionView {
                    agreements: s
                        .agreements
                        .iter()
                        .map(|a| AgreementBriefView {
                            id: a.id,
                            domain: a.domain.as_str(),
                            title: a.title.clone(),
                            status: a.status.as_str(),
                            latest_version: a.latest_version,
                            in_force: a.in_force,
                            updated_at: a.updated_at,
                        })
                        .collect(),
                    say: agreements_api::say_view(domain::agreements::SAY_WINDOW_DAYS, &s.say),
                }),
                ledger: r.ledger.as_ref().map(ledger_api::balance_body),
                checkins: r.checkins.map(checkins_api::SummaryView::from),
                episodes: r
                    .episodes
                    .as_ref()
                    .map(episodes_api::NegativeReciprocityView::from),
            },
        }
    }
}

// ------------------------------------------------------------ partners

/// Invites a counselor. The invitation is the inviter's approval; the
/// counselor reads nothing until the other partner approved too.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/counselor", operation_id = "invite_counselor",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    request_body = InviteBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Invited; the code is shown once", body = InvitationView),
        (status = 400, description = "Malformed body (named in `field`)", body = ErrorBody),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
        (status = 409, description = "`counselor_engaged` (one is pending or open), `ended`, `not_active`", body = ErrorBody),
        (status = 422, description = "`email` or `categories` invalid", body = ErrorBody),
    )
)]
pub async fn invite(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<InvitationView>), AppError> {
    let chosen = engagements::invitation_fields(
        &body.email,
        engagements::categories(body.categories.as_deref(), || {
            Category::ALL.into_iter().collect()
        }),
    )?;
    let invitation = engagements::invite(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        &body.email,
        chosen,
        Utc::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationView {
            id: invitation.id,
            code: invitation.code.expose().to_owned(),
            code_expires_at: invitation.expires_at,
            status: Status::Waiting.as_str(),
        }),
    ))
}

/// The couple's counselor, if any: who, what each of you allowed, and
/// what they may read now.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/counselor", operation_id = "get_counselor",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The counselor, or null", body = CounselorEnvelope),
        (status = 404, description = "Not the caller's relationship", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CounselorEnvelope>, AppError> {
    envelope(&state, &caller, relationship_id(&id)?, Utc::now()).await
}

/// The caller's view of the couple's counselor, as every partner route answers it.
async fn envelope(
    state: &AppState,
    caller: &Authenticated,
    rel: domain::RelationshipId,
    now: DateTime<Utc>,
) -> Result<Json<CounselorEnvelope>, AppError> {
    let view = engagements::view(&state.app, &caller.me, rel, now).await?;
    Ok(Json(CounselorEnvelope {
        counselor: view.as_ref().map(CounselorStateView::from),
    }))
}

/// The other partner approves (once), choosing what the counselor may read.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/counselor/{cid}/approve", operation_id = "approve_counselor",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("cid" = uuid::Uuid, Path, description = "Counselor engagement id")),
    request_body = CategoriesBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Approved", body = CounselorEnvelope),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such counselor in the caller's relationship", body = ErrorBody),
        (status = 409, description = "`already_approved`, `ended`, `not_active`", body = ErrorBody),
        (status = 422, description = "`categories` invalid", body = ErrorBody),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
    ApiJson(body): ApiJson<CategoriesBody>,
) -> Result<Json<CounselorEnvelope>, AppError> {
    let rel = relationship_id(&id)?;
    let now = Utc::now();
    engagements::approve(
        &state.app,
        &caller.me,
        rel,
        engagement_id(&cid)?,
        body.categories.as_deref(),
        now,
    )
    .await?;
    envelope(&state, &caller, rel, now).await
}

/// Renews the caller's approval for 90 days (access runs from the earlier
/// of the two: both renew to keep it), optionally changing its categories.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/counselor/{cid}/renew", operation_id = "renew_counselor",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("cid" = uuid::Uuid, Path, description = "Counselor engagement id")),
    request_body = CategoriesBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Renewed", body = CounselorEnvelope),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such counselor in the caller's relationship", body = ErrorBody),
        (status = 409, description = "`not_approved`, `ended`, `not_active`", body = ErrorBody),
        (status = 422, description = "`categories` invalid", body = ErrorBody),
    )
)]
pub async fn renew(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
    ApiJson(body): ApiJson<CategoriesBody>,
) -> Result<Json<CounselorEnvelope>, AppError> {
    let rel = relationship_id(&id)?;
    let now = Utc::now();
    engagements::renew(
        &state.app,
        &caller.me,
        rel,
        engagement_id(&cid)?,
        body.categories.as_deref(),
        now,
    )
    .await?;
    envelope(&state, &caller, rel, now).await
}

/// Either partner ends the counselor's access, alone and at once.
#[utoipa::path(
    delete, path = "/api/v1/relationships/{id}/counselor/{cid}", operation_id = "revoke_counselor",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("cid" = uuid::Uuid, Path, description = "Counselor engagement id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 204, description = "Revoked: the counselor's next request is refused"),
        (status = 404, description = "No such counselor in the caller's relationship", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    engagements::revoke(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        engagement_id(&cid)?,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A private note to the counselor: your partner cannot learn it exists.
#[utoipa::path(
    post, path = "/api/v1/relationships/{id}/counselor/{cid}/notes", operation_id = "write_counselor_note",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("cid" = uuid::Uuid, Path, description = "Counselor engagement id")),
    request_body = CounselorNoteBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Written", body = CounselorNoteView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "No such counselor in the caller's relationship", body = ErrorBody),
        (status = 409, description = "`counselor_not_joined`, `ended`, `not_active`", body = ErrorBody),
        (status = 422, description = "`text` empty or too long", body = ErrorBody),
    )
)]
pub async fn write_note(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
    ApiJson(body): ApiJson<CounselorNoteBody>,
) -> Result<(StatusCode, Json<CounselorNoteView>), AppError> {
    let note = notes::write(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        engagement_id(&cid)?,
        &body.text,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json((&note).into())))
}

/// The caller's own notes to the counselor, oldest first.
#[utoipa::path(
    get, path = "/api/v1/relationships/{id}/counselor/{cid}/notes", operation_id = "my_counselor_notes",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id"), ("cid" = uuid::Uuid, Path, description = "Counselor engagement id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Your notes (never your partner's)", body = [CounselorNoteView]),
        (status = 404, description = "No such counselor in the caller's relationship", body = ErrorBody),
    )
)]
pub async fn my_notes(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((id, cid)): Path<(String, String)>,
) -> Result<Json<Vec<CounselorNoteView>>, AppError> {
    let mine = notes::mine(
        &state.app,
        &caller.me,
        relationship_id(&id)?,
        engagement_id(&cid)?,
    )
    .await?;
    Ok(Json(mine.iter().map(CounselorNoteView::from).collect()))
}

// ------------------------------------------------------------ counselors

/// A counselor joins a couple with the code one partner gave them.
#[utoipa::path(
    post, path = "/api/v1/counselor/join", operation_id = "join_as_counselor",
    tag = "counselor",
    request_body = CounselorJoinBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Joined; nothing is readable until both partners approved", body = JoinedView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 403, description = "`counselor_only` or `two_factor_required`", body = ErrorBody),
        (status = 422, description = "`code` invalid", body = ErrorBody),
    )
)]
pub async fn join(
    State(state): State<AppState>,
    caller: Authenticated,
    ApiJson(body): ApiJson<CounselorJoinBody>,
) -> Result<Json<JoinedView>, AppError> {
    let rel = engagements::join(&state.app, &caller.me, &body.code, Utc::now()).await?;
    Ok(Json(JoinedView {
        relationship_id: rel.0,
        message: "You have joined. You will see this couple once both partners have approved.",
    }))
}

/// The counselor's client couples: those where both partners approved.
#[utoipa::path(
    get, path = "/api/v1/counselor/clients", operation_id = "counselor_clients",
    tag = "counselor",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Client couples", body = [ClientView]),
        (status = 403, description = "`counselor_only` or `two_factor_required`", body = ErrorBody),
    )
)]
pub async fn clients(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<Vec<ClientView>>, AppError> {
    let all = engagements::clients(&state.app, &caller.me, Utc::now()).await?;
    Ok(Json(all.iter().map(ClientView::from).collect()))
}

/// The session report on one client couple: only what both allowed.
#[utoipa::path(
    get, path = "/api/v1/counselor/clients/{id}/report", operation_id = "counselor_report",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The report", body = ReportView),
        (status = 403, description = "`counselor_only` or `two_factor_required`", body = ErrorBody),
        (status = 404, description = "Not a client couple now (not approved by both, revoked, expired)", body = ErrorBody),
    )
)]
pub async fn client_report(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ReportView>, AppError> {
    let r = report::report(&state.app, &caller.me, relationship_id(&id)?, Utc::now()).await?;
    Ok(Json(r.into()))
}

/// The private notes the couple's partners sent the counselor.
#[utoipa::path(
    get, path = "/api/v1/counselor/clients/{id}/notes", operation_id = "counselor_received_notes",
    tag = "counselor",
    params(("id" = uuid::Uuid, Path, description = "Relationship id")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "Notes, oldest first", body = [ReceivedNoteView]),
        (status = 403, description = "`counselor_only` or `two_factor_required`", body = ErrorBody),
        (status = 404, description = "Not a client couple now", body = ErrorBody),
    )
)]
pub async fn received_notes(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReceivedNoteView>>, AppError> {
    let all = notes::received(&state.app, &caller.me, relationship_id(&id)?, Utc::now()).await?;
    Ok(Json(all.iter().map(ReceivedNoteView::from).collect()))
}
