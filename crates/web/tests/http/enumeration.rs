//! H6 in SECURITY.md (R14): the endpoints a stranger can reach without an
//! account answer the same for an account that exists and one that does
//! not. Known and unknown tries are interleaved in a seeded random order;
//! status and body (request id removed, the address or code typed
//! replaced by a placeholder) must be the same. Timing is measured and
//! printed (medians, two-sample Kolmogorov-Smirnov D and p), not asserted:
//! this machine is shared and noisy, and SECURITY.md asks for the numbers.
//!
//! Sign-up is not here: by decision (R14) it answers 409 `email_taken`.
//! `RECIPROCITY_ENUM_TRIES` sets the tries per side (default 40; H6 asks
//! for 500 by hand). One JSON line per engine (`-- --nocapture`).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{self, DbEngine, Person, TestApp};

/// Generous limits: throttling is another test's subject, and a 429 here
/// would hide the answer being compared.
fn unthrottled() -> web::Config {
    let mut config = common::relaxed();
    let lots = web::Rate::new(1_000_000, 1);
    config.limits.sign_in_per_account = lots;
    config.limits.sign_in_per_target = lots;
    config.limits.reset_per_client = lots;
    config.limits.reset_per_target = lots;
    config
}

#[derive(Clone, Copy, Debug)]
enum Probe {
    ApiSignIn,
    PageSignIn,
    ApiPasswordReset,
    PageRecover,
    /// Joining with an invitation that was issued and has expired, or one
    /// that never existed.
    ApiJoin,
    /// The invitation link's page, for a live code or a made-up one.
    InvitationPage,
}

const PROBES: [Probe; 6] = [
    Probe::ApiSignIn,
    Probe::PageSignIn,
    Probe::ApiPasswordReset,
    Probe::PageRecover,
    Probe::ApiJoin,
    Probe::InvitationPage,
];

const NEW_PASSWORD: &str = "quiet harbour lanterns";

/// `(status, normalised body, latency)` of one try; `subject` is the e-mail
/// or the invitation code.
async fn attempt(probe: Probe, who: &Person, subject: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let response = match probe {
        Probe::ApiSignIn => {
            who.post_json(
                "/api/v1/session",
                &json!({"email": subject, "password": "not the password at all"}),
            )
            .await
        }
        Probe::PageSignIn => {
            who.post_form(
                "/signin",
                &[("email", subject), ("password", "not the password at all")],
            )
            .await
        }
        Probe::ApiPasswordReset => {
            who.post_json(
                "/api/v1/password-reset",
                &json!({"email": subject, "recovery_code": "AAAA-BBBB-CCCC-DDDD",
                    "new_password": NEW_PASSWORD}),
            )
            .await
        }
        Probe::PageRecover => {
            who.post_form(
                "/recover",
                &[
                    ("email", subject),
                    ("recovery_code", "AAAA-BBBB-CCCC-DDDD"),
                    ("new_password", NEW_PASSWORD),
                ],
            )
            .await
        }
        Probe::ApiJoin => {
            who.post_json(
                "/api/v1/relationships/join",
                &json!({ "invite_code": subject }),
            )
            .await
        }
        Probe::InvitationPage => who.get(&format!("/j/{subject}")).await,
    };
    let status = response.status().as_u16();
    // The request id travels in a header only; it is dropped with them.
    let body = response.text().await.expect("body");
    let elapsed = started.elapsed();
    (status, body.replace(subject, "SUBJECT"), elapsed)
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Two-sample Kolmogorov-Smirnov: the largest gap between the empirical
/// distribution functions, and its asymptotic p-value (with Stephens'
/// small-sample correction, as in Numerical Recipes' `kstwo`).
pub fn kolmogorov_smirnov(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n - j as f64 / m).abs());
    }
    let ne = (n * m / (n + m)).sqrt();
    let lambda = (ne + 0.12 + 0.11 / ne) * d;
    (d, q_ks(lambda))
}

