//! Judging a push before anything enters the log. Each pushed change must decode, live in a
//! scope that fits its document and that the member may write, be written by this device's
//! actor (or be a document's deterministic first change), and pass the core's rules
//! ([`linli_core::rules`]) when applied to the judge's copy of its document. Each document's
//! changes are judged together, in push order: the acceptable ones are appended, the refused
//! ones (and the later changes of the same document that build on them) are set aside with
//! device, member, code, reason and time, and answered individually. A change the log already
//! holds passes whoever pushes it again.
//!
//! The judge keeps the documents it judged last ([`JudgeCache`]), each holding every change it
//! accepted for them, and judges and appends one push at a time, so that a copy never lacks a
//! change of the log that went through it. A document it does not hold is taken from the office
//! replica, brought up to the log's head for its scope; a change that builds on changes the
//! copy lacks (written by the admin tools, or by another relay instance on PostgreSQL) gets
//! them from the log by hash first.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use automerge::{AutoCommit, Change, ChangeHash};
use linli_core::api::access::Access;
use linli_core::doc::{DocKind, apply_guarded, genesis_actor, guarded};
use linli_core::records::Coded;
use linli_core::records::directory::Role;
use linli_core::rules::{self, JudgedDoc, Pusher, Refusal, RefusalCode};
use linli_core::sync::protocol::{Refused, undecodable_key};
use linli_core::{Linli, RemoteChange, Scope};
use lru::LruCache;

use crate::cores::{cores, spread};
use crate::error::RelayError;
use crate::relay::Relay;
use crate::storage::{AppendOutcome, Bindings, Device, LogChange, RelayStorage, SetAside};

/// How many documents the judge keeps.
const JUDGE_CACHE_DOCS: usize = 4096;
/// The CPU time this thread has used (Linux; elsewhere the wall clock stands in).
fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Duration::new(
            t.tv_sec.max(0) as u64,
            t.tv_nsec.clamp(0, 999_999_999) as u32,
        )
    }
    #[cfg(not(target_os = "linux"))]
    {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed()
    }
}

/// How many rounds of asking the log for missing dependencies a document gets.
const DEPENDENCY_ROUNDS: usize = 64;

/// The judge's copies of the documents it judged last, and the documents a push is judging
/// now.
#[derive(Debug)]
pub struct JudgeCache {
    state: Mutex<CacheState>,
    released: Condvar,
}

#[derive(Debug)]
struct CacheState {
    docs: LruCache<String, JudgedDoc>,
    busy: BTreeSet<String>,
    /// Busy documents forgotten meanwhile (erased): the push judging them keeps no copy.
    forgotten: BTreeSet<String>,
}

impl Default for JudgeCache {
    fn default() -> Self {
        JudgeCache {
            state: Mutex::new(CacheState {
                docs: LruCache::new(
                    NonZeroUsize::new(JUDGE_CACHE_DOCS).unwrap_or(NonZeroUsize::MIN),
                ),
                busy: BTreeSet::new(),
                forgotten: BTreeSet::new(),
            }),
            released: Condvar::new(),
        }
    }
}

impl JudgeCache {
    fn lock(&self) -> MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the copies of `docs` (erased records), also the one a push judging such a
    /// document would give back.
    pub(crate) fn forget(&self, docs: &[String]) {
        let mut state = self.lock();
        for d in docs {
            state.docs.pop(d);
            if state.busy.contains(d) {
                state.forgotten.insert(d.clone());
            }
        }
    }

    /// Waits until none of `docs` is being judged, then takes them (all at once, so that two
    /// pushes never wait for each other in a circle) with the copies the cache holds.
    fn claim(&self, docs: Vec<String>) -> Claimed<'_> {
        let mut state = self.lock();
        while docs.iter().any(|d| state.busy.contains(d)) {
            state = self.released.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        let mut copies = BTreeMap::new();
        for d in &docs {
            state.busy.insert(d.clone());
            if let Some(copy) = state.docs.pop(d) {
                copies.insert(d.clone(), copy);
            }
        }
        Claimed {
            cache: self,
            docs,
            copies,
        }
    }
}

/// Documents a push is judging; given back (with the copies worth keeping) when dropped or
/// released.
struct Claimed<'a> {
    cache: &'a JudgeCache,
    docs: Vec<String>,
    copies: BTreeMap<String, JudgedDoc>,
}

