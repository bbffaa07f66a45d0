//! Failed-login limits per client address and per account (in this process's memory).
//!
//! Only failures count, and a blocked key must be checked *before* the
//! password is verified; general request limiters (governor and friends)
//! count every request and cannot be peeked, hence this small sliding window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` failures per key within `window`.
pub struct FailureWindow {
    max: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl FailureWindow {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(wait)` while `key` is over its limit.
    pub fn blocked_for(&self, key: &str, now: Instant) -> Option<Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entries = map.get_mut(key)?;
        while entries
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            entries.pop_front();
        }
        if entries.len() < self.max {
            return None;
        }
        let oldest = *entries.front()?;
        Some(self.window.saturating_sub(now.duration_since(oldest)))
    }

    pub fn record(&self, key: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Keep memory bounded under a flood of distinct keys.
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, v| v.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        map.entry(key.to_string()).or_default().push_back(now);
    }
}

/// The two windows a login is checked against.
pub struct LoginLimiter {
    per_account: FailureWindow,
    per_address: FailureWindow,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        let window = Duration::from_secs(15 * 60);
        Self {
            per_account: FailureWindow::new(10, window),
            per_address: FailureWindow::new(20, window),
        }
    }
}

impl LoginLimiter {
    /// Seconds to wait when either the address or the account is over its limit.
    pub fn retry_after(&self, address: &str, account: &str) -> Option<u64> {
        let now = Instant::now();
        let wait = [
            self.per_address.blocked_for(address, now),
            self.per_account.blocked_for(account, now),
        ]
        .into_iter()
        .flatten()
        .max()?;
        Some(wait.as_secs().max(1))
    }

    pub fn record_failure(&self, address: &str, account: &str) {
        let now = Instant::now();
        self.per_address.record(address, now);
        self.per_account.record(account, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_blocked_after_max_failures_until_the_window_passes() {
        let w = FailureWindow::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(w.blocked_for("k", t0).is_none(), "failure {i}");
            w.record("k", t0);
        }
        let wait = w.blocked_for("k", t0 + Duration::from_secs(10)).unwrap();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(w.blocked_for("other", t0).is_none());
        assert!(w.blocked_for("k", t0 + Duration::from_secs(61)).is_none());
    }
}
