//! Everything a store holds about one resident, for the resident who asks to see it (PIPL's
//! right of access): their household and its residents (or only them), the visits to it with
//! their health checks and 民意, the needs recorded for it with who served them, the tickets
//! that name the household with the departments they went to, and the gate entries
//! that name them (a visitor, a parcel's recipient or a temperature check by their name or
//! phone, or an entry for their household). As JSON ([`ResidentExport`]) and as CSV with
//! Chinese headings that a spreadsheet opens as Chinese (UTF-8 with a byte-order mark).

use serde::Serialize;

use super::Linli;
use crate::doc::DocKind;
use crate::error::{Error, Result};
use crate::records::Coded;
use crate::records::gate_log::{GateEntry, GateEntryKind, GateLogDoc};
use crate::records::household::{HouseholdDoc, Visit};
use crate::records::need::NeedDoc;
use crate::records::ticket::{PlaceRefKind, TicketDoc};
use crate::report::render::csv_field;

/// The format name written into every export.
pub const RESIDENT_EXPORT_FORMAT: &str = "linli-resident/1";

/// What a store holds about one resident or household.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResidentExport {
    /// [`RESIDENT_EXPORT_FORMAT`].
    pub format: String,
    /// The household.
    pub household_id: String,
    /// The resident asked about; none for the whole household.
    pub resident_id: Option<String>,
    /// The household's own fields.
    pub household: ExportedHousehold,
    /// Its residents (only the one asked about, when one was).
    pub residents: Vec<ExportedResident>,
    /// The visits to the household, oldest first.
    pub visits: Vec<ExportedVisit>,
    /// The needs recorded for the household, oldest first.
    pub needs: Vec<ExportedNeed>,
    /// The tickets that name the household, oldest first.
    pub tickets: Vec<ExportedTicket>,
    /// The gate entries that name the residents or the household, oldest first.
    pub gate_entries: Vec<ExportedGateEntry>,
}

/// A household's own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedHousehold {
    /// Building id.
    pub building_id: String,
    /// Unit.
    pub unit: String,
    /// Room.
    pub room: String,
    /// Household phone.
    pub phone: String,
    /// Tags set, as labels.
    pub tags: Vec<String>,
    /// Whether it is under watch.
    pub under_watch: bool,
    /// When it was registered (ms).
    pub created_ms: i64,
}

/// A resident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedResident {
    /// Resident id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Year of birth.
    pub birth_year: Option<i64>,
    /// Phone.
    pub phone: String,
}

/// A visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedVisit {
    /// Visit id.
    pub id: String,
    /// When (ms).
    pub at_ms: i64,
    /// The visiting lead.
    pub lead: String,
    /// How it went, as a label.
    pub outcome: String,
    /// Needs.
    pub needs: String,
    /// 民意.
    pub opinions: String,
    /// The health check, in words, if one was made.
    pub health: Option<String>,
    /// What to follow up, and by when.
    pub follow_up: String,
}

/// A ticket that names the household.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedTicket {
    /// Ticket id.
    pub id: String,
    /// Category, as a label.
    pub category: String,
    /// What was reported.
    pub description: String,
    /// When (ms).
    pub reported_ms: i64,
    /// Who reported it.
    pub reporter: String,
    /// The timeline's actions (codes) in order.
    pub events: Vec<String>,
    /// The departments it was dispatched to, each with its steps' codes in order
    /// (`城管中队：accepted→replied→resolved`).
    pub work_orders: Vec<String>,
}

/// A need recorded for the household (需求清单).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedNeed {
    /// Need id.
    pub id: String,
    /// What, as a label.
    pub category: String,
    /// In words.
    pub description: String,
    /// When it was recorded (ms).
    pub recorded_ms: i64,
    /// Where it stands, as a label.
    pub status: String,
    /// Who holds it (a member id).
    pub claimed_by: Option<String>,
    /// Services given: how many, and the minutes in all.
    pub services: u32,
    /// Minutes of service in all.
    pub minutes: i64,
}

/// A gate entry that names a resident or the household.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedGateEntry {
    /// Entry id.
    pub id: String,
    /// The gate.
    pub gate_id: String,
    /// When (ms).
    pub at_ms: i64,
    /// What, as a label.
    pub kind: String,
    /// The entry in words.
    pub detail: String,
}

