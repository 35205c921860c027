//! Erasing one household (a resident's request) at a relay that holds N records, after the
//! cold push: the log's part (its changes deleted through the scope's index, the freed pages
//! zeroed, the WAL truncated) and the office replica's (the record's rows and history), beside
//! the floor of a bare one-row delete with the relay's durability on the same disk.

use std::path::Path;
use std::time::Instant;

use linli_core::DocKind;
use linli_relay::Database;
use linli_relay::erasure::follow_erasures;
use linli_relay::replica::Replica;

use crate::BenchError;
use crate::report::{Figure, median};

/// One erasure's times, in ms.
#[derive(Debug, Clone, Copy)]
pub struct EraseRun {
    /// The relay's log.
    pub log_ms: f64,
    /// The office replica.
    pub replica_ms: f64,
    /// A bare one-row delete and commit (WAL, `synchronous=FULL`, `secure_delete`).
    pub floor_ms: f64,
}

/// Erases the first household of the relay in `relay_dir` (stopped).
pub fn erase_one_household(relay_dir: &Path) -> Result<EraseRun, BenchError> {
    let db = Database::Sqlite(relay_dir.join("relay.db"));
    let storage = db.open()?;
    let replica = Replica::open(&db.local_store("office")?)?;
    // The replica first follows what the push left it (not timed).
    replica.feed(storage.as_ref())?;
    let (doc_id, scope) = storage
        .docs_of_kind(DocKind::Household)?
        .into_iter()
        .next()
        .ok_or_else(|| BenchError("the relay holds no household".into()))?;
    let started = Instant::now();
    storage.erase_document(&doc_id, &scope, "bench", 0)?;
    let log_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let held = follow_erasures(storage.as_ref(), replica.linli())?;
    let replica_ms = started.elapsed().as_secs_f64() * 1000.0;
    if held != 1 {
        return Err(BenchError(format!(
            "the replica erased {held} records, not 1"
        )));
    }
    Ok(EraseRun {
        log_ms,
        replica_ms,
        floor_ms: bare_delete_ms(relay_dir)?,
    })
}

/// A one-row delete and commit in a fresh table with the relay's durability.
fn bare_delete_ms(dir: &Path) -> Result<f64, BenchError> {
    let path = dir.join("floor.db");
    let _ = std::fs::remove_file(&path);
    let db = |e: rusqlite::Error| BenchError(format!("floor: {e}"));
    let conn = rusqlite::Connection::open(&path).map_err(db)?;
    for (pragma, value) in [
        ("journal_mode", "WAL"),
        ("synchronous", "FULL"),
        ("secure_delete", "ON"),
    ] {
        conn.pragma_update(None, pragma, value).map_err(db)?;
    }
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL); \
         INSERT INTO t (bytes) VALUES (zeroblob(512));",
    )
    .map_err(db)?;
    let started = Instant::now();
    conn.execute("DELETE FROM t WHERE id = 1", []).map_err(db)?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// The figures of the runs at `n` records.
pub fn figures(n: usize, runs: &[EraseRun]) -> Vec<Figure> {
    if runs.is_empty() {
        return Vec::new();
    }
    let pick = |f: fn(&EraseRun) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let (log, replica, floor) = (
        pick(|r| r.log_ms),
        pick(|r| r.replica_ms),
        pick(|r| r.floor_ms),
    );
    let whole = log + replica;
    let mut out = vec![
        Figure::new(format!("erase.household.n{n}.floor_delete"), floor, "ms"),
        Figure::new(format!("erase.household.n{n}.log"), log, "ms"),
        Figure::new(format!("erase.household.n{n}.replica"), replica, "ms"),
    ];
    let whole = Figure::new(format!("erase.household.n{n}.total"), whole, "ms")
        .ratio(whole / floor.max(1e-9));
    out.push(if n >= 100_000 {
        let met = log + replica <= 1000.0;
        whole.bar("≤ 1 s at 100,000 records", met)
    } else {
        whole
    });
    out
}
