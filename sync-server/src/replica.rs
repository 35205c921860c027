//! The office replica: a `linli-core` store fed from the change log, scope by scope in order.
//! It answers who may read and write which scope (from its directory), holds the per-document
//! snapshots new devices bootstrap from, and computes the day-end report. Access decisions
//! follow only the directory's scope before they read it (a photo's also the scopes whose
//! documents may name it); the report follows the whole log
//! first, so that changes written by the admin tools or by another relay instance on the same
//! database are seen too; a bootstrap takes what the replica holds, and the device pulls the
//! rest of the log after it. Pushes and bootstraps do not wait for the replica: the relay
//! feeds it in the background after each (see [`Replica::feed_later`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use linli_core::{DeviceIdentity, Linli, RemoteChange, Scope, SystemClock};

use crate::error::RelayError;
use crate::storage::RelayStorage;

/// The member and device the replica is opened as (it never writes records).
pub const REPLICA_MEMBER: &str = "relay";
/// The replica's device id.
pub const REPLICA_DEVICE: &str = "relay-replica";
/// The settings key of the log position applied.
const FED_SEQ: &str = "relay_fed_seq";
/// How many log rows are applied per transaction.
const FEED_BATCH: usize = 2000;
/// How many log rows the background feed applies per hold of the feed lock.
const FEED_STEP: usize = 500;
/// About how many bytes of changes are applied per transaction.
const FEED_BYTES: usize = 8 << 20;
/// How long the background feed waits for pushes being judged before it applies a step
/// anyway: pushes come first, but a relay that never stops receiving them still feeds.
const FEED_PATIENCE: Duration = Duration::from_secs(1);

/// How far a store has applied the log: a sequence number per scope. A position saved by
/// an older relay as one number (its log had a single sequence) is kept under the empty key
/// and stands for every scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogPosition(BTreeMap<String, i64>);

impl LogPosition {
    /// Reads a saved position (absent: the start of the log).
    fn parse(saved: Option<&str>) -> LogPosition {
        let Some(text) = saved else {
            return LogPosition::default();
        };
        LogPosition(match text.parse::<i64>() {
            Ok(every_scope) => BTreeMap::from([(String::new(), every_scope)]),
            Err(_) => serde_json::from_str(text).unwrap_or_default(),
        })
    }

    fn save(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// The last sequence number applied in `scope`.
    pub fn of(&self, scope: &str) -> i64 {
        let own = self.0.get(scope).copied().unwrap_or(0);
        own.max(self.0.get("").copied().unwrap_or(0))
    }
}

/// The replica and how far it has been fed.
#[derive(Debug)]
pub struct Replica {
    linli: Arc<Linli>,
    fed: Mutex<LogPosition>,
    /// The directory's position within `fed`, readable without the feed lock: an access
    /// check whose directory is current does not wait for a feed batch of other scopes.
    /// The sum over the scopes access decisions read of how far each is fed (see
    /// [`access_head`]).
    access_fed: AtomicI64,
    /// A background feed is running.
    feeding: Arc<AtomicBool>,
    /// The log grew since the running feed read its heads: it goes round again.
    again: AtomicBool,
    /// Requests waiting for the feed lock: the background feed lets them go first.
    waiting: AtomicUsize,
    /// Pushes being judged and appended now (see [`Replica::pushing`]).
    pushes: AtomicUsize,
}

/// A push being judged, from [`Replica::pushing`] until dropped.
#[derive(Debug)]
pub struct Pushing<'a>(&'a AtomicUsize);

impl Drop for Pushing<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Applies every log change after the position saved under the settings key `key` to
/// `linli`, scope by scope, a batch per transaction, saving the position after each batch.
/// Returns the position reached.
pub fn follow_log(
    storage: &dyn RelayStorage,
    linli: &Linli,
    key: &str,
) -> Result<LogPosition, RelayError> {
    crate::erasure::follow_erasures(storage, linli)?;
    let mut position = LogPosition::parse(linli.sync_setting(key)?.as_deref());
    for (scope, head) in storage.scopes()? {
        while follow_batch(storage, linli, key, &mut position, &scope, head, FEED_BATCH)? {}
    }
    Ok(position)
}

