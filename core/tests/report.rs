//! The day-end report from a scripted day.

mod common;

use chrono::Duration;
use common::{Devices, community, start_time, sync_all};
use linli_core::api::households::{HouseholdInput, VisitInput, WatchPlanInput};
use linli_core::api::tickets::TicketInput;
use linli_core::records::household::{VisitOutcome, WatchFrequency};
use linli_core::records::ticket::{Category, Level, PlaceRefKind};

#[test]
fn day_end_report_counts_the_day() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    let li = devices.open("lead-li", "li-phone");
    let gate_lead = devices.open("gate-zhao", "zhao-phone");
    let guard = devices.open("guard-sun", "sun-phone");
    let all = [&office, &wang, &li, &gate_lead, &guard];
    sync_all(&all);

    let start = start_time(); // 09:00 local
    let date = office.community().unwrap().local_date(start);
    let watched = office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "101".into(),
            watch: Some(WatchPlanInput {
                frequency: WatchFrequency::TimesPerDay,
                n: 2,
            }),
            ..HouseholdInput::default()
        })
        .unwrap();
    let plain = office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "102".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    let shift = gate_lead
        .add_shift(&c.east_gate, "早班", start, start + Duration::hours(8), 2)
        .unwrap();
    gate_lead
        .assign_slot(&c.east_gate, &shift, "gate_lead-1", Some("gate-zhao"))
        .unwrap();
    gate_lead
        .assign_slot(&c.east_gate, &shift, "safety_officer-1", Some("guard-sun"))
        .unwrap();
    sync_all(&all);

    devices.clock.advance(Duration::minutes(20));
    guard.check_in(&c.east_gate).unwrap(); // late: 20 minutes after the start
    guard
        .record_temperature(&c.east_gate, "访客甲", 38.1)
        .unwrap();
    guard
        .record_temperature(&c.east_gate, "访客乙", 36.4)
        .unwrap();
    guard
        .register_vehicle(&c.east_gate, "沪B54321", "搬家")
        .unwrap();
    wang.log_visit(
        &watched,
        &VisitInput {
            outcome: VisitOutcome::Met,
            ..VisitInput::default()
        },
    )
    .unwrap();
    wang.log_visit(
        &plain,
        &VisitInput {
            outcome: VisitOutcome::NobodyHome,
            ..VisitInput::default()
        },
    )
    .unwrap();
    li.log_visit(
        &plain,
        &VisitInput {
            outcome: VisitOutcome::Met,
            ..VisitInput::default()
        },
    )
    .unwrap();
    let t1 = wang
        .report_ticket(&TicketInput {
            category: Category::Elevator,
            place_kind: PlaceRefKind::Building,
            place_ref: c.building3.clone(),
            description: "电梯异响".into(),
            ..TicketInput::default()
        })
        .unwrap();
    sync_all(&all);
    office.accept_ticket(&t1).unwrap();
    office
        .escalate_ticket(&t1, Level::Street, "需维保单位")
        .unwrap();
    devices.clock.advance(Duration::hours(10)); // 19:20, after the shift
    sync_all(&all);

    let report = office.day_report(date).unwrap();
    assert_eq!(report.community, "梅园社区");
    assert_eq!(report.total_visits, 3);
    assert_eq!(report.households_covered, 2);
    assert_eq!(report.visits.len(), 2);
    let wang_row = report
        .visits
        .iter()
        .find(|v| v.member_id == "lead-wang")
        .unwrap();
    assert_eq!(
        (
            wang_row.name.as_str(),
            wang_row.visits,
            wang_row.households,
            wang_row.met
        ),
        ("王建国", 2, 2, 1)
    );
    assert_eq!(report.watch.households, 1);
    assert_eq!(report.watch.due, 2);
    assert_eq!(report.watch.done, 1);
    assert_eq!(report.watch.households_short, 1);
    let street = report
        .tickets
        .iter()
        .find(|t| t.level == Level::Street)
        .unwrap();
    assert_eq!(
        (
            street.opened,
            street.accepted,
            street.escalated,
            street.open
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(street.overdue, 0);
    let duty = &report.duty[0];
    assert_eq!(duty.gate_name, "东门");
    assert_eq!(
        (
            duty.slots,
            duty.planned,
            duty.on_time,
            duty.late,
            duty.no_show,
            duty.pending
        ),
        (4, 2, 0, 1, 1, 0),
        "the two unassigned slots are neither planned nor missed"
    );
    let temps = report
        .gate_entries
        .iter()
        .find(|g| g.kind == "temperature")
        .unwrap();
    assert_eq!((temps.count, temps.flagged), (2, 1));

    // The next day the street office's reply is overdue.
    let next = office.day_report(date + Duration::days(1)).unwrap();
    assert_eq!(next.total_visits, 0);
    assert_eq!(
        next.tickets
            .iter()
            .find(|t| t.level == Level::Street)
            .unwrap()
            .overdue,
        1
    );

    let csv = report.to_csv();
    assert!(csv.starts_with("分类,项目,对象,数值\n"));
    assert!(csv.contains("走访,走访次数,王建国,2\n"));
    assert!(csv.contains("门岗登记,体温检测（异常）,东门,1\n"));
    let md = report.to_markdown();
    assert!(md.starts_with("# 梅园社区 日报 2026-11-23"));
    assert!(md.contains("## 入户走访"));
    assert!(md.contains("| 王建国 | 2 | 2 | 1 | 0 | 0 |"));
    assert!(md.contains("| 门岗 | 岗位 | 已排班 | 准时 | 迟到 | 缺岗 | 未到时 |\n|---|"));
    assert!(md.contains("| 东门 | 4 | 2 | 0 | 1 | 1 | 0 |"));
    assert!(csv.contains("值班,未到时,东门,0\n"));

    // Every device that has everything computes the same report.
    for d in all {
        assert_eq!(d.day_report(date).unwrap(), report);
    }
}

#[test]
fn duty_counts_only_assigned_slots_and_adds_up() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let zhao = devices.open("gate-zhao", "zhao-phone");
    let sun = devices.open("guard-sun", "sun-phone");
    let all = [&office, &zhao, &sun];
    sync_all(&all);
    let gate = &c.east_gate;
    let start = start_time(); // 09:00
    let date = office.community().unwrap().local_date(start);
    // 早班 with four slots: 门长 and 安全员 1 assigned, 值班长 and 安全员 2 left unassigned.
    let shift = zhao
        .add_shift(gate, "早班", start, start + Duration::hours(8), 2)
        .unwrap();
    zhao.assign_slot(gate, &shift, "gate_lead-1", Some("gate-zhao"))
        .unwrap();
    zhao.assign_slot(gate, &shift, "safety_officer-1", Some("guard-sun"))
        .unwrap();
    sync_all(&all);
    let duty = |expected: (u32, u32, u32, u32, u32, u32)| {
        sync_all(&all);
        let report = office.day_report(date).unwrap();
        let d = &report.duty[0];
        let got = (d.slots, d.planned, d.on_time, d.late, d.no_show, d.pending);
        assert_eq!(
            got, expected,
            "(slots, planned, on time, late, no-show, pending)"
        );
        assert_eq!(d.on_time + d.late + d.no_show + d.pending, d.planned);
        report
    };

    devices.clock.advance(Duration::minutes(5)); // 09:05
    sun.check_in(gate).unwrap();
    duty((4, 2, 1, 0, 0, 1));
    // 10:00: the gate lead has not come yet; the shift runs, so it is not decided.
    devices.clock.advance(Duration::minutes(55));
    duty((4, 2, 1, 0, 0, 1));
    devices.clock.advance(Duration::minutes(30)); // 10:30
    zhao.check_in(gate).unwrap();
    duty((4, 2, 1, 1, 0, 0));
    devices.clock.advance(Duration::hours(8)); // 18:30, after the shift
    let report = duty((4, 2, 1, 1, 0, 0));
    assert!(
        report
            .to_markdown()
            .contains("| 东门 | 4 | 2 | 1 | 1 | 0 | 0 |")
    );
}
