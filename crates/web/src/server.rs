//! The connection layer under the router: accepts TCP connections, caps how
//! many are open in all and per client, bounds the time a client may take to
//! send its headers, and on shutdown lets the requests in flight finish.
//!
//! SECURITY (R47): without these bounds one client holding many slow or
//! idle connections (slowloris) could keep the other partner, or anyone,
//! from reaching the server.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

use crate::config::Config;
use crate::state::AppState;

/// Serves `router` on `listener` until `stop` turns true, then stops
/// accepting and waits for the open connections: a request in flight is
/// answered, an idle kept-alive connection is closed.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    router: Router,
    state: AppState,
    mut stop: watch::Receiver<bool>,
) {
    let limits = Limits::new(&state.config);
    let mut refusals = RefusalLog::default();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.config.header_read_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            // A dropped sender stops the loop too.
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                accept_failed(err).await;
                continue;
            }
        };
        let admission = match limits.admit(peer.ip()) {
            Ok(admission) => admission,
            Err(cap) => {
                state.metrics.connection_refused(cap);
                refusals.record(cap, &limits);
                // Dropping the stream closes the connection at once.
                continue;
            }
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            // Handlers read the client's address (rate limits) from here,
            // as they would behind `into_make_service_with_connect_info`.
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                // Timeouts and resets are the client's business; the error
                // text names no address.
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(admission);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

async fn accept_failed(err: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    // A connection that died between the handshake and `accept`.
    if matches!(
        err.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    // Out of file descriptors or memory: retrying at once would spin on the
    // same error; a pause lets open connections end and free theirs.
    tracing::warn!(error = %err, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Which cap refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cap {
    Total,
    PerClient,
}

impl Cap {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Cap::Total => "total",
            Cap::PerClient => "per_client",
        }
    }
}

struct Limits {
    total: Arc<Semaphore>,
    max_total: usize,
    per_client: Option<Arc<PerClient>>,
}

impl Limits {
    fn new(config: &Config) -> Self {
        let max_total = config.max_connections.clamp(1, Semaphore::MAX_PERMITS);
        // Behind a proxy every connection comes from the proxy: a cap per
        // address would be a second, smaller total cap. The proxy, which
        // sees the real clients, must apply this one.
        let per_client = (!config.trust_proxy).then(|| {
            Arc::new(PerClient {
                max: config.max_connections_per_client.max(1),
                open: Mutex::new(HashMap::new()),
            })
        });
        Self {
            total: Arc::new(Semaphore::new(max_total)),
            max_total,
            per_client,
        }
    }

    fn admit(&self, ip: IpAddr) -> Result<Admission, Cap> {
        let client = match &self.per_client {
            Some(clients) => Some(PerClient::take(clients, ip).ok_or(Cap::PerClient)?),
            None => None,
        };
        let total = Arc::clone(&self.total)
            .try_acquire_owned()
            .map_err(|_| Cap::Total)?;
        Ok(Admission {
            _total: total,
            _client: client,
        })
    }

    fn max(&self, cap: Cap) -> usize {
        match cap {
            Cap::Total => self.max_total,
            Cap::PerClient => self.per_client.as_ref().map_or(0, |c| c.max),
        }
    }
}

/// Held for as long as its connection is open; dropping it frees the slots.
struct Admission {
    _total: OwnedSemaphorePermit,
    _client: Option<ClientSlot>,
}

struct PerClient {
    max: usize,
    /// Open connections per client; a client with none has no entry, so the
    /// map holds only the clients connected now.
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl PerClient {
    fn take(this: &Arc<Self>, ip: IpAddr) -> Option<ClientSlot> {
        let key = client_key(ip);
        let mut open = this.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(key).or_insert(0);
        if *count >= this.max {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            clients: Arc::clone(this),
            key,
        })
    }
}

struct ClientSlot {
    clients: Arc<PerClient>,
    key: IpAddr,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self
            .clients
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// The unit one client is counted in. An IPv6 host usually holds a whole
/// /64 and can pick any address in it, so the /64 is one client; an IPv4
/// address mapped into IPv6 is that IPv4 address.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

/// Logs refused connections at most once a second per cap, with how many
/// were refused since the last line: a flood of refusals must not become a
/// flood of log lines. (The metrics count every one.) SECURITY: no client
/// address in the line (R39).
#[derive(Default)]
struct RefusalLog {
    /// Per cap: refused since the last line, and when that line was written.
    since: [(u64, Option<Instant>); 2],
}

impl RefusalLog {
    fn record(&mut self, cap: Cap, limits: &Limits) {
        let (count, last) = &mut self.since[cap as usize];
        *count += 1;
        let now = Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < Duration::from_secs(1)) {
            return;
        }
        tracing::warn!(
            cap = cap.label(),
            max = limits.max(cap),
            refused = *count,
            "connections refused: too many open"
        );
        *count = 0;
        *last = Some(now);
    }
}

/// Raises this process's soft limit on open files to its hard limit and
/// returns the new soft limit (`None`: unlimited). Every connection is an
/// open file; the usual soft limit of 1024 would make `accept` fail long
/// before `max_connections` is reached.
#[cfg(unix)]
pub fn raise_open_file_limit() -> io::Result<Option<u64>> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current == limit.maximum {
        return Ok(limit.current);
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        },
    )?;
    Ok(limit.maximum)
}

