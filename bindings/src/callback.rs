//! The app's callbacks (a sync listener, a data observer) may throw. A thrown exception reaches
//! Rust as a [`CallbackError`] instead of a panic; the first failure of each callback is logged
//! as a warning and everything goes on: the sync finishes, the write stays committed.

use std::sync::atomic::{AtomicBool, Ordering};

/// A callback of the app failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CallbackError {
    /// The callback threw.
    #[error("callback failed: {detail}")]
    Failed {
        /// What it threw.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CallbackError::Failed { detail: e.reason }
    }
}

/// One callback of the app, called so that its failures stay its own.
#[derive(Debug)]
pub(crate) struct Contained {
    what: &'static str,
    warned: AtomicBool,
}

impl Contained {
    /// A callback named `what` in the log.
    pub(crate) fn new(what: &'static str) -> Contained {
        Contained {
            what,
            warned: AtomicBool::new(false),
        }
    }

    /// Calls `f`; a failure (or a panic in the glue) is logged once and otherwise ignored.
    /// Returns whether the call succeeded.
    pub(crate) fn call(&self, f: impl FnOnce() -> Result<(), CallbackError>) -> bool {
        let failure = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Ok(Ok(())) => return true,
            Ok(Err(e)) => e.to_string(),
            Err(panic) => crate::error::panic_message(panic.as_ref()),
        };
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                callback = self.what,
                "the app's callback failed, going on (further failures not logged): {failure}"
            );
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_contained_and_reported_as_such() {
        let c = Contained::new("test");
        assert!(c.call(|| Ok(())));
        assert!(!c.call(|| Err(CallbackError::Failed {
            detail: "thrown".into()
        })));
        assert!(!c.call(|| Err(uniffi::UnexpectedUniFFICallbackError::new("boom").into())));
        assert!(c.call(|| Ok(())), "a failure does not stop later calls");
    }
}
