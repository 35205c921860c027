//! Monthly evaluations (评议): a round with five raters, a member's second vote from another
//! phone counted once on every replica, and the published result the same everywhere.

mod common;

use chrono::Duration;
use common::{Devices, community, sync_all};
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::round::SubjectKind;
use linli_core::{Error, ErrorCode, Linli};

#[test]
fn a_round_counts_each_member_once_and_publishes_the_same_result_everywhere() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let unit = office
        .add_place(PlaceKind::Unit, "县税务局党支部", None)
        .unwrap();
    for (id, name, role, places) in [
        ("area-zheng", "郑片长", Role::AreaLead, vec![c.area.clone()]),
        ("rep-1", "代表一", Role::ResidentRep, vec![]),
        ("rep-2", "代表二", Role::ResidentRep, vec![]),
    ] {
        office
            .add_member(&MemberInput {
                id: Some(id.into()),
                name: name.into(),
                phone: String::new(),
                roles: vec![RoleInput { role, places }],
            })
            .unwrap();
    }
    let rep1 = devices.open("rep-1", "rep1-phone");
    let rep1_tablet = devices.open("rep-1", "rep1-tablet");
    let rep2 = devices.open("rep-2", "rep2-phone");
    let wang = devices.open("lead-wang", "wang-phone");
    let wu = devices.open("vol-wu", "wu-phone");
    let all = [&office, &rep1, &rep1_tablet, &rep2, &wang, &wu];
    sync_all(&all);

    let month = office.community().unwrap().local_date(office.now());
    assert!(matches!(
        rep1.open_round(month),
        Err(Error::Forbidden { .. })
    ));
    let round = office.open_round(month).unwrap();
    assert_eq!(
        office.open_round(month).unwrap(),
        round,
        "one round a month"
    );
    sync_all(&all);

    // Five raters: 1–5 with a comment, and one vote each.
    let raters: [(&Linli, u8, u8, &str); 5] = [
        (&office, 5, 4, "lead-wang"),
        (&rep1, 4, 5, "lead-wang"),
        (&rep2, 3, 3, "lead-li"),
        (&wang, 5, 4, "lead-li"),
        (&wu, 4, 4, "lead-wang"),
    ];
    for (l, lead_score, unit_score, candidate) in raters {
        l.rate(
            &round,
            SubjectKind::AreaLead,
            "area-zheng",
            lead_score,
            "走访勤",
        )
        .unwrap();
        l.rate(&round, SubjectKind::Unit, &unit, unit_score, "")
            .unwrap();
        l.vote(&round, candidate).unwrap();
    }
    // Refused on the same phone: a second vote, a second rating, a score of 6, a non-lead.
    assert!(matches!(
        rep1.vote(&round, "lead-li"),
        Err(Error::InvalidState {
            code: ErrorCode::AlreadyVoted,
            ..
        })
    ));
    assert!(matches!(
        rep1.rate(&round, SubjectKind::AreaLead, "area-zheng", 1, ""),
        Err(Error::InvalidState {
            code: ErrorCode::AlreadyRated,
            ..
        })
    ));
    assert!(matches!(
        rep2.rate(&round, SubjectKind::AreaLead, "area-zheng", 6, ""),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        rep2.vote(&round, "vol-wu"),
        Err(Error::InvalidInput {
            code: ErrorCode::NotRated,
            ..
        })
    ));
    // rep-1's tablet has not seen the phone's vote: it votes again, offline, later.
    devices.clock.advance(Duration::minutes(5));
    rep1_tablet.vote(&round, "lead-li").unwrap();
    sync_all(&all);

    let results: Vec<_> = all
        .iter()
        .map(|l| l.round_result(&round).unwrap())
        .collect();
    assert!(
        results.iter().all(|r| r == &results[0]),
        "the same everywhere"
    );
    let r = &results[0];
    assert_eq!(r.double_voters, vec!["rep-1".to_owned()]);
    // rep-1's first vote (lead-wang) counts: lead-wang 3, lead-li 2.
    assert_eq!(r.winner.as_deref(), Some("lead-wang"));
    assert_eq!(
        r.candidates.iter().map(|c| c.votes).collect::<Vec<_>>(),
        vec![3, 2]
    );
    let zheng = r
        .subjects
        .iter()
        .find(|s| s.kind == SubjectKind::AreaLead)
        .unwrap();
    assert_eq!((zheng.ratings, zheng.mean_x100), (5, 420));

    // Closed: published in the day's report, the same on every phone; no more votes.
    let closed = office.close_round(&round).unwrap();
    sync_all(&all);
    assert!(matches!(
        rep2.vote(&round, "lead-wang"),
        Err(Error::InvalidState {
            code: ErrorCode::RoundClosed,
            ..
        })
    ));
    let published: Vec<_> = all
        .iter()
        .map(|l| l.day_report(month).unwrap().evaluations)
        .collect();
    assert!(published.iter().all(|p| p == &published[0]));
    let p = &published[0][0];
    assert!(closed.closed);
    assert_eq!(p.winner.as_deref(), Some("王建国"));
    assert_eq!(p.double_voters, 1);
    let csv = office.day_report(month).unwrap().to_csv();
    assert!(csv.contains("最美楼栋长得票,王建国,3"), "{csv}");
    assert!(csv.contains("片区长平均分×100,郑片长,420"), "{csv}");
}

