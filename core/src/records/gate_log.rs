//! A gate's log for one local day: append-only entries for duty check-in / check-out and
//! handovers, visitors (with the address they visit), vehicles, parcels, temperature checks, patrols and incidents; and the
//! rules that turn check-ins into presence and attendance.
//!
//! A check-in or handover names a slot by shift and slot id together: slot ids such as
//! `gate_lead-1` repeat in every shift, and shifts may overlap, so presence and attendance are
//! matched on both.
//!
//! # Attendance rules
//!
//! A slot is covered by the first check-in (or handover) that names it. It is on time when that
//! entry lies no later than [`LATE_AFTER`] after the shift start, late when it comes later but
//! before the end, and a no-show when nothing names it before the end. A handover names the slot
//! for the person taking over but never starts it, so a mid-shift handover makes no one late.
//! While the shift runs, a slot not covered yet counts as late once [`LATE_AFTER`] has passed
//! (its badge shows that its member is late); only the shift's end decides whether it was late
//! or a no-show.

use autosurgeon::{Hydrate, Reconcile};
use chrono::Duration;

use super::coded_enum;
use super::pass::{PassKind, PassResult};
use crate::doc::{DocKind, Record};

/// How long after a shift starts a check-in still counts as on time.
pub const LATE_AFTER: Duration = Duration::minutes(10);
/// The lowest body temperature accepted as a reading (°C).
pub const MIN_TEMPERATURE_C: f64 = 34.0;
/// The highest body temperature accepted as a reading (°C).
pub const MAX_TEMPERATURE_C: f64 = 43.0;
/// A reading at or above this is flagged as fever (°C).
pub const FEVER_FROM_C: f64 = 37.3;

coded_enum! {
    /// A visitor's pass.
    PassType {
        /// 临时.
        Temporary = "temporary" / "临时通行",
        /// 访客码.
        VisitorCode = "visitor_code" / "访客码",
        /// 长期.
        LongTerm = "long_term" / "长期通行证",
        /// 快递外卖.
        Delivery = "delivery" / "快递外卖",
        /// 施工.
        Contractor = "contractor" / "施工人员",
    }
}

coded_enum! {
    /// How serious an incident is.
    Severity {
        /// 一般.
        Low = "low" / "一般",
        /// 较重.
        Medium = "medium" / "较重",
        /// 严重.
        High = "high" / "严重",
    }
}

coded_enum! {
    /// Whether a vehicle came in or went out.
    VehicleDirection {
        /// 入.
        In = "in" / "驶入",
        /// 出.
        Out = "out" / "驶出",
    }
}

/// What was logged at the gate.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub enum GateEntryKind {
    /// A member began duty.
    CheckIn {
        /// Who.
        member: String,
        /// The shift, if the member was planned.
        shift_id: Option<String>,
        /// The slot, if the member was planned.
        slot_id: Option<String>,
    },
    /// A member ended duty.
    CheckOut {
        /// Who.
        member: String,
    },
    /// Duty passed from one member to another mid-shift.
    Handover {
        /// Who leaves.
        from: String,
        /// Who takes over.
        to: String,
        /// The shift.
        shift_id: Option<String>,
        /// The slot.
        slot_id: Option<String>,
    },
    /// A visitor came in.
    Visitor {
        /// Name.
        name: String,
        /// Phone.
        phone: String,
        /// Purpose.
        purpose: String,
        /// The household visited, when the phone that recorded the entry held exactly one
        /// household at the address named (an office's or a building lead's phone); a gate
        /// phone holds none and leaves it empty for the office to resolve.
        household: Option<String>,
        /// Pass type.
        pass: PassType,
        /// The building or lane visited, chosen from the directory's places. Entries made
        /// before addresses were recorded carry none, and a core that predates the field
        /// reads the rest of the entry as before.
        #[autosurgeon(missing = "Default::default")]
        building_id: Option<String>,
        /// The unit and room visited, as the visitor named them (`1单元 302`).
        #[autosurgeon(missing = "Default::default")]
        room: Option<String>,
    },
    /// A vehicle came in or went out.
    Vehicle {
        /// Licence plate.
        plate: String,
        /// Purpose.
        purpose: String,
        /// Out when it left; in when it came (entries made before exits were logged carry
        /// none, which means in: a core that predates the field reads an exit as an entry).
        #[autosurgeon(missing = "Default::default")]
        direction: Option<VehicleDirection>,
    },
    /// A parcel was received, or collected.
    Parcel {
        /// Recipient's name; for a collection, who collected it.
        recipient: String,
        /// The recipient household, if known.
        household: Option<String>,
        /// Carrier.
        carrier: String,
        /// For a collection: the id of the parcel's entry (of any of the gate's days). A core
        /// that predates the field reads a collection as one more parcel.
        #[autosurgeon(missing = "Default::default")]
        picked_up: Option<String>,
    },
    /// A temperature check.
    Temperature {
        /// Whose.
        person: String,
        /// Reading, °C.
        celsius: f64,
        /// At or above [`FEVER_FROM_C`].
        fever: bool,
    },
    /// A patrol round.
    Patrol {
        /// What was seen.
        note: String,
    },
    /// An incident.
    Incident {
        /// What happened.
        note: String,
        /// How serious.
        severity: Severity,
    },
    /// A pass checked at the gate: its id and what the check found (the holder's name is
    /// shown from the pass at the time, not kept).
    PassCheck {
        /// The pass's id; empty when the text could not be read at all.
        pass_id: String,
        /// What the pass is for, when it could be read.
        kind: Option<PassKind>,
        /// What the check found.
        result: PassResult,
    },
}

