//! The permission table: each role against each kind of scope.

mod common;

use common::{Devices, community, sync_all};
use linli_core::Scope;
use linli_core::api::access::Access;
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::records::directory::{PlaceKind, Role};

fn rw(read: bool, write: bool) -> Access {
    Access { read, write }
}

#[test]
fn each_role_reads_and_writes_the_scopes_of_its_places() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let other_area = office.add_place(PlaceKind::Area, "第二片区", None).unwrap();
    let lane = office
        .add_place(PlaceKind::Lane, "梧桐弄", Some(&other_area))
        .unwrap();
    let lane_house = office
        .add_place(PlaceKind::Building, "梧桐弄7号", Some(&lane))
        .unwrap();
    let city = office
        .add_place(PlaceKind::Department, "城管中队", None)
        .unwrap();
    let police = office
        .add_place(PlaceKind::Department, "梅园派出所", None)
        .unwrap();
    for (id, role, place) in [
        ("area-zheng", Role::AreaLead, &c.area),
        ("lane-he", Role::LaneLead, &lane),
        ("cg-liu", Role::DepartmentStaff, &city),
    ] {
        office
            .add_member(&MemberInput {
                id: Some(id.into()),
                name: "测试".into(),
                phone: String::new(),
                roles: vec![RoleInput {
                    role,
                    places: vec![place.clone()],
                }],
            })
            .unwrap();
    }
    let gate = c.east_gate.clone();
    let scopes = [
        Scope::Community,
        Scope::Tickets,
        Scope::Needs,
        Scope::Evaluations,
        Scope::Building(c.building3.clone()),
        Scope::Building(c.building5.clone()),
        Scope::Building(lane_house.clone()),
        Scope::GateRoster(gate.clone()),
        Scope::GateLog(gate.clone()),
        Scope::Department(city.clone()),
        Scope::Department(police.clone()),
    ];
    let (n, r, w) = (rw(false, false), rw(true, false), rw(true, true));
    let table = [
        ("office", [w, w, w, w, w, w, w, w, w, w, w]),
        ("area-zheng", [w, w, w, w, w, w, n, r, r, w, w]),
        ("lead-wang", [w, w, w, w, w, n, n, n, n, r, r]),
        ("lead-li", [w, w, w, w, w, w, n, n, n, r, r]),
        ("lane-he", [w, w, w, w, n, n, w, n, n, r, r]),
        ("gate-zhao", [w, w, w, w, n, n, n, w, w, r, r]),
        ("shift-qian", [w, w, w, w, n, n, n, w, w, r, r]),
        ("guard-sun", [w, w, w, w, n, n, n, w, w, r, r]),
        ("vol-wu", [w, w, w, w, n, n, n, n, n, r, r]),
        ("cg-liu", [r, n, n, n, n, n, n, n, n, w, n]),
        ("stranger", [n, n, n, n, n, n, n, n, n, n, n]),
    ];
    for (member, expected) in table {
        for (scope, want) in scopes.iter().zip(expected) {
            assert_eq!(
                office.scope_access(member, scope).unwrap(),
                want,
                "{member} on {scope}"
            );
        }
    }
    office.deactivate_member("lead-wang").unwrap();
    assert_eq!(
        office
            .scope_access("lead-wang", &Scope::Building(c.building3.clone()))
            .unwrap(),
        n
    );
    assert_eq!(
        office.scope_access("lead-wang", &Scope::Community).unwrap(),
        n
    );
}

#[test]
fn each_member_works_at_the_buildings_and_gates_it_may_write() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let li = devices.open("lead-li", "li-phone");
    let sun = devices.open("guard-sun", "sun-phone");
    let wu = devices.open("vol-wu", "wu-phone");
    sync_all(&[&office, &li, &sun, &wu]);
    let ids = |l: &linli_core::Linli, kind| -> Vec<String> {
        let mut v: Vec<String> = l
            .my_places(kind)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        v.sort();
        v
    };
    let mut both = vec![c.building3.clone(), c.building5.clone()];
    both.sort();
    assert_eq!(ids(&li, PlaceKind::Building), both);
    assert!(ids(&li, PlaceKind::Gate).is_empty());
    assert_eq!(ids(&sun, PlaceKind::Gate), vec![c.east_gate.clone()]);
    assert!(ids(&sun, PlaceKind::Building).is_empty());
    assert!(
        ids(&wu, PlaceKind::Gate).is_empty(),
        "a volunteer without a gate has none"
    );
    assert_eq!(ids(&office, PlaceKind::Building), both);
    assert!(ids(&office, PlaceKind::Area).is_empty());
}
