//! Gate duty: the weekly roster (shifts, role slots, assignments, swaps), the badge view of who
//! is on duty now, and the gate log (check-in / check-out / handover, visitors, vehicles,
//! parcels, temperature checks, patrols, incidents).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::params;

use super::Linli;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{gate_log_doc_id, ms_to_utc, new_id, roster_doc_id};
use crate::records::directory::{PlaceKind, Role};
use crate::records::gate_log::{
    self, Attendance, DutyEvent, GateEntry, GateEntryKind, PassType, Presence, Severity,
};
use crate::records::roster::{
    DutyRole, MAX_SAFETY_OFFICERS, RosterDoc, Shift, Swap, SwapStatus, slots_for,
};
use crate::records::{Coded, validate};
use crate::rules::ROSTER_ROLE;
use crate::scope::Scope;

/// The roles that may work a gate.
pub(crate) const GATE_ROLES: &[Role] = &[
    Role::GateLead,
    Role::ShiftLead,
    Role::SafetyOfficer,
    Role::Volunteer,
];
/// How early before a shift a planned member's check-in counts for it.
const EARLY_CHECK_IN: Duration = Duration::minutes(30);

/// A slot in the roster view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRow {
    /// Slot id.
    pub slot_id: String,
    /// Role.
    pub role: DutyRole,
    /// Position among slots of the role.
    pub position: u32,
    /// Planned member.
    pub member_id: Option<String>,
    /// Their name.
    pub member_name: Option<String>,
}

/// A shift in the roster view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftRow {
    /// The roster document.
    pub roster_doc: String,
    /// Shift id.
    pub shift_id: String,
    /// Label.
    pub label: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Slots, gate lead first.
    pub slots: Vec<SlotRow>,
}

/// A swap request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapRow {
    /// Swap id.
    pub swap_id: String,
    /// Shift.
    pub shift_id: String,
    /// Slot.
    pub slot_id: String,
    /// Who gives the slot away.
    pub from_member: String,
    /// Who takes it.
    pub to_member: String,
    /// Where it stands.
    pub status: SwapStatus,
}

/// One slot of the badge view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotDuty {
    /// Shift.
    pub shift_id: String,
    /// Slot.
    pub slot_id: String,
    /// Role.
    pub role: DutyRole,
    /// Position.
    pub position: u32,
    /// Planned member and name.
    pub planned: Option<(String, String)>,
    /// Who is on duty in this slot now, and name.
    pub on_duty: Option<(String, String)>,
    /// Since when.
    pub since: Option<DateTime<Utc>>,
    /// How the slot was covered so far.
    pub attendance: Attendance,
}

/// The badge view: who is on duty now at a gate. Shifts may overlap and slot ids repeat in
/// every shift, so a member shows in the slot their check-in (or the handover to them) names
/// by shift and slot id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDutyView {
    /// Gate.
    pub gate_id: String,
    /// Gate name.
    pub gate_name: String,
    /// Slots of the shifts running now.
    pub slots: Vec<SlotDuty>,
    /// Members on duty in no slot of a running shift: (id, name, since). Should two present
    /// members name the same slot, the later one shows in the slot and the other here.
    pub others: Vec<(String, String, DateTime<Utc>)>,
}

/// A visitor to register. The guard records the address the visitor names — a building or
/// lane chosen from the directory's places and the unit and room as said — never a household:
/// gate roles hold no household records. The core finds the household at that address when
/// the recording phone holds exactly one there (an office's or a building lead's phone).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitorInput {
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// Purpose.
    pub purpose: String,
    /// The household visited by id, when the recording phone knows it (the office's desk);
    /// left empty, it is found at the address (see [`Linli::register_visitor`]).
    pub household: Option<String>,
    /// Pass type.
    pub pass: PassType,
    /// The building or lane visited: a place of the directory; none when not said.
    pub building_id: Option<String>,
    /// The unit and room visited, as said (`1单元 302`); needs a building.
    pub room: String,
}

/// A gate log entry as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateEntryRow {
    /// Entry id.
    pub id: String,
    /// Kind code (`visitor`, `temperature`, …).
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who logged it.
    pub recorded_by: String,
    /// The member it concerns (duty entries).
    pub member_id: Option<String>,
    /// Fever or incident.
    pub flagged: bool,
    /// A one-line summary in Chinese; a visitor's ends with the address visited
    /// (`张三：探亲 → 3号楼 1单元 302`).
    pub summary: String,
    /// The gate day's record (`gatelog:<gate>:<date>`), to open its history.
    pub record_id: String,
    /// A visitor's pass type.
    pub pass: Option<PassType>,
    /// An incident's severity.
    pub severity: Option<Severity>,
    /// The address a visitor visited: the building's or lane's name (from the directory) and
    /// the unit and room as said; empty when none was named.
    pub visiting: String,
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

