//! Presence and availability: what one partner can learn about the other's
//! use of the server from the outside, and whether a client holding many
//! slow connections can keep the other partner out.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;

use crate::common;

use crate::common::{DbEngine, TestApp};

/// How long a test waits for the server to close a connection. Generous: a
/// shared two-core machine under a parallel test run is slow, and the test
/// proves that the server closes, not how fast.
const PATIENCE: Duration = Duration::from_secs(15);

/// Another client: Linux loopback answers all of 127.0.0.0/8, so a socket
/// bound to 127.0.0.2 is a second client address on this machine.
const ELSEWHERE: [u8; 4] = [127, 0, 0, 2];
const HERE: [u8; 4] = [127, 0, 0, 1];

/// A TCP connection to the app from the local address `from`.
async fn connect_from(app: &TestApp, from: [u8; 4]) -> TcpStream {
    let server: SocketAddr = app
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("bind local address");
    socket.connect(server).await.expect("connect")
}

/// `GET path` from the client address `from` with a fresh client; the
/// status, or `None` when the server closed the connection instead.
async fn get_from(app: &TestApp, from: [u8; 4], path: &str) -> Option<u16> {
    let client = reqwest::Client::builder()
        .local_address(IpAddr::from(from))
        .timeout(PATIENCE)
        .build()
        .expect("client");
    client
        .get(app.url(path))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

/// Reads until the server closes the connection or `deadline` passes;
/// returns what it read and whether the server closed (a read of 0 bytes or
/// a reset).
async fn read_until_closed(stream: &mut TcpStream, deadline: Instant) -> (Vec<u8>, bool) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return (seen, false),
            Ok(Ok(0) | Err(_)) => return (seen, true),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// The value of one counter line in Prometheus text.
fn counter(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {metrics}"))
}

/// SECURITY: request ids must not count requests. With a counter, Ada could
/// compare the ids of two of her own requests and learn how many Bo made in
/// between.
async fn request_ids_are_random_and_count_nothing(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let p = app.person();
    let mut ids = Vec::new();
    for _ in 0..50 {
        let response = p.get("/healthz").await;
        let id = response.headers()["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_eq!(id.len(), 32, "{id}");
        assert!(
            id.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "{id}"
        );
        ids.push(u128::from_str_radix(&id, 16).expect("hex"));
    }
    // No shared prefix: 50 random 48-bit prefixes collide with odds near 1e-12.
    let mut prefixes: Vec<u128> = ids.iter().map(|id| id >> 80).collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    assert_eq!(prefixes.len(), ids.len(), "ids share a prefix: {ids:x?}");
    // No counter: consecutive random ids are within 2^64 of each other with
    // odds near 2^-63.
    for pair in ids.windows(2) {
        assert!(pair[0].abs_diff(pair[1]) > 1 << 64, "{:x?}", pair);
    }
}

/// The `2xx` request count in Prometheus text.
fn successes(metrics: &str) -> u64 {
    counter(metrics, "reciprocity_http_requests_total{class=\"2xx\"}")
}

/// SECURITY: the counters show when the server is used. On the public
/// listener `/metrics` is an unknown path like any other; only the
/// operator's listener serves it.
async fn metrics_are_served_only_on_the_operators_listener(engine: DbEngine) {
    let Some(app) = TestApp::spawn_with_metrics(engine, common::relaxed()).await else {
        return;
    };
    let p = app.person();
    let public = p.get("/metrics").await;
    assert_eq!(public.status(), 404);
    let unknown = p.get("/no-such-page").await;
    assert_eq!(
        public.headers()["content-type"],
        unknown.headers()["content-type"]
    );
    let public = public.text().await.expect("text");
    assert_eq!(public, unknown.text().await.expect("text"));
    assert!(!public.contains("reciprocity_"), "{public}");

    // The operator's listener counts what the public one answered...
    let before = successes(&app.metrics().await);
    assert_eq!(p.get("/healthz").await.status(), 200);
    let after = successes(&app.metrics().await);
    assert_eq!(after, before + 1, "one public 200 since the last scrape");
    // ...and neither counts nor serves anything of its own.
    assert_eq!(
        successes(&app.metrics().await),
        after,
        "a scrape is not counted"
    );
    let base = app.metrics_base.as_deref().expect("metrics");
    let health = reqwest::get(format!("{base}/healthz")).await.expect("GET");
    assert_eq!(health.status(), 404);
}

/// Slowloris: 500 connections that each send half a request and stall do
/// not keep another client out, and each is closed once the header timeout
/// passes.
async fn half_sent_requests_are_closed_and_never_keep_others_out(engine: DbEngine) {
    // 500 client sockets and their 500 server ends live in this one process.
    web::raise_open_file_limit().expect("raise the open-file limit");
    let mut config = common::relaxed();
    // Short enough for a quick test, long enough that the 500 are still
    // held when the other client asks.
    config.header_read_timeout = Duration::from_secs(2);
    config.max_connections_per_client = 1000;
    let Some(app) = TestApp::spawn_with(engine, config).await else {
        return;
    };
    let mut held = Vec::new();
    for _ in 0..500 {
        let mut stream = connect_from(&app, HERE).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: reciprocity\r\nX-Wait: ")
            .await
            .expect("half a request");
        held.push(stream);
    }
    assert_eq!(
        get_from(&app, ELSEWHERE, "/healthz").await,
        Some(200),
        "another client gets in while the 500 are held"
    );
    let deadline = Instant::now() + PATIENCE;
    for (i, stream) in held.iter_mut().enumerate() {
        let (answer, closed) = read_until_closed(stream, deadline).await;
        assert!(closed, "half-sent connection {i} is still open");
        assert!(
            !String::from_utf8_lossy(&answer).contains("200 OK"),
            "a half-sent request was answered"
        );
    }
    assert_eq!(get_from(&app, HERE, "/healthz").await, Some(200));
}

/// One client cannot take every connection: past its cap its new
/// connections are closed at once, while others still get in, and a slot
/// comes back when one of its connections ends.
async fn one_client_past_its_cap_is_refused_and_others_still_get_in(engine: DbEngine) {
    let mut config = common::relaxed();
    config.max_connections_per_client = 20;
    // Far beyond the test: only the cap can close an idle connection here.
    config.header_read_timeout = Duration::from_secs(120);
    let Some(app) = TestApp::spawn_with_metrics(engine, config).await else {
        return;
    };
    let mut idle = Vec::new();
    for _ in 0..40 {
        idle.push(connect_from(&app, HERE).await);
    }
    // Wait for each connection's close in its own task; count the closes.
    let (closed_tx, mut closed_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut waiting = tokio::task::JoinSet::new();
    for mut stream in idle {
        let closed_tx = closed_tx.clone();
        waiting.spawn(async move {
            let (_, closed) =
                read_until_closed(&mut stream, Instant::now() + Duration::from_secs(100)).await;
            if closed {
                let _ = closed_tx.send(());
            }
            // Held open until the test aborts this task.
            std::future::pending::<()>().await;
        });
    }
    let deadline = Instant::now() + PATIENCE;
    let mut closed = 0;
    while closed < 20 {
        match tokio::time::timeout_at(deadline, closed_rx.recv()).await {
            Ok(Some(())) => closed += 1,
            _ => panic!("only {closed} of the 20 connections past the cap were closed"),
        }
    }
    assert_eq!(get_from(&app, ELSEWHERE, "/healthz").await, Some(200));
    assert_eq!(
        get_from(&app, HERE, "/healthz").await,
        None,
        "the capped client's new connection is closed"
    );
    let metrics = app.metrics().await;
    let refused = counter(
        &metrics,
        "reciprocity_connections_refused_total{cap=\"per_client\"}",
    );
    assert!(refused >= 20, "{metrics}");
    // Its connections end: its slots come back.
    waiting.shutdown().await;
    let deadline = Instant::now() + PATIENCE;
    while get_from(&app, HERE, "/healthz").await != Some(200) {
        assert!(Instant::now() < deadline, "the slots never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A body must arrive whole within the body timeout: stalled or trickled,
/// the request is answered 408 in the API's error shape and the connection
/// closed.
async fn a_slow_body_is_answered_408_and_closed(engine: DbEngine) {
    let mut config = common::relaxed();
    config.request_body_timeout = Duration::from_secs(1);
    let Some(app) = TestApp::spawn_with(engine, config).await else {
        return;
    };
    let head = b"POST /api/v1/session HTTP/1.1\r\nHost: reciprocity\r\n\
        Content-Type: application/json\r\nContent-Length: 100\r\n\r\n";

    // Stalled: 10 bytes of 100, then nothing.
    let mut stalled = connect_from(&app, HERE).await;
    stalled.write_all(head).await.expect("head");
    stalled.write_all(b"{\"email\": ").await.expect("10 bytes");
    // Trickled: a byte every 200 ms, never a gap as long as the timeout.
    let mut trickled = connect_from(&app, HERE).await;
    trickled.write_all(head).await.expect("head");
    let (mut reader, mut writer) = trickled.split();
    let trickle = async {
        for _ in 0..100 {
            if writer.write_all(b" ").await.is_err() {
                // Closed by the server: the reader tells the rest.
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let read_trickled = async {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tokio::time::timeout_at(deadline, reader.read(&mut buf)).await {
                Err(_) => return (seen, false),
                Ok(Ok(0) | Err(_)) => return (seen, true),
                Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    let (trickled_answer, trickled_closed) = tokio::select! {
        read = read_trickled => read,
        () = trickle => panic!("a body trickled in over 20 s was read to its end"),
    };
    let (stalled_answer, stalled_closed) =
        read_until_closed(&mut stalled, Instant::now() + PATIENCE).await;

    let stalled_answer = String::from_utf8_lossy(&stalled_answer);
    assert!(
        stalled_answer.starts_with("HTTP/1.1 408"),
        "stalled: {stalled_answer}"
    );
    assert!(
        stalled_answer.contains("\"code\":\"request_timeout\""),
        "stalled: {stalled_answer}"
    );
    assert!(
        stalled_closed,
        "stalled: the connection is closed after the 408"
    );
    // The trickled connection is closed while bytes still come in, so the
    // kernel may reset it and drop the 408 before it is read: a close is
    // enough, and an answer, if any, is the 408.
    assert!(trickled_closed, "trickled: the connection is closed");
    let trickled_answer = String::from_utf8_lossy(&trickled_answer);
    assert!(
        trickled_answer.is_empty() || trickled_answer.starts_with("HTTP/1.1 408"),
        "trickled: {trickled_answer}"
    );
}

/// Graceful shutdown: a request in flight when the signal comes is still
/// answered before `serve` returns (when it returns, the binary exits and
/// whatever is still open dies with it); no new connection is taken.
async fn a_request_in_flight_at_shutdown_is_answered(engine: DbEngine) {
    let Some(mut app) = TestApp::spawn(engine).await else {
        return;
    };
    let mut stream = connect_from(&app, HERE).await;
    let body = br#"{"email": "x@example.org", "password": "a long password"}"#;
    let head = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: reciprocity\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(&body[..10])
        .await
        .expect("part of the body");
    // Let the server take the request in before the signal.
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.begin_shutdown();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.is_running(), "serve waits for the request in flight");
    stream.write_all(&body[10..]).await.expect("the rest");
    let (answer, closed) = read_until_closed(&mut stream, Instant::now() + PATIENCE).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(closed, "the connection ends after its last answer");
    assert!(app.stopped().await, "the server stops once it has answered");
    assert_eq!(get_from(&app, ELSEWHERE, "/healthz").await, None);
}

on_both_engines!(
    a_request_in_flight_at_shutdown_is_answered,
    a_slow_body_is_answered_408_and_closed,
    half_sent_requests_are_closed_and_never_keep_others_out,
    metrics_are_served_only_on_the_operators_listener,
    one_client_past_its_cap_is_refused_and_others_still_get_in,
    request_ids_are_random_and_count_nothing,
);
