//! The agreements pages: the list with the balance of say, the proposal
//! form (also from a conversation's note), and one agreement's negotiation
//! with its versions, what changed, its history and the moves the caller
//! may make now. The rules live in `domain::agreements`; these pages only
//! show them and post plain forms (post, redirect, get).
//!
//! Once the space ended, the list and an agreement show the caller's own
//! words only (the domain filters them), with no forms.
//!
//! SECURITY (R23): a conversation is named by its deck's number in page
//! addresses (`/agreements/new?deck=2&round=1&note=…`), never by its key.

use super::notice::{self, Done};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use domain::agreements::{
    self, diff::Piece, HistoryLine, Kind, Proposal, Status, Summary, Thread, VersionView, Words,
    TERMS_MAX_CHARS,
};
use domain::ledger::{self, Domain, EntryView};
use domain::me::Me;
use domain::questionnaires::conversations;
use domain::relationship::RelationshipStatus;
use domain::store::{ContributionFilter, Relationship};
use domain::AccountId;
use serde::Deserialize;

use super::conversations::{deck_number, deck_of_number, lines, normalized};
use super::form::{Errors, PageForm};
use super::ledger::{partner_name, Space};
use super::{render, space_to_read};
use crate::error::{AppError, PageError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(index).post(propose))
        .route("/agreements/new", get(new_page))
        .route("/agreements/{aid}", get(thread_page))
        .route("/agreements/{aid}/{verb}", post(act))
}

fn domains() -> Vec<(&'static str, &'static str)> {
    Domain::ALL
        .iter()
        .map(|d| (d.as_str(), d.label()))
        .collect()
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// An agreement id from a path; garbage is an agreement that does not exist.
fn agreement_id(raw: &str) -> Result<uuid::Uuid, PageError> {
    raw.parse().map_err(|_| PageError(AppError::not_found()))
}

/// "You", or the partner's name.
struct Names {
    me: AccountId,
    partner: String,
}

impl Names {
    fn of(&self, who: AccountId) -> String {
        if who == self.me {
            "You".to_owned()
        } else {
            self.partner.clone()
        }
    }
}

// ---------------------------------------------------------------- the list

struct Row {
    id: uuid::Uuid,
    title: String,
    domain: &'static str,
    review: Option<String>,
    due: bool,
    awaiting_partner: bool,
}

struct Group {
    id: &'static str,
    heading: &'static str,
    rows: Vec<Row>,
}

struct SayRow {
    who: String,
    proposed: u32,
    passed_unchanged: u32,
    countered: u32,
    declined: u32,
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct ListPage<'a> {
    exit_url: &'a str,
    open: bool,
    partner: String,
    domains: Vec<(&'static str, &'static str)>,
    /// The domain filter, or empty for all.
    domain: String,
    due: Vec<Row>,
    groups: Vec<Group>,
    empty: bool,
    one_sided: bool,
    say: Vec<SayRow>,
}

fn row(s: &Summary) -> Row {
    Row {
        id: s.id,
        title: s.title.clone(),
        domain: s.domain.label(),
        review: s.review_on.map(date),
        due: s.due,
        awaiting_partner: s.awaiting_partner,
    }
}

/// The list's groups, in the order a person needs them; empty ones left out.
fn groups(summaries: &[Summary]) -> Vec<Group> {
    let pick = |id, heading, keep: &dyn Fn(&Summary) -> bool| Group {
        id,
        heading,
        rows: summaries.iter().filter(|s| keep(s)).map(row).collect(),
    };
    let proposed = |s: &Summary| matches!(s.status, Some(Status::Proposed));
    [
        pick("waiting", "Waiting for your answer", &|s| {
            s.awaiting_me && s.status != Some(Status::Declined)
        }),
        pick("talking", "Being talked over", &|s| {
            proposed(s) && !s.awaiting_me
        }),
        pick("agreed", "Agreed", &|s| s.status == Some(Status::Accepted)),
        pick("withdrawn", "No longer agreed", &|s| {
            s.status == Some(Status::Withdrawn)
        }),
        pick("declined", "Declined", &|s| {
            s.status == Some(Status::Declined)
        }),
        pick("retired", "Retired", &|s| s.status == Some(Status::Retired)),
        // Once the space ended there is no status: only what you proposed.
        pick("yours", "What you wrote", &|s| s.status.is_none()),
    ]
    .into_iter()
    .filter(|g| !g.rows.is_empty())
    .collect()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    domain: String,
}

pub async fn index(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let (me, rel) = match space_to_read(&state, &headers, "Agreements").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let now = Utc::now();
    let open = rel.status == RelationshipStatus::Active;
    let filter = Domain::parse(&query.domain).ok();
    let mut all = agreements::list(&state.app, &me, rel.id, now).await?;
    all.retain(|s| filter.is_none_or(|d| s.domain == d));
    let names = Names {
        me: me.id,
        partner: partner_name(&rel, me.id),
    };
    let (one_sided, say) = if open {
        let balance = agreements::balance_of_say(&state.app, &me, rel.id, None, now).await?;
        let mut say: Vec<SayRow> = balance
            .partners
            .iter()
            .map(|p| SayRow {
                who: names.of(p.account_id),
                proposed: p.proposed,
                passed_unchanged: p.passed_unchanged,
                countered: p.countered,
                declined: p.declined,
            })
            .collect();
        // "You" first.
        say.sort_by_key(|r| r.who != "You");
        let anything = say
            .iter()
            .any(|r| r.proposed + r.countered + r.declined > 0);
        (balance.one_sided, if anything { say } else { Vec::new() })
    } else {
        (false, Vec::new())
    };
    Ok(render(
        StatusCode::OK,
        &ListPage {
            exit_url: &state.config.exit_url,
            open,
            partner: names.partner.clone(),
            domains: domains(),
            domain: filter.map(|d| d.as_str().to_owned()).unwrap_or_default(),
            due: all.iter().filter(|s| s.due).map(row).collect(),
            empty: all.is_empty(),
            groups: groups(&all),
            one_sided,
            say,
        },
    ))
}

// ---------------------------------------------------------------- proposing

#[derive(Deserialize, Default)]
pub struct ProposeForm {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    terms: String,
    #[serde(default)]
    my_part: String,
    #[serde(default)]
    partner_part: String,
    #[serde(default)]
    review_on: String,
    /// The conversation it grew from: the deck's number and the round.
    #[serde(default)]
    deck: String,
    #[serde(default)]
    round: String,
}

#[derive(Template)]
#[template(path = "agreement_new.html")]
struct NewPage<'a> {
    exit_url: &'a str,
    partner: String,
    domains: Vec<(&'static str, &'static str)>,
    form: ProposeForm,
    /// The conversation's title, when the proposal grows from one.
    origin: Option<&'static str>,
    today: String,
    max_terms: usize,
    errors: Errors,
}

