//! PostgreSQL storage, for a district that runs several relay instances over one database.
//! Connections come from an r2d2 pool; the schema is migrated at connect under an advisory
//! lock, so instances starting together migrate once. Each push is one transaction that locks
//! the heads of its scopes and takes the next numbers of each (see the migration for why no
//! reader skips a row that commits late). Durability is PostgreSQL's: a commit is acknowledged
//! after its WAL is flushed (`synchronous_commit` on, the default).

use std::collections::BTreeMap;
use std::time::Duration;

use linli_core::DocKind;
use linli_core::sync::protocol::Erased;
use postgres::{GenericClient, NoTls, Row, Transaction};
use r2d2::{Pool, PooledConnection};
use r2d2_postgres::PostgresConnectionManager;

use super::rules::{self, BlobWrite};
use super::{
    AppendOutcome, ArchivedReport, Bindings, BlobChunk, BlobQuota, BlobState, BlobUsage,
    CompleteBlob, Device, DeviceReport, EnrolCode, LogChange, LoggedChange, NewDevice,
    RelayStorage, RetiredActor, SetAside, Tombstone,
};
use crate::error::RelayError;

/// The versioned migrations, applied in order.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../migrations/postgres/001_relay.sql")),
    (
        2,
        include_str!("../../migrations/postgres/002_set_aside.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/003_blob_uploads.sql"),
    ),
    (
        4,
        include_str!("../../migrations/postgres/004_device_actors.sql"),
    ),
    (
        5,
        include_str!("../../migrations/postgres/005_device_wipe.sql"),
    ),
    (
        6,
        include_str!("../../migrations/postgres/006_erased_docs.sql"),
    ),
    (
        7,
        include_str!("../../migrations/postgres/007_archived_reports.sql"),
    ),
    (
        8,
        include_str!("../../migrations/postgres/008_pass_key.sql"),
    ),
    (
        9,
        include_str!("../../migrations/postgres/009_device_reports.sql"),
    ),
];
/// The advisory lock key held while migrating.
const MIGRATION_LOCK: i64 = 0x6c69_6e6c_6930;
/// The advisory lock key held while writing a photo chunk: photo writes take turns across
/// instances, so that quotas are counted exactly and a photo completes once.
const BLOB_LOCK: i64 = 0x6c69_6e6c_6931;
/// The advisory lock key held while erasing a record.
const ERASE_LOCK: i64 = 0x6c69_6e6c_6932;

type Manager = PostgresConnectionManager<NoTls>;

/// The PostgreSQL storage.
pub struct PostgresStorage {
    pool: Pool<Manager>,
    target: String,
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStorage")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

const LOGGED_COLUMNS: &str = "seq, device_id, received_ms, hash, doc_id, kind, scope, bytes";
/// The blob row a device sees (`$1` the hash, `$2` the device): the complete photo, whoever
/// uploaded it, or else its own unfinished upload.
const OWN_OR_COMPLETE: &str =
    "hash = $1 AND (complete OR device_id = $2) ORDER BY complete DESC LIMIT 1";
const DEVICE_COLUMNS: &str = "device_id, member_id, name, actor_id, created_ms, revoked_ms, \
     token_hash, authored, actor_since_ms, wipe";

fn to_logged(r: &Row) -> Result<LoggedChange, RelayError> {
    Ok(LoggedChange {
        seq: r.try_get(0)?,
        device_id: r.try_get(1)?,
        received_ms: r.try_get(2)?,
        change: LogChange {
            hash: super::hash_of(r.try_get(3)?)?,
            doc_id: r.try_get(4)?,
            kind: DocKind::parse(r.try_get::<_, &str>(5)?)?,
            scope: r.try_get(6)?,
            bytes: r.try_get(7)?,
        },
    })
}

fn to_device(r: &Row) -> Result<Device, RelayError> {
    Ok(Device {
        device_id: r.try_get(0)?,
        member_id: r.try_get(1)?,
        name: r.try_get(2)?,
        actor_id: r.try_get(3)?,
        created_ms: r.try_get(4)?,
        revoked_ms: r.try_get(5)?,
        token_hash: super::hash_of(r.try_get(6)?)?,
        authored: r.try_get(7)?,
        actor_since_ms: r.try_get(8)?,
        wipe: r.try_get::<_, i64>(9)? != 0,
    })
}

/// Whether a device writes, or wrote before, with `actor_id`.
fn actor_taken(tx: &mut Transaction<'_>, actor_id: &str) -> Result<bool, RelayError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM devices WHERE actor_id = $1 \
             UNION ALL SELECT 1 FROM retired_actors WHERE actor_id = $1",
            &[&actor_id],
        )?
        .is_some())
}

