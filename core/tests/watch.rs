//! Observers hear about every committed write, local or pulled, and stop when their handle is
//! dropped; a failed write tells them nothing.

mod common;

use std::sync::{Arc, Mutex};

use common::{Devices, community, sync_all};
use linli_core::api::households::HouseholdInput;

#[test]
fn observers_hear_committed_writes_until_dropped() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let lead = devices.open("lead-wang", "wang-phone");
    let c = community(&office);
    sync_all(&[&office, &lead]);

    let heard: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
    let sink = heard.clone();
    let watch = lead.watch(Arc::new(move |ids: &[String]| {
        sink.lock().unwrap().push(ids.to_vec());
    }));
    assert_eq!(lead.watcher_count(), 1);

    let local = lead
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "101".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    assert_eq!(heard.lock().unwrap().last().unwrap(), &vec![local.clone()]);

    let before = heard.lock().unwrap().len();
    assert!(
        lead.register_household(&HouseholdInput {
            building_id: "no-such-building".into(),
            ..HouseholdInput::default()
        })
        .is_err()
    );
    assert_eq!(
        heard.lock().unwrap().len(),
        before,
        "a failed write is silent"
    );

    let pulled = office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "102".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    sync_all(&[&office, &lead]);
    assert!(
        heard
            .lock()
            .unwrap()
            .iter()
            .any(|ids| ids.contains(&pulled))
    );

    drop(watch);
    assert_eq!(lead.watcher_count(), 0);
    let after = heard.lock().unwrap().len();
    lead.set_household_phone(&local, "13900000001").unwrap();
    assert_eq!(heard.lock().unwrap().len(), after);
}
