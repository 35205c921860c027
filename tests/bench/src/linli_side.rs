//! Linli's side of the benchmarks: a bench community on a relay, phones enrolled on it that
//! hold the generated records, and the work one phone process does (push, fresh device,
//! reconnect, open a big store) with what it cost.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::households::{HealthInput, HouseholdInput, ResidentInput, VisitInput};
use linli_core::api::tickets::{TicketFilter, TicketInput};
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::household::Tag;
use linli_core::records::ticket::{Category, Channel, PlaceRefKind};
use linli_core::sync::client::{SyncClient, SyncOptions, SyncSummary};
use linli_core::{DeviceIdentity, DocKind, Linli, StoreKey, SystemClock};
use linli_relay::admin::Admin;
use linli_relay::demo::{Phone, enrol_with_code};
use linli_relay::server::Server;
use linli_relay::{Database, Relay};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::BenchError;
use crate::data::{self, Record};
use crate::process::own_cpu_seconds;
use crate::wire::{self, Wire};

/// The office member every comparison phone acts as (the office reads every scope, as the
/// peer's server shares every document).
pub const OFFICE: &str = "office-admin";

/// The bench community's places.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Places {
    /// Building ids, record `i`'s building at index `i / 100`.
    pub buildings: Vec<String>,
    /// The compound's gate.
    pub gate: String,
}

/// What a phone process needs to open an enrolled store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhoneIdentity {
    /// Member.
    pub member_id: String,
    /// Device.
    pub device_id: String,
    /// Device token.
    pub token: String,
    /// Automerge actor.
    pub actor: String,
}

impl PhoneIdentity {
    /// The identity of an enrolled phone.
    pub fn of(phone: &Phone) -> PhoneIdentity {
        PhoneIdentity {
            member_id: phone.linli.identity().member_id.clone(),
            device_id: phone.linli.identity().device_id.clone(),
            token: phone.client.options().token.clone(),
            actor: phone.linli.actor_id(),
        }
    }

    /// Opens the plain store at `path` as this phone.
    pub fn open(&self, path: &Path) -> Result<Linli, BenchError> {
        self.open_keyed(path, None)
    }

    /// Opens the store at `path` as this phone, encrypted with `key` when one is given (a
    /// plain store is converted first).
    pub fn open_keyed(&self, path: &Path, key: Option<&StoreKey>) -> Result<Linli, BenchError> {
        Linli::open_with_actor(
            path,
            DeviceIdentity {
                member_id: self.member_id.clone(),
                device_id: self.device_id.clone(),
            },
            Arc::new(SystemClock),
            Some(&self.actor),
            key,
        )
        .map_err(BenchError::from)
    }

    /// Saves it as JSON.
    pub fn save(&self, path: &Path) -> Result<(), BenchError> {
        let json = serde_json::to_string(self).map_err(|e| BenchError(e.to_string()))?;
        std::fs::write(path, json).map_err(|e| BenchError(format!("{}: {e}", path.display())))
    }

    /// Reads one saved with [`PhoneIdentity::save`].
    pub fn load(path: &Path) -> Result<PhoneIdentity, BenchError> {
        let json = std::fs::read_to_string(path)
            .map_err(|e| BenchError(format!("{}: {e}", path.display())))?;
        serde_json::from_str(&json).map_err(|e| BenchError(e.to_string()))
    }
}

/// A relay running in this process while phones are prepared.
#[derive(Debug)]
pub struct PrepRelay {
    /// Its admin tools.
    pub admin: Admin,
    /// Its URL.
    pub url: String,
    /// The places.
    pub places: Places,
    stop: CancellationToken,
    serving: tokio::task::JoinHandle<Result<(), linli_relay::RelayError>>,
}

