//! Monthly evaluations through a relay: five raters, one member voting twice from two phones
//! offline, and the published result the same on every phone and at the relay.

use chrono::Duration;
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::round::SubjectKind;
use linli_e2e::TestRelay;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_vote_counts_once_on_every_replica() {
    let r = TestRelay::start().await;
    let area = r.places.area.clone();
    let unit = r
        .admin
        .run(|l| {
            let unit = l.add_place(PlaceKind::Unit, "县税务局党支部", None)?;
            for (id, role, places) in [
                ("area-zheng", Role::AreaLead, vec![area.clone()]),
                ("rep-1", Role::ResidentRep, vec![]),
            ] {
                l.add_member(&MemberInput {
                    id: Some(id.into()),
                    name: "测试成员".into(),
                    phone: String::new(),
                    roles: vec![RoleInput { role, places }],
                })?;
            }
            Ok(unit)
        })
        .unwrap();
    let office = r.phone("office-admin", "office-pc").await;
    let raters = [
        r.phone("lead-wang", "wang-phone").await,
        r.phone("lead-li", "li-phone").await,
        r.phone("vol-wu", "wu-phone").await,
        r.phone("rep-1", "rep1-phone").await,
    ];
    let tablet = r.phone("rep-1", "rep1-tablet").await;
    office.sync().await.unwrap();
    let month = office
        .linli
        .community()
        .unwrap()
        .local_date(office.linli.now());
    let round = office.linli.open_round(month).unwrap();
    office.sync().await.unwrap();
    office
        .linli
        .rate(&round, SubjectKind::AreaLead, "area-zheng", 5, "")
        .unwrap();
    office.linli.vote(&round, "lead-wang").unwrap();
    office.sync().await.unwrap();
    for (i, phone) in raters.iter().enumerate() {
        phone.sync().await.unwrap();
        phone
            .linli
            .rate(&round, SubjectKind::Unit, &unit, 4, "帮扶到位")
            .unwrap();
        let candidate = if i % 2 == 0 { "lead-li" } else { "lead-wang" };
        phone.linli.vote(&round, candidate).unwrap();
    }
    // rep-1's tablet, offline since before the phone voted, votes again a little later.
    tablet.sync().await.unwrap();
    r.clock.advance(Duration::minutes(3));
    tablet.linli.vote(&round, "lead-li").unwrap();
    for phone in raters.iter().chain([&tablet]) {
        phone.sync().await.unwrap();
    }
    office.sync().await.unwrap();
    office.linli.close_round(&round).unwrap();
    office.sync().await.unwrap();

    let published = office.linli.day_report(month).unwrap().evaluations;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].double_voters, 1);
    // Votes: office and li and rep-1's phone for lead-wang... rep-1 (i = 3) voted lead-wang
    // first: lead-wang 3 (office, lead-li, rep-1), lead-li 2 (lead-wang, vol-wu).
    let votes: Vec<u32> = published[0].candidates.iter().map(|c| c.votes).collect();
    assert_eq!(votes, vec![3, 2]);
    for phone in raters.iter().chain([&tablet]) {
        phone.sync().await.unwrap();
        assert_eq!(
            phone.linli.day_report(month).unwrap().evaluations,
            published,
            "{}",
            phone.name
        );
    }
    let at_relay = r
        .relay
        .replica
        .read(r.relay.storage.as_ref(), |l, _| Ok(l.day_report(month)?))
        .unwrap()
        .evaluations;
    assert_eq!(at_relay, published);
}

/// The office's tools: a round opened and closed from the command line, a ticket dispatched,
/// the month's service hours as CSV.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_tools_open_and_close_a_round_dispatch_and_sum_service_hours() {
    use linli_core::api::tickets::TicketInput;
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.unwrap();
    let cli = |args: &[&str]| {
        let (ok, out, err) = r.admin_cli(env!("CARGO_BIN_EXE_relay-process"), args);
        assert!(ok, "{args:?}: {err}");
        out.trim().to_owned()
    };
    let city = cli(&["add-place", "--kind", "department", "--name", "城管中队"]);
    let round = cli(&["open-round"]);
    assert!(round.starts_with("round:"), "{round}");
    wang.sync().await.unwrap();
    wang.linli.vote(&round, "lead-li").unwrap();
    let ticket = wang
        .linli
        .report_ticket(&TicketInput {
            description: "占道经营".into(),
            place_text: "东门".into(),
            ..TicketInput::default()
        })
        .unwrap();
    wang.sync().await.unwrap();
    let order = cli(&["dispatch", "--ticket", &ticket, "--department", &city]);
    assert!(order.starts_with(&format!("case:{city}:")), "{order}");
    let closed = cli(&["close-round"]);
    assert!(closed.contains("最美楼栋长 lead-li"), "{closed}");
    let hours = cli(&["service-hours"]);
    assert_eq!(hours, "类别,编号,名称,服务次数,服务小时,已确认小时");
    wang.sync().await.unwrap();
    assert_eq!(
        wang.linli.ticket(&ticket).unwrap().state.unit.as_deref(),
        Some(city.as_str())
    );
}
