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
    /// Several fields of one form that the rules reject (422), in the order
    /// the form's rules are checked: always two or more, so that a single
    /// refusal stays [`DomainError::Invalid`] for every client that knows
    /// only that one. The first is the main one (its field and message are
    /// what an older client shows). Made by [`Checks::done`].
    #[error("{}", first_of(.0))]
    InvalidFields(Vec<FieldError>),
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

/// The main error of several, as the one line a log shows.
fn first_of(all: &[FieldError]) -> String {
    all.first().map(ToString::to_string).unwrap_or_default()
}

impl DomainError {
    /// Every field error this refusal carries, the main one first; empty
    /// for anything that is not a refusal of typed values.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(one) => std::slice::from_ref(one),
            Self::InvalidFields(all) => all,
            _ => &[],
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            field: None,
        }
    }
}

/// Collects the field errors of one form, so that a person sees every field
/// to fix at once rather than one per try. Each rule is still checked in
/// the order the form reads; a rule that needs another field's value runs
/// only when that value was accepted (see `both`).
///
/// ```
/// use domain::error::{Checks, FieldError};
/// fn positive(n: i64, field: &'static str) -> Result<i64, FieldError> {
///     if n > 0 { Ok(n) } else { Err(FieldError::new(field, "out_of_range", "Use a positive number.")) }
/// }
/// let mut checks = Checks::new();
/// let a = checks.field(positive(1, "a"));
/// let b = checks.field(positive(-1, "b"));
/// assert!(checks.done((a, b)).is_err());
/// ```
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps a checked value, or notes its error and answers `None`.
    pub fn field<T>(&mut self, checked: Result<T, FieldError>) -> Option<T> {
        match checked {
            Ok(value) => Some(value),
            Err(err) => {
                self.errors.push(err);
                None
            }
        }
    }

    /// Notes the error of a rule that yields no value.
    pub fn check(&mut self, checked: Result<(), FieldError>) {
        self.field(checked);
    }

    /// Whether a field already has an error (so a later rule about the same
    /// field does not add a second, contradicting message).
    pub fn failed(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// The values every `field` kept, when no rule failed; otherwise every
    /// error at once (one stays `Invalid`, several are `InvalidFields`).
    pub fn done<V: Checked>(self, values: V) -> Result<V::Values, DomainError> {
        let mut errors = self.errors;
        match (values.all(), errors.len()) {
            (Some(values), 0) => Ok(values),
            (_, 0) => Err(FieldError::new(
                "form",
                "invalid",
                "Something in this form needs another look.",
            )
            .into()),
            (_, 1) => Err(DomainError::Invalid(errors.remove(0))),
            _ => Err(DomainError::InvalidFields(errors)),
        }
    }
}

/// The values `Checks::field` kept, unwrapped together once no rule failed:
/// `()`, one `Option`, or a tuple of `Option`s.
pub trait Checked {
    type Values;
    fn all(self) -> Option<Self::Values>;
}

impl Checked for () {
    type Values = ();
    fn all(self) -> Option<()> {
        Some(())
    }
}

impl<A> Checked for Option<A> {
    type Values = A;
    fn all(self) -> Option<A> {
        self
    }
}

macro_rules! checked_tuple {
    ($($t:ident $v:ident),+) => {
        impl<$($t),+> Checked for ($(Option<$t>,)+) {
            type Values = ($($t,)+);
            fn all(self) -> Option<Self::Values> {
                let ($($v,)+) = self;
                Some(($($v?,)+))
            }
        }
    };
}

checked_tuple!(A a);
checked_tuple!(A a, B b);
checked_tuple!(A a, B b, C c);
checked_tuple!(A a, B b, C c, D d);
checked_tuple!(A a, B b, C c, D d, E e);
checked_tuple!(A a, B b, C c, D d, E e, F f);
checked_tuple!(A a, B b, C c, D d, E e, F f, G g);
checked_tuple!(A a, B b, C c, D d, E e, F f, G g, H h);

#[cfg(test)]
mod tests {
    use super::*;

    fn at_most(n: i64, max: i64, field: &'static str) -> Result<i64, FieldError> {
        if n <= max {
            Ok(n)
        } else {
            Err(FieldError::new(
                field,
                "too_big",
                format!("{field} is at most {max}."),
            ))
        }
    }

    #[test]
    fn every_value_comes_back_when_every_rule_passes() {
        let mut checks = Checks::new();
        let a = checks.field(at_most(1, 5, "a"));
        let b = checks.field(at_most(2, 5, "b"));
        checks.check(Ok(()));
        assert_eq!(checks.done((a, b)).expect("all accepted"), (1, 2));
        assert!(Checks::new().done(()).is_ok());
    }

    #[test]
    fn one_failure_stays_the_single_invalid_older_clients_know() {
        let mut checks = Checks::new();
        let a = checks.field(at_most(9, 5, "a"));
        let b = checks.field(at_most(2, 5, "b"));
        match checks.done((a, b)) {
            Err(DomainError::Invalid(f)) => assert_eq!((f.field, f.code), ("a", "too_big")),
            other => panic!("expected one field error, got {other:?}"),
        }
    }

    #[test]
    fn several_failures_come_together_in_rule_order_the_first_as_main() {
        let mut checks = Checks::new();
        let a = checks.field(at_most(9, 5, "a"));
        let b = checks.field(at_most(2, 5, "b"));
        let c = checks.field(at_most(7, 3, "c"));
        checks.check(Err(FieldError::new("d", "required", "d is needed.")));
        assert!(checks.failed("c") && !checks.failed("b"));
        let err = checks.done((a, b, c)).expect_err("three refused");
        let fields: Vec<_> = err.field_errors().iter().map(|f| f.field).collect();
        assert_eq!(fields, ["a", "c", "d"]);
        // The main message is the first rule's, as a single refusal's was.
        assert_eq!(err.to_string(), "a: a is at most 5.");
        assert!(matches!(err, DomainError::InvalidFields(_)));
    }

    #[test]
    fn a_value_never_kept_without_an_error_is_still_refused() {
        let none: Option<i64> = None;
        let err = Checks::new().done(none).expect_err("nothing kept");
        assert_eq!(err.field_errors().len(), 1);
    }

    #[test]
    fn only_refusals_carry_field_errors() {
        assert!(DomainError::NotFound.field_errors().is_empty());
        assert!(DomainError::conflict("x", "y").field_errors().is_empty());
    }
}
