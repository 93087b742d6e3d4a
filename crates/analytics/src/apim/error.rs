//! Why a model could not be fitted, worded for the researcher who has to act
//! on it.

use super::Model;

/// Why a model could not be fitted; each names the dyads concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum ApimError {
    /// Dyads with one member, or a member without X or Y (only from the
    /// dyad-list wrappers; `ApimData` fits incomplete dyads).
    Incomplete(Vec<String>),
    /// Dyads with more than two rows.
    TooManyMembers(Vec<String>),
    /// The distinguishing variable does not take exactly two values.
    RoleCount(Vec<String>),
    /// Dyads whose two members do not have one role each.
    RolesPerDyad(Vec<String>),
    /// Too few complete dyads for the model's parameters.
    TooFewDyads {
        have: usize,
        need: usize,
        /// Fixed effects in each member's equation.
        parameters: usize,
        model: Model,
    },
    /// X does not vary as the model needs.
    Degenerate(&'static str),
    /// The distinguishable model was asked for without roles in the spec.
    NeedsRoles,
    /// The REML iterations did not settle.
    NoConvergence,
}

impl std::fmt::Display for ApimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn list(ids: &[String]) -> String {
            const SHOWN: usize = 10;
            let mut s = ids
                .iter()
                .take(SHOWN)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            if ids.len() > SHOWN {
                s.push_str(&format!(" and {} more", ids.len() - SHOWN));
            }
            s
        }
        match self {
            Self::Incomplete(ids) => write!(
                f,
                "incomplete dyads (a member missing, or missing X or Y): {}; this interface \
                 takes complete dyads only (ApimData fits incomplete ones)",
                list(ids)
            ),
            Self::TooManyMembers(ids) => {
                write!(f, "dyads with more than two rows: {}", list(ids))
            }
            Self::RoleCount(values) => write!(
                f,
                "the distinguishing variable must take exactly two values, found {}: {}",
                values.len(),
                list(values)
            ),
            Self::RolesPerDyad(ids) => write!(
                f,
                "dyads whose members do not have one role each: {}",
                list(ids)
            ),
            Self::TooFewDyads {
                have,
                need,
                parameters,
                model: Model::Distinguishable,
            } => write!(
                f,
                "{have} complete dyads (both partners' rows usable); the distinguishable model \
                 estimates {parameters} effects per role plus each role's residual variance and \
                 their correlation, so it needs at least {need} complete dyads (with fewer the \
                 residual correlation comes out as exactly ±1 and every test is meaningless). \
                 Collect more dyads, or fit the indistinguishable model"
            ),
            Self::TooFewDyads {
                have,
                need,
                parameters,
                model: Model::Indistinguishable,
            } => write!(
                f,
                "{have} complete dyads (both partners' rows usable); the model estimates \
                 {parameters} effects plus a residual variance and covariance, so it needs at \
                 least {need} complete dyads"
            ),
            Self::Degenerate(what) => write!(f, "{what}"),
            Self::NeedsRoles => write!(
                f,
                "the distinguishable model needs a distinguishing variable with two values"
            ),
            Self::NoConvergence => write!(
                f,
                "the REML estimates did not settle after 500 iterations; the data may be too \
                 few or too irregular for this model"
            ),
        }
    }
}

impl std::error::Error for ApimError {}
