//! The respect-map pages: one area per screen, areas of your own, the reveal.
//!
//! SECURITY: before both have sent their answers these pages read only the
//! caller's own view of the round (`rounds::current`), which says about the
//! partner one bool; the comparison is read only through `rounds::comparison`.

use super::notice::{self, Done};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use domain::catalog::respect::{phrase, FELT_PROMPT, RESPECT_PROMPT};
use domain::me::Me;
use domain::questionnaires::respect::{self, RespectAnswer, RespectInput, RespectMap};
use domain::rounds::{self, Answers, Instrument};
use domain::store::Relationship;
use domain::DomainError;
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::ledger::{partner_name, Space};
use super::render;
use super::sealed::{
    self, AgreeForm, NotForUsChoice, Overview, RoundAnswer, RoundParam, Scale, SealedPages, Shown,
};
use crate::error::PageError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/respect", get(overview))
        .route("/respect/areas", post(add_area))
        .route("/respect/q/{n}", get(question).post(answer))
        .route("/respect/submit", post(submit))
        .route("/respect/compare", get(compare))
        .route("/respect/new-round", post(new_round))
        .route("/respect/new-round/agree", post(agree_round))
        .route("/respect/new-round/decline", post(decline_round))
        .route("/respect/new-round/withdraw", post(withdraw_round))
        .route("/respect/prefill", post(prefill))
}

async fn load_map(state: &AppState, me: &Me, rel: &Relationship) -> Result<RespectMap, PageError> {
    Ok(RespectMap::load(&state.app, me.id, rel.id).await?)
}

#[derive(Template)]
#[template(path = "respect.html")]
struct OverviewPage<'a> {
    exit_url: &'a str,
    partner: String,
    base: &'static str,
    ov: Overview,
    /// What was typed into "add an area", kept across an error.
    area_name: String,
    errors: Errors,
}

async fn overview_page(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    area_name: String,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let map = load_map(state, me, rel).await?;
    let current = rounds::current(&state.app, me, rel.id, &map).await?;
    let questions: Vec<(String, String)> = map
        .areas
        .iter()
        .map(|a| (a.key.clone(), a.name.clone()))
        .collect();
    Ok(render(
        status,
        &OverviewPage {
            exit_url: &state.config.exit_url,
            partner: partner_name(rel, me.id),
            base: "/respect",
            ov: Overview::of(&current, &questions),
            area_name,
            errors,
        },
    ))
}

