//! Complaint tickets through the public API.

mod common;

use chrono::Duration;
use common::{Devices, bad_field, community, sync_all};
use linli_core::Error;
use linli_core::api::tickets::{TicketFilter, TicketInput};
use linli_core::records::ticket::{
    Category, Channel, Department, Level, PlaceRefKind, Status, TicketAction,
};

fn noise(building: &str) -> TicketInput {
    TicketInput {
        category: Category::Noise,
        place_kind: PlaceRefKind::Building,
        place_ref: building.into(),
        place_text: "3号楼楼下".into(),
        description: "夜间广场舞噪声扰民".into(),
        photos: vec!["ab".repeat(32)],
        channel: Channel::Visit,
    }
}

#[test]
fn a_ticket_goes_up_and_comes_back() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);

    let t = wang.report_ticket(&noise(&c.building3)).unwrap();
    sync_all(&[&office, &wang]);
    office.accept_ticket(&t).unwrap();
    assert!(matches!(
        office.accept_ticket(&t),
        Err(Error::InvalidState { .. })
    ));
    office
        .assign_ticket(&t, Department::CityManagement)
        .unwrap();
    office
        .escalate_ticket(&t, Level::Street, "需街道城管协调")
        .unwrap();
    assert_eq!(
        bad_field(office.escalate_ticket(&t, Level::Community, "x")),
        "to"
    );
    assert_eq!(
        bad_field(office.escalate_ticket(&t, Level::County, " ")),
        "reason"
    );

    let row = &office.tickets(&TicketFilter::default()).unwrap()[0];
    assert_eq!(row.status, Status::Escalated);
    assert_eq!(row.level, Level::Street);
    assert_eq!(row.responsible.as_deref(), Some("office"));
    assert_eq!(row.department, Some(Department::CityManagement));
    assert_eq!(row.reply_due, Some(office.now() + Duration::hours(24)));
    assert!(!row.overdue);

    devices.clock.advance(Duration::hours(25));
    let overdue = office
        .tickets(&TicketFilter {
            overdue: true,
            ..TicketFilter::default()
        })
        .unwrap();
    assert_eq!(overdue.len(), 1);
    assert!(overdue[0].overdue);
    office.reply_ticket(&t, "已约谈广场舞团队负责人").unwrap();
    assert!(
        office
            .tickets(&TicketFilter {
                overdue: true,
                ..TicketFilter::default()
            })
            .unwrap()
            .is_empty()
    );

    assert!(matches!(
        wang.evaluate_ticket(&t, true, ""),
        Err(Error::InvalidState { .. })
    ));
    office
        .resolve_ticket(&t, "已调整活动时间至晚八点前")
        .unwrap();
    sync_all(&[&office, &wang]);
    wang.evaluate_ticket(&t, false, "仍有噪声").unwrap();
    let detail = wang.ticket(&t).unwrap();
    assert_eq!(detail.state.status, Status::Reopened);
    assert!(detail.state.reply_due_ms.is_some());
    office.attach_photo(&t, &"CD".repeat(32)).unwrap();
    sync_all(&[&office, &wang]);
    office.resolve_ticket(&t, "加装隔音设施").unwrap();
    office.evaluate_ticket(&t, true, "满意").unwrap();
    let detail = office.ticket(&t).unwrap();
    assert_eq!(detail.state.status, Status::Closed);
    assert_eq!(detail.state.photos.len(), 2);
    assert_eq!(detail.doc.events.len(), 10);
    assert!(matches!(
        office.reply_ticket(&t, "x"),
        Err(Error::InvalidState { .. })
    ));
}

#[test]
fn concurrent_events_from_two_phones_both_stay() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    let li = devices.open("lead-li", "li-phone");
    sync_all(&[&office, &wang, &li]);
    let t = office.report_ticket(&noise(&c.building3)).unwrap();
    sync_all(&[&office, &wang, &li]);
    // Both accept offline: both events stay, one (the same everywhere) is responsible.
    wang.accept_ticket(&t).unwrap();
    li.accept_ticket(&t).unwrap();
    sync_all(&[&office, &wang, &li]);
    let states: Vec<_> = [&office, &wang, &li]
        .iter()
        .map(|d| d.ticket(&t).unwrap())
        .collect();
    assert_eq!(states[0].doc.events.len(), 3);
    let accepts = states[0]
        .doc
        .events
        .iter()
        .filter(|e| e.action == TicketAction::Accepted)
        .count();
    assert_eq!(accepts, 2);
    assert!(
        states
            .iter()
            .all(|s| s.state == states[0].state && s.doc == states[0].doc)
    );
    assert!(states[0].state.responsible.is_some());
}

