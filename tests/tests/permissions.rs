//! The permission table through the relay's HTTP interface: for each role and each scope, a
//! pull from zero returns the scope's changes exactly when the member may read it, and a push of
//! a real change in the scope passes the scope check exactly when the member may write it
//! (otherwise every change is refused with `scope_forbidden` and set aside, and nothing is
//! stored). What the member may do inside a writable scope is the rules' to judge (see
//! `attacks.rs`).

use std::collections::BTreeSet;

use chrono::Duration;
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::households::HouseholdInput;
use linli_core::api::needs::NeedInput;
use linli_core::api::tickets::TicketInput;
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::need::NeedCategory;
use linli_core::records::ticket::{Category, Channel, PlaceRefKind};
use linli_core::sync::protocol::{
    self, Cursor, PROTOCOL_VERSION, SyncRequest, SyncResponse, Wanted,
};
use linli_core::{DeviceIdentity, Linli};
use linli_e2e::{TestRelay, copy_history, post_raw, reattributed};

/// One kind of write per scope, done on a store that holds the community's history.
#[derive(Debug, Clone, Copy)]
enum Write {
    Directory,
    Ticket,
    Household3,
    Household5,
    Roster(usize),
    GateLog(usize),
    /// A ticket dispatched to department `n`: only the work order is pushed.
    Order(usize),
    /// A need of a household in 3号楼.
    Need,
    /// The month's evaluation round.
    Round,
}

struct Gates {
    ids: [String; 2],
    departments: [String; 2],
}

fn write(l: &Linli, what: Write, p: &linli_relay::demo::Places, gates: &Gates) {
    let now = l.now();
    match what {
        Write::Directory => {
            l.add_place(PlaceKind::Building, "探针楼", Some(&p.compound))
                .unwrap();
        }
        Write::Ticket => {
            l.report_ticket(&TicketInput {
                category: Category::Elevator,
                place_kind: PlaceRefKind::FreeText,
                place_text: "3号楼电梯".into(),
                description: "电梯按钮失灵".into(),
                channel: Channel::Visit,
                ..TicketInput::default()
            })
            .unwrap();
        }
        Write::Household3 | Write::Household5 => {
            let building = match what {
                Write::Household3 => &p.building3,
                _ => &p.building5,
            };
            l.register_household(&HouseholdInput {
                building_id: building.clone(),
                room: "901".into(),
                ..HouseholdInput::default()
            })
            .unwrap();
        }
        Write::Roster(g) => {
            l.add_shift(&gates.ids[g], "夜班", now, now + Duration::hours(8), 1)
                .unwrap();
        }
        Write::GateLog(g) => {
            l.register_vehicle(&gates.ids[g], "沪A12345", "访客")
                .unwrap();
        }
        Write::Order(d) => {
            let ticket = l
                .report_ticket(&TicketInput {
                    category: Category::CityAppearance,
                    place_kind: PlaceRefKind::FreeText,
                    place_text: "东门外".into(),
                    description: "占道经营".into(),
                    channel: Channel::Visit,
                    ..TicketInput::default()
                })
                .unwrap();
            l.dispatch_ticket(&ticket, &gates.departments[d]).unwrap();
        }
        Write::Need => {
            let household = l.households_in_building(&p.building3).unwrap().remove(0).id;
            l.record_need(&NeedInput {
                household_id: household,
                category: NeedCategory::Meals,
                description: "独居老人助餐".into(),
                ..NeedInput::default()
            })
            .unwrap();
        }
        Write::Round => {
            // A month no store has opened yet, each time.
            static MONTHS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
            let ahead = MONTHS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let month = l.community().unwrap().local_date(now);
            l.open_round(month + chrono::Months::new(ahead)).unwrap();
        }
    }
}

