//! Households and visits through the public API.

mod common;

use chrono::Duration;
use common::{Devices, bad_field, community, start_time, sync_all};
use linli_core::Error;
use linli_core::api::households::{
    CheckState, HealthInput, HouseholdInput, ResidentInput, VisitInput, WatchPlanInput,
};
use linli_core::records::household::{Tag, VisitOutcome, WatchFrequency};

fn household(building: &str, room: &str) -> HouseholdInput {
    HouseholdInput {
        building_id: building.into(),
        unit: "2".into(),
        room: room.into(),
        phone: "021-62345678".into(),
        residents: vec![ResidentInput {
            name: "张桂兰".into(),
            birth_year: Some(1938),
            phone: String::new(),
        }],
        tags: vec![Tag::LivingAlone, Tag::Elderly],
        watch: None,
    }
}

#[test]
fn register_list_and_visit() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);

    let h301 = wang
        .register_household(&household(&c.building3, "301"))
        .unwrap();
    let h302 = wang
        .register_household(&household(&c.building3, "302"))
        .unwrap();
    assert!(matches!(
        wang.register_household(&household(&c.building5, "101")),
        Err(Error::Forbidden { .. })
    ));
    devices.clock.advance(Duration::minutes(30));
    wang.log_visit(
        &h301,
        &VisitInput {
            outcome: VisitOutcome::Met,
            needs: "希望安装扶手".into(),
            opinions: "对电梯维修不满意".into(),
            health: Some(HealthInput {
                temperature_c: Some(36.6),
                systolic: Some(150),
                diastolic: Some(85),
                ..HealthInput::default()
            }),
            follow_up_due: Some(
                office.community().unwrap().local_date(start_time()) + Duration::days(2),
            ),
            follow_up_note: "联系物业装扶手".into(),
            ..VisitInput::default()
        },
    )
    .unwrap();
    let rows = wang.households_in_building(&c.building3).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].room, "301");
    assert_eq!(rows[0].residents, "张桂兰");
    assert_eq!(rows[0].tags, vec![Tag::Elderly, Tag::LivingAlone]);
    assert_eq!(rows[0].visit_count, 1);
    assert_eq!(rows[0].last_visit_outcome, Some(VisitOutcome::Met));
    assert_eq!(rows[1].id, h302);
    assert!(rows[1].last_visit_at.is_none());
    let detail = wang.household(&h301).unwrap();
    assert!(
        detail.visits[0].health.as_ref().unwrap().concern,
        "systolic 150 is a concern"
    );

    let today = office.community().unwrap().local_date(devices.clock_now());
    assert!(wang.follow_ups_due(today).unwrap().is_empty());
    let due = wang.follow_ups_due(today + Duration::days(2)).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].note, "联系物业装扶手");
    // A later meeting closes the follow-up.
    devices.clock.advance(Duration::days(1));
    wang.log_visit(
        &h301,
        &VisitInput {
            outcome: VisitOutcome::Met,
            ..VisitInput::default()
        },
    )
    .unwrap();
    assert!(
        wang.follow_ups_due(today + Duration::days(2))
            .unwrap()
            .is_empty()
    );

    wang.set_household_tag(&h302, Tag::HomeWatch, true).unwrap();
    wang.set_household_phone(&h302, "13912345678").unwrap();
    wang.add_resident(
        &h302,
        &ResidentInput {
            name: "李强".into(),
            ..ResidentInput::default()
        },
    )
    .unwrap();
    let rows = wang.households_in_building(&c.building3).unwrap();
    // Lists hide the middle digits; the record holds the number whole.
    assert_eq!(rows[1].phone, "139****5678");
    assert_eq!(wang.household(&h302).unwrap().phone, "13912345678");
    assert!(rows[1].tags.contains(&Tag::HomeWatch));
    assert_eq!(rows[1].residents, "张桂兰、李强");
}

trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}
impl ClockNow for Devices {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use linli_core::Clock;
        self.clock.now()
    }
}

