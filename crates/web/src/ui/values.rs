//! The values pages: one question per screen, the waiting state, the reveal.
//!
//! SECURITY: before both have sent their answers these pages read only the
//! caller's own view of the round (`rounds::current`), which says about the
//! partner one bool; the comparison is read only through `rounds::comparison`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::catalog::values::ITEMS;
use domain::me::Me;
use domain::questionnaires::values::{ValueAnswer, ValueInput, Values};
use domain::rounds::{self, Answers, Instrument};
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
        .route("/values", get(overview))
        .route("/values/q/{n}", get(question).post(answer))
        .route("/values/submit", post(submit))
        .route("/values/compare", get(compare))
        .route("/values/new-round", post(new_round))
        .route("/values/new-round/agree", post(agree_round))
        .route("/values/new-round/decline", post(decline_round))
        .route("/values/new-round/withdraw", post(withdraw_round))
        .route("/values/prefill", post(prefill))
}

fn questions() -> Vec<(String, String)> {
    ITEMS
        .iter()
        .map(|i| (i.key.to_owned(), i.name.to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "values.html")]
struct OverviewPage<'a> {
    exit_url: &'a str,
    partner: String,
    base: &'static str,
    ov: Overview,
    errors: Errors,
}

async fn overview_page(
    state: &AppState,
    me: &Me,
    rel: &domain::store::Relationship,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let current = rounds::current(&state.app, me, rel.id, &Values).await?;
    Ok(render(
        status,
        &OverviewPage {
            exit_url: &state.config.exit_url,
            partner: partner_name(rel, me.id),
            base: "/values",
            ov: Overview::of(&current, &questions()),
            errors,
        },
    ))
}

pub async fn overview(
    State(state): State<AppState>,
    Space { me, rel }: Space,
) -> Result<Response, PageError> {
    overview_page(&state, &me, &rel, Errors::default(), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "values_question.html")]
struct QuestionPage<'a> {
    exit_url: &'a str,
    n: usize,
    total: usize,
    name: &'static str,
    prompt: &'static str,
    importance: Scale,
    not_for_us: NotForUsChoice,
    definition: String,
    back: String,
    errors: Errors,
}

fn question_page(
    state: &AppState,
    n: usize,
    (importance, skipped): (u8, bool),
    definition: String,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let item = &ITEMS[n - 1];
    render(
        status,
        &QuestionPage {
            exit_url: &state.config.exit_url,
            n,
            total: ITEMS.len(),
            name: item.name,
            prompt: item.definition_prompt,
            importance: Scale::new(
                "importance",
                item.question.to_owned(),
                ("matters a little", "matters most"),
                importance,
                &errors,
            ),
            not_for_us: NotForUsChoice::new(
                skipped,
                "If this doesn't apply to the two of you, choose this instead of a number. \
                 It counts as skipped, never as a low score.",
                &errors,
            ),
            definition,
            back: if n > 1 {
                format!("/values/q/{}", n - 1)
            } else {
                "/values".to_owned()
            },
            errors,
        },
    )
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    importance: String,
    /// The "Not for us" box: ticked, it is the answer, whatever the scale says.
    #[serde(default)]
    not_for_us: String,
    #[serde(default)]
    definition: String,
}

