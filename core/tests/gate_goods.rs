//! Vehicles and parcels past their arrival: a vehicle logged out leaves the list of those
//! inside, across the gate's days; a parcel collected leaves the list of those waiting, once,
//! even when two guards record the same collection offline.

mod common;

use chrono::Duration;
use common::{Devices, bad_field, community, sync_all};
use linli_core::{Error, ErrorCode};

fn summaries(rows: Vec<linli_core::api::duty::GateEntryRow>) -> Vec<String> {
    rows.into_iter().map(|r| r.summary).collect()
}

#[test]
fn a_vehicle_logged_out_is_no_longer_inside_and_a_parcel_is_collected_once() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let sun = devices.open("guard-sun", "sun-phone");
    let zhou = devices.open("guard-zhou", "zhou-phone");
    let wang = devices.open("lead-wang", "wang-phone");
    let all = [&office, &sun, &zhou, &wang];
    sync_all(&all);
    let gate = &c.east_gate;

    sun.register_vehicle(gate, "沪A12345", "送货").unwrap();
    devices.clock.advance(Duration::minutes(1));
    sun.register_vehicle(gate, "沪B54321", "").unwrap();
    devices.clock.advance(Duration::minutes(1));
    sun.register_vehicle_exit(gate, "沪A12345").unwrap();
    assert_eq!(
        summaries(sun.vehicles_inside(gate).unwrap()),
        vec!["沪B54321"]
    );
    assert_eq!(bad_field(sun.register_vehicle_exit(gate, "ABC")), "plate");
    assert!(matches!(
        wang.register_vehicle_exit(gate, "沪B54321"),
        Err(Error::Forbidden { .. })
    ));

    let first = sun.register_parcel(gate, "张阿姨", None, "顺丰").unwrap();
    let second = sun.register_parcel(gate, "李先生", None, "京东").unwrap();
    sync_all(&all);
    // The next day: what came in yesterday is still inside, still waiting.
    devices.clock.advance(Duration::days(1));
    assert_eq!(
        summaries(zhou.vehicles_inside(gate).unwrap()),
        vec!["沪B54321"]
    );
    assert_eq!(
        summaries(zhou.parcels_waiting(gate).unwrap()),
        vec!["张阿姨（顺丰）", "李先生（京东）"]
    );

    // Both guards hand over the same parcel while offline.
    sun.pick_up_parcel(gate, &first, "张阿姨").unwrap();
    zhou.pick_up_parcel(gate, &first, "张阿姨的女儿").unwrap();
    assert!(matches!(
        sun.pick_up_parcel(gate, &first, "张阿姨"),
        Err(Error::InvalidState {
            code: ErrorCode::ParcelCollected,
            ..
        })
    ));
    assert!(matches!(
        sun.pick_up_parcel(gate, "01NOSUCHPARCEL", "张阿姨"),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        bad_field(sun.pick_up_parcel(gate, &second, " ")),
        "collected_by"
    );
    sun.register_vehicle_exit(gate, "沪B54321").unwrap();
    sync_all(&all);

    for phone in all {
        assert_eq!(
            summaries(phone.parcels_waiting(gate).unwrap()),
            vec!["李先生（京东）"]
        );
        assert!(phone.vehicles_inside(gate).unwrap().is_empty());
    }
    let today = office.community().unwrap().local_date(office.now());
    let kinds: Vec<String> = office
        .gate_entries(gate, today)
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(
        kinds,
        vec!["parcel_pickup", "parcel_pickup", "vehicle_exit"]
    );
    let counted = office.day_report(today).unwrap().gate_entries;
    let pickups = counted.iter().find(|e| e.kind == "parcel_pickup").unwrap();
    assert_eq!(
        pickups.count, 2,
        "both records are kept; the parcel waits no more"
    );
}