impl Linli {
    /// What this store holds about the household `household_id`, or only about its resident
    /// `resident_id` (see the module documentation).
    pub fn resident_export(
        &self,
        household_id: &str,
        resident_id: Option<&str>,
    ) -> Result<ResidentExport> {
        let h: HouseholdDoc = self.read_record(household_id, "household")?;
        let residents: Vec<ExportedResident> = h
            .residents
            .iter()
            .filter(|(id, _)| resident_id.is_none_or(|r| r == id.as_str()))
            .map(|(id, r)| ExportedResident {
                id: id.clone(),
                name: r.name.clone(),
                birth_year: r.birth_year,
                phone: r.phone.clone(),
            })
            .collect();
        if let Some(r) = resident_id
            && residents.is_empty()
        {
            return Err(Error::NotFound {
                what: "resident",
                id: r.to_owned(),
            });
        }
        let mut visits: Vec<ExportedVisit> = h.visits.iter().map(exported_visit).collect();
        visits.sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
        // Who the gate entries may name: the residents' names and phones (and the household's
        // phone when the whole household is asked about).
        let mut names: Vec<&str> = residents.iter().map(|r| r.name.as_str()).collect();
        let mut phones: Vec<&str> = residents.iter().map(|r| r.phone.as_str()).collect();
        if resident_id.is_none() {
            phones.push(&h.phone);
        }
        names.retain(|n| !n.trim().is_empty());
        phones.retain(|p| !p.trim().is_empty());
        let mut tickets = Vec::new();
        let mut needs = Vec::new();
        let mut gate_entries = Vec::new();
        for doc in self.documents()? {
            match doc.kind {
                DocKind::Need => {
                    let n: NeedDoc = self.read_record(&doc.doc_id, "need")?;
                    if n.household_id == household_id {
                        needs.push(ExportedNeed {
                            id: doc.doc_id.clone(),
                            category: n.category.label_zh().to_owned(),
                            status: n.status().label_zh().to_owned(),
                            claimed_by: n.claim.as_ref().map(|c| c.member.clone()),
                            services: u32::try_from(n.services.len()).unwrap_or(u32::MAX),
                            minutes: n.services.iter().map(|s| s.minutes).sum(),
                            description: n.description,
                            recorded_ms: n.recorded_ms,
                        });
                    }
                }
                DocKind::Ticket => {
                    let t: TicketDoc = self.read_record(&doc.doc_id, "ticket")?;
                    if t.place.kind == PlaceRefKind::Household && t.place.reference == household_id
                    {
                        let work_orders = self
                            .known_orders([doc.doc_id.as_str()])?
                            .into_iter()
                            .map(|o| {
                                let unit = crate::ids::parse_case_doc_id(&o.case)
                                    .map(|u| self.place_name(u).unwrap_or_else(|_| u.to_owned()))
                                    .unwrap_or_default();
                                let steps: Vec<&str> =
                                    o.events.iter().map(|e| e.action.code()).collect();
                                format!("{unit}：{}", steps.join("→"))
                            })
                            .collect();
                        tickets.push(ExportedTicket {
                            work_orders,
                            id: doc.doc_id.clone(),
                            category: t.category.label_zh().to_owned(),
                            description: t.description,
                            reported_ms: t.reported_ms,
                            reporter: t.reporter,
                            events: t
                                .events
                                .iter()
                                .map(|e| e.action.code().to_owned())
                                .collect(),
                        });
                    }
                }
                DocKind::GateLog => {
                    let g: GateLogDoc = self.read_record(&doc.doc_id, "gate day")?;
                    gate_entries.extend(
                        g.entries
                            .iter()
                            .filter(|e| names_someone(e, household_id, &names, &phones))
                            .map(|e| ExportedGateEntry {
                                id: e.id.clone(),
                                gate_id: g.gate_id.clone(),
                                at_ms: e.at_ms,
                                kind: GateEntryKind::label_zh(e.kind.code()).to_owned(),
                                detail: gate_detail(&e.kind),
                            }),
                    );
                }
                _ => {}
            }
        }
        tickets.sort_by(|a, b| (a.reported_ms, &a.id).cmp(&(b.reported_ms, &b.id)));
        needs.sort_by(|a, b| (a.recorded_ms, &a.id).cmp(&(b.recorded_ms, &b.id)));
        gate_entries.sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
        Ok(ResidentExport {
            format: RESIDENT_EXPORT_FORMAT.to_owned(),
            household_id: household_id.to_owned(),
            resident_id: resident_id.map(str::to_owned),
            household: ExportedHousehold {
                building_id: h.building_id,
                unit: h.unit,
                room: h.room,
                phone: if resident_id.is_none() {
                    h.phone
                } else {
                    String::new()
                },
                tags: h
                    .tags
                    .iter()
                    .filter(|(_, set)| **set)
                    .map(|(code, _)| {
                        crate::records::household::Tag::parse_code(code, "tag")
                            .map(|t| t.label_zh().to_owned())
                            .unwrap_or_else(|_| code.clone())
                    })
                    .collect(),
                under_watch: h.watch.is_some(),
                created_ms: h.created_ms,
            },
            residents,
            visits,
            needs,
            tickets,
            gate_entries,
        })
    }
}