#[test]
fn visits_from_two_leads_offline_both_survive() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    let li = devices.open("lead-li", "li-phone");
    sync_all(&[&office, &wang, &li]);
    let h = wang
        .register_household(&household(&c.building3, "101"))
        .unwrap();
    sync_all(&[&office, &wang, &li]);
    wang.log_visit(
        &h,
        &VisitInput {
            outcome: VisitOutcome::Met,
            needs: "买菜不便".into(),
            ..VisitInput::default()
        },
    )
    .unwrap();
    li.log_visit(
        &h,
        &VisitInput {
            outcome: VisitOutcome::NobodyHome,
            ..VisitInput::default()
        },
    )
    .unwrap();
    sync_all(&[&office, &wang, &li]);
    for d in [&office, &wang, &li] {
        let doc = d.household(&h).unwrap();
        assert_eq!(doc.visits.len(), 2);
        let mut leads: Vec<_> = doc.visits.iter().map(|v| v.lead.clone()).collect();
        leads.sort();
        assert_eq!(leads, ["lead-li", "lead-wang"]);
        assert!(d.conflicts(&h).unwrap().is_empty());
    }
    assert_eq!(office.household(&h).unwrap(), wang.household(&h).unwrap());
}

#[test]
fn watch_checks_fall_due_and_overdue() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let mut input = household(&c.building3, "501");
    input.watch = Some(WatchPlanInput {
        frequency: WatchFrequency::TimesPerDay,
        n: 3,
    });
    let h = office.register_household(&input).unwrap();
    office
        .register_household(&household(&c.building3, "502"))
        .unwrap();
    // A new plan's first check is due at once.
    let due = office.watch_checks_due().unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].check, CheckState::Due);
    devices.clock.advance(Duration::hours(3));
    assert_eq!(
        office.watch_checks_due().unwrap()[0].check,
        CheckState::Overdue
    );
    office
        .log_visit(
            &h,
            &VisitInput {
                outcome: VisitOutcome::Met,
                ..VisitInput::default()
            },
        )
        .unwrap();
    assert!(office.watch_checks_due().unwrap().is_empty());
    let row = &office.households_in_building(&c.building3).unwrap()[0];
    assert_eq!(row.check, CheckState::Upcoming);
    devices.clock.advance(Duration::hours(8));
    assert_eq!(office.watch_checks_due().unwrap()[0].check, CheckState::Due);
    // Nobody home does not count as a check.
    office
        .log_visit(
            &h,
            &VisitInput {
                outcome: VisitOutcome::NobodyHome,
                ..VisitInput::default()
            },
        )
        .unwrap();
    assert_eq!(office.watch_checks_due().unwrap().len(), 1);
    office.set_watch_plan(&h, None).unwrap();
    assert!(office.watch_checks_due().unwrap().is_empty());
}

#[test]
fn household_and_visit_validation() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let mut bad = household(&c.building3, "");
    assert_eq!(bad_field(office.register_household(&bad)), "room");
    bad = household("nowhere", "1");
    assert_eq!(bad_field(office.register_household(&bad)), "building_id");
    bad = household(&c.building3, "1");
    bad.residents[0].birth_year = Some(1800);
    assert_eq!(
        bad_field(office.register_household(&bad)),
        "residents[0].birth_year"
    );
    bad = household(&c.building3, "1");
    bad.watch = Some(WatchPlanInput {
        frequency: WatchFrequency::TimesPerDay,
        n: 0,
    });
    assert_eq!(bad_field(office.register_household(&bad)), "watch_count");

    // An import is all or nothing, and the error names the entry.
    let mut list: Vec<_> = (1..=5)
        .map(|i| household(&c.building3, &format!("{i}01")))
        .collect();
    list[3].phone = "12345".into();
    assert_eq!(
        bad_field(office.import_households(&list)),
        "households[3].phone"
    );
    assert!(
        office
            .households_in_building(&c.building3)
            .unwrap()
            .is_empty()
    );
    list[3].phone = String::new();
    assert_eq!(office.import_households(&list).unwrap().len(), 5);

    let h = office.households_in_building(&c.building3).unwrap()[0]
        .id
        .clone();
    let visit = |f: &dyn Fn(&mut VisitInput)| {
        let mut v = VisitInput::default();
        f(&mut v);
        office.log_visit(&h, &v)
    };
    assert_eq!(
        bad_field(visit(&|v| v.at = Some(start_time() + Duration::hours(1)))),
        "at"
    );
    assert_eq!(
        bad_field(visit(&|v| v.health = Some(HealthInput {
            temperature_c: Some(45.0),
            ..HealthInput::default()
        }))),
        "health.temperature_c"
    );
    assert_eq!(
        bad_field(visit(&|v| v.health = Some(HealthInput {
            systolic: Some(20),
            ..HealthInput::default()
        }))),
        "health.systolic"
    );
    assert_eq!(
        bad_field(visit(
            &|v| v.follow_up_due = Some(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())
        )),
        "follow_up_due"
    );
    assert_eq!(
        bad_field(visit(&|v| v.follow_up_note = "回访".into())),
        "follow_up_due"
    );
    assert_eq!(bad_field(visit(&|v| v.needs = "需".repeat(2001))), "needs");
    assert!(matches!(
        office.log_visit("missing", &VisitInput::default()),
        Err(Error::NotFound {
            what: "household",
            ..
        })
    ));
    assert_eq!(office.household(&h).unwrap().visits.len(), 0);
}

