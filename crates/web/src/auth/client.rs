//! What we note about the client behind a request: its address (for rate
//! limits, and truncated in the owner's security events) and a coarse label
//! of its browser and system (for the owner's list of sessions).
//!
//! SECURITY (R8, R19): never the full user-agent string or the full
//! address in anything kept; a label like "Firefox on Android" and
//! "192.0.2.x" let the owner recognise their own devices and nothing more.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::state::AppState;

/// The client's address, for rate limits. Behind a proxy we run
/// (`trust_proxy`), the last hop of `X-Forwarded-For`.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok());
            if let Some(ip) = forwarded {
                return Ok(Self(ip.to_string()));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(Self(peer.unwrap_or_else(|| "unknown".to_owned())))
    }
}

impl ClientAddr {
    /// The address with its host part dropped: the /24 of an IPv4 address,
    /// the /48 of an IPv6 one, enough to tell "home" from "elsewhere".
    pub fn truncated(&self) -> String {
        match self.0.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => {
                let [a, b, c, _] = v4.octets();
                format!("{a}.{b}.{c}.x")
            }
            Ok(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::", s[0], s[1], s[2])
            }
            Err(_) => String::new(),
        }
    }
}

/// A coarse label of the browser and system that sent `headers`, such as
/// "Firefox on Android"; "A program" for scripts, "A browser" when unsure.
pub fn device_label(headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    label(agent)
}

fn label(agent: &str) -> String {
    // Order matters: Edge and Opera say "Chrome", Chrome says "Safari",
    // Android says "Linux", an iPhone says "Mac OS X".
    const BROWSERS: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "a Mac"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS
        .iter()
        .find(|(needle, _)| agent.contains(needle))
        .map(|(_, name)| *name);
    let system = SYSTEMS
        .iter()
        .find(|(needle, _)| agent.contains(needle))
        .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) if agent.is_empty() || !agent.contains("Mozilla") => "A program".to_owned(),
        (None, None) => "A browser".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_browser_and_system_and_nothing_more() {
        let cases = [
            ("Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0", "Firefox on Android"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on a Mac"),
            ("curl/8.5.0", "A program"),
            ("", "A program"),
        ];
        for (agent, expected) in cases {
            assert_eq!(label(agent), expected, "{agent}");
        }
    }

    #[test]
    fn addresses_lose_their_host_part() {
        assert_eq!(ClientAddr("192.0.2.77".into()).truncated(), "192.0.2.x");
        assert_eq!(
            ClientAddr("2001:db8:abcd:12::1".into()).truncated(),
            "2001:db8:abcd::"
        );
        assert_eq!(ClientAddr("unknown".into()).truncated(), "");
    }
}