impl Claimed<'_> {
    /// The cache's copy of `doc_id`, if it held one.
    fn take(&mut self, doc_id: &str) -> Option<JudgedDoc> {
        self.copies.remove(doc_id)
    }

    /// Gives the documents back, keeping `copies` (which hold every change of the log) and
    /// the copies nobody took (every change of their document was refused before the rules, so
    /// nothing of them was appended).
    fn release(mut self, copies: Vec<(String, JudgedDoc)>) {
        let untouched = std::mem::take(&mut self.copies);
        let mut state = self.cache.lock();
        let mut evicted = Vec::new();
        for (doc_id, copy) in copies.into_iter().chain(untouched) {
            if state.forgotten.contains(&doc_id) {
                evicted.push(copy);
                continue;
            }
            evicted.extend(state.docs.push(doc_id, copy).map(|(_, old)| old));
        }
        for d in std::mem::take(&mut self.docs) {
            state.busy.remove(&d);
            state.forgotten.remove(&d);
        }
        drop(state);
        self.cache.released.notify_all();
        drop_later(evicted);
    }
}

impl Drop for Claimed<'_> {
    fn drop(&mut self) {
        if self.docs.is_empty() {
            return;
        }
        // A push that failed keeps no copy: what it judged may not be in the log.
        let mut state = self.cache.lock();
        for d in std::mem::take(&mut self.docs) {
            state.busy.remove(&d);
            state.forgotten.remove(&d);
        }
        drop(state);
        self.cache.released.notify_all();
    }
}

/// From how many copies on dropping evicted copies is worth a thread of its own.
const DROPPED_PER_THREAD: usize = 256;

/// Drops copies the cache let go of: thousands of them after a large push, which took the
/// request's thread a tenth of a second before it could answer. A few are dropped at once, here.
fn drop_later(evicted: Vec<JudgedDoc>) {
    if evicted.len() < DROPPED_PER_THREAD {
        return;
    }
    // A thread that cannot be started drops its work, the copies, here.
    let _ = std::thread::Builder::new()
        .name("judge-drop".into())
        .spawn(move || drop(evicted));
}

