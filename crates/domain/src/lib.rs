//! The domain of Reciprocity: typed ids and validated values, the rules of
//! accounts and relationships, and the `Store` trait every engine implements.
//! Nothing here knows about HTTP or SQL.

pub mod catalog;
pub mod error;
pub mod ids;
pub mod ledger;
pub mod questionnaires;
pub mod relationship;
pub mod rounds;
pub mod sealed;
pub mod secret;
pub mod store;
pub mod values;

pub use error::{DomainError, FieldError};
pub use ids::{AccountId, RelationshipId};