#[test]
fn duplicates_merge_keeping_every_source() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let a = office.report_ticket(&noise(&c.building3)).unwrap();
    let b = office
        .report_ticket(&TicketInput {
            channel: Channel::Hotline12345,
            ..noise(&c.building3)
        })
        .unwrap();
    assert_eq!(bad_field(office.merge_ticket(&a, &a)), "into");
    assert_eq!(bad_field(office.merge_ticket(&b, "missing")), "into");
    office.merge_ticket(&b, &a).unwrap();
    assert_eq!(office.ticket(&b).unwrap().state.status, Status::Merged);
    assert_eq!(office.ticket(&a).unwrap().state.absorbed, vec![b.clone()]);
    assert!(matches!(
        office.merge_ticket(&b, &a),
        Err(Error::InvalidState { .. })
    ));
    let open = office
        .tickets(&TicketFilter {
            open_only: true,
            ..TicketFilter::default()
        })
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, a);
}

#[test]
fn ticket_lists_filter() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let mine = wang.report_ticket(&noise(&c.building3)).unwrap();
    let elevator = office
        .report_ticket(&TicketInput {
            category: Category::Elevator,
            place_ref: c.building5.clone(),
            description: "电梯困人".into(),
            photos: vec![],
            ..noise(&c.building5)
        })
        .unwrap();
    let free = office
        .report_ticket(&TicketInput {
            category: Category::StrayAnimals,
            place_kind: PlaceRefKind::FreeText,
            place_ref: String::new(),
            place_text: "小区花园".into(),
            description: "流浪狗聚集".into(),
            photos: vec![],
            channel: Channel::ChatGroup,
        })
        .unwrap();
    office
        .escalate_ticket(&elevator, Level::County, "特种设备")
        .unwrap();
    sync_all(&[&office, &wang]);

    let f = |f: TicketFilter| -> Vec<String> {
        let mut ids: Vec<_> = wang
            .tickets(&f)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        f(TicketFilter {
            mine: true,
            ..Default::default()
        }),
        vec![mine.clone()]
    );
    assert_eq!(
        f(TicketFilter {
            level: Some(Level::County),
            ..Default::default()
        }),
        vec![elevator.clone()]
    );
    assert_eq!(
        f(TicketFilter {
            category: Some(Category::StrayAnimals),
            ..Default::default()
        }),
        vec![free.clone()]
    );
    assert_eq!(
        f(TicketFilter {
            place_ref: Some(c.building3.clone()),
            ..Default::default()
        }),
        vec![mine.clone()]
    );
    assert_eq!(
        f(TicketFilter {
            status: Some(Status::Reported),
            ..Default::default()
        })
        .len(),
        2
    );
    assert_eq!(f(TicketFilter::default()).len(), 3);

    // Pages of the list, newest event first, follow each other without a gap or a repeat.
    let listed = |limit, offset| -> Vec<String> {
        wang.tickets(&TicketFilter {
            limit,
            offset,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect()
    };
    let whole = listed(None, 0);
    assert_eq!(whole.len(), 3);
    let paged: Vec<String> = [listed(Some(2), 0), listed(Some(2), 2), listed(Some(2), 4)].concat();
    assert_eq!(paged, whole);
    assert_eq!(listed(Some(2), 0).len(), 2);
    assert_eq!(listed(Some(0), 0), Vec::<String>::new());
    assert_eq!(listed(None, 1), whole[1..].to_vec());
}

#[test]
fn report_validation() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let bad = |f: &dyn Fn(&mut TicketInput)| {
        let mut t = noise(&c.building3);
        f(&mut t);
        office.report_ticket(&t)
    };
    assert_eq!(
        bad_field(bad(&|t| t.description = "  ".into())),
        "description"
    );
    assert_eq!(
        bad_field(bad(&|t| t.place_ref = String::new())),
        "place_ref"
    );
    assert_eq!(
        bad_field(bad(&|t| {
            t.place_kind = PlaceRefKind::FreeText;
            t.place_text = String::new();
        })),
        "place_text"
    );
    assert_eq!(
        bad_field(bad(&|t| t.photos = vec!["xyz".into()])),
        "photos[0]"
    );
    assert_eq!(bad_field(office.attach_photo("x", "nope")), "sha256");
    assert!(office.tickets(&TicketFilter::default()).unwrap().is_empty());
}

