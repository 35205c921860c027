//! The entry points sync uses: the outbox of local changes and its acknowledgement, exporting
//! the changes a peer lacks by heads, applying a batch of remote changes in one transaction, and
//! rebuilding every projection from the documents.

use automerge::{AutoCommit, ChangeHash};
use rusqlite::{OptionalExtension, params};

use super::Linli;
use crate::doc::DocKind;
use crate::error::{Error, ErrorCode, Result};
use crate::projection;
use crate::store::{ApplyOutcome, RemoteChange, WriteTxn};
use crate::sync::protocol::{Cursor, SnapshotDoc};

/// A local change waiting for the relay's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxChange {
    /// Outbox sequence number (acknowledge up to it).
    pub seq: i64,
    /// The change hash.
    pub hash: ChangeHash,
    /// The change with its document's id, kind and scope.
    pub change: RemoteChange,
}

/// A document this store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    /// Id.
    pub doc_id: String,
    /// Kind.
    pub kind: DocKind,
    /// Scope.
    pub scope: String,
}

fn hash_of(bytes: &[u8]) -> Result<ChangeHash> {
    ChangeHash::try_from(bytes).map_err(|e| Error::document("outbox", e))
}

impl Linli {
    /// Up to `limit` outbox changes after `after_seq`, oldest first.
    pub fn outbox(&self, after_seq: i64, limit: usize) -> Result<Vec<OutboxChange>> {
        Ok(self.outbox_within(after_seq, limit, usize::MAX)?.0)
    }

