//! Records the office erased (`linli-relay erase`): the relay keeps a tombstone for each (its
//! id and a position, no personal data) and sends the ones a store has not applied with every
//! sync; the store deletes each record for good (see `store::erasure`). The relay's own stores
//! (its replica, the admin tools' store) apply them the same way.

use super::Linli;
use crate::error::Result;
use crate::sync::protocol::Erased;

/// The sync setting that keeps the position of the last erasure applied.
pub const ERASED_SEQ: &str = "erased_seq";

impl Linli {
    /// Erases the records named by `erased` (those this store holds) with everything they
    /// left in it, and remembers the last position applied. Returns how many it held.
    pub fn apply_erasures(&self, erased: &[Erased]) -> Result<usize> {
        let Some(last) = erased.iter().map(|e| e.seq).max() else {
            return Ok(0);
        };
        let last = last.max(self.erased_seq()?);
        let ids: Vec<String> = erased.iter().map(|e| e.doc_id.clone()).collect();
        let held = self.store.erase_documents(
            &ids,
            true,
            &format!("sync.{ERASED_SEQ}"),
            &last.to_string(),
        )?;
        if held > 0 {
            tracing::info!(records = held, "records erased at the office's request");
        }
        self.store.watchers.notify(&ids);
        Ok(held)
    }

    /// The position of the last erasure this store applied (0 for none).
    pub fn erased_seq(&self) -> Result<i64> {
        Ok(self
            .sync_setting(ERASED_SEQ)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }
}
