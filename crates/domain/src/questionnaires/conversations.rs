//! Conversation decks: each prompt answered privately in writing, revealed
//! together, then talked over. After the talk either partner can keep what
//! came of it as a note, marked as an idea for an agreement if it is one.
//! A deck can be run again; the comparison sets this time beside last time.

use chrono::{DateTime, Utc};

use super::{distinct_keys, optional_text};
use crate::access;
use crate::app::App;
use crate::catalog::decks::DECKS;
use crate::catalog::{Deck, Prompt};
use crate::error::{DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::me::{Me, Shared};
use crate::rounds::{self, AnswerKeys, Answers, Current, Questionnaire, Revealed};
use crate::store::ConversationNote;

/// A deck as a sealed questionnaire. Prompts may be skipped (some are
/// better said aloud); a round needs at least one written answer.
pub struct DeckRound(pub &'static Deck);

impl Questionnaire for DeckRound {
    type Answer = String;

    fn kind(&self) -> String {
        format!("deck:{}", self.0.key)
    }

    fn complete(&self, answers: &Answers<String>) -> Result<(), FieldError> {
        if answers.is_empty() {
            Err(FieldError::new(
                "answers",
                "incomplete",
                "Write an answer to at least one prompt before sending.",
            ))
        } else {
            Ok(())
        }
    }
}

/// The deck with this key; an unknown key is a page that does not exist.
pub fn deck(key: &str) -> Result<&'static Deck, DomainError> {
    DECKS
        .iter()
        .find(|d| d.key == key)
        .ok_or(DomainError::NotFound)
}

/// Every deck with the caller's view of its current round, for the list of
/// conversations (membership checked once, not once per deck).
pub async fn every_deck(
    app: &App,
    me: &Me,
    rel: RelationshipId,
) -> Result<Vec<(&'static Deck, Current<String>)>, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    let keys = AnswerKeys::of(store, me, &reader.rel).await?;
    let mut decks = Vec::with_capacity(DECKS.len());
    for deck in DECKS {
        decks.push((
            deck,
            rounds::current_in(store, &keys, &reader, &DeckRound(deck)).await?,
        ));
    }
    Ok(decks)
}

/// A note's text is sealed with the couple's key, bound to the note's id.
const NOTE_TEXT: &str = "conversation_notes.text";

/// Notes as stored, with their texts opened.
pub(crate) fn opened_notes(
    key: &Shared,
    notes: Vec<ConversationNote>,
) -> Result<Vec<ConversationNote>, DomainError> {
    notes
        .into_iter()
        .map(|note| {
            Ok(ConversationNote {
                text: key.open(NOTE_TEXT, &note.id.to_string(), &note.text)?,
                ..note
            })
        })
        .collect()
}

/// One entry of a request: a blank or missing `text` clears that answer.
#[derive(Debug, Clone)]
pub struct AnswerInput<'a> {
    pub prompt: &'a str,
    pub text: Option<&'a str>,
}

