//! Bounded, structure-aware random fuzzing of JSON request bodies (issue 13
//! item 5, the stable-Rust route; see `fuzz/README.md`).
//!
//! The request DTOs are private to the `web` crate, so this drives the real
//! server: a valid body for each of a few write routes, mutated as a JSON
//! value (a key removed, an unknown key added, a value replaced by another
//! type, an out-of-range or huge number, a NUL, a very long or deeply
//! nested value) and, for a third of the cases, as text (bytes flipped,
//! inserted or cut, a huge number literal, a duplicate key, trailing text).
//! Property: never a 5xx; every 4xx answers the API's JSON error shape
//! (`error.code` and `error.message`), and one about a field of the body
//! (a missing, unknown or mistyped field, a NUL) names that field.
//!
//! `FUZZ_CASES` (default 2,000 per engine) and `FUZZ_SEED` set the run; a
//! failure prints the case's seed and body.

use std::time::Instant;

use serde_json::{json, Value};

use crate::common::{DbEngine, TestApp};

/// SplitMix64: small, seedable, good enough to pick mutations.
struct G(u64);

impl G {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// A replacement value of any type, often hostile.
fn wild(g: &mut G) -> Value {
    match g.below(18) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(i64::MAX),
        3 => json!(i64::MIN),
        4 => json!(u64::MAX),
        5 => json!(-1),
        6 => json!(0),
        7 => json!(3.5),
        8 => json!(1e300),
        9 => json!(""),
        10 => json!("x".repeat(1 + g.below(70_000))),
        11 => json!("nul\u{0}inside"),
        12 => json!("🙂\u{202e}é\u{feff}"),
        13 => json!([]),
        14 => json!([1, "two", null]),
        15 => json!({}),
        16 => {
            let mut v = json!("deep");
            for _ in 0..1 + g.below(140) {
                v = json!([v]);
            }
            v
        }
        _ => json!("2026-02-30"),
    }
}

/// One structured mutation somewhere in `v`.
fn mutate_value(g: &mut G, v: &mut Value, depth: usize) {
    match v {
        Value::Object(map) if !map.is_empty() && (depth == 0 || g.chance(2)) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = keys[g.below(keys.len())].clone();
            match g.below(5) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    let name = ["extra", "", "Key", "id", "\u{0}"][g.below(5)];
                    map.insert(name.to_owned(), wild(g));
                }
                2 => {
                    let inner = map.get_mut(&key).expect("key");
                    mutate_value(g, inner, depth + 1);
                }
                _ => {
                    map.insert(key, wild(g));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => match g.below(4) {
            0 => items.clear(),
            1 => {
                let copy = items[0].clone();
                for _ in 0..g.below(300) {
                    items.push(copy.clone());
                }
            }
            _ => {
                let i = g.below(items.len());
                mutate_value(g, &mut items[i], depth + 1);
            }
        },
        _ => *v = wild(g),
    }
}

