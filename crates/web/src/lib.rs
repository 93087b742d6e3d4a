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
        .merge(ui::routes().layer(from_fn_with_state(state.clone(), ui::render_page_errors)))
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

/// Deletes expired sessions every ten minutes, so they do not pile up.
async fn sweep_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = chrono::Utc::now();
        let idle = now - state.config.session_idle;
        let max = now - state.config.session_max;
        match domain::accounts::sweep_sessions(&state.app, idle, max).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "session sweep failed"),
        }
    }
}

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
