//! Applying changes received from elsewhere, a document at a time: changes whose dependencies
//! are missing are held (and retried with every later batch); a document whose changes cannot
//! be decoded, applied or read as its record (a corrupt or hostile change, or a newer app's
//! shape) is rolled back to where it was and its changes are set aside with the reason, while
//! the other documents of the batch apply. What was applied, held, set aside or already known
//! is reported. Only a failure of the database itself fails the batch.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{AutoCommit, Change, ChangeHash};
use rusqlite::params;

use super::{CachedDoc, Saved, WriteTxn};
use crate::doc::DocKind;
use crate::error::{Error, ErrorCode, Result};
use crate::projection::Source;
use crate::sync::protocol::{Refused, SnapshotDoc, change_key};

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
    /// Changes set aside because they could not be applied (see [`SET_ASIDE_RECEIVED`]).
    pub set_aside: usize,
    /// The documents whose changes were set aside, with the reason.
    pub set_aside_docs: Vec<(String, String)>,
}

/// The code of received changes set aside because this core could not apply them.
pub const CANNOT_APPLY: &str = "cannot_apply";
/// The code of received changes set aside because they build on a change set aside.
pub const DEPENDS_ON_SET_ASIDE: &str = "depends_on_set_aside";
/// The origin of a change set aside on receipt.
pub const SET_ASIDE_RECEIVED: &str = "received";
/// The origin of this device's own change that the relay refused.
pub const SET_ASIDE_REFUSED: &str = "refused";
/// The code of this device's own change set aside because it builds on a refused one.
pub const DEPENDS_ON_REFUSED: &str = "depends_on_refused";

