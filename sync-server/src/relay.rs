//! The relay's work, independent of HTTP: enrolment, authentication, checking and storing
//! pushed changes, paging pulls by bytes across the scopes a member may read, answering
//! requests for changes by hash, and bootstrapping a new device from snapshots.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use linli_core::sync::protocol::{
    ACTOR_RETIRED, ActorRequest, BootstrapRequest, BootstrapResponse, Cursor, DEVICE_REVOKED,
    DEVICE_WIPED, EnrolRequest, EnrolResponse, LogMark, MAX_ERASED_PER_RESPONSE,
    MEMBER_DEACTIVATED, SnapshotDoc, SyncRequest, SyncResponse, TokenResponse, change_key,
};
use linli_core::{Linli, RemoteChange, Scope};
use rand::RngExt;
use sha2::{Digest, Sha256};

use crate::database::Database;
use crate::error::RelayError;
use crate::limiter::{FailureLimiter, RateLimiter};
use crate::metrics::Metrics;
use crate::replica::Replica;
use crate::storage::{Device, NewDevice, RelayStorage};

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
    /// The most connections served at once; more are closed as they arrive.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers (and how long an idle
    /// connection stays open).
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body.
    pub body_timeout: Duration,
    /// The most failed enrolments from one address (an IPv6 /64) in `enrol_window`.
    pub enrol_failures: u32,
    /// The window failed enrolments are counted in.
    pub enrol_window: Duration,
    /// Requests a second one device may make to `/v1/sync`, `/v1/bootstrap` and the photos,
    /// on average.
    pub device_rate: u32,
    /// Requests one device may make at once before `device_rate` holds it back.
    pub device_burst: u32,
    /// The bytes of photos one device may keep at the relay: the photos it completed and its
    /// unfinished uploads. An upload past it is refused with 507 `photo_quota`.
    pub photo_bytes_per_device: u64,
    /// The bytes of photos the relay keeps in all, complete and unfinished, from every device.
    pub photo_bytes_total: u64,
    /// How many times one device may take a new actor (each retires one for good); a store
    /// restored more often than this is enrolled anew.
    pub max_actor_replacements: u64,
    /// How long a push request waits for the one it follows to be stored (see
    /// [`crate::push_order`]).
    pub follow_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            max_page_bytes: 4 * 1024 * 1024,
            max_page_rows: 20_000,
            max_wanted: 10_000,
            code_ttl_ms: 24 * 3600 * 1000,
            max_connections: 1024,
            header_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(60),
            enrol_failures: 5,
            enrol_window: Duration::from_secs(60),
            device_rate: 20,
            device_burst: 40,
            photo_bytes_per_device: 200 << 20,
            photo_bytes_total: 20 << 30,
            max_actor_replacements: 16,
            follow_wait: crate::push_order::FOLLOW_WAIT,
        }
    }
}

/// Characters of enrolment codes: no 0/O, 1/I/L, so that a code read aloud or off paper is
/// typed right.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a code, shown as three groups of four. Drawn uniformly from the 31
/// characters of [`CODE_ALPHABET`], a code holds 12 × log2(31) ≈ 59.4 bits: with failed
/// enrolments limited to a few a minute per address, guessing one of a community's live codes
/// stays out of reach.
pub const CODE_LEN: usize = 12;

/// Normalises a typed code: upper case, without spaces and dashes.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// What the relay stores of a code: its sha-256, hex. A copy of the database (a backup, a
/// migration) gives no one a code that still works.
pub fn code_digest(normalised: &str) -> String {
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

/// A code as printed, in groups of four: `ABCD-EFGH-JKMN`.
pub fn display_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The sha-256 of a token. Tokens are never compared in the relay's code: a device is found
/// by the hash of its token in storage, so a comparison's timing says nothing about a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The id prefix of an enrolled phone's device record (the relay's own stores and the office's
/// browser sessions have others).
pub const PHONE_DEVICE_PREFIX: &str = "dev-";

/// What a one-time code opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// Enrols a phone (`POST /v1/enrol`).
    Phone,
    /// Signs an office member in to the office's pages (see [`crate::office`]).
    Web,
}