#[test]
fn the_actions_offered_follow_role_and_state_and_are_the_ones_allowed() {
    use linli_core::api::ticket_actions::TicketActionKind as K;
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    let sun = devices.open("guard-sun", "sun-phone");
    sync_all(&[&office, &wang, &sun]);
    let t = sun.report_ticket(&noise(&c.building3)).unwrap();
    sync_all(&[&office, &wang, &sun]);

    assert_eq!(
        office.ticket_actions(&t).unwrap(),
        vec![
            K::Accept,
            K::Assign,
            K::Escalate,
            K::Reply,
            K::Resolve,
            K::Merge,
            K::AttachPhoto,
            K::Dispatch,
            K::NameLeader
        ]
    );
    assert_eq!(
        wang.ticket_actions(&t).unwrap(),
        vec![K::Accept, K::Reply, K::Resolve, K::AttachPhoto]
    );
    assert_eq!(sun.ticket_actions(&t).unwrap(), vec![K::AttachPhoto]);
    // What is not offered is refused, with the roles it needs.
    assert!(matches!(
        sun.accept_ticket(&t),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        wang.escalate_ticket(&t, Level::Street, "需街道协调"),
        Err(Error::Forbidden { .. })
    ));

    wang.accept_ticket(&t).unwrap();
    assert_eq!(
        wang.ticket_actions(&t).unwrap(),
        vec![K::Reply, K::Resolve, K::AttachPhoto]
    );
    sync_all(&[&office, &wang, &sun]);
    office
        .escalate_ticket(&t, Level::County, "需区县协调")
        .unwrap();
    assert!(!office.ticket_actions(&t).unwrap().contains(&K::Escalate));
    sync_all(&[&office, &wang, &sun]);
    wang.resolve_ticket(&t, "已处理").unwrap();
    sync_all(&[&office, &wang, &sun]);
    assert_eq!(
        sun.ticket_actions(&t).unwrap(),
        vec![K::Evaluate, K::AttachPhoto]
    );
    sun.evaluate_ticket(&t, true, "满意").unwrap();
    assert_eq!(sun.ticket_actions(&t).unwrap(), vec![K::AttachPhoto]);
}

#[test]
fn a_long_timeline_is_judged_from_the_kept_state_and_equals_a_rebuild() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let t = wang.report_ticket(&noise(&c.building3)).unwrap();
    sync_all(&[&office, &wang]);
    office.accept_ticket(&t).unwrap();
    for i in 0..120 {
        devices.clock.advance(Duration::minutes(3));
        office
            .reply_ticket(&t, &format!("第{i}次回复：已联系物业"))
            .unwrap();
    }
    office
        .escalate_ticket(&t, Level::Street, "需街道城管协调")
        .unwrap();
    // The kept state says the ticket is at the street level already.
    assert_eq!(
        bad_field(office.escalate_ticket(&t, Level::Street, "再次上报")),
        "to"
    );
    office.resolve_ticket(&t, "已修复").unwrap();
    let row = &office.tickets(&TicketFilter::default()).unwrap()[0];
    assert_eq!(row.status, Status::Resolved);
    assert_eq!(row.level, Level::Street);
    let incremental = office.projection_dump().unwrap();
    office.rebuild_projections().unwrap();
    assert_eq!(office.projection_dump().unwrap(), incremental);
    // A phone that receives the timeline in one merge derives the same rows.
    sync_all(&[&office, &wang]);
    assert_eq!(
        wang.tickets(&TicketFilter::default()).unwrap(),
        office.tickets(&TicketFilter::default()).unwrap()
    );
}