const NONE: (bool, bool) = (false, false);
const READ: (bool, bool) = (true, false);
const BOTH: (bool, bool) = (true, true);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_reads_and_writes_exactly_its_scopes_through_the_relay() {
    let r = TestRelay::start().await;
    let p = r.places.clone();
    let (west, city, police) = r
        .admin
        .run(|l| {
            let west = l.add_place(PlaceKind::Gate, "西门", Some(&p.compound))?;
            let city = l.add_place(PlaceKind::Department, "城管中队", None)?;
            let police = l.add_place(PlaceKind::Department, "梅园派出所", None)?;
            for (id, role, place) in [
                ("area-zheng", Role::AreaLead, &p.area),
                ("lead-old", Role::BuildingLead, &p.building3),
                ("cg-liu", Role::DepartmentStaff, &city),
            ] {
                l.add_member(&MemberInput {
                    id: Some(id.into()),
                    name: "测试成员".into(),
                    phone: String::new(),
                    roles: vec![RoleInput {
                        role,
                        places: vec![place.clone()],
                    }],
                })?;
            }
            Ok((west, city, police))
        })
        .unwrap();
    let gates = Gates {
        ids: [p.east_gate.clone(), west.clone()],
        departments: [city.clone(), police.clone()],
    };
    let scopes = [
        ("community".to_owned(), Write::Directory),
        ("tickets".to_owned(), Write::Ticket),
        (format!("building/{}", p.building3), Write::Household3),
        (format!("building/{}", p.building5), Write::Household5),
        (format!("gate/{}/roster", p.east_gate), Write::Roster(0)),
        (format!("gate/{}/log", p.east_gate), Write::GateLog(0)),
        (format!("gate/{west}/roster"), Write::Roster(1)),
        (format!("gate/{west}/log"), Write::GateLog(1)),
        (format!("department/{city}"), Write::Order(0)),
        (format!("department/{police}"), Write::Order(1)),
        ("needs".to_owned(), Write::Need),
        ("evaluations".to_owned(), Write::Round),
    ];

    // The office puts something into every scope.
    let office = r.phone("office-admin", "office-pc").await;
    office.sync().await.unwrap();
    for (_, what) in &scopes[1..] {
        write(&office.linli, *what, &p, &gates);
    }
    office.sync().await.unwrap();

    // Everyone of the community reads the departments' orders (a ticket's state takes their
    // steps); area leads dispatch; a department's staff read the directory and write their
    // own department's orders, and nothing else.
    let table = [
        ("office-admin", [BOTH; 12]),
        (
            "area-zheng",
            [
                BOTH, BOTH, BOTH, BOTH, READ, READ, READ, READ, BOTH, BOTH, BOTH, BOTH,
            ],
        ),
        (
            "lead-wang",
            [
                BOTH, BOTH, BOTH, NONE, NONE, NONE, NONE, NONE, READ, READ, BOTH, BOTH,
            ],
        ),
        (
            "lead-li",
            [
                BOTH, BOTH, BOTH, BOTH, NONE, NONE, NONE, NONE, READ, READ, BOTH, BOTH,
            ],
        ),
        (
            "gate-zhao",
            [
                BOTH, BOTH, NONE, NONE, BOTH, BOTH, NONE, NONE, READ, READ, BOTH, BOTH,
            ],
        ),
        (
            "shift-qian",
            [
                BOTH, BOTH, NONE, NONE, BOTH, BOTH, NONE, NONE, READ, READ, BOTH, BOTH,
            ],
        ),
        (
            "guard-sun",
            [
                BOTH, BOTH, NONE, NONE, BOTH, BOTH, NONE, NONE, READ, READ, BOTH, BOTH,
            ],
        ),
        (
            "vol-wu",
            [
                BOTH, BOTH, NONE, NONE, BOTH, BOTH, NONE, NONE, READ, READ, BOTH, BOTH,
            ],
        ),
        (
            "cg-liu",
            [
                READ, NONE, NONE, NONE, NONE, NONE, NONE, NONE, BOTH, NONE, NONE, NONE,
            ],
        ),
        ("lead-old", [NONE; 12]),
    ];
    let mut phones = Vec::new();
    for (member, _) in &table {
        phones.push(r.phone(member, &format!("{member}-phone")).await);
    }
    // A member deactivated after enrolment keeps a valid token but is refused every sync.
    office.linli.deactivate_member("lead-old").unwrap();
    office.sync().await.unwrap();

    let v = PROTOCOL_VERSION.to_string();
    let b5_household = office
        .linli
        .households_in_building(&p.building5)
        .unwrap()
        .remove(0)
        .id;
    for ((member, expected), phone) in table.iter().zip(&phones) {
        let token = phone.client.options().token.clone();
        if *member == "lead-old" {
            // Told so before anything is read or judged: neither reads nor writes get through.
            let answer = post_raw(
                &r.url,
                "/v1/sync",
                Some(&token),
                &v,
                protocol::encode(&SyncRequest {
                    page_bytes: 1 << 20,
                    ..SyncRequest::default()
                }),
            )
            .await;
            assert_eq!(answer.status, 403, "{member} is cut off");
            assert!(
                String::from_utf8_lossy(&answer.body).contains("member_deactivated"),
                "{member}: {}",
                String::from_utf8_lossy(&answer.body)
            );
            assert!(expected.iter().all(|(r, w)| !r && !w));
            continue;
        }

        // Read: pull everything from zero.
        let mut cursors: Vec<Cursor> = Vec::new();
        let mut read = BTreeSet::new();
        loop {
            let answer = post_raw(
                &r.url,
                "/v1/sync",
                Some(&token),
                &v,
                protocol::encode(&SyncRequest {
                    cursors: cursors.clone(),
                    page_bytes: 1 << 20,
                    ..SyncRequest::default()
                }),
            )
            .await;
            assert_eq!(answer.status, 200, "{member} pulls");
            let page: SyncResponse = protocol::decode(&answer.body).unwrap();
            read.extend(page.changes.iter().map(|c| c.scope.clone()));
            for c in page.cursors {
                cursors.retain(|k| k.scope != c.scope);
                cursors.push(c);
            }
            if !page.more {
                break;
            }
        }
        for ((scope, _), (may_read, _)) in scopes.iter().zip(expected) {
            assert_eq!(read.contains(scope), *may_read, "{member} reads {scope}");
        }
        // Asking by hash does not get around it.
        let wanted: SyncResponse = protocol::decode(
            &post_raw(
                &r.url,
                "/v1/sync",
                Some(&token),
                &v,
                protocol::encode(&SyncRequest {
                    want: vec![Wanted {
                        doc_id: b5_household.clone(),
                        hashes: office
                            .linli
                            .heads(&b5_household)
                            .unwrap()
                            .iter()
                            .map(|h| h.0)
                            .collect(),
                    }],
                    cursors: cursors.clone(),
                    page_bytes: 1 << 20,
                    ..SyncRequest::default()
                }),
            )
            .await
            .body,
        )
        .unwrap();
        assert_eq!(
            !wanted.wanted.is_empty(),
            expected[3].0,
            "{member} asks by hash"
        );

        // Write: real changes by this device's actor, made on a store that holds the
        // community's history and acts with the office's rights, so that only the relay
        // decides.
        let forger = Linli::open_with_actor(
            &r.phone_path(&format!("{member}-writer")),
            DeviceIdentity {
                member_id: "office-admin".into(),
                device_id: format!("{member}-writer"),
            },
            r.clock.clone(),
            Some(&phone.linli.actor_id()),
            None,
        )
        .unwrap();
        copy_history(&office.linli, &forger);
        forger.ack_outbox(i64::MAX).unwrap();
        for ((scope, what), (_, may_write)) in scopes.iter().zip(expected) {
            write(&forger, *what, &p, &gates);
            let push: Vec<_> = forger
                .outbox(0, 1000)
                .unwrap()
                .into_iter()
                .map(|c| c.change)
                .filter(|c| !matches!(what, Write::Order(_)) || &c.scope == scope)
                .collect();
            assert!(push.iter().any(|c| &c.scope == scope), "{scope} written");
            // Named for this member and device, as its own phone would.
            let me = phone.linli.identity();
            let push = reattributed(push, &me.member_id, &me.device_id);
            let pushed = push.len();
            let before = r.relay.storage.log_len().unwrap();
            let answer = post_raw(
                &r.url,
                "/v1/sync",
                Some(&token),
                &v,
                protocol::encode(&SyncRequest {
                    push,
                    cursors: cursors.clone(),
                    page_bytes: 1024,
                    ..SyncRequest::default()
                }),
            )
            .await;
            let after = r.relay.storage.log_len().unwrap();
            assert_eq!(answer.status, 200, "{member} writes {scope}");
            let page: SyncResponse = protocol::decode(&answer.body).unwrap();
            let scope_refusals = page
                .refused
                .iter()
                .filter(|x| x.code == "scope_forbidden")
                .count();
            if *may_write {
                assert_eq!(
                    scope_refusals, 0,
                    "{member} writes {scope}: {:?}",
                    page.refused
                );
                // Anyone may write the community's scope, but only the office changes the
                // directory (others only mark their reminders done): the rules refuse it.
                if matches!(what, Write::Directory) && *member != "office-admin" {
                    assert!(
                        page.refused.len() == pushed
                            && page.refused.iter().all(|x| x.code == "role_forbidden"),
                        "{member} changes the directory: {:?}",
                        page.refused
                    );
                    assert_eq!(after, before, "a refused push stores nothing");
                }
            } else {
                assert_eq!(scope_refusals, pushed, "{member} writes {scope}");
                assert_eq!(after, before, "a refused push stores nothing");
            }
            forger.ack_outbox(i64::MAX).unwrap();
        }
    }
}
