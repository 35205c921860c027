//! The core's records and rows as the apps see them. Most mirror a core type field by field
//! (see [`crate::mirror::mirror_record`]); the few that differ (tuples become named records,
//! maps become lists, dates become `YYYY-MM-DD` text) convert by hand below.

use linli_core::api::{agenda, directory, duty, households, isolation, passes, records, tickets};
use linli_core::records::household as core_household;
use linli_core::records::pass as core_pass;
use linli_core::records::ticket as core_ticket;
use linli_core::report;
use linli_core::sync::client as core_sync;

use crate::enums::*;
use crate::error::LinliError;
use crate::mirror::{Convert, Timestamp, mirror_record, parse_date};

// ---- directory ----

mirror_record!(both
    /// A role and the places it covers.
    RoleInput = directory::RoleInput { role: Role, places: Vec<String> });
mirror_record!(both
/// A new member.
MemberInput = directory::MemberInput {
    id: Option<String>, name: String, phone: String, roles: Vec<RoleInput>
});
mirror_record!(out
    /// A place of the community.
    PlaceRow = directory::PlaceRow { id: String, kind: PlaceKind, name: String, parent: Option<String> });
mirror_record!(out
/// A member of the community.
MemberRow = directory::MemberRow {
    id: String, name: String, phone: String, active: bool, roles: Vec<RoleInput>
});
mirror_record!(out
/// The community a store belongs to.
CommunityInfo = linli_core::api::CommunityInfo {
    id: String, directory_doc: String, name: String, utc_offset_minutes: i32
});

// ---- gate duty ----

mirror_record!(out
/// A slot of a shift.
SlotRow = duty::SlotRow {
    slot_id: String, role: DutyRole, position: u32, member_id: Option<String>,
    member_name: Option<String>
});
mirror_record!(out
/// A shift of a roster week.
ShiftRow = duty::ShiftRow {
    roster_doc: String, shift_id: String, label: String, start: Timestamp, end: Timestamp,
    slots: Vec<SlotRow>
});
mirror_record!(out
/// A swap request.
SwapRow = duty::SwapRow {
    swap_id: String, shift_id: String, slot_id: String, from_member: String,
    to_member: String, status: SwapStatus
});

/// A member by id and name.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct MemberRef {
    /// Member id.
    pub id: String,
    /// Name.
    pub name: String,
}

impl Convert<MemberRef> for (String, String) {
    fn convert(self) -> MemberRef {
        MemberRef {
            id: self.0,
            name: self.1,
        }
    }
}

/// Someone on duty at the gate outside the planned slots.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct OnDutyOther {
    /// Member id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Checked in at.
    pub since: Timestamp,
}

impl Convert<OnDutyOther> for (String, String, Timestamp) {
    fn convert(self) -> OnDutyOther {
        OnDutyOther {
            id: self.0,
            name: self.1,
            since: self.2,
        }
    }
}

mirror_record!(out
/// One slot of the current shift on the badge view.
SlotDuty = duty::SlotDuty {
    shift_id: String, slot_id: String, role: DutyRole, position: u32,
    planned: Option<MemberRef>, on_duty: Option<MemberRef>, since: Option<Timestamp>,
    attendance: Attendance
});
mirror_record!(out
/// Who is on duty at a gate now (门长 / 值班长 / 安全员).
OnDutyView = duty::OnDutyView {
    gate_id: String, gate_name: String, slots: Vec<SlotDuty>, others: Vec<OnDutyOther>
});
/// A visitor registered at the gate.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct VisitorInput {
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// Purpose.
    pub purpose: String,
    /// The household visited by id, when the phone knows it (the office's desk); a gate phone
    /// leaves it empty and names the address: the core finds the household there when this
    /// phone holds exactly one.
    pub household: Option<String>,
    /// The visitor's pass (the core's `pass`: a keyword in Python, so not a field name here).
    pub pass_type: PassType,
    /// The building or lane visited, one of the directory's places (`places`).
    pub building_id: Option<String>,
    /// The unit and room visited, as said (`1单元 302`).
    pub room: String,
}

impl Convert<VisitorInput> for duty::VisitorInput {
    fn convert(self) -> VisitorInput {
        VisitorInput {
            name: self.name,
            phone: self.phone,
            purpose: self.purpose,
            household: self.household,
            pass_type: self.pass.convert(),
            building_id: self.building_id,
            room: self.room,
        }
    }
}

