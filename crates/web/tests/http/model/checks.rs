//! The checks after every step: for every person and every relationship of
//! the case (and one that never existed), what the server shows through the
//! API equals what the model says that person may see, field by field, and
//! no response carries a word the model says that person may not read.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::reference::{Instrument, Model, Status, Token};
use super::sut::{Case, Reply};

/// The 404 bodies of a relationship that never existed, per read route:
/// every refused read must answer exactly this.
pub struct Baselines(pub BTreeMap<&'static str, String>);

/// The relationship-scoped read routes, by the suffix after `R`.
pub fn read_routes() -> Vec<(&'static str, String)> {
    let deck = super::sut::deck();
    vec![
        ("relationship", String::new()),
        ("contributions", "/contributions".into()),
        ("values", "/values".into()),
        ("values comparison", "/values/comparison".into()),
        ("respect", "/respect".into()),
        ("respect comparison", "/respect/comparison".into()),
        ("talk", format!("/conversations/{deck}")),
        (
            "talk comparison",
            format!("/conversations/{deck}/comparison"),
        ),
        ("talk notes", format!("/conversations/{deck}/notes")),
        ("written", "/written".into()),
    ]
}

/// What the checks found, added to the run's totals.
#[derive(Default)]
pub struct Tally {
    pub checks: u64,
    pub requests: u64,
    pub violations: Vec<String>,
    /// Reads refused with the never-existed 404 (strangers, former partners).
    pub denied: u64,
    /// Words of this case found in a response by someone allowed to read
    /// them: a scanner that never finds anything proves nothing.
    pub sightings: u64,
}

impl Tally {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.violations.push(what());
        }
    }

    fn equal(&mut self, got: &Value, want: &Value, what: impl FnOnce() -> String) {
        self.check(got == want, || {
            format!("{}: got {got}, model {want}", what())
        });
    }
}

/// How a person reads: their session, else their token, else not at all.
enum Channel<'a> {
    Cookie(&'a reqwest::Client),
    Token(&'a reqwest::Client, &'a str),
}

impl Channel<'_> {
    async fn get(&self, base: &str, path: &str) -> Reply {
        let request = match self {
            Self::Cookie(client) => client.get(format!("{base}{path}")),
            Self::Token(client, token) => client.get(format!("{base}{path}")).bearer_auth(token),
        };
        let response = request.send().await.expect("GET");
        Reply {
            status: response.status().as_u16(),
            body: response.text().await.expect("body"),
        }
    }
}

/// The markers found in `body`: `Ok` when `allowed` holds it, `Err` for a
/// leak (one `allowed` does not hold, or any of another case: no case may
/// see another's words).
pub fn scan(case: u64, body: &str, allowed: &BTreeSet<u32>) -> Vec<Result<u32, String>> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("h3c") {
        rest = &rest[at + 3..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let n = digits(rest);
        let (their_case, tail) = rest.split_at(n);
        let Some(tail) = tail.strip_prefix('n') else {
            continue;
        };
        let m = digits(tail);
        if m == 0 || !tail[m..].starts_with('z') {
            continue;
        }
        let marker: u32 = tail[..m].parse().unwrap_or(u32::MAX);
        if their_case.parse::<u64>().ok() != Some(case) || !allowed.contains(&marker) {
            found.push(Err(format!("h3c{their_case}n{marker}z")));
        } else {
            found.push(Ok(marker));
        }
    }
    found
}

/// Checks every person against the model after a step (the three at once:
/// their reads are independent, and the run is mostly waiting on them).
pub async fn all(case: &Case, model: &Model, baselines: &Baselines, tally: &mut Tally) {
    let mut each: [Tally; 3] = Default::default();
    let [t0, t1, t2] = &mut each;
    tokio::join!(
        person(case, model, baselines, 0, t0),
        person(case, model, baselines, 1, t1),
        person(case, model, baselines, 2, t2),
    );
    for t in each {
        tally.checks += t.checks;
        tally.requests += t.requests;
        tally.denied += t.denied;
        tally.sightings += t.sightings;
        tally.violations.extend(t.violations);
    }
}

