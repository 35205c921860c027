//! Fields of append-only items written only when they hold something.
//!
//! An item of an append-only list (a household's visit, its health check) is written once and
//! never changed. Most of its optional fields are empty: a visit without opinions, a health
//! check without a blood pressure. Writing each empty field cost an operation that every phone,
//! the relay's judge and the office replica decode, apply and read again, for every visit. A field
//! marked with these functions is left out of the item when it is empty, and reads back as empty
//! when it is missing (`missing = "Default::default"` beside it), so the record reads the same.
//! Only for fields of items that are never edited: an edit that empties such a field would
//! leave the old value in place.

use autosurgeon::{Reconcile, Reconciler};

/// Writes `text` unless it is empty.
pub(crate) fn text<R: Reconciler>(text: &str, reconciler: R) -> Result<(), R::Error> {
    if text.is_empty() {
        return Ok(());
    }
    text.reconcile(reconciler)
}

/// Writes `value` unless it is `None`.
pub(crate) fn some<T: Reconcile, R: Reconciler>(
    value: &Option<T>,
    reconciler: R,
) -> Result<(), R::Error> {
    match value {
        None => Ok(()),
        Some(v) => v.reconcile(reconciler),
    }
}
