//! Presence and availability: what one partner can learn about the other's
//! use of the server from the outside, and whether a client holding many
//! slow connections can keep the other partner out.

use crate::common;

use crate::common::{DbEngine, TestApp};

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
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("reciprocity_http_requests_total{class=\"2xx\"} "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 2xx counter in {metrics}"))
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

on_both_engines!(
    metrics_are_served_only_on_the_operators_listener,
    request_ids_are_random_and_count_nothing,
);
