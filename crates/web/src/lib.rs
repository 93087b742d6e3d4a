//! HTTP for Reciprocity: the JSON API (`/api/v1`), the server-rendered web
//! UI, health and metrics. Handlers hold no business rule: they parse, call
//! the domain, and render.

mod api;
pub mod auth;
mod config;
mod error;
mod extract;
mod links;
mod metrics;
mod middleware;
mod ops;
mod state;
mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use domain::App;

pub use auth::rate_limit::Rate;
pub use config::{Config, Limits};
pub use state::AppState;

/// The whole application: API, web UI and operations endpoints, behind
/// every cross-cutting layer.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::routes().split_for_parts();
    let openapi = Arc::new(openapi);
    let api = api
        .fallback(ops::api_not_found)
        .layer(from_fn(middleware::require_json));
    Router::new()
        .nest("/api/v1", Router::new().fallback(ops::api_not_found))
        .merge(api)
        .merge(
            ui::routes()
                .layer(from_fn_with_state(state.clone(), ui::page_session))
                .layer(from_fn_with_state(state.clone(), ui::render_page_errors)),
        )
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = Arc::clone(&openapi);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(ui::not_found)
        .layer(from_fn(auth::csrf::guard))
        .layer(from_fn(middleware::body_limit))
        .layer(DefaultBodyLimit::max(middleware::BODY_LIMIT))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(from_fn_with_state(state.clone(), middleware::observe))
        .with_state(state)
}

/// The OpenAPI document, as served at `/api/openapi.json`.
pub fn openapi_json() -> String {
    let (_, openapi) = api::routes().split_for_parts();
    openapi.to_pretty_json().unwrap_or_default()
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = AppState::new(app, config).await?;
    let sweeper = tokio::spawn(sweep_sessions(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    served?;
    Ok(())
}

/// Removes what has run out every ten minutes (sessions, tokens, reset
/// links, held forms, security events past their keeping time), so none of
/// it piles up. Sessions are kept for the holding time past their end, so a
/// person coming back is told why they were signed out and gets back what
/// they posted; they cannot be used meanwhile (`auth::session` checks).
async fn sweep_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = chrono::Utc::now();
        let grace = domain::accounts::HOLD_FOR;
        let config = &state.config;
        let sweep = domain::store::Sweep {
            idle_before: now - config.session_idle - grace,
            started_before: now - config.session_max - grace,
            remembered_before: now - config.remember_for,
            now,
            events_before: now - SECURITY_EVENTS_KEPT,
            held_before: now - grace,
        };
        match domain::accounts::sweep(&state.app, &sweep).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired rows removed"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "sweep failed"),
        }
    }
}

/// How long the owner's security events are kept (they hold a truncated
/// client address, which R8 keeps only for a while).
const SECURITY_EVENTS_KEPT: chrono::Duration = chrono::Duration::days(90);

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
