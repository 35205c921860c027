//! The convergence property: three replicas (the office, a building lead, a gate lead) apply
//! random operations of every kind and exchange their changes in random order, with duplicates
//! and drops-then-retries; once every queue drains they hold the same documents with the same
//! heads, the same projections (equal to a rebuild from the documents) and the same day-end
//! report. `core/tests/convergence.rs` runs it with 48 cases, `linli-bench converge` with as
//! many as asked.

use std::collections::VecDeque;

use chrono::Duration;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Community, Devices, community, start_time, sync_all};
use crate::api::duty::VisitorInput;
use crate::api::households::{HouseholdInput, VisitInput};
use crate::api::records::Resolution;
use crate::api::tickets::TicketInput;
use crate::records::Coded;
use crate::records::household::{Tag, VisitOutcome};
use crate::records::ticket::{Category, Department, Level, PlaceRefKind};
use crate::{DocKind, Linli, RemoteChange};

/// One case: who (0 office, 1 lead, 2 gate lead) does which step, 10 to 69 steps.
pub fn steps() -> impl Strategy<Value = Vec<(usize, Op)>> {
    prop::collection::vec((0..3usize, op()), 10..70)
}

/// One step of a replica (or of the clock, or of the network).
#[derive(Debug, Clone)]
pub enum Op {
    RegisterHousehold {
        building: usize,
        room: u16,
    },
    LogVisit {
        household: usize,
        outcome: usize,
    },
    SetPhone {
        household: usize,
        n: u32,
    },
    SetTag {
        household: usize,
        tag: usize,
        on: bool,
    },
    ReportTicket {
        category: usize,
    },
    TicketAction {
        ticket: usize,
        action: usize,
    },
    AddShift {
        hours: i64,
    },
    AssignSlot {
        shift: usize,
        slot: usize,
        member: usize,
    },
    GateEntry {
        kind: usize,
    },
    ResolveConflict {
        nth: usize,
    },
    Advance {
        minutes: i64,
    },
    Deliver {
        to: usize,
        count: usize,
        duplicate: bool,
        drop: bool,
    },
}

/// Any one step.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize, 100..110u16)
            .prop_map(|(building, room)| Op::RegisterHousehold { building, room }),
        (0..8usize, 0..3usize).prop_map(|(household, outcome)| Op::LogVisit { household, outcome }),
        (0..8usize, 0..3u32).prop_map(|(household, n)| Op::SetPhone { household, n }),
        (0..8usize, 0..8usize, any::<bool>()).prop_map(|(household, tag, on)| Op::SetTag {
            household,
            tag,
            on
        }),
        (0..10usize).prop_map(|category| Op::ReportTicket { category }),
        (0..8usize, 0..9usize).prop_map(|(ticket, action)| Op::TicketAction { ticket, action }),
        (0..6i64).prop_map(|hours| Op::AddShift { hours }),
        (0..4usize, 0..4usize, 0..4usize).prop_map(|(shift, slot, member)| Op::AssignSlot {
            shift,
            slot,
            member
        }),
        (0..5usize).prop_map(|kind| Op::GateEntry { kind }),
        (0..4usize).prop_map(|nth| Op::ResolveConflict { nth }),
        (1..240i64).prop_map(|minutes| Op::Advance { minutes }),
        (0..3usize, 1..12usize, any::<bool>(), any::<bool>()).prop_map(
            |(to, count, duplicate, drop)| Op::Deliver {
                to,
                count,
                duplicate,
                drop
            }
        ),
    ]
}

struct Net {
    /// Per destination: changes in flight.
    queues: Vec<VecDeque<RemoteChange>>,
    /// Per source: the last outbox entry already sent.
    sent: Vec<i64>,
}

impl Net {
    fn send_new(&mut self, from: usize, replica: &Linli) {
        for o in replica.outbox(self.sent[from], 100_000).unwrap() {
            self.sent[from] = o.seq;
            for (to, q) in self.queues.iter_mut().enumerate() {
                if to != from {
                    q.push_back(o.change.clone());
                }
            }
        }
    }

