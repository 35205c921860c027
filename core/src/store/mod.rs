//! The SQLite store: one writer connection holding a bounded cache of loaded documents, one
//! reader connection beside it (WAL), and the write transaction through which every change
//! passes: the document's new changes, its snapshot, its projection rows and the outbox, all
//! committed together or not at all.

mod cipher;
mod erasure;
pub(crate) mod migrations;
mod remote;

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use automerge::{ActorId, AutoCommit, Change, ChangeHash};
use lru::LruCache;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};

pub use cipher::{STORE_KEY_LEN, StoreKey};
pub use remote::{
    ApplyOutcome, CANNOT_APPLY, DEPENDS_ON_REFUSED, DEPENDS_ON_SET_ASIDE, RemoteChange,
    SET_ASIDE_RECEIVED, SET_ASIDE_REFUSED,
};

use crate::doc::{ChangeContext, DocEditor, DocKind, Record};
use crate::error::{Error, Result};
use crate::projection;
use crate::scope::Scope;

/// How many documents the cache keeps loaded.
pub const DOC_CACHE_CAPACITY: usize = 256;

/// A loaded document.
#[derive(Debug)]
pub(crate) struct CachedDoc {
    pub kind: DocKind,
    pub scope: String,
    pub doc: AutoCommit,
}

impl CachedDoc {
    /// The document as `T` (only the fields `T` names are read) when it is of `kind`;
    /// [`Error::NotFound`] naming `what` otherwise.
    pub(crate) fn hydrate_as<T: autosurgeon::Hydrate>(
        &self,
        doc_id: &str,
        kind: DocKind,
        what: &'static str,
    ) -> Result<T> {
        if self.kind != kind {
            return Err(Error::NotFound {
                what,
                id: doc_id.to_owned(),
            });
        }
        crate::doc::one_pass::hydrate(&self.doc).map_err(|e| Error::document(doc_id, e))
    }
}

#[derive(Debug)]
struct Writer {
    conn: Connection,
    cache: LruCache<String, CachedDoc>,
    /// The actor local changes are written with (replaced once a restored or copied store
    /// is found out).
    actor: ActorId,
}

/// Counters that tests and benchmarks read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Documents loaded from the database since open.
    pub documents_loaded: u64,
    /// Documents currently held in the cache.
    pub documents_cached: u64,
}

/// The store.
#[derive(Debug)]
pub(crate) struct Store {
    /// Declared (and so dropped) before the writer: the last connection to close folds the
    /// WAL into the file and deletes it, which only a read-write connection can.
    reader: Mutex<Connection>,
    writer: Mutex<Writer>,
    documents_loaded: AtomicU64,
    pub(crate) watchers: crate::watch::Watchers,
    /// The lock that makes this handle the store's only owner, held until it is dropped: last,
    /// once both connections are closed.
    _owner: std::fs::File,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Takes the exclusive lock on the store's lock file (`<store>-lock`, beside it): a second open
/// in this process or another gets [`Error::StoreInUse`] instead of a second document cache
/// whose writes would overwrite the first's. The operating system releases the lock when the
/// handle is dropped or the process dies.
fn own(path: &Path) -> Result<std::fs::File> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push("-lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::document("store", format!("{}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::StoreInUse {
            path: path.display().to_string(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::document(
            "store",
            format!("cannot lock {}: {e}", path.display()),
        )),
    }
}

/// Counts the changes waiting in the outbox that `actor` wrote, once, for a store that keeps no
/// count yet (made by a core that kept none): they were written before it, and the relay
/// counts them when they arrive.
fn seed_authored(conn: &Connection, actor: &ActorId) -> Result<()> {
    let counted = conn
        .prepare("SELECT 1 FROM meta WHERE key = 'authored'")?
        .exists([])?;
    if counted {
        return Ok(());
    }
    let mut own = 0i64;
    let mut stmt = conn.prepare("SELECT bytes FROM outbox")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let bytes: Vec<u8> = row.get(0)?;
        if automerge::Change::from_bytes(bytes).is_ok_and(|c| c.actor_id() == actor) {
            own += 1;
        }
    }
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('authored', ?1)",
        [own.to_string()],
    )?;
    Ok(())
}

/// The meta key that marks `actor` as one this store wrote with before.
fn retired_key(actor: &ActorId) -> String {
    format!("retired_actor:{}", actor.to_hex_string())
}

/// How many prepared statements a connection keeps. Applying a record writes its projection
/// with several dozen statements; rusqlite keeps 16 by default, so every record applied
/// parsed and planned most of them again (a quarter of the relay replica's feed).
const STATEMENT_CACHE: usize = 256;

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

