//! The conversation pages: the decks, one prompt per screen, the reveal and notes.
//!
//! SECURITY: until both partners have sent their answers, these pages show
//! the viewer's own answers and one bool about the partner ("has sent their
//! answers"), nothing else: no partner answers, drafts, counts or times.
//! Everything about the partner's side comes from `rounds::current` (the
//! sealed view) or `rounds::comparison` (refused until the reveal).

use super::notice::{self, Done};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use domain::catalog::decks::DECKS;
use domain::catalog::Deck;
use domain::me::Me;
use domain::questionnaires::conversations::{self, AnswerInput, DeckRound};
use domain::rounds::{self, Answers, Current, Instrument};
use domain::sealed::{Own, RoundView};
use domain::store::{ConversationNote, Relationship};
use domain::DomainError;
use serde::Deserialize;

use super::form::{Errors, PageForm};
use super::ledger::{partner_name, Space};
use super::render;
use super::sealed::{self, Overview, RoundParam, SealedPages};
use crate::error::{AppError, PageError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations", get(index))
        .route("/conversations/{deck}", get(overview))
        .route("/conversations/{deck}/submit", post(submit))
        .route("/conversations/{deck}/again", post(again))
        .route(
            "/conversations/{deck}/p/{n}",
            get(prompt_page).post(save_prompt),
        )
        .route("/conversations/{deck}/talk", get(talk))
        .route("/conversations/{deck}/notes", post(add_note))
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

/// A written answer as paragraphs, so line breaks survive without CSS.
pub(super) fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Browsers send line breaks as CRLF; keep them as LF, so a text that fit
/// the field's `maxlength` is not counted longer here.
pub(super) fn normalized(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// SECURITY (R23): page addresses name a deck by its number, never by its
/// key, so browser history shows `/conversations/4`, not the deck's subject.
/// Decks are only ever appended to the catalog, so a number keeps its deck.
fn slug(deck: &Deck) -> usize {
    DECKS
        .iter()
        .position(|d| d.key == deck.key)
        .map_or(0, |i| i + 1)
}

fn find_deck(slug: &str) -> Option<&'static Deck> {
    let n: usize = slug.parse().ok()?;
    DECKS.get(n.checked_sub(1)?)
}

/// A deck's number in page addresses (R23), for the other pages.
pub(super) fn deck_number(deck: &Deck) -> usize {
    slug(deck)
}

/// The deck a page address names by number (R23), for the other pages.
pub(super) fn deck_of_number(number: &str) -> Option<&'static Deck> {
    find_deck(number.trim())
}

fn overview_url(deck: &Deck) -> String {
    format!("/conversations/{}", slug(deck))
}

#[derive(Template)]
#[template(path = "conversation_sealed.html")]
struct SealedPage<'a> {
    exit_url: &'a str,
    key: usize,
    title: &'static str,
    partner: String,
}

/// The page for a reveal asked for too early: it says only that the answers
/// are sealed, the same whatever the partner has or has not written.
fn sealed_page(state: &AppState, deck: &'static Deck, partner: String) -> Response {
    render(
        StatusCode::CONFLICT,
        &SealedPage {
            exit_url: &state.config.exit_url,
            key: slug(deck),
            title: deck.title,
            partner,
        },
    )
}

fn is_sealed(err: &DomainError) -> bool {
    matches!(err, DomainError::Conflict { code: "sealed", .. })
}

// ---------------------------------------------------------------- the decks

/// Where a deck stands for the two of us, in words.
struct DeckLine {
    key: usize,
    title: &'static str,
    summary: &'static str,
    state: String,
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct IndexPage<'a> {
    exit_url: &'a str,
    partner: String,
    decks: Vec<DeckLine>,
}

