//! The command line: one subcommand per benchmark, `all` for every one, and the hidden client
//! and server roles this binary plays as separate processes.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use linli_core::StoreKey;

use crate::linli_side::{self, PhoneIdentity};
use crate::report::Report;
use crate::{BenchError, ingest, load, local, office, samod_side, sync_compare};

#[derive(Debug, Parser)]
#[command(
    name = "linli-bench",
    about = "Linli's benchmarks: sync against automerge-repo (samod), relay ingest against the disk, the phone store"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Args)]
struct Sizes {
    /// Small sizes that finish in a few minutes on 2 cores.
    #[arg(long)]
    quick: bool,
    /// Repetitions of each measurement (figures are medians).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Folder for the prepared stores and the runs' data (reused by later runs).
    #[arg(long, env = "LINLI_BENCH_DIR")]
    work_dir: Option<PathBuf>,
    /// `sync` only: measure these sizes against the peer (and no others unless `--alone`),
    /// instead of the preset sizes.
    #[arg(long, value_delimiter = ',')]
    compare: Vec<usize>,
    /// `sync` only: measure these sizes for Linli alone, instead of the preset sizes.
    #[arg(long, value_delimiter = ',')]
    alone: Vec<usize>,
}

impl Sizes {
    fn work_dir(&self) -> Result<PathBuf, BenchError> {
        let dir = self
            .work_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("linli-bench"));
        std::fs::create_dir_all(&dir).map_err(|e| BenchError(format!("{}: {e}", dir.display())))?;
        Ok(dir)
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every benchmark below, in order.
    All(Sizes),
    /// Cold push, fresh device and reconnect against samod (scenarios 1–3).
    Sync(Sizes),
    /// Relay ingest with 4 pushing phones against raw inserts of the same bytes; SQLite and
    /// PostgreSQL side by side (scenario 4).
    Ingest(Sizes),
    /// Local writes on the phone: a visit, a gate entry, a ticket event (scenario 5).
    Writes(Sizes),
    /// A store with 100,000 records: open, memory, the two busiest lists (scenario 6).
    Store(Sizes),
    /// 200 phones syncing a day's work each against one relay at once (scenario 7).
    Load(Sizes),
    /// The office's pages over 100,000 records and 2,000 devices, and a 10,000-household
    /// roster import (scenario 8).
    Office(Sizes),
    /// Random and mutated inputs against the relay's decoders, the rules and the core's apply.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        secs: u64,
        /// The generator's seed (a finding replays with the same seed).
        #[arg(long, default_value_t = 20_261_201)]
        seed: u64,
    },
    /// The convergence property with many cases: three replicas, random operations of every
    /// kind, changes delivered out of order, duplicated, dropped and retried.
    Converge {
        /// Cases to run.
        #[arg(long, default_value_t = 1000)]
        cases: u64,
        /// The first case's seed; case i uses seed + i, so a failing case replays alone with
        /// `--seed <its seed> --cases 1`.
        #[arg(long, default_value_t = 20_261_201)]
        seed: u64,
    },
    /// A Linli phone as a process of its own.
    #[command(hide = true, subcommand)]
    LinliPhone(PhoneOp),
    /// The peer's server as a process of its own.
    #[command(hide = true)]
    SamodServer {
        #[arg(long)]
        dir: PathBuf,
    },
    /// The peer's client as a process of its own.
    #[command(hide = true, subcommand)]
    SamodPeer(PeerOp),
}

