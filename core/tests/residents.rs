//! Residents who arrive and leave: status and dates changed offline on two phones converge,
//! the building list filters on them, the report counts the day's arrivals and departures, and
//! bad dates are refused naming the field, with nothing written.

mod common;

use chrono::Days;
use common::{Devices, community, start_time, sync_all};
use linli_core::api::households::{HouseholdInput, ResidentInput};
use linli_core::api::residents::{ResidentFilter, ResidentMoves};
use linli_core::records::household::ResidentStatus;

fn moves() -> ResidentMoves {
    ResidentMoves {
        status: ResidentStatus::Registered,
        moved_in: None,
        moved_out: None,
        arrived_from: String::new(),
        arrived_on: None,
    }
}

#[test]
fn moves_made_offline_converge_and_the_list_and_report_follow_them() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    let li = devices.open("lead-li", "li-phone");
    sync_all(&[&office, &wang, &li]);
    let today = office.community().unwrap().local_date(start_time());
    let resident = |name: &str| ResidentInput {
        name: name.into(),
        birth_year: None,
        phone: String::new(),
    };
    let h = wang
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "302".into(),
            residents: vec![resident("张伟"), resident("张桂英")],
            ..HouseholdInput::default()
        })
        .unwrap();
    let other = wang
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "303".into(),
            residents: vec![resident("王大妈")],
            ..HouseholdInput::default()
        })
        .unwrap();
    sync_all(&[&office, &wang, &li]);
    let doc = wang.household(&h).unwrap();
    let id_of = |name: &str| {
        doc.residents
            .iter()
            .find(|(_, r)| r.name == name)
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    let (zhang_wei, zhang_guiying) = (id_of("张伟"), id_of("张桂英"));

    // Offline: wang records that 张伟 rents since the 1st; li that he came back from 武汉
    // today (the same status seen from li's phone).
    wang.set_resident_moves(
        &h,
        &zhang_wei,
        &ResidentMoves {
            status: ResidentStatus::Tenant,
            moved_in: Some(today - Days::new(22)),
            ..moves()
        },
    )
    .unwrap();
    li.set_resident_moves(
        &h,
        &zhang_wei,
        &ResidentMoves {
            arrived_from: "武汉".into(),
            arrived_on: Some(today),
            ..moves()
        },
    )
    .unwrap();
    // 张桂英 moved out today.
    li.set_resident_moves(
        &h,
        &zhang_guiying,
        &ResidentMoves {
            moved_out: Some(today),
            ..moves()
        },
    )
    .unwrap();
    sync_all(&[&office, &wang, &li]);
    for store in [&office, &wang, &li] {
        let r = &store.household(&h).unwrap().residents[&zhang_wei];
        assert_eq!(r.status, ResidentStatus::Tenant);
        assert_eq!(r.moved_in, Some((today - Days::new(22)).to_string()));
        assert_eq!(r.arrived_from, "武汉");
        assert_eq!(r.arrived_on, Some(today.to_string()));
        assert!(store.open_conflicts().unwrap().is_empty());
    }

    let ids = |filter: ResidentFilter| -> Vec<String> {
        office
            .households_with(&c.building3, &filter)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(
        ids(ResidentFilter {
            status: Some(ResidentStatus::Tenant),
            ..ResidentFilter::default()
        }),
        vec![h.clone()]
    );
    assert!(
        ids(ResidentFilter {
            status: Some(ResidentStatus::Floating),
            ..ResidentFilter::default()
        })
        .is_empty()
    );
    assert_eq!(
        ids(ResidentFilter {
            arrived_since: Some(today),
            ..ResidentFilter::default()
        }),
        vec![h.clone()]
    );
    // Registered residents: 王大妈 still lives in 303; 张桂英 of 302 moved out.
    let registered = ResidentFilter {
        status: Some(ResidentStatus::Registered),
        ..ResidentFilter::default()
    };
    assert_eq!(ids(registered.clone()), vec![other.clone()]);
    assert_eq!(
        ids(ResidentFilter {
            include_moved_out: true,
            ..registered
        }),
        vec![h.clone(), other.clone()]
    );

    let report = office.day_report(today).unwrap();
    assert_eq!((report.arrivals, report.departures), (1, 1));
    assert!(report.to_csv().contains("居民,迁入返回,合计,1"));
}

#[test]
fn bad_dates_are_refused_naming_the_field_and_nothing_is_written() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let today = office.community().unwrap().local_date(start_time());
    let h = office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "302".into(),
            residents: vec![ResidentInput {
                name: "张伟".into(),
                birth_year: None,
                phone: String::new(),
            }],
            ..HouseholdInput::default()
        })
        .unwrap();
    let id = office
        .household(&h)
        .unwrap()
        .residents
        .keys()
        .next()
        .unwrap()
        .clone();
    let outbox = office.outbox_len().unwrap();
    for (field, m) in [
        (
            "moved_out",
            ResidentMoves {
                moved_in: Some(today),
                moved_out: Some(today - Days::new(1)),
                ..moves()
            },
        ),
        (
            "arrived_on",
            ResidentMoves {
                arrived_on: Some(today + Days::new(1)),
                arrived_from: "武汉".into(),
                ..moves()
            },
        ),
        (
            "arrived_on",
            ResidentMoves {
                arrived_from: "武汉".into(),
                ..moves()
            },
        ),
    ] {
        match office.set_resident_moves(&h, &id, &m) {
            Err(linli_core::Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(matches!(
        office.set_resident_moves(&h, "nobody", &moves()),
        Err(linli_core::Error::NotFound { .. })
    ));
    assert_eq!(office.outbox_len().unwrap(), outbox, "nothing written");
}
