//! Departments working tickets on their own phones (大联动): dispatch, the department's steps,
//! handing back, the leader in charge, and what the report and the day's lists show.

mod common;

use chrono::Duration;
use common::{Devices, community, sync_all};
use linli_core::api::agenda::AgendaKind;
use linli_core::api::cases::{CaseActionKind, OrderFilter};
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::tickets::TicketInput;
use linli_core::records::case::CaseStatus;
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::ticket::{Category, Channel, Level, PlaceRefKind, Status};
use linli_core::{Error, ErrorCode, Linli};

struct Town {
    devices: Devices,
    office: Linli,
    wang: Linli,
    city: Linli,
    police: Linli,
    city_unit: String,
    police_unit: String,
}

/// The test community with two departments, 城管 (staff `cg-liu`) and 派出所 (`pcs-ma`), and
/// a street leader `leader-hu` with no other role than area lead.
fn town() -> Town {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let city_unit = office
        .add_place(PlaceKind::Department, "城管中队", None)
        .unwrap();
    let police_unit = office
        .add_place(PlaceKind::Department, "梅园派出所", None)
        .unwrap();
    for (id, name, role, place) in [
        ("cg-liu", "刘城管", Role::DepartmentStaff, &city_unit),
        ("pcs-ma", "马警官", Role::DepartmentStaff, &police_unit),
        ("leader-hu", "胡书记", Role::AreaLead, &c.area),
    ] {
        office
            .add_member(&MemberInput {
                id: Some(id.into()),
                name: name.into(),
                phone: String::new(),
                roles: vec![RoleInput {
                    role,
                    places: vec![place.clone()],
                }],
            })
            .unwrap();
    }
    let wang = devices.open("lead-wang", "wang-phone");
    let city = devices.open("cg-liu", "liu-phone");
    let police = devices.open("pcs-ma", "ma-phone");
    sync_all(&[&office, &wang, &city, &police]);
    Town {
        devices,
        office,
        wang,
        city,
        police,
        city_unit,
        police_unit,
    }
}

fn stall(t: &Town) -> String {
    t.wang
        .report_ticket(&TicketInput {
            category: Category::CityAppearance,
            place_kind: PlaceRefKind::FreeText,
            place_ref: String::new(),
            place_text: "梅园新村东门外".into(),
            description: "占道经营，堵塞消防通道".into(),
            photos: vec![],
            channel: Channel::Visit,
        })
        .unwrap()
}

fn all(t: &Town) {
    sync_all(&[&t.office, &t.wang, &t.city, &t.police]);
}

fn status(l: &Linli, ticket: &str) -> Status {
    l.ticket(ticket).unwrap().state.status
}