#[test]
fn a_members_ballot_names_whom_they_may_rate_and_what_they_cast() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let unit = office
        .add_place(PlaceKind::Unit, "县税务局党支部", None)
        .unwrap();
    let city = office
        .add_place(PlaceKind::Department, "城管中队", None)
        .unwrap();
    for (id, name, role, places) in [
        ("area-zheng", "郑片长", Role::AreaLead, vec![c.area.clone()]),
        ("rep-1", "代表一", Role::ResidentRep, vec![]),
        ("staff-liu", "刘城管", Role::DepartmentStaff, vec![city]),
    ] {
        office
            .add_member(&MemberInput {
                id: Some(id.into()),
                name: name.into(),
                phone: String::new(),
                roles: vec![RoleInput { role, places }],
            })
            .unwrap();
    }
    let rep1 = devices.open("rep-1", "rep1-phone");
    let rep1_tablet = devices.open("rep-1", "rep1-tablet");
    let liu = devices.open("staff-liu", "liu-phone");
    let all = [&office, &rep1, &rep1_tablet, &liu];
    sync_all(&all);
    let month = office.community().unwrap().local_date(office.now());
    assert_eq!(rep1.ballot(month).unwrap(), None, "nobody opened it");

    let round = office.open_round(month).unwrap();
    sync_all(&all);
    let before = rep1.ballot(month).unwrap().unwrap();
    assert_eq!(before.round_id, round);
    assert!(before.may_cast && !before.may_close);
    assert_eq!(
        before
            .subjects
            .iter()
            .map(|s| (s.kind, s.name.as_str(), s.my_score))
            .collect::<Vec<_>>(),
        vec![
            (SubjectKind::AreaLead, "郑片长", None),
            (SubjectKind::Unit, "县税务局党支部", None)
        ]
    );
    let candidates: Vec<_> = before.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(candidates, vec!["李秀英", "王建国"]);
    assert!(!liu.ballot(month).unwrap().unwrap().may_cast, "staff only");
    assert!(office.ballot(month).unwrap().unwrap().may_close);

    rep1.rate(&round, SubjectKind::Unit, &unit, 4, "").unwrap();
    rep1.vote(&round, "lead-wang").unwrap();
    devices.clock.advance(Duration::minutes(5));
    rep1_tablet.vote(&round, "lead-li").unwrap();
    sync_all(&all);
    for phone in [&rep1, &rep1_tablet] {
        let b = phone.ballot(month).unwrap().unwrap();
        assert_eq!(b.my_vote.as_deref(), Some("lead-wang"), "the first vote");
        assert_eq!(b.subjects[1].my_score, Some(4));
        assert_eq!(b.result.double_voters, vec!["rep-1".to_owned()]);
    }
    office.close_round(&round).unwrap();
    sync_all(&all);
    let after = rep1.ballot(month).unwrap().unwrap();
    assert!(after.result.closed && !after.may_cast);
    assert!(!office.ballot(month).unwrap().unwrap().may_close);
}
