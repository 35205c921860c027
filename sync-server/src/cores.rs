//! Work spread over the machine's cores: a large push is decoded and judged in groups, one on
//! the request's thread and each other on a helper thread of its own, joined before the
//! request goes on. The relay runs at most one helper fewer than it has cores at once, across
//! all requests: pushes judged together share the cores instead of each starting as many
//! threads as there are (four phones pushing at once on two cores ran eight). A group with no
//! helper (none free, or its thread could not be started) is worked on the request's thread,
//! so a busy machine is slower, never wrong.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::error::RelayError;

/// The machine's cores, asked once (the answer reads cgroup files on Linux).
pub(crate) fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Helper threads working for [`spread`] now, across the relay.
static HELPERS: AtomicUsize = AtomicUsize::new(0);

/// A helper thread's place among the relay's [`HELPERS`], given back when dropped.
struct HelperPlace;

impl HelperPlace {
    /// A place, if fewer than `cores() - 1` helpers work now.
    fn take() -> Option<HelperPlace> {
        HELPERS
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n + 1 < cores()).then_some(n + 1)
            })
            .ok()
            .map(|_| HelperPlace)
    }
}

impl Drop for HelperPlace {
    fn drop(&mut self) {
        HELPERS.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs `work` on each of `groups` at once and returns the results in the groups' order. Each
/// group waits in a slot that whoever comes first takes it from (its thread, or the calling
/// thread once its own group is done), so each is worked exactly once. Every thread is joined
/// before a panic on one of them is answered as an internal error.
pub(crate) fn spread<T: Send, R: Send>(
    groups: Vec<T>,
    work: impl Fn(T) -> R + Sync,
) -> Result<Vec<R>, RelayError> {
    let slots: Vec<Mutex<Option<T>>> = groups.into_iter().map(|g| Mutex::new(Some(g))).collect();
    let take = |slot: &Mutex<Option<T>>| slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some((own, others)) = slots.split_first() else {
        return Ok(Vec::new());
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = others
            .iter()
            .map(|slot| {
                let place = HelperPlace::take()?;
                std::thread::Builder::new()
                    .name("judge".into())
                    .spawn_scoped(scope, || {
                        let _place = place;
                        take(slot).map(&work)
                    })
                    .ok()
            })
            .collect();
        let mut results = vec![take(own).map(&work)];
        // Groups no thread has taken (not started yet, or never).
        results.extend(others.iter().map(|slot| take(slot).map(&work)));
        let joined: Vec<_> = handles
            .into_iter()
            .map(|h| h.map_or(Ok(None), |h| h.join()))
            .collect();
        for (i, outcome) in joined.into_iter().enumerate() {
            let done = outcome.map_err(|_| RelayError::internal("a judging thread panicked"))?;
            if let Some(r) = done {
                results[i + 1] = Some(r);
            }
        }
        results
            .into_iter()
            .map(|r| r.ok_or_else(|| RelayError::internal("a group of work was lost")))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_is_worked_once_in_order() {
        let worked = std::sync::atomic::AtomicUsize::new(0);
        let groups: Vec<Vec<u32>> = (0..5).map(|g| (g * 10..g * 10 + 10).collect()).collect();
        let sums = spread(groups, |g: Vec<u32>| {
            worked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            g.iter().sum::<u32>()
        })
        .expect("spread");
        assert_eq!(sums, vec![45, 145, 245, 345, 445]);
        assert_eq!(worked.load(std::sync::atomic::Ordering::SeqCst), 5);
    }

    #[test]
    fn the_relay_runs_fewer_helpers_than_cores_however_many_pushes_spread() {
        let active = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let worked = AtomicUsize::new(0);
        let work = |g: u32| {
            let helper = std::thread::current().name() == Some("judge");
            if helper {
                let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
            }
            // Long enough for the pushes below to overlap.
            std::thread::sleep(std::time::Duration::from_millis(30));
            if helper {
                active.fetch_sub(1, Ordering::SeqCst);
            }
            worked.fetch_add(1, Ordering::SeqCst);
            g
        };
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let groups: Vec<u32> = (0..cores() as u32 + 2).collect();
                    let expected = groups.clone();
                    assert_eq!(spread(groups, work).expect("spread"), expected);
                });
            }
        });
        assert_eq!(worked.load(Ordering::SeqCst), 4 * (cores() + 2));
        assert!(
            most.load(Ordering::SeqCst) < cores().max(1),
            "{} helpers at once on {} cores",
            most.load(Ordering::SeqCst),
            cores()
        );
    }

    #[test]
    fn no_groups_no_work() {
        let out: Vec<u8> = spread(Vec::<u8>::new(), |g| g).expect("spread");
        assert!(out.is_empty());
    }

    #[test]
    fn a_panicking_group_never_answers_ok() {
        // The panic happens on this thread (which takes the groups nobody took) or on another,
        // which is joined and answered as an internal error.
        let caught = std::panic::catch_unwind(|| {
            spread(vec![1, 2, 3], |g: i32| {
                assert!(g != 3, "group three fails");
                g
            })
        });
        match caught {
            Ok(Ok(v)) => panic!("a panicking group answered {v:?}"),
            Ok(Err(e)) => assert_eq!(e.status, axum::http::StatusCode::INTERNAL_SERVER_ERROR),
            Err(_) => {}
        }
    }
}