/// The Kolmogorov distribution's tail, `Q_KS(λ) = 2 Σ (-1)^(k-1) e^(-2k²λ²)`.
fn q_ks(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    let mut sign = 1.0;
    for k in 1..=100 {
        let k = f64::from(k);
        let term = sign * (-2.0 * k * k * lambda * lambda).exp();
        sum += term;
        if term.abs() < 1e-12 {
            break;
        }
        sign = -sign;
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// splitmix64, for a seeded interleaving.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Known and unknown subjects for a probe: existing accounts against
/// addresses nobody has; issued invitations against codes never issued.
struct Subjects {
    known: Vec<String>,
    unknown_prefix: &'static str,
}

async fn known_and_unknown_accounts_get_one_answer(engine: DbEngine) {
    let Some(app) = TestApp::spawn_with(engine, unthrottled()).await else {
        return;
    };
    let tries: usize = std::env::var("RECIPROCITY_ENUM_TRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut emails = Vec::new();
    for name in ["Ada", "Bo", "Cy"] {
        let email = format!("{}@example.org", name.to_lowercase());
        app.signed_in(&email, name).await;
        emails.push(email);
    }
    // Invitations: live ones (for the page) and expired ones (for joining).
    let mut live = Vec::new();
    for i in 0..3 {
        let (inviter, _) = app
            .signed_in(&format!("inviter{i}@example.org"), "Inviter")
            .await;
        let created = inviter.create_relationship().await;
        live.push(created["invite_code"].as_str().expect("code").to_owned());
    }
    let mut expired = Vec::new();
    for i in 0..3 {
        let (inviter, _) = app
            .signed_in(&format!("expired{i}@example.org"), "Old")
            .await;
        let created = inviter.create_relationship().await;
        expired.push(created["invite_code"].as_str().expect("code").to_owned());
    }
    assert_eq!(
        app.sql(
            "UPDATE relationship_invites SET expires_at = 0 WHERE created_by IN \
             (SELECT id FROM accounts WHERE email LIKE 'expired%')"
        )
        .await,
        3
    );
    let (joiner, _) = app.signed_in("joiner@example.org", "Joiner").await;
    let stranger = app.person();

    let mut rng = Rng(0x0E0E_0014);
    let mut figures = Vec::new();
    let mut failures = Vec::new();
    for probe in PROBES {
        let (who, subjects) = match probe {
            Probe::ApiJoin => (
                &joiner,
                Subjects {
                    known: expired.clone(),
                    unknown_prefix: "NEVERISSUED",
                },
            ),
            Probe::InvitationPage => (
                &stranger,
                Subjects {
                    known: live.clone(),
                    unknown_prefix: "NEVERISSUED",
                },
            ),
            _ => (
                &stranger,
                Subjects {
                    known: emails.clone(),
                    unknown_prefix: "nobody",
                },
            ),
        };
        let mut order: Vec<bool> = (0..tries).flat_map(|_| [true, false]).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        let (mut known_ms, mut unknown_ms) = (Vec::new(), Vec::new());
        let mut answers = std::collections::BTreeMap::<(u16, String), usize>::new();
        for (n, is_known) in order.into_iter().enumerate() {
            let subject = if is_known {
                subjects.known[n % subjects.known.len()].clone()
            } else if subjects.unknown_prefix == "nobody" {
                format!("nobody{n}@example.org")
            } else {
                // The shape of a real code: the same length and alphabet.
                let real = &subjects.known[0];
                let tail = format!("{}{n}", subjects.unknown_prefix);
                format!("{}{tail}", &real[..real.len().saturating_sub(tail.len())])
            };
            let (status, body, elapsed) = attempt(probe, who, &subject).await;
            *answers.entry((status, body)).or_default() += 1;
            let ms = elapsed.as_secs_f64() * 1000.0;
            if is_known {
                known_ms.push(ms);
            } else {
                unknown_ms.push(ms);
            }
        }
        known_ms.sort_by(f64::total_cmp);
        unknown_ms.sort_by(f64::total_cmp);
        let (d, p) = kolmogorov_smirnov(&known_ms, &unknown_ms);
        let statuses: std::collections::BTreeSet<u16> = answers.keys().map(|(s, _)| *s).collect();
        let bodies: std::collections::BTreeSet<&String> = answers.keys().map(|(_, b)| b).collect();
        if answers.len() != 1 {
            failures.push(format!("{probe:?}: {answers:#?}"));
        }
        let (mk, mu) = (median(&known_ms), median(&unknown_ms));
        figures.push(json!({
            "endpoint": format!("{probe:?}"),
            "status": statuses.iter().next(),
            "distinct_statuses": statuses.len(),
            "distinct_bodies": bodies.len(),
            "median_known_ms": (mk * 100.0).round() / 100.0,
            "median_unknown_ms": (mu * 100.0).round() / 100.0,
            "dmedian_ms": ((mk - mu) * 100.0).round() / 100.0,
            "ks_d": (d * 1000.0).round() / 1000.0,
            "ks_p": p,
            "flag_ks_p_below_0_01": p < 0.01,
        }));
    }
    let summary = json!({
        "harness": "enumeration",
        "engine": format!("{engine:?}").to_lowercase(),
        "tries_per_side": tries,
        "endpoints": figures,
    });
    println!("{summary}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A reset whose new password holds the account's display name was told
/// apart from a reset for an unknown address (422 `contains_personal`
/// against 401), before any limit was taken: a free oracle for "does this
/// address have an account, and is this its name". Both must now answer
/// like any other wrong recovery code.
async fn a_reset_naming_the_owner_says_nothing_about_the_account(engine: DbEngine) {
    let Some(app) = TestApp::spawn_with(engine, unthrottled()).await else {
        return;
    };
    // The address does not hold the name, so only the account could tell.
    app.signed_in("r.franklin@example.org", "Rosalind").await;
    let stranger = app.person();
    let mut seen = Vec::new();
    for email in ["r.franklin@example.org", "nobody@example.org"] {
        let api = stranger
            .post_json(
                "/api/v1/password-reset",
                &json!({"email": email, "recovery_code": "AAAA-BBBB-CCCC-DDDD",
                    "new_password": "rosalind by the sea"}),
            )
            .await;
        let status = api.status().as_u16();
        let body: Value = api.json().await.expect("json");
        let page = stranger
            .post_form(
                "/recover",
                &[
                    ("email", email),
                    ("recovery_code", "AAAA-BBBB-CCCC-DDDD"),
                    ("new_password", "rosalind by the sea"),
                ],
            )
            .await;
        let page_status = page.status().as_u16();
        let page_body = page.text().await.expect("html").replace(email, "EMAIL");
        seen.push((status, body, page_status, page_body));
    }
    assert_eq!(seen[0].0, 401, "{:?}", seen[0].1);
    assert_eq!(seen[0].1["error"]["code"], "invalid_recovery");
    assert_eq!(seen[0], seen[1], "the same answer for both addresses");
}

on_both_engines!(
    known_and_unknown_accounts_get_one_answer,
    a_reset_naming_the_owner_says_nothing_about_the_account,
);

#[test]
fn kolmogorov_smirnov_matches_known_values() {
    // Identical samples: no gap at all.
    let a: Vec<f64> = (0..50).map(f64::from).collect();
    let (d, p) = kolmogorov_smirnov(&a, &a);
    assert!(d.abs() < 1e-12 && (p - 1.0).abs() < 1e-12);
    // Disjoint samples: the largest gap there is, and a tiny p.
    let b: Vec<f64> = (100..150).map(f64::from).collect();
    let (d, p) = kolmogorov_smirnov(&a, &b);
    assert!((d - 1.0).abs() < 1e-12 && p < 1e-10, "{d} {p}");
    // Q_KS(1.0) = 0.26999967..., the textbook value.
    assert!((q_ks(1.0) - 0.269_999_67).abs() < 1e-7, "{}", q_ks(1.0));
    // Shifted by a quarter of the range: D = 0.25.
    let c: Vec<f64> = (0..50).map(|x| f64::from(x) + 12.5).collect();
    assert!((kolmogorov_smirnov(&a, &c).0 - 0.26).abs() < 0.011);
}