impl Convert<duty::VisitorInput> for VisitorInput {
    fn convert(self) -> duty::VisitorInput {
        duty::VisitorInput {
            name: self.name,
            phone: self.phone,
            purpose: self.purpose,
            household: self.household,
            pass: self.pass_type.convert(),
            building_id: self.building_id,
            room: self.room,
        }
    }
}
/// A gate-log entry.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct GateEntryRow {
    /// Entry id.
    pub id: String,
    /// Kind code (`visitor`, `temperature`, …).
    pub kind: String,
    /// When.
    pub at: Timestamp,
    /// Who logged it.
    pub recorded_by: String,
    /// The member it concerns (duty entries).
    pub member_id: Option<String>,
    /// Fever, incident, or a pass not let through.
    pub flagged: bool,
    /// A one-line summary in Chinese; a visitor's ends with the address visited.
    pub summary: String,
    /// The gate day's record, to open its history.
    pub record_id: String,
    /// A visitor's pass type (the core's `pass`: a keyword in Python, so not a field name here).
    pub pass_type: Option<PassType>,
    /// An incident's severity.
    pub severity: Option<Severity>,
    /// The address a visitor visited (`3号楼 1单元 302`); empty when none was named.
    pub visiting: String,
}

impl Convert<GateEntryRow> for duty::GateEntryRow {
    fn convert(self) -> GateEntryRow {
        GateEntryRow {
            id: self.id,
            kind: self.kind,
            at: self.at.convert(),
            recorded_by: self.recorded_by,
            member_id: self.member_id,
            flagged: self.flagged,
            summary: self.summary,
            record_id: self.record_id,
            pass_type: self.pass.convert(),
            severity: self.severity.convert(),
            visiting: self.visiting,
        }
    }
}

/// A temperature recorded at the gate.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct TemperatureEntry {
    /// Entry id.
    pub id: String,
    /// Whether it is a fever reading (it stands out).
    pub fever: bool,
}

impl Convert<TemperatureEntry> for (String, bool) {
    fn convert(self) -> TemperatureEntry {
        TemperatureEntry {
            id: self.0,
            fever: self.1,
        }
    }
}

// ---- households ----

mirror_record!(both
/// A resident of a new household.
ResidentInput = households::ResidentInput {
    name: String, birth_year: Option<i32>, phone: String
});
mirror_record!(both
    /// How often a watched household is checked: `n` times a day, or every `n` days.
    WatchPlanInput = households::WatchPlanInput { frequency: WatchFrequency, n: u32 });
mirror_record!(both
/// A new household.
HouseholdInput = households::HouseholdInput {
    building_id: String, unit: String, room: String, phone: String,
    residents: Vec<ResidentInput>, tags: Vec<Tag>, watch: Option<WatchPlanInput>
});
mirror_record!(both
/// A health check during a visit.
HealthInput = households::HealthInput {
    temperature_c: Option<f64>, systolic: Option<u32>, diastolic: Option<u32>, note: String,
    concern: bool
});

/// A visit to log.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct VisitInput {
    /// When it happened; none for now.
    pub at: Option<Timestamp>,
    /// How it went.
    pub outcome: VisitOutcome,
    /// Residents' needs.
    pub needs: String,
    /// Residents' opinions (民意).
    pub opinions: String,
    /// Health check.
    pub health: Option<HealthInput>,
    /// Follow-up due date, `YYYY-MM-DD` (local).
    pub follow_up_due: Option<String>,
    /// What to follow up.
    pub follow_up_note: String,
}

impl VisitInput {
    /// The core's input, with the date checked.
    pub fn to_core(self) -> Result<households::VisitInput, LinliError> {
        Ok(households::VisitInput {
            at: self.at,
            outcome: self.outcome.convert(),
            needs: self.needs,
            opinions: self.opinions,
            health: self.health.convert(),
            follow_up_due: self
                .follow_up_due
                .map(|d| parse_date("follow_up_due", &d))
                .transpose()?,
            follow_up_note: self.follow_up_note,
        })
    }
}

mirror_record!(out
/// A household in a building list.
HouseholdRow = households::HouseholdRow {
    id: String, building_id: String, unit: String, room: String, phone: String,
    residents: String, tags: Vec<Tag>, visit_count: u32, last_visit_at: Option<Timestamp>,
    last_visit_outcome: Option<VisitOutcome>, watch: Option<WatchPlanInput>,
    check: CheckState, next_check_due: Option<Timestamp>
});
mirror_record!(out
/// An item of today's list: what, where, when it is due, and the action that clears it
/// (`visit.log`, `ticket.handle`, `duty.check_in`, `swap.accept`, `swap.approve`).
AgendaItem = agenda::AgendaItem {
    kind: AgendaKind, record_id: String, item_id: String, place_id: String, title: String,
    due: Option<Timestamp>, overdue: bool, action: String
});
mirror_record!(out
/// A follow-up due.
FollowUpRow = households::FollowUpRow {
    visit_id: String, household_id: String, lead: String, due: String, note: String
});
mirror_record!(out
/// A health check as recorded.
HealthCheck = core_household::HealthCheck {
    temperature_c: Option<f64>, systolic: Option<i64>, diastolic: Option<i64>,
    note: String, concern: bool
});
mirror_record!(out
/// A visit as recorded (times in ms since the epoch).
Visit = core_household::Visit {
    id: String, at_ms: i64, lead: String, device: String, outcome: VisitOutcome,
    needs: String, opinions: String, health: Option<HealthCheck>,
    follow_up_due: Option<String>, follow_up_note: String
});
mirror_record!(out
    /// A watch plan as recorded.
    WatchPlan = core_household::WatchPlan { frequency: WatchFrequency, n: i64, since_ms: i64 });

