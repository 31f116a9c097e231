//! Rate limiting per caller, in this process: governor's keyed limiter (GCRA, which admits
//! what a token bucket of the same rate and burst admits). Its per-key state is one map under
//! a lock held for one check (a few HTTP workers share it); governor's sharded store would
//! bring dashmap and a second hashbrown.
//!
//! Each instance keeps its own state: behind a load balancer with N instances a caller
//! gets up to N times the configured rate, which is the price of staying stateless.
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Callers remembered before those whose allowance is full again are forgotten.
const MAX_KEYS: usize = 10_000;

pub struct RateLimiter {
    /// `None`: no limit.
    limiter: Option<DefaultKeyedRateLimiter<String>>,
}

impl RateLimiter {
    /// `per_second` requests a second per caller, in bursts of up to `burst`; 0 disables the
    /// limiter.
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self::with_quota(NonZeroU32::new(per_second).map(|rate| {
            Quota::per_second(rate).allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        }))
    }

    /// `per_minute` requests a minute per caller, in bursts of up to 10; 0 disables it.
    pub fn per_minute(per_minute: u32) -> Self {
        Self::with_quota(NonZeroU32::new(per_minute).map(|rate| {
            Quota::per_minute(rate).allow_burst(rate.min(NonZeroU32::new(10).unwrap_or(rate)))
        }))
    }

    fn with_quota(quota: Option<Quota>) -> Self {
        Self {
            limiter: quota.map(DefaultKeyedRateLimiter::keyed),
        }
    }

    /// Admits one request of `key`; when it may not, how long until it may.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if limiter.len() >= MAX_KEYS {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusal_then_refill() {
        let limiter = RateLimiter::new(1000, 3);
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        match limiter.check("a") {
            Err(wait) => assert!(wait <= Duration::from_millis(1), "a token a ms: {wait:?}"),
            Ok(()) => panic!("the fourth request of a burst of three is refused"),
        }
        assert!(limiter.check("b").is_ok(), "callers are limited separately");
        std::thread::sleep(Duration::from_millis(5));
        assert!(limiter.check("a").is_ok());
    }

    #[test]
    fn per_minute_bursts_up_to_ten_and_says_how_long_to_wait() {
        let limiter = RateLimiter::per_minute(30);
        for _ in 0..10 {
            assert!(limiter.check("ip:1").is_ok());
        }
        match limiter.check("ip:1") {
            Err(wait) => assert!(wait > Duration::from_secs(1) && wait <= Duration::from_secs(2)),
            Ok(()) => panic!("the eleventh request of a burst of ten is refused"),
        }
    }

    #[test]
    fn zero_disables() {
        for limiter in [RateLimiter::new(0, 1), RateLimiter::per_minute(0)] {
            for _ in 0..100 {
                assert!(limiter.check("a").is_ok());
            }
        }
    }
}
