//! `App`: the one way into the domain for the web layer.
//!
//! It holds the store and hands it to nobody outside this crate: every use
//! case takes `&App`, so a handler can only do what a use case allows, and a
//! rule (membership, the seal, the figures consent, an ended relationship)
//! cannot be skipped by reading the store directly. Only the binary picks the
//! engine and builds an `App` from it.

use std::sync::Arc;

use crate::store::Store;

#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
}

impl App {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// SECURITY: crate-private on purpose; see the module comment.
    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// `sqlite` or `postgres`, for logs and metrics.
    pub fn engine_name(&self) -> &'static str {
        self.store.engine_name()
    }
}
