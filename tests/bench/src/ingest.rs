//! Relay ingest (scenario 4): four phones push at once into a fresh relay, against the raw
//! insert rate of the same change bytes into a plain SQLite table on the same disk with the
//! relay's durability (WAL, `synchronous=FULL`, one commit per push request), alternately in
//! the same run. The same push into a relay on PostgreSQL is printed beside it when a
//! PostgreSQL server can be started here. Each phone holds households and visits of its own
//! buildings (the fleet holds no tickets): with tickets, which every lead reads, each phone
//! would also pull and apply the other three's inside the timed window, on the same two
//! cores, and the figure would measure the phones as much as the relay.
#![allow(clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use futures::future::join_all;
use linli_core::Linli;
use linli_core::doc::DocKind;
use linli_core::records::Coded;
use linli_core::records::directory::Role;
use linli_core::rules::{self, JudgedDoc, Pusher};
use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_e2e::RelayProcess;
use linli_e2e::postgres::TestPostgres;
use linli_relay::Database;
use tokio_util::sync::CancellationToken;

use crate::BenchError;
use crate::process::{copy_dir, this_binary};
use crate::report::{Figure, Report, median};
use crate::templates::FleetTemplate;

/// Pushing phones.
const PHONES: usize = 4;

/// Every change waiting in the phones' outboxes: (hash, document, bytes).
fn waiting_changes(phones: &[(Arc<Linli>, String)]) -> Result<Vec<Vec<u8>>, BenchError> {
    let mut out = Vec::new();
    for (linli, _) in phones {
        out.extend(
            linli
                .outbox(0, usize::MAX)?
                .into_iter()
                .map(|c| c.change.bytes),
        );
    }
    Ok(out)
}

/// The raw rate: `changes` inserted into a fresh SQLite table with the relay's durability, one
/// commit per chunk of the largest size a push request grows to (the fewest commits a push
/// can make). Changes per second.
fn raw_insert_rate(path: &Path, changes: &[Vec<u8>]) -> Result<f64, BenchError> {
    let _ = std::fs::remove_file(path);
    let db = |e: rusqlite::Error| BenchError(format!("raw insert: {e}"));
    let mut conn = rusqlite::Connection::open(path).map_err(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(db)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(db)?;
    conn.execute_batch(
        "CREATE TABLE log (seq INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, bytes BLOB NOT NULL)",
    )
    .map_err(db)?;
    let chunk_bytes = SyncOptions::new("", "").max_push_bytes;
    let started = Instant::now();
    let mut i = 0;
    while i < changes.len() {
        let tx = conn.transaction().map_err(db)?;
        let mut bytes = 0;
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO log (hash, bytes) VALUES (?1, ?2)")
                .map_err(db)?;
            while i < changes.len() && (bytes == 0 || bytes + changes[i].len() <= chunk_bytes) {
                let hash = automerge::Change::from_bytes(changes[i].clone())
                    .map_err(|e| BenchError(e.to_string()))?
                    .hash();
                insert
                    .execute((hash.0.as_slice(), &changes[i]))
                    .map_err(db)?;
                bytes += changes[i].len();
                i += 1;
            }
        }
        tx.commit().map_err(db)?;
    }
    Ok(changes.len() as f64 / started.elapsed().as_secs_f64())
}

/// One phone's waiting changes by record, in the order the record's changes were made, with
/// the phone's member as the relay's judge knows a pusher.
struct PhoneRecords {
    pusher: Pusher,
    records: Vec<(String, DocKind, Vec<Vec<u8>>)>,
}

fn phone_records(linli: &Linli) -> Result<PhoneRecords, BenchError> {
    let identity = linli.identity();
    let roles = linli
        .member_role_codes(&identity.member_id)?
        .into_iter()
        .filter_map(|(code, place)| Role::from_code(&code).map(|r| (r, place)))
        .collect();
    let mut records: Vec<(String, DocKind, Vec<Vec<u8>>)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for c in linli.outbox(0, usize::MAX)? {
        let c = c.change;
        let at = *index.entry(c.doc_id.clone()).or_insert_with(|| {
            records.push((c.doc_id.clone(), c.kind, Vec::new()));
            records.len() - 1
        });
        records[at].2.push(c.bytes);
    }
    Ok(PhoneRecords {
        pusher: Pusher {
            member_id: identity.member_id.clone(),
            device_id: identity.device_id.clone(),
            roles,
            orders: Vec::new(),
        },
        records,
    })
}

