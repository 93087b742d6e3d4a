//! Values: how much each characteristic of a relationship matters (1–5), or
//! "Not for us" when it does not apply to the two of them, and what it means
//! in the partner's own words; compared once both submitted. A "Not for us"
//! is a skip: it has no importance, so it has no gap and is never a topic.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{distinct_keys, optional_text, required_scale, score_or_skip, NotForUs};
use crate::catalog::values::ITEMS;
use crate::catalog::ValueItem;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::AccountId;
use crate::rounds::{Answers, Questionnaire, Revealed};
use analytics::comparison;

/// One partner's answer to one item: an importance, or "Not for us".
/// Either may carry the partner's own words. Stored as JSON: a rated
/// answer as it always was (`{"importance": 4}`), a skip as
/// `{"not_for_us": true}`, with no importance at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ValueAnswer {
    Rated {
        importance: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        definition: Option<String>,
    },
    NotForUs {
        not_for_us: NotForUs,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        definition: Option<String>,
    },
}

impl ValueAnswer {
    /// The importance, 1–5; `None` for "Not for us" (a skip, not a score).
    pub fn importance(&self) -> Option<u8> {
        match self {
            Self::Rated { importance, .. } => Some(*importance),
            Self::NotForUs { .. } => None,
        }
    }

    pub fn not_for_us(&self) -> bool {
        matches!(self, Self::NotForUs { .. })
    }

    pub fn definition(&self) -> Option<&str> {
        match self {
            Self::Rated { definition, .. } | Self::NotForUs { definition, .. } => {
                definition.as_deref()
            }
        }
    }
}

/// The values questionnaire; complete when every item has an importance.
pub struct Values;

impl Questionnaire for Values {
    type Answer = ValueAnswer;

    fn kind(&self) -> String {
        "values".into()
    }

    /// A new round starts when both want it (one asks, the other agrees).
    fn rounds_by_agreement(&self) -> bool {
        true
    }

    fn complete(&self, answers: &Answers<ValueAnswer>) -> Result<(), FieldError> {
        match ITEMS.iter().find(|i| !answers.contains_key(i.key)) {
            None => Ok(()),
            Some(item) => Err(FieldError::new(
                "answers",
                "incomplete",
                format!(
                    "Please answer every question before sending; \"{}\" is still open.",
                    item.name
                ),
            )),
        }
    }
}

/// The item with this key.
pub fn item(key: &str) -> Result<&'static ValueItem, FieldError> {
    ITEMS.iter().find(|i| i.key == key).ok_or_else(|| {
        FieldError::new(
            "key",
            "unknown_item",
            format!("There is no question \"{key}\"; GET values/items lists them."),
        )
    })
}

/// One entry of a request, as sent.
#[derive(Debug, Clone)]
pub struct ValueInput<'a> {
    pub item: &'a str,
    /// 1–5; absent with `not_for_us`.
    pub importance: Option<i64>,
    /// "Not for us": the item does not apply; refused beside an importance.
    pub not_for_us: bool,
    pub definition: Option<&'a str>,
}

/// Validates a request's entries; all or nothing, so a bad entry writes none.
fn parse(inputs: &[ValueInput<'_>]) -> Result<Answers<Option<ValueAnswer>>, DomainError> {
    distinct_keys(inputs.iter().map(|i| i.item), "key")?;
    inputs
        .iter()
        .map(|input| {
            let found = item(input.item)?;
            let answer = if input.not_for_us {
                if input.importance.is_some() {
                    return Err(score_or_skip().into());
                }
                ValueAnswer::NotForUs {
                    not_for_us: NotForUs,
                    definition: optional_text(input.definition, "definition")?,
                }
            } else {
                // Both of an answer's fields are checked, so that its page
                // names each one to fix at once.
                let mut checks = Checks::new();
                let importance = checks.field(required_scale(
                    input.importance,
                    "importance",
                    "how much this matters",
                ));
                let definition = checks.field(optional_text(input.definition, "definition"));
                let (importance, definition) = checks.done((importance, definition))?;
                ValueAnswer::Rated {
                    importance,
                    definition,
                }
            };
            Ok((found.key.to_owned(), Some(answer)))
        })
        .collect()
}

/// Both answers to one item, side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemComparison {
    pub item: &'static ValueItem,
    pub a: ValueAnswer,
    pub b: ValueAnswer,
    /// `None` when either said "Not for us": a skip has no gap.
    pub gap: Option<u8>,
}

/// An item worth talking about, most pressing first.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub item: &'static ValueItem,
    pub gap: u8,
    /// How much the item matters to the two of them (mean importance).
    pub weight: f64,
    /// `gap × weight`, the ranking key.
    pub score: f64,
}

/// A revealed values round: every item both answered, and the topics.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuesComparison {
    pub number: u32,
    pub revealed_at: DateTime<Utc>,
    /// `a` and `b` in the round's partner order, the same for both readers.
    pub partners: [AccountId; 2],
    pub items: Vec<ItemComparison>,
    pub topics: Vec<Topic>,
}