/// A resident as recorded.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Resident {
    /// Resident id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Year of birth.
    pub birth_year: Option<i64>,
    /// Phone.
    pub phone: String,
    /// 户籍 / 租户 / 流动.
    pub status: ResidentStatus,
    /// Moved in (`YYYY-MM-DD`).
    pub moved_in: Option<String>,
    /// Moved out.
    pub moved_out: Option<String>,
    /// Where a returnee arrived from (empty when not one).
    pub arrived_from: String,
    /// When they arrived.
    pub arrived_on: Option<String>,
}

/// How a resident lives here and when they came and went (dates `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ResidentMoves {
    /// 户籍 / 租户 / 流动.
    pub status: ResidentStatus,
    /// Moved in.
    pub moved_in: Option<String>,
    /// Moved out.
    pub moved_out: Option<String>,
    /// Where a returnee arrived from (empty when not one).
    pub arrived_from: String,
    /// When they arrived.
    pub arrived_on: Option<String>,
}

impl ResidentMoves {
    /// The core's value, the dates read.
    pub(crate) fn into_core(self) -> Result<linli_core::api::residents::ResidentMoves, LinliError> {
        let date = |field: &str, d: Option<String>| d.map(|d| parse_date(field, &d)).transpose();
        Ok(linli_core::api::residents::ResidentMoves {
            status: self.status.convert(),
            moved_in: date("moved_in", self.moved_in)?,
            moved_out: date("moved_out", self.moved_out)?,
            arrived_from: self.arrived_from,
            arrived_on: date("arrived_on", self.arrived_on)?,
        })
    }
}

/// Which households of a building to list, by their residents: a status, arrived on or after a
/// date (`YYYY-MM-DD`), residents who moved out counted or not.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ResidentFilter {
    /// Only households with a resident of this status.
    pub status: Option<ResidentStatus>,
    /// Only households with a resident who arrived on or after this date.
    pub arrived_since: Option<String>,
    /// Count residents who moved out too.
    pub include_moved_out: bool,
}

impl ResidentFilter {
    /// The core's filter, the date read.
    pub(crate) fn into_core(
        self,
    ) -> Result<linli_core::api::residents::ResidentFilter, LinliError> {
        Ok(linli_core::api::residents::ResidentFilter {
            status: self.status.convert(),
            arrived_since: self
                .arrived_since
                .map(|d| parse_date("arrived_since", &d))
                .transpose()?,
            include_moved_out: self.include_moved_out,
        })
    }
}

/// One household with its residents and visits.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct HouseholdDetail {
    /// Building.
    pub building_id: String,
    /// Unit.
    pub unit: String,
    /// Room.
    pub room: String,
    /// Phone.
    pub phone: String,
    /// Residents, by id.
    pub residents: Vec<Resident>,
    /// Tags set on.
    pub tags: Vec<Tag>,
    /// Watch plan.
    pub watch: Option<WatchPlan>,
    /// The latest 20 visits, oldest first (by time, ties by id); `householdVisits` reads
    /// the older ones.
    pub visits: Vec<Visit>,
    /// Registered at (ms since the epoch).
    pub created_ms: i64,
}

impl Convert<HouseholdDetail> for core_household::HouseholdDoc {
    fn convert(self) -> HouseholdDetail {
        let tags = self
            .tags
            .iter()
            .filter(|(_, on)| **on)
            .filter_map(|(code, _)| <core_household::Tag as linli_core::Coded>::from_code(code))
            .map(Convert::convert)
            .collect();
        HouseholdDetail {
            building_id: self.building_id,
            unit: self.unit,
            room: self.room,
            phone: self.phone,
            residents: self
                .residents
                .into_iter()
                .map(|(id, r)| Resident {
                    id,
                    name: r.name,
                    birth_year: r.birth_year,
                    phone: r.phone,
                    status: r.status.convert(),
                    moved_in: r.moved_in,
                    moved_out: r.moved_out,
                    arrived_from: r.arrived_from,
                    arrived_on: r.arrived_on,
                })
                .collect(),
            tags,
            watch: self.watch.convert(),
            visits: self.visits.convert(),
            created_ms: self.created_ms,
        }
    }
}

