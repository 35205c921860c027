//! The relay's work, independent of HTTP: enrolment, authentication, checking and storing
//! pushed changes, paging pulls by bytes across the scopes a member may read, answering
//! requests for changes by hash, and bootstrapping a new device from snapshots.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use automerge::Change;
use axum::http::StatusCode;
use linli_core::api::access::Access;
use linli_core::doc::{genesis_actor, genesis_hash};
use linli_core::sync::protocol::{
    BootstrapRequest, BootstrapResponse, Cursor, DEVICE_REVOKED, EnrolRequest, EnrolResponse,
    LogMark, SnapshotDoc, SyncRequest, SyncResponse,
};
use linli_core::{Linli, RemoteChange, Scope};
use rand::RngExt;
use sha2::{Digest, Sha256};

use crate::database::Database;
use crate::error::RelayError;
use crate::metrics::Metrics;
use crate::replica::Replica;
use crate::storage::{Device, LogChange, NewDevice, RelayStorage};

/// Limits on what one request may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
    /// The most change bytes in one page.
    pub max_page_bytes: u32,
    /// The most changes in one page.
    pub max_page_rows: usize,
    /// The most hashes asked for in one request.
    pub max_wanted: usize,
    /// How long an enrolment code is valid, in ms.
    pub code_ttl_ms: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            max_page_bytes: 4 * 1024 * 1024,
            max_page_rows: 20_000,
            max_wanted: 10_000,
            code_ttl_ms: 24 * 3600 * 1000,
        }
    }
}

/// Characters of enrolment codes: no 0/O, 1/I/L, so that a code read aloud or off paper is
/// typed right.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a code (shown as two groups of four).
pub const CODE_LEN: usize = 8;

/// Normalises a typed code: upper case, without spaces and dashes.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A code as printed: `ABCD-EFGH`.
pub fn display_code(code: &str) -> String {
    let (a, b) = code.split_at(code.len().min(4));
    format!("{a}-{b}")
}