impl Linli {
    pub(crate) fn require_gate(&self, gate_id: &str) -> Result<()> {
        if self.place_kind(gate_id)? == Some(PlaceKind::Gate) {
            Ok(())
        } else {
            Err(Error::NotFound {
                what: "gate",
                id: gate_id.to_owned(),
            })
        }
    }

    fn monday_of(&self, at: DateTime<Utc>) -> Result<NaiveDate> {
        let date = self.community()?.local_date(at);
        Ok(date - Duration::days(date.weekday().num_days_from_monday().into()))
    }

    /// Adds a shift on the community's local `day` from times written `HH:MM` in the
    /// community's time, not the phone's (see [`Linli::shift_times`]).
    pub fn add_shift_on(
        &self,
        gate_id: &str,
        label: &str,
        day: NaiveDate,
        start: &str,
        end: &str,
        safety_officers: u32,
    ) -> Result<String> {
        let (start, end) = self.shift_times(day, start, end)?;
        self.add_shift(gate_id, label, start, end, safety_officers)
    }

    /// A shift's start and end on the community's local `day`, from times written `HH:MM` in
    /// the community's UTC offset; an end at or before the start is the next morning (a
    /// night shift, 22:00–06:00).
    pub fn shift_times(
        &self,
        day: NaiveDate,
        start: &str,
        end: &str,
    ) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
        let time = |field: &str, text: &str| {
            chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
                Error::invalid(
                    field,
                    ErrorCode::NotATime,
                    format!("{text:?} is not a time like 08:00"),
                )
            })
        };
        let (from, until) = (time("start", start)?, time("end", end)?);
        let (midnight, _) = self.community()?.day_bounds_ms(day);
        let at = |t: chrono::NaiveTime| {
            ms_to_utc(midnight) + t.signed_duration_since(chrono::NaiveTime::MIN)
        };
        let start = at(from);
        let mut end = at(until);
        if end <= start {
            end += Duration::days(1);
        }
        Ok((start, end))
    }

    /// Adds a shift to the gate's roster week (the week of `start`): one gate lead, one shift
    /// lead and `safety_officers` safety officers. Gate lead or office.
    pub fn add_shift(
        &self,
        gate_id: &str,
        label: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        safety_officers: u32,
    ) -> Result<String> {
        self.require_gate(gate_id)?;
        self.require_role("build the roster", &[ROSTER_ROLE], gate_id)?;
        let label = validate::name("label", label)?;
        if end <= start {
            return Err(Error::invalid(
                "end",
                ErrorCode::EndsBeforeStart,
                "a shift must end after it starts",
            ));
        }
        if end - start > Duration::hours(24) {
            return Err(Error::invalid(
                "end",
                ErrorCode::SpanTooLong,
                "a shift lasts at most 24 hours",
            ));
        }
        if i64::from(safety_officers) > MAX_SAFETY_OFFICERS {
            return Err(Error::invalid(
                "safety_officers",
                ErrorCode::OutOfRange,
                format!("at most {MAX_SAFETY_OFFICERS}"),
            ));
        }
        let monday = self.monday_of(start)?;
        let doc_id = roster_doc_id(gate_id, monday);
        let shift_id = new_id(self.now());
        let shift = Shift {
            start_ms: ms(start),
            end_ms: ms(end),
            label,
            slots: slots_for(safety_officers.into()),
        };
        self.write(|w| {
            w.create(&doc_id, &Scope::GateRoster(gate_id.to_owned()))?;
            w.edit(&doc_id, "roster.shift.add", |e| {
                e.put(&["shifts", &shift_id], &shift)
            })
        })?;
        Ok(shift_id)
    }

    fn roster_doc_of_shift(&self, gate_id: &str, shift_id: &str) -> Result<String> {
        self.store.read(|c| {
            c.query_row(
                "SELECT doc_id FROM p_roster_slots WHERE gate_id = ?1 AND shift_id = ?2 LIMIT 1",
                params![gate_id, shift_id],
                |r| r.get(0),
            )
            .map_err(|_| Error::NotFound {
                what: "shift",
                id: shift_id.to_owned(),
            })
        })
    }

    fn check_member_for_slot(&self, gate_id: &str, member_id: &str, role: DutyRole) -> Result<()> {
        let member = self.member(member_id).map_err(|_| {
            Error::invalid(
                "member_id",
                ErrorCode::NoSuchMember,
                format!("no member {member_id}"),
            )
        })?;
        if !member.active {
            return Err(Error::invalid(
                "member_id",
                ErrorCode::MemberInactive,
                format!("{} is deactivated", member.name),
            ));
        }
        let allowed: &[Role] = match role {
            DutyRole::GateLead => &[Role::GateLead],
            DutyRole::ShiftLead => &[Role::ShiftLead, Role::GateLead],
            DutyRole::SafetyOfficer => GATE_ROLES,
        };
        let holds = member.roles.iter().any(|r| {
            allowed.contains(&r.role)
                && (r.places.iter().any(|p| p == gate_id) || r.role == Role::Volunteer)
        });
        if !holds {
            return Err(Error::invalid(
                "member_id",
                ErrorCode::NoDutyRole,
                format!(
                    "{} holds no role for a {} slot at this gate",
                    member.name,
                    role.label_zh()
                ),
            ));
        }
        Ok(())
    }

    /// Assigns a member to a slot, or clears it with `None`. Gate lead or office. Two people
    /// assigning the same slot offline is a conflict that every device shows.
    pub fn assign_slot(
        &self,
        gate_id: &str,
        shift_id: &str,
        slot_id: &str,
        member_id: Option<&str>,
    ) -> Result<()> {
        self.require_role("assign duty", &[ROSTER_ROLE], gate_id)?;
        let doc_id = self.roster_doc_of_shift(gate_id, shift_id)?;
        self.write(|w| {
            let roster: RosterDoc = w.read(&doc_id, "roster")?;
            let slot = roster
                .shifts
                .get(shift_id)
                .and_then(|s| s.slots.get(slot_id))
                .ok_or_else(|| Error::NotFound {
                    what: "slot",
                    id: slot_id.to_owned(),
                })?;
            if let Some(m) = member_id {
                self.check_member_for_slot(gate_id, m, slot.role)?;
            }
            let action = if member_id.is_some() {
                "roster.assign"
            } else {
                "roster.unassign"
            };
            w.edit(&doc_id, action, |e| {
                e.put(&["shifts", shift_id, "slots", slot_id, "member"], member_id)
            })?;
            Ok(())
        })
    }

    /// The shifts of the gate's week containing `day`, by start.
    pub fn roster_week(&self, gate_id: &str, day: NaiveDate) -> Result<Vec<ShiftRow>> {
        let monday = day - Duration::days(day.weekday().num_days_from_monday().into());
        let doc_id = roster_doc_id(gate_id, monday);
        let rows = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT s.shift_id, s.label, s.start_ms, s.end_ms, s.slot_id, s.role, s.position, \
                 s.member_id, m.name FROM p_roster_slots s LEFT JOIN p_members m USING (member_id) \
                 WHERE s.doc_id = ?1 ORDER BY s.start_ms, s.shift_id, \
                 CASE s.role WHEN 'gate_lead' THEN 0 WHEN 'shift_lead' THEN 1 ELSE 2 END, s.position",
            )?;
            let rows = stmt.query_map([&doc_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, u32>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            })?;
            rows.collect::<Result<Vec<_>, _>>().map_err(Error::from)
        })?;
        let mut shifts: Vec<ShiftRow> = Vec::new();
        for (shift_id, label, start, end, slot_id, role, position, member_id, member_name) in rows {
            if shifts.last().is_none_or(|s| s.shift_id != shift_id) {
                shifts.push(ShiftRow {
                    roster_doc: doc_id.clone(),
                    shift_id: shift_id.clone(),
                    label,
                    start: ms_to_utc(start),
                    end: ms_to_utc(end),
                    slots: Vec::new(),
                });
            }
            if let Some(shift) = shifts.last_mut() {
                shift.slots.push(SlotRow {
                    slot_id,
                    role: DutyRole::parse_code(&role, "role")?,
                    position,
                    member_id,
                    member_name,
                });
            }
        }
        Ok(shifts)
    }

    /// Asks to hand a slot to `to_member`. The slot's member or the gate lead.
    pub fn request_swap(
        &self,
        gate_id: &str,
        shift_id: &str,
        slot_id: &str,
        to_member: &str,
    ) -> Result<String> {
        let doc_id = self.roster_doc_of_shift(gate_id, shift_id)?;
        let me = self.identity.member_id.clone();
        let now = self.now();
        let swap_id = new_id(now);
        self.write(|w| {
            let roster: RosterDoc = w.read(&doc_id, "roster")?;
            let slot = roster
                .shifts
                .get(shift_id)
                .and_then(|s| s.slots.get(slot_id))
                .ok_or_else(|| Error::NotFound {
                    what: "slot",
                    id: slot_id.to_owned(),
                })?;
            let from = slot.member.clone().ok_or_else(|| Error::InvalidState {
                record: "slot",
                id: slot_id.to_owned(),
                code: ErrorCode::SlotEmpty,
                message: "nobody is assigned to this slot".into(),
            })?;
            if from != me {
                self.require_role("request a swap for someone else", &[ROSTER_ROLE], gate_id)?;
            }
            if from == to_member {
                return Err(Error::invalid(
                    "to_member",
                    ErrorCode::SameMember,
                    "cannot swap a slot with its own member",
                ));
            }
            self.check_member_for_slot(gate_id, to_member, slot.role)?;
            let swap = Swap {
                shift_id: shift_id.to_owned(),
                slot_id: slot_id.to_owned(),
                from_member: from,
                to_member: to_member.to_owned(),
                requested_by: me.clone(),
                requested_ms: ms(now),
                accepted_ms: None,
                approved_by: None,
                approved_ms: None,
            };
            w.edit(&doc_id, "roster.swap.request", |e| {
                e.put(&["swaps", &swap_id], &swap)
            })?;
            Ok(())
        })?;
        Ok(swap_id)
    }

    fn swap_doc(&self, gate_id: &str, swap_id: &str) -> Result<String> {
        self.store.read(|c| {
            c.query_row(
                "SELECT doc_id FROM p_swaps WHERE gate_id = ?1 AND swap_id = ?2",
                params![gate_id, swap_id],
                |r| r.get(0),
            )
            .map_err(|_| Error::NotFound {
                what: "swap",
                id: swap_id.to_owned(),
            })
        })
    }

    /// Accepts a swap offered to the acting member.
    pub fn accept_swap(&self, gate_id: &str, swap_id: &str) -> Result<()> {
        let doc_id = self.swap_doc(gate_id, swap_id)?;
        let me = self.identity.member_id.clone();
        let now_ms = ms(self.now());
        self.write(|w| {
            let roster: RosterDoc = w.read(&doc_id, "roster")?;
            let swap = &roster.swaps[swap_id];
            if swap.to_member != me {
                return Err(Error::forbidden(
                    "accept a swap",
                    ErrorCode::NotForYou,
                    "only the member taking the slot may accept",
                ));
            }
            if swap.status() != SwapStatus::Requested {
                return Err(Error::InvalidState {
                    record: "swap",
                    id: swap_id.to_owned(),
                    code: ErrorCode::SwapAnswered,
                    message: format!("already {}", swap.status().label_zh()),
                });
            }
            w.edit(&doc_id, "roster.swap.accept", |e| {
                e.put(&["swaps", swap_id, "accepted_ms"], Some(now_ms))
            })?;
            Ok(())
        })
    }

    /// Approves an accepted swap: the slot passes to the new member. Gate lead or office.
    pub fn approve_swap(&self, gate_id: &str, swap_id: &str) -> Result<()> {
        self.require_role("approve a swap", &[ROSTER_ROLE], gate_id)?;
        let doc_id = self.swap_doc(gate_id, swap_id)?;
        let me = self.identity.member_id.clone();
        let now_ms = ms(self.now());
        self.write(|w| {
            let roster: RosterDoc = w.read(&doc_id, "roster")?;
            let swap = &roster.swaps[swap_id];
            if swap.status() != SwapStatus::Accepted {
                return Err(Error::InvalidState {
                    record: "swap",
                    id: swap_id.to_owned(),
                    code: ErrorCode::SwapNotWaiting,
                    message: format!("is {}, not waiting for approval", swap.status().label_zh()),
                });
            }
            w.edit(&doc_id, "roster.swap.approve", |e| {
                e.put(&["swaps", swap_id, "approved_by"], Some(me.as_str()))?;
                e.put(&["swaps", swap_id, "approved_ms"], Some(now_ms))?;
                e.put(
                    &["shifts", &swap.shift_id, "slots", &swap.slot_id, "member"],
                    Some(swap.to_member.as_str()),
                )
            })?;
            Ok(())
        })
    }

    /// Swap requests of a gate, newest first.
    pub fn swaps(&self, gate_id: &str) -> Result<Vec<SwapRow>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT swap_id, shift_id, slot_id, from_member, to_member, status FROM p_swaps \
                 WHERE gate_id = ?1 ORDER BY requested_ms DESC, swap_id",
            )?;
            let rows = stmt.query_map([gate_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (swap_id, shift_id, slot_id, from_member, to_member, status) = row?;
                out.push(SwapRow {
                    swap_id,
                    shift_id,
                    slot_id,
                    from_member,
                    to_member,
                    status: SwapStatus::parse_code(&status, "status")?,
                });
            }
            Ok(out)
        })
    }

    /// Duty entries (check-in, check-out, handover) of a gate between two instants.
    pub(crate) fn duty_events(
        &self,
        gate_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<DutyEvent>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT entry_id, at_ms, kind, member_id, from_member, slot_id, shift_id \
                 FROM p_gate_entries WHERE gate_id = ?1 AND at_ms >= ?2 AND at_ms <= ?3 \
                 AND kind IN ('check_in', 'check_out', 'handover')",
            )?;
            let rows = stmt.query_map(params![gate_id, from_ms, to_ms], |r| {
                Ok(DutyEvent {
                    id: r.get(0)?,
                    at_ms: r.get(1)?,
                    kind: r.get(2)?,
                    member: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    from_member: r.get(4)?,
                    slot_id: r.get(5)?,
                    shift_id: r.get(6)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>().map_err(Error::from)
        })
    }

    /// The badge view: the slots of the shifts running now at the gate, who was planned, who
    /// is actually on duty, and anyone else on duty there.
    pub fn on_duty(&self, gate_id: &str) -> Result<OnDutyView> {
        self.require_gate(gate_id)?;
        let now = self.now();
        let now_ms = ms(now);
        let slots = self.running_slots(gate_id, now_ms, now_ms)?;
        let events = self.duty_events(
            gate_id,
            now_ms - Duration::hours(36).num_milliseconds(),
            now_ms,
        )?;
        let present = gate_log::presence(&events, now_ms);
        let name = |id: &str| {
            self.member(id)
                .map(|m| m.name)
                .unwrap_or_else(|_| id.to_owned())
        };
        let mut view = OnDutyView {
            gate_id: gate_id.to_owned(),
            gate_name: self.place_name(gate_id)?,
            slots: Vec::new(),
            others: Vec::new(),
        };
        let mut placed = std::collections::BTreeSet::new();
        for s in slots {
            let here = present
                .iter()
                .filter(|p| p.is_in(&s.shift_id, &s.slot_id))
                .max_by_key(|p| p.since_ms);
            if let Some(p) = here {
                placed.insert(p.member.as_str());
            }
            let (attendance, _) = gate_log::attendance(
                &events,
                &s.shift_id,
                &s.slot_id,
                s.start_ms,
                s.end_ms,
                now_ms,
            );
            view.slots.push(SlotDuty {
                planned: s.member.as_ref().map(|m| (m.clone(), name(m))),
                on_duty: here.map(|p| (p.member.clone(), name(&p.member))),
                since: here.map(|p| ms_to_utc(p.since_ms)),
                shift_id: s.shift_id,
                slot_id: s.slot_id,
                role: s.role,
                position: s.position,
                attendance,
            });
        }
        for p in &present {
            if !placed.contains(p.member.as_str()) {
                view.others
                    .push((p.member.clone(), name(&p.member), ms_to_utc(p.since_ms)));
            }
        }
        Ok(view)
    }

    /// Slots of the gate's shifts overlapping [from_ms, to_ms].
    pub(crate) fn running_slots(
        &self,
        gate_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<RunningSlot>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT shift_id, slot_id, role, position, start_ms, end_ms, member_id \
                 FROM p_roster_slots WHERE gate_id = ?1 AND start_ms <= ?3 AND end_ms > ?2 \
                 ORDER BY start_ms, shift_id, \
                 CASE role WHEN 'gate_lead' THEN 0 WHEN 'shift_lead' THEN 1 ELSE 2 END, position",
            )?;
            let rows = stmt.query_map(params![gate_id, from_ms, to_ms], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (shift_id, slot_id, role, position, start_ms, end_ms, member) = row?;
                out.push(RunningSlot {
                    shift_id,
                    slot_id,
                    role: DutyRole::parse_code(&role, "role")?,
                    position,
                    start_ms,
                    end_ms,
                    member,
                });
            }
            Ok(out)
        })
    }

    pub(crate) fn append_gate_entry(
        &self,
        gate_id: &str,
        action: &str,
        kind: GateEntryKind,
    ) -> Result<String> {
        self.require_gate(gate_id)?;
        self.require_role(action, GATE_ROLES, gate_id)?;
        let now = self.now();
        let date = self.community()?.local_date(now);
        let doc_id = gate_log_doc_id(gate_id, date);
        let entry = GateEntry {
            id: new_id(now),
            at_ms: ms(now),
            recorded_by: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            kind,
        };
        self.write(|w| {
            w.create(&doc_id, &Scope::GateLog(gate_id.to_owned()))?;
            w.edit(&doc_id, action, |e| e.append(&["entries"], &entry))
        })?;
        Ok(entry.id)
    }

    fn presence_of(&self, gate_id: &str, member: &str) -> Result<Option<Presence>> {
        let now_ms = ms(self.now());
        let events = self.duty_events(
            gate_id,
            now_ms - Duration::hours(36).num_milliseconds(),
            now_ms,
        )?;
        Ok(gate_log::presence(&events, now_ms)
            .into_iter()
            .find(|p| p.member == member))
    }

    /// Checks the acting member in at the gate; the slot they were planned for (from 30 minutes
    /// before its shift) is recorded with it.
    pub fn check_in(&self, gate_id: &str) -> Result<String> {
        let me = self.identity.member_id.clone();
        if self.presence_of(gate_id, &me)?.is_some() {
            return Err(Error::InvalidState {
                record: "duty",
                id: gate_id.to_owned(),
                code: ErrorCode::AlreadyCheckedIn,
                message: "already checked in at this gate".into(),
            });
        }
        let now_ms = ms(self.now());
        let planned = self
            .running_slots(gate_id, now_ms, now_ms + EARLY_CHECK_IN.num_milliseconds())?
            .into_iter()
            .find(|s| s.member.as_deref() == Some(me.as_str()));
        self.append_gate_entry(
            gate_id,
            "gate.check_in",
            GateEntryKind::CheckIn {
                member: me,
                shift_id: planned.as_ref().map(|s| s.shift_id.clone()),
                slot_id: planned.map(|s| s.slot_id),
            },
        )
    }

    /// Checks the acting member out.
    pub fn check_out(&self, gate_id: &str) -> Result<String> {
        let me = self.identity.member_id.clone();
        if self.presence_of(gate_id, &me)?.is_none() {
            return Err(Error::InvalidState {
                record: "duty",
                id: gate_id.to_owned(),
                code: ErrorCode::NotCheckedIn,
                message: "not checked in at this gate".into(),
            });
        }
        self.append_gate_entry(
            gate_id,
            "gate.check_out",
            GateEntryKind::CheckOut { member: me },
        )
    }

    /// Hands the acting member's duty over to `to_member` mid-shift; the slot (of its shift)
    /// passes with it.
    pub fn hand_over(&self, gate_id: &str, to_member: &str) -> Result<String> {
        let me = self.identity.member_id.clone();
        let present = self
            .presence_of(gate_id, &me)?
            .ok_or_else(|| Error::InvalidState {
                record: "duty",
                id: gate_id.to_owned(),
                code: ErrorCode::NotCheckedIn,
                message: "not checked in at this gate".into(),
            })?;
        let to = self.member(to_member).map_err(|_| {
            Error::invalid(
                "to_member",
                ErrorCode::NoSuchMember,
                format!("no member {to_member}"),
            )
        })?;
        if !to.active || to.id == me {
            let code = if to.active {
                ErrorCode::SameMember
            } else {
                ErrorCode::MemberInactive
            };
            return Err(Error::invalid(
                "to_member",
                code,
                "hand over to another active member",
            ));
        }
        // Duty passes to someone who may work this gate, as a check-in would require.
        if self
            .require_role_of(&to.id, "take over duty", GATE_ROLES, gate_id)
            .is_err()
        {
            return Err(Error::invalid(
                "to_member",
                ErrorCode::NoDutyRole,
                format!("{} holds no duty role at this gate", to.id),
            ));
        }
        self.append_gate_entry(
            gate_id,
            "gate.handover",
            GateEntryKind::Handover {
                from: me,
                to: to.id,
                shift_id: present.shift_id,
                slot_id: present.slot_id,
            },
        )
    }

    /// Registers a visitor with the address visited: a building or lane of the directory
    /// (else `no_such_place`, or `wrong_place_kind` for another kind of place) and the unit
    /// and room as said (a short text; without a building, `incomplete`). The household is
    /// the one given, else the one this phone holds at that address when exactly one matches
    /// (compared without spaces, dashes or the words 单元, 室 and 号: as unit and room, or as
    /// the room alone); otherwise none, for the office to resolve.
    pub fn register_visitor(&self, gate_id: &str, v: &VisitorInput) -> Result<String> {
        let name = validate::name("name", &v.name)?;
        let phone = validate::phone("phone", &v.phone)?;
        let purpose = validate::required_text("purpose", &v.purpose)?;
        let building_id = match v.building_id.as_deref().map(str::trim) {
            Some(b) if !b.is_empty() => Some(self.visited_place(b)?),
            _ => None,
        };
        // A short text like a name: at most 64 characters, no control characters.
        let room = match v.room.trim() {
            "" => None,
            said => Some(validate::name("room", said)?),
        };
        if room.is_some() && building_id.is_none() {
            return Err(Error::invalid(
                "building_id",
                ErrorCode::Incomplete,
                "name the building the room is in",
            ));
        }
        let household = match v.household.as_deref().map(str::trim) {
            Some(h) if !h.is_empty() => Some(validate::id("household_id", h)?),
            _ => match (&building_id, &room) {
                (Some(b), Some(r)) => self.household_at(b, r)?,
                _ => None,
            },
        };
        let kind = GateEntryKind::Visitor {
            name,
            phone,
            purpose,
            household,
            pass: v.pass,
            building_id,
            room,
        };
        self.append_gate_entry(gate_id, "gate.visitor", kind)
    }

    /// A visited place's id, checked: a building or lane of the directory.
    fn visited_place(&self, id: &str) -> Result<String> {
        match self.place_kind(id)? {
            Some(PlaceKind::Building | PlaceKind::Lane) => Ok(id.to_owned()),
            Some(other) => Err(Error::invalid(
                "building_id",
                ErrorCode::WrongPlaceKind,
                format!("{id} is a {}, not a building or lane", other.code()),
            )),
            None => Err(Error::invalid(
                "building_id",
                ErrorCode::NoSuchPlace,
                format!("no building or lane with id {id}"),
            )),
        }
    }

    /// The household this phone holds at `room` of `building_id`, when exactly one matches.
    fn household_at(&self, building_id: &str, room: &str) -> Result<Option<String>> {
        let found: Vec<String> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc_id, unit, room FROM p_households WHERE building_id = ?1",
            )?;
            let rows = stmt.query_map([building_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (doc_id, unit, household_room) = row?;
                if same_room(room, &unit, &household_room) {
                    out.push(doc_id);
                }
            }
            Ok(out)
        })?;
        Ok(match found.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        })
    }

    /// Registers a vehicle by plate.
    pub fn register_vehicle(&self, gate_id: &str, plate: &str, purpose: &str) -> Result<String> {
        let kind = GateEntryKind::Vehicle {
            plate: validate::plate("plate", plate)?,
            purpose: validate::text("purpose", purpose)?,
            direction: None,
        };
        self.append_gate_entry(gate_id, "gate.vehicle", kind)
    }

    /// Registers a parcel received at the gate.
    pub fn register_parcel(
        &self,
        gate_id: &str,
        recipient: &str,
        household: Option<&str>,
        carrier: &str,
    ) -> Result<String> {
        let kind = GateEntryKind::Parcel {
            recipient: validate::name("recipient", recipient)?,
            household: household
                .map(str::to_owned)
                .filter(|h| !h.trim().is_empty()),
            carrier: validate::text("carrier", carrier)?,
            picked_up: None,
        };
        self.append_gate_entry(gate_id, "gate.parcel", kind)
    }

    /// Records a temperature check (34.0–43.0 °C); returns the entry id and whether it is a
    /// fever (≥ 37.3 °C).
    pub fn record_temperature(
        &self,
        gate_id: &str,
        person: &str,
        celsius: f64,
    ) -> Result<(String, bool)> {
        let celsius = validate::temperature("celsius", celsius)?;
        let fever = validate::is_fever(celsius);
        let kind = GateEntryKind::Temperature {
            person: validate::name("person", person)?,
            celsius,
            fever,
        };
        Ok((
            self.append_gate_entry(gate_id, "gate.temperature", kind)?,
            fever,
        ))
    }

    /// Records a patrol note.
    pub fn record_patrol(&self, gate_id: &str, note: &str) -> Result<String> {
        let kind = GateEntryKind::Patrol {
            note: validate::required_text("note", note)?,
        };
        self.append_gate_entry(gate_id, "gate.patrol", kind)
    }

    /// Records an incident.
    pub fn record_incident(&self, gate_id: &str, note: &str, severity: Severity) -> Result<String> {
        let kind = GateEntryKind::Incident {
            note: validate::required_text("note", note)?,
            severity,
        };
        self.append_gate_entry(gate_id, "gate.incident", kind)
    }

    /// The gate's log entries of a local day, in time order.
    pub fn gate_entries(&self, gate_id: &str, date: NaiveDate) -> Result<Vec<GateEntryRow>> {
        let doc_id = gate_log_doc_id(gate_id, date);
        self.store.read(|c| {
            let sql = format!("{GATE_ENTRY_ROW} WHERE e.doc_id = ?1 ORDER BY e.at_ms, e.entry_id");
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map([&doc_id], gate_entry_row)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(Error::from)
        })
    }
}

