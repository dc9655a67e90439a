//! Fault injection and throttling, decided per request so a failing run can be replayed.
//!
//! Random faults are not drawn from a shared generator (whose sequence would depend on the
//! order concurrent requests happen to arrive in) but from a hash of the seed and the request
//! itself (method, URL, body, `Retry-Attempt`): the same run against the same seed fails the
//! same requests at the same attempts.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Fault settings of one sandbox run.
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// Added to every Graph request.
    pub latency: Duration,
    /// Probability of a random 429.
    pub p429: f64,
    /// Probability of a random 503.
    pub p503: f64,
    /// Probability that the connection is dropped without a response.
    pub pdrop: f64,
    /// Seed of the per-request draws.
    pub seed: u64,
    /// Retry-After (seconds) on random 429/503.
    pub retry_after_secs: u64,
    /// Resource units per second each app may spend (Graph's per-app budget); `None` = no limit.
    pub rate_limit_ru_per_sec: Option<f64>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            latency: Duration::ZERO,
            p429: 0.0,
            p503: 0.0,
            pdrop: 0.0,
            seed: 0,
            retry_after_secs: 1,
            rate_limit_ru_per_sec: None,
        }
    }
}

impl FaultConfig {
    pub fn is_active(&self) -> bool {
        !self.latency.is_zero()
            || self.p429 > 0.0
            || self.p503 > 0.0
            || self.pdrop > 0.0
            || self.rate_limit_ru_per_sec.is_some()
    }
}

/// What to do with a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    None,
    Drop,
    Unavailable {
        retry_after: u64,
    },
    Throttled {
        retry_after: u64,
        reason: &'static str,
    },
}

/// A token bucket per app, in resource units.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Debug, Default)]
pub struct Faults {
    pub config: FaultConfig,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// A uniform draw in [0, 1) from the seed and the request's identity.
pub fn draw(seed: u64, salt: &str, request_key: &[u8]) -> f64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.hash(&mut h);
    salt.hash(&mut h);
    request_key.hash(&mut h);
    // SipHash output is uniform enough for fault rates; keep 53 bits for an exact f64.
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

impl Faults {
    pub fn new(config: FaultConfig) -> Faults {
        Faults {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Decides the fault for a request identified by `request_key` (method, URL, body and
    /// retry attempt) from app `app_id` costing `cost` resource units.
    pub fn decide(&self, app_id: &str, request_key: &[u8], cost: f64) -> Fault {
        let c = &self.config;
        if c.pdrop > 0.0 && draw(c.seed, "drop", request_key) < c.pdrop {
            return Fault::Drop;
        }
        if c.p503 > 0.0 && draw(c.seed, "503", request_key) < c.p503 {
            return Fault::Unavailable {
                retry_after: c.retry_after_secs,
            };
        }
        if c.p429 > 0.0 && draw(c.seed, "429", request_key) < c.p429 {
            return Fault::Throttled {
                retry_after: c.retry_after_secs,
                reason: "ResourceUnitLimitExceeded",
            };
        }
        if let Some(rate) = c.rate_limit_ru_per_sec {
            return self.spend(app_id, rate, cost);
        }
        Fault::None
    }

    fn spend(&self, app_id: &str, rate: f64, cost: f64) -> Fault {
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(p) => p.into_inner(),
        };
        // One second of budget: bursts up to the per-second rate, as Graph's windows allow.
        let capacity = rate.max(1.0);
        let bucket = buckets.entry(app_id.to_string()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Fault::None
        } else {
            let wait = ((cost - bucket.tokens) / rate).ceil().max(1.0) as u64;
            Fault::Throttled {
                retry_after: wait,
                reason: "ResourceUnitLimitExceeded",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_deterministic_and_roughly_uniform() {
        assert_eq!(draw(7, "429", b"GET /x"), draw(7, "429", b"GET /x"));
        assert_ne!(draw(7, "429", b"GET /x"), draw(8, "429", b"GET /x"));
        let hits = (0..10_000)
            .filter(|i| draw(1, "429", format!("req{i}").as_bytes()) < 0.2)
            .count();
        assert!((1700..2300).contains(&hits), "{hits}");
    }

    #[test]
    fn the_budget_throttles_with_a_retry_after() {
        let f = Faults::new(FaultConfig {
            rate_limit_ru_per_sec: Some(5.0),
            ..Default::default()
        });
        let results: Vec<_> = (0..10).map(|i| f.decide("app", &[i], 1.0)).collect();
        let throttled = results
            .iter()
            .filter(|r| matches!(r, Fault::Throttled { .. }))
            .count();
        assert!(throttled >= 4, "{results:?}");
        assert!(matches!(f.decide("other-app", b"x", 1.0), Fault::None));
        if let Some(Fault::Throttled { retry_after, .. }) = results.last() {
            assert!(*retry_after >= 1);
        }
    }

    #[test]
    fn replayed_requests_fail_the_same_way() {
        let cfg = FaultConfig {
            p429: 0.3,
            p503: 0.1,
            pdrop: 0.05,
            seed: 42,
            ..Default::default()
        };
        let a = Faults::new(cfg.clone());
        let b = Faults::new(cfg);
        for i in 0..200u32 {
            let key = i.to_le_bytes();
            assert_eq!(a.decide("x", &key, 1.0), b.decide("x", &key, 1.0));
        }
    }
}
