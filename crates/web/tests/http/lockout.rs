//! H7's lockout-abuse half (SECURITY.md R15): someone hammers sign-in with
//! another person's e-mail from many client addresses, and from the
//! owner's own address, while the owner goes on signing in from their
//! phone (a device the account trusts) and using a remembered session on
//! their laptop. The owner must never be kept out; the attacker's password
//! checks must stay within the per-account limit. Default limits
//! throughout (only sign-ups are loosened, to set the scene).
//!
//! Client addresses are varied two ways. Behind a proxy (`trust_proxy`) the
//! server takes the last `X-Forwarded-For` hop, so each attempt names its
//! own. Without a proxy the server uses the TCP peer, and on Linux every
//! 127.0.0.0/8 address is loopback, so each attacker client binds a source
//! address of its own (127.0.0.2 to 127.0.0.201); the test first proves
//! the server tells those apart. A fresh browser at the owner's address is
//! also tried during the flood: it shares the untrusted budget with the
//! attacker by design, so its success rate is printed, not asserted.
//!
//! `RECIPROCITY_LOCKOUT_ATTEMPTS` sets the flood (default 2,000; H7 asks
//! for 10,000 by hand). One JSON line per run (`-- --nocapture`).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{DbEngine, TestApp};

const OWNER: &str = "owner@example.org";
const PASSWORD: &str = "a long password";
const HOME: &str = "203.0.113.7";

fn config(trust_proxy: bool) -> web::Config {
    let mut config = web::Config {
        trust_proxy,
        ..web::Config::default()
    };
    config.limits.sign_up_per_client = web::Rate::new(1, 3600);
    config.exit_url = "https://neutral.example/weather".into();
    config
}

/// Where a request comes from: a client bound to a source address, and
/// the `X-Forwarded-For` it sends (behind a trusted proxy).
#[derive(Clone)]
struct Origin {
    client: reqwest::Client,
    forwarded: Option<String>,
}

fn bound_client(source: Option<Ipv4Addr>, cookies: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .cookie_store(cookies)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30));
    if let Some(ip) = source {
        builder = builder.local_address(IpAddr::V4(ip));
    }
    builder.build().expect("client")
}

async fn sign_in(base: &str, from: &Origin, password: &str) -> (u16, Duration) {
    let started = Instant::now();
    let mut request = from
        .client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"email": OWNER, "password": password}));
    if let Some(ip) = &from.forwarded {
        request = request.header("x-forwarded-for", ip);
    }
    let status = request.send().await.expect("POST").status().as_u16();
    (status, started.elapsed())
}

fn median_ms(mut v: Vec<Duration>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort();
    (v[v.len() / 2].as_secs_f64() * 10_000.0).round() / 10.0
}

fn rate(ok: usize, of: usize) -> f64 {
    if of == 0 {
        return f64::NAN;
    }
    (ok as f64 / of as f64 * 10_000.0).round() / 10_000.0
}

