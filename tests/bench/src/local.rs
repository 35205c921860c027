//! The phone's own costs: local writes committed with their projection and outbox row
//! (scenario 5), and a big store's open time, memory and busiest lists (scenario 6).
#![allow(clippy::print_stderr)]

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use linli_core::api::duty::VisitorInput;
use linli_core::api::households::VisitInput;
use linli_core::api::passes::PassInput;
use linli_core::api::tickets::TicketFilter;
use linli_core::records::directory::Role;
use linli_core::records::gate_log::PassType;
use linli_core::records::pass::{self, PassKind, PassResult};
use linli_core::rules::{self, JudgedDoc, Pusher};
use linli_core::{Linli, StoreKey};

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

/// The disk's floor for a local write: one 300-byte row inserted and committed per transaction
/// in a database with the phone store's settings (WAL, `synchronous=NORMAL`, encrypted with
/// `key` when one is given), in milliseconds.
pub(crate) fn bare_commits_ms(
    dir: &Path,
    n: usize,
    key: Option<&StoreKey>,
) -> Result<Vec<f64>, BenchError> {
    let db = |e: rusqlite::Error| BenchError(format!("bare commit: {e}"));
    let path = dir.join("floor.db");
    let _ = std::fs::remove_file(&path);
    let conn = rusqlite::Connection::open(&path).map_err(db)?;
    if let Some(key) = key {
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{}'\";",
            hex::encode(key.as_bytes())
        ))
        .map_err(db)?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(db)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(db)?;
    conn.execute(
        "CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)",
        [],
    )
    .map_err(db)?;
    let row = vec![7u8; 300];
    times_ms(n, |_| {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(db)?;
        conn.execute("INSERT INTO t (v) VALUES (?1)", [&row])
            .map_err(db)?;
        conn.execute_batch("COMMIT").map_err(db)?;
        Ok(())
    })
}

