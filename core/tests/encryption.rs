//! Encryption at rest: a store opened with a key is encrypted (no personal byte readable in the
//! file or its WAL), a wrong key or none is `WrongKey` with nothing touched, a plain store is
//! converted in place with nothing lost, and a rekey makes only the new key open it.

mod common;

use std::path::Path;

use common::{Devices, community, sync_all};
use linli_core::api::households::{HouseholdInput, ResidentInput};
use linli_core::{DeviceIdentity, Error, Linli, StoreKey};

const NAME: &str = "欧阳秀兰";
const PHONE: &str = "13700001234";

fn wang_identity() -> DeviceIdentity {
    DeviceIdentity {
        member_id: "lead-wang".into(),
        device_id: "wang-phone".into(),
    }
}

fn open_keyed(devices: &Devices, path: &Path, key: Option<&StoreKey>) -> Result<Linli, Error> {
    Linli::open_with_actor(path, wang_identity(), devices.clock.clone(), None, key)
}

/// Every byte of the store's files (the database, its WAL).
fn store_bytes(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        if let Ok(bytes) = std::fs::read(&name) {
            all.extend(bytes);
        }
    }
    all
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

/// What a person sees of a store: its records, their open conflicts, what waits to be sent.
#[derive(Debug, PartialEq)]
struct Seen {
    documents: usize,
    conflicts: Vec<(String, Vec<String>)>,
    outbox: u64,
    households: usize,
}

fn seen(linli: &Linli, building: &str) -> Seen {
    Seen {
        documents: linli.documents().unwrap().len(),
        conflicts: linli.open_conflicts().unwrap(),
        outbox: linli.outbox_len().unwrap(),
        households: linli.households_in_building(building).unwrap().len(),
    }
}

#[test]
fn a_plain_store_of_1000_records_is_encrypted_in_place_with_nothing_lost() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let path = devices.dir.path().join("wang-phone.db");
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let inputs: Vec<HouseholdInput> = (0..1000)
        .map(|i| HouseholdInput {
            building_id: c.building3.clone(),
            room: format!("{}", 100 + i),
            residents: vec![ResidentInput {
                name: format!("{NAME}{i}"),
                birth_year: Some(1950),
                phone: PHONE.into(),
            }],
            ..HouseholdInput::default()
        })
        .collect();
    let ids = wang.import_households(&inputs).unwrap();
    sync_all(&[&office, &wang]);
    // Two open conflicts: the same phone field set differently offline.
    for h in &ids[..2] {
        office.set_household_phone(h, "13911111111").unwrap();
        wang.set_household_phone(h, "13922222222").unwrap();
    }
    sync_all(&[&office, &wang]);
    let before = seen(&wang, &c.building3);
    assert_eq!(before.conflicts.len(), 2);
    assert!(before.outbox > 1000, "{before:?}");
    assert_eq!(before.households, 1000);
    drop(wang);
    assert!(
        holds(&store_bytes(&path), NAME),
        "the plain store holds the name"
    );

    let key = StoreKey::generate();
    let wang = open_keyed(&devices, &path, Some(&key)).unwrap();
    assert_eq!(seen(&wang, &c.building3), before);
    // It keeps working: a new record, synced.
    wang.set_household_phone(&ids[5], PHONE).unwrap();
    sync_all(&[&office, &wang]);
    assert_eq!(office.household(&ids[5]).unwrap().phone, PHONE);
    let written = store_bytes(&path);
    for text in [NAME, PHONE, "13922222222"] {
        assert!(
            !holds(&written, text),
            "{text} readable in the encrypted store"
        );
    }
    drop(wang);
    let closed = store_bytes(&path);
    assert!(!holds(&closed, NAME));
    // The converted store opens again with its key only.
    assert!(matches!(
        open_keyed(&devices, &path, None),
        Err(Error::WrongKey)
    ));
    let wang = open_keyed(&devices, &path, Some(&key)).unwrap();
    assert_eq!(seen(&wang, &c.building3).households, 1000);
}

#[test]
fn a_wrong_key_or_none_touches_nothing() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let path = devices.dir.path().join("wang-phone.db");
    let key = StoreKey::generate();
    {
        let wang = open_keyed(&devices, &path, Some(&key)).unwrap();
        sync_all(&[&office, &wang]);
        wang.register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "101".into(),
            phone: PHONE.into(),
            ..HouseholdInput::default()
        })
        .unwrap();
        drop(wang);
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    assert!(!Path::new(&wal).exists(), "a closed store leaves no WAL");
    let before = std::fs::read(&path).unwrap();
    for wrong in [Some(StoreKey::generate()), None] {
        assert!(matches!(
            open_keyed(&devices, &path, wrong.as_ref()),
            Err(Error::WrongKey)
        ));
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(open_keyed(&devices, &path, Some(&key)).is_ok());
}

#[test]
fn a_rekeyed_store_opens_with_the_new_key_only() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let path = devices.dir.path().join("wang-phone.db");
    let old = StoreKey::generate();
    let new = StoreKey::generate();
    let wang = open_keyed(&devices, &path, Some(&old)).unwrap();
    sync_all(&[&office, &wang]);
    let h = wang
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "101".into(),
            phone: PHONE.into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    // Open: the rotation waits until the store is closed.
    assert!(matches!(
        Linli::rekey(&path, &old, &new),
        Err(Error::StoreInUse { .. })
    ));
    drop(wang);
    assert!(matches!(
        Linli::rekey(&path, &new, &old),
        Err(Error::WrongKey)
    ));
    Linli::rekey(&path, &old, &new).unwrap();
    assert!(matches!(
        open_keyed(&devices, &path, Some(&old)),
        Err(Error::WrongKey)
    ));
    let wang = open_keyed(&devices, &path, Some(&new)).unwrap();
    assert_eq!(wang.household(&h).unwrap().phone, PHONE);
    assert!(wang.outbox_len().unwrap() > 0);
}
