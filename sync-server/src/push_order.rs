//! The order of one device's push requests when the phone sends the next before the last is
//! answered. While the relay judges a large request, the phone sends the one after it, naming
//! (in [`linli_core::sync::protocol::FOLLOWS_HEADER`]) the last change of the request it
//! follows; the relay judges it once that request is stored, so that its changes find the
//! ones they build on in the log, and both cores work on judging instead of waiting for the
//! phone between requests. A request whose predecessor's last change is in the log already
//! (stored by this process or, before a restart, by another) is judged at once. One whose
//! predecessor is not stored in time (it failed, or its last change was refused by a relay
//! process before this one) is answered `409 follows_unanswered` without being judged: the
//! phone sends it again after the answer it waits for.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;

/// How long a request waits for the one it follows to be stored, unless the relay's limits
/// say otherwise: well within a phone's request timeout (30 s), so that the phone gets the
/// answer `follows_unanswered` instead of timing out and sending the same request again.
pub const FOLLOW_WAIT: Duration = Duration::from_secs(10);

/// How many requests of one device may wait for their predecessors at once: a phone sends one
/// ahead (and may send it again after a network failure while the first still waits); more
/// are answered `follows_unanswered` at once, so that a device cannot hold requests, and the
/// replica's feed, by naming predecessors that never come.
pub const MAX_WAITING_PER_DEVICE: usize = 2;

/// The last change of each device's last stored push request, as far as this process has
/// seen, and how many of each device's requests are waiting.
#[derive(Debug, Default)]
pub struct PushOrder {
    last_stored: Mutex<HashMap<String, [u8; 32]>>,
    stored: Notify,
    waiting: Mutex<HashMap<String, usize>>,
}

/// A request of a device waiting for its predecessor; counted until dropped.
#[derive(Debug)]
pub struct Waiting<'a> {
    order: &'a PushOrder,
    device_id: String,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut waiting = self.order.waiting.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = waiting.get_mut(&self.device_id) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                waiting.remove(&self.device_id);
            }
        }
    }
}

impl PushOrder {
    /// Counts a request of `device_id` as waiting, unless [`MAX_WAITING_PER_DEVICE`] already
    /// are.
    pub fn start_waiting(&self, device_id: &str) -> Option<Waiting<'_>> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let n = waiting.entry(device_id.to_owned()).or_default();
        if *n >= MAX_WAITING_PER_DEVICE {
            return None;
        }
        *n += 1;
        Some(Waiting {
            order: self,
            device_id: device_id.to_owned(),
        })
    }

    /// Notes that the push request of `device_id` whose last change is `last` is stored.
    pub fn stored(&self, device_id: &str, last: [u8; 32]) {
        let mut map = self.last_stored.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(device_id.to_owned(), last);
        drop(map);
        self.stored.notify_waiters();
    }

    fn is_stored(&self, device_id: &str, last: &[u8; 32]) -> bool {
        let map = self.last_stored.lock().unwrap_or_else(|e| e.into_inner());
        map.get(device_id) == Some(last)
    }

    /// Waits, at most `within`, until the push request of `device_id` whose last change is
    /// `last` is stored. Returns whether it was.
    pub async fn wait_stored(&self, device_id: &str, last: &[u8; 32], within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            // Registered before the check, so that a request stored in between wakes it.
            let notified = self.stored.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_stored(device_id, last) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.is_stored(device_id, last);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_request_waits_until_the_one_it_follows_is_stored() {
        let order = Arc::new(PushOrder::default());
        let waiting = {
            let order = Arc::clone(&order);
            tokio::spawn(async move {
                order
                    .wait_stored("d1", &[7; 32], Duration::from_secs(10))
                    .await
            })
        };
        tokio::task::yield_now().await;
        // Another device's request, and another request of this one, do not release it.
        order.stored("d2", [7; 32]);
        order.stored("d1", [8; 32]);
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        order.stored("d1", [7; 32]);
        assert!(waiting.await.unwrap());
    }

    #[test]
    fn a_device_has_at_most_two_requests_waiting() {
        let order = PushOrder::default();
        let first = order.start_waiting("d1").expect("first");
        let second = order.start_waiting("d1").expect("second");
        assert!(order.start_waiting("d1").is_none(), "a third is not taken");
        assert!(order.start_waiting("d2").is_some(), "another device's is");
        drop(first);
        assert!(
            order.start_waiting("d1").is_some(),
            "one ended: another may wait"
        );
        drop(second);
    }

    #[tokio::test]
    async fn a_request_whose_predecessor_never_comes_gives_up() {
        let order = PushOrder::default();
        order.stored("d1", [1; 32]);
        assert!(
            !order
                .wait_stored("d1", &[2; 32], Duration::from_millis(20))
                .await
        );
        assert!(
            order
                .wait_stored("d1", &[1; 32], Duration::from_millis(20))
                .await
        );
    }
}