/// Both importances, when both partners rated the item (neither skipped it).
fn both_rated(a: &ValueAnswer, b: &ValueAnswer) -> Option<(u8, u8)> {
    Some((a.importance()?, b.importance()?))
}

/// Sets the two revealed answer sets side by side and ranks the topics.
fn compare(revealed: &Revealed<ValueAnswer>) -> ValuesComparison {
    let [(a_id, a), (b_id, b)] = &revealed.this.answers;
    // Questionnaire order; an item only one answered (a newer item added
    // after one partner submitted) cannot be compared, so it is left out.
    let items: Vec<ItemComparison> = ITEMS
        .iter()
        .filter_map(|item| {
            let (a, b) = (a.get(item.key)?, b.get(item.key)?);
            Some(ItemComparison {
                item,
                gap: both_rated(a, b).map(|(x, y)| comparison::importance_gap(x, y)),
                a: a.clone(),
                b: b.clone(),
            })
        })
        .collect();
    // Topics only among items both rated: a "Not for us" is a skip, so it
    // never enters a gap, a weight or a score.
    let rated: Vec<(&ItemComparison, (u8, u8))> = items
        .iter()
        .filter_map(|c| Some((c, both_rated(&c.a, &c.b)?)))
        .collect();
    let pairs: Vec<(u8, u8)> = rated.iter().map(|(_, p)| *p).collect();
    let topics = comparison::rank_topics(&pairs)
        .into_iter()
        .map(|i| {
            let (c, (x, y)) = rated[i];
            Topic {
                item: c.item,
                gap: comparison::importance_gap(x, y),
                weight: comparison::topic_weight(x, y),
                score: comparison::topic_score(x, y),
            }
        })
        .collect();
    ValuesComparison {
        number: revealed.number,
        revealed_at: revealed.this.revealed_at,
        partners: [*a_id, *b_id],
        items,
        topics,
    }
}

impl crate::rounds::Instrument for Values {
    type Input<'a> = ValueInput<'a>;
    type Comparison = ValuesComparison;

    fn item_keys(&self) -> Vec<&str> {
        crate::catalog::values::ITEMS
            .iter()
            .map(|i| i.key)
            .collect()
    }