/// A pushed change and what is known of it before the rules run.
struct Candidate {
    change: LogChange,
    /// The decoded change, until it is handed to the rules.
    decoded: Option<Change>,
    /// Whether the change decoded.
    decodes: bool,
    /// Whether the pushing device's actor wrote it.
    by_device: bool,
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
        push: Vec<RemoteChange>,
        now_ms: i64,
    ) -> Result<Judged, RelayError> {
        if push.is_empty() {
            return Ok(Judged::default());
        }
        let storage = self.storage.as_ref();
        let mut candidates = decode_all(push, &device.actor_id)?;
        let erased = self.erased_among(candidates.iter().map(|c| c.change.doc_id.as_str()))?;
        for c in candidates.iter_mut() {
            if erased.contains(&c.change.doc_id) {
                c.refusal = Some((
                    RefusalCode::Erased.as_str(),
                    format!(
                        "the office erased record {}: the change is dropped",
                        c.change.doc_id
                    ),
                ));
            }
        }
        let scopes: BTreeMap<String, Scope> = candidates
            .iter()
            .filter(|c| c.refusal.is_none())
            .filter_map(|c| {
                Scope::parse(&c.change.scope)
                    .ok()
                    .map(|s| (c.change.scope.clone(), s))
            })
            .collect();
        // Who may write which scope, and the member's roles, read before any document is
        // claimed: a change its device may not write claims nothing, so that naming a busy
        // document in a push delays no honest push of it.
        let mut pusher = self.replica.read_directory(storage, |replica, _| {
            let wanted: Vec<Scope> = scopes.values().cloned().collect();
            let decided = replica.scope_accesses(&device.member_id, &wanted)?;
            let access: BTreeMap<&str, Access> =
                scopes.keys().map(String::as_str).zip(decided).collect();
            for c in &mut candidates {
                if c.refusal.is_none() {
                    c.refusal = access_check(device, c, &access);
                }
            }
            pusher_of(replica, device)
        })?;
        let mut by_doc: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in candidates.iter().enumerate() {
            if let Some(indexes) = by_doc.get_mut(c.change.doc_id.as_str()) {
                indexes.push(i);
            } else {
                by_doc.insert(c.change.doc_id.clone(), vec![i]);
            }
        }
        // The documents left to judge are this push's alone from here to the append (another
        // push of one of them waits): their copies and bindings stay as the log has them.
        // Pushes of other documents are judged at the same time.
        let mut claimed = self.judge.claim(claimable(&candidates));
        let checking = thread_cpu();
        let named: Vec<&str> = claimed.docs.iter().map(String::as_str).collect();
        let bindings = storage.doc_bindings(&named)?;
        let mut known_docs = BTreeSet::new();
        for c in &mut candidates {
            if c.refusal.is_none() {
                c.refusal = binding_check(device, c, &bindings, &known_docs);
            }
            known_docs.insert(c.change.doc_id.clone());
        }
        // The work orders of the tickets the push changes, read once the tickets are this
        // push's: a reply to an order pushed while this push waited for them is seen.
        let tickets: BTreeSet<&str> = candidates
            .iter()
            .filter(|c| c.refusal.is_none() && c.change.kind == DocKind::Ticket)
            .map(|c| c.change.doc_id.as_str())
            .collect();
        if !tickets.is_empty() {
            pusher.orders = self
                .replica
                .read_directory(storage, |replica, _| Ok(replica.known_orders(tickets)?))?;
        }

        let mut verdicts: Vec<Option<(&'static str, String)>> =
            candidates.iter().map(|c| c.refusal.clone()).collect();
        let mut works: Vec<DocWork> = Vec::new();
        for (doc_id, indexes) in by_doc {
            let mut refused: BTreeSet<ChangeHash> = BTreeSet::new();
            let mut changes: Vec<Change> = Vec::new();
            let mut judged: Vec<usize> = Vec::new();
            for &i in &indexes {
                let c = &mut candidates[i];
                match (c.decoded.take(), &c.refusal) {
                    (Some(change), None) => {
                        changes.push(change);
                        judged.push(i);
                    }
                    (Some(change), Some(_)) => {
                        refused.insert(change.hash());
                    }
                    (None, _) => {}
                }
            }
            if changes.is_empty() {
                continue;
            }
            let first = &candidates[judged[0]].change;
            works.push(DocWork {
                copy: claimed.take(&doc_id),
                bound: bindings.contains_key(&doc_id),
                doc_id,
                kind: first.kind,
                scope: first.scope.clone(),
                judged,
                changes,
                refused,
            });
        }
        // An erased record's copy is never kept (its changes were all refused above, so it
        // was not claimed).
        if !erased.is_empty() {
            self.judge
                .forget(&erased.iter().cloned().collect::<Vec<_>>());
        }
        let own_before_docs = thread_cpu();
        let (judged_docs, loading, docs_cpu) = self.judge_docs(storage, works, &pusher)?;
        let own_in_docs = thread_cpu().saturating_sub(own_before_docs);
        let mut docs: Vec<(String, JudgedDoc, bool)> = Vec::new();
        for d in judged_docs {
            for (i, result) in d.results {
                if let Err(refusal) = result {
                    verdicts[i] = Some((refusal.code.as_str(), refusal.reason));
                }
            }
            docs.push((d.doc_id, d.doc, d.whole));
        }

        let mut accepted = Vec::new();
        let mut authored = Vec::new();
        let mut refused = Vec::new();
        for (c, verdict) in candidates.into_iter().zip(verdicts) {
            match verdict {
                None => {
                    if c.by_device {
                        authored.push(c.change.hash);
                    }
                    accepted.push(c.change)
                }
                // A change the log holds (under this document) passes, whoever pushes it
                // again.
                Some(_) if c.decodes && logged_as(storage, &c.change)? => accepted.push(c.change),
                Some((code, reason)) => refused.push((c.change, code, reason)),
            }
        }
        // CPU time of this thread, not wall time: pushes of other documents are judged on
        // other threads meanwhile, and waiting for a document is no work.
        self.metrics.judged(
            loading,
            (thread_cpu().saturating_sub(checking) + docs_cpu)
                .saturating_sub(own_in_docs)
                .saturating_sub(loading),
        );
        authored.sort_unstable();
        let outcome = storage.append_authored(
            &device.device_id,
            &accepted,
            &device.actor_id,
            &authored,
            now_ms,
        )?;
        // Only now do the copies hold nothing the log lacks.
        claimed.release(
            docs.into_iter()
                .filter(|(_, _, whole)| *whole)
                .map(|(doc_id, doc, _)| (doc_id, doc))
                .collect(),
        );
        // A change to an erased record is dropped: keeping it would keep what was erased.
        let rows: Vec<SetAside> = refused
            .iter()
            .filter(|(_, code, _)| *code != RefusalCode::Erased.as_str())
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
        let judged = Judged {
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
        };
        for r in &judged.refused {
            tracing::warn!(
                device = %device.device_id,
                doc = %r.doc_id,
                code = %r.code,
                "pushed change refused"
            );
        }
        self.metrics.refused(judged.refused.len());
        Ok(judged)
    }

    /// A document the judge does not hold: new (not `bound` in the log), or the replica's copy
    /// brought up to the log's head for its scope.
    fn load_for_judging(
        &self,
        storage: &dyn RelayStorage,
        doc_id: &str,
        scope: &str,
        bound: bool,
    ) -> Result<AutoCommit, RelayError> {
        if !bound {
            return Ok(AutoCommit::new());
        }
        self.replica.read_scopes_fed(
            storage,
            |s| s == scope,
            |replica| {
                Ok(replica
                    .document_copy(doc_id)?
                    .map(|(_, _, doc)| doc)
                    .unwrap_or_default())
            },
        )
    }
}

