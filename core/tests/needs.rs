//! The needs list (需求清单 · 认领): recorded at a visit, claimed, served, confirmed, and the
//! month's service hours per member and per co-building unit.

mod common;

use common::{Devices, community, sync_all};
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::households::{HouseholdInput, VisitInput};
use linli_core::api::needs::{NeedFilter, NeedInput};
use linli_core::api::records::Resolution;
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::household::VisitOutcome;
use linli_core::records::need::{NeedCategory, NeedStatus, Urgency};
use linli_core::{Error, ErrorCode, Linli};

fn member(office: &Linli, id: &str, name: &str, role: Role, places: Vec<String>) {
    office
        .add_member(&MemberInput {
            id: Some(id.into()),
            name: name.into(),
            phone: String::new(),
            roles: vec![RoleInput { role, places }],
        })
        .unwrap();
}

#[test]
fn needs_are_claimed_once_served_confirmed_and_counted_by_month() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let tax = office
        .add_place(PlaceKind::Unit, "县税务局党支部", None)
        .unwrap();
    member(&office, "pm-zhang", "张党员", Role::PartyMember, vec![]);
    member(
        &office,
        "unit-lin",
        "林干部",
        Role::UnitMember,
        vec![tax.clone()],
    );
    let wang = devices.open("lead-wang", "wang-phone");
    let wu = devices.open("vol-wu", "wu-phone");
    let zhang = devices.open("pm-zhang", "zhang-phone");
    let lin = devices.open("unit-lin", "lin-phone");
    let everyone = [&office, &wang, &wu, &zhang, &lin];
    sync_all(&everyone);

    // A lead records two needs at a visit.
    let household = wang
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "302".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    let visit = wang
        .log_visit(
            &household,
            &VisitInput {
                outcome: VisitOutcome::Met,
                needs: "买药；修水龙头".into(),
                ..VisitInput::default()
            },
        )
        .unwrap();
    let need = |category, urgency, description: &str| NeedInput {
        household_id: household.clone(),
        category,
        urgency,
        description: description.into(),
        visit_id: Some(visit.clone()),
    };
    let medicine = wang
        .record_need(&need(NeedCategory::Shopping, Urgency::Urgent, "代购降压药"))
        .unwrap();
    let tap = wang
        .record_need(&need(
            NeedCategory::Repair,
            Urgency::Normal,
            "厨房水龙头漏水",
        ))
        .unwrap();
    // A volunteer records nothing; a lead of another building neither.
    assert!(matches!(
        wu.record_need(&need(NeedCategory::Other, Urgency::Normal, "x")),
        Err(Error::Forbidden { .. })
    ));
    sync_all(&everyone);
    let open = wu
        .needs(&NeedFilter {
            status: Some(NeedStatus::Open),
            area_id: Some(c.area.clone()),
            ..NeedFilter::default()
        })
        .unwrap();
    let ids: Vec<&str> = open.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, vec![medicine.as_str(), tap.as_str()], "urgent first");
    assert_eq!(open[0].address, "3号楼 1单元 302");
    // A lead does not claim.
    assert!(matches!(
        wang.claim_need(&tap),
        Err(Error::Forbidden { .. })
    ));

    // Two volunteers claim the medicine offline.
    wu.claim_need(&medicine).unwrap();
    zhang.claim_need(&medicine).unwrap();
    sync_all(&everyone);
    let holders: Vec<Option<String>> = everyone
        .iter()
        .map(|l| l.need(&medicine).unwrap().claim.map(|c| c.member))
        .collect();
    assert!(holders[0].is_some());
    assert!(
        holders.iter().all(|h| h == &holders[0]),
        "one holder everywhere: {holders:?}"
    );
    let conflict = office.conflicts(&medicine).unwrap();
    assert_eq!(conflict.len(), 1, "the double claim is shown");
    assert_eq!(conflict[0].path, vec!["claim".to_owned()]);
    assert_eq!(conflict[0].values.len(), 2);
    let mut shown: Vec<&str> = conflict[0]
        .values
        .iter()
        .map(|v| v.display.as_str())
        .collect();
    shown.sort_unstable();
    assert_eq!(
        shown,
        vec!["吴志愿", "张党员"],
        "a claim reads as its member's name"
    );
    // The office gives it to 吴 (whichever was shown).
    let wu_index = conflict[0]
        .values
        .iter()
        .position(|v| v.member == "vol-wu")
        .unwrap();
    office
        .resolve_conflict(&medicine, &conflict[0].path, &Resolution::Pick(wu_index))
        .unwrap();
    sync_all(&everyone);
    assert!(office.conflicts(&medicine).unwrap().is_empty());
    assert_eq!(
        zhang.need(&medicine).unwrap().claim.unwrap().member,
        "vol-wu"
    );
    assert!(matches!(
        zhang.claim_need(&medicine),
        Err(Error::InvalidState {
            code: ErrorCode::NeedClaimed,
            ..
        })
    ));
    assert!(matches!(
        zhang.record_service(&medicine, 30, "送药"),
        Err(Error::Forbidden { .. })
    ));

    // Served for 1.5 h, confirmed by the lead.
    assert!(matches!(
        wang.confirm_need(&medicine),
        Err(Error::InvalidState {
            code: ErrorCode::NotServed,
            ..
        })
    ));
    assert!(matches!(
        wu.record_service(&medicine, 0, ""),
        Err(Error::InvalidInput { .. })
    ));
    wu.record_service(&medicine, 90, "药店代购降压药并送到家")
        .unwrap();
    // The unit's member serves the tap for the unit.
    lin.claim_need(&tap).unwrap();
    lin.record_service(&tap, 45, "更换阀芯").unwrap();
    sync_all(&everyone);
    assert_eq!(wang.need(&medicine).unwrap().status(), NeedStatus::Served);
    assert!(matches!(
        wu.confirm_need(&medicine),
        Err(Error::Forbidden { .. })
    ));
    wang.confirm_need(&medicine).unwrap();
    sync_all(&everyone);
    assert_eq!(
        office.need(&medicine).unwrap().status(),
        NeedStatus::Confirmed
    );

    let month = office.community().unwrap().local_date(office.now());
    let hours = office.service_hours(month).unwrap();
    let row = |kind: &str, id: &str| {
        hours
            .iter()
            .find(|r| r.kind == kind && r.id == id)
            .map(|r| (r.services, r.minutes, r.confirmed_minutes))
    };
    assert_eq!(row("member", "vol-wu"), Some((1, 90, 90)));
    assert_eq!(row("member", "unit-lin"), Some((1, 45, 0)));
    assert_eq!(
        office.need(&tap).unwrap().services[0].unit.as_deref(),
        Some(tax.as_str()),
        "{hours:?}"
    );
    assert_eq!(row("unit", &tax), Some((1, 45, 0)));
    assert_eq!(row("member", "pm-zhang"), None);
    let unit = hours.iter().find(|r| r.kind == "unit").unwrap();
    assert_eq!(unit.name, "县税务局党支部");
    let report = office.day_report(month).unwrap();
    assert_eq!(
        (
            report.needs.recorded,
            report.needs.claimed,
            report.needs.services,
            report.needs.minutes,
            report.needs.confirmed,
            report.needs.open
        ),
        (2, 2, 2, 135, 1, 0)
    );
    assert!(report.to_csv().contains("需求清单,服务分钟,合计,135"));
    // Another month holds none of it.
    let next = month.checked_add_months(chrono::Months::new(1)).unwrap();
    assert!(office.service_hours(next).unwrap().is_empty());
}