async fn person(case: &Case, model: &Model, baselines: &Baselines, p: usize, tally: &mut Tally) {
    let someone = &case.people[p];
    let token = someone.token.as_ref().map(|(_, t)| t.as_str());
    // A revoked token must fail from the next request on.
    if model.token[p] == Token::Revoked {
        let reply = Channel::Token(&someone.bare, token.unwrap_or_default())
            .get(&case.base, "/api/v1/me")
            .await;
        tally.requests += 1;
        tally.check(reply.status == 401, || {
            format!("P{p}'s revoked token read /me: {}", reply.status)
        });
    }
    let channel = if model.signed_in[p] {
        Channel::Cookie(&someone.person.client)
    } else if model.token[p] == Token::Live {
        Channel::Token(&someone.bare, token.unwrap_or_default())
    } else {
        let reply = Channel::Cookie(&someone.person.client)
            .get(&case.base, "/api/v1/me")
            .await;
        tally.requests += 1;
        tally.check(reply.status == 401, || {
            format!("P{p} signed out read /me: {}", reply.status)
        });
        return;
    };
    let allowed = model.may_see(p);
    let read = |path: String| {
        let channel = &channel;
        async move {
            let reply = channel.get(&case.base, &path).await;
            (path, reply)
        }
    };

    let (_, me) = read("/api/v1/me".into()).await;
    let mut replies = vec![me];
    {
        let me = replies[0].json();
        let got: BTreeSet<(String, String)> = me["relationships"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| (str_of(&r["id"]), str_of(&r["status"])))
            .collect();
        let want: BTreeSet<(String, String)> = model
            .rels
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_member(p))
            .map(|(i, r)| (case.rels[i].0.clone(), r.status.as_str().to_owned()))
            .collect();
        tally.check(got == want, || {
            format!("P{p} /me relationships: got {got:?}, model {want:?}")
        });
    }

    for r in 0..model.rels.len() {
        let rel = &model.rels[r];
        let base = case.rel_path(r);
        for (route, suffix) in read_routes() {
            let (path, reply) = read(format!("{base}{suffix}")).await;
            if !rel.is_member(p) {
                // Not theirs: exactly the answer for an id that never existed.
                let want = &baselines.0[route];
                tally.denied += 1;
                tally.check(reply.status == 404 && &reply.body == want, || {
                    format!(
                        "P{p} (stranger) GET {path}: {} {} (never-existed: 404 {want})",
                        reply.status, reply.body
                    )
                });
            } else {
                member_read(case, model, baselines, p, r, route, &path, &reply, tally);
            }
            replies.push(reply);
        }
    }

    tally.requests += replies.len() as u64;
    for reply in &replies {
        for found in scan(case.case, &reply.body, &allowed) {
            match found {
                Ok(_) => tally.sightings += 1,
                Err(leak) => tally.check(false, || {
                    format!("P{p} received {leak}, which the model hides")
                }),
            }
        }
        tally.checks += 1;
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A member's (or former member's) read of one route, against the model.
#[allow(clippy::too_many_arguments)]
fn member_read(
    case: &Case,
    model: &Model,
    baselines: &Baselines,
    p: usize,
    r: usize,
    route: &str,
    path: &str,
    reply: &Reply,
    tally: &mut Tally,
) {
    let rel = &model.rels[r];
    let ended = rel.status == Status::Ended;
    let body = reply.json();
    let what = || format!("P{p} GET {path}");
    match route {
        "relationship" => {
            let members: BTreeSet<String> = body["members"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| str_of(&m["account_id"]))
                .collect();
            let want: BTreeSet<String> = rel
                .members
                .iter()
                .map(|&m| case.people[m].id.clone())
                .collect();
            tally.equal(
                &json!([reply.status, body["status"], members]),
                &json!([200, rel.status.as_str(), want]),
                what,
            );
        }
        "contributions" => {
            let want = entries_view(case, model, p, r, false);
            tally.equal(
                &json!([reply.status, entries_of(&body)]),
                &json!([200, want]),
                what,
            );
        }
        "written" => {
            let want = json!({
                "entries": entries_view(case, model, p, r, true),
                "values": written_rounds(case, model, p, r, Instrument::Values),
                "respect": written_rounds(case, model, p, r, Instrument::Respect),
                "talk": written_rounds(case, model, p, r, Instrument::Talk),
                "notes": own_notes(case, model, p, r),
            });
            let talk = body["conversations"]
                .as_array()
                .and_then(|d| d.iter().find(|d| d["deck"] == super::sut::deck()));
            let got = json!({
                "entries": entries_of(&body["entries"]),
                "values": rounds_of(&body["values"], Instrument::Values),
                "respect": rounds_of(&body["respect"], Instrument::Respect),
                "talk": talk.map_or(json!([]), |d| rounds_of(&d["rounds"], Instrument::Talk)),
                "notes": talk.map_or(json!([]), |d| json!(notes_of(&d["notes"], "round"))),
            });
            tally.equal(
                &json!([reply.status, body["ended"], got]),
                &json!([200, ended, want]),
                what,
            );
        }
        "talk notes" => {
            let n = model.current_round(p, r, Instrument::Talk);
            let rounds = &rel.rounds[Instrument::Talk.index()];
            let revealed = rounds.get(n as usize - 1).is_some_and(|x| x.revealed());
            if !ended && !revealed {
                tally.equal(&json!(reply.status), &json!(409), what);
            } else {
                let mut want: Vec<Value> = model
                    .notes
                    .iter()
                    .filter(|x| x.rel == r && x.round == n && (!ended || x.author == p))
                    .map(|x| json!([case.people[x.author].id, case.text(x.marker)]))
                    .collect();
                want.sort_by_key(Value::to_string);
                let mut got = notes_of(&body, "author");
                got.sort_by_key(Value::to_string);
                tally.equal(&json!([reply.status, got]), &json!([200, want]), what);
            }
        }
        _ => {
            let instrument = match route.split(' ').next() {
                Some("values") => Instrument::Values,
                Some("respect") => Instrument::Respect,
                _ => Instrument::Talk,
            };
            if route.ends_with("comparison") {
                comparison(
                    case, model, baselines, p, r, instrument, route, reply, tally,
                );
            } else {
                status(case, model, p, r, instrument, reply, tally, path);
            }
        }
    }
}

