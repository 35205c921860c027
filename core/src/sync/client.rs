//! The phone's sync client. One [`SyncClient::sync`] call:
//!
//! 1. bootstraps from per-document snapshots when the device has never pulled anything;
//! 2. pushes the outbox in chunks and, in the same requests, pulls every readable scope after
//!    the device's cursors, page by page; each page is applied in one transaction that also
//!    moves the cursors, and the outbox is acknowledged only once the relay answered;
//! 3. asks again for changes whose dependencies were missing;
//! 4. uploads photos taken here that records name (resumable, in chunks, started over once
//!    when the relay rejects the resumed upload) and downloads photos that records reference
//!    but that have not arrived; a photo the relay refuses (not allowed, over the quota) is
//!    reported in the summary, and the others go on.
//!
//! Every step is idempotent, so a sync cut at any point leaves a consistent store and the next
//! sync completes it. Requests time out, are retried with exponential backoff when the network
//! or the relay failed (never when the relay refused them, nor on 507: it keeps no more
//! photos), and the whole sync can be cancelled.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::protocol::{
    self, ACTOR_RETIRED, ActorRequest, BootstrapRequest, BootstrapResponse, Cursor, DEVICE_REVOKED,
    DEVICE_WIPED, EnrolRequest, EnrolResponse, ErrorBody, FOLLOWS_UNANSWERED, LogMark, MEDIA_TYPE,
    MEMBER_DEACTIVATED, PROTOCOL_VERSION, SyncRequest, SyncResponse, TokenResponse, VERSION_HEADER,
    Wanted,
};
use crate::api::Linli;
use crate::error::Error;
use crate::rules::RefusalCode;
use crate::store::RemoteChange;
use crate::sync::pipeline::{Acknowledging, Carrying, ReadAhead, Sent, outbox_chunk};
use crate::sync::push_size::PushSize;

/// How a sync talks to the relay.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The relay's base URL, e.g. `http://127.0.0.1:8787`.
    pub server: String,
    /// The device token from enrolment.
    pub token: String,
    /// The most change bytes per pulled page.
    pub page_bytes: u32,
    /// The most change bytes of a sync's first push request.
    pub push_bytes: usize,
    /// The most change bytes a push request grows to while the relay answers quickly (see
    /// [`super::push_size`]); at most `push_bytes` keeps every request at `push_bytes`.
    pub max_push_bytes: usize,
    /// The bytes of a photo sent per upload request.
    pub photo_chunk_bytes: usize,
    /// Timeout of one request.
    pub request_timeout: Duration,
    /// Retries of a request that failed for network or server reasons.
    pub retries: u32,
    /// The first retry's delay; each next one doubles it.
    pub backoff: Duration,
    /// The longest delay between two retries.
    pub max_backoff: Duration,
    /// The app's version, told to the relay with every sync (the office sees it per device).
    pub app_version: String,
}

impl SyncOptions {
    /// Options with the defaults for `server` and `token`.
    pub fn new(server: impl Into<String>, token: impl Into<String>) -> SyncOptions {
        SyncOptions {
            server: server.into().trim_end_matches('/').to_owned(),
            token: token.into(),
            page_bytes: 512 * 1024,
            push_bytes: 512 * 1024,
            max_push_bytes: 4 * 1024 * 1024,
            photo_chunk_bytes: 256 * 1024,
            request_timeout: Duration::from_secs(30),
            retries: 4,
            backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// What a sync is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPhase {
    /// Loading snapshots on a new device (documents).
    Bootstrap,
    /// Pushing local changes (changes).
    Push,
    /// Pulling others' changes (changes).
    Pull,
    /// Uploading photos (photos).
    PhotosUp,
    /// Downloading photos (photos).
    PhotosDown,
}

impl SyncPhase {
    /// The phase's label for the user.
    pub fn label_zh(self) -> &'static str {
        match self {
            SyncPhase::Bootstrap => "正在下载初始数据",
            SyncPhase::Push => "正在上传",
            SyncPhase::Pull => "正在下载",
            SyncPhase::PhotosUp => "正在上传照片",
            SyncPhase::PhotosDown => "正在下载照片",
        }
    }
}

/// Progress: items done in the phase, and the total when known (0 when not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncProgress {
    /// The phase.
    pub phase: SyncPhase,
    /// Items done.
    pub done: u64,
    /// Items in all, or 0 when unknown.
    pub total: u64,
}

/// What a sync achieved: the "is my work safely at the office" answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Local changes the relay now has (stored or already had).
    pub pushed: u64,
    /// Changes received and applied.
    pub pulled: u64,
    /// Documents loaded from snapshots.
    pub bootstrapped_docs: u64,
    /// Changes still waiting in the outbox (0 after a complete sync).
    pub outbox_left: u64,
    /// Changes held for missing dependencies.
    pub held: u64,
    /// Open conflicts on this device.
    pub conflicts_open: u64,
    /// Photos not yet uploaded, or referenced but not yet downloaded.
    pub photos_pending: u64,
    /// Changes set aside on this device: received ones it could not apply and its own the
    /// relay refused ("未被接受的修改"; see [`Linli::set_aside_changes`]).
    pub set_aside: u64,
    /// When the relay last answered a complete sync (ms since the epoch).
    pub last_contact_ms: Option<i64>,
    /// Photos this sync could not move because the relay refused them (not allowed, over the
    /// quota, refused again after starting over); they stay pending and the next sync tries
    /// again, while everything else syncs.
    pub photo_problems: Vec<PhotoProblem>,
    /// This store turned out restored from a backup or copied (the relay had more of its
    /// changes than it holds, or refused one as repeating a sequence number): it now writes
    /// with a new actor and pulled again what it lacked.
    pub actor_replaced: bool,
    /// Records the office erased that this store held: deleted from it.
    pub records_erased: u64,
    /// Changes of this store to records the office had erased while it was offline: refused
    /// by the relay and dropped with the record.
    pub dropped_erased: u64,
}

