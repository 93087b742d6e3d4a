//! Values: how much each characteristic of a relationship matters (1–5) and
//! what it means in the partner's own words; compared once both submitted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{distinct_keys, optional_text, scale};
use crate::catalog::values::ITEMS;
use crate::catalog::ValueItem;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::AccountId;
use crate::rounds::{Answers, Questionnaire, Revealed};
use analytics::comparison;

/// One partner's answer to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueAnswer {
    pub importance: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
}

/// The values questionnaire; complete when every item has an importance.
pub struct Values;

impl Questionnaire for Values {
    type Answer = ValueAnswer;

    fn kind(&self) -> String {
        "values".into()
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
    pub importance: i64,
    pub definition: Option<&'a str>,
}

/// Validates a request's entries; all or nothing, so a bad entry writes none.
fn parse(inputs: &[ValueInput<'_>]) -> Result<Answers<Option<ValueAnswer>>, DomainError> {
    distinct_keys(inputs.iter().map(|i| i.item), "key")?;
    inputs
        .iter()
        .map(|input| {
            let found = item(input.item)?;
            // Both of an answer's fields are checked, so that its page
            // names each one to fix at once.
            let mut checks = Checks::new();
            let importance = checks.field(scale(
                input.importance,
                "importance",
                "how much this matters",
            ));
            let definition = checks.field(optional_text(input.definition, "definition"));
            let (importance, definition) = checks.done((importance, definition))?;
            let answer = ValueAnswer {
                importance,
                definition,
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
    pub gap: u8,
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
                gap: comparison::importance_gap(a.importance, b.importance),
                a: a.clone(),
                b: b.clone(),
            })
        })
        .collect();
    let pairs: Vec<(u8, u8)> = items
        .iter()
        .map(|c| (c.a.importance, c.b.importance))
        .collect();
    let topics = comparison::rank_topics(&pairs)
        .into_iter()
        .map(|i| {
            let (x, y) = pairs[i];
            Topic {
                item: items[i].item,
                gap: items[i].gap,
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
                    ValueAnswer {
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
            importance: 5,
            definition: Some("  Saying the hard thing kindly. "),
        }])
        .expect("valid");
        assert_eq!(
            ok["honesty"].as_ref().and_then(|a| a.definition.as_deref()),
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
                importance: 6,
                definition: None
            }),
            "importance"
        );
        assert_eq!(
            bad(ValueInput {
                item: "astrology",
                importance: 3,
                definition: None
            }),
            "key"
        );
        let long = "x".repeat(2_001).leak();
        assert_eq!(
            bad(ValueInput {
                item: "trust",
                importance: 3,
                definition: Some(long)
            }),
            "definition"
        );
        // Both fields of an answer wrong: each named, the importance first.
        assert_eq!(
            all_bad(ValueInput {
                item: "trust",
                importance: 0,
                definition: Some(long)
            }),
            ["importance", "definition"]
        );
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
            vec![("respect", 2), ("love", 0), ("humor", 1), ("money", 3)]
        );
        let topics: Vec<_> = c.topics.iter().map(|t| (t.item.key, t.score)).collect();
        assert_eq!(
            topics,
            vec![("respect", 8.0), ("money", 7.5), ("humor", 2.5)]
        );
        assert_eq!(c.partners, [a, b]);
    }
}
