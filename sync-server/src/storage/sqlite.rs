//! The embedded default: one SQLite file in WAL mode with `synchronous=FULL`, so that a change
//! the relay acknowledged survives a crash or a power cut. One writer connection (each append
//! is one IMMEDIATE transaction, which is the lock under which sequence numbers are assigned)
//! and one reader beside it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use linli_core::DocKind;
use linli_core::sync::protocol::Erased;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};

use super::rules::{self, BlobWrite};
use super::{
    AppendOutcome, ArchivedReport, Bindings, BlobChunk, BlobQuota, BlobState, BlobUsage,
    CompleteBlob, Device, DeviceReport, EnrolCode, LogChange, LoggedChange, NewDevice,
    RelayStorage, RetiredActor, SetAside, Tombstone,
};
use crate::error::RelayError;

const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/001_relay.sql")),
    M::up(include_str!("../../migrations/002_scope_heads.sql")),
    M::up(include_str!("../../migrations/003_set_aside.sql")),
    M::up(include_str!("../../migrations/004_blob_uploads.sql")),
    M::up(include_str!("../../migrations/005_device_actors.sql")),
    M::up(include_str!("../../migrations/006_device_wipe.sql")),
    M::up(include_str!("../../migrations/007_erased_docs.sql")),
    M::up(include_str!("../../migrations/008_archived_reports.sql")),
    M::up(include_str!("../../migrations/009_pass_key.sql")),
    M::up(include_str!("../../migrations/010_device_reports.sql")),
];

/// The SQLite storage.
#[derive(Debug)]
pub struct SqliteStorage {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn kind_of(text: &str) -> Result<DocKind, RelayError> {
    DocKind::parse(text).map_err(RelayError::from)
}

/// A log row as read: seq, device, received, hash, doc, kind, scope, bytes.
type LogRow = (i64, String, i64, Vec<u8>, String, String, String, Vec<u8>);

fn logged(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn to_logged(row: LogRow) -> Result<LoggedChange, RelayError> {
    let (seq, device_id, received_ms, hash, doc_id, kind, scope, bytes) = row;
    Ok(LoggedChange {
        seq,
        device_id,
        received_ms,
        change: LogChange {
            hash: super::hash_of(hash)?,
            doc_id,
            kind: kind_of(&kind)?,
            scope,
            bytes,
        },
    })
}

const LOGGED_COLUMNS: &str = "seq, device_id, received_ms, hash, doc_id, kind, scope, bytes";

fn device(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Device, Vec<u8>)> {
    Ok((
        Device {
            device_id: r.get(0)?,
            member_id: r.get(1)?,
            name: r.get(2)?,
            actor_id: r.get(3)?,
            created_ms: r.get(4)?,
            revoked_ms: r.get(5)?,
            token_hash: [0; 32],
            authored: r.get(7)?,
            actor_since_ms: r.get(8)?,
            wipe: r.get(9)?,
        },
        r.get(6)?,
    ))
}

fn with_token((mut device, hash): (Device, Vec<u8>)) -> Result<Device, RelayError> {
    device.token_hash = super::hash_of(hash)?;
    Ok(device)
}

/// The blob row a device sees (`?1` the hash, `?2` the device): the complete photo, whoever
/// uploaded it, or else its own unfinished upload.
const OWN_OR_COMPLETE: &str =
    "hash = ?1 AND (complete = 1 OR device_id = ?2) ORDER BY complete DESC LIMIT 1";

const DEVICE_COLUMNS: &str = "device_id, member_id, name, actor_id, created_ms, revoked_ms, \
     token_hash, authored, actor_since_ms, wipe";

/// Whether a device writes, or wrote before, with `actor_id`.
fn actor_taken(conn: &Connection, actor_id: &str) -> Result<bool, RelayError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM devices WHERE actor_id = ?1 \
             UNION ALL SELECT 1 FROM retired_actors WHERE actor_id = ?1",
        )?
        .exists([actor_id])?)
}

/// How many prepared statements each connection keeps (rusqlite keeps 16 by default; the
/// relay's routes use more than that, and a statement dropped from the cache is parsed again).
const STATEMENT_CACHE: usize = 128;

