//! HTTP for Reciprocity: the JSON API (`/api/v1`), the server-rendered web
//! UI and health on the public listener; metrics on an operator's listener of
//! their own. Handlers hold no business rule: they parse, call the domain,
//! and render.

mod api;
pub mod auth;
mod config;
mod error;
mod extract;
mod links;
mod metrics;
mod middleware;
mod ops;
mod qr;
mod server;
mod state;
mod ui;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use domain::App;

pub use auth::rate_limit::Rate;
pub use config::{Config, Limits};
pub use server::raise_open_file_limit;
pub use state::AppState;
/// The "what my partner can see" table, public so a test can hold every
/// row of it against what the partner's routes actually answer.
pub use ui::visibility;

/// The whole public application: API, web UI and health, behind every
/// cross-cutting layer.
///
/// SECURITY: no `/metrics` here. Its request and sign-in counters tell
/// whoever can read them when the server is used, so a partner could watch
/// the other's activity; they live on [`metrics_router`], served only on
/// the operator's `--metrics-bind` listener.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::split();
    let openapi = Arc::new(openapi);
    // Writes must be JSON: each route's methods check (`api::json`).
    let api = api.fallback(ops::api_not_found);
    Router::new()
        .nest("/api/v1", Router::new().fallback(ops::api_not_found))
        .merge(api)
        .merge(
            // The chrome (navigation, notice) is kept outermost, so the
            // pages `render_page_errors` draws have it too; `note_caller`
            // sits inside `page_session`, which identifies the visitor.
            ui::routes()
                .layer(from_fn(ui::chrome::note_caller))
                .layer(from_fn_with_state(state.clone(), ui::page_session))
                .layer(from_fn_with_state(state.clone(), ui::render_page_errors))
                .layer(from_fn(ui::chrome::scope)),
        )
        .route("/healthz", get(ops::healthz))
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = Arc::clone(&openapi);
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(ui::not_found)
        .layer(from_fn(auth::csrf::guard))
        .layer(from_fn_with_state(state.clone(), middleware::body_limit))
        .layer(DefaultBodyLimit::max(middleware::BODY_LIMIT))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(from_fn_with_state(state.clone(), middleware::observe))
        .with_state(state)
}

/// The operator's router: `GET /metrics` (Prometheus text) over the same
/// counters as the public router it shares `state` with. Nothing else, and
/// no request of its own is counted: a scrape must not move the figures.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(ops::metrics))
        .with_state(state)
}

/// The OpenAPI document, as served at `/api/openapi.json`.
pub fn openapi_json() -> String {
    let (_, openapi) = api::split();
    openapi.to_pretty_json().unwrap_or_default()
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
/// The same as `Server::new(listener).run(app, config, shutdown)`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    Server::new(listener).run(app, config, shutdown).await
}

/// The listeners of one server: the public one, and optionally the
/// operator's metrics listener.
pub struct Server {
    public: tokio::net::TcpListener,
    metrics: Option<tokio::net::TcpListener>,
}

impl Server {
    pub fn new(public: tokio::net::TcpListener) -> Self {
        Self {
            public,
            metrics: None,
        }
    }

    /// Also serves `GET /metrics` on `listener`. Bind it where only the
    /// operator's scraper reaches (loopback, a private interface).
    pub fn with_metrics(mut self, listener: tokio::net::TcpListener) -> Self {
        self.metrics = Some(listener);
        self
    }

    /// Serves every listener until `shutdown` resolves, then finishes the
    /// requests in flight on each.
    pub async fn run(
        self,
        app: App,
        config: Config,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = AppState::new(app, config).await?;
        let sweeper = tokio::spawn(sweep_sessions(state.clone()));
        // One signal, any number of listeners: each waits for the flag.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let public = server::accept_loop(
            self.public,
            router(state.clone()),
            state.clone(),
            stopped.clone(),
        );
        let metrics = async {
            if let Some(listener) = self.metrics {
                let router = metrics_router(state.clone());
                server::accept_loop(listener, router, state.clone(), stopped).await;
            }
        };
        let trigger = async {
            shutdown.await;
            stop.send_replace(true);
        };
        tokio::join!(public, metrics, trigger);
        sweeper.abort();
        Ok(())
    }
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