    fn deliver(&mut self, to: usize, replica: &Linli, count: usize, duplicate: bool, drop: bool) {
        let q = &mut self.queues[to];
        let n = count.min(q.len());
        // Take from the back: newest first, so dependencies are often missing.
        let batch: Vec<RemoteChange> = (0..n).filter_map(|_| q.pop_back()).collect();
        if drop {
            // Lost on the way: retried later.
            q.extend(batch);
            return;
        }
        replica.apply_remote(&batch).unwrap();
        if duplicate {
            replica.apply_remote(&batch).unwrap();
            q.extend(batch);
        }
    }
}

fn ids(replica: &Linli, kind: DocKind) -> Vec<String> {
    replica
        .documents()
        .unwrap()
        .into_iter()
        .filter(|d| d.kind == kind)
        .map(|d| d.doc_id)
        .collect()
}

fn pick(list: &[String], i: usize) -> Option<&String> {
    (!list.is_empty()).then(|| &list[i % list.len()])
}

fn run(replica: &Linli, c: &Community, op: &Op) {
    let households = ids(replica, DocKind::Household);
    let tickets = ids(replica, DocKind::Ticket);
    // Domain refusals (permissions, state) are part of the game; only convergence matters.
    let _ = match op {
        Op::RegisterHousehold { building, room } => replica
            .register_household(&HouseholdInput {
                building_id: [&c.building3, &c.building5][*building].clone(),
                room: room.to_string(),
                residents: vec![crate::api::households::ResidentInput {
                    name: "居民".into(),
                    ..Default::default()
                }],
                ..HouseholdInput::default()
            })
            .map(drop),
        Op::LogVisit { household, outcome } => match pick(&households, *household) {
            Some(h) => replica
                .log_visit(
                    h,
                    &VisitInput {
                        outcome: VisitOutcome::ALL[*outcome],
                        needs: "需求".into(),
                        ..VisitInput::default()
                    },
                )
                .map(drop),
            None => Ok(()),
        },
        Op::SetPhone { household, n } => match pick(&households, *household) {
            Some(h) => replica.set_household_phone(h, &format!("1390000000{n}")),
            None => Ok(()),
        },
        Op::SetTag { household, tag, on } => match pick(&households, *household) {
            Some(h) => replica.set_household_tag(h, Tag::ALL[*tag], *on),
            None => Ok(()),
        },
        Op::ReportTicket { category } => replica
            .report_ticket(&TicketInput {
                category: Category::ALL[*category],
                place_kind: PlaceRefKind::Building,
                place_ref: c.building3.clone(),
                description: "楼道堆物".into(),
                ..TicketInput::default()
            })
            .map(drop),
        Op::TicketAction { ticket, action } => match pick(&tickets, *ticket) {
            Some(t) => match action {
                0 => replica.accept_ticket(t).map(drop),
                1 => replica
                    .assign_ticket(t, Department::PropertyCompany)
                    .map(drop),
                2 => replica.escalate_ticket(t, Level::Street, "上报").map(drop),
                3 => replica.escalate_ticket(t, Level::County, "上报").map(drop),
                4 => replica.reply_ticket(t, "已答复").map(drop),
                5 => replica.resolve_ticket(t, "已处理").map(drop),
                6 => replica.evaluate_ticket(t, true, "满意").map(drop),
                7 => replica.evaluate_ticket(t, false, "不满意").map(drop),
                _ => match pick(&tickets, *ticket + 1) {
                    Some(other) => replica.merge_ticket(t, other),
                    None => Ok(()),
                },
            },
            None => Ok(()),
        },
        Op::AddShift { hours } => {
            let start = replica.now() + Duration::hours(*hours);
            replica
                .add_shift(&c.east_gate, "班次", start, start + Duration::hours(4), 1)
                .map(drop)
        }
        Op::AssignSlot {
            shift,
            slot,
            member,
        } => {
            let day = replica.community().unwrap().local_date(replica.now());
            let week = replica.roster_week(&c.east_gate, day).unwrap();
            match week.get(*shift % week.len().max(1)) {
                Some(s) => {
                    let slot_id = &s.slots[*slot % s.slots.len()].slot_id;
                    let who = ["gate-zhao", "shift-qian", "guard-sun", "guard-zhou"][*member];
                    replica.assign_slot(&c.east_gate, &s.shift_id, slot_id, Some(who))
                }
                None => Ok(()),
            }
        }
        Op::GateEntry { kind } => match kind {
            0 => replica
                .record_temperature(&c.east_gate, "访客", 37.5)
                .map(drop),
            1 => replica
                .register_vehicle(&c.east_gate, "沪A12345", "访友")
                .map(drop),
            2 => replica
                .register_visitor(
                    &c.east_gate,
                    &VisitorInput {
                        name: "访客".into(),
                        purpose: "探亲".into(),
                        building_id: Some(c.building3.clone()),
                        room: "1单元 302".into(),
                        ..Default::default()
                    },
                )
                .map(drop),
            3 => replica.check_in(&c.east_gate).map(drop),
            _ => replica.check_out(&c.east_gate).map(drop),
        },
        Op::ResolveConflict { nth } => {
            let docs = replica.documents().unwrap();
            let mut result = Ok(());
            for d in docs.iter().cycle().skip(*nth).take(docs.len()) {
                if let Some(conflict) = replica.conflicts(&d.doc_id).unwrap().first() {
                    result =
                        replica.resolve_conflict(&d.doc_id, &conflict.path, &Resolution::Pick(1));
                    break;
                }
            }
            result
        }
        Op::Advance { .. } | Op::Deliver { .. } => Ok(()),
    };
}

