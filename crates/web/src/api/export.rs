//! `GET /api/v1/me/export` (and the account page's `GET /account/export`):
//! everything the caller may see, as one versioned JSON file (issue 14;
//! SECURITY.md R28(c), R37); `GET /api/v1/me/export.html` (and
//! `GET /account/export.html`): the same archive as one web page
//! (`export_html`). `docs/export.md` describes every field and the
//! versioning rule; `docs/export.schema.json` is its JSON Schema, and
//! `tests/http/export.rs` validates real exports against it.
//!
//! SECURITY: nothing here reads the store or decides what may be seen. Each
//! part is the answer of the very use case the API route for that part asks
//! (the ledger list, a sealed instrument's status and comparisons, the notes
//! of a revealed conversation, "what you wrote"), drawn with the same view
//! type that route draws it with. So every rule of `domain::access`,
//! `EntryView::for_reader` and `Round::view_for`/`comparison` holds here as
//! it holds there: a partner's draft never appears, a sealed round shows one
//! bool about the partner, and an ended relationship gives only the
//! caller's own words. The file is decrypted for its reader (the use cases
//! open the texts with the caller's keys): the account page says to keep it
//! somewhere safe.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::questionnaires::conversations::{self, DeckRound};
use domain::questionnaires::respect::RespectMap;
use domain::questionnaires::values::Values;
use domain::rounds::{self, RoundSummary};
use domain::sealed::RoundState;
use domain::store::{ContributionFilter, Membership};
use domain::{agreements, checkins, ledger, reflections, relationship, written, RelationshipId};
use serde::Serialize;
use utoipa::ToSchema;

use super::access_log::AccessLogItem;
use super::agreements::AgreementView;
use super::checkins::{CheckinView, SummaryView};
use super::conversations::{DeckComparisonBody, DeckStatus, NoteView};
use super::episodes::{EpisodeArchive, OwnViewArchive};
use super::ledger::ContributionView;
use super::reflections::ReflectionView;
use super::respect::{RespectComparisonBody, RespectStatus};
use super::sealed::{status_body, SealedApi};
use super::security::SecurityEventItem;
use super::tokens::TokenListItem;
use super::values::{ValuesComparisonBody, ValuesStatus};
use super::written::WrittenBody;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

/// The format's name: a file is recognised by it, whatever it is called.
pub const FORMAT: &str = "reciprocity-export";
/// The format's version. Added fields keep it; renaming or removing a
/// field, or changing what one means, makes it the next number
/// (`docs/export.md`, "Versions").
pub const VERSION: u32 = 2;