/// Floods sign-in for the owner's e-mail from `attackers` (round robin,
/// eight at a time) while the owner's phone, laptop and a fresh browser at
/// home keep trying; asserts the owner is never kept out and prints the
/// figures.
async fn flood(app: &TestApp, engine: DbEngine, how: &str, attackers: Vec<Origin>, home: Origin) {
    let attempts: usize = std::env::var("RECIPROCITY_LOCKOUT_ATTEMPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    // The phone signed in before: the account trusts it. The laptop keeps
    // a remembered session.
    let phone = Origin {
        client: bound_client(None, true),
        forwarded: home.forwarded.clone(),
    };
    let laptop = app.person();
    assert_eq!(sign_in(&app.base, &phone, PASSWORD).await.0, 200);
    let remembered = laptop
        .post_json(
            "/api/v1/session",
            &json!({"email": OWNER, "password": PASSWORD, "remember": true}),
        )
        .await;
    assert_eq!(remembered.status(), 200);
    let mut baseline = Vec::new();
    for _ in 0..5 {
        let (status, took) = sign_in(&app.base, &phone, PASSWORD).await;
        assert_eq!(status, 200);
        baseline.push(took);
    }

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let (admitted, refused, other) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let done = Arc::new(AtomicBool::new(false));
    let attackers = Arc::new(attackers);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (next, admitted, refused, other, attackers) = (
            next.clone(),
            admitted.clone(),
            refused.clone(),
            other.clone(),
            attackers.clone(),
        );
        let base = app.base.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= attempts {
                    return;
                }
                let from = &attackers[i % attackers.len()];
                match sign_in(&base, from, &format!("guess number {i}")).await.0 {
                    401 => admitted.fetch_add(1, Ordering::Relaxed),
                    429 => refused.fetch_add(1, Ordering::Relaxed),
                    _ => other.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }

    // The owner, meanwhile, every 100 ms until the flood is over.
    #[derive(Default)]
    struct Seen {
        phone: Vec<(u16, Duration)>,
        laptop: Vec<u16>,
        fresh_browser: Vec<u16>,
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let owner = {
        let (seen, done, base) = (seen.clone(), done.clone(), app.base.clone());
        tokio::spawn(async move {
            let mut rounds = 0;
            while !done.load(Ordering::Relaxed) || rounds < 10 {
                rounds += 1;
                let phone_try = sign_in(&base, &phone, PASSWORD).await;
                let me = laptop.get("/api/v1/me").await.status().as_u16();
                let fresh = Origin {
                    client: bound_client(None, true),
                    forwarded: home.forwarded.clone(),
                };
                let fresh_try = sign_in(&base, &fresh, PASSWORD).await.0;
                {
                    let mut seen = seen.lock().expect("seen");
                    seen.phone.push(phone_try);
                    seen.laptop.push(me);
                    seen.fresh_browser.push(fresh_try);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    for task in tasks {
        task.await.expect("attacker");
    }
    done.store(true, Ordering::Relaxed);
    owner.await.expect("owner");
    let elapsed = started.elapsed();

    let seen = seen.lock().expect("seen");
    let phone_ok = seen.phone.iter().filter(|(s, _)| *s == 200).count();
    let laptop_ok = seen.laptop.iter().filter(|s| **s == 200).count();
    let fresh_ok = seen.fresh_browser.iter().filter(|s| **s == 200).count();
    let limits = web::Config::default().limits;
    let target = limits.sign_in_per_target;
    // Every untrusted attempt draws on the per-account bucket: its burst,
    // and one more for each interval the flood lasted.
    let allowed = target.burst as usize
        + (elapsed.as_secs_f64() / target.every.as_secs_f64()).ceil() as usize;
    let admitted = admitted.load(Ordering::Relaxed);
    let summary = json!({
        "harness": "lockout_abuse",
        "engine": format!("{engine:?}").to_lowercase(),
        "addresses_varied_by": how,
        "attacker_addresses": attackers.len(),
        "attacker_attempts": attempts,
        "attempts_admitted": admitted,
        "attempts_refused_429": refused.load(Ordering::Relaxed),
        "attempts_other": other.load(Ordering::Relaxed),
        "admitted_allowed_by_limit": allowed,
        "flood_seconds": (elapsed.as_secs_f64() * 100.0).round() / 100.0,
        "attempts_per_second": (attempts as f64 / elapsed.as_secs_f64()).round(),
        "owner_trusted_device_success_rate": rate(phone_ok, seen.phone.len()),
        "owner_trusted_device_tries": seen.phone.len(),
        "owner_sign_in_ms_before": median_ms(baseline),
        "owner_sign_in_ms_during": median_ms(seen.phone.iter().map(|(_, d)| *d).collect()),
        "owner_remembered_session_success_rate": rate(laptop_ok, seen.laptop.len()),
        "owner_fresh_browser_at_home_success_rate": rate(fresh_ok, seen.fresh_browser.len()),
    });
    println!("{summary}");
    assert_eq!(
        phone_ok,
        seen.phone.len(),
        "the owner's phone was kept out: {summary}"
    );
    assert_eq!(
        laptop_ok,
        seen.laptop.len(),
        "the owner's session was ended: {summary}"
    );
    assert_eq!(other.load(Ordering::Relaxed), 0, "{summary}");
    assert!(admitted <= allowed, "{summary}");
    assert!(
        admitted >= 1,
        "the flood reached the password check: {summary}"
    );
}

/// Behind a proxy the server trusts: 250 forwarded addresses, and the
/// owner's own home address among them.
async fn a_flood_from_forwarded_addresses_never_keeps_the_owner_out(engine: DbEngine) {
    let Some(app) = TestApp::spawn_with(engine, config(true)).await else {
        return;
    };
    let created = app
        .person()
        .post_json(
            "/api/v1/accounts",
            &json!({"email": OWNER, "password": PASSWORD, "display_name": "Owner"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let client = bound_client(None, false);
    let mut attackers: Vec<Origin> = (0..250u32)
        .map(|i| Origin {
            client: client.clone(),
            forwarded: Some(format!("198.51.{}.{}", i / 200, 1 + i % 200)),
        })
        .collect();
    attackers.push(Origin {
        client: client.clone(),
        forwarded: Some(HOME.into()),
    });
    let home = Origin {
        client,
        forwarded: Some(HOME.into()),
    };
    flood(&app, engine, "x-forwarded-for", attackers, home).await;
}

/// No proxy: each attacker client binds its own loopback source address,
/// and one shares the owner's 127.0.0.1.
async fn a_flood_from_many_loopback_addresses_never_keeps_the_owner_out(engine: DbEngine) {
    let Some(app) = TestApp::spawn_with(engine, config(false)).await else {
        return;
    };
    let sign_up = |client: &reqwest::Client, email: String| {
        client
            .post(app.url("/api/v1/accounts"))
            .json(&json!({"email": email, "password": PASSWORD, "display_name": "Someone"}))
            .send()
    };
    let owner = bound_client(None, false);
    assert_eq!(
        sign_up(&owner, OWNER.into()).await.expect("POST").status(),
        201
    );
    // Proof that the server sees these as different clients: one sign-up
    // per address is allowed, and each source address gets its own.
    let sources: Vec<Ipv4Addr> = (2..=201u8).map(|d| Ipv4Addr::new(127, 0, 0, d)).collect();
    let clients: Vec<reqwest::Client> = sources
        .iter()
        .map(|ip| bound_client(Some(*ip), false))
        .collect();
    for (i, client) in clients.iter().take(3).enumerate() {
        let status = sign_up(client, format!("someone{i}@example.org"))
            .await
            .expect("POST")
            .status();
        assert_eq!(status, 201, "{} has a budget of its own", sources[i]);
    }
    let again = sign_up(&clients[0], "again@example.org".into())
        .await
        .expect("POST");
    assert_eq!(again.status(), 429, "{} has used its budget", sources[0]);

    let mut attackers: Vec<Origin> = clients
        .into_iter()
        .map(|client| Origin {
            client,
            forwarded: None,
        })
        .collect();
    attackers.push(Origin {
        client: bound_client(None, false),
        forwarded: None,
    });
    let home = Origin {
        client: owner,
        forwarded: None,
    };
    flood(&app, engine, "loopback source address", attackers, home).await;
}

on_both_engines!(
    a_flood_from_forwarded_addresses_never_keeps_the_owner_out,
    a_flood_from_many_loopback_addresses_never_keeps_the_owner_out,
);
