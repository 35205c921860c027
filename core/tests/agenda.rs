//! Today's list for each role on a prepared day: a building lead with follow-ups, a watch check
//! overdue and a ticket to answer; a gate lead with a shift in 40 minutes and a swap to approve;
//! a safety officer with a swap to take. Contents, order and the action that clears each item.

mod common;

use chrono::{Days, Duration};
use common::{Devices, community, start_time, sync_all};
use linli_core::Clock;
use linli_core::api::agenda::{AgendaItem, AgendaKind};
use linli_core::api::households::{HouseholdInput, VisitInput, WatchPlanInput};
use linli_core::api::tickets::TicketInput;
use linli_core::records::household::WatchFrequency;
use linli_core::records::ticket::{Category, Channel, PlaceRefKind};

fn kinds(items: &[AgendaItem]) -> Vec<AgendaKind> {
    items.iter().map(|i| i.kind).collect()
}

#[test]
fn each_role_sees_what_is_due_most_urgent_first() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    let zhao = devices.open("gate-zhao", "zhao-phone");
    let sun = devices.open("guard-sun", "sun-phone");
    let zhou = devices.open("guard-zhou", "zhou-phone");
    sync_all(&[&office, &wang, &zhao, &sun, &zhou]);
    let community_info = office.community().unwrap();
    let today = community_info.local_date(start_time());

    // A lead: a watched household never checked, two follow-ups (yesterday's and tomorrow's),
    // one far ahead, and a ticket accepted (the lead answers for it).
    let watched = wang
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "302".into(),
            watch: Some(WatchPlanInput {
                frequency: WatchFrequency::TimesPerDay,
                n: 3,
            }),
            ..HouseholdInput::default()
        })
        .unwrap();
    // Each follow-up on a household of its own: a later visit closes the earlier follow-ups.
    let household = |unit: &str, room: &str| {
        wang.register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: unit.into(),
            room: room.into(),
            ..HouseholdInput::default()
        })
        .unwrap()
    };
    let follow_up = |household: &str, days_from_today: i64, note: &str| {
        let due = if days_from_today < 0 {
            today.checked_sub_days(Days::new(days_from_today.unsigned_abs()))
        } else {
            today.checked_add_days(Days::new(days_from_today as u64))
        };
        // A follow-up in the past was set by a visit before it.
        let at = (days_from_today < 0)
            .then(|| devices.clock.now() + Duration::days(days_from_today - 1));
        wang.log_visit(
            household,
            &VisitInput {
                at,
                follow_up_due: due,
                follow_up_note: note.into(),
                ..VisitInput::default()
            },
        )
        .unwrap();
    };
    follow_up(&household("2单元", "101"), -1, "昨天该回访");
    follow_up(&household("2单元", "102"), 1, "明天送药");
    follow_up(&household("2单元", "103"), 10, "下个月再来");
    let ticket = wang
        .report_ticket(&TicketInput {
            category: Category::CityAppearance,
            place_kind: PlaceRefKind::Building,
            place_ref: c.building3.clone(),
            place_text: "3号楼".into(),
            description: "楼道堆物".into(),
            photos: vec![],
            channel: Channel::Visit,
        })
        .unwrap();
    wang.accept_ticket(&ticket).unwrap();

    // A gate lead: a shift in 40 minutes, its own slot; a swap between two officers accepted.
    let start = devices.clock.now() + Duration::minutes(40);
    let shift = zhao
        .add_shift(&c.east_gate, "早班", start, start + Duration::hours(8), 2)
        .unwrap();
    zhao.assign_slot(&c.east_gate, &shift, "gate_lead-1", Some("gate-zhao"))
        .unwrap();
    zhao.assign_slot(&c.east_gate, &shift, "safety_officer-1", Some("guard-sun"))
        .unwrap();
    sync_all(&[&office, &wang, &zhao, &sun, &zhou]);
    let swap = sun
        .request_swap(&c.east_gate, &shift, "safety_officer-1", "guard-zhou")
        .unwrap();
    sync_all(&[&office, &wang, &zhao, &sun, &zhou]);

    // The officer asked sees the swap to take; the gate lead does not yet.
    let zhou_list = zhou.agenda(today).unwrap();
    assert_eq!(kinds(&zhou_list), vec![AgendaKind::SwapToAccept]);
    assert_eq!(zhou_list[0].item_id, swap);
    assert_eq!(zhou_list[0].action, "swap.accept");
    assert!(
        zhou_list[0].title.contains("东门"),
        "{}",
        zhou_list[0].title
    );
    zhou.accept_swap(&c.east_gate, &swap).unwrap();
    sync_all(&[&office, &wang, &zhao, &sun, &zhou]);
    assert!(zhou.agenda(today).unwrap().is_empty());

    // Three hours on: the watch check is overdue, yesterday's follow-up too.
    devices.clock.advance(Duration::hours(3));
    let list = wang.agenda(today).unwrap();
    assert_eq!(
        kinds(&list),
        vec![
            AgendaKind::FollowUp,
            AgendaKind::WatchCheck,
            AgendaKind::FollowUp,
            AgendaKind::Ticket
        ],
        "{list:#?}"
    );
    assert!(list[0].overdue && list[1].overdue);
    assert_eq!(list[0].title, "3号楼 2单元 101：昨天该回访");
    assert_eq!(list[1].record_id, watched);
    assert_eq!(list[1].action, "visit.log");
    assert!(!list[2].overdue);
    assert_eq!(list[2].title, "3号楼 2单元 102：明天送药");
    // At the community's level a ticket has no deadline yet: it comes after the dated items.
    assert_eq!(list[3].record_id, ticket);
    assert_eq!(list[3].action, "ticket.handle");
    assert_eq!(list[3].title, "3号楼：楼道堆物");
    assert!(list.iter().all(|i| !i.title.contains("下个月")));

    // Answering clears an item: the visit closes nothing here, the check does.
    wang.log_visit(&watched, &VisitInput::default()).unwrap();
    let after = wang.agenda(today).unwrap();
    assert!(
        !kinds(&after).contains(&AgendaKind::WatchCheck),
        "{after:#?}"
    );

    // The gate lead: the shift that began without a check-in, and the swap to approve.
    let zhao_list = zhao.agenda(today).unwrap();
    let zhao_kinds = kinds(&zhao_list);
    assert_eq!(
        zhao_kinds,
        vec![AgendaKind::Shift, AgendaKind::SwapToApprove],
        "{zhao_list:#?}"
    );
    assert!(
        zhao_list[0].overdue,
        "the shift began and is not checked in"
    );
    assert_eq!(zhao_list[0].due, Some(start));
    assert_eq!(zhao_list[1].item_id, swap);
}