// ---- tickets ----

mirror_record!(both
/// A problem to report.
TicketInput = tickets::TicketInput {
    category: Category, place_kind: PlaceRefKind, place_ref: String, place_text: String,
    description: String, photos: Vec<String>, channel: Channel
});
mirror_record!(both
/// Which tickets to list.
TicketFilter = tickets::TicketFilter {
    status: Option<TicketStatus>, level: Option<Level>, category: Option<Category>,
    place_ref: Option<String>, open_only: bool, mine: bool, overdue: bool, limit: Option<u32>,
    offset: u32
});
mirror_record!(out
/// A ticket in a list.
TicketRow = tickets::TicketRow {
    id: String, category: Category, description: String, place_kind: PlaceRefKind,
    place_ref: String, place_text: String, channel: Channel, reporter: String,
    reported_at: Timestamp, status: TicketStatus, level: Level, responsible: Option<String>,
    department: Option<Department>, reply_due: Option<Timestamp>,
    resolve_due: Option<Timestamp>, overdue: bool, event_count: u32, photo_count: u32
});
mirror_record!(out
    /// Where a ticket's problem is.
    TicketPlace = core_ticket::TicketPlace { kind: PlaceRefKind, reference: String, text: String });
mirror_record!(out
/// A ticket's derived state (times in ms since the epoch).
TicketState = core_ticket::TicketState {
    status: TicketStatus, level: Level, responsible: Option<String>,
    department: Option<Department>, reply_due_ms: Option<i64>, resolve_due_ms: Option<i64>,
    replied_ms: Option<i64>, resolved_ms: Option<i64>, merged_into: Option<String>,
    absorbed: Vec<String>, photos: Vec<String>, reopened: u32, unit: Option<String>,
    case: Option<String>, leader: Option<String>
});

/// What happened to a ticket.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum TicketAction {
    /// Reported.
    Reported,
    /// Accepted by the community office.
    Accepted,
    /// Assigned to a department.
    Assigned {
        /// The department.
        department: Department,
    },
    /// Escalated to a higher level.
    Escalated {
        /// The level.
        to: Level,
        /// Why.
        reason: String,
    },
    /// Replied to the resident.
    Replied {
        /// The reply.
        message: String,
    },
    /// Resolved.
    Resolved {
        /// How.
        summary: String,
    },
    /// The resident's evaluation.
    Evaluated {
        /// Satisfied or not.
        satisfied: bool,
        /// Comment.
        comment: String,
    },
    /// Merged into another ticket.
    Merged {
        /// That ticket.
        into: String,
    },
    /// Absorbed a duplicate.
    Absorbed {
        /// The duplicate.
        from: String,
        /// Its channel.
        channel: Channel,
        /// Its reporter.
        reporter: String,
    },
    /// A photo was added.
    PhotoAdded {
        /// The photo's sha-256.
        sha256: String,
    },
    /// Dispatched to a department that works it on its own phones.
    Dispatched {
        /// The department.
        unit: String,
        /// The work order.
        case: String,
    },
    /// A leader was put in charge (包案领导).
    LeaderNamed {
        /// The leader.
        member: String,
    },
}

impl Convert<TicketAction> for core_ticket::TicketAction {
    fn convert(self) -> TicketAction {
        use core_ticket::TicketAction as A;
        match self {
            A::Reported => TicketAction::Reported,
            A::Accepted => TicketAction::Accepted,
            A::Assigned { department } => TicketAction::Assigned {
                department: department.convert(),
            },
            A::Escalated { to, reason } => TicketAction::Escalated {
                to: to.convert(),
                reason,
            },
            A::Replied { message } => TicketAction::Replied { message },
            A::Resolved { summary } => TicketAction::Resolved { summary },
            A::Evaluated { satisfied, comment } => TicketAction::Evaluated { satisfied, comment },
            A::Merged { into } => TicketAction::Merged { into },
            A::Absorbed {
                from,
                channel,
                reporter,
            } => TicketAction::Absorbed {
                from,
                channel: channel.convert(),
                reporter,
            },
            A::PhotoAdded { sha256 } => TicketAction::PhotoAdded { sha256 },
            A::Dispatched { unit, case } => TicketAction::Dispatched { unit, case },
            A::LeaderNamed { member } => TicketAction::LeaderNamed { member },
        }
    }
}

mirror_record!(out
/// An event of a ticket's timeline (time in ms since the epoch).
TicketEvent = core_ticket::TicketEvent {
    id: String, at_ms: i64, author: String, device: String, action: TicketAction
});

