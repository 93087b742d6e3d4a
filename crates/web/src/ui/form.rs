//! Form bodies and the errors shown beside their fields.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::de::DeserializeOwned;

use crate::error::{AppError, PageError};
use crate::state::AppState;

/// At most one message per field, plus one for the form as a whole.
#[derive(Default)]
pub struct Errors {
    field: Option<(String, String)>,
    general: Option<String>,
}

impl Errors {
    /// Places an API error: beside its field when it names one the form
    /// shows, at the top of the form otherwise.
    pub fn from_api(err: &AppError, fields: &[&str]) -> Self {
        match &err.field {
            Some(f) if fields.contains(&f.as_str()) => Self {
                field: Some((f.clone(), err.message.clone())),
                general: None,
            },
            _ => Self {
                field: None,
                general: Some(err.message.clone()),
            },
        }
    }

    /// A use case's refusal, as a form shows it: beside the field, or at the
    /// top of the form, with its status. Failures the form cannot help with
    /// (ours, a space that ended meanwhile, something gone) become the
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
        self.field
            .as_ref()
            .filter(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }

    pub fn general(&self) -> Option<&str> {
        self.general.as_deref()
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