/// Entries as the model says `p` sees them in `r`: by the list's rules, or
/// (`written`) only `p`'s own words.
fn entries_view(case: &Case, model: &Model, p: usize, r: usize, written: bool) -> Value {
    let rel = &model.rels[r];
    let open = rel.status != Status::Ended;
    let mut rows = BTreeMap::new();
    for (e, entry) in model.entries.iter().enumerate() {
        if entry.rel != r || entry.withdrawn {
            continue;
        }
        let own_only = written || !open;
        let thanked_by_me = entry.receiver == p && entry.thanks.is_some();
        if own_only && entry.logged_by != p && !thanked_by_me {
            continue;
        }
        let details = !own_only || entry.logged_by == p;
        let thanks = entry
            .thanks
            .as_ref()
            .filter(|_| !own_only || entry.receiver == p);
        let row = json!({
            "description": details.then(|| case.text(entry.marker)),
            "effort": details.then_some(entry.effort),
            "acknowledged": thanks.is_some(),
            "value": thanks
                .filter(|_| entry.receiver == p || rel.consent())
                .map(|t| t.value),
            "thanks_note": thanks.and_then(|t| t.note).map(|m| case.text(m)),
        });
        rows.insert(case.entries[e].clone(), row);
    }
    json!(rows)
}

fn entries_of(list: &Value) -> Value {
    let rows: BTreeMap<String, Value> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                str_of(&c["id"]),
                json!({
                    "description": c["description"],
                    "effort": c["effort"],
                    "acknowledged": c["acknowledged"],
                    "value": c["value"],
                    "thanks_note": c["thanks_note"],
                }),
            )
        })
        .collect();
    json!(rows)
}

/// Reduces a response's answer list to the request's form (see `answers_json`).
fn answers_of(list: &Value, instrument: Instrument) -> Value {
    let items = list.as_array().into_iter().flatten();
    let reduced: Vec<Value> = match instrument {
        Instrument::Values => items
            .map(|a| {
                json!({
                    "key": a.get("key").unwrap_or(&a["item"]),
                    "importance": a["importance"],
                    "definition": a["definition"],
                })
            })
            .collect(),
        Instrument::Respect => items
            .map(|a| {
                json!({
                    "key": a["key"],
                    "i_respect": a["i_respect"],
                    "i_feel_respected": a["i_feel_respected"],
                })
            })
            .collect(),
        Instrument::Talk => items
            .map(|a| {
                json!({
                    "key": a.get("key").unwrap_or(&a["prompt"]),
                    "text": a.get("text").filter(|_| a.get("answer").is_none()).unwrap_or(&a["answer"]),
                })
            })
            .collect(),
    };
    json!(reduced)
}

fn model_answers(case: &Case, answer: Option<&super::reference::Answer>, i: Instrument) -> Value {
    json!(answer.map_or_else(Vec::new, |a| case.answers_json(i, a)))
}

fn written_rounds(case: &Case, model: &Model, p: usize, r: usize, i: Instrument) -> Value {
    let rel = &model.rels[r];
    let me = rel.side_of(p).unwrap_or(0);
    let rows: Vec<Value> = rel.rounds[i.index()]
        .iter()
        .enumerate()
        .filter(|(_, round)| super::reference::wrote_in(&round.sides[me]))
        .map(|(n, round)| {
            let side = &round.sides[me];
            json!({
                "round": n + 1,
                "status": if side.submitted { "sent" } else { "draft" },
                "answers": model_answers(case, side.draft.as_ref(), i),
            })
        })
        .collect();
    json!(rows)
}

