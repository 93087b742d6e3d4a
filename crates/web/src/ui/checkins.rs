//! The check-in pages: the short questionnaire (with the cadence), and the
//! trends page with each visible person's series drawn and written out,
//! reciprocated love, and the caller's own check-ins to share or withdraw.
//! The rules and figures live in `domain::checkins`; these pages only show
//! them and post plain forms (post, redirect, get).
//!
//! Private unless shared: the partner's series appears only as the domain
//! hands it out (their shared check-ins), and a note only to its author.
//! Once the space ended, the caller reads only their own, with no forms.

use super::notice::{self, Done};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, NaiveDate, Utc};
use domain::checkins::{self, CheckinInput, PersonSeries, ITEMS};
use domain::me::Me;
use domain::relationship::RelationshipStatus;
use domain::store::Relationship;
use domain::AccountId;
use serde::Deserialize;

use super::chart::{self, Line};
use super::form::{Errors, PageForm};
use super::ledger::{partner_name, Space};
use super::sealed::ScaleOption;
use super::{render, space_to_read};
use crate::error::{AppError, PageError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checkins", get(form_page).post(keep))
        .route("/checkins/cadence", post(cadence))
        .route("/checkins/trends", get(trends))
        .route("/checkins/{cid}/share", post(share))
}

const SATISFACTION: usize = 0;
const REWARDS: usize = 1;
const COSTS: usize = 2;
const INVESTMENT: usize = 3;
const ALTERNATIVES: usize = 4;
const COMMITMENT: usize = 5;

/// The cadences the form offers: (days, words).
const CADENCES: [(u32, &str); 3] = [
    (7, "Every week"),
    (14, "Every two weeks"),
    (30, "Every month"),
];

fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn short(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

/// A figure as the page writes it: whole numbers without a decimal point.
fn figure(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
    .replace('-', "\u{2212}")
}

/// A figure with its sign, for differences and slopes.
fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", figure(v))
    } else {
        figure(v)
    }
}

fn cadence_words(days: u32) -> String {
    match days {
        7 => "every week".to_owned(),
        14 => "every two weeks".to_owned(),
        30 => "every month".to_owned(),
        1 => "every day".to_owned(),
        n => format!("every {n} days"),
    }
}

// ---------------------------------------------------------------- the questionnaire

/// One question as the form shows it: the same radio markup and classes as
/// the questionnaires' scales (`sealed::Scale`), from 0 to 8.
struct Question {
    name: &'static str,
    legend: &'static str,
    low: &'static str,
    high: &'static str,
    options: Vec<ScaleOption>,
    error: Option<String>,
}

/// The form as typed: every field text, so that a refusal shows it again.
#[derive(Deserialize, Default, Clone)]
pub struct CheckinForm {
    #[serde(default)]
    on: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    rewards: String,
    #[serde(default)]
    costs: String,
    #[serde(default)]
    investment: String,
    #[serde(default)]
    alternatives: String,
    #[serde(default)]
    commitment: String,
    #[serde(default)]
    passion: String,
    #[serde(default)]
    love_given: String,
    #[serde(default)]
    love_received: String,
    #[serde(default)]
    respected: String,
    #[serde(default)]
    share: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    replace: String,
}

impl CheckinForm {
    /// The ten answers as typed, in `ITEMS` order.
    fn typed(&self) -> [&str; 10] {
        [
            &self.satisfaction,
            &self.rewards,
            &self.costs,
            &self.investment,
            &self.alternatives,
            &self.commitment,
            &self.passion,
            &self.love_given,
            &self.love_received,
            &self.respected,
        ]
    }

    /// A missing or garbled answer is out of range, refused by the domain
    /// beside its question.
    fn answers(&self) -> [i64; 10] {
        self.typed().map(|t| t.trim().parse::<i64>().unwrap_or(-1))
    }

    fn shared(&self) -> bool {
        self.share == "true"
    }
}

#[derive(Template)]
#[template(path = "checkins.html")]
struct FormPage<'a> {
    exit_url: &'a str,
    open: bool,
    partner: String,
    questions: Vec<Question>,
    form: CheckinForm,
    latest_day: String,
    /// The day is already checked in: offer to replace it.
    offer_replace: bool,
    due: bool,
    cadence_words: String,
    /// (days, words, chosen) for the cadence select.
    cadences: Vec<(u32, String, bool)>,
    note_max: usize,
    errors: Errors,
}

