//! Repair after an episode: each partner privately writes their own part,
//! what they felt, what they needed and what they will do next time,
//! sealed until both have written (the sealed rounds of `crate::sealed`,
//! one round per episode), and responsibility balance over the repairs.
//!
//! "My part" may be left empty: a repair is still a repair. Whether each
//! partner named their own part is what responsibility balance counts
//! (`analytics::episodes::responsibility`); it is computed only from
//! revealed repairs, which both partners read anyway.

use analytics::episodes::{self as figures, Responsibility};
use chrono::{DateTime, Utc};

use super::{may_see, Opener};
use crate::access::{self, Reader};
use crate::access_log;
use crate::app::App;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::me::Me;
use crate::rounds::{self, Answers, Questionnaire};
use crate::sealed::{Own, Round, RoundView};

/// The four questions, in order: key, question.
pub const QUESTIONS: [(&str, &str); 4] = [
    ("my_part", "What was my part in it?"),
    ("felt", "What did I feel?"),
    ("needed", "What did I need?"),
    ("next_time", "What will I do next time?"),
];
pub const ANSWER_MAX_CHARS: usize = 5_000;
pub(crate) const KIND_PREFIX: &str = "repair:";
/// The access log's name for a partner's revealed repairs.
pub const LOG_ITEM: &str = "repair";

/// The sealed questionnaire of one episode's repair.
pub struct Repair(pub uuid::Uuid);

impl Questionnaire for Repair {
    type Answer = String;

    fn kind(&self) -> String {
        format!("{KIND_PREFIX}{}", self.0)
    }

    fn complete(&self, answers: &Answers<String>) -> Result<(), FieldError> {
        if answers.values().any(|a| !a.trim().is_empty()) {
            Ok(())
        } else {
            Err(FieldError::new(
                "felt",
                "required",
                "Write at least one of the four before you send it.",
            ))
        }
    }
}

/// One partner's repair.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepairAnswers {
    pub my_part: String,
    pub felt: String,
    pub needed: String,
    pub next_time: String,
}

impl RepairAnswers {
    pub(crate) fn from_answers(a: &Answers<String>) -> Self {
        let get = |k: &str| a.get(k).cloned().unwrap_or_default();
        Self {
            my_part: get("my_part"),
            felt: get("felt"),
            needed: get("needed"),
            next_time: get("next_time"),
        }
    }

    pub fn get(&self, key: &str) -> &str {
        match key {
            "my_part" => &self.my_part,
            "felt" => &self.felt,
            "needed" => &self.needed,
            _ => &self.next_time,
        }
    }

    /// They named their own part.
    pub fn named_own_part(&self) -> bool {
        !self.my_part.trim().is_empty()
    }
}

/// What the caller may see of an episode's repair. SECURITY: before both
/// have written, one bool about the partner and nothing else (the seal's
/// `RoundView::Sealed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairView {
    Sealed {
        /// The caller's draft or sent answers.
        mine: Option<RepairAnswers>,
        sent: bool,
        partner_sent: bool,
    },
    Revealed {
        mine: RepairAnswers,
        partner: RepairAnswers,
        revealed_at: DateTime<Utc>,
    },
}

/// A repair as someone typed it: `None` leaves a field as it was.
#[derive(Debug, Clone, Copy, Default)]
pub struct RepairInput<'a> {
    pub my_part: Option<&'a str>,
    pub felt: Option<&'a str>,
    pub needed: Option<&'a str>,
    pub next_time: Option<&'a str>,
}

/// Every answer checked, so a form shows each one that is too long at once.
fn entries(input: RepairInput<'_>) -> Result<Answers<Option<String>>, DomainError> {
    let mut checks = Checks::new();
    let mut out = Answers::new();
    let values = [input.my_part, input.felt, input.needed, input.next_time];
    for ((key, question), value) in QUESTIONS.into_iter().zip(values) {
        let Some(text) = value else { continue };
        let text = text.trim();
        if text.chars().count() > ANSWER_MAX_CHARS {
            checks.check(Err(FieldError::new(
                key,
                "too_long",
                // Named by its question: several may be refused at once.
                format!("Please keep \u{201c}{question}\u{201d} to {ANSWER_MAX_CHARS} characters or fewer."),
            )));
            continue;
        }
        out.insert(key.to_owned(), (!text.is_empty()).then(|| text.to_owned()));
    }
    checks.done(())?;
    Ok(out)
}

fn view_of(view: RoundView<Answers<String>>) -> RepairView {
    match view {
        RoundView::Revealed {
            mine,
            partner,
            revealed_at,
        } => RepairView::Revealed {
            mine: RepairAnswers::from_answers(&mine),
            partner: RepairAnswers::from_answers(&partner),
            revealed_at,
        },
        RoundView::Sealed {
            mine,
            partner_submitted,
        } => {
            let (mine, sent) = match mine {
                Own::Drafting { draft } => (draft.as_ref().map(RepairAnswers::from_answers), false),
                Own::Submitted { answers, .. } => {
                    (Some(RepairAnswers::from_answers(&answers)), true)
                }
            };
            RepairView::Sealed {
                mine,
                sent,
                partner_sent: partner_submitted,
            }
        }
    }
}