impl PostgresStorage {
    /// Connects to `url` (`postgres://user@host:port/db`), creating and migrating the schema.
    pub fn connect(url: &str) -> Result<PostgresStorage, RelayError> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| RelayError::bad_request("bad_database_url", format!("{url}: {e}")))?;
        let target = format!(
            "postgres {:?} db {:?}",
            config.get_hosts().first(),
            config.get_dbname().unwrap_or("")
        );
        let pool = Pool::builder()
            .max_size(16)
            .connection_timeout(Duration::from_secs(15))
            .build(PostgresConnectionManager::new(config, NoTls))?;
        let storage = PostgresStorage { pool, target };
        storage.migrate()?;
        Ok(storage)
    }

    fn conn(&self) -> Result<PooledConnection<Manager>, RelayError> {
        Ok(self.pool.get()?)
    }

    fn migrate(&self) -> Result<(), RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS relay_migrations \
             (version INT PRIMARY KEY, applied_ms BIGINT NOT NULL)",
        )?;
        let applied: Vec<i32> = tx
            .query("SELECT version FROM relay_migrations", &[])?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for (version, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO relay_migrations (version, applied_ms) VALUES ($1, $2)",
                &[version, &chrono::Utc::now().timestamp_millis()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Locks the heads of `scopes` (creating them), in scope order; returns each head.
    fn lock_heads(
        tx: &mut Transaction<'_>,
        scopes: impl Iterator<Item = String>,
    ) -> Result<BTreeMap<String, i64>, RelayError> {
        let mut heads = BTreeMap::new();
        let ordered: std::collections::BTreeSet<String> = scopes.collect();
        for scope in ordered {
            tx.execute(
                "INSERT INTO scope_heads (scope, seq) VALUES ($1, 0) ON CONFLICT (scope) DO NOTHING",
                &[&scope],
            )?;
            let seq: i64 = tx
                .query_one(
                    "SELECT seq FROM scope_heads WHERE scope = $1 FOR UPDATE",
                    &[&scope],
                )?
                .get(0);
            heads.insert(scope, seq);
        }
        Ok(heads)
    }

    fn save_heads(
        tx: &mut Transaction<'_>,
        heads: &BTreeMap<String, i64>,
    ) -> Result<(), RelayError> {
        for (scope, seq) in heads {
            tx.execute(
                "UPDATE scope_heads SET seq = $2 WHERE scope = $1",
                &[scope, seq],
            )?;
        }
        Ok(())
    }

    /// Binds a change's document to its kind and scope, or checks the binding it has.
    /// Binds the change's document (or checks its binding). Returns whether the document
    /// was erased.
    fn bind(tx: &mut Transaction<'_>, c: &LogChange) -> Result<bool, RelayError> {
        let created = tx.query_opt(
            "INSERT INTO docs (doc_id, kind, scope) VALUES ($1, $2, $3) \
             ON CONFLICT (doc_id) DO NOTHING RETURNING doc_id",
            &[&c.doc_id, &c.kind.as_str(), &c.scope],
        )?;
        if created.is_none() {
            // FOR SHARE: an erasure of the document (FOR UPDATE) waits for this push, and
            // then deletes what it stored, or this push sees its tombstone.
            let row = tx.query_one(
                "SELECT kind, scope, EXISTS (SELECT 1 FROM erased_docs e WHERE e.doc_id = $1) \
                 FROM docs WHERE doc_id = $1 FOR SHARE",
                &[&c.doc_id],
            )?;
            rules::same_binding(c, row.get(0), row.get(1))?;
            return Ok(row.get(2));
        }
        Ok(false)
    }

    /// Copies logged changes with their own sequence numbers (moving a relay's data here): the
    /// scopes' heads become at least the highest number copied, so that the phones' cursors
    /// stay valid. Changes the log has already are skipped.
    pub fn import_log(&self, rows: &[LoggedChange]) -> Result<u32, RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let mut heads = Self::lock_heads(&mut tx, rows.iter().map(|r| r.change.scope.clone()))?;
        let mut stored = 0;
        for r in rows {
            let c = &r.change;
            if Self::bind(&mut tx, c)? {
                continue;
            }
            stored += tx.execute(
                "INSERT INTO log (scope, seq, hash, doc_id, kind, device_id, bytes, received_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                &[
                    &c.scope,
                    &r.seq,
                    &c.hash.as_slice(),
                    &c.doc_id,
                    &c.kind.as_str(),
                    &r.device_id,
                    &c.bytes,
                    &r.received_ms,
                ],
            )? as u32;
            let head = heads.entry(c.scope.clone()).or_default();
            *head = (*head).max(r.seq);
        }
        Self::save_heads(&mut tx, &heads)?;
        tx.commit()?;
        Ok(stored)
    }

    /// Copies a device as it is (token hash and revocation included); a known device is kept.
    pub fn import_device(&self, d: &Device) -> Result<(), RelayError> {
        self.conn()?.execute(
            "INSERT INTO devices (device_id, member_id, name, actor_id, token_hash, created_ms, \
             revoked_ms, authored, actor_since_ms, wipe) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
            &[
                &d.device_id,
                &d.member_id,
                &d.name,
                &d.actor_id,
                &d.token_hash.as_slice(),
                &d.created_ms,
                &d.revoked_ms,
                &d.authored,
                &d.actor_since_ms,
                &i64::from(d.wipe),
            ],
        )?;
        Ok(())
    }

    /// Copies a tombstone with its position and its record's binding; a known one is kept. The
    /// positions given next follow the highest copied, so that the phones' `erased_after`
    /// stays valid.
    pub fn import_tombstone(&self, t: &Tombstone) -> Result<(), RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO docs (doc_id, kind, scope) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&t.doc_id, &t.kind.as_str(), &t.scope],
        )?;
        tx.execute(
            "INSERT INTO erased_docs (seq, doc_id, erased_ms, erased_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            &[&t.seq, &t.doc_id, &t.erased_ms, &t.erased_by],
        )?;
        tx.execute(
            "SELECT setval(pg_get_serial_sequence('erased_docs', 'seq'), \
             GREATEST((SELECT MAX(seq) FROM erased_docs), 1))",
            &[],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Copies a retired actor; a known one is kept.
    pub fn import_retired_actor(&self, a: &RetiredActor) -> Result<(), RelayError> {
        self.conn()?.execute(
            "INSERT INTO retired_actors (actor_id, device_id, retired_ms) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            &[&a.actor_id, &a.device_id, &a.retired_ms],
        )?;
        Ok(())
    }

    /// Copies a kept day-end report; a known one is kept.
    pub fn import_archived_report(&self, r: &ArchivedReport) -> Result<(), RelayError> {
        self.archive_report(&r.date, &r.markdown, &r.csv, r.archived_ms)
    }

    /// Copies an enrolment code as it is; a known code is kept.
    pub fn import_code(&self, c: &EnrolCode) -> Result<(), RelayError> {
        self.conn()?.execute(
            "INSERT INTO enrol_codes (code, member_id, created_ms, expires_ms, used_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[
                &c.code,
                &c.member_id,
                &c.created_ms,
                &c.expires_ms,
                &c.used_by,
            ],
        )?;
        Ok(())
    }
}

