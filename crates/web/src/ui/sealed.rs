//! One set of sealed-round pages for every instrument (values, the respect
//! map, conversation decks, and next repair): one question per screen,
//! answering, submitting and starting a new round are the generic handlers
//! below; an instrument says only what is its own ([`SealedPages`]). Also
//! what every sealed page shows: where the caller stands in the current
//! round, the round number in a query string, question numbers in a path,
//! the 1–5 scales and friendly words for the seal's refusals.
//!
//! SECURITY: everything here is built from `rounds::Current`, the caller's
//! own view of a round. Before the reveal it holds about the partner one
//! bool, `partner_submitted`, and nothing else reaches a page from here.

use super::notice::{self, Done};
use std::future::Future;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::next_round::{self, Asking};
use domain::rounds::{self, Answers, Current, Instrument};
use domain::sealed::{Own, RoundState, RoundView};
use domain::DomainError;

use super::form::Errors;
use super::ledger::Space;
use super::message;
use crate::error::{AppError, PageError};
use crate::state::AppState;

/// What one question page shows in its form.
pub enum Shown<'a, I: SealedPages> {
    /// The answer saved in the draft, if any.
    Saved(Option<&'a I::Answer>),
    /// What was just posted, refused (shown again beside its error).
    Typed(&'a I::Form),
}

/// What one instrument brings to the sealed-round pages.
pub trait SealedPages: Instrument + Sized {
    /// The form one question page posts.
    type Form: Send;
    /// The fields of that form an error may name.
    const FIELDS: &'static [&'static str];
    /// Where the instrument's overview lives (`/values`, `/conversations/1`).
    fn base(&self) -> String;
    /// The page of question `n` (1-based).
    fn question_url(&self, n: usize) -> String;
    /// What a posted form means for question `n`; `None` to move on
    /// without saving (a prompt skipped).
    fn entries(
        &self,
        n: usize,
        form: &Self::Form,
    ) -> Option<Result<Answers<Option<Self::Answer>>, DomainError>>;
    /// Question `n`'s page.
    fn question(
        &self,
        state: &AppState,
        space: &Space,
        n: usize,
        shown: Shown<'_, Self>,
        errors: Errors,
        status: StatusCode,
    ) -> Response;
    /// The overview, with a refusal shown at the top (a submit that could not be).
    fn overview(
        &self,
        state: &AppState,
        space: &Space,
        errors: Errors,
        status: StatusCode,
    ) -> impl Future<Output = Result<Response, PageError>> + Send;
    /// A refused submit in words for this instrument's overview.
    fn refused(&self, err: AppError) -> AppError {
        friendly(err)
    }
    /// Where to go once question `n` is saved: the next one not answered
    /// yet, else the overview.
    fn after(&self, n: usize, draft: &Answers<Self::Answer>) -> String {
        match next_unanswered(draft, &self.item_keys(), n) {
            Some(next) => self.question_url(next),
            None => self.base(),
        }
    }
}

/// My draft while I may still change it; `None` once sent (the question
/// pages then lead back to the overview).
async fn draft<I: SealedPages + Sync>(
    state: &AppState,
    space: &Space,
    q: &I,
) -> Result<Option<Answers<I::Answer>>, PageError> {
    let current = rounds::current(&state.app, &space.me, space.rel.id, q).await?;
    Ok(draft_of(&current.view))
}

/// `GET` a question page.
pub async fn question<I: SealedPages + Sync>(
    state: &AppState,
    space: &Space,
    q: &I,
    n: &str,
) -> Result<Response, PageError> {
    let n = question_number(n, q.item_keys().len()).ok_or_else(no_such_page)?;
    let Some(draft) = draft(state, space, q).await? else {
        return Ok(Redirect::to(&q.base()).into_response());
    };
    let saved = draft.get(q.item_keys()[n - 1]);
    Ok(q.question(
        state,
        space,
        n,
        Shown::Saved(saved),
        Errors::default(),
        StatusCode::OK,
    ))
}

