//! The respect map: per area, "I respect your …" and "I feel respected in
//! my …" (1–5). One partner's stated respect is set beside the other's felt
//! respect, and the pairs that differ or feel low are highlighted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{distinct_keys, scale};
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

/// One partner's answer for one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RespectAnswer {
    pub i_respect: u8,
    pub i_feel_respected: u8,
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
                // Both scales are checked, so that the area's page names
                // each one to fix at once.
                let mut checks = Checks::new();
                let i_respect = checks.field(scale(
                    input.i_respect,
                    "i_respect",
                    "how much you respect this",
                ));
                let i_feel_respected = checks.field(scale(
                    input.i_feel_respected,
                    "i_feel_respected",
                    "how respected you feel here",
                ));
                let (i_respect, i_feel_respected) = checks.done((i_respect, i_feel_respected))?;
                let answer = RespectAnswer {
                    i_respect,
                    i_feel_respected,
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
    pub i_respect: i64,
    pub i_feel_respected: i64,
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
    /// What `a` says they respect beside what `b` feels.
    pub towards_b: RespectGap,
    /// What `b` says they respect beside what `a` feels.
    pub towards_a: RespectGap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RespectComparison {
    pub number: u32,
    pub revealed_at: DateTime<Utc>,
    pub partners: [AccountId; 2],
    pub areas: Vec<AreaComparison>,
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
                towards_b: RespectGap::new(a.i_respect, b.i_feel_respected),
                towards_a: RespectGap::new(b.i_respect, a.i_feel_respected),
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
            }])
            .expect_err("should be refused")
            .field_errors()
            .iter()
            .map(|e| e.field)
            .collect::<Vec<_>>()
        };
        assert_eq!(err("creativity", 0, 3), ["i_respect"]);
        assert_eq!(err("creativity", 3, 9), ["i_feel_respected"]);
        // Both scales wrong: each named, in the page's order.
        assert_eq!(err("creativity", 0, 9), ["i_respect", "i_feel_respected"]);
        assert_eq!(err("cooking", 3, 3), ["key"]);
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
                        RespectAnswer {
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
        assert_eq!(
            (profession.towards_b.stated, profession.towards_b.felt),
            (5, 3)
        );
        assert!(profession.towards_b.highlighted());
        assert!(!profession.towards_a.highlighted());
        let parenting = &c.areas[1];
        assert!(parenting.towards_b.low_felt && !parenting.towards_b.differs);
        assert_eq!(parenting.towards_a.gap, 0);
    }
}
