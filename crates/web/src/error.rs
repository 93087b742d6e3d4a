//! One error type for the whole application, `AppError`, with two
//! renderings: the JSON body API.md fixes (`{"error": {"code", "message",
//! "field"}}`, plus `errors`, every field to fix, on a 422 naming a field:
//! docs/form-errors.md) and, wrapped in [`PageError`], a page. It keeps the
//! underlying cause for the log; a client only ever sees the sentence meant
//! for it, and internal failures a generic one (SECURITY.md R40). A store
//! conflict is a 409 from the use case, never a 500.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Every field error of a refused form, the main one (`code`,
    /// `message`, `field` above) first; empty when there is at most one.
    /// Boxed, as `cause` is, to keep the error every handler returns small
    /// (clippy's result_large_err).
    pub fields: Box<[FieldProblem]>,
    pub retry_after_secs: Option<u64>,
    /// What really went wrong, for the log only.
    pub cause: Option<Box<str>>,
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
    /// The request field the error is about, when there is one. When a 422
    /// refuses several fields, this is the first of `errors`.
    pub field: Option<String>,
    /// On a 422 about the request's fields: every field to fix, in the
    /// order the rules read them, the one above first. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldProblem>>,
}

/// One field a 422 refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The request field.
    pub field: String,
    /// A stable snake_case code a program can branch on.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
}

impl From<&FieldError> for FieldProblem {
    fn from(err: &FieldError) -> Self {
        Self {
            field: err.field.to_owned(),
            code: err.code.to_owned(),
            message: err.message.clone(),
        }
    }
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            fields: Box::default(),
            retry_after_secs: None,
            cause: None,
        }
    }

    /// Keeps `cause` for the log (never shown to the client).
    pub fn caused_by(mut self, cause: impl std::fmt::Display) -> Self {
        self.cause = Some(cause.to_string().into());
        self
    }

    /// Logs the cause of a failure on our side, once, where it is answered.
    fn log(&self) {
        if self.status.is_server_error() {
            tracing::error!(
                code = self.code,
                cause = self.cause.as_deref().unwrap_or("unknown"),
                "request failed"
            );
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

    /// Several refused fields: the first is the main error, as a single
    /// refusal would be; all of them are listed in `errors`.
    pub fn invalid_fields(all: Vec<FieldError>) -> Self {
        let fields = all.iter().map(FieldProblem::from).collect();
        match all.into_iter().next() {
            Some(first) => Self {
                fields,
                ..Self::invalid(first)
            },
            None => Self::internal().caused_by("a refusal without a field"),
        }
    }

    /// Every field to fix, the main one first: those of a refused form, or
    /// the one field the error names (a 409 may name one too: an address
    /// taken); empty when it names none.
    pub fn field_problems(&self) -> Vec<FieldProblem> {
        if !self.fields.is_empty() {
            return self.fields.to_vec();
        }
        self.field
            .iter()
            .map(|field| FieldProblem {
                field: field.clone(),
                code: self.code.to_owned(),
                message: self.message.clone(),
            })
            .collect()
    }
}

impl From<FieldError> for AppError {
    fn from(err: FieldError) -> Self {
        Self::invalid(err)
    }
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid(field) => Self::invalid(field),
            DomainError::InvalidFields(all) => Self::invalid_fields(all),
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
            DomainError::Storage(detail) => Self::internal().caused_by(detail),
        }
    }
}

impl From<domain::accounts::CreateError> for AppError {
    fn from(err: domain::accounts::CreateError) -> Self {
        match err {
            domain::accounts::CreateError::EmailTaken => Self::new(
                StatusCode::CONFLICT,
                "email_taken",
                "An account with this e-mail address already exists. Try signing in.",
            )
            .with_field("email"),
            domain::accounts::CreateError::Other(err) => err.into(),
        }
    }
}

impl From<domain::store::StoreError> for AppError {
    fn from(err: domain::store::StoreError) -> Self {
        DomainError::from(err).into()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                field: self.field.clone(),
                // Only a refusal of what was sent lists its fields
                // (docs/form-errors.md); a 409 naming one keeps to `field`.
                errors: (self.status == StatusCode::UNPROCESSABLE_ENTITY)
                    .then(|| self.field_problems())
                    .filter(|all| !all.is_empty()),
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        self.set_retry_after(&mut response);
        // A page whose `Authenticated` extractor found nobody: the sign-in
        // page and back, like a handler's own 401 (`PageError`).
        if self.status == StatusCode::UNAUTHORIZED && self.code == "unauthorized" {
            response.extensions_mut().insert(NeedsSignIn);
        }
        response
    }
}

/// An `AppError` answered as a page. Page handlers return
/// `Result<Response, PageError>` and use `?` on any error; the page itself
/// is drawn by [`render_page_errors`], which knows the server's settings
/// (the quick-exit address every page carries).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

/// Set on a page's 401 that means "sign in first" (not a wrong password on
/// the sign-in form itself): `ui::recover::page_session` turns it into the
/// sign-in page and back.
#[derive(Debug, Clone, Copy)]
pub struct NeedsSignIn;

/// What a failed page says; set on the response for the layer to draw.
#[derive(Debug, Clone)]
pub struct PageFailure {
    pub code: &'static str,
    pub message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        err.log();
        // Not signed in (or signed out meanwhile): `ui::recover::page_session`
        // turns the 401 into the sign-in page, which knows whether the
        // session ran out and brings the person back here.
        let mut response = err.status.into_response();
        err.set_retry_after(&mut response);
        if err.status == StatusCode::UNAUTHORIZED {
            response.extensions_mut().insert(NeedsSignIn);
        }
        response.extensions_mut().insert(PageFailure {
            code: err.code,
            message: err.message,
        });
        response
    }
}
