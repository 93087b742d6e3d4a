//! The respect map: per area, "I respect your …" and "I feel respected in
//! my …" (1–5). One partner's stated respect is set beside the other's felt
//! respect, and the pairs that differ or feel low are highlighted. An area
//! that does not apply to the two of them (parenting without children) is
//! answered "Not for us": a skip with no number, so it is never set beside
//! anything, nor highlighted as low.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{distinct_keys, required_scale, score_or_skip, NotForUs};
use crate::access;
use crate::app::App;
use crate::catalog::respect::AREAS;
use crate::error::{Checks, DomainError, FieldError};
use crate::ids::{AccountId, RelationshipId};
use crate::rounds::{self, Answers, Questionnaire, Revealed};
use crate::store::{CustomArea, Store, StoreError};
pub use analytics::comparison::RespectGap;

/// The longest name of an area a couple adds, in characters.
pub const AREA_NAME_MAX_CHARS: usize = 60;
/// How many areas a couple may add: enough for what matters to them, few
/// enough that the map stays quick to answer on a phone.
pub const CUSTOM_AREAS_MAX: usize = 8;

/// One partner's answer for one area: both scores, or "Not for us".
/// Stored as JSON: a rated answer as it always was, a skip as
/// `{"not_for_us": true}` with no number at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RespectAnswer {
    Rated { i_respect: u8, i_feel_respected: u8 },
    NotForUs { not_for_us: NotForUs },
}

impl RespectAnswer {
    /// "I respect your …", 1–5; `None` for "Not for us".
    pub fn i_respect(&self) -> Option<u8> {
        match self {
            Self::Rated { i_respect, .. } => Some(*i_respect),
            Self::NotForUs { .. } => None,
        }
    }

    /// "I feel respected in my …", 1–5; `None` for "Not for us".
    pub fn i_feel_respected(&self) -> Option<u8> {
        match self {
            Self::Rated {
                i_feel_respected, ..
            } => Some(*i_feel_respected),
            Self::NotForUs { .. } => None,
        }
    }

    pub fn not_for_us(&self) -> bool {
        matches!(self, Self::NotForUs { .. })
    }
}

/// An area of the map: one of ours (keyed by name) or one the couple added
/// (keyed by its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub key: String,
    pub name: String,
    pub hint: Option<&'static str>,
    pub custom: bool,
}

/// The map for one relationship: our areas, then the couple's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespectMap {
    pub areas: Vec<Area>,
}

impl RespectMap {
    pub fn new(custom: &[CustomArea]) -> Self {
        let ours = AREAS.iter().map(|a| Area {
            key: a.key.to_owned(),
            name: a.name.to_owned(),
            hint: Some(a.hint),
            custom: false,
        });
        let theirs = custom.iter().map(|c| Area {
            key: c.id.to_string(),
            name: c.name.clone(),
            hint: None,
            custom: true,
        });
        Self {
            areas: ours.chain(theirs).collect(),
        }
    }

    /// The map `actor` answers in `rel`. SECURITY: once the relationship
    /// ended, the areas the other partner added (their words) are left out.
    pub async fn load(
        app: &App,
        actor: AccountId,
        rel: RelationshipId,
    ) -> Result<Self, DomainError> {
        let store = app.store();
        let reader = access::reader(store, actor, rel).await?;
        let mut custom = store.custom_areas(rel).await?;
        custom.retain(|a| reader.may_read_words_of(a.created_by));
        Ok(Self::new(&custom))
    }

    pub(crate) async fn load_all(
        store: &dyn Store,
        rel: RelationshipId,
    ) -> Result<Self, DomainError> {
        Ok(Self::new(&store.custom_areas(rel).await?))
    }

    pub fn area(&self, key: &str) -> Result<&Area, FieldError> {
        self.areas.iter().find(|a| a.key == key).ok_or_else(|| {
            FieldError::new(
                "key",
                "unknown_area",
                format!("There is no area \"{key}\" in your map."),
            )
        })
    }