/// One document's changes of a push, to be judged.
struct DocWork {
    doc_id: String,
    kind: DocKind,
    scope: String,
    /// The cache's copy, when it held one.
    copy: Option<JudgedDoc>,
    /// Whether the log binds the document (it has changes of it).
    bound: bool,
    /// The candidates' indexes of `changes`, in push order.
    judged: Vec<usize>,
    changes: Vec<Change>,
    /// Hashes of the document's changes refused before the rules.
    refused: BTreeSet<ChangeHash>,
}

/// A judged document: its copy after the accepted changes, whether the copy is worth keeping,
/// and each change's verdict by candidate index.
struct DocVerdict {
    doc_id: String,
    doc: JudgedDoc,
    whole: bool,
    results: Vec<(usize, Result<(), Refusal>)>,
}

/// Below this many changes a push's documents are judged on the request's thread alone:
/// starting a thread costs about as much as judging a few changes.
const CHANGES_PER_JUDGE_THREAD: usize = 64;

impl Relay {
    /// Judges each document's changes, the documents spread over the machine's cores when the
    /// push is large (documents are independent: each is this push's alone until the append).
    /// Returns the verdicts, the CPU time spent loading documents, and the CPU time all the
    /// judging took (on whichever thread).
    fn judge_docs(
        &self,
        storage: &dyn RelayStorage,
        works: Vec<DocWork>,
        pusher: &Pusher,
    ) -> Result<(Vec<DocVerdict>, Duration, Duration), RelayError> {
        let changes: usize = works.iter().map(|w| w.changes.len()).sum();
        let threads = cores()
            .min(works.len())
            .min(changes / CHANGES_PER_JUDGE_THREAD)
            .max(1);
        if threads > 1 {
            self.metrics.spread();
        }
        // The largest documents first, each to the group with the fewest changes so far.
        let mut works = works;
        works.sort_by_key(|w| std::cmp::Reverse(w.changes.len()));
        let mut groups: Vec<(usize, Vec<DocWork>)> =
            (0..threads).map(|_| (0, Vec::new())).collect();
        for w in works {
            let lightest = groups
                .iter_mut()
                .min_by_key(|(n, _)| *n)
                .expect("at least one group");
            lightest.0 += w.changes.len();
            lightest.1.push(w);
        }
        let judge_group = |group: Vec<DocWork>| {
            let started = thread_cpu();
            let mut loading = Duration::ZERO;
            let verdicts = group
                .into_iter()
                .map(|w| self.judge_doc(storage, w, pusher, &mut loading))
                .collect::<Result<Vec<_>, _>>();
            (verdicts, loading, thread_cpu().saturating_sub(started))
        };
        let groups: Vec<Vec<DocWork>> = groups.into_iter().map(|(_, g)| g).collect();
        let mut verdicts = Vec::new();
        let (mut loading, mut cpu) = (Duration::ZERO, Duration::ZERO);
        for (judged, load, used) in spread(groups, judge_group)? {
            verdicts.extend(judged?);
            loading += load;
            cpu += used;
        }
        Ok((verdicts, loading, cpu))
    }

