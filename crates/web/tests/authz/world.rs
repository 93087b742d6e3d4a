//! The cast and the worlds both harnesses share: people with their own
//! clients (cookie jar or API token), a recorder of every answer each person
//! received, a register of planted markers, and builders that put a
//! relationship into each data state of the matrix.
//!
//! The people: Ada is the author of every object under test; Bo her partner;
//! Cy her partner of an earlier relationship, which Cy left (so Cy is an
//! ex-partner of the author's); Eve a stranger; Ivy an invitee (she holds the
//! relationship's invitation and never joined); `token` is Ada's personal API
//! token; `anonymous` a client with no credentials. Four counselor accounts
//! (made by [`counselor_signed_up`], the one place that knows how a
//! counselor account is made) each play one condition of an engagement
//! with the couple ([`Consent`]); a world is built for one condition at a
//! time, since a couple holds one engagement it has not revoked.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::common::{DbEngine, TestApp};

pub const PASSWORD: &str = "a long password";
/// The conversation deck the sealed-round routes are exercised on.
pub const DECK: &str = "defining_love";
/// A second deck, for drafts that are never sent.
pub const DRAFT_DECK: &str = "intimacy";

/// One answer as a person received it.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    /// Where a redirect leads (pages send a signed-out visitor to sign in).
    pub location: Option<String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Everything every person received (headers and body), by person.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<(String, String)>>>);

impl Recorder {
    fn push(&self, who: &str, text: String) {
        self.0
            .lock()
            .expect("recorder")
            .push((who.to_owned(), text));
    }
    /// All text `who` received.
    pub fn of(&self, who: &str) -> Vec<String> {
        self.0
            .lock()
            .expect("recorder")
            .iter()
            .filter(|(w, _)| w == who)
            .map(|(_, t)| t.clone())
            .collect()
    }
    pub fn clear(&self) {
        self.0.lock().expect("recorder").clear();
    }
}

/// A person with a client of their own. `who` names them in the recorder
/// (it can change: Bo is recorded as `bo_after` once he left).
pub struct Actor {
    pub who: Mutex<String>,
    pub id: String,
    pub email: String,
    pub recovery_code: String,
    client: reqwest::Client,
    bearer: Option<String>,
    base: String,
    recorder: Recorder,
}

impl Actor {
    pub fn new(base: &str, recorder: &Recorder, who: &str, bearer: Option<String>) -> Self {
        let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        if bearer.is_none() {
            builder = builder.cookie_store(true);
        }
        Self {
            who: Mutex::new(who.to_owned()),
            id: String::new(),
            email: String::new(),
            recovery_code: String::new(),
            client: builder.build().expect("client"),
            bearer,
            base: base.to_owned(),
            recorder: recorder.clone(),
        }
    }

    pub fn rename(&self, who: &str) {
        *self.who.lock().expect("who") = who.to_owned();
    }

