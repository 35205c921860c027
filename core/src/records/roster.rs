//! A gate's duty roster for one week: shifts with role slots (门长, 值班长, 安全员×N) assigned to
//! members, and swap requests that the target accepts and the gate lead approves.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::coded_enum;
use crate::doc::{DocKind, Record};

coded_enum! {
    /// A duty slot's role.
    DutyRole {
        /// 门长.
        GateLead = "gate_lead" / "门长",
        /// 值班长.
        ShiftLead = "shift_lead" / "值班长",
        /// 安全员.
        SafetyOfficer = "safety_officer" / "安全员",
    }
}

/// The most safety officers a shift may have.
pub const MAX_SAFETY_OFFICERS: i64 = 12;

/// A slot of a shift.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Slot {
    /// The slot's role.
    pub role: DutyRole,
    /// 1-based position among slots of the same role.
    pub position: i64,
    /// The member assigned, if any. Two concurrent assignments are a visible conflict.
    pub member: Option<String>,
}

/// A shift.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Shift {
    /// Start (ms since the epoch).
    pub start_ms: i64,
    /// End (ms since the epoch).
    pub end_ms: i64,
    /// A label such as 早班.
    pub label: String,
    /// Slots by slot id (`gate_lead-1`, `safety_officer-2`, …).
    pub slots: BTreeMap<String, Slot>,
}

/// A request to hand a slot to someone else.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Swap {
    /// The shift.
    pub shift_id: String,
    /// The slot.
    pub slot_id: String,
    /// Who gives the slot away.
    pub from_member: String,
    /// Who takes it.
    pub to_member: String,
    /// Who asked.
    pub requested_by: String,
    /// When (ms).
    pub requested_ms: i64,
    /// When the taker accepted (ms).
    pub accepted_ms: Option<i64>,
    /// The gate lead (or office) who approved.
    pub approved_by: Option<String>,
    /// When (ms).
    pub approved_ms: Option<i64>,
}

coded_enum! {
    /// Where a swap stands.
    SwapStatus {
        /// 待接受.
        Requested = "requested" / "待接受",
        /// 待批准.
        Accepted = "accepted" / "待门长批准",
        /// 已批准.
        Approved = "approved" / "已批准",
    }
}

impl Swap {
    /// Where the swap stands.
    pub fn status(&self) -> SwapStatus {
        match (self.accepted_ms, &self.approved_by) {
            (_, Some(_)) => SwapStatus::Approved,
            (Some(_), None) => SwapStatus::Accepted,
            (None, None) => SwapStatus::Requested,
        }
    }
}

/// The roster document of one gate-week.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct RosterDoc {
    /// The gate.
    pub gate_id: String,
    /// The Monday starting the week (local `YYYY-MM-DD`).
    pub week_start: String,
    /// Shifts by id.
    pub shifts: BTreeMap<String, Shift>,
    /// Swap requests by id.
    pub swaps: BTreeMap<String, Swap>,
}

impl Record for RosterDoc {
    const KIND: DocKind = DocKind::Roster;
}

/// The slots of a new shift: one gate lead, one shift lead and `safety_officers` officers.
pub fn slots_for(safety_officers: i64) -> BTreeMap<String, Slot> {
    use super::Coded;
    let mut slots = BTreeMap::new();
    let roles = [(DutyRole::GateLead, 1), (DutyRole::ShiftLead, 1)]
        .into_iter()
        .chain([(DutyRole::SafetyOfficer, safety_officers)]);
    for (role, count) in roles {
        for position in 1..=count {
            slots.insert(
                format!("{}-{position}", role.code()),
                Slot {
                    role,
                    position,
                    member: None,
                },
            );
        }
    }
    slots
}