impl PrepRelay {
    /// Creates the bench community (one building per 100 records of `records`, one gate,
    /// and `leads` building leads sharing the buildings in equal runs, lead 0 on the first)
    /// in `dir` and serves it.
    pub async fn start(dir: &Path, records: usize, leads: usize) -> Result<PrepRelay, BenchError> {
        std::fs::create_dir_all(dir).map_err(|e| BenchError(format!("{e}")))?;
        let db = Database::Sqlite(dir.join("relay.db"));
        let admin = Admin::open(&db, OFFICE)?;
        let buildings = data::buildings_for(records).max(leads);
        let places = admin.run(|l| {
            l.create_community("梅园社区", None, "陈主任", "13800000001")?;
            let area = l.add_place(PlaceKind::Area, "第一片区", None)?;
            let compound = l.add_place(PlaceKind::Compound, "梅园新村", Some(&area))?;
            let gate = l.add_place(PlaceKind::Gate, "东门", Some(&compound))?;
            let buildings = (0..buildings)
                .map(|b| {
                    l.add_place(
                        PlaceKind::Building,
                        &format!("{}号楼", b + 1),
                        Some(&compound),
                    )
                })
                .collect::<linli_core::Result<Vec<_>>>()?;
            let per_lead = buildings.len() / leads.max(1);
            for (i, run) in buildings.chunks(per_lead.max(1)).take(leads).enumerate() {
                l.add_member(&MemberInput {
                    id: Some(format!("lead-{i}")),
                    name: format!("楼栋长{i}"),
                    phone: String::new(),
                    roles: vec![
                        RoleInput {
                            role: Role::BuildingLead,
                            places: run.to_vec(),
                        },
                        RoleInput {
                            role: Role::SafetyOfficer,
                            places: vec![gate.clone()],
                        },
                    ],
                })?;
            }
            Ok(Places { buildings, gate })
        })?;
        let relay = Arc::new(Relay::open(&db)?);
        let server = Server::bind(relay, "127.0.0.1:0".parse().expect("address")).await?;
        let url = format!("http://{}", server.local_addr()?);
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        let serving = tokio::spawn(server.run(async move { stopped.cancelled().await }));
        Ok(PrepRelay {
            admin,
            url,
            places,
            stop,
            serving,
        })
    }

    /// A one-time code for `member`.
    pub fn code(&self, member: &str) -> Result<String, BenchError> {
        Ok(self.admin.create_code(member)?.0)
    }

    /// Enrols a phone for `member` with its store at `path`, and syncs it once.
    pub async fn phone(&self, member: &str, path: &Path) -> Result<Phone, BenchError> {
        let code = self.code(member)?;
        let phone = enrol_with_code(
            &self.url,
            &code,
            path,
            member,
            &format!("{member} 的手机"),
            Arc::new(SystemClock),
            None,
        )
        .await?;
        phone.sync().await?;
        Ok(phone)
    }

    /// Stops serving; the folder stays.
    pub async fn stop(self) -> Result<(), BenchError> {
        self.stop.cancel();
        self.serving
            .await
            .map_err(|e| BenchError(e.to_string()))??;
        Ok(())
    }
}

/// Whether [`write_records`] writes the ticket records of its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tickets {
    /// Every record, as the comparison with the peer needs.
    Write,
    /// Households and their visits only: a lead's own building's work. Tickets live in the
    /// community-wide scope, so every other phone of a fleet would pull and apply them.
    Skip,
}

/// Writes records `range` on `linli` through the app's own calls: households imported in
/// batches then visited three times, tickets reported, accepted, replied to twice and then replied to or resolved
/// (one in [`crate::data::OPEN_TICKET_EVERY`] stays open).
/// `progress` hears the records written so far.
pub fn write_records(
    linli: &Linli,
    places: &Places,
    range: Range<usize>,
    tickets: Tickets,
    progress: &dyn Fn(usize),
) -> Result<(), BenchError> {
    const BATCH: usize = 500;
    let mut done = 0;
    let starts: Vec<usize> = range.clone().step_by(BATCH).collect();
    for start in starts {
        let end = (start + BATCH).min(range.end);
        let mut households = Vec::new();
        let mut inputs = Vec::new();
        for i in start..end {
            match data::record(i) {
                Record::Household(h) => {
                    inputs.push(HouseholdInput {
                        building_id: places.buildings[h.building].clone(),
                        unit: h.unit.clone(),
                        room: h.room.clone(),
                        phone: h.phone.clone(),
                        residents: vec![ResidentInput {
                            name: h.name.clone(),
                            birth_year: Some(i32::from(h.birth_year)),
                            phone: String::new(),
                        }],
                        tags: if h.living_alone {
                            vec![Tag::LivingAlone]
                        } else {
                            Vec::new()
                        },
                        watch: None,
                    });
                    households.push(h);
                }
                Record::Ticket(_) if tickets == Tickets::Skip => {}
                Record::Ticket(t) => {
                    let id = linli.report_ticket(&TicketInput {
                        category: Category::FireSafety,
                        place_kind: PlaceRefKind::Building,
                        place_ref: places.buildings[t.building].clone(),
                        place_text: t.place_text.clone(),
                        description: t.description.clone(),
                        photos: Vec::new(),
                        channel: Channel::Visit,
                    })?;
                    linli.accept_ticket(&id)?;
                    let (last, replies) = t.replies.split_last().expect("three replies");
                    for reply in replies {
                        linli.reply_ticket(&id, reply)?;
                    }
                    if t.resolved {
                        linli.resolve_ticket(&id, last)?;
                    } else {
                        linli.reply_ticket(&id, last)?;
                    }
                }
            }
        }
        let ids = linli.import_households(&inputs)?;
        for (id, h) in ids.iter().zip(&households) {
            for v in &h.visits {
                linli.log_visit(
                    id,
                    &VisitInput {
                        needs: v.needs.clone(),
                        health: Some(HealthInput {
                            temperature_c: Some(v.temperature_c),
                            ..HealthInput::default()
                        }),
                        ..VisitInput::default()
                    },
                )?;
            }
        }
        done += end - start;
        progress(done);
    }
    Ok(())
}

