//! The episode pages: the list with the short "record an episode" form,
//! one episode turn by turn (add a turn, undo the last, share or withdraw
//! one's own view, the partner's shared view beside it, the sealed
//! repair), the pattern page, and the "before you answer" guide, which is
//! open without signing in because it is offered in a hard moment.
//!
//! The rules live in `domain::episodes`: who may see an episode, a view
//! or a repair is decided there, never here. These pages only show what
//! the domain hands out and post plain forms (post, redirect, get).
//! Once the space ended, the caller reads the episodes they recorded, their
//! own view only, with no forms.
//!
//! Words: a turn is "a turn coded contempt", never "Bo was contemptuous";
//! patterns are written as cycles the two make together.

use super::notice::{self, Done};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{NaiveDate, Utc};
use domain::episodes::codes::{Group, CODES};
use domain::episodes::guide::{self, Step};
use domain::episodes::patterns::{self, Patterns};
use domain::episodes::repair::{self, RepairAnswers, RepairInput, RepairView};
use domain::episodes::{
    self, Direction, EpisodeDetail, EpisodeInput, Kind, Ratio, Turn, TurnInput, Valence,
};
use domain::me::Me;
use domain::relationship::RelationshipStatus;
use domain::store::Relationship;
use domain::AccountId;
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::ledger::{partner_name, Space};
use super::{render, space_to_read};
use crate::error::{AppError, PageError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/episodes", get(index).post(create))
        .route("/episodes/patterns", get(patterns_page))
        .route("/episodes/{eid}", get(episode_page))
        .route("/episodes/{eid}/turns", post(add_turn))
        .route("/episodes/{eid}/turns/undo", post(undo))
        .route("/episodes/{eid}/share", post(share))
        .route("/episodes/{eid}/repair", post(write_repair))
        .route(crate::api::episodes::GUIDE_PAGE, get(guide_page))
}

const GROUPS: [Group; 4] = [Group::Hurts, Group::Helps, Group::Connection, Group::Warmth];

/// The intensities, in words: (value, word).
const INTENSITIES: [(u8, &str); 5] = [
    (1, "mild"),
    (2, "light"),
    (3, "moderate"),
    (4, "strong"),
    (5, "intense"),
];

fn intensity_word(i: u8) -> &'static str {
    INTENSITIES
        .iter()
        .find(|(v, _)| *v == i)
        .map_or("", |(_, w)| w)
}

fn feeling_word(v: Valence) -> &'static str {
    match v {
        Valence::Positive => "positive",
        Valence::Neutral => "neutral",
        Valence::Negative => "negative",
    }
}

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Conflict => "A conflict",
        Kind::Everyday => "An everyday exchange",
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// `YYYY-MM` as "November 2026".
fn month_words(month: &str) -> String {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|d| d.format("%B %Y").to_string())
        .unwrap_or_else(|_| month.to_owned())
}

fn percent(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

/// A figure with two decimals, a true minus sign for negatives.
fn decimal(v: f64) -> String {
    format!("{v:.2}").replace('-', "\u{2212}")
}

/// An episode id from a path; garbage is an episode that does not exist.
fn episode_id(raw: &str) -> Result<uuid::Uuid, PageError> {
    raw.parse().map_err(|_| PageError(AppError::not_found()))
}

/// "You"/"you", or the partner's name, for an account.
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

    /// Inside a sentence.
    fn inner(&self, who: AccountId) -> String {
        if who == self.me {
            "you".to_owned()
        } else {
            self.partner.clone()
        }
    }

    /// "your" or "Bo's".
    fn whose(&self, who: AccountId) -> String {
        if who == self.me {
            "your".to_owned()
        } else {
            format!("{}'s", self.partner)
        }
    }
}

fn names(me: &Me, rel: &Relationship) -> Names {
    Names {
        me: me.id,
        partner: partner_name(rel, me.id),
    }
}

// ---------------------------------------------------------------- the list

struct Row {
    id: uuid::Uuid,
    title: String,
    day: String,
    kind: &'static str,
    shared: bool,
    /// Recorded by the partner (then always shared).
    by_partner: bool,
}

#[derive(Deserialize, Default)]
pub struct RecordForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    share: String,
}

#[derive(Template)]
#[template(path = "episodes.html")]
struct ListPage<'a> {
    exit_url: &'a str,
    open: bool,
    partner: String,
    rows: Vec<Row>,
    form: RecordForm,
    latest_day: String,
    title_max: usize,
    errors: Errors,
}