/// The relay's judging of the last `n` changes of `doc_id` (a phone's visits to one household),
/// each pushed alone, replayed in order on a judge's copy of the document as the relay keeps
/// it between pushes; in ms each.
fn relay_judging_ms(linli: &Linli, doc_id: &str, n: usize) -> Result<Vec<f64>, BenchError> {
    let changes = linli
        .changes_since(doc_id, &[])?
        .into_iter()
        .map(|c| automerge::Change::from_bytes(c.bytes).map(|change| (c.kind, change)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| BenchError(format!("a stored change does not decode: {e}")))?;
    let pusher = Pusher {
        member_id: linli.identity().member_id.clone(),
        device_id: linli.identity().device_id.clone(),
        roles: vec![(Role::Office, String::new())],
        orders: Vec::new(),
    };
    let mut judged = JudgedDoc::new(automerge::AutoCommit::new());
    let mut times = Vec::new();
    let first_timed = changes.len().saturating_sub(n);
    for (i, (kind, change)) in changes.into_iter().enumerate() {
        let started = Instant::now();
        let verdicts = rules::judge_all(
            &mut judged,
            kind,
            doc_id,
            std::slice::from_ref(&change),
            &pusher,
            &mut Default::default(),
        );
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Some(Err(refusal)) = verdicts.into_iter().next() {
            return Err(BenchError(format!(
                "the judge refused a visit: {refusal:?}"
            )));
        }
        if i >= first_timed {
            times.push(ms);
        }
    }
    Ok(times)
}

/// p50 and p99 of a kind of write, each with its ratio to the disk's floor (p50 to p50); an
/// encrypted store's p50 also against the 1 ms bar.
fn write_figures(name: &str, times: &[f64], floor_p50: f64, encrypted: bool) -> Vec<Figure> {
    let p50 = median(times);
    let mut figures = vec![
        Figure::new(format!("writes.{name}.p50"), p50, "ms")
            .ratio(p50 / floor_p50)
            .bar("≤ 1.5 × the bare commit", p50 <= 1.5 * floor_p50),
    ];
    if encrypted {
        figures.push(
            Figure::new(format!("writes.{name}.p50_against_1ms"), p50, "ms")
                .bar("≤ 1 ms encrypted", p50 <= 1.0),
        );
    }
    figures.push(Figure::new(
        format!("writes.{name}.p99"),
        percentile(times, 99.0),
        "ms",
    ));
    figures
}

/// A write's cost late in a record's history against early in it: p50 of the last tenth of
/// `times` over p50 of the first tenth.
fn growth_figures(name: &str, times: &[f64]) -> Vec<Figure> {
    let tenth = (times.len() / 10).max(1);
    let first = median(&times[..tenth]);
    let last = median(&times[times.len() - tenth..]);
    vec![
        Figure::new(format!("writes.{name}.first_tenth.p50"), first, "ms"),
        Figure::new(format!("writes.{name}.last_tenth.p50"), last, "ms")
            .ratio(last / first)
            .bar("≤ 1.5 × the first tenth", last <= 1.5 * first),
    ]
}

/// Scenario 5: visits, gate entries and ticket events written one by one on a phone holding
/// 10,000 records, plain and then encrypted, each beside its own floor (a bare commit, plain or
/// encrypted); then, on the encrypted store, records with a long history: 1,000 visits to one
/// household, 500 events on one ticket, a gate day of 2,000 entries.
pub async fn writes(quick: bool, work: &Path, report: &mut Report) -> Result<(), BenchError> {
    let n = if quick { 300 } else { 2000 };
    let t = LinliTemplate::prepare(work, 10_000).await?;
    let key = StoreKey::generate();
    let mut encrypted = None;
    for (label, key) in [("plain", None), ("encrypted", Some(&key))] {
        let dir = work.join(format!("writes-run-{label}"));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&t.phone_dir(), &dir)?;
        let floor = bare_commits_ms(&dir, n, key)?;
        let floor_p50 = median(&floor);
        let started = Instant::now();
        let linli = PhoneIdentity::load(&t.identity())?.open_keyed(&dir.join("phone.db"), key)?;
        let open_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut figures = vec![
            Figure::new(format!("writes.{label}.bare_commit.p50"), floor_p50, "ms"),
            Figure::new(
                format!("writes.{label}.bare_commit.p99"),
                percentile(&floor, 99.0),
                "ms",
            ),
        ];
        if key.is_some() {
            figures.push(Figure::new(
                "writes.encrypted.first_open_converting_the_plain_store",
                open_ms,
                "ms",
            ));
        }
        eprintln!("本机写入 local writes ({label}): {n} of each kind …");
        figures.extend(timed_writes(
            &linli,
            &t,
            n,
            label,
            floor_p50,
            key.is_some(),
        )?);
        report.section(
            &format!(
                "local writes on a phone with 10,000 records, {label} ({n} each, committed), against the disk's floor"
            ),
            figures,
        );
        encrypted = Some(linli);
    }
    let linli = encrypted.ok_or_else(|| BenchError("no encrypted store".into()))?;
    report.section(
        "a pass checked at the gate, offline, on the encrypted store (1,000 checks)",
        pass_check_figures(&linli, &t, if quick { 300 } else { 1000 })?,
    );
    let households = linli.households_in_building(&t.places.buildings[0])?;
    let tickets = linli.tickets(&TicketFilter {
        open_only: true,
        ..TicketFilter::default()
    })?;
    let gate = times_ms(n, |i| {
        linli.register_visitor(&t.places.gate, &visitor(i))?;
        Ok(())
    })?;
    let (visits_n, events_n) = if quick { (300, 150) } else { (1000, 500) };
    eprintln!(
        "长历史 long histories: {visits_n} visits to one household, {events_n} events on one ticket …"
    );
    let household = &households[0].id;
    let long_visits = times_ms(visits_n, |i| {
        linli.log_visit(household, &visit(i))?;
        Ok(())
    })?;
    let reads = times_ms(100, |_| {
        linli.household(household)?;
        Ok(())
    })?;
    let ticket = &tickets[0].id;
    let long_events = times_ms(events_n, |_| {
        linli.reply_ticket(ticket, "已转物业处理，明日上门")?;
        Ok(())
    })?;
    let read_p50 = median(&reads);
    let judged = relay_judging_ms(&linli, household, visits_n)?;
    let mut figures = growth_figures(&format!("visit_to_one_household_{visits_n}"), &long_visits);
    figures.extend(growth_figures(
        &format!("relay_judging_a_visit_to_one_household_{visits_n}"),
        &judged,
    ));
    figures.push(
        Figure::new(
            format!("reads.household_with_{visits_n}_visits.p50"),
            read_p50,
            "ms",
        )
        .bar("≤ 5 ms", read_p50 <= 5.0),
    );
    figures.extend(growth_figures(
        &format!("event_on_one_ticket_{events_n}"),
        &long_events,
    ));
    figures.extend(growth_figures(&format!("gate_day_{n}_entries"), &gate));
    report.section(
        "records with a long history, encrypted store: late writes against early ones",
        figures,
    );
    Ok(())
}

