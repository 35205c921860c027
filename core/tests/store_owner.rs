//! One store, one owner: a second handle on an open store is refused with a typed error, and
//! the store opens again once the first handle is gone.

mod common;

use common::{Devices, community};
use linli_core::{DeviceIdentity, Error, Linli};

#[test]
fn a_store_open_elsewhere_is_refused_until_it_is_closed() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    community(&office);
    let again = Linli::open(
        &devices.dir.path().join("office-pc.db"),
        DeviceIdentity {
            member_id: "office".into(),
            device_id: "office-pc".into(),
        },
        devices.clock.clone(),
    );
    match again {
        Err(Error::StoreInUse { path }) => assert!(path.ends_with("office-pc.db"), "{path}"),
        other => panic!("expected StoreInUse, got {other:?}"),
    }
    // The first handle still works, and nothing it wrote is lost.
    let before = office.projection_dump().unwrap();
    drop(office);
    let office = devices.open("office", "office-pc");
    assert_eq!(office.projection_dump().unwrap(), before);
}

#[test]
fn a_wiped_store_leaves_no_file_behind() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    community(&office);
    drop(office);
    let path = devices.dir.path().join("office-pc.db");
    linli_core::wipe_store(&path).unwrap();
    let left: Vec<_> = std::fs::read_dir(devices.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