/// A ticket with its timeline and state.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct TicketDetail {
    /// Id.
    pub id: String,
    /// Category.
    pub category: Category,
    /// Place.
    pub place: TicketPlace,
    /// Description.
    pub description: String,
    /// Photos (sha-256).
    pub photos: Vec<String>,
    /// Channel.
    pub channel: Channel,
    /// Reporter (member id).
    pub reporter: String,
    /// Reported at (ms since the epoch).
    pub reported_ms: i64,
    /// The event timeline.
    pub events: Vec<TicketEvent>,
    /// The derived state.
    pub state: TicketState,
}

impl Convert<TicketDetail> for tickets::TicketDetail {
    fn convert(self) -> TicketDetail {
        let d = self.doc;
        TicketDetail {
            id: self.id,
            category: d.category.convert(),
            place: d.place.convert(),
            description: d.description,
            photos: d.photos,
            channel: d.channel.convert(),
            reporter: d.reporter,
            reported_ms: d.reported_ms,
            events: d.events.convert(),
            state: self.state.convert(),
        }
    }
}

// ---- history and conflicts ----

mirror_record!(out
/// One change of a record: who, on which device, when, what.
HistoryEntry = records::HistoryEntry {
    hash: String, actor: String, member: String, device: String, at: Timestamp,
    action: String, changed: Vec<String>
});
mirror_record!(out
/// One of a field's concurrent values and who made it.
ConflictValue = records::ConflictValue {
    display: String, member: String, device: String, actor: String, shown: bool
});
mirror_record!(out
    /// A field of a record that holds concurrent values.
    Conflict = records::Conflict { path: Vec<String>, field_key: String, values: Vec<ConflictValue> });

/// A record with a field in conflict.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct OpenConflict {
    /// The record's id.
    pub doc_id: String,
    /// The field's path.
    pub path: Vec<String>,
}

impl Convert<OpenConflict> for (String, Vec<String>) {
    fn convert(self) -> OpenConflict {
        OpenConflict {
            doc_id: self.0,
            path: self.1,
        }
    }
}

/// A change set aside on this device ("未被接受的修改"): one it received and could not apply,
/// or one of its own that the relay refused. Kept with its reason; nothing is lost.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SetAsideChange {
    /// The change hash (hex).
    pub hash: String,
    /// The record it belongs to.
    pub doc_id: String,
    /// The record's kind (`household`, `ticket`, …).
    pub kind: String,
    /// The record's scope.
    pub scope: String,
    /// `received` or `refused`.
    pub origin: String,
    /// A stable code, e.g. `cannot_apply`, `role_forbidden`.
    pub code: String,
    /// Why, for a person.
    pub reason: String,
    /// The member the change names.
    pub member: String,
    /// The action it names.
    pub action: String,
    /// When it was set aside.
    pub at_ms: i64,
    /// Whether updating the app may let it apply.
    pub update_may_help: bool,
}

impl Convert<SetAsideChange> for linli_core::api::set_aside::SetAsideChange {
    fn convert(self) -> SetAsideChange {
        SetAsideChange {
            hash: self.hash,
            doc_id: self.doc_id,
            kind: self.kind.as_str().to_owned(),
            scope: self.scope,
            origin: self.origin,
            code: self.code,
            reason: self.reason,
            member: self.member,
            action: self.action,
            at_ms: self.at_ms,
            update_may_help: self.update_may_help,
        }
    }
}

/// How to resolve a conflict.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum Resolution {
    /// Keep the value at this index of the conflict's values.
    Pick {
        /// The index.
        index: u32,
    },
    /// Enter a new value.
    Enter {
        /// The value.
        value: String,
    },
}

impl Convert<records::Resolution> for Resolution {
    fn convert(self) -> records::Resolution {
        match self {
            Resolution::Pick { index } => records::Resolution::Pick(index as usize),
            Resolution::Enter { value } => records::Resolution::Enter(value),
        }
    }
}

/// A photo as the device has it.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum Photo {
    /// The bytes are here.
    Available {
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Referenced, but the bytes have not arrived: show "照片待同步".
    Pending,
}

impl Convert<Photo> for linli_core::api::photos::Photo {
    fn convert(self) -> Photo {
        match self {
            linli_core::api::photos::Photo::Available(bytes) => Photo::Available { bytes },
            linli_core::api::photos::Photo::Pending => Photo::Pending,
        }
    }
}

// ---- the day-end report ----