/// Text-level mutations, for malformed JSON.
fn mutate_text(g: &mut G, mut b: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + g.below(3) {
        let len = b.len();
        match g.below(10) {
            0 if len > 0 => {
                let i = g.below(len);
                b[i] ^= 1 << g.below(8);
            }
            1 => {
                let i = g.below(len + 1);
                let c = [b'{', b'}', b'"', b',', b':', b'\\', 0, 0xff, b'[', b' '][g.below(10)];
                b.insert(i, c);
            }
            2 if len > 0 => {
                let i = g.below(len);
                let j = (i + 1 + g.below(8)).min(len);
                b.drain(i..j);
            }
            3 => b.truncate(g.below(len + 1)),
            4 => {
                // A number literal no i64 or f64 holds.
                if let Some(i) = b.iter().position(u8::is_ascii_digit) {
                    let lit = ["1e400", "99999999999999999999999", "-0", "1.0", "01"][g.below(5)];
                    b.splice(i..=i, lit.bytes());
                }
            }
            // A key sent twice.
            5 if b.first() == Some(&b'{') && b.len() > 2 => {
                b.splice(1..1, br#""effort":1,"value":2,"#.iter().copied());
            }
            6 => b.extend_from_slice(b" trailing"),
            7 => {
                b.splice(0..0, "\u{feff}".bytes());
            }
            8 => {
                let i = g.below(len + 1);
                b.splice(i..i, br"\u0000\ud800".iter().copied());
            }
            _ => {}
        }
    }
    b
}

/// Whether an error about the body must name a field: a missing or
/// unknown field, a wrong type below the top level, a NUL in a value (a NUL
/// in a top-level key has no field above it to blame).
fn must_name_a_field(code: &str, message: &str, sent: &[u8]) -> bool {
    match code {
        "missing_field" | "unknown_field" | "duplicate_field" => true,
        "invalid_type" => message != "The body must be a JSON object.",
        "invalid_text" => !serde_json::from_slice::<Value>(sent)
            .ok()
            .and_then(|v| v.as_object().map(|m| m.keys().any(|k| k.contains('\0'))))
            .unwrap_or(false),
        _ => false,
    }
}

struct Route {
    method: reqwest::Method,
    path: String,
    /// 0 = Ada, 1 = Bo.
    who: usize,
    body: Value,
}

async fn fuzz_bodies(engine: DbEngine) {
    let Some(app) = TestApp::spawn(engine).await else {
        return;
    };
    let couple = app.couple().await;
    let r = couple.r.clone();
    let made: Value = couple
        .ada
        .post_json(
            &format!("{r}/contributions"),
            &json!({"domain": "planning", "description": "Booked the trip", "effort": 3}),
        )
        .await
        .json()
        .await
        .expect("json");
    let cid = made["id"].as_str().expect("contribution id").to_owned();
    let items: Value = couple
        .ada
        .get(&format!("{r}/values/items"))
        .await
        .json()
        .await
        .expect("json");
    let key = items["items"][0]["key"]
        .as_str()
        .expect("an item")
        .to_owned();
    let put = reqwest::Method::PUT;
    let post = reqwest::Method::POST;
    let patch = reqwest::Method::PATCH;
    let routes = [
        Route {
            method: post.clone(),
            path: format!("{r}/contributions"),
            who: 0,
            body: json!({"domain": "planning", "description": "Did the dishes", "effort": 3,
                         "minutes": 20, "occurred_on": null, "for_partner": false}),
        },
        Route {
            method: post.clone(),
            path: format!("{r}/contributions"),
            who: 1,
            body: json!({"domain": "planning", "description": "Cooked", "effort": 2,
                         "for_partner": true, "value": 4, "note": "thank you"}),
        },
        Route {
            method: patch,
            path: format!("{r}/contributions/{cid}"),
            who: 0,
            body: json!({"description": "Booked the train", "effort": 2, "minutes": null}),
        },
        Route {
            method: post.clone(),
            path: format!("{r}/contributions/{cid}/acknowledgment"),
            who: 1,
            body: json!({"value": 4, "note": "Thanks!"}),
        },
        Route {
            method: put.clone(),
            path: format!("{r}/preferences"),
            who: 0,
            body: json!({"show_numbers": true}),
        },
        Route {
            method: put,
            path: format!("{r}/values/answers"),
            who: 1,
            body: json!({"answers": [{"key": key, "importance": 3, "definition": "Mine"}]}),
        },
        Route {
            method: post.clone(),
            path: format!("{r}/respect/areas"),
            who: 0,
            body: json!({"name": "Work"}),
        },
        Route {
            method: post,
            path: "/api/v1/relationships/join".into(),
            who: 1,
            body: json!({"invite_code": "abcdefghijklmnopqrstuvwxyz234567"}),
        },
    ];
    // Regression (found by this fuzzer): a key sent twice answered 400
    // `invalid_type` with no field; it names the field now.
    let twice = couple
        .ada
        .post_raw(
            &format!("{r}/contributions"),
            r#"{"effort":1,"domain":"planning","description":"Dishes","effort":2}"#,
        )
        .await;
    assert_eq!(twice.status(), 400);
    let twice: Value = twice.json().await.expect("json");
    assert_eq!(twice["error"]["code"], "duplicate_field", "{twice}");
    assert_eq!(twice["error"]["field"], "effort", "{twice}");

    let cases = env_u64("FUZZ_CASES").unwrap_or(2_000);
    let base = env_u64("FUZZ_SEED").unwrap_or(0x5EED_1305);
    let start = Instant::now();
    let (mut ok, mut client_errors) = (0u64, 0u64);
    for i in 0..cases {
        let seed = base ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let mut g = G(seed);
        let route = &routes[g.below(routes.len())];
        let mut body = route.body.clone();
        for _ in 0..g.below(4) {
            mutate_value(&mut g, &mut body, 0);
        }
        let mut bytes = serde_json::to_vec(&body).expect("serialize");
        if g.chance(3) {
            bytes = mutate_text(&mut g, bytes);
        }
        let person = if route.who == 0 {
            &couple.ada
        } else {
            &couple.bo
        };
        let response = person
            .client
            .request(route.method.clone(), person.url(&route.path))
            .header("content-type", "application/json")
            .body(bytes.clone())
            .send()
            .await
            .expect("send");
        let status = response.status();
        let text = response.text().await.expect("body");
        let shown = String::from_utf8_lossy(&bytes);
        let context = || {
            format!(
                "seed {seed} (FUZZ_SEED={base}, case {i}): {} {} -> {status}\nrequest: {:.600}\nresponse: {text:.600}",
                route.method, route.path, shown
            )
        };
        assert!(!status.is_server_error(), "5xx: {}", context());
        if status.is_client_error() {
            client_errors += 1;
            let parsed: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("4xx body is not JSON: {}", context()));
            let error = &parsed["error"];
            let code = error["code"].as_str().unwrap_or_default();
            assert!(
                !code.is_empty() && error["message"].as_str().is_some_and(|m| !m.is_empty()),
                "4xx without the error shape: {}",
                context()
            );
            let message = error["message"].as_str().unwrap_or_default();
            if must_name_a_field(code, message, &bytes) {
                assert!(
                    // A string, empty only when the key at fault is `""`.
                    error["field"].is_string(),
                    "{code} without a field: {}",
                    context()
                );
            }
        } else {
            ok += 1;
        }
    }
    println!(
        "{}",
        json!({
            "target": format!("web json bodies ({engine:?})"),
            "cases": cases,
            "ok": ok,
            "input_errors": client_errors,
            "crashes": 0,
            "seed": base,
            "seconds": (start.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        })
    );
}

on_both_engines!(fuzz_bodies);
