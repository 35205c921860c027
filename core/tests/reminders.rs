//! The office's reminders (民情日志): created by the office, seen by the members they concern
//! from their lead time, completed once even when two phones complete them offline, counted in
//! the day-end report.

mod common;

use chrono::{Days, NaiveDate};
use common::{Devices, community, start_time, sync_all};
use linli_core::api::agenda::AgendaKind;
use linli_core::api::reminders::ReminderInput;
use linli_core::records::directory::Role;
use linli_core::records::reminder::Repeat;

fn input(what: &str, place: &str, first_due: NaiveDate) -> ReminderInput {
    ReminderInput {
        what: what.into(),
        place: Some(place.into()),
        owner_member: None,
        owner_role: Some(Role::BuildingLead),
        first_due,
        lead_days: None,
        repeat: Repeat::Yearly,
    }
}

#[test]
fn a_reminder_shows_ahead_is_completed_once_and_comes_back_next_year() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    let li = devices.open("lead-li", "li-phone");
    let zhao = devices.open("gate-zhao", "zhao-phone");
    let today = office.community().unwrap().local_date(start_time());
    let in_20_days = today.checked_add_days(Days::new(20)).unwrap();
    let elevator = office
        .add_reminder(&input("3号楼电梯年检", &c.building3, in_20_days))
        .unwrap();
    office
        .add_reminder(&ReminderInput {
            lead_days: Some(10),
            ..input("5号楼消防检查", &c.building5, in_20_days)
        })
        .unwrap();
    office
        .add_reminder(&ReminderInput {
            owner_member: Some("gate-zhao".into()),
            owner_role: None,
            place: None,
            ..input("东门监控维保", &c.building3, today.pred_opt().unwrap())
        })
        .unwrap();
    sync_all(&[&office, &wang, &li, &zhao]);

    // The office sees its reminder due in 20 days; the 10-day one not yet; zhao's overdue one.
    let agenda = office.agenda(today).unwrap();
    let reminders: Vec<(&str, bool)> = agenda
        .iter()
        .filter(|i| i.kind == AgendaKind::Reminder)
        .map(|i| (i.title.as_str(), i.overdue))
        .collect();
    assert_eq!(
        reminders,
        vec![("东门监控维保", true), ("3号楼：3号楼电梯年检", false)]
    );
    assert!(
        agenda
            .iter()
            .all(|i| i.kind != AgendaKind::Reminder || i.action == "reminder.complete")
    );
    // A lead of 3号楼 sees the elevator, not the gate's.
    let wang_sees: Vec<String> = wang
        .agenda(today)
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == AgendaKind::Reminder)
        .map(|i| i.record_id)
        .collect();
    assert_eq!(wang_sees, vec![elevator.clone()]);
    let rows = wang.reminders(today).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].days_left, Some(20));
    assert_eq!(rows[0].owner, "3号楼楼栋长");
    // Someone it does not concern cannot complete it.
    assert!(matches!(
        zhao.complete_reminder(&elevator),
        Err(linli_core::Error::Forbidden { .. })
    ));

    // Two leads of 3号楼 complete it offline: one completion after they sync.
    let next = wang.complete_reminder(&elevator).unwrap();
    li.complete_reminder(&elevator).unwrap();
    assert_eq!(next, in_20_days.checked_add_months(chrono::Months::new(12)));
    sync_all(&[&office, &wang, &li, &zhao]);
    for store in [&office, &wang, &li] {
        let row = store
            .reminders(today)
            .unwrap()
            .into_iter()
            .find(|r| r.id == elevator)
            .unwrap();
        assert_eq!(row.done_count, 1);
        assert_eq!(row.due, next);
    }
    assert!(
        wang.agenda(today)
            .unwrap()
            .iter()
            .all(|i| i.kind != AgendaKind::Reminder),
        "next year's is not shown yet"
    );

    // The report: the overdue one, two completed today (they converge to one mark).
    let report = office.day_report(today).unwrap();
    assert_eq!(
        (
            report.reminders.due,
            report.reminders.done,
            report.reminders.overdue
        ),
        (0, 1, 1)
    );
    assert!(report.to_markdown().contains("逾期 1 项"));
}
