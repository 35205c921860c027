//! Gate duty through the public API: roster, conflicts on slots, swaps, the badge view, check-in
//! and the gate log.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use common::{Devices, bad_field, community, start_time, sync_all};
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::duty::VisitorInput;
use linli_core::api::households::HouseholdInput;
use linli_core::api::records::Resolution;
use linli_core::records::directory::Role;
use linli_core::records::gate_log::{Attendance, GateEntryKind, GateLogDoc, PassType, Severity};
use linli_core::records::roster::{DutyRole, SwapStatus};
use linli_core::{Error, ErrorCode, Linli};
use proptest::prelude::*;

#[test]
fn roster_badge_view_check_in_and_handover() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let gate_lead = devices.open("gate-zhao", "zhao-phone");
    let guard = devices.open("guard-sun", "sun-phone");
    let guard2 = devices.open("guard-zhou", "zhou-phone");
    sync_all(&[&office, &gate_lead, &guard, &guard2]);

    let start = start_time();
    let shift = gate_lead
        .add_shift(&c.east_gate, "早班", start, start + Duration::hours(8), 2)
        .unwrap();
    gate_lead
        .assign_slot(&c.east_gate, &shift, "gate_lead-1", Some("gate-zhao"))
        .unwrap();
    gate_lead
        .assign_slot(&c.east_gate, &shift, "safety_officer-1", Some("guard-sun"))
        .unwrap();
    // A shift lead slot needs a shift lead or the gate lead.
    assert_eq!(
        bad_field(gate_lead.assign_slot(&c.east_gate, &shift, "shift_lead-1", Some("guard-sun"))),
        "member_id"
    );
    let week = gate_lead
        .roster_week(&c.east_gate, office.community().unwrap().local_date(start))
        .unwrap();
    assert_eq!(week.len(), 1);
    assert_eq!(week[0].slots.len(), 4);
    assert_eq!(week[0].slots[0].role, DutyRole::GateLead);
    assert_eq!(week[0].slots[0].member_name.as_deref(), Some("赵门长"));

    sync_all(&[&office, &gate_lead, &guard, &guard2]);
    devices.clock.advance(Duration::minutes(5));
    guard.check_in(&c.east_gate).unwrap();
    assert!(matches!(
        guard.check_in(&c.east_gate),
        Err(Error::InvalidState { .. })
    ));
    sync_all(&[&office, &gate_lead, &guard, &guard2]);

    let view = office.on_duty(&c.east_gate).unwrap();
    assert_eq!(view.gate_name, "东门");
    let so1 = view
        .slots
        .iter()
        .find(|s| s.slot_id == "safety_officer-1")
        .unwrap();
    assert_eq!(so1.planned.as_ref().unwrap().1, "孙保安");
    assert_eq!(so1.on_duty.as_ref().unwrap().0, "guard-sun");
    assert_eq!(so1.attendance, Attendance::OnTime);
    let gl = view
        .slots
        .iter()
        .find(|s| s.slot_id == "gate_lead-1")
        .unwrap();
    assert!(gl.on_duty.is_none());
    assert_eq!(gl.attendance, Attendance::Pending);

    // Mid-shift handover: nobody becomes late.
    devices.clock.advance(Duration::hours(3));
    assert!(
        matches!(
            guard.hand_over(&c.east_gate, "lead-wang"),
            Err(Error::InvalidInput {
                code: linli_core::ErrorCode::NoDutyRole,
                ..
            })
        ),
        "a building lead does not take over a gate"
    );
    guard.hand_over(&c.east_gate, "guard-zhou").unwrap();
    sync_all(&[&office, &gate_lead, &guard, &guard2]);
    let view = office.on_duty(&c.east_gate).unwrap();
    let so1 = view
        .slots
        .iter()
        .find(|s| s.slot_id == "safety_officer-1")
        .unwrap();
    assert_eq!(so1.on_duty.as_ref().unwrap().0, "guard-zhou");
    assert_eq!(so1.attendance, Attendance::OnTime);
    assert!(matches!(
        guard.check_out(&c.east_gate),
        Err(Error::InvalidState { .. })
    ));
    guard2.check_out(&c.east_gate).unwrap();
    let gl = office.on_duty(&c.east_gate).unwrap();
    assert_eq!(
        gl.slots
            .iter()
            .find(|s| s.slot_id == "gate_lead-1")
            .unwrap()
            .attendance,
        Attendance::Late
    );
}