/// `POST` a question page: saves the answer into the draft and moves on.
pub async fn answer<I: SealedPages + Sync>(
    state: &AppState,
    space: &Space,
    q: &I,
    n: &str,
    form: I::Form,
) -> Result<Response, PageError> {
    let n = question_number(n, q.item_keys().len()).ok_or_else(no_such_page)?;
    let Some(entries) = q.entries(n, &form) else {
        return Ok(Redirect::to(&q.after(n, &Answers::new())).into_response());
    };
    let saved = match entries {
        Ok(entries) => rounds::save(&state.app, &space.me, space.rel.id, q, entries, Utc::now())
            .await
            .map_err(AppError::from),
        Err(invalid) => Err(AppError::from(invalid)),
    };
    match saved {
        Ok(current) => {
            let draft = draft_of(&current.view).unwrap_or_default();
            Ok(notice::after(&q.after(n, &draft), Done::Saved))
        }
        // Sent meanwhile (another tab): the overview says where things stand.
        Err(err) if err.code == "already_submitted" => Ok(Redirect::to(&q.base()).into_response()),
        Err(err) if err.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = Errors::from_api(&err, I::FIELDS);
            Ok(q.question(state, space, n, Shown::Typed(&form), errors, err.status))
        }
        Err(err) => Err(PageError(friendly(err))),
    }
}

/// `POST` submit: fixes my answers; the overview says why when it cannot.
pub async fn submit<I: SealedPages + Sync>(
    state: &AppState,
    space: &Space,
    q: &I,
) -> Result<Response, PageError> {
    match rounds::submit(&state.app, &space.me, space.rel.id, q, Utc::now()).await {
        Ok(_) => Ok(notice::after(&q.base(), Done::Sent)),
        Err(err) => {
            let err = q.refused(err.into());
            // Sent already (a second tap): the overview says where things stand.
            if err.code == "already_submitted" {
                return Ok(Redirect::to(&q.base()).into_response());
            }
            let (errors, status) = Errors::for_form(err, &[])?;
            q.overview(state, space, errors, status).await
        }
    }
}

/// `POST` a new round: asked for (values, the respect map: it starts when
/// the partner agrees, or now if they asked already), or started (a deck);
/// a moment ago by the partner, or a second tap, is the same outcome.
pub async fn new_round<I: SealedPages + Sync>(
    state: &AppState,
    space: &Space,
    q: &I,
) -> Result<Response, PageError> {
    let asked = next_round::ask(&state.app, &space.me, space.rel.id, q, Utc::now()).await;
    let done = match &asked {
        Ok((next_round::Asked::Proposed, _)) => Some(Done::Asked),
        Ok((next_round::Asked::Started, _)) => Some(Done::Started),
        // A second tap: the round is there already, nothing new to say.
        Err(_) => None,
    };
    started(asked)?;
    Ok(match done {
        Some(done) => notice::after(&q.base(), done),
        None => Redirect::to(&q.base()).into_response(),
    })
}

/// What a person can do about a request for a new round from a page.
pub enum RoundAnswer {
    /// Agree to the partner's request; with `true`, fill my draft from my
    /// own answers last time.
    Agree(bool),
    Decline,
    Withdraw,
    /// Fill my draft from my own answers last time.
    Prefill,
}

/// `POST` an answer to a request for a new round, or prefill. The overview
/// then says where things stand, also when the state moved on meanwhile
/// (the partner took the request back, another tab agreed already).
pub async fn answer_round<I: SealedPages + Sync>(
    state: &AppState,
    space: &Space,
    q: &I,
    answer: RoundAnswer,
) -> Result<Response, PageError> {
    let (app, me, rel, now) = (&state.app, &space.me, space.rel.id, Utc::now());
    let (result, done) = match answer {
        RoundAnswer::Agree(prefill) => (
            next_round::agree(app, me, rel, q, prefill, now).await,
            Done::Started,
        ),
        RoundAnswer::Decline => (
            next_round::decline(app, me, rel, q, now).await,
            Done::Declined,
        ),
        RoundAnswer::Withdraw => (
            next_round::withdraw(app, me, rel, q, now).await,
            Done::Withdrawn,
        ),
        RoundAnswer::Prefill => (next_round::prefill(app, me, rel, q).await, Done::Prefilled),
    };
    match result.map_err(AppError::from) {
        Ok(_) => Ok(notice::after(&q.base(), done)),
        Err(err)
            if matches!(
                err.code,
                "no_proposal" | "round_in_progress" | "nothing_to_prefill" | "already_submitted"
            ) =>
        {
            Ok(notice::after(&q.base(), Done::MovedOn))
        }
        Err(err) => Err(PageError(friendly(err))),
    }
}

