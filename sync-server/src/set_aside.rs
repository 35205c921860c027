//! The office's decisions on changes the relay refused and set aside: list them, show one,
//! admit one (judged again under the office's authority on the admin store's copy of its
//! document, then appended to the log with its original author and device, so that it
//! reaches every phone), or discard one. Either decision is recorded with the deciding
//! member and time; the change itself is kept.

use automerge::Change;
use linli_core::api::unsent::read_unsent;
use linli_core::doc::{ChangeNote, DocKind, genesis_actor};
use linli_core::records::directory::Role;
use linli_core::rules::{self, Pusher};

use crate::admin::Admin;
use crate::error::RelayError;
use crate::storage::{LogChange, SetAside};

/// The decision recorded for an admitted change.
pub const ADMITTED: &str = "admitted";
/// The decision recorded for a discarded change.
pub const DISCARDED: &str = "discarded";
/// The code of a change imported from a phone's export of its unsent work.
pub const EXPORTED: &str = "exported";
/// The code of a change imported from an export that does not carry its device's seal,
/// imported only because the office asked for it (its author is not verified).
pub const EXPORTED_UNVERIFIED: &str = "exported_unverified";

/// What importing a phone's unsent work did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Changes now waiting for the office's decision among the set-aside changes.
    pub set_aside: usize,
    /// Changes the log or the set-aside changes held already.
    pub known: usize,
    /// Changes of records the office erased: dropped, as a push of them would be.
    pub erased: usize,
    /// Changes not written by the export's device (its actor, or one it retired) in its name,
    /// nor a record's first change: left out.
    pub foreign: Vec<String>,
}

impl Admin {
    /// The set-aside changes, waiting ones only unless `all`.
    pub fn set_aside(&self, all: bool) -> Result<Vec<SetAside>, RelayError> {
        self.storage().set_aside_list(!all)
    }