/// The judge's floor: the rate at which one core decodes the phones' changes and judges each
/// record's changes together on a fresh copy ([`rules::judge_all`]), as the relay judges a
/// record pushed whole in one request, and nothing else: no request, no storage, no copy
/// loaded or kept. Every relay must do this much for every change it accepts; the machine's
/// cores times this rate bounds what any relay judging this way can ingest here. Changes per
/// second.
fn judge_floor_rate(phones: &[(Arc<Linli>, String)]) -> Result<f64, BenchError> {
    let work = phones
        .iter()
        .map(|(linli, _)| phone_records(linli))
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let mut judged = 0;
    for phone in &work {
        for (doc_id, kind, bytes) in &phone.records {
            let changes = bytes
                .iter()
                .map(|b| automerge::Change::try_from(b.as_slice()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| BenchError(format!("judge floor: {e}")))?;
            let mut copy = JudgedDoc::new(automerge::AutoCommit::new());
            let verdicts = rules::judge_all(
                &mut copy,
                *kind,
                doc_id,
                &changes,
                &phone.pusher,
                &mut BTreeSet::new(),
            );
            if let Some(Err(refusal)) = verdicts.into_iter().find(Result::is_err) {
                return Err(BenchError(format!(
                    "judge floor: a change of {doc_id} was refused: {refusal:?}"
                )));
            }
            judged += changes.len();
        }
    }
    Ok(judged as f64 / started.elapsed().as_secs_f64())
}

/// Four phones push into the relay at `url` at once. Changes per second.
async fn relay_rate(
    phones: &[(Arc<Linli>, String)],
    url: &str,
    expect: usize,
) -> Result<f64, BenchError> {
    let clients = phones
        .iter()
        .map(|(_, token)| {
            SyncClient::new(SyncOptions::new(url, token)).map_err(|e| BenchError(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let results = join_all(
        phones
            .iter()
            .zip(&clients)
            .map(|((linli, _), client)| async move {
                client
                    .sync(linli, &|_| {}, &CancellationToken::new())
                    .await
                    .map_err(|e| BenchError(e.to_string()))
            }),
    )
    .await;
    let seconds = started.elapsed().as_secs_f64();
    let mut pushed = 0;
    for r in results {
        let summary = r?;
        if summary.outbox_left != 0 {
            return Err(BenchError(format!(
                "{} changes left unpushed",
                summary.outbox_left
            )));
        }
        pushed += summary.pushed as usize;
    }
    if pushed != expect {
        return Err(BenchError(format!("pushed {pushed} of {expect} changes")));
    }
    Ok(expect as f64 / seconds)
}

/// The CPU time (user + system) a process has used, from `/proc/<pid>/stat` (Linux; clock
/// ticks of 1/100 s, the kernel's `USER_HZ` on every Linux architecture Linli runs on).
fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// A counter of the relay's `/metrics`.
async fn metric(url: &str, name: &str) -> Option<f64> {
    let text = reqwest::get(format!("{url}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
}

/// How much of the relay's CPU the judging of pushes took: (rules and checks, loading the
/// documents the judge did not hold), as shares of the relay process's CPU time since it
/// started.
async fn judge_shares(relay: &RelayProcess) -> Option<(f64, f64)> {
    let cpu = process_cpu_seconds(relay.pid()?)?;
    let rules = metric(&relay.url(), "linli_judge_seconds_total").await?;
    let feed = metric(&relay.url(), "linli_judge_load_seconds_total").await?;
    (cpu > 0.0).then(|| (rules / cpu, feed / cpu))
}

/// A relay process serving `db` on an ephemeral port of 127.0.0.1.
pub(crate) async fn serve(db: &Database) -> Result<RelayProcess, BenchError> {
    let mut args = vec![OsString::from("relay")];
    args.extend(RelayProcess::serve_args(
        db,
        "127.0.0.1:0".parse().expect("address"),
    ));
    Ok(RelayProcess::spawn(this_binary(&args)?).await)
}

/// Runs scenario 4.
pub async fn run(
    quick: bool,
    runs: usize,
    work: &Path,
    report: &mut Report,
) -> Result<(), BenchError> {
    let per_phone = if quick { 500 } else { 2500 };
    let t = FleetTemplate::prepare(work, "ingest", PHONES, PHONES * per_phone, |p| {
        p * per_phone..(p + 1) * per_phone
    })
    .await?;
    let run_dir = work.join("ingest-run");
    // The PostgreSQL client blocks: it runs off the async threads.
    let postgres =
        match tokio::task::spawn_blocking(|| std::panic::catch_unwind(TestPostgres::start)).await {
            Ok(Ok(pg)) => Some(Arc::new(pg)),
            _ => {
                eprintln!("PostgreSQL could not be started here: its column is left out");
                None
            }
        };
    let (mut raw, mut sqlite, mut pg) = (Vec::new(), Vec::new(), Vec::new());
    let mut floor = Vec::new();
    let mut judge: Vec<(f64, f64)> = Vec::new();
    let mut total = 0;
    for r in 0..runs {
        eprintln!("ingest run {}/{runs} …", r + 1);
        let _ = std::fs::remove_dir_all(&run_dir);
        let phones = t.open(&run_dir)?;
        let changes = waiting_changes(&phones)?;
        total = changes.len();
        raw.push(raw_insert_rate(&run_dir.join("raw.db"), &changes)?);
        floor.push(judge_floor_rate(&phones)?);

        copy_dir(&t.relay_dir(), &run_dir.join("relay"))?;
        let relay = serve(&Database::Sqlite(run_dir.join("relay/relay.db"))).await?;
        sqlite.push(relay_rate(&phones, &relay.url(), total).await?);
        if let Some(shares) = judge_shares(&relay).await {
            judge.push(shares);
        }
        relay.kill().await;
        drop(phones);

        if let Some(server) = &postgres {
            let server = Arc::clone(server);
            let url =
                tokio::task::spawn_blocking(move || server.create_database(&format!("ingest_{r}")))
                    .await
                    .map_err(|e| BenchError(e.to_string()))?;
            let from = t.relay_dir().join("relay.db");
            let to = url.clone();
            tokio::task::spawn_blocking(move || linli_relay::migrate::run(&from, &to, |_| {}))
                .await
                .map_err(|e| BenchError(e.to_string()))??;
            let phones = t.open(&run_dir.join("pg"))?;
            let relay = serve(&Database::Postgres {
                url,
                state_dir: run_dir.join("pg/state"),
            })
            .await?;
            pg.push(relay_rate(&phones, &relay.url(), total).await?);
            relay.kill().await;
        }
    }
    let (raw_rate, sqlite_rate) = (median(&raw), median(&sqlite));
    let share = sqlite_rate / raw_rate;
    let mut figures = vec![
        Figure::new("ingest.sqlite.relay", sqlite_rate, "changes/s"),
        Figure::new("ingest.sqlite.raw_insert", raw_rate, "changes/s"),
        Figure::new("ingest.sqlite.relay_share_of_raw", share * 100.0, "%")
            .ratio(share)
            .bar("≥ 30 %", share >= 0.30),
        Figure::new("ingest.changes_per_run", total as f64, "changes"),
    ];
    // What a relay that did nothing but judge, on every core, would reach against the raw
    // insert: the bar's ceiling on this machine.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let floor_rate = median(&floor);
    let ceiling = cores as f64 * floor_rate / raw_rate;
    figures.push(Figure::new(
        "ingest.judge_floor_one_core",
        floor_rate,
        "changes/s",
    ));
    figures
        .push(Figure::new("ingest.judge_floor_share_of_raw", ceiling * 100.0, "%").ratio(ceiling));
    figures.push(Figure::new("ingest.cores", cores as f64, "cores"));
    if !judge.is_empty() {
        let rules: Vec<f64> = judge.iter().map(|j| j.0 * 100.0).collect();
        let feed: Vec<f64> = judge.iter().map(|j| j.1 * 100.0).collect();
        figures.push(Figure::new(
            "ingest.sqlite.judge_rules_share_of_relay_cpu",
            median(&rules),
            "%",
        ));
        figures.push(Figure::new(
            "ingest.sqlite.judge_loading_share_of_relay_cpu",
            median(&feed),
            "%",
        ));
    }
    if !pg.is_empty() {
        let pg_rate = median(&pg);
        figures.push(
            Figure::new("ingest.postgres.relay", pg_rate, "changes/s").ratio(pg_rate / sqlite_rate),
        );
    }
    report.section(
        &format!(
            "relay ingest, {PHONES} phones pushing at once ({runs} runs, medians; the relay on {})",
            linli_relay::ALLOCATOR
        ),
        figures,
    );
    Ok(())
}
