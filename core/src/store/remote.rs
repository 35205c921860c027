//! Applying changes received from elsewhere: a batch is decoded whole before anything is applied,
//! changes whose dependencies are missing are held (and retried with every later batch), and
//! what was applied, held or already known is reported.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{AutoCommit, Change, ChangeHash};
use rusqlite::params;

use super::{CachedDoc, WriteTxn};
use crate::doc::DocKind;
use crate::error::{Error, Result};
use crate::projection::Source;
use crate::sync::protocol::SnapshotDoc;

/// A change of one document, as it travels between devices (and on the wire).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemoteChange {
    /// The document.
    pub doc_id: String,
    /// Its kind.
    pub kind: DocKind,
    /// Its scope.
    pub scope: String,
    /// The encoded automerge change.
    pub bytes: Vec<u8>,
}

/// What applying a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// Changes applied now (including previously held ones that became applicable).
    pub applied: usize,
    /// Changes of the batch this store already had.
    pub duplicates: usize,
    /// Changes held because a dependency is missing.
    pub held: usize,
    /// The missing dependencies, by document: ask a peer for these.
    pub missing: BTreeMap<String, Vec<ChangeHash>>,
    /// Documents that changed.
    pub changed_docs: Vec<String>,
}

struct DocBatch {
    kind: DocKind,
    scope: String,
    changes: Vec<Change>,
}

fn decode(change: &RemoteChange) -> Result<Change> {
    Change::from_bytes(change.bytes.clone()).map_err(|e| Error::CorruptChange {
        doc_id: change.doc_id.clone(),
        message: e.to_string(),
    })
}