fn title_of(title: Option<&String>) -> String {
    title
        .cloned()
        .unwrap_or_else(|| "An episode (its name went with a deleted account)".to_owned())
}

async fn list_view(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    form: RecordForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let all = episodes::list(&state.app, me, rel.id).await?;
    let today = Utc::now().date_naive();
    let form = RecordForm {
        occurred_at: if form.occurred_at.is_empty() {
            today.to_string()
        } else {
            form.occurred_at
        },
        ..form
    };
    Ok(render(
        status,
        &ListPage {
            exit_url: &state.config.exit_url,
            open: rel.status == RelationshipStatus::Active,
            partner: partner_name(rel, me.id),
            rows: all
                .iter()
                .map(|e| Row {
                    id: e.id,
                    title: title_of(e.title.as_ref()),
                    day: date(e.on),
                    kind: kind_label(e.kind),
                    shared: e.shared,
                    by_partner: e.recorded_by != me.id,
                })
                .collect(),
            form,
            latest_day: (today + chrono::Duration::days(1)).to_string(),
            title_max: episodes::TITLE_MAX_CHARS,
            errors,
        },
    ))
}

pub async fn index(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (me, rel) = match space_to_read(&state, &headers, "Episodes").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    list_view(
        &state,
        &me,
        &rel,
        RecordForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    PageForm(form): PageForm<RecordForm>,
) -> Result<Response, PageError> {
    let input = EpisodeInput {
        title: &form.title,
        kind: &form.kind,
        occurred_at: Some(form.occurred_at.as_str()),
        share: form.share == "true",
    };
    match episodes::record(&state.app, &me, rel.id, input, Utc::now()).await {
        Ok(e) => Ok(notice::after(&format!("/episodes/{}", e.id), Done::Kept)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["title", "kind", "occurred_at"])?;
            list_view(&state, &me, &rel, form, errors, status).await
        }
    }
}

// ---------------------------------------------------------------- one episode

struct TurnRow {
    who: String,
    code: &'static str,
    feeling: &'static str,
    intensity: &'static str,
    negative: bool,
    in_spiral: bool,
}

fn turn_rows(turns: &[Turn], names: &Names, spirals: &[(usize, usize)]) -> Vec<TurnRow> {
    turns
        .iter()
        .enumerate()
        .map(|(i, t)| TurnRow {
            who: names.of(t.actor),
            code: t.code.label,
            feeling: feeling_word(t.valence),
            intensity: intensity_word(t.intensity),
            negative: t.valence == Valence::Negative,
            in_spiral: spirals.iter().any(|(s, len)| i >= *s && i < s + len),
        })
        .collect()
}

/// One choice of a radio group.
struct Choice {
    value: String,
    label: String,
    hint: &'static str,
    checked: bool,
}

struct CodeGroup {
    id: usize,
    label: &'static str,
    codes: Vec<Choice>,
}

#[derive(Deserialize, Default)]
pub struct TurnForm {
    #[serde(default)]
    actor_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    valence: String,
    #[serde(default)]
    intensity: String,
}

#[derive(Deserialize, Default)]
pub struct RepairForm {
    #[serde(default)]
    my_part: String,
    #[serde(default)]
    felt: String,
    #[serde(default)]
    needed: String,
    #[serde(default)]
    next_time: String,
    /// "true" sends it; anything else keeps a draft.
    #[serde(default)]
    send: String,
}

impl RepairForm {
    fn get(&self, key: &str) -> &str {
        match key {
            "my_part" => &self.my_part,
            "felt" => &self.felt,
            "needed" => &self.needed,
            _ => &self.next_time,
        }
    }

    fn of(a: &RepairAnswers) -> Self {
        Self {
            my_part: a.my_part.clone(),
            felt: a.felt.clone(),
            needed: a.needed.clone(),
            next_time: a.next_time.clone(),
            send: String::new(),
        }
    }
}

struct RepairField {
    key: &'static str,
    question: &'static str,
    value: String,
    error: Option<String>,
}

struct RevealedRow {
    question: &'static str,
    mine: String,
    theirs: String,
}