    /// Sends a request; JSON body for anything but GET and DELETE without one.
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.request(method, path, body, false).await
    }

    /// Sends a page's form: the body's fields urlencoded, as a browser posts
    /// them (a page refuses JSON).
    pub async fn send_form(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.request(method, path, body, true).await
    }

    async fn request(&self, method: &str, path: &str, body: Option<&Value>, form: bool) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        match body {
            Some(body) if form => {
                let fields: Vec<(String, String)> = body
                    .as_object()
                    .expect("a form's fields")
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                        )
                    })
                    .collect();
                request = request.form(&fields);
            }
            Some(body) => request = request.json(body),
            None => {}
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let mut headers = String::new();
        for (name, value) in response.headers() {
            headers.push_str(&format!(
                "{name}: {}\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        let location = response
            .headers()
            .get("location")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let body = response.bytes().await.expect("body").to_vec();
        let who = self.who.lock().expect("who").clone();
        self.recorder.push(
            &who,
            format!("{headers}\n{}", String::from_utf8_lossy(&body)),
        );
        Reply {
            status,
            content_type,
            location,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    /// A request that must succeed with `status`; its JSON.
    pub async fn must(&self, method: &str, path: &str, body: Value, status: u16) -> Value {
        let body = (method != "GET").then_some(body);
        let reply = self.send(method, path, body.as_ref()).await;
        assert_eq!(
            reply.status,
            status,
            "{method} {path} {body:?}: {}",
            reply.text()
        );
        reply.json()
    }
}

/// Whose a marker is and whether it was ever shared with the partner.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// A draft never sent, a token name: only its author may ever read it.
    Private,
    /// Shared with the partner while the relationship is open.
    Shared,
    /// A private note to the counselor (SECURITY.md §1.3 D7): its author
    /// and the counselor it was written to, and nobody else, not even the
    /// other partner.
    CounselorNote,
}

#[derive(Clone, Debug)]
pub struct Marker {
    pub text: String,
    pub owner: &'static str,
    pub class: Class,
    /// The relationship it was written in (empty for account data).
    pub rel: String,
}

#[derive(Clone, Default)]
pub struct Markers(Arc<Mutex<Vec<Marker>>>);

impl Markers {
    /// A new marker for `field`, registered as `owner`'s.
    pub fn plant(&self, owner: &'static str, field: &str, class: Class, rel: &str) -> String {
        let text = format!("MARKER-{field}-{}", uuid::Uuid::new_v4().simple());
        self.0.lock().expect("markers").push(Marker {
            text: text.clone(),
            owner,
            class,
            rel: rel.to_owned(),
        });
        text
    }
    pub fn all(&self) -> Vec<Marker> {
        self.0.lock().expect("markers").clone()
    }
}

/// The people of both harnesses, on one running server.
pub struct Cast {
    pub app: TestApp,
    pub anonymous: Actor,
    pub ada: Actor,
    pub bo: Actor,
    pub cy: Actor,
    pub eve: Actor,
    pub ivy: Actor,
    pub token: Actor,
    /// The counselor of the couple with both consents, open (`counselor`).
    pub counselor: Actor,
    /// Joined; only the inviting partner approved (`counselor_unapproved`).
    pub counselor_unapproved: Actor,
    /// Both approved, then a partner revoked (`counselor_revoked`).
    pub counselor_revoked: Actor,
    /// Both approved more than 90 days ago (`counselor_expired`).
    pub counselor_expired: Actor,
    pub recorder: Recorder,
    pub markers: Markers,
    /// Ada's relationship with Cy, which Cy left.
    pub r0: String,
    value_items: Vec<String>,
    respect_areas: Vec<String>,
    /// The first prompt of [`DECK`].
    pub prompt: String,
}

impl Cast {
    /// `None` only for PostgreSQL when it is unreachable and may be skipped.
    pub async fn assemble(engine: DbEngine) -> Option<Self> {
        // Every limit out of the way: the harness signs in and checks
        // passwords far more often than a person would.
        let mut config = crate::common::relaxed();
        let wide = web::Rate::new(100_000, 1);
        let limits = &mut config.limits;
        for rate in [
            &mut limits.sign_in_per_account,
            &mut limits.sign_in_trusted_device,
            &mut limits.sign_in_per_client,
            &mut limits.sign_in_per_target,
            &mut limits.sign_up_per_client,
            &mut limits.sign_up_per_target,
            &mut limits.reset_per_target,
            &mut limits.reset_per_client,
        ] {
            *rate = wide;
        }
        let app = TestApp::spawn_with(engine, config).await?;
        let recorder = Recorder::default();
        let markers = Markers::default();
        let base = app.base.clone();
        let anonymous = Actor::new(&base, &recorder, "anonymous", None);
        let ada = signed_up(&base, &recorder, "ada").await;
        let bo = signed_up(&base, &recorder, "bo").await;
        let cy = signed_up(&base, &recorder, "cy").await;
        let eve = signed_up(&base, &recorder, "eve").await;
        let ivy = signed_up(&base, &recorder, "ivy").await;
        let counselor = counselor_signed_up(&base, &recorder, "counselor").await;
        let counselor_unapproved =
            counselor_signed_up(&base, &recorder, "counselor_unapproved").await;
        let counselor_revoked = counselor_signed_up(&base, &recorder, "counselor_revoked").await;
        let counselor_expired = counselor_signed_up(&base, &recorder, "counselor_expired").await;
        let name = markers.plant("ada", "token-name", Class::Private, "");
        let minted = ada
            .must(
                "POST",
                "/api/v1/tokens",
                json!({"name": name, "password": PASSWORD}),
                201,
            )
            .await;
        let mut token = Actor::new(
            &base,
            &recorder,
            "ada",
            Some(minted["token"].as_str().expect("token").to_owned()),
        );
        token.id.clone_from(&ada.id);
        let mut cast = Self {
            app,
            anonymous,
            ada,
            bo,
            cy,
            eve,
            ivy,
            token,
            counselor,
            counselor_unapproved,
            counselor_revoked,
            counselor_expired,
            recorder,
            markers,
            r0: String::new(),
            value_items: Vec::new(),
            respect_areas: Vec::new(),
            prompt: String::new(),
        };
        // Ada and Cy, before Bo: both write, then Cy leaves.
        let (r0, code) = cast.open().await;
        cast.cy
            .must(
                "POST",
                "/api/v1/relationships/join",
                json!({"invite_code": code}),
                200,
            )
            .await;
        let r = format!("/api/v1/relationships/{r0}");
        cast.value_items = keys(
            &cast
                .ada
                .must("GET", &format!("{r}/values/items"), Value::Null, 200)
                .await["items"],
        );
        cast.respect_areas = keys(
            &cast
                .ada
                .must("GET", &format!("{r}/respect/areas"), Value::Null, 200)
                .await,
        );
        cast.prompt = cast
            .ada
            .must(
                "GET",
                &format!("{r}/conversations/{DECK}"),
                Value::Null,
                200,
            )
            .await["prompts"][0]["key"]
            .as_str()
            .expect("prompt")
            .to_owned();
        cast.contribution(&cast.ada, "ada", &r0, Class::Shared)
            .await;
        let theirs = cast.contribution(&cast.cy, "cy", &r0, Class::Shared).await;
        cast.thank(&cast.ada, "ada", &r0, &theirs).await;
        cast.values_draft(&cast.cy, "cy", &r0, Class::Private).await;
        cast.values_draft(&cast.ada, "ada", &r0, Class::Private)
            .await;
        cast.cy
            .must("POST", &format!("{r}/leave"), json!({}), 200)
            .await;
        cast.r0 = r0;
        Some(cast)
    }

    /// Ada leaves whatever she is in and opens a new relationship; its id
    /// and invitation code.
    pub async fn open(&self) -> (String, String) {
        // The counselors too: an account is an account, and a case may have
        // let one create or join a space of its own.
        for person in [
            &self.ada,
            &self.bo,
            &self.cy,
            &self.eve,
            &self.ivy,
            &self.counselor,
            &self.counselor_unapproved,
            &self.counselor_revoked,
            &self.counselor_expired,
        ] {
            leave_all(person).await;
        }
        let created = self
            .ada
            .must("POST", "/api/v1/relationships", json!({}), 201)
            .await;
        (
            created["id"].as_str().expect("id").to_owned(),
            created["invite_code"].as_str().expect("code").to_owned(),
        )
    }

    /// Logs a contribution by `who` with a marked description; its id.
    pub async fn contribution(
        &self,
        who: &Actor,
        owner: &'static str,
        rel: &str,
        class: Class,
    ) -> String {
        let text = self.markers.plant(owner, "contribution", class, rel);
        who.must(
            "POST",
            &format!("/api/v1/relationships/{rel}/contributions"),
            json!({"domain": "household_labor", "description": text, "effort": 3, "minutes": 20}),
            201,
        )
        .await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// `who` thanks for contribution `cid` with a marked note.
    pub async fn thank(&self, who: &Actor, owner: &'static str, rel: &str, cid: &str) {
        let note = self.markers.plant(owner, "thanks", Class::Shared, rel);
        who.must(
            "POST",
            &format!("/api/v1/relationships/{rel}/contributions/{cid}/acknowledgment"),
            json!({"value": 4, "note": note}),
            200,
        )
        .await;
    }

    /// Answers every values item with a marked definition (a draft).
    pub async fn values_draft(&self, who: &Actor, owner: &'static str, rel: &str, class: Class) {
        let answers: Vec<Value> = self
            .value_items
            .iter()
            .map(|k| {
                let d = self.markers.plant(owner, "definition", class.clone(), rel);
                json!({"item": k, "importance": 3, "definition": d})
            })
            .collect();
        who.must(
            "PUT",
            &format!("/api/v1/relationships/{rel}/values/answers"),
            json!({ "answers": answers }),
            200,
        )
        .await;
    }

    /// Answers every respect area (numbers only) in a draft.
    pub async fn respect_draft(&self, who: &Actor, rel: &str) {
        let answers: Vec<Value> = self
            .respect_areas
            .iter()
            .map(|k| json!({"key": k, "i_respect": 4, "i_feel_respected": 3}))
            .collect();
        who.must(
            "PUT",
            &format!("/api/v1/relationships/{rel}/respect/answers"),
            json!({ "answers": answers }),
            200,
        )
        .await;
    }

    /// Answers every prompt of `deck` with a marked text (a draft).
    pub async fn conversation_draft(
        &self,
        who: &Actor,
        owner: &'static str,
        rel: &str,
        deck: &str,
        class: Class,
    ) {
        let path = format!("/api/v1/relationships/{rel}/conversations/{deck}");
        let status = who.must("GET", &path, Value::Null, 200).await;
        let answers: Vec<Value> = status["prompts"]
            .as_array()
            .expect("prompts")
            .iter()
            .map(|p| {
                let t = self
                    .markers
                    .plant(owner, "conversation", class.clone(), rel);
                json!({"prompt": p["key"], "text": t})
            })
            .collect();
        who.must(
            "PUT",
            &format!("{path}/answers"),
            json!({ "answers": answers }),
            200,
        )
        .await;
    }

    /// Submits values, the respect map and the deck.
    pub async fn submit_all(&self, who: &Actor, rel: &str) {
        let r = format!("/api/v1/relationships/{rel}");
        for path in [
            format!("{r}/values/submit"),
            format!("{r}/respect/submit"),
            format!("{r}/conversations/{DECK}/submit"),
        ] {
            who.must("POST", &path, json!({}), 200).await;
        }
    }

    /// Ada's check-ins in `rel`, days ago (so one of today's is still
    /// free): one shared, one private, each with a marked note for her
    /// alone. The shared one's id.
    pub async fn checkins(&self, rel: &str) -> String {
        let mut shared = String::new();
        for (ago, share) in [(3, true), (4, false)] {
            let note = self
                .markers
                .plant("ada", "checkin-note", Class::Private, rel);
            let on = (chrono::Utc::now().date_naive() - chrono::Duration::days(ago)).to_string();
            let kept = self
                .ada
                .must(
                    "POST",
                    &format!("/api/v1/relationships/{rel}/checkins"),
                    checkin_body(&on, share, &note),
                    201,
                )
                .await;
            if share {
                shared = kept["id"].as_str().expect("id").to_owned();
            }
        }
        shared
    }

    /// Ada's episodes in `rel`: one shared (its title marked shared, her
    /// view shared, a turn each way) whose repair both partners sent
    /// (marked), and one she kept to herself (title marked private). The
    /// shared one's id.
    pub async fn episodes(&self, rel: &str) -> String {
        let r = format!("/api/v1/relationships/{rel}");
        let title = self
            .markers
            .plant("ada", "episode-title", Class::Shared, rel);
        let shared = self
            .ada
            .must(
                "POST",
                &format!("{r}/episodes"),
                json!({"title": title, "kind": "conflict", "share": true}),
                201,
            )
            .await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        for (actor, code) in [(&self.ada.id, "criticism"), (&self.bo.id, "defensiveness")] {
            self.ada
                .must(
                    "POST",
                    &format!("{r}/episodes/{shared}/turns"),
                    json!({"actor_id": actor, "code": code, "intensity": 2}),
                    201,
                )
                .await;
        }
        for (who, owner) in [(&self.ada, "ada"), (&self.bo, "bo")] {
            let part = self.markers.plant(owner, "repair", Class::Shared, rel);
            who.must(
                "PUT",
                &format!("{r}/episodes/{shared}/repair"),
                json!({"my_part": part}),
                200,
            )
            .await;
        }
        let hidden = self
            .markers
            .plant("ada", "episode-title", Class::Private, rel);
        self.ada
            .must(
                "POST",
                &format!("{r}/episodes"),
                json!({"title": hidden, "kind": "everyday"}),
                201,
            )
            .await;
        shared
    }

    /// A marked private reflection of `who`; its id.
    pub async fn reflect(&self, who: &Actor, owner: &'static str, rel: &str) -> String {
        let text = self.markers.plant(owner, "reflection", Class::Private, rel);
        who.must(
            "POST",
            &format!("/api/v1/relationships/{rel}/reflections"),
            json!({ "text": text }),
            201,
        )
        .await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Ada's two agreements in `world.rel`: one Bo countered (his words
    /// marked too) and both accepted, with `world.cid` linked; one waiting
    /// for Bo. And a spare unmarked contribution of Ada's to link.
    pub async fn agreements(&self, world: &mut World) {
        let rel = world.rel.clone();
        let r = format!("/api/v1/relationships/{rel}/agreements");
        let propose = || {
            let title = self
                .markers
                .plant("ada", "agreement-title", Class::Shared, &rel);
            let terms = self
                .markers
                .plant("ada", "agreement-terms", Class::Shared, &rel);
            json!({"domain": "household_labor", "title": title, "terms": terms})
        };
        let (first, second) = (propose(), propose());
        let id = |v: Value| v["id"].as_str().expect("id").to_owned();
        world.agreement = id(self.ada.must("POST", &r, first, 201).await);
        let a = format!("{r}/{}", world.agreement);
        // Bo's counter names its own title: a field left out would be
        // carried from Ada's version, her words in his (see the report on
        // carried fields after the end).
        let title = self
            .markers
            .plant("bo", "agreement-title", Class::Shared, &rel);
        let countered = self
            .markers
            .plant("bo", "agreement-terms", Class::Shared, &rel);
        self.bo
            .must(
                "POST",
                &format!("{a}/counter"),
                json!({"title": title, "terms": countered}),
                200,
            )
            .await;
        self.ada
            .must("POST", &format!("{a}/accept"), json!({"version": 2}), 200)
            .await;
        self.ada
            .must(
                "POST",
                &format!("{a}/contributions"),
                json!({"contribution_id": world.cid}),
                200,
            )
            .await;
        world.open_agreement = id(self.ada.must("POST", &r, second, 201).await);
        world.spare_cid = id(self
            .ada
            .must(
                "POST",
                &format!("/api/v1/relationships/{rel}/contributions"),
                json!({"domain": "household_labor", "description": "spare", "effort": 1}),
                201,
            )
            .await);
    }

    /// Each person's marked note on the revealed deck.
    pub async fn note(&self, who: &Actor, owner: &'static str, rel: &str) {
        let text = self.markers.plant(owner, "note", Class::Shared, rel);
        who.must(
            "POST",
            &format!("/api/v1/relationships/{rel}/conversations/{DECK}/notes"),
            json!({ "text": text }),
            201,
        )
        .await;
    }

    /// Ada's and Bo's drafts in every sealed instrument (`Shared` when the
    /// round is to be revealed).
    pub async fn drafts(&self, rel: &str, class: Class) {
        for (who, owner) in [(&self.ada, "ada"), (&self.bo, "bo")] {
            self.values_draft(who, owner, rel, class.clone()).await;
            self.respect_draft(who, rel).await;
            self.conversation_draft(who, owner, rel, DECK, class.clone())
                .await;
        }
    }
}

pub async fn signed_up(base: &str, recorder: &Recorder, who: &str) -> Actor {
    let mut actor = Actor::new(base, recorder, who, None);
    let email = format!("{who}-{}@example.org", uuid::Uuid::new_v4().simple());
    let created = actor
        .must(
            "POST",
            "/api/v1/accounts",
            json!({"email": email, "password": PASSWORD, "display_name": who}),
            201,
        )
        .await;
    actor.id = created["id"].as_str().expect("id").to_owned();
    actor.recovery_code = created["recovery_code"]
        .as_str()
        .expect("recovery code")
        .to_owned();
    actor
        .must(
            "POST",
            "/api/v1/session",
            json!({"email": email, "password": PASSWORD}),
            200,
        )
        .await;
    actor.email = email;
    actor
}

/// A counselor account, signed in. Every counselor of both harnesses is
/// made here and nowhere else: how a counselor account comes to be (its
/// kind, its second factor) is this function's business alone, so the
/// rest of the harness does not change when it does. For now a counselor
/// account is an ordinary sign-up.
pub async fn counselor_signed_up(base: &str, recorder: &Recorder, who: &str) -> Actor {
    let mut actor = Actor::new(base, recorder, who, None);
    let email = format!("{who}-{}@example.org", uuid::Uuid::new_v4().simple());
    let created = actor
        .must(
            "POST",
            "/api/v1/accounts",
            json!({"email": email, "password": PASSWORD, "display_name": who, "kind": "counselor"}),
            201,
        )
        .await;
    actor.id = created["id"].as_str().expect("id").to_owned();
    actor.recovery_code = created["recovery_code"]
        .as_str()
        .expect("recovery code")
        .to_owned();
    actor
        .must(
            "POST",
            "/api/v1/session",
            json!({"email": email, "password": PASSWORD}),
            200,
        )
        .await;
    // Two-step sign-in, as every counselor must have it (R13).
    let started = actor
        .must(
            "POST",
            "/api/v1/me/two-factor",
            json!({"password": PASSWORD}),
            201,
        )
        .await;
    let secret = domain::totp::Secret::from_base32(started["secret"].as_str().expect("secret"))
        .expect("base32");
    let now = chrono::Utc::now().timestamp();
    actor
        .must(
            "POST",
            "/api/v1/me/two-factor/confirm",
            json!({"code": domain::totp::code_at(&secret, now)}),
            200,
        )
        .await;
    actor.email = email;
    actor
}

/// Leaves every open (pending or active) relationship of `person`.
pub async fn leave_all(person: &Actor) {
    let me = person.must("GET", "/api/v1/me", Value::Null, 200).await;
    for r in me["relationships"].as_array().into_iter().flatten() {
        if r["status"] != "ended" {
            let id = r["id"].as_str().expect("id");
            person
                .must(
                    "POST",
                    &format!("/api/v1/relationships/{id}/leave"),
                    json!({}),
                    200,
                )
                .await;
        }
    }
}

fn keys(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_owned())
        .collect()
}

/// The data states of the matrix (SECURITY.md §1.3 and issue 13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The author's own account data (sessions, tokens, events).
    Account,
    /// A relationship waiting for its partner; the invitee holds the code.
    Pending,
    /// The author's drafts in every sealed instrument, never sent (D2).
    Private,
    /// The author submitted; the partner has not (sealed before reveal).
    Sealed,
    /// Both submitted; notes written (sealed after reveal).
    Revealed,
    /// A ledger entry by the author, thanked by the partner (D3).
    Shared,
    /// A ledger entry the author deleted.
    Withdrawn,
    /// Revealed and shared, then the partner left.
    Ended,
    /// Both partners wrote a private note to the counselor (D7); the
    /// object is the author's.
    Noted,
}

impl State {
    /// Whether the state's relationship is (or was, before its end) open,
    /// so that a counselor can be engaged on it.
    pub fn counseled(self) -> bool {
        !matches!(self, State::Account | State::Pending)
    }
}

/// The condition of the couple's engagement with a counselor, in a world:
/// each counselor role is played in a world built with its own (a couple
/// holds one engagement it has not revoked, so the four cannot share one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    /// Both partners approved every category; open (`counselor`). The
    /// worlds of every role that is not a refusing counselor.
    Open,
    /// The counselor joined; only the inviting partner approved.
    Unapproved,
    /// Both approved, then the partner revoked (through the API).
    Revoked,
    /// Both approved 91 days ago (`approved_at` moved back in the
    /// database: the API cannot age a grant, on purpose).
    Expired,
}

impl Consent {
    /// The condition a role is played in.
    pub fn of_role(role: &str) -> Self {
        match role {
            "counselor_unapproved" => Self::Unapproved,
            "counselor_revoked" => Self::Revoked,
            "counselor_expired" => Self::Expired,
            _ => Self::Open,
        }
    }
}

pub const CONSENTS: [Consent; 4] = [
    Consent::Open,
    Consent::Unapproved,
    Consent::Revoked,
    Consent::Expired,
];

/// Every counselor category, allowed by both in an open engagement.
pub const CATEGORIES: [&str; 6] = [
    "values_and_respect",
    "conversations",
    "agreements",
    "ledger",
    "checkins",
    "episodes",
];

pub const STATES: [(&str, State); 9] = [
    ("account", State::Account),
    ("pending", State::Pending),
    ("private", State::Private),
    ("sealed", State::Sealed),
    ("revealed", State::Revealed),
    ("shared", State::Shared),
    ("withdrawn", State::Withdrawn),
    ("ended", State::Ended),
    ("noted", State::Noted),
];

/// One relationship (or account) in one data state, with the ids a route's
/// template needs and the markers of the object under test.
pub struct World {
    pub state: State,
    pub rel: String,
    pub cid: String,
    /// The invitation the invitee holds.
    pub code: String,
    /// Ada's spare token and spare session (the account objects).
    pub spare_token: String,
    pub spare_session: String,
    /// Ada's private reflection (in the states with drafts).
    pub reflection: String,
    /// Ada's agreement, countered by Bo and accepted by both, with
    /// `cid` linked (in the states with a contribution).
    pub agreement: String,
    /// Ada's proposal still waiting for Bo's answer (version 1).
    pub open_agreement: String,
    /// Ada's unlinked contribution in the agreements' domain (no marker).
    pub spare_cid: String,
    /// Ada's shared check-in (she keeps a private one too; each has a
    /// marked note only she may read).
    pub checkin: String,
    /// Ada's shared episode (she keeps a private one too).
    pub episode: String,
    /// The couple's engagement with a counselor, in `consent`'s condition
    /// (`{cid}` of the `/counselor/` routes), and its code (spent by the
    /// counselor when it joined).
    pub engagement: String,
    pub counselor_code: String,
    /// The markers of the object under test: what a role that may not see
    /// it must never receive, and what a role that may see it must.
    pub object: Vec<String>,
}

impl Cast {
    /// Builds `state` afresh (Ada leaves whatever she was in), with the
    /// couple's counselor open.
    pub async fn world(&self, state: State) -> World {
        self.world_for(state, Consent::Open).await
    }

    /// Builds `state` afresh, with the couple's engagement with a counselor
    /// in `consent`'s condition (in the states that have a couple).
    pub async fn world_for(&self, state: State, consent: Consent) -> World {
        let mut world = World {
            state,
            rel: String::new(),
            cid: uuid::Uuid::new_v4().to_string(),
            code: String::new(),
            spare_token: uuid::Uuid::new_v4().to_string(),
            spare_session: uuid::Uuid::new_v4().to_string(),
            reflection: uuid::Uuid::new_v4().to_string(),
            agreement: uuid::Uuid::new_v4().to_string(),
            open_agreement: uuid::Uuid::new_v4().to_string(),
            spare_cid: uuid::Uuid::new_v4().to_string(),
            checkin: uuid::Uuid::new_v4().to_string(),
            episode: uuid::Uuid::new_v4().to_string(),
            engagement: uuid::Uuid::new_v4().to_string(),
            counselor_code: String::new(),
            object: Vec::new(),
        };
        let before = self.markers.all().len();
        match state {
            State::Account => {
                let name = self.markers.plant("ada", "token-name", Class::Private, "");
                world.spare_token = self
                    .ada
                    .must(
                        "POST",
                        "/api/v1/tokens",
                        json!({"name": name, "password": PASSWORD}),
                        201,
                    )
                    .await["id"]
                    .as_str()
                    .expect("id")
                    .to_owned();
                let spare = Actor::new(&self.app.base, &self.recorder, "ada", None);
                spare
                    .must(
                        "POST",
                        "/api/v1/session",
                        json!({"email": self.ada.email, "password": PASSWORD}),
                        200,
                    )
                    .await;
                let sessions = spare
                    .must("GET", "/api/v1/me/sessions", Value::Null, 200)
                    .await;
                world.spare_session = sessions
                    .as_array()
                    .expect("sessions")
                    .iter()
                    .find(|s| s["current"] == true)
                    .expect("current")["id"]
                    .as_str()
                    .expect("id")
                    .to_owned();
                // The relationship routes in this state use Ada's first one.
                world.rel.clone_from(&self.r0);
                world.object = self.markers.all()[before..]
                    .iter()
                    .map(|m| m.text.clone())
                    .collect();
                return world;
            }
            State::Pending => {
                let (rel, code) = self.open().await;
                world.rel = rel;
                world.code = code;
                return world;
            }
            _ => {}
        }
        let (rel, code) = self.open().await;
        self.bo
            .must(
                "POST",
                "/api/v1/relationships/join",
                json!({"invite_code": code}),
                200,
            )
            .await;
        world.rel.clone_from(&rel);
        world.code = code;
        // The counselor joins before anyone writes: a report covers the
        // time since the counselor joined.
        self.engage(&mut world, consent).await;
        let mut object_from = self.markers.all().len();
        if matches!(
            state,
            State::Private | State::Sealed | State::Revealed | State::Ended
        ) {
            // Reflections are never shared, whatever the rounds' state.
            world.reflection = self.reflect(&self.ada, "ada", &rel).await;
            self.reflect(&self.bo, "bo", &rel).await;
        }
        match state {
            State::Private => {
                self.drafts(&rel, Class::Private).await;
                object_from = before;
            }
            State::Sealed => {
                self.drafts(&rel, Class::Private).await;
                self.submit_all(&self.ada, &rel).await;
                object_from = before;
            }
            State::Revealed | State::Ended => {
                self.drafts(&rel, Class::Shared).await;
                self.submit_all(&self.ada, &rel).await;
                self.submit_all(&self.bo, &rel).await;
                self.note(&self.ada, "ada", &rel).await;
                self.note(&self.bo, "bo", &rel).await;
                object_from = before;
                world.cid = self
                    .contribution(&self.ada, "ada", &rel, Class::Shared)
                    .await;
                self.thank(&self.bo, "bo", &rel, &world.cid).await;
                self.agreements(&mut world).await;
                world.checkin = self.checkins(&rel).await;
                world.episode = self.episodes(&rel).await;
                if state == State::Ended {
                    self.bo
                        .must(
                            "POST",
                            &format!("/api/v1/relationships/{rel}/leave"),
                            json!({}),
                            200,
                        )
                        .await;
                }
            }
            State::Shared => {
                world.cid = self
                    .contribution(&self.ada, "ada", &rel, Class::Shared)
                    .await;
                self.thank(&self.bo, "bo", &rel, &world.cid).await;
                self.agreements(&mut world).await;
            }
            State::Withdrawn => {
                world.cid = self
                    .contribution(&self.ada, "ada", &rel, Class::Shared)
                    .await;
                self.ada
                    .must(
                        "DELETE",
                        &format!("/api/v1/relationships/{rel}/contributions/{}", world.cid),
                        Value::Null,
                        204,
                    )
                    .await;
            }
            State::Noted => object_from = before,
            State::Account | State::Pending => unreachable!(),
        }
        // The notes to the counselor are in every world with a couple; they
        // are the object only in `noted` (a leak of one anywhere else is
        // caught by `matrix.rs`'s D7 check, whatever the object).
        let noted = state == State::Noted;
        world.object = self.markers.all()[object_from..]
            .iter()
            .filter(|m| m.owner == "ada" && (m.class == Class::CounselorNote) == noted)
            .map(|m| m.text.clone())
            .collect();
        world
    }

    /// The counselor account that plays `consent`'s condition.
    pub fn counselor_for(&self, consent: Consent) -> &Actor {
        match consent {
            Consent::Open => &self.counselor,
            Consent::Unapproved => &self.counselor_unapproved,
            Consent::Revoked => &self.counselor_revoked,
            Consent::Expired => &self.counselor_expired,
        }
    }

    /// Puts the couple of `world` (Ada and Bo, together) in `consent`'s
    /// condition with its counselor, through the API as the couple and the
    /// counselor would: Ada invites for every category, the counselor joins
    /// with the code, Bo approves every category (not in `Unapproved`);
    /// each partner writes the counselor a marked private note (D7); then
    /// Bo revokes (`Revoked`), or both approvals are moved 91 days back in
    /// the database (`Expired`, as tests/http/counselor.rs does).
    pub async fn engage(&self, world: &mut World, consent: Consent) {
        let r = format!("/api/v1/relationships/{}", world.rel);
        let counselor = self.counselor_for(consent);
        let invited = self
            .ada
            .must(
                "POST",
                &format!("{r}/counselor"),
                json!({"email": counselor.email, "categories": CATEGORIES}),
                201,
            )
            .await;
        world.engagement = invited["id"].as_str().expect("id").to_owned();
        world.counselor_code = invited["code"].as_str().expect("code").to_owned();
        let e = format!("{r}/counselor/{}", world.engagement);
        counselor
            .must(
                "POST",
                "/api/v1/counselor/join",
                json!({"code": world.counselor_code}),
                200,
            )
            .await;
        if consent != Consent::Unapproved {
            self.bo
                .must(
                    "POST",
                    &format!("{e}/approve"),
                    json!({"categories": CATEGORIES}),
                    200,
                )
                .await;
        }
        for (who, owner) in [(&self.ada, "ada"), (&self.bo, "bo")] {
            let text =
                self.markers
                    .plant(owner, "counselor-note", Class::CounselorNote, &world.rel);
            who.must("POST", &format!("{e}/notes"), json!({ "text": text }), 201)
                .await;
        }
        let report = format!("/api/v1/counselor/clients/{}/report", world.rel);
        if consent != Consent::Unapproved {
            // The grant was really open before any condition was put on it.
            counselor.must("GET", &report, Value::Null, 200).await;
        }
        match consent {
            Consent::Open | Consent::Unapproved => {}
            Consent::Revoked => {
                self.bo.must("DELETE", &e, Value::Null, 204).await;
            }
            Consent::Expired => {
                let old = (chrono::Utc::now() - chrono::Duration::days(91)).timestamp_millis();
                let moved = self
                    .app
                    .sql(&format!(
                        "UPDATE counselor_approvals SET approved_at = {old} \
                         WHERE engagement_id = '{}'",
                        world.engagement
                    ))
                    .await;
                assert_eq!(moved, 2, "both approvals aged");
            }
        }
        // The condition, as the author is shown it.
        let seen = self
            .ada
            .must("GET", &format!("{r}/counselor"), Value::Null, 200)
            .await["counselor"]
            .clone();
        let status = seen["status"].as_str().unwrap_or("none");
        let expected = match consent {
            Consent::Open => "open",
            Consent::Unapproved => "waiting",
            Consent::Revoked => "none",
            Consent::Expired => "expired",
        };
        assert_eq!(status, expected, "{consent:?}: {seen}");
        if consent == Consent::Unapproved {
            assert_eq!(seen["joined"], true, "{seen}");
        }
    }

    /// The person playing `role` in `state`; `None` where the role does not
    /// exist in that state (no partner yet, or none any more).
    pub fn playing(&self, role: &str, state: State) -> Option<&Actor> {
        Some(match (role, state) {
            ("anonymous", _) => &self.anonymous,
            ("stranger", _) => &self.eve,
            ("invitee", _) => &self.ivy,
            ("author", _) => &self.ada,
            ("token", _) => &self.token,
            ("partner", State::Pending | State::Ended) => return None,
            ("partner", _) => &self.bo,
            ("ex_partner", State::Ended) => &self.bo,
            ("ex_partner", _) => &self.cy,
            ("counselor", _) => &self.counselor,
            ("counselor_unapproved", _) => &self.counselor_unapproved,
            ("counselor_revoked", _) => &self.counselor_revoked,
            ("counselor_expired", _) => &self.counselor_expired,
            (other, _) => panic!("no such role {other}"),
        })
    }
}

/// A marked body to write with, per operation (a valid request).
pub fn body_for(cast: &Cast, op: &str, world: &World, subject: &Actor) -> Option<Value> {
    let (method, path) = op.split_once(' ').expect("op");
    // The DELETEs with a body: deleting an account, and turning two-step
    // sign-in off, ask the password.
    if op == "DELETE /api/v1/me" || op == "DELETE /api/v1/me/two-factor" {
        return Some(json!({"password": PASSWORD}));
    }
    if ["GET", "DELETE"].contains(&method) {
        return None;
    }
    // What a write would write is marked too (and registered as nobody's).
    let late = cast
        .markers
        .plant("attacker", "late", Class::Private, &world.rel);
    let body = match (method, path) {
        // The page's form (sent urlencoded: `Actor::send_form`).
        ("POST", "/account/delete") => json!({"password": PASSWORD}),
        ("POST", "/api/v1/accounts") => json!({
            "email": format!("new-{}@example.org", uuid::Uuid::new_v4().simple()),
            "password": PASSWORD, "display_name": "New"}),
        ("POST", "/api/v1/session") => {
            json!({"email": subject.email, "password": PASSWORD})
        }
        ("POST", "/api/v1/tokens") => json!({"name": late, "password": PASSWORD}),
        ("PUT", "/api/v1/me/password") => {
            json!({"current_password": PASSWORD, "new_password": PASSWORD})
        }
        ("POST", "/api/v1/me/recovery-code") => json!({"password": PASSWORD}),
        ("POST", "/api/v1/me/two-factor") => json!({"password": PASSWORD}),
        // Never a code (not six digits): refused whatever the clock says.
        ("POST", "/api/v1/me/two-factor/confirm") => json!({"code": "not a code"}),
        ("POST", "/api/v1/password-reset") => json!({
            "email": subject.email, "recovery_code": subject.recovery_code,
            "new_password": "another long password"}),
        ("POST", "/api/v1/relationships/join") => json!({"invite_code": world.code}),
        // The code of the world's engagement, spent by its counselor.
        ("POST", "/api/v1/counselor/join") => json!({"code": world.counselor_code}),
        // Inviting an address nobody holds yet: refused only by a rule.
        ("POST", p) if p.ends_with("/counselor") => json!({
            "email": format!("new-{}@example.org", uuid::Uuid::new_v4().simple()),
            "categories": CATEGORIES}),
        ("POST", p) if p.ends_with("/approve") || p.ends_with("/renew") => {
            json!({"categories": CATEGORIES})
        }
        ("POST", p) if p.ends_with("/agreements/{aid}/contributions") => {
            json!({"contribution_id": world.spare_cid})
        }
        ("POST", p) if p.ends_with("/contributions") => {
            json!({"domain": "planning", "description": late, "effort": 2})
        }
        ("PATCH", _) => json!({"description": late}),
        ("POST", p) if p.ends_with("/acknowledgment") => json!({"value": 2, "note": late}),
        ("PUT", p) if p.ends_with("/preferences") => json!({"show_numbers": true}),
        ("PUT", p) if p.ends_with("/values/answers") => json!({"answers": [
            {"item": cast.value_items[0], "importance": 2, "definition": late}]}),
        ("PUT", p) if p.ends_with("/respect/answers") => json!({"answers": [
            {"key": cast.respect_areas[0], "i_respect": 2, "i_feel_respected": 2}]}),
        ("PUT", p) if p.ends_with("/respect") => json!({"areas": [
            {"area": cast.respect_areas[0], "i_respect": 2, "i_feel_respected": 2}]}),
        ("POST", p) if p.ends_with("/respect/areas") => {
            json!({"name": &late[..40]})
        }
        ("PUT", p) if p.ends_with("/answers") => json!({"answers": [
            {"prompt": cast.prompt, "text": late}]}),
        ("POST", p) if p.ends_with("/notes") => json!({"text": late}),
        ("POST", p) if p.ends_with("/reflections") => json!({"text": late}),
        ("POST", p) if p.ends_with("/agreements") => {
            json!({"domain": "household_labor", "title": &late[..40], "terms": late})
        }
        ("POST", p) if p.ends_with("/counter") || p.ends_with("/revise") => {
            json!({"terms": late})
        }
        ("POST", p) if p.ends_with("/accept") => json!({"version": 1}),
        ("POST", p) if p.ends_with("/decline") => json!({"version": 1, "reason": late}),
        ("POST", p) if p.ends_with("/retire") => json!({"reason": late}),
        ("POST", p) if p.ends_with("/checkins") => {
            checkin_body(&chrono::Utc::now().date_naive().to_string(), true, &late)
        }
        ("PUT", p) if p.ends_with("/checkins/cadence") => json!({"every_days": 14}),
        ("PUT", p) if p.ends_with("/share") => json!({"share": false}),
        ("POST", p) if p.ends_with("/episodes") => {
            json!({"title": &late[..40], "kind": "conflict"})
        }
        ("POST", p) if p.ends_with("/turns") => {
            json!({"actor_id": cast.ada.id, "code": "neutral", "intensity": 1})
        }
        ("PUT", p) if p.ends_with("/repair") => json!({"felt": late}),
        _ => json!({}),
    };
    Some(body)
}

/// The server's log, captured for this test. Every test of this binary
/// captures: tests run on tokio's current-thread runtime, so the server's
/// tasks log through this thread's subscriber; and a thread with none at all
/// would make tracing cache the callsites as disabled for the others.
pub fn capture_logs(level: tracing::Level) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_writer(captured.clone())
        .finish();
    (
        captured.clone(),
        tracing::subscriber::set_default(subscriber),
    )
}

#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Which engine a cast runs on, for the summary line.
pub fn engine_name(engine: DbEngine) -> &'static str {
    match engine {
        DbEngine::Sqlite => "sqlite",
        DbEngine::Postgres => "postgres",
    }
}

/// A check-in on `on`, every answer 5, with `note`.
pub fn checkin_body(on: &str, share: bool, note: &str) -> Value {
    let mut body = json!({"on": on, "share": share, "note": note});
    for key in [
        "satisfaction",
        "rewards",
        "costs",
        "investment",
        "alternatives",
        "commitment",
        "passion",
        "love_given",
        "love_received",
        "respected",
    ] {
        body[key] = json!(5);
    }
    body
}
