//! A complaint ticket and its append-only event timeline, and the written rules that derive the
//! ticket's status, level, responsible person and deadlines from those events.
//!
//! # Rules
//!
//! Events are read in the document's list order: causal order, with concurrent events from two
//! phones ordered the same way on every device by automerge. Every event stays in the history;
//! an event that does not apply in the state reached so far changes nothing.
//!
//! 1. `reported`: status 待受理 (reported), level community.
//! 2. `accepted`: the first accepter is responsible (首问负责); status accepted. Later accepts
//!    only stay in the history.
//! 3. `assigned`: the department is set; status assigned.
//! 4. `escalated` to a higher level: the level rises; status escalated. Reaching the street
//!    office starts a reply deadline of 24 h; reaching the county office starts a resolution
//!    deadline of 3 days (72 h). An escalation to the same or a lower level changes nothing.
//! 5. `replied`: status replied; meets an open reply deadline.
//! 6. `resolved`: status resolved; meets open reply and resolution deadlines.
//! 7. `evaluated` by the resident on a resolved ticket: satisfied closes it; not satisfied
//!    reopens it and restarts the deadline of its level from the evaluation.
//! 8. `merged` into another ticket: status merged, terminal; the other ticket gets an `absorbed`
//!    event naming this one, its channel and reporter, so every source is kept.
//! 9. `dispatched` to a department of the directory: status assigned; the department works
//!    the ticket on its own phones through a work order ([`super::case`]), whose steps the
//!    ticket's state takes in time order: accepted, 待补充, replied and resolved as above, and
//!    handed back (status 已退回, level community, the department cleared). The responsible
//!    person and every deadline set before hold.
//! 10. `leader_named`: the leader in charge (包案领导) is set.
//!
//! Closed and merged tickets ignore everything but history. A ticket is overdue at time T when
//! an open deadline lies before T.

use autosurgeon::{Hydrate, Reconcile};
use chrono::Duration;

use super::case::{CaseAction, CaseEvent, CaseState};
use super::coded_enum;
use crate::doc::{DocKind, Record};

coded_enum! {
    /// Ticket category.
    Category {
        /// 治安.
        PublicSecurity = "public_security" / "治安",
        /// 市容.
        CityAppearance = "city_appearance" / "市容",
        /// 噪声.
        Noise = "noise" / "噪声",
        /// 物业.
        Property = "property" / "物业",
        /// 电梯.
        Elevator = "elevator" / "电梯",
        /// 违章搭建.
        IllegalConstruction = "illegal_construction" / "违章搭建",
        /// 流浪动物.
        StrayAnimals = "stray_animals" / "流浪动物",
        /// 环境卫生.
        Sanitation = "sanitation" / "环境卫生",
        /// 消防.
        FireSafety = "fire_safety" / "消防安全",
        /// 其他.
        Other = "other" / "其他",
    }
}

coded_enum! {
    /// How the problem reached Linli.
    Channel {
        /// 走访.
        Visit = "visit" / "走访",
        /// 门岗.
        Gate = "gate" / "门岗",
        /// 随手拍.
        PhotoReport = "photo_report" / "随手拍",
        /// 12345 热线.
        Hotline12345 = "hotline_12345" / "12345热线",
        /// 微信群.
        ChatGroup = "chat_group" / "微信群",
        /// 来访.
        WalkIn = "walk_in" / "来访",
    }
}

coded_enum! {
    /// Who handles the ticket now.
    Level {
        /// 社区.
        Community = "community" / "社区",
        /// 街道 (reply within 24 h).
        Street = "street" / "街道",
        /// 区县 (resolve within 3 days).
        County = "county" / "区县",
    }
}

coded_enum! {
    /// The department a ticket is assigned to.
    Department {
        /// 公安派出所.
        Police = "police" / "派出所",
        /// 城管.
        CityManagement = "city_management" / "城管",
        /// 房管.
        HousingOffice = "housing_office" / "房管办",
        /// 市场监管.
        MarketRegulation = "market_regulation" / "市场监管所",
        /// 物业公司.
        PropertyCompany = "property_company" / "物业公司",
        /// 环卫.
        Sanitation = "sanitation" / "环卫所",
        /// 消防.
        FireBrigade = "fire_brigade" / "消防救援站",
        /// 社区居委.
        CommunityOffice = "community_office" / "社区居委",
        /// 其他.
        Other = "other" / "其他部门",
    }
}

