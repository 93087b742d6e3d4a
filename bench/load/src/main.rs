//! `load`: the H10 load generator against a running server (see
//! `bench/load/README.md`; `bench/load/run.sh` starts the server for it).
//! Prints a table, then one JSON line; exits 1 if any request failed or a
//! kind of request never ran.

use std::time::Duration;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Seeds couples through the API, then runs a 70/30 read/write mix")]
struct Args {
    /// The server, on loopback.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    /// A label for the report.
    #[arg(long, default_value = "sqlite")]
    engine: String,
    #[arg(long, default_value_t = 1000)]
    couples: usize,
    /// Couples seeded at once.
    #[arg(long, default_value_t = 16)]
    seed_concurrency: usize,
    /// Virtual users in the mix.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Seconds of mix.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    #[arg(long, default_value_t = 20261129)]
    seed: u64,
    /// The server's process id, to read its memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seed every couple from 127.0.0.1 (the server's per-address sign-up
    /// limit will then refuse most sign-ups; for servers not on Linux loopback).
    #[arg(long)]
    one_address: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = load::Config {
        base: args.base,
        engine: args.engine,
        couples: args.couples,
        seed_concurrency: args.seed_concurrency,
        concurrency: args.concurrency,
        duration: Duration::from_secs(args.duration),
        seed: args.seed,
        server_pid: args.server_pid,
        spread_addresses: !args.one_address,
    };
    eprintln!(
        "== seeding {} couples ({} at once), then {} s of mix at {} virtual users",
        config.couples, config.seed_concurrency, args.duration, config.concurrency
    );
    let report = load::run(&config).await?;
    println!(
        "{} couples seeded with {} requests in {:.1} s; mix {:.1} s at {} virtual users: {} requests ({} reads, {} writes), {:.0} req/s, {} errors",
        report.couples,
        report.seed_requests,
        report.seed_seconds,
        report.seconds,
        report.concurrency,
        report.requests,
        report.reads,
        report.writes,
        report.rps,
        report.errors
    );
    print!("{}", report.table());
    let m = &report.memory;
    let mb = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.1} MB"));
    println!(
        "  server memory: {} resident after seeding, {} peak resident during the mix, {} peak since start (VmHWM)",
        mb(m.rss_before_mb),
        mb(m.rss_peak_mix_mb),
        mb(m.hwm_mb)
    );
    for e in &report.error_samples {
        println!("  error: {e}");
    }
    println!("{}", serde_json::to_string(&report)?);
    let not_run = report.kinds_not_run();
    if report.errors > 0 || !not_run.is_empty() {
        anyhow::bail!(
            "{} errors; kinds that never ran: {not_run:?}",
            report.errors
        );
    }
    Ok(())
}
