//! Phase 2: the timed mix. C virtual users run at once, closed loop (each
//! sends its next request when the last one answered, with no think time,
//! so the server is kept as busy as C callers can make it). A virtual user
//! visits as one partner of one couple, both drawn at random, for 1 to 10
//! requests, then draws again. Each request is a kind drawn by weight: 70%
//! reads, 30% writes (`Kind::weight`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::api::{clip, Api};
use crate::rng::Rng;
use crate::seed::{self, Seeded, DECK};

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Me,
    Contributions,
    Balance,
    ValuesComparison,
    ValuesStatus,
    Conversation,
    Notes,
    HomePage,
    LedgerPage,
    Contribute,
    Thank,
    Note,
    Draft,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::Me,
        Kind::Contributions,
        Kind::Balance,
        Kind::ValuesComparison,
        Kind::ValuesStatus,
        Kind::Conversation,
        Kind::Notes,
        Kind::HomePage,
        Kind::LedgerPage,
        Kind::Contribute,
        Kind::Thank,
        Kind::Note,
        Kind::Draft,
    ];

    /// The request, as the report names it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Me => "GET /api/v1/me",
            Kind::Contributions => "GET R/contributions",
            Kind::Balance => "GET R/balance",
            Kind::ValuesComparison => "GET R/values/comparison?round=1",
            Kind::ValuesStatus => "GET R/values",
            Kind::Conversation => "GET R/conversations/D/comparison",
            Kind::Notes => "GET R/conversations/D/notes",
            Kind::HomePage => "GET /home (HTML)",
            Kind::LedgerPage => "GET /ledger (HTML)",
            Kind::Contribute => "POST R/contributions",
            Kind::Thank => "POST R/contributions/C/acknowledgment",
            Kind::Note => "POST R/conversations/D/notes",
            Kind::Draft => "PUT R/values/answers",
        }
    }

    /// Out of 100: reads add up to 70, writes to 30.
    pub fn weight(self) -> u64 {
        match self {
            Kind::Me => 15,
            Kind::Contributions => 12,
            Kind::Balance => 10,
            Kind::ValuesComparison => 6,
            Kind::ValuesStatus => 5,
            Kind::Conversation => 8,
            Kind::Notes => 4,
            Kind::HomePage => 5,
            Kind::LedgerPage => 5,
            Kind::Contribute => 12,
            Kind::Thank => 8,
            Kind::Note => 5,
            Kind::Draft => 5,
        }
    }

    pub fn is_write(self) -> bool {
        matches!(
            self,
            Kind::Contribute | Kind::Thank | Kind::Note | Kind::Draft
        )
    }

    fn draw(rng: &mut Rng) -> Kind {
        let mut r = rng.below(100);
        for kind in Kind::ALL {
            if r < kind.weight() {
                return kind;
            }
            r -= kind.weight();
        }
        unreachable!("the weights add up to 100")
    }
}

/// One kind's figures.
#[derive(Default, Clone)]
pub struct KindStats {
    /// Requests that got an answer (expected or not).
    pub count: u64,
    /// Answers other than the expected status, and requests with no answer.
    pub errors: u64,
    /// Latency of every answered request, in microseconds.
    pub micros: Vec<u32>,
}

pub struct MixResult {
    /// Indexed like `Kind::ALL`.
    pub kinds: Vec<KindStats>,
    /// The first few errors, word for word.
    pub error_samples: Vec<String>,
    pub elapsed: Duration,
}

const ERROR_SAMPLES: usize = 10;

pub async fn run(
    api: Api,
    seeded: Arc<Seeded>,
    concurrency: usize,
    duration: Duration,
    seed: u64,
) -> MixResult {
    let started = Instant::now();
    let deadline = started + duration;
    let mut users = Vec::new();
    for vu in 0..concurrency.max(1) {
        let (api, seeded) = (api.clone(), seeded.clone());
        let rng = Rng::new(seed.wrapping_add(0x5151_0000 + vu as u64));
        users.push(tokio::spawn(virtual_user(api, seeded, rng, deadline)));
    }
    let mut kinds = vec![KindStats::default(); Kind::ALL.len()];
    let mut error_samples = Vec::new();
    for user in users {
        match user.await {
            Ok((theirs, errors)) => {
                for (mine, theirs) in kinds.iter_mut().zip(theirs) {
                    mine.count += theirs.count;
                    mine.errors += theirs.errors;
                    mine.micros.extend(theirs.micros);
                }
                for e in errors {
                    if error_samples.len() < ERROR_SAMPLES {
                        error_samples.push(e);
                    }
                }
            }
            Err(panic) => error_samples.push(format!("a virtual user failed: {panic}")),
        }
    }
    MixResult {
        kinds,
        error_samples,
        elapsed: started.elapsed(),
    }
}

