//! The JSON API under `/api/v1`. Routes are registered through
//! `utoipa_axum::routes!`, so the OpenAPI document is generated from the
//! very registrations that serve requests and cannot drift from them.

mod accounts;
mod conversations;
pub mod ledger;
mod me;
mod relationships;
mod respect;
mod sealed;
mod security;
mod session;
pub use session::sign_in_cookies;
mod shared_responses;
mod tokens;
mod values;
pub mod written;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::state::AppState;

/// A relationship id from a path; garbage is a relationship that does not exist.
fn relationship_id(raw: &str) -> Result<domain::RelationshipId, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Reciprocity API",
        description = "The JSON API of Reciprocity. Errors always answer \
            `{\"error\": {\"code\", \"message\", \"field\"}}`.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&Security),
    tags(
        (name = "accounts", description = "Accounts, sessions and tokens"),
        (name = "relationships", description = "A couple's shared space"),
        (name = "ledger", description = "Contributions seen and thanked"),
        (name = "values", description = "What matters to each of you, sealed until both answered"),
        (name = "respect", description = "The respect map, sealed until both answered"),
        (name = "conversations", description = "Guided conversations, sealed until both answered"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("session"))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's router and its OpenAPI document, complete with the answers
/// every operation shares (`shared_responses`).
pub fn split() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = routes().split_for_parts();
    shared_responses::add(&mut doc);
    shared_responses::optional_empty_bodies(&mut doc);
    shared_responses::reset_needs_a_proof(&mut doc);
    (router, doc)
}

/// Every API route, with its OpenAPI description.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::create))
        .routes(routes!(session::create, session::delete, session::get))
        .routes(routes!(me::get))
        .routes(routes!(tokens::create, tokens::list))
        .routes(routes!(tokens::revoke))
        .routes(routes!(security::change_password))
        .routes(routes!(security::sessions, security::end_other_sessions))
        .routes(routes!(security::end_session))
        .routes(routes!(security::security_events))
        .routes(routes!(security::new_recovery_code))
        .routes(routes!(security::reset_password))
        .routes(routes!(relationships::create))
        .routes(routes!(relationships::join))
        .routes(routes!(relationships::get))
        .routes(routes!(relationships::leave))
        .routes(routes!(relationships::renew_invite))
        .routes(routes!(written::get))
        .routes(routes!(ledger::create, ledger::list))
        .routes(routes!(ledger::suggestions))
        .routes(routes!(ledger::correct, ledger::delete))
        .routes(routes!(ledger::acknowledge))
        .routes(routes!(ledger::set_preferences, ledger::get_preferences))
        .routes(routes!(ledger::balance))
        .routes(routes!(values::items))
        .routes(routes!(values::status))
        .routes(routes!(values::save))
        .routes(routes!(values::submit))
        .routes(routes!(values::comparison))
        .routes(routes!(values::new_round))
        .routes(routes!(respect::save_areas, respect::status))
        .routes(routes!(respect::save))
        .routes(routes!(respect::areas, respect::add_area))
        .routes(routes!(respect::submit))
        .routes(routes!(respect::comparison))
        .routes(routes!(respect::new_round))
        .routes(routes!(conversations::decks))
        .routes(routes!(conversations::status))
        .routes(routes!(conversations::save))
        .routes(routes!(conversations::submit))
        .routes(routes!(conversations::comparison))
        .routes(routes!(conversations::new_round))
        .routes(routes!(conversations::add_note, conversations::notes))
}