mirror_record!(out
/// Visits by one lead.
LeadVisits = report::LeadVisits {
    member_id: String, name: String, visits: u32, households: u32, met: u32,
    health_concerns: u32, follow_ups: u32
});
mirror_record!(out
/// Watch checks of the day.
WatchSummary = report::WatchSummary {
    households: u32, due: u32, done: u32, households_short: u32
});
mirror_record!(out
/// Tickets at one level.
TicketLevelRow = report::TicketLevelRow {
    level: Level, opened: u32, accepted: u32, escalated: u32, resolved: u32, overdue: u32,
    open: u32
});
mirror_record!(out
/// The needs list's day: recorded, claimed, services and their minutes, confirmed, still open.
NeedCounts = report::NeedCounts {
    recorded: u32, claimed: u32, services: u32, minutes: u32, confirmed: u32, open: u32
});
mirror_record!(out
/// A subject's counted ratings in a published round (mean in hundredths).
PublishedSubject = report::PublishedSubject {
    kind: SubjectKind, id: String, name: String, ratings: u32, mean_x100: u32
});
mirror_record!(out
/// A candidate's counted votes in a published round.
PublishedCandidate = report::PublishedCandidate { id: String, name: String, votes: u32 });
mirror_record!(out
/// An evaluation round closed that day, as published.
PublishedRound = report::PublishedRound {
    month: String, subjects: Vec<PublishedSubject>, candidates: Vec<PublishedCandidate>,
    winner: Option<String>, double_voters: u32
});
mirror_record!(out
/// One department's work orders of the day.
DepartmentRow = report::DepartmentRow {
    unit: String, name: String, received: u32, answered_in_time: u32, answered_late: u32,
    overdue: u32, open: u32
});
mirror_record!(out
/// Duty attendance at one gate.
GateDuty = report::GateDuty {
    gate_id: String, gate_name: String, slots: u32, planned: u32, on_time: u32, late: u32,
    no_show: u32, pending: u32
});
mirror_record!(out
/// Gate entries of one kind at one gate.
GateEntryCount = report::GateEntryCount {
    gate_id: String, gate_name: String, kind: String, count: u32, flagged: u32
});
/// A reminder to create (民情日志): what, the place, who it is for (a member, or a role over
/// the place; neither: the office), the first due date (`YYYY-MM-DD`), the days ahead it shows
/// (30 when none) and how it repeats.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ReminderInput {
    /// What, e.g. 3号楼电梯年检.
    pub what: String,
    /// The place it concerns.
    pub place: Option<String>,
    /// The member it is for.
    pub owner_member: Option<String>,
    /// The role it is for, over `place`.
    pub owner_role: Option<Role>,
    /// The first due date, `YYYY-MM-DD`.
    pub first_due: String,
    /// Days ahead it shows.
    pub lead_days: Option<i64>,
    /// How it repeats.
    pub repeat: Repeat,
}

impl ReminderInput {
    /// The core's input, the date read.
    pub(crate) fn into_core(self) -> Result<linli_core::api::reminders::ReminderInput, LinliError> {
        Ok(linli_core::api::reminders::ReminderInput {
            what: self.what,
            place: self.place,
            owner_member: self.owner_member,
            owner_role: self.owner_role.convert(),
            first_due: parse_date("first_due", &self.first_due)?,
            lead_days: self.lead_days,
            repeat: self.repeat.convert(),
        })
    }
}

/// A reminder as lists show it on a day: its current occurrence's due date and days left
/// (negative when overdue), who it is for, and its last completion.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ReminderRow {
    /// Id.
    pub id: String,
    /// What.
    pub what: String,
    /// The place's id (empty when none).
    pub place_id: String,
    /// The place's name.
    pub place_name: String,
    /// The current occurrence's due date (none when a one-time reminder is done).
    pub due: Option<String>,
    /// Days left (negative: overdue).
    pub days_left: Option<i64>,
    /// How it repeats.
    pub repeat: Repeat,
    /// Who it is for, in words.
    pub owner: String,
    /// Occurrences done.
    pub done_count: u32,
    /// Who completed it last.
    pub last_done_by: Option<String>,
    /// When (ms).
    pub last_done_ms: Option<i64>,
}

impl Convert<ReminderRow> for linli_core::api::reminders::ReminderRow {
    fn convert(self) -> ReminderRow {
        let (last_done_by, last_done_ms) = self.last_done.unzip();
        ReminderRow {
            id: self.id,
            what: self.what,
            place_id: self.place_id,
            place_name: self.place_name,
            due: self.due.convert(),
            days_left: self.days_left,
            repeat: self.repeat.convert(),
            owner: self.owner,
            done_count: self.done_count,
            last_done_by,
            last_done_ms,
        }
    }
}