impl SqliteStorage {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStorage, RelayError> {
        let mut writer = Connection::open(path)?;
        writer.busy_timeout(std::time::Duration::from_secs(30))?;
        writer.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.pragma_update(None, "synchronous", "FULL")?;
        // Freed pages hold zeros: an erased record's changes leave no copy in the file.
        writer.pragma_update(None, "secure_delete", "ON")?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut writer)
            .map_err(|e| RelayError::internal(format!("migrating the relay database: {e}")))?;
        let reader = Connection::open(path)?;
        reader.busy_timeout(std::time::Duration::from_secs(30))?;
        reader.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(SqliteStorage {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }
}

impl RelayStorage for SqliteStorage {
    fn append_authored(
        &self,
        device_id: &str,
        changes: &[LogChange],
        actor: &str,
        authored: &[[u8; 32]],
        now_ms: i64,
    ) -> Result<AppendOutcome, RelayError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcome = AppendOutcome::default();
        // The highest number stored per scope (AUTOINCREMENT gives them in insert order).
        let mut heads: BTreeMap<&str, i64> = BTreeMap::new();
        {
            let mut bind = tx.prepare_cached(
                "INSERT INTO docs (doc_id, kind, scope) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (doc_id) DO NOTHING RETURNING doc_id",
            )?;
            let mut binding = tx.prepare_cached(
                "SELECT kind, scope, EXISTS (SELECT 1 FROM erased_docs e WHERE e.doc_id = ?1) \
                 FROM docs WHERE doc_id = ?1",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO log (hash, doc_id, kind, scope, device_id, bytes, received_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (hash) DO NOTHING",
            )?;
            let mut bound = rules::Bound::default();
            for c in changes {
                let erased = bound.erased(c, || {
                    let created = bind
                        .query_row(params![c.doc_id, c.kind.as_str(), c.scope], |_| Ok(()))
                        .optional()?
                        .is_some();
                    if created {
                        return Ok(false);
                    }
                    let (kind, scope, erased): (String, String, bool) = binding
                        .query_row([&c.doc_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                    rules::same_binding(c, &kind, &scope)?;
                    Ok(erased)
                })?;
                if erased {
                    continue;
                }
                let n = insert.execute(params![
                    c.hash.as_slice(),
                    c.doc_id,
                    c.kind.as_str(),
                    c.scope,
                    device_id,
                    c.bytes,
                    now_ms
                ])?;
                if n == 1 {
                    outcome.stored += 1;
                    heads.insert(c.scope.as_str(), tx.last_insert_rowid());
                    if authored.binary_search(&c.hash).is_ok() {
                        outcome.authored += 1;
                    }
                } else {
                    outcome.duplicates += 1;
                }
            }
            let mut head = tx.prepare_cached(
                "INSERT INTO scope_heads (scope, seq) VALUES (?1, ?2) \
                 ON CONFLICT (scope) DO UPDATE SET seq = MAX(seq, excluded.seq)",
            )?;
            for (scope, seq) in heads {
                head.execute(params![scope, seq])?;
            }
            if outcome.authored > 0 {
                tx.prepare_cached(
                    "UPDATE devices SET authored = authored + ?2 \
                     WHERE device_id = ?1 AND actor_id = ?3",
                )?
                .execute(params![device_id, outcome.authored, actor])?;
            }
        }
        tx.commit()?;
        Ok(outcome)
    }

    fn has_change(&self, hash: &[u8; 32]) -> Result<bool, RelayError> {
        let conn = lock(&self.reader);
        Ok(conn
            .prepare_cached("SELECT 1 FROM log WHERE hash = ?1")?
            .exists([hash.as_slice()])?)
    }

    fn doc_bindings(&self, doc_ids: &[&str]) -> Result<Bindings, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached("SELECT kind, scope FROM docs WHERE doc_id = ?1")?;
        let mut out = Bindings::new();
        for &doc_id in doc_ids {
            let row: Option<(String, String)> = stmt
                .query_row([doc_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((kind, scope)) = row {
                out.insert(doc_id.to_owned(), (kind_of(&kind)?, scope));
            }
        }
        Ok(out)
    }

    fn read_scope(
        &self,
        scope: &str,
        after_seq: i64,
        max_bytes: usize,
        max_rows: usize,
    ) -> Result<Vec<LoggedChange>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {LOGGED_COLUMNS} FROM log WHERE scope = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
        ))?;
        let mut rows = stmt.query(params![scope, after_seq, max_rows as i64])?;
        let mut out = Vec::new();
        let mut bytes = 0;
        while let Some(r) = rows.next()? {
            let change = to_logged(logged(r)?)?;
            bytes += change.change.bytes.len();
            out.push(change);
            if bytes >= max_bytes {
                break;
            }
        }
        Ok(out)
    }