impl Default for GateEntryKind {
    fn default() -> Self {
        GateEntryKind::Patrol {
            note: String::new(),
        }
    }
}

impl GateEntryKind {
    /// The entry's kind as a short code (projections and reports).
    pub fn code(&self) -> &'static str {
        match self {
            GateEntryKind::CheckIn { .. } => "check_in",
            GateEntryKind::CheckOut { .. } => "check_out",
            GateEntryKind::Handover { .. } => "handover",
            GateEntryKind::Visitor { .. } => "visitor",
            GateEntryKind::Vehicle {
                direction: Some(VehicleDirection::Out),
                ..
            } => "vehicle_exit",
            GateEntryKind::Vehicle { .. } => "vehicle",
            GateEntryKind::Parcel {
                picked_up: Some(_), ..
            } => "parcel_pickup",
            GateEntryKind::Parcel { .. } => "parcel",
            GateEntryKind::Temperature { .. } => "temperature",
            GateEntryKind::Patrol { .. } => "patrol",
            GateEntryKind::Incident { .. } => "incident",
            // One code per result, so that the day-end report counts each.
            GateEntryKind::PassCheck { result, .. } => match result {
                PassResult::Valid => "pass_valid",
                PassResult::Expired => "pass_expired",
                PassResult::NotYetValid => "pass_not_yet_valid",
                PassResult::WrongGate => "pass_wrong_gate",
                PassResult::Revoked => "pass_revoked",
                PassResult::Forged => "pass_forged",
                PassResult::OutsideHours => "pass_outside_hours",
            },
        }
    }

    /// The zh-Hans label of a kind code.
    pub fn label_zh(code: &str) -> &'static str {
        match code {
            "check_in" => "上岗签到",
            "check_out" => "下岗签退",
            "handover" => "交接班",
            "visitor" => "访客登记",
            "vehicle" => "车辆登记",
            "vehicle_exit" => "车辆驶出",
            "parcel" => "快递登记",
            "parcel_pickup" => "快递取件",
            "temperature" => "体温检测",
            "patrol" => "巡查记录",
            "incident" => "突发事件",
            "pass_valid" => "通行证核验：有效",
            "pass_expired" => "通行证核验：已过期",
            "pass_not_yet_valid" => "通行证核验：尚未生效",
            "pass_wrong_gate" => "通行证核验：非本门岗",
            "pass_revoked" => "通行证核验：已注销",
            "pass_forged" => "通行证核验：伪造或无效",
            "pass_outside_hours" => "通行证核验：不在通行时段",
            _ => "其他",
        }
    }
}

/// One entry of the gate log: append-only.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct GateEntry {
    /// Entry id (ULID).
    pub id: String,
    /// Device time (ms).
    pub at_ms: i64,
    /// The member who logged it.
    pub recorded_by: String,
    /// The device it was logged on.
    pub device: String,
    /// What.
    pub kind: GateEntryKind,
}

/// The gate log document of one gate-day.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct GateLogDoc {
    /// The gate.
    pub gate_id: String,
    /// The local day (`YYYY-MM-DD`).
    pub date: String,
    /// Entries in merge order.
    pub entries: Vec<GateEntry>,
}

impl Record for GateLogDoc {
    const KIND: DocKind = DocKind::GateLog;
}

