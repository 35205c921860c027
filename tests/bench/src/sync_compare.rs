//! Sync against the peer, scenarios 1 to 3: a cold push of N records, a fresh device receiving
//! them, and a reconnect after k records changed offline. Linli and samod run alternately, each
//! on a fresh server per run, client and server as separate processes; the figures are medians.
#![allow(clippy::print_stderr)]

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use linli_e2e::RelayProcess;
use linli_relay::Database;

use crate::BenchError;
use crate::linli_side::ClientRun;
use crate::process::{copy_dir, cpu_seconds, run_client, this_binary};
use crate::report::{Figure, median};
use crate::samod_side::PushRuns;
use crate::templates::{LinliTemplate, SamodTemplate};

/// Records changed offline before a reconnect.
pub const K: usize = 10;

/// The sizes one invocation measures.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Sizes measured on both systems.
    pub compared: Vec<usize>,
    /// Sizes measured on Linli alone.
    pub linli_only: Vec<usize>,
    /// A size the peer gets one capped try at.
    pub peer_capped: Option<usize>,
    /// Runs per size.
    pub runs: usize,
    /// The peer's time cap per client process.
    pub cap: Duration,
}

impl Plan {
    /// `--quick`: N = 1,000 compared and 10,000 for Linli; otherwise the full sizes.
    pub fn new(quick: bool, runs: usize) -> Plan {
        if quick {
            Plan {
                compared: vec![1000],
                linli_only: vec![10_000],
                peer_capped: None,
                runs,
                cap: Duration::from_secs(300),
            }
        } else {
            Plan {
                compared: vec![1000, 3000],
                linli_only: vec![10_000, 100_000],
                peer_capped: Some(10_000),
                runs,
                cap: Duration::from_secs(300),
            }
        }
    }
}

/// One client process and what the server spent meanwhile.
#[derive(Debug, Clone, Default)]
struct Measured {
    client: ClientRun,
    server_cpu_s: f64,
}

/// The three scenarios of one run of one system (`None`: did not finish).
#[derive(Debug, Clone, Default)]
struct Run {
    push: Option<Measured>,
    fresh: Option<Measured>,
    reconnect_loaded: Option<Measured>,
    reconnect_restarted: Option<Measured>,
    /// Linli: erasing one household from the relay after the runs.
    erase: Option<crate::erase::EraseRun>,
}

fn os(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    args.iter().map(|a| a.as_ref().to_owned()).collect()
}

async fn measured<T: serde::de::DeserializeOwned>(
    server_pid: u32,
    args: Vec<OsString>,
    cap: Duration,
) -> Result<Option<(T, f64)>, BenchError> {
    let before = cpu_seconds(server_pid);
    let out = run_client::<T>(&args, cap).await?;
    Ok(out.map(|t| (t, cpu_seconds(server_pid) - before)))
}

fn with_server((client, server_cpu_s): (ClientRun, f64)) -> Measured {
    Measured {
        client,
        server_cpu_s,
    }
}