    fn one_order(&self) -> bool {
        // One AUTOINCREMENT over the whole log, and one writer at a time.
        true
    }

    fn scopes(&self) -> Result<Vec<(String, i64)>, RelayError> {
        let conn = lock(&self.reader);
        // Kept with every append: every sync asks, so this reads one small row per scope.
        let mut stmt = conn.prepare_cached("SELECT scope, seq FROM scope_heads ORDER BY scope")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn changes_by_hash(&self, hashes: &[[u8; 32]]) -> Result<Vec<LogChange>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt =
            conn.prepare_cached(&format!("SELECT {LOGGED_COLUMNS} FROM log WHERE hash = ?1"))?;
        let mut out = Vec::new();
        for h in hashes {
            if let Some(row) = stmt.query_row([h.as_slice()], logged).optional()? {
                out.push(to_logged(row)?.change);
            }
        }
        Ok(out)
    }

    fn log_len(&self) -> Result<u64, RelayError> {
        let conn = lock(&self.reader);
        Ok(conn.query_row("SELECT COUNT(*) FROM log", [], |r| r.get::<_, i64>(0))? as u64)
    }

    fn create_code(
        &self,
        code: &str,
        member_id: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), RelayError> {
        lock(&self.writer).execute(
            "INSERT INTO enrol_codes (code, member_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
            params![code, member_id, now_ms, expires_ms],
        )?;
        Ok(())
    }

    fn redeem_code(
        &self,
        code: &str,
        device: &NewDevice,
        now_ms: i64,
    ) -> Result<Device, RelayError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, i64, Option<String>)> = tx
            .query_row(
                "SELECT member_id, expires_ms, used_by FROM enrol_codes WHERE code = ?1",
                [code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let member_id = rules::redeemable(row, now_ms)?;
        if actor_taken(&tx, &device.actor_id)? {
            return Err(rules::actor_taken());
        }
        tx.execute(
            "INSERT INTO devices (device_id, member_id, name, actor_id, token_hash, created_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                device.device_id,
                member_id,
                device.name,
                device.actor_id,
                device.token_hash.as_slice(),
                now_ms
            ],
        )?;
        tx.execute(
            "UPDATE enrol_codes SET used_by = ?1 WHERE code = ?2",
            params![device.device_id, code],
        )?;
        tx.commit()?;
        Ok(Device {
            device_id: device.device_id.clone(),
            member_id,
            name: device.name.clone(),
            actor_id: device.actor_id.clone(),
            created_ms: now_ms,
            revoked_ms: None,
            token_hash: device.token_hash,
            authored: 0,
            actor_since_ms: 0,
            wipe: false,
        })
    }

