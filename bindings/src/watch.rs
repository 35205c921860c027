//! "Data changed" events for the apps' screens: a foreign observer registered on a store hears
//! the ids of the records every committed write touched, until its subscription is dropped or
//! cancelled.

use std::sync::{Arc, Mutex};

use linli_core::Linli;

use crate::callback::{CallbackError, Contained};
use linli_core::watch::Watch;

/// Implemented by the app: told which records changed (local edits and pulled changes).
#[uniffi::export(with_foreign)]
pub trait DataObserver: Send + Sync {
    /// The ids of the records a committed write touched.
    fn on_change(&self, doc_ids: Vec<String>) -> Result<(), CallbackError>;
}

/// A running subscription; dropping it (or `cancel()`) stops the events.
#[derive(Debug, uniffi::Object)]
pub struct Subscription {
    watch: Mutex<Option<Watch>>,
}

impl Subscription {
    pub(crate) fn start(linli: &Linli, observer: Arc<dyn DataObserver>) -> Arc<Subscription> {
        let contained = Contained::new("DataObserver.onChange");
        let watch = linli.watch(Arc::new(move |ids: &[String]| {
            let ids = ids.to_vec();
            // The write has committed: an observer that fails must not fail it.
            contained.call(|| observer.on_change(ids));
        }));
        Arc::new(Subscription {
            watch: Mutex::new(Some(watch)),
        })
    }
}

#[uniffi::export]
impl Subscription {
    /// Stops the events now.
    pub fn cancel(&self) {
        self.watch.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    /// Whether events still arrive.
    pub fn is_active(&self) -> bool {
        self.watch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}