mirror_record!(out
/// One isolated resident's checks of a day, by their household's address (no name).
IsolationRow = report::IsolationRow {
    household_id: String, address: String, due: u32, done: u32, missed: u32, flagged: u32
});
mirror_record!(out
/// The office's reminders of a day: due, done, overdue.
ReminderCounts = linli_core::api::reminders::ReminderCounts { due: u32, done: u32, overdue: u32 });
mirror_record!(out
/// The office's day-end report.
DayReport = report::DayReport {
    community: String, date: String, visits: Vec<LeadVisits>, total_visits: u32,
    households_covered: u32, watch: WatchSummary, tickets: Vec<TicketLevelRow>,
    departments: Vec<DepartmentRow>, needs: NeedCounts, evaluations: Vec<PublishedRound>,
    duty: Vec<GateDuty>, gate_entries: Vec<GateEntryCount>, reminders: ReminderCounts,
    arrivals: u32, departures: u32, isolation: Vec<IsolationRow>
});

// ---- sync ----

mirror_record!(out
    /// Where a sync stands.
    SyncProgress = core_sync::SyncProgress { phase: SyncPhase, done: u64, total: u64 });
mirror_record!(both
/// A photo the relay would not take or give, with its code (`photo_quota`, `photo_forbidden`,
/// …) and message: it stays waiting, and the rest of the sync went on.
PhotoProblem = core_sync::PhotoProblem { hash: String, upload: bool, code: String, message: String });
mirror_record!(out
/// What a sync did and where the device stands: is my work safely at the office?
SyncSummary = core_sync::SyncSummary {
    pushed: u64, pulled: u64, bootstrapped_docs: u64, outbox_left: u64, held: u64,
    conflicts_open: u64, photos_pending: u64, set_aside: u64, last_contact_ms: Option<i64>,
    photo_problems: Vec<PhotoProblem>, actor_replaced: bool, records_erased: u64,
    dropped_erased: u64
});

mirror_record!(out
/// What signing out did: whether the store was erased, and how many changes and photos had
/// not reached the relay (lost when erased; otherwise waiting for the person to insist).
SignOut = core_sync::SignOut { erased: bool, unsent: u64 });

impl Convert<core_sync::SyncSummary> for SyncSummary {
    fn convert(self) -> core_sync::SyncSummary {
        core_sync::SyncSummary {
            pushed: self.pushed,
            pulled: self.pulled,
            bootstrapped_docs: self.bootstrapped_docs,
            outbox_left: self.outbox_left,
            held: self.held,
            conflicts_open: self.conflicts_open,
            photos_pending: self.photos_pending,
            set_aside: self.set_aside,
            last_contact_ms: self.last_contact_ms,
            photo_problems: Convert::convert(self.photo_problems),
            actor_replaced: self.actor_replaced,
            records_erased: self.records_erased,
            dropped_erased: self.dropped_erased,
        }
    }
}

#[uniffi::export]
impl SyncSummary {
    /// The summary in one Chinese line.
    pub fn line_zh(&self) -> String {
        self.clone().convert().line_zh()
    }
}

#[uniffi::export]
impl SyncPhase {
    /// What the phase is called on screen, in Chinese.
    pub fn label_zh(&self) -> String {
        let core: core_sync::SyncPhase = (*self).convert();
        core.label_zh().to_owned()
    }
}

/// A role as `(role code, place id)`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct RoleCode {
    /// Role code.
    pub role: String,
    /// Place id (empty for the office).
    pub place: String,
}

impl Convert<RoleCode> for (String, String) {
    fn convert(self) -> RoleCode {
        RoleCode {
            role: self.0,
            place: self.1,
        }
    }
}

mirror_record!(out
/// What enrolment gives a device: keep the token in the platform's secure storage.
Enrolment = linli_core::sync::protocol::EnrolResponse {
    token: String, member_id: String, device_id: String, roles: Vec<RoleCode>,
    scopes: Vec<String>
});
mirror_record!(out
    /// Counters of the store's document cache.
    StoreStats = linli_core::StoreStats { documents_loaded: u64, documents_cached: u64 });

// ---- passes ----

mirror_record!(out
/// What a pass says (its holder's name for the volunteer to compare with the person).
PassClaims = core_pass::PassClaims {
    id: String, community: String, household: String, holder: String, kind: PassKind,
    valid_from_ms: i64, valid_until_ms: i64, gates: Vec<String>
});
mirror_record!(out
/// What checking a pass at the gate found, and the gate entry that records it.
PassCheck = passes::PassCheck { result: PassResult, claims: Option<PassClaims>, entry_id: String });

mirror_record!(both
/// A pass holder's home: the household at a room of a building (the unit where rooms repeat),
/// the resident of that name (none for a visitor pass).
PassAddress = passes::PassAddress {
    building_id: String, unit: String, room: String, resident_name: String
});

