//! Cross-cutting layers: request ids and logs, security headers, the body
//! size limit and the JSON content type of API writes.

use std::time::Instant;

use axum::body::{Body, HttpBody as _};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::session::CallerSlot;
use crate::error::AppError;
use crate::state::AppState;

/// Bodies above this are refused with 413 (the limit).
pub const BODY_LIMIT: usize = 64 * 1024;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request id is 128 random bits in hex. SECURITY: nothing in it may
/// count requests (an earlier prefix-and-counter scheme let one partner, by
/// comparing the ids of their own two requests, see how many requests the
/// other made in between). `thread_rng` is a user-space CSPRNG seeded once
/// per thread, so this costs no system call per request.
fn next_request_id() -> String {
    use rand::Rng;
    format!("{:032x}", rand::thread_rng().gen::<u128>())
}

/// Gives each request an id (echoed in `X-Request-Id`) and logs one line per
/// request: method, route template, status, latency.
///
/// SECURITY: the route *template* is logged (`/j/{code}`), never the path
/// itself, which may carry an invitation code; no body, cookie or header
/// value is ever logged (R39).
pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = next_request_id();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let caller = CallerSlot::default();
    request.extensions_mut().insert(caller.clone());
    let mut response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    // SECURITY (R16, R39): a signed-in caller refused, or asking for what
    // is not theirs, is a security event for the operator's log: the route
    // template and the account id, never a path, a body or a name.
    if status == 403 || (status == 404 && caller.account().is_some()) {
        tracing::warn!(
            target: "security",
            event = "denied",
            request_id = %id,
            method = %method,
            route = %route,
            status,
            account = ?caller.account().map(|a| a.to_string()),
            "request denied"
        );
    }
    state.metrics.record(status, elapsed);
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    response
}

/// Headers on every response (SECURITY.md R22): a strict CSP with no
/// third-party source and no inline script, no framing, no sniffing, no
/// referrer, and no caching of anything but our static files.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // The manifest is as public and unchanging as the files under /static/.
    let is_static = {
        let path = request.uri().path();
        path.starts_with("/static/") || path == "/manifest.webmanifest"
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         worker-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(
        headers,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    if !is_static {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies() {
        set(
            headers,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Refuses a declared body over the limit before reading any of it, then
/// reads the body whole within `request_body_timeout` of the headers, or
/// answers 408 and closes the connection. Bodies without a length are cut
/// at the same limit.
///
/// SECURITY (R47): a deadline for the whole body, not tower-http's
/// `RequestBodyTimeout`, which only bounds the gap between two reads, so a
/// body trickled in one byte at a time could hold a connection forever.
/// Reading it here, before any handler, answers every route alike; bodies
/// are small (`BODY_LIMIT`) and every handler reads its body whole anyway.
pub async fn body_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > BODY_LIMIT) {
        return AppError::too_large().into_response();
    }
    let (parts, body) = request.into_parts();
    if body.is_end_stream() {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let read = tokio::time::timeout(
        state.config.request_body_timeout,
        axum::body::to_bytes(body, BODY_LIMIT),
    )
    .await;
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => {
            let err = err.into_inner();
            if err.is::<http_body_util::LengthLimitError>() {
                return AppError::too_large().into_response();
            }
            return AppError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "The request body could not be read. Send it again.",
            )
            .into_response();
        }
        Err(_elapsed) => {
            let mut response = AppError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "The request body arrived too slowly. Send it again.",
            )
            .into_response();
            // The rest of the body may still come; the connection cannot
            // carry another request.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// API writes must be JSON (API.md): a form or `text/plain` body cannot
/// reach a JSON endpoint, which also closes the CORS-free CSRF route.
///
/// A write without a body and without a `Content-Type` (submit, a new
/// round: actions the document declares with no body) carries nothing to
/// read as another format, so it passes (found by H4: it answered 415 to a
/// request the OpenAPI document describes). A browser form always sends a
/// `Content-Type`, even when empty, so it is still refused.
pub async fn require_json(request: Request, next: Next) -> Response {
    let headers = request.headers();
    // A DELETE with a body (deleting the account sends the password) is a
    // write like the others.
    let writes = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH
    ) || (request.method() == Method::DELETE && has_body(headers));
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().ok().and_then(|v| v.split(';').next()));
    let json = match content_type {
        Some(Some(v)) => v.trim().eq_ignore_ascii_case("application/json"),
        Some(None) => false,
        None => !has_body(headers),
    };
    if writes && !json {
        return AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with Content-Type: application/json.",
        )
        .into_response();
    }
    next.run(request).await
}

/// Whether the request announces a body: a non-zero `Content-Length`, or
/// any `Transfer-Encoding` (chunked: a length unknown in advance).
fn has_body(headers: &axum::http::HeaderMap) -> bool {
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return true;
    }
    headers
        .get(header::CONTENT_LENGTH)
        .is_some_and(|v| v.to_str().map_or(true, |v| v.trim() != "0"))
}
