//! `/api/v1/me/two-factor`: turning two-step sign-in on (the password,
//! then a first code) and off (SECURITY.md R13, R20). Session only: a
//! token answers 403 `session_required` (`auth::two_factor`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::client::ClientAddr;
use crate::auth::two_factor;
use crate::auth::Authenticated;
use crate::error::{AppError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorPasswordBody {
    /// Your current password, typed again.
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct EnrolmentBody {
    /// The secret in base32, for typing into the app by hand.
    secret: String,
    /// The `otpauth://` link the QR code holds.
    otpauth_uri: String,
    /// The QR code as an inline `<svg>` element.
    qr_svg: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorConfirmBody {
    /// The six digits the app shows now.
    code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesBody {
    /// Ten one-time codes, shown this once: each signs in once in place of
    /// the app's code (keep them where only you reach).
    recovery_codes: Vec<String>,
}

/// Start setting up two-step sign-in: a new secret for an authenticator
/// app (replacing one not confirmed yet). It is on once confirmed.
#[utoipa::path(
    post, path = "/api/v1/me/two-factor", operation_id = "start_two_factor", tag = "accounts",
    request_body = TwoFactorPasswordBody,
    security(("session" = [])),
    responses(
        (status = 201, description = "A new secret, with its link and QR code", body = EnrolmentBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Wrong password (`wrong_password`, field `password`), or called with a token", body = ErrorBody),
        (status = 409, description = "Two-step sign-in is already on (`two_factor_on`)", body = ErrorBody),
        (status = 429, description = "Too many password attempts", body = ErrorBody),
    )
)]
pub async fn start(
    State(state): State<AppState>,
    caller: Authenticated,
    ApiJson(body): ApiJson<TwoFactorPasswordBody>,
) -> Result<(StatusCode, Json<EnrolmentBody>), AppError> {
    let shown = two_factor::start(&state, &caller, &body.password).await?;
    Ok((
        StatusCode::CREATED,
        Json(EnrolmentBody {
            secret: shown.secret,
            otpauth_uri: shown.otpauth_uri,
            qr_svg: shown.qr_svg,
        }),
    ))
}

/// Confirm two-step sign-in with a code from the app: it is on from now,
/// and ten recovery codes are returned, this once.
#[utoipa::path(
    post, path = "/api/v1/me/two-factor/confirm", operation_id = "confirm_two_factor", tag = "accounts",
    request_body = TwoFactorConfirmBody,
    security(("session" = [])),
    responses(
        (status = 200, description = "On; the recovery codes, shown once", body = RecoveryCodesBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Called with a token", body = ErrorBody),
        (status = 409, description = "Not started (`two_factor_not_started`), already on (`two_factor_on`), or changed meanwhile", body = ErrorBody),
        (status = 422, description = "The code is wrong (`invalid_two_factor`, field `code`)", body = ErrorBody),
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TwoFactorConfirmBody>,
) -> Result<Json<RecoveryCodesBody>, AppError> {
    let codes = two_factor::confirm(&state, &caller, &client, &headers, &body.code).await?;
    Ok(Json(RecoveryCodesBody {
        recovery_codes: codes.iter().map(|c| c.expose().to_owned()).collect(),
    }))
}

/// Turn two-step sign-in off (partner accounts; a counselor's stays on).
#[utoipa::path(
    delete, path = "/api/v1/me/two-factor", operation_id = "turn_off_two_factor", tag = "accounts",
    request_body = TwoFactorPasswordBody,
    security(("session" = [])),
    responses(
        (status = 204, description = "Off; its recovery codes no longer work"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Wrong password (`wrong_password`, field `password`), or called with a token", body = ErrorBody),
        (status = 409, description = "Already off (`two_factor_off`), or a counselor account (`two_factor_required_for_counselors`)", body = ErrorBody),
        (status = 429, description = "Too many password attempts", body = ErrorBody),
    )
)]
pub async fn turn_off(
    State(state): State<AppState>,
    caller: Authenticated,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TwoFactorPasswordBody>,
) -> Result<StatusCode, AppError> {
    two_factor::turn_off(&state, &caller, &client, &headers, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
