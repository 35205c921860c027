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
//!
//! Closed and merged tickets ignore everything but history. A ticket is overdue at time T when
//! an open deadline lies before T.

use autosurgeon::{Hydrate, Reconcile};
use chrono::Duration;

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
#[derive(Debug, Clone, PartialEq, Default, Hydrate, Reconcile)]
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
        }
    }
}

/// One event of the timeline: append-only.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
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
                    if matches!(self.status, Status::Reported | Status::Reopened) {
                        self.status = Status::Accepted;
                    }
                }
            }
            TicketAction::Assigned { department } => {
                self.department = Some(*department);
                self.status = Status::Assigned;
            }
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
}