#[test]
fn a_slot_assigned_twice_offline_is_a_conflict_until_resolved() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let gate_lead = devices.open("gate-zhao", "zhao-phone");
    sync_all(&[&office, &gate_lead]);
    let start = start_time();
    let shift = office
        .add_shift(&c.east_gate, "夜班", start, start + Duration::hours(12), 1)
        .unwrap();
    sync_all(&[&office, &gate_lead]);

    office
        .assign_slot(&c.east_gate, &shift, "safety_officer-1", Some("guard-sun"))
        .unwrap();
    gate_lead
        .assign_slot(&c.east_gate, &shift, "safety_officer-1", Some("guard-zhou"))
        .unwrap();
    sync_all(&[&office, &gate_lead]);

    let roster_doc = office
        .roster_week(&c.east_gate, office.community().unwrap().local_date(start))
        .unwrap()[0]
        .roster_doc
        .clone();
    for device in [&office, &gate_lead] {
        let conflicts = device.conflicts(&roster_doc).unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        let conflict = &conflicts[0];
        assert_eq!(conflict.path.last().unwrap(), "member");
        let mut shown: Vec<_> = conflict.values.iter().map(|v| v.display.clone()).collect();
        shown.sort();
        assert_eq!(shown, vec!["周保安", "孙保安"], "members by name");
        let mut by: Vec<_> = conflict.values.iter().map(|v| v.member.clone()).collect();
        by.sort();
        assert_eq!(by, vec!["gate-zhao", "office"]);
    }
    assert_eq!(
        office.heads(&roster_doc).unwrap(),
        gate_lead.heads(&roster_doc).unwrap()
    );

    let conflict = gate_lead.conflicts(&roster_doc).unwrap().remove(0);
    let zhou = conflict
        .values
        .iter()
        .position(|v| v.display == "周保安")
        .unwrap();
    gate_lead
        .resolve_conflict(&roster_doc, &conflict.path, &Resolution::Pick(zhou))
        .unwrap();
    sync_all(&[&office, &gate_lead]);
    for device in [&office, &gate_lead] {
        assert!(device.conflicts(&roster_doc).unwrap().is_empty());
        let week = device
            .roster_week(&c.east_gate, device.community().unwrap().local_date(start))
            .unwrap();
        let slot = week[0]
            .slots
            .iter()
            .find(|s| s.slot_id == "safety_officer-1")
            .unwrap();
        assert_eq!(slot.member_id.as_deref(), Some("guard-zhou"));
    }
    assert!(matches!(
        gate_lead.resolve_conflict(&roster_doc, &conflict.path, &Resolution::Pick(0)),
        Err(Error::InvalidState { .. })
    ));
    gate_lead
        .assign_slot(&c.east_gate, &shift, "safety_officer-1", None)
        .unwrap();
    let week = gate_lead
        .roster_week(
            &c.east_gate,
            gate_lead.community().unwrap().local_date(start),
        )
        .unwrap();
    assert!(week[0].slots.iter().all(|s| s.member_id.is_none()));
    assert!(matches!(
        gate_lead.assign_slot(&c.east_gate, &shift, "safety_officer-9", Some("guard-sun")),
        Err(Error::NotFound { what: "slot", .. })
    ));
    assert!(matches!(
        office.add_shift(&c.east_gate, "x", start, start, 1),
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(
        bad_field(office.add_shift(&c.east_gate, "x", start, start + Duration::hours(25), 1)),
        "end"
    );
    assert_eq!(
        bad_field(office.add_shift(&c.east_gate, "x", start, start + Duration::hours(2), 13)),
        "safety_officers"
    );
}

#[test]
fn swap_request_accept_approve() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let gate_lead = devices.open("gate-zhao", "zhao-phone");
    let sun = devices.open("guard-sun", "sun-phone");
    let zhou = devices.open("guard-zhou", "zhou-phone");
    let all = [&office, &gate_lead, &sun, &zhou];
    sync_all(&all);
    let start = start_time() + Duration::days(1);
    let shift = gate_lead
        .add_shift(&c.east_gate, "早班", start, start + Duration::hours(8), 1)
        .unwrap();
    gate_lead
        .assign_slot(&c.east_gate, &shift, "safety_officer-1", Some("guard-sun"))
        .unwrap();
    sync_all(&all);

    assert_eq!(
        bad_field(sun.request_swap(&c.east_gate, &shift, "safety_officer-1", "guard-sun")),
        "to_member"
    );
    let swap = sun
        .request_swap(&c.east_gate, &shift, "safety_officer-1", "guard-zhou")
        .unwrap();
    sync_all(&all);
    assert!(matches!(
        gate_lead.approve_swap(&c.east_gate, &swap),
        Err(Error::InvalidState { .. })
    ));
    assert!(matches!(
        sun.accept_swap(&c.east_gate, &swap),
        Err(Error::Forbidden { .. })
    ));
    zhou.accept_swap(&c.east_gate, &swap).unwrap();
    sync_all(&all);
    assert!(matches!(
        zhou.approve_swap(&c.east_gate, &swap),
        Err(Error::Forbidden { .. })
    ));
    gate_lead.approve_swap(&c.east_gate, &swap).unwrap();
    sync_all(&all);
    for d in all {
        let swaps = d.swaps(&c.east_gate).unwrap();
        assert_eq!(swaps[0].status, SwapStatus::Approved);
        let week = d
            .roster_week(&c.east_gate, d.community().unwrap().local_date(start))
            .unwrap();
        assert_eq!(
            week[0]
                .slots
                .iter()
                .find(|s| s.slot_id == "safety_officer-1")
                .unwrap()
                .member_id
                .as_deref(),
            Some("guard-zhou")
        );
    }
}

