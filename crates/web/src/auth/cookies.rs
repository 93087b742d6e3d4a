//! Reading and writing the two cookies we set: `session` and `device`.

use axum::http::{header, HeaderMap, HeaderValue};

pub const SESSION: &str = "session";
pub const DEVICE: &str = "device";
pub const HELD: &str = crate::auth::held::COOKIE;
/// A trusted-device mark lasts about a year (browsers cap cookies at 400 days).
const DEVICE_MAX_AGE_SECS: u64 = 365 * 24 * 3600;

/// The value of cookie `name` in the request, if any.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `HttpOnly` always (no script may read it), `SameSite=Lax` (not sent on
/// cross-site POSTs), `Secure` when the public address is https. The session
/// cookie has no `Max-Age`: it ends with the browser, and the server ends it
/// sooner on idle.
pub fn session(value: &str, secure: bool) -> HeaderValue {
    build(SESSION, value, None, secure)
}

/// "Keep me signed in on this device": the same cookie, kept by the browser
/// for `max_age` (the server ends the session at the same moment).
pub fn remembered_session(value: &str, secure: bool, max_age: chrono::Duration) -> HeaderValue {
    let secs = u64::try_from(max_age.num_seconds()).unwrap_or(0);
    build(SESSION, value, Some(secs), secure)
}

/// The key of a form held across a sign-out, for as long as it is kept.
pub fn held(value: &str, secure: bool) -> HeaderValue {
    let secs = u64::try_from(domain::accounts::HOLD_FOR.num_seconds()).unwrap_or(0);
    build(HELD, value, Some(secs), secure)
}

pub fn clear_held(secure: bool) -> HeaderValue {
    build(HELD, "", Some(0), secure)
}

pub fn clear_session(secure: bool) -> HeaderValue {
    build(SESSION, "", Some(0), secure)
}

/// `Clear-Site-Data` for sign-out and quick exit (SECURITY.md R22): the
/// browser drops this site's cache and storage. Cookies are left alone so
/// the trusted-device mark survives; the session cookie is cleared on its own.
pub fn clear_site_data() -> (axum::http::HeaderName, HeaderValue) {
    (
        axum::http::HeaderName::from_static("clear-site-data"),
        HeaderValue::from_static("\"cache\", \"storage\""),
    )
}

pub fn device(value: &str, secure: bool) -> HeaderValue {
    build(DEVICE, value, Some(DEVICE_MAX_AGE_SECS), secure)
}

fn build(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    // Values are our own base64url tokens, always valid header text.
    HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; session=abc; device=x.y"),
        );
        assert_eq!(get(&headers, "session"), Some("abc"));
        assert_eq!(get(&headers, "device"), Some("x.y"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn session_cookies_are_http_only_and_lax() {
        let plain = session("v", false);
        assert_eq!(
            plain.to_str().ok(),
            Some("session=v; Path=/; HttpOnly; SameSite=Lax")
        );
        assert!(session("v", true)
            .to_str()
            .unwrap_or_default()
            .ends_with("; Secure"));
    }
}
