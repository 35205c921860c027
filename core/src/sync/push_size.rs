//! How much one push request carries. A push starts small, so that a phone on a weak signal
//! (a stairwell, a basement) loses little when a request fails, and doubles while the relay
//! answers quickly, so that a day's work or a new phone's thousands of records reach the relay
//! in a few large requests instead of dozens of small ones: each request of a push costs the
//! relay a round of judging, appending and answering whatever it carries. A slow answer halves
//! it again.

use std::time::Duration;

/// The most changes of the first push request.
pub const FIRST_PUSH_CHANGES: usize = 1000;
/// The most changes one push request grows to (the relay takes up to
/// [`super::protocol::MAX_PUSH_CHANGES`]).
pub const MAX_PUSH_CHANGES_GROWN: usize = 8000;
const _: () = assert!(MAX_PUSH_CHANGES_GROWN <= super::protocol::MAX_PUSH_CHANGES);
/// A request answered within this time lets the next one carry twice as much.
pub const GROW_WITHIN: Duration = Duration::from_secs(2);
/// A request answered after this time makes the next one carry half as much.
pub const SHRINK_AFTER: Duration = Duration::from_secs(6);

/// The bounds of one push request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushSize {
    /// The most changes.
    pub changes: usize,
    /// The most change bytes (a single larger change still goes alone).
    pub bytes: usize,
}

impl PushSize {
    /// The first request of a sync: at most `first_bytes` of changes.
    pub fn first(first_bytes: usize) -> PushSize {
        PushSize {
            changes: FIRST_PUSH_CHANGES,
            bytes: first_bytes.max(1),
        }
    }

    /// The next request's bounds after a request bounded by `self` was answered in `took`:
    /// twice as large when it was quick and full, half when it was slow, never below the first
    /// request's nor above `max_bytes` and [`MAX_PUSH_CHANGES_GROWN`].
    pub fn next(self, took: Duration, full: bool, first_bytes: usize, max_bytes: usize) -> Self {
        let first = PushSize::first(first_bytes);
        let max_bytes = max_bytes.max(first.bytes);
        if took > SHRINK_AFTER {
            PushSize {
                changes: (self.changes / 2).max(first.changes),
                bytes: (self.bytes / 2).max(first.bytes),
            }
        } else if took <= GROW_WITHIN && full {
            PushSize {
                changes: self.changes.saturating_mul(2).min(MAX_PUSH_CHANGES_GROWN),
                bytes: self.bytes.saturating_mul(2).min(max_bytes),
            }
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: usize = 1024;

    fn quick() -> Duration {
        Duration::from_millis(300)
    }

    #[test]
    fn quick_full_requests_double_up_to_the_limits() {
        let mut size = PushSize::first(512 * KIB);
        let mut seen = vec![size];
        for _ in 0..6 {
            size = size.next(quick(), true, 512 * KIB, 4096 * KIB);
            seen.push(size);
        }
        let changes: Vec<usize> = seen.iter().map(|s| s.changes).collect();
        let bytes: Vec<usize> = seen.iter().map(|s| s.bytes / KIB).collect();
        assert_eq!(changes, [1000, 2000, 4000, 8000, 8000, 8000, 8000]);
        assert_eq!(bytes, [512, 1024, 2048, 4096, 4096, 4096, 4096]);
    }

    #[test]
    fn a_request_that_was_not_full_does_not_grow_the_next() {
        let size = PushSize::first(512 * KIB);
        assert_eq!(size.next(quick(), false, 512 * KIB, 4096 * KIB), size);
    }

    #[test]
    fn an_answer_between_quick_and_slow_keeps_the_size() {
        let size = PushSize::first(512 * KIB).next(quick(), true, 512 * KIB, 4096 * KIB);
        assert_eq!(
            size.next(Duration::from_secs(4), true, 512 * KIB, 4096 * KIB),
            size
        );
    }

    #[test]
    fn a_slow_answer_halves_the_next_request_but_never_below_the_first() {
        let mut size = PushSize::first(512 * KIB);
        for _ in 0..3 {
            size = size.next(quick(), true, 512 * KIB, 4096 * KIB);
        }
        let slow = Duration::from_secs(10);
        let halved = size.next(slow, true, 512 * KIB, 4096 * KIB);
        assert_eq!((halved.changes, halved.bytes), (4000, 2048 * KIB));
        let mut floor = halved;
        for _ in 0..5 {
            floor = floor.next(slow, true, 512 * KIB, 4096 * KIB);
        }
        assert_eq!(floor, PushSize::first(512 * KIB));
    }

    #[test]
    fn a_cap_below_the_first_size_keeps_requests_at_the_first_size() {
        // A client told to push tiny requests (a weak link, a test cutting a sync short)
        // keeps them tiny.
        let size = PushSize::first(256);
        assert_eq!(size.next(quick(), true, 256, 256).bytes, 256);
        assert_eq!(size.next(quick(), true, 256, 0).bytes, 256);
    }
}
