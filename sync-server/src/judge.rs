//! Judging a push before anything enters the log. Each pushed change must decode, live in a
//! scope that fits its document and that the member may write, be written by this device's
//! actor (or be a document's deterministic first change), and pass the core's rules
//! ([`linli_core::rules`]) when applied to the office replica's copy of its document, brought
//! up to the log's head for the push's scopes. Changes are judged one by one: the acceptable
//! ones are appended, the refused ones (and the later changes of the same document that
//! build on them) are set aside with device, member, code, reason and time, and answered
//! individually. A change the log already holds passes whoever pushes it again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::{AutoCommit, Change, ChangeHash};
use linli_core::api::access::Access;
use linli_core::doc::{genesis_actor, genesis_hash};
use linli_core::records::Coded;
use linli_core::records::directory::Role;
use linli_core::rules::{self, Pusher, Refusal, RefusalCode};
use linli_core::sync::protocol::Refused;
use linli_core::{Linli, RemoteChange, Scope};
use sha2::{Digest, Sha256};

use crate::error::RelayError;
use crate::relay::Relay;
use crate::storage::{AppendOutcome, Device, LogChange, RelayStorage, SetAside};

/// A pushed change and what is known of it before the rules run.
struct Candidate {
    change: LogChange,
    decoded: Option<Change>,
    /// A refusal decided before the rules (decoding, scope, author).
    refusal: Option<(&'static str, String)>,
}

/// What a judged push did.
#[derive(Debug, Default)]
pub struct Judged {
    /// What appending the accepted changes did.
    pub outcome: AppendOutcome,
    /// The refused changes, as answered.
    pub refused: Vec<Refused>,
}

impl Relay {
    /// Judges `push` from `device`, appends what passes and sets aside what does not.
    pub fn judge_push(
        &self,
        device: &Device,
        push: &[RemoteChange],
        now_ms: i64,
    ) -> Result<Judged, RelayError> {
        if push.is_empty() {
            return Ok(Judged::default());
        }
        let mut candidates: Vec<Candidate> = push.iter().map(decode).collect();
        let scopes: BTreeMap<String, Scope> = candidates
            .iter()
            .filter(|c| c.refusal.is_none())
            .filter_map(|c| {
                Scope::parse(&c.change.scope)
                    .ok()
                    .map(|s| (c.change.scope.clone(), s))
            })
            .collect();
        let scope_names: Vec<String> = scopes.keys().cloned().collect();
        let storage = self.storage.as_ref();
        let judged = self
            .replica
            .with_scopes_fed(storage, &scope_names, |replica, feeding| {
                let checking = std::time::Instant::now();
                let wanted: Vec<Scope> = scopes.values().cloned().collect();
                let decided = replica.scope_accesses(&device.member_id, &wanted)?;
                let access: BTreeMap<&str, Access> =
                    scopes.keys().map(String::as_str).zip(decided).collect();
                let pusher = pusher_of(replica, device)?;
                let mut known_docs = BTreeSet::new();
                for c in &mut candidates {
                    if c.refusal.is_none() {
                        c.refusal = pre_check(storage, device, c, &access, &known_docs)?;
                    }
                    known_docs.insert(c.change.doc_id.clone());
                }
                let verdicts = judge_chain(replica, &pusher, &candidates)?;
                let mut accepted = Vec::new();
                let mut refused = Vec::new();
                for (c, verdict) in candidates.into_iter().zip(verdicts) {
                    match verdict {
                        None => accepted.push(c.change),
                        Some((code, reason)) => {
                            // A change the log holds (under this document) passes, whoever
                            // pushes it again.
                            if c.decoded.is_some() && logged_as(storage, &c.change)? {
                                accepted.push(c.change);
                            } else {
                                refused.push((c.change, code, reason));
                            }
                        }
                    }
                }
                self.metrics.judged(feeding, checking.elapsed());
                let outcome = storage.append(&device.device_id, &accepted, now_ms)?;
                let rows: Vec<SetAside> = refused
                    .iter()
                    .map(|(change, code, reason)| SetAside {
                        change: change.clone(),
                        device_id: device.device_id.clone(),
                        member_id: device.member_id.clone(),
                        code: (*code).to_owned(),
                        reason: reason.clone(),
                        received_ms: now_ms,
                        decision: None,
                        decided_by: None,
                        decided_ms: None,
                    })
                    .collect();
                storage.set_aside(&rows)?;
                Ok(Judged {
                    outcome,
                    refused: refused
                        .into_iter()
                        .map(|(change, code, reason)| Refused {
                            hash: change.hash,
                            doc_id: change.doc_id,
                            code: code.to_owned(),
                            reason,
                        })
                        .collect(),
                })
            })?;
        for r in &judged.refused {
            tracing::warn!(
                device = %device.device_id,
                doc = %r.doc_id,
                code = %r.code,
                "pushed change refused and set aside"
            );
        }
        self.metrics.refused(judged.refused.len());
        Ok(judged)
    }
}

/// Decodes a pushed change; one that does not decode is refused.
fn decode(rc: &RemoteChange) -> Candidate {
    match Change::from_bytes(rc.bytes.clone()) {
        Ok(change) => Candidate {
            change: LogChange {
                hash: change.hash().0,
                doc_id: rc.doc_id.clone(),
                kind: rc.kind,
                scope: rc.scope.clone(),
                bytes: rc.bytes.clone(),
            },
            decoded: Some(change),
            refusal: None,
        },
        Err(e) => Candidate {
            change: LogChange {
                hash: Sha256::digest(&rc.bytes).into(),
                doc_id: rc.doc_id.clone(),
                kind: rc.kind,
                scope: rc.scope.clone(),
                bytes: rc.bytes.clone(),
            },
            decoded: None,
            refusal: Some((
                RefusalCode::Corrupt.as_str(),
                format!("the change is corrupt or truncated: {e}"),
            )),
        },
    }
}

/// The member's roles as the replica's directory has them now.
fn pusher_of(replica: &Linli, device: &Device) -> Result<Pusher, RelayError> {
    let roles = replica
        .member_role_codes(&device.member_id)?
        .into_iter()
        .filter_map(|(code, place)| Role::parse_code(&code, "role").ok().map(|r| (r, place)))
        .collect();
    Ok(Pusher {
        member_id: device.member_id.clone(),
        device_id: device.device_id.clone(),
        roles,
    })
}

/// The checks made before the rules: scope, access, a known document, the author.
fn pre_check(
    storage: &dyn RelayStorage,
    device: &Device,
    c: &Candidate,
    access: &BTreeMap<&str, Access>,
    known_docs: &BTreeSet<String>,
) -> Result<Option<(&'static str, String)>, RelayError> {
    let Some(change) = &c.decoded else {
        return Ok(None);
    };
    let lc = &c.change;
    let scope = match Scope::parse(&lc.scope) {
        Ok(s) => s,
        Err(e) => return Ok(Some(("bad_scope", e.to_string()))),
    };
    if let Err(e) = scope.check_document(&lc.doc_id, lc.kind) {
        return Ok(Some(("bad_scope", e.to_string())));
    }
    if !access.get(lc.scope.as_str()).is_some_and(|a| a.write) {
        return Ok(Some((
            "scope_forbidden",
            format!(
                "member {} may not write scope {}",
                device.member_id, lc.scope
            ),
        )));
    }
    let first = *change.actor_id() == genesis_actor(&lc.doc_id)
        && genesis_hash(lc.kind, &lc.doc_id).is_ok_and(|h| h == change.hash());
    if !first && !known_docs.contains(&lc.doc_id) {
        match storage.doc_binding(&lc.doc_id)? {
            None => {
                return Ok(Some((
                    "unknown_document",
                    format!(
                        "document {} is new to the relay: push its first change first",
                        lc.doc_id
                    ),
                )));
            }
            Some((kind, scope)) if kind != lc.kind || scope != lc.scope => {
                return Ok(Some((
                    "bad_scope",
                    format!("document {} is a {} in {scope}", lc.doc_id, kind.as_str()),
                )));
            }
            Some(_) => {}
        }
    }
    if !first && change.actor_id().to_hex_string() != device.actor_id {
        return Ok(Some((
            "foreign_author",
            format!(
                "the change was written by actor {}, not by this device",
                change.actor_id().to_hex_string()
            ),
        )));
    }
    Ok(None)
}

/// Whether the log holds `change` under its document.
fn logged_as(storage: &dyn RelayStorage, change: &LogChange) -> Result<bool, RelayError> {
    if !storage.has_change(&change.hash)? {
        return Ok(false);
    }
    Ok(storage
        .changes_by_hash(&[change.hash])?
        .iter()
        .any(|c| c.doc_id == change.doc_id))
}

/// Runs the rules over the candidates in push order, document by document on a copy of the
/// replica's document that takes each accepted change. Returns each candidate's refusal.
fn judge_chain(
    replica: &Linli,
    pusher: &Pusher,
    candidates: &[Candidate],
) -> Result<Vec<Option<(&'static str, String)>>, RelayError> {
    let mut docs: HashMap<&str, AutoCommit> = HashMap::new();
    let mut accepted: HashMap<&str, Vec<Change>> = HashMap::new();
    let mut refused: HashMap<&str, BTreeSet<ChangeHash>> = HashMap::new();
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let doc_id = c.change.doc_id.as_str();
        let (Some(change), None) = (&c.decoded, &c.refusal) else {
            if let Some(change) = &c.decoded {
                refused.entry(doc_id).or_default().insert(change.hash());
            }
            out.push(c.refusal.clone());
            continue;
        };
        if change
            .deps()
            .iter()
            .any(|d| refused.get(doc_id).is_some_and(|r| r.contains(d)))
        {
            refused.entry(doc_id).or_default().insert(change.hash());
            out.push(Some((
                RefusalCode::DependsOnRefused.as_str(),
                "builds on a change that was refused".to_owned(),
            )));
            continue;
        }
        if !docs.contains_key(doc_id) {
            let mut copy = match replica.document_copy(doc_id)? {
                Some((_, _, doc)) => doc,
                None => AutoCommit::new(),
            };
            // The changes of this push accepted before a copy had to be dropped.
            if let Some(earlier) = accepted.get(doc_id) {
                linli_core::doc::apply_guarded(&mut copy, earlier.iter().cloned()).map_err(
                    |e| RelayError::internal(format!("re-applying accepted changes: {e}")),
                )?;
            }
            docs.insert(doc_id, copy);
        }
        let Some(doc) = docs.get_mut(doc_id) else {
            continue;
        };
        match rules::judge(doc, c.change.kind, doc_id, change, pusher) {
            Ok(()) => {
                accepted.entry(doc_id).or_default().push(change.clone());
                out.push(None);
            }
            Err(Refusal { code, reason }) => {
                if code == RefusalCode::CannotApply {
                    // The copy may be half-applied: start the document again.
                    docs.remove(doc_id);
                }
                refused.entry(doc_id).or_default().insert(change.hash());
                out.push(Some((code.as_str(), reason)));
            }
        }
    }
    Ok(out)
}