impl CodePurpose {
    /// What the relay stores of a normalised code of this purpose: a code made for one
    /// purpose is unknown to the other (a sign-in code enrols no phone, and the reverse).
    pub fn digest(self, normalised: &str) -> String {
        match self {
            CodePurpose::Phone => code_digest(normalised),
            CodePurpose::Web => code_digest(&format!("web:{normalised}")),
        }
    }
}

/// Stores a new one-time code for `member_id` (who must be active), valid for `ttl_ms`.
pub fn issue_code(
    storage: &dyn RelayStorage,
    member_id: &str,
    active: bool,
    purpose: CodePurpose,
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
    storage.create_code(&purpose.digest(&code), member_id, now_ms, expires)?;
    Ok((code, expires))
}

/// The relay.
#[derive(Debug)]
pub struct Relay {
    /// The storage.
    pub storage: Arc<dyn RelayStorage>,
    /// The office replica.
    pub replica: Arc<Replica>,
    /// The judge's copies of the documents it judged last.
    pub judge: crate::judge::JudgeCache,
    /// Counters.
    pub metrics: Metrics,
    /// Limits.
    pub limits: Limits,
    /// Enrolment attempts per client address (see [`crate::limiter::address_key`]).
    pub enrol_attempts: FailureLimiter<IpAddr>,
    /// Requests per device.
    pub device_requests: RateLimiter<String>,
    /// The records erased, as far as this process has seen.
    pub erased: crate::erasure::ErasedIndex,
    /// Signs the passes phones ask for (none unless [`Relay::with_office_stores`] set it up).
    pub passes: crate::passes::PassIssuer,
    /// The office stores of the members who write from the office's pages (read-only pages
    /// unless [`Relay::with_office_stores`] set it up).
    pub office: crate::office::OfficeDesk,
    /// The order of each device's push requests sent before the last was answered.
    pub push_order: crate::push_order::PushOrder,
}

