//! Counters for `GET /metrics`, in the Prometheus text format. Hand-rolled:
//! a handful of atomics is all a single binary needs.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::server::Cap;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    sign_in_ok: AtomicU64,
    sign_in_failed: AtomicU64,
    sign_in_limited: AtomicU64,
    refused_total_cap: AtomicU64,
    refused_client_cap: AtomicU64,
}

impl Metrics {
    pub fn record(&self, status: u16, elapsed: Duration) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        for (bound, counter) in BUCKETS.iter().zip(&self.latency_buckets) {
            if secs <= *bound {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn sign_in_succeeded(&self) {
        self.sign_in_ok.fetch_add(1, Ordering::Relaxed);
    }

    pub fn sign_in_failed(&self) {
        self.sign_in_failed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn sign_in_limited(&self) {
        self.sign_in_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection closed at once by a cap.
    pub(crate) fn connection_refused(&self, cap: Cap) {
        let counter = match cap {
            Cap::Total => &self.refused_total_cap,
            Cap::PerClient => &self.refused_client_cap,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        out.push_str("# HELP reciprocity_http_requests_total HTTP responses by status class.\n");
        out.push_str("# TYPE reciprocity_http_requests_total counter\n");
        for (i, counter) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                out,
                "reciprocity_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                get(counter)
            );
        }
        out.push_str(
            "# HELP reciprocity_http_request_duration_seconds Time to answer a request.\n",
        );
        out.push_str("# TYPE reciprocity_http_request_duration_seconds histogram\n");
        for (bound, counter) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "reciprocity_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                get(counter)
            );
        }
        let count = get(&self.latency_count);
        let _ = writeln!(
            out,
            "reciprocity_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "reciprocity_http_request_duration_seconds_sum {}",
            get(&self.latency_sum_micros) as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "reciprocity_http_request_duration_seconds_count {count}"
        );
        out.push_str("# HELP reciprocity_sign_ins_total Sign-in attempts by outcome.\n");
        out.push_str("# TYPE reciprocity_sign_ins_total counter\n");
        let _ = writeln!(
            out,
            "reciprocity_sign_ins_total{{outcome=\"ok\"}} {}",
            get(&self.sign_in_ok)
        );
        let _ = writeln!(
            out,
            "reciprocity_sign_ins_total{{outcome=\"failed\"}} {}",
            get(&self.sign_in_failed)
        );
        let _ = writeln!(
            out,
            "reciprocity_sign_ins_total{{outcome=\"rate_limited\"}} {}",
            get(&self.sign_in_limited)
        );
        out.push_str(
            "# HELP reciprocity_connections_refused_total Connections closed at once by a cap.\n",
        );
        out.push_str("# TYPE reciprocity_connections_refused_total counter\n");
        let _ = writeln!(
            out,
            "reciprocity_connections_refused_total{{cap=\"total\"}} {}",
            get(&self.refused_total_cap)
        );
        let _ = writeln!(
            out,
            "reciprocity_connections_refused_total{{cap=\"per_client\"}} {}",
            get(&self.refused_client_cap)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = Metrics::default();
        metrics.record(200, Duration::from_micros(800));
        metrics.record(404, Duration::from_millis(30));
        let text = metrics.render();
        assert!(text.contains("reciprocity_http_requests_total{class=\"2xx\"} 1"));
        assert!(text.contains("reciprocity_http_requests_total{class=\"4xx\"} 1"));
        assert!(text.contains("reciprocity_http_request_duration_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("reciprocity_http_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("reciprocity_http_request_duration_seconds_count 2"));
    }
}