coded_enum! {
    /// Where the problem is.
    PlaceRefKind {
        /// Free text only.
        FreeText = "free_text" / "其他地点",
        /// A building.
        Building = "building" / "楼栋",
        /// A household.
        Household = "household" / "住户",
        /// A gate.
        Gate = "gate" / "门岗",
    }
}

coded_enum! {
    /// A ticket's derived status.
    Status {
        /// 待受理.
        Reported = "reported" / "待受理",
        /// 已受理.
        Accepted = "accepted" / "已受理",
        /// 已派单.
        Assigned = "assigned" / "已派单",
        /// 已上报.
        Escalated = "escalated" / "已上报",
        /// 已答复.
        Replied = "replied" / "已答复",
        /// 已办结 (awaiting the resident's evaluation).
        Resolved = "resolved" / "已办结",
        /// 已评价关闭.
        Closed = "closed" / "已关闭",
        /// 重新办理.
        Reopened = "reopened" / "重新办理",
        /// 已合并.
        Merged = "merged" / "已合并",
        /// 待补充 (the department dispatched to asks for more information).
        InfoRequested = "info_requested" / "待补充",
        /// 已退回 (the department handed it back to the community).
        Returned = "returned" / "已退回",
    }
}

impl Status {
    /// Whether someone still has to act on the ticket.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed | Status::Merged)
    }
}

/// Where the problem is.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct TicketPlace {
    /// What the reference points at.
    pub kind: PlaceRefKind,
    /// The building, household or gate id (empty for free text).
    pub reference: String,
    /// Free-text description of the place.
    pub text: String,
}

/// What happened to a ticket.
#[derive(
    Debug, Clone, PartialEq, Default, Hydrate, Reconcile, serde::Serialize, serde::Deserialize,
)]
pub enum TicketAction {
    /// The problem was reported.
    #[default]
    Reported,
    /// Someone took responsibility.
    Accepted,
    /// Assigned to a department.
    Assigned {
        /// The department.
        department: Department,
    },
    /// Escalated to a higher level.
    Escalated {
        /// The new level.
        to: Level,
        /// Why.
        reason: String,
    },
    /// A reply was given to the resident.
    Replied {
        /// The reply.
        message: String,
    },
    /// The problem was resolved.
    Resolved {
        /// What was done.
        summary: String,
    },
    /// The resident evaluated the result.
    Evaluated {
        /// Satisfied or not.
        satisfied: bool,
        /// The resident's words.
        comment: String,
    },
    /// This ticket was merged into another.
    Merged {
        /// The ticket it was merged into.
        into: String,
    },
    /// Another ticket was merged into this one.
    Absorbed {
        /// The merged ticket.
        from: String,
        /// Its channel.
        channel: Channel,
        /// Its reporter.
        reporter: String,
    },
    /// A photo was attached.
    PhotoAdded {
        /// The photo's sha-256, hex.
        sha256: String,
    },
    /// Dispatched to a department that works it on its own phones (a work order in the
    /// department's scope, see [`super::case`]).
    Dispatched {
        /// The department (a place of kind department in the directory).
        unit: String,
        /// The work order's document id.
        case: String,
    },
    /// A leader was put in charge of the ticket (包案领导).
    LeaderNamed {
        /// The leader (a member id).
        member: String,
    },
}

impl TicketAction {
    /// A short code for the action, used in projections and reports.
    pub fn code(&self) -> &'static str {
        match self {
            TicketAction::Reported => "reported",
            TicketAction::Accepted => "accepted",
            TicketAction::Assigned { .. } => "assigned",
            TicketAction::Escalated { .. } => "escalated",
            TicketAction::Replied { .. } => "replied",
            TicketAction::Resolved { .. } => "resolved",
            TicketAction::Evaluated { .. } => "evaluated",
            TicketAction::Merged { .. } => "merged",
            TicketAction::Absorbed { .. } => "absorbed",
            TicketAction::PhotoAdded { .. } => "photo_added",
            TicketAction::Dispatched { .. } => "dispatched",
            TicketAction::LeaderNamed { .. } => "leader_named",
        }
    }
}