fn rounds_of(list: &Value, i: Instrument) -> Value {
    let rows: Vec<Value> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| json!({"round": r["round"], "status": r["status"], "answers": answers_of(&r["answers"], i)}))
        .collect();
    json!(rows)
}

fn own_notes(case: &Case, model: &Model, p: usize, r: usize) -> Value {
    let mut rows: Vec<Value> = model
        .notes
        .iter()
        .filter(|n| n.rel == r && n.author == p)
        .map(|n| json!([n.round, case.text(n.marker)]))
        .collect();
    rows.sort_by_key(Value::to_string);
    json!(rows)
}

/// Notes reduced to `[<key>, text]` (key `round` or `author`).
fn notes_of(list: &Value, key: &str) -> Vec<Value> {
    let mut rows: Vec<Value> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| json!([n[key], n["text"]]))
        .collect();
    rows.sort_by_key(Value::to_string);
    rows
}

/// The caller's status in an instrument's current round.
#[allow(clippy::too_many_arguments)]
fn status(
    case: &Case,
    model: &Model,
    p: usize,
    r: usize,
    i: Instrument,
    reply: &Reply,
    tally: &mut Tally,
    path: &str,
) {
    let rel = &model.rels[r];
    let ended = rel.status == Status::Ended;
    let me = rel.side_of(p).unwrap_or(0);
    let n = model.current_round(p, r, i);
    let round = rel.rounds[i.index()].get(n as usize - 1);
    let side = round.map(|x| x.sides[me]).unwrap_or_default();
    let (mine, partner) = match round {
        Some(x) if !ended && x.revealed() => ("revealed", true),
        Some(x) => (
            if side.submitted {
                "submitted"
            } else {
                "drafting"
            },
            !ended && x.sides[1 - me].submitted,
        ),
        None => ("drafting", false),
    };
    let body = reply.json();
    tally.equal(
        &json!([
            reply.status,
            body["round"],
            body["mine"],
            body["partner_submitted"],
            body["ended"],
            answers_of(&body["answers"], i)
        ]),
        &json!([
            200,
            n,
            mine,
            partner,
            ended,
            model_answers(case, side.draft.as_ref(), i)
        ]),
        || format!("P{p} GET {path}"),
    );
}

/// A comparison: 404 to a former partner (exactly as for an id that never
/// existed), 409 until the latest round is revealed, then both sides.
#[allow(clippy::too_many_arguments)]
fn comparison(
    case: &Case,
    model: &Model,
    baselines: &Baselines,
    p: usize,
    r: usize,
    i: Instrument,
    route: &str,
    reply: &Reply,
    tally: &mut Tally,
) {
    let rel = &model.rels[r];
    let what = || format!("P{p} GET {route} of relationship {r}");
    if rel.status == Status::Ended {
        let want = &baselines.0[route];
        tally.denied += 1;
        tally.check(reply.status == 404 && &reply.body == want, || {
            format!(
                "{}: {} {} (never-existed: 404 {want})",
                what(),
                reply.status,
                reply.body
            )
        });
        return;
    }
    let rounds = &rel.rounds[i.index()];
    let Some(latest) = rounds.last().filter(|x| x.revealed()) else {
        tally.equal(&json!(reply.status), &json!(409), what);
        return;
    };
    let body = reply.json();
    let partners: Vec<String> = body["partners"]
        .as_array()
        .into_iter()
        .flatten()
        .map(str_of)
        .collect();
    let side_of_body = |k: &str| -> Value {
        match i {
            Instrument::Values => json!(body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| json!({"key": x["item"], "importance": x[k]["importance"], "definition": x[k]["definition"]}))
                .collect::<Vec<_>>()),
            Instrument::Respect => json!(body["areas"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| json!({"key": x["area"], "i_respect": x[k]["i_respect"], "i_feel_respected": x[k]["i_feel_respected"]}))
                .collect::<Vec<_>>()),
            Instrument::Talk => json!(body["prompts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|x| !x[k].is_null())
                .map(|x| json!({"key": x["prompt"], "text": x[k]}))
                .collect::<Vec<_>>()),
        }
    };
    let got: BTreeMap<String, Value> = partners
        .iter()
        .zip(["a", "b"])
        .map(|(id, k)| (id.clone(), side_of_body(k)))
        .collect();
    let want: BTreeMap<String, Value> = rel
        .members
        .iter()
        .enumerate()
        .map(|(s, &m)| {
            (
                case.people[m].id.clone(),
                model_answers(case, latest.sides[s].draft.as_ref(), i),
            )
        })
        .collect();
    tally.equal(
        &json!([reply.status, body["round"], got]),
        &json!([200, rounds.len(), want]),
        what,
    );
}
