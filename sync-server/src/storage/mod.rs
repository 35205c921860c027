//! The relay's storage behind one trait, so that the embedded SQLite default and PostgreSQL
//! can be swapped: the change log per scope, document → scope bindings, devices and enrolment
//! codes, and photo blobs (each unfinished upload kept per device, within quotas). Calls
//! block; the HTTP layer runs them off the async threads.
//!
//! The one ordering promise every backend keeps: within a scope, sequence numbers increase in
//! commit order, so a reader that has seen a scope up to `seq` never finds a row at or below
//! `seq` later. Numbers are only comparable within a scope.

pub mod postgres;
pub mod rules;
pub mod sqlite;

use linli_core::sync::protocol::Erased;
use linli_core::{DocKind, RemoteChange};

use crate::error::RelayError;

/// Documents' bindings: the kind and scope of each, by document id.
pub type Bindings = std::collections::BTreeMap<String, (DocKind, String)>;

/// A stored 32-byte hash.
pub(crate) fn hash_of(bytes: Vec<u8>) -> Result<[u8; 32], RelayError> {
    bytes
        .try_into()
        .map_err(|_| RelayError::internal("a stored hash is not 32 bytes"))
}

/// A change as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogChange {
    /// The change hash.
    pub hash: [u8; 32],
    /// Document id.
    pub doc_id: String,
    /// Document kind.
    pub kind: DocKind,
    /// Scope.
    pub scope: String,
    /// The encoded change.
    pub bytes: Vec<u8>,
}

impl From<LogChange> for RemoteChange {
    fn from(c: LogChange) -> Self {
        RemoteChange {
            doc_id: c.doc_id,
            kind: c.kind,
            scope: c.scope,
            bytes: c.bytes,
        }
    }
}

/// A logged change with its sequence number and the device that pushed it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedChange {
    /// Sequence number, increasing in commit order within its scope.
    pub seq: i64,
    /// The device that pushed it.
    pub device_id: String,
    /// When the relay received it (ms).
    pub received_ms: i64,
    /// The change.
    pub change: LogChange,
}

/// What appending did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Changes stored now.
    pub stored: u32,
    /// Changes the log already had.
    pub duplicates: u32,
    /// Changes stored now that the device's current actor wrote.
    pub authored: u32,
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Device id.
    pub device_id: String,
    /// Its member.
    pub member_id: String,
    /// Its name.
    pub name: String,
    /// The automerge actor (hex) it writes with.
    pub actor_id: String,
    /// Enrolled at (ms).
    pub created_ms: i64,
    /// Revoked at (ms).
    pub revoked_ms: Option<i64>,
    /// sha-256 of its token (the token itself is never stored).
    pub token_hash: [u8; 32],
    /// How many logged changes its current actor wrote.
    pub authored: i64,
    /// Since when (ms) it writes with its current actor: 0 unless its store was restored or
    /// copied and it took a new one.
    pub actor_since_ms: i64,
    /// Whether the office had its data erased: told so at its next contact.
    pub wipe: bool,
}

/// What a phone said of itself at its latest sync (see
/// [`linli_core::sync::protocol::DeviceStatus`]), with what it still held after that sync's
/// push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceReport {
    /// The device.
    pub device_id: String,
    /// When (ms): its last contact.
    pub at_ms: i64,
    /// Its app's version.
    pub app_version: String,
    /// Changes it still held unsent.
    pub outbox: u32,
    /// Photos it still held unsent.
    pub photos: u32,
    /// Conflicts open on it.
    pub conflicts: u32,
}

/// A one-time enrolment code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolCode {
    /// The code's digest ([`crate::relay::code_digest`]); the code itself is never stored.
    pub code: String,
    /// For this member.
    pub member_id: String,
    /// Created at (ms).
    pub created_ms: i64,
    /// Expires at (ms).
    pub expires_ms: i64,
    /// The device that redeemed it.
    pub used_by: Option<String>,
}

/// A device to enrol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    /// Device id.
    pub device_id: String,
    /// Name.
    pub name: String,
    /// Actor (hex).
    pub actor_id: String,
    /// sha-256 of its token.
    pub token_hash: [u8; 32],
}