#[test]
fn gate_log_entries_and_their_validation() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let guard = devices.open("guard-sun", "sun-phone");
    let lead = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &guard, &lead]);
    let gate = &c.east_gate;

    guard
        .register_visitor(
            gate,
            &VisitorInput {
                name: "刘先生".into(),
                phone: "13912345678".into(),
                purpose: "探望父母".into(),
                household: None,
                pass: PassType::Temporary,
                ..VisitorInput::default()
            },
        )
        .unwrap();
    guard.register_vehicle(gate, "沪A·12345", "送货").unwrap();
    guard.register_parcel(gate, "张阿姨", None, "顺丰").unwrap();
    let (_, fever) = guard.record_temperature(gate, "刘先生", 37.3).unwrap();
    assert!(fever);
    let (_, fever) = guard.record_temperature(gate, "张阿姨", 36.5).unwrap();
    assert!(!fever);
    guard.record_patrol(gate, "地下车库巡查正常").unwrap();
    guard
        .record_incident(gate, "有人翻越围栏", Severity::Medium)
        .unwrap();

    assert_eq!(
        bad_field(guard.record_temperature(gate, "x", 33.9)),
        "celsius"
    );
    assert_eq!(
        bad_field(guard.record_temperature(gate, "x", 43.1)),
        "celsius"
    );
    assert_eq!(
        bad_field(guard.record_temperature(gate, "x", f64::NAN)),
        "celsius"
    );
    assert_eq!(bad_field(guard.register_vehicle(gate, "ABC", "")), "plate");
    assert_eq!(
        bad_field(guard.register_visitor(
            gate,
            &VisitorInput {
                name: "刘".into(),
                phone: "1".into(),
                purpose: "x".into(),
                ..Default::default()
            }
        )),
        "phone"
    );
    assert_eq!(
        bad_field(guard.register_visitor(
            gate,
            &VisitorInput {
                name: "刘".into(),
                purpose: " ".into(),
                ..Default::default()
            }
        )),
        "purpose"
    );
    assert_eq!(bad_field(guard.record_patrol(gate, "")), "note");
    assert!(matches!(
        lead.record_patrol(gate, "路过"),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        guard.record_patrol("no-gate", "x"),
        Err(Error::NotFound { what: "gate", .. })
    ));

    let date = office.community().unwrap().local_date(start_time());
    let entries = guard.gate_entries(gate, date).unwrap();
    assert_eq!(entries.len(), 7);
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "visitor",
            "vehicle",
            "parcel",
            "temperature",
            "temperature",
            "patrol",
            "incident"
        ]
    );
    assert!(entries[3].flagged && !entries[4].flagged);
    assert_eq!(entries[1].summary, "沪A12345：送货");
    assert_eq!(entries[3].summary, "刘先生 37.3℃");
    // Each row names its gate day (for its history), a visitor's pass type and an incident's
    // severity; a visitor who named no address has none.
    let day = linli_core::ids::gate_log_doc_id(gate, date);
    assert!(entries.iter().all(|e| e.record_id == day), "{entries:?}");
    assert_eq!(
        entries.iter().map(|e| e.pass).collect::<Vec<_>>(),
        [
            Some(PassType::Temporary),
            None,
            None,
            None,
            None,
            None,
            None
        ]
    );
    assert_eq!(
        entries.iter().map(|e| e.severity).collect::<Vec<_>>(),
        [None, None, None, None, None, None, Some(Severity::Medium)]
    );
    assert_eq!(entries[0].summary, "刘先生：探望父母");
    assert!(entries.iter().all(|e| e.visiting.is_empty()));
}

/// The household a visitor entry of gate day `doc_id` names, read from the record itself.
fn visitor_household(d: &Linli, doc_id: &str, entry_id: &str) -> Option<String> {
    let mut doc = automerge::AutoCommit::new();
    for change in d.changes_since(doc_id, &[]).unwrap() {
        doc.load_incremental(&change.bytes).unwrap();
    }
    let log: GateLogDoc = autosurgeon::hydrate(&doc).unwrap();
    match log
        .entries
        .into_iter()
        .find(|e| e.id == entry_id)
        .unwrap()
        .kind
    {
        GateEntryKind::Visitor { household, .. } => household,
        other => panic!("not a visitor: {other:?}"),
    }
}

