//! What a store holds about one resident: exactly their household, their own entry among its
//! residents, the visits to it, the needs recorded for it, the tickets that name it (with the
//! departments they went to) and the gate entries that name them, nothing of their neighbours.

mod common;

use common::{Devices, community, sync_all};
use linli_core::api::duty::VisitorInput;
use linli_core::api::households::{HealthInput, HouseholdInput, ResidentInput, VisitInput};
use linli_core::api::needs::NeedInput;
use linli_core::api::resident_export::ExportedResident;
use linli_core::api::tickets::TicketInput;
use linli_core::records::directory::PlaceKind;
use linli_core::records::gate_log::PassType;
use linli_core::records::household::VisitOutcome;
use linli_core::records::need::{NeedCategory, Urgency};
use linli_core::records::ticket::{Category, Channel, PlaceRefKind};

#[test]
fn one_resident_s_export_holds_exactly_their_records() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let resident = |name: &str, phone: &str| ResidentInput {
        name: name.into(),
        birth_year: Some(1948),
        phone: phone.into(),
    };
    let h = wang
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "302".into(),
            phone: "021-55550000".into(),
            residents: vec![
                resident("张桂英", "13900000001"),
                resident("李建华", "13900000002"),
            ],
            ..HouseholdInput::default()
        })
        .unwrap();
    let neighbour = wang
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "303".into(),
            residents: vec![resident("王大妈", "13900000009")],
            ..HouseholdInput::default()
        })
        .unwrap();
    let visit = wang
        .log_visit(
            &h,
            &VisitInput {
                outcome: VisitOutcome::Met,
                needs: "需要代购降压药".into(),
                opinions: "希望加装扶手".into(),
                health: Some(HealthInput {
                    temperature_c: Some(36.6),
                    systolic: Some(135),
                    diastolic: Some(85),
                    note: "精神好".into(),
                    concern: false,
                }),
                ..VisitInput::default()
            },
        )
        .unwrap();
    wang.log_visit(
        &neighbour,
        &VisitInput {
            needs: "邻居的需求".into(),
            ..VisitInput::default()
        },
    )
    .unwrap();
    let ticket = |place_kind, place_ref: &str, description: &str| TicketInput {
        category: Category::Property,
        place_kind,
        place_ref: place_ref.into(),
        place_text: String::new(),
        description: description.into(),
        photos: vec![],
        channel: Channel::Visit,
    };
    let theirs = wang
        .report_ticket(&ticket(PlaceRefKind::Household, &h, "302室漏水"))
        .unwrap();
    wang.report_ticket(&ticket(
        PlaceRefKind::Building,
        &c.building3,
        "3号楼楼道灯坏",
    ))
    .unwrap();
    wang.report_ticket(&ticket(PlaceRefKind::Household, &neighbour, "303室门锁坏"))
        .unwrap();
    let visitor = |name: &str, phone: &str, household: Option<&str>| VisitorInput {
        name: name.into(),
        phone: phone.into(),
        purpose: "探亲".into(),
        household: household.map(str::to_owned),
        pass: PassType::Temporary,
        ..VisitorInput::default()
    };
    let by_phone = office
        .register_visitor(&c.east_gate, &visitor("张桂英", "13900000001", None))
        .unwrap();
    office
        .register_visitor(&c.east_gate, &visitor("外卖员", "13700000000", None))
        .unwrap();
    // Visiting the household, but the export is about 张桂英: it names the household, so it
    // is theirs too.
    let to_household = office
        .register_visitor(&c.east_gate, &visitor("女儿", "13600000000", Some(&h)))
        .unwrap();
    office
        .register_parcel(&c.east_gate, "李建华", None, "顺丰")
        .unwrap();
    let (temperature, _) = office
        .record_temperature(&c.east_gate, "张桂英", 36.5)
        .unwrap();
    // A need for the household and one for the neighbour; the ticket sent to a department.
    let need = |household: &str, what: &str| NeedInput {
        household_id: household.into(),
        category: NeedCategory::Shopping,
        urgency: Urgency::Soon,
        description: what.into(),
        visit_id: None,
    };
    let their_need = wang.record_need(&need(&h, "代购降压药")).unwrap();
    wang.record_need(&need(&neighbour, "邻居的需求清单"))
        .unwrap();
    sync_all(&[&office, &wang]);
    let city = office
        .add_place(PlaceKind::Department, "城管中队", None)
        .unwrap();
    office.accept_ticket(&theirs).unwrap();
    office.dispatch_ticket(&theirs, &city).unwrap();
    sync_all(&[&office, &wang]);

    let doc = office.household(&h).unwrap();
    let zhang = doc
        .residents
        .iter()
        .find(|(_, r)| r.name == "张桂英")
        .map(|(id, _)| id.clone())
        .unwrap();
    let export = office.resident_export(&h, Some(&zhang)).unwrap();
    assert_eq!(
        export.residents,
        vec![ExportedResident {
            id: zhang.clone(),
            name: "张桂英".into(),
            birth_year: Some(1948),
            phone: "13900000001".into(),
        }]
    );
    assert_eq!(
        export.household.phone, "",
        "the household's phone is not theirs alone"
    );
    assert_eq!(export.household.room, "302");
    let visits: Vec<(&str, &str, &str, Option<&str>)> = export
        .visits
        .iter()
        .map(|v| {
            (
                v.id.as_str(),
                v.needs.as_str(),
                v.opinions.as_str(),
                v.health.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        visits,
        vec![(
            visit.as_str(),
            "需要代购降压药",
            "希望加装扶手",
            Some("体温 36.6℃，血压 135/85，精神好")
        )]
    );
    let tickets: Vec<(&str, &str)> = export
        .tickets
        .iter()
        .map(|t| (t.id.as_str(), t.description.as_str()))
        .collect();
    assert_eq!(tickets, vec![(theirs.as_str(), "302室漏水")]);
    assert_eq!(export.tickets[0].work_orders, vec!["城管中队：".to_owned()]);
    let needs: Vec<(&str, &str, &str)> = export
        .needs
        .iter()
        .map(|n| (n.id.as_str(), n.description.as_str(), n.status.as_str()))
        .collect();
    assert_eq!(needs, vec![(their_need.as_str(), "代购降压药", "待认领")]);
    let entries: Vec<&str> = export.gate_entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        entries,
        vec![
            by_phone.as_str(),
            to_household.as_str(),
            temperature.as_str()
        ]
    );
    assert_eq!(export.gate_entries[0].detail, "张桂英 13900000001：探亲");

    // The whole household: both residents, the household's phone, 李建华's parcel too.
    let whole = office.resident_export(&h, None).unwrap();
    assert_eq!(whole.residents.len(), 2);
    assert_eq!(whole.household.phone, "021-55550000");
    assert_eq!(whole.gate_entries.len(), 4);
    let json = whole.to_json().unwrap();
    assert!(json.contains("\"format\": \"linli-resident/1\""));
    assert!(!json.contains("王大妈") && !json.contains("邻居的需求") && !json.contains("外卖员"));
    let csv = whole.to_csv();
    assert!(csv.starts_with("\u{feff}类别,编号,时间,内容\n"), "{csv}");
    assert_eq!(csv.lines().filter(|l| l.starts_with("居民,")).count(), 2);
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("门岗登记,")).count(),
        4
    );
    assert!(csv.contains("需求 需要代购降压药；民意 希望加装扶手"));
    assert!(csv.contains("代购：代购降压药；待认领"), "{csv}");
    assert!(csv.contains("部门 城管中队："), "{csv}");

    assert!(matches!(
        office.resident_export(&h, Some("nobody")),
        Err(linli_core::Error::NotFound { .. })
    ));
}