fn new_form(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    form: ProposeForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let origin = deck_of_number(&form.deck).map(|d| d.title);
    render(
        status,
        &NewPage {
            exit_url: &state.config.exit_url,
            partner: partner_name(rel, me.id),
            domains: domains(),
            origin,
            form,
            today: Utc::now().date_naive().to_string(),
            max_terms: TERMS_MAX_CHARS,
            errors,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    deck: String,
    #[serde(default)]
    round: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    domain: String,
}

pub async fn new_page(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let mut form = ProposeForm {
        domain: Domain::parse(&query.domain)
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default(),
        ..ProposeForm::default()
    };
    // From a conversation: its note's words become the first draft. A note
    // that cannot be read (not revealed yet, not there) prefills nothing.
    let round: Option<u32> = query.round.trim().parse().ok();
    if let (Some(deck), Some(round)) = (deck_of_number(&query.deck), round) {
        if let Ok(notes) = conversations::notes(&state.app, &me, rel.id, deck, round).await {
            form.deck = deck_number(deck).to_string();
            form.round = round.to_string();
            if let Some(note) = notes.iter().find(|n| n.id.to_string() == query.note) {
                form.terms = note.text.clone();
            }
        }
    }
    Ok(new_form(
        &state,
        &me,
        &rel,
        form,
        Errors::default(),
        StatusCode::OK,
    ))
}

pub async fn propose(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    PageForm(mut form): PageForm<ProposeForm>,
) -> Result<Response, PageError> {
    form.terms = normalized(&form.terms);
    let round: i64 = form.round.trim().parse().unwrap_or(0);
    let deck_key = if form.deck.trim().is_empty() {
        None
    } else {
        // A number that names no deck is refused by the domain, as unknown.
        Some(deck_of_number(&form.deck).map_or("unknown", |d| d.key))
    };
    let proposal = Proposal {
        domain: &form.domain,
        words: Words {
            title: Some(&form.title),
            terms: &form.terms,
            my_part: Some(&form.my_part),
            partner_part: Some(&form.partner_part),
            review_on: Some(&form.review_on),
        },
        conversation: deck_key.map(|k| (k, round)),
    };
    match agreements::propose(&state.app, &me, rel.id, proposal, Utc::now()).await {
        Ok(thread) => Ok(notice::after(
            &format!("/agreements/{}#status", thread.summary.id),
            Done::Proposed,
        )),
        Err(err) => {
            let fields = [
                "domain",
                "title",
                "terms",
                "my_part",
                "partner_part",
                "review_on",
            ];
            let (errors, status) = Errors::for_form(err, &fields)?;
            Ok(new_form(&state, &me, &rel, form, errors, status))
        }
    }
}

// ---------------------------------------------------------------- one agreement

/// A run of words in the comparison with the version before.
struct Change {
    /// "same", "added" or "removed".
    kind: &'static str,
    text: String,
}

struct VersionRow {
    number: u32,
    author: String,
    what: &'static str,
    day: String,
    title: String,
    title_changed: bool,
    terms: Vec<String>,
    changes: Option<Vec<Change>>,
    parts: Vec<(String, String)>,
    review: Option<String>,
    in_force: bool,
}

struct MoveRow {
    day: String,
    what: String,
    reason: Option<String>,
}

struct Linked {
    id: uuid::Uuid,
    description: String,
    giver: String,
    day: String,
}

/// What the forms keep after a refusal: the move that failed, and its words.
#[derive(Default)]
struct Kept {
    verb: String,
    form: MoveForm,
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct ThreadPage<'a> {
    exit_url: &'a str,
    open: bool,
    partner: String,
    id: uuid::Uuid,
    title: String,
    domain: &'static str,
    status: Option<&'static str>,
    due: bool,
    in_force: Option<u32>,
    latest: u32,
    /// Who stands by the latest version now, in words.
    accepting: String,
    awaiting_me: bool,
    awaiting_partner: bool,
    origin: Option<(String, &'static str)>,
    versions: Vec<VersionRow>,
    history: Vec<MoveRow>,
    links: Vec<Linked>,
    can: agreements::Moves,
    /// The move the words form makes: "counter" or "revise".
    change_verb: &'static str,
    /// Contributions in this domain that may be linked.
    linkable: Vec<Linked>,
    /// The counter and revise forms' words: the latest version's, or what
    /// was sent when one of those failed.
    words: MoveForm,
    /// What the failed move sent (reasons, a review date), else nothing.
    sent: MoveForm,
    failed: String,
    max_terms: usize,
    today: String,
    errors: Errors,
}

impl ThreadPage<'_> {
    /// Where the error summary's links find the failed form's fields: their
    /// ids carry the form's prefix (see `Errors::summary`).
    fn summary_ids(&self) -> &'static str {
        match self.failed.as_str() {
            "counter" | "revise" => "w-*",
            "decline" => "decline-*",
            "retire" => "retire-*",
            "confirm" => "confirm-*",
            _ => "",
        }
    }

    /// The message beside `field` of the form of `verb`, after it failed.
    fn err(&self, verb: &str, field: &str) -> Option<&str> {
        if self.failed == verb {
            self.errors.get(field)
        } else {
            None
        }
    }
}

fn version_row(v: &VersionView, names: &Names, in_force: Option<u32>) -> VersionRow {
    VersionRow {
        number: v.number,
        author: names.of(v.author),
        what: match v.kind {
            Kind::Propose => "proposed",
            Kind::Counter => "suggested changes",
            _ => "proposed changes",
        },
        day: day(v.created_at),
        title: v.title.clone(),
        title_changed: v.title_changed,
        terms: lines(&v.terms),
        changes: v.changes.as_ref().map(|pieces| {
            pieces
                .iter()
                .map(|p| match p {
                    Piece::Same(t) => Change {
                        kind: "same",
                        text: t.clone(),
                    },
                    Piece::Added(t) => Change {
                        kind: "added",
                        text: t.clone(),
                    },
                    Piece::Removed(t) => Change {
                        kind: "removed",
                        text: t.clone(),
                    },
                })
                .collect()
        }),
        parts: v
            .parts
            .iter()
            .map(|(who, text)| {
                let whose = if *who == names.me {
                    "Your part".to_owned()
                } else {
                    format!("{}'s part", names.partner)
                };
                (whose, text.clone())
            })
            .collect(),
        review: v.review_on.map(date),
        in_force: in_force == Some(v.number),
    }
}

fn move_row(h: &HistoryLine, names: &Names) -> MoveRow {
    let who = names.of(h.actor);
    let n = h.version;
    let what = match h.kind {
        Kind::Propose => format!("{who} proposed it (version {n})"),
        Kind::Counter => format!("{who} suggested changes (version {n})"),
        Kind::Revise => format!("{who} proposed changes (version {n})"),
        Kind::Accept => format!("{who} accepted version {n}"),
        Kind::Decline => format!("{who} declined version {n}"),
        Kind::Withdraw => format!("{who} withdrew from what was agreed"),
        Kind::Confirm => match h.review_on {
            Some(on) => format!(
                "{who} looked again and kept it as it is, until {}",
                date(on)
            ),
            None => format!("{who} looked again and kept it as it is"),
        },
        Kind::Retire => format!("{who} retired it"),
    };
    MoveRow {
        day: day(h.at),
        what,
        reason: h.reason.clone(),
    }
}

fn linked(c: EntryView, names: &Names) -> Option<Linked> {
    let details = c.details?;
    Some(Linked {
        id: c.id,
        description: details.description,
        giver: names.of(c.giver),
        day: ledger::date_of(details.day).format("%-d %b %Y").to_string(),
    })
}

/// The latest version's words, as the counter and revise forms start.
fn latest_words(t: &Thread, me: AccountId) -> MoveForm {
    let Some(v) = t.versions.last() else {
        return MoveForm::default();
    };
    let part = |mine: bool| {
        v.parts
            .iter()
            .find(|(who, _)| (*who == me) == mine)
            .map(|(_, p)| p.clone())
            .unwrap_or_default()
    };
    MoveForm {
        title: v.title.clone(),
        terms: v.terms.clone(),
        my_part: part(true),
        partner_part: part(false),
        review_on: v.review_on.map(|d| d.to_string()).unwrap_or_default(),
        ..MoveForm::default()
    }
}

#[allow(clippy::too_many_arguments)]
async fn thread_view(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    t: Thread,
    kept: Option<Kept>,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let names = Names {
        me: me.id,
        partner: partner_name(rel, me.id),
    };
    let open = rel.status == RelationshipStatus::Active;
    let s = &t.summary;
    let linkable = if t.can.link {
        let filter = ContributionFilter {
            domain: Some(s.domain),
            limit: 30,
            ..Default::default()
        };
        ledger::list(&state.app, me, rel.id, filter, Utc::now())
            .await?
            .into_iter()
            .filter(|c| !t.links.iter().any(|l| l.id == c.id))
            .filter_map(|c| linked(c, &names))
            .collect()
    } else {
        Vec::new()
    };
    let accepting = match t.accepting.as_slice() {
        [] => "Nobody stands by the latest version yet.".to_owned(),
        [one] => format!(
            "{} stand{} by the latest version.",
            names.of(*one),
            if *one == me.id { "" } else { "s" }
        ),
        _ => "You both stand by the latest version.".to_owned(),
    };
    let Kept {
        verb: failed,
        form: sent,
    } = kept.unwrap_or_default();
    let words = if failed == "counter" || failed == "revise" {
        sent.clone()
    } else {
        latest_words(&t, me.id)
    };
    let page = ThreadPage {
        exit_url: &state.config.exit_url,
        open,
        id: s.id,
        title: s.title.clone(),
        domain: s.domain.label(),
        status: s.status.map(Status::label),
        due: s.due,
        in_force: s.in_force,
        latest: s.latest_version,
        accepting,
        awaiting_me: s.awaiting_me,
        awaiting_partner: s.awaiting_partner,
        origin: t.origin.map(|(deck, round)| {
            (
                format!("/conversations/{}/talk?round={round}", deck_number(deck)),
                deck.title,
            )
        }),
        versions: t
            .versions
            .iter()
            .map(|v| version_row(v, &names, s.in_force))
            .collect(),
        history: t.history.iter().map(|h| move_row(h, &names)).collect(),
        links: t
            .links
            .iter()
            .cloned()
            .filter_map(|c| linked(c, &names))
            .collect(),
        can: t.can,
        change_verb: if t.can.counter { "counter" } else { "revise" },
        linkable,
        words,
        sent,
        failed,
        max_terms: TERMS_MAX_CHARS,
        today: Utc::now().date_naive().to_string(),
        errors,
        partner: names.partner,
    };
    Ok(render(status, &page))
}

pub async fn thread_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(aid): Path<String>,
) -> Result<Response, PageError> {
    let (me, rel) = match space_to_read(&state, &headers, "Agreements").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let id = agreement_id(&aid)?;
    let thread = agreements::thread(&state.app, &me, rel.id, id, Utc::now()).await?;
    thread_view(
        &state,
        &me,
        &rel,
        thread,
        None,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Every move's fields; each form sends the ones it has.
#[derive(Deserialize, Default, Clone)]
pub struct MoveForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    terms: String,
    #[serde(default)]
    my_part: String,
    #[serde(default)]
    partner_part: String,
    #[serde(default)]
    review_on: String,
    #[serde(default)]
    contribution_id: String,
}

impl MoveForm {
    /// A new version's words. An empty title keeps the one before.
    fn words(&self) -> Words<'_> {
        Words {
            title: Some(self.title.as_str()).filter(|t| !t.trim().is_empty()),
            terms: &self.terms,
            my_part: Some(&self.my_part),
            partner_part: Some(&self.partner_part),
            review_on: Some(&self.review_on),
        }
    }
}