/// Applies the next batch of at most `rows` changes of `scope` (whose head is `head`) after
/// `position` and saves the position. Returns whether the scope has more after it.
fn follow_batch(
    storage: &dyn RelayStorage,
    linli: &Linli,
    key: &str,
    position: &mut LogPosition,
    scope: &str,
    head: i64,
    rows: usize,
) -> Result<bool, RelayError> {
    let after = position.of(scope);
    if after >= head {
        return Ok(false);
    }
    let page = storage.read_scope(scope, after, FEED_BYTES, rows)?;
    let Some(last) = page.last().map(|r| r.seq) else {
        return Ok(false);
    };
    let batch: Vec<RemoteChange> = page.into_iter().map(|r| r.change.into()).collect();
    linli.apply_remote(&batch)?;
    position.0.insert(scope.to_owned(), last);
    linli.set_sync_setting(key, &position.save())?;
    Ok(last < head)
}

/// The scopes of the log with their heads, as [`RelayStorage::scopes`] gives them.
pub type ScopeHeads = [(String, i64)];

/// The head of the directory's scope among `scopes` (0 before the community exists).
/// Whether the judge reads `scope`'s documents besides the one it judges: the directory (roles
/// and places), each joint action (who may read it: the departments taking part) and each
/// department's work orders (a ticket's state takes their steps).
fn decides_access(scope: &str) -> bool {
    scope == Scope::Community.to_string()
        || Scope::parse(scope).is_ok_and(|s| matches!(s, Scope::Joint(_) | Scope::Department(_)))
}

/// The sum of the heads of the scopes access decisions read: it grows whenever one of them
/// does, so a replica fed to the same sum holds all of them.
fn access_head(scopes: &ScopeHeads) -> i64 {
    scopes
        .iter()
        .filter(|(scope, _)| decides_access(scope))
        .map(|(_, head)| *head)
        .sum()
}

