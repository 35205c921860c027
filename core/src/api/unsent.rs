//! A phone's unsent work, exported when it can no longer sync (its device revoked, its member
//! deactivated, or another copy of its store took over): the changes waiting in the outbox and
//! the ones the relay refused, each with its authorship and bytes, and the records they belong
//! to as this phone holds them, as JSON that a person can read and the office's admin tools
//! import (`linli-relay import-unsent`), where each change waits for the office's decision
//! among the set-aside changes.
//!
//! An export is sealed with the device's token: an HMAC-SHA256, keyed by the token's SHA-256
//! (which is what the relay keeps of it), over the export's device, member and every change's
//! hash, document, kind and scope. The relay checks the seal on import, so that a file made by
//! anyone else (the changes and actors of the log are no secret to any reader) cannot put
//! changes in a member's name before the office.

use automerge::Change;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Linli;
use crate::doc::{ChangeNote, DocKind};
use crate::error::{Error, ErrorCode, Result};

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
    /// The seal (hex) made with the device's token; empty when the phone had none.
    #[serde(default)]
    pub seal: String,
}

impl UnsentExport {
    /// The seal of this export under the key `token_hash` (the SHA-256 of the device's token).
    pub fn seal_with(&self, token_hash: &[u8; 32]) -> String {
        hex::encode(self.sealer(token_hash).finalize().into_bytes())
    }

    /// Whether the export carries the seal of the device whose token hashes to `token_hash`
    /// (compared in constant time).
    pub fn sealed_by(&self, token_hash: &[u8; 32]) -> bool {
        let Ok(seal) = hex::decode(&self.seal) else {
            return false;
        };
        self.sealer(token_hash).verify_slice(&seal).is_ok()
    }

    /// The MAC over every field the import relies on, each preceded by its length.
    fn sealer(&self, token_hash: &[u8; 32]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(token_hash)
            .expect("HMAC takes a key of any length");
        let mut field = |text: &str| {
            mac.update(&(text.len() as u64).to_le_bytes());
            mac.update(text.as_bytes());
        };
        field(&self.format);
        field(&self.member_id);
        field(&self.device_id);
        field(&self.actor);
        field(&self.exported_ms.to_string());
        for c in &self.changes {
            field(&c.hash);
            field(&c.doc_id);
            field(c.kind.as_str());
            field(&c.scope);
            field(&c.state);
        }
        mac
    }
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
        let bytes = hex::decode(&self.bytes).map_err(|e| {
            Error::invalid(
                "bytes",
                ErrorCode::Malformed,
                format!("change {}: {e}", self.hash),
            )
        })?;
        let change = Change::from_bytes(bytes).map_err(|e| {
            Error::invalid(
                "bytes",
                ErrorCode::Malformed,
                format!("change {}: {e}", self.hash),
            )
        })?;
        if change.hash().to_string() != self.hash {
            return Err(Error::invalid(
                "hash",
                ErrorCode::Malformed,
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
    /// outbox and every change of its own the relay refused, with the records they belong to,
    /// sealed with the device's `token` (the one it syncs with).
    pub fn export_unsent(&self, token: &str) -> Result<String> {
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
        let mut export = UnsentExport {
            format: UNSENT_FORMAT.to_owned(),
            member_id: self.identity().member_id.clone(),
            device_id: self.identity().device_id.clone(),
            actor: self.actor_id(),
            exported_ms: self.now().timestamp_millis(),
            changes,
            records,
            seal: String::new(),
        };
        if !token.is_empty() {
            export.seal = export.seal_with(&Sha256::digest(token.as_bytes()).into());
        }
        serde_json::to_string_pretty(&export).map_err(|e| Error::document("export", e))
    }
}

/// Reads an export made by [`Linli::export_unsent`].
pub fn read_unsent(json: &str) -> Result<UnsentExport> {
    let export: UnsentExport = serde_json::from_str(json).map_err(|e| {
        Error::invalid(
            "export",
            ErrorCode::Malformed,
            format!("not an export of unsent work: {e}"),
        )
    })?;
    if export.format != UNSENT_FORMAT {
        return Err(Error::invalid(
            "format",
            ErrorCode::Malformed,
            format!("format {:?} is not {UNSENT_FORMAT}", export.format),
        ));
    }
    Ok(export)
}