/// Validates a request's entries; all or nothing.
fn parse(deck: &Deck, inputs: &[AnswerInput<'_>]) -> Result<Answers<Option<String>>, DomainError> {
    distinct_keys(inputs.iter().map(|i| i.prompt), "key")?;
    inputs
        .iter()
        .map(|input| {
            let prompt = deck
                .prompts
                .iter()
                .find(|p| p.key == input.prompt)
                .ok_or_else(|| {
                    FieldError::new(
                        "key",
                        "unknown_prompt",
                        format!("This conversation has no prompt \"{}\".", input.prompt),
                    )
                })?;
            Ok((prompt.key.to_owned(), optional_text(input.text, "text")?))
        })
        .collect()
}

/// Both answers to one prompt, and last time's when the deck ran before.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptComparison {
    pub prompt: &'static Prompt,
    pub a: Option<String>,
    pub b: Option<String>,
    /// Last time's answers in the same partner order; `None` on a first run.
    pub last_time: Option<[Option<String>; 2]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeckComparison {
    pub deck: &'static Deck,
    pub number: u32,
    pub revealed_at: DateTime<Utc>,
    pub partners: [AccountId; 2],
    pub previous_number: Option<u32>,
    pub prompts: Vec<PromptComparison>,
}

fn compare(deck: &'static Deck, revealed: &Revealed<String>) -> DeckComparison {
    let [(a_id, a), (b_id, b)] = &revealed.this.answers;
    // Last time, by account rather than position, so the columns line up.
    let last = |who: &AccountId, key: &str| {
        revealed.previous.as_ref().map(|p| {
            p.answers
                .iter()
                .find(|(id, _)| id == who)
                .and_then(|(_, answers)| answers.get(key).cloned())
        })
    };
    let prompts = deck
        .prompts
        .iter()
        .map(|prompt| PromptComparison {
            prompt,
            a: a.get(prompt.key).cloned(),
            b: b.get(prompt.key).cloned(),
            last_time: last(a_id, prompt.key)
                .zip(last(b_id, prompt.key))
                .map(|(x, y)| [x, y]),
        })
        .collect();
    DeckComparison {
        deck,
        number: revealed.number,
        revealed_at: revealed.this.revealed_at,
        partners: [*a_id, *b_id],
        previous_number: revealed.previous.as_ref().map(|_| revealed.number - 1),
        prompts,
    }
}

/// Keeps what came of a revealed conversation, shared with the partner.
/// Refused (409 `sealed`) before both answered: there is nothing to discuss yet.
#[allow(clippy::too_many_arguments)]
pub async fn add_note(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    deck: &'static Deck,
    number: u32,
    text: &str,
    agreement_idea: bool,
    now: DateTime<Utc>,
) -> Result<ConversationNote, DomainError> {
    let store = app.store();
    let text = optional_text(Some(text), "text")?
        .ok_or_else(|| FieldError::new("text", "required", "Write the note first."))?;
    let actor = me.id;
    let (relationship, _) = rounds::answerable(store, actor, rel).await?;
    rounds::comparison_in(store, me, rel, &DeckRound(deck), Some(number)).await?;
    let key = me.shared(store, &relationship).await?;
    let note = ConversationNote {
        id: uuid::Uuid::new_v4(),
        author: actor,
        text,
        agreement_idea,
        created_at: now,
    };
    let sealed = ConversationNote {
        text: key.seal(NOTE_TEXT, &note.id.to_string(), &note.text),
        ..note.clone()
    };
    // Written only while the relationship is active (the rule is in the insert).
    if !store
        .insert_conversation_note(rel, deck.key, number, &sealed)
        .await?
    {
        return Err(access::refusal(store, actor, rel)
            .await?
            .unwrap_or_else(access::ended));
    }
    Ok(note)
}

/// A revealed round as the talk shows it: both answers beside last time's,
/// and the notes kept so far. Sealed (409) until both answered.
pub async fn talk(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    deck: &'static Deck,
    number: Option<u32>,
) -> Result<(DeckComparison, Vec<ConversationNote>), DomainError> {
    let store = app.store();
    let revealed = rounds::comparison_in(store, me, rel, &DeckRound(deck), number).await?;
    let reader = access::reader(store, me.id, rel).await?;
    let key = me.shared(store, &reader.rel).await?;
    let notes = store
        .conversation_notes(rel, deck.key, revealed.number)
        .await?;
    Ok((compare(deck, &revealed), opened_notes(&key, notes)?))
}

/// The notes on a revealed round; the same rule as the comparison. Once the
/// relationship ended, only the notes the caller wrote.
pub async fn notes(
    app: &App,
    me: &Me,
    rel: RelationshipId,
    deck: &'static Deck,
    number: u32,
) -> Result<Vec<ConversationNote>, DomainError> {
    let store = app.store();
    let reader = access::reader(store, me.id, rel).await?;
    if !reader.is_former() {
        rounds::comparison_in(store, me, rel, &DeckRound(deck), Some(number)).await?;
    }
    let mut notes = store.conversation_notes(rel, deck.key, number).await?;
    notes.retain(|n| reader.may_read_words_of(n.author));
    if notes.is_empty() {
        return Ok(notes);
    }
    opened_notes(&me.shared(store, &reader.rel).await?, notes)
}

/// Every deck's latest revealed round with its notes, for the couple's
/// counselor (`keys` from their engagement); decks never revealed are left
/// out, and nothing unrevealed is read.
pub(crate) async fn for_counselor(
    store: &dyn crate::store::Store,
    keys: &rounds::AnswerKeys<'_>,
    rel: RelationshipId,
) -> Result<Vec<(DeckComparison, Vec<ConversationNote>)>, DomainError> {
    let mut revealed = Vec::new();
    for deck in DECKS {
        let Some(comparison) = rounds::latest_revealed(store, keys, rel, &DeckRound(deck)).await?
        else {
            continue;
        };
        let notes = store
            .conversation_notes(rel, deck.key, comparison.number)
            .await?;
        revealed.push((comparison, opened_notes(keys.shared(), notes)?));
    }
    Ok(revealed)
}

impl crate::rounds::Instrument for DeckRound {
    type Input<'a> = AnswerInput<'a>;
    type Comparison = DeckComparison;

    fn item_keys(&self) -> Vec<&str> {
        self.0.prompts.iter().map(|p| p.key).collect()
    }

    fn parse(&self, inputs: &[AnswerInput<'_>]) -> Result<Answers<Option<String>>, DomainError> {
        parse(self.0, inputs)
    }

    fn compare(&self, revealed: &Revealed<String>) -> DeckComparison {
        compare(self.0, revealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sealed::Comparison;

    fn answers(pairs: &[(&str, &str)]) -> Answers<String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_deck_is_found_by_key_and_unknown_is_not_found() {
        for d in DECKS {
            assert_eq!(deck(d.key).map(|x| x.key).ok(), Some(d.key));
        }
        assert!(matches!(deck("poker"), Err(DomainError::NotFound)));
    }

    #[test]
    fn blank_text_clears_and_unknown_prompts_are_named() {
        let d = &DECKS[0];
        let first = d.prompts[0].key;
        let parsed = parse(
            d,
            &[AnswerInput {
                prompt: first,
                text: Some("   "),
            }],
        )
        .expect("valid");
        assert_eq!(parsed.get(first), Some(&None));
        let err = parse(
            d,
            &[AnswerInput {
                prompt: "nope",
                text: Some("hi"),
            }],
        )
        .expect_err("should be refused");
        assert_eq!(err.field_errors()[0].field, "key");
        assert!(DeckRound(d).complete(&Answers::new()).is_err());
    }

    #[test]
    fn comparison_follows_the_deck_and_lines_up_last_time_by_person() {
        let d = &DECKS[0];
        let (p0, p1) = (d.prompts[0].key, d.prompts[1].key);
        let (a, b) = (AccountId::new(), AccountId::new());
        let revealed = Revealed {
            number: 2,
            this: Comparison {
                answers: [
                    (a, answers(&[(p0, "a now"), (p1, "a1 now")])),
                    (b, answers(&[(p0, "b now")])),
                ],
                revealed_at: Utc::now(),
            },
            // Stored in the other order last time: must still line up.
            previous: Some(Comparison {
                answers: [
                    (b, answers(&[(p0, "b then")])),
                    (a, answers(&[(p0, "a then")])),
                ],
                revealed_at: Utc::now(),
            }),
        };
        let c = compare(d, &revealed);
        assert_eq!(c.prompts.len(), d.prompts.len());
        assert_eq!(c.prompts[0].a.as_deref(), Some("a now"));
        assert_eq!(
            c.prompts[0].last_time,
            Some([Some("a then".to_owned()), Some("b then".to_owned())])
        );
        assert_eq!(c.prompts[1].b, None);
        assert_eq!(c.previous_number, Some(1));
    }
}
