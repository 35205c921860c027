//! How long residents' data is kept. Gate days (visitors' names and phones) are erased
//! everywhere once older than the community's retention, a setting in the directory (30 days
//! unless the office sets another): the relay does it (`linli-relay` retention), through the
//! same tombstones as any erasure. Tickets closed more than [`CLOSED_TICKETS_KEPT_DAYS`] ago
//! leave the phones at their next sync; they stay on the relay.

use chrono::Duration;

use super::Linli;
use crate::error::{Error, ErrorCode, Result};
use crate::records::directory::CommunityInfo as CommunityRecord;

/// Days gate days are kept when the office set nothing else.
pub const DEFAULT_GATE_LOG_RETENTION_DAYS: i64 = 30;
/// The longest retention the office may set (ten years).
pub const MAX_GATE_LOG_RETENTION_DAYS: i64 = 3650;
/// Days a closed ticket stays on the phones.
pub const CLOSED_TICKETS_KEPT_DAYS: i64 = 90;

/// The directory's community, read alone.
#[derive(Debug, autosurgeon::Hydrate)]
struct DirectoryCommunity {
    community: CommunityRecord,
}

impl Linli {
    /// Sets how many days gate days are kept (office only; 1 to 3,650).
    pub fn set_gate_log_retention(&self, days: i64) -> Result<()> {
        self.require_role("set the retention", &[], "community")?;
        if !(1..=MAX_GATE_LOG_RETENTION_DAYS).contains(&days) {
            return Err(Error::invalid(
                "days",
                ErrorCode::OutOfRange,
                format!("keep gate days for 1 to {MAX_GATE_LOG_RETENTION_DAYS} days"),
            ));
        }
        let doc_id = self.community()?.directory_doc;
        self.write(|w| {
            w.edit(&doc_id, "community.retention", |e| {
                e.put(&["community", "gate_log_retention_days"], days)
            })?;
            Ok(())
        })
    }

    /// How many days gate days are kept.
    pub fn gate_log_retention_days(&self) -> Result<i64> {
        let doc_id = self.community()?.directory_doc;
        let d: DirectoryCommunity =
            self.read_record_as(&doc_id, crate::DocKind::Directory, "directory")?;
        Ok(d.community
            .gate_log_retention_days
            .filter(|d| (1..=MAX_GATE_LOG_RETENTION_DAYS).contains(d))
            .unwrap_or(DEFAULT_GATE_LOG_RETENTION_DAYS))
    }

    /// Deletes from this store the tickets closed more than [`CLOSED_TICKETS_KEPT_DAYS`] ago
    /// (they stay on the relay). Returns how many.
    pub fn prune_closed_tickets(&self) -> Result<usize> {
        let before = (self.now() - Duration::days(CLOSED_TICKETS_KEPT_DAYS)).timestamp_millis();
        let ids: Vec<String> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc_id FROM p_tickets WHERE is_open = 0 \
                 AND COALESCE(resolved_ms, last_event_ms) < ?1",
            )?;
            let rows = stmt.query_map([before], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        if ids.is_empty() {
            return Ok(0);
        }
        let pruned =
            self.store
                .erase_documents(&ids, false, "retention.pruned_ms", &before.to_string())?;
        self.store.watchers.notify(&ids);
        Ok(pruned)
    }
}