fn state_words(current: &Current<String>, partner: &str) -> String {
    match &current.view {
        RoundView::Revealed { .. } => "Ready to talk".to_owned(),
        RoundView::Sealed {
            mine: Own::Submitted { .. },
            ..
        } => format!("Waiting for {partner}"),
        RoundView::Sealed {
            mine: Own::Drafting { draft },
            partner_submitted,
        } => {
            let started = draft.as_ref().is_some_and(|d| !d.is_empty());
            match (started, partner_submitted) {
                (true, false) => "You're answering".to_owned(),
                (true, true) => format!("You're answering; {partner} has sent theirs"),
                (false, false) => "Not started".to_owned(),
                (false, true) => format!("Not started; {partner} has sent theirs"),
            }
        }
    }
}

pub async fn index(
    State(state): State<AppState>,
    Space { me, rel }: Space,
) -> Result<Response, PageError> {
    let partner = partner_name(&rel, me.id);
    let decks = conversations::every_deck(&state.app, &me, rel.id)
        .await?
        .iter()
        .map(|(deck, current)| DeckLine {
            key: slug(deck),
            title: deck.title,
            summary: deck.summary,
            state: state_words(current, &partner),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &IndexPage {
            exit_url: &state.config.exit_url,
            partner,
            decks,
        },
    ))
}

// ------------------------------------------------------------- one deck

/// One of my own answers on the overview.
struct MyAnswer {
    n: usize,
    text: &'static str,
    answer: Vec<String>,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct DeckPage<'a> {
    exit_url: &'a str,
    partner: String,
    key: usize,
    title: &'static str,
    summary: &'static str,
    /// Where I stand; about the partner only whether they have sent theirs.
    ov: Overview,
    /// My own answers, draft or sent (empty once revealed: the talk page has them).
    mine: Vec<MyAnswer>,
    error: Option<String>,
}

fn deck_page(
    state: &AppState,
    rel: &Relationship,
    me: &Me,
    deck: &'static Deck,
    current: Current<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let prompts: Vec<(String, String)> = deck
        .prompts
        .iter()
        .map(|p| (p.key.to_owned(), p.text.to_owned()))
        .collect();
    let ov = Overview::of(&current, &prompts);
    let answers = match current.view {
        RoundView::Sealed {
            mine: Own::Drafting { draft },
            ..
        } => draft.unwrap_or_default(),
        RoundView::Sealed {
            mine: Own::Submitted { answers, .. },
            ..
        } => answers,
        RoundView::Revealed { .. } => Answers::new(),
    };
    let mine = deck
        .prompts
        .iter()
        .enumerate()
        .map(|(i, p)| MyAnswer {
            n: i + 1,
            text: p.text,
            answer: answers.get(p.key).map(|a| lines(a)).unwrap_or_default(),
        })
        .collect();
    render(
        status,
        &DeckPage {
            exit_url: &state.config.exit_url,
            partner: partner_name(rel, me.id),
            key: slug(deck),
            title: deck.title,
            summary: deck.summary,
            ov,
            mine,
            error,
        },
    )
}

pub async fn overview(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    let deck = find_deck(&key).ok_or_else(sealed::no_such_page)?;
    let current = rounds::current(&state.app, &me, rel.id, &DeckRound(deck)).await?;
    Ok(deck_page(
        &state,
        &rel,
        &me,
        deck,
        current,
        None,
        StatusCode::OK,
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    space: Space,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    sealed::submit(&state, &space, &deck_of(&key)?).await
}

pub async fn again(
    State(state): State<AppState>,
    space: Space,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    sealed::new_round(&state, &space, &deck_of(&key)?).await
}

// ----------------------------------------------------------- one prompt

#[derive(Template)]
#[template(path = "conversation_prompt.html")]
struct PromptPage<'a> {
    exit_url: &'a str,
    partner: String,
    key: usize,
    title: &'static str,
    n: usize,
    total: usize,
    prompt: &'static str,
    text: String,
    back: String,
    errors: Errors,
}

#[allow(clippy::too_many_arguments)]
fn prompt_page_of(
    state: &AppState,
    rel: &Relationship,
    me: &Me,
    deck: &'static Deck,
    n: usize,
    text: String,
    errors: Errors,
    status: StatusCode,
) -> Response {
    render(
        status,
        &PromptPage {
            exit_url: &state.config.exit_url,
            partner: partner_name(rel, me.id),
            key: slug(deck),
            title: deck.title,
            n,
            total: deck.prompts.len(),
            prompt: deck.prompts[n - 1].text,
            text,
            back: if n > 1 {
                format!("/conversations/{}/p/{}", slug(deck), n - 1)
            } else {
                overview_url(deck)
            },
            errors,
        },
    )
}

#[derive(Deserialize)]
pub struct PromptForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    action: String,
}