/// What a client process measured; the same shape for both systems.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClientRun {
    /// Wall seconds of the measured work.
    pub wall_s: f64,
    /// CPU seconds the client used during it.
    pub cpu_s: f64,
    /// Records (documents) the work moved or found.
    pub records: u64,
    /// Changes pushed or pulled.
    pub changes: u64,
    /// Raw bytes of the changes made offline (reconnect).
    pub raw_bytes: u64,
    /// What crossed the wire (reconnect).
    pub wire: Wire,
    /// Protocol messages each way (the peer's websocket messages; Linli's HTTP requests).
    pub messages: u64,
}

/// Times `work`, wall and CPU.
pub async fn timed<T, F: Future<Output = Result<T, BenchError>>>(
    work: F,
) -> Result<(T, f64, f64), BenchError> {
    let cpu = own_cpu_seconds();
    let started = Instant::now();
    let out = work.await?;
    Ok((
        out,
        started.elapsed().as_secs_f64(),
        own_cpu_seconds() - cpu,
    ))
}

async fn sync_once(
    linli: &Arc<Linli>,
    server: &str,
    token: &str,
) -> Result<SyncSummary, BenchError> {
    let client =
        SyncClient::new(SyncOptions::new(server, token)).map_err(|e| BenchError(e.to_string()))?;
    client
        .sync(linli, &|_| {}, &CancellationToken::new())
        .await
        .map_err(|e| BenchError(e.to_string()))
}

/// The records (households and tickets) a store holds.
pub fn records_held(linli: &Linli) -> Result<u64, BenchError> {
    Ok(linli
        .documents()?
        .iter()
        .filter(|d| matches!(d.kind, DocKind::Household | DocKind::Ticket))
        .count() as u64)
}

/// Pushes everything the phone at `store` holds, once.
pub async fn push(
    store: &Path,
    identity: &PhoneIdentity,
    server: &str,
) -> Result<ClientRun, BenchError> {
    let linli = Arc::new(identity.open(store)?);
    let waiting = linli.outbox_len()?;
    let (summary, wall_s, cpu_s) = timed(sync_once(&linli, server, &identity.token)).await?;
    if summary.outbox_left != 0 || summary.pushed != waiting {
        return Err(BenchError(format!(
            "pushed {} of {waiting}, {} left",
            summary.pushed, summary.outbox_left
        )));
    }
    Ok(ClientRun {
        wall_s,
        cpu_s,
        records: records_held(&linli)?,
        changes: summary.pushed,
        ..ClientRun::default()
    })
}

/// Enrols a new device with `code`, then times its first sync; fails unless it then holds
/// `expect` records.
pub async fn fresh(
    store: &Path,
    code: &str,
    server: &str,
    expect: u64,
) -> Result<ClientRun, BenchError> {
    let phone = enrol_with_code(
        server,
        code,
        store,
        OFFICE,
        "新手机",
        Arc::new(SystemClock),
        None,
    )
    .await?;
    let (summary, wall_s, cpu_s) = timed(async { Ok(phone.sync().await?) }).await?;
    let records = records_held(&phone.linli)?;
    if records != expect {
        return Err(BenchError(format!(
            "the new device holds {records} records of {expect}"
        )));
    }
    Ok(ClientRun {
        wall_s,
        cpu_s,
        records,
        changes: summary.pulled + summary.bootstrapped_docs,
        ..ClientRun::default()
    })
}

