//! The community directory through the public API.

mod common;

use common::{Devices, bad_field, community};
use linli_core::Error;
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::records::directory::{PlaceKind, Role};

#[test]
fn community_places_and_members() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let info = office.community().unwrap();
    assert_eq!(info.name, "梅园社区");
    assert_eq!(info.utc_offset_minutes, 480);
    let gates = office.places(Some(PlaceKind::Gate)).unwrap();
    assert_eq!(gates.len(), 1);
    assert_eq!(gates[0].name, "东门");
    assert_eq!(gates[0].parent.as_deref(), Some(c.compound.as_str()));
    let li = office.member("lead-li").unwrap();
    assert_eq!(li.name, "李秀英");
    assert_eq!(li.roles.len(), 1);
    assert_eq!(li.roles[0].role, Role::BuildingLead);
    assert_eq!(li.roles[0].places.len(), 2);
    assert_eq!(office.members().unwrap().len(), 8);

    office.deactivate_member("vol-wu").unwrap();
    assert!(!office.member("vol-wu").unwrap().active);
    office
        .grant_role(
            "guard-sun",
            &RoleInput {
                role: Role::ShiftLead,
                places: vec![c.east_gate.clone()],
            },
        )
        .unwrap();
    assert_eq!(office.member("guard-sun").unwrap().roles.len(), 2);
}

#[test]
fn invalid_directory_input_names_the_field() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    assert_eq!(
        bad_field(office.create_community(" ", None, "陈", "")),
        "name"
    );
    assert_eq!(
        bad_field(office.create_community("梅园", Some(900), "陈", "")),
        "utc_offset_minutes"
    );
    assert_eq!(
        bad_field(office.create_community("梅园", None, "陈", "12")),
        "admin_phone"
    );
    let c = community(&office);
    assert!(matches!(
        office.create_community("又一个", None, "陈", ""),
        Err(Error::InvalidState { .. })
    ));
    assert_eq!(
        bad_field(office.add_place(PlaceKind::Gate, "西门", None)),
        "parent"
    );
    assert_eq!(
        bad_field(office.add_place(PlaceKind::Gate, "西门", Some(&c.building3))),
        "parent"
    );
    assert_eq!(
        bad_field(office.add_place(PlaceKind::Gate, "", Some(&c.compound))),
        "name"
    );
    let member = |roles: Vec<RoleInput>| MemberInput {
        id: None,
        name: "新成员".into(),
        phone: "13912345678".into(),
        roles,
    };
    assert_eq!(
        bad_field(office.add_member(&member(vec![RoleInput {
            role: Role::GateLead,
            places: vec![c.building3.clone()],
        }]))),
        "places"
    );
    assert_eq!(
        bad_field(office.add_member(&member(vec![RoleInput {
            role: Role::BuildingLead,
            places: vec![],
        }]))),
        "places"
    );
    assert_eq!(
        bad_field(office.add_member(&MemberInput {
            id: Some("lead-wang".into()),
            ..member(vec![])
        })),
        "id"
    );
    assert!(matches!(
        office.deactivate_member("nobody"),
        Err(Error::NotFound { what: "member", .. })
    ));
    // Nothing half-written: the failed calls left the directory as it was.
    assert_eq!(office.members().unwrap().len(), 8);
}

#[test]
fn only_the_office_edits_the_directory() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let lead = devices.open("lead-wang", "wang-phone");
    common::sync_all(&[&office, &lead]);
    assert!(matches!(
        lead.add_place(PlaceKind::Building, "7号楼", Some(&c.compound)),
        Err(Error::Forbidden { .. })
    ));
}

#[test]
fn a_store_keeps_its_identity() {
    let devices = Devices::new();
    drop(devices.open("office", "office-pc"));
    let err = linli_core::Linli::open(
        &devices.dir.path().join("office-pc.db"),
        linli_core::DeviceIdentity {
            member_id: "someone-else".into(),
            device_id: "office-pc".into(),
        },
        devices.clock.clone(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::IdentityMismatch { .. }));
}