fn visit_at(at: chrono::DateTime<chrono::Utc>, outcome: VisitOutcome) -> VisitInput {
    VisitInput {
        at: Some(at),
        outcome,
        needs: format!("{}", at.timestamp()),
        ..VisitInput::default()
    }
}

#[test]
fn visits_are_listed_by_their_time_not_the_order_they_were_logged() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let h = wang
        .register_household(&household(&c.building3, "301"))
        .unwrap();
    devices.clock.advance(Duration::hours(3));
    let now = devices.clock_now();
    let late = wang
        .log_visit(&h, &visit_at(now, VisitOutcome::NobodyHome))
        .unwrap();
    // Written down afterwards: the morning's visit.
    let early = wang
        .log_visit(&h, &visit_at(now - Duration::hours(2), VisitOutcome::Met))
        .unwrap();
    let ids: Vec<String> = wang
        .household(&h)
        .unwrap()
        .visits
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(ids, vec![early.clone(), late.clone()]);
    let row = &wang.households_in_building(&c.building3).unwrap()[0];
    assert_eq!(row.last_visit_outcome, Some(VisitOutcome::NobodyHome));
    // The office, which received both in one merge, lists them the same way.
    sync_all(&[&office, &wang]);
    let ids: Vec<String> = office
        .household_visits(&h, None, 10)
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(ids, vec![early, late]);
}

#[test]
fn a_long_history_is_read_a_page_at_a_time_and_survives_reopening() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let h = wang
        .register_household(&household(&c.building3, "301"))
        .unwrap();
    let mut logged = Vec::new();
    for i in 0..450 {
        devices.clock.advance(Duration::minutes(7));
        let outcome = if i % 3 == 0 {
            VisitOutcome::Met
        } else {
            VisitOutcome::NobodyHome
        };
        let mut input = visit_at(devices.clock_now(), outcome);
        if i == 440 {
            input.follow_up_due =
                Some(office.community().unwrap().local_date(input.at.unwrap()) + Duration::days(1));
            input.follow_up_note = "复查血压".into();
        }
        logged.push(wang.log_visit(&h, &input).unwrap());
    }
    let detail = wang.household(&h).unwrap();
    let recent: Vec<&str> = detail.visits.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        recent,
        logged[430..].iter().map(String::as_str).collect::<Vec<_>>()
    );
    // Scrolling back a page at a time gives every visit once, in time order.
    let mut all: Vec<String> = Vec::new();
    let mut before: Option<(i64, String)> = None;
    loop {
        let page = wang
            .household_visits(&h, before.as_ref().map(|(ms, id)| (*ms, id.as_str())), 64)
            .unwrap();
        let Some(first) = page.first() else { break };
        before = Some((first.at_ms, first.id.clone()));
        all.splice(0..0, page.into_iter().map(|v| v.id));
    }
    assert_eq!(all, logged);
    // A later meeting (visit 441 met nobody, 442 did) closed the follow-up.
    assert!(
        wang.follow_ups_due(
            office.community().unwrap().local_date(devices.clock_now()) + Duration::days(2)
        )
        .unwrap()
        .is_empty()
    );
    let rows = wang.projection_dump().unwrap();
    drop(wang);
    // Reopened: the document is read back from its snapshot and the changes appended since.
    let wang = devices.open("lead-wang", "wang-phone");
    assert_eq!(wang.household_visits(&h, None, 200).unwrap().len(), 200);
    assert_eq!(wang.household(&h).unwrap(), detail);
    wang.rebuild_projections().unwrap();
    assert_eq!(
        wang.projection_dump().unwrap(),
        rows,
        "incremental rows equal rebuilt ones"
    );
    sync_all(&[&office, &wang]);
    assert_eq!(office.household(&h).unwrap(), detail);
    assert_eq!(
        office.households_in_building(&c.building3).unwrap()[0].visit_count,
        450
    );
}