#[test]
fn a_visitor_names_the_address_and_the_household_is_filled_only_where_it_is_held() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let guard = devices.open("guard-sun", "sun-phone");
    sync_all(&[&office, &guard]);
    // The office holds 3号楼's households; the gate phone does not (gate roles read none).
    let household = |unit: &str, room: &str| {
        office
            .register_household(&HouseholdInput {
                building_id: c.building3.clone(),
                unit: unit.into(),
                room: room.into(),
                ..HouseholdInput::default()
            })
            .unwrap()
    };
    let h302 = household("1单元", "302");
    household("2单元", "302");
    let gate = &c.east_gate;
    let date = office.community().unwrap().local_date(start_time());
    let day = linli_core::ids::gate_log_doc_id(gate, date);
    let visitor = |name: &str, room: &str| VisitorInput {
        name: name.into(),
        phone: "13800001111".into(),
        purpose: "探亲".into(),
        pass: PassType::VisitorCode,
        building_id: Some(c.building3.clone()),
        room: room.into(),
        ..VisitorInput::default()
    };

    let by_guard = guard
        .register_visitor(gate, &visitor("张三", " 1单元 302 "))
        .unwrap();
    let row = guard
        .gate_entries(gate, date)
        .unwrap()
        .into_iter()
        .find(|e| e.id == by_guard)
        .unwrap();
    assert_eq!(row.visiting, "3号楼 1单元 302");
    assert_eq!(row.summary, "张三：探亲 → 3号楼 1单元 302");
    assert_eq!(row.pass, Some(PassType::VisitorCode));
    assert_eq!(row.record_id, day);
    assert_eq!(visitor_household(&guard, &day, &by_guard), None);

    // The office holds exactly one household at the address however it is written, so its
    // own entries name it; the room alone names two households, so none.
    let mut by_office = Vec::new();
    for said in ["1单元 302", "1-302", "1单元302室"] {
        by_office.push(
            office
                .register_visitor(gate, &visitor("李四", said))
                .unwrap(),
        );
    }
    for id in &by_office {
        assert_eq!(visitor_household(&office, &day, id), Some(h302.clone()));
    }
    let ambiguous = office
        .register_visitor(gate, &visitor("王五", "302"))
        .unwrap();
    assert_eq!(visitor_household(&office, &day, &ambiguous), None);
    let nobody = office
        .register_visitor(gate, &visitor("赵六", "3单元 101"))
        .unwrap();
    assert_eq!(visitor_household(&office, &day, &nobody), None);

    // After a sync the office reads the guard's entry with its address and no household: the
    // entry is the gate phone's, and the office resolves the address from its own list.
    sync_all(&[&office, &guard]);
    let seen = office
        .gate_entries(gate, date)
        .unwrap()
        .into_iter()
        .find(|e| e.id == by_guard)
        .unwrap();
    assert_eq!(seen.visiting, "3号楼 1单元 302");
    assert_eq!(visitor_household(&office, &day, &by_guard), None);

    // A lane is an address too; a building alone is one.
    let lane = office
        .add_place(
            linli_core::records::directory::PlaceKind::Lane,
            "梅园弄",
            None,
        )
        .unwrap();
    sync_all(&[&office, &guard]);
    let in_lane = guard
        .register_visitor(
            gate,
            &VisitorInput {
                building_id: Some(lane),
                room: "12号".into(),
                ..visitor("钱七", "")
            },
        )
        .unwrap();
    let only_building = guard.register_visitor(gate, &visitor("孙八", "")).unwrap();
    let rows = guard.gate_entries(gate, date).unwrap();
    let visiting = |id: &str| rows.iter().find(|e| e.id == id).unwrap().visiting.clone();
    assert_eq!(visiting(&in_lane), "梅园弄 12号");
    assert_eq!(visiting(&only_building), "3号楼");
}

