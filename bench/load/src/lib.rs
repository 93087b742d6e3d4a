//! H10 (SECURITY.md §3, issue 13 item 10): a load generator for the real
//! server. It seeds couples of history through the API (`seed`), runs a
//! timed 70% read / 30% write mix of many virtual users (`mix`), and
//! reports throughput, latency percentiles, errors and the server's memory
//! (`report`). The binary (`src/main.rs`, used by `bench/load/run.sh`) and
//! the bounded CI test (`crates/cli/tests/load.rs`) both call [`run`].

pub mod api;
pub mod mix;
pub mod report;
pub mod rng;
pub mod seed;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use report::Report;

#[derive(Debug, Clone)]
pub struct Config {
    /// The server, e.g. `http://127.0.0.1:8080` (loopback: the generator
    /// signs up thousands of accounts).
    pub base: String,
    /// A label for the report: `sqlite` or `postgres`.
    pub engine: String,
    pub couples: usize,
    /// Couples seeded at once.
    pub seed_concurrency: usize,
    /// Virtual users of the mix.
    pub concurrency: usize,
    pub duration: Duration,
    pub seed: u64,
    /// The server's process id, for its memory (`/proc/PID/status`).
    pub server_pid: Option<u32>,
    /// Seed each couple from its own loopback address (see `Api::new`).
    pub spread_addresses: bool,
}

pub async fn run(config: &Config) -> anyhow::Result<Report> {
    anyhow::ensure!(config.couples > 0, "--couples must be at least 1");
    let seeded = seed::seed(
        &config.base,
        config.couples,
        config.seed_concurrency,
        config.seed,
        config.spread_addresses,
    )
    .await?;
    let seed_requests = seeded.requests;
    let seed_seconds = seeded.elapsed.as_secs_f64();

    let mut memory = report::Memory::default();
    let peak = Arc::new(Mutex::new(None::<f64>));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = config.server_pid.map(|pid| {
        memory.rss_before_mb = report::memory_of(pid).map(|(rss, _)| rss);
        let (peak, stop) = (peak.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some((rss, _)) = report::memory_of(pid) {
                    let mut p = peak.lock().unwrap_or_else(|e| e.into_inner());
                    *p = Some(p.map_or(rss, |p: f64| p.max(rss)));
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    });

    // One pool of connections for every virtual user, as a load tool has;
    // who is calling is the cookie of each request.
    let api = api::Api::new(&config.base, None, config.concurrency)?;
    let mix = mix::run(
        api,
        Arc::new(seeded),
        config.concurrency,
        config.duration,
        config.seed,
    )
    .await;

    stop.store(true, Ordering::Relaxed);
    if let Some(sampler) = sampler {
        let _ = sampler.await;
    }
    memory.rss_peak_mix_mb = *peak.lock().unwrap_or_else(|e| e.into_inner());
    memory.hwm_mb = config
        .server_pid
        .and_then(report::memory_of)
        .map(|(_, hwm)| hwm);

    Ok(report::report(
        report::Run {
            engine: config.engine.clone(),
            couples: config.couples,
            seed_requests,
            seed_seconds,
            concurrency: config.concurrency,
            memory,
        },
        mix,
    ))
}
