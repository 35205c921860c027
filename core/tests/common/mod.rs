//! Shared fixtures: devices on temporary stores sharing one manual clock, a small community,
//! and an in-memory exchange of changes between devices.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::{DeviceIdentity, Error, Linli, ManualClock};
use tempfile::TempDir;

/// 2026-11-23 09:00 in Shanghai.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

pub struct Devices {
    pub dir: TempDir,
    pub clock: Arc<ManualClock>,
}

impl Devices {
    pub fn new() -> Self {
        Devices {
            dir: tempfile::tempdir().unwrap(),
            clock: Arc::new(ManualClock::new(start_time())),
        }
    }

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
pub struct Community {
    pub compound: String,
    pub east_gate: String,
    pub building3: String,
    pub building5: String,
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

/// The field named by an `InvalidInput` error.
pub fn bad_field<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}