    /// The set-aside change whose hash starts with `prefix` (hex, at least 8 digits).
    pub fn set_aside_one(&self, prefix: &str) -> Result<SetAside, RelayError> {
        let prefix = prefix.trim().to_ascii_lowercase();
        if prefix.len() < 8 {
            return Err(RelayError::bad_request(
                "bad_hash",
                "name a set-aside change by at least 8 hex digits of its hash",
            ));
        }
        let mut found: Vec<SetAside> = self
            .storage()
            .set_aside_list(false)?
            .into_iter()
            .filter(|s| hex::encode(s.change.hash).starts_with(&prefix))
            .collect();
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(RelayError::bad_request(
                "unknown_change",
                format!("no set-aside change {prefix}"),
            )),
            n => Err(RelayError::bad_request(
                "ambiguous_hash",
                format!("{n} set-aside changes start with {prefix}: give more digits"),
            )),
        }
    }

    /// Admits a waiting set-aside change: judged again with the office's roles on the current
    /// document, then appended to the log as pushed by its own device.
    pub fn admit(&self, prefix: &str, now_ms: i64) -> Result<SetAside, RelayError> {
        let aside = self.waiting(prefix)?;
        self.pull()?;
        let change = Change::from_bytes(aside.change.bytes.clone()).map_err(|e| {
            RelayError::bad_request("corrupt_change", format!("cannot be admitted: {e}"))
        })?;
        let mut doc = match self.linli().document_copy(&aside.change.doc_id)? {
            Some((_, _, doc)) => doc,
            None => automerge::AutoCommit::new(),
        };
        let orders = if aside.change.kind == DocKind::Ticket {
            self.linli().known_orders([aside.change.doc_id.as_str()])?
        } else {
            Vec::new()
        };
        let authority = Pusher {
            member_id: aside.member_id.clone(),
            device_id: aside.device_id.clone(),
            roles: vec![(Role::Office, String::new())],
            orders,
        };
        rules::judge(
            &mut doc,
            aside.change.kind,
            &aside.change.doc_id,
            &change,
            &authority,
        )
        .map_err(|r| {
            RelayError::bad_request(
                "cannot_admit",
                format!("even the office cannot admit it: {r}"),
            )
        })?;
        self.storage().append(
            &aside.device_id,
            std::slice::from_ref(&aside.change),
            now_ms,
        )?;
        self.decide(&aside, ADMITTED, now_ms)?;
        self.pull()?;
        Ok(aside)
    }

    /// Imports a phone's export of its unsent work ([`linli_core::api::unsent`]): each change
    /// written by the export's device in its name, and not logged or set aside already, is set
    /// aside with the code [`EXPORTED`], for the office to show, admit or discard like any
    /// other. An export without its device's seal is refused (`unverified_export`), unless
    /// `unverified` is asked for: then its changes are set aside as [`EXPORTED_UNVERIFIED`],
    /// their author not verified.
    pub fn import_unsent(
        &self,
        json: &str,
        unverified: bool,
        now_ms: i64,
    ) -> Result<Imported, RelayError> {
        let export = read_unsent(json)?;
        let storage = self.storage();
        let device = storage
            .devices()?
            .into_iter()
            .find(|d| d.device_id == export.device_id)
            .ok_or_else(|| {
                RelayError::bad_request(
                    "unknown_device",
                    format!("device {} was never enrolled here", export.device_id),
                )
            })?;
        let sealed = export.sealed_by(&device.token_hash);
        if !sealed && !unverified {
            return Err(RelayError::bad_request(
                "unverified_export",
                format!(
                    "未验证 the export is not sealed with device {}'s token: it may not come \
                     from that phone (import it with --unverified to set its changes aside \
                     as not verified)",
                    device.device_id
                ),
            ));
        }
        let (code, verified) = if sealed {
            (EXPORTED, "")
        } else {
            (
                EXPORTED_UNVERIFIED,
                "; 作者未验证 author not verified (no device seal)",
            )
        };
        let known: std::collections::BTreeSet<[u8; 32]> = storage
            .set_aside_list(false)?
            .into_iter()
            .map(|s| s.change.hash)
            .collect();
        let erased: std::collections::BTreeSet<String> = storage
            .tombstones()?
            .into_iter()
            .map(|t| t.doc_id)
            .collect();
        let mut imported = Imported::default();
        let mut rows = Vec::new();
        for c in &export.changes {
            if erased.contains(&c.doc_id) {
                imported.erased += 1;
                continue;
            }
            let change = c.decode()?;
            let note = ChangeNote::parse(change.message());
            let actor = change.actor_id().to_hex_string();
            let own_actor = actor == device.actor_id
                || storage.actor_retired(&device.device_id, &actor)?.is_some();
            let own =
                own_actor && note.member == device.member_id && note.device == device.device_id;
            // A record the phone created offline starts with its deterministic first change,
            // which names no one; admitting it checks that it is that change.
            let first = *change.actor_id() == genesis_actor(&c.doc_id);
            if !own && !first {
                imported.foreign.push(c.hash.clone());
                continue;
            }
            let hash = change.hash().0;
            if known.contains(&hash) || storage.has_change(&hash)? {
                imported.known += 1;
                continue;
            }
            rows.push(SetAside {
                change: LogChange {
                    hash,
                    doc_id: c.doc_id.clone(),
                    kind: c.kind,
                    scope: c.scope.clone(),
                    bytes: change.raw_bytes().to_vec(),
                },
                device_id: device.device_id.clone(),
                member_id: device.member_id.clone(),
                code: code.to_owned(),
                reason: format!(
                    "exported from device {} ({}) when it could no longer sync ({}); \
                     imported by {}{verified}",
                    device.device_id,
                    device.member_id,
                    c.state,
                    self.linli().identity().member_id
                ),
                received_ms: now_ms,
                decision: None,
                decided_by: None,
                decided_ms: None,
            });
        }
        imported.set_aside = rows.len();
        storage.set_aside(&rows)?;
        tracing::info!(
            device = %device.device_id,
            sealed,
            set_aside = imported.set_aside,
            known = imported.known,
            foreign = imported.foreign.len(),
            "unsent work imported"
        );
        Ok(imported)
    }

    /// Discards a waiting set-aside change: it stays out of the log, kept with the decision.
    pub fn discard(&self, prefix: &str, now_ms: i64) -> Result<SetAside, RelayError> {
        let aside = self.waiting(prefix)?;
        self.decide(&aside, DISCARDED, now_ms)?;
        Ok(aside)
    }

    fn waiting(&self, prefix: &str) -> Result<SetAside, RelayError> {
        let aside = self.set_aside_one(prefix)?;
        if let Some(decision) = &aside.decision {
            return Err(RelayError::bad_request(
                "already_decided",
                format!("the change was {decision} already"),
            ));
        }
        Ok(aside)
    }

    fn decide(&self, aside: &SetAside, decision: &str, now_ms: i64) -> Result<(), RelayError> {
        let by = self.linli().identity().member_id.clone();
        if !self
            .storage()
            .set_aside_decide(&aside.change.hash, decision, &by, now_ms)?
        {
            return Err(RelayError::bad_request(
                "already_decided",
                "the change was decided meanwhile",
            ));
        }
        tracing::info!(doc = %aside.change.doc_id, decision, by = %by, "set-aside change decided");
        Ok(())
    }
}

/// One line about a set-aside change: hash, document, device, member, code, and its state.
pub fn line(s: &SetAside) -> String {
    let state = match (&s.decision, &s.decided_by) {
        (Some(d), Some(by)) if d == ADMITTED => format!("已接受 admitted by {by}"),
        (Some(_), Some(by)) => format!("已放弃 discarded by {by}"),
        _ => "待处理 waiting".to_owned(),
    };
    format!(
        "{}\t{}\t{}\t{}\t{}\t{state}",
        &hex::encode(s.change.hash)[..16],
        s.change.doc_id,
        s.device_id,
        s.member_id,
        s.code
    )
}

/// Everything about a set-aside change, for a person: who, why, when, and what it does.
pub fn details(s: &SetAside) -> String {
    let mut out = vec![
        format!("change  {}", hex::encode(s.change.hash)),
        format!(
            "record  {} ({}, {})",
            s.change.doc_id,
            s.change.kind.as_str(),
            s.change.scope
        ),
        format!("device  {}  member {}", s.device_id, s.member_id),
        format!("refused {}  {}", s.code, s.reason),
        format!(
            "at      {}",
            chrono::DateTime::from_timestamp_millis(s.received_ms)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        ),
        line(s),
    ];
    match Change::from_bytes(s.change.bytes.clone()) {
        Ok(change) => {
            let note = ChangeNote::parse(change.message());
            out.push(format!(
                "names   member {:?} device {:?} action {:?}; {} operations",
                note.member,
                note.device,
                note.action,
                change.len()
            ));
            for op in change.decode().operations.iter().take(40) {
                out.push(format!("  {} {:?} {:?}", op.obj, op.key, op.action));
            }
        }
        Err(e) => out.push(format!("does not decode: {e}")),
    }
    out.join("\n")
}