/// Whether `e` comes from a document's content (set that document aside) rather than from
/// the database (fail the whole batch).
fn is_content_error(e: &Error) -> bool {
    !matches!(e, Error::Storage(_) | Error::Migration(_))
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

/// Decodes the received changes of one document, which must agree on its kind and scope.
fn decode_doc(doc_id: &str, changes: &[&RemoteChange]) -> Result<DocBatch> {
    let first = changes
        .first()
        .ok_or_else(|| Error::document(doc_id, "no changes"))?;
    let mut batch = DocBatch {
        kind: first.kind,
        scope: first.scope.clone(),
        changes: Vec::with_capacity(changes.len()),
    };
    for rc in changes {
        if rc.kind != batch.kind || rc.scope != batch.scope {
            return Err(Error::invalid(
                "kind",
                ErrorCode::WrongKind,
                format!("document {doc_id} sent with two kinds or scopes"),
            ));
        }
        batch.changes.push(decode(rc)?);
    }
    Ok(batch)
}

impl ApplyOutcome {
    /// Adds `other` to this outcome.
    fn merge(&mut self, other: ApplyOutcome) {
        self.applied += other.applied;
        self.duplicates += other.duplicates;
        self.held += other.held;
        self.missing.extend(other.missing);
        self.changed_docs.extend(other.changed_docs);
        self.set_aside += other.set_aside;
        self.set_aside_docs.extend(other.set_aside_docs);
    }
}

impl WriteTxn<'_> {
    /// Applies `batch` in this transaction (see the module documentation).
    pub(crate) fn apply_remote(&mut self, batch: &[RemoteChange]) -> Result<ApplyOutcome> {
        let mut by_doc: BTreeMap<&str, Vec<&RemoteChange>> = BTreeMap::new();
        for rc in batch {
            by_doc.entry(rc.doc_id.as_str()).or_default().push(rc);
        }
        let mut outcome = ApplyOutcome::default();
        for (doc_id, changes) in by_doc {
            // A record erased here stays erased, whatever a page read before it brings.
            if self.is_erased(doc_id)? {
                continue;
            }
            self.tx.execute_batch("SAVEPOINT apply_doc")?;
            let mut doc_outcome = ApplyOutcome::default();
            // A panic inside automerge (a malformed change it let through) is this document's
            // failure, not the batch's.
            let applied = crate::doc::guarded(|| {
                decode_doc(doc_id, &changes)
                    .and_then(|docs| self.apply_doc(doc_id, docs, &mut doc_outcome))
            })
            .unwrap_or_else(|message| {
                Err(Error::CorruptChange {
                    doc_id: doc_id.to_owned(),
                    message,
                })
            });
            match applied {
                Ok(()) => {
                    self.tx.execute_batch("RELEASE apply_doc")?;
                    outcome.merge(doc_outcome);
                }
                Err(e) if is_content_error(&e) => {
                    self.tx
                        .execute_batch("ROLLBACK TO apply_doc; RELEASE apply_doc")?;
                    // The cached copy may hold what was rolled back: read it again.
                    self.cache.pop(doc_id);
                    let reason = e.to_string();
                    tracing::warn!(
                        doc = doc_id,
                        changes = changes.len(),
                        "received changes set aside: {reason}"
                    );
                    outcome.set_aside += self.set_aside(doc_id, &changes, CANNOT_APPLY, &reason)?;
                    outcome.set_aside_docs.push((doc_id.to_owned(), reason));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// Keeps `changes` of `doc_id` that the document does not hold in the set-aside table.
    /// Returns how many were kept.
    fn set_aside(
        &mut self,
        doc_id: &str,
        changes: &[&RemoteChange],
        code: &str,
        reason: &str,
    ) -> Result<usize> {
        // A change that does not decode is kept under the digest of its bytes.
        let keys: Vec<[u8; 32]> = changes.iter().map(|rc| change_key(&rc.bytes)).collect();
        let mut known = BTreeSet::new();
        if let Some(entry) = self.entry(doc_id).ok().flatten() {
            for key in &keys {
                if entry
                    .doc
                    .get_change_meta_by_hash(&ChangeHash(*key))
                    .is_some()
                {
                    known.insert(*key);
                }
            }
        }
        let mut kept = 0;
        for (rc, hash) in changes.iter().zip(&keys) {
            if known.contains(hash) {
                continue;
            }
            self.keep_aside_from(
                SET_ASIDE_RECEIVED,
                hash,
                doc_id,
                rc.kind,
                &rc.scope,
                &rc.bytes,
                code,
                reason,
            )?;
            kept += 1;
        }
        Ok(kept)
    }

    /// Keeps one change in the set-aside table with its origin.
    #[allow(clippy::too_many_arguments)]
    fn keep_aside_from(
        &self,
        origin: &str,
        hash: &[u8; 32],
        doc_id: &str,
        kind: DocKind,
        scope: &str,
        bytes: &[u8],
        code: &str,
        reason: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO set_aside \
                 (hash, doc_id, kind, scope, bytes, origin, code, reason, at_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                hash.as_slice(),
                doc_id,
                kind.as_str(),
                scope,
                bytes,
                origin,
                code,
                reason,
                self.ctx.at_ms
            ])?;
        Ok(())
    }

    /// Whether the office erased record `doc_id` and this store has followed.
    fn is_erased(&self, doc_id: &str) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM erased_records WHERE doc_id = ?1")?
            .exists([doc_id])?)
    }

    /// Whether a change with `hash` is set aside.
    fn is_set_aside(&self, hash: &ChangeHash) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM set_aside WHERE hash = ?1")?
            .exists([hash.0.as_slice()])?)
    }

    /// Sets aside this device's changes that the relay refused (`refused`, out of the pushed
    /// `pushed`), with the relay's code and reason, and rebuilds each record without them and
    /// without the device's later changes that build on them (set aside too, and taken out of
    /// the outbox). Returns how many changes were set aside.
    pub(crate) fn set_aside_refused(
        &mut self,
        pushed: &[RemoteChange],
        refused: &[Refused],
    ) -> Result<usize> {
        let mut bytes_of: BTreeMap<[u8; 32], &RemoteChange> = BTreeMap::new();
        for rc in pushed {
            let hash = change_key(&rc.bytes);
            bytes_of.insert(hash, rc);
        }
        let mut by_doc: BTreeMap<&str, Vec<&Refused>> = BTreeMap::new();
        for r in refused {
            by_doc.entry(r.doc_id.as_str()).or_default().push(r);
        }
        let mut kept = 0;
        for (doc_id, refusals) in by_doc {
            // A record erased here keeps nothing, though a request sent before the erasure
            // arrived brings its changes' refusals after it.
            if self.is_erased(doc_id)? {
                continue;
            }
            let removed: BTreeSet<ChangeHash> =
                refusals.iter().map(|r| ChangeHash(r.hash)).collect();
            for r in &refusals {
                if let Some(rc) = bytes_of.get(&r.hash) {
                    self.keep_aside_from(
                        SET_ASIDE_REFUSED,
                        &r.hash,
                        doc_id,
                        rc.kind,
                        &rc.scope,
                        &rc.bytes,
                        &r.code,
                        &r.reason,
                    )?;
                    kept += 1;
                }
            }
            let Some(entry) = self.entry(doc_id)? else {
                continue;
            };
            let (kind, scope) = (entry.kind, entry.scope.clone());
            let mut gone = removed.clone();
            let mut keep = Vec::new();
            let mut dependents = Vec::new();
            // In causal order: a change that builds on a removed one goes too.
            for change in entry.doc.get_changes(&[]) {
                if gone.contains(&change.hash()) || change.deps().iter().any(|d| gone.contains(d)) {
                    gone.insert(change.hash());
                    if !removed.contains(&change.hash()) {
                        dependents.push(change);
                    }
                } else {
                    keep.push(change);
                }
            }
            if gone.len() == removed.len()
                && removed
                    .iter()
                    .all(|h| entry.doc.get_change_meta_by_hash(h).is_none())
            {
                continue;
            }
            let mut doc = AutoCommit::new();
            crate::doc::apply_guarded(&mut doc, keep).map_err(|e| Error::document(doc_id, e))?;
            doc.set_actor(self.actor.clone());
            for change in &dependents {
                self.keep_aside_from(
                    SET_ASIDE_REFUSED,
                    &change.hash().0,
                    doc_id,
                    kind,
                    &scope,
                    change.raw_bytes(),
                    DEPENDS_ON_REFUSED,
                    "builds on a change the relay refused",
                )?;
                self.tx
                    .prepare_cached("DELETE FROM outbox WHERE hash = ?1")?
                    .execute([change.hash().0.as_slice()])?;
                kept += 1;
            }
            self.cache
                .put(doc_id.to_owned(), CachedDoc { kind, scope, doc });
            self.touched.push(doc_id.to_owned());
            self.persist(doc_id, &[], Saved::Whole(None), Source::Merge)?;
        }
        Ok(kept)
    }

    /// Applies documents received whole (a new device's bootstrap). A document this store
    /// lacks is taken as its snapshot stands, stored as received, without replaying its
    /// changes one by one; one it has, or holds changes for, is merged change by change.
    pub(crate) fn apply_snapshots(&mut self, docs: &[SnapshotDoc]) -> Result<ApplyOutcome> {
        let mut outcome = ApplyOutcome::default();
        for d in docs {
            if self.is_erased(&d.doc_id)? {
                continue;
            }
            self.tx.execute_batch("SAVEPOINT apply_doc")?;
            let applied = crate::doc::guarded(|| self.apply_snapshot(d, &mut outcome))
                .unwrap_or_else(|message| {
                    Err(Error::CorruptChange {
                        doc_id: d.doc_id.clone(),
                        message,
                    })
                });
            match applied {
                Ok(()) => self.tx.execute_batch("RELEASE apply_doc")?,
                Err(e) if is_content_error(&e) => {
                    self.tx
                        .execute_batch("ROLLBACK TO apply_doc; RELEASE apply_doc")?;
                    self.cache.pop(&d.doc_id);
                    let reason = e.to_string();
                    tracing::warn!(doc = %d.doc_id, "received snapshot set aside: {reason}");
                    let whole = RemoteChange {
                        doc_id: d.doc_id.clone(),
                        kind: d.kind,
                        scope: d.scope.clone(),
                        bytes: d.snapshot.clone(),
                    };
                    outcome.set_aside +=
                        self.set_aside(&d.doc_id, &[&whole], CANNOT_APPLY, &reason)?;
                    outcome.set_aside_docs.push((d.doc_id.clone(), reason));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// Applies one document received whole (see [`WriteTxn::apply_snapshots`]).
    fn apply_snapshot(&mut self, d: &SnapshotDoc, outcome: &mut ApplyOutcome) -> Result<()> {
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
            return self.apply_doc(&d.doc_id, batch, outcome);
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
        self.persist(
            &d.doc_id,
            &[],
            Saved::Whole(Some(d.snapshot.clone())),
            source,
        )
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
                    ErrorCode::WrongKind,
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
            // Stored as they came (appended to the document's increments), so checked first.
            crate::rules::counters_in_order(target, &applied).map_err(|message| {
                Error::CorruptChange {
                    doc_id: doc_id.to_owned(),
                    message,
                }
            })?;
            // One call: automerge applies a batch of changes in one pass over the document.
            crate::doc::apply_guarded(target, applied.iter().cloned()).map_err(|message| {
                Error::CorruptChange {
                    doc_id: doc_id.to_owned(),
                    message,
                }
            })?;
        }

        // A change that builds on a change set aside can never apply here: it joins it.
        let mut aside: BTreeSet<ChangeHash> = BTreeSet::new();
        loop {
            let mut moved = false;
            for (hash, change) in &pending {
                if aside.contains(hash) {
                    continue;
                }
                let mut blocked = false;
                for dep in change.deps() {
                    if aside.contains(dep)
                        || (!pending.contains_key(dep) && self.is_set_aside(dep)?)
                    {
                        blocked = true;
                        break;
                    }
                }
                if blocked {
                    aside.insert(*hash);
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        for hash in &aside {
            if let Some(change) = pending.remove(hash) {
                self.keep_aside_from(
                    SET_ASIDE_RECEIVED,
                    &hash.0,
                    doc_id,
                    batch.kind,
                    &batch.scope,
                    change.raw_bytes(),
                    DEPENDS_ON_SET_ASIDE,
                    "builds on a change that was set aside",
                )?;
                out.set_aside += 1;
            }
        }
        if !aside.is_empty() {
            out.set_aside_docs.push((
                doc_id.to_owned(),
                "builds on a change that was set aside".to_owned(),
            ));
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
        let saved = if doc.is_some() {
            Saved::Whole(None)
        } else {
            Saved::Appended(&applied)
        };
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
        self.persist(doc_id, &[], saved, source)
    }
}
