//! The phone's own costs: local writes committed with their projection and outbox row
//! (scenario 5), and a big store's open time, memory and busiest lists (scenario 6).
#![allow(clippy::print_stderr)]

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use linli_core::api::duty::VisitorInput;
use linli_core::api::households::VisitInput;
use linli_core::api::tickets::TicketFilter;
use linli_core::records::gate_log::PassType;

use crate::BenchError;
use crate::linli_side::{OpenCosts, PhoneIdentity};
use crate::process::{copy_dir, run_client};
use crate::report::{Figure, Report, median, percentile};
use crate::templates::LinliTemplate;

/// Times `n` calls of `write`, in milliseconds.
fn times_ms(
    n: usize,
    mut write: impl FnMut(usize) -> Result<(), BenchError>,
) -> Result<Vec<f64>, BenchError> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        write(i)?;
        out.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(out)
}

fn write_figures(name: &str, times: &[f64]) -> Vec<Figure> {
    let p50 = median(times);
    vec![
        Figure::new(format!("writes.{name}.p50"), p50, "ms").bar("≤ 1 ms", p50 <= 1.0),
        Figure::new(format!("writes.{name}.p99"), percentile(times, 99.0), "ms"),
    ]
}

/// Scenario 5: visits, gate entries and ticket events written one by one on a phone holding
/// 10,000 records.
pub async fn writes(quick: bool, work: &Path, report: &mut Report) -> Result<(), BenchError> {
    let n = if quick { 300 } else { 2000 };
    let t = LinliTemplate::prepare(work, 10_000).await?;
    let dir = work.join("writes-run");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&t.phone_dir(), &dir)?;
    let linli = PhoneIdentity::load(&t.identity())?.open(&dir.join("phone.db"))?;
    let households = linli.households_in_building(&t.places.buildings[0])?;
    let tickets = linli.tickets(&TicketFilter {
        open_only: true,
        ..TicketFilter::default()
    })?;
    if households.is_empty() || tickets.is_empty() {
        return Err(BenchError(
            "the template holds no households or tickets".into(),
        ));
    }
    eprintln!("本机写入 local writes: {n} of each kind …");
    let visits = times_ms(n, |i| {
        linli.log_visit(
            &households[i % households.len()].id,
            &VisitInput {
                needs: "老人腿脚不便，希望有人帮忙取药".into(),
                ..VisitInput::default()
            },
        )?;
        Ok(())
    })?;
    let gate = times_ms(n, |i| {
        linli.register_visitor(
            &t.places.gate,
            &VisitorInput {
                name: "张伟".into(),
                phone: format!("139{i:08}"),
                purpose: "探望父母".into(),
                household: None,
                pass: PassType::Temporary,
            },
        )?;
        Ok(())
    })?;
    let events = times_ms(n, |i| {
        linli.reply_ticket(&tickets[i % tickets.len()].id, "已转物业处理，明日上门")?;
        Ok(())
    })?;
    let mut figures = write_figures("visit", &visits);
    figures.extend(write_figures("gate_entry", &gate));
    figures.extend(write_figures("ticket_event", &events));
    report.section(
        &format!("local writes on a phone with 10,000 records ({n} each, committed)"),
        figures,
    );
    Ok(())
}

/// Scenario 6: a store with 100,000 records (10,000 with `--quick`) opened in a process of its
/// own, three times.
pub async fn store(quick: bool, work: &Path, report: &mut Report) -> Result<(), BenchError> {
    let n = if quick { 10_000 } else { 100_000 };
    let t = LinliTemplate::prepare(work, n).await?;
    let mut runs: Vec<OpenCosts> = Vec::new();
    for _ in 0..3 {
        let args: Vec<OsString> = vec![
            "linli-phone".into(),
            "open".into(),
            "--store".into(),
            t.phone_dir().join("phone.db").into(),
            "--identity".into(),
            t.identity().into(),
            "--building".into(),
            t.places.buildings[0].clone().into(),
        ];
        let costs = run_client::<OpenCosts>(&args, Duration::from_secs(300))
            .await?
            .ok_or_else(|| BenchError("opening the store took over 300 s".into()))?;
        if costs.records != n as u64 || costs.building_households == 0 || costs.open_tickets == 0 {
            return Err(BenchError(format!("the store opened wrong: {costs:?}")));
        }
        runs.push(costs);
    }
    let of = |f: fn(&OpenCosts) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let (open, rss, list, tickets, all_tickets) = (
        of(|c| c.open_ms),
        of(|c| c.rss_mib),
        of(|c| c.building_list_ms),
        of(|c| c.open_tickets_ms),
        of(|c| c.all_open_tickets_ms),
    );
    let full = n == 100_000;
    report.section(
        &format!("a store with {n} records (3 opens, medians)"),
        vec![
            Figure::new(format!("store.n{n}.open"), open, "ms")
                .bar("≤ 150 ms at 100,000", !full || open <= 150.0),
            Figure::new(format!("store.n{n}.rss_after_open"), rss, "MiB")
                .bar("≤ 60 MB at 100,000", !full || rss <= 60.0),
            Figure::new(format!("store.n{n}.building_households"), list, "ms")
                .bar("≤ 5 ms", list <= 5.0),
            Figure::new(format!("store.n{n}.open_tickets_first_page"), tickets, "ms")
                .bar("≤ 5 ms", tickets <= 5.0),
            Figure::new(format!("store.n{n}.open_tickets_all"), all_tickets, "ms"),
            Figure::new(
                format!("store.n{n}.open_tickets_listed"),
                runs[0].open_tickets as f64,
                "tickets",
            ),
        ],
    );
    Ok(())
}
