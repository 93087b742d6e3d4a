//! Presence and availability: what one partner can learn about the other's
//! use of the server from the outside, and whether a client holding many
//! slow connections can keep the other partner out.

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

on_both_engines!(request_ids_are_random_and_count_nothing);