/// Plays one case and checks that the replicas converged.
pub fn check(steps: &[(usize, Op)]) -> Result<(), TestCaseError> {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let li = devices.open("lead-li", "li-phone");
    let zhao = devices.open("gate-zhao", "zhao-phone");
    let replicas = [&office, &li, &zhao];
    sync_all(&replicas);
    let mut net = Net {
        queues: vec![VecDeque::new(); 3],
        sent: vec![0; 3],
    };
    for (i, r) in replicas.iter().enumerate() {
        // What each already has from the set-up sync need not travel again.
        net.sent[i] = r.outbox(0, 100_000).unwrap().last().map_or(0, |o| o.seq);
    }

    for (who, op) in steps {
        match op {
            Op::Advance { minutes } => devices.clock.advance(Duration::minutes(*minutes)),
            Op::Deliver {
                to,
                count,
                duplicate,
                drop,
            } => net.deliver(*to, replicas[*to], *count, *duplicate, *drop),
            _ => {
                run(replicas[*who], &c, op);
                net.send_new(*who, replicas[*who]);
            }
        }
    }
    // Connectivity returns: every queue drains.
    for (to, replica) in replicas.iter().enumerate() {
        while !net.queues[to].is_empty() {
            let n = net.queues[to].len();
            net.deliver(to, replica, n, false, false);
        }
    }

    let docs = office.documents().unwrap();
    let date = office.community().unwrap().local_date(start_time());
    let report = office.day_report(date).unwrap();
    let dump = office.projection_dump().unwrap();
    for r in replicas {
        prop_assert_eq!(r.held_count().unwrap(), 0);
        prop_assert_eq!(&r.documents().unwrap(), &docs);
        for d in &docs {
            prop_assert_eq!(
                r.heads(&d.doc_id).unwrap(),
                office.heads(&d.doc_id).unwrap()
            );
        }
        prop_assert_eq!(&r.projection_dump().unwrap(), &dump);
        prop_assert_eq!(&r.day_report(date).unwrap(), &report);
        r.rebuild_projections().unwrap();
        prop_assert_eq!(
            &r.projection_dump().unwrap(),
            &dump,
            "rebuild differs from incremental"
        );
    }
    Ok(())
}
