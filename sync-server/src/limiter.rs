//! In-memory limits on how often one client may ask: failed attempts per key in a window (wrong
//! enrolment codes per address) and a token bucket per key (requests per device). Both keep a
//! small entry per key, drop entries that no longer hold anything back, and hold at most
//! [`MAX_KEYS`] entries: past that, new keys are held back until old ones are pruned, so that a
//! flood of new keys costs memory it cannot grow.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The most keys a limiter tracks at once.
pub const MAX_KEYS: usize = 100_000;

/// How often a limiter looks for entries to drop, at most.
const PRUNE_EVERY: Duration = Duration::from_secs(1);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whole seconds to wait, rounded up and at least one: what `Retry-After` says.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// Whose attempts count together: one IPv4 address, or one IPv6 /64 (what one household or
/// phone is given, so that a client cannot escape its count by changing the low bits).
pub fn address_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

/// One key's attempts in its current window.
#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    attempts: u32,
}

#[derive(Debug)]
struct Table<K, V> {
    entries: HashMap<K, V>,
    pruned: Option<Instant>,
}

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Table {
            entries: HashMap::new(),
            pruned: None,
        }
    }
}

impl<K: Eq + Hash, V> Table<K, V> {
    /// Drops the entries `stale` says hold nothing back, at most once per [`PRUNE_EVERY`]
    /// unless the table is full.
    fn prune(&mut self, now: Instant, stale: impl Fn(&V) -> bool) {
        let due = self
            .pruned
            .is_none_or(|p| now.saturating_duration_since(p) >= PRUNE_EVERY);
        if due || self.entries.len() >= MAX_KEYS {
            self.entries.retain(|_, v| !stale(v));
            self.pruned = Some(now);
        }
    }
}

/// Attempts per key in a fixed window: each attempt counts when it starts, and is forgiven if
/// it turns out not to be a failure. With `max` attempts counted, the key waits for the end of
/// its window. Counting at the start bounds attempts made at the same time too.
#[derive(Debug, Default)]
pub struct FailureLimiter<K> {
    table: Mutex<Table<K, Window>>,
}

impl<K: Eq + Hash + Clone> FailureLimiter<K> {
    /// An empty limiter.
    pub fn new() -> Self {
        FailureLimiter {
            table: Mutex::new(Table::default()),
        }
    }

    /// Counts an attempt by `key`, or says how long it must wait when `max` attempts were
    /// counted in the `window` that started with its first one.
    pub fn attempt(
        &self,
        key: &K,
        max: u32,
        window: Duration,
        now: Instant,
    ) -> Result<(), Duration> {
        let mut table = lock(&self.table);
        let over = |w: &Window| now.saturating_duration_since(w.started) >= window;
        table.prune(now, over);
        let full = table.entries.len() >= MAX_KEYS;
        match table.entries.get_mut(key) {
            Some(w) if over(w) => {
                *w = Window {
                    started: now,
                    attempts: 1,
                };
                Ok(())
            }
            Some(w) if w.attempts >= max => {
                Err(window.saturating_sub(now.saturating_duration_since(w.started)))
            }
            Some(w) => {
                w.attempts += 1;
                Ok(())
            }
            None if full => Err(window),
            None => {
                table.entries.insert(
                    key.clone(),
                    Window {
                        started: now,
                        attempts: 1,
                    },
                );
                Ok(())
            }
        }
    }

    /// Takes back an attempt that did not fail.
    pub fn forgive(&self, key: &K) {
        if let Some(w) = lock(&self.table).entries.get_mut(key) {
            w.attempts = w.attempts.saturating_sub(1);
        }
    }

    /// How many keys it tracks.
    pub fn len(&self) -> usize {
        lock(&self.table).entries.len()
    }

    /// Whether it tracks no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One key's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn filled(self, rate: f64, burst: f64, now: Instant) -> f64 {
        (self.tokens + now.saturating_duration_since(self.at).as_secs_f64() * rate).min(burst)
    }
}

/// A token bucket per key: `burst` requests at once, refilled at `rate` a second.
#[derive(Debug, Default)]
pub struct RateLimiter<K> {
    table: Mutex<Table<K, Bucket>>,
}

impl<K: Eq + Hash + Clone> RateLimiter<K> {
    /// An empty limiter.
    pub fn new() -> Self {
        RateLimiter {
            table: Mutex::new(Table::default()),
        }
    }