/// The form that agrees to a new round: the prefill box, ticked or not.
#[derive(serde::Deserialize)]
pub struct AgreeForm {
    #[serde(default)]
    prefill: String,
}

impl AgreeForm {
    pub fn prefill(&self) -> bool {
        !self.prefill.is_empty()
    }
}

/// Where the caller stands in the current round, for an overview page.
pub struct Overview {
    /// The current round's number.
    pub number: u32,
    /// Still answering (nothing sent yet).
    pub drafting: bool,
    /// Sent, and waiting for the partner.
    pub waiting: bool,
    /// Both sent: the round can be read side by side.
    pub revealed: bool,
    /// The one thing a page may say about the partner's side.
    pub partner_submitted: bool,
    /// Questions I have answered so far, and how many there are.
    pub answered: usize,
    pub total: usize,
    /// The first question I have not answered yet (1-based), or 0 when all are.
    pub next: usize,
    /// Each question's place: (1-based number, name, answered by me).
    pub questions: Vec<(usize, String, bool)>,
    /// Earlier revealed rounds, newest first: (number, day they opened).
    pub earlier: Vec<(u32, String)>,
    /// Where asking for the next round stands (once this one is revealed).
    pub asking: Option<Asking>,
    /// My draft is empty and I sent answers in an earlier round: I may
    /// start from them.
    pub can_prefill: bool,
}

impl Overview {
    /// The overview of `current` for a questionnaire whose questions are
    /// `questions` (key, name), in order.
    pub fn of<T>(current: &Current<T>, questions: &[(String, String)]) -> Self {
        let (drafting, waiting, revealed, partner_submitted, mine) = match &current.view {
            RoundView::Sealed {
                mine: Own::Drafting { draft },
                partner_submitted,
            } => (true, false, false, *partner_submitted, draft.as_ref()),
            RoundView::Sealed {
                mine: Own::Submitted { .. },
                ..
            } => (false, true, false, false, None),
            RoundView::Revealed { .. } => (false, false, true, true, None),
        };
        let done = |key: &str| mine.is_some_and(|d| d.contains_key(key));
        let questions: Vec<(usize, String, bool)> = questions
            .iter()
            .enumerate()
            .map(|(i, (key, name))| (i + 1, name.clone(), drafting && done(key)))
            .collect();
        let answered = questions.iter().filter(|q| q.2).count();
        let next = if drafting {
            questions.iter().find(|q| !q.2).map_or(0, |q| q.0)
        } else {
            0
        };
        let mut earlier: Vec<(u32, String)> = current
            .rounds
            .iter()
            .filter(|r| r.number != current.number)
            .filter_map(|r| match r.state {
                RoundState::Revealed { at } => Some((r.number, at.format("%-d %b %Y").to_string())),
                _ => None,
            })
            .collect();
        earlier.reverse();
        Self {
            number: current.number,
            drafting,
            waiting,
            revealed,
            partner_submitted,
            answered,
            total: questions.len(),
            next,
            questions,
            earlier,
            asking: current.asking,
            can_prefill: next_round::can_prefill(current),
        }
    }

    /// I asked for a new round; waiting for my partner.
    pub fn you_asked(&self) -> bool {
        self.asking == Some(Asking::YouAsked)
    }

    /// My partner asks for a new round: I may agree or say not now.
    pub fn partner_asks(&self) -> bool {
        self.asking == Some(Asking::PartnerAsks)
    }

    /// My partner said not now to my request.
    pub fn partner_declined(&self) -> bool {
        self.asking == Some(Asking::PartnerDeclined)
    }

    /// I said not now to my partner's request.
    pub fn you_declined(&self) -> bool {
        self.asking == Some(Asking::YouDeclined)
    }

    /// How many questions are still open.
    pub fn left(&self) -> usize {
        self.total.saturating_sub(self.answered)
    }

