//! `POST /api/v1/accounts`: sign up.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::service::{self, ClientAddr, SignUp};
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpBody {
    /// Used to sign in; never shown to anyone but its owner.
    email: String,
    /// 10 to 128 characters; not a common password, and without your name
    /// or e-mail in it.
    password: String,
    /// What the partner sees.
    display_name: String,
    /// `partner` (the default) or `counselor`. A counselor account never
    /// joins a couple's space, and turns on two-step sign-in before it can
    /// read anything a couple shares. It cannot be changed later.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "partner")]
    kind: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountBody {
    id: uuid::Uuid,
    email: String,
    display_name: String,
    /// `partner` or `counselor`.
    kind: String,
    /// Two-step sign-in is on (never, for a new account).
    two_factor: bool,
    /// Shown this once: the way back in if the password is forgotten, with
    /// nobody's help. Write it down and keep it where only you reach.
    recovery_code: String,
}

/// Create an account.
#[utoipa::path(
    post, path = "/api/v1/accounts", operation_id = "create_account", tag = "accounts",
    request_body = SignUpBody,
    responses(
        (status = 201, description = "Account created", body = AccountBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 409, description = "The e-mail address is taken", body = ErrorBody),
        (status = 422, description = "A field is invalid (`kind` neither `partner` nor `counselor`, among others)", body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(body): ApiJson<SignUpBody>,
) -> Result<(StatusCode, Json<AccountBody>), AppError> {
    let account = service::sign_up(
        &state,
        &client,
        SignUp {
            email: &body.email,
            password: &body.password,
            display_name: &body.display_name,
            kind: body.kind.as_deref(),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(AccountBody {
            id: account.id.0,
            email: account.email,
            display_name: account.display_name,
            kind: account.kind.as_str().to_owned(),
            two_factor: false,
            recovery_code: account.recovery_code.expose().to_owned(),
        }),
    ))
}