    /// Validates a request's entries; all or nothing.
    fn parse_inputs(
        &self,
        inputs: &[RespectInput<'_>],
    ) -> Result<Answers<Option<RespectAnswer>>, DomainError> {
        distinct_keys(inputs.iter().map(|i| i.area), "key")?;
        inputs
            .iter()
            .map(|input| {
                let area = self.area(input.area)?;
                let answer = if input.not_for_us {
                    if input.i_respect.is_some() || input.i_feel_respected.is_some() {
                        return Err(score_or_skip().into());
                    }
                    RespectAnswer::NotForUs {
                        not_for_us: NotForUs,
                    }
                } else {
                    // Both scales are checked, so that the area's page names
                    // each one to fix at once.
                    let mut checks = Checks::new();
                    let i_respect = checks.field(required_scale(
                        input.i_respect,
                        "i_respect",
                        "how much you respect this",
                    ));
                    let i_feel_respected = checks.field(required_scale(
                        input.i_feel_respected,
                        "i_feel_respected",
                        "how respected you feel here",
                    ));
                    let (i_respect, i_feel_respected) =
                        checks.done((i_respect, i_feel_respected))?;
                    RespectAnswer::Rated {
                        i_respect,
                        i_feel_respected,
                    }
                };
                Ok((area.key.clone(), Some(answer)))
            })
            .collect()
    }
}

impl Questionnaire for RespectMap {
    type Answer = RespectAnswer;

    fn kind(&self) -> String {
        "respect".into()
    }

    /// A new round starts when both want it (one asks, the other agrees).
    fn rounds_by_agreement(&self) -> bool {
        true
    }

    fn complete(&self, answers: &Answers<RespectAnswer>) -> Result<(), FieldError> {
        match self.areas.iter().find(|a| !answers.contains_key(&a.key)) {
            None => Ok(()),
            Some(area) => Err(FieldError::new(
                "areas",
                "incomplete",
                format!(
                    "Please answer every area before sending; \"{}\" is still open.",
                    area.name
                ),
            )),
        }
    }
}

/// One entry of a request, as sent.
#[derive(Debug, Clone)]
pub struct RespectInput<'a> {
    pub area: &'a str,
    /// 1–5 each; both absent with `not_for_us`.
    pub i_respect: Option<i64>,
    pub i_feel_respected: Option<i64>,
    /// "Not for us": the area does not apply; refused beside a number.
    pub not_for_us: bool,
}