#[test]
fn a_temperature_is_judged_as_it_is_kept_and_shown() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let h = wang
        .register_household(&household(&c.building3, "301"))
        .unwrap();
    for t in [37.25, 37.3] {
        wang.log_visit(
            &h,
            &VisitInput {
                health: Some(HealthInput {
                    temperature_c: Some(t),
                    ..HealthInput::default()
                }),
                ..VisitInput::default()
            },
        )
        .unwrap();
    }
    for v in wang.household(&h).unwrap().visits {
        let health = v.health.unwrap();
        assert_eq!(health.temperature_c, Some(37.3));
        assert!(health.concern, "37.3 ℃ is a fever however it was typed");
    }
    let guard = devices.open("guard-sun", "sun-phone");
    sync_all(&[&office, &guard]);
    let (_, fever) = guard
        .record_temperature(&c.east_gate, "访客", 37.25)
        .unwrap();
    assert!(fever, "37.25 is kept and shown as 37.3, a fever");
    let (_, fever) = guard
        .record_temperature(&c.east_gate, "访客", 37.24)
        .unwrap();
    assert!(!fever, "37.24 is kept and shown as 37.2");
}

#[test]
fn the_office_asks_for_residents_by_age_tag_building_visits_and_watch() {
    use linli_core::api::queries::{ResidentQuery, WatchQuery};
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let year = chrono::Datelike::year(&start_time()) as i64;
    let with = |building: &str, room: &str, people: &[(&str, i64)], tags: Vec<Tag>| {
        office
            .register_household(&HouseholdInput {
                residents: people
                    .iter()
                    .map(|(name, age)| ResidentInput {
                        name: (*name).into(),
                        birth_year: Some((year - age) as i32),
                        phone: String::new(),
                    })
                    .collect(),
                tags,
                ..household(building, room)
            })
            .unwrap()
    };
    let h101 = with(
        &c.building3,
        "101",
        &[("周桂英", 96), ("周建国", 64)],
        vec![Tag::Elderly],
    );
    with(
        &c.building3,
        "102",
        &[("陈玉兰", 90)],
        vec![Tag::LivingAlone],
    );
    with(
        &c.building5,
        "201",
        &[("李德明", 89), ("王秀珍", 91)],
        vec![],
    );
    office
        .set_watch_plan(
            &h101,
            Some(WatchPlanInput {
                frequency: WatchFrequency::TimesPerDay,
                n: 1,
            }),
        )
        .unwrap();
    let names = |q: ResidentQuery| -> Vec<String> {
        office
            .residents_where(&q)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect()
    };
    let ninety = ResidentQuery {
        min_age: Some(90),
        ..ResidentQuery::default()
    };
    let mut found = names(ninety.clone());
    found.sort();
    let mut expected = vec!["周桂英", "陈玉兰", "王秀珍"];
    expected.sort();
    assert_eq!(found, expected);
    let rows = office.residents_where(&ninety).unwrap();
    assert!(rows.iter().all(|r| r.age.unwrap() >= 90));
    assert_eq!(
        names(ResidentQuery {
            min_age: Some(90),
            building_id: Some(c.building3.clone()),
            ..ResidentQuery::default()
        })
        .len(),
        2
    );
    assert_eq!(
        names(ResidentQuery {
            max_age: Some(89),
            ..ResidentQuery::default()
        })
        .len(),
        2
    );
    assert_eq!(
        names(ResidentQuery {
            tag: Some(Tag::LivingAlone),
            ..ResidentQuery::default()
        }),
        vec!["陈玉兰"]
    );
    let watched = names(ResidentQuery {
        watch: WatchQuery::Watched,
        ..ResidentQuery::default()
    });
    assert_eq!(watched.len(), 2, "{watched:?}");
    // Nobody was visited: everyone counts as not visited in 30 days; after a visit, 101's
    // residents no longer do.
    assert_eq!(
        names(ResidentQuery {
            not_visited_days: Some(30),
            ..ResidentQuery::default()
        })
        .len(),
        5
    );
    office.log_visit(&h101, &VisitInput::default()).unwrap();
    assert_eq!(
        names(ResidentQuery {
            not_visited_days: Some(30),
            ..ResidentQuery::default()
        })
        .len(),
        3
    );
}