/// Erases the store of a device the office revoked and had erased: nothing of it stays
/// readable. The caller is told `DeviceWiped` even when erasing failed, so that the app deletes
/// the files.
fn erase_wiped(linli: &Linli) {
    match linli.erase() {
        Ok(()) => tracing::warn!("the office revoked this device and had its data erased"),
        Err(e) => tracing::error!(error = %e, "erasing the revoked device's store failed"),
    }
}

/// What signing out did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignOut {
    /// The store was erased (the app then deletes its files and the token).
    pub erased: bool,
    /// Changes and photos that had not reached the relay: lost when `erased`, otherwise
    /// waiting for the person to insist or to find a connection.
    pub unsent: u64,
}

/// A photo the relay refused to take or to give, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoProblem {
    /// The photo's sha-256.
    pub hash: String,
    /// Whether it was being uploaded (else downloaded).
    pub upload: bool,
    /// The relay's code: `photo_quota`, `photo_forbidden`, `wrong_offset`, …
    pub code: String,
    /// The relay's explanation.
    pub message: String,
}

impl SyncSummary {
    /// One line for the user, in Chinese.
    pub fn line_zh(&self) -> String {
        let safe = if self.outbox_left == 0 {
            "本机记录已全部送达"
        } else {
            "仍有记录未送达"
        };
        let line = format!(
            "{safe}：上传 {} 条，下载 {} 条，待上传 {} 条，冲突 {} 处，照片待同步 {} 张",
            self.pushed, self.pulled, self.outbox_left, self.conflicts_open, self.photos_pending
        );
        let mut line = if self.set_aside == 0 {
            line
        } else {
            format!("{line}，未被接受的修改 {} 条", self.set_aside)
        };
        if !self.photo_problems.is_empty() {
            let quota = self.photo_problems.iter().any(|p| p.code == "photo_quota");
            line.push_str(&format!(
                "，照片未能同步 {} 张{}",
                self.photo_problems.len(),
                if quota {
                    "（照片空间已满）"
                } else {
                    ""
                }
            ));
        }
        if self.records_erased > 0 {
            line.push_str(&format!(
                "，按居委会要求删除记录 {} 条",
                self.records_erased
            ));
        }
        if self.dropped_erased > 0 {
            line.push_str(&format!(
                "，{} 条修改因记录已被删除而作废",
                self.dropped_erased
            ));
        }
        if self.actor_replaced {
            line.push_str("；本机数据曾被恢复或复制，已改用新的身份并重新下载");
        }
        line
    }
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The office revoked this device: offer to wipe its local data ([`crate::wipe_store`]).
    #[error("此设备已被注销 (this device was revoked): {0}")]
    DeviceRevoked(String),
    /// The office revoked this device and had its data erased (a lost or stolen phone): the
    /// store was erased before this was returned; close it and delete it
    /// ([`crate::wipe_store`]), then return to enrolment.
    #[error("此设备已被注销，本机数据已清除 (this device was revoked and its data erased): {0}")]
    DeviceWiped(String),
    /// The office deactivated this device's member: the phone can no longer sync; its unsent
    /// work can be exported for the office ([`Linli::export_unsent`]).
    #[error("此成员已被停用 (this member was deactivated): {0}")]
    MemberDeactivated(String),
    /// Another copy of this store (restored from a backup, or copied to another phone) took
    /// over the device: this copy can no longer sync; export its unsent work and enrol anew.
    #[error("此手机的数据已被另一副本接管 (another copy of this store took over): {0}")]
    StoreReplaced(String),
    /// The token is missing or unknown.
    #[error("not signed in: {0}")]
    Unauthorized(String),
    /// The relay refused the request; retrying will not help.
    #[error("the relay refused the request ({status} {code}): {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Error code.
        code: String,
        /// What was wrong.
        message: String,
    },
    /// The relay could not be reached or kept failing.
    #[error("cannot reach the relay: {0}")]
    Network(String),
    /// The relay asks this device to wait before it tries again (too many requests, or too
    /// many wrong enrolment codes from its address), longer than a call waits on its own:
    /// nothing is lost; the phone says when to try again.
    #[error("the relay asks to wait {wait_secs} s before trying again ({code})")]
    Busy {
        /// The wait the relay asked for, in whole seconds.
        wait_secs: u64,
        /// The relay's code: `rate_limited` (this device's requests) or `too_many_attempts`
        /// (wrong codes from this address).
        code: String,
    },
    /// The sync was cancelled; what was applied stays applied.
    #[error("sync cancelled")]
    Cancelled,
    /// The local store failed.
    #[error(transparent)]
    Local(#[from] Error),
}

/// The result of a sync step.
pub type SyncResult<T> = std::result::Result<T, SyncError>;

/// The settings key saying the device has loaded its first snapshots.
const BOOTSTRAPPED: &str = "bootstrapped";
/// The settings key of the last successful contact.
const LAST_CONTACT: &str = "last_contact_ms";
/// The settings key of the last point of the log the relay said this device stands at
/// (`seq directory`; empty when there is none).
pub(super) const LOG_MARK: &str = "log_mark";
/// The actor this store asked the relay for and has not taken yet.
const PENDING_ACTOR: &str = "pending_actor";

pub(super) fn stored_mark(linli: &Linli) -> crate::Result<Option<LogMark>> {
    Ok(linli.sync_setting(LOG_MARK)?.and_then(|v| {
        let (seq, directory) = v.split_once(' ')?;
        Some(LogMark {
            seq: seq.parse().ok()?,
            directory: directory.parse().ok()?,
        })
    }))
}

