//! `/reflections`: the person's private journal in their space, for their
//! eyes only (`domain::reflections` has the rules). Usable while waiting
//! for the partner too; once the space ended, rereadable and deletable.
//!
//! SECURITY (R23): a question is chosen by its number (`?q=3`), never by
//! its key, so the browser history does not name the subject.

use super::notice::{self, Done};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use domain::catalog::reflections::REFLECTION_PROMPTS;
use domain::reflections::{self, MyReflection, TEXT_MAX_CHARS};
use domain::store::Membership;
use serde::Deserialize;

use super::conversations::{lines, normalized};
use super::form::{Errors, PageForm};
use super::{render, signed_in};
use crate::auth::Authenticated;
use crate::error::PageError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reflections", get(page).post(write))
        .route("/reflections/{id}/delete", post(delete))
}

struct Line {
    id: uuid::Uuid,
    day: String,
    prompt: Option<&'static str>,
    lines: Vec<String>,
}

struct Choice {
    number: usize,
    text: &'static str,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "reflections.html")]
struct ReflectionsPage<'a> {
    exit_url: &'a str,
    /// False once the space ended: reread and delete, write no more.
    writable: bool,
    /// The person has no space yet: the journal opens with one.
    no_space: bool,
    choices: Vec<Choice>,
    /// No question chosen: "write freely" is checked.
    free: bool,
    text: String,
    max_chars: usize,
    errors: Errors,
    reflections: Vec<Line>,
}

#[derive(Deserialize, Default)]
pub struct PromptQuery {
    #[serde(default)]
    q: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct WriteForm {
    #[serde(default)]
    text: String,
    /// The question's number (1-based), or empty.
    #[serde(default)]
    q: String,
}

/// The question numbered `raw` (1-based), as its key; anything else is none.
fn prompt_key(raw: Option<&str>) -> Option<&'static str> {
    let n: usize = raw?.trim().parse().ok()?;
    REFLECTION_PROMPTS.get(n.checked_sub(1)?).map(|p| p.key)
}

async fn reflections_page(
    state: &AppState,
    who: &Authenticated,
    space: Option<&Membership>,
    chosen: Option<&str>,
    text: String,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let mine = match space {
        Some(space) => reflections::mine(&state.app, &who.me, space.relationship_id).await?,
        None => Vec::new(),
    };
    let choices = REFLECTION_PROMPTS
        .iter()
        .enumerate()
        .map(|(i, p)| Choice {
            number: i + 1,
            text: p.text,
            chosen: chosen == Some(p.key),
        })
        .collect();
    Ok(render(
        status,
        &ReflectionsPage {
            exit_url: &state.config.exit_url,
            writable: space.is_some_and(|s| s.status.is_open()),
            no_space: space.is_none(),
            choices,
            free: chosen.is_none(),
            text,
            max_chars: TEXT_MAX_CHARS,
            errors,
            reflections: mine.into_iter().map(line).collect(),
        },
    ))
}

fn line(r: MyReflection) -> Line {
    Line {
        id: r.id,
        day: r.created_at.format("%-d %B %Y").to_string(),
        prompt: r.prompt.map(|p| p.text),
        lines: lines(&r.text),
    }
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<PromptQuery>,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let chosen = prompt_key(query.q.as_deref());
    reflections_page(
        &state,
        &who,
        who.current_space(),
        chosen,
        String::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn write(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm(form): PageForm<WriteForm>,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let Some(space) = who.current_space() else {
        return Ok(Redirect::to("/home").into_response());
    };
    let text = normalized(&form.text);
    let chosen = prompt_key(Some(&form.q));
    match reflections::write(
        &state.app,
        &who.me,
        space.relationship_id,
        &text,
        chosen,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(notice::after("/reflections#kept", Done::Kept)),
        Err(err) => {
            let (errors, status) = Errors::for_form(err, &["text"])?;
            reflections_page(&state, &who, Some(space), chosen, text, errors, status).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = match signed_in(&state, &headers).await {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let Some(space) = who.current_space() else {
        return Ok(Redirect::to("/home").into_response());
    };
    // Garbage in the path is a reflection that does not exist.
    let id = id
        .parse()
        .map_err(|_| PageError(crate::error::AppError::not_found()))?;
    reflections::delete(&state.app, &who.me, space.relationship_id, id).await?;
    Ok(notice::after("/reflections#kept", Done::Deleted))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages link to a question by its number (`/reflections?q=2` after a
    /// reveal): the catalog only ever grows at its end, so these hold.
    #[test]
    fn the_numbers_other_pages_link_to_name_their_questions() {
        for (q, key) in [
            ("1", "before_values"),
            ("2", "after_reveal"),
            ("4", "giving_and_receiving"),
        ] {
            assert_eq!(prompt_key(Some(q)), Some(key));
        }
    }

    #[test]
    fn a_question_is_chosen_by_its_number() {
        assert_eq!(prompt_key(Some("1")), Some(REFLECTION_PROMPTS[0].key));
        assert_eq!(prompt_key(Some("0")), None);
        assert_eq!(prompt_key(Some("99")), None);
        assert_eq!(prompt_key(Some("x")), None);
        assert_eq!(prompt_key(None), None);
    }
}
