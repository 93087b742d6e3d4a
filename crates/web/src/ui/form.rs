//! Form bodies and the errors shown beside their fields.

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
/// an unreadable or oversized body is refused here.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Form::<T>::from_request(req, state).await {
            Ok(Form(value)) => Ok(Self(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(super::error_page(state, AppError::too_large()))
            }
            Err(_) => Err(super::message(
                state,
                StatusCode::BAD_REQUEST,
                "Sorry",
                "We couldn't read that form. Please go back and try again.",
            )),
        }
    }
}