/// The fields each move's form shows, for errors beside them, and where
/// the page lands after it.
fn form_of(verb: &str) -> Option<(&'static [&'static str], &'static str, Done)> {
    const WORDS: &[&str] = &["title", "terms", "my_part", "partner_part", "review_on"];
    Some(match verb {
        "accept" | "withdraw" => (&[], "status", Done::Saved),
        "decline" | "retire" => (&["reason"], "status", Done::Saved),
        "counter" | "revise" => (WORDS, "versions-heading", Done::Proposed),
        "confirm" => (&["review_on"], "status", Done::Saved),
        "link" => (&["contribution_id"], "links-heading", Done::Added),
        "unlink" => (&[], "links-heading", Done::Saved),
        _ => return None,
    })
}

pub async fn act(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path((aid, verb)): Path<(String, String)>,
    PageForm(mut form): PageForm<MoveForm>,
) -> Result<Response, PageError> {
    let id = agreement_id(&aid)?;
    let (fields, anchor, done_as) =
        form_of(&verb).ok_or_else(|| PageError(AppError::not_found()))?;
    form.terms = normalized(&form.terms);
    form.reason = normalized(&form.reason);
    let (app, now, rid) = (&state.app, Utc::now(), rel.id);
    // A missing or garbled number is a version that does not exist.
    let version = form.version.trim().parse::<i64>().unwrap_or(0);
    // Garbage is a contribution that does not exist (the domain's words).
    let contribution = || {
        form.contribution_id
            .trim()
            .parse::<uuid::Uuid>()
            .map_err(|_| {
                domain::DomainError::from(domain::FieldError::new(
                    "contribution_id",
                    "unknown",
                    "Choose one of your contributions.",
                ))
            })
    };
    let done = match verb.as_str() {
        "accept" => agreements::accept(app, &me, rid, id, version, now).await,
        "decline" => agreements::decline(app, &me, rid, id, version, &form.reason, now).await,
        "counter" => agreements::counter(app, &me, rid, id, form.words(), now).await,
        "revise" => agreements::revise(app, &me, rid, id, form.words(), now).await,
        "withdraw" => agreements::withdraw(app, &me, rid, id, now).await,
        "confirm" => agreements::confirm(app, &me, rid, id, Some(&form.review_on), now).await,
        "retire" => agreements::retire(app, &me, rid, id, &form.reason, now).await,
        "link" => match contribution() {
            Ok(c) => agreements::link(app, &me, rid, id, c, now).await,
            Err(e) => Err(e),
        },
        _ => match contribution() {
            Ok(c) => agreements::unlink(app, &me, rid, id, c, now).await,
            Err(e) => Err(e),
        },
    };
    match done {
        Ok(_) => Ok(notice::after(
            &format!("/agreements/{id}#{anchor}"),
            done_as,
        )),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, fields)?;
            let thread = agreements::thread(app, &me, rid, id, now).await?;
            let kept = Kept {
                verb: verb.clone(),
                form,
            };
            thread_view(&state, &me, &rel, thread, Some(kept), errors, status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_move_has_a_form_and_nothing_else_does() {
        for verb in [
            "accept", "decline", "counter", "revise", "withdraw", "confirm", "retire", "link",
            "unlink",
        ] {
            assert!(form_of(verb).is_some(), "{verb}");
        }
        assert!(form_of("delete").is_none());
        assert!(form_of("").is_none());
    }

    #[test]
    fn an_empty_title_keeps_the_one_before() {
        let form = MoveForm {
            title: "  ".into(),
            terms: "x".into(),
            ..MoveForm::default()
        };
        assert_eq!(form.words().title, None);
        assert_eq!(form.words().my_part, Some(""));
    }
}