impl Store {
    /// Re-encrypts the closed store at `path` from key `from` to key `to`: a key rotation.
    /// [`Error::StoreInUse`] while it is open; [`Error::WrongKey`] when `from` does not open
    /// it (nothing changes then).
    pub(crate) fn rekey(path: &Path, from: &StoreKey, to: &StoreKey) -> Result<()> {
        let _owner = own(path)?;
        if !path.exists() {
            return Err(Error::NotFound {
                what: "store",
                id: path.display().to_string(),
            });
        }
        cipher::rewrite(path, Some(from), to)
    }

    /// Opens (creating and migrating if needed) the store at `path`.
    /// A new store takes `actor` when given, a random actor otherwise; an existing store keeps
    /// its own and refuses a different one.
    /// With `key`, the store is encrypted (a plain one is converted first, see
    /// [`cipher::rewrite`]); without, it is plain. A key that does not open it is
    /// [`Error::WrongKey`], found before anything is written.
    pub(crate) fn open(
        path: &Path,
        actor: Option<&ActorId>,
        key: Option<&StoreKey>,
    ) -> Result<Store> {
        let owner = own(path)?;
        if let Some(key) = key
            && cipher::is_plain(path)?
        {
            cipher::rewrite(path, None, key)?;
        }
        cipher::probe(path, key)?;
        let mut conn = Connection::open(path)?;
        cipher::unlock(&conn, key)?;
        configure(&conn)?;
        // Freed pages hold zeros: what is deleted (an erased record, a sent change) leaves no
        // copy behind in the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrations::migrate(&mut conn)?;
        let actor = match conn
            .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
        {
            Some(hex) => {
                let stored = ActorId::try_from(hex.as_str())
                    .map_err(|e| Error::document("meta", format!("stored actor id: {e}")))?;
                // The actor enrolment bound may have been replaced since (see
                // `Store::replace_actor`): the app still opens the store with it.
                if let Some(given) = actor
                    && *given != stored
                    && !conn
                        .prepare("SELECT 1 FROM meta WHERE key = ?1")?
                        .exists([retired_key(given)])?
                {
                    return Err(Error::IdentityMismatch {
                        stored: format!("actor {hex}"),
                        given: format!("actor {}", given.to_hex_string()),
                    });
                }
                stored
            }
            None => {
                let actor = actor.cloned().unwrap_or_else(ActorId::random);
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('actor', ?1)",
                    [actor.to_hex_string()],
                )?;
                actor
            }
        };
        seed_authored(&conn, &actor)?;
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        cipher::unlock(&reader, key)?;
        configure(&reader)?;
        Ok(Store {
            _owner: owner,
            writer: Mutex::new(Writer {
                conn,
                cache: LruCache::new(
                    NonZeroUsize::new(DOC_CACHE_CAPACITY).unwrap_or(NonZeroUsize::MIN),
                ),
                actor,
            }),
            reader: Mutex::new(reader),
            documents_loaded: AtomicU64::new(0),
            watchers: crate::watch::Watchers::default(),
        })
    }

    /// This install's automerge actor.
    pub(crate) fn actor(&self) -> ActorId {
        lock(&self.writer).actor.clone()
    }

    /// Erases every row of every table (records, history, outbox, photos, projections,
    /// settings) and the freed pages with them (`VACUUM`, the WAL truncated): for a device
    /// the office revoked and had erased. The handle stays open on an empty store, which the
    /// app then deletes ([`crate::wipe_store`]).
    pub(crate) fn erase(&self) -> Result<()> {
        let mut guard = lock(&self.writer);
        let Writer { conn, cache, .. } = &mut *guard;
        // Deleted rows are overwritten with zeros, in case VACUUM cannot run (a full disk).
        conn.pragma_update(None, "secure_delete", "ON")?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let tables: Vec<String> = tx
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for table in &tables {
            tx.execute(
                &format!("DELETE FROM \"{}\"", table.replace('"', "\"\"")),
                [],
            )?;
        }
        tx.commit()?;
        cache.clear();
        conn.execute_batch("VACUUM")?;
        // (busy, log frames, frames checkpointed): busy means a reader kept old pages.
        let (busy, _, _): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if busy != 0 {
            return Err(Error::document(
                "store",
                "the WAL could not be emptied: a read is open",
            ));
        }
        Ok(())
    }

    /// How many changes the current actor wrote in this store.
    pub(crate) fn authored(&self) -> Result<u64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'authored'), 0)",
                [],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })
    }

    /// Writes with `new` from now on, in place of the current actor (which the relay retired:
    /// this store was restored from a backup or copied, and its actor's next changes would
    /// repeat sequence numbers the relay holds). The old actor still opens the store. The
    /// sync cursors and the meta keys `forget` go in the same transaction: the device pulls
    /// everything again, including what the store lost.
    pub(crate) fn replace_actor(&self, new: &ActorId, forget: &[&str]) -> Result<()> {
        let mut guard = lock(&self.writer);
        let Writer { conn, cache, actor } = &mut *guard;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            [retired_key(actor), new.to_hex_string()],
        )?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'actor'",
            [new.to_hex_string()],
        )?;
        tx.execute("DELETE FROM meta WHERE key = 'authored'", [])?;
        tx.execute("DELETE FROM sync_cursors", [])?;
        for key in forget {
            tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
        }
        tx.commit()?;
        // Cached documents write with the actor they were loaded with.
        cache.clear();
        *actor = new.clone();
        Ok(())
    }

    /// Counters.
    pub(crate) fn stats(&self) -> StoreStats {
        StoreStats {
            documents_loaded: self.documents_loaded.load(Ordering::Relaxed),
            documents_cached: lock(&self.writer).cache.len() as u64,
        }
    }

    /// Runs `f` on the reader connection (sees every committed write).
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        f(&lock(&self.reader))
    }

    /// Runs `f` in one write transaction; commits if `f` succeeds, rolls back and forgets every
    /// document it touched otherwise.
    pub(crate) fn write<R>(
        &self,
        ctx: &ChangeContext,
        f: impl FnOnce(&mut WriteTxn<'_>) -> Result<R>,
    ) -> Result<R> {
        let (result, mut touched) = self.write_locked(ctx, f)?;
        // Observers run after the writer's lock is released: they may read the store.
        touched.sort();
        touched.dedup();
        self.watchers.notify(&touched);
        Ok(result)
    }

    fn write_locked<R>(
        &self,
        ctx: &ChangeContext,
        f: impl FnOnce(&mut WriteTxn<'_>) -> Result<R>,
    ) -> Result<(R, Vec<String>)> {
        let mut guard = lock(&self.writer);
        let Writer { conn, cache, actor } = &mut *guard;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut w = WriteTxn {
            tx,
            cache,
            loaded: &self.documents_loaded,
            ctx,
            actor,
            touched: Vec::new(),
        };
        let outcome = f(&mut w);
        let WriteTxn {
            tx, cache, touched, ..
        } = w;
        match outcome.and_then(|r| {
            tx.commit()?;
            Ok(r)
        }) {
            Ok(r) => Ok((r, touched)),
            Err(e) => {
                for id in touched {
                    cache.pop(&id);
                }
                Err(e)
            }
        }
    }

    /// Runs `f` on a loaded document (from the cache, loading it if needed).
    pub(crate) fn with_doc<R>(
        &self,
        doc_id: &str,
        f: impl FnOnce(&mut CachedDoc) -> Result<R>,
    ) -> Result<R> {
        let mut guard = lock(&self.writer);
        let Writer { conn, cache, actor } = &mut *guard;
        let doc =
            load_into(conn, cache, &self.documents_loaded, actor, doc_id)?.ok_or_else(|| {
                Error::NotFound {
                    what: "record",
                    id: doc_id.to_owned(),
                }
            })?;
        f(doc)
    }
}

/// The document `doc_id` as stored, if it exists: its kind, its scope, and its saved form (the
/// snapshot followed by the changes appended since, which automerge loads as one document).
pub(crate) fn stored_document(
    conn: &Connection,
    doc_id: &str,
) -> Result<Option<(DocKind, String, Vec<u8>)>> {
    let row = conn
        .prepare_cached("SELECT kind, scope, snapshot FROM documents WHERE doc_id = ?1")?
        .query_row([doc_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .optional()?;
    let Some((kind, scope, mut bytes)) = row else {
        return Ok(None);
    };
    let mut increments =
        conn.prepare_cached("SELECT bytes FROM doc_increments WHERE doc_id = ?1 ORDER BY seq")?;
    let mut rows = increments.query([doc_id])?;
    while let Some(r) = rows.next()? {
        bytes.extend_from_slice(r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?);
    }
    Ok(Some((DocKind::parse(&kind)?, scope, bytes)))
}

/// Loads `doc_id` into `cache` if it exists; returns it.
fn load_into<'c>(
    conn: &Connection,
    cache: &'c mut LruCache<String, CachedDoc>,
    loaded: &AtomicU64,
    actor: &ActorId,
    doc_id: &str,
) -> Result<Option<&'c mut CachedDoc>> {
    if !cache.contains(doc_id) {
        let Some((kind, scope, bytes)) = stored_document(conn, doc_id)? else {
            return Ok(None);
        };
        let mut doc = crate::doc::guarded(|| AutoCommit::load(&bytes))
            .map_err(|panic| Error::document(doc_id, panic))?
            .map_err(|e| Error::document(doc_id, e))?;
        doc.set_actor(actor.clone());
        loaded.fetch_add(1, Ordering::Relaxed);
        cache.put(doc_id.to_owned(), CachedDoc { kind, scope, doc });
    }
    Ok(cache.get_mut(doc_id))
}

/// One write transaction.
#[derive(Debug)]
pub(crate) struct WriteTxn<'a> {
    tx: Transaction<'a>,
    cache: &'a mut LruCache<String, CachedDoc>,
    loaded: &'a AtomicU64,
    ctx: &'a ChangeContext,
    actor: &'a ActorId,
    touched: Vec<String>,
}

