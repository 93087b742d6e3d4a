//! One error type for the JSON API, mapped to the body API.md fixes:
//! `{"error": {"code", "message", "field"}}`. Internal failures are logged
//! with their detail and answered with a generic sentence (SECURITY.md R40).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after_secs: Option<u64>,
}

/// The error body every failing API call answers with.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code a program can branch on.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// The request field the error is about, when there is one.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sign in to continue.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "There is nothing here.")
    }

    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "The request is larger than 64 KiB.",
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut err = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many attempts. Please wait a little and try again.",
        );
        err.retry_after_secs = Some(retry_after_secs.max(1));
        err
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side. Nothing was changed; please try again.",
        )
    }

    /// Adds `Retry-After` to any response answering this error (JSON or page).
    pub fn set_retry_after(&self, response: &mut Response) {
        if let Some(secs) = self.retry_after_secs {
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
    }

    pub fn invalid(err: FieldError) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, err.code, err.message).with_field(err.field)
    }
}

impl From<FieldError> for ApiError {
    fn from(err: FieldError) -> Self {
        Self::invalid(err)
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid(field) => Self::invalid(field),
            DomainError::NotFound => Self::not_found(),
            DomainError::Forbidden { code, message } => {
                Self::new(StatusCode::FORBIDDEN, code, message)
            }
            DomainError::Conflict {
                code,
                message,
                field,
            } => {
                let err = Self::new(StatusCode::CONFLICT, code, message);
                match field {
                    Some(f) => err.with_field(f),
                    None => err,
                }
            }
            DomainError::Storage(detail) => {
                tracing::error!(error = %detail, "storage failure");
                Self::internal()
            }
        }
    }
}

impl From<domain::store::StoreError> for ApiError {
    fn from(err: domain::store::StoreError) -> Self {
        DomainError::from(err).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        self.set_retry_after(&mut response);
        response
    }
}
