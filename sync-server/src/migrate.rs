//! Moving a relay's data from its SQLite file into PostgreSQL: devices (with their token
//! hashes, so that phones keep their tokens) and the actors they retired, enrolment codes,
//! every change with its sequence number (so that the phones' cursors stay valid), the
//! tombstones of erased records with theirs (so that phones not yet told still erase them, and
//! a late push to one is still refused), the day-end reports kept at the end of a retention,
//! and complete photos with the device that uploaded each. Copying is idempotent, so an interrupted move is finished by running it
//! again. Afterwards every scope is read back from both sides and compared change by change.

use std::path::Path;

use crate::error::RelayError;
use crate::storage::postgres::PostgresStorage;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{BlobChunk, BlobQuota, RelayStorage};

/// Rows copied per transaction.
const PAGE_ROWS: usize = 2000;
/// About how many bytes of changes are copied per transaction.
const PAGE_BYTES: usize = 8 << 20;

/// Where a move is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Devices and enrolment codes copied.
    Devices {
        /// Devices.
        devices: usize,
        /// Codes.
        codes: usize,
    },
    /// Changes of a scope copied so far.
    Scope {
        /// The scope.
        scope: String,
        /// Changes copied.
        copied: u64,
        /// Changes the log holds in all.
        of_total: u64,
    },
    /// Photos copied.
    Photos {
        /// Photos.
        photos: usize,
    },
}

impl Progress {
    /// One line for the console, in Chinese and English.
    pub fn line(&self) -> String {
        match self {
            Progress::Devices { devices, codes } => {
                format!("设备 devices: {devices}, 登记码 enrolment codes: {codes}")
            }
            Progress::Scope {
                scope,
                copied,
                of_total,
            } => format!("变更 changes: {copied}/{of_total} (scope {scope})"),
            Progress::Photos { photos } => format!("照片 photos: {photos}"),
        }
    }
}

/// What a move did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Devices copied.
    pub devices: usize,
    /// Changes in the source log.
    pub changes: u64,
    /// Of those, stored now (the others were there from an earlier run).
    pub stored: u64,
    /// Scopes compared after the move.
    pub scopes_checked: usize,
    /// Photos copied.
    pub photos: usize,
    /// Tombstones of erased records copied.
    pub erased: usize,
}

impl Summary {
    /// One line for the console.
    pub fn line(&self) -> String {
        format!(
            "迁移完成 moved: {} changes ({} new) in {} scopes checked equal, {} devices, {} photos, \
             {} erased records",
            self.changes, self.stored, self.scopes_checked, self.devices, self.photos, self.erased
        )
    }
}

/// Moves the SQLite relay database `from` into the PostgreSQL database `to`.
pub fn run(from: &Path, to: &str, progress: impl FnMut(Progress)) -> Result<Summary, RelayError> {
    if !from.exists() {
        return Err(RelayError::bad_request(
            "no_source",
            format!("no relay database at {}", from.display()),
        ));
    }
    let source = SqliteStorage::open(from)?;
    let target = PostgresStorage::connect(to)?;
    copy(&source, &target, progress)
}

/// Copies everything from `source` into `target`, then compares every scope.
pub fn copy(
    source: &dyn RelayStorage,
    target: &PostgresStorage,
    mut progress: impl FnMut(Progress),
) -> Result<Summary, RelayError> {
    let mut summary = Summary::default();
    let devices = source.devices()?;
    for d in &devices {
        target.import_device(d)?;
    }
    let codes = source.enrol_codes()?;
    for c in &codes {
        target.import_code(c)?;
    }
    for a in source.retired_actors()? {
        target.import_retired_actor(&a)?;
    }
    summary.devices = devices.len();
    progress(Progress::Devices {
        devices: devices.len(),
        codes: codes.len(),
    });

    let total = source.log_len()?;
    let scopes = source.scopes()?;
    for (scope, head) in &scopes {
        let mut after = 0;
        while after < *head {
            let rows = source.read_scope(scope, after, PAGE_BYTES, PAGE_ROWS)?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                break;
            };
            summary.stored += u64::from(target.import_log(&rows)?);
            summary.changes += rows.len() as u64;
            after = last;
            progress(Progress::Scope {
                scope: scope.clone(),
                copied: summary.changes,
                of_total: total,
            });
        }
    }

    // Erased records (their changes left the log) and the reports kept for their dates.
    let tombstones = source.tombstones()?;
    for t in &tombstones {
        target.import_tombstone(t)?;
    }
    summary.erased = tombstones.len();
    for r in source.archived_reports()? {
        target.import_archived_report(&r)?;
    }
    // The pass-signing key, unless the target signs with one already (passes it issued stay
    // valid only with its own): the key a source kept is offered as the target's candidate.
    if let Some(secret) = source.kept_pass_signing_key()? {
        let kept = target.pass_signing_key(&secret, 0)?;
        if kept != secret {
            return Err(RelayError::bad_request(
                "pass_key_differs",
                "the target signs passes with another key: the passes issued here would read \
                 as forged there (目标数据库的通行证签名密钥不同)",
            ));
        }
    }

    // Complete photos only, each under the device that completed it (its quota counts them);
    // an unfinished upload is started again by its phone, whose HEAD finds nothing.
    let photos = source.complete_blobs()?;
    for photo in &photos {
        if let Some(bytes) = source.blob(&photo.hash)? {
            let chunk = BlobChunk {
                hash: &photo.hash,
                device_id: &photo.device_id,
                offset: 0,
                total: bytes.len() as u64,
                bytes: &bytes,
            };
            target.blob_write(&chunk, BlobQuota::UNLIMITED)?;
        }
    }
    summary.photos = photos.len();
    progress(Progress::Photos {
        photos: photos.len(),
    });

    for (scope, _) in &scopes {
        same_scope(source, target, scope)?;
    }
    summary.scopes_checked = scopes.len();
    Ok(summary)
}

/// Reads `scope` from both sides and fails unless they hold the same changes under the same
/// sequence numbers.
fn same_scope(
    source: &dyn RelayStorage,
    target: &dyn RelayStorage,
    scope: &str,
) -> Result<(), RelayError> {
    let mut after = 0;
    loop {
        let a = source.read_scope(scope, after, PAGE_BYTES, PAGE_ROWS)?;
        let b = target.read_scope(scope, after, PAGE_BYTES, a.len().max(1))?;
        let key = |r: &crate::storage::LoggedChange| (r.seq, r.change.hash);
        if a.iter().map(key).ne(b.iter().take(a.len()).map(key)) {
            return Err(RelayError::internal(format!(
                "after the move, scope {scope} differs after seq {after}"
            )));
        }
        match a.last() {
            Some(last) => after = last.seq,
            None => return Ok(()),
        }
    }
}
