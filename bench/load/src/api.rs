//! The HTTP side of the load generator: one request to the real server,
//! timed, with its status and body; nothing is retried, so every failure
//! the server or the network gives shows in the figures.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::Method;
use serde_json::Value;

/// What one request got back.
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// From sending the request to the last byte of the body.
    pub elapsed: Duration,
    /// The `name=value` pairs of every `Set-Cookie`, joined as a `Cookie` header.
    pub cookies: String,
}

/// A client of the server at `base`. The caller's identity is the cookie
/// given to each call, so one client (one pool of connections) can act for
/// many people, as a load tool does.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    /// `local`: the source address of every connection. Seeding gives each
    /// couple its own loopback address (127.10.x.y), as couples at home each
    /// have their own: the server limits sign-ups per client address, and
    /// 2,000 sign-ups from one address would be refused by design.
    pub fn new(base: &str, local: Option<IpAddr>, pool: usize) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .local_address(local)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(pool)
            // The server closes a kept-alive connection idle for 10 s; drop
            // ours sooner, so a request never goes out on a socket the server
            // is closing (that would count as an error the server did not make).
            .pool_idle_timeout(Duration::from_secs(4))
            .build()?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// Sends one request; `Err` only when no answer came (connection
    /// refused or reset, timeout, a body cut short).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let started = Instant::now();
        let response = request.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = response.status().as_u16();
        let cookies = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .collect::<Vec<_>>()
            .join("; ");
        let body = response.text().await.map_err(|e| format!("{path}: {e}"))?;
        Ok(Answer {
            status,
            body,
            elapsed: started.elapsed(),
            cookies,
        })
    }

    /// A request that must answer `status`; returns the answer's JSON
    /// (null when it has none). Anything else is an error naming the call.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: Option<&Value>,
        status: u16,
    ) -> Result<(Value, Answer), String> {
        let m = method.clone();
        let answer = self.send(method, path, cookie, body).await?;
        if answer.status != status {
            return Err(format!(
                "{m} {path}: expected {status}, got {}: {}",
                answer.status,
                clip(&answer.body)
            ));
        }
        let json = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        Ok((json, answer))
    }
}

/// The start of a body, for an error message.
pub fn clip(body: &str) -> &str {
    match body.char_indices().nth(300) {
        Some((i, _)) => &body[..i],
        None => body,
    }
}