/// The sha-256 of a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Stores a new one-time code for `member_id` (who must be active), valid for `ttl_ms`.
pub fn issue_code(
    storage: &dyn RelayStorage,
    member_id: &str,
    active: bool,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<(String, i64), RelayError> {
    if !active {
        return Err(RelayError::bad_request(
            "unknown_member",
            format!("{member_id} is not an active member of the community"),
        ));
    }
    let mut rng = rand::rng();
    let code: String = (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    let expires = now_ms + ttl_ms;
    storage.create_code(&code, member_id, now_ms, expires)?;
    Ok((code, expires))
}

/// The relay.
#[derive(Debug)]
pub struct Relay {
    /// The storage.
    pub storage: Arc<dyn RelayStorage>,
    /// The office replica.
    pub replica: Arc<Replica>,
    /// Counters.
    pub metrics: Metrics,
    /// Limits.
    pub limits: Limits,
}

impl Relay {
    /// Opens the relay on `db`, with its office replica in the local store `office`.
    pub fn open(db: &Database) -> Result<Relay, RelayError> {
        Relay::with_storage(db.open()?, &db.local_store("office")?)
    }

    /// A relay over `storage`, with its replica at `replica`.
    pub fn with_storage(
        storage: Arc<dyn RelayStorage>,
        replica: &Path,
    ) -> Result<Relay, RelayError> {
        let replica = Arc::new(Replica::open(replica)?);
        replica.feed(storage.as_ref())?;
        Ok(Relay {
            storage,
            replica,
            metrics: Metrics::default(),
            limits: Limits::default(),
        })
    }

    /// The device holding `token`; revoked and unknown tokens are refused with 401.
    pub fn authenticate(&self, token: Option<&str>) -> Result<Device, RelayError> {
        let token = token.ok_or_else(|| {
            RelayError::new(
                StatusCode::UNAUTHORIZED,
                "no_token",
                "send the device token as 'Authorization: Bearer <token>'",
            )
        })?;
        let device = self
            .storage
            .device_by_token(&token_hash(token))?
            .ok_or_else(|| {
                RelayError::new(
                    StatusCode::UNAUTHORIZED,
                    "bad_token",
                    "unknown device token",
                )
            })?;
        if device.revoked_ms.is_some() {
            return Err(RelayError::new(
                StatusCode::UNAUTHORIZED,
                DEVICE_REVOKED,
                format!(
                    "device {} ({}) was revoked by the office",
                    device.device_id, device.name
                ),
            ));
        }
        Ok(device)
    }

    /// Creates a one-time enrolment code for an active member of the replica's directory.
    pub fn create_code(&self, member_id: &str, now_ms: i64) -> Result<(String, i64), RelayError> {
        let active = self.replica.read_directory(self.storage.as_ref(), |l, _| {
            Ok(l.member(member_id).map(|m| m.active).unwrap_or(false))
        })?;
        issue_code(
            self.storage.as_ref(),
            member_id,
            active,
            now_ms,
            self.limits.code_ttl_ms,
        )
    }

    /// Exchanges an enrolment code for a device token.
    pub fn enrol(&self, request: &EnrolRequest, now_ms: i64) -> Result<EnrolResponse, RelayError> {
        let name = request.device_name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(RelayError::bad_request(
                "bad_device_name",
                "a device name is 1 to 64 characters",
            ));
        }
        automerge::ActorId::try_from(request.actor_id.as_str()).map_err(|e| {
            RelayError::bad_request("bad_actor", format!("not a hex actor id: {e}"))
        })?;
        let token = hex::encode(rand::random::<[u8; 32]>());
        let device_id = format!(
            "dev-{}",
            linli_core::ids::new_id(chrono::Utc::now()).to_lowercase()
        );
        let device = self.storage.redeem_code(
            &normalise_code(&request.code),
            &NewDevice {
                device_id,
                name: name.to_owned(),
                actor_id: request.actor_id.clone(),
                token_hash: token_hash(&token),
            },
            now_ms,
        )?;
        let (roles, scopes) = self
            .replica
            .read_directory(self.storage.as_ref(), |l, heads| {
                let roles = l.member_role_codes(&device.member_id)?;
                let scopes = self.readable(l, &device.member_id, heads)?;
                Ok((roles, scopes))
            })?;
        tracing::info!(device = %device.device_id, member = %device.member_id, "device enrolled");
        Ok(EnrolResponse {
            token,
            member_id: device.member_id,
            device_id: device.device_id,
            roles,
            scopes,
        })
    }

    /// The scopes in the log that `member_id` may read.
    fn readable(
        &self,
        replica: &Linli,
        member_id: &str,
        scopes: &[(String, i64)],
    ) -> Result<Vec<String>, RelayError> {
        let parsed: Vec<(&String, Scope)> = scopes
            .iter()
            .filter_map(|(name, _)| Scope::parse(name).ok().map(|s| (name, s)))
            .collect();
        let wanted: Vec<Scope> = parsed.iter().map(|(_, s)| s.clone()).collect();
        let access = replica.scope_accesses(member_id, &wanted)?;
        Ok(parsed
            .into_iter()
            .zip(access)
            .filter(|(_, a)| a.read)
            .map(|((name, _), _)| name.clone())
            .collect())
    }

    /// Checks and stores a push, then pulls a page (see the module documentation).
    pub fn sync(
        &self,
        device: &Device,
        request: SyncRequest,
        now_ms: i64,
    ) -> Result<SyncResponse, RelayError> {
        if request.want.iter().map(|w| w.hashes.len()).sum::<usize>() > self.limits.max_wanted {
            return Err(RelayError::bad_request(
                "too_many_wanted",
                format!("ask for at most {} changes at once", self.limits.max_wanted),
            ));
        }
        let checked = self.check_push(device, &request.push)?;
        let outcome = self.storage.append(&device.device_id, &checked, now_ms)?;
        if outcome.stored > 0 {
            self.replica.feed_later(&self.storage);
        }
        let mut response = self.pull(device, &request)?;
        response.stored = outcome.stored;
        response.duplicates = outcome.duplicates;
        self.metrics.changes(
            outcome.stored,
            outcome.duplicates,
            response.changes.len() + response.wanted.len(),
        );
        Ok(response)
    }

    /// Each pushed change must decode, live in a scope that fits its document, and, unless the
    /// log has it already, be written to a scope the member may write by this device's actor
    /// (or be a document's deterministic first change). One bad change refuses the whole push.
    /// The log is asked whether it holds a change only when the change would be refused
    /// otherwise: a push of new work costs no lookup per change.
    fn check_push(
        &self,
        device: &Device,
        push: &[RemoteChange],
    ) -> Result<Vec<LogChange>, RelayError> {
        if push.is_empty() {
            return Ok(Vec::new());
        }
        let mut decoded = Vec::with_capacity(push.len());
        let mut scopes: BTreeMap<&str, Scope> = BTreeMap::new();
        for (i, wc) in push.iter().enumerate() {
            let change = Change::from_bytes(wc.bytes.clone()).map_err(|e| {
                RelayError::bad_request(
                    "corrupt_change",
                    format!(
                        "change {i} of document {} is corrupt or truncated: {e}",
                        wc.doc_id
                    ),
                )
            })?;
            let scope = Scope::parse(&wc.scope)
                .map_err(|e| RelayError::bad_request("bad_scope", e.to_string()))?;
            scope
                .check_document(&wc.doc_id, wc.kind)
                .map_err(|e| RelayError::bad_request("bad_scope", e.to_string()))?;
            scopes.insert(&wc.scope, scope);
            decoded.push(change);
        }
        // Every scope of the push is decided with one read of the directory.
        let access: BTreeMap<&str, Access> =
            self.replica.read_directory(self.storage.as_ref(), |l, _| {
                let wanted: Vec<Scope> = scopes.values().cloned().collect();
                let decided = l.scope_accesses(&device.member_id, &wanted)?;
                Ok(scopes.keys().copied().zip(decided).collect())
            })?;
        let mut known = std::collections::BTreeSet::new();
        let mut out = Vec::with_capacity(push.len());
        for (i, (wc, change)) in push.iter().zip(decoded).enumerate() {
            let hash = change.hash().0;
            // Every scope of the push was decided above.
            let allowed = access[wc.scope.as_str()];
            let author = change.actor_id();
            let own = author.to_hex_string() == device.actor_id;
            let first = *author == genesis_actor(&wc.doc_id)
                && genesis_hash(wc.kind, &wc.doc_id).is_ok_and(|h| h == change.hash());
            let refusal = if !allowed.write {
                Some(RelayError::forbidden(
                    "scope_forbidden",
                    format!(
                        "member {} may not write scope {}",
                        device.member_id, wc.scope
                    ),
                ))
            } else if !first
                && !known.contains(&wc.doc_id)
                && self.storage.doc_binding(&wc.doc_id)?.is_none()
            {
                // Only a document's first change proves its kind.
                Some(RelayError::bad_request(
                    "unknown_document",
                    format!(
                        "document {} is new to the relay: push its first change before change {i}",
                        wc.doc_id
                    ),
                ))
            } else if !own && !first {
                Some(RelayError::forbidden(
                    "foreign_author",
                    format!(
                        "change {i} of document {} was written by actor {}, not by this device",
                        wc.doc_id,
                        author.to_hex_string()
                    ),
                ))
            } else {
                None
            };
            if let Some(refusal) = refusal
                && !self.storage.has_change(&hash)?
            {
                return Err(refusal);
            }
            known.insert(wc.doc_id.clone());
            out.push(LogChange {
                hash,
                doc_id: wc.doc_id.clone(),
                kind: wc.kind,
                scope: wc.scope.clone(),
                bytes: wc.bytes.clone(),
            });
        }
        Ok(out)
    }

    /// A page of changes after the request's cursors in every readable scope, and the changes
    /// asked for by hash. A device's own changes are not sent back, but its cursors move past
    /// them.
    fn pull(&self, device: &Device, request: &SyncRequest) -> Result<SyncResponse, RelayError> {
        let cursors: BTreeMap<&str, i64> = request
            .cursors
            .iter()
            .map(|c| (c.scope.as_str(), c.seq))
            .collect();
        let (readable, heads, directory) =
            self.replica
                .read_directory(self.storage.as_ref(), |l, heads| {
                    let readable = self.readable(l, &device.member_id, heads)?;
                    Ok((
                        readable,
                        heads.iter().cloned().collect::<BTreeMap<_, _>>(),
                        crate::replica::directory_head(heads),
                    ))
                })?;
        // With one order over the log, the heads just read name a point every readable scope
        // has reached: a device that drains this answer stands there in all of them.
        let mark_now = self.storage.one_order().then(|| LogMark {
            seq: heads.values().copied().max().unwrap_or(0),
            directory,
        });
        // A scope the request does not name stands at its `since` mark, which holds while the
        // directory (and so what the device may read) has not changed.
        let unnamed_from = match request.since {
            None => 0,
            Some(since) if mark_now.is_some() && since.directory == directory => since.seq,
            Some(_) => {
                return Ok(SyncResponse {
                    resend_cursors: true,
                    ..SyncResponse::default()
                });
            }
        };
        let budget = request.page_bytes.clamp(1024, self.limits.max_page_bytes) as usize;
        let mut used = 0usize;
        let mut response = SyncResponse::default();
        for scope in &readable {
            let after = cursors.get(scope.as_str()).copied().unwrap_or(unnamed_from);
            let head = heads.get(scope).copied().unwrap_or(0);
            if after >= head {
                continue;
            }
            if used >= budget {
                response.more = true;
                break;
            }
            let rows =
                self.storage
                    .read_scope(scope, after, budget - used, self.limits.max_page_rows)?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                continue;
            };
            for r in rows {
                used += r.change.bytes.len();
                if r.device_id != device.device_id {
                    response.changes.push(r.change.into());
                }
            }
            response.cursors.push(Cursor {
                scope: scope.clone(),
                seq: last,
            });
            if last < head {
                response.more = true;
                break;
            }
        }
        if !response.more {
            response.mark = mark_now;
        }
        for w in &request.want {
            let Some((_, scope)) = self.storage.doc_binding(&w.doc_id)? else {
                continue;
            };
            if readable.contains(&scope) {
                response.wanted.extend(
                    self.storage
                        .changes_by_hash(&w.hashes)?
                        .into_iter()
                        .map(RemoteChange::from),
                );
            }
        }
        Ok(response)
    }

    /// A page of snapshots of the documents the device may read.
    pub fn bootstrap(
        &self,
        device: &Device,
        request: &BootstrapRequest,
    ) -> Result<BootstrapResponse, RelayError> {
        let budget = request.page_bytes.clamp(1024, self.limits.max_page_bytes) as usize;
        // The replica catches up meanwhile; what it lacks now, the device pulls.
        self.replica.feed_later(&self.storage);
        self.replica
            .read_fed(self.storage.as_ref(), |l, fed, heads| {
                let readable = self.readable(l, &device.member_id, heads)?;
                let mut response = BootstrapResponse {
                    cursors: readable
                        .iter()
                        .map(|scope| Cursor {
                            scope: scope.clone(),
                            seq: fed.of(scope),
                        })
                        .collect(),
                    ..BootstrapResponse::default()
                };
                let mut used = 0;
                for d in l.documents()? {
                    if request.after_doc.as_ref().is_some_and(|a| d.doc_id <= *a)
                        || !readable.contains(&d.scope)
                    {
                        continue;
                    }
                    if used >= budget {
                        response.next_after = response.docs.last().map(|d| d.doc_id.clone());
                        break;
                    }
                    let snapshot = l.snapshot(&d.doc_id)?;
                    used += snapshot.len();
                    response.docs.push(SnapshotDoc {
                        doc_id: d.doc_id,
                        kind: d.kind,
                        scope: d.scope,
                        snapshot,
                    });
                }
                Ok(response)
            })
    }
}