/// Adds an area the couple wants on their map. Only while nobody has
/// submitted the current round, so both answer the same questions.
pub async fn add_area(
    app: &App,
    actor: AccountId,
    rel: RelationshipId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Area, DomainError> {
    let store = app.store();
    let name = area_name(name)?;
    rounds::answerable(store, actor, rel).await?;
    let map = RespectMap::load_all(store, rel).await?;
    if map.areas.iter().filter(|a| a.custom).count() >= CUSTOM_AREAS_MAX {
        return Err(too_many_areas());
    }
    if rounds::submissions_in_progress(store, rel, &map).await? {
        return Err(DomainError::conflict(
            "round_in_progress",
            "One of you has already sent this round's answers. Add the area when you start the next round.",
        ));
    }
    let area = CustomArea {
        id: uuid::Uuid::new_v4(),
        name: name.clone(),
        created_by: actor,
        created_at: now,
    };
    // The cap and the active relationship are held by the insert itself
    // (a numbered slot, unique per relationship); a lost race for a slot is
    // tried again with the next one, until the slots run out.
    for _ in 0..CUSTOM_AREAS_MAX {
        match store
            .insert_custom_area(rel, &area, CUSTOM_AREAS_MAX as u32)
            .await
        {
            Ok(true) => {
                return Ok(Area {
                    key: area.id.to_string(),
                    name,
                    hint: None,
                    custom: true,
                })
            }
            Ok(false) => {
                return Err(access::refusal(store, actor, rel)
                    .await?
                    .unwrap_or_else(too_many_areas))
            }
            Err(StoreError::Conflict("area_slot")) => continue,
            Err(StoreError::Conflict(_)) => {
                return Err(DomainError::Conflict {
                    code: "area_exists",
                    message: "Your map already has an area with this name.".into(),
                    field: Some("name"),
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(too_many_areas())
}

fn too_many_areas() -> DomainError {
    FieldError::new(
        "name",
        "too_many",
        format!("A map can hold {CUSTOM_AREAS_MAX} areas of your own."),
    )
    .into()
}

fn area_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "required", "Give the area a name."));
    }
    if name.chars().count() > AREA_NAME_MAX_CHARS {
        return Err(FieldError::new(
            "name",
            "too_long",
            format!("Keep the name to {AREA_NAME_MAX_CHARS} characters or fewer."),
        ));
    }
    if AREAS.iter().any(|a| a.name.eq_ignore_ascii_case(name)) {
        return Err(FieldError::new(
            "name",
            "area_exists",
            "This area is already on the map.",
        ));
    }
    Ok(name.to_owned())
}

/// Both answers for one area, and respect in each direction.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaComparison {
    pub area: Area,
    pub a: RespectAnswer,
    pub b: RespectAnswer,
    /// What `a` says they respect beside what `b` feels; `None` when either
    /// said "Not for us" (a skip is set beside nothing).
    pub towards_b: Option<RespectGap>,
    /// What `b` says they respect beside what `a` feels; `None` likewise.
    pub towards_a: Option<RespectGap>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RespectComparison {
    pub number: u32,
    pub revealed_at: DateTime<Utc>,
    pub partners: [AccountId; 2],
    pub areas: Vec<AreaComparison>,
}

/// What `from` says they respect beside what `to` feels, when neither
/// skipped the area.
fn direction(from: &RespectAnswer, to: &RespectAnswer) -> Option<RespectGap> {
    Some(RespectGap::new(from.i_respect()?, to.i_feel_respected()?))
}

/// Sets stated beside felt respect for every area both answered.
fn compare(map: &RespectMap, revealed: &Revealed<RespectAnswer>) -> RespectComparison {
    let [(a_id, a), (b_id, b)] = &revealed.this.answers;
    let areas = map
        .areas
        .iter()
        .filter_map(|area| {
            let (a, b) = (*a.get(&area.key)?, *b.get(&area.key)?);
            Some(AreaComparison {
                area: area.clone(),
                towards_b: direction(&a, &b),
                towards_a: direction(&b, &a),
                a,
                b,
            })
        })
        .collect();
    RespectComparison {
        number: revealed.number,
        revealed_at: revealed.this.revealed_at,
        partners: [*a_id, *b_id],
        areas,
    }
}

impl crate::rounds::Instrument for RespectMap {
    type Input<'a> = RespectInput<'a>;
    type Comparison = RespectComparison;

    fn item_keys(&self) -> Vec<&str> {
        self.areas.iter().map(|a| a.key.as_str()).collect()
    }

    fn parse(
        &self,
        inputs: &[RespectInput<'_>],
    ) -> Result<Answers<Option<RespectAnswer>>, DomainError> {
        self.parse_inputs(inputs)
    }

    fn compare(&self, revealed: &Revealed<RespectAnswer>) -> RespectComparison {
        compare(self, revealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sealed::Comparison;

    fn custom(name: &str) -> CustomArea {
        CustomArea {
            id: uuid::Uuid::new_v4(),
            name: name.into(),
            created_by: AccountId::new(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn the_map_holds_our_areas_then_the_couples() {
        let music = custom("Music");
        let map = RespectMap::new(std::slice::from_ref(&music));
        let keys: Vec<_> = map.areas.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys[0], "philosophy");
        assert_eq!(keys.last(), Some(&music.id.to_string().as_str()));
        assert!(map.areas.last().is_some_and(|a| a.custom));
    }

    #[test]
    fn bad_entries_name_their_field() {
        let map = RespectMap::new(&[]);
        let err = |area, r, f| {
            map.parse_inputs(&[RespectInput {
                area,
                i_respect: r,
                i_feel_respected: f,
                not_for_us: false,
            }])
            .expect_err("should be refused")
            .field_errors()
            .iter()
            .map(|e| e.field)
            .collect::<Vec<_>>()
        };
        assert_eq!(err("creativity", Some(0), Some(3)), ["i_respect"]);
        assert_eq!(err("creativity", Some(3), Some(9)), ["i_feel_respected"]);
        assert_eq!(err("creativity", Some(3), None), ["i_feel_respected"]);
        // Both scales wrong: each named, in the page's order.
        assert_eq!(
            err("creativity", Some(0), Some(9)),
            ["i_respect", "i_feel_respected"]
        );
        assert_eq!(err("cooking", Some(3), Some(3)), ["key"]);
        let skip = |r: Option<i64>| {
            map.parse_inputs(&[RespectInput {
                area: "parenting",
                i_respect: r,
                i_feel_respected: None,
                not_for_us: true,
            }])
        };
        assert_eq!(
            skip(None).expect("a skip")["parenting"],
            Some(RespectAnswer::NotForUs {
                not_for_us: NotForUs
            })
        );
        assert_eq!(
            skip(Some(2)).expect_err("both refused").field_errors()[0].field,
            "not_for_us"
        );
    }

    #[test]
    fn area_names_are_checked() {
        assert_eq!(area_name("  Music ").as_deref(), Ok("Music"));
        assert_eq!(
            area_name(" ").expect_err("should be refused").code,
            "required"
        );
        assert_eq!(
            area_name(&"m".repeat(61))
                .expect_err("should be refused")
                .code,
            "too_long"
        );
        assert_eq!(
            area_name("creativity").expect_err("should be refused").code,
            "area_exists"
        );
    }

    #[test]
    fn stated_respect_is_set_beside_the_other_partners_felt_respect() {
        let (a, b) = (AccountId::new(), AccountId::new());
        let map = RespectMap::new(&[]);
        let ans = |pairs: &[(&str, u8, u8)]| -> Answers<RespectAnswer> {
            pairs
                .iter()
                .map(|(k, r, f)| {
                    (
                        (*k).to_owned(),
                        RespectAnswer::Rated {
                            i_respect: *r,
                            i_feel_respected: *f,
                        },
                    )
                })
                .collect()
        };
        // By hand, profession: a respects 5, b feels 3 → gap 2, highlighted;
        // b respects 4, a feels 4 → gap 0, fine. Parenting: a respects 3,
        // b feels 2 → gap 1 but felt ≤ 2, highlighted.
        let revealed = Revealed {
            number: 2,
            this: Comparison {
                answers: [
                    (a, ans(&[("profession", 5, 4), ("parenting", 3, 4)])),
                    (b, ans(&[("profession", 4, 3), ("parenting", 4, 2)])),
                ],
                revealed_at: Utc::now(),
            },
            previous: None,
        };
        let c = compare(&map, &revealed);
        assert_eq!(c.areas.len(), 2);
        let profession = &c.areas[0];
        assert_eq!(profession.area.key, "profession");
        let (to_b, to_a) = (
            profession.towards_b.expect("rated"),
            profession.towards_a.expect("rated"),
        );
        assert_eq!((to_b.stated, to_b.felt), (5, 3));
        assert!(to_b.highlighted());
        assert!(!to_a.highlighted());
        let parenting = &c.areas[1];
        let to_b = parenting.towards_b.expect("rated");
        assert!(to_b.low_felt && !to_b.differs);
        assert_eq!(parenting.towards_a.map(|g| g.gap), Some(0));
    }

    #[test]
    fn a_skip_is_set_beside_nothing_and_never_reads_as_low_respect() {
        let (a, b) = (AccountId::new(), AccountId::new());
        let map = RespectMap::new(&[]);
        let rated = |r, f| RespectAnswer::Rated {
            i_respect: r,
            i_feel_respected: f,
        };
        let skip = RespectAnswer::NotForUs {
            not_for_us: NotForUs,
        };
        let answers = |pairs: Vec<(&str, RespectAnswer)>| -> Answers<RespectAnswer> {
            pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
        };
        // By hand: parenting is "Not for us" for a; b answered 4 and 4.
        // Were the skip read as the lowest score (1), a's felt respect would
        // be 1 (low, highlighted) and a's stated 1 beside b's felt 4 (gap 3,
        // highlighted): two false alarms. Profession: a respects 4, b feels
        // 4, b respects 3, a feels 3: nothing to mark.
        let revealed = Revealed {
            number: 1,
            this: Comparison {
                answers: [
                    (
                        a,
                        answers(vec![("parenting", skip), ("profession", rated(4, 3))]),
                    ),
                    (
                        b,
                        answers(vec![
                            ("parenting", rated(4, 4)),
                            ("profession", rated(3, 4)),
                        ]),
                    ),
                ],
                revealed_at: Utc::now(),
            },
            previous: None,
        };
        let c = compare(&map, &revealed);
        // Map order: profession before parenting; both areas are shown.
        let keys: Vec<_> = c.areas.iter().map(|x| x.area.key.as_str()).collect();
        assert_eq!(keys, ["profession", "parenting"]);
        let parenting = &c.areas[1];
        assert!(parenting.a.not_for_us());
        assert_eq!((parenting.towards_a, parenting.towards_b), (None, None));
        let highlighted = c
            .areas
            .iter()
            .flat_map(|x| [x.towards_a, x.towards_b])
            .flatten()
            .filter(RespectGap::highlighted)
            .count();
        assert_eq!(highlighted, 0);
        let profession = &c.areas[0];
        assert_eq!(
            profession.towards_b.map(|g| (g.stated, g.felt, g.gap)),
            Some((4, 4, 0))
        );
        assert_eq!(
            profession.towards_a.map(|g| (g.stated, g.felt, g.gap)),
            Some((3, 3, 0))
        );
    }
}
