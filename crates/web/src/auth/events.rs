//! Security events (SECURITY.md R16): written for the account's owner, who
//! alone reads them, and logged for the operator without personal text
//! (the kind, the account id, never an e-mail or a password).

use axum::http::HeaderMap;
use chrono::Utc;
use domain::store::{SecurityEvent, SecurityEventKind};
use domain::AccountId;

use crate::auth::client::{device_label, ClientAddr};
use crate::state::AppState;

/// Records `kind` for `account`, from the client that sent `headers`.
///
/// A failure to record is logged and otherwise ignored: the owner would
/// rather be signed in than be told nothing at all, and the log keeps it.
pub async fn record(
    state: &AppState,
    account: AccountId,
    kind: SecurityEventKind,
    client: &ClientAddr,
    headers: &HeaderMap,
) {
    tracing::info!(target: "security", event = kind.as_str(), account = %account, "security event");
    let event = SecurityEvent {
        id: uuid::Uuid::new_v4(),
        account_id: account,
        kind,
        at: Utc::now(),
        device: device_label(headers),
        client: client.truncated(),
    };
    if let Err(err) = domain::accounts::record(&state.app, &event).await {
        tracing::error!(error = %err, event = kind.as_str(), "security event not recorded");
    }
}
