//! Load (scenario 7): many lead phones sync a day's work each against one relay process at
//! once. Each phone's sync is timed from its start to its end; the figures are the errors, the
//! median and 99th percentile of those times, and the relay's peak resident memory.
//!
//! Every phone runs in this process, on the same two cores as the relay, so a phone's day
//! holds households and visits in its own building only: pulling the others' tickets would
//! measure 200 phones applying changes on two cores, not the relay.
#![allow(clippy::print_stderr)]

use std::path::Path;
use std::time::Instant;

use futures::future::join_all;
use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_relay::Database;
use tokio_util::sync::CancellationToken;

use crate::BenchError;
use crate::data::HOUSEHOLDS_PER_BUILDING;
use crate::ingest::serve;
use crate::process::{copy_dir, memory_mib};
use crate::report::{Figure, Report, median, percentile};
use crate::templates::FleetTemplate;

/// Phones syncing at once.
const PHONES: usize = 200;

/// Households a lead visits in a day (three visits each): records 0..9 of their building.
const DAY: usize = 9;

/// One run: every phone's sync time in ms, the errors, and the relay's peak memory in MiB.
struct LoadRun {
    times_ms: Vec<f64>,
    errors: usize,
    relay_peak_mib: f64,
}

async fn run_once(t: &FleetTemplate, run_dir: &Path) -> Result<LoadRun, BenchError> {
    let _ = std::fs::remove_dir_all(run_dir);
    let phones = t.open(run_dir)?;
    copy_dir(&t.relay_dir(), &run_dir.join("relay"))?;
    let relay = serve(&Database::Sqlite(run_dir.join("relay/relay.db"))).await?;
    let url = relay.url();
    // Each phone's HTTP client is made before any sync starts, as an app holds one.
    let clients = phones
        .iter()
        .map(|(_, token)| {
            SyncClient::new(SyncOptions::new(&url, token)).map_err(|e| BenchError(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let results = join_all(
        phones
            .iter()
            .zip(&clients)
            .map(|((linli, _), client)| async move {
                let waiting = linli.outbox_len()?;
                let started = Instant::now();
                let summary = client
                    .sync(linli, &|_| {}, &CancellationToken::new())
                    .await
                    .map_err(|e| BenchError(e.to_string()))?;
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                if summary.pushed != waiting || summary.outbox_left != 0 {
                    return Err(BenchError(format!(
                        "pushed {} of {waiting}, {} left",
                        summary.pushed, summary.outbox_left
                    )));
                }
                Ok::<f64, BenchError>(ms)
            }),
    )
    .await;
    let relay_peak_mib = relay
        .pid()
        .map_or(0.0, |pid| memory_mib(&pid.to_string(), "VmHWM"));
    relay.kill().await;
    let mut times_ms = Vec::new();
    let mut errors = 0;
    for r in results {
        match r {
            Ok(ms) => times_ms.push(ms),
            Err(e) => {
                errors += 1;
                eprintln!("a phone's sync failed: {}", e.0);
            }
        }
    }
    Ok(LoadRun {
        times_ms,
        errors,
        relay_peak_mib,
    })
}

/// Runs scenario 7.
pub async fn run(runs: usize, work: &Path, report: &mut Report) -> Result<(), BenchError> {
    let t = FleetTemplate::prepare(
        work,
        "load",
        PHONES,
        PHONES * HOUSEHOLDS_PER_BUILDING,
        |p| p * HOUSEHOLDS_PER_BUILDING..p * HOUSEHOLDS_PER_BUILDING + DAY,
    )
    .await?;
    let (mut p50, mut p99, mut peak, mut errors) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for r in 0..runs {
        eprintln!("load run {}/{runs}: {PHONES} phones at once …", r + 1);
        let run = run_once(&t, &work.join("load-run")).await?;
        errors += run.errors;
        p50.push(median(&run.times_ms));
        p99.push(percentile(&run.times_ms, 99.0));
        peak.push(run.relay_peak_mib);
    }
    let (p50, p99, peak) = (median(&p50), median(&p99), median(&peak));
    // The disk's floor: every phone's push committed one after the other, one bare commit each.
    let floor_dir = work.join("load-floor");
    std::fs::create_dir_all(&floor_dir).map_err(|e| BenchError(e.to_string()))?;
    let floor = median(&crate::local::bare_commits_ms(&floor_dir, 500, None)?) * PHONES as f64;
    report.section(
        &format!(
            "load: {PHONES} phones syncing a day's work ({} changes each) at once ({runs} runs, medians)",
            DAY * 4
        ),
        vec![
            Figure::new("load.errors", errors as f64, "errors").bar("0", errors == 0),
            Figure::new("load.sync.p50", p50, "ms"),
            Figure::new("load.sync.p99", p99, "ms")
                .ratio(p99 / floor)
                .bar("≤ 500 ms", p99 <= 500.0),
            Figure::new("load.floor.bare_commit_x_phones", floor, "ms"),
            Figure::new("load.relay_peak_rss", peak, "MiB"),
        ],
    );
    Ok(())
}