    fn parse(
        &self,
        inputs: &[ValueInput<'_>],
    ) -> Result<Answers<Option<ValueAnswer>>, DomainError> {
        parse(inputs)
    }

    fn compare(&self, revealed: &Revealed<ValueAnswer>) -> ValuesComparison {
        compare(revealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sealed::Comparison;

    fn answers(importances: &[(&str, u8)]) -> Answers<ValueAnswer> {
        importances
            .iter()
            .map(|(k, i)| {
                (
                    (*k).to_owned(),
                    ValueAnswer::Rated {
                        importance: *i,
                        definition: None,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn a_request_is_validated_whole_and_names_the_bad_field() {
        let ok = parse(&[ValueInput {
            item: "honesty",
            importance: Some(5),
            not_for_us: false,
            definition: Some("  Saying the hard thing kindly. "),
        }])
        .expect("valid");
        assert_eq!(
            ok["honesty"].as_ref().and_then(ValueAnswer::definition),
            Some("Saying the hard thing kindly.")
        );
        let all_bad = |input: ValueInput<'static>| {
            let err = parse(&[input]).expect_err("should be refused");
            err.field_errors()
                .iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        let bad = |input: ValueInput<'static>| all_bad(input)[0];
        assert_eq!(
            bad(ValueInput {
                item: "honesty",
                importance: Some(6),
                not_for_us: false,
                definition: None
            }),
            "importance"
        );
        assert_eq!(
            bad(ValueInput {
                item: "astrology",
                importance: Some(3),
                not_for_us: false,
                definition: None
            }),
            "key"
        );
        let long = "x".repeat(2_001).leak();
        assert_eq!(
            bad(ValueInput {
                item: "trust",
                importance: Some(3),
                not_for_us: false,
                definition: Some(long)
            }),
            "definition"
        );
        // Both fields of an answer wrong: each named, the importance first.
        assert_eq!(
            all_bad(ValueInput {
                item: "trust",
                importance: Some(0),
                not_for_us: false,
                definition: Some(long)
            }),
            ["importance", "definition"]
        );
        // Neither a number nor "Not for us"; or both at once.
        assert_eq!(
            bad(ValueInput {
                item: "trust",
                importance: None,
                not_for_us: false,
                definition: None
            }),
            "importance"
        );
        assert_eq!(
            bad(ValueInput {
                item: "trust",
                importance: Some(1),
                not_for_us: true,
                definition: None
            }),
            "not_for_us"
        );
    }

    #[test]
    fn not_for_us_is_stored_without_a_number_and_old_answers_still_read() {
        let skipped = parse(&[ValueInput {
            item: "faith_or_philosophy",
            importance: None,
            not_for_us: true,
            definition: Some("Neither of us holds a faith."),
        }])
        .expect("valid");
        let answer = skipped["faith_or_philosophy"].clone().expect("an answer");
        assert_eq!(answer.importance(), None);
        assert!(answer.not_for_us());
        let stored = serde_json::to_value(&answer).expect("encode");
        assert_eq!(
            stored,
            serde_json::json!({"not_for_us": true, "definition": "Neither of us holds a faith."})
        );
        assert_eq!(
            serde_json::from_value::<ValueAnswer>(stored).ok(),
            Some(answer)
        );
        // An answer stored before "Not for us" existed reads as it was.
        let old: ValueAnswer =
            serde_json::from_str(r#"{"importance":4,"definition":"x"}"#).expect("old answer");
        assert_eq!((old.importance(), old.definition()), (Some(4), Some("x")));
        // A stored `false` is neither a skip nor a score.
        assert!(serde_json::from_str::<ValueAnswer>(r#"{"not_for_us":false}"#).is_err());
    }

    #[test]
    fn a_skip_never_lowers_a_figure() {
        let (a, b) = (AccountId::new(), AccountId::new());
        let skip = ValueAnswer::NotForUs {
            not_for_us: NotForUs,
            definition: None,
        };
        let mut mine = answers(&[("respect", 5), ("money", 4), ("humor", 2)]);
        mine.insert("faith_or_philosophy".into(), skip.clone());
        let mut theirs = answers(&[("respect", 3), ("money", 1), ("humor", 3)]);
        theirs.insert(
            "faith_or_philosophy".into(),
            ValueAnswer::Rated {
                importance: 5,
                definition: None,
            },
        );
        // Both skipped "family": no gap either.
        mine.insert("family".into(), skip.clone());
        theirs.insert("family".into(), skip);
        let revealed = |x: Answers<ValueAnswer>, y: Answers<ValueAnswer>| Revealed {
            number: 1,
            this: Comparison {
                answers: [(a, x), (b, y)],
                revealed_at: Utc::now(),
            },
            previous: None,
        };
        let c = compare(&revealed(mine.clone(), theirs.clone()));
        // By hand, from the rated items alone: respect (5,3) gap 2, weight
        // 4, score 8; money (4,1) gap 3, weight 2.5, score 7.5; humor (2,3)
        // gap 1, weight 2.5, score 2.5. Had the skip been read as the
        // lowest score, faith (1,5) would lead with gap 4 · weight 3 = 12.
        let topics: Vec<_> = c
            .topics
            .iter()
            .map(|t| (t.item.key, t.gap, t.weight, t.score))
            .collect();
        assert_eq!(
            topics,
            vec![
                ("respect", 2, 4.0, 8.0),
                ("money", 3, 2.5, 7.5),
                ("humor", 1, 2.5, 2.5)
            ]
        );
        // The skipped items are still shown, with no gap.
        let gaps: Vec<_> = c.items.iter().map(|i| (i.item.key, i.gap)).collect();
        assert!(gaps.contains(&("faith_or_philosophy", None)));
        assert!(gaps.contains(&("family", None)));
        assert!(gaps.contains(&("respect", Some(2))));
        // The same figures as if the skipped items had never been asked.
        for x in [&mut mine, &mut theirs] {
            x.remove("faith_or_philosophy");
            x.remove("family");
        }
        assert_eq!(compare(&revealed(mine, theirs)).topics, c.topics);
    }

    #[test]
    fn complete_means_every_item_has_an_importance() {
        let all: Vec<(&str, u8)> = ITEMS.iter().map(|i| (i.key, 3)).collect();
        assert!(Values.complete(&answers(&all)).is_ok());
        let missing_last = &all[..all.len() - 1];
        let err = Values
            .complete(&answers(missing_last))
            .expect_err("should be refused");
        assert_eq!((err.field, err.code), ("answers", "incomplete"));
        assert!(err.message.contains(ITEMS[ITEMS.len() - 1].name));
    }

    #[test]
    fn comparison_lists_items_in_order_with_gaps_and_ranks_topics() {
        let (a, b) = (AccountId::new(), AccountId::new());
        // By hand: respect (5,3) gap 2 score 8; love (4,4) no topic;
        // money (4,1) gap 3 score 7.5; humor (2,3) gap 1 score 2.5.
        let revealed = Revealed {
            number: 1,
            this: Comparison {
                answers: [
                    (
                        a,
                        answers(&[("respect", 5), ("love", 4), ("money", 4), ("humor", 2)]),
                    ),
                    (
                        b,
                        answers(&[("respect", 3), ("love", 4), ("money", 1), ("humor", 3)]),
                    ),
                ],
                revealed_at: Utc::now(),
            },
            previous: None,
        };
        let c = compare(&revealed);
        let keys: Vec<_> = c.items.iter().map(|i| (i.item.key, i.gap)).collect();
        assert_eq!(
            keys,
            vec![
                ("respect", Some(2)),
                ("love", Some(0)),
                ("humor", Some(1)),
                ("money", Some(3))
            ]
        );
        let topics: Vec<_> = c.topics.iter().map(|t| (t.item.key, t.score)).collect();
        assert_eq!(
            topics,
            vec![("respect", 8.0), ("money", 7.5), ("humor", 2.5)]
        );
        assert_eq!(c.partners, [a, b]);
    }
}
