//! The JSON API under `/api/v1`. Routes are registered through
//! `utoipa_axum::routes!`, so the OpenAPI document is generated from the
//! very registrations that serve requests and cannot drift from them.

pub mod access_log;
mod accounts;
pub mod agreements;
pub mod checkins;
mod conversations;
pub mod counselor;
mod deletion;
pub mod episodes;
pub mod export;
mod export_html;
mod home;
pub mod ledger;
mod me;
pub mod reflections;
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
// Two-factor
mod two_factor;

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
        (name = "reflections", description = "A private journal, readable by its author alone"),
        (name = "agreements", description = "Written agreements, negotiated in versions"),
        (name = "checkins", description = "Private check-ins on how the relationship is going, shared when you choose"),
        (name = "episodes", description = "Episodes remembered turn by turn, negative reciprocity, and repair"),
        (name = "counselor", description = "A counselor both partners approved, reading only what both allowed"),
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

/// A route's methods refuse a write that is not JSON
/// (`middleware::require_json`). Layered on the methods only, not on the
/// route's answer to a method it does not serve, so that answers 405
/// rather than 415 (found by H4).
fn json(
    (schemas, paths, methods): utoipa_axum::router::UtoipaMethodRouter<AppState>,
) -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let methods = methods.route_layer(axum::middleware::from_fn(crate::middleware::require_json));
    (schemas, paths, methods)
}

/// Every API route, with its OpenAPI description.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(json(routes!(accounts::create)))
        .routes(json(routes!(
            session::create,
            session::delete,
            session::get
        )))
        .routes(json(routes!(me::get)))
        .routes(json(routes!(deletion::delete)))
        .routes(json(routes!(export::get)))
        .routes(json(routes!(export::get_html)))
        .routes(json(routes!(tokens::create, tokens::list)))
        .routes(json(routes!(tokens::revoke)))
        .routes(json(routes!(security::change_password)))
        .routes(json(routes!(
            security::sessions,
            security::end_other_sessions
        )))
        .routes(json(routes!(security::end_session)))
        .routes(json(routes!(security::security_events)))
        .routes(json(routes!(access_log::access_log)))
        .routes(json(routes!(security::new_recovery_code)))
        .routes(json(routes!(security::reset_password)))
        .routes(json(routes!(relationships::create)))
        .routes(json(routes!(relationships::join)))
        .routes(json(routes!(relationships::get)))
        .routes(json(routes!(relationships::leave)))
        .routes(json(routes!(relationships::renew_invite)))
        .routes(json(routes!(home::get)))
        .routes(json(routes!(written::get)))
        .routes(json(routes!(ledger::create, ledger::list)))
        .routes(json(routes!(ledger::suggestions)))
        .routes(json(routes!(ledger::correct, ledger::delete)))
        .routes(json(routes!(ledger::acknowledge)))
        .routes(json(routes!(
            ledger::set_preferences,
            ledger::get_preferences
        )))
        .routes(json(routes!(ledger::balance)))
        .routes(json(routes!(values::items)))
        .routes(json(routes!(values::status)))
        .routes(json(routes!(values::save)))
        .routes(json(routes!(values::submit)))
        .routes(json(routes!(values::comparison)))
        .routes(json(routes!(values::new_round)))
        .routes(json(routes!(values::propose_round, values::withdraw_round)))
        .routes(json(routes!(values::agree_round)))
        .routes(json(routes!(values::decline_round)))
        .routes(json(routes!(values::prefill)))
        .routes(json(routes!(respect::save_areas, respect::status)))
        .routes(json(routes!(respect::save)))
        .routes(json(routes!(respect::areas, respect::add_area)))
        .routes(json(routes!(respect::submit)))
        .routes(json(routes!(respect::comparison)))
        .routes(json(routes!(respect::new_round)))
        .routes(json(routes!(
            respect::propose_round,
            respect::withdraw_round
        )))
        .routes(json(routes!(respect::agree_round)))
        .routes(json(routes!(respect::decline_round)))
        .routes(json(routes!(respect::prefill)))
        .routes(json(routes!(conversations::decks)))
        .routes(json(routes!(conversations::status)))
        .routes(json(routes!(conversations::save)))
        .routes(json(routes!(conversations::submit)))
        .routes(json(routes!(conversations::comparison)))
        .routes(json(routes!(conversations::new_round)))
        .routes(json(routes!(conversations::add_note, conversations::notes)))
        .routes(json(routes!(reflections::create, reflections::list)))
        .routes(json(routes!(reflections::prompts)))
        .routes(json(routes!(reflections::delete)))
        .routes(json(routes!(agreements::propose, agreements::list)))
        .routes(json(routes!(agreements::say)))
        .routes(json(routes!(agreements::get)))
        .routes(json(routes!(agreements::counter)))
        .routes(json(routes!(agreements::revise)))
        .routes(json(routes!(agreements::accept)))
        .routes(json(routes!(agreements::decline)))
        .routes(json(routes!(agreements::withdraw)))
        .routes(json(routes!(agreements::confirm)))
        .routes(json(routes!(agreements::retire)))
        .routes(json(routes!(agreements::link)))
        .routes(json(routes!(agreements::unlink)))
        .routes(json(routes!(checkins::create, checkins::list)))
        .routes(json(routes!(checkins::share)))
        .routes(json(routes!(checkins::summary)))
        .routes(json(routes!(checkins::set_cadence)))
        .routes(json(routes!(checkins::questions)))
        .routes(json(routes!(checkins::export_csv)))
        .routes(json(routes!(episodes::create, episodes::list)))
        .routes(json(routes!(episodes::get)))
        .routes(json(routes!(episodes::add_turn)))
        .routes(json(routes!(episodes::undo_turn)))
        .routes(json(routes!(episodes::share)))
        .routes(json(routes!(episodes::write_repair, episodes::get_repair)))
        .routes(json(routes!(episodes::negative_reciprocity)))
        .routes(json(routes!(episodes::codes_list)))
        .routes(json(routes!(episodes::before_you_answer)))
        // Counselor.
        .routes(json(routes!(counselor::invite, counselor::get)))
        .routes(json(routes!(counselor::approve)))
        .routes(json(routes!(counselor::renew)))
        .routes(json(routes!(counselor::revoke)))
        .routes(json(routes!(counselor::write_note, counselor::my_notes)))
        .routes(json(routes!(counselor::join)))
        .routes(json(routes!(counselor::clients)))
        .routes(json(routes!(counselor::client_report)))
        .routes(json(routes!(counselor::received_notes)))
        // Two-factor
        .routes(json(routes!(two_factor::start, two_factor::turn_off)))
        .routes(json(routes!(two_factor::confirm)))
}