/// A duty-relevant gate entry, as projections store it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyEvent {
    /// Entry id.
    pub id: String,
    /// When (ms).
    pub at_ms: i64,
    /// `check_in`, `check_out` or `handover`.
    pub kind: String,
    /// The member checking in / out, or taking over.
    pub member: String,
    /// The member handing over (handovers only).
    pub from_member: Option<String>,
    /// The slot named.
    pub slot_id: Option<String>,
    /// The shift named.
    pub shift_id: Option<String>,
}

/// A member present at the gate: their last check-in, or the handover to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// Who.
    pub member: String,
    /// The shift of the slot named, if any.
    pub shift_id: Option<String>,
    /// The slot named, if any.
    pub slot_id: Option<String>,
    /// Since when (ms).
    pub since_ms: i64,
}

impl Presence {
    /// Whether the presence names slot `slot_id` of shift `shift_id`.
    pub fn is_in(&self, shift_id: &str, slot_id: &str) -> bool {
        self.shift_id.as_deref() == Some(shift_id) && self.slot_id.as_deref() == Some(slot_id)
    }
}

/// Who is present at `at_ms` according to `events` (any order), by member.
pub fn presence(events: &[DutyEvent], at_ms: i64) -> Vec<Presence> {
    let mut sorted: Vec<&DutyEvent> = events.iter().filter(|e| e.at_ms <= at_ms).collect();
    sorted.sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
    let mut present: std::collections::BTreeMap<&str, &DutyEvent> =
        std::collections::BTreeMap::new();
    for e in sorted {
        match e.kind.as_str() {
            "check_in" => {
                present.insert(&e.member, e);
            }
            "check_out" => {
                present.remove(e.member.as_str());
            }
            "handover" => {
                if let Some(from) = &e.from_member {
                    present.remove(from.as_str());
                }
                present.insert(&e.member, e);
            }
            _ => {}
        }
    }
    present
        .into_iter()
        .map(|(member, e)| Presence {
            member: member.to_owned(),
            shift_id: e.shift_id.clone(),
            slot_id: e.slot_id.clone(),
            since_ms: e.at_ms,
        })
        .collect()
}

coded_enum! {
    /// How a planned slot was covered.
    Attendance {
        /// 准时.
        OnTime = "on_time" / "准时",
        /// 迟到.
        Late = "late" / "迟到",
        /// 缺岗.
        NoShow = "no_show" / "缺岗",
        /// 未到时间.
        Pending = "pending" / "未开始",
    }
}