/// What the repair section shows: `state` is "writing" (the form, with a
/// draft or nothing yet), "sent" (sealed until the partner sends theirs)
/// or "revealed" (both, side by side).
struct RepairShown {
    state: &'static str,
    fields: Vec<RepairField>,
    sent: Vec<(&'static str, String)>,
    revealed: Vec<RevealedRow>,
    partner_sent: bool,
}

#[derive(Template)]
#[template(path = "episode.html")]
struct EpisodePage<'a> {
    exit_url: &'a str,
    id: uuid::Uuid,
    title: String,
    kind: &'static str,
    day: String,
    shared: bool,
    recorded_by_me: bool,
    writable: bool,
    partner: String,
    mine: Vec<TurnRow>,
    mine_shared: bool,
    spirals: Vec<String>,
    theirs: Option<Vec<TurnRow>>,
    after_negative: bool,
    first_step: Step,
    guide_page: &'static str,
    actors: Vec<Choice>,
    groups: Vec<CodeGroup>,
    feelings: Vec<Choice>,
    intensities: Vec<Choice>,
    repair: Option<RepairShown>,
    errors: Errors,
}

/// Failures to show beside the forms: which form, and what it kept.
#[derive(Default)]
struct Kept {
    turn: Option<TurnForm>,
    repair: Option<RepairForm>,
}

fn spiral_sentence(start: usize, length: usize, peak: u8) -> String {
    format!(
        "Turns {} to {}: {length} negative turns answering each other, each at least as strong as the one before (up to {}). A cycle like this is something two people get caught in together; seeing where it started is often where it can turn.",
        start + 1,
        start + length,
        intensity_word(peak)
    )
}

fn partner_of(rel: &Relationship, me: AccountId) -> Option<AccountId> {
    rel.members.iter().map(|m| m.account_id).find(|a| *a != me)
}

#[allow(clippy::too_many_arguments)]
async fn episode_view(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    d: EpisodeDetail,
    after_negative: bool,
    kept: Kept,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let names = names(me, rel);
    let spans: Vec<(usize, usize)> = d.spirals.iter().map(|s| (s.start, s.length)).collect();
    let partner_id = partner_of(rel, me.id);
    // The turn form: what was sent when it failed, else the other partner
    // chosen after the last turn (people take turns), and the usual feeling.
    let turn = kept.turn.unwrap_or_else(|| TurnForm {
        actor_id: match (d.mine.last(), partner_id) {
            (Some(t), Some(p)) if t.actor == me.id => p.to_string(),
            _ => me.id.to_string(),
        },
        ..TurnForm::default()
    });
    let mut actors = vec![Choice {
        value: me.id.to_string(),
        label: "Me".to_owned(),
        hint: "",
        checked: turn.actor_id == me.id.to_string(),
    }];
    if let Some(p) = partner_id {
        actors.push(Choice {
            value: p.to_string(),
            label: names.partner.clone(),
            hint: "",
            checked: turn.actor_id == p.to_string(),
        });
    }
    let groups = GROUPS
        .iter()
        .enumerate()
        .map(|(i, g)| CodeGroup {
            id: i,
            label: g.label(),
            codes: CODES
                .iter()
                .filter(|c| c.group == *g)
                .map(|c| Choice {
                    value: c.key.to_owned(),
                    label: c.label.to_owned(),
                    hint: c.explanation,
                    checked: turn.code == c.key,
                })
                .collect(),
        })
        .collect();
    let feelings = [
        ("", "Usual for this kind of turn"),
        ("positive", "Positive"),
        ("neutral", "Neutral"),
        ("negative", "Negative"),
    ]
    .iter()
    .map(|(v, l)| Choice {
        value: (*v).to_owned(),
        label: (*l).to_owned(),
        hint: "",
        checked: turn.valence == *v,
    })
    .collect();
    let intensities = INTENSITIES
        .iter()
        .map(|(v, w)| Choice {
            value: v.to_string(),
            label: w.to_string(),
            hint: "",
            checked: turn.intensity.trim() == v.to_string(),
        })
        .collect();
    let repair = if d.episode.shared && d.writable {
        let view = repair::view(&state.app, me, rel.id, d.episode.id, Utc::now()).await?;
        Some(repair_shown(view, kept.repair, &errors))
    } else {
        None
    };
    let page = EpisodePage {
        exit_url: &state.config.exit_url,
        id: d.episode.id,
        title: title_of(d.episode.title.as_ref()),
        kind: kind_label(d.episode.kind),
        day: date(d.episode.on),
        shared: d.episode.shared,
        recorded_by_me: d.episode.recorded_by == me.id,
        writable: d.writable,
        mine: turn_rows(&d.mine, &names, &spans),
        mine_shared: d.mine_shared,
        spirals: d
            .spirals
            .iter()
            .map(|s| spiral_sentence(s.start, s.length, s.peak))
            .collect(),
        theirs: d.partner.as_ref().map(|t| turn_rows(t, &names, &[])),
        after_negative,
        first_step: guide::STEPS[0],
        guide_page: crate::api::episodes::GUIDE_PAGE,
        actors,
        groups,
        feelings,
        intensities,
        repair,
        errors,
        partner: names.partner,
    };
    Ok(render(status, &page))
}

