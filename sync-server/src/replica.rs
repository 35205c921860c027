//! The office replica: a `linli-core` store fed from the change log, in order. It answers who
//! may read and write which scope (from its directory), holds the per-document snapshots new
//! devices bootstrap from, and computes the day-end report. It is fed before each request that
//! reads it, so that changes written by the admin tools in another process are seen too.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use linli_core::{DeviceIdentity, Linli, RemoteChange, SystemClock};

use crate::error::RelayError;
use crate::storage::RelayStorage;

/// The member and device the replica is opened as (it never writes records).
pub const REPLICA_MEMBER: &str = "relay";
/// The replica's device id.
pub const REPLICA_DEVICE: &str = "relay-replica";
/// The settings key of the last log sequence number applied.
const FED_SEQ: &str = "relay_fed_seq";
/// How many log rows are applied per transaction.
const FEED_BATCH: usize = 2000;

/// The replica and how far it has been fed.
#[derive(Debug)]
pub struct Replica {
    linli: Arc<Linli>,
    fed: Mutex<i64>,
}

/// The replica's file next to the relay database `db`.
pub fn replica_path(db: &Path) -> PathBuf {
    sibling(db, "office")
}

/// A file next to `db` named after it with `tag`: `relay.db` → `relay.office.db`.
pub fn sibling(db: &Path, tag: &str) -> PathBuf {
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "linli-relay".into());
    db.with_file_name(format!("{stem}.{tag}.db"))
}

/// Applies every log change after `after` to `linli`, a batch per transaction, keeping the
/// position reached under the settings key `key`. Returns that position.
pub fn follow_log(
    storage: &dyn RelayStorage,
    linli: &Linli,
    mut after: i64,
    key: &str,
) -> Result<i64, RelayError> {
    loop {
        let rows = storage.log_after(after, FEED_BATCH)?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            return Ok(after);
        };
        let batch: Vec<RemoteChange> = rows.into_iter().map(|r| r.change.into()).collect();
        linli.apply_remote(&batch)?;
        linli.set_sync_setting(key, &last.to_string())?;
        after = last;
    }
}

impl Replica {
    /// Opens the replica at `path`.
    pub fn open(path: &Path) -> Result<Replica, RelayError> {
        let linli = Linli::open(
            path,
            DeviceIdentity {
                member_id: REPLICA_MEMBER.into(),
                device_id: REPLICA_DEVICE.into(),
            },
            Arc::new(SystemClock),
        )?;
        let fed = linli
            .sync_setting(FED_SEQ)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(Replica {
            linli: Arc::new(linli),
            fed: Mutex::new(fed),
        })
    }

    /// Applies every log change after the last one fed; returns the sequence number fed to.
    pub fn feed(&self, storage: &dyn RelayStorage) -> Result<i64, RelayError> {
        let mut fed = self.lock();
        *fed = follow_log(storage, &self.linli, *fed, FED_SEQ)?;
        Ok(*fed)
    }

    /// Runs `f` on the replica fed up to date, holding the feed lock so that the sequence
    /// number passed to `f` is exactly what the replica includes.
    pub fn read<T>(
        &self,
        storage: &dyn RelayStorage,
        f: impl FnOnce(&Linli, i64) -> Result<T, RelayError>,
    ) -> Result<T, RelayError> {
        self.feed(storage)?;
        let fed = self.lock();
        f(&self.linli, *fed)
    }

    /// The replica's store.
    pub fn linli(&self) -> &Arc<Linli> {
        &self.linli
    }

    fn lock(&self) -> MutexGuard<'_, i64> {
        self.fed.lock().unwrap_or_else(|e| e.into_inner())
    }
}
