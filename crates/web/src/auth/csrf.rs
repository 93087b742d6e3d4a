//! Cross-site request forgery: a state-changing request must come from our
//! own pages (SECURITY.md R21).
//!
//! Browsers send `Sec-Fetch-Site` on every request; where it is present it
//! must say `same-origin` (or `none`, a typed URL). Older browsers send
//! `Origin` on POST instead, which must name this host. A request with
//! neither did not come from a browser page, so it carries no ambient
//! cookie risk. A bearer-token request carries no cookie at all. The session
//! cookie is also `SameSite=Lax`, a second wall.

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::session::bearer;
use crate::error::AppError;

pub async fn guard(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || bearer(request.headers()).is_some() || same_origin(&request) {
        return next.run(request).await;
    }
    tracing::warn!("cross-site request refused");
    AppError::new(
        StatusCode::FORBIDDEN,
        "cross_site",
        "This request came from another site and was refused.",
    )
    .into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut builder = axum::http::Request::builder().method(method).uri("/x");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).expect("request")
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(same_origin(&request(
            Method::POST,
            &[("sec-fetch-site", "same-origin")]
        )));
        assert!(!same_origin(&request(
            Method::POST,
            &[("sec-fetch-site", "cross-site")]
        )));
        assert!(!same_origin(&request(
            Method::POST,
            &[("sec-fetch-site", "same-site")]
        )));
    }

    #[test]
    fn origin_must_match_the_host() {
        let ok = [
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(same_origin(&request(Method::POST, &ok)));
        let evil = [
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
        ];
        assert!(!same_origin(&request(Method::POST, &evil)));
        assert!(!same_origin(&request(
            Method::POST,
            &[("origin", "null"), ("host", "a")]
        )));
    }
}
