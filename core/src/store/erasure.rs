//! Erasing records for good: every row a record left in the store (its saved document and
//! increments, changes waiting in the outbox, held or set aside, its projection rows, the
//! photos only it names) is deleted with `secure_delete` on, so that the freed pages hold
//! zeros, and the WAL is checkpointed and truncated afterwards, so that no older copy of
//! those pages stays in it. Not an automerge delete, which keeps the old values in history.

use rusqlite::{TransactionBehavior, params};

use super::{Store, Writer, lock};
use crate::error::Result;
use crate::projection;

/// Tables whose rows belong to one document by its `doc_id` (besides the projections).
const DOCUMENT_TABLES: &[&str] = &[
    "documents",
    "doc_increments",
    "outbox",
    "held_changes",
    "set_aside",
];

impl Store {
    /// Erases the records `doc_ids` (those the store holds) and sets the meta `key` to
    /// `value` in the same transaction; when `for_good`, changes that arrive for them later are
    /// dropped (an erasure), otherwise they may come back (a record that only left this
    /// phone). Returns how many of them the store held.
    pub(crate) fn erase_documents(
        &self,
        doc_ids: &[String],
        for_good: bool,
        key: &str,
        value: &str,
    ) -> Result<usize> {
        let mut guard = lock(&self.writer);
        let Writer { conn, cache, .. } = &mut *guard;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut held = 0;
        for doc_id in doc_ids {
            cache.pop(doc_id);
            let exists = tx
                .prepare_cached("SELECT 1 FROM documents WHERE doc_id = ?1")?
                .exists([doc_id])?;
            held += usize::from(exists);
            // Photos this record names and no other.
            tx.prepare_cached(
                "DELETE FROM photos WHERE hash IN (SELECT hash FROM p_ticket_photos WHERE doc_id = ?1) \
                 AND hash NOT IN (SELECT hash FROM p_ticket_photos WHERE doc_id != ?1)",
            )?
            .execute([doc_id])?;
            for table in DOCUMENT_TABLES.iter().chain(projection::TABLES) {
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE doc_id = ?1"))?
                    .execute([doc_id])?;
            }
            if for_good {
                tx.prepare_cached(
                    "INSERT INTO erased_records (doc_id) VALUES (?1) ON CONFLICT DO NOTHING",
                )?
                .execute([doc_id])?;
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        tx.commit()?;
        drop(guard);
        // Older copies of the pages may still be in the WAL: copied back (zeroed) and cut off.
        // A reader holding an old snapshot keeps them until the next checkpoint.
        if !self.truncate_wal()? {
            tracing::warn!("the WAL could not be truncated after an erasure: a read was open");
        }
        Ok(held)
    }

    /// Copies the WAL into the database and truncates it. False when a reader kept old pages.
    pub(crate) fn truncate_wal(&self) -> Result<bool> {
        let guard = lock(&self.writer);
        let (busy, _, _): (i64, i64, i64) =
            guard
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        Ok(busy == 0)
    }
}
