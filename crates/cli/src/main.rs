//! The one Reciprocity binary: `serve`, `migrate`, `backup`, `restore`,
//! `analyze` and `admin`.

mod admin;
mod backup;
mod config;
mod engine;

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "reciprocity",
    version,
    about = "Reciprocity: a private place for two partners."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web app and the JSON API (migrations run first).
    Serve(config::ServeArgs),
    /// Run the database migrations and exit.
    Migrate(config::DatabaseArgs),
    /// Copy the whole database into a new file, while the server runs.
    Backup(backup::BackupArgs),
    /// Restore a backup file into a new, empty database (either engine).
    Restore(backup::BackupArgs),
    /// Move a whole instance to another engine, step 1: write every row to
    /// FILE (the same consistent online copy and file format as `backup`).
    Export(backup::BackupArgs),
    /// Move a whole instance, step 2: load FILE into a new, empty database
    /// of either engine (the same checks as `restore`).
    Import(backup::BackupArgs),
    /// Analyse coded data from a file (lag-sequential analysis, APIM).
    #[command(subcommand)]
    Analyze(analyze::AnalyzeCommand),
    /// Operator commands (a password reset link for someone locked out).
    #[command(subcommand)]
    Admin(admin::AdminCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(cmd) => analyze::run(cmd),
        Command::Serve(args) => run_async(serve(args)),
        Command::Migrate(args) => run_async(migrate(args)),
        Command::Backup(args) => run_async(backup::backup(args)),
        Command::Restore(args) => run_async(backup::restore(args)),
        Command::Export(args) => run_async(backup::backup(args)),
        Command::Import(args) => run_async(backup::restore(args)),
        Command::Admin(cmd) => run_async(admin::run(cmd)),
    }
}

/// The analysis engine is synchronous; only the server needs a runtime.
fn run_async(fut: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(fut) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: config::ServeArgs) -> anyhow::Result<()> {
    owner_only_files();
    let settings = config::Settings::resolve(args)?;
    // Held until the server stops: dropping it flushes the last log lines.
    let _log_flush = init_logging(&settings.log_format);
    raise_open_file_limit(settings.web.max_connections);
    let store = engine::open(&settings.database_url).await?;
    store.migrate().await?;
    let listener = tokio::net::TcpListener::bind(&settings.bind).await?;
    tracing::info!(addr = %listener.local_addr()?, engine = store.engine_name(), "serving");
    let mut server = web::Server::new(listener);
    if let Some(addr) = &settings.metrics_bind {
        let metrics = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen for metrics on {addr}"))?;
        tracing::info!(addr = %metrics.local_addr()?, "serving metrics");
        server = server.with_metrics(metrics);
    }
    server
        .run(
            domain::App::new(store),
            settings.web,
            web::shutdown_signal(),
        )
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Every file this process creates is its user's alone (umask 077). The
/// store makes the SQLite database and its -wal and -shm 0600 itself; this
/// covers every other file, such as SQLite's temporary files and whatever a
/// later command (a backup, an export) writes, which the usual umask 022
/// would leave readable by every user of the machine.
#[cfg(unix)]
fn owner_only_files() {
    use rustix::fs::Mode;
    rustix::process::umask(Mode::RWXG | Mode::RWXO);
}

#[cfg(not(unix))]
fn owner_only_files() {}

/// Every connection is an open file; logs what this process may hold.
fn raise_open_file_limit(max_connections: usize) {
    match web::raise_open_file_limit() {
        Ok(None) => tracing::info!(open_files = "unlimited", "open-file limit"),
        Ok(Some(limit)) => {
            tracing::info!(open_files = limit, "open-file limit");
            // Room for the database, the log and the listeners besides.
            let needed = u64::try_from(max_connections)
                .unwrap_or(u64::MAX)
                .saturating_add(64);
            if limit < needed {
                tracing::warn!(
                    open_files = limit,
                    max_connections,
                    "the open-file limit is below max_connections: connections will fail before the cap"
                );
            }
        }
        Err(err) => tracing::warn!(error = %err, "cannot raise the open-file limit"),
    }
}

async fn migrate(args: config::DatabaseArgs) -> anyhow::Result<()> {
    owner_only_files();
    let url = config::resolve_database_url(args)?;
    let store = engine::open(&url).await?;
    store.migrate().await?;
    println!("migrations applied ({})", store.engine_name());
    Ok(())
}

/// Logs go to stdout from a background thread: a request never waits for
/// the terminal or the log collector (measured: writing each request's line
/// in place cost about 15% of `GET /me` throughput, see bench/README.md).
/// Nothing is dropped when the buffer fills; requests wait instead.
fn init_logging(format: &str) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RECIPROCITY_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        // Buffered: under load one write carries many lines; the worker
        // flushes whenever its queue runs empty, so a quiet server's lines
        // still appear at once.
        .finish(std::io::BufWriter::new(std::io::stdout()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    if format == "text" {
        builder.init();
    } else {
        builder.json().flatten_event(true).init();
    }
    guard
}
