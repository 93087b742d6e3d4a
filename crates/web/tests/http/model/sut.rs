//! The system under test: the real server over HTTP on loopback. One
//! [`Case`] is three fresh accounts (unique e-mails, so every case on the
//! same server starts from nothing) and the ids the server gave to what the
//! model only numbers. [`Case::run`] sends one step as the API's clients do.

use domain::catalog::{decks::DECKS, respect::AREAS, values::ITEMS};
use serde_json::{json, Value};

use super::reference::{Action, Answer, Instrument, Model, Step, PEOPLE};
use crate::common::{Person, TestApp};

pub const PASSWORD: &str = "a long password";

/// The deck the model calls `Talk`.
pub fn deck() -> &'static str {
    DECKS[0].key
}

/// What one request answered.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// One person of a case: a client with its own cookie jar, and the token
/// the model says they hold.
pub struct Someone {
    pub person: Person,
    pub id: String,
    pub email: String,
    pub token: Option<(String, String)>,
    /// A client without cookies, for requests made with the token alone.
    pub bare: reqwest::Client,
}

pub struct Case {
    pub base: String,
    /// Marks this case's words: `h3c<case>n<marker>z`.
    pub case: u64,
    pub people: Vec<Someone>,
    /// Server ids and invitation codes of the model's relationships, in order.
    pub rels: Vec<(String, String)>,
    /// Server ids of the model's entries, in order.
    pub entries: Vec<String>,
}

pub fn marker_text(case: u64, marker: u32) -> String {
    format!("h3c{case}n{marker}z")
}

impl Case {
    /// Three fresh accounts, signed in.
    pub async fn start(app: &TestApp, case: u64) -> Self {
        let mut people = Vec::new();
        for i in 0..PEOPLE {
            let email = format!("h3-{case}-{i}@example.org");
            let (person, id) = app.signed_in(&email, &format!("P{i}")).await;
            people.push(Someone {
                person,
                id,
                email,
                token: None,
                bare: reqwest::Client::new(),
            });
        }
        Self {
            base: app.base.clone(),
            case,
            people,
            rels: Vec::new(),
            entries: Vec::new(),
        }
    }

    pub fn text(&self, marker: u32) -> String {
        marker_text(self.case, marker)
    }

    pub fn rel_path(&self, r: usize) -> String {
        format!("/api/v1/relationships/{}", self.rels[r].0)
    }

    async fn send(
        &self,
        p: usize,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.people[p]
            .person
            .client
            .request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        Reply {
            status: response.status().as_u16(),
            body: response.text().await.expect("body"),
        }
    }