#[test]
fn a_visitors_address_is_refused_unless_it_is_a_building_or_lane_of_the_directory_and_a_household_id()
 {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let guard = devices.open("guard-sun", "sun-phone");
    sync_all(&[&office, &guard]);
    let to = |building: Option<&str>, room: &str| VisitorInput {
        name: "张三".into(),
        purpose: "探亲".into(),
        building_id: building.map(str::to_owned),
        room: room.into(),
        ..VisitorInput::default()
    };
    let refused = |input: VisitorInput| match guard.register_visitor(&c.east_gate, &input) {
        Err(Error::InvalidInput { field, code, .. }) => (field, code),
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    assert_eq!(
        refused(to(Some("no-such-building"), "1单元 302")),
        ("building_id".into(), ErrorCode::NoSuchPlace)
    );
    assert_eq!(
        refused(to(Some(&c.east_gate), "1单元 302")),
        ("building_id".into(), ErrorCode::WrongPlaceKind)
    );
    assert_eq!(
        refused(to(None, "1单元 302")),
        ("building_id".into(), ErrorCode::Incomplete)
    );
    assert_eq!(
        refused(to(Some(&c.building3), &"3".repeat(65))),
        ("room".into(), ErrorCode::TooLong)
    );
    assert_eq!(
        refused(to(Some(&c.building3), "302\u{7}")),
        ("room".into(), ErrorCode::ControlCharacters)
    );
    // A household named by id is an id: no line breaks, no free text, no kilobytes.
    for household in ["hh-1\nforged", "王家", &"h".repeat(65)] {
        assert_eq!(
            refused(VisitorInput {
                household: Some(household.to_owned()),
                ..to(Some(&c.building3), "1单元 302")
            }),
            ("household_id".into(), ErrorCode::Malformed),
            "{household:?}"
        );
    }
    let date = office.community().unwrap().local_date(start_time());
    assert!(guard.gate_entries(&c.east_gate, date).unwrap().is_empty());
}

#[test]
fn two_devices_creating_the_same_gate_day_share_one_log() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let a = devices.open("guard-sun", "sun-phone");
    let b = devices.open("guard-zhou", "zhou-phone");
    sync_all(&[&office, &a, &b]);
    // Both phones create today's log offline.
    a.record_patrol(&c.east_gate, "北侧正常").unwrap();
    b.record_patrol(&c.east_gate, "南侧正常").unwrap();
    sync_all(&[&office, &a, &b]);
    let date = office.community().unwrap().local_date(start_time());
    for d in [&office, &a, &b] {
        assert_eq!(d.gate_entries(&c.east_gate, date).unwrap().len(), 2);
    }
    let doc = linli_core::ids::gate_log_doc_id(&c.east_gate, date);
    assert!(office.conflicts(&doc).unwrap().is_empty());
}

#[test]
fn a_gate_log_written_entry_by_entry_between_merges_projects_as_its_rebuild() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let a = devices.open("guard-sun", "sun-phone");
    let b = devices.open("guard-zhou", "zhou-phone");
    sync_all(&[&office, &a, &b]);
    // Local entries go in one at a time; merges put the other phone's in between.
    for i in 0..6 {
        a.record_patrol(&c.east_gate, &format!("北侧第{i}次巡查"))
            .unwrap();
        b.register_vehicle(&c.east_gate, &format!("沪A1234{i}"), "送货")
            .unwrap();
        if i % 2 == 1 {
            sync_all(&[&office, &a, &b]);
        }
        a.record_temperature(&c.east_gate, "访客", 36.0 + f64::from(i))
            .unwrap();
    }
    sync_all(&[&office, &a, &b]);
    let date = office.community().unwrap().local_date(start_time());
    for d in [&office, &a, &b] {
        assert_eq!(d.gate_entries(&c.east_gate, date).unwrap().len(), 18);
        let incremental = d.projection_dump().unwrap();
        d.rebuild_projections().unwrap();
        assert_eq!(d.projection_dump().unwrap(), incremental);
    }
    let fevers = a.gate_entries(&c.east_gate, date).unwrap();
    assert_eq!(
        fevers.iter().filter(|e| e.flagged).count(),
        4,
        "37.3 °C and up"
    );
}

/// Everyone present at the gate in the badge view, with where they show (slot or others).
fn shown(view: &linli_core::api::duty::OnDutyView) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = view
        .slots
        .iter()
        .filter_map(|s| {
            let (m, _) = s.on_duty.as_ref()?;
            Some((m.clone(), format!("{}/{}", s.shift_id, s.slot_id)))
        })
        .chain(
            view.others
                .iter()
                .map(|(m, _, _)| (m.clone(), "others".into())),
        )
        .collect();
    out.sort();
    out
}

