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
use super::sealed::{self, Overview, RoundParam, Scale, SealedPages, Shown};
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
    back: String,
    errors: Errors,
}

fn question_page(
    state: &AppState,
    map: &RespectMap,
    n: usize,
    answer: (u8, u8),
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
}

impl SealedPages for RespectMap {
    type Form = AnswerForm;
    const FIELDS: &'static [&'static str] = &["i_respect", "i_feel_respected"];

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
            &[RespectInput {
                area: &self.areas[n - 1].key,
                i_respect: sealed::form_number(&form.i_respect),
                i_feel_respected: sealed::form_number(&form.i_feel_respected),
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
                .map(|a| (a.i_respect, a.i_feel_respected))
                .unwrap_or_default(),
            Shown::Typed(form) => {
                let kept = |raw: &str| raw.trim().parse().unwrap_or(0);
                (kept(&form.i_respect), kept(&form.i_feel_respected))
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
    /// The respect meant (stated by `from`) and felt (by `to`), 1 to 5.
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

fn line(way: (&str, &str), text: String, gap: &Gap, feeler: &str) -> Line {
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
        from: way.0.to_owned(),
        to: way.1.to_owned(),
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
            // What I say I respect beside what my partner feels, and back.
            let (towards_a, towards_b) = (gap_of!(a.towards_a), gap_of!(a.towards_b));
            let (mine_to_them, theirs_to_me) = if i_am_a {
                (&towards_b, &towards_a)
            } else {
                (&towards_a, &towards_b)
            };
            AreaView {
                name: a.area.name.clone(),
                lines: [
                    line(
                        ("You", partner.as_str()),
                        format!(
                            "You respect {partner}'s {what}: {} — {partner} feels respected: {}",
                            mine_to_them.stated, mine_to_them.felt
                        ),
                        mine_to_them,
                        &format!("{partner} feels"),
                    ),
                    line(
                        (partner.as_str(), "You"),
                        format!(
                            "{partner} respects your {what}: {} — You feel respected: {}",
                            theirs_to_me.stated, theirs_to_me.felt
                        ),
                        theirs_to_me,
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
