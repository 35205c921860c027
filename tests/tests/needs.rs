//! The needs list through a relay: a lead's need reaches those who serve; two of them claim it
//! offline and every phone and the relay's replica agree on one holder and show the conflict;
//! the holder's service and the lead's confirmation are kept; a department sees no need.

use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::households::HouseholdInput;
use linli_core::api::needs::{NeedFilter, NeedInput};
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::need::{NeedCategory, NeedStatus, Urgency};
use linli_e2e::TestRelay;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_need_claimed_twice_offline_has_one_holder_everywhere() {
    let r = TestRelay::start().await;
    let b3 = r.places.building3.clone();
    r.admin
        .run(|l| {
            let city = l.add_place(PlaceKind::Department, "城管中队", None)?;
            for (id, role, places) in [
                ("pm-zhang", Role::PartyMember, vec![]),
                ("cg-liu", Role::DepartmentStaff, vec![city]),
            ] {
                l.add_member(&MemberInput {
                    id: Some(id.into()),
                    name: "测试成员".into(),
                    phone: String::new(),
                    roles: vec![RoleInput { role, places }],
                })?;
            }
            Ok(())
        })
        .unwrap();
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let wu = r.phone("vol-wu", "wu-phone").await;
    let zhang = r.phone("pm-zhang", "zhang-phone").await;
    let liu = r.phone("cg-liu", "liu-phone").await;
    for phone in [&office, &wang, &wu, &zhang, &liu] {
        phone.sync().await.unwrap();
    }

    let household = wang
        .linli
        .register_household(&HouseholdInput {
            building_id: b3,
            room: "502".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    let need = wang
        .linli
        .record_need(&NeedInput {
            household_id: household,
            category: NeedCategory::Escort,
            urgency: Urgency::Soon,
            description: "周四陪同去医院复查".into(),
            visit_id: None,
        })
        .unwrap();
    wang.sync().await.unwrap();
    for phone in [&wu, &zhang, &liu] {
        phone.sync().await.unwrap();
    }
    let open = |phone: &linli_relay::demo::Phone| {
        phone
            .linli
            .needs(&NeedFilter {
                status: Some(NeedStatus::Open),
                ..NeedFilter::default()
            })
            .unwrap()
            .len()
    };
    assert_eq!((open(&wu), open(&zhang)), (1, 1));
    assert_eq!(open(&liu), 0, "a department reads no need");

    // Both claim before either syncs; the relay keeps both claims.
    wu.linli.claim_need(&need).unwrap();
    zhang.linli.claim_need(&need).unwrap();
    wu.sync().await.unwrap();
    zhang.sync().await.unwrap();
    wu.sync().await.unwrap();
    office.sync().await.unwrap();
    wang.sync().await.unwrap();
    let holder =
        |phone: &linli_relay::demo::Phone| phone.linli.need(&need).unwrap().claim.map(|c| c.member);
    let held = holder(&office);
    assert!(held.is_some());
    for phone in [&wang, &wu, &zhang] {
        assert_eq!(holder(phone), held, "{}", phone.name);
    }
    let relay_view = r
        .relay
        .replica
        .read(r.relay.storage.as_ref(), |l, _| Ok(l.need(&need)?))
        .unwrap()
        .claim
        .map(|c| c.member);
    assert_eq!(relay_view, held, "the relay's replica agrees");
    assert_eq!(office.linli.conflicts(&need).unwrap().len(), 1);

    // The holder serves; the lead confirms.
    let (server, other) = if held.as_deref() == Some("vol-wu") {
        (&wu, &zhang)
    } else {
        (&zhang, &wu)
    };
    assert!(other.linli.record_service(&need, 60, "陪同").is_err());
    server.linli.record_service(&need, 150, "陪同复查").unwrap();
    server.sync().await.unwrap();
    wang.sync().await.unwrap();
    wang.linli.confirm_need(&need).unwrap();
    wang.sync().await.unwrap();
    office.sync().await.unwrap();
    let done = office.linli.need(&need).unwrap();
    assert_eq!(done.status(), NeedStatus::Confirmed);
    assert_eq!(done.minutes(), 150);
}