async fn virtual_user(
    api: Api,
    seeded: Arc<Seeded>,
    mut rng: Rng,
    deadline: Instant,
) -> (Vec<KindStats>, Vec<String>) {
    let mut stats = vec![KindStats::default(); Kind::ALL.len()];
    let mut errors = Vec::new();
    while Instant::now() < deadline {
        let couple = rng.below(seeded.couples.len() as u64) as usize;
        let me = rng.below(2) as usize;
        for _ in 0..rng.between(1, 10) {
            if Instant::now() >= deadline {
                break;
            }
            let kind = Kind::draw(&mut rng);
            let (kind, outcome) = one(&api, &seeded, couple, me, kind, &mut rng).await;
            let slot = &mut stats[Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)];
            match outcome {
                Ok(elapsed) => {
                    slot.count += 1;
                    slot.micros
                        .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                }
                Err((elapsed, message)) => {
                    slot.errors += 1;
                    if let Some(elapsed) = elapsed {
                        slot.count += 1;
                        slot.micros
                            .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                    }
                    if errors.len() < ERROR_SAMPLES {
                        errors.push(message);
                    }
                }
            }
        }
    }
    (stats, errors)
}

type Outcome = Result<Duration, (Option<Duration>, String)>;

/// Sends one request of `kind` as partner `me` of couple `couple`; returns
/// the kind it really sent (a thanks with nothing left to thank becomes a
/// contribution) and its outcome.
async fn one(
    api: &Api,
    seeded: &Seeded,
    couple: usize,
    me: usize,
    kind: Kind,
    rng: &mut Rng,
) -> (Kind, Outcome) {
    let c = &seeded.couples[couple];
    let rel = &c.rel;
    let deck = format!("{rel}/conversations/{DECK}");
    let mut kind = kind;
    let mut thanked = None;
    if kind == Kind::Thank {
        // The partner's oldest unthanked gift; taken out first, so no other
        // virtual user thanks it too.
        let mut unthanked = c.unthanked.lock().unwrap_or_else(|p| p.into_inner());
        thanked = unthanked[1 - me].pop();
        if thanked.is_none() {
            kind = Kind::Contribute;
        }
    }
    let (method, path, body, expected): (Method, String, Option<Value>, u16) = match kind {
        Kind::Me => (Method::GET, "/api/v1/me".into(), None, 200),
        Kind::Contributions => (
            Method::GET,
            format!("{rel}/contributions?limit=50"),
            None,
            200,
        ),
        Kind::Balance => (Method::GET, format!("{rel}/balance"), None, 200),
        Kind::ValuesComparison => (
            Method::GET,
            format!("{rel}/values/comparison?round=1"),
            None,
            200,
        ),
        Kind::ValuesStatus => (Method::GET, format!("{rel}/values"), None, 200),
        Kind::Conversation => (Method::GET, format!("{deck}/comparison"), None, 200),
        Kind::Notes => (Method::GET, format!("{deck}/notes"), None, 200),
        Kind::HomePage => (Method::GET, "/home".into(), None, 200),
        Kind::LedgerPage => (Method::GET, "/ledger".into(), None, 200),
        Kind::Contribute => (
            Method::POST,
            format!("{rel}/contributions"),
            Some(seed::contribution(rng, 3)),
            201,
        ),
        Kind::Thank => (
            Method::POST,
            format!(
                "{rel}/contributions/{}/acknowledgment",
                thanked.as_deref().unwrap_or_default()
            ),
            Some(seed::thanks(rng)),
            200,
        ),
        Kind::Note => (
            Method::POST,
            format!("{deck}/notes"),
            Some(json!({"text": seed::sentence(rng, 10)})),
            201,
        ),
        Kind::Draft => {
            let key = rng.pick(&seeded.value_items).clone();
            (
                Method::PUT,
                format!("{rel}/values/answers"),
                Some(json!({"answers": [seed::value_answer(rng, &key)]})),
                200,
            )
        }
    };
    let label = format!("{method} {path}");
    let answer = match api
        .send(method, &path, Some(&c.people[me].cookie), body.as_ref())
        .await
    {
        Ok(answer) => answer,
        Err(e) => return (kind, Err((None, format!("no answer: {e}")))),
    };
    if answer.status != expected {
        let message = format!(
            "{label}: expected {expected}, got {}: {}",
            answer.status,
            clip(&answer.body)
        );
        return (kind, Err((Some(answer.elapsed), message)));
    }
    if kind == Kind::Contribute {
        // The new gift can be thanked by the partner later in the run.
        match serde_json::from_str::<Value>(&answer.body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
        {
            Some(id) => c.unthanked.lock().unwrap_or_else(|p| p.into_inner())[me].push(id),
            None => return (kind, Err((Some(answer.elapsed), format!("{label}: no id")))),
        }
    }
    (kind, Ok(answer.elapsed))
}