impl ResidentExport {
    /// As JSON, indented.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::document("export", e))
    }

    /// As CSV, one row per item: 类别,编号,时间,内容 (section, id, time, content), times in
    /// UTC (RFC 3339), with a byte-order mark so that a spreadsheet reads it as UTF-8.
    pub fn to_csv(&self) -> String {
        let time = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        };
        let mut rows: Vec<[String; 4]> = Vec::new();
        let h = &self.household;
        rows.push([
            "住户".into(),
            self.household_id.clone(),
            time(h.created_ms),
            format!(
                "楼栋 {} {}单元 {}室；电话 {}；标签 {}；{}",
                h.building_id,
                h.unit,
                h.room,
                h.phone,
                h.tags.join("、"),
                if h.under_watch {
                    "重点关注"
                } else {
                    "未列入关注"
                }
            ),
        ]);
        for r in &self.residents {
            rows.push([
                "居民".into(),
                r.id.clone(),
                String::new(),
                format!(
                    "{}；出生年份 {}；电话 {}",
                    r.name,
                    r.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                    r.phone
                ),
            ]);
        }
        for v in &self.visits {
            rows.push([
                "走访".into(),
                v.id.clone(),
                time(v.at_ms),
                format!(
                    "{}（{}）；需求 {}；民意 {}；健康 {}；跟进 {}",
                    v.outcome,
                    v.lead,
                    v.needs,
                    v.opinions,
                    v.health.clone().unwrap_or_default(),
                    v.follow_up
                ),
            ]);
        }
        for n in &self.needs {
            rows.push([
                "需求".into(),
                n.id.clone(),
                time(n.recorded_ms),
                format!(
                    "{}：{}；{}；认领 {}；服务 {} 次 {} 分钟",
                    n.category,
                    n.description,
                    n.status,
                    n.claimed_by.clone().unwrap_or_default(),
                    n.services,
                    n.minutes
                ),
            ]);
        }
        for t in &self.tickets {
            rows.push([
                "工单".into(),
                t.id.clone(),
                time(t.reported_ms),
                format!(
                    "{}：{}（{}）；经过 {}；部门 {}",
                    t.category,
                    t.description,
                    t.reporter,
                    t.events.join("→"),
                    t.work_orders.join("，")
                ),
            ]);
        }
        for g in &self.gate_entries {
            rows.push([
                "门岗登记".into(),
                g.id.clone(),
                time(g.at_ms),
                format!("{}：{}", g.kind, g.detail),
            ]);
        }
        let mut out = String::from("\u{feff}类别,编号,时间,内容\n");
        for r in rows {
            let line: Vec<String> = r.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }
}

fn exported_visit(v: &Visit) -> ExportedVisit {
    ExportedVisit {
        id: v.id.clone(),
        at_ms: v.at_ms,
        lead: v.lead.clone(),
        outcome: v.outcome.label_zh().to_owned(),
        needs: v.needs.clone(),
        opinions: v.opinions.clone(),
        health: v.health.as_ref().map(|c| {
            let mut parts = Vec::new();
            if let Some(t) = c.temperature_c {
                parts.push(format!("体温 {t:.1}℃"));
            }
            if let (Some(s), Some(d)) = (c.systolic, c.diastolic) {
                parts.push(format!("血压 {s}/{d}"));
            }
            if !c.note.is_empty() {
                parts.push(c.note.clone());
            }
            if c.concern {
                parts.push("需关注".into());
            }
            parts.join("，")
        }),
        follow_up: match &v.follow_up_due {
            Some(due) => format!("{due} {}", v.follow_up_note),
            None => v.follow_up_note.clone(),
        },
    }
}

/// Whether a gate entry names one of `names` or `phones`, or the household.
fn names_someone(e: &GateEntry, household: &str, names: &[&str], phones: &[&str]) -> bool {
    let named = |n: &str| names.contains(&n);
    match &e.kind {
        GateEntryKind::Visitor {
            name,
            phone,
            household: h,
            ..
        } => named(name) || phones.contains(&phone.as_str()) || h.as_deref() == Some(household),
        GateEntryKind::Parcel {
            recipient,
            household: h,
            ..
        } => named(recipient) || h.as_deref() == Some(household),
        GateEntryKind::Temperature { person, .. } => named(person),
        _ => false,
    }
}

/// A gate entry that names someone, in words.
fn gate_detail(kind: &GateEntryKind) -> String {
    match kind {
        GateEntryKind::Visitor {
            name,
            phone,
            purpose,
            ..
        } => format!("{name} {phone}：{purpose}"),
        GateEntryKind::Parcel {
            recipient, carrier, ..
        } => format!("{recipient}（{carrier}）"),
        GateEntryKind::Temperature {
            person, celsius, ..
        } => format!("{person} {celsius:.1}℃"),
        _ => String::new(),
    }
}