/// A pass a gate lead asks the relay for from the phone, over whole days.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct PassDaysInput {
    /// The household the holder lives in (or, for a visitor pass, visits).
    pub household_id: String,
    /// The resident it is for (resident and night passes).
    pub resident_id: Option<String>,
    /// The visitor's name (visitor passes).
    pub visitor_name: String,
    /// What it is for.
    pub kind: PassKind,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub until: String,
    /// The gates it opens (a gate lead's own); empty: every gate (the office's alone).
    pub gates: Vec<String>,
    /// Where the holder lives, instead of `household_id` and `resident_id`: a gate lead's
    /// phone holds no household, the relay finds it.
    pub address: Option<PassAddress>,
}

impl PassDaysInput {
    pub(crate) fn into_core(self) -> Result<passes::PassDays, LinliError> {
        Ok(passes::PassDays {
            household_id: self.household_id,
            resident_id: self.resident_id,
            visitor_name: self.visitor_name,
            kind: self.kind.convert(),
            from: parse_date("from", &self.from)?,
            until: parse_date("until", &self.until)?,
            gates: self.gates,
            address: self.address.convert(),
        })
    }
}

mirror_record!(out
/// A pass the relay signed for the phone's request: show `text` as a QR code; the household
/// records it too, and every phone of its building has it after its next sync.
PassSigned = linli_core::sync::protocol::PassAnswer { id: String, holder: String, text: String });

/// A pass issued to a resident of a household: the lead's phone shows `text` as a QR code.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct IssuedPassRow {
    /// Pass id.
    pub id: String,
    /// What it is for.
    pub kind: PassKind,
    /// The holder.
    pub holder: String,
    /// Valid from (ms since the epoch).
    pub valid_from_ms: i64,
    /// Valid until (ms, exclusive).
    pub valid_until_ms: i64,
    /// The gates it opens; empty: every gate.
    pub gates: Vec<String>,
    /// The QR code's text.
    pub text: String,
    /// Whether the office revoked it.
    pub revoked: bool,
}

/// A pass let through at a gate after it had been revoked (the gate had not synced yet).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct LateRevocation {
    /// The gate entry of the check.
    pub entry_id: String,
    /// The gate.
    pub gate_id: String,
    /// The pass.
    pub pass_id: String,
    /// When it was let through.
    pub at: Timestamp,
}

// ---- home isolation ----

/// An isolation to start.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct IsolationInput {
    /// The resident.
    pub resident_id: String,
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Planned last day, `YYYY-MM-DD`.
    pub planned_end: String,
    /// Checks a day (3 when none).
    pub checks_per_day: Option<u32>,
}

impl IsolationInput {
    pub(crate) fn into_core(self) -> Result<isolation::IsolationInput, LinliError> {
        Ok(isolation::IsolationInput {
            resident_id: self.resident_id,
            start: parse_date("start", &self.start)?,
            planned_end: parse_date("planned_end", &self.planned_end)?,
            checks_per_day: self.checks_per_day,
        })
    }
}

mirror_record!(both
/// A home isolation check: temperature (when taken) and symptoms.
IsolationCheckInput = isolation::IsolationCheckInput {
    celsius: Option<f64>, symptoms: Vec<Symptom>, other: String
});

/// A recorded isolation check.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct IsolationCheckRecorded {
    /// Check id.
    pub id: String,
    /// A fever or a symptom: the office sees it.
    pub flagged: bool,
}

impl Convert<IsolationCheckRecorded> for (String, bool) {
    fn convert(self) -> IsolationCheckRecorded {
        IsolationCheckRecorded {
            id: self.0,
            flagged: self.1,
        }
    }
}

mirror_record!(out
/// One isolated resident's day: checks due, done, missed (so far, today), flagged; errands open.
IsolationDay = isolation::IsolationDay {
    household_id: String, building_id: String, isolation_id: String, resident: String,
    due: i64, done: i64, missed: i64, flagged: i64, errands_open: i64, released: bool
});

/// An errand of a household in isolation.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ErrandRow {
    /// Errand id.
    pub id: String,
    /// What kind.
    pub kind: ErrandKind,
    /// What exactly.
    pub note: String,
    /// When it was asked for.
    pub requested_at: Timestamp,
    /// Whether it was delivered.
    pub delivered: bool,
}

impl Convert<ErrandRow> for (String, linli_core::records::isolation::Errand) {
    fn convert(self) -> ErrandRow {
        let (id, e) = self;
        ErrandRow {
            id,
            kind: e.kind.convert(),
            note: e.note,
            requested_at: linli_core::ids::ms_to_utc(e.requested_ms),
            delivered: e.delivered_ms.is_some(),
        }
    }
}

/// A QR code's modules, row by row (true: dark), for a screen to draw: a pass shown on the
/// lead's phone, an enrolment code.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct QrMatrix {
    /// Modules per side.
    pub size: u32,
    /// `size * size` modules, row by row.
    pub dark: Vec<bool>,
}
