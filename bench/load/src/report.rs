//! Phase 3: the figures. Latencies are exact percentiles of every sample
//! (sorted; a minute at a few thousand requests a second is a few hundred
//! thousand numbers, so no histogram is needed). The server's memory comes
//! from `/proc/PID/status`: `VmRSS` sampled during the mix, and `VmHWM`, the
//! highest resident size since the server started (seeding included, where
//! argon2's 19 MiB per password hash is the largest user).

use serde::Serialize;

use crate::mix::{Kind, MixResult};

#[derive(Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Serialize)]
pub struct KindFigures {
    pub kind: &'static str,
    pub write: bool,
    pub requests: u64,
    pub errors: u64,
    pub rps: f64,
    #[serde(flatten)]
    pub latency: Latency,
}

#[derive(Serialize, Default)]
pub struct Memory {
    /// Resident after seeding, before the mix.
    pub rss_before_mb: Option<f64>,
    /// The highest `VmRSS` sampled (every 250 ms) during the mix.
    pub rss_peak_mix_mb: Option<f64>,
    /// `VmHWM` at the end: the peak since the server started.
    pub hwm_mb: Option<f64>,
}

#[derive(Serialize)]
pub struct Report {
    pub harness: &'static str,
    pub engine: String,
    pub couples: usize,
    pub seed_requests: u64,
    pub seed_seconds: f64,
    pub concurrency: usize,
    pub seconds: f64,
    pub requests: u64,
    pub reads: u64,
    pub writes: u64,
    pub errors: u64,
    pub rps: f64,
    #[serde(flatten)]
    pub latency: Latency,
    pub memory: Memory,
    pub kinds: Vec<KindFigures>,
    pub error_samples: Vec<String>,
}

impl Report {
    /// The kinds that never ran (the mix is meant to send every one).
    pub fn kinds_not_run(&self) -> Vec<&'static str> {
        self.kinds
            .iter()
            .filter(|k| k.requests == 0)
            .map(|k| k.kind)
            .collect()
    }

    /// A table for people; the JSON line (`serde_json::to_string`) is for machines.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let row = |name: &str, n: u64, e: u64, rps: f64, l: &Latency| {
            format!(
                "  {name:<40} {n:>9} {e:>6} {rps:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>9.2}\n",
                l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
            )
        };
        out.push_str(&format!(
            "  {:<40} {:>9} {:>6} {:>9} {:>8} {:>8} {:>8} {:>9}\n",
            "request", "count", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"
        ));
        for k in &self.kinds {
            out.push_str(&row(k.kind, k.requests, k.errors, k.rps, &k.latency));
        }
        out.push_str(&row(
            "all",
            self.requests,
            self.errors,
            self.rps,
            &self.latency,
        ));
        out
    }
}

pub struct Run {
    pub engine: String,
    pub couples: usize,
    pub seed_requests: u64,
    pub seed_seconds: f64,
    pub concurrency: usize,
    pub memory: Memory,
}

pub fn report(run: Run, mix: MixResult) -> Report {
    let seconds = mix.elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
    let mut all = Vec::new();
    let (mut reads, mut writes, mut errors) = (0, 0, 0);
    let kinds = Kind::ALL
        .iter()
        .zip(mix.kinds)
        .map(|(kind, mut stats)| {
            if kind.is_write() {
                writes += stats.count;
            } else {
                reads += stats.count;
            }
            errors += stats.errors;
            all.extend_from_slice(&stats.micros);
            KindFigures {
                kind: kind.name(),
                write: kind.is_write(),
                requests: stats.count,
                errors: stats.errors,
                rps: stats.count as f64 / seconds,
                latency: latency(&mut stats.micros),
            }
        })
        .collect();
    Report {
        harness: "H10 load",
        engine: run.engine,
        couples: run.couples,
        seed_requests: run.seed_requests,
        seed_seconds: round2(run.seed_seconds),
        concurrency: run.concurrency,
        seconds: round2(seconds),
        requests: reads + writes,
        reads,
        writes,
        errors,
        rps: round2((reads + writes) as f64 / seconds),
        latency: latency(&mut all),
        memory: run.memory,
        kinds,
        error_samples: mix.error_samples,
    }
}

/// Exact percentiles (nearest rank) of microsecond samples, in ms.
fn latency(micros: &mut [u32]) -> Latency {
    micros.sort_unstable();
    let at = |q: f64| -> f64 {
        if micros.is_empty() {
            return 0.0;
        }
        let rank = ((q * micros.len() as f64).ceil() as usize).clamp(1, micros.len());
        round2(f64::from(micros[rank - 1]) / 1000.0)
    };
    Latency {
        p50_ms: at(0.50),
        p95_ms: at(0.95),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `VmRSS` and `VmHWM` of a process, in MB (Linux only; `None` elsewhere).
pub fn memory_of(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(round2(kb / 1024.0))
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        let l = latency(&mut v);
        assert_eq!(
            (l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms),
            (50.0, 95.0, 99.0, 100.0)
        );
        assert_eq!(latency(&mut []).p99_ms, 0.0);
    }

    #[test]
    fn the_weights_are_seventy_reads_and_thirty_writes() {
        let reads: u64 = Kind::ALL
            .iter()
            .filter(|k| !k.is_write())
            .map(|k| k.weight())
            .sum();
        let writes: u64 = Kind::ALL
            .iter()
            .filter(|k| k.is_write())
            .map(|k| k.weight())
            .sum();
        assert_eq!((reads, writes), (70, 30));
    }
}