    /// Nobody has sent this round's answers yet (from where I stand: I am
    /// still drafting and my partner has not sent theirs).
    pub fn nobody_sent(&self) -> bool {
        self.drafting && !self.partner_submitted
    }
}

/// My draft while I may still change it (an empty one before I answered);
/// `None` once I have sent my answers or the round is revealed.
pub fn draft_of<T>(view: &RoundView<Answers<T>>) -> Option<Answers<T>>
where
    T: Clone,
{
    match view {
        RoundView::Sealed {
            mine: Own::Drafting { draft },
            ..
        } => Some(draft.clone().unwrap_or_default()),
        _ => None,
    }
}

/// After saving question `n` (1-based): the next question I have not
/// answered, looking forward first and then from the start; `None` when all are.
pub fn next_unanswered<T>(draft: &Answers<T>, keys: &[&str], n: usize) -> Option<usize> {
    let open = |i: &usize| !draft.contains_key(keys[*i - 1]);
    (n + 1..=keys.len())
        .find(open)
        .or_else(|| (1..=n.min(keys.len())).find(open))
}

/// A question number from a path: digits only, 1 to `total`.
pub fn question_number(raw: &str, total: usize) -> Option<usize> {
    if raw.is_empty() || raw.len() > 4 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse::<usize>()
        .ok()
        .filter(|n| (1..=total).contains(n))
}

/// The "not here" page, for a question or round that does not exist.
pub fn not_found(state: &AppState) -> Response {
    message(
        state,
        StatusCode::NOT_FOUND,
        "Not here",
        "There's no page at this address.",
    )
}

/// `?round=N` on a comparison page: absent or empty means the latest round;
/// anything but a round number is answered with the "not here" page.
pub struct RoundParam(pub Option<u32>);

impl FromRequestParts<AppState> for RoundParam {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let mut found = None;
        for pair in parts.uri.query().unwrap_or("").split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if key == "round" {
                found = Some(value);
            }
        }
        match found {
            None | Some("") => Ok(Self(None)),
            Some(raw) => question_number(raw, u32::MAX as usize)
                .and_then(|n| u32::try_from(n).ok())
                .map(|n| Self(Some(n)))
                .ok_or_else(|| not_found(state)),
        }
    }
}

/// "Not here", as an error a handler returns with `?`.
pub fn no_such_page() -> PageError {
    PageError(AppError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There's no page at this address.",
    ))
}

/// A comparison the domain refused, as a page: "sealed for now" before both
/// sent their answers (SECURITY: the same words whatever the partner did),
/// "not here" for a round that does not exist.
pub fn comparison_refused(err: DomainError) -> PageError {
    let err = AppError::from(err);
    match err.code {
        "sealed" => PageError(AppError::new(
            StatusCode::CONFLICT,
            "sealed",
            "The answers are sealed until both of you have sent yours. Then you'll both see both at the same moment.",
        )),
        "not_found" => no_such_page(),
        _ => PageError(err),
    }
}

/// A new round asked for: asked or started now, or a moment ago by the
/// partner (or a second tap), which is the same outcome; anything else is
/// an error page.
pub fn started<T>(result: Result<T, DomainError>) -> Result<(), PageError> {
    match result {
        Ok(_) => Ok(()),
        Err(err) => {
            let err = AppError::from(err);
            if err.code == "round_in_progress" {
                Ok(())
            } else {
                Err(PageError(friendly(err)))
            }
        }
    }
}

/// The seal's refusals in words for a page (the domain's are for programs).
pub fn friendly(mut err: AppError) -> AppError {
    let text = match err.code {
        "sealed" => "The answers are sealed until both of you have sent yours.",
        "already_submitted" => {
            "You've already sent your answers for this round, so they stay as they are."
        }
        "nothing_to_submit" => "There's nothing to send yet: answer the questions first.",
        "round_in_progress" => {
            "This round isn't finished yet. A new one can start once you've both sent your answers."
        }
        "needs_agreement" => {
            "A new round starts when you both agree: one of you asks, the other says yes."
        }
        _ => return err,
    };
    err.message = text.to_owned();
    err
}

/// A number from a form: empty or unreadable is 0, which the domain refuses
/// as outside the scale, naming the field.
pub fn form_number(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(0)
}