pub async fn overview(
    State(state): State<AppState>,
    Space { me, rel }: Space,
) -> Result<Response, PageError> {
    overview_page(
        &state,
        &me,
        &rel,
        String::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct AreaForm {
    #[serde(default)]
    name: String,
}

pub async fn add_area(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    PageForm(form): PageForm<AreaForm>,
) -> Result<Response, PageError> {
    match respect::add_area(&state.app, me.id, rel.id, &form.name, Utc::now()).await {
        Ok(_) => Ok(notice::after("/respect", Done::Added)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["name"])?;
            overview_page(&state, &me, &rel, form.name, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "respect_question.html")]
struct QuestionPage<'a> {
    exit_url: &'a str,
    n: usize,
    total: usize,
    name: String,
    hint: Option<&'static str>,
    i_respect: Scale,
    i_feel_respected: Scale,
    not_for_us: NotForUsChoice,
    back: String,
    errors: Errors,
}

fn question_page(
    state: &AppState,
    map: &RespectMap,
    n: usize,
    (answer, skipped): ((u8, u8), bool),
    errors: Errors,
    status: StatusCode,
) -> Response {
    let area = &map.areas[n - 1];
    let what = phrase(&area.name);
    render(
        status,
        &QuestionPage {
            exit_url: &state.config.exit_url,
            n,
            total: map.areas.len(),
            name: area.name.clone(),
            hint: area.hint,
            i_respect: Scale::new(
                "i_respect",
                format!("{RESPECT_PROMPT} {what}"),
                ("not much", "very much"),
                answer.0,
                &errors,
            ),
            i_feel_respected: Scale::new(
                "i_feel_respected",
                format!("{FELT_PROMPT} {what}"),
                ("not much", "very much"),
                answer.1,
                &errors,
            ),
            not_for_us: NotForUsChoice::new(
                skipped,
                "If this area doesn't apply to the two of you (parenting without children, say), \
                 choose this instead of the numbers. It counts as skipped, never as low respect.",
                &errors,
            ),
            back: if n > 1 {
                format!("/respect/q/{}", n - 1)
            } else {
                "/respect".to_owned()
            },
            errors,
        },
    )
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    i_respect: String,
    #[serde(default)]
    i_feel_respected: String,
    /// The "Not for us" box: ticked, it is the answer, whatever the scales say.
    #[serde(default)]
    not_for_us: String,
}

impl SealedPages for RespectMap {
    type Form = AnswerForm;
    const FIELDS: &'static [&'static str] = &["i_respect", "i_feel_respected", "not_for_us"];

    fn base(&self) -> String {
        "/respect".to_owned()
    }

    fn question_url(&self, n: usize) -> String {
        format!("/respect/q/{n}")
    }

    fn entries(
        &self,
        n: usize,
        form: &AnswerForm,
    ) -> Option<Result<Answers<Option<RespectAnswer>>, DomainError>> {
        Some(Instrument::parse(
            self,
            &[{
                let not_for_us = sealed::ticked(&form.not_for_us);
                RespectInput {
                    area: &self.areas[n - 1].key,
                    i_respect: sealed::form_score(&form.i_respect, not_for_us),
                    i_feel_respected: sealed::form_score(&form.i_feel_respected, not_for_us),
                    not_for_us,
                }
            }],
        ))
    }

    fn question(
        &self,
        state: &AppState,
        _: &Space,
        n: usize,
        shown: Shown<'_, Self>,
        errors: Errors,
        status: StatusCode,
    ) -> Response {
        let answer = match shown {
            Shown::Saved(saved) => saved
                .map(|a| {
                    (
                        (
                            a.i_respect().unwrap_or(0),
                            a.i_feel_respected().unwrap_or(0),
                        ),
                        a.not_for_us(),
                    )
                })
                .unwrap_or_default(),
            Shown::Typed(form) => {
                let kept = |raw: &str| raw.trim().parse().unwrap_or(0);
                (
                    (kept(&form.i_respect), kept(&form.i_feel_respected)),
                    sealed::ticked(&form.not_for_us),
                )
            }
        };
        question_page(state, self, n, answer, errors, status)
    }

    async fn overview(
        &self,
        state: &AppState,
        space: &Space,
        errors: Errors,
        status: StatusCode,
    ) -> Result<Response, PageError> {
        overview_page(state, &space.me, &space.rel, String::new(), errors, status).await
    }
}

pub async fn question(
    State(state): State<AppState>,
    space: Space,
    Path(n): Path<String>,
) -> Result<Response, PageError> {
    let map = load_map(&state, &space.me, &space.rel).await?;
    sealed::question(&state, &space, &map, &n).await
}

pub async fn answer(
    State(state): State<AppState>,
    space: Space,
    Path(n): Path<String>,
    PageForm(form): PageForm<AnswerForm>,
) -> Result<Response, PageError> {
    let map = load_map(&state, &space.me, &space.rel).await?;
    sealed::answer(&state, &space, &map, &n, form).await
}

pub async fn submit(State(state): State<AppState>, space: Space) -> Result<Response, PageError> {
    let map = load_map(&state, &space.me, &space.rel).await?;
    sealed::submit(&state, &space, &map).await
}

/// One direction of respect in one area, from the reader's side.
struct Line {
    /// Who means the respect and who feels it, e.g. "You" and "Bo": the
    /// way this line runs on the map.
    from: String,
    to: String,
    /// Either of you said "Not for us" here: no numbers to show.
    skipped: bool,
    /// The respect meant (stated by `from`) and felt (by `to`), 1 to 5;
    /// 0 and unused when `skipped`.
    meant: u8,
    felt: u8,
    text: String,
    highlighted: bool,
    /// Why it is worth talking about, in words; empty when it is not.
    why: String,
}

struct AreaView {
    name: String,
    lines: [Line; 2],
}

#[derive(Template)]
#[template(path = "respect_compare.html")]
struct ComparePage<'a> {
    exit_url: &'a str,
    number: u32,
    revealed_on: String,
    partner: String,
    areas: Vec<AreaView>,
    /// How many lines are marked "Worth talking about".
    highlighted: usize,
}

/// What a respect gap says, as plain values (the analytics type stays in the domain).
struct Gap {
    stated: u8,
    felt: u8,
    gap: u8,
    differs: bool,
    low_felt: bool,
    highlighted: bool,
}

macro_rules! gap_of {
    ($g:expr) => {
        Gap {
            stated: $g.stated,
            felt: $g.felt,
            gap: $g.gap,
            differs: $g.differs,
            low_felt: $g.low_felt,
            highlighted: $g.highlighted(),
        }
    };
}