/// A change the relay refused, kept out of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// The change (its hash is the key).
    pub change: LogChange,
    /// The device that pushed it.
    pub device_id: String,
    /// That device's member.
    pub member_id: String,
    /// The refusal code.
    pub code: String,
    /// Why, for a person.
    pub reason: String,
    /// When it was refused (ms).
    pub received_ms: i64,
    /// `admitted` or `discarded`, once the office decided.
    pub decision: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When (ms).
    pub decided_ms: Option<i64>,
}

/// How much of a blob the relay has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobState {
    /// Nothing.
    Absent,
    /// `received` of `total` bytes.
    Partial {
        /// Bytes received.
        received: u64,
        /// Bytes expected.
        total: u64,
    },
    /// All of it, verified.
    Complete {
        /// Size.
        size: u64,
    },
}

/// A chunk of a photo upload: `bytes` go at `offset` of the photo `hash` of `total` bytes, in
/// the upload of `device_id`. Each device uploads a photo on its own: its unfinished bytes are
/// its own, so another device sending the same photo (with another size, from another offset)
/// neither continues nor disturbs them; the first upload to complete is the photo.
#[derive(Debug, Clone, Copy)]
pub struct BlobChunk<'a> {
    /// The photo's sha-256, lowercase hex.
    pub hash: &'a str,
    /// The uploading device.
    pub device_id: &'a str,
    /// Where the bytes go; 0 starts the device's upload of this photo over.
    pub offset: u64,
    /// The photo's size, as the device announces it.
    pub total: u64,
    /// The bytes.
    pub bytes: &'a [u8],
}

/// How many bytes of photos may be kept, complete and unfinished (see
/// [`crate::relay::Limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobQuota {
    /// By one device: the photos it completed and its unfinished uploads.
    pub per_device: u64,
    /// By every device together.
    pub total: u64,
}

impl BlobQuota {
    /// No limit (copying a relay's photos elsewhere).
    pub const UNLIMITED: BlobQuota = BlobQuota {
        per_device: u64::MAX,
        total: u64::MAX,
    };
}

/// The bytes of photos kept now, complete and unfinished.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlobUsage {
    /// By the uploading device.
    pub device: u64,
    /// By every device.
    pub all: u64,
}

/// A complete photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteBlob {
    /// Its sha-256, lowercase hex.
    pub hash: String,
    /// The device whose upload completed it (empty for a photo stored before the relay kept
    /// uploaders).
    pub device_id: String,
    /// Its size.
    pub size: u64,
}

/// An erased record's tombstone, whole (for moving a relay's data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// Its position.
    pub seq: i64,
    /// The record.
    pub doc_id: String,
    /// Its kind.
    pub kind: DocKind,
    /// Its scope.
    pub scope: String,
    /// When it was erased (ms).
    pub erased_ms: i64,
    /// By whom (a member, or `retention`).
    pub erased_by: String,
}

/// An actor a device retired (for moving a relay's data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredActor {
    /// The actor (hex).
    pub actor_id: String,
    /// The device.
    pub device_id: String,
    /// When (ms).
    pub retired_ms: i64,
}

/// A day-end report kept at the end of its gate days' retention (for moving a relay's data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedReport {
    /// The local date, `YYYY-MM-DD`.
    pub date: String,
    /// As Markdown.
    pub markdown: String,
    /// As CSV.
    pub csv: String,
    /// When it was kept (ms).
    pub archived_ms: i64,
}

