//! Home isolation: three checks a day over three days, one missed and one with a fever; the
//! agenda shows the missed check as overdue; two leads checking offline both keep their check;
//! errands delivered; the release; the day-end report's numbers; bad input refused by field.

mod common;

use chrono::{Days, Duration};
use common::{Devices, community, start_time, sync_all};
use linli_core::Error;
use linli_core::api::agenda::AgendaKind;
use linli_core::api::households::{HouseholdInput, ResidentInput};
use linli_core::api::isolation::{IsolationCheckInput, IsolationInput};
use linli_core::records::isolation::{ErrandKind, Symptom};

fn well() -> IsolationCheckInput {
    IsolationCheckInput {
        celsius: Some(36.6),
        ..IsolationCheckInput::default()
    }
}

#[test]
fn three_checks_a_day_are_counted_missed_flagged_and_released() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    let li = devices.open("lead-li", "li-phone");
    sync_all(&[&office, &wang, &li]);
    let h = wang
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "301".into(),
            residents: vec![ResidentInput {
                name: "陆家明".into(),
                birth_year: Some(1980),
                phone: String::new(),
            }],
            ..HouseholdInput::default()
        })
        .unwrap();
    let resident = wang
        .household(&h)
        .unwrap()
        .residents
        .keys()
        .next()
        .unwrap()
        .clone();
    // Day 1 starts at midnight local; the clock stands at 09:00.
    let day1 = wang.community().unwrap().local_date(start_time());
    let midnight = start_time() - Duration::hours(9);
    let at = |day: u64, hour: i64| {
        devices
            .clock
            .set(midnight + Duration::days(day as i64) + Duration::hours(hour));
    };
    at(0, 0);
    let iso = wang
        .start_isolation(
            &h,
            &IsolationInput {
                resident_id: resident.clone(),
                start: day1,
                planned_end: day1 + Days::new(13),
                checks_per_day: None,
            },
        )
        .unwrap();
    sync_all(&[&office, &wang, &li]);

    // Day 1: three checks, one with a fever.
    at(0, 7);
    wang.record_isolation_check(&h, &iso, &well()).unwrap();
    at(0, 15);
    let (_, flagged) = wang
        .record_isolation_check(
            &h,
            &iso,
            &IsolationCheckInput {
                celsius: Some(38.1),
                symptoms: vec![Symptom::Cough],
                other: String::new(),
            },
        )
        .unwrap();
    assert!(flagged);
    at(0, 23);
    wang.record_isolation_check(&h, &iso, &well()).unwrap();
    // Day 2: two leads check at once, offline; both checks stay.
    at(1, 7);
    wang.record_isolation_check(&h, &iso, &well()).unwrap();
    li.record_isolation_check(&h, &iso, &well()).unwrap();
    sync_all(&[&office, &wang, &li]);
    at(1, 23);
    wang.record_isolation_check(&h, &iso, &well()).unwrap();
    // Day 3: the morning check is missed; at 11:00 the agenda shows it overdue.
    at(2, 11);
    sync_all(&[&office, &wang, &li]);
    let day3 = day1 + Days::new(2);
    let agenda = wang.agenda(day3).unwrap();
    let item = agenda
        .iter()
        .find(|i| i.kind == AgendaKind::IsolationCheck)
        .expect("the isolation is on the agenda");
    assert!(item.overdue, "{item:?}");
    assert_eq!(item.item_id, iso);
    assert!(item.title.contains("陆家明"), "{}", item.title);
    assert_eq!(agenda[0].kind, AgendaKind::IsolationCheck, "overdue first");

    // Errands: food brought.
    let food = li.add_errand(&h, ErrandKind::Food, "买米和蔬菜").unwrap();
    sync_all(&[&office, &wang, &li]);
    wang.deliver_errand(&h, &food).unwrap();

    // The report of each day, on the office's phone.
    sync_all(&[&office, &wang, &li]);
    let row = |date| {
        let r = office.day_report(date).unwrap();
        assert_eq!(r.isolation.len(), 1, "{:?}", r.isolation);
        let i = r.isolation[0].clone();
        (i.due, i.done, i.missed, i.flagged, r.to_markdown())
    };
    let (due, done, missed, flagged, md) = row(day1);
    assert_eq!((due, done, missed, flagged), (3, 3, 0, 1));
    assert!(
        md.contains("居家隔离") && md.contains("3号楼 1单元 301"),
        "{md}"
    );
    assert!(!md.contains("陆家明"), "the report names no one");
    let (_, done2, missed2, _, _) = row(day1 + Days::new(1));
    assert_eq!((done2, missed2), (3, 0), "both offline checks count");
    let (_, done3, missed3, _, _) = row(day3);
    assert_eq!(
        (done3, missed3),
        (0, 1),
        "the morning check was missed by 11:00"
    );
    let days = office.isolation_days(day3).unwrap();
    assert_eq!(days[0].errands_open, 0);

    // Released: the household leaves the list and the agenda; no more checks.
    wang.release_isolation(&h, &iso).unwrap();
    at(3, 9);
    assert!(wang.isolation_days(day3 + Days::new(1)).unwrap().is_empty());
    assert!(
        !wang
            .agenda(day3 + Days::new(1))
            .unwrap()
            .iter()
            .any(|i| i.kind == AgendaKind::IsolationCheck)
    );
    assert!(matches!(
        wang.record_isolation_check(&h, &iso, &well()),
        Err(Error::InvalidState { .. })
    ));
}

#[test]
fn bad_isolation_input_names_its_field_and_writes_nothing() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let h = office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "302".into(),
            residents: vec![ResidentInput {
                name: "周立新".into(),
                birth_year: None,
                phone: String::new(),
            }],
            ..HouseholdInput::default()
        })
        .unwrap();
    let resident = office
        .household(&h)
        .unwrap()
        .residents
        .keys()
        .next()
        .unwrap()
        .clone();
    let today = office.community().unwrap().local_date(start_time());
    let field = |r: Result<String, Error>| match r {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    let input = IsolationInput {
        resident_id: resident,
        start: today,
        planned_end: today - Days::new(1),
        checks_per_day: None,
    };
    assert_eq!(field(office.start_isolation(&h, &input)), "planned_end");
    assert_eq!(
        field(office.start_isolation(
            &h,
            &IsolationInput {
                planned_end: today,
                checks_per_day: Some(0),
                ..input.clone()
            }
        )),
        "checks_per_day"
    );
    assert!(office.household(&h).unwrap().isolations.is_empty());
    assert!(matches!(
        office.add_errand(&h, ErrandKind::Food, "买菜"),
        Err(Error::InvalidState { .. })
    ));
    let iso = office
        .start_isolation(
            &h,
            &IsolationInput {
                planned_end: today + Days::new(7),
                ..input
            },
        )
        .unwrap();
    let before = office.household(&h).unwrap().isolation_checks.len();
    let hot = office.record_isolation_check(
        &h,
        &iso,
        &IsolationCheckInput {
            celsius: Some(45.0),
            ..IsolationCheckInput::default()
        },
    );
    assert!(matches!(hot, Err(Error::InvalidInput { ref field, .. }) if field == "celsius"));
    assert_eq!(office.household(&h).unwrap().isolation_checks.len(), before);
}