fn keep_mark(linli: &Linli, mark: Option<LogMark>) -> crate::Result<()> {
    linli.set_sync_setting(LOG_MARK, &mark_value(mark))
}

/// How a mark is kept (empty: none).
pub(super) fn mark_value(mark: Option<LogMark>) -> String {
    mark.map_or(String::new(), |m| format!("{} {}", m.seq, m.directory))
}

/// A client for one relay and one device token.
#[derive(Debug, Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    options: SyncOptions,
}

fn http_client(timeout: Duration) -> SyncResult<reqwest::Client> {
    // One TLS provider for the process; a second install attempt is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| SyncError::Network(e.to_string()))
}

/// Exchanges a one-time enrolment code for a device token.
pub async fn enrol(
    server: &str,
    code: &str,
    device_name: &str,
    actor_id: &str,
) -> SyncResult<EnrolResponse> {
    let options = SyncOptions::new(server, "");
    let client = SyncClient {
        http: http_client(options.request_timeout)?,
        options,
    };
    let request = EnrolRequest {
        code: code.trim().to_owned(),
        device_name: device_name.to_owned(),
        actor_id: actor_id.to_owned(),
    };
    client
        .call("/v1/enrol", &request, &CancellationToken::new())
        .await
}

impl SyncClient {
    /// A client with `options`.
    pub fn new(options: SyncOptions) -> SyncResult<SyncClient> {
        Ok(SyncClient {
            http: http_client(options.request_timeout)?,
            options,
        })
    }

    /// The options.
    pub fn options(&self) -> &SyncOptions {
        &self.options
    }

    /// Asks the relay for a new device token. The token this client holds stops working at
    /// once: keep the new one (in the platform's keystore) and make a new client with it. A
    /// device the office revoked for erasure erases `linli` here too, as a sync would.
    pub async fn rotate_token(
        &self,
        linli: &Linli,
        cancel: &CancellationToken,
    ) -> SyncResult<String> {
        let answer: SyncResult<TokenResponse> = self.call("/v1/token", &(), cancel).await;
        if let Err(SyncError::DeviceWiped(_)) = &answer {
            erase_wiped(linli);
        }
        Ok(answer?.token)
    }

    /// Asks the relay to sign the pass `input` describes (a gate lead for their gates, the
    /// office for any): the relay checks it for this device's member, signs it and records it
    /// in the holder's household, which reaches the phones at their next sync. Needs the
    /// network: the community's signing key stays on the relay.
    pub async fn issue_pass(
        &self,
        input: &crate::api::passes::PassInput,
        cancel: &CancellationToken,
    ) -> SyncResult<protocol::PassAnswer> {
        self.call("/v1/passes", &protocol::PassRequest::new(input), cancel)
            .await
    }

    /// Signs this phone out and erases its store ("退出并清除本机数据"): a sync first, so that
    /// what it holds reaches the office, then the relay is told (the token stops working) and
    /// the store is erased as for a revoked phone ([`Linli::erase`]). When the sync cannot
    /// finish (offline, the relay refusing) and changes or photos would be lost, nothing is
    /// erased unless `force`: the answer says how many, for the person to decide.
    pub async fn sign_out(
        &self,
        linli: &Arc<Linli>,
        force: bool,
        cancel: &CancellationToken,
    ) -> SyncResult<SignOut> {
        let synced = self.sync(linli, &|_| {}, cancel).await;
        if let Err(SyncError::DeviceWiped(_)) = synced {
            // The office had it erased already.
            return Ok(SignOut {
                erased: true,
                unsent: 0,
            });
        }
        let unsent = linli.outbox_len()? + linli.photos_to_upload()?.len() as u64;
        if unsent > 0 && !force {
            return Ok(SignOut {
                erased: false,
                unsent,
            });
        }
        if synced.is_ok()
            && let Err(e) = self.call::<(), ()>("/v1/sign-out", &(), cancel).await
        {
            // Erased all the same: the app forgets the token with the store.
            tracing::warn!(error = %e, "the relay was not told of the sign-out");
        }
        linli.erase()?;
        Ok(SignOut {
            erased: true,
            unsent,
        })
    }