#[derive(Debug, Subcommand)]
enum PhoneOp {
    Push {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        identity: PathBuf,
        #[arg(long)]
        server: String,
    },
    Fresh {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        code: String,
        #[arg(long)]
        server: String,
        #[arg(long)]
        expect: u64,
    },
    Reconnect {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        identity: PathBuf,
        #[arg(long)]
        server: String,
        #[arg(long)]
        k: usize,
        #[arg(long)]
        round: usize,
    },
    Open {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        identity: PathBuf,
        #[arg(long)]
        building: String,
        /// The store's key, hex, when it is encrypted.
        #[arg(long)]
        key_hex: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PeerOp {
    Push {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        ids: PathBuf,
        #[arg(long)]
        server: String,
        #[arg(long)]
        k: usize,
    },
    Fetch {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        ids: PathBuf,
        #[arg(long)]
        server: String,
    },
    Reconnect {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        ids: PathBuf,
        #[arg(long)]
        server: String,
        #[arg(long)]
        k: usize,
    },
}

/// Parses `args` and runs the command.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let cli = Cli::parse_from(args);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_result(value: &impl Serialize) -> Result<(), BenchError> {
    println!(
        "{}",
        serde_json::to_string(value).map_err(|e| BenchError(e.to_string()))?
    );
    Ok(())
}

async fn run(command: Command) -> Result<(), BenchError> {
    match command {
        Command::LinliPhone(op) => phone(op).await,
        Command::SamodServer { dir } => samod_side::serve(&dir).await,
        Command::SamodPeer(op) => peer(op).await,
        Command::All(sizes) => {
            benchmarks(
                &sizes,
                &["sync", "ingest", "writes", "store", "load", "office"],
            )
            .await
        }
        Command::Sync(sizes) => benchmarks(&sizes, &["sync"]).await,
        Command::Ingest(sizes) => benchmarks(&sizes, &["ingest"]).await,
        Command::Writes(sizes) => benchmarks(&sizes, &["writes"]).await,
        Command::Store(sizes) => benchmarks(&sizes, &["store"]).await,
        Command::Load(sizes) => benchmarks(&sizes, &["load"]).await,
        Command::Office(sizes) => benchmarks(&sizes, &["office"]).await,
        Command::Converge { cases, seed } => converge(cases, seed),
        Command::Fuzz { secs, seed } => {
            println!("fuzz: {secs} s per target, seed {seed}");
            println!(
                "{:<28} {:>10} {:>10} {:>12}",
                "target", "inputs", "accepted", "slowest ms"
            );
            for r in crate::fuzz::run(secs, seed)? {
                println!(
                    "{:<28} {:>10} {:>10} {:>12.2}",
                    r.target, r.inputs, r.accepted, r.slowest_ms
                );
                print_result(&r)?;
            }
            Ok(())
        }
    }
}

fn converge(cases: u64, seed: u64) -> Result<(), BenchError> {
    println!("converge: {cases} cases from seed {seed} (three replicas, 10-69 steps a case)");
    let step = (cases / 10).max(1);
    let r = crate::converge::run(cases, seed, |done, r| {
        if done % step == 0 || done == cases {
            println!(
                "  {done:>7} cases  {:>7} steps  {:>3} failures",
                r.steps, r.failures
            );
        }
    })?;
    println!(
        "{:<10} {:>10} {:>10} {:>10} {:>12} {:>14}",
        "cases", "failures", "steps", "time s", "mean ms", "slowest ms"
    );
    println!(
        "{:<10} {:>10} {:>10} {:>10.1} {:>12.1} {:>14.1}",
        r.cases, r.failures, r.steps, r.secs, r.mean_case_ms, r.slowest_case_ms
    );
    print_result(&r)?;
    match &r.first_failure {
        None => Ok(()),
        Some(f) => {
            eprintln!("failing seeds: {:?}", r.failing_seeds);
            eprintln!(
                "first failure, seed {} ({} steps): {}",
                f.seed, f.steps, f.reason
            );
            eprintln!("shrunk to: {}", f.shrunk);
            eprintln!("which fails with: {}", f.shrunk_reason);
            Err(BenchError(format!(
                "{} of {} cases did not converge; replay one with --seed {} --cases 1",
                r.failures, r.cases, f.seed
            )))
        }
    }
}

async fn benchmarks(sizes: &Sizes, which: &[&str]) -> Result<(), BenchError> {
    let work = sizes.work_dir()?;
    let runs = sizes.runs.max(1);
    let mut report = Report::default();
    for name in which {
        run_one(name, sizes, runs, &work, &mut report).await?;
    }
    println!();
    report.print_json();
    Ok(())
}

async fn run_one(
    name: &str,
    sizes: &Sizes,
    runs: usize,
    work: &Path,
    report: &mut Report,
) -> Result<(), BenchError> {
    let quick = sizes.quick;
    match name {
        "sync" => {
            let mut plan = sync_compare::Plan::new(quick, runs);
            if !sizes.compare.is_empty() || !sizes.alone.is_empty() {
                plan.compared = sizes.compare.clone();
                plan.linli_only = sizes.alone.clone();
                plan.peer_capped = None;
            }
            sync_compare::run(&plan, work, report).await
        }
        "ingest" => ingest::run(quick, runs, work, report).await,
        "writes" => local::writes(quick, work, report).await,
        "store" => local::store(quick, work, report).await,
        "load" => load::run(runs, work, report).await,
        "office" => office::run(quick, runs, work, report).await,
        other => Err(BenchError(format!("no benchmark {other}"))),
    }
}

async fn phone(op: PhoneOp) -> Result<(), BenchError> {
    match op {
        PhoneOp::Push {
            store,
            identity,
            server,
        } => {
            let identity = PhoneIdentity::load(&identity)?;
            print_result(&linli_side::push(&store, &identity, &server).await?)
        }
        PhoneOp::Fresh {
            store,
            code,
            server,
            expect,
        } => print_result(&linli_side::fresh(&store, &code, &server, expect).await?),
        PhoneOp::Reconnect {
            store,
            identity,
            server,
            k,
            round,
        } => {
            let identity = PhoneIdentity::load(&identity)?;
            print_result(&linli_side::reconnect(&store, &identity, &server, k, round).await?)
        }
        PhoneOp::Open {
            store,
            identity,
            building,
            key_hex,
        } => {
            let identity = PhoneIdentity::load(&identity)?;
            let key = key_hex
                .map(|hex| {
                    let bytes = hex::decode(hex).map_err(|e| BenchError(e.to_string()))?;
                    StoreKey::from_bytes(&bytes).map_err(BenchError::from)
                })
                .transpose()?;
            print_result(&linli_side::open_costs(
                &store,
                &identity,
                &building,
                key.as_ref(),
            )?)
        }
    }
}

async fn peer(op: PeerOp) -> Result<(), BenchError> {
    match op {
        PeerOp::Push {
            dir,
            ids,
            server,
            k,
        } => print_result(&samod_side::push(&dir, &ids, &server, k).await?),
        PeerOp::Fetch { dir, ids, server } => {
            print_result(&samod_side::fetch(&dir, &ids, &server).await?)
        }
        PeerOp::Reconnect {
            dir,
            ids,
            server,
            k,
        } => print_result(&samod_side::reconnect(&dir, &ids, &server, k).await?),
    }
}
