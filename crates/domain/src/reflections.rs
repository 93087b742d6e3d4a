//! Private reflections: a journal each person keeps in their shared space,
//! for their eyes only (API.md "Private reflections", DESIGN.md).
//!
//! - Only the author ever reads one: every store call names the caller as
//!   the author, and the text is sealed with the caller's own data key
//!   (`Me::own`), so neither the partner, the operator nor a copy of the
//!   database can read it, and the partner is never told one exists.
//! - One can be written while the space is open (also while waiting for
//!   the partner to join); once the space ended, the author still rereads
//!   and deletes theirs, and writes no more there.
//! - An operator's reset link gives the account new keys: reflections
//!   sealed with the old key cannot be opened and are deleted with it.

use chrono::{DateTime, Utc};

use crate::access;
use crate::app::App;
use crate::catalog::reflections::reflection_prompt;
use crate::catalog::Prompt;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::RelationshipId;
use crate::me::Me;
use crate::store::Reflection;

/// The sealed field's name, part of each envelope's context.
const TEXT: &str = "reflections.text";

/// The longest reflection, in characters: room for a page or two of
/// journal, well short of what would slow a page down.
pub const TEXT_MAX_CHARS: usize = 10_000;

/// The most reflections listed (newest first).
const LISTED: u32 = 500;

/// A reflection as its author reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyReflection {
    pub id: uuid::Uuid,
    /// The question it answers, when it started from one.
    pub prompt: Option<&'static Prompt>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// Checks the text: required, at most [`TEXT_MAX_CHARS`] characters.
fn text(raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            "text",
            "required",
            "Write something first: even a line is enough.",
        ));
    }
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(FieldError::new(
            "text",
            "too_long",
            format!("Please keep a reflection to {TEXT_MAX_CHARS} characters or fewer."),
        ));
    }
    Ok(text.to_owned())
}

/// The prompt named by `key`; an unknown key is refused by name.
fn prompt(key: Option<&str>) -> Result<Option<&'static Prompt>, FieldError> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(key) => reflection_prompt(key).map(Some).ok_or_else(|| {
            FieldError::new(
                "prompt",
                "unknown",
                "That question is not one of ours; leave it out to write freely.",
            )
        }),
    }
}

/// Keeps a reflection of the caller's in `rel`.
pub async fn write(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    raw_text: &str,
    prompt_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<MyReflection, DomainError> {
    let store = app.store();
    let mut checks = Checks::new();
    let text = checks.field(text(raw_text));
    let prompt = checks.field(prompt(prompt_key));
    let (text, prompt) = checks.done((text, prompt))?;
    let reader = access::reader(store, me.id, rel).await?;
    if reader.is_former() {
        return Err(access::ended());
    }
    let own = me.own()?;
    let mine = MyReflection {
        id: uuid::Uuid::new_v4(),
        prompt,
        text,
        created_at: now,
    };
    let stored = Reflection {
        id: mine.id,
        relationship_id: rel,
        author: me.id,
        prompt: prompt.map(|p| p.key.to_owned()),
        text: own.seal(TEXT, &mine.id.to_string(), &mine.text),
        created_at: now,
    };
    // The insert repeats the rule (a member of a space not ended), so a
    // reflection racing a leave is refused rather than kept in the ended space.
    if !store.insert_reflection(&stored).await? {
        return Err(match access::reader(store, me.id, rel).await? {
            r if r.is_former() => access::ended(),
            _ => DomainError::Storage("a reflection was not stored".into()),
        });
    }
    Ok(mine)
}

/// The caller's reflections in `rel`, newest first (the latest 500): a
/// member's or former member's own, never anyone else's.
pub async fn mine(
    app: &App,
    me: &Me,
    rel: RelationshipId,
) -> Result<Vec<MyReflection>, DomainError> {
    at_most(app, me, rel, LISTED).await
}

/// Every one of the caller's reflections in `rel`, newest first (the export).
pub async fn all_mine(
    app: &App,
    me: &Me,
    rel: RelationshipId,
) -> Result<Vec<MyReflection>, DomainError> {
    at_most(app, me, rel, u32::MAX).await
}

async fn at_most(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    limit: u32,
) -> Result<Vec<MyReflection>, DomainError> {
    let store = app.store();
    access::reader(store, me.id, rel).await?;
    let stored = store.reflections_of(me.id, rel, limit).await?;
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let own = me.own()?;
    stored
        .into_iter()
        .map(|r| {
            Ok(MyReflection {
                id: r.id,
                // A prompt retired from the catalog reads as no prompt.
                prompt: r.prompt.as_deref().and_then(reflection_prompt),
                text: own.open(TEXT, &r.id.to_string(), &r.text)?,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// Deletes one of the caller's reflections in `rel` (also after the space
/// ended: it is theirs). Anyone else's, or none, is not found.
pub async fn delete(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    id: uuid::Uuid,
) -> Result<(), DomainError> {
    let store = app.store();
    access::reader(store, me.id, rel).await?;
    if store.delete_reflection(me.id, rel, id).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_required_and_bounded() {
        assert_eq!(text("  a line  ").as_deref(), Ok("a line"));
        assert_eq!(text(" \n ").expect_err("empty").code, "required");
        assert!(text(&"é".repeat(TEXT_MAX_CHARS)).is_ok());
        let over = text(&"é".repeat(TEXT_MAX_CHARS + 1)).expect_err("too long");
        assert_eq!((over.field, over.code), ("text", "too_long"));
    }

    #[test]
    fn prompt_is_one_of_ours_or_none() {
        assert_eq!(prompt(None), Ok(None));
        assert_eq!(prompt(Some("  ")), Ok(None));
        assert_eq!(
            prompt(Some("after_reveal")).map(|p| p.map(|p| p.key)),
            Ok(Some("after_reveal"))
        );
        let unknown = prompt(Some("made_up")).expect_err("unknown");
        assert_eq!((unknown.field, unknown.code), ("prompt", "unknown"));
    }
}