impl WriteTxn<'_> {
    /// Applies `batch` in this transaction (see the module documentation).
    pub(crate) fn apply_remote(&mut self, batch: &[RemoteChange]) -> Result<ApplyOutcome> {
        let mut by_doc: BTreeMap<String, DocBatch> = BTreeMap::new();
        for rc in batch {
            let change = decode(rc)?;
            let entry = by_doc.entry(rc.doc_id.clone()).or_insert_with(|| DocBatch {
                kind: rc.kind,
                scope: rc.scope.clone(),
                changes: Vec::new(),
            });
            if entry.kind != rc.kind || entry.scope != rc.scope {
                return Err(Error::invalid(
                    "kind",
                    format!("document {} sent with two kinds or scopes", rc.doc_id),
                ));
            }
            entry.changes.push(change);
        }
        let mut outcome = ApplyOutcome::default();
        for (doc_id, docs) in by_doc {
            self.apply_doc(&doc_id, docs, &mut outcome)?;
        }
        Ok(outcome)
    }

    /// Applies documents received whole (a new device's bootstrap). A document this store
    /// lacks is taken as its snapshot stands, stored as received, without replaying its
    /// changes one by one; one it has, or holds changes for, is merged change by change.
    pub(crate) fn apply_snapshots(&mut self, docs: &[SnapshotDoc]) -> Result<ApplyOutcome> {
        let mut outcome = ApplyOutcome::default();
        for d in docs {
            let mut doc = AutoCommit::load(&d.snapshot).map_err(|e| Error::CorruptChange {
                doc_id: d.doc_id.clone(),
                message: e.to_string(),
            })?;
            let known = self.entry(&d.doc_id)?.is_some() || !self.held_for(&d.doc_id)?.is_empty();
            if known {
                let batch = DocBatch {
                    kind: d.kind,
                    scope: d.scope.clone(),
                    changes: doc.get_changes(&[]),
                };
                self.apply_doc(&d.doc_id, batch, &mut outcome)?;
                continue;
            }
            outcome.applied += doc.get_changes_meta(&[]).len();
            // A history without branches cannot hold a conflict: the walk is skipped.
            let source = if crate::doc::conflicts::history_is_a_line(&mut doc) {
                Source::Linear
            } else {
                Source::Merge
            };
            doc.set_actor(self.actor.clone());
            self.cache.put(
                d.doc_id.clone(),
                CachedDoc {
                    kind: d.kind,
                    scope: d.scope.clone(),
                    doc,
                },
            );
            self.touched.push(d.doc_id.clone());
            outcome.changed_docs.push(d.doc_id.clone());
            self.persist(&d.doc_id, &[], Some(d.snapshot.clone()), source)?;
        }
        Ok(outcome)
    }

    fn held_for(&self, doc_id: &str) -> Result<Vec<Change>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT doc_id, bytes FROM held_changes WHERE doc_id = ?1")?;
        let rows = stmt.query_map([doc_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut held = Vec::new();
        for row in rows {
            let (doc_id, bytes) = row?;
            held.push(Change::from_bytes(bytes).map_err(|e| Error::CorruptChange {
                doc_id,
                message: e.to_string(),
            })?);
        }
        Ok(held)
    }

    fn apply_doc(&mut self, doc_id: &str, batch: DocBatch, out: &mut ApplyOutcome) -> Result<()> {
        let held_before = self.held_for(doc_id)?;
        let actor = self.actor.clone();
        let exists = match self.entry(doc_id)? {
            Some(e) if e.kind != batch.kind => {
                return Err(Error::invalid(
                    "kind",
                    format!(
                        "document {doc_id} is a {}, not a {}",
                        e.kind.as_str(),
                        batch.kind.as_str()
                    ),
                ));
            }
            Some(_) => true,
            None => false,
        };
        let mut doc = if exists {
            // Work on the cached document in place; a failure evicts it.
            self.touched.push(doc_id.to_owned());
            None
        } else {
            let mut d = AutoCommit::new();
            d.set_actor(actor);
            Some(d)
        };

        let mut pending: BTreeMap<ChangeHash, Change> = BTreeMap::new();
        let mut duplicates = 0;
        // Whether every change applied extends the heads it found: such changes supersede
        // whatever they touch, so they cannot make a conflict.
        let mut linear = true;
        let mut applied: Vec<Change> = Vec::new();
        {
            let target = match doc.as_mut() {
                Some(d) => d,
                None => {
                    &mut self
                        .cache
                        .get_mut(doc_id)
                        .ok_or_else(|| {
                            Error::document(doc_id, "document left the cache mid-write")
                        })?
                        .doc
                }
            };
            for change in batch.changes {
                let hash = change.hash();
                if target.get_change_meta_by_hash(&hash).is_some() || pending.contains_key(&hash) {
                    duplicates += 1;
                } else {
                    pending.insert(hash, change);
                }
            }
            for change in held_before {
                if target.get_change_meta_by_hash(&change.hash()).is_none() {
                    pending.insert(change.hash(), change);
                }
            }

            // The changes whose dependencies are met (here or earlier in this order), in an
            // order that applies; a change made on top of every head is a line, not a branch.
            let mut heads = target.get_heads();
            heads.sort();
            let mut ordered: BTreeSet<ChangeHash> = BTreeSet::new();
            loop {
                let ready: Vec<ChangeHash> = pending
                    .iter()
                    .filter(|(_, c)| {
                        c.deps().iter().all(|d| {
                            ordered.contains(d) || target.get_change_meta_by_hash(d).is_some()
                        })
                    })
                    .map(|(h, _)| *h)
                    .collect();
                if ready.is_empty() {
                    break;
                }
                for hash in ready {
                    if let Some(change) = pending.remove(&hash) {
                        let mut deps = change.deps().to_vec();
                        deps.sort();
                        linear &= deps == heads;
                        heads = vec![hash];
                        ordered.insert(hash);
                        applied.push(change);
                    }
                }
            }
            // One call: automerge applies a batch of changes in one pass over the document.
            target
                .apply_changes(applied.iter().cloned())
                .map_err(|e| Error::CorruptChange {
                    doc_id: doc_id.to_owned(),
                    message: e.to_string(),
                })?;
        }

        out.duplicates += duplicates;
        out.applied += applied.len();
        out.held += pending.len();
        let pending_hashes: BTreeSet<ChangeHash> = pending.keys().copied().collect();
        let mut missing = BTreeSet::new();
        for change in pending.values() {
            for dep in change.deps() {
                if !pending_hashes.contains(dep) {
                    missing.insert(*dep);
                }
            }
        }
        if !missing.is_empty() {
            out.missing
                .insert(doc_id.to_owned(), missing.into_iter().collect());
        }

        {
            let mut delete_held = self
                .tx
                .prepare_cached("DELETE FROM held_changes WHERE hash = ?1")?;
            for change in &applied {
                delete_held.execute([change.hash().0.as_slice()])?;
            }
            let mut hold = self.tx.prepare_cached(
                "INSERT OR IGNORE INTO held_changes (hash, doc_id, kind, scope, bytes, received_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for change in pending.values() {
                hold.execute(params![
                    change.hash().0.as_slice(),
                    doc_id,
                    batch.kind.as_str(),
                    batch.scope,
                    change.raw_bytes(),
                    self.ctx.at_ms
                ])?;
            }
        }

        if applied.is_empty() {
            return Ok(());
        }
        if let Some(d) = doc {
            self.cache.put(
                doc_id.to_owned(),
                CachedDoc {
                    kind: batch.kind,
                    scope: batch.scope,
                    doc: d,
                },
            );
            self.touched.push(doc_id.to_owned());
        }
        out.changed_docs.push(doc_id.to_owned());
        let source = if linear {
            Source::Linear
        } else {
            Source::Merge
        };
        self.persist(doc_id, &[], None, source)
    }
}
