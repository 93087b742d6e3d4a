//! Settings of the web layer, with the defaults a self-hoster gets.

use chrono::{DateTime, Duration, Utc};

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
    /// "Keep me signed in on this device": such a session lasts this long,
    /// idle or not (30 days), and still ends at sign-out, quick exit and a
    /// password change.
    pub remember_for: Duration,
    pub limits: Limits,
    /// A client must send a request's line and headers within this (10 s)
    /// or its connection is closed, so slow senders (slowloris) cannot hold
    /// connections open. The clock runs from when the server waits for a
    /// request, so a kept-alive connection idle this long is closed too: a
    /// reverse proxy that keeps connections to this server must drop idle
    /// ones sooner.
    pub header_read_timeout: std::time::Duration,
    /// A request's whole body must arrive within this (30 s) of its headers;
    /// a slower one is answered 408 and its connection closed. A total, not
    /// a gap between two reads: a body trickled in byte by byte is cut too.
    pub request_body_timeout: std::time::Duration,
    /// Connections open at once on a listener (4096). Above it a new one is
    /// closed at once. Each is an open file: `serve` raises the open-file
    /// limit to the hard limit, which must be above this.
    pub max_connections: usize,
    /// Connections open at once from one client address, an IPv6 client
    /// being its /64 (128). Above it that client's new connection is closed
    /// at once, so one client cannot take every connection. Not applied
    /// with `trust_proxy`: then every connection comes from the proxy, and
    /// the proxy must limit its clients.
    pub max_connections_per_client: usize,
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
    /// Sign-in attempts for one e-mail from untrusted devices, across every
    /// client address: guessing from many addresses is slowed too, while
    /// the owner's trusted devices keep their own budget.
    pub sign_in_per_target: Rate,
    /// Accounts created from one client address.
    pub sign_up_per_client: Rate,
    /// Sign-up attempts naming one e-mail address (SECURITY.md R14: the
    /// answer says when an address is taken, so asking is slowed).
    pub sign_up_per_target: Rate,
    /// Password resets tried for one e-mail, and from one client address.
    pub reset_per_target: Rate,
    pub reset_per_client: Rate,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_per_account: Rate::new(10, 60),
            sign_in_trusted_device: Rate::new(10, 30),
            sign_in_per_client: Rate::new(50, 2),
            sign_in_per_target: Rate::new(20, 30),
            sign_up_per_client: Rate::new(10, 360),
            sign_up_per_target: Rate::new(5, 600),
            reset_per_target: Rate::new(5, 600),
            reset_per_client: Rate::new(10, 360),
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
            remember_for: Duration::days(30),
            limits: Limits::default(),
            header_read_timeout: std::time::Duration::from_secs(10),
            request_body_timeout: std::time::Duration::from_secs(30),
            max_connections: 4096,
            max_connections_per_client: 128,
        }
    }
}

impl Config {
    /// How long a session may stay idle, and how long it may live at all.
    pub fn session_limits(&self, persistent: bool) -> (Duration, Duration) {
        if persistent {
            (self.remember_for, self.remember_for)
        } else {
            (self.session_idle, self.session_max)
        }
    }

    /// Whether a session last seen at `last_seen` and begun at `created` is
    /// still usable at `now`: the one rule sign-in checks and lists follow.
    pub fn session_is_live(
        &self,
        persistent: bool,
        created: DateTime<Utc>,
        last_seen: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        let (idle, max) = self.session_limits(persistent);
        now - last_seen <= idle && now < created + max
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_live_by_their_idle_and_absolute_limits() {
        let config = Config::default();
        let t0 = DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        let live = |persistent, seen_ago: Duration, age: Duration| {
            config.session_is_live(persistent, t0 - age, t0 - seen_ago, t0)
        };
        // R18: 15 minutes idle, 12 hours in all.
        assert!(live(false, Duration::minutes(15), Duration::hours(1)));
        assert!(!live(false, Duration::minutes(16), Duration::hours(1)));
        assert!(live(
            false,
            Duration::zero(),
            Duration::hours(12) - Duration::seconds(1)
        ));
        assert!(!live(false, Duration::zero(), Duration::hours(12)));
        // Keep me signed in: 30 days, idle or not.
        assert!(live(true, Duration::days(20), Duration::days(29)));
        assert!(!live(true, Duration::zero(), Duration::days(30)));
    }
}