/// A ticked checkbox (browsers send its value; an unticked one sends nothing).
pub fn ticked(raw: &str) -> bool {
    !raw.trim().is_empty()
}

/// A score from a form beside a "Not for us" box: none when the box is
/// ticked (the skip is the answer) or nothing was chosen (the domain then
/// asks for a number or "Not for us", naming the field).
pub fn form_score(raw: &str, not_for_us: bool) -> Option<i64> {
    (!not_for_us && !raw.trim().is_empty()).then(|| form_number(raw))
}

/// The "Not for us" choice beside a question's scale(s): the answer for an
/// item that does not apply to the two of them, kept as a skip.
pub struct NotForUsChoice {
    pub checked: bool,
    pub hint: &'static str,
    pub error: Option<String>,
}

impl NotForUsChoice {
    pub fn new(checked: bool, hint: &'static str, errors: &Errors) -> Self {
        Self {
            checked,
            hint,
            error: errors.get("not_for_us").map(str::to_owned),
        }
    }
}

/// One choice of a 1–5 scale.
pub struct ScaleOption {
    pub value: u8,
    /// The words at either end of the scale, empty in between.
    pub end: &'static str,
    pub checked: bool,
}

/// A 1–5 scale shown as a group of radio buttons, with words at both ends.
pub struct Scale {
    /// The form field's name (and the id prefix of its error).
    pub name: &'static str,
    pub legend: String,
    pub options: Vec<ScaleOption>,
    pub error: Option<String>,
}

impl Scale {
    pub fn new(
        name: &'static str,
        legend: String,
        ends: (&'static str, &'static str),
        chosen: u8,
        errors: &Errors,
    ) -> Self {
        Self {
            name,
            legend,
            options: (1..=5)
                .map(|value| ScaleOption {
                    value,
                    end: match value {
                        1 => ends.0,
                        5 => ends.1,
                        _ => "",
                    },
                    checked: value == chosen,
                })
                .collect(),
            error: errors.get(name).map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::rounds::RoundSummary;

    fn questions() -> Vec<(String, String)> {
        ["a", "b", "c"]
            .iter()
            .map(|k| ((*k).to_owned(), k.to_uppercase()))
            .collect()
    }

    fn draft(keys: &[&str]) -> Answers<u8> {
        keys.iter().map(|k| ((*k).to_owned(), 3)).collect()
    }

    #[test]
    fn an_overview_counts_my_answers_and_tells_only_whether_the_partner_sent() {
        let current = Current {
            ended: false,
            number: 2,
            view: RoundView::Sealed {
                mine: Own::Drafting {
                    draft: Some(draft(&["a", "c"])),
                },
                partner_submitted: true,
            },
            rounds: vec![
                RoundSummary {
                    number: 1,
                    state: RoundState::Revealed {
                        at: chrono::DateTime::UNIX_EPOCH,
                    },
                },
                RoundSummary {
                    number: 2,
                    state: RoundState::OneSubmitted,
                },
            ],
            asking: None,
        };
        let o = Overview::of(&current, &questions());
        assert!(o.drafting && !o.waiting && !o.revealed && o.partner_submitted);
        assert_eq!((o.answered, o.total, o.next, o.left()), (2, 3, 2, 1));
        assert!(!o.nobody_sent());
        assert_eq!(o.earlier, vec![(1, "1 Jan 1970".to_owned())]);
    }

    #[test]
    fn the_next_question_looks_forward_then_wraps() {
        let keys = ["a", "b", "c", "d"];
        assert_eq!(next_unanswered(&draft(&["a", "b"]), &keys, 2), Some(3));
        assert_eq!(next_unanswered(&draft(&["b", "c", "d"]), &keys, 4), Some(1));
        assert_eq!(next_unanswered(&draft(&keys), &keys, 1), None);
    }

    #[test]
    fn question_numbers_are_plain_digits_in_range() {
        assert_eq!(question_number("1", 15), Some(1));
        assert_eq!(question_number("15", 15), Some(15));
        for bad in ["0", "16", "", "-1", "+1", "1.0", "abc", "99999999999"] {
            assert_eq!(question_number(bad, 15), None, "{bad}");
        }
    }
}