/// How many pages holding only a device's own changes (read, not sent back; each bounded by
/// the device's page size) one answer reads past before it stops.
const OWN_PAGES_PASSED: usize = 8;

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
            judge: crate::judge::JudgeCache::default(),
            metrics: Metrics::default(),
            limits: Limits::default(),
            enrol_attempts: FailureLimiter::new(),
            device_requests: RateLimiter::new(),
            erased: crate::erasure::ErasedIndex::default(),
            passes: crate::passes::PassIssuer::default(),
            office: crate::office::OfficeDesk::default(),
            push_order: crate::push_order::PushOrder::default(),
        })
    }

    /// The relay, writing through office stores of its own beside `db`'s: the passes gate
    /// leads ask for from their phones, recorded as the office member `admin_member` (see
    /// [`crate::passes::PassIssuer`]), and what office members do in the office's pages, each
    /// as themselves (see [`crate::office::OfficeDesk`]).
    pub fn with_office_stores(
        mut self,
        db: &Database,
        admin_member: &str,
    ) -> Result<Relay, RelayError> {
        self.passes = crate::passes::PassIssuer::new(db.local_store("passes")?, admin_member);
        self.office = crate::office::OfficeDesk::new(db);
        Ok(self)
    }

    /// Keeps what `device_id` said of itself with a sync request that pushed `pushed`
    /// changes: the office's devices page shows it.
    pub fn record_device_status(
        &self,
        device_id: &str,
        status: linli_core::sync::protocol::DeviceStatus,
        pushed: usize,
        now_ms: i64,
    ) -> Result<(), RelayError> {
        let pushed = u32::try_from(pushed).unwrap_or(u32::MAX);
        self.storage
            .record_device_report(&crate::storage::DeviceReport {
                device_id: device_id.to_owned(),
                at_ms: now_ms,
                app_version: status.app_version,
                outbox: status.outbox.saturating_sub(pushed),
                photos: status.photos,
                conflicts: status.conflicts,
            })
    }

    /// Signs and records the pass a device's member asks for (see [`crate::passes`]).
    pub fn issue_pass(
        &self,
        device: &Device,
        request: &linli_core::sync::protocol::PassRequest,
        now_ms: i64,
    ) -> Result<linli_core::sync::protocol::PassAnswer, RelayError> {
        self.check_member_active(device)?;
        let answer = self.passes.issue(&self.storage, device, request, now_ms)?;
        self.replica.feed_later(&self.storage);
        Ok(answer)
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
        if crate::office::is_browser_session(&device) {
            return Err(RelayError::new(
                StatusCode::UNAUTHORIZED,
                "browser_session",
                "a sign-in of the office's pages cannot sync: enrol the phone with its own code",
            ));
        }
        if device.revoked_ms.is_some() {
            let (code, what) = if device.wipe {
                (
                    DEVICE_WIPED,
                    "revoked by the office, and its data is to be erased",
                )
            } else {
                (DEVICE_REVOKED, "revoked by the office")
            };
            return Err(RelayError::new(
                StatusCode::UNAUTHORIZED,
                code,
                format!("device {} ({}) was {what}", device.device_id, device.name),
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
            CodePurpose::Phone,
            now_ms,
            self.limits.code_ttl_ms,
        )
    }

    /// A new token for `device`, which replaces the one it holds.
    pub fn rotate_token(&self, device: &Device) -> Result<TokenResponse, RelayError> {
        let token = hex::encode(rand::random::<[u8; 32]>());
        if !self
            .storage
            .rotate_token(&device.device_id, &token_hash(&token))?
        {
            return Err(RelayError::new(
                StatusCode::UNAUTHORIZED,
                DEVICE_REVOKED,
                format!("device {} was revoked by the office", device.device_id),
            ));
        }
        tracing::info!(device = %device.device_id, "device token rotated");
        Ok(TokenResponse { token })
    }

    /// Signs `device` out at its own request (its phone is being erased): its token stops
    /// working, as if the office had revoked it.
    pub fn sign_out(&self, device: &Device, now_ms: i64) -> Result<(), RelayError> {
        self.storage.revoke(&device.device_id, now_ms)?;
        tracing::info!(device = %device.device_id, "device signed out");
        Ok(())
    }

    /// Exchanges an enrolment code for a device token.
    pub fn enrol(&self, request: &EnrolRequest, now_ms: i64) -> Result<EnrolResponse, RelayError> {
        let name = request.device_name.trim();
        if name.is_empty()
            || name.chars().count() > 64
            || request.device_name.chars().any(char::is_control)
        {
            return Err(RelayError::bad_request(
                "bad_device_name",
                "a device name is 1 to 64 characters, without line breaks or control characters",
            ));
        }
        automerge::ActorId::try_from(request.actor_id.as_str()).map_err(|e| {
            RelayError::bad_request("bad_actor", format!("not a hex actor id: {e}"))
        })?;
        let token = hex::encode(rand::random::<[u8; 32]>());
        let device_id = format!(
            "{PHONE_DEVICE_PREFIX}{}",
            linli_core::ids::new_id(chrono::Utc::now()).to_lowercase()
        );
        let device = self.storage.redeem_code(
            &CodePurpose::Phone.digest(&normalise_code(&request.code)),
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

    /// Refuses a device whose member the office deactivated: told so plainly, before any of
    /// its changes are judged.
    fn check_member_active(&self, device: &Device) -> Result<(), RelayError> {
        // A member the directory does not name (an internal device's) is not refused here.
        let active = self.replica.read_directory(self.storage.as_ref(), |l, _| {
            Ok(l.member(&device.member_id).map(|m| m.active).ok())
        })?;
        if active == Some(false) {
            return Err(RelayError::new(
                StatusCode::FORBIDDEN,
                MEMBER_DEACTIVATED,
                format!(
                    "member {} was deactivated by the office: this phone can no longer sync; \
                     export its unsent work for the office",
                    device.member_id
                ),
            ));
        }
        Ok(())
    }

    /// Refuses a request from a store that writes with another actor than the device's: one
    /// the device retired (another copy of a restored or copied store took over), or any
    /// other. A request that names no actor (a tool's) is not checked.
    fn check_actor(&self, device: &Device, actor: &str) -> Result<(), RelayError> {
        if actor.is_empty() || actor == device.actor_id {
            return Ok(());
        }
        match self.storage.actor_retired(&device.device_id, actor)? {
            Some(at) => Err(RelayError::new(
                StatusCode::CONFLICT,
                ACTOR_RETIRED,
                format!(
                    "this store's actor {actor} was replaced at {at} ms: another copy of this \
                     phone's store (restored from a backup, or copied) took over device {}; \
                     export this copy's unsent work for the office and enrol this phone anew",
                    device.device_id
                ),
            )),
            None => Err(RelayError::bad_request(
                "foreign_actor",
                format!("actor {actor} is not device {}'s", device.device_id),
            )),
        }
    }

    /// Gives `device` a new actor in place of the one its restored or copied store wrote with.
    pub fn replace_actor(
        &self,
        device: &Device,
        request: &ActorRequest,
        now_ms: i64,
    ) -> Result<(), RelayError> {
        automerge::ActorId::try_from(request.new_actor.as_str()).map_err(|e| {
            RelayError::bad_request("bad_actor", format!("not a hex actor id: {e}"))
        })?;
        self.check_member_active(device)?;
        // Asked again after an answer that was lost: the replacement stands.
        if device.actor_id == request.new_actor
            && self
                .storage
                .actor_retired(&device.device_id, &request.old_actor)?
                .is_some()
        {
            return Ok(());
        }
        self.check_actor(device, &request.old_actor)?;
        if self.storage.retired_actor_count(&device.device_id)?
            >= self.limits.max_actor_replacements
        {
            return Err(RelayError::forbidden(
                "too_many_replacements",
                format!(
                    "device {} has taken a new actor {} times: enrol this phone anew",
                    device.device_id, self.limits.max_actor_replacements
                ),
            ));
        }
        if !self.storage.replace_actor(
            &device.device_id,
            &request.old_actor,
            &request.new_actor,
            now_ms,
        )? {
            return Err(RelayError::new(
                StatusCode::CONFLICT,
                ACTOR_RETIRED,
                format!(
                    "device {} no longer writes with actor {}",
                    device.device_id, request.old_actor
                ),
            ));
        }
        tracing::warn!(
            device = %device.device_id,
            old = %request.old_actor,
            new = %request.new_actor,
            "a restored or copied store took a new actor"
        );
        Ok(())
    }

    /// Checks and stores a push, then pulls a page (see the module documentation). A request
    /// that `follows` another of the device's (see [`crate::push_order`]) only pushes: its
    /// answer holds no page and says that more is to be pulled.
    pub fn sync(
        &self,
        device: &Device,
        mut request: SyncRequest,
        follows: bool,
        now_ms: i64,
    ) -> Result<SyncResponse, RelayError> {
        self.check_member_active(device)?;
        self.check_actor(device, &request.actor)?;
        if request.want.iter().map(|w| w.hashes.len()).sum::<usize>() > self.limits.max_wanted {
            return Err(RelayError::bad_request(
                "too_many_wanted",
                format!("ask for at most {} changes at once", self.limits.max_wanted),
            ));
        }
        // The replica's feed waits while this push is judged and its answer pulled.
        let _pushing = (!request.push.is_empty()).then(|| self.replica.pushing());
        let last = request.push.last().map(|c| change_key(&c.bytes));
        let judged = self.judge_push(device, std::mem::take(&mut request.push), now_ms)?;
        if let Some(last) = last {
            self.push_order.stored(&device.device_id, last);
        }
        let outcome = judged.outcome;
        if outcome.stored > 0 {
            self.replica.feed_later(&self.storage);
        }
        let mut response = if follows {
            SyncResponse {
                more: true,
                ..SyncResponse::default()
            }
        } else {
            let mut response = self.pull(device, &request)?;
            response.erased = self
                .storage
                .erased_after(request.erased_after, MAX_ERASED_PER_RESPONSE)?;
            response
        };
        response.stored = outcome.stored;
        response.duplicates = outcome.duplicates;
        response.refused = judged.refused;
        response.authored = u64::try_from(device.authored)
            .unwrap_or(0)
            .saturating_add(outcome.authored.into());
        self.metrics.changes(
            outcome.stored,
            outcome.duplicates,
            response.changes.len() + response.wanted.len(),
        );
        Ok(response)
    }

    /// A page of changes after the request's cursors in every readable scope, and the changes
    /// asked for by hash. A device's own changes are not sent back (unless pushed before it
    /// took its current actor), but its cursors move past them.
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
        // The bytes sent; the device's own changes are read past, not sent, and count only
        // towards the pages passed.
        let mut used = 0usize;
        let mut own_pages = 0usize;
        let mut response = SyncResponse::default();
        for scope in &readable {
            let from = cursors.get(scope.as_str()).copied().unwrap_or(unnamed_from);
            let head = heads.get(scope).copied().unwrap_or(0);
            if from >= head {
                continue;
            }
            if used >= budget || own_pages > OWN_PAGES_PASSED {
                response.more = true;
                break;
            }
            let mut after = from;
            // Whether the answer stops in this scope, short of its head.
            let mut stopped = false;
            loop {
                let rows = self.storage.read_scope(
                    scope,
                    after,
                    budget - used,
                    self.limits.max_page_rows,
                )?;
                let Some(last) = rows.last().map(|r| r.seq) else {
                    break;
                };
                let mut sent = false;
                for r in rows {
                    // What the device pushed before it took its current actor goes back too:
                    // its restored store may lack it.
                    if r.device_id != device.device_id || r.received_ms <= device.actor_since_ms {
                        used += r.change.bytes.len();
                        response.changes.push(r.change.into());
                        sent = true;
                    }
                }
                after = last;
                if !sent {
                    own_pages += 1;
                }
                if last >= head {
                    break;
                }
                // A page of the device's own changes only (after a large push) is passed
                // without a round trip for each, up to a bound over the whole answer.
                if sent || used >= budget || own_pages > OWN_PAGES_PASSED {
                    stopped = true;
                    break;
                }
            }
            if after > from {
                response.cursors.push(Cursor {
                    scope: scope.clone(),
                    seq: after,
                });
            }
            if stopped {
                response.more = true;
                break;
            }
        }
        if !response.more {
            response.mark = mark_now;
        }
        // Every hash asked for is looked up at once; each change found is sent if the device
        // may read its own scope, whatever document the request named it under.
        let hashes: Vec<[u8; 32]> = request
            .want
            .iter()
            .flat_map(|w| w.hashes.iter().copied())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !hashes.is_empty() {
            let readable: BTreeSet<&str> = readable.iter().map(String::as_str).collect();
            response.wanted.extend(
                self.storage
                    .changes_by_hash(&hashes)?
                    .into_iter()
                    .filter(|c| readable.contains(c.scope.as_str()))
                    .map(RemoteChange::from),
            );
        }
        Ok(response)
    }

    /// A page of snapshots of the documents the device may read.
    pub fn bootstrap(
        &self,
        device: &Device,
        request: &BootstrapRequest,
    ) -> Result<BootstrapResponse, RelayError> {
        self.check_member_active(device)?;
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