#[test]
fn a_shift_shows_from_an_hour_before_until_checked_in() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let zhao = devices.open("gate-zhao", "zhao-phone");
    sync_all(&[&office, &zhao]);
    let today = office.community().unwrap().local_date(start_time());
    let start = devices.clock.now() + Duration::minutes(90);
    let shift = zhao
        .add_shift(&c.east_gate, "早班", start, start + Duration::hours(8), 1)
        .unwrap();
    zhao.assign_slot(&c.east_gate, &shift, "gate_lead-1", Some("gate-zhao"))
        .unwrap();
    assert!(
        zhao.agenda(today).unwrap().is_empty(),
        "90 minutes ahead: not yet"
    );
    devices.clock.advance(Duration::minutes(50));
    let list = zhao.agenda(today).unwrap();
    assert_eq!(kinds(&list), vec![AgendaKind::Shift]);
    assert_eq!(list[0].due, Some(start));
    assert!(!list[0].overdue);
    assert_eq!(list[0].action, "duty.check_in");
    assert_eq!(list[0].title, "东门 早班 门长");
    devices.clock.advance(Duration::minutes(45));
    assert!(
        zhao.agenda(today).unwrap()[0].overdue,
        "begun, not checked in"
    );
    zhao.check_in(&c.east_gate).unwrap();
    assert!(zhao.agenda(today).unwrap().is_empty());
}