async fn linli_run(t: &LinliTemplate, work: &Path, reconnects: usize) -> Result<Run, BenchError> {
    let dir = work.join("linli-run");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&t.relay_dir(), &dir.join("relay"))?;
    copy_dir(&t.phone_dir(), &dir.join("phone"))?;
    let db = Database::Sqlite(dir.join("relay/relay.db"));
    let mut args = vec![OsString::from("relay")];
    args.extend(RelayProcess::serve_args(
        &db,
        "127.0.0.1:0".parse().expect("address"),
    ));
    let relay = RelayProcess::spawn(this_binary(&args)?).await;
    let pid = relay
        .pid()
        .ok_or_else(|| BenchError("the relay exited".into()))?;
    let url = relay.url();
    let store = dir.join("phone/phone.db");
    let cap = Duration::from_secs(600);
    let push = measured::<ClientRun>(
        pid,
        os(&[
            &"linli-phone",
            &"push",
            &"--store",
            &store,
            &"--identity",
            &t.identity(),
            &"--server",
            &url,
        ]),
        cap,
    )
    .await?
    .map(with_server);
    let fresh = measured::<ClientRun>(
        pid,
        os(&[
            &"linli-phone",
            &"fresh",
            &"--store",
            &dir.join("fresh.db"),
            &"--code",
            &t.fresh_code,
            &"--server",
            &url,
            &"--expect",
            &t.records.to_string(),
        ]),
        cap,
    )
    .await?
    .map(with_server);
    let mut reconnect = None;
    for round in 0..reconnects {
        reconnect = measured::<ClientRun>(
            pid,
            os(&[
                &"linli-phone",
                &"reconnect",
                &"--store",
                &store,
                &"--identity",
                &t.identity(),
                &"--server",
                &url,
                &"--k",
                &K.to_string(),
                &"--round",
                &round.to_string(),
            ]),
            cap,
        )
        .await?
        .map(with_server);
    }
    relay.kill().await;
    let erase = crate::erase::erase_one_household(&dir.join("relay"))?;
    Ok(Run {
        push,
        fresh,
        reconnect_loaded: reconnect.clone(),
        reconnect_restarted: reconnect,
        erase: Some(erase),
    })
}

async fn samod_run(t: &SamodTemplate, work: &Path, cap: Duration) -> Result<Run, BenchError> {
    let dir = work.join("samod-run");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&t.repo(), &dir.join("phone"))?;
    std::fs::create_dir_all(dir.join("server")).map_err(|e| BenchError(e.to_string()))?;
    std::fs::create_dir_all(dir.join("fresh")).map_err(|e| BenchError(e.to_string()))?;
    let server = RelayProcess::spawn(this_binary(&os(&[
        &"samod-server",
        &"--dir",
        &dir.join("server"),
    ]))?)
    .await;
    let pid = server
        .pid()
        .ok_or_else(|| BenchError("the peer server exited".into()))?;
    let addr = server.addr.to_string();
    let pushed = measured::<PushRuns>(
        pid,
        os(&[
            &"samod-peer",
            &"push",
            &"--dir",
            &dir.join("phone"),
            &"--ids",
            &t.ids(),
            &"--server",
            &addr,
            &"--k",
            &K.to_string(),
        ]),
        cap,
    )
    .await?;
    let mut run = Run::default();
    if let Some((p, server_cpu_s)) = pushed {
        // The server's CPU is split between the two phases by their client wall time.
        let share = p.push.wall_s / (p.push.wall_s + p.reconnect_loaded.wall_s).max(1e-9);
        run.push = Some(Measured {
            client: p.push,
            server_cpu_s: server_cpu_s * share,
        });
        run.reconnect_loaded = Some(Measured {
            client: p.reconnect_loaded,
            server_cpu_s: server_cpu_s * (1.0 - share),
        });
        run.fresh = measured::<ClientRun>(
            pid,
            os(&[
                &"samod-peer",
                &"fetch",
                &"--dir",
                &dir.join("fresh"),
                &"--ids",
                &t.ids(),
                &"--server",
                &addr,
            ]),
            cap,
        )
        .await?
        .map(with_server);
        run.reconnect_restarted = measured::<ClientRun>(
            pid,
            os(&[
                &"samod-peer",
                &"reconnect",
                &"--dir",
                &dir.join("phone"),
                &"--ids",
                &t.ids(),
                &"--server",
                &addr,
                &"--k",
                &K.to_string(),
            ]),
            cap,
        )
        .await?
        .map(with_server);
    }
    server.kill().await;
    Ok(run)
}

/// Medians of one scenario over runs; `None` when any run did not finish.
#[derive(Debug, Clone, Copy)]
struct Medians {
    wall_s: f64,
    client_cpu_s: f64,
    server_cpu_s: f64,
}