/// The episode, when the caller may see it and it is shared (a repair is
/// written by both).
async fn shared_episode(app: &App, reader: &Reader, id: uuid::Uuid) -> Result<(), DomainError> {
    let e = app
        .store()
        .episode(reader.rel.id, id)
        .await?
        .filter(|e| may_see(reader, e))
        .ok_or(DomainError::NotFound)?;
    if e.shared_at.is_none() {
        return Err(DomainError::Conflict {
            code: "not_shared",
            message: "Share the episode first: a repair is written by both of you.".into(),
            field: None,
        });
    }
    Ok(())
}

/// Saves the caller's repair; with `send`, fixes it (the reveal when the
/// partner already sent theirs).
pub async fn write(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    input: RepairInput<'_>,
    send: bool,
    now: DateTime<Utc>,
) -> Result<RepairView, DomainError> {
    let store = app.store();
    let entries = entries(input)?;
    let writer = access::writer(store, me.id, rel).await?;
    shared_episode(app, &writer.as_reader(), id).await?;
    let q = Repair(id);
    let mut current = rounds::save(app, me, rel, &q, entries, now).await?;
    if send {
        current = rounds::submit(app, me, rel, &q, now).await?;
    }
    Ok(view_of(current.view))
}

/// The caller's view of an episode's repair. Reading the partner's
/// revealed repair adds a line to their access log.
pub async fn view(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<RepairView, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let e = store
        .episode(rel, id)
        .await?
        .filter(|e| may_see(&reader, e))
        .ok_or(DomainError::NotFound)?;
    if e.shared_at.is_none() {
        return Ok(RepairView::Sealed {
            mine: None,
            sent: false,
            partner_sent: false,
        });
    }
    let current = rounds::current(app, me, rel, &Repair(id)).await?;
    let view = view_of(current.view);
    if let (RepairView::Revealed { .. }, Some(partner)) = (&view, reader.partner()) {
        access_log::record(store, rel, partner, me.id, LOG_ITEM, now).await;
    }
    Ok(view)
}

/// Shared episodes whose repair the partner has sent and the caller has
/// not, newest last, with their titles: for the home page. SECURITY: it
/// reads only "sent or not" of the partner's side, which the seal shows
/// anyway (`RoundView::Sealed`), and no words.
pub async fn waiting_for_me(
    app: &App,
    me: &Me,
    rel: RelationshipId,
) -> Result<Vec<(uuid::Uuid, Option<String>)>, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    if reader.partner().is_none() {
        return Ok(Vec::new());
    }
    let mut opener = Opener::new(me, &reader);
    let mut waiting = Vec::new();
    for (kind, outline) in store.outlines_with_prefix(rel, KIND_PREFIX).await? {
        let Some(id) = kind
            .strip_prefix(KIND_PREFIX)
            .and_then(|id| id.parse::<uuid::Uuid>().ok())
        else {
            continue;
        };
        let round = Round::from_record(outline)?;
        let theirs_first = matches!(
            round.view_for(me.id),
            Ok(RoundView::Sealed {
                mine: Own::Drafting { .. },
                partner_submitted: true,
            })
        );
        if !theirs_first {
            continue;
        }
        if let Some(e) = store
            .episode(rel, id)
            .await?
            .filter(|e| may_see(&reader, e))
        {
            waiting.push((id, opener.open(store, &e).await?.title));
        }
    }
    Ok(waiting)
}

/// The titles of the episodes `ids` whose repair the caller may see (shared
/// episodes, or their own), in that order; others are left out. For the
/// home page's list of repairs waiting for one of the two.
pub(crate) async fn titled(
    app: &App,
    me: &Me,
    reader: &Reader,
    ids: &[uuid::Uuid],
) -> Result<Vec<(uuid::Uuid, Option<String>)>, DomainError> {
    let store = app.store();
    let mut opener = Opener::new(me, reader);
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(e) = store
            .episode(reader.rel.id, *id)
            .await?
            .filter(|e| may_see(reader, e) && e.shared_at.is_some())
        {
            out.push((*id, opener.open(store, &e).await?.title));
        }
    }
    Ok(out)
}

/// Responsibility balance over every revealed repair of the space.
pub(crate) async fn responsibility(
    app: &App,
    me: &Me,
    reader: &Reader,
    pair: [AccountId; 2],
) -> Result<Responsibility, DomainError> {
    let rounds =
        rounds::revealed_with_prefix::<String>(app.store(), me, reader, KIND_PREFIX).await?;
    let mut repairs = Vec::with_capacity(rounds.len());
    for (_, round) in &rounds {
        let both = round.comparison(me.id)?;
        let named = |who: AccountId| {
            both.answers
                .iter()
                .find(|(a, _)| *a == who)
                .is_some_and(|(_, answers)| RepairAnswers::from_answers(answers).named_own_part())
        };
        repairs.push([named(pair[0]), named(pair[1])]);
    }
    Ok(figures::responsibility(&repairs))
}