/// Everything the caller may see, at one moment.
// Named apart in the document: its schema names are one namespace.
#[derive(Serialize, ToSchema)]
#[schema(as = ExportArchive)]
pub struct Archive {
    /// Always `reciprocity-export`.
    format: &'static str,
    /// The format's version (see `docs/export.md`).
    version: u32,
    exported_at: DateTime<Utc>,
    account: AccountArchive,
    /// The account's security events the server still keeps (90 days),
    /// newest first: sign-ins, failed sign-ins, credential changes.
    security_events: Vec<SecurityEventItem>,
    /// Who looked at what the caller shared (SECURITY.md R27, R28(c)): every
    /// line, newest first, as `GET /api/v1/me/access-log` lists its latest 200.
    access_log: Vec<AccessLogItem>,
    /// The account's API tokens, newest first; never their secrets.
    tokens: Vec<TokenListItem>,
    /// Every relationship the caller is or was in, the open one first.
    relationships: Vec<RelationshipArchive>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountArchive {
    id: uuid::Uuid,
    email: String,
    display_name: String,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberArchive {
    account_id: uuid::Uuid,
    display_name: String,
    /// This member is the caller.
    you: bool,
}

/// One relationship, as the caller may see it now.
#[derive(Serialize, ToSchema)]
pub struct RelationshipArchive {
    id: uuid::Uuid,
    /// `pending`, `active` or `ended`.
    status: &'static str,
    you_joined_at: DateTime<Utc>,
    members: Vec<MemberArchive>,
    /// Every contribution the caller may see, newest first, as
    /// `GET R/contributions` shows each (after the end: only entries the
    /// caller logged or thanked, with only the caller's words).
    ledger: Vec<ContributionView>,
    values: ValuesArchive,
    respect: RespectArchive,
    /// Every conversation deck, in the order the app lists them.
    conversations: Vec<DeckArchive>,
    /// `GET R/written`: everything the caller wrote here, drafts included.
    written: WrittenBody,
    /// Every one of the caller's private reflections in this relationship,
    /// newest first, as `GET R/reflections` shows each.
    reflections: Vec<ReflectionView>,
    /// Every agreement the caller may see here, most recently changed
    /// first, each as `GET R/agreements/{aid}` shows it: status, the
    /// versions the caller may read (after the end: only the caller's own)
    /// and every move.
    agreements: Vec<AgreementView>,
    /// The caller's own check-ins (notes included), newest first, and the
    /// summary as `GET R/checkins/summary` shows it (the partner's shared
    /// ones only while the space is open).
    checkins: CheckinsArchive,
    /// Every episode the caller may see here, newest first, each as
    /// `GET R/episodes/{eid}` shows it (the caller's view, the partner's
    /// while shared), with its repair as `GET R/episodes/{eid}/repair` does.
    episodes: Vec<EpisodeArchive>,
    /// After the end: the caller's own view and repair of each episode the
    /// former partner recorded (their words stay theirs; the title and the
    /// other's view do not come with them). Empty while the space is open.
    your_views_of_their_episodes: Vec<OwnViewArchive>,
    /// The caller's private notes to a counselor of this space, oldest
    /// first, revoked counselors included (never the partner's).
    notes_to_your_counselor: Vec<super::counselor::CounselorNoteView>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckinsArchive {
    mine: Vec<CheckinView>,
    summary: SummaryView,
}

/// The values questionnaire: where the caller stands, and every revealed round.
#[derive(Serialize, ToSchema)]
pub struct ValuesArchive {
    /// `GET R/values`.
    current: ValuesStatus,
    /// `GET R/values/comparison?round=N` for every revealed round, oldest first.
    comparisons: Vec<ValuesComparisonBody>,
}

/// The respect map: where the caller stands, and every revealed round.
#[derive(Serialize, ToSchema)]
pub struct RespectArchive {
    /// `GET R/respect`.
    current: RespectStatus,
    /// `GET R/respect/comparison?round=N` for every revealed round, oldest first.
    comparisons: Vec<RespectComparisonBody>,
}

/// One conversation deck.
#[derive(Serialize, ToSchema)]
pub struct DeckArchive {
    deck: &'static str,
    /// `GET R/conversations/{deck}`.
    current: DeckStatus,
    /// `GET R/conversations/{deck}/comparison?round=N` for every revealed
    /// round, oldest first (each with that round's notes, as that route has them).
    comparisons: Vec<DeckComparisonBody>,
    /// Every note the caller may read, by round, oldest round first
    /// (`GET R/conversations/{deck}/notes?round=N`); after the end, the
    /// caller's own.
    notes: Vec<RoundNote>,
}

#[derive(Serialize, ToSchema)]
pub struct RoundNote {
    round: u32,
    #[serde(flatten)]
    note: NoteView,
}

/// Assembles the caller's archive from the use cases (see the module comment).
pub async fn archive(
    state: &AppState,
    caller: &Authenticated,
    now: DateTime<Utc>,
) -> Result<Archive, AppError> {
    let app = &state.app;
    let security_events = domain::accounts::security_events_kept(app, caller.account_id)
        .await?
        .into_iter()
        .map(SecurityEventItem::from)
        .collect();
    // The caller's own log, from the use case of `GET /api/v1/me/access-log`.
    // (The parts below read the partner's shared words through the same use
    // cases as the pages do, so an export shows in the partner's log, as a
    // look at those pages would; never in the caller's.)
    let access_log =
        super::access_log::items(state, caller, domain::access_log::Lines::All).await?;
    let tokens = domain::accounts::tokens(app, &caller.me)
        .await?
        .into_iter()
        .map(TokenListItem::from)
        .collect();
    let mut relationships = Vec::new();
    for membership in relationship::memberships(app, caller.account_id).await? {
        relationships.push(relationship_archive(state, caller, &membership, now).await?);
    }
    Ok(Archive {
        format: FORMAT,
        version: VERSION,
        exported_at: now,
        account: AccountArchive {
            id: caller.account.id.0,
            email: caller.account.email.clone(),
            display_name: caller.account.display_name.clone(),
            created_at: caller.account.created_at,
        },
        security_events,
        access_log,
        tokens,
        relationships,
    })
}

async fn relationship_archive(
    state: &AppState,
    caller: &Authenticated,
    membership: &Membership,
    now: DateTime<Utc>,
) -> Result<RelationshipArchive, AppError> {
    let app = &state.app;
    let me = &caller.me;
    let rel = membership.relationship_id;
    let found = relationship::get(app, caller.account_id, rel).await?;
    let members = found
        .members
        .iter()
        .map(|m| MemberArchive {
            account_id: m.account_id.0,
            display_name: m.display_name.clone(),
            you: m.account_id == caller.account_id,
        })
        .collect();
    // The whole ledger: the API pages it (200 at most), a file does not.
    let everything = ContributionFilter {
        limit: u32::MAX,
        ..ContributionFilter::default()
    };
    let ledger = ledger::list(app, me, rel, everything, now)
        .await?
        .into_iter()
        .map(ContributionView::from)
        .collect();

    let current = rounds::current(app, me, rel, &Values).await?;
    let values = ValuesArchive {
        comparisons: revealed(state, caller, rel, &Values, &current.rounds).await?,
        current: status_body(&Values, &current),
    };

    let map = RespectMap::load(app, caller.account_id, rel).await?;
    let current = rounds::current(app, me, rel, &map).await?;
    let respect = RespectArchive {
        comparisons: revealed(state, caller, rel, &map, &current.rounds).await?,
        current: status_body(&map, &current),
    };

    let mut decks = Vec::new();
    for (deck, current) in conversations::every_deck(app, me, rel).await? {
        let q = DeckRound(deck);
        let mut notes = Vec::new();
        // Notes exist only on revealed rounds; a former partner's rounds
        // never read as revealed, and their own notes are still theirs.
        for round in current
            .rounds
            .iter()
            .filter(|r| current.ended || is_revealed(r))
        {
            for note in conversations::notes(app, me, rel, deck, round.number).await? {
                notes.push(RoundNote {
                    round: round.number,
                    note: note.into(),
                });
            }
        }
        decks.push(DeckArchive {
            deck: deck.key,
            comparisons: revealed(state, caller, rel, &q, &current.rounds).await?,
            current: status_body(&q, &current),
            notes,
        });
    }

    let written = written::mine(app, me, rel, now).await?.into();
    let mut agreements = Vec::new();
    for summary in agreements::list(app, me, rel, now).await? {
        let thread = agreements::thread(app, me, rel, summary.id, now).await?;
        agreements.push(AgreementView::from(thread));
    }
    Ok(RelationshipArchive {
        id: rel.0,
        status: found.status.as_str(),
        you_joined_at: membership.joined_at,
        members,
        ledger,
        values,
        respect,
        conversations: decks,
        written,
        reflections: reflections::all_mine(app, me, rel)
            .await?
            .into_iter()
            .map(ReflectionView::from)
            .collect(),
        agreements,
        checkins: CheckinsArchive {
            mine: checkins::mine(app, me, rel)
                .await?
                .into_iter()
                .map(CheckinView::from)
                .collect(),
            summary: checkins::summary(app, me, rel, now).await?.into(),
        },
        episodes: super::episodes::archive(app, me, rel, now).await?,
        your_views_of_their_episodes: super::episodes::own_views_archive(app, me, rel).await?,
        notes_to_your_counselor: domain::counselor::notes::all_mine(app, me, rel)
            .await?
            .iter()
            .map(super::counselor::CounselorNoteView::from)
            .collect(),
    })
}

fn is_revealed(round: &RoundSummary) -> bool {
    matches!(round.state, RoundState::Revealed { .. })
}

/// The comparison of every round the caller's status lists as revealed,
/// oldest first, each read through the domain as the comparison route
/// reads it (so still refused for anything not revealed to the caller).
async fn revealed<I: SealedApi>(
    state: &AppState,
    caller: &Authenticated,
    rel: RelationshipId,
    q: &I,
    rounds: &[RoundSummary],
) -> Result<Vec<I::Compared>, AppError> {
    let mut compared = Vec::new();
    for round in rounds.iter().filter(|r| is_revealed(r)) {
        compared.push(q.compared(state, caller, rel, Some(round.number)).await?);
    }
    Ok(compared)
}

/// The archive as a file to download: pretty JSON (a person may read it),
/// `attachment` with a dated name, never cached.
pub fn download(archive: &Archive) -> Result<Response, AppError> {
    let body = serde_json::to_vec_pretty(archive)
        .map_err(|e| AppError::internal().caused_by(format!("export: {e}")))?;
    attachment(archive, "json", "application/json", body)
}

/// The same archive as one web page to read and print (`export_html`):
/// `attachment` with a dated name, never cached.
pub fn download_html(archive: &Archive) -> Result<Response, AppError> {
    let value = serde_json::to_value(archive)
        .map_err(|e| AppError::internal().caused_by(format!("export: {e}")))?;
    let body = super::export_html::document(&value).into_bytes();
    attachment(archive, "html", "text/html; charset=utf-8", body)
}

fn attachment(
    archive: &Archive,
    extension: &str,
    content_type: &'static str,
    body: Vec<u8>,
) -> Result<Response, AppError> {
    let disposition = format!(
        "attachment; filename=\"reciprocity-export-{}.{extension}\"",
        archive.exported_at.format("%Y-%m-%d")
    );
    let disposition = HeaderValue::from_str(&disposition)
        .map_err(|e| AppError::internal().caused_by(format!("export: {e}")))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

/// Everything the caller may see, as one versioned JSON file to keep
/// (`docs/export.md`). Decrypted: keep it somewhere safe.
#[utoipa::path(
    get, path = "/api/v1/me/export", operation_id = "export_me", tag = "accounts",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The archive, as an attachment named reciprocity-export-YYYY-MM-DD.json",
            body = Archive,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"reciprocity-export-YYYY-MM-DD.json\""))),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "`sign_in_again` or `key_not_shared_yet`: a text cannot be opened with this credential yet", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Response, AppError> {
    download(&archive(&state, &caller, Utc::now()).await?)
}

/// The same archive as one web page to read and print: every text escaped,
/// no script, nothing fetched from anywhere (`docs/export.md`). Decrypted:
/// keep it somewhere safe.
#[utoipa::path(
    get, path = "/api/v1/me/export.html", operation_id = "export_me_html", tag = "accounts",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "The archive as a self-contained web page, as an attachment named reciprocity-export-YYYY-MM-DD.html",
            content_type = "text/html", body = String,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"reciprocity-export-YYYY-MM-DD.html\""))),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "`sign_in_again` or `key_not_shared_yet`: a text cannot be opened with this credential yet", body = ErrorBody),
    )
)]
pub async fn get_html(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Response, AppError> {
    download_html(&archive(&state, &caller, Utc::now()).await?)
}