impl WriteTxn<'_> {
    /// The SQLite transaction.
    pub(crate) fn tx(&self) -> &Transaction<'_> {
        &self.tx
    }

    fn entry(&mut self, doc_id: &str) -> Result<Option<&mut CachedDoc>> {
        load_into(&self.tx, self.cache, self.loaded, self.actor, doc_id)
    }

    /// Whether the document exists.
    pub(crate) fn exists(&mut self, doc_id: &str) -> Result<bool> {
        Ok(self.entry(doc_id)?.is_some())
    }

    /// Reads the document as `T`; [`Error::NotFound`] names `what` if it is missing or of
    /// another kind.
    pub(crate) fn read<T: Record>(&mut self, doc_id: &str, what: &'static str) -> Result<T> {
        self.read_as(doc_id, T::KIND, what)
    }

    /// Reads the document, which must be of `kind`, as `T`: only the fields `T` names are read.
    pub(crate) fn read_as<T: autosurgeon::Hydrate>(
        &mut self,
        doc_id: &str,
        kind: DocKind,
        what: &'static str,
    ) -> Result<T> {
        self.entry(doc_id)?
            .ok_or_else(|| Error::NotFound {
                what,
                id: doc_id.to_owned(),
            })?
            .hydrate_as(doc_id, kind, what)
    }

    /// Creates the document in `scope` from its deterministic first change (see
    /// [`crate::doc::genesis`]) unless it exists already. Returns whether it was created.
    pub(crate) fn create(&mut self, doc_id: &str, scope: &Scope) -> Result<bool> {
        if self.exists(doc_id)? {
            return Ok(false);
        }
        let kind = scope.kind();
        scope.check_document(doc_id, kind)?;
        let mut doc = crate::doc::genesis(kind, doc_id)?;
        let changes = doc.get_changes(&[]);
        doc.set_actor(self.actor.clone());
        self.cache.put(
            doc_id.to_owned(),
            CachedDoc {
                kind,
                scope: scope.to_string(),
                doc,
            },
        );
        self.touched.push(doc_id.to_owned());
        self.persist(
            doc_id,
            &changes,
            Saved::Whole(None),
            projection::Source::LocalEdit,
        )?;
        Ok(true)
    }

    /// Makes one change to the document through `f`, attributed to the acting member and
    /// device, labelled `action`. Nothing changes if `f` fails or edits nothing.
    pub(crate) fn edit(
        &mut self,
        doc_id: &str,
        action: &str,
        f: impl FnOnce(&mut DocEditor<'_>) -> Result<()>,
    ) -> Result<Option<ChangeHash>> {
        let options = self.ctx.commit_options(action);
        let entry = self.entry(doc_id)?.ok_or_else(|| Error::NotFound {
            what: "record",
            id: doc_id.to_owned(),
        })?;
        let heads = entry.doc.get_heads();
        let mut editor = DocEditor {
            doc: &mut entry.doc,
            doc_id,
        };
        if let Err(e) = f(&mut editor) {
            entry.doc.rollback();
            return Err(e);
        }
        let Some(hash) = entry.doc.commit_with(options) else {
            return Ok(None);
        };
        let changes = entry.doc.get_changes(&heads);
        self.touched.push(doc_id.to_owned());
        self.persist(
            doc_id,
            &changes,
            Saved::Appended(&changes),
            projection::Source::LocalEdit,
        )?;
        Ok(Some(hash))
    }

    /// Stores the document `doc_id` (already in the cache) after a change: the local changes
    /// `outbox` in the outbox with their bytes, the document as `saved` says, and its
    /// projection rows.
    fn persist(
        &mut self,
        doc_id: &str,
        outbox: &[Change],
        saved: Saved<'_>,
        source: projection::Source,
    ) -> Result<()> {
        {
            let mut insert_outbox = self.tx.prepare_cached(
                "INSERT OR IGNORE INTO outbox (hash, doc_id, bytes) VALUES (?1, ?2, ?3)",
            )?;
            for change in outbox {
                insert_outbox.execute(params![
                    change.hash().0.as_slice(),
                    doc_id,
                    change.raw_bytes()
                ])?;
            }
        }
        // Counted for the relay, which compares it with what it logged from this actor.
        let own = outbox.iter().filter(|c| c.actor_id() == self.actor).count() as i64;
        if own > 0 {
            self.tx
                .prepare_cached(
                    "INSERT INTO meta (key, value) VALUES ('authored', ?1) ON CONFLICT (key) \
                     DO UPDATE SET value = CAST(CAST(value AS INTEGER) + ?1 AS TEXT)",
                )?
                .execute([own.to_string()])?;
        }
        let at_ms = self.ctx.at_ms;
        let appended = match saved {
            Saved::Appended(changes) => self.append_increments(doc_id, changes, at_ms)?,
            Saved::Whole(_) => false,
        };
        let entry = self
            .cache
            .get_mut(doc_id)
            .ok_or_else(|| Error::document(doc_id, "document left the cache mid-write"))?;
        if !appended {
            // Uncompressed: a record's columns are small, and setting up DEFLATE for each of
            // them cost more than the rest of the save; what goes on the wire is compressed.
            let snapshot = match saved {
                Saved::Whole(Some(snapshot)) => snapshot,
                _ => entry.doc.save_nocompress(),
            };
            self.tx
                .prepare_cached(
                    "INSERT INTO documents (doc_id, kind, scope, snapshot, updated_ms, tail_bytes) \
                     VALUES (?1, ?2, ?3, ?4, ?5, 0) \
                     ON CONFLICT (doc_id) DO UPDATE SET snapshot = excluded.snapshot, \
                     updated_ms = excluded.updated_ms, tail_bytes = 0",
                )?
                .execute(params![
                    doc_id,
                    entry.kind.as_str(),
                    entry.scope,
                    snapshot,
                    at_ms
                ])?;
            self.tx
                .prepare_cached("DELETE FROM doc_increments WHERE doc_id = ?1")?
                .execute([doc_id])?;
        }
        projection::project(&self.tx, doc_id, entry.kind, &entry.doc, source)
    }

    /// Appends `changes` to the stored document's increments, unless the document is not
    /// stored yet or its increments would outgrow its snapshot (and [`COMPACT_FROM_BYTES`]):
    /// then it returns false and the caller saves the document whole. Saving whole once the
    /// increments weigh as much as the snapshot keeps a write's cost, averaged over writes,
    /// independent of the record's history, and a load's replay bounded by the snapshot's size.
    fn append_increments(&mut self, doc_id: &str, changes: &[Change], at_ms: i64) -> Result<bool> {
        let adding: usize = changes.iter().map(|c| c.raw_bytes().len()).sum();
        let stored: Option<(i64, i64)> = self
            .tx
            .prepare_cached("SELECT tail_bytes, length(snapshot) FROM documents WHERE doc_id = ?1")?
            .query_row([doc_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((tail, snapshot)) = stored else {
            return Ok(false);
        };
        let tail = tail.saturating_add(i64::try_from(adding).unwrap_or(i64::MAX));
        if tail > snapshot.max(COMPACT_FROM_BYTES) {
            return Ok(false);
        }
        let mut insert = self
            .tx
            .prepare_cached("INSERT INTO doc_increments (doc_id, bytes) VALUES (?1, ?2)")?;
        for change in changes {
            insert.execute(params![doc_id, change.raw_bytes()])?;
        }
        self.tx
            .prepare_cached(
                "UPDATE documents SET tail_bytes = ?2, updated_ms = ?3 WHERE doc_id = ?1",
            )?
            .execute(params![doc_id, tail, at_ms])?;
        Ok(true)
    }
}

/// How a write stores its document.
#[derive(Debug)]
pub(crate) enum Saved<'c> {
    /// The write added these changes to the stored document: they are appended (see
    /// [`WriteTxn::append_increments`]).
    Appended(&'c [Change]),
    /// The document is saved whole: from this snapshot when the caller has it, else saved now.
    Whole(Option<Vec<u8>>),
}

/// The increments a document may gather before it is saved whole, however small its snapshot.
pub const COMPACT_FROM_BYTES: i64 = 64 * 1024;