/// Checking a signed pass at the gate: the signature and rules alone, and the whole check with
/// its gate entry written (what the gate phone does per scan).
fn pass_check_figures(
    linli: &Linli,
    t: &LinliTemplate,
    n: usize,
) -> Result<Vec<Figure>, BenchError> {
    let secret = [7u8; 32];
    linli.set_pass_key(&pass::public_key_hex(&secret)?)?;
    let households = linli.households_in_building(&t.places.buildings[0])?;
    let household = households
        .first()
        .ok_or_else(|| BenchError("the template holds no household".into()))?;
    let now = linli.now().timestamp_millis();
    let claims = linli.pass_claims(&PassInput {
        household_id: household.id.clone(),
        kind: PassKind::Visitor,
        visitor_name: "周先生".into(),
        valid_from_ms: now - 3_600_000,
        valid_until_ms: now + 86_400_000,
        gates: vec![t.places.gate.clone()],
        ..PassInput::default()
    })?;
    let text = pass::sign(&claims, &secret)?;
    let key = linli.pass_key()?;
    let verify = times_ms(n, |_| {
        let claims = pass::verified_claims(&text, &key)
            .ok_or_else(|| BenchError("the pass did not verify".into()))?;
        std::hint::black_box(pass::judge(
            &claims,
            &claims.community,
            &t.places.gate,
            now,
            600,
            false,
        ));
        Ok(())
    })?;
    let checks = times_ms(n, |_| {
        let check = linli.check_pass(&t.places.gate, &text)?;
        if check.result != PassResult::Valid {
            return Err(BenchError(format!(
                "the pass was refused: {:?}",
                check.result
            )));
        }
        Ok(())
    })?;
    let p50 = median(&checks);
    Ok(vec![
        Figure::new("pass.verify_signature_and_rules.p50", median(&verify), "ms"),
        Figure::new("pass.check_with_gate_entry.p50", p50, "ms").bar("≤ 1 ms", p50 <= 1.0),
        Figure::new(
            "pass.check_with_gate_entry.p99",
            percentile(&checks, 99.0),
            "ms",
        ),
    ])
}

/// A visit whose note says which it is.
fn visit(i: usize) -> VisitInput {
    VisitInput {
        needs: format!("老人腿脚不便，希望有人帮忙取药（第{i}次）"),
        ..VisitInput::default()
    }
}

/// A gate entry with a new phone number each time.
fn visitor(i: usize) -> VisitorInput {
    VisitorInput {
        name: "张伟".into(),
        phone: format!("139{i:08}"),
        purpose: "探望父母".into(),
        household: None,
        pass: PassType::Temporary,
        ..VisitorInput::default()
    }
}

/// `n` visits, gate entries and ticket events on `linli`, each committed alone: their figures,
/// named `writes.<label>.<kind>`.
fn timed_writes(
    linli: &Linli,
    t: &LinliTemplate,
    n: usize,
    label: &str,
    floor_p50: f64,
    encrypted: bool,
) -> Result<Vec<Figure>, BenchError> {
    let households = linli.households_in_building(&t.places.buildings[0])?;
    let tickets = linli.tickets(&TicketFilter {
        open_only: true,
        ..TicketFilter::default()
    })?;
    if households.len() < 2 || tickets.len() < 2 {
        return Err(BenchError(
            "the template holds too few households or tickets".into(),
        ));
    }
    let visits = times_ms(n, |i| {
        // Every household but the first, which is kept for the long history.
        let h = &households[1 + i % (households.len() - 1)].id;
        linli.log_visit(h, &visit(i))?;
        Ok(())
    })?;
    let gate = times_ms(n, |i| {
        linli.register_visitor(&t.places.gate, &visitor(i))?;
        Ok(())
    })?;
    let events = times_ms(n, |i| {
        let ticket = &tickets[1 + i % (tickets.len() - 1)].id;
        linli.reply_ticket(ticket, "已转物业处理，明日上门")?;
        Ok(())
    })?;
    let mut figures = write_figures(&format!("{label}.visit"), &visits, floor_p50, encrypted);
    figures.extend(write_figures(
        &format!("{label}.gate_entry"),
        &gate,
        floor_p50,
        encrypted,
    ));
    figures.extend(write_figures(
        &format!("{label}.ticket_event"),
        &events,
        floor_p50,
        encrypted,
    ));
    Ok(figures)
}