    /// Judges one document's changes of a push on its copy (the cache's, or one loaded now,
    /// whose CPU time is added to `loading`).
    fn judge_doc(
        &self,
        storage: &dyn RelayStorage,
        work: DocWork,
        pusher: &Pusher,
        loading: &mut Duration,
    ) -> Result<DocVerdict, RelayError> {
        let DocWork {
            doc_id,
            kind,
            scope,
            copy,
            bound,
            judged,
            changes,
            mut refused,
        } = work;
        let started = thread_cpu();
        let mut doc = match copy {
            Some(doc) => doc,
            None => JudgedDoc::new(self.load_for_judging(storage, &doc_id, &scope, bound)?),
        };
        let intact = fill_dependencies(storage, &doc_id, &mut doc, &changes)?;
        *loading += thread_cpu().saturating_sub(started);
        // A panic inside automerge on a malformed change refuses the document's changes of
        // this push.
        let results =
            guarded(|| rules::judge_all(&mut doc, kind, &doc_id, &changes, pusher, &mut refused))
                .unwrap_or_else(|panic| {
                    let reason = format!("automerge could not apply the changes: {panic}");
                    changes
                        .iter()
                        .map(|_| Err(Refusal::new(RefusalCode::CannotApply, reason.clone())))
                        .collect()
                });
        // A change automerge could not apply may leave the copy half-applied: it is not kept,
        // and the next push of the document loads it again.
        let whole = intact
            && !results.iter().any(|r| {
                matches!(r, Err(e) if matches!(e.code, RefusalCode::CannotApply | RefusalCode::DuplicateSeq))
            });
        Ok(DocVerdict {
            doc_id,
            doc,
            whole,
            results: judged.into_iter().zip(results).collect(),
        })
    }
}