/// One event of the timeline: append-only.
#[derive(
    Debug, Clone, Default, PartialEq, Hydrate, Reconcile, serde::Serialize, serde::Deserialize,
)]
pub struct TicketEvent {
    /// Event id (ULID).
    pub id: String,
    /// Device time (ms since the epoch).
    pub at_ms: i64,
    /// Acting member.
    pub author: String,
    /// Acting device.
    pub device: String,
    /// What happened.
    pub action: TicketAction,
}

/// The ticket document.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct TicketDoc {
    /// Category.
    pub category: Category,
    /// Where.
    pub place: TicketPlace,
    /// What is wrong.
    pub description: String,
    /// Photo hashes (sha-256, hex) given at report time.
    pub photos: Vec<String>,
    /// How it reached Linli.
    pub channel: Channel,
    /// Reporting member.
    pub reporter: String,
    /// When it was reported (ms since the epoch).
    pub reported_ms: i64,
    /// The timeline.
    pub events: Vec<TicketEvent>,
}

/// A ticket without its timeline: what a write of an event reads, however long the timeline.
#[derive(Debug, Clone, Default, PartialEq, Hydrate)]
pub struct TicketHead {
    /// Category.
    pub category: Category,
    /// Where.
    pub place: TicketPlace,
    /// What is wrong.
    pub description: String,
    /// Photo hashes (sha-256, hex) given at report time.
    pub photos: Vec<String>,
    /// How it reached Linli.
    pub channel: Channel,
    /// Reporting member.
    pub reporter: String,
    /// When it was reported (ms since the epoch).
    pub reported_ms: i64,
}

impl Record for TicketDoc {
    const KIND: DocKind = DocKind::Ticket;
}

/// How long the street office has to reply.
pub const STREET_REPLY_WITHIN: Duration = Duration::hours(24);
/// How long the county office has to resolve.
pub const COUNTY_RESOLVE_WITHIN: Duration = Duration::days(3);

/// A ticket's state as derived from its events by the rules in this module's documentation.
/// The projection keeps it, so that an event appended here is applied to it alone.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TicketState {
    /// Status.
    pub status: Status,
    /// Level.
    pub level: Level,
    /// The first receiver (首问负责人).
    pub responsible: Option<String>,
    /// The assigned department.
    pub department: Option<Department>,
    /// An open reply deadline (ms).
    pub reply_due_ms: Option<i64>,
    /// An open resolution deadline (ms).
    pub resolve_due_ms: Option<i64>,
    /// When it was last replied to.
    pub replied_ms: Option<i64>,
    /// When it was last resolved.
    pub resolved_ms: Option<i64>,
    /// The ticket this one was merged into.
    pub merged_into: Option<String>,
    /// Tickets merged into this one.
    pub absorbed: Vec<String>,
    /// Photos attached (report time and later).
    pub photos: Vec<String>,
    /// Times reopened after an unsatisfied evaluation.
    pub reopened: u32,
    /// The department the ticket is dispatched to now (a directory place id).
    #[serde(default)]
    pub unit: Option<String>,
    /// The work order of that dispatch.
    #[serde(default)]
    pub case: Option<String>,
    /// The leader in charge (包案领导).
    #[serde(default)]
    pub leader: Option<String>,
}

/// A department's work order as the ticket's state reads it: its id, when it was dispatched,
/// and its timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSteps<'a> {
    /// The work order's document id.
    pub case: &'a str,
    /// When it was dispatched (ms).
    pub dispatched_ms: i64,
    /// Its timeline, in list order.
    pub events: &'a [CaseEvent],
}

impl TicketState {
    /// Derives the state of `doc` by the module's rules.
    pub fn derive(doc: &TicketDoc) -> TicketState {
        let mut s = TicketState::reported(&doc.photos);
        for event in &doc.events {
            s.apply(event);
        }
        s
    }