/// Changes the phone of the first `k` households of the first building offline, then times
/// the sync that sends them, through a counting proxy.
pub async fn reconnect(
    store: &Path,
    identity: &PhoneIdentity,
    server: &str,
    k: usize,
    round: usize,
) -> Result<ClientRun, BenchError> {
    let linli = Arc::new(identity.open(store)?);
    let building = linli
        .documents()?
        .into_iter()
        .find(|d| d.kind == DocKind::Household)
        .map(|d| linli.household(&d.doc_id))
        .transpose()?
        .ok_or_else(|| BenchError("no household to change".into()))?
        .building_id;
    let mut rows = linli.households_in_building(&building)?;
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    for (i, row) in rows.iter().take(k).enumerate() {
        linli.set_household_phone(&row.id, &format!("139{:04}{:04}", round, i))?;
    }
    let raw_bytes: u64 = linli
        .outbox(0, usize::MAX)?
        .iter()
        .map(|c| c.change.bytes.len() as u64)
        .sum();
    let target = server
        .trim_start_matches("http://")
        .parse()
        .map_err(|e| BenchError(format!("{server}: {e}")))?;
    let (proxy, counts) = wire::proxy(target).await?;
    let (summary, wall_s, cpu_s) = timed(sync_once(
        &linli,
        &format!("http://{proxy}"),
        &identity.token,
    ))
    .await?;
    let wire = counts.read();
    if summary.pushed != k as u64 || summary.outbox_left != 0 {
        return Err(BenchError(format!("pushed {} of {k}", summary.pushed)));
    }
    Ok(ClientRun {
        wall_s,
        cpu_s,
        records: k as u64,
        changes: summary.pushed,
        raw_bytes,
        wire,
        messages: wire.round_trips * 2,
    })
}

/// The tickets a list screen shows first, as the apps ask for them (more as it scrolls).
pub const TICKET_PAGE: u32 = 50;

/// What opening a big store costs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OpenCosts {
    /// Opening the store, ms.
    pub open_ms: f64,
    /// Resident memory after opening, MiB.
    pub rss_mib: f64,
    /// The household list of one building, median ms.
    pub building_list_ms: f64,
    /// The open-tickets list as its screen opens (its first page), median ms.
    pub open_tickets_ms: f64,
    /// Every open ticket in one list, median ms.
    pub all_open_tickets_ms: f64,
    /// Today's list of the store's member, median ms.
    pub agenda_ms: f64,
    /// Items on it.
    pub agenda_items: u64,
    /// Households in that building.
    pub building_households: u64,
    /// Open tickets listed.
    pub open_tickets: u64,
    /// Records held.
    pub records: u64,
}

/// Opens the store at `store` and times its two busiest lists.
pub fn open_costs(
    store: &Path,
    identity: &PhoneIdentity,
    building: &str,
    key: Option<&StoreKey>,
) -> Result<OpenCosts, BenchError> {
    let started = Instant::now();
    let linli = identity.open_keyed(store, key)?;
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    let rss_mib = crate::process::memory_mib("self", "VmRSS");
    let time_ms = |f: &dyn Fn() -> Result<usize, BenchError>| -> Result<(f64, usize), BenchError> {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..21 {
            let t = Instant::now();
            n = f()?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        Ok((crate::report::median(&times), n))
    };
    let (building_list_ms, building_households) =
        time_ms(&|| Ok(linli.households_in_building(building)?.len()))?;
    let open_tickets = |limit| -> Result<usize, BenchError> {
        Ok(linli
            .tickets(&TicketFilter {
                open_only: true,
                limit,
                ..TicketFilter::default()
            })?
            .len())
    };
    let (open_tickets_ms, _) = time_ms(&|| open_tickets(Some(TICKET_PAGE)))?;
    let (all_open_tickets_ms, open_tickets) = time_ms(&|| open_tickets(None))?;
    let today = linli.community()?.local_date(linli.now());
    let (agenda_ms, agenda_items) = time_ms(&|| Ok(linli.agenda(today)?.len()))?;
    Ok(OpenCosts {
        agenda_ms,
        agenda_items: agenda_items as u64,
        open_ms,
        rss_mib,
        building_list_ms,
        open_tickets_ms,
        all_open_tickets_ms,
        building_households: building_households as u64,
        open_tickets: open_tickets as u64,
        records: records_held(&linli)?,
    })
}