pub(crate) fn directory_head(scopes: &ScopeHeads) -> i64 {
    let directory = Scope::Community.to_string();
    scopes
        .iter()
        .find_map(|(scope, head)| (*scope == directory).then_some(*head))
        .unwrap_or(0)
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
        let fed = LogPosition::parse(linli.sync_setting(FED_SEQ)?.as_deref());
        // Unknown until the first feed: the first access decision feeds what it reads.
        let access_fed = AtomicI64::new(0);
        Ok(Replica {
            linli: Arc::new(linli),
            fed: Mutex::new(fed),
            access_fed,
            feeding: Arc::new(AtomicBool::new(false)),
            again: AtomicBool::new(false),
            waiting: AtomicUsize::new(0),
            pushes: AtomicUsize::new(0),
        })
    }

    /// Marks a push being judged until the guard is dropped. The feed pauses between its
    /// steps meanwhile (for at most [`FEED_PATIENCE`] a step): applying every change again for
    /// the office took about a third of the relay's CPU during a large push, even at the lowest
    /// priority, while the phone waited. While pushes keep arriving the office's pages fall
    /// behind (the feed still applies a step a second) and catch up when they pause; access
    /// decisions, bootstraps and the report feed what they read themselves.
    pub fn pushing(&self) -> Pushing<'_> {
        self.pushes.fetch_add(1, Ordering::AcqRel);
        Pushing(&self.pushes)
    }

    /// Waits while a request waits for the feed lock, and while pushes are being judged (up
    /// to `patience`).
    fn let_requests_go_first(&self, patience: Duration) {
        let since = Instant::now();
        // A mutex is not fair: without this, a feed that takes the lock again at once would
        // keep a bootstrap waiting until the whole log is applied.
        while self.waiting.load(Ordering::Acquire) > 0
            || (self.pushes.load(Ordering::Acquire) > 0 && since.elapsed() < patience)
        {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Applies every log change not applied yet, taking the feed lock for one small batch at
    /// a time so that access decisions and bootstraps are never held up for long.
    pub fn feed(&self, storage: &dyn RelayStorage) -> Result<(), RelayError> {
        crate::erasure::follow_erasures(storage, &self.linli)?;
        let scopes = storage.scopes()?;
        for (scope, head) in &scopes {
            // A scope fed already is passed without waiting for pushes.
            while self.lock().of(scope) < *head {
                self.let_requests_go_first(FEED_PATIENCE);
                let mut fed = self.lock();
                let more = follow_batch(
                    storage,
                    &self.linli,
                    FED_SEQ,
                    &mut fed,
                    scope,
                    *head,
                    FEED_STEP,
                )?;
                self.remember(&fed, &scopes);
                if !more {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Feeds the replica on a thread of its own, at the lowest CPU priority, unless a feed is
    /// already queued; a push calls it after storing, so that phones never wait for the
    /// replica and, when the relay is busy, requests get the CPU first (bootstrap and the
    /// report bring the replica up to date themselves).
    pub fn feed_later(self: &Arc<Self>, storage: &Arc<dyn RelayStorage>) {
        self.again.store(true, Ordering::SeqCst);
        if self.feeding.swap(true, Ordering::SeqCst) {
            // The running feed goes round again.
            return;
        }
        let (replica, storage) = (Arc::clone(self), Arc::clone(storage));
        let spawned = std::thread::Builder::new()
            .name("replica-feed".into())
            .spawn(move || {
                lowest_priority();
                loop {
                    // Cleared first: a push that lands during this round asks for the next.
                    replica.again.store(false, Ordering::SeqCst);
                    if let Err(e) = replica.feed(storage.as_ref()) {
                        tracing::warn!("feeding the office replica: {}", e.message);
                    }
                    replica.feeding.store(false, Ordering::SeqCst);
                    // A push that asked after the check below finds no feed running and starts
                    // one itself.
                    if !replica.again.load(Ordering::SeqCst)
                        || replica.feeding.swap(true, Ordering::SeqCst)
                    {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            self.feeding.store(false, Ordering::SeqCst);
            tracing::warn!("cannot start the replica feed: {e}");
        }
    }

    /// Runs `f` on the replica with the community directory and the joint actions up to date
    /// (other scopes may lag behind the log): enough for access decisions, which read only
    /// those (roles and places; the departments a joint action names). `f` also gets the
    /// log's scope heads, read once for both.
    pub fn read_directory<T>(
        &self,
        storage: &dyn RelayStorage,
        f: impl FnOnce(&Linli, &ScopeHeads) -> Result<T, RelayError>,
    ) -> Result<T, RelayError> {
        let scopes = storage.scopes()?;
        if self.access_fed.load(Ordering::Acquire) < access_head(&scopes) {
            let mut fed = self.lock_for_request();
            self.feed_access(storage, &mut fed, &scopes)?;
        }
        f(&self.linli, &scopes)
    }

    /// Runs `f` on the replica as far as it has been fed, with the directory up to date,
    /// holding the feed lock so that the position passed to `f` is exactly what the replica
    /// includes. A new device bootstraps this way: it takes the documents the replica holds
    /// as snapshots and pulls the changes after that position, instead of waiting while the
    /// replica catches up with a large push.
    pub fn read_fed<T>(
        &self,
        storage: &dyn RelayStorage,
        f: impl FnOnce(&Linli, &LogPosition, &ScopeHeads) -> Result<T, RelayError>,
    ) -> Result<T, RelayError> {
        let scopes = storage.scopes()?;
        let mut fed = self.lock_for_request();
        // A new device never gets a record the office erased.
        crate::erasure::follow_erasures(storage, &self.linli)?;
        self.feed_access(storage, &mut fed, &scopes)?;
        f(&self.linli, &fed, &scopes)
    }

    /// Runs `f` on the replica with the directory and every log scope that `wanted` picks fed
    /// up to the log's head. The feed lock is let go before `f` runs: `f` only reads, and what
    /// it reads was current when the request arrived. Who may fetch or upload a photo is
    /// decided this way, on the documents that name it, and the relay's judge takes a document
    /// it does not hold this way.
    pub fn read_scopes_fed<T>(
        &self,
        storage: &dyn RelayStorage,
        wanted: impl Fn(&str) -> bool,
        f: impl FnOnce(&Linli) -> Result<T, RelayError>,
    ) -> Result<T, RelayError> {
        let heads = storage.scopes()?;
        {
            let mut fed = self.lock_for_request();
            crate::erasure::follow_erasures(storage, &self.linli)?;
            self.feed_access(storage, &mut fed, &heads)?;
            for (scope, head) in heads.iter().filter(|(s, _)| wanted(s)) {
                while follow_batch(
                    storage,
                    &self.linli,
                    FED_SEQ,
                    &mut fed,
                    scope,
                    *head,
                    FEED_BATCH,
                )? {}
            }
            self.remember(&fed, &heads);
        }
        f(&self.linli)
    }

    /// Feeds the directory's scope up to `head` under the feed lock `fed`.
    /// Feeds the scopes access decisions read (see [`decides_access`]) up to their heads.
    fn feed_access(
        &self,
        storage: &dyn RelayStorage,
        fed: &mut LogPosition,
        scopes: &ScopeHeads,
    ) -> Result<(), RelayError> {
        for (scope, head) in scopes.iter().filter(|(scope, _)| decides_access(scope)) {
            while follow_batch(storage, &self.linli, FED_SEQ, fed, scope, *head, FEED_BATCH)? {}
        }
        self.remember(fed, scopes);
        Ok(())
    }

    /// Runs `f` on the replica fed up to date, holding the feed lock so that the position
    /// passed to `f` is exactly what the replica includes.
    pub fn read<T>(
        &self,
        storage: &dyn RelayStorage,
        f: impl FnOnce(&Linli, &LogPosition) -> Result<T, RelayError>,
    ) -> Result<T, RelayError> {
        let mut fed = self.lock_for_request();
        *fed = follow_log(storage, &self.linli, FED_SEQ)?;
        self.remember(&fed, &storage.scopes()?);
        f(&self.linli, &fed)
    }

    /// The replica's store.
    pub fn linli(&self) -> &Arc<Linli> {
        &self.linli
    }

    /// Publishes the directory's position after the feed lock's holder moved it.
    /// Notes how far the scopes access decisions read are fed, of the log's `scopes`.
    fn remember(&self, fed: &LogPosition, scopes: &ScopeHeads) {
        let sum = scopes
            .iter()
            .filter(|(scope, _)| decides_access(scope))
            .map(|(scope, _)| fed.of(scope))
            .sum();
        self.access_fed.store(sum, Ordering::Release);
    }

    fn lock(&self) -> MutexGuard<'_, LogPosition> {
        self.fed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The feed lock for a request, which the background feed lets go first.
    fn lock_for_request(&self) -> MutexGuard<'_, LogPosition> {
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let guard = self.lock();
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        guard
    }
}

/// Lowers the calling thread to the lowest scheduling priority (nice 19). Linux keeps a nice
/// value per thread, so `setpriority` on the thread's id touches this thread only; elsewhere
/// the feed keeps the normal priority.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19) {
        tracing::debug!("cannot lower the replica feed's priority: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(dir: &tempfile::TempDir) -> Replica {
        Replica::open(&dir.path().join("replica.db")).expect("open the replica")
    }

    #[test]
    fn the_feed_waits_for_a_push_being_judged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let replica = replica(&dir);
        let pushing = replica.pushing();
        std::thread::scope(|s| {
            let feed = s.spawn(|| replica.let_requests_go_first(Duration::from_secs(600)));
            std::thread::sleep(Duration::from_millis(50));
            assert!(!feed.is_finished(), "the feed went on during a push");
            drop(pushing);
            feed.join().expect("the feed thread");
        });
        assert_eq!(replica.pushes.load(Ordering::Acquire), 0);
    }

    #[test]
    fn the_feed_goes_on_once_its_patience_runs_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        let replica = replica(&dir);
        let _first = replica.pushing();
        let _second = replica.pushing();
        // Returns although both pushes still run.
        replica.let_requests_go_first(Duration::from_millis(5));
        assert_eq!(replica.pushes.load(Ordering::Acquire), 2);
    }
}
