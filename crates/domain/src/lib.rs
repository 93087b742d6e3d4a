//! The domain of Reciprocity: typed ids and validated values, the rules of
//! accounts and relationships, and the `Store` trait every engine implements.
//! Nothing here knows about HTTP or SQL. The web layer enters through
//! [`App`] and the use cases that take it; it never holds the store.

pub mod access;
pub mod access_log;
pub mod accounts;
pub mod agreements;
mod app;
pub mod catalog;
pub mod checkins;
pub mod counselor;
pub mod deletion;
pub mod episodes;
pub mod error;
pub mod home;
pub mod ids;
pub mod ledger;
pub mod me;
pub mod next_round;
pub mod password;
pub mod questionnaires;
pub mod recovery;
pub mod reflections;
pub mod relationship;
pub mod rounds;
pub mod sealed;
pub mod secret;
pub mod store;
pub mod totp;
pub mod two_factor;
pub mod values;
pub mod written;

pub use app::App;
pub use error::{Checks, DomainError, FieldError};
pub use ids::{AccountId, RelationshipId};