#[test]
fn a_department_replies_and_resolves_on_its_own_phone_within_the_deadlines() {
    let t = town();
    let ticket = stall(&t);
    all(&t);
    t.office.accept_ticket(&ticket).unwrap();
    t.office
        .escalate_ticket(&ticket, Level::Street, "需城管执法")
        .unwrap();
    let reply_due = t.office.ticket(&ticket).unwrap().state.reply_due_ms;
    t.office.name_ticket_leader(&ticket, "leader-hu").unwrap();
    let order = t.office.dispatch_ticket(&ticket, &t.city_unit).unwrap();
    assert_eq!(status(&t.office, &ticket), Status::Assigned);
    all(&t);

    // The department's staff work for their own department alone.
    let mine: Vec<String> = t
        .city
        .my_places(PlaceKind::Department)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(mine, vec![t.city_unit.clone()]);

    // The order carries what the department needs: the report, 首问, 包案, the deadline.
    let detail = t.city.order(&order).unwrap();
    assert_eq!(detail.doc.ticket_id, ticket);
    assert_eq!(detail.doc.description, "占道经营，堵塞消防通道");
    assert_eq!(detail.doc.responsible.as_deref(), Some("office"));
    assert_eq!(detail.doc.leader.as_deref(), Some("leader-hu"));
    assert_eq!(detail.doc.reply_due_ms, reply_due);
    assert_eq!(detail.state.status, CaseStatus::Waiting);
    let mine = t
        .city
        .orders(&OrderFilter {
            unit: Some(t.city_unit.clone()),
            open_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].unit_name, "城管中队");
    assert_eq!(
        t.city.order_actions(&order).unwrap(),
        vec![
            CaseActionKind::Accept,
            CaseActionKind::AskInfo,
            CaseActionKind::Reply,
            CaseActionKind::Resolve,
            CaseActionKind::HandBack
        ]
    );
    // Another department's staff and a building lead may take no step.
    assert!(t.police.order_actions(&order).unwrap().is_empty());
    assert!(matches!(
        t.police.accept_order(&order),
        Err(Error::Forbidden {
            code: ErrorCode::RoleRequired,
            ..
        })
    ));
    assert!(t.wang.order_actions(&order).unwrap().is_empty());

    t.devices.clock.advance(Duration::hours(1));
    t.city.accept_order(&order).unwrap();
    t.city
        .ask_order_info(&order, "摊位具体在东门哪一侧？")
        .unwrap();
    all(&t);
    assert_eq!(status(&t.office, &ticket), Status::InfoRequested);
    assert_eq!(
        t.office.order_actions(&order).unwrap(),
        vec![CaseActionKind::AnswerInfo]
    );
    t.office
        .answer_order_info(&order, "东门北侧消防通道")
        .unwrap();
    all(&t);
    t.devices.clock.advance(Duration::hours(2));
    t.city.reply_order(&order, "已约谈摊主，明日清理").unwrap();
    all(&t);
    let state = t.office.ticket(&ticket).unwrap().state;
    assert_eq!(state.status, Status::Replied);
    assert_eq!(state.reply_due_ms, None, "the department's reply met it");
    assert_eq!(state.responsible.as_deref(), Some("office"), "首问 holds");
    assert_eq!(state.unit.as_deref(), Some(t.city_unit.as_str()));

    t.city
        .resolve_order(&order, "摊位已清理，通道畅通")
        .unwrap();
    all(&t);
    for phone in [&t.office, &t.wang] {
        assert_eq!(status(phone, &ticket), Status::Resolved);
    }
    assert!(matches!(
        t.city.hand_back_order(&order, "晚了"),
        Err(Error::InvalidState {
            code: ErrorCode::OrderFinished,
            ..
        })
    ));
    t.office.evaluate_ticket(&ticket, true, "满意").unwrap();
    assert_eq!(status(&t.office, &ticket), Status::Closed);

    // The day's report counts the department's order, answered in time.
    let report = t
        .office
        .day_report(t.office.community().unwrap().local_date(t.office.now()))
        .unwrap();
    let row = report
        .departments
        .iter()
        .find(|d| d.unit == t.city_unit)
        .unwrap();
    assert_eq!(
        (
            row.received,
            row.answered_in_time,
            row.answered_late,
            row.open
        ),
        (1, 1, 0, 0)
    );
    assert!(report.to_csv().contains("部门派单,按时答复,城管中队,1"));
}

#[test]
fn handing_back_returns_the_ticket_to_the_community_with_its_deadlines() {
    let t = town();
    let ticket = stall(&t);
    all(&t);
    t.office.accept_ticket(&ticket).unwrap();
    t.office
        .escalate_ticket(&ticket, Level::Street, "需执法")
        .unwrap();
    let before = t.office.ticket(&ticket).unwrap().state;
    let order = t.office.dispatch_ticket(&ticket, &t.police_unit).unwrap();
    // A ticket with a department is not dispatched twice.
    assert!(matches!(
        t.office.dispatch_ticket(&ticket, &t.city_unit),
        Err(Error::InvalidState {
            code: ErrorCode::AlreadyDispatched,
            ..
        })
    ));
    all(&t);
    assert!(matches!(
        t.police.hand_back_order(&order, " "),
        Err(Error::InvalidInput { .. })
    ));
    t.police
        .hand_back_order(&order, "不属于治安案件，应由城管处理")
        .unwrap();
    all(&t);
    let after = t.office.ticket(&ticket).unwrap().state;
    assert_eq!(after.status, Status::Returned);
    assert_eq!(after.level, Level::Community);
    assert_eq!(after.unit, None);
    assert_eq!(after.responsible, before.responsible);
    assert_eq!(after.reply_due_ms, before.reply_due_ms, "deadlines hold");
    assert_eq!(
        t.police.order(&order).unwrap().state.status,
        CaseStatus::HandedBack
    );

    // Dispatched again, to 城管; the old order's later steps change nothing.
    t.devices.clock.advance(Duration::minutes(5));
    let second = t.office.dispatch_ticket(&ticket, &t.city_unit).unwrap();
    all(&t);
    assert_eq!(status(&t.wang, &ticket), Status::Assigned);
    t.city.accept_order(&second).unwrap();
    all(&t);
    assert_eq!(status(&t.wang, &ticket), Status::Accepted);
    // The deadline passes with the order open: overdue on the order and in the report.
    t.devices.clock.advance(Duration::hours(30));
    let row = &t
        .city
        .orders(&OrderFilter {
            unit: Some(t.city_unit.clone()),
            ..Default::default()
        })
        .unwrap()[0];
    assert!(row.overdue);
    let report = t
        .office
        .day_report(t.office.community().unwrap().local_date(t.office.now()))
        .unwrap();
    let city = report
        .departments
        .iter()
        .find(|d| d.unit == t.city_unit)
        .unwrap();
    assert_eq!((city.overdue, city.open), (1, 1));
}