    /// Runs one complete sync of `linli` (see the module documentation).
    pub async fn sync(
        &self,
        linli: &Arc<Linli>,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> SyncResult<SyncSummary> {
        let result = self.sync_once(linli, progress, cancel).await;
        if let Err(SyncError::DeviceWiped(_)) = &result {
            erase_wiped(linli);
        }
        result
    }

    async fn sync_once(
        &self,
        linli: &Arc<Linli>,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> SyncResult<SyncSummary> {
        let mut summary = SyncSummary::default();
        if linli.sync_setting(PENDING_ACTOR)?.is_some() {
            // A replacement whose answer was lost is finished first.
            self.replace_actor(linli, cancel).await?;
            summary.actor_replaced = true;
        }
        if linli.sync_setting(BOOTSTRAPPED)?.is_none() {
            summary.bootstrapped_docs = self.bootstrap(linli, progress, cancel).await?;
            linli.set_sync_setting(BOOTSTRAPPED, "1")?;
        }
        self.push_and_pull(linli, &mut summary, progress, cancel)
            .await?;
        // Tickets closed long ago leave the phone (they stay on the relay).
        let pruned = linli.prune_closed_tickets()?;
        if pruned > 0 {
            tracing::info!(tickets = pruned, "closed tickets left this phone");
        }
        self.upload_photos(linli, &mut summary, progress, cancel)
            .await?;
        self.download_photos(linli, &mut summary, progress, cancel)
            .await?;
        let now = linli.now().timestamp_millis();
        linli.set_sync_setting(LAST_CONTACT, &now.to_string())?;
        Ok(self.fill_summary(linli, summary)?)
    }

    /// The summary of the device's state without syncing.
    pub fn fill_summary(
        &self,
        linli: &Linli,
        mut summary: SyncSummary,
    ) -> crate::Result<SyncSummary> {
        summary.outbox_left = linli.outbox_len()?;
        summary.held = linli.held_count()?;
        summary.conflicts_open = linli.open_conflicts()?.len() as u64;
        summary.set_aside = linli.set_aside_count()?;
        summary.photos_pending =
            (linli.photos_to_upload()?.len() + linli.missing_photos()?.len()) as u64;
        summary.last_contact_ms = linli
            .sync_setting(LAST_CONTACT)?
            .and_then(|v| v.parse().ok());
        Ok(summary)
    }

    async fn bootstrap(
        &self,
        linli: &Arc<Linli>,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> SyncResult<u64> {
        let mut lowest: std::collections::BTreeMap<String, i64> = Default::default();
        let mut docs = 0u64;
        let request = |after_doc: Option<String>| BootstrapRequest {
            after_doc,
            page_bytes: self.options.page_bytes,
        };
        let mut page: BootstrapResponse =
            self.call("/v1/bootstrap", &request(None), cancel).await?;
        loop {
            for c in &page.cursors {
                let seq = lowest.entry(c.scope.clone()).or_insert(c.seq);
                *seq = (*seq).min(c.seq);
            }
            docs += page.docs.len() as u64;
            let next_after = page.next_after.take();
            // The cursors are kept with the last page only: a bootstrap cut short starts over.
            let cursors: Vec<Cursor> = if next_after.is_none() {
                lowest
                    .iter()
                    .map(|(scope, seq)| Cursor {
                        scope: scope.clone(),
                        seq: *seq,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let docs_page = std::mem::take(&mut page.docs);
            let apply = off_thread(linli, move |l| l.apply_bootstrap(&docs_page, &cursors));
            // The next page is on its way while this one is applied; pages still apply in order.
            let next = match next_after {
                None => {
                    apply.await?;
                    None
                }
                Some(after) => {
                    let next_request = request(Some(after));
                    let fetch =
                        self.call::<_, BootstrapResponse>("/v1/bootstrap", &next_request, cancel);
                    let (applied, fetched) = tokio::join!(apply, fetch);
                    applied?;
                    Some(fetched?)
                }
            };
            progress(SyncProgress {
                phase: SyncPhase::Bootstrap,
                done: docs,
                total: 0,
            });
            match next {
                Some(p) => page = p,
                None => return Ok(docs),
            }
        }
    }

    async fn push_and_pull(
        &self,
        linli: &Arc<Linli>,
        summary: &mut SyncSummary,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> SyncResult<()> {
        let mut acks = Acknowledging::default();
        let result = self
            .push_and_pull_acking(linli, summary, progress, cancel, &mut acks)
            .await;
        // An acknowledgement under way ends before the sync does, also when it failed.
        let settled = acks.settle().await;
        result.and(settled)
    }

    async fn push_and_pull_acking(
        &self,
        linli: &Arc<Linli>,
        summary: &mut SyncSummary,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: &CancellationToken,
        acks: &mut Acknowledging,
    ) -> SyncResult<()> {
        let to_push = linli.outbox_len()?;
        // Read once (and again when replaced): the store hands its actor out under the
        // writer's lock, which an answer being kept holds.
        let mut actor = linli.actor_id();
        let mut asked: BTreeSet<[u8; 32]> = BTreeSet::new();
        let mut want: Vec<Wanted> = Vec::new();
        let mut restored = false;
        let mut size = PushSize::first(self.options.push_bytes);
        let mut may_grow = true;
        let mut read_ahead: Option<ReadAhead> = None;
        // A request sent before the last was answered, and whether the relay takes such.
        let mut ahead: Option<Sent> = None;
        let mut relay_follows = false;
        // Cleared for the rest of the sync once a request sent ahead was not taken.
        let mut may_follow = true;
        // The largest bound in bytes of a push request answered in this sync.
        let mut answered_bytes = 0;
        let first = PushSize::first(self.options.push_bytes);
        loop {
            let mut current = match ahead.take() {
                Some(sent) => sent,
                None => {
                    // Full: the outbox holds more than this request carries.
                    let after = acks.answered_through;
                    let (chunk, full) = match read_ahead.take().and_then(|r| r.take(after, size)) {
                        Some(rows) => rows,
                        None => outbox_chunk(linli, after, size)?,
                    };
                    // With a mark, only the cursors that moved past it travel: a reconnect
                    // costs what changed, not one cursor per scope.
                    let (since, cursors) = acks.position(linli)?;
                    let cursors = cursors
                        .into_iter()
                        .filter(|c| since.is_none_or(|m| c.seq > m.seq))
                        .collect();
                    let (request, carrying) =
                        self.push_request(linli, &actor, chunk, full, size)?;
                    let request = SyncRequest {
                        cursors,
                        since,
                        want: std::mem::take(&mut want),
                        ..request
                    };
                    self.send_push(linli, request, carrying, after, None, cancel)?
                }
            };
            // Once a request of this size in bytes was answered, the next one is sent now,
            // while this one is judged (a link that drops large requests loses one, not two);
            // otherwise its rows are read while this one travels.
            let steady = current.bounds.bytes <= answered_bytes;
            let reading = match current.last_seq.filter(|_| current.full) {
                Some(seq) if relay_follows && may_follow && steady => {
                    let (chunk, full) = outbox_chunk(linli, seq, current.bounds)?;
                    let (request, carrying) =
                        self.push_request(linli, &actor, chunk, full, current.bounds)?;
                    ahead = Some(self.send_push(
                        linli,
                        request,
                        carrying,
                        seq,
                        Some(&current),
                        cancel,
                    )?);
                    None
                }
                Some(seq) => {
                    let bounds = if may_grow {
                        size.next(
                            Duration::ZERO,
                            true,
                            self.options.push_bytes,
                            self.options.max_push_bytes,
                        )
                    } else {
                        size
                    };
                    Some(ReadAhead::start(linli, seq, bounds))
                }
                None => None,
            };
            let answer = current.answer().await;
            // Rows that could not be read ahead are read again when needed.
            read_ahead = match reading {
                Some(reading) => match reading.await {
                    Ok(Ok(rows)) => Some(rows),
                    Ok(Err(e)) => {
                        tracing::debug!("reading the next push request ahead: {e}");
                        None
                    }
                    Err(e) => {
                        tracing::debug!("reading the next push request ahead: {e}");
                        None
                    }
                },
                None => None,
            };
            let request = &current.request;
            let (last_seq, full, pushed) =
                (current.last_seq, current.full, request.push.len() as u64);
            let response: SyncResponse = match answer {
                Ok((response, follows)) => {
                    relay_follows |= follows;
                    response
                }
                Err(SyncError::Network(failure)) if current.grown => {
                    tracing::debug!(%failure, "a grown push request failed: back to the first size");
                    size = first;
                    may_grow = false;
                    // (A request sent ahead carries none: what was asked for since stays.)
                    want.extend(current.request.want.iter().cloned());
                    ahead = None;
                    continue;
                }
                // The request it follows was not stored in time (it failed, or is judged
                // elsewhere): sent again after it, and no request goes ahead for the rest of
                // this sync.
                Err(SyncError::Rejected { code, .. })
                    if current.follows && code == FOLLOWS_UNANSWERED =>
                {
                    may_follow = false;
                    ahead = None;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if pushed > 0 {
                answered_bytes = answered_bytes.max(current.bounds.bytes);
            }
            if pushed > 0 && may_grow {
                size = size.next(
                    current.sent.elapsed(),
                    full,
                    self.options.push_bytes,
                    self.options.max_push_bytes,
                );
            }
            // The outbox is touched for this answer once the last one's acknowledgement is done.
            acks.settle().await?;
            let mut outbox_empty = last_seq.is_none();
            // The relay logged more of this actor's changes than the store holds, or one of
            // them repeats a sequence number it logged: the store was restored or copied.
            restored |= response.authored > request.authored
                || response
                    .refused
                    .iter()
                    .any(|r| r.code == RefusalCode::DuplicateSeq.as_str());
            if !response.refused.is_empty() || !response.erased.is_empty() {
                // Setting changes aside and erasing records take rows out of the outbox.
                read_ahead = None;
            }
            if !response.refused.is_empty() {
                // Kept aside with the relay's reason, and the records rebuilt without them,
                // before the rest of the chunk is acknowledged.
                linli.set_aside_refused(&request.push, &response.refused)?;
                summary.dropped_erased += response
                    .refused
                    .iter()
                    .filter(|r| r.code == RefusalCode::Erased.as_str())
                    .count() as u64;
            }
            if let Some(seq) = last_seq {
                acks.answered_through = seq;
                outbox_empty = linli.outbox_len_after(seq)? == 0;
                summary.pushed += pushed;
                progress(SyncProgress {
                    phase: SyncPhase::Push,
                    done: summary.pushed,
                    total: to_push,
                });
            }
            // Erased records go, with whatever of them was set aside or still waiting.
            summary.records_erased += linli.apply_erasures(&response.erased)? as u64;
            let more = response.more;
            let resend = response.resend_cursors;
            // Kept after the cursors (or with them): a stop in between leaves the older mark,
            // which only makes the relay send again what this device has.
            let mark = (resend || response.mark.is_some()).then_some(response.mark);
            let received = response.changes.len() + response.wanted.len();
            let batch: Vec<RemoteChange> = response
                .changes
                .into_iter()
                .chain(response.wanted)
                .collect();
            let nothing_to_keep =
                last_seq.is_none() && response.cursors.is_empty() && mark.is_none();
            let outcome = if batch.is_empty() && nothing_to_keep {
                crate::ApplyOutcome::default()
            } else if batch.is_empty() {
                // Nothing to apply (a push's answer): the acknowledgement, the cursors and the
                // mark are written while the next request travels. Deleting thousands of
                // answered outbox rows took the phone about a tenth of the relay's time for
                // the request.
                acks.start(linli, last_seq, response.cursors, mark);
                crate::ApplyOutcome::default()
            } else {
                if let Some(seq) = last_seq {
                    linli.ack_outbox(seq)?;
                }
                let outcome = apply(linli, batch, response.cursors).await?;
                if let Some(mark) = mark {
                    keep_mark(linli, mark)?;
                }
                outcome
            };
            summary.pulled += outcome.applied as u64;
            if received > 0 {
                progress(SyncProgress {
                    phase: SyncPhase::Pull,
                    done: summary.pulled,
                    total: 0,
                });
            }
            for (doc_id, hashes) in outcome.missing {
                let fresh: Vec<[u8; 32]> = hashes
                    .iter()
                    .map(|h| h.0)
                    .filter(|h| asked.insert(*h))
                    .collect();
                if !fresh.is_empty() {
                    want.push(Wanted {
                        doc_id,
                        hashes: fresh,
                    });
                }
            }
            // Once what the old actor wrote is pushed, the store takes a new actor and pulls
            // everything again: what it lost comes back, and its next changes repeat nothing.
            if restored && outbox_empty {
                ahead = None;
                acks.settle().await?;
                self.replace_actor(linli, cancel).await?;
                actor = linli.actor_id();
                restored = false;
                summary.actor_replaced = true;
                want.clear();
                asked.clear();
                continue;
            }
            // Done when nothing is left to push or pull: a sync that pushed its last chunk and
            // got the last page in the same answer ends in one round trip.
            if outbox_empty && !more && !resend && want.is_empty() {
                return Ok(());
            }
        }
    }

    /// A push request carrying the outbox rows `chunk` (read within `bounds`; `full`: the
    /// outbox held more), with no cursors, mark or want, and what it carries.
    fn push_request(
        &self,
        linli: &Linli,
        actor: &str,
        chunk: Vec<(i64, RemoteChange)>,
        full: bool,
        bounds: PushSize,
    ) -> SyncResult<(SyncRequest, Carrying)> {
        let first = PushSize::first(self.options.push_bytes);
        let push_bytes: usize = chunk.iter().map(|(_, c)| c.bytes.len()).sum();
        let carrying = Carrying {
            last_seq: chunk.last().map(|(seq, _)| *seq),
            full,
            bounds,
            // A change alone larger than a first request cannot go in a smaller one: its
            // request is tried again like a first one (with retries after a pause), not sent
            // again at once at "the first size", which it would still exceed.
            grown: chunk.len() > first.changes || (push_bytes > first.bytes && chunk.len() > 1),
        };
        let request = SyncRequest {
            push: chunk.into_iter().map(|(_, c)| c).collect(),
            cursors: Vec::new(),
            since: None,
            want: Vec::new(),
            page_bytes: self.options.page_bytes,
            actor: actor.to_owned(),
            authored: linli.authored_changes()?,
            erased_after: linli.erased_seq()?,
        };
        Ok((request, carrying))
    }

    /// Sends a push request, telling the relay what the phone holds after the outbox row
    /// `answered_through` and naming the request it `follows`, if any. A request larger than
    /// the first size that fails is not sent again as it was: the push goes on at the first
    /// size for the rest of this sync, so that a signal lost after a fast start costs small
    /// requests, not up to 4 MiB each time (the first-size requests get the usual retries).
    fn send_push(
        &self,
        linli: &Linli,
        request: SyncRequest,
        carrying: Carrying,
        answered_through: i64,
        follows: Option<&Sent>,
        cancel: &CancellationToken,
    ) -> SyncResult<Sent> {
        let status = self.device_status(linli, answered_through)?;
        let retries = if carrying.grown {
            0
        } else {
            self.options.retries
        };
        Ok(Sent::send(
            self, request, carrying, &status, follows, retries, cancel,
        ))
    }

    /// Has the relay retire this store's actor for a new one, which the store then writes
    /// with; its cursors and mark are forgotten, so that it pulls everything again.
    async fn replace_actor(&self, linli: &Linli, cancel: &CancellationToken) -> SyncResult<()> {
        // Kept before it is asked for, so that a lost answer is asked again with the same
        // actor (the relay then answers that it stands) instead of a second one.
        let new_actor = match linli.sync_setting(PENDING_ACTOR)? {
            Some(actor) => actor,
            None => {
                let actor = Linli::new_actor_id();
                linli.set_sync_setting(PENDING_ACTOR, &actor)?;
                actor
            }
        };
        let request = ActorRequest {
            old_actor: linli.actor_id(),
            new_actor: new_actor.clone(),
        };
        let () = self.call("/v1/actor", &request, cancel).await?;
        linli.replace_actor(&new_actor, &[LOG_MARK, PENDING_ACTOR])?;
        tracing::warn!(
            old = %request.old_actor,
            new = %new_actor,
            "this store was restored or copied: it writes with a new actor and pulls again"
        );
        Ok(())
    }

    /// Uploads the photos taken here that a record names (one no record names yet waits: the
    /// relay takes only photos that records name). A photo the relay refuses is reported in
    /// `summary` and stays pending; the other photos go on.
    async fn upload_photos(
        &self,
        linli: &Arc<Linli>,
        summary: &mut SyncSummary,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> SyncResult<()> {
        let pending = linli.photos_to_upload()?;
        for (i, hash) in pending.iter().enumerate() {
            let crate::api::photos::Photo::Available(bytes) = linli.photo(hash)? else {
                continue;
            };
            if linli.documents_naming_photo(hash)?.is_empty() {
                continue;
            }
            match self.upload_photo(hash, &bytes, cancel).await {
                Ok(()) => linli.mark_photo_uploaded(hash)?,
                Err(SyncError::Rejected { code, message, .. }) => {
                    tracing::warn!(photo = %hash, %code, "the relay refused a photo upload");
                    summary.photo_problems.push(PhotoProblem {
                        hash: hash.clone(),
                        upload: true,
                        code,
                        message,
                    });
                }
                Err(e) => return Err(e),
            }
            progress(SyncProgress {
                phase: SyncPhase::PhotosUp,
                done: i as u64 + 1,
                total: pending.len() as u64,
            });
        }
        Ok(())
    }

    /// Uploads one photo, resuming where this device's upload at the relay ends. When the relay
    /// rejects the resumed upload (409: it holds another offset or size; 422: the bytes did not
    /// match the name), the upload starts again from offset 0, once.
    async fn upload_photo(
        &self,
        hash: &str,
        bytes: &[u8],
        cancel: &CancellationToken,
    ) -> SyncResult<()> {
        match self.upload_from(hash, bytes, None, cancel).await {
            Err(SyncError::Rejected {
                status: 409 | 422,
                code,
                ..
            }) => {
                tracing::debug!(photo = %hash, %code, "starting the photo's upload again");
                self.upload_from(hash, bytes, Some(0), cancel).await
            }
            other => other,
        }
    }

    /// Sends `bytes` in chunks from `start`, or from where the relay's copy ends (`HEAD`).
    async fn upload_from(
        &self,
        hash: &str,
        bytes: &[u8],
        start: Option<usize>,
        cancel: &CancellationToken,
    ) -> SyncResult<()> {
        let url = format!("{}/v1/blobs/{hash}", self.options.server);
        let mut offset = match start {
            Some(offset) => offset,
            // 404: nothing of it arrived yet.
            None => self
                .send_allowing(
                    cancel,
                    self.options.retries,
                    || self.http.head(&url),
                    StatusCode::NOT_FOUND,
                    |r| async move {
                        Ok(r.headers()
                            .get("upload-offset")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0))
                    },
                )
                .await?
                .unwrap_or(0),
        };
        let total = bytes.len();
        if offset > total {
            offset = 0;
        }
        while offset < total {
            let end = (offset + self.options.photo_chunk_bytes).min(total);
            let chunk = bytes[offset..end].to_vec();
            let at = offset;
            self.send(
                cancel,
                self.options.retries,
                || {
                    self.http
                        .put(format!("{url}?offset={at}&total={total}"))
                        .body(chunk.clone())
                },
                |_| async { Ok(()) },
            )
            .await?;
            offset = end;
        }
        Ok(())
    }

    /// Downloads the photos that records here name but whose bytes have not arrived. One the
    /// relay has not received yet (404) stays pending; one it refuses is reported in `summary`
    /// and stays pending too; the other photos go on.
    async fn download_photos(
        &self,
        linli: &Arc<Linli>,
        summary: &mut SyncSummary,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> SyncResult<()> {
        let missing = linli.missing_photos()?;
        for (i, hash) in missing.iter().enumerate() {
            let url = format!("{}/v1/blobs/{hash}", self.options.server);
            let got = self
                .send_allowing(
                    cancel,
                    self.options.retries,
                    || self.http.get(&url),
                    StatusCode::NOT_FOUND,
                    |r| async move {
                        r.bytes()
                            .await
                            .map(|b| b.to_vec())
                            .map_err(|e| SyncError::Network(e.to_string()))
                    },
                )
                .await;
            match got {
                Ok(Some(bytes)) => linli.store_received_photo(hash, &bytes)?,
                Ok(None) => {}
                Err(SyncError::Rejected { code, message, .. }) => {
                    tracing::warn!(photo = %hash, %code, "the relay refused a photo download");
                    summary.photo_problems.push(PhotoProblem {
                        hash: hash.clone(),
                        upload: false,
                        code,
                        message,
                    });
                }
                Err(e) => return Err(e),
            }
            progress(SyncProgress {
                phase: SyncPhase::PhotosDown,
                done: i as u64 + 1,
                total: missing.len() as u64,
            });
        }
        Ok(())
    }

    /// Posts an encoded message and decodes the answer.
    async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        path: &str,
        request: &Req,
        cancel: &CancellationToken,
    ) -> SyncResult<Resp> {
        self.post(
            path,
            protocol::encode(request),
            &[],
            self.options.retries,
            cancel,
        )
        .await
        .map(|(answer, _)| answer)
    }

    /// What this phone holds, as [`protocol::DEVICE_STATUS_HEADER`] tells the relay (the
    /// outbox after `answered_through`: the rows up to it are answered).
    fn device_status(
        &self,
        linli: &Linli,
        answered_through: i64,
    ) -> SyncResult<protocol::DeviceStatus> {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(protocol::DeviceStatus {
            outbox: u32::try_from(linli.outbox_len_after(answered_through)?).unwrap_or(u32::MAX),
            photos: count(linli.photos_to_upload()?.len()),
            conflicts: count(linli.open_conflicts()?.len()),
            app_version: self.options.app_version.clone(),
        })
    }

    /// Posts an encoded message with `headers` added, up to `retries` more times when the
    /// network fails, and decodes the answer; also returns the answer's headers.
    pub(super) async fn post<Resp: DeserializeOwned>(
        &self,
        path: &str,
        body: Vec<u8>,
        headers: &[(&'static str, String)],
        retries: u32,
        cancel: &CancellationToken,
    ) -> SyncResult<(Resp, reqwest::header::HeaderMap)> {
        let url = format!("{}{path}", self.options.server);
        self.send(
            cancel,
            retries,
            || {
                let mut request = self
                    .http
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, MEDIA_TYPE)
                    .body(body.clone());
                for (name, value) in headers {
                    request = request.header(*name, value);
                }
                request
            },
            |r| async move {
                let headers = r.headers().clone();
                let bytes = r
                    .bytes()
                    .await
                    .map_err(|e| SyncError::Network(e.to_string()))?;
                let answer = protocol::decode(&bytes).map_err(|e| SyncError::Rejected {
                    status: 200,
                    code: "bad_response".into(),
                    message: e.to_string(),
                })?;
                Ok((answer, headers))
            },
        )
        .await
    }

    async fn send<T, F, Fut>(
        &self,
        cancel: &CancellationToken,
        retries: u32,
        build: impl Fn() -> reqwest::RequestBuilder,
        read: F,
    ) -> SyncResult<T>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = SyncResult<T>>,
    {
        match self
            .send_allowing(cancel, retries, build, StatusCode::OK, read)
            .await?
        {
            Some(v) => Ok(v),
            None => Err(SyncError::Network("empty answer".into())),
        }
    }

    /// Sends, trying again up to `retries` times when the network or the relay fails; a
    /// response with status `absent` (other than success) reads as `None`.
    async fn send_allowing<T, F, Fut>(
        &self,
        cancel: &CancellationToken,
        retries: u32,
        build: impl Fn() -> reqwest::RequestBuilder,
        absent: StatusCode,
        read: F,
    ) -> SyncResult<Option<T>>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = SyncResult<T>>,
    {
        let mut delay = self.options.backoff.min(self.options.max_backoff);
        let mut attempt = 0;
        loop {
            // A sync cancelled between two requests sends no next one: polled together, the
            // send could go out before the cancellation is seen.
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let request = build()
                .bearer_auth(&self.options.token)
                .header(VERSION_HEADER, PROTOCOL_VERSION.to_string());
            let outcome = tokio::select! {
                _ = cancel.cancelled() => return Err(SyncError::Cancelled),
                r = request.send() => r,
            };
            // Whether the relay asked to be left alone (429), and for how long (`Retry-After`).
            let mut asked_to_wait: Option<(Duration, String)> = None;
            let failure = match outcome {
                Ok(r) if r.status().is_success() => {
                    let read = tokio::select! {
                        _ = cancel.cancelled() => return Err(SyncError::Cancelled),
                        v = read(r) => v,
                    };
                    match read {
                        Err(SyncError::Network(e)) => e,
                        other => return other.map(Some),
                    }
                }
                Ok(r) if r.status() == absent => return Ok(None),
                // 507: the relay keeps no more photos; 501: it does not do this at all (it
                // issues no passes, its pages only read); trying again would not help.
                Ok(r)
                    if (r.status().is_server_error()
                        && r.status() != StatusCode::INSUFFICIENT_STORAGE
                        && r.status() != StatusCode::NOT_IMPLEMENTED)
                        || r.status() == 429 =>
                {
                    let status = r.status();
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        let wait = retry_after(&r);
                        asked_to_wait = Some((wait, error_body(r).await.error));
                    }
                    format!("the relay answered {status}")
                }
                Ok(r) => return Err(refusal(r).await),
                Err(e) => e.to_string(),
            };
            attempt += 1;
            // A pause longer than a call waits between tries (enrolments from one address,
            // limited for a minute) is the caller's to wait out: said at once, not slept
            // through.
            if let Some((wait, code)) = asked_to_wait
                .as_ref()
                .filter(|(w, _)| *w > LONGEST_ASKED_PAUSE)
            {
                tracing::debug!(%failure, "asked to wait {} s", wait.as_secs());
                return Err(SyncError::Busy {
                    wait_secs: wait.as_secs(),
                    code: code.clone(),
                });
            }
            // The relay asking for a pause is no lost link: a request sent once at most (a
            // grown push) waits it out like any other.
            let allowed = match asked_to_wait {
                Some(_) => retries.max(self.options.retries),
                None => retries,
            };
            if attempt > allowed {
                // Still asked to wait after every try: the relay is there, and busy.
                return Err(match asked_to_wait {
                    Some((wait, code)) => SyncError::Busy {
                        wait_secs: wait.as_secs().max(1),
                        code,
                    },
                    None => SyncError::Network(failure),
                });
            }
            tracing::debug!(attempt, %failure, "retrying");
            let pause = delay.max(asked_to_wait.map(|(w, _)| w).unwrap_or_default());
            tokio::select! {
                _ = cancel.cancelled() => return Err(SyncError::Cancelled),
                _ = tokio::time::sleep(pause) => {}
            }
            delay = delay.saturating_mul(2).min(self.options.max_backoff);
        }
    }
}

/// The longest pause the relay may ask for (429 `Retry-After`) that a call waits out before
/// it tries again, whatever its own backoff.
const LONGEST_ASKED_PAUSE: Duration = Duration::from_secs(10);

/// The pause a response asks for in its `Retry-After` header (whole seconds; a date or
/// nothing reads as none).
fn retry_after(r: &reqwest::Response) -> Duration {
    r.headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::ZERO, Duration::from_secs)
}

/// The codes of a 401 that mean the device holds no valid token (`http`: a body that was not
/// the relay's); any other 401 (a wrong enrolment code) is a refusal with its own code.
const NOT_SIGNED_IN: &[&str] = &["no_token", "bad_token", "browser_session", "http"];

async fn refusal(r: reqwest::Response) -> SyncError {
    let status = r.status().as_u16();
    let body = error_body(r).await;
    if status == 401 && body.error == DEVICE_REVOKED {
        SyncError::DeviceRevoked(body.message)
    } else if status == 401 && body.error == DEVICE_WIPED {
        SyncError::DeviceWiped(body.message)
    } else if status == 403 && body.error == MEMBER_DEACTIVATED {
        SyncError::MemberDeactivated(body.message)
    } else if status == 409 && body.error == ACTOR_RETIRED {
        SyncError::StoreReplaced(body.message)
    } else if status == 401 && NOT_SIGNED_IN.contains(&body.error.as_str()) {
        SyncError::Unauthorized(body.message)
    } else {
        SyncError::Rejected {
            status,
            code: body.error,
            message: body.message,
        }
    }
}

/// The relay's error body of an answer (`http` and the text when it is not one).
async fn error_body(r: reqwest::Response) -> ErrorBody {
    let text = r.text().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(ErrorBody {
        error: "http".into(),
        message: text,
    })
}

/// Applies a pulled batch and its cursors off the async threads.
async fn apply(
    linli: &Arc<Linli>,
    batch: Vec<RemoteChange>,
    cursors: Vec<Cursor>,
) -> SyncResult<crate::ApplyOutcome> {
    if batch.is_empty() && cursors.is_empty() {
        return Ok(crate::ApplyOutcome::default());
    }
    off_thread(linli, move |l| l.apply_pulled(&batch, &cursors)).await
}

/// Runs `f` on the store on a blocking thread: SQLite and automerge work stays off the async
/// threads.
async fn off_thread<T: Send + 'static>(
    linli: &Arc<Linli>,
    f: impl FnOnce(&Linli) -> crate::Result<T> + Send + 'static,
) -> SyncResult<T> {
    let linli = Arc::clone(linli);
    tokio::task::spawn_blocking(move || f(&linli))
        .await
        .map_err(|e| SyncError::Local(Error::document("sync", e)))?
        .map_err(SyncError::Local)
}