fn repair_shown(view: RepairView, kept: Option<RepairForm>, errors: &Errors) -> RepairShown {
    let mut shown = RepairShown {
        state: "writing",
        fields: Vec::new(),
        sent: Vec::new(),
        revealed: Vec::new(),
        partner_sent: false,
    };
    match view {
        RepairView::Revealed { mine, partner, .. } => {
            shown.state = "revealed";
            shown.partner_sent = true;
            shown.revealed = repair::QUESTIONS
                .iter()
                .map(|(k, q)| RevealedRow {
                    question: q,
                    mine: mine.get(k).to_owned(),
                    theirs: partner.get(k).to_owned(),
                })
                .collect();
        }
        RepairView::Sealed {
            mine,
            sent: true,
            partner_sent,
        } => {
            shown.state = "sent";
            shown.partner_sent = partner_sent;
            shown.sent = repair::QUESTIONS
                .iter()
                .map(|(k, q)| (*q, mine.as_ref().map_or("", |m| m.get(k)).to_owned()))
                .collect();
        }
        RepairView::Sealed {
            mine, partner_sent, ..
        } => {
            let form = kept
                .or_else(|| mine.as_ref().map(RepairForm::of))
                .unwrap_or_default();
            shown.partner_sent = partner_sent;
            shown.fields = repair::QUESTIONS
                .iter()
                .map(|(k, q)| RepairField {
                    key: k,
                    question: q,
                    value: form.get(k).to_owned(),
                    error: errors.get(k).map(str::to_owned),
                })
                .collect();
        }
    }
    shown
}

#[derive(Deserialize, Default)]
pub struct EpisodeQuery {
    #[serde(default)]
    after: String,
}

pub async fn episode_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(eid): Path<String>,
    Query(query): Query<EpisodeQuery>,
) -> Result<Response, PageError> {
    let (me, rel) = match space_to_read(&state, &headers, "Episodes").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let id = episode_id(&eid)?;
    let d = episodes::detail(&state.app, &me, rel.id, id, Utc::now()).await?;
    let after_negative = query.after == "negative" && d.writable;
    episode_view(
        &state,
        &me,
        &rel,
        d,
        after_negative,
        Kept::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

const TURN_FIELDS: [&str; 4] = ["actor_id", "code", "valence", "intensity"];

pub async fn add_turn(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(eid): Path<String>,
    PageForm(form): PageForm<TurnForm>,
) -> Result<Response, PageError> {
    let id = episode_id(&eid)?;
    let now = Utc::now();
    // Garbage is out of range, refused by the domain beside the field.
    let intensity = form.intensity.trim().parse::<i64>().unwrap_or(0);
    let input = TurnInput {
        actor_id: &form.actor_id,
        code: &form.code,
        valence: Some(form.valence.as_str()).filter(|v| !v.trim().is_empty()),
        intensity,
    };
    match episodes::add_turn(&state.app, &me, rel.id, id, input, now).await {
        Ok(turn) => {
            let after = if turn.valence == Valence::Negative {
                "?after=negative"
            } else {
                ""
            };
            Ok(notice::after(
                &format!("/episodes/{id}{after}#add"),
                Done::Added,
            ))
        }
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &TURN_FIELDS)?;
            let d = episodes::detail(&state.app, &me, rel.id, id, now).await?;
            let kept = Kept {
                turn: Some(form),
                repair: None,
            };
            episode_view(&state, &me, &rel, d, false, kept, errors, status).await
        }
    }
}

pub async fn undo(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(eid): Path<String>,
) -> Result<Response, PageError> {
    let id = episode_id(&eid)?;
    episodes::undo_turn(&state.app, &me, rel.id, id).await?;
    Ok(notice::after(&format!("/episodes/{id}#add"), Done::Undone))
}

#[derive(Deserialize, Default)]
pub struct ShareForm {
    #[serde(default)]
    shared: String,
}

