//! What a caller hands the APIM: which columns the data have, one person's
//! row as read, why a dyad's rows are refused, and which model to fit.

/// What the data hold beyond X and Y.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApimSpec {
    /// `Some([first, second])` when a distinguishing column was given: the two
    /// values as written in the file, in order of first appearance.
    pub roles: Option<[String; 2]>,
    /// Names of the covariate columns, in order.
    pub covariates: Vec<String>,
}

/// One person's row as read. `role` indexes `ApimSpec::roles` (ignored
/// without roles). A value is `None` when the cell is missing.
/// `covariates.len() == spec.covariates.len()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member<'a> {
    pub role: Option<usize>,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub covariates: &'a [Option<f64>],
}

/// Why one dyad's rows cannot be used; the caller adds the dyad id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DyadError {
    /// More than two rows.
    TooManyMembers,
    /// With roles: the members do not have one role each (or a role is
    /// missing or out of range).
    RolesNotOneEach,
}

impl std::fmt::Display for DyadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooManyMembers => write!(f, "the dyad has more than two rows"),
            Self::RolesNotOneEach => write!(
                f,
                "the dyad's members do not have one role each (one of each distinguishing value)"
            ),
        }
    }
}

impl std::error::Error for DyadError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Indistinguishable,
    Distinguishable,
}
