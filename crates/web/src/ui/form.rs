//! Form bodies and the errors shown beside their fields.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::de::DeserializeOwned;

use crate::error::{AppError, PageError};
use crate::state::AppState;

/// What a refused form shows: one message beside each field it names (the
/// first the rules gave for that field), in the order the form lists them,
/// plus at most one for the form as a whole. The field messages are also
/// listed, as links, in the summary at the top (`m::error_summary`).
#[derive(Default)]
pub struct Errors {
    fields: Vec<(String, String)>,
    general: Option<String>,
}

/// One line of the summary at the top of a form: the message, linking to
/// the field it belongs to.
pub struct SummaryLine<'a> {
    /// The id of what the link moves to: the field's input, or the
    /// `<field>-group` fieldset of a group of choices.
    pub anchor: String,
    pub message: &'a str,
}

impl Errors {
    /// Places an API error: each field error beside its field when the
    /// form shows that field, at the top of the form otherwise.
    pub fn from_api(err: &AppError, fields: &[&str]) -> Self {
        let mut errors = Self::default();
        for problem in err.field_problems() {
            if !fields.contains(&problem.field.as_str()) {
                errors.general.get_or_insert(problem.message);
            } else if errors.get(&problem.field).is_none() {
                errors.fields.push((problem.field, problem.message));
            }
        }
        if errors.fields.is_empty() && errors.general.is_none() {
            errors.general = Some(err.message.clone());
        }
        // The summary reads in the order the form does, as `fields` lists
        // them (the rules may check them in another order).
        errors
            .fields
            .sort_by_key(|(f, _)| fields.iter().position(|shown| *shown == f.as_str()));
        errors
    }

    /// A use case's refusal, as a form shows it: beside the fields, or at
    /// the top of the form, with its status. Failures the form cannot help
    /// with (ours, a space that ended meanwhile, something gone) become the
    /// error page instead, so a handler just writes `?`.
    pub fn for_form(
        err: impl Into<AppError>,
        fields: &[&str],
    ) -> Result<(Self, StatusCode), PageError> {
        let err = err.into();
        if err.status.is_server_error()
            || err.status == StatusCode::NOT_FOUND
            || err.code == "ended"
        {
            return Err(PageError(err));
        }
        Ok((Self::from_api(&err, fields), err.status))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }

    pub fn general(&self) -> Option<&str> {
        self.general.as_deref()
    }

    /// The summary's lines, one per field with an error, in form order.
    /// `ids` says where the links go, as space-separated words: a field's
    /// name for a field drawn as a group of choices, whose link goes to its
    /// `<field>-group` fieldset; `prefix*` for a form whose inputs' ids are
    /// its fields' names after a prefix (`w-*`: `w-terms`). Any other
    /// field's link goes to its input, whose id is its name.
    pub fn summary(&self, ids: &str) -> Vec<SummaryLine<'_>> {
        let prefix = ids
            .split_whitespace()
            .find_map(|w| w.strip_suffix('*'))
            .unwrap_or("");
        self.fields
            .iter()
            .map(|(field, message)| SummaryLine {
                anchor: if ids.split_whitespace().any(|g| g == field) {
                    format!("{field}-group")
                } else {
                    format!("{prefix}{field}")
                },
                message,
            })
            .collect()
    }

    /// The summary's heading: how many things to look at, in a sentence.
    pub fn summary_heading(&self) -> String {
        match self.fields.len() {
            1 => "One thing needs a second look".to_owned(),
            n => format!("{n} things need a second look"),
        }
    }
}

/// A urlencoded form. Fields are declared `#[serde(default)]`, so a missing
/// field arrives empty and is reported by the domain's own validation; only
/// an unreadable or oversized body, or text holding a NUL character, is
/// refused here.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let unreadable = || {
            super::message(
                state,
                StatusCode::BAD_REQUEST,
                "Sorry",
                "We couldn't read that form. Please go back and try again.",
            )
        };
        // The body is read first, under the same size limit, so that it can
        // be checked for a NUL before the form is decoded from it.
        let (parts, body) = req.into_parts();
        let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), state).await
        {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(super::error_page(state, AppError::too_large()))
            }
            Err(_) => return Err(unreadable()),
        };
        let again = || Request::from_parts(parts.clone(), Body::from(bytes.clone()));
        if might_hold_nul(&bytes) {
            // Decoded as plain pairs, so that every field is seen, including
            // one the form's type would ignore.
            if let Ok(Form(pairs)) =
                Form::<Vec<(String, String)>>::from_request(again(), state).await
            {
                if let Some(field) = nul_field(&pairs) {
                    return Err(super::message(
                        state,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Sorry",
                        &format!(
                            "{field} holds a NUL character (U+0000), which can't be saved. \
                             Please go back, retype it and try again."
                        ),
                    ));
                }
            }
        }
        match Form::<T>::from_request(again(), state).await {
            Ok(Form(value)) => Ok(Self(value)),
            Err(_) => Err(unreadable()),
        }
    }
}