    fn device_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<Device>, RelayError> {
        let conn = lock(&self.reader);
        conn.prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1"
        ))?
        .query_row([token_hash.as_slice()], device)
        .optional()?
        .map(with_token)
        .transpose()
    }

    fn register_internal_device(
        &self,
        device_id: &str,
        member_id: &str,
        actor_id: &str,
        now_ms: i64,
    ) -> Result<(), RelayError> {
        // An internal device has no token: a random hash nobody holds the preimage of.
        let token_hash: [u8; 32] = rand::random();
        lock(&self.writer).execute(
            "INSERT INTO devices (device_id, member_id, name, actor_id, token_hash, created_ms) \
             VALUES (?1, ?2, ?1, ?3, ?4, ?5) ON CONFLICT (device_id) DO NOTHING",
            params![
                device_id,
                member_id,
                actor_id,
                token_hash.as_slice(),
                now_ms
            ],
        )?;
        Ok(())
    }

    fn devices(&self) -> Result<Vec<Device>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices ORDER BY created_ms, device_id"
        ))?;
        let rows = stmt.query_map([], device)?;
        rows.map(|r| with_token(r?)).collect()
    }

    fn enrol_codes(&self) -> Result<Vec<EnrolCode>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT code, member_id, created_ms, expires_ms, used_by FROM enrol_codes ORDER BY created_ms, code",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(EnrolCode {
                code: r.get(0)?,
                member_id: r.get(1)?,
                created_ms: r.get(2)?,
                expires_ms: r.get(3)?,
                used_by: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn replace_actor(
        &self,
        device_id: &str,
        old_actor: &str,
        new_actor: &str,
        now_ms: i64,
    ) -> Result<bool, RelayError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if actor_taken(&tx, new_actor)? {
            return Err(rules::actor_taken());
        }
        let n = tx.execute(
            "UPDATE devices SET actor_id = ?3, authored = 0, actor_since_ms = ?4 \
             WHERE device_id = ?1 AND actor_id = ?2 AND revoked_ms IS NULL",
            params![device_id, old_actor, new_actor, now_ms],
        )?;
        if n == 1 {
            tx.execute(
                "INSERT INTO retired_actors (actor_id, device_id, retired_ms) VALUES (?1, ?2, ?3)",
                params![old_actor, device_id, now_ms],
            )?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    fn actor_retired(&self, device_id: &str, actor_id: &str) -> Result<Option<i64>, RelayError> {
        Ok(lock(&self.reader)
            .prepare_cached(
                "SELECT retired_ms FROM retired_actors WHERE actor_id = ?1 AND device_id = ?2",
            )?
            .query_row(params![actor_id, device_id], |r| r.get(0))
            .optional()?)
    }

    fn erase_document(
        &self,
        doc_id: &str,
        scope: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<Option<(i64, u64)>, RelayError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let inserted = tx.execute(
            "INSERT INTO erased_docs (doc_id, erased_ms, erased_by) VALUES (?1, ?2, ?3) \
             ON CONFLICT (doc_id) DO NOTHING",
            params![doc_id, now_ms, by],
        )?;
        if inserted == 0 {
            return Ok(None);
        }
        let seq = tx.last_insert_rowid();
        // Through the (scope, seq) index: only the record's scope is read.
        let rows = tx.execute(
            "DELETE FROM log WHERE scope = ?2 AND doc_id = ?1",
            params![doc_id, scope],
        )?;
        tx.execute("DELETE FROM set_aside WHERE doc_id = ?1", [doc_id])?;
        tx.commit()?;
        // The WAL's older copies of those pages are copied back (zeroed) and cut off.
        let _: (i64, i64, i64) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(Some((seq, rows as u64)))
    }

    fn erased_after(&self, seq: i64, limit: usize) -> Result<Vec<Erased>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT seq, doc_id FROM erased_docs WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![seq, limit as i64], |r| {
            Ok(Erased {
                seq: r.get(0)?,
                doc_id: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn docs_of_kind(&self, kind: DocKind) -> Result<Vec<(String, String)>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT doc_id, scope FROM docs WHERE kind = ?1 \
             AND doc_id NOT IN (SELECT doc_id FROM erased_docs) ORDER BY doc_id",
        )?;
        let rows = stmt.query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn archive_report(
        &self,
        date: &str,
        markdown: &str,
        csv: &str,
        now_ms: i64,
    ) -> Result<(), RelayError> {
        lock(&self.writer).execute(
            "INSERT INTO archived_reports (date, markdown, csv, archived_ms) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (date) DO NOTHING",
            params![date, markdown, csv, now_ms],
        )?;
        Ok(())
    }

    fn pass_signing_key(&self, candidate: &[u8; 32], now_ms: i64) -> Result<Vec<u8>, RelayError> {
        let conn = lock(&self.writer);
        conn.execute(
            "INSERT INTO pass_key (id, secret, created_ms) VALUES (1, ?1, ?2) \
             ON CONFLICT (id) DO NOTHING",
            params![candidate.as_slice(), now_ms],
        )?;
        Ok(conn.query_row("SELECT secret FROM pass_key WHERE id = 1", [], |r| r.get(0))?)
    }

    fn kept_pass_signing_key(&self) -> Result<Option<[u8; 32]>, RelayError> {
        let secret: Option<Vec<u8>> = lock(&self.reader)
            .query_row("SELECT secret FROM pass_key WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        Ok(secret.and_then(|s| s.try_into().ok()))
    }

    fn record_device_report(&self, report: &DeviceReport) -> Result<(), RelayError> {
        lock(&self.writer)
            .prepare_cached(
                "INSERT INTO device_reports (device_id, at_ms, app_version, outbox, photos, \
                 conflicts) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (device_id) DO UPDATE \
                 SET at_ms = excluded.at_ms, app_version = excluded.app_version, \
                 outbox = excluded.outbox, photos = excluded.photos, \
                 conflicts = excluded.conflicts",
            )?
            .execute(params![
                report.device_id,
                report.at_ms,
                report.app_version,
                report.outbox,
                report.photos,
                report.conflicts
            ])?;
        Ok(())
    }

    fn device_reports(&self) -> Result<Vec<DeviceReport>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT device_id, at_ms, app_version, outbox, photos, conflicts \
             FROM device_reports ORDER BY device_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DeviceReport {
                device_id: r.get(0)?,
                at_ms: r.get(1)?,
                app_version: r.get(2)?,
                outbox: r.get(3)?,
                photos: r.get(4)?,
                conflicts: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn archived_report(&self, date: &str) -> Result<Option<(String, String)>, RelayError> {
        Ok(lock(&self.reader)
            .prepare_cached("SELECT markdown, csv FROM archived_reports WHERE date = ?1")?
            .query_row([date], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn tombstones(&self) -> Result<Vec<Tombstone>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare(
            "SELECT e.seq, e.doc_id, d.kind, d.scope, e.erased_ms, e.erased_by \
             FROM erased_docs e JOIN docs d USING (doc_id) ORDER BY e.seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, doc_id, kind, scope, erased_ms, erased_by) = row?;
            out.push(Tombstone {
                seq,
                doc_id,
                kind: kind_of(&kind)?,
                scope,
                erased_ms,
                erased_by,
            });
        }
        Ok(out)
    }

    fn retired_actors(&self) -> Result<Vec<RetiredActor>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare(
            "SELECT actor_id, device_id, retired_ms FROM retired_actors ORDER BY retired_ms",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RetiredActor {
                actor_id: r.get(0)?,
                device_id: r.get(1)?,
                retired_ms: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn archived_reports(&self) -> Result<Vec<ArchivedReport>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare(
            "SELECT date, markdown, csv, archived_ms FROM archived_reports ORDER BY date",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ArchivedReport {
                date: r.get(0)?,
                markdown: r.get(1)?,
                csv: r.get(2)?,
                archived_ms: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn retired_actor_count(&self, device_id: &str) -> Result<u64, RelayError> {
        let n: i64 = lock(&self.reader)
            .prepare_cached("SELECT count(*) FROM retired_actors WHERE device_id = ?1")?
            .query_row([device_id], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    fn rotate_token(&self, device_id: &str, token_hash: &[u8; 32]) -> Result<bool, RelayError> {
        let n = lock(&self.writer).execute(
            "UPDATE devices SET token_hash = ?2 WHERE device_id = ?1 AND revoked_ms IS NULL",
            params![device_id, token_hash.as_slice()],
        )?;
        Ok(n == 1)
    }

    fn revoke(&self, device_id: &str, now_ms: i64) -> Result<bool, RelayError> {
        let n = lock(&self.writer).execute(
            "UPDATE devices SET revoked_ms = ?2 WHERE device_id = ?1 AND revoked_ms IS NULL",
            params![device_id, now_ms],
        )?;
        Ok(n == 1)
    }

    fn set_wipe(&self, device_id: &str) -> Result<bool, RelayError> {
        let n = lock(&self.writer).execute(
            "UPDATE devices SET wipe = 1 WHERE device_id = ?1 AND revoked_ms IS NOT NULL",
            [device_id],
        )?;
        Ok(n == 1)
    }

    fn set_aside(&self, rows: &[SetAside]) -> Result<(), RelayError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO set_aside (hash, doc_id, kind, scope, bytes, device_id, \
                 member_id, code, reason, received_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for r in rows {
                insert.execute(params![
                    r.change.hash.as_slice(),
                    r.change.doc_id,
                    r.change.kind.as_str(),
                    r.change.scope,
                    r.change.bytes,
                    r.device_id,
                    r.member_id,
                    r.code,
                    r.reason,
                    r.received_ms
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn set_aside_list(&self, waiting_only: bool) -> Result<Vec<SetAside>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT hash, doc_id, kind, scope, bytes, device_id, member_id, code, reason, \
             received_ms, decision, decided_by, decided_ms FROM set_aside \
             WHERE decision IS NULL OR ?1 = 0 ORDER BY received_ms, hash",
        )?;
        let rows = stmt.query_map([waiting_only], |r| {
            Ok((
                (
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                ),
                SetAside {
                    change: LogChange {
                        hash: [0; 32],
                        doc_id: String::new(),
                        kind: DocKind::Household,
                        scope: String::new(),
                        bytes: Vec::new(),
                    },
                    device_id: r.get(5)?,
                    member_id: r.get(6)?,
                    code: r.get(7)?,
                    reason: r.get(8)?,
                    received_ms: r.get(9)?,
                    decision: r.get(10)?,
                    decided_by: r.get(11)?,
                    decided_ms: r.get(12)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let ((hash, doc_id, kind, scope, bytes), mut aside) = row?;
            aside.change = LogChange {
                hash: super::hash_of(hash)?,
                doc_id,
                kind: kind_of(&kind)?,
                scope,
                bytes,
            };
            out.push(aside);
        }
        Ok(out)
    }

    fn set_aside_decide(
        &self,
        hash: &[u8; 32],
        decision: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool, RelayError> {
        let n = lock(&self.writer).execute(
            "UPDATE set_aside SET decision = ?2, decided_by = ?3, decided_ms = ?4 \
             WHERE hash = ?1 AND decision IS NULL",
            params![hash.as_slice(), decision, by, now_ms],
        )?;
        Ok(n == 1)
    }

    fn blob_state(&self, hash: &str, device_id: &str) -> Result<BlobState, RelayError> {
        let conn = lock(&self.reader);
        let row: Option<(i64, i64, bool)> = conn
            .prepare_cached(&format!(
                "SELECT total, length(bytes), complete FROM blobs WHERE {OWN_OR_COMPLETE}"
            ))?
            .query_row(params![hash, device_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        Ok(rules::blob_state(
            row.map(|(t, l, c)| (t as u64, l as u64, c)),
        ))
    }

    fn blob_write(&self, chunk: &BlobChunk<'_>, quota: BlobQuota) -> Result<BlobState, RelayError> {
        rules::check_blob_size(chunk.total)?;
        let (hash, device) = (chunk.hash, chunk.device_id);
        let mut conn = lock(&self.writer);
        // The one writer: quotas are counted and the photo completed by one upload at a time.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored: Option<(i64, Vec<u8>, bool)> = tx
            .query_row(
                &format!("SELECT total, bytes, complete FROM blobs WHERE {OWN_OR_COMPLETE}"),
                params![hash, device],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let stored = stored.map(|(t, b, c)| (t as u64, b, c));
        let usage = tx.query_row(
            "SELECT COALESCE(SUM(CASE WHEN device_id = ?1 THEN length(bytes) END), 0), \
             COALESCE(SUM(length(bytes)), 0) FROM blobs",
            [device],
            |r| {
                Ok(BlobUsage {
                    device: r.get::<_, i64>(0)? as u64,
                    all: r.get::<_, i64>(1)? as u64,
                })
            },
        )?;
        match rules::blob_write(stored, chunk, usage, quota)? {
            BlobWrite::AlreadyComplete(state) => Ok(state),
            BlobWrite::Discard(error) => {
                tx.execute(
                    "DELETE FROM blobs WHERE hash = ?1 AND device_id = ?2 AND complete = 0",
                    params![hash, device],
                )?;
                tx.commit()?;
                Err(error)
            }
            BlobWrite::Store {
                bytes,
                complete,
                state,
            } => {
                if complete {
                    tx.execute(
                        "DELETE FROM blobs WHERE hash = ?1 AND device_id <> ?2",
                        params![hash, device],
                    )?;
                }
                tx.execute(
                    "INSERT INTO blobs (hash, device_id, total, bytes, complete) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (hash, device_id) DO UPDATE SET \
                     total = excluded.total, bytes = excluded.bytes, complete = excluded.complete",
                    params![hash, device, chunk.total as i64, bytes, complete],
                )?;
                tx.commit()?;
                Ok(state)
            }
        }
    }

    fn blob(&self, hash: &str) -> Result<Option<Vec<u8>>, RelayError> {
        let conn = lock(&self.reader);
        Ok(conn
            .prepare_cached("SELECT bytes FROM blobs WHERE hash = ?1 AND complete = 1")?
            .query_row([hash], |r| r.get(0))
            .optional()?)
    }

    fn delete_blob(&self, hash: &str) -> Result<u64, RelayError> {
        Ok(lock(&self.writer).execute("DELETE FROM blobs WHERE hash = ?1", [hash])? as u64)
    }

    fn complete_blobs(&self) -> Result<Vec<CompleteBlob>, RelayError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT hash, device_id, length(bytes) FROM blobs WHERE complete = 1 ORDER BY hash",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CompleteBlob {
                hash: r.get(0)?,
                device_id: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
