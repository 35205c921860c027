//! Fixtures and properties shared by the core's tests and `linli-bench` (feature
//! `test-support`): devices on temporary stores sharing one manual clock, a small community, an
//! in-memory exchange of changes between devices, the [`convergence`] property, and the
//! [`sources`] that tests read.

pub mod convergence;
pub mod sources;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use tempfile::TempDir;

use crate::api::directory::{MemberInput, RoleInput};
use crate::records::directory::{PlaceKind, Role};
use crate::{DeviceIdentity, Linli, ManualClock};

/// 2026-11-23 09:00 in Shanghai.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

/// Devices on temporary stores in one folder, sharing one manual clock.
#[derive(Debug)]
pub struct Devices {
    /// The folder holding every device's store.
    pub dir: TempDir,
    /// The clock every device reads.
    pub clock: Arc<ManualClock>,
}

impl Devices {
    /// A fresh folder and a clock at [`start_time`].
    pub fn new() -> Self {
        Devices {
            dir: tempfile::tempdir().unwrap(),
            clock: Arc::new(ManualClock::new(start_time())),
        }
    }

    /// Opens (or creates) `device`'s store for `member`.
    pub fn open(&self, member: &str, device: &str) -> Linli {
        Linli::open(
            &self.dir.path().join(format!("{device}.db")),
            DeviceIdentity {
                member_id: member.into(),
                device_id: device.into(),
            },
            self.clock.clone(),
        )
        .unwrap()
    }
}

impl Default for Devices {
    fn default() -> Self {
        Devices::new()
    }
}

/// Sends every change each device has to every other device.
pub fn sync_all(devices: &[&Linli]) {
    for _ in 0..2 {
        for (i, from) in devices.iter().enumerate() {
            let mut batch = Vec::new();
            for d in from.documents().unwrap() {
                batch.extend(from.changes_since(&d.doc_id, &[]).unwrap());
            }
            for (j, to) in devices.iter().enumerate() {
                if i != j {
                    to.apply_remote(&batch).unwrap();
                }
            }
        }
    }
}

/// The ids of the test community.
#[derive(Debug, Clone)]
pub struct Community {
    /// 梅园新村.
    pub compound: String,
    /// 东门.
    pub east_gate: String,
    /// 3号楼.
    pub building3: String,
    /// 5号楼.
    pub building5: String,
    /// 第一片区.
    pub area: String,
}

/// Members: office `office`, building leads `lead-wang` (3号楼) and `lead-li` (3号楼, 5号楼),
/// gate lead `gate-zhao`, shift lead `shift-qian`, safety officers `guard-sun` and `guard-zhou`
/// (east gate), volunteer `vol-wu`.
pub fn community(office: &Linli) -> Community {
    office
        .create_community("梅园社区", None, "陈主任", "13800000001")
        .unwrap();
    let area = office.add_place(PlaceKind::Area, "第一片区", None).unwrap();
    let compound = office
        .add_place(PlaceKind::Compound, "梅园新村", Some(&area))
        .unwrap();
    let east_gate = office
        .add_place(PlaceKind::Gate, "东门", Some(&compound))
        .unwrap();
    let building3 = office
        .add_place(PlaceKind::Building, "3号楼", Some(&compound))
        .unwrap();
    let building5 = office
        .add_place(PlaceKind::Building, "5号楼", Some(&compound))
        .unwrap();
    let add = |id: &str, name: &str, roles: Vec<(Role, Vec<&String>)>| {
        office
            .add_member(&MemberInput {
                id: Some(id.into()),
                name: name.into(),
                phone: String::new(),
                roles: roles
                    .into_iter()
                    .map(|(role, places)| RoleInput {
                        role,
                        places: places.into_iter().cloned().collect(),
                    })
                    .collect(),
            })
            .unwrap();
    };
    add(
        "lead-wang",
        "王建国",
        vec![(Role::BuildingLead, vec![&building3])],
    );
    add(
        "lead-li",
        "李秀英",
        vec![(Role::BuildingLead, vec![&building3, &building5])],
    );
    add(
        "gate-zhao",
        "赵门长",
        vec![(Role::GateLead, vec![&east_gate])],
    );
    add(
        "shift-qian",
        "钱班长",
        vec![(Role::ShiftLead, vec![&east_gate])],
    );
    add(
        "guard-sun",
        "孙保安",
        vec![(Role::SafetyOfficer, vec![&east_gate])],
    );
    add(
        "guard-zhou",
        "周保安",
        vec![(Role::SafetyOfficer, vec![&east_gate])],
    );
    add("vol-wu", "吴志愿", vec![(Role::Volunteer, vec![])]);
    Community {
        compound,
        east_gate,
        building3,
        building5,
        area,
    }
}