/// The relay's storage.
pub trait RelayStorage: Send + Sync + std::fmt::Debug + 'static {
    /// Appends changes pushed by `device_id` in one transaction: a change whose hash is logged
    /// already is a duplicate; a document's first logged change binds it to its kind and scope.
    /// The device's count of authored changes grows by those of `authored` (sorted hashes of
    /// the changes `actor` wrote) that are stored now, if `actor` is still the device's.
    fn append_authored(
        &self,
        device_id: &str,
        changes: &[LogChange],
        actor: &str,
        authored: &[[u8; 32]],
        now_ms: i64,
    ) -> Result<AppendOutcome, RelayError>;
    /// Appends changes as [`RelayStorage::append_authored`] does, none of them counted as
    /// the device's own.
    fn append(
        &self,
        device_id: &str,
        changes: &[LogChange],
        now_ms: i64,
    ) -> Result<AppendOutcome, RelayError> {
        self.append_authored(device_id, changes, "", &[], now_ms)
    }
    /// Whether the log has this change.
    fn has_change(&self, hash: &[u8; 32]) -> Result<bool, RelayError>;
    /// The kind and scope each of `doc_ids` that is bound is bound to, read at once (a push
    /// names thousands of documents).
    fn doc_bindings(&self, doc_ids: &[&str]) -> Result<Bindings, RelayError>;
    /// The kind and scope a document is bound to.
    fn doc_binding(&self, doc_id: &str) -> Result<Option<(DocKind, String)>, RelayError> {
        Ok(self.doc_bindings(&[doc_id])?.remove(doc_id))
    }
    /// Changes of `scope` after `after_seq`, oldest first, up to about `max_bytes` (at least
    /// one) and `max_rows`.
    fn read_scope(
        &self,
        scope: &str,
        after_seq: i64,
        max_bytes: usize,
        max_rows: usize,
    ) -> Result<Vec<LoggedChange>, RelayError>;
    /// Every scope with its highest sequence number.
    fn scopes(&self) -> Result<Vec<(String, i64)>, RelayError>;
    /// Whether sequence numbers are one order over every scope, given in commit order, so
    /// that every change up to a number is visible once that number is (then a device can be
    /// told a point of the whole log; see `LogMark`).
    fn one_order(&self) -> bool;
    /// Logged changes by hash (those the log has).
    fn changes_by_hash(&self, hashes: &[[u8; 32]]) -> Result<Vec<LogChange>, RelayError>;
    /// How many changes the log holds.
    fn log_len(&self) -> Result<u64, RelayError>;
    /// Erases the record `doc_id` (bound in `scope`): its changes leave the log and the
    /// set-aside changes, with the freed space overwritten where the database can, and a
    /// tombstone is kept (its id, when, by whom). Returns the tombstone's position and how
    /// many logged changes went; none when it was erased already. A change of the record
    /// appended afterwards is dropped.
    fn erase_document(
        &self,
        doc_id: &str,
        scope: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<Option<(i64, u64)>, RelayError>;
    /// The erasures after position `seq`, oldest first, at most `limit`.
    fn erased_after(&self, seq: i64, limit: usize) -> Result<Vec<Erased>, RelayError>;
    /// The documents of `kind` bound in the log and not erased, with their scopes.
    fn docs_of_kind(&self, kind: DocKind) -> Result<Vec<(String, String)>, RelayError>;
    /// Keeps the day-end report of `date` (local `YYYY-MM-DD`) as rendered, unless one is
    /// kept already.
    fn archive_report(
        &self,
        date: &str,
        markdown: &str,
        csv: &str,
        now_ms: i64,
    ) -> Result<(), RelayError>;
    /// The day-end report kept for `date`: (Markdown, CSV).
    fn archived_report(&self, date: &str) -> Result<Option<(String, String)>, RelayError>;
    /// Every tombstone, oldest first.
    fn tombstones(&self) -> Result<Vec<Tombstone>, RelayError>;
    /// Every retired actor.
    fn retired_actors(&self) -> Result<Vec<RetiredActor>, RelayError>;
    /// Every kept day-end report.
    fn archived_reports(&self) -> Result<Vec<ArchivedReport>, RelayError>;
    /// The community's pass-signing key: the one kept, or `candidate` kept now when there was
    /// none, so that relay instances sharing a database sign with one key.
    fn pass_signing_key(&self, candidate: &[u8; 32], now_ms: i64) -> Result<Vec<u8>, RelayError>;
    /// The pass-signing key kept, if one was made.
    fn kept_pass_signing_key(&self) -> Result<Option<[u8; 32]>, RelayError>;

    /// Keeps what a device said of itself at its latest sync, in place of what it said before.
    fn record_device_report(&self, report: &DeviceReport) -> Result<(), RelayError>;
    /// The latest report of every device that sent one.
    fn device_reports(&self) -> Result<Vec<DeviceReport>, RelayError>;

    /// Stores an enrolment code (its digest) for `member_id`.
    fn create_code(
        &self,
        code: &str,
        member_id: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), RelayError>;
    /// Redeems an unused, unexpired code for a new device, atomically. Returns the device.
    fn redeem_code(
        &self,
        code: &str,
        device: &NewDevice,
        now_ms: i64,
    ) -> Result<Device, RelayError>;
    /// The device holding a token with this hash.
    fn device_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<Device>, RelayError>;
    /// Registers a device the relay itself writes with (the admin tools); no token.
    fn register_internal_device(
        &self,
        device_id: &str,
        member_id: &str,
        actor_id: &str,
        now_ms: i64,
    ) -> Result<(), RelayError>;
    /// Every device.
    fn devices(&self) -> Result<Vec<Device>, RelayError>;
    /// Every enrolment code, used or not.
    fn enrol_codes(&self) -> Result<Vec<EnrolCode>, RelayError>;
    /// Gives the device a new actor in place of `old_actor` (its current one, which is retired
    /// for good), counting no authored changes yet and from `now_ms`. False when the device is
    /// unknown or revoked or writes with another actor; an actor taken by any device, now or
    /// before, is refused.
    fn replace_actor(
        &self,
        device_id: &str,
        old_actor: &str,
        new_actor: &str,
        now_ms: i64,
    ) -> Result<bool, RelayError>;
    /// When `actor_id` was retired from `device_id`, if it was.
    fn actor_retired(&self, device_id: &str, actor_id: &str) -> Result<Option<i64>, RelayError>;
    /// How many actors `device_id` has retired.
    fn retired_actor_count(&self, device_id: &str) -> Result<u64, RelayError>;
    /// Gives an active device a new token (by its hash); the old one stops working at once.
    /// False when the device is unknown or revoked.
    fn rotate_token(&self, device_id: &str, token_hash: &[u8; 32]) -> Result<bool, RelayError>;
    /// Revokes a device; false when unknown.
    fn revoke(&self, device_id: &str, now_ms: i64) -> Result<bool, RelayError>;
    /// Has a revoked device erase its data at its next contact; false when it is unknown or
    /// not revoked.
    fn set_wipe(&self, device_id: &str) -> Result<bool, RelayError>;

    /// Keeps refused changes out of the log; a change kept already is left as it is.
    fn set_aside(&self, rows: &[SetAside]) -> Result<(), RelayError>;
    /// The changes set aside (only those waiting for a decision when `waiting_only`), oldest
    /// first.
    fn set_aside_list(&self, waiting_only: bool) -> Result<Vec<SetAside>, RelayError>;
    /// Records the office's decision on a waiting change; false when there is none.
    fn set_aside_decide(
        &self,
        hash: &[u8; 32],
        decision: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool, RelayError>;

    /// How much of blob `hash` is here for `device_id`: the complete blob, whoever uploaded
    /// it, or else that device's own unfinished upload (another device's is not counted).
    fn blob_state(&self, hash: &str, device_id: &str) -> Result<BlobState, RelayError>;
    /// Appends a chunk to its device's upload of a blob, within `quota`, in one transaction
    /// ([`rules::blob_write`] decides): when the upload is complete its sha-256 is checked (a
    /// mismatch discards that upload) and it becomes the blob, and every other device's
    /// unfinished upload of it is dropped.
    fn blob_write(&self, chunk: &BlobChunk<'_>, quota: BlobQuota) -> Result<BlobState, RelayError>;
    /// A complete blob's bytes.
    fn blob(&self, hash: &str) -> Result<Option<Vec<u8>>, RelayError>;
    /// Every complete blob, by hash.
    fn complete_blobs(&self) -> Result<Vec<CompleteBlob>, RelayError>;
    /// Deletes blob `hash`, complete or not, every device's upload of it (a photo only an
    /// erased record named); how many rows went.
    fn delete_blob(&self, hash: &str) -> Result<u64, RelayError>;
}