pub async fn share(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(eid): Path<String>,
    PageForm(form): PageForm<ShareForm>,
) -> Result<Response, PageError> {
    let id = episode_id(&eid)?;
    episodes::set_shared(
        &state.app,
        &me,
        rel.id,
        id,
        form.shared == "true",
        Utc::now(),
    )
    .await?;
    Ok(notice::after(
        &format!("/episodes/{id}#sharing"),
        Done::Saved,
    ))
}

pub async fn write_repair(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(eid): Path<String>,
    PageForm(form): PageForm<RepairForm>,
) -> Result<Response, PageError> {
    let id = episode_id(&eid)?;
    let now = Utc::now();
    let input = RepairInput {
        my_part: Some(&form.my_part),
        felt: Some(&form.felt),
        needed: Some(&form.needed),
        next_time: Some(&form.next_time),
    };
    let send = form.send == "true";
    match repair::write(&state.app, &me, rel.id, id, input, send, now).await {
        Ok(_) => Ok(notice::after(
            &format!("/episodes/{id}#repair"),
            Done::Saved,
        )),
        Err(err) => {
            let fields: Vec<&str> = repair::QUESTIONS.iter().map(|(k, _)| *k).collect();
            let (errors, status) = Errors::for_form(err, &fields)?;
            let d = episodes::detail(&state.app, &me, rel.id, id, now).await?;
            let kept = Kept {
                turn: None,
                repair: Some(form),
            };
            episode_view(&state, &me, &rel, d, false, kept, errors, status).await
        }
    }
}

// ---------------------------------------------------------------- patterns

struct DirectionRow {
    /// The sentence, or "too little".
    sentence: String,
    enough: bool,
    label: String,
    p: String,
    base: String,
    residual: String,
    q: String,
}

struct RatioRow {
    label: &'static str,
    sentence: String,
}

struct SpiralRow {
    id: uuid::Uuid,
    title: String,
    day: String,
    length: usize,
    peak: &'static str,
}

struct MonthRow {
    month: String,
    episodes: usize,
    turns: usize,
    spirals: usize,
    ratio: String,
    /// Each direction's "negative answered negatively", or "too little".
    answered: Vec<String>,
}

#[derive(Template)]
#[template(path = "episode_patterns.html")]
struct PatternsPage<'a> {
    exit_url: &'a str,
    open: bool,
    episodes: usize,
    turns: usize,
    directions: Vec<DirectionRow>,
    spirals: Vec<SpiralRow>,
    ratios: Vec<RatioRow>,
    bids: Vec<String>,
    months: Vec<MonthRow>,
    /// The directions' names, for the month table's columns.
    direction_labels: Vec<String>,
    responsibility: Option<Vec<String>>,
    imbalance: bool,
    spirals_recur: bool,
}

/// A month's cell when there is too little to tell.
const TOO_LITTLE: &str = "too little yet";

fn direction_row(d: &Direction, pair: [AccountId; 2], names: &Names) -> DirectionRow {
    let (from, to) = (pair[d.from], pair[d.to]);
    let label = format!("{} then {}", names.of(from), names.inner(to));
    match (d.p_negative_after_negative, d.base_rate) {
        (Some(p), Some(base)) if d.enough => {
            let from_inner = names.inner(from);
            let usual = if to == names.me {
                "your".to_owned()
            } else {
                format!("{}'s", names.partner)
            };
            DirectionRow {
                sentence: format!(
                    "After one of {} negative turns, {} answered negatively {} of the time; {usual} usual rate answering {from_inner}: {}.",
                    names.whose(from),
                    names.inner(to),
                    percent(p),
                    percent(base),
                ),
                enough: true,
                label,
                p: percent(p),
                base: percent(base),
                residual: d.adjusted_residual.map_or("—".to_owned(), decimal),
                q: d.yules_q.map_or("—".to_owned(), decimal),
            }
        }
        _ => DirectionRow {
            sentence: format!(
                "After one of {} negative turns: too little recorded yet to tell ({} answered so far).",
                names.whose(from),
                d.negative_answered,
            ),
            enough: false,
            label,
            p: String::new(),
            base: String::new(),
            residual: String::new(),
            q: String::new(),
        },
    }
}

fn ratio_sentence(r: &Ratio) -> String {
    match (r.ratio, r.smoothed) {
        (Some(x), _) => format!(
            "Warmth to hurt: about {} to 1 ({} positive turns, {} negative).",
            decimal(x).trim_end_matches('0').trim_end_matches('.'),
            r.positive,
            r.negative
        ),
        (None, Some(_)) => format!(
            "{} positive turns and no negative ones recorded.",
            r.positive
        ),
        _ => format!(
            "Too little recorded yet to tell ({} positive, {} negative so far).",
            r.positive, r.negative
        ),
    }
}

