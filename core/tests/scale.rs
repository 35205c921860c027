//! A store with 20,000 records reopens and answers its lists from projections without loading
//! documents.

mod common;

use common::{Devices, community};
use linli_core::api::households::{HouseholdInput, WatchPlanInput};
use linli_core::api::tickets::{TicketFilter, TicketInput};
use linli_core::records::directory::PlaceKind;
use linli_core::records::household::{Tag, WatchFrequency};
use linli_core::records::ticket::{Category, PlaceRefKind};

const HOUSEHOLDS: usize = 19_000;
const TICKETS: usize = 1_000;
const BUILDINGS: usize = 38;

#[test]
fn twenty_thousand_records_reopen_without_loading_documents() {
    let devices = Devices::new();
    let c;
    let buildings: Vec<String>;
    {
        let office = devices.open("office", "office-pc");
        c = community(&office);
        buildings = (0..BUILDINGS)
            .map(|i| {
                office
                    .add_place(
                        PlaceKind::Building,
                        &format!("{}号楼", i + 10),
                        Some(&c.compound),
                    )
                    .unwrap()
            })
            .collect();
        let per_building = HOUSEHOLDS / BUILDINGS;
        for b in &buildings {
            let list: Vec<HouseholdInput> = (0..per_building)
                .map(|i| HouseholdInput {
                    building_id: b.clone(),
                    unit: (i / 50 + 1).to_string(),
                    room: format!("{}{:02}", i % 50 / 2 + 1, i % 2 + 1),
                    tags: if i % 10 == 0 {
                        vec![Tag::LivingAlone, Tag::Elderly]
                    } else {
                        vec![]
                    },
                    watch: (i % 25 == 0).then_some(WatchPlanInput {
                        frequency: WatchFrequency::TimesPerDay,
                        n: 2,
                    }),
                    ..HouseholdInput::default()
                })
                .collect();
            office.import_households(&list).unwrap();
        }
        for i in 0..TICKETS {
            office
                .report_ticket(&TicketInput {
                    category: Category::ALL_FOR_TEST[i % Category::ALL_FOR_TEST.len()],
                    place_kind: PlaceRefKind::Building,
                    place_ref: buildings[i % BUILDINGS].clone(),
                    description: format!("第{i}号问题"),
                    ..TicketInput::default()
                })
                .unwrap();
        }
        assert_eq!(office.documents().unwrap().len(), HOUSEHOLDS + TICKETS + 1);
    }

    let office = devices.open("office", "office-pc");
    assert_eq!(office.stats().documents_loaded, 0);
    let rows = office.households_in_building(&buildings[7]).unwrap();
    assert_eq!(rows.len(), HOUSEHOLDS / BUILDINGS);
    assert_eq!(
        rows.iter()
            .filter(|r| r.tags.contains(&Tag::LivingAlone))
            .count(),
        50
    );
    let open = office
        .tickets(&TicketFilter {
            open_only: true,
            ..TicketFilter::default()
        })
        .unwrap();
    assert_eq!(open.len(), TICKETS);
    let due = office.watch_checks_due().unwrap();
    assert_eq!(due.len(), BUILDINGS * 20);
    let report = office
        .day_report(office.community().unwrap().local_date(office.now()))
        .unwrap();
    assert_eq!(report.watch.households as usize, BUILDINGS * 20);
    assert_eq!(
        office.stats().documents_loaded,
        0,
        "lists must come from projections"
    );

    // Opening one record loads exactly that document.
    office.ticket(&open[0].id).unwrap();
    assert_eq!(office.stats().documents_loaded, 1);
}

trait AllForTest {
    const ALL_FOR_TEST: &'static [Category];
}
impl AllForTest for Category {
    const ALL_FOR_TEST: &'static [Category] = <Category as linli_core::Coded>::ALL;
}
