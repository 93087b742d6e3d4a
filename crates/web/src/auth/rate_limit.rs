//! Token-bucket rate limits, kept in memory per server instance.
//!
//! Buckets refill continuously, so a blocked client is told exactly when to
//! come back (`Retry-After`) and is never locked out for good: there is no
//! hard account lock anywhere (SECURITY.md R15).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `burst` attempts at once, then one more every `every`.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub burst: u32,
    pub every: Duration,
}

impl Rate {
    pub const fn new(burst: u32, every_secs: u64) -> Self {
        Self {
            burst,
            every: Duration::from_secs(every_secs),
        }
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Above this many keys, full buckets are dropped: they carry no information.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    /// Takes one token from `key`'s bucket, or says how many seconds until one is free.
    pub fn take(&self, key: &str, rate: Rate, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| refilled(b, rate, now) < f64::from(rate.burst));
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: f64::from(rate.burst),
            updated: now,
        });
        bucket.tokens = refilled(bucket, rate, now);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) * rate.every.as_secs_f64();
            Err(wait.ceil() as u64)
        }
    }

    /// Gives a token back (a sign-in that succeeded should not count against anyone).
    pub fn refund(&self, key: &str, rate: Rate) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bucket) = buckets.get_mut(key) {
            bucket.tokens = (bucket.tokens + 1.0).min(f64::from(rate.burst));
        }
    }
}

fn refilled(bucket: &Bucket, rate: Rate, now: Instant) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    let per_sec = 1.0 / rate.every.as_secs_f64().max(f64::MIN_POSITIVE);
    (bucket.tokens + elapsed * per_sec).min(f64::from(rate.burst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let limiter = Limiter::default();
        let rate = Rate::new(3, 10);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take("k", rate, t0).is_ok());
        }
        assert_eq!(limiter.take("k", rate, t0), Err(10));
        assert_eq!(limiter.take("k", rate, t0 + Duration::from_secs(4)), Err(6));
        assert!(limiter
            .take("k", rate, t0 + Duration::from_secs(10))
            .is_ok());
        // Other keys are untouched.
        assert!(limiter.take("other", rate, t0).is_ok());
    }

    #[test]
    fn refunds_never_exceed_the_burst() {
        let limiter = Limiter::default();
        let rate = Rate::new(1, 60);
        let t0 = Instant::now();
        assert!(limiter.take("k", rate, t0).is_ok());
        limiter.refund("k", rate);
        limiter.refund("k", rate);
        assert!(limiter.take("k", rate, t0).is_ok());
        assert!(limiter.take("k", rate, t0).is_err());
    }
}