impl FormPage<'_> {
    /// For the error summary: every question is a group of choices, whose
    /// link goes to its fieldset.
    fn question_groups(&self) -> String {
        let names: Vec<&str> = self.questions.iter().map(|q| q.name).collect();
        names.join(" ")
    }
}

fn questions(form: &CheckinForm, errors: &Errors) -> Vec<Question> {
    ITEMS
        .iter()
        .zip(form.typed())
        .map(|(item, typed)| {
            let chosen = typed.trim().parse::<u8>().ok();
            Question {
                name: item.key,
                legend: item.question,
                low: item.low,
                high: item.high,
                options: (0..=checkins::SCALE_MAX)
                    .map(|value| ScaleOption {
                        value,
                        end: match value {
                            0 => item.low,
                            checkins::SCALE_MAX => item.high,
                            _ => "",
                        },
                        checked: chosen == Some(value),
                    })
                    .collect(),
                error: errors.get(item.key).map(str::to_owned),
            }
        })
        .collect()
}

async fn form_view(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    mut form: CheckinForm,
    offer_replace: bool,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let now = Utc::now();
    // Only the cadence and whether one is due: no one's answers on this page.
    let checkins::Due {
        due,
        every_days: cadence_days,
        ..
    } = checkins::due(&state.app, me, rel.id, now).await?;
    let today = now.date_naive();
    if form.on.trim().is_empty() {
        form.on = today.to_string();
    }
    let mut cadences: Vec<(u32, String, bool)> = CADENCES
        .iter()
        .map(|(d, w)| (*d, (*w).to_owned(), *d == cadence_days))
        .collect();
    if !CADENCES.iter().any(|(d, _)| *d == cadence_days) {
        let d = cadence_days;
        cadences.push((d, format!("Every {d} days"), true));
    }
    Ok(render(
        status,
        &FormPage {
            exit_url: &state.config.exit_url,
            open: rel.status == RelationshipStatus::Active,
            partner: partner_name(rel, me.id),
            questions: questions(&form, &errors),
            form,
            latest_day: (today + Duration::days(1)).to_string(),
            offer_replace,
            due,
            cadence_words: cadence_words(cadence_days),
            cadences,
            note_max: checkins::NOTE_MAX_CHARS,
            errors,
        },
    ))
}

pub async fn form_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (me, rel) = match space_to_read(&state, &headers, "Check-ins").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    form_view(
        &state,
        &me,
        &rel,
        CheckinForm::default(),
        false,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// The fields the questionnaire shows, for errors beside them.
fn fields() -> Vec<&'static str> {
    ITEMS.iter().map(|i| i.key).chain(["on", "note"]).collect()
}