impl SealedPages for DeckRound {
    type Form = PromptForm;
    const FIELDS: &'static [&'static str] = &["text"];

    fn base(&self) -> String {
        overview_url(self.0)
    }

    fn question_url(&self, n: usize) -> String {
        format!("/conversations/{}/p/{n}", slug(self.0))
    }

    /// Some prompts are better said aloud: "skip" moves on without saving.
    fn entries(
        &self,
        n: usize,
        form: &PromptForm,
    ) -> Option<Result<Answers<Option<String>>, DomainError>> {
        if form.action == "skip" {
            return None;
        }
        let text = normalized(&form.text);
        Some(Instrument::parse(
            self,
            &[AnswerInput {
                prompt: self.0.prompts[n - 1].key,
                text: Some(&text),
            }],
        ))
    }

    fn question(
        &self,
        state: &AppState,
        space: &Space,
        n: usize,
        shown: sealed::Shown<'_, Self>,
        errors: Errors,
        status: StatusCode,
    ) -> Response {
        let text = match shown {
            sealed::Shown::Saved(saved) => saved.cloned().unwrap_or_default(),
            sealed::Shown::Typed(form) => normalized(&form.text),
        };
        prompt_page_of(
            state, &space.rel, &space.me, self.0, n, text, errors, status,
        )
    }

    async fn overview(
        &self,
        state: &AppState,
        space: &Space,
        errors: Errors,
        status: StatusCode,
    ) -> Result<Response, PageError> {
        let current = rounds::current(&state.app, &space.me, space.rel.id, self).await?;
        let error = errors.general().map(str::to_owned);
        Ok(deck_page(
            state, &space.rel, &space.me, self.0, current, error, status,
        ))
    }

    fn refused(&self, err: AppError) -> AppError {
        match err.code {
            "incomplete" | "nothing_to_submit" => AppError {
                message: "Write an answer to at least one prompt before sending.".to_owned(),
                ..err
            },
            _ => sealed::friendly(err),
        }
    }

    /// The prompts in order, answered or skipped, then the overview.
    fn after(&self, n: usize, _: &Answers<String>) -> String {
        if n < self.0.prompts.len() {
            self.question_url(n + 1)
        } else {
            self.base()
        }
    }
}

/// The deck of a path, and the handlers' shared instrument for it.
fn deck_of(key: &str) -> Result<DeckRound, PageError> {
    Ok(DeckRound(find_deck(key).ok_or_else(sealed::no_such_page)?))
}

pub async fn prompt_page(
    State(state): State<AppState>,
    space: Space,
    Path((key, n)): Path<(String, String)>,
) -> Result<Response, PageError> {
    sealed::question(&state, &space, &deck_of(&key)?, &n).await
}

pub async fn save_prompt(
    State(state): State<AppState>,
    space: Space,
    Path((key, n)): Path<(String, String)>,
    PageForm(form): PageForm<PromptForm>,
) -> Result<Response, PageError> {
    sealed::answer(&state, &space, &deck_of(&key)?, &n, form).await
}

// ----------------------------------------------------------- the talk

/// One answer as the talk page shows it; `None` when it was skipped.
type Shown = Option<String>;

struct TalkPrompt {
    text: &'static str,
    mine: Shown,
    theirs: Shown,
    last_time: Option<(Shown, Shown)>,
}

struct NoteLine {
    id: uuid::Uuid,
    author: String,
    day: String,
    lines: Vec<String>,
    agreement_idea: bool,
}

