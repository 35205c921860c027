//! Departments working tickets on their own phones, through a relay: a ticket dispatched to 城管
//! reaches the 城管 member's phone and no other department's; 城管 replies and resolves from its
//! phone and the community sees the ticket resolved; 派出所 hands a ticket back with a reason.

use linli_core::api::cases::OrderFilter;
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::tickets::TicketInput;
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::ticket::{Category, Channel, Level, PlaceRefKind, Status};
use linli_e2e::TestRelay;

fn stall(description: &str) -> TicketInput {
    TicketInput {
        category: Category::CityAppearance,
        place_kind: PlaceRefKind::FreeText,
        place_text: "梅园新村东门外".into(),
        description: description.into(),
        channel: Channel::Visit,
        ..TicketInput::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_works_its_tickets_and_sees_no_other_s() {
    let r = TestRelay::start().await;
    let (city, police) = r
        .admin
        .run(|l| {
            let city = l.add_place(PlaceKind::Department, "城管中队", None)?;
            let police = l.add_place(PlaceKind::Department, "梅园派出所", None)?;
            for (id, name, unit) in [("cg-liu", "刘城管", &city), ("pcs-ma", "马警官", &police)]
            {
                l.add_member(&MemberInput {
                    id: Some(id.into()),
                    name: name.into(),
                    phone: String::new(),
                    roles: vec![RoleInput {
                        role: Role::DepartmentStaff,
                        places: vec![unit.clone()],
                    }],
                })?;
            }
            Ok((city, police))
        })
        .unwrap();
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let liu = r.phone("cg-liu", "liu-phone").await;
    let ma = r.phone("pcs-ma", "ma-phone").await;

    let first = wang.linli.report_ticket(&stall("占道经营")).unwrap();
    let second = wang.linli.report_ticket(&stall("深夜烧烤扰民")).unwrap();
    wang.sync().await.unwrap();
    office.sync().await.unwrap();
    office.linli.accept_ticket(&first).unwrap();
    office
        .linli
        .escalate_ticket(&first, Level::Street, "需城管执法")
        .unwrap();
    let order = office.linli.dispatch_ticket(&first, &city).unwrap();
    let returned = office.linli.dispatch_ticket(&second, &police).unwrap();
    office.sync().await.unwrap();

    liu.sync().await.unwrap();
    ma.sync().await.unwrap();
    let mine = |phone: &linli_relay::demo::Phone| {
        phone
            .linli
            .orders(&OrderFilter::default())
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(mine(&liu), vec![order.clone()], "城管 has its order");
    assert_eq!(mine(&ma), vec![returned.clone()], "派出所 only its own");
    // Neither department holds a ticket, a household or the other's order.
    for phone in [&liu, &ma] {
        assert!(phone.linli.ticket(&first).is_err());
        assert!(phone.linli.ticket(&second).is_err());
    }
    assert!(liu.linli.order(&returned).is_err());

    liu.linli.accept_order(&order).unwrap();
    liu.linli.reply_order(&order, "已约谈摊主").unwrap();
    liu.linli.resolve_order(&order, "摊位已清理").unwrap();
    liu.sync().await.unwrap();
    ma.linli
        .hand_back_order(&returned, "不属于治安案件，请转城管")
        .unwrap();
    ma.sync().await.unwrap();

    office.sync().await.unwrap();
    wang.sync().await.unwrap();
    for phone in [&office, &wang] {
        let done = phone.linli.ticket(&first).unwrap().state;
        assert_eq!(done.status, Status::Resolved);
        assert_eq!(done.responsible.as_deref(), Some("office-admin"));
        assert_eq!(done.reply_due_ms, None);
        let back = phone.linli.ticket(&second).unwrap().state;
        assert_eq!(back.status, Status::Returned);
        assert_eq!(back.level, Level::Community);
        assert_eq!(back.unit, None);
    }
    let report = office
        .linli
        .day_report(
            office
                .linli
                .community()
                .unwrap()
                .local_date(office.linli.now()),
        )
        .unwrap();
    let row = report
        .departments
        .iter()
        .find(|d| d.unit == city)
        .expect("城管 in the report");
    assert_eq!((row.received, row.answered_in_time, row.open), (1, 1, 0));

    // The relay judges the ticket with its orders' steps, as the phones do: the lead evaluates
    // the ticket 城管 resolved, and the office sends the one 派出所 returned to 城管. Every
    // phone's clock reads the same millisecond here: the evaluation is stamped no earlier than
    // the resolution the lead saw, so it closes the ticket instead of sorting before it.
    wang.linli.evaluate_ticket(&first, true, "很快").unwrap();
    wang.sync().await.unwrap();
    let again = office.linli.dispatch_ticket(&second, &city).unwrap();
    office.sync().await.unwrap();
    assert!(
        r.admin.set_aside(false).unwrap().is_empty(),
        "nothing honest set aside"
    );
    liu.sync().await.unwrap();
    assert!(mine(&liu).contains(&again));
    office.sync().await.unwrap();
    assert_eq!(
        office.linli.ticket(&first).unwrap().state.status,
        Status::Closed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joint_action_shows_every_participant_the_plan_and_who_is_late() {
    use chrono::Duration;
    use linli_core::api::joint_actions::PlanStepInput;
    let r = TestRelay::start().await;
    let units = r
        .admin
        .run(|l| {
            let mut units = Vec::new();
            for (unit, staff) in [
                ("梅园派出所", "pcs-ma"),
                ("城管中队", "cg-liu"),
                ("市场监管所", "sj-zhou"),
                ("消防救援站", "xf-sun"),
            ] {
                let id = l.add_place(PlaceKind::Department, unit, None)?;
                l.add_member(&MemberInput {
                    id: Some(staff.into()),
                    name: staff.into(),
                    phone: String::new(),
                    roles: vec![RoleInput {
                        role: Role::DepartmentStaff,
                        places: vec![id.clone()],
                    }],
                })?;
                units.push(id);
            }
            Ok(units)
        })
        .unwrap();
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let staff = [
        r.phone("pcs-ma", "ma-phone").await,
        r.phone("cg-liu", "liu-phone").await,
        r.phone("sj-zhou", "zhou-phone").await,
    ];
    let fire = r.phone("xf-sun", "sun-phone").await;
    office.sync().await.unwrap();
    let ticket = office
        .linli
        .report_ticket(&stall("无证照经营，占道"))
        .unwrap();
    let now = office.linli.now();
    let plan = [
        (0, now - Duration::hours(1), "现场维持秩序"),
        (1, now - Duration::minutes(30), "清理占道摊位"),
        (2, now + Duration::hours(2), "核查证照"),
    ]
    .map(|(u, start, what)| PlanStepInput {
        unit: units[u].clone(),
        start,
        what: what.into(),
    });
    assert!(
        wang.linli
            .plan_joint_action(std::slice::from_ref(&ticket), "东门联合整治", &plan)
            .is_err(),
        "a building lead does not plan"
    );
    let joint = office
        .linli
        .plan_joint_action(std::slice::from_ref(&ticket), "东门联合整治", &plan)
        .unwrap();
    office.sync().await.unwrap();
    for phone in &staff {
        phone.sync().await.unwrap();
    }
    fire.sync().await.unwrap();
    assert!(
        fire.linli.joint_action(&joint).is_err(),
        "a department outside the plan does not read it"
    );
    // 城管 marks its step; 公安 has not: it is late; 市场监管 has not started.
    let city_step = staff[1].linli.joint_action(&joint).unwrap().steps[1]
        .id
        .clone();
    let police_step = staff[1].linli.joint_action(&joint).unwrap().steps[0]
        .id
        .clone();
    assert!(
        staff[1]
            .linli
            .mark_step_done(&joint, &police_step, "")
            .is_err(),
        "not 城管's step"
    );
    staff[1]
        .linli
        .mark_step_done(&joint, &city_step, "已清理 6 个摊位")
        .unwrap();
    staff[1].sync().await.unwrap();
    for phone in staff.iter().chain([&office, &wang]) {
        phone.sync().await.unwrap();
        let seen = phone.linli.joint_action(&joint).unwrap();
        let late: Vec<bool> = seen.steps.iter().map(|s| s.late).collect();
        let done: Vec<bool> = seen.steps.iter().map(|s| s.done.is_some()).collect();
        assert_eq!(late, vec![true, false, false], "{}", phone.name);
        assert_eq!(done, vec![false, true, false], "{}", phone.name);
        assert_eq!(seen.doc.tickets, vec![ticket.clone()]);
    }
    let rows = staff[2].linli.joint_actions().unwrap();
    assert_eq!((rows[0].steps, rows[0].done, rows[0].late), (3, 1, 1));
}
