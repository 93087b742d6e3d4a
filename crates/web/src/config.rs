//! Settings of the web layer, with the defaults a self-hoster gets.

use chrono::Duration;

use crate::auth::rate_limit::Rate;

#[derive(Debug, Clone)]
pub struct Config {
    /// The address people use, e.g. `https://notes.example.org`. When it is
    /// https, cookies get `Secure` and responses carry HSTS.
    pub public_url: Option<String>,
    /// Where quick exit sends the browser: a neutral, everyday site.
    pub exit_url: String,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_proxy: bool,
    /// A session unused this long ends (SECURITY.md R18: 15 minutes).
    pub session_idle: Duration,
    /// A session ends this long after sign-in whatever happens (R18: 12 hours).
    pub session_max: Duration,
    pub limits: Limits,
}

/// Rate limits on the unauthenticated endpoints (SECURITY.md R15).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Sign-in attempts for one e-mail from one client address (untrusted devices).
    pub sign_in_per_account: Rate,
    /// Sign-in attempts from one device the account trusts.
    pub sign_in_trusted_device: Rate,
    /// Sign-in attempts from one client address across all e-mails.
    pub sign_in_per_client: Rate,
    /// Accounts created from one client address.
    pub sign_up_per_client: Rate,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_per_account: Rate::new(10, 60),
            sign_in_trusted_device: Rate::new(10, 30),
            sign_in_per_client: Rate::new(50, 2),
            sign_up_per_client: Rate::new(10, 360),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: None,
            exit_url: "https://www.bbc.com/weather".to_owned(),
            trust_proxy: false,
            session_idle: Duration::minutes(15),
            session_max: Duration::hours(12),
            limits: Limits::default(),
        }
    }
}

impl Config {
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}
