//! Phase 1: couples with a realistic history, made through the real API
//! only (no row is inserted behind the server's back), several couples at
//! once.
//!
//! Each couple: two sign-ups and two sign-ins ("keep me signed in", so the
//! sessions outlive a long run), a relationship made by one and joined by
//! the other with its invitation code, both choosing to see numbers, 30
//! contributions over the last six months (about two thirds thanked by
//! their receiver), one revealed values round (every item, both sides) and a
//! second one opened for drafts, one revealed conversation round (every
//! prompt, both sides) with four notes. About a hundred items per couple,
//! 75 requests.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use crate::api::Api;
use crate::rng::Rng;

pub const PASSWORD: &str = "quiet harbour lantern";
/// The conversation deck every couple has revealed and writes notes on.
pub const DECK: &str = "defining_love";
const CONTRIBUTIONS: usize = 30;
const NOTES: usize = 4;

pub const DOMAINS: [&str; 9] = [
    "household_labor",
    "money_and_goods",
    "emotional_support",
    "physical_affection",
    "sexual_intimacy",
    "parenting",
    "family_and_social",
    "planning",
    "personal_growth",
];

pub const CHORES: [&str; 8] = [
    "cooked dinner",
    "did the laundry",
    "listened after a hard day",
    "planned the weekend",
    "paid the bills",
    "picked up the kids",
    "called your mother",
    "fixed the tap",
];

/// One partner, signed in.
pub struct Person {
    pub id: String,
    /// The `Cookie` header the sign-in set (the session, and any other cookie).
    pub cookie: String,
}

pub struct Couple {
    /// `/api/v1/relationships/{id}` (`R` in API.md).
    pub rel: String,
    pub people: [Person; 2],
    /// Per giver (0 or 1), contributions the other partner has not thanked
    /// yet. The mix takes one out before thanking it, so no contribution is
    /// thanked twice and a thanks is never refused for that reason.
    pub unthanked: Mutex<[Vec<String>; 2]>,
}

pub struct Seeded {
    pub couples: Vec<Couple>,
    /// The values items (the same questionnaire for every couple).
    pub value_items: Vec<String>,
    pub requests: u64,
    pub elapsed: Duration,
}

/// Seeds `n` couples, `concurrency` at a time; stops at the first failure
/// (a seeding error is an error of the run).
pub async fn seed(
    base: &str,
    n: usize,
    concurrency: usize,
    seed: u64,
    spread_addresses: bool,
) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency.clamp(1, n.max(1)) {
        let (next, base) = (next.clone(), base.to_owned());
        workers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, String>(done);
                }
                let local = spread_addresses.then(|| couple_address(i));
                let api = Api::new(&base, local, 2).map_err(|e| e.to_string())?;
                let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
                let seeded = seed_couple(&api, i, &mut rng)
                    .await
                    .map_err(|e| format!("seeding couple {i}: {e}"))?;
                done.push((i, seeded));
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await?.map_err(anyhow::Error::msg)?);
    }
    all.sort_by_key(|(i, _)| *i);
    let requests = all.iter().map(|(_, (_, r, _))| r).sum();
    let value_items = all
        .first()
        .map(|(_, (_, _, items))| items.clone())
        .unwrap_or_default();
    Ok(Seeded {
        couples: all.into_iter().map(|(_, (c, _, _))| c).collect(),
        value_items,
        requests,
        elapsed: started.elapsed(),
    })
}

/// 127.10.x.y, one per couple (Linux routes all of 127/8 to loopback).
fn couple_address(i: usize) -> IpAddr {
    let i = i as u32;
    IpAddr::V4(Ipv4Addr::new(
        127,
        10 + (i / 62_500) as u8,
        (i / 250 % 250) as u8,
        1 + (i % 250) as u8,
    ))
}