fn medians(runs: &[Run], pick: fn(&Run) -> &Option<Measured>) -> Option<Medians> {
    let ms: Vec<&Measured> = runs
        .iter()
        .map(|r| pick(r).as_ref())
        .collect::<Option<Vec<_>>>()?;
    let of = |f: fn(&Measured) -> f64| median(&ms.iter().map(|m| f(m)).collect::<Vec<_>>());
    Some(Medians {
        wall_s: of(|m| m.client.wall_s),
        client_cpu_s: of(|m| m.client.cpu_s),
        server_cpu_s: of(|m| m.server_cpu_s),
    })
}

fn scenario_figures(name: &str, system: &str, n: usize, m: Option<Medians>) -> Vec<Figure> {
    let base = format!("sync.{name}.{system}.n{n}");
    match m {
        Some(m) => vec![
            Figure::new(format!("{base}.wall"), m.wall_s, "s"),
            Figure::new(format!("{base}.client_cpu"), m.client_cpu_s, "s"),
            Figure::new(format!("{base}.server_cpu"), m.server_cpu_s, "s"),
        ],
        None => vec![Figure::did_not_finish(format!("{base}.wall"), "s")],
    }
}

fn ratio_figure(
    name: &str,
    n: usize,
    linli: Option<Medians>,
    peer: Option<Medians>,
    bar: f64,
) -> Option<Figure> {
    let (l, p) = (linli?, peer?);
    let ratio = p.wall_s / l.wall_s.max(1e-9);
    let figure = Figure::new(format!("sync.{name}.speedup.n{n}"), ratio, "×").ratio(ratio);
    // The bar holds at N = 3,000; at other sizes the ratio is printed without a verdict.
    Some(if n == 3000 {
        figure.bar(format!("≥ {bar}×"), ratio >= bar)
    } else {
        figure
    })
}

fn wire_figures(
    system: &str,
    n: usize,
    kind: &str,
    runs: &[Run],
    pick: fn(&Run) -> &Option<Measured>,
) -> Vec<Figure> {
    let Some(m) = runs.iter().rev().find_map(|r| pick(r).as_ref()) else {
        return Vec::new();
    };
    let c = &m.client;
    let bytes = (c.wire.bytes_up + c.wire.bytes_down) as f64;
    let base = format!("sync.reconnect_{kind}.{system}.n{n}");
    let mut out = vec![
        Figure::new(
            format!("{base}.round_trips"),
            c.wire.round_trips as f64,
            "round trips",
        ),
        Figure::new(format!("{base}.messages"), c.messages as f64, "messages"),
        Figure::new(format!("{base}.wire_bytes"), bytes, "B")
            .ratio(bytes / (c.raw_bytes.max(1)) as f64),
        Figure::new(format!("{base}.raw_change_bytes"), c.raw_bytes as f64, "B"),
    ];
    if system == "linli" {
        out[0] = out[0].clone().bar("≤ 2", c.wire.round_trips <= 2);
        let ratio = bytes / c.raw_bytes.max(1) as f64;
        out[2] = out[2].clone().bar("≤ 2× raw change bytes", ratio <= 2.0);
    }
    out
}

