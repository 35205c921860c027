//! The office's pages for the work that reaches beyond the community office, over HTTP on a
//! relay on 127.0.0.1: a ticket dispatched to 城管 from its page, a leader put in charge, the
//! department's question shown and answered from the page and seen on the department's phone;
//! and the day's page with the departments' tickets, the needs served and the month's
//! published evaluation.

use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::households::HouseholdInput;
use linli_core::api::needs::NeedInput;
use linli_core::records::case::{CaseAction, CaseStatus};
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::need::{NeedCategory, Urgency};
use linli_core::records::round::SubjectKind;
use linli_e2e::office_web::OfficeSession;
use linli_e2e::{TestRelay, ticket_input};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_dispatches_from_the_page_and_answers_the_departments_question() {
    let r = TestRelay::start().await;
    let city = r
        .admin
        .run(|l| {
            let city = l.add_place(PlaceKind::Department, "城管中队", None)?;
            l.add_member(&MemberInput {
                id: Some("cg-liu".into()),
                name: "刘城管".into(),
                phone: String::new(),
                roles: vec![RoleInput {
                    role: Role::DepartmentStaff,
                    places: vec![city.clone()],
                }],
            })?;
            Ok(city)
        })
        .unwrap();
    let wang = r.phone("lead-wang", "wang-phone").await;
    let liu = r.phone("cg-liu", "liu-phone").await;
    let ticket = wang
        .linli
        .report_ticket(&ticket_input("东门外占道经营"))
        .unwrap();
    wang.sync().await.unwrap();

    let (code, _) = r.admin.create_web_code("office-admin").unwrap();
    let office = OfficeSession::sign_in(&r.url, &code).await;
    let page_path = format!("/office/tickets/{ticket}");
    let act = |action: &str| format!("/office/tickets/{ticket}/{action}");
    let (status, _) = office.post(&page_path, &act("accept"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = office.page(&page_path).await;
    assert!(
        page.contains(&format!("<option value=\"{city}\">城管中队</option>")),
        "{page}"
    );
    let (status, _) = office
        .post(&page_path, &act("dispatch"), &[("unit", &city)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = office
        .post(
            &page_path,
            &act("name_leader"),
            &[("leader", "office-admin")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Not a department: refused with the core's words, nothing written.
    let (status, refused) = office
        .post(&page_path, &act("dispatch"), &[("unit", "no-such-unit")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("id=\"action-error\""), "{refused}");

    let page = office.page(&page_path).await;
    let leader = r.admin.run(|l| Ok(l.member("office-admin")?.name)).unwrap();
    assert!(
        page.contains("派往部门 城管中队"),
        "the timeline names the department"
    );
    assert!(page.contains(&format!("包案领导：{leader}")), "{page}");
    assert!(page.contains(&format!("<span id=\"leader\">{leader}</span>")));
    assert!(
        page.contains("城管中队：<span class=\"order-status\">待接收</span>"),
        "{page}"
    );

    // The department's phone takes the order and asks a question.
    liu.sync().await.unwrap();
    let orders = liu.linli.orders(&Default::default()).unwrap();
    assert_eq!(orders.len(), 1);
    let order = orders[0].id.clone();
    liu.linli.accept_order(&order).unwrap();
    liu.linli
        .ask_order_info(&order, "摊位在东门哪一侧？")
        .unwrap();
    liu.sync().await.unwrap();

    let page = office.page(&page_path).await;
    assert!(page.contains("部门要求补充：摊位在东门哪一侧？"), "{page}");
    assert!(page.contains("要求补充：摊位在东门哪一侧？"));
    assert!(
        page.contains("class=\"primary answer\""),
        "the office may answer"
    );
    // An order of another ticket is not answered from this one's page.
    let (status, _) = office
        .post(
            &page_path,
            &act("answer"),
            &[("order", "case:x:y"), ("text", "北侧")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = office
        .post(
            &page_path,
            &act("answer"),
            &[("order", &order), ("text", "东门北侧消防通道")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = office.page(&page_path).await;
    assert!(!page.contains("部门要求补充"), "no question waits");
    assert!(page.contains("补充情况：东门北侧消防通道"));

    liu.sync().await.unwrap();
    let detail = liu.linli.order(&order).unwrap();
    assert_eq!(detail.state.status, CaseStatus::Accepted);
    let answer = detail.doc.events.last().unwrap();
    assert_eq!(answer.author, "office-admin");
    assert_eq!(
        answer.action,
        CaseAction::InfoGiven {
            answer: "东门北侧消防通道".into()
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_days_page_shows_departments_needs_and_the_published_evaluation() {
    let r = TestRelay::start().await;
    let b3 = r.places.building3.clone();
    let area = r.places.area.clone();
    let city = r
        .admin
        .run(|l| {
            l.add_member(&MemberInput {
                id: Some("area-zheng".into()),
                name: "郑片长".into(),
                phone: String::new(),
                roles: vec![RoleInput {
                    role: Role::AreaLead,
                    places: vec![area],
                }],
            })?;
            l.add_place(PlaceKind::Department, "城管中队", None)
        })
        .unwrap();
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let wu = r.phone("vol-wu", "wu-phone").await;
    for phone in [&office, &wang, &wu] {
        phone.sync().await.unwrap();
    }

    let ticket = wang.linli.report_ticket(&ticket_input("楼道堆物")).unwrap();
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
            category: NeedCategory::Shopping,
            urgency: Urgency::Urgent,
            description: "代购降压药".into(),
            visit_id: None,
        })
        .unwrap();
    wang.sync().await.unwrap();
    wu.sync().await.unwrap();
    wu.linli.claim_need(&need).unwrap();
    wu.linli.record_service(&need, 90, "药店代购").unwrap();
    wu.sync().await.unwrap();

    office.sync().await.unwrap();
    office.linli.accept_ticket(&ticket).unwrap();
    office.linli.dispatch_ticket(&ticket, &city).unwrap();
    let today = office
        .linli
        .community()
        .unwrap()
        .local_date(office.linli.now());
    let round = office.linli.open_round(today).unwrap();
    office
        .linli
        .rate(&round, SubjectKind::AreaLead, "area-zheng", 4, "走访勤")
        .unwrap();
    office.linli.vote(&round, "lead-wang").unwrap();
    office.linli.close_round(&round).unwrap();
    office.sync().await.unwrap();

    let (code, _) = r.admin.create_web_code("office-admin").unwrap();
    let web = OfficeSession::sign_in(&r.url, &code).await;
    let page = web.page(&format!("/office/today?date={today}")).await;
    let report = r.admin.run(|l| l.day_report(today)).unwrap();
    let row = &report.departments[0];
    assert_eq!(
        (row.name.as_str(), row.received, row.open),
        ("城管中队", 1, 1)
    );
    assert!(
        page.contains(
            "<tr><td>城管中队</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>"
        ),
        "{page}"
    );
    assert_eq!((report.needs.recorded, report.needs.minutes), (1, 90));
    assert!(page.contains("<b id=\"needs-recorded\">1</b>"));
    assert!(
        page.contains("<b id=\"needs-time\">1 小时 30 分</b>"),
        "{page}"
    );
    let month = &report.evaluations[0].month;
    assert!(page.contains(&format!("{month} 评议结果")), "{page}");
    assert!(page.contains("<b class=\"winner\">王建国</b>"), "{page}");
    assert!(
        page.contains("<tr><td>王建国</td><td>1</td></tr>"),
        "{page}"
    );
    assert!(
        page.contains("<tr><td>郑片长</td><td>片区长</td><td>1</td><td>4.00</td></tr>"),
        "{page}"
    );
}