/// PostgreSQL cannot store a NUL character (U+0000) in text and fails the
/// whole statement (a 500 after the use case ran), so no form may carry
/// one; the JSON API refuses it the same way in `extract::parse`. A form
/// carries it as `%00` (or, from a careless client, a raw zero byte), so a
/// body without either, which is every ordinary form, costs one scan.
fn might_hold_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

/// The field holding a NUL, as the page names it: by its name when that is
/// a plain identifier, as every field of our forms is, so that no raw text
/// from the body is written back; "One field" otherwise.
fn nul_field(pairs: &[(String, String)]) -> Option<String> {
    let (name, _) = pairs
        .iter()
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))?;
    let plain = !name.is_empty()
        && name.len() <= 40
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    Some(if plain {
        format!("The field \u{201c}{name}\u{201d}")
    } else {
        "One field".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(all: &[(&'static str, &str)]) -> AppError {
        AppError::invalid_fields(
            all.iter()
                .map(|&(f, m)| domain::FieldError::new(f, "bad", m))
                .collect(),
        )
    }

    #[test]
    fn every_field_shown_gets_its_message_and_the_rest_goes_to_the_top() {
        let err = refused(&[
            ("description", "Say what."),
            ("secret", "Not on this form."),
            ("effort", "Choose 1 to 5."),
            ("effort", "A second rule on effort."),
            ("other", "Also not on this form."),
        ]);
        let errors = Errors::from_api(&err, &["effort", "description"]);
        assert_eq!(errors.get("description"), Some("Say what."));
        // One message per field: the first its rules gave.
        assert_eq!(errors.get("effort"), Some("Choose 1 to 5."));
        assert_eq!(errors.general(), Some("Not on this form."));
        let lines: Vec<_> = errors
            .summary("effort")
            .into_iter()
            .map(|l| (l.anchor, l.message))
            .collect();
        assert_eq!(
            lines,
            // In the form's order, not the rules'.
            [
                ("effort-group".to_owned(), "Choose 1 to 5."),
                ("description".to_owned(), "Say what."),
            ]
        );
        assert_eq!(errors.summary_heading(), "2 things need a second look");
    }

    #[test]
    fn a_single_refusal_is_placed_as_before() {
        let one = AppError::invalid(domain::FieldError::new("title", "required", "Name it."));
        let errors = Errors::from_api(&one, &["title"]);
        assert_eq!(errors.get("title"), Some("Name it."));
        assert_eq!(errors.general(), None);
        assert_eq!(errors.summary_heading(), "One thing needs a second look");
        let elsewhere = Errors::from_api(&one, &["terms"]);
        assert_eq!(elsewhere.get("title"), None);
        assert_eq!(elsewhere.general(), Some("Name it."));
        assert!(elsewhere.summary("").is_empty());
        let prefixed: Vec<_> = errors
            .summary("w-*")
            .into_iter()
            .map(|l| l.anchor)
            .collect();
        assert_eq!(prefixed, ["w-title"]);
        let conflict = AppError::new(StatusCode::CONFLICT, "taken", "Taken.").with_field("email");
        assert_eq!(
            Errors::from_api(&conflict, &["email"]).get("email"),
            Some("Taken.")
        );
        let plain = AppError::new(StatusCode::CONFLICT, "state", "Not now.");
        assert_eq!(
            Errors::from_api(&plain, &["email"]).general(),
            Some("Not now.")
        );
    }

    #[test]
    fn a_nul_is_looked_for_only_where_one_may_be() {
        assert!(!might_hold_nul(b"description=Planned+the+trip&effort=4"));
        assert!(might_hold_nul(b"description=Planned%00"));
        assert!(might_hold_nul(b"description=Planned\0"));
    }

    #[test]
    fn the_field_holding_a_nul_is_named_only_when_plain() {
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(nul_field(&[pair("effort", "4"), pair("note", "ok")]), None);
        assert_eq!(
            nul_field(&[pair("effort", "4"), pair("description", "a\0b")]).as_deref(),
            Some("The field \u{201c}description\u{201d}")
        );
        assert_eq!(
            nul_field(&[pair("<b>x</b>", "\0")]).as_deref(),
            Some("One field")
        );
        assert_eq!(nul_field(&[pair("a\0", "")]).as_deref(), Some("One field"));
    }
}
