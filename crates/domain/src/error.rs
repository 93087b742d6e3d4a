//! Errors of the domain: what went wrong, and which field it was about.

/// A value a person typed that we cannot accept, with the field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            code,
            message: message.into(),
        }
    }
}

/// The outcomes of a use case other than success. The web layer maps each to
/// one HTTP status; the variants say what happened, not how to answer.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// A well-formed value that the rules reject (422).
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// The caller may see the thing but not do this to it (403).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The thing does not exist, or the caller may not know that it exists (404).
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state (409).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    /// The store failed; the detail is for the log, never for the client.
    #[error("storage failure: {0}")]
    Storage(String),
}

impl DomainError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            field: None,
        }
    }
}