#[test]
fn a_step_stamped_before_its_dispatch_still_counts() {
    let t = town();
    let ticket = stall(&t);
    all(&t);
    let order = t.office.dispatch_ticket(&ticket, &t.city_unit).unwrap();
    all(&t);
    // The department phone's clock is behind.
    t.devices.clock.advance(Duration::minutes(-10));
    t.city.reply_order(&order, "已处理").unwrap();
    all(&t);
    assert_eq!(status(&t.office, &ticket), Status::Replied);
}

#[test]
fn only_supervisors_dispatch_and_name_leaders_and_only_to_departments() {
    let t = town();
    let ticket = stall(&t);
    all(&t);
    assert!(matches!(
        t.wang.dispatch_ticket(&ticket, &t.city_unit),
        Err(Error::Forbidden { .. })
    ));
    let building = t.office.places(Some(PlaceKind::Building)).unwrap()[0]
        .id
        .clone();
    assert!(
        matches!(
            t.office.dispatch_ticket(&ticket, &building),
            Err(Error::InvalidInput {
                code: ErrorCode::WrongPlaceKind,
                ref field,
                ..
            }) if field == "department"
        ),
        "named as a department, not a building's 单元"
    );
    assert!(matches!(
        t.office.name_ticket_leader(&ticket, "nobody"),
        Err(Error::InvalidInput {
            code: ErrorCode::NoSuchMember,
            ..
        })
    ));
    assert!(matches!(
        t.wang.name_ticket_leader(&ticket, "leader-hu"),
        Err(Error::Forbidden { .. })
    ));
}

#[test]
fn the_leader_and_the_department_see_the_ticket_on_their_list_of_the_day() {
    let t = town();
    let ticket = stall(&t);
    all(&t);
    t.office.name_ticket_leader(&ticket, "leader-hu").unwrap();
    let order = t.office.dispatch_ticket(&ticket, &t.city_unit).unwrap();
    let hu = t.devices.open("leader-hu", "hu-phone");
    sync_all(&[&t.office, &t.wang, &t.city, &t.police, &hu]);
    let today = hu.community().unwrap().local_date(hu.now());
    let items = hu.agenda(today).unwrap();
    assert!(
        items
            .iter()
            .any(|i| i.kind == AgendaKind::Ticket && i.record_id == ticket)
    );
    let items = t.city.agenda(today).unwrap();
    let item = items
        .iter()
        .find(|i| i.kind == AgendaKind::WorkOrder)
        .expect("the department's order is on its list");
    assert_eq!(item.record_id, order);
    assert_eq!(item.action, "order.handle");
    assert!(
        t.police
            .agenda(today)
            .unwrap()
            .iter()
            .all(|i| i.kind != AgendaKind::WorkOrder)
    );
    t.city.resolve_order(&order, "已清理").unwrap();
    assert!(
        t.city
            .agenda(today)
            .unwrap()
            .iter()
            .all(|i| i.kind != AgendaKind::WorkOrder)
    );
}