#[test]
fn overlapping_shifts_keep_each_member_in_their_own_shifts_slot() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let zhao = devices.open("gate-zhao", "zhao-phone");
    let qian = devices.open("shift-qian", "qian-phone");
    let sun = devices.open("guard-sun", "sun-phone");
    let zhou = devices.open("guard-zhou", "zhou-phone");
    office
        .add_member(&MemberInput {
            id: Some("guard-feng".into()),
            name: "冯保安".into(),
            phone: String::new(),
            roles: vec![RoleInput {
                role: Role::SafetyOfficer,
                places: vec![c.east_gate.clone()],
            }],
        })
        .unwrap();
    let feng = devices.open("guard-feng", "feng-phone");
    let all = [&office, &zhao, &qian, &sun, &zhou, &feng];
    sync_all(&all);
    let gate = &c.east_gate;

    // 早班 09:00–17:00 and 夜班 15:00–03:00 overlap for two hours; both have `gate_lead-1`,
    // `shift_lead-1`, `safety_officer-1` and `safety_officer-2`.
    let start = start_time();
    let early = zhao
        .add_shift(gate, "早班", start, start + Duration::hours(8), 2)
        .unwrap();
    let night_start = start + Duration::hours(6);
    let night = zhao
        .add_shift(
            gate,
            "夜班",
            night_start,
            night_start + Duration::hours(12),
            2,
        )
        .unwrap();
    zhao.assign_slot(gate, &early, "gate_lead-1", Some("gate-zhao"))
        .unwrap();
    zhao.assign_slot(gate, &early, "safety_officer-1", Some("guard-sun"))
        .unwrap();
    zhao.assign_slot(gate, &night, "shift_lead-1", Some("shift-qian"))
        .unwrap();
    zhao.assign_slot(gate, &night, "safety_officer-1", Some("guard-zhou"))
        .unwrap();
    sync_all(&all);

    devices.clock.advance(Duration::minutes(5)); // 09:05
    sun.check_in(gate).unwrap();
    zhao.check_in(gate).unwrap();
    devices.clock.advance(Duration::minutes(5 * 60 + 45)); // 14:50, 夜班 is 10 minutes away
    zhou.check_in(gate).unwrap();
    feng.check_in(gate).unwrap(); // planned nowhere
    devices.clock.advance(Duration::minutes(15)); // 15:05, both shifts run
    qian.check_in(gate).unwrap();
    sync_all(&all);

    let view = office.on_duty(gate).unwrap();
    assert_eq!(view.slots.len(), 8);
    let slot = |shift: &str, slot: &str| {
        view.slots
            .iter()
            .find(|s| s.shift_id == shift && s.slot_id == slot)
            .unwrap()
    };
    let on = |shift: &str, s: &str| slot(shift, s).on_duty.as_ref().map(|(m, _)| m.clone());
    assert_eq!(on(&early, "gate_lead-1").as_deref(), Some("gate-zhao"));
    assert_eq!(on(&early, "shift_lead-1"), None);
    assert_eq!(on(&early, "safety_officer-1").as_deref(), Some("guard-sun"));
    assert_eq!(on(&early, "safety_officer-2"), None);
    assert_eq!(on(&night, "gate_lead-1"), None);
    assert_eq!(on(&night, "shift_lead-1").as_deref(), Some("shift-qian"));
    assert_eq!(
        on(&night, "safety_officer-1").as_deref(),
        Some("guard-zhou")
    );
    assert_eq!(on(&night, "safety_officer-2"), None);
    assert_eq!(
        slot(&night, "safety_officer-1").attendance,
        Attendance::OnTime
    );
    assert_eq!(slot(&night, "shift_lead-1").attendance, Attendance::OnTime);
    assert_eq!(
        view.others
            .iter()
            .map(|(m, _, _)| m.as_str())
            .collect::<Vec<_>>(),
        ["guard-feng"]
    );
    let shown_members: Vec<String> = shown(&view).into_iter().map(|(m, _)| m).collect();
    assert_eq!(
        shown_members,
        [
            "gate-zhao",
            "guard-feng",
            "guard-sun",
            "guard-zhou",
            "shift-qian"
        ],
        "everyone present shows once"
    );

    // 夜班's safety officer hands over: the slot passes within 夜班, 早班's stays as it was.
    devices.clock.advance(Duration::minutes(55)); // 16:00
    zhou.hand_over(gate, "guard-feng").unwrap();
    sync_all(&all);
    let view = office.on_duty(gate).unwrap();
    assert_eq!(
        shown(&view),
        [
            ("gate-zhao".to_owned(), format!("{early}/gate_lead-1")),
            ("guard-feng".to_owned(), format!("{night}/safety_officer-1")),
            ("guard-sun".to_owned(), format!("{early}/safety_officer-1")),
            ("shift-qian".to_owned(), format!("{night}/shift_lead-1")),
        ]
    );

    // After both shifts: every planned slot was covered on time; the slots nobody was
    // assigned to are neither planned nor missed.
    devices.clock.advance(Duration::hours(12)); // 04:00 the next day
    let duty = &office
        .day_report(office.community().unwrap().local_date(start))
        .unwrap()
        .duty[0];
    assert_eq!(
        (
            duty.slots,
            duty.planned,
            duty.on_time,
            duty.late,
            duty.no_show
        ),
        (8, 4, 4, 0, 0)
    );
}