/// Runs the plan and returns its figures, section by section.
pub async fn run(
    plan: &Plan,
    work: &Path,
    report: &mut crate::report::Report,
) -> Result<(), BenchError> {
    let mut reconnect_at: Vec<(usize, f64)> = Vec::new();
    for &n in &plan.compared {
        let lt = LinliTemplate::prepare(work, n).await?;
        let st = SamodTemplate::prepare(work, n).await?;
        let (mut linli, mut peer) = (Vec::new(), Vec::new());
        for r in 0..plan.runs {
            eprintln!("N = {n}, run {}/{}: Linli …", r + 1, plan.runs);
            linli.push(linli_run(&lt, work, 1).await?);
            eprintln!("N = {n}, run {}/{}: samod …", r + 1, plan.runs);
            peer.push(samod_run(&st, work, plan.cap).await?);
        }
        let mut figures = Vec::new();
        for (name, pick, bar) in [
            (
                "cold_push",
                (|r: &Run| &r.push) as fn(&Run) -> &Option<Measured>,
                20.0,
            ),
            ("fresh_device", |r: &Run| &r.fresh, 20.0),
            ("reconnect_loaded", |r: &Run| &r.reconnect_loaded, 100.0),
            (
                "reconnect_restarted",
                |r: &Run| &r.reconnect_restarted,
                10.0,
            ),
        ] {
            let (l, p) = (medians(&linli, pick), medians(&peer, pick));
            figures.extend(scenario_figures(name, "linli", n, l));
            figures.extend(scenario_figures(name, "samod", n, p));
            figures.extend(ratio_figure(name, n, l, p, bar));
        }
        figures.extend(wire_figures("linli", n, "loaded", &linli, |r| {
            &r.reconnect_loaded
        }));
        figures.extend(wire_figures("samod", n, "loaded", &peer, |r| {
            &r.reconnect_loaded
        }));
        figures.extend(wire_figures("samod", n, "restarted", &peer, |r| {
            &r.reconnect_restarted
        }));
        if let Some(m) = medians(&linli, |r| &r.reconnect_loaded) {
            reconnect_at.push((n, m.wall_s));
        }
        report.section(
            &format!("sync against samod, N = {n} ({} runs, medians)", plan.runs),
            figures,
        );
    }
    if let Some(n) = plan.peer_capped {
        let st = SamodTemplate::prepare(work, n).await?;
        eprintln!(
            "N = {n}: samod, one run capped at {} s …",
            plan.cap.as_secs()
        );
        let run = samod_run(&st, work, plan.cap).await?;
        let mut figures = scenario_figures(
            "cold_push",
            "samod",
            n,
            medians(std::slice::from_ref(&run), |r| &r.push),
        );
        figures.extend(scenario_figures(
            "fresh_device",
            "samod",
            n,
            medians(std::slice::from_ref(&run), |r| &r.fresh),
        ));
        report.section(
            &format!("samod at N = {n} (one run, {} s cap)", plan.cap.as_secs()),
            figures,
        );
    }
    for &n in &plan.linli_only {
        let lt = LinliTemplate::prepare(work, n).await?;
        let mut runs = Vec::new();
        for r in 0..plan.runs {
            eprintln!("N = {n}, run {}/{}: Linli …", r + 1, plan.runs);
            runs.push(linli_run(&lt, work, 1).await?);
        }
        let push = medians(&runs, |r| &r.push);
        let mut figures = scenario_figures("cold_push", "linli", n, push);
        if n == 10_000
            && let Some(p) = push
        {
            figures.push(
                Figure::new(format!("sync.cold_push.linli.n{n}.bar"), p.wall_s, "s")
                    .bar("< 2 s at N = 10000", p.wall_s < 2.0),
            );
        }
        figures.extend(scenario_figures(
            "fresh_device",
            "linli",
            n,
            medians(&runs, |r| &r.fresh),
        ));
        let reconnect = medians(&runs, |r| &r.reconnect_loaded);
        figures.extend(scenario_figures("reconnect", "linli", n, reconnect));
        figures.extend(wire_figures("linli", n, "loaded", &runs, |r| {
            &r.reconnect_loaded
        }));
        if let (Some(m), Some(&(small, at_small))) = (reconnect, reconnect_at.last()) {
            let ratio = m.wall_s / at_small.max(1e-9);
            figures.push(
                Figure::new(
                    format!("sync.reconnect.linli.n{n}_over_n{small}"),
                    ratio,
                    "×",
                )
                .ratio(ratio)
                .bar("about 1× (≤ 2×)", ratio <= 2.0),
            );
        }
        let erased: Vec<_> = runs.iter().filter_map(|r| r.erase).collect();
        figures.extend(crate::erase::figures(n, &erased));
        report.section(
            &format!(
                "Linli alone, N = {n} ({} runs, medians; the relay on {})",
                plan.runs,
                linli_relay::ALLOCATOR
            ),
            figures,
        );
    }
    Ok(())
}
