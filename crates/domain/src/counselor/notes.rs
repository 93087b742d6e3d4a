//! A partner's private note to the counselor (SECURITY.md §1.3 D7, R34):
//! clinicians see each partner alone too. Only its author and the
//! counselor can read it, and the other partner can learn nothing of it:
//! no count, no time, no size, in any response they get. That holds
//! because nothing the other partner is ever shown reads `counselor_notes`
//! (the engagement's row is not touched by a note, and the counselor's
//! reads of it are logged to its author alone).
//!
//! Sealed twice before it is stored: for the counselor, with a fresh key
//! sealed to their public key; for its author, with the author's own key.
//! The operator reads neither.

use chrono::{DateTime, Utc};
use keys::{envelope, RelationshipKey};

use crate::access;
use crate::access_log;
use crate::app::App;
use crate::error::{DomainError, FieldError};
use crate::ids::RelationshipId;
use crate::me::Me;
use crate::store::CounselorNote;

/// The longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 4000;

const FOR_AUTHOR: &str = "counselor_notes.for_author";

/// The access log's word for a counselor reading a partner's notes.
pub const LOGGED_AS: &str = "counselor_notes";

fn counselor_context(engagement: uuid::Uuid, note: uuid::Uuid) -> String {
    format!("counselor_notes.for_counselor:{engagement}:{note}")
}

/// A note as its author or the counselor reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: uuid::Uuid,
    pub text: String,
    pub written_at: DateTime<Utc>,
}

/// A note as the counselor receives it: whose it is, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub from: String,
    pub note: Note,
}

fn text(raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            "text",
            "required",
            "Write what you would like your counselor to know.",
        ));
    }
    if text.chars().count() > NOTE_MAX_CHARS {
        return Err(FieldError::new(
            "text",
            "too_long",
            format!("Please keep a note to {NOTE_MAX_CHARS} characters or fewer."),
        ));
    }
    Ok(text.to_owned())
}

/// Writes a note to the couple's counselor (engagement `id`), once they
/// joined. Refused, with nothing written, after a revocation or a leave.
pub async fn write(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Note, DomainError> {
    let store = app.store();
    let text = text(raw)?;
    access::writer(store, me.id, rel).await?;
    let engagement = store
        .open_engagement(rel)
        .await?
        .filter(|e| e.id == id)
        .ok_or(DomainError::NotFound)?;
    let Some(public) = engagement.counselor_public_key.as_deref() else {
        return Err(DomainError::conflict(
            "counselor_not_joined",
            "Your counselor hasn't joined yet. You can write to them once they have.",
        ));
    };
    let note_id = uuid::Uuid::new_v4();
    let key = RelationshipKey::generate();
    let note = CounselorNote {
        id: note_id,
        engagement: id,
        author: me.id,
        note_key: key
            .seal_to(public)
            .map_err(|e| DomainError::Storage(format!("seal a note's key: {e}")))?,
        for_counselor: envelope::seal_text(key.key(), &text, &counselor_context(id, note_id)),
        for_author: me.own()?.seal(FOR_AUTHOR, &note_id.to_string(), &text),
        created_at: now,
    };
    if !store.insert_counselor_note(&note).await? {
        return Err(access::refusal(store, me.id, rel)
            .await?
            .unwrap_or(DomainError::NotFound));
    }
    Ok(Note {
        id: note_id,
        text,
        written_at: now,
    })
}

/// The caller's own notes to the couple's counselor, oldest first. Each
/// partner gets only their own: the other's are never read here.
pub async fn mine(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
) -> Result<Vec<Note>, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    if reader.is_former() {
        return Err(DomainError::NotFound);
    }
    store
        .open_engagement(rel)
        .await?
        .filter(|e| e.id == id)
        .ok_or(DomainError::NotFound)?;
    let own = me.own()?;
    store
        .counselor_notes(id, Some(me.id))
        .await?
        .into_iter()
        .map(|n| {
            Ok(Note {
                text: own.open(FOR_AUTHOR, &n.id.to_string(), &n.for_author)?,
                id: n.id,
                written_at: n.created_at,
            })
        })
        .collect()
}

/// Every note the caller wrote to a counselor of this space, whatever
/// became of the engagement or the space (their own words: the export).
pub async fn all_mine(app: &App, me: &Me, rel: RelationshipId) -> Result<Vec<Note>, DomainError> {
    let store = app.store();
    access::reader(store, me.id, rel).await?;
    let own = me.own()?;
    store
        .counselor_notes_by(rel, me.id)
        .await?
        .into_iter()
        .map(|n| {
            Ok(Note {
                text: own.open(FOR_AUTHOR, &n.id.to_string(), &n.for_author)?,
                id: n.id,
                written_at: n.created_at,
            })
        })
        .collect()
}

/// Every note the couple's partners wrote to the counselor `me`, while
/// both allow them in (the sight is checked first). Each read is logged
/// to the note's author alone.
pub async fn received(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    now: DateTime<Utc>,
) -> Result<Vec<Received>, DomainError> {
    let store = app.store();
    let sight = super::sight::open_in(store, me, rel, now).await?;
    let keys = me.account_keys()?;
    let notes = store.counselor_notes(sight.engagement.id, None).await?;
    let mut received = Vec::with_capacity(notes.len());
    let mut authors = std::collections::BTreeSet::new();
    for n in notes {
        authors.insert(n.author);
        let key = RelationshipKey::open_sealed(keys, &n.note_key)
            .map_err(|_| DomainError::Storage("a note's key did not open".into()))?;
        let text = envelope::open_text(
            key.key(),
            &n.for_counselor,
            &counselor_context(n.engagement, n.id),
        )
        .map_err(|_| DomainError::Storage("a note did not open".into()))?;
        received.push(Received {
            from: name_of(&sight, n.author),
            note: Note {
                id: n.id,
                text: text.as_str().to_owned(),
                written_at: n.created_at,
            },
        });
    }
    for author in authors {
        access_log::record(store, rel, author, me.id, LOGGED_AS, now).await;
    }
    Ok(received)
}

fn name_of(sight: &super::sight::Sight, who: crate::ids::AccountId) -> String {
    sight
        .pair
        .iter()
        .position(|p| *p == who)
        .map(|i| sight.names[i].clone())
        .unwrap_or_default()
}