    /// Takes a token for `key`, or says how long until one is there.
    pub fn take(&self, key: &K, rate: u32, burst: u32, now: Instant) -> Result<(), Duration> {
        let rate = f64::from(rate.max(1));
        let burst = f64::from(burst.max(1));
        let mut table = lock(&self.table);
        table.prune(now, |b| b.filled(rate, burst, now) >= burst);
        let tokens = match table.entries.get(key) {
            Some(b) => b.filled(rate, burst, now),
            None if table.entries.len() >= MAX_KEYS => {
                return Err(Duration::from_secs_f64(1.0 / rate));
            }
            None => burst,
        };
        if tokens < 1.0 {
            return Err(Duration::from_secs_f64((1.0 - tokens) / rate));
        }
        table.entries.insert(
            key.clone(),
            Bucket {
                tokens: tokens - 1.0,
                at: now,
            },
        );
        Ok(())
    }

    /// How many keys it tracks.
    pub fn len(&self) -> usize {
        lock(&self.table).entries.len()
    }

    /// Whether it tracks no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn the_sixth_failure_in_a_window_waits_for_its_end() {
        let l = FailureLimiter::new();
        let t0 = Instant::now();
        for i in 0..5 {
            assert_eq!(
                l.attempt(&"a", 5, MINUTE, t0 + Duration::from_secs(i)),
                Ok(())
            );
        }
        let wait = l.attempt(&"a", 5, MINUTE, t0 + Duration::from_secs(20));
        assert_eq!(wait, Err(Duration::from_secs(40)));
        assert_eq!(retry_after_secs(wait.unwrap_err()), 40);
        // Another key is not held back.
        assert_eq!(
            l.attempt(&"b", 5, MINUTE, t0 + Duration::from_secs(20)),
            Ok(())
        );
        // After the window, the key starts again.
        assert_eq!(l.attempt(&"a", 5, MINUTE, t0 + MINUTE), Ok(()));
    }

    #[test]
    fn forgiven_attempts_do_not_count() {
        let l = FailureLimiter::new();
        let t0 = Instant::now();
        for _ in 0..20 {
            assert_eq!(l.attempt(&1u8, 5, MINUTE, t0), Ok(()));
            l.forgive(&1u8);
        }
        for _ in 0..5 {
            assert_eq!(l.attempt(&1u8, 5, MINUTE, t0), Ok(()));
        }
        assert!(l.attempt(&1u8, 5, MINUTE, t0).is_err());
    }

    #[test]
    fn stale_keys_are_pruned_and_new_keys_wait_when_full() {
        let l = FailureLimiter::new();
        let t0 = Instant::now();
        for k in 0..MAX_KEYS {
            assert_eq!(l.attempt(&k, 5, MINUTE, t0), Ok(()));
        }
        assert_eq!(l.len(), MAX_KEYS);
        assert!(l.attempt(&MAX_KEYS, 5, MINUTE, t0).is_err());
        // Keys already tracked still count.
        assert_eq!(l.attempt(&0, 5, MINUTE, t0), Ok(()));
        // Once their windows are over, they are dropped.
        assert_eq!(l.attempt(&MAX_KEYS, 5, MINUTE, t0 + MINUTE), Ok(()));
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn addresses_count_by_ipv4_address_or_ipv6_slash_64() {
        let key = |a: &str| address_key(a.parse().unwrap());
        assert_eq!(key("192.0.2.7"), key("192.0.2.7"));
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), key("192.0.2.7"));
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let l = RateLimiter::new();
        let t0 = Instant::now();
        for _ in 0..40 {
            assert_eq!(l.take(&"dev", 20, 40, t0), Ok(()));
        }
        let wait = l.take(&"dev", 20, 40, t0).unwrap_err();
        assert!(wait.abs_diff(Duration::from_millis(50)) < Duration::from_millis(1));
        assert_eq!(retry_after_secs(wait), 1);
        assert!(l.take(&"other", 20, 40, t0).is_ok());
        // 20 a second: a tenth of a second brings two more.
        let later = t0 + Duration::from_millis(100);
        assert!(l.take(&"dev", 20, 40, later).is_ok());
        assert!(l.take(&"dev", 20, 40, later).is_ok());
        assert!(l.take(&"dev", 20, 40, later).is_err());
        // Full buckets are dropped.
        assert!(
            l.take(&"third", 20, 40, t0 + Duration::from_secs(10))
                .is_ok()
        );
        assert_eq!(l.len(), 1);
    }
}