/// The slots of a shift with two safety officers, in roster order.
const SLOT_IDS: [&str; 4] = [
    "gate_lead-1",
    "shift_lead-1",
    "safety_officer-1",
    "safety_officer-2",
];
/// The members who may work the east gate.
const GATE_MEMBERS: [&str; 4] = ["gate-zhao", "shift-qian", "guard-sun", "guard-zhou"];

/// Who may be put in the `i`th slot of [`SLOT_IDS`]; `None` leaves it unassigned.
fn candidates(i: usize) -> &'static [Option<&'static str>] {
    match i {
        0 => &[None, Some("gate-zhao")],
        1 => &[None, Some("shift-qian"), Some("gate-zhao")],
        _ => &[
            None,
            Some("guard-sun"),
            Some("guard-zhou"),
            Some("shift-qian"),
            Some("gate-zhao"),
        ],
    }
}

/// When a slot's member checks in, relative to the shift start.
#[derive(Debug, Clone, Copy)]
enum CheckIn {
    Never,
    /// From 30 minutes early to 9 minutes after the start.
    OnTime(u32),
    /// From 11 minutes after the start to just before the end.
    Late(u32),
}

#[derive(Debug, Clone)]
struct ShiftPlan {
    /// Minutes after 10:00.
    start_min: i64,
    hours: i64,
    officers: usize,
    /// Per slot of [`SLOT_IDS`]: who (an index into its candidates) and when they check in.
    slots: [(usize, CheckIn); 4],
}

fn shift_plan() -> impl Strategy<Value = ShiftPlan> {
    let check_in = prop_oneof![
        Just(CheckIn::Never),
        any::<u32>().prop_map(CheckIn::OnTime),
        any::<u32>().prop_map(CheckIn::Late),
    ];
    (
        0..=24i64,
        1..=10i64,
        0..=2usize,
        prop::array::uniform4((0..5usize, check_in)),
    )
        .prop_map(|(half_hours, hours, officers, slots)| ShiftPlan {
            start_min: half_hours * 30,
            hours,
            officers,
            slots,
        })
}