/// Scenario 6: a store with 100,000 records (10,000 with `--quick`) opened in a process of its
/// own, three times plain and three times encrypted (a copy converted once, timed).
pub async fn store(quick: bool, work: &Path, report: &mut Report) -> Result<(), BenchError> {
    let n = if quick { 10_000 } else { 100_000 };
    let t = LinliTemplate::prepare(work, n).await?;
    let key = StoreKey::generate();
    let encrypted_dir = work.join("store-encrypted");
    let _ = std::fs::remove_dir_all(&encrypted_dir);
    copy_dir(&t.phone_dir(), &encrypted_dir)?;
    eprintln!("加密 converting a copy of the {n}-record store …");
    let started = Instant::now();
    drop(
        PhoneIdentity::load(&t.identity())?
            .open_keyed(&encrypted_dir.join("phone.db"), Some(&key))?,
    );
    let convert_s = started.elapsed().as_secs_f64();
    for (label, dir, key) in [
        ("plain", t.phone_dir(), None),
        ("encrypted", encrypted_dir.clone(), Some(&key)),
    ] {
        let mut figures = open_figures(&t, &dir, n, label, key).await?;
        if key.is_some() {
            figures.push(Figure::new(
                format!("store.n{n}.encrypted.conversion_from_plain"),
                convert_s,
                "s",
            ));
        }
        report.section(
            &format!("a store with {n} records, {label} (3 opens, medians)"),
            figures,
        );
    }
    let _ = std::fs::remove_dir_all(&encrypted_dir);
    Ok(())
}

/// Three opens of the store in `dir`, each in a process of its own: the medians' figures,
/// named `store.n<n>.<label>.<what>`.
async fn open_figures(
    t: &LinliTemplate,
    dir: &Path,
    n: usize,
    label: &str,
    key: Option<&StoreKey>,
) -> Result<Vec<Figure>, BenchError> {
    let mut runs: Vec<OpenCosts> = Vec::new();
    for _ in 0..3 {
        let mut args: Vec<OsString> = vec![
            "linli-phone".into(),
            "open".into(),
            "--store".into(),
            dir.join("phone.db").into(),
            "--identity".into(),
            t.identity().into(),
            "--building".into(),
            t.places.buildings[0].clone().into(),
        ];
        if let Some(key) = key {
            args.push("--key-hex".into());
            args.push(hex::encode(key.as_bytes()).into());
        }
        let costs = run_client::<OpenCosts>(&args, Duration::from_secs(300))
            .await?
            .ok_or_else(|| BenchError("opening the store took over 300 s".into()))?;
        if costs.records != n as u64 || costs.building_households == 0 || costs.open_tickets == 0 {
            return Err(BenchError(format!("the store opened wrong: {costs:?}")));
        }
        // The member's open tickets are the agenda's due items: 500 at 100,000 records.
        let due = (n / 10).div_ceil(crate::data::OPEN_TICKET_EVERY) as u64;
        if costs.agenda_items != due || costs.open_tickets != due {
            return Err(BenchError(format!(
                "{} items on the agenda and {} open tickets, not {due}",
                costs.agenda_items, costs.open_tickets
            )));
        }
        runs.push(costs);
    }
    let of = |f: fn(&OpenCosts) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let (open, rss, list, tickets, all_tickets, agenda) = (
        of(|c| c.open_ms),
        of(|c| c.rss_mib),
        of(|c| c.building_list_ms),
        of(|c| c.open_tickets_ms),
        of(|c| c.all_open_tickets_ms),
        of(|c| c.agenda_ms),
    );
    let full = n == 100_000;
    let name = |what: &str| format!("store.n{n}.{label}.{what}");
    Ok(vec![
        Figure::new(name("open"), open, "ms").bar("≤ 150 ms at 100,000", !full || open <= 150.0),
        Figure::new(name("rss_after_open"), rss, "MiB")
            .bar("≤ 60 MB at 100,000", !full || rss <= 60.0),
        Figure::new(name("building_households"), list, "ms").bar("≤ 5 ms", list <= 5.0),
        Figure::new(name("open_tickets_first_page"), tickets, "ms").bar("≤ 5 ms", tickets <= 5.0),
        Figure::new(name("open_tickets_all"), all_tickets, "ms"),
        Figure::new(
            name("open_tickets_listed"),
            runs[0].open_tickets as f64,
            "tickets",
        ),
        Figure::new(name("agenda"), agenda, "ms").bar("≤ 5 ms", agenda <= 5.0),
        Figure::new(name("agenda_items"), runs[0].agenda_items as f64, "items"),
    ])
}
