//! Authentication in one place: password hashing, sessions and tokens,
//! trusted devices, rate limits, CSRF checks, password changes and resets,
//! security events and forms held across a sign-out.

pub mod account_keys;
pub mod client;
pub mod cookies;
pub mod credentials;
pub mod csrf;
pub mod device;
pub mod events;
pub mod held;
pub mod password;
pub mod rate_limit;
pub mod service;
pub mod session;
// Two-factor
pub mod two_factor;

pub use session::{Authenticated, MaybeAuthenticated};