/// One couple's history; returns the couple, the requests it took, and the
/// values items.
async fn seed_couple(
    api: &Api,
    i: usize,
    rng: &mut Rng,
) -> Result<(Couple, u64, Vec<String>), String> {
    let mut requests = 0u64;
    let mut call = |method: Method, path: String, cookie: Option<String>, body: Value, status| {
        requests += 1;
        async move {
            let body = (!body.is_null()).then_some(body);
            api.expect(method, &path, cookie.as_deref(), body.as_ref(), status)
                .await
        }
    };

    // Two people, each signed in with a cookie of their own.
    let mut people = Vec::new();
    for (who, name) in [("a", "Ada"), ("b", "Bo")] {
        let email = format!("{who}.{i}@load.example.org");
        let (account, _) = call(
            Method::POST,
            "/api/v1/accounts".into(),
            None,
            json!({"email": email, "password": PASSWORD, "display_name": name}),
            201,
        )
        .await?;
        let (_, signed_in) = call(
            Method::POST,
            "/api/v1/session".into(),
            None,
            json!({"email": email, "password": PASSWORD, "remember": true}),
            200,
        )
        .await?;
        if !signed_in.cookies.contains("session=") {
            return Err("the sign-in set no session cookie".into());
        }
        people.push(Person {
            id: text(&account["id"])?,
            cookie: signed_in.cookies,
        });
    }
    let cookie = |p: usize| Some(people[p].cookie.clone());

    let (created, _) = call(
        Method::POST,
        "/api/v1/relationships".into(),
        cookie(0),
        json!({}),
        201,
    )
    .await?;
    let rel = format!("/api/v1/relationships/{}", text(&created["id"])?);
    call(
        Method::POST,
        "/api/v1/relationships/join".into(),
        cookie(1),
        json!({"invite_code": created["invite_code"]}),
        200,
    )
    .await?;
    for p in 0..2 {
        call(
            Method::PUT,
            format!("{rel}/preferences"),
            cookie(p),
            json!({"show_numbers": true}),
            200,
        )
        .await?;
    }

    // The ledger: contributions over six months, two thirds thanked.
    let mut unthanked = [Vec::new(), Vec::new()];
    for _ in 0..CONTRIBUTIONS {
        let giver = rng.below(2) as usize;
        let (made, _) = call(
            Method::POST,
            format!("{rel}/contributions"),
            cookie(giver),
            contribution(rng, 180),
            201,
        )
        .await?;
        let cid = text(&made["id"])?;
        if rng.below(3) < 2 {
            call(
                Method::POST,
                format!("{rel}/contributions/{cid}/acknowledgment"),
                cookie(1 - giver),
                thanks(rng),
                200,
            )
            .await?;
        } else {
            unthanked[giver].push(cid);
        }
    }

    // Values: round 1 answered by both and revealed; round 2 open for drafts.
    let (items, _) = call(
        Method::GET,
        format!("{rel}/values/items"),
        cookie(0),
        Value::Null,
        200,
    )
    .await?;
    let keys: Vec<String> = items["items"]
        .as_array()
        .ok_or("values/items: no items")?
        .iter()
        .map(|item| text(&item["key"]))
        .collect::<Result<_, _>>()?;
    for p in 0..2 {
        let answers: Vec<Value> = keys.iter().map(|k| value_answer(rng, k)).collect();
        call(
            Method::PUT,
            format!("{rel}/values/answers"),
            cookie(p),
            json!({ "answers": answers }),
            200,
        )
        .await?;
    }
    for p in 0..2 {
        call(
            Method::POST,
            format!("{rel}/values/submit"),
            cookie(p),
            json!({}),
            200,
        )
        .await?;
    }
    // A second round starts when both want it: one asks (202), and the
    // other's ask agrees and starts it (201).
    for (p, status) in [(0, 202), (1, 201)] {
        call(
            Method::POST,
            format!("{rel}/values/rounds"),
            cookie(p),
            json!({}),
            status,
        )
        .await?;
    }

    // A conversation: every prompt answered by both, revealed, then notes.
    let deck = format!("{rel}/conversations/{DECK}");
    let (status, _) = call(Method::GET, deck.clone(), cookie(0), Value::Null, 200).await?;
    let prompts: Vec<String> = status["prompts"]
        .as_array()
        .ok_or("conversation: no prompts")?
        .iter()
        .map(|p| text(&p["key"]))
        .collect::<Result<_, _>>()?;
    for p in 0..2 {
        let answers: Vec<Value> = prompts
            .iter()
            .map(|k| json!({"key": k, "text": sentence(rng, 12)}))
            .collect();
        call(
            Method::PUT,
            format!("{deck}/answers"),
            cookie(p),
            json!({ "answers": answers }),
            200,
        )
        .await?;
    }
    for p in 0..2 {
        call(
            Method::POST,
            format!("{deck}/submit"),
            cookie(p),
            json!({}),
            200,
        )
        .await?;
    }
    for n in 0..NOTES {
        call(
            Method::POST,
            format!("{deck}/notes"),
            cookie(n % 2),
            json!({"text": sentence(rng, 10)}),
            201,
        )
        .await?;
    }

    // Read it back once: the reads of the mix must touch real data.
    let (listed, _) = call(
        Method::GET,
        format!("{rel}/contributions?limit=200"),
        cookie(1),
        Value::Null,
        200,
    )
    .await?;
    let listed = listed.as_array().map_or(0, Vec::len);
    if listed != CONTRIBUTIONS {
        return Err(format!(
            "the ledger lists {listed} contributions, {CONTRIBUTIONS} were made"
        ));
    }

    let [a, b]: [Person; 2] = people.try_into().map_err(|_| "two people".to_owned())?;
    Ok((
        Couple {
            rel,
            people: [a, b],
            unthanked: Mutex::new(unthanked),
        },
        requests,
        keys,
    ))
}

/// A new contribution, on one of the last `within_days` days.
pub fn contribution(rng: &mut Rng, within_days: u64) -> Value {
    let days_ago = rng.below(within_days);
    let day = Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(days_ago))
        .unwrap_or_else(|| Utc::now().date_naive());
    json!({
        "domain": rng.pick(&DOMAINS),
        "description": rng.pick(&CHORES),
        "occurred_on": day.to_string(),
        "effort": rng.between(1, 5),
        "minutes": rng.between(5, 120),
    })
}

pub fn thanks(rng: &mut Rng) -> Value {
    if rng.below(2) == 0 {
        json!({"value": rng.between(1, 5), "note": "thank you, that meant a lot"})
    } else {
        json!({"value": rng.between(1, 5)})
    }
}

pub fn value_answer(rng: &mut Rng, key: &str) -> Value {
    json!({"key": key, "importance": rng.between(1, 5), "definition": sentence(rng, 8)})
}

const WORDS: [&str; 16] = [
    "we",
    "listen",
    "before",
    "answering",
    "and",
    "keep",
    "small",
    "promises",
    "trust",
    "grows",
    "when",
    "the",
    "other",
    "notices",
    "what",
    "matters",
];

/// `words` words of plain prose.
pub fn sentence(rng: &mut Rng, words: usize) -> String {
    (0..words)
        .map(|_| *rng.pick(&WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a string, got {v}"))
}