impl SealedPages for Values {
    type Form = AnswerForm;
    const FIELDS: &'static [&'static str] = &["importance", "not_for_us", "definition"];

    fn base(&self) -> String {
        "/values".to_owned()
    }

    fn question_url(&self, n: usize) -> String {
        format!("/values/q/{n}")
    }

    fn entries(
        &self,
        n: usize,
        form: &AnswerForm,
    ) -> Option<Result<Answers<Option<ValueAnswer>>, DomainError>> {
        Some(Instrument::parse(
            &Values,
            &[{
                let not_for_us = sealed::ticked(&form.not_for_us);
                ValueInput {
                    item: ITEMS[n - 1].key,
                    importance: sealed::form_score(&form.importance, not_for_us),
                    not_for_us,
                    definition: Some(form.definition.as_str()),
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
        let (chosen, definition) = match shown {
            Shown::Saved(saved) => saved
                .map(|a| {
                    (
                        (a.importance().unwrap_or(0), a.not_for_us()),
                        a.definition().unwrap_or_default().to_owned(),
                    )
                })
                .unwrap_or_default(),
            Shown::Typed(form) => (
                (
                    form.importance.trim().parse().unwrap_or(0),
                    sealed::ticked(&form.not_for_us),
                ),
                form.definition.clone(),
            ),
        };
        question_page(state, n, chosen, definition, errors, status)
    }

    async fn overview(
        &self,
        state: &AppState,
        space: &Space,
        errors: Errors,
        status: StatusCode,
    ) -> Result<Response, PageError> {
        overview_page(state, &space.me, &space.rel, errors, status).await
    }
}

pub async fn question(
    State(state): State<AppState>,
    space: Space,
    Path(n): Path<String>,
) -> Result<Response, PageError> {
    sealed::question(&state, &space, &Values, &n).await
}

pub async fn answer(
    State(state): State<AppState>,
    space: Space,
    Path(n): Path<String>,
    PageForm(form): PageForm<AnswerForm>,
) -> Result<Response, PageError> {
    sealed::answer(&state, &space, &Values, &n, form).await
}

pub async fn submit(State(state): State<AppState>, space: Space) -> Result<Response, PageError> {
    sealed::submit(&state, &space, &Values).await
}

/// One item of a revealed round, from the reader's side.
struct Row {
    name: &'static str,
    /// `None`: answered "Not for us".
    mine: Option<u8>,
    theirs: Option<u8>,
    /// `None` when either said "Not for us": no gap to show.
    gap: Option<u8>,
    my_definition: Option<String>,
    their_definition: Option<String>,
}

#[derive(Template)]
#[template(path = "values_compare.html")]
struct ComparePage<'a> {
    exit_url: &'a str,
    partner: String,
    number: u32,
    revealed_on: String,
    rows: Vec<Row>,
    /// (item name, opening question), most worth talking about first.
    topics: Vec<(&'static str, &'static str)>,
}

pub async fn compare(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    RoundParam(round): RoundParam,
) -> Result<Response, PageError> {
    let revealed = rounds::comparison(&state.app, &me, rel.id, &Values, round)
        .await
        .map_err(sealed::comparison_refused)?;
    let c = Values.compare(&revealed);
    // `a` and `b` are in the round's order; the reader is one of them.
    let i_am_a = c.partners[0] == me.id;
    let rows = c
        .items
        .into_iter()
        .map(|item| {
            let (mine, theirs) = if i_am_a {
                (item.a, item.b)
            } else {
                (item.b, item.a)
            };
            Row {
                name: item.item.name,
                mine: mine.importance(),
                theirs: theirs.importance(),
                gap: item.gap,
                my_definition: mine.definition().map(str::to_owned),
                their_definition: theirs.definition().map(str::to_owned),
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ComparePage {
            exit_url: &state.config.exit_url,
            partner: partner_name(&rel, me.id),
            number: c.number,
            revealed_on: c.revealed_at.format("%-d %b %Y").to_string(),
            rows,
            topics: c
                .topics
                .iter()
                .map(|t| (t.item.name, t.item.opening_question))
                .collect(),
        },
    ))
}

pub async fn new_round(State(state): State<AppState>, space: Space) -> Result<Response, PageError> {
    sealed::new_round(&state, &space, &Values).await
}

pub async fn agree_round(
    State(state): State<AppState>,
    space: Space,
    PageForm(form): PageForm<AgreeForm>,
) -> Result<Response, PageError> {
    let answer = RoundAnswer::Agree(form.prefill());
    sealed::answer_round(&state, &space, &Values, answer).await
}

pub async fn decline_round(
    State(state): State<AppState>,
    space: Space,
) -> Result<Response, PageError> {
    sealed::answer_round(&state, &space, &Values, RoundAnswer::Decline).await
}

pub async fn withdraw_round(
    State(state): State<AppState>,
    space: Space,
) -> Result<Response, PageError> {
    sealed::answer_round(&state, &space, &Values, RoundAnswer::Withdraw).await
}

pub async fn prefill(State(state): State<AppState>, space: Space) -> Result<Response, PageError> {
    sealed::answer_round(&state, &space, &Values, RoundAnswer::Prefill).await
}