    /// Up to `limit` outbox changes after `after_seq`, oldest first, holding at most
    /// `max_bytes` of change bytes (at least one change), and whether the bounds left changes
    /// after them. At most one row past the bounds is read, to tell.
    pub fn outbox_within(
        &self,
        after_seq: i64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<(Vec<OutboxChange>, bool)> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT o.seq, o.hash, o.doc_id, d.kind, d.scope, o.bytes FROM outbox o \
                 JOIN documents d ON d.doc_id = o.doc_id \
                 WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2",
            )?;
            // One row past `limit` tells whether the bounds left changes after them.
            let rows = stmt.query_map(params![after_seq, limit.saturating_add(1) as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                ))
            })?;
            let mut out = Vec::new();
            let mut held = 0usize;
            for row in rows {
                let (seq, hash, doc_id, kind, scope, bytes) = row?;
                if out.len() >= limit {
                    return Ok((out, true));
                }
                held = held.saturating_add(bytes.len());
                if !out.is_empty() && held > max_bytes {
                    return Ok((out, true));
                }
                out.push(OutboxChange {
                    seq,
                    hash: hash_of(&hash)?,
                    change: RemoteChange {
                        doc_id,
                        kind: DocKind::parse(&kind)?,
                        scope,
                        bytes,
                    },
                });
            }
            Ok((out, false))
        })
    }

    /// How many changes wait in the outbox.
    pub fn outbox_len(&self) -> Result<u64> {
        self.outbox_len_after(0)
    }

    /// How many changes wait in the outbox after `after_seq` (those up to it are answered,
    /// and their acknowledgement may still be under way).
    pub fn outbox_len_after(&self, after_seq: i64) -> Result<u64> {
        self.store.read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM outbox WHERE seq > ?1",
                [after_seq],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })
    }

    /// Forgets outbox entries up to `seq`: the relay has them durably.
    pub fn ack_outbox(&self, seq: i64) -> Result<usize> {
        self.write(|w| {
            Ok(w.tx()
                .execute("DELETE FROM outbox WHERE seq <= ?1", [seq])?)
        })
    }

    /// What a sync keeps of an answer that brought nothing to apply, in one transaction:
    /// forgets the outbox entries up to `ack_seq` (the relay has them durably), moves the
    /// scope cursors (never back) and writes the sync settings `settings` (key, value).
    /// Returns how many outbox entries went.
    pub fn keep_answer(
        &self,
        ack_seq: Option<i64>,
        cursors: &[Cursor],
        settings: &[(&str, String)],
    ) -> Result<usize> {
        self.write(|w| {
            let acked = match ack_seq {
                Some(seq) => w
                    .tx()
                    .execute("DELETE FROM outbox WHERE seq <= ?1", [seq])?,
                None => 0,
            };
            save_cursors(w, cursors)?;
            for (key, value) in settings {
                save_setting(w, key, value)?;
            }
            Ok(acked)
        })
    }

    /// Applies a batch of remote changes in one transaction; idempotent; changes with missing
    /// dependencies are held and reported, never applied half-way.
    pub fn apply_remote(&self, batch: &[RemoteChange]) -> Result<ApplyOutcome> {
        self.write(|w| w.apply_remote(batch))
    }

    /// Applies a page pulled from the relay and moves the scope cursors to where the page ends,
    /// in one transaction: a cursor never passes a change that was not applied.
    pub fn apply_pulled(&self, batch: &[RemoteChange], cursors: &[Cursor]) -> Result<ApplyOutcome> {
        self.write(|w| {
            let outcome = w.apply_remote(batch)?;
            save_cursors(w, cursors)?;
            Ok(outcome)
        })
    }

    /// Applies a page of a new device's bootstrap, documents as snapshots, and moves the
    /// scope cursors, in one transaction (see [`Linli::apply_pulled`]).
    pub fn apply_bootstrap(
        &self,
        docs: &[SnapshotDoc],
        cursors: &[Cursor],
    ) -> Result<ApplyOutcome> {
        self.write(|w| {
            let outcome = w.apply_snapshots(docs)?;
            save_cursors(w, cursors)?;
            Ok(outcome)
        })
    }

    /// Erases everything this store holds, in place (see `SyncError::DeviceWiped`): what
    /// remains is an empty database, which the app deletes with [`crate::wipe_store`] once
    /// it has closed the store.
    pub fn erase(&self) -> Result<()> {
        self.store.erase()
    }

    /// How many changes this store's current actor wrote, sent or not.
    pub fn authored_changes(&self) -> Result<u64> {
        self.store.authored()
    }

    /// Writes with the actor `new_hex` from now on (see [`crate::sync::SyncClient`]: the relay
    /// retired the store's actor because the store was restored or copied), forgetting the
    /// sync cursors and the sync settings `forget` ([`Linli::sync_setting`]), so that the next
    /// pull starts from the beginning.
    pub fn replace_actor(&self, new_hex: &str, forget: &[&str]) -> Result<()> {
        let actor = automerge::ActorId::try_from(new_hex).map_err(|e| {
            Error::invalid(
                "actor_id",
                ErrorCode::Malformed,
                format!("not a hex actor id: {e}"),
            )
        })?;
        let keys: Vec<String> = forget.iter().map(|k| format!("sync.{k}")).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.store.replace_actor(&actor, &keys)
    }

    /// Where this device stands in each scope it has pulled.
    pub fn cursors(&self) -> Result<Vec<Cursor>> {
        self.store.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT scope, seq FROM sync_cursors ORDER BY scope")?;
            let rows = stmt.query_map([], |r| {
                Ok(Cursor {
                    scope: r.get(0)?,
                    seq: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The document's saved form with its full history (as `Automerge::save` writes it,
    /// perhaps followed by changes appended since), as stored with its last change: read
    /// without loading the document.
    pub fn snapshot(&self, doc_id: &str) -> Result<Vec<u8>> {
        self.store.read(|c| {
            crate::store::stored_document(c, doc_id)?
                .map(|(_, _, bytes)| bytes)
                .ok_or_else(|| Error::NotFound {
                    what: "record",
                    id: doc_id.to_owned(),
                })
        })
    }

    /// A copy of the document with every change this store holds, its kind and scope; none
    /// when the store lacks it. The relay judges pushed changes on such a copy.
    pub fn document_copy(&self, doc_id: &str) -> Result<Option<(DocKind, String, AutoCommit)>> {
        match self
            .store
            .with_doc(doc_id, |d| Ok((d.kind, d.scope.clone(), d.doc.clone())))
        {
            Ok(copy) => Ok(Some(copy)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A value this device keeps about its sync (server, token, last contact).
    pub fn sync_setting(&self, key: &str) -> Result<Option<String>> {
        let key = format!("sync.{key}");
        self.store.read(|c| {
            Ok(
                c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    /// Keeps a sync value.
    pub fn set_sync_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|w| save_setting(w, key, value))
    }

    /// Changes held for missing dependencies.
    pub fn held_count(&self) -> Result<u64> {
        self.store.read(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM held_changes", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
        })
    }

    /// The heads of a document.
    pub fn heads(&self, doc_id: &str) -> Result<Vec<ChangeHash>> {
        self.store.with_doc(doc_id, |d| Ok(d.doc.get_heads()))
    }

    /// The changes of `doc_id` that a peer at `their_heads` lacks.
    pub fn changes_since(
        &self,
        doc_id: &str,
        their_heads: &[ChangeHash],
    ) -> Result<Vec<RemoteChange>> {
        self.store.with_doc(doc_id, |d| {
            Ok(d.doc
                .get_changes(their_heads)
                .into_iter()
                .map(|c| RemoteChange {
                    doc_id: doc_id.to_owned(),
                    kind: d.kind,
                    scope: d.scope.clone(),
                    bytes: c.raw_bytes().to_vec(),
                })
                .collect())
        })
    }

    /// Every document on this device, by id.
    pub fn documents(&self) -> Result<Vec<DocumentInfo>> {
        self.store.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT doc_id, kind, scope FROM documents ORDER BY doc_id")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (doc_id, kind, scope) = row?;
                out.push(DocumentInfo {
                    doc_id,
                    kind: DocKind::parse(&kind)?,
                    scope,
                });
            }
            Ok(out)
        })
    }

    /// Rebuilds every projection from the documents, in one transaction. Returns the number of
    /// documents projected; one that cannot be read is left without rows and logged, never
    /// the reason the others are not rebuilt (the store rebuilds them at open after some
    /// migrations).
    pub fn rebuild_projections(&self) -> Result<usize> {
        self.write(|w| {
            let tx = w.tx();
            projection::clear(tx)?;
            let ids: Vec<String> = tx
                .prepare("SELECT doc_id FROM documents ORDER BY doc_id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut projected = 0;
            for doc_id in &ids {
                // A document that cannot be read is its own failure: it keeps no rows (its
                // reads fail as they would anyway) and every other document is projected.
                tx.execute_batch("SAVEPOINT rebuild_doc")?;
                let outcome = crate::store::stored_document(tx, doc_id).and_then(|stored| {
                    let Some((kind, _, bytes)) = stored else {
                        return Ok(());
                    };
                    let doc = crate::doc::guarded(|| AutoCommit::load(&bytes))
                        .map_err(|panic| Error::document(doc_id, panic))?
                        .map_err(|e| Error::document(doc_id, e))?;
                    projection::project(tx, doc_id, kind, &doc, projection::Source::Merge)
                });
                match outcome {
                    Ok(()) => {
                        tx.execute_batch("RELEASE rebuild_doc")?;
                        projected += 1;
                    }
                    Err(e) => {
                        tx.execute_batch("ROLLBACK TO rebuild_doc; RELEASE rebuild_doc")?;
                        tracing::warn!(doc = %doc_id, "not projected: {e}");
                    }
                }
            }
            tx.execute("DELETE FROM meta WHERE key = 'projections_stale'", [])?;
            Ok(projected)
        })
    }

    /// What SQLite's integrity and foreign-key checks find wrong with the store file; empty
    /// when it is sound. Run after a crash or before trusting a store copied from elsewhere.
    pub fn check_integrity(&self) -> Result<Vec<String>> {
        self.store.read(|c| {
            let mut problems = Vec::new();
            let mut stmt = c.prepare("PRAGMA integrity_check")?;
            for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
                let row = row?;
                if row != "ok" {
                    problems.push(row);
                }
            }
            let mut stmt = c.prepare("PRAGMA foreign_key_check")?;
            let rows = stmt.query_map([], |r| {
                Ok(format!(
                    "{} row {} refers to a missing {} row",
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                    r.get::<_, String>(2)?
                ))
            })?;
            for row in rows {
                problems.push(row?);
            }
            Ok(problems)
        })
    }

    /// Every projection row, sorted, as text: two stores that converged give equal dumps.
    pub fn projection_dump(&self) -> Result<Vec<String>> {
        self.store.read(projection::dump)
    }
}

/// Moves the scope cursors forward to `cursors` (never back).
/// Writes the sync setting `key` ([`Linli::sync_setting`]).
fn save_setting(w: &WriteTxn<'_>, key: &str, value: &str) -> Result<()> {
    w.tx().execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![format!("sync.{key}"), value],
    )?;
    Ok(())
}

fn save_cursors(w: &WriteTxn<'_>, cursors: &[Cursor]) -> Result<()> {
    let mut stmt = w.tx().prepare_cached(
        "INSERT INTO sync_cursors (scope, seq) VALUES (?1, ?2) \
         ON CONFLICT (scope) DO UPDATE SET seq = max(seq, excluded.seq)",
    )?;
    for c in cursors {
        stmt.execute(params![c.scope, c.seq])?;
    }
    Ok(())
}
