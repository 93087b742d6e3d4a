//! The benchmark floor for `GET /api/v1/me`: the least an axum server can do
//! to answer with one row of the same SQLite file.
//!
//! `floor --database sqlite://FILE --bind 127.0.0.1:PORT` serves `GET /floor`
//! with `{id, email, display_name}` of the first account. It opens the file
//! the way the real server opens its readers (WAL, read-only, a pool of 4)
//! and runs on the same tokio defaults (multi-threaded runtime, one worker
//! per core), so the gap between the two is what the real server adds:
//! routing, middleware, authentication and its own queries.

use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

const USAGE: &str = "usage: floor --database sqlite://FILE --bind 127.0.0.1:PORT";

/// One account row as JSON. Written by hand, because the only dependencies
/// here are the three the real server's hot path shares (axum, sqlx, tokio);
/// three escaped strings cost no more than serde would.
fn to_json(id: &str, email: &str, display_name: &str) -> String {
    let mut out = String::with_capacity(64 + id.len() + email.len() + display_name.len());
    out.push_str("{\"id\":");
    push_string(&mut out, id);
    out.push_str(",\"email\":");
    push_string(&mut out, email);
    out.push_str(",\"display_name\":");
    push_string(&mut out, display_name);
    out.push('}');
    out
}

fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

async fn floor(State(pool): State<SqlitePool>) -> Response {
    let row: Result<Option<(String, String, String)>, sqlx::Error> =
        sqlx::query_as("SELECT id, email, display_name FROM accounts LIMIT 1")
            .fetch_optional(&pool)
            .await;
    match row {
        Ok(Some((id, email, display_name))) => (
            [(header::CONTENT_TYPE, "application/json")],
            to_json(&id, &email, &display_name),
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

struct Args {
    database: String,
    bind: String,
}

fn parse_args() -> Result<Args, String> {
    let mut database = None;
    let mut bind = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--database" => &mut database,
            "--bind" => &mut bind,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        };
        *slot = Some(args.next().ok_or_else(|| format!("{flag} needs a value"))?);
    }
    Ok(Args {
        database: database.ok_or_else(|| USAGE.to_owned())?,
        bind: bind.ok_or_else(|| USAGE.to_owned())?,
    })
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let options = SqliteConnectOptions::from_str(&args.database)?
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5))
        .read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    let app = Router::new().route("/floor", get(floor)).with_state(pool);
    let listener = tokio::net::TcpListener::bind(&args.bind).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
