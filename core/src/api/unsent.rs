//! A phone's unsent work, exported when it can no longer sync (its device revoked, its member
//! deactivated, or another copy of its store took over): the changes waiting in the outbox and
//! the ones the relay refused, each with its authorship and bytes, and the records they belong
//! to as this phone holds them, as JSON that a person can read and the office's admin tools
//! import (`linli-relay import-unsent`), where each change waits for the office's decision
//! among the set-aside changes.

use automerge::Change;
use serde::{Deserialize, Serialize};

use super::Linli;
use crate::doc::{ChangeNote, DocKind};
use crate::error::{Error, Result};

/// The format name written into every export.
pub const UNSENT_FORMAT: &str = "linli-unsent/1";

/// An export of a phone's unsent work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsentExport {
    /// [`UNSENT_FORMAT`].
    pub format: String,
    /// The member the phone was enrolled for.
    pub member_id: String,
    /// The device.
    pub device_id: String,
    /// The actor (hex) the store writes with.
    pub actor: String,
    /// When the export was made (ms since the epoch).
    pub exported_ms: i64,
    /// The changes, oldest first.
    pub changes: Vec<UnsentChange>,
    /// The records these changes belong to, as the phone holds them.
    pub records: Vec<UnsentRecord>,
}

/// One change of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsentChange {
    /// The change hash (hex).
    pub hash: String,
    /// Its document.
    pub doc_id: String,
    /// The document's kind.
    pub kind: DocKind,
    /// The document's scope.
    pub scope: String,
    /// `unsent` (waiting in the outbox) or `refused` (the relay set it aside).
    pub state: String,
    /// The member the change names.
    pub member: String,
    /// The device the change names.
    pub device: String,
    /// What the change did, e.g. `visit.log`.
    pub action: String,
    /// The actor (hex) that wrote it.
    pub actor: String,
    /// Its sequence number for that actor in its document.
    pub seq: u64,
    /// When it was written, by the phone's clock (ms since the epoch).
    pub time_ms: i64,
    /// The encoded change (hex).
    pub bytes: String,
}

/// A record of an export, as the phone holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsentRecord {
    /// Document id.
    pub doc_id: String,
    /// Kind.
    pub kind: DocKind,
    /// Scope.
    pub scope: String,
    /// The record's content (the document as JSON).
    pub content: serde_json::Value,
}

impl UnsentChange {
    /// Describes `change` of `doc_id`.
    fn of(change: &Change, doc_id: &str, kind: DocKind, scope: &str, state: &str) -> Self {
        let note = ChangeNote::parse(change.message());
        UnsentChange {
            hash: change.hash().to_string(),
            doc_id: doc_id.to_owned(),
            kind,
            scope: scope.to_owned(),
            state: state.to_owned(),
            member: note.member,
            device: note.device,
            action: note.action,
            actor: change.actor_id().to_hex_string(),
            seq: change.seq(),
            time_ms: change.timestamp(),
            bytes: hex::encode(change.raw_bytes()),
        }
    }

    /// The change's bytes, checked against its hash.
    pub fn decode(&self) -> Result<Change> {
        let bytes = hex::decode(&self.bytes)
            .map_err(|e| Error::invalid("bytes", format!("change {}: {e}", self.hash)))?;
        let change = Change::from_bytes(bytes)
            .map_err(|e| Error::invalid("bytes", format!("change {}: {e}", self.hash)))?;
        if change.hash().to_string() != self.hash {
            return Err(Error::invalid(
                "hash",
                format!(
                    "change {} has the bytes of change {}",
                    self.hash,
                    change.hash()
                ),
            ));
        }
        Ok(change)
    }
}

impl Linli {
    /// This phone's unsent work as JSON ([`UnsentExport`]): every change waiting in the
    /// outbox and every change of its own the relay refused, with the records they belong to.
    pub fn export_unsent(&self) -> Result<String> {
        let mut changes = Vec::new();
        let mut after = 0;
        loop {
            let page = self.outbox(after, 1000)?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for c in &page {
                let change = Change::from_bytes(c.change.bytes.clone())
                    .map_err(|e| Error::document(&c.change.doc_id, e))?;
                changes.push(UnsentChange::of(
                    &change,
                    &c.change.doc_id,
                    c.change.kind,
                    &c.change.scope,
                    "unsent",
                ));
            }
        }
        for aside in self.own_refused_changes()? {
            if let Ok(change) = Change::from_bytes(aside.bytes.clone()) {
                changes.push(UnsentChange::of(
                    &change,
                    &aside.doc_id,
                    aside.kind,
                    &aside.scope,
                    "refused",
                ));
            }
        }
        let mut doc_ids: Vec<&str> = changes.iter().map(|c| c.doc_id.as_str()).collect();
        doc_ids.sort_unstable();
        doc_ids.dedup();
        let mut records = Vec::new();
        for doc_id in doc_ids {
            if let Some((kind, scope, doc)) = self.document_copy(doc_id)? {
                let content = serde_json::to_value(automerge::AutoSerde::from(&doc))
                    .map_err(|e| Error::document(doc_id, e))?;
                records.push(UnsentRecord {
                    doc_id: doc_id.to_owned(),
                    kind,
                    scope,
                    content,
                });
            }
        }
        let export = UnsentExport {
            format: UNSENT_FORMAT.to_owned(),
            member_id: self.identity().member_id.clone(),
            device_id: self.identity().device_id.clone(),
            actor: self.actor_id(),
            exported_ms: self.now().timestamp_millis(),
            changes,
            records,
        };
        serde_json::to_string_pretty(&export).map_err(|e| Error::document("export", e))
    }
}

/// Reads an export made by [`Linli::export_unsent`].
pub fn read_unsent(json: &str) -> Result<UnsentExport> {
    let export: UnsentExport = serde_json::from_str(json)
        .map_err(|e| Error::invalid("export", format!("not an export of unsent work: {e}")))?;
    if export.format != UNSENT_FORMAT {
        return Err(Error::invalid(
            "format",
            format!("format {:?} is not {UNSENT_FORMAT}", export.format),
        ));
    }
    Ok(export)
}
