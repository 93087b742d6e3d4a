//! The stylesheet, script, icons, web app manifest and service worker,
//! compiled into the binary: one file to deploy.

use axum::http::header;
use axum::response::IntoResponse;

const CACHE: &str = "public, max-age=3600";

/// A file with its type, cached for an hour (the middleware leaves the
/// cache header of `/static/*` and the manifest alone).
fn cached(content_type: &'static str, body: &'static [u8]) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, CACHE),
        ],
        body,
    )
}

pub async fn css() -> impl IntoResponse {
    cached(
        "text/css; charset=utf-8",
        include_bytes!("../../static/app.css"),
    )
}

pub async fn js() -> impl IntoResponse {
    cached(
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    )
}

pub async fn icon_svg() -> impl IntoResponse {
    cached("image/svg+xml", include_bytes!("../../static/icon.svg"))
}

pub async fn icon_192() -> impl IntoResponse {
    cached("image/png", include_bytes!("../../static/icon-192.png"))
}

pub async fn icon_512() -> impl IntoResponse {
    cached("image/png", include_bytes!("../../static/icon-512.png"))
}

pub async fn manifest() -> impl IntoResponse {
    cached(
        "application/manifest+json",
        include_bytes!("../../static/manifest.webmanifest"),
    )
}

/// The service worker, at the root so its scope is the whole site. It is
/// never cached (the middleware marks it `no-store`): a browser then always
/// learns of a new version at once.
pub async fn service_worker() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_bytes!("../../static/sw.js").as_slice(),
    )
}