/// The value of a stored code; none for none, or for a code this core does not know.
fn coded<T: Coded>(code: Option<String>) -> Option<T> {
    code.and_then(|c| T::from_code(&c))
}

/// Whether `said` (a unit and room as a visitor said them) names the household at `unit`,
/// `room`: compared without spaces, dashes, slashes, `#` or the words 单元, 室 and 号, it is the
/// unit followed by the room (`1单元 302`, `1-302`, `1302室`), or the room alone (`302`).
fn same_room(said: &str, unit: &str, room: &str) -> bool {
    fn key(s: &str) -> String {
        s.replace("单元", "")
            .chars()
            .filter(|c| !c.is_whitespace() && !"-－—#＃/室号".contains(*c))
            .flat_map(char::to_lowercase)
            .collect()
    }
    let said = key(said);
    let room = key(room);
    !said.is_empty() && !room.is_empty() && (said == format!("{}{room}", key(unit)) || said == room)
}

/// The columns of a gate entry's row, read by [`gate_entry_row`]; the table is named `e`. The
/// name of a visited building or lane is read from the directory's places (`v`) as the row is
/// read, not kept in it: a gate day that reached the phone before the directory reads by the
/// name too, and the rows follow the directory.
pub(crate) const GATE_ENTRY_ROW: &str = "SELECT e.entry_id, e.kind, e.at_ms, e.recorded_by, e.member_id, e.flagged, e.summary, \
     e.doc_id, e.pass, e.severity, COALESCE(v.name, e.visit_building), e.visit_room \
     FROM p_gate_entries e LEFT JOIN p_places v ON v.place_id = e.visit_building";

/// A gate entry's row as [`GATE_ENTRY_ROW`] selects it; a visitor's summary ends with the
/// address visited.
pub(crate) fn gate_entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GateEntryRow> {
    let code = |i: usize| r.get::<_, Option<String>>(i);
    let building: Option<String> = r.get(10)?;
    let room: Option<String> = r.get(11)?;
    let visiting = match (building, room) {
        (Some(b), Some(r)) => format!("{b} {r}"),
        (Some(b), None) => b,
        _ => String::new(),
    };
    let mut summary: String = r.get(6)?;
    if !visiting.is_empty() {
        summary = format!("{summary} → {visiting}");
    }
    Ok(GateEntryRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        at: ms_to_utc(r.get(2)?),
        recorded_by: r.get(3)?,
        member_id: r.get(4)?,
        flagged: r.get(5)?,
        summary,
        record_id: r.get(7)?,
        pass: coded(code(8)?),
        severity: coded(code(9)?),
        visiting,
    })
}

/// A roster slot with its shift's times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunningSlot {
    pub shift_id: String,
    pub slot_id: String,
    pub role: DutyRole,
    pub position: u32,
    pub start_ms: i64,
    pub end_ms: i64,
    pub member: Option<String>,
}