pub async fn keep(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    PageForm(form): PageForm<CheckinForm>,
) -> Result<Response, PageError> {
    let input = CheckinInput {
        on: Some(form.on.as_str()),
        answers: form.answers(),
        share: form.shared(),
        note: Some(form.note.as_str()),
        replace: form.replace == "true",
    };
    match checkins::record(&state.app, &me, rel.id, input, Utc::now()).await {
        Ok(kept) => {
            let what = if kept.shared { "shared" } else { "kept" };
            Ok(notice::after(
                &format!("/checkins/trends?{what}={}#kept", kept.on),
                Done::Kept,
            ))
        }
        Err(err) => {
            let mut err = AppError::from(err);
            // Said for a page (the API's words name its `replace` field).
            let again = err.code == "already_checked_in";
            if again {
                err.message = "You've already checked in on that day. You can replace that \
                               check-in with this one, or choose another day."
                    .to_owned();
            }
            let (errors, status) = Errors::for_form(err, &fields())?;
            form_view(&state, &me, &rel, form, again, errors, status).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CadenceForm {
    #[serde(default)]
    every_days: String,
}

pub async fn cadence(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    PageForm(form): PageForm<CadenceForm>,
) -> Result<Response, PageError> {
    // Garbage is out of range, refused by the domain beside the field.
    let days = form.every_days.trim().parse::<i64>().unwrap_or(0);
    match checkins::set_cadence(&state.app, &me, rel.id, days, Utc::now()).await {
        Ok(_) => Ok(notice::after("/checkins#cadence", Done::Saved)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["every_days"])?;
            form_view(
                &state,
                &me,
                &rel,
                CheckinForm::default(),
                false,
                errors,
                status,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- trends

/// One row of a person's series, written out (the charts' text equivalent).
struct PointRow {
    day: String,
    outcome: String,
    comparison: String,
    commitment: u8,
    satisfaction: u8,
    investment: u8,
    alternatives: u8,
}

struct Person {
    /// For ids: "me" or "partner".
    id: &'static str,
    /// "You" or the partner's name.
    name: String,
    /// "Your" or "Bo's".
    whose: String,
    outcome_chart: String,
    forces_chart: String,
    rows: Vec<PointRow>,
    /// The figures in words.
    figures: Vec<String>,
}

struct LoveRow {
    week: String,
    from: String,
    given: u8,
    to: String,
    received: u8,
}

struct HistoryRow {
    id: uuid::Uuid,
    day: String,
    outcome: String,
    shared: bool,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "checkins_trends.html")]
struct TrendsPage<'a> {
    exit_url: &'a str,
    open: bool,
    partner: String,
    /// The confirmation after a check-in: (day, shared).
    kept: Option<(String, bool)>,
    due: bool,
    cadence_words: String,
    people: Vec<Person>,
    /// Whether the partner shared anything (else a line saying so).
    partner_shared: bool,
    love: Vec<LoveRow>,
    love_gaps: Vec<String>,
    history: Vec<HistoryRow>,
    /// Check-ins (of the longest series) left out of the tables and the
    /// history, when only the latest are shown; 0 with `?all=1`.
    hidden: usize,
    recent: usize,
}

/// How many of the latest check-ins the tables and the history show unless
/// all are asked for: years of weekly check-ins stay in the charts, and the
/// page stays light on a phone.
const RECENT: usize = 12;

/// The last `n` of `rows` (the latest, in day order).
fn latest<T>(mut rows: Vec<T>, n: usize) -> Vec<T> {
    let cut = rows.len().saturating_sub(n);
    rows.drain(..cut);
    rows
}

/// The x value of a day on the charts.
fn x(d: NaiveDate) -> f64 {
    (d - NaiveDate::default()).num_days() as f64
}

/// Labels for the x axis: the first and last day, and one between when
/// they are far apart.
fn x_labels(days: &[NaiveDate]) -> Vec<(f64, String)> {
    match (days.first(), days.last()) {
        (Some(first), Some(last)) if first == last => vec![(x(*first), short(*first))],
        (Some(first), Some(last)) => {
            let mut labels = vec![(x(*first), short(*first))];
            let span = (*last - *first).num_days();
            if span >= 28 {
                let mid = *first + Duration::days(span / 2);
                labels.push((x(mid), short(mid)));
            }
            labels.push((x(*last), short(*last)));
            labels
        }
        _ => Vec::new(),
    }
}

fn person(p: &PersonSeries, me: AccountId, partner: &str) -> Person {
    let mine = p.account_id == me;
    let (id, name, whose) = if mine {
        ("me", "You".to_owned(), "Your".to_owned())
    } else {
        ("partner", partner.to_owned(), format!("{partner}'s"))
    };
    let days: Vec<NaiveDate> = p.series.iter().map(|s| s.on).collect();
    let item = |i: usize| -> Vec<(f64, f64)> {
        p.series
            .iter()
            .map(|s| (x(s.on), f64::from(s.items[i])))
            .collect()
    };
    let outcome_chart = chart::lines(
        &format!("outcome-{id}"),
        &format!("{whose} outcome over time, with the comparison level"),
        chart::Axes {
            y: "Outcome, −8 to 8",
            x: "Day of check-in",
        },
        &[-8.0, -4.0, 0.0, 4.0, 8.0],
        &x_labels(&days),
        &[
            Line {
                name: "Outcome",
                dash: "",
                points: p.series.iter().map(|s| (x(s.on), s.outcome)).collect(),
            },
            Line {
                name: "Comparison level",
                dash: "5 3",
                points: p
                    .series
                    .iter()
                    .filter_map(|s| s.comparison_level.map(|c| (x(s.on), c)))
                    .collect(),
            },
        ],
    );
    let forces_chart = chart::lines(
        &format!("forces-{id}"),
        &format!("{whose} wanting it to last, beside satisfaction, what was put in, and other ways needs are met"),
        chart::Axes {
            y: "Answer, 0 to 8",
            x: "Day of check-in",
        },
        &[0.0, 2.0, 4.0, 6.0, 8.0],
        &x_labels(&days),
        &[
            Line {
                name: "Wanting it to last",
                dash: "",
                points: item(COMMITMENT),
            },
            Line {
                name: "Satisfaction",
                dash: "6 3",
                points: item(SATISFACTION),
            },
            Line {
                name: "What was put in",
                dash: "2 2",
                points: item(INVESTMENT),
            },
            Line {
                name: "Other ways needs are met",
                dash: "8 3 2 3",
                points: item(ALTERNATIVES),
            },
        ],
    );
    let b = &p.balance;
    let not_yet = "not enough check-ins yet";
    let figures = vec![
        format!(
            "Latest outcome (what it gives minus what it costs): {}",
            b.latest_outcome.map_or(not_yet.to_owned(), figure)
        ),
        format!(
            "Comparison level (the average of the outcomes before): {}",
            b.comparison_level.map_or(not_yet.to_owned(), figure)
        ),
        format!(
            "Latest outcome against the comparison level: {}",
            b.outcome_vs_comparison.map_or(not_yet.to_owned(), signed)
        ),
        format!(
            "How the outcome moves, per week: {}",
            b.slope_per_week.map_or(not_yet.to_owned(), signed)
        ),
    ];
    Person {
        id,
        name,
        whose,
        outcome_chart,
        forces_chart,
        rows: p
            .series
            .iter()
            .map(|s| PointRow {
                day: s.on.format("%-d %b %Y").to_string(),
                outcome: figure(s.outcome),
                comparison: s.comparison_level.map_or("–".to_owned(), figure),
                commitment: s.items[COMMITMENT],
                satisfaction: s.items[SATISFACTION],
                investment: s.items[INVESTMENT],
                alternatives: s.items[ALTERNATIVES],
            })
            .collect(),
        figures,
    }
}

/// A gentle sentence for a week where love felt and love received are
/// two or more apart: a prompt to talk, blaming no one.
fn love_gap(row: &LoveRow, given: u8, received: u8) -> Option<String> {
    if given.abs_diff(received) < 2 {
        return None;
    }
    let (felt, felt_from) = if row.from == "You" {
        (
            format!("the love you feel for {} ({given} of 8)", row.to),
            format!("the love {} feels from you ({received} of 8)", row.to),
        )
    } else {
        (
            format!("the love {} feels for you ({given} of 8)", row.from),
            format!("the love you feel from {} ({received} of 8)", row.from),
        )
    };
    Some(format!(
        "In the week of {}, {felt} and {felt_from} were some way apart. That happens to many couples, and it isn't anyone's fault: love is often given in one way and hoped for in another. It may be worth a quiet talk about how each of you most likes to be shown it.",
        row.week
    ))
}

#[derive(Deserialize, Default)]
pub struct TrendsQuery {
    #[serde(default)]
    kept: String,
    #[serde(default)]
    shared: String,
    /// `1`: every check-in in the tables and the history.
    #[serde(default)]
    all: String,
}

pub async fn trends(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<TrendsQuery>,
) -> Result<Response, PageError> {
    let (me, rel) = match space_to_read(&state, &headers, "Check-ins").await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let now = Utc::now();
    let partner = partner_name(&rel, me.id);
    let summary = checkins::summary(&state.app, &me, rel.id, now).await?;
    let mine = checkins::mine(&state.app, &me, rel.id).await?;
    let name = |who: AccountId| {
        if who == me.id {
            "You".to_owned()
        } else {
            partner.clone()
        }
    };
    let all = query.all == "1";
    let keep = if all { usize::MAX } else { RECENT };
    let love: Vec<LoveRow> = summary
        .love
        .iter()
        .map(|l| LoveRow {
            week: date(l.week_of),
            from: name(l.from),
            given: l.love_given,
            to: name(l.to),
            received: l.love_received,
        })
        .collect();
    // A gap is spoken of for the latest week both shared, not for each week.
    let latest_week = summary.love.last().map(|l| l.week_of);
    let love_gaps = summary
        .love
        .iter()
        .zip(&love)
        .filter(|(l, _)| Some(l.week_of) == latest_week)
        .filter_map(|(l, row)| love_gap(row, l.love_given, l.love_received))
        .collect();
    let love = latest(love, keep.saturating_mul(2));
    let longest = summary
        .partners
        .iter()
        .map(|p| p.series.len())
        .max()
        .unwrap_or(0);
    let hidden = longest.max(mine.len()).saturating_sub(keep);
    // The confirmation names a day the caller has just kept (their own).
    let kept_day = |raw: &str| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .filter(|d| mine.iter().any(|c| c.on == *d))
    };
    let kept = kept_day(&query.kept)
        .map(|d| (date(d), false))
        .or_else(|| kept_day(&query.shared).map(|d| (date(d), true)));
    let page = TrendsPage {
        exit_url: &state.config.exit_url,
        open: rel.status == RelationshipStatus::Active,
        kept,
        due: summary.due,
        cadence_words: cadence_words(summary.cadence_days),
        people: summary
            .partners
            .iter()
            .filter(|p| !p.series.is_empty())
            .map(|p| {
                let mut shown = person(p, me.id, &partner);
                shown.rows = latest(shown.rows, keep);
                shown
            })
            .collect(),
        partner_shared: summary.partners.iter().any(|p| p.account_id != me.id),
        love,
        love_gaps,
        history: mine
            .iter()
            .take(keep)
            .map(|c| HistoryRow {
                id: c.id,
                day: date(c.on),
                outcome: figure(f64::from(c.items[REWARDS]) - f64::from(c.items[COSTS])),
                shared: c.shared,
                note: c.note.clone(),
            })
            .collect(),
        partner,
        hidden,
        recent: RECENT,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub struct ShareForm {
    #[serde(default)]
    share: String,
}

pub async fn share(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(cid): Path<String>,
    PageForm(form): PageForm<ShareForm>,
) -> Result<Response, PageError> {
    // Garbage is a check-in that does not exist.
    let id: uuid::Uuid = cid.parse().map_err(|_| PageError(AppError::not_found()))?;
    checkins::set_shared(&state.app, &me, rel.id, id, form.share == "true").await?;
    Ok(notice::after(
        &format!("/checkins/trends#c-{id}"),
        Done::Shared,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_plainly() {
        assert_eq!(figure(4.0), "4");
        assert_eq!(figure(-2.5), "\u{2212}2.5");
        assert_eq!(figure(1.0 / 3.0), "0.3");
        assert_eq!(signed(2.0), "+2");
        assert_eq!(signed(-0.25), "\u{2212}0.3");
        assert_eq!(cadence_words(14), "every two weeks");
        assert_eq!(cadence_words(10), "every 10 days");
    }

    #[test]
    fn a_missing_answer_is_out_of_range_and_share_is_only_true() {
        let form = CheckinForm {
            satisfaction: "8".into(),
            rewards: " 0 ".into(),
            costs: "x".into(),
            share: "on".into(),
            ..CheckinForm::default()
        };
        let a = form.answers();
        assert_eq!((a[0], a[1], a[2], a[3]), (8, 0, -1, -1));
        assert!(!form.shared());
    }

    #[test]
    fn a_love_gap_is_named_without_blame_only_from_two_apart() {
        let row = LoveRow {
            week: "7 December 2026".into(),
            from: "You".into(),
            given: 7,
            to: "Bo".into(),
            received: 4,
        };
        let gap = love_gap(&row, 7, 4).expect("a gap");
        assert!(gap.contains("the love you feel for Bo (7 of 8)"), "{gap}");
        assert!(gap.contains("the love Bo feels from you (4 of 8)"), "{gap}");
        assert!(love_gap(&row, 5, 4).is_none());
    }
}