pub async fn patterns_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (me, rel) = match space_to_read(&state, &headers, "Episodes").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let p: Patterns = patterns::patterns(&state.app, &me, rel.id, Utc::now()).await?;
    let names = names(&me, &rel);
    let bids = p
        .bids
        .iter()
        .map(|b| {
            let (bidder, responder) = (p.pair[b.bidder], p.pair[b.responder]);
            let answered = b.toward + b.away + b.against;
            match b.toward_rate {
                Some(rate) => format!(
                    "Of {} bids for connection that {} answered, {} turned toward {} ({} of {answered}).",
                    names.whose(bidder),
                    names.inner(responder),
                    names.inner(responder),
                    percent(rate),
                    b.toward
                ),
                None => format!(
                    "{} bids for connection: too few answered yet to tell ({answered} so far).",
                    capitalised(&names.whose(bidder))
                ),
            }
        })
        .collect();
    let responsibility = p.responsibility.as_ref().map(|r| {
        if r.repaired == 0 {
            vec!["No repair has been read by both of you yet.".to_owned()]
        } else {
            [0, 1]
                .iter()
                .map(|&i| {
                    format!(
                        "{} named {} own part in {} of the {} repaired episodes{}.",
                        names.of(p.pair[i]),
                        if p.pair[i] == me.id { "your" } else { "their" },
                        r.named[i],
                        r.repaired,
                        r.share[i].map_or(String::new(), |s| format!(" ({})", percent(s)))
                    )
                })
                .collect()
        }
    });
    let page = PatternsPage {
        exit_url: &state.config.exit_url,
        open: rel.status == RelationshipStatus::Active,
        episodes: p.episodes,
        turns: p.turns,
        directions: p
            .directions
            .iter()
            .map(|d| direction_row(d, p.pair, &names))
            .collect(),
        spirals: p
            .spirals
            .iter()
            .map(|s| SpiralRow {
                id: s.episode_id,
                title: title_of(s.title.as_ref()),
                day: date(s.on),
                length: s.length,
                peak: intensity_word(s.peak),
            })
            .collect(),
        ratios: vec![
            RatioRow {
                label: "In conflicts",
                sentence: ratio_sentence(&p.conflict),
            },
            RatioRow {
                label: "In everyday exchanges",
                sentence: ratio_sentence(&p.everyday),
            },
        ],
        bids,
        months: p
            .months
            .iter()
            .map(|m| MonthRow {
                month: month_words(&m.month),
                episodes: m.episodes,
                turns: m.turns,
                spirals: m.spirals,
                ratio: m.conflict.ratio.map_or(TOO_LITTLE.to_owned(), |x| {
                    format!(
                        "{}:1",
                        decimal(x).trim_end_matches('0').trim_end_matches('.')
                    )
                }),
                answered: m
                    .directions
                    .iter()
                    .map(|d| {
                        d.p_negative_after_negative
                            .filter(|_| d.enough)
                            .map_or(TOO_LITTLE.to_owned(), percent)
                    })
                    .collect(),
            })
            .collect(),
        direction_labels: p
            .directions
            .iter()
            .map(|d| direction_row(d, p.pair, &names).label)
            .collect(),
        imbalance: p.responsibility.as_ref().is_some_and(|r| r.imbalance),
        responsibility,
        spirals_recur: p.spirals_recur,
    };
    Ok(render(StatusCode::OK, &page))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- the guide

#[derive(Template)]
#[template(path = "before_you_answer.html")]
struct GuidePage<'a> {
    exit_url: &'a str,
    intro: &'static str,
    steps: &'static [Step],
}

/// Open without signing in: it is offered in a hard moment, and a session
/// that ran out must not stand between someone and a minute's pause.
pub async fn guide_page(State(state): State<AppState>) -> Response {
    render(
        StatusCode::OK,
        &GuidePage {
            exit_url: &state.config.exit_url,
            intro: guide::INTRO,
            steps: &guide::STEPS,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_words_are_plain() {
        assert_eq!(percent(0.6), "60%");
        assert_eq!(decimal(-1.234), "\u{2212}1.23");
        assert_eq!(intensity_word(1), "mild");
        assert_eq!(intensity_word(5), "intense");
        assert_eq!(month_words("2026-11"), "November 2026");
        assert_eq!(capitalised("your"), "Your");
        assert!(domain::episodes::codes::find("contempt").is_some());
    }
}
