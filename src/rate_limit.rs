//! Failed-login limits (in this process's memory): locked per account and address, slowed per account.
//!
//! Only failures count, and a key must be checked *before* the password is
//! verified; general request limiters (governor and friends) count every
//! request and cannot be peeked, hence this small sliding window.
//!
//! Who is stopped, and how:
//! - one address guessing one account is locked out of that account after
//!   `PAIR_LIMIT` failures — the owner, elsewhere, is not;
//! - one address guessing many accounts is locked out after `ADDRESS_LIMIT`;
//! - many addresses guessing one account are *slowed*: past
//!   `ACCOUNT_SOFT_LIMIT` failures every attempt on that account waits a
//!   little longer, up to `MAX_DELAY`, before its password is checked. Nobody
//!   can lock an owner out from addresses the owner does not use; guessing
//!   at scale costs time per guess instead.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures of one address on one account before that pair is locked.
const PAIR_LIMIT: usize = 10;
/// Failures of one address on any accounts before the address is locked.
const ADDRESS_LIMIT: usize = 20;
/// Failures on one account, from anywhere, before attempts on it slow down.
const ACCOUNT_SOFT_LIMIT: usize = 20;
/// Each failure past the soft limit adds this much wait …
const DELAY_STEP: Duration = Duration::from_millis(500);
/// … up to this.
const MAX_DELAY: Duration = Duration::from_secs(10);
/// Keys kept per window before expired ones are swept (memory bound under a flood).
const SWEEP_AT: usize = 100_000;
/// Failure times kept per key: more than any limit or delay step needs.
const KEEP_PER_KEY: usize = 64;

/// Failure times per key within `window`. Keys are kept as 64-bit hashes
/// (SipHash with a random key per process): a key of any length costs the
/// same few bytes, so a flood of huge keys cannot fill memory.
pub struct FailureWindow {
    window: Duration,
    hasher: std::collections::hash_map::RandomState,
    failures: Mutex<HashMap<u64, VecDeque<Instant>>>,
}

impl FailureWindow {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            hasher: std::collections::hash_map::RandomState::new(),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Failures of `key` still inside the window, and the oldest one's time.
    pub fn count(&self, key: &str, now: Instant) -> (usize, Option<Instant>) {
        let key = self.hasher.hash_one(key);
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entries) = map.get_mut(&key) else {
            return (0, None);
        };
        while entries
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            entries.pop_front();
        }
        (entries.len(), entries.front().copied())
    }

    /// `Some(wait)` while `key` has `max` failures or more in the window.
    pub fn blocked_for(&self, key: &str, max: usize, now: Instant) -> Option<Duration> {
        match self.count(key, now) {
            (n, Some(oldest)) if n >= max => {
                Some(self.window.saturating_sub(now.duration_since(oldest)))
            }
            _ => None,
        }
    }

    pub fn record(&self, key: &str, now: Instant) {
        let key = self.hasher.hash_one(key);
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > SWEEP_AT {
            let window = self.window;
            map.retain(|_, v| v.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let entries = map.entry(key).or_default();
        if entries.len() >= KEEP_PER_KEY {
            entries.pop_front();
        }
        entries.push_back(now);
    }
}

/// What a login attempt may do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginGate {
    /// Check the password.
    Open,
    /// Check it after this wait (the account is under attack from many addresses).
    SlowDown(Duration),
    /// Refuse: this address is locked (for this account, or for all); retry after these seconds.
    Locked(u64),
}

/// The three windows a login is checked against.
pub struct LoginLimiter {
    per_pair: FailureWindow,
    per_address: FailureWindow,
    per_account: FailureWindow,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self {
            per_pair: FailureWindow::new(WINDOW),
            per_address: FailureWindow::new(WINDOW),
            per_account: FailureWindow::new(WINDOW),
        }
    }
}

fn pair(address: &str, account: &str) -> String {
    format!("{address}\n{account}")
}

impl LoginLimiter {
    pub fn check(&self, address: &str, account: &str) -> LoginGate {
        let now = Instant::now();
        let locked = [
            self.per_pair
                .blocked_for(&pair(address, account), PAIR_LIMIT, now),
            self.per_address.blocked_for(address, ADDRESS_LIMIT, now),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(wait) = locked {
            return LoginGate::Locked(wait.as_secs().max(1));
        }
        let (failures, _) = self.per_account.count(account, now);
        match failures.checked_sub(ACCOUNT_SOFT_LIMIT) {
            Some(over) => {
                let steps = u32::try_from(over + 1).unwrap_or(u32::MAX);
                LoginGate::SlowDown(DELAY_STEP.saturating_mul(steps).min(MAX_DELAY))
            }
            None => LoginGate::Open,
        }
    }

    pub fn record_failure(&self, address: &str, account: &str) {
        let now = Instant::now();
        self.per_pair.record(&pair(address, account), now);
        self.per_address.record(address, now);
        self.per_account.record(account, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_blocked_after_max_failures_until_the_window_passes() {
        let w = FailureWindow::new(Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(w.blocked_for("k", 3, t0).is_none(), "failure {i}");
            w.record("k", t0);
        }
        let wait = w.blocked_for("k", 3, t0 + Duration::from_secs(10)).unwrap();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(w.blocked_for("other", 3, t0).is_none());
        assert!(w
            .blocked_for("k", 3, t0 + Duration::from_secs(61))
            .is_none());
    }

    #[test]
    fn one_address_locks_only_itself_and_many_slow_the_account() {
        let limiter = LoginLimiter::default();
        for _ in 0..PAIR_LIMIT {
            assert_eq!(limiter.check("6.6.6.6", "ana"), LoginGate::Open);
            limiter.record_failure("6.6.6.6", "ana");
        }
        assert!(matches!(
            limiter.check("6.6.6.6", "ana"),
            LoginGate::Locked(_)
        ));
        assert_eq!(limiter.check("192.0.2.1", "ana"), LoginGate::Open);
        // A botnet: each address under its own limits.
        for i in 0..(ACCOUNT_SOFT_LIMIT * 2) {
            limiter.record_failure(&format!("10.0.0.{i}"), "ana");
        }
        let LoginGate::SlowDown(wait) = limiter.check("192.0.2.1", "ana") else {
            panic!("the account should slow down")
        };
        assert_eq!(wait, MAX_DELAY);
        assert_eq!(limiter.check("192.0.2.1", "bob"), LoginGate::Open);
    }
}
