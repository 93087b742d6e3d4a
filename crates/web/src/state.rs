//! What every handler shares: the store, the configuration and the auth machinery.

use std::sync::Arc;

use domain::store::Store;

use crate::auth::device::DeviceKey;
use crate::auth::password::Passwords;
use crate::auth::rate_limit::Limiter;
use crate::config::Config;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Arc<dyn Store>,
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
    pub async fn new(store: Arc<dyn Store>, config: Config) -> anyhow::Result<Self> {
        let secret = store
            .server_secret("device_mac_key", &DeviceKey::fresh_secret())
            .await?;
        Ok(Self(Arc::new(Shared {
            device_key: DeviceKey::from_secret(&secret),
            passwords: Passwords::new()?,
            limiter: Limiter::default(),
            metrics: Metrics::default(),
            store,
            config,
        })))
    }

    pub fn store(&self) -> &dyn Store {
        self.0.store.as_ref()
    }
}