    /// Sends `step`, whose effect the model (`after`, already stepped) knows,
    /// and records the ids the server gave.
    pub async fn run(&mut self, step: &Step, before: &Model, after: &Model) -> Option<Reply> {
        use reqwest::Method;
        let p = step.actor;
        let current = before.current_of(p);
        // Words sent in a write the model refuses carry marker 0, which no
        // one may ever see: if such a write landed, the leak check says so.
        let ok = after.expect.is_some_and(|s| s < 300);
        let fresh = |n: u32| if ok { n } else { 0 };
        let reply = match &step.action {
            Action::SignIn => {
                let body = json!({"email": self.people[p].email, "password": PASSWORD});
                self.send(p, Method::POST, "/api/v1/session", Some(body))
                    .await
            }
            Action::SignOut => self.send(p, Method::DELETE, "/api/v1/session", None).await,
            Action::NewToken => {
                after.expect?;
                let body = json!({"name": "h3", "password": PASSWORD});
                let reply = self
                    .send(p, Method::POST, "/api/v1/tokens", Some(body))
                    .await;
                if reply.status == 201 {
                    let made = reply.json();
                    self.people[p].token = Some((
                        made["id"].as_str().unwrap_or_default().to_owned(),
                        made["token"].as_str().unwrap_or_default().to_owned(),
                    ));
                }
                reply
            }
            Action::RevokeToken => {
                after.expect?;
                let id = self.people[p].token.as_ref()?.0.clone();
                self.send(p, Method::DELETE, &format!("/api/v1/tokens/{id}"), None)
                    .await
            }
            Action::Create => {
                let reply = self
                    .send(p, Method::POST, "/api/v1/relationships", Some(json!({})))
                    .await;
                if reply.status == 201 {
                    let made = reply.json();
                    self.rels.push((
                        made["id"].as_str().unwrap_or_default().to_owned(),
                        made["invite_code"].as_str().unwrap_or_default().to_owned(),
                    ));
                }
                reply
            }
            Action::Join { pick } => {
                if self.rels.is_empty() {
                    return None;
                }
                let code = self.rels[pick % self.rels.len()].1.clone();
                let body = json!({"invite_code": code});
                self.send(p, Method::POST, "/api/v1/relationships/join", Some(body))
                    .await
            }
            Action::Leave => {
                let path = format!("{}/leave", self.rel_path(current?));
                self.send(p, Method::POST, &path, Some(json!({}))).await
            }
            Action::Log {
                for_partner,
                effort,
            } => {
                let r = current?;
                let mut body = json!({
                    "domain": "household_labor",
                    "description": self.text(fresh(after.markers_for_log(*for_partner))),
                    "effort": effort,
                });
                if *for_partner {
                    body["for_partner"] = json!(true);
                    body["value"] = json!(6 - effort);
                    body["note"] = json!(self.text(fresh(after.markers)));
                }
                let path = format!("{}/contributions", self.rel_path(r));
                let reply = self.send(p, Method::POST, &path, Some(body)).await;
                if reply.status == 201 {
                    let made = reply.json();
                    self.entries
                        .push(made["id"].as_str().unwrap_or_default().to_owned());
                }
                reply
            }
            Action::Correct { pick, effort } => {
                let (path, _) = self.entry_path(before, *pick)?;
                let body =
                    json!({"description": self.text(fresh(after.markers)), "effort": effort});
                self.send(p, Method::PATCH, &path, Some(body)).await
            }
            Action::Withdraw { pick } => {
                let (path, _) = self.entry_path(before, *pick)?;
                self.send(p, Method::DELETE, &path, None).await
            }
            Action::Thank { pick, value, note } => {
                let (path, _) = self.entry_path(before, *pick)?;
                let mut body = json!({"value": value});
                if *note {
                    body["note"] = json!(self.text(fresh(after.markers)));
                }
                let path = format!("{path}/acknowledgment");
                self.send(p, Method::POST, &path, Some(body)).await
            }
            Action::ShowNumbers { show } => {
                let path = format!("{}/preferences", self.rel_path(current?));
                let body = json!({"show_numbers": show});
                self.send(p, Method::PUT, &path, Some(body)).await
            }
            Action::Save { instrument, level } => {
                let r = current?;
                let marker = (*instrument != Instrument::Respect).then_some(fresh(after.markers));
                let answer = Answer {
                    level: *level,
                    marker,
                };
                let body = json!({"answers": self.answers_json(*instrument, &answer)});
                let path = format!("{}/answers", self.instrument_path(r, *instrument));
                self.send(p, Method::PUT, &path, Some(body)).await
            }
            Action::Submit { instrument } => {
                let path = format!("{}/submit", self.instrument_path(current?, *instrument));
                self.send(p, Method::POST, &path, Some(json!({}))).await
            }
            Action::NewRound { instrument } => {
                let path = format!("{}/rounds", self.instrument_path(current?, *instrument));
                self.send(p, Method::POST, &path, Some(json!({}))).await
            }
            Action::Note => {
                let path = format!("{}/notes", self.instrument_path(current?, Instrument::Talk));
                let body = json!({"text": self.text(fresh(after.markers))});
                self.send(p, Method::POST, &path, Some(body)).await
            }
        };
        Some(reply)
    }

    /// The path of entry `pick` (modulo how many), in its own relationship.
    fn entry_path(&self, model: &Model, pick: usize) -> Option<(String, usize)> {
        if model.entries.is_empty() {
            return None;
        }
        let e = pick % model.entries.len();
        let r = model.entries[e].rel;
        Some((
            format!("{}/contributions/{}", self.rel_path(r), self.entries[e]),
            e,
        ))
    }

    pub fn instrument_path(&self, r: usize, instrument: Instrument) -> String {
        let rel = self.rel_path(r);
        match instrument {
            Instrument::Values => format!("{rel}/values"),
            Instrument::Respect => format!("{rel}/respect"),
            Instrument::Talk => format!("{rel}/conversations/{}", deck()),
        }
    }

    /// One person's answers as a request sends them, which is also the form
    /// the checks reduce every answer list of a response to.
    pub fn answers_json(&self, instrument: Instrument, answer: &Answer) -> Vec<Value> {
        let text = answer.marker.map(|m| self.text(m));
        match instrument {
            Instrument::Values => ITEMS
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    json!({
                        "key": item.key,
                        "importance": answer.level,
                        "definition": if i == 0 { json!(text) } else { Value::Null },
                    })
                })
                .collect(),
            Instrument::Respect => AREAS
                .iter()
                .map(|area| {
                    json!({
                        "key": area.key,
                        "i_respect": answer.level,
                        "i_feel_respected": 6 - answer.level,
                    })
                })
                .collect(),
            Instrument::Talk => vec![json!({"key": DECKS[0].prompts[0].key, "text": text})],
        }
    }
}

impl Model {
    /// The description marker a `Log` step just made (the note, if any,
    /// came after it).
    pub fn markers_for_log(&self, for_partner: bool) -> u32 {
        if for_partner {
            self.markers.saturating_sub(1)
        } else {
            self.markers
        }
    }
}
