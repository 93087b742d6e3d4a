//! Authentication in one place: password hashing, sessions and tokens,
//! trusted devices, rate limits and CSRF checks.

pub mod cookies;
pub mod csrf;
pub mod device;
pub mod password;
pub mod rate_limit;
pub mod service;
pub mod session;

pub use session::{Authenticated, MaybeAuthenticated};