struct ModelShift {
    id: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    /// (slot id, member) in roster order.
    slots: Vec<(&'static str, Option<&'static str>)>,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 64, ..ProptestConfig::default() })]

    /// Random rosters of one to three shifts, possibly overlapping, with slots assigned or not
    /// and their members checking in on time, late or never; at a random time the badge shows
    /// every present member once, in the slot their check-in named if its shift runs, and the
    /// day report counts each assigned slot once.
    #[test]
    fn badge_and_report_count_each_planned_slot_once(
        plans in prop::collection::vec(shift_plan(), 1..=3),
        report_min in 0..=24 * 60i64,
    ) {
        let devices = Devices::new();
        let office = devices.open("office", "office-pc");
        let c = community(&office);
        let gate = &c.east_gate;
        let phones: Vec<Linli> = GATE_MEMBERS
            .iter()
            .map(|m| devices.open(m, &format!("{m}-phone")))
            .collect();
        let mut all: Vec<&Linli> = phones.iter().collect();
        all.push(&office);
        sync_all(&all);

        // 10:00 and later: the earliest check-in, 30 minutes early, is not before the clock.
        let base = start_time() + Duration::hours(1);
        let mut shifts = Vec::new();
        for p in &plans {
            let start = base + Duration::minutes(p.start_min);
            let end = start + Duration::hours(p.hours);
            let id = phones[0].add_shift(gate, "班次", start, end, p.officers as u32).unwrap();
            let mut slots = Vec::new();
            for (i, slot_id) in SLOT_IDS.iter().enumerate().take(2 + p.officers) {
                let who = candidates(i)[p.slots[i].0 % candidates(i).len()];
                if who.is_some() {
                    phones[0].assign_slot(gate, &id, slot_id, who).unwrap();
                }
                slots.push((*slot_id, who));
            }
            shifts.push(ModelShift { id, start, end, slots });
        }
        sync_all(&all);

        let report_at = start_time() + Duration::minutes(report_min);
        let mut events = Vec::new();
        for (s, p) in shifts.iter().zip(&plans) {
            for (i, (_, who)) in s.slots.iter().enumerate() {
                let Some(who) = who else { continue };
                let minutes = match p.slots[i].1 {
                    CheckIn::Never => continue,
                    CheckIn::OnTime(r) => -30 + i64::from(r % 40),
                    CheckIn::Late(r) => 11 + i64::from(r) % (p.hours * 60 - 12),
                };
                // A second apart, so no two check-ins share an instant.
                let at = s.start + Duration::minutes(minutes) + Duration::seconds(events.len() as i64);
                if at <= report_at {
                    events.push((at, *who));
                }
            }
        }
        events.sort();

        // The model: who is present with which (shift, slot) named, and every check-in naming
        // a slot.
        let mut present: BTreeMap<&str, Option<(String, &str)>> = BTreeMap::new();
        let mut named: Vec<(DateTime<Utc>, String, &str)> = Vec::new();
        for (at, who) in events {
            devices.clock.set(at);
            let phone = &phones[GATE_MEMBERS.iter().position(|m| *m == who).unwrap()];
            if present.contains_key(who) {
                phone.check_out(gate).unwrap();
            }
            phone.check_in(gate).unwrap();
            // The slot a check-in names: the member's first, in roster order, of the shifts
            // running within the next 30 minutes.
            let slot = shifts
                .iter()
                .filter(|s| s.start <= at + Duration::minutes(30) && s.end > at)
                .flat_map(|s| {
                    s.slots
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, m))| *m == Some(who))
                        .map(move |(i, (slot_id, _))| ((s.start, s.id.clone(), i), *slot_id))
                })
                .min()
                .map(|((_, shift, _), slot_id)| (shift, slot_id));
            if let Some((shift, slot_id)) = &slot {
                named.push((at, shift.clone(), slot_id));
            }
            present.insert(who, slot);
        }
        devices.clock.set(report_at);
        sync_all(&all);

        let view = office.on_duty(gate).unwrap();
        let running = |shift: &str| {
            shifts
                .iter()
                .any(|s| s.id == shift && s.start <= report_at && s.end > report_at)
        };
        let expected: Vec<(String, String)> = present
            .iter()
            .map(|(m, slot)| {
                let place = match slot {
                    Some((shift, slot_id)) if running(shift) => format!("{shift}/{slot_id}"),
                    _ => "others".to_owned(),
                };
                (m.to_string(), place)
            })
            .collect();
        let shown = shown(&view);
        for m in present.keys() {
            prop_assert_eq!(shown.iter().filter(|(s, _)| s == m).count(), 1, "{} shows once", m);
        }
        prop_assert_eq!(shown, expected);

        let report = office
            .day_report(office.community().unwrap().local_date(start_time()))
            .unwrap();
        let duty = &report.duty[0];
        let all_slots = shifts.iter().map(|s| s.slots.len()).sum::<usize>() as u32;
        let assigned = shifts
            .iter()
            .flat_map(|s| &s.slots)
            .filter(|(_, m)| m.is_some())
            .count() as u32;
        prop_assert_eq!((duty.slots, duty.planned), (all_slots, assigned));
        prop_assert_eq!(duty.on_time + duty.late + duty.no_show + duty.pending, duty.planned);
        let mut counts = (0, 0, 0, 0);
        for s in &shifts {
            for (slot_id, _) in s.slots.iter().filter(|(_, m)| m.is_some()) {
                let first = named
                    .iter()
                    .filter(|(_, shift, slot)| *shift == s.id && slot == slot_id)
                    .map(|(at, _, _)| *at)
                    .min();
                match first {
                    Some(at) if at <= s.start + Duration::minutes(10) => counts.0 += 1,
                    Some(_) => counts.1 += 1,
                    None if report_at >= s.end => counts.2 += 1,
                    None => counts.3 += 1,
                }
            }
        }
        prop_assert_eq!((duty.on_time, duty.late, duty.no_show, duty.pending), counts);
    }
}

#[test]
fn shift_times_are_read_in_the_community_time_a_night_shift_ends_next_morning() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    // The community is at +08:00: 22:00 local is 14:00 UTC, and 06:00 is the next morning.
    let (night_start, night_end) = office.shift_times(day, "22:00", "06:00").unwrap();
    assert_eq!(night_start.to_rfc3339(), "2026-11-23T14:00:00+00:00");
    assert_eq!(night_end.to_rfc3339(), "2026-11-23T22:00:00+00:00");
    let (start, end) = office.shift_times(day, " 08:00", "16:30").unwrap();
    assert_eq!(start.to_rfc3339(), "2026-11-23T00:00:00+00:00");
    assert_eq!(end - start, Duration::minutes(510));
    assert!(matches!(
        office.shift_times(day, "8点", "16:00"),
        Err(Error::InvalidInput { ref field, code: linli_core::ErrorCode::NotATime, .. }) if field == "start"
    ));
    let shift = office
        .add_shift_on(&c.east_gate, "夜班", day, "22:00", "06:00", 2)
        .unwrap();
    let week = office.roster_week(&c.east_gate, day).unwrap();
    let row = week.iter().find(|s| s.shift_id == shift).unwrap();
    assert_eq!((row.start, row.end), (night_start, night_end));
}
