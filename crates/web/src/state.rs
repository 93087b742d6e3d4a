//! What every handler shares: the domain's entry point, the configuration
//! and the auth machinery. SECURITY: no store here. Handlers reach data only
//! through the use cases that take [`domain::App`], so a rule (membership,
//! the seal, the figures consent, an ended relationship) cannot be skipped.

use std::sync::Arc;

use domain::App;

use crate::auth::device::DeviceKey;
use crate::auth::password::Passwords;
use crate::auth::rate_limit::Limiter;
use crate::config::Config;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub app: App,
    pub config: Config,
    pub passwords: Passwords,
    pub limiter: Limiter,
    pub device_key: DeviceKey,
    pub metrics: Metrics,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Prepares the shared state; reads (or creates) the server's device key.
    pub async fn new(app: App, config: Config) -> anyhow::Result<Self> {
        let secret =
            domain::accounts::server_secret(&app, "device_mac_key", &DeviceKey::fresh_secret())
                .await?;
        Ok(Self(Arc::new(Shared {
            device_key: DeviceKey::from_secret(&secret),
            passwords: Passwords::new()?,
            limiter: Limiter::default(),
            metrics: Metrics::default(),
            app,
            config,
        })))
    }
}