/// Brings into `doc` the logged changes that `changes` build on and `doc` lacks (a bounded
/// number of rounds); what the log does not have either stays missing, for the rules to refuse.
fn fill_dependencies(
    storage: &dyn RelayStorage,
    doc_id: &str,
    judged: &mut JudgedDoc,
    changes: &[Change],
) -> Result<bool, RelayError> {
    let pushed: BTreeSet<ChangeHash> = changes.iter().map(Change::hash).collect();
    let mut wanted: Vec<[u8; 32]> = changes
        .iter()
        .flat_map(|c| c.deps().to_vec())
        .filter(|d| !pushed.contains(d) && !judged.has_change(d))
        .map(|d| d.0)
        .collect();
    if wanted.is_empty() {
        return Ok(true);
    }
    let doc = judged.doc_mut();
    for _ in 0..DEPENDENCY_ROUNDS {
        if wanted.is_empty() {
            break;
        }
        wanted.sort_unstable();
        wanted.dedup();
        let found: Vec<Change> = storage
            .changes_by_hash(&wanted)?
            .into_iter()
            // A change may name another document's changes as its dependencies: those are
            // never brought into this one (the rules then refuse it as missing them).
            .filter(|c| c.doc_id == doc_id)
            .filter_map(|c| Change::from_bytes(c.bytes).ok())
            .collect();
        if found.is_empty() {
            break;
        }
        let found_hashes: BTreeSet<ChangeHash> = found.iter().map(Change::hash).collect();
        wanted = found
            .iter()
            .flat_map(|c| c.deps().to_vec())
            .filter(|d| !found_hashes.contains(d) && doc.get_change_meta_by_hash(d).is_none())
            .map(|d| d.0)
            .collect();
        // Applied together: automerge holds back what waits for another of them. A logged
        // change that does not apply (written before changes were judged) leaves the copy
        // unfit to keep; the rules then refuse what builds on it.
        if apply_guarded(doc, found).is_err() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Decodes a push's changes, on every core when it is large (decoding verifies each change's
/// operations: a few microseconds a change, in the request's path).
fn decode_all(push: Vec<RemoteChange>, device_actor: &str) -> Result<Vec<Candidate>, RelayError> {
    let threads = cores().min(push.len() / CHANGES_PER_JUDGE_THREAD).max(1);
    let per_thread = push.len().div_ceil(threads);
    let mut rest = push.into_iter();
    let chunks: Vec<Vec<RemoteChange>> = (0..threads)
        .map(|_| rest.by_ref().take(per_thread).collect())
        .collect();
    let decoded = spread(chunks, |chunk: Vec<RemoteChange>| {
        chunk
            .into_iter()
            .map(|rc| decode(rc, device_actor))
            .collect::<Vec<_>>()
    })?;
    Ok(decoded.into_iter().flatten().collect())
}

/// Decodes a pushed change; one that does not decode is refused.
fn decode(rc: RemoteChange, device_actor: &str) -> Candidate {
    let RemoteChange {
        doc_id,
        kind,
        scope,
        bytes,
    } = rc;
    // A panic inside automerge's decoder refuses this change alone.
    let decoded = match guarded(|| Change::try_from(bytes.as_slice())) {
        Ok(Ok(change)) => Ok(change),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(panic),
    };
    match decoded {
        Ok(change) => Candidate {
            change: LogChange {
                hash: change.hash().0,
                doc_id,
                kind,
                scope,
                bytes,
            },
            by_device: change.actor_id().to_hex_string() == device_actor,
            decodes: true,
            decoded: Some(change),
            refusal: None,
        },
        Err(e) => Candidate {
            change: LogChange {
                hash: undecodable_key(&bytes),
                doc_id,
                kind,
                scope,
                bytes,
            },
            decoded: None,
            decodes: false,
            by_device: false,
            refusal: Some((
                RefusalCode::Corrupt.as_str(),
                format!("the change is corrupt or truncated: {e}"),
            )),
        },
    }
}

/// The member's roles as the replica's directory has them now; the work orders of the tickets
/// the push changes are added once those tickets are claimed.
fn pusher_of(replica: &Linli, device: &Device) -> Result<Pusher, RelayError> {
    let roles = replica
        .member_role_codes(&device.member_id)?
        .into_iter()
        .filter_map(|(code, place)| Role::from_code(&code).map(|r| (r, place)))
        .collect();
    Ok(Pusher {
        member_id: device.member_id.clone(),
        device_id: device.device_id.clone(),
        roles,
        orders: Vec::new(),
    })
}

/// The documents a push claims: those with a change still to judge after the checks that need
/// no claim (decoding, erasure, scope and access).
fn claimable(candidates: &[Candidate]) -> Vec<String> {
    let docs: BTreeSet<&str> = candidates
        .iter()
        .filter(|c| c.refusal.is_none())
        .map(|c| c.change.doc_id.as_str())
        .collect();
    docs.into_iter().map(str::to_owned).collect()
}

/// The checks made before the documents are claimed: the scope, and the member's access to it.
fn access_check(
    device: &Device,
    c: &Candidate,
    access: &BTreeMap<&str, Access>,
) -> Option<(&'static str, String)> {
    c.decoded.as_ref()?;
    let lc = &c.change;
    let scope = match Scope::parse(&lc.scope) {
        Ok(s) => s,
        Err(e) => return Some(("bad_scope", e.to_string())),
    };
    if let Err(e) = scope.check_document(&lc.doc_id, lc.kind) {
        return Some(("bad_scope", e.to_string()));
    }
    if !access.get(lc.scope.as_str()).is_some_and(|a| a.write) {
        return Some((
            "scope_forbidden",
            format!(
                "member {} may not write scope {}",
                device.member_id, lc.scope
            ),
        ));
    }
    None
}

/// The checks made once the documents are claimed: a known document in the scope the log binds
/// it to, and the author. `known_docs` are the documents of the push's earlier changes.
fn binding_check(
    device: &Device,
    c: &Candidate,
    bindings: &Bindings,
    known_docs: &BTreeSet<String>,
) -> Option<(&'static str, String)> {
    let change = c.decoded.as_ref()?;
    let lc = &c.change;
    // Written by the document's genesis actor: the rules check that it is the document's
    // deterministic first change, and refuse it as forged otherwise.
    let first = *change.actor_id() == genesis_actor(&lc.doc_id);
    if !first && !known_docs.contains(&lc.doc_id) {
        match bindings.get(&lc.doc_id) {
            None => {
                return Some((
                    "unknown_document",
                    format!(
                        "document {} is new to the relay: push its first change first",
                        lc.doc_id
                    ),
                ));
            }
            Some((kind, scope)) if *kind != lc.kind || *scope != lc.scope => {
                return Some((
                    "bad_scope",
                    format!("document {} is a {} in {scope}", lc.doc_id, kind.as_str()),
                ));
            }
            Some(_) => {}
        }
    }
    if !first && change.actor_id().to_hex_string() != device.actor_id {
        return Some((
            "foreign_author",
            format!(
                "the change was written by actor {}, not by this device",
                change.actor_id().to_hex_string()
            ),
        ));
    }
    None
}

/// Whether the log holds `change` under its document.
fn logged_as(storage: &dyn RelayStorage, change: &LogChange) -> Result<bool, RelayError> {
    Ok(storage
        .changes_by_hash(&[change.hash])?
        .iter()
        .any(|c| c.doc_id == change.doc_id))
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;

    use super::*;

    fn device() -> Device {
        Device {
            device_id: "lead-phone".into(),
            member_id: "lead".into(),
            name: "楼长的手机".into(),
            actor_id: "0a0b".into(),
            created_ms: 0,
            revoked_ms: None,
            token_hash: [0; 32],
            authored: 0,
            actor_since_ms: 0,
            wipe: false,
        }
    }

    /// A decoded change of `doc_id` in `scope`, written by the device's actor.
    fn candidate(doc_id: &str, scope: &str) -> Candidate {
        let mut doc = AutoCommit::new().with_actor(automerge::ActorId::from(vec![0x0a, 0x0b]));
        doc.put(automerge::ROOT, "unit", "1单元").expect("put");
        let bytes = doc.get_changes(&[])[0].raw_bytes().to_vec();
        decode(
            RemoteChange {
                doc_id: doc_id.into(),
                kind: DocKind::Household,
                scope: scope.into(),
                bytes,
            },
            "0a0b",
        )
    }

    #[test]
    fn a_record_erased_while_a_push_judges_it_keeps_no_copy() {
        let cache = JudgeCache::default();
        let doc = "hh-erased".to_owned();
        let mut claimed = cache.claim(vec![doc.clone()]);
        assert!(claimed.take(&doc).is_none());
        // The record is erased while the push judges it; the push then gives its copy back.
        cache.forget(std::slice::from_ref(&doc));
        claimed.release(vec![(doc.clone(), JudgedDoc::new(AutoCommit::new()))]);
        let mut again = cache.claim(vec![doc.clone()]);
        assert!(
            again.take(&doc).is_none(),
            "the erased record's copy was kept"
        );
        // Once that push is done, a later push's copy is kept as before.
        again.release(vec![(doc.clone(), JudgedDoc::new(AutoCommit::new()))]);
        assert!(cache.claim(vec![doc.clone()]).take(&doc).is_some());
    }

    #[test]
    fn a_change_its_device_may_not_write_claims_no_document() {
        let mut candidates = vec![
            candidate("hh-of-building-3", "building/b3"),
            candidate("hh-of-building-8", "building/b8"),
            candidate("hh-of-building-8", "building/b3"),
        ];
        let access = BTreeMap::from([
            (
                "building/b8",
                Access {
                    read: true,
                    write: true,
                },
            ),
            (
                "building/b3",
                Access {
                    read: true,
                    write: false,
                },
            ),
        ]);
        for c in &mut candidates {
            c.refusal = access_check(&device(), c, &access);
        }
        let codes: Vec<Option<&str>> = candidates
            .iter()
            .map(|c| c.refusal.as_ref().map(|r| r.0))
            .collect();
        assert_eq!(
            codes,
            [Some("scope_forbidden"), None, Some("scope_forbidden")]
        );
        // Only the document a change may still be judged for is claimed; the other, which
        // a change names in a scope the member may not write, stays free for its own pushes.
        assert_eq!(claimable(&candidates), ["hh-of-building-8"]);
    }
}