/// One line; `gap` is `None` where either said "Not for us": a skip is
/// never marked, nor explained as a gap, and has no meters to show.
fn line(way: (&str, &str), text: String, gap: Option<&Gap>, feeler: &str) -> Line {
    let (from, to) = (way.0.to_owned(), way.1.to_owned());
    let Some(gap) = gap else {
        return Line {
            from,
            to,
            skipped: true,
            meant: 0,
            felt: 0,
            text,
            highlighted: false,
            why: "One of you said \u{201c}Not for us\u{201d} here, so it is left out: a skip never counts as low respect."
                .to_owned(),
        };
    };
    let mut why = Vec::new();
    if gap.differs {
        why.push(format!(
            "The respect meant and the respect felt are {} apart.",
            gap.gap
        ));
    }
    if gap.low_felt {
        why.push(format!("{feeler} little respect here."));
    }
    Line {
        from,
        to,
        skipped: false,
        meant: gap.stated,
        felt: gap.felt,
        text,
        highlighted: gap.highlighted,
        why: why.join(" "),
    }
}

pub async fn compare(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    RoundParam(round): RoundParam,
) -> Result<Response, PageError> {
    let map = load_map(&state, &me, &rel).await?;
    let revealed = rounds::comparison(&state.app, &me, rel.id, &map, round)
        .await
        .map_err(sealed::comparison_refused)?;
    let c = map.compare(&revealed);
    let partner = partner_name(&rel, me.id);
    // `a` and `b` are in the round's order; the reader is one of them.
    let i_am_a = c.partners[0] == me.id;
    let areas: Vec<AreaView> = c
        .areas
        .iter()
        .map(|a| {
            let what = phrase(&a.area.name);
            // What I say I respect beside what my partner feels, and back;
            // `None` where either of us said "Not for us".
            let (towards_a, towards_b) = (
                a.towards_a.map(|g| gap_of!(g)),
                a.towards_b.map(|g| gap_of!(g)),
            );
            let (mine_to_them, theirs_to_me, me_said, they_said) = if i_am_a {
                (&towards_b, &towards_a, &a.a, &a.b)
            } else {
                (&towards_a, &towards_b, &a.b, &a.a)
            };
            let said = |x: Option<u8>| x.map_or_else(|| "Not for us".to_owned(), |v| v.to_string());
            AreaView {
                name: a.area.name.clone(),
                lines: [
                    line(
                        ("You", partner.as_str()),
                        format!(
                            "You respect {partner}'s {what}: {} — {partner} feels respected: {}",
                            said(me_said.i_respect()),
                            said(they_said.i_feel_respected())
                        ),
                        mine_to_them.as_ref(),
                        &format!("{partner} feels"),
                    ),
                    line(
                        (partner.as_str(), "You"),
                        format!(
                            "{partner} respects your {what}: {} — You feel respected: {}",
                            said(they_said.i_respect()),
                            said(me_said.i_feel_respected())
                        ),
                        theirs_to_me.as_ref(),
                        "You feel",
                    ),
                ],
            }
        })
        .collect();
    let highlighted = areas
        .iter()
        .flat_map(|a| a.lines.iter())
        .filter(|l| l.highlighted)
        .count();
    Ok(render(
        StatusCode::OK,
        &ComparePage {
            exit_url: &state.config.exit_url,
            number: c.number,
            revealed_on: c.revealed_at.format("%-d %b %Y").to_string(),
            partner,
            areas,
            highlighted,
        },
    ))
}

pub async fn new_round(State(state): State<AppState>, space: Space) -> Result<Response, PageError> {
    let map = load_map(&state, &space.me, &space.rel).await?;
    sealed::new_round(&state, &space, &map).await
}

pub async fn agree_round(
    State(state): State<AppState>,
    space: Space,
    PageForm(form): PageForm<AgreeForm>,
) -> Result<Response, PageError> {
    let map = load_map(&state, &space.me, &space.rel).await?;
    let answer = RoundAnswer::Agree(form.prefill());
    sealed::answer_round(&state, &space, &map, answer).await
}

pub async fn decline_round(
    State(state): State<AppState>,
    space: Space,
) -> Result<Response, PageError> {
    let map = load_map(&state, &space.me, &space.rel).await?;
    sealed::answer_round(&state, &space, &map, RoundAnswer::Decline).await
}

pub async fn withdraw_round(
    State(state): State<AppState>,
    space: Space,
) -> Result<Response, PageError> {
    let map = load_map(&state, &space.me, &space.rel).await?;
    sealed::answer_round(&state, &space, &map, RoundAnswer::Withdraw).await
}

pub async fn prefill(State(state): State<AppState>, space: Space) -> Result<Response, PageError> {
    let map = load_map(&state, &space.me, &space.rel).await?;
    sealed::answer_round(&state, &space, &map, RoundAnswer::Prefill).await
}
