//! The earlier dyad-list interface, kept as thin wrappers over `ApimData`
//! so callers written against it keep working.

use super::{ApimData, ApimError, ApimFit, ApimSpec, DyadError, Member, Model};

/// One person's row: their role (the distinguishing variable, if any) and
/// their X and Y, `None` when missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub role: Option<String>,
    pub x: Option<f64>,
    pub y: Option<f64>,
}

/// A dyad: its id as written in the data and its members.
#[derive(Debug, Clone, PartialEq)]
pub struct Dyad {
    pub id: String,
    pub members: Vec<Person>,
}

/// The distinct roles in order of first appearance.
fn roles(dyads: &[Dyad]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for m in dyads.iter().flat_map(|d| &d.members) {
        if let Some(r) = &m.role {
            if !seen.contains(r) {
                seen.push(r.clone());
            }
        }
    }
    seen
}

/// Folds the dyads, collecting every dyad's error so all are named at once.
fn fold(dyads: &[Dyad], spec: ApimSpec) -> Result<ApimData, ApimError> {
    let roles = spec.roles.clone();
    let mut data = ApimData::new(spec);
    let (mut too_many, mut bad_roles) = (Vec::new(), Vec::new());
    for d in dyads {
        let members: Vec<Member> = d
            .members
            .iter()
            .map(|p| Member {
                role: roles
                    .as_ref()
                    .and_then(|r| r.iter().position(|v| Some(v) == p.role.as_ref())),
                x: p.x,
                y: p.y,
                covariates: &[],
            })
            .collect();
        match data.push_dyad(&members) {
            Ok(()) => {}
            Err(DyadError::TooManyMembers) => too_many.push(d.id.clone()),
            Err(DyadError::RolesNotOneEach) => bad_roles.push(d.id.clone()),
        }
    }
    if !too_many.is_empty() {
        return Err(ApimError::TooManyMembers(too_many));
    }
    if !bad_roles.is_empty() {
        return Err(ApimError::RolesPerDyad(bad_roles));
    }
    // This interface always refused incomplete dyads, and its callers (and
    // their tests) rely on that; `ApimData` is the way to fit them.
    let incomplete: Vec<String> = dyads
        .iter()
        .filter(|d| d.members.len() < 2 || d.members.iter().any(|m| m.x.is_none() || m.y.is_none()))
        .map(|d| d.id.clone())
        .collect();
    if !incomplete.is_empty() {
        return Err(ApimError::Incomplete(incomplete));
    }
    Ok(data)
}

/// APIM with indistinguishable members (see the module documentation), for
/// complete dyads only: incomplete ones are refused by name.
pub fn indistinguishable(dyads: &[Dyad]) -> Result<ApimFit, ApimError> {
    fold(dyads, ApimSpec::default())?.fit(Model::Indistinguishable)
}

/// APIM with members distinguished by role (two-intercept model), with the
/// distinguishability test, for complete dyads only.
pub fn distinguishable(dyads: &[Dyad]) -> Result<ApimFit, ApimError> {
    let r = roles(dyads);
    let [a, b] = r.as_slice() else {
        return Err(ApimError::RoleCount(r));
    };
    let spec = ApimSpec {
        roles: Some([a.clone(), b.clone()]),
        covariates: Vec::new(),
    };
    fold(dyads, spec)?.fit(Model::Distinguishable)
}
