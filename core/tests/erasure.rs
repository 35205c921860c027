//! A record erased on a store stays erased: changes of it that arrive later (a page the relay
//! read before the erasure) do not make it again; a ticket that only left the phone may come
//! back.

mod common;

use common::{Devices, community, sync_all};
use linli_core::api::households::HouseholdInput;
use linli_core::sync::protocol::{Erased, Refused, change_key};
use linli_core::{Linli, RemoteChange};

/// The office and lead Wang, synced, and a household of 3号楼 at `unit` `room` registered by
/// the office or by Wang.
fn household_of_3(unit: &str, room: &str, by_office: bool) -> (Devices, Linli, Linli, String) {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let registrar = if by_office { &office } else { &wang };
    let h = registrar
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: unit.into(),
            room: room.into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    (devices, office, wang, h)
}

#[test]
fn an_erased_record_is_not_made_again_by_changes_that_arrive_late() {
    let (_devices, office, wang, h) = household_of_3("1单元", "302", true);
    let (kind, scope, mut doc) = office.document_copy(&h).unwrap().unwrap();
    let late: Vec<RemoteChange> = doc
        .get_changes(&[])
        .iter()
        .map(|ch| RemoteChange {
            doc_id: h.clone(),
            kind,
            scope: scope.clone(),
            bytes: ch.raw_bytes().to_vec(),
        })
        .collect();
    let erased = wang
        .apply_erasures(&[Erased {
            seq: 1,
            doc_id: h.clone(),
        }])
        .unwrap();
    assert_eq!(erased, 0, "wang never had it");
    wang.apply_remote(&late).unwrap();
    assert!(wang.household(&h).is_err(), "made again by a late page");
    assert_eq!(wang.erased_seq().unwrap(), 1);
}

#[test]
fn a_refusal_that_arrives_after_the_erasure_keeps_nothing_of_the_record() {
    let (_devices, _office, wang, h) = household_of_3("2单元", "101", false);
    // A request carrying the record's changes is on its way when an earlier answer erases it;
    // its own answer then refuses them as erased.
    let pushed: Vec<RemoteChange> = wang
        .outbox(0, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.change)
        .filter(|c| c.doc_id == h)
        .collect();
    assert!(!pushed.is_empty());
    wang.apply_erasures(&[Erased {
        seq: 1,
        doc_id: h.clone(),
    }])
    .unwrap();
    let refused: Vec<Refused> = pushed
        .iter()
        .map(|c| Refused {
            hash: change_key(&c.bytes),
            doc_id: h.clone(),
            code: "erased".into(),
            reason: "the office erased the record".into(),
        })
        .collect();
    assert_eq!(wang.set_aside_refused(&pushed, &refused).unwrap(), 0);
    assert_eq!(
        wang.set_aside_count().unwrap(),
        0,
        "nothing of it kept aside"
    );
}