    /// Derives the state of a ticket from its own timeline (`events`, in list order) and the
    /// steps of the departments' work orders: each step that applied in its order (by the rules
    /// of [`super::case`]) is taken in time order with the ticket's events (before an event of
    /// the same millisecond), never before its dispatch, and changes the ticket only while that
    /// order is the ticket's current one.
    pub fn derive_with_orders(
        photos: &[String],
        events: &[TicketEvent],
        orders: &[OrderSteps<'_>],
    ) -> TicketState {
        let mut steps: Vec<(i64, &str, usize, &CaseEvent)> = Vec::new();
        for order in orders {
            let mut state = CaseState::default();
            for (i, e) in order.events.iter().enumerate() {
                if state.apply(e) {
                    steps.push((e.at_ms.max(order.dispatched_ms + 1), order.case, i, e));
                }
            }
        }
        steps.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        let mut s = TicketState::reported(photos);
        let mut pending = steps.into_iter().peekable();
        for e in events {
            while let Some((_, case, _, step)) = pending.next_if(|(at, ..)| *at <= e.at_ms) {
                s.apply_step(case, step);
            }
            s.apply(e);
        }
        for (_, case, _, step) in pending {
            s.apply_step(case, step);
        }
        s
    }

    /// The state after a department's step of work order `case`.
    fn apply_step(&mut self, case: &str, e: &CaseEvent) {
        if self.case.as_deref() != Some(case)
            || matches!(self.status, Status::Closed | Status::Merged)
        {
            return;
        }
        match &e.action {
            CaseAction::Accepted | CaseAction::InfoGiven { .. } => {
                if matches!(self.status, Status::Assigned | Status::InfoRequested) {
                    self.status = Status::Accepted;
                }
            }
            CaseAction::InfoRequested { .. } => self.status = Status::InfoRequested,
            CaseAction::Replied { .. } => {
                self.status = Status::Replied;
                self.replied_ms = Some(e.at_ms);
                self.reply_due_ms = None;
            }
            CaseAction::Resolved { .. } => {
                self.status = Status::Resolved;
                self.resolved_ms = Some(e.at_ms);
                self.replied_ms.get_or_insert(e.at_ms);
                self.reply_due_ms = None;
                self.resolve_due_ms = None;
            }
            CaseAction::HandedBack { .. } => {
                self.status = Status::Returned;
                self.level = Level::Community;
                self.unit = None;
                self.case = None;
            }
        }
    }

    fn start_deadline(&mut self, level: Level, from_ms: i64) {
        match level {
            Level::Community => {}
            Level::Street => {
                self.reply_due_ms = Some(from_ms + STREET_REPLY_WITHIN.num_milliseconds());
            }
            Level::County => {
                self.resolve_due_ms = Some(from_ms + COUNTY_RESOLVE_WITHIN.num_milliseconds());
            }
        }
    }

    /// The state of a ticket reported with `photos`, before any event.
    pub fn reported(photos: &[String]) -> TicketState {
        TicketState {
            photos: photos.to_vec(),
            ..TicketState::default()
        }
    }

    /// The state after `e`, the next event in list order.
    pub fn apply(&mut self, e: &TicketEvent) {
        if let TicketAction::PhotoAdded { sha256 } = &e.action {
            self.photos.push(sha256.clone());
            return;
        }
        if let TicketAction::Absorbed { from, .. } = &e.action {
            self.absorbed.push(from.clone());
            return;
        }
        if matches!(self.status, Status::Closed | Status::Merged) {
            return;
        }
        match &e.action {
            TicketAction::Reported => {}
            TicketAction::Accepted => {
                if self.responsible.is_none() {
                    self.responsible = Some(e.author.clone());
                    if matches!(
                        self.status,
                        Status::Reported | Status::Reopened | Status::Returned
                    ) {
                        self.status = Status::Accepted;
                    }
                }
            }
            TicketAction::Assigned { department } => {
                self.department = Some(*department);
                self.unit = None;
                self.case = None;
                self.status = Status::Assigned;
            }
            TicketAction::Dispatched { unit, case } => {
                self.unit = Some(unit.clone());
                self.case = Some(case.clone());
                self.status = Status::Assigned;
            }
            TicketAction::LeaderNamed { member } => self.leader = Some(member.clone()),
            TicketAction::Escalated { to, .. } => {
                if *to > self.level {
                    self.level = *to;
                    self.status = Status::Escalated;
                    self.start_deadline(*to, e.at_ms);
                }
            }
            TicketAction::Replied { .. } => {
                self.status = Status::Replied;
                self.replied_ms = Some(e.at_ms);
                self.reply_due_ms = None;
            }
            TicketAction::Resolved { .. } => {
                self.status = Status::Resolved;
                self.resolved_ms = Some(e.at_ms);
                self.replied_ms.get_or_insert(e.at_ms);
                self.reply_due_ms = None;
                self.resolve_due_ms = None;
            }
            TicketAction::Evaluated { satisfied, .. } => {
                if self.status == Status::Resolved {
                    if *satisfied {
                        self.status = Status::Closed;
                    } else {
                        self.status = Status::Reopened;
                        self.reopened += 1;
                        self.resolved_ms = None;
                        self.start_deadline(self.level, e.at_ms);
                    }
                }
            }
            TicketAction::Merged { into } => {
                self.status = Status::Merged;
                self.merged_into = Some(into.clone());
                self.reply_due_ms = None;
                self.resolve_due_ms = None;
            }
            TicketAction::Absorbed { .. } | TicketAction::PhotoAdded { .. } => {}
        }
    }

    /// Whether an open deadline lies before `now_ms`.
    pub fn overdue_at(&self, now_ms: i64) -> bool {
        self.reply_due_ms.is_some_and(|d| d < now_ms)
            || self.resolve_due_ms.is_some_and(|d| d < now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn ev(author: &str, at_ms: i64, action: TicketAction) -> TicketEvent {
        TicketEvent {
            id: format!("{at_ms}-{author}"),
            at_ms,
            author: author.into(),
            device: "d".into(),
            action,
        }
    }

    fn doc(events: Vec<TicketEvent>) -> TicketDoc {
        TicketDoc {
            events,
            ..TicketDoc::default()
        }
    }

    #[test]
    fn first_receiver_is_responsible() {
        let s = TicketState::derive(&doc(vec![
            ev("r", 0, TicketAction::Reported),
            ev("a", 1, TicketAction::Accepted),
            ev("b", 2, TicketAction::Accepted),
        ]));
        assert_eq!(s.responsible.as_deref(), Some("a"));
        assert_eq!(s.status, Status::Accepted);
    }

    #[test]
    fn street_must_reply_within_a_day() {
        let s = TicketState::derive(&doc(vec![
            ev("r", 0, TicketAction::Reported),
            ev(
                "a",
                H,
                TicketAction::Escalated {
                    to: Level::Street,
                    reason: "需街道协调".into(),
                },
            ),
        ]));
        assert_eq!(s.level, Level::Street);
        assert_eq!(s.reply_due_ms, Some(25 * H));
        assert!(!s.overdue_at(25 * H));
        assert!(s.overdue_at(25 * H + 1));
        let mut d = doc(vec![]);
        d.events = vec![
            ev("r", 0, TicketAction::Reported),
            ev(
                "a",
                H,
                TicketAction::Escalated {
                    to: Level::Street,
                    reason: String::new(),
                },
            ),
            ev(
                "s",
                2 * H,
                TicketAction::Replied {
                    message: "已联系物业".into(),
                },
            ),
        ];
        assert!(!TicketState::derive(&d).overdue_at(100 * H));
    }

    #[test]
    fn county_must_resolve_within_three_days_and_lower_escalation_is_ignored() {
        let s = TicketState::derive(&doc(vec![
            ev("r", 0, TicketAction::Reported),
            ev(
                "a",
                0,
                TicketAction::Escalated {
                    to: Level::County,
                    reason: String::new(),
                },
            ),
            ev(
                "b",
                H,
                TicketAction::Escalated {
                    to: Level::Street,
                    reason: String::new(),
                },
            ),
        ]));
        assert_eq!(s.level, Level::County);
        assert_eq!(s.resolve_due_ms, Some(72 * H));
        assert!(s.overdue_at(72 * H + 1));
    }

    #[test]
    fn unsatisfied_evaluation_reopens_and_restarts_the_deadline() {
        let s = TicketState::derive(&doc(vec![
            ev("r", 0, TicketAction::Reported),
            ev(
                "a",
                0,
                TicketAction::Escalated {
                    to: Level::Street,
                    reason: String::new(),
                },
            ),
            ev(
                "a",
                H,
                TicketAction::Resolved {
                    summary: "已处理".into(),
                },
            ),
            ev(
                "r",
                10 * H,
                TicketAction::Evaluated {
                    satisfied: false,
                    comment: "噪声仍在".into(),
                },
            ),
        ]));
        assert_eq!(s.status, Status::Reopened);
        assert_eq!(s.reopened, 1);
        assert_eq!(s.reply_due_ms, Some(34 * H));
        assert!(s.status.is_open());
    }

    #[test]
    fn satisfied_closes_and_closed_ignores_later_events() {
        let s = TicketState::derive(&doc(vec![
            ev("r", 0, TicketAction::Reported),
            ev(
                "a",
                1,
                TicketAction::Resolved {
                    summary: String::new(),
                },
            ),
            ev(
                "r",
                2,
                TicketAction::Evaluated {
                    satisfied: true,
                    comment: String::new(),
                },
            ),
            ev(
                "x",
                3,
                TicketAction::Assigned {
                    department: Department::Police,
                },
            ),
        ]));
        assert_eq!(s.status, Status::Closed);
        assert_eq!(s.department, None);
    }

    #[test]
    fn evaluation_of_an_unresolved_ticket_changes_nothing() {
        let s = TicketState::derive(&doc(vec![
            ev("r", 0, TicketAction::Reported),
            ev(
                "r",
                2,
                TicketAction::Evaluated {
                    satisfied: false,
                    comment: String::new(),
                },
            ),
        ]));
        assert_eq!(s.status, Status::Reported);
        assert_eq!(s.reopened, 0);
    }

    #[test]
    fn merged_is_terminal_and_absorbed_collects_sources() {
        let s = TicketState::derive(&doc(vec![
            ev("r", 0, TicketAction::Reported),
            ev("a", 1, TicketAction::Merged { into: "T2".into() }),
            ev("a", 2, TicketAction::Accepted),
        ]));
        assert_eq!(s.status, Status::Merged);
        assert_eq!(s.merged_into.as_deref(), Some("T2"));
        assert_eq!(s.responsible, None);
        let t = TicketState::derive(&doc(vec![
            ev("r", 0, TicketAction::Reported),
            ev(
                "a",
                1,
                TicketAction::Absorbed {
                    from: "T1".into(),
                    channel: Channel::Hotline12345,
                    reporter: "x".into(),
                },
            ),
        ]));
        assert_eq!(t.absorbed, vec!["T1".to_owned()]);
    }

    #[test]
    fn department_steps_count_only_for_the_current_order_in_time_order() {
        use crate::records::case::{CaseAction, CaseEvent};
        let step = |at_ms, action| CaseEvent {
            id: format!("s{at_ms}"),
            at_ms,
            author: "cg".into(),
            device: "d".into(),
            action,
        };
        let dispatch = |at, case: &str| {
            ev(
                "o",
                at,
                TicketAction::Dispatched {
                    unit: "u".into(),
                    case: case.into(),
                },
            )
        };
        let events = vec![
            ev("r", 0, TicketAction::Reported),
            dispatch(H, "c1"),
            dispatch(5 * H, "c2"),
        ];
        let first = [
            step(
                2 * H,
                CaseAction::HandedBack {
                    reason: "非本部门".into(),
                },
            ),
            // After its hand-back the order is finished: this changes nothing.
            step(
                3 * H,
                CaseAction::Resolved {
                    summary: String::new(),
                },
            ),
        ];
        let second = [step(
            // Stamped before its dispatch by a clock behind: taken just after it.
            4 * H,
            CaseAction::Replied {
                message: "已处理".into(),
            },
        )];
        let orders = [
            OrderSteps {
                case: "c1",
                dispatched_ms: H,
                events: &first,
            },
            OrderSteps {
                case: "c2",
                dispatched_ms: 5 * H,
                events: &second,
            },
        ];
        let s = TicketState::derive_with_orders(&[], &events, &orders);
        assert_eq!(s.status, Status::Replied);
        assert_eq!(s.case.as_deref(), Some("c2"));
        assert_eq!(s.resolved_ms, None);
        let only_first = TicketState::derive_with_orders(&[], &events[..2], &orders[..1]);
        assert_eq!(only_first.status, Status::Returned);
        assert_eq!(only_first.unit, None);
    }
}
