//! The benchmark floors: the least an axum server can do to answer with one
//! row of the same SQLite file (`GET /floor`, for `GET /api/v1/me`), or to
//! insert one contribution into it (`POST /floor/contribution`, for
//! `POST /api/v1/relationships/{id}/contributions`).
//!
//! `floor --database sqlite://FILE --bind 127.0.0.1:PORT` serves `GET /floor`
//! with `{id, email, display_name}` of the first account. It opens the file
//! the way the real server opens its readers (WAL, read-only, a pool of 4)
//! and runs on the same tokio defaults (multi-threaded runtime, one worker
//! per core), so the gap between the two is what the real server adds:
//! routing, middleware, authentication and its own queries.
//!
//! With `--relationship ID --giver ID --receiver ID` it also serves
//! `POST /floor/contribution`: it parses the same JSON body as the real
//! endpoint (`{domain, description, occurred_on, effort}`), turns the date
//! into a day number, and runs one `INSERT INTO contributions` with the same
//! columns, on one writer connection opened exactly like the real server's
//! (WAL, `synchronous=FULL`, foreign keys, busy timeout, `secure_delete`,
//! `journal_size_limit`; sqlx's default ping before each acquire, as the
//! real writer pool has). It answers 201 with `{id}`. No authentication, no
//! membership check, no read-back: the gap is what the real server adds.
//! The writer pool is lazy, so `GET /floor` alone (bench/me) opens no
//! writer connection.

use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

const USAGE: &str = "usage: floor --database sqlite://FILE --bind 127.0.0.1:PORT \
[--relationship ID --giver ID --receiver ID]";

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

/// Where `POST /floor/contribution` writes: one writer connection and the
/// couple every row belongs to.
#[derive(Clone)]
struct Writer {
    pool: SqlitePool,
    relationship: String,
    giver: String,
    receiver: String,
}

/// The body the real endpoint takes for a giver's own entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewContribution {
    domain: String,
    description: String,
    occurred_on: String,
    effort: i64,
}

async fn contribution(State(writer): State<Writer>, Json(body): Json<NewContribution>) -> Response {
    let Ok(date) = chrono::NaiveDate::parse_from_str(&body.occurred_on, "%Y-%m-%d") else {
        return StatusCode::UNPROCESSABLE_ENTITY.into_response();
    };
    let day = (date - chrono::NaiveDate::default()).num_days();
    let id = uuid::Uuid::new_v4().to_string();
    let inserted = sqlx::query(
        "INSERT INTO contributions (id, relationship_id, giver_id, receiver_id, logged_by, domain, \
         description, day, effort, minutes, created_at, value, thanks_note, acknowledged_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(&writer.relationship)
    .bind(&writer.giver)
    .bind(&writer.receiver)
    .bind(&writer.giver)
    .bind(&body.domain)
    .bind(&body.description)
    .bind(day)
    .bind(body.effort)
    .bind(None::<i32>)
    .bind(chrono::Utc::now().timestamp_millis())
    .bind(None::<i32>)
    .bind(None::<&str>)
    .bind(None::<i64>)
    .execute(&writer.pool)
    .await;
    match inserted {
        Ok(_) => (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/json")],
            format!("{{\"id\":\"{id}\"}}"),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

struct Args {
    database: String,
    bind: String,
    relationship: Option<String>,
    giver: Option<String>,
    receiver: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut database = None;
    let mut bind = None;
    let mut relationship = None;
    let mut giver = None;
    let mut receiver = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--database" => &mut database,
            "--bind" => &mut bind,
            "--relationship" => &mut relationship,
            "--giver" => &mut giver,
            "--receiver" => &mut receiver,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        };
        *slot = Some(args.next().ok_or_else(|| format!("{flag} needs a value"))?);
    }
    Ok(Args {
        database: database.ok_or_else(|| USAGE.to_owned())?,
        bind: bind.ok_or_else(|| USAGE.to_owned())?,
        relationship,
        giver,
        receiver,
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
    let mut app = Router::new().route("/floor", get(floor)).with_state(pool);
    if let (Some(relationship), Some(giver), Some(receiver)) =
        (args.relationship, args.giver, args.receiver)
    {
        // The real server's writer (crates/store/src/sqlite.rs), lazily.
        let options = SqliteConnectOptions::from_str(&args.database)?
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .pragma("secure_delete", "ON")
            .pragma("journal_size_limit", "67108864");
        let writer = Writer {
            pool: SqlitePoolOptions::new()
                .max_connections(1)
                .connect_lazy_with(options),
            relationship,
            giver,
            receiver,
        };
        app = app.merge(
            Router::new()
                .route("/floor/contribution", post(contribution))
                .with_state(writer),
        );
    }
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
