//! Changes set aside ("未被接受的修改"): received changes this core could not apply, and this
//! device's own changes the relay refused. Each is kept with its bytes and its reason, so
//! that nothing is lost and a person can be told why; the document stays as it was without
//! them, and everything else keeps syncing.

use super::Linli;
use crate::doc::{ChangeNote, DocKind};
use crate::error::Result;

/// A change set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAsideChange {
    /// The change hash (hex).
    pub hash: String,
    /// The document it belongs to.
    pub doc_id: String,
    /// The document's kind.
    pub kind: DocKind,
    /// The document's scope.
    pub scope: String,
    /// `received` (this core could not apply it) or `refused` (the relay did not accept it).
    pub origin: String,
    /// A stable code, e.g. `cannot_apply`, `role_forbidden`, `append_only`.
    pub code: String,
    /// Why, for a person.
    pub reason: String,
    /// The member the change names (empty when it names none or does not decode).
    pub member: String,
    /// The action the change names, e.g. `visit.log`.
    pub action: String,
    /// When it was set aside (ms since the epoch).
    pub at_ms: i64,
    /// Whether it came from a newer app: this core could not read its shape. Updating the app
    /// may let it apply.
    pub update_may_help: bool,
}

impl Linli {
    /// Every change set aside on this device, newest first.
    pub fn set_aside_changes(&self) -> Result<Vec<SetAsideChange>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT hash, doc_id, kind, scope, bytes, origin, code, reason, at_ms \
                 FROM set_aside ORDER BY at_ms DESC, hash",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, i64>(8)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (hash, doc_id, kind, scope, bytes, origin, code, reason, at_ms) = row?;
                let note = automerge::Change::from_bytes(bytes)
                    .ok()
                    .map(|c| ChangeNote::parse(c.message()))
                    .unwrap_or_default();
                let update_may_help = code == crate::store::CANNOT_APPLY
                    && (reason.contains("unexpected") || reason.contains("expected"));
                out.push(SetAsideChange {
                    hash: hex::encode(hash),
                    doc_id,
                    kind: DocKind::parse(&kind)?,
                    scope,
                    origin,
                    code,
                    reason,
                    member: note.member,
                    action: note.action,
                    at_ms,
                    update_may_help,
                });
            }
            Ok(out)
        })
    }

    /// Keeps this device's changes that the relay refused aside and rebuilds their records
    /// without them (see the sync client); returns how many were set aside.
    pub fn set_aside_refused(
        &self,
        pushed: &[crate::RemoteChange],
        refused: &[crate::sync::protocol::Refused],
    ) -> Result<usize> {
        self.write(|w| w.set_aside_refused(pushed, refused))
    }

    /// This device's own changes the relay refused, as they were pushed.
    pub(crate) fn own_refused_changes(&self) -> Result<Vec<crate::RemoteChange>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc_id, kind, scope, bytes FROM set_aside WHERE origin = ?1 \
                 ORDER BY at_ms, hash",
            )?;
            let rows = stmt.query_map([crate::store::SET_ASIDE_REFUSED], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (doc_id, kind, scope, bytes) = row?;
                out.push(crate::RemoteChange {
                    doc_id,
                    kind: DocKind::parse(&kind)?,
                    scope,
                    bytes,
                });
            }
            Ok(out)
        })
    }

    /// How many changes are set aside on this device.
    pub fn set_aside_count(&self) -> Result<u64> {
        self.store.read(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM set_aside", [], |r| r.get::<_, i64>(0))? as u64)
        })
    }
}