/// How slot `slot_id` of shift `shift_id` ([`start_ms`, `end_ms`)) was covered, judged at
/// `now_ms`, by the module's attendance rules.
pub fn attendance(
    events: &[DutyEvent],
    shift_id: &str,
    slot_id: &str,
    start_ms: i64,
    end_ms: i64,
    now_ms: i64,
) -> (Attendance, Option<i64>) {
    let first = events
        .iter()
        .filter(|e| {
            e.kind == "check_in"
                && e.slot_id.as_deref() == Some(slot_id)
                && e.shift_id.as_deref() == Some(shift_id)
                && e.at_ms < end_ms
        })
        .map(|e| e.at_ms)
        .min();
    let status = match first {
        Some(t) if t <= start_ms + LATE_AFTER.num_milliseconds() => Attendance::OnTime,
        Some(_) => Attendance::Late,
        None if now_ms >= end_ms => Attendance::NoShow,
        None if now_ms > start_ms + LATE_AFTER.num_milliseconds() => Attendance::Late,
        None => Attendance::Pending,
    };
    (status, first)
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60_000;

    /// The entry kinds as cores before vehicle exits and parcel collections wrote them.
    #[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
    enum EarlierKind {
        Vehicle {
            plate: String,
            purpose: String,
        },
        Parcel {
            recipient: String,
            household: Option<String>,
            carrier: String,
        },
    }

    #[test]
    fn entries_read_across_core_versions_both_ways() {
        let mut doc = automerge::AutoCommit::new();
        let earlier = EarlierKind::Parcel {
            recipient: "张阿姨".into(),
            household: None,
            carrier: "顺丰".into(),
        };
        autosurgeon::reconcile_prop(&mut doc, automerge::ROOT, "old", &earlier).unwrap();
        let exit = GateEntryKind::Vehicle {
            plate: "沪A12345".into(),
            purpose: String::new(),
            direction: Some(VehicleDirection::Out),
        };
        autosurgeon::reconcile_prop(&mut doc, automerge::ROOT, "new", &exit).unwrap();

        let read: GateEntryKind = autosurgeon::hydrate_prop(&doc, automerge::ROOT, "old").unwrap();
        assert_eq!(read.code(), "parcel", "an earlier entry is no collection");
        let seen_before: EarlierKind =
            autosurgeon::hydrate_prop(&doc, automerge::ROOT, "new").unwrap();
        assert_eq!(
            seen_before,
            EarlierKind::Vehicle {
                plate: "沪A12345".into(),
                purpose: String::new()
            },
            "an earlier core reads an exit as a vehicle, never fails"
        );
    }

    /// A visitor entry as cores before visited addresses wrote it.
    #[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
    enum EarlierVisitor {
        Visitor {
            name: String,
            phone: String,
            purpose: String,
            household: Option<String>,
            pass: PassType,
        },
    }

    #[test]
    fn visitor_addresses_read_across_core_versions_both_ways() {
        let mut doc = automerge::AutoCommit::new();
        let earlier = EarlierVisitor::Visitor {
            name: "张三".into(),
            phone: "13800001111".into(),
            purpose: "探亲".into(),
            household: None,
            pass: PassType::VisitorCode,
        };
        autosurgeon::reconcile_prop(&mut doc, automerge::ROOT, "old", &earlier).unwrap();
        let addressed = GateEntryKind::Visitor {
            name: "李四".into(),
            phone: String::new(),
            purpose: "送药".into(),
            household: Some("h1".into()),
            pass: PassType::Temporary,
            building_id: Some("b3".into()),
            room: Some("1单元 302".into()),
        };
        autosurgeon::reconcile_prop(&mut doc, automerge::ROOT, "new", &addressed).unwrap();

        let read: GateEntryKind = autosurgeon::hydrate_prop(&doc, automerge::ROOT, "old").unwrap();
        assert_eq!(
            read,
            GateEntryKind::Visitor {
                name: "张三".into(),
                phone: "13800001111".into(),
                purpose: "探亲".into(),
                household: None,
                pass: PassType::VisitorCode,
                building_id: None,
                room: None,
            },
            "an earlier visitor reads with no address"
        );
        let seen_before: EarlierVisitor =
            autosurgeon::hydrate_prop(&doc, automerge::ROOT, "new").unwrap();
        assert_eq!(
            seen_before,
            EarlierVisitor::Visitor {
                name: "李四".into(),
                phone: String::new(),
                purpose: "送药".into(),
                household: Some("h1".into()),
                pass: PassType::Temporary,
            },
            "an earlier core reads an addressed visitor without its address, never fails"
        );
    }

    fn ev(id: &str, at_ms: i64, kind: &str, member: &str, from: Option<&str>) -> DutyEvent {
        DutyEvent {
            id: id.into(),
            at_ms,
            kind: kind.into(),
            member: member.into(),
            from_member: from.map(Into::into),
            slot_id: Some("safety_officer-1".into()),
            shift_id: Some("S".into()),
        }
    }

    #[test]
    fn handover_mid_shift_makes_no_one_late() {
        let events = vec![
            ev("1", 5 * M, "check_in", "a", None),
            ev("2", 120 * M, "handover", "b", Some("a")),
        ];
        let (status, first) = attendance(&events, "S", "safety_officer-1", 0, 240 * M, 300 * M);
        assert_eq!(status, Attendance::OnTime);
        assert_eq!(first, Some(5 * M));
        let present = presence(&events, 150 * M);
        assert_eq!(present.len(), 1);
        assert_eq!(present[0].member, "b");
        assert!(present[0].is_in("S", "safety_officer-1"));
        assert!(!present[0].is_in("T", "safety_officer-1"));
    }

    #[test]
    fn late_no_show_and_pending() {
        let late = vec![ev("1", 11 * M, "check_in", "a", None)];
        assert_eq!(
            attendance(&late, "S", "safety_officer-1", 0, 240 * M, 300 * M).0,
            Attendance::Late
        );
        assert_eq!(
            attendance(&[], "S", "safety_officer-1", 0, 240 * M, 240 * M).0,
            Attendance::NoShow
        );
        assert_eq!(
            attendance(&[], "S", "safety_officer-1", 0, 240 * M, 5 * M).0,
            Attendance::Pending
        );
    }

    #[test]
    fn check_out_ends_presence() {
        let events = vec![
            ev("1", 0, "check_in", "a", None),
            ev("2", 10 * M, "check_out", "a", None),
        ];
        assert_eq!(presence(&events, 5 * M).len(), 1);
        assert!(presence(&events, 11 * M).is_empty());
    }
}