fn query_devices(
    client: &mut impl GenericClient,
    filter: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<Device>, RelayError> {
    client
        .query(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices {filter}"),
            params,
        )?
        .iter()
        .map(to_device)
        .collect()
}

impl RelayStorage for PostgresStorage {
    fn append_authored(
        &self,
        device_id: &str,
        changes: &[LogChange],
        actor: &str,
        authored: &[[u8; 32]],
        now_ms: i64,
    ) -> Result<AppendOutcome, RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let mut heads = Self::lock_heads(&mut tx, changes.iter().map(|c| c.scope.clone()))?;
        let mut outcome = AppendOutcome::default();
        let insert = tx.prepare(
            "INSERT INTO log (scope, seq, hash, doc_id, kind, device_id, bytes, received_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (hash) DO NOTHING",
        )?;
        let mut bound = rules::Bound::default();
        for c in changes {
            if bound.erased(c, || Self::bind(&mut tx, c))? {
                continue;
            }
            let head = heads.entry(c.scope.clone()).or_default();
            let n = tx.execute(
                &insert,
                &[
                    &c.scope,
                    &(*head + 1),
                    &c.hash.as_slice(),
                    &c.doc_id,
                    &c.kind.as_str(),
                    &device_id,
                    &c.bytes,
                    &now_ms,
                ],
            )?;
            if n == 1 {
                *head += 1;
                outcome.stored += 1;
                if authored.binary_search(&c.hash).is_ok() {
                    outcome.authored += 1;
                }
            } else {
                outcome.duplicates += 1;
            }
        }
        Self::save_heads(&mut tx, &heads)?;
        if outcome.authored > 0 {
            tx.execute(
                "UPDATE devices SET authored = authored + $2 WHERE device_id = $1 AND actor_id = $3",
                &[&device_id, &i64::from(outcome.authored), &actor],
            )?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    fn has_change(&self, hash: &[u8; 32]) -> Result<bool, RelayError> {
        Ok(self
            .conn()?
            .query_opt("SELECT 1 FROM log WHERE hash = $1", &[&hash.as_slice()])?
            .is_some())
    }

    fn doc_bindings(&self, doc_ids: &[&str]) -> Result<Bindings, RelayError> {
        if doc_ids.is_empty() {
            return Ok(Bindings::new());
        }
        let rows = self.conn()?.query(
            "SELECT doc_id, kind, scope FROM docs WHERE doc_id = ANY($1)",
            &[&doc_ids],
        )?;
        rows.iter()
            .map(|r| Ok((r.get(0), (DocKind::parse(r.get::<_, &str>(1))?, r.get(2)))))
            .collect()
    }

    fn read_scope(
        &self,
        scope: &str,
        after_seq: i64,
        max_bytes: usize,
        max_rows: usize,
    ) -> Result<Vec<LoggedChange>, RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.build_transaction().read_only(true).start()?;
        let portal = tx.bind(
            &format!(
                "SELECT {LOGGED_COLUMNS} FROM log WHERE scope = $1 AND seq > $2 ORDER BY seq LIMIT $3"
            ),
            &[&scope, &after_seq, &(max_rows as i64)],
        )?;
        let mut out = Vec::new();
        let mut bytes = 0;
        'pages: loop {
            let page = tx.query_portal(&portal, 64)?;
            if page.is_empty() {
                break;
            }
            for r in &page {
                let change = to_logged(r)?;
                bytes += change.change.bytes.len();
                out.push(change);
                if bytes >= max_bytes {
                    break 'pages;
                }
            }
        }
        drop(portal);
        tx.commit()?;
        Ok(out)
    }

    fn one_order(&self) -> bool {
        // Numbers are taken per scope, and writers of different scopes commit in any order.
        false
    }

    fn scopes(&self) -> Result<Vec<(String, i64)>, RelayError> {
        Ok(self
            .conn()?
            .query(
                "SELECT scope, seq FROM scope_heads WHERE seq > 0 ORDER BY scope",
                &[],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn changes_by_hash(&self, hashes: &[[u8; 32]]) -> Result<Vec<LogChange>, RelayError> {
        let wanted: Vec<&[u8]> = hashes.iter().map(|h| h.as_slice()).collect();
        self.conn()?
            .query(
                &format!("SELECT {LOGGED_COLUMNS} FROM log WHERE hash = ANY($1)"),
                &[&wanted],
            )?
            .iter()
            .map(|r| to_logged(r).map(|l| l.change))
            .collect()
    }

    fn log_len(&self) -> Result<u64, RelayError> {
        let n: i64 = self
            .conn()?
            .query_one("SELECT COUNT(*) FROM log", &[])?
            .get(0);
        Ok(n as u64)
    }

    fn create_code(
        &self,
        code: &str,
        member_id: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), RelayError> {
        self.conn()?.execute(
            "INSERT INTO enrol_codes (code, member_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4)",
            &[&code, &member_id, &now_ms, &expires_ms],
        )?;
        Ok(())
    }

    fn redeem_code(
        &self,
        code: &str,
        device: &NewDevice,
        now_ms: i64,
    ) -> Result<Device, RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let row = tx
            .query_opt(
                "SELECT member_id, expires_ms, used_by FROM enrol_codes WHERE code = $1 FOR UPDATE",
                &[&code],
            )?
            .map(|r| (r.get(0), r.get(1), r.get(2)));
        let member_id = rules::redeemable(row, now_ms)?;
        if actor_taken(&mut tx, &device.actor_id)? {
            return Err(rules::actor_taken());
        }
        tx.execute(
            "INSERT INTO devices (device_id, member_id, name, actor_id, token_hash, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &device.device_id,
                &member_id,
                &device.name,
                &device.actor_id,
                &device.token_hash.as_slice(),
                &now_ms,
            ],
        )?;
        tx.execute(
            "UPDATE enrol_codes SET used_by = $1 WHERE code = $2",
            &[&device.device_id, &code],
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
        Ok(query_devices(
            &mut *self.conn()?,
            "WHERE token_hash = $1",
            &[&token_hash.as_slice()],
        )?
        .pop())
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
        self.conn()?.execute(
            "INSERT INTO devices (device_id, member_id, name, actor_id, token_hash, created_ms) \
             VALUES ($1, $2, $1, $3, $4, $5) ON CONFLICT (device_id) DO NOTHING",
            &[
                &device_id,
                &member_id,
                &actor_id,
                &token_hash.as_slice(),
                &now_ms,
            ],
        )?;
        Ok(())
    }

    fn devices(&self) -> Result<Vec<Device>, RelayError> {
        query_devices(&mut *self.conn()?, "ORDER BY created_ms, device_id", &[])
    }

    fn enrol_codes(&self) -> Result<Vec<EnrolCode>, RelayError> {
        Ok(self
            .conn()?
            .query(
                "SELECT code, member_id, created_ms, expires_ms, used_by FROM enrol_codes \
                 ORDER BY created_ms, code",
                &[],
            )?
            .iter()
            .map(|r| EnrolCode {
                code: r.get(0),
                member_id: r.get(1),
                created_ms: r.get(2),
                expires_ms: r.get(3),
                used_by: r.get(4),
            })
            .collect())
    }

    fn replace_actor(
        &self,
        device_id: &str,
        old_actor: &str,
        new_actor: &str,
        now_ms: i64,
    ) -> Result<bool, RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        if actor_taken(&mut tx, new_actor)? {
            return Err(rules::actor_taken());
        }
        let n = tx.execute(
            "UPDATE devices SET actor_id = $3, authored = 0, actor_since_ms = $4 \
             WHERE device_id = $1 AND actor_id = $2 AND revoked_ms IS NULL",
            &[&device_id, &old_actor, &new_actor, &now_ms],
        )?;
        if n == 1 {
            tx.execute(
                "INSERT INTO retired_actors (actor_id, device_id, retired_ms) VALUES ($1, $2, $3)",
                &[&old_actor, &device_id, &now_ms],
            )?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    fn actor_retired(&self, device_id: &str, actor_id: &str) -> Result<Option<i64>, RelayError> {
        Ok(self
            .conn()?
            .query_opt(
                "SELECT retired_ms FROM retired_actors WHERE actor_id = $1 AND device_id = $2",
                &[&actor_id, &device_id],
            )?
            .map(|r| r.get(0)))
    }

    fn erase_document(
        &self,
        doc_id: &str,
        scope: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<Option<(i64, u64)>, RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        // Erasures take turns, so that their positions become visible in order (a reader that
        // has seen one never misses an earlier one); pushes of the document finish first.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ERASE_LOCK])?;
        tx.execute(
            "SELECT 1 FROM docs WHERE doc_id = $1 FOR UPDATE",
            &[&doc_id],
        )?;
        let Some(row) = tx.query_opt(
            "INSERT INTO erased_docs (doc_id, erased_ms, erased_by) VALUES ($1, $2, $3) \
             ON CONFLICT (doc_id) DO NOTHING RETURNING seq",
            &[&doc_id, &now_ms, &by],
        )?
        else {
            return Ok(None);
        };
        let rows = tx.execute(
            "DELETE FROM log WHERE scope = $2 AND doc_id = $1",
            &[&doc_id, &scope],
        )?;
        tx.execute("DELETE FROM set_aside WHERE doc_id = $1", &[&doc_id])?;
        tx.commit()?;
        Ok(Some((row.get(0), rows)))
    }

    fn erased_after(&self, seq: i64, limit: usize) -> Result<Vec<Erased>, RelayError> {
        Ok(self
            .conn()?
            .query(
                "SELECT seq, doc_id FROM erased_docs WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&seq, &(limit as i64)],
            )?
            .into_iter()
            .map(|r| Erased {
                seq: r.get(0),
                doc_id: r.get(1),
            })
            .collect())
    }

    fn docs_of_kind(&self, kind: DocKind) -> Result<Vec<(String, String)>, RelayError> {
        Ok(self
            .conn()?
            .query(
                "SELECT doc_id, scope FROM docs WHERE kind = $1 \
                 AND doc_id NOT IN (SELECT doc_id FROM erased_docs) ORDER BY doc_id",
                &[&kind.as_str()],
            )?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn archive_report(
        &self,
        date: &str,
        markdown: &str,
        csv: &str,
        now_ms: i64,
    ) -> Result<(), RelayError> {
        self.conn()?.execute(
            "INSERT INTO archived_reports (date, markdown, csv, archived_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (date) DO NOTHING",
            &[&date, &markdown, &csv, &now_ms],
        )?;
        Ok(())
    }

    fn pass_signing_key(&self, candidate: &[u8; 32], now_ms: i64) -> Result<Vec<u8>, RelayError> {
        let mut conn = self.conn()?;
        conn.execute(
            "INSERT INTO pass_key (id, secret, created_ms) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO NOTHING",
            &[&candidate.as_slice(), &now_ms],
        )?;
        Ok(conn
            .query_one("SELECT secret FROM pass_key WHERE id = 1", &[])?
            .get(0))
    }

    fn kept_pass_signing_key(&self) -> Result<Option<[u8; 32]>, RelayError> {
        Ok(self
            .conn()?
            .query_opt("SELECT secret FROM pass_key WHERE id = 1", &[])?
            .and_then(|r| r.get::<_, Vec<u8>>(0).try_into().ok()))
    }

    fn record_device_report(&self, report: &DeviceReport) -> Result<(), RelayError> {
        self.conn()?.execute(
            "INSERT INTO device_reports (device_id, at_ms, app_version, outbox, photos, conflicts) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (device_id) DO UPDATE SET \
             at_ms = excluded.at_ms, app_version = excluded.app_version, \
             outbox = excluded.outbox, photos = excluded.photos, conflicts = excluded.conflicts",
            &[
                &report.device_id,
                &report.at_ms,
                &report.app_version,
                &i64::from(report.outbox),
                &i64::from(report.photos),
                &i64::from(report.conflicts),
            ],
        )?;
        Ok(())
    }

    fn device_reports(&self) -> Result<Vec<DeviceReport>, RelayError> {
        Ok(self
            .conn()?
            .query(
                "SELECT device_id, at_ms, app_version, outbox, photos, conflicts \
                 FROM device_reports ORDER BY device_id",
                &[],
            )?
            .into_iter()
            .map(|r| DeviceReport {
                device_id: r.get(0),
                at_ms: r.get(1),
                app_version: r.get(2),
                outbox: count(r.get(3)),
                photos: count(r.get(4)),
                conflicts: count(r.get(5)),
            })
            .collect())
    }

    fn archived_report(&self, date: &str) -> Result<Option<(String, String)>, RelayError> {
        Ok(self
            .conn()?
            .query_opt(
                "SELECT markdown, csv FROM archived_reports WHERE date = $1",
                &[&date],
            )?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn tombstones(&self) -> Result<Vec<Tombstone>, RelayError> {
        self.conn()?
            .query(
                "SELECT e.seq, e.doc_id, d.kind, d.scope, e.erased_ms, e.erased_by \
                 FROM erased_docs e JOIN docs d USING (doc_id) ORDER BY e.seq",
                &[],
            )?
            .into_iter()
            .map(|r| {
                Ok(Tombstone {
                    seq: r.get(0),
                    doc_id: r.get(1),
                    kind: DocKind::parse(r.get::<_, &str>(2))?,
                    scope: r.get(3),
                    erased_ms: r.get(4),
                    erased_by: r.get(5),
                })
            })
            .collect()
    }

    fn retired_actors(&self) -> Result<Vec<RetiredActor>, RelayError> {
        Ok(self
            .conn()?
            .query(
                "SELECT actor_id, device_id, retired_ms FROM retired_actors ORDER BY retired_ms",
                &[],
            )?
            .into_iter()
            .map(|r| RetiredActor {
                actor_id: r.get(0),
                device_id: r.get(1),
                retired_ms: r.get(2),
            })
            .collect())
    }

    fn archived_reports(&self) -> Result<Vec<ArchivedReport>, RelayError> {
        Ok(self
            .conn()?
            .query(
                "SELECT date, markdown, csv, archived_ms FROM archived_reports ORDER BY date",
                &[],
            )?
            .into_iter()
            .map(|r| ArchivedReport {
                date: r.get(0),
                markdown: r.get(1),
                csv: r.get(2),
                archived_ms: r.get(3),
            })
            .collect())
    }

    fn retired_actor_count(&self, device_id: &str) -> Result<u64, RelayError> {
        let n: i64 = self
            .conn()?
            .query_one(
                "SELECT count(*) FROM retired_actors WHERE device_id = $1",
                &[&device_id],
            )?
            .get(0);
        Ok(n.max(0) as u64)
    }

    fn rotate_token(&self, device_id: &str, token_hash: &[u8; 32]) -> Result<bool, RelayError> {
        let n = self.conn()?.execute(
            "UPDATE devices SET token_hash = $2 WHERE device_id = $1 AND revoked_ms IS NULL",
            &[&device_id, &token_hash.as_slice()],
        )?;
        Ok(n == 1)
    }

    fn revoke(&self, device_id: &str, now_ms: i64) -> Result<bool, RelayError> {
        let n = self.conn()?.execute(
            "UPDATE devices SET revoked_ms = $2 WHERE device_id = $1 AND revoked_ms IS NULL",
            &[&device_id, &now_ms],
        )?;
        Ok(n == 1)
    }

    fn set_wipe(&self, device_id: &str) -> Result<bool, RelayError> {
        let n = self.conn()?.execute(
            "UPDATE devices SET wipe = 1 WHERE device_id = $1 AND revoked_ms IS NOT NULL",
            &[&device_id],
        )?;
        Ok(n == 1)
    }

    fn set_aside(&self, rows: &[SetAside]) -> Result<(), RelayError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let insert = tx.prepare(
            "INSERT INTO set_aside (hash, doc_id, kind, scope, bytes, device_id, member_id, \
             code, reason, received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (hash) DO NOTHING",
        )?;
        for r in rows {
            tx.execute(
                &insert,
                &[
                    &r.change.hash.as_slice(),
                    &r.change.doc_id,
                    &r.change.kind.as_str(),
                    &r.change.scope,
                    &r.change.bytes,
                    &r.device_id,
                    &r.member_id,
                    &r.code,
                    &r.reason,
                    &r.received_ms,
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn set_aside_list(&self, waiting_only: bool) -> Result<Vec<SetAside>, RelayError> {
        let rows = self.conn()?.query(
            "SELECT hash, doc_id, kind, scope, bytes, device_id, member_id, code, reason, \
             received_ms, decision, decided_by, decided_ms FROM set_aside \
             WHERE decision IS NULL OR NOT $1 ORDER BY received_ms, hash",
            &[&waiting_only],
        )?;
        rows.iter()
            .map(|r| {
                Ok(SetAside {
                    change: LogChange {
                        hash: super::hash_of(r.get(0))?,
                        doc_id: r.get(1),
                        kind: DocKind::parse(r.get::<_, &str>(2))?,
                        scope: r.get(3),
                        bytes: r.get(4),
                    },
                    device_id: r.get(5),
                    member_id: r.get(6),
                    code: r.get(7),
                    reason: r.get(8),
                    received_ms: r.get(9),
                    decision: r.get(10),
                    decided_by: r.get(11),
                    decided_ms: r.get(12),
                })
            })
            .collect()
    }

    fn set_aside_decide(
        &self,
        hash: &[u8; 32],
        decision: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool, RelayError> {
        let n = self.conn()?.execute(
            "UPDATE set_aside SET decision = $2, decided_by = $3, decided_ms = $4 \
             WHERE hash = $1 AND decision IS NULL",
            &[&hash.as_slice(), &decision, &by, &now_ms],
        )?;
        Ok(n == 1)
    }

    fn blob_state(&self, hash: &str, device_id: &str) -> Result<BlobState, RelayError> {
        let row = self.conn()?.query_opt(
            &format!(
                "SELECT total, length(bytes)::BIGINT, complete FROM blobs WHERE {OWN_OR_COMPLETE}"
            ),
            &[&hash, &device_id],
        )?;
        Ok(rules::blob_state(row.map(|r| {
            (
                r.get::<_, i64>(0) as u64,
                r.get::<_, i64>(1) as u64,
                r.get(2),
            )
        })))
    }

    fn blob_write(&self, chunk: &BlobChunk<'_>, quota: BlobQuota) -> Result<BlobState, RelayError> {
        rules::check_blob_size(chunk.total)?;
        let (hash, device) = (chunk.hash, chunk.device_id);
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&BLOB_LOCK])?;
        let stored = tx
            .query_opt(
                &format!("SELECT total, bytes, complete FROM blobs WHERE {OWN_OR_COMPLETE}"),
                &[&hash, &device],
            )?
            .map(|r| (r.get::<_, i64>(0) as u64, r.get(1), r.get(2)));
        // octet_length reads a stored value's size without reading the value.
        let usage = tx.query_one(
            "SELECT COALESCE(SUM(octet_length(bytes)) FILTER (WHERE device_id = $1), 0)::BIGINT, \
             COALESCE(SUM(octet_length(bytes)), 0)::BIGINT FROM blobs",
            &[&device],
        )?;
        let usage = BlobUsage {
            device: usage.get::<_, i64>(0) as u64,
            all: usage.get::<_, i64>(1) as u64,
        };
        match rules::blob_write(stored, chunk, usage, quota)? {
            BlobWrite::AlreadyComplete(state) => Ok(state),
            BlobWrite::Discard(error) => {
                tx.execute(
                    "DELETE FROM blobs WHERE hash = $1 AND device_id = $2 AND NOT complete",
                    &[&hash, &device],
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
                        "DELETE FROM blobs WHERE hash = $1 AND device_id <> $2",
                        &[&hash, &device],
                    )?;
                }
                tx.execute(
                    "INSERT INTO blobs (hash, device_id, total, bytes, complete) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash, device_id) DO UPDATE SET \
                     total = excluded.total, bytes = excluded.bytes, complete = excluded.complete",
                    &[&hash, &device, &(chunk.total as i64), &bytes, &complete],
                )?;
                tx.commit()?;
                Ok(state)
            }
        }
    }

    fn blob(&self, hash: &str) -> Result<Option<Vec<u8>>, RelayError> {
        Ok(self
            .conn()?
            .query_opt(
                "SELECT bytes FROM blobs WHERE hash = $1 AND complete",
                &[&hash],
            )?
            .map(|r| r.get(0)))
    }

    fn delete_blob(&self, hash: &str) -> Result<u64, RelayError> {
        Ok(self
            .conn()?
            .execute("DELETE FROM blobs WHERE hash = $1", &[&hash])?)
    }

    fn complete_blobs(&self) -> Result<Vec<CompleteBlob>, RelayError> {
        Ok(self
            .conn()?
            .query(
                "SELECT hash, device_id, length(bytes)::BIGINT FROM blobs WHERE complete \
                 ORDER BY hash",
                &[],
            )?
            .iter()
            .map(|r| CompleteBlob {
                hash: r.get(0),
                device_id: r.get(1),
                size: r.get::<_, i64>(2) as u64,
            })
            .collect())
    }
}

/// A count kept as a signed integer, as the report's unsigned one.
fn count(kept: i64) -> u32 {
    u32::try_from(kept.max(0)).unwrap_or(u32::MAX)
}