#[derive(Template)]
#[template(path = "conversation_talk.html")]
struct TalkPage<'a> {
    exit_url: &'a str,
    partner: String,
    key: usize,
    title: &'static str,
    number: u32,
    revealed_on: String,
    previous: Option<u32>,
    prompts: Vec<TalkPrompt>,
    notes: Vec<NoteLine>,
    note_text: String,
    agreement_idea: bool,
    errors: Errors,
}

#[allow(clippy::too_many_arguments)]
async fn talk_page(
    state: &AppState,
    me: &Me,
    rel: &Relationship,
    deck: &'static Deck,
    round: Option<u32>,
    note_text: String,
    agreement_idea: bool,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let partner = partner_name(rel, me.id);
    let (compared, notes) = match conversations::talk(&state.app, me, rel.id, deck, round).await {
        Ok(found) => found,
        Err(err) if is_sealed(&err) => return Ok(sealed_page(state, deck, partner)),
        Err(err) => return Err(sealed::comparison_refused(err)),
    };
    // The columns follow the round's order of partners; the page puts me first.
    let i_am_first = compared.partners[0] == me.id;
    let prompts = compared
        .prompts
        .iter()
        .map(|p| {
            let (mine, theirs) = if i_am_first {
                (&p.a, &p.b)
            } else {
                (&p.b, &p.a)
            };
            TalkPrompt {
                text: p.prompt.text,
                mine: mine.clone(),
                theirs: theirs.clone(),
                last_time: p.last_time.as_ref().map(|[a, b]| {
                    if i_am_first {
                        (a.clone(), b.clone())
                    } else {
                        (b.clone(), a.clone())
                    }
                }),
            }
        })
        .collect();
    let author = |note: &ConversationNote| {
        if note.author == me.id {
            "You".to_owned()
        } else {
            partner.clone()
        }
    };
    let notes = notes
        .iter()
        .map(|note| NoteLine {
            id: note.id,
            author: author(note),
            day: day(note.created_at),
            lines: lines(&note.text),
            agreement_idea: note.agreement_idea,
        })
        .collect();
    Ok(render(
        status,
        &TalkPage {
            exit_url: &state.config.exit_url,
            partner: partner.clone(),
            key: slug(deck),
            title: deck.title,
            number: compared.number,
            revealed_on: day(compared.revealed_at),
            previous: compared.previous_number,
            prompts,
            notes,
            note_text,
            agreement_idea,
            errors,
        },
    ))
}

pub async fn talk(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(key): Path<String>,
    RoundParam(round): RoundParam,
) -> Result<Response, PageError> {
    let deck = find_deck(&key).ok_or_else(sealed::no_such_page)?;
    talk_page(
        &state,
        &me,
        &rel,
        deck,
        round,
        String::new(),
        false,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    agreement_idea: String,
    #[serde(default)]
    round: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    Space { me, rel }: Space,
    Path(key): Path<String>,
    PageForm(form): PageForm<NoteForm>,
) -> Result<Response, PageError> {
    let deck = find_deck(&key).ok_or_else(sealed::no_such_page)?;
    let number = sealed::question_number(form.round.trim(), u32::MAX as usize)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(sealed::no_such_page)?;
    let text = normalized(&form.text);
    let idea = !form.agreement_idea.is_empty();
    let added = conversations::add_note(
        &state.app,
        &me,
        rel.id,
        deck,
        number,
        &text,
        idea,
        Utc::now(),
    )
    .await;
    match added {
        Ok(_) => Ok(notice::after(
            &format!(
                "/conversations/{}/talk?round={number}#notes-heading",
                slug(deck)
            ),
            Done::Added,
        )),
        Err(err) if is_sealed(&err) => Ok(sealed_page(&state, deck, partner_name(&rel, me.id))),
        Err(DomainError::NotFound) => Err(sealed::no_such_page()),
        Err(err) => {
            let err = AppError::from(err);
            if err.status.is_server_error() || err.field.as_deref() != Some("text") {
                return Err(PageError(err));
            }
            let errors = Errors::from_api(&err, &["text"]);
            talk_page(
                &state,
                &me,
                &rel,
                deck,
                Some(number),
                text,
                idea,
                errors,
                err.status,
            )
            .await
        }
    }
}
