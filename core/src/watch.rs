//! Telling the app that data changed: observers registered on a store are called after every
//! committed write that touched records, local or pulled, with the ids of those records. The
//! handle returned by [`crate::Linli::watch`] unregisters its observer when dropped.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// An observer: called with the ids of the documents a committed write touched.
pub type Observer = Arc<dyn Fn(&[String]) + Send + Sync>;

type Registry = Mutex<BTreeMap<u64, Observer>>;

/// The observers of one store.
#[derive(Default)]
pub(crate) struct Watchers {
    next: AtomicU64,
    registry: Arc<Registry>,
}

impl std::fmt::Debug for Watchers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watchers")
            .field("observers", &lock(&self.registry).len())
            .finish()
    }
}

fn lock(registry: &Registry) -> std::sync::MutexGuard<'_, BTreeMap<u64, Observer>> {
    registry.lock().unwrap_or_else(|e| e.into_inner())
}

impl Watchers {
    /// Registers `observer` until the returned handle is dropped.
    pub(crate) fn add(&self, observer: Observer) -> Watch {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        lock(&self.registry).insert(id, observer);
        Watch {
            id,
            registry: Arc::downgrade(&self.registry),
        }
    }

    /// Calls every observer with `doc_ids` (outside the registry's lock, so an observer may
    /// register or drop observers, or read the store).
    pub(crate) fn notify(&self, doc_ids: &[String]) {
        if doc_ids.is_empty() {
            return;
        }
        let observers: Vec<Observer> = lock(&self.registry).values().cloned().collect();
        for observer in observers {
            observer(doc_ids);
        }
    }

    /// How many observers are registered.
    pub(crate) fn len(&self) -> usize {
        lock(&self.registry).len()
    }
}

/// A registered observer; dropping it stops the notifications.
#[must_use = "dropping the handle stops the notifications"]
pub struct Watch {
    id: u64,
    registry: Weak<Registry>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").field("id", &self.id).finish()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(registry) = self.registry.upgrade() {
            lock(&registry).remove(&self.id);
        }
    }
}