#[cfg(not(unix))]
pub fn raise_open_file_limit() -> io::Result<Option<u64>> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no open-file limit to raise on this system",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(per_client: usize, total: usize) -> Config {
        Config {
            max_connections: total,
            max_connections_per_client: per_client,
            ..Config::default()
        }
    }

    #[test]
    fn a_client_slot_is_freed_when_its_connection_ends() {
        let limits = Limits::new(&config(2, 10));
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        let first = limits.admit(ip).expect("first");
        let _second = limits.admit(ip).expect("second");
        assert_eq!(limits.admit(ip).err(), Some(Cap::PerClient));
        assert!(limits.admit("192.0.2.2".parse().expect("ip")).is_ok());
        drop(first);
        assert!(limits.admit(ip).is_ok(), "the ended connection's slot");
    }

    #[test]
    fn the_client_map_forgets_clients_with_no_connection() {
        let limits = Limits::new(&config(5, 10));
        let slots: Vec<_> = (1..=3)
            .map(|i| limits.admit(IpAddr::from([192, 0, 2, i])).expect("admit"))
            .collect();
        drop(slots);
        let clients = limits.per_client.as_ref().expect("per client");
        assert!(clients.open.lock().expect("lock").is_empty());
    }

    #[test]
    fn the_total_cap_refuses_and_frees_its_slot_too() {
        let limits = Limits::new(&config(10, 2));
        let a = limits.admit(IpAddr::from([192, 0, 2, 1])).expect("a");
        let _b = limits.admit(IpAddr::from([192, 0, 2, 2])).expect("b");
        let c = IpAddr::from([192, 0, 2, 3]);
        assert_eq!(limits.admit(c).err(), Some(Cap::Total));
        // The refusal took no per-client slot with it.
        let clients = limits.per_client.as_ref().expect("per client");
        assert!(!clients.open.lock().expect("lock").contains_key(&c));
        drop(a);
        assert!(limits.admit(c).is_ok());
    }

    #[test]
    fn behind_a_proxy_only_the_total_cap_applies() {
        let mut config = config(1, 10);
        config.trust_proxy = true;
        let limits = Limits::new(&config);
        let proxy = IpAddr::from([127, 0, 0, 1]);
        let _held: Vec<_> = (0..5)
            .map(|_| limits.admit(proxy).expect("admit"))
            .collect();
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("ip");
        assert_eq!(client_key(mapped), IpAddr::from([192, 0, 2, 1]));
    }
}
