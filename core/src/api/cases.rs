//! Departments working tickets on their own phones (大联动): dispatching a ticket to a
//! department of the directory as a work order in the department's scope, naming the leader
//! in charge (包案领导), the department's steps, and the work order lists.
//!
//! Who may take which step of a work order, the one rule that refuses a forbidden step here and
//! at the relay (see [`crate::rules`]) and tells the apps which buttons to show:
//!
//! | step | who | when |
//! |---|---|---|
//! | accept | the department's staff | waiting |
//! | ask for more information | the department's staff | open, no question waiting |
//! | reply, resolve, hand back (with a reason) | the department's staff | open |
//! | answer the question | office or area lead | a question waiting |
//!
//! Open means neither resolved nor handed back.

use chrono::{DateTime, Utc};

use super::Linli;
use super::ticket_actions::TicketActionKind;
use crate::doc::DocKind;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{case_doc_id, ms_to_utc, new_id};
use crate::records::case::{CaseAction, CaseDoc, CaseEvent, CaseState, CaseStatus};
use crate::records::directory::{PlaceKind, Role};
use crate::records::ticket::{TicketAction, TicketEvent, TicketHead};
use crate::records::{Coded, validate};
use crate::scope::Scope;

/// A step a member can take on a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseActionKind {
    /// Take the order.
    Accept,
    /// Ask the community for more information.
    AskInfo,
    /// Answer the department's question.
    AnswerInfo,
    /// Answer the resident.
    Reply,
    /// Mark it resolved.
    Resolve,
    /// Return the ticket to the community, with a reason.
    HandBack,
}

impl CaseActionKind {
    /// Every step, in the order the apps show them.
    pub const ALL: [CaseActionKind; 6] = [
        CaseActionKind::Accept,
        CaseActionKind::AskInfo,
        CaseActionKind::AnswerInfo,
        CaseActionKind::Reply,
        CaseActionKind::Resolve,
        CaseActionKind::HandBack,
    ];

    /// What the step is called in Chinese (for error messages).
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseActionKind::Accept => "接收",
            CaseActionKind::AskInfo => "要求补充",
            CaseActionKind::AnswerInfo => "补充情况",
            CaseActionKind::Reply => "答复",
            CaseActionKind::Resolve => "办结",
            CaseActionKind::HandBack => "退回",
        }
    }

    /// The step an event records.
    pub fn of(action: &CaseAction) -> CaseActionKind {
        match action {
            CaseAction::Accepted => CaseActionKind::Accept,
            CaseAction::InfoRequested { .. } => CaseActionKind::AskInfo,
            CaseAction::InfoGiven { .. } => CaseActionKind::AnswerInfo,
            CaseAction::Replied { .. } => CaseActionKind::Reply,
            CaseAction::Resolved { .. } => CaseActionKind::Resolve,
            CaseAction::HandedBack { .. } => CaseActionKind::HandBack,
        }
    }

    /// Whether a member holding `roles` (with their places) may take the step on an order of
    /// department `unit`.
    pub(crate) fn allowed_for(self, roles: &[(Role, String)], unit: &str) -> bool {
        match self {
            CaseActionKind::AnswerInfo => roles
                .iter()
                .any(|(r, _)| matches!(r, Role::Office | Role::AreaLead)),
            _ => roles
                .iter()
                .any(|(r, p)| *r == Role::DepartmentStaff && p == unit),
        }
    }

    /// Why the order's state does not allow the step now, if it does not.
    pub(crate) fn refused_by_state(self, state: &CaseState) -> Option<(ErrorCode, String)> {
        if !state.status.is_open() {
            return Some((
                ErrorCode::OrderFinished,
                format!("is {}", state.status.label_zh()),
            ));
        }
        match self {
            CaseActionKind::Accept if state.status != CaseStatus::Waiting => {
                Some((ErrorCode::OrderAccepted, "was taken already".to_owned()))
            }
            CaseActionKind::AskInfo if state.status == CaseStatus::InfoRequested => Some((
                ErrorCode::NoQuestionOpen,
                "a question waits already".to_owned(),
            )),
            CaseActionKind::AnswerInfo if state.status != CaseStatus::InfoRequested => {
                Some((ErrorCode::NoQuestionOpen, "no question waits".to_owned()))
            }
            _ => None,
        }
    }
}

/// Which work orders to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderFilter {
    /// Only this department's.
    pub unit: Option<String>,
    /// Only this ticket's.
    pub ticket_id: Option<String>,
    /// Only those the department still has to act on.
    pub open_only: bool,
}

/// A work order as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// The order's id.
    pub id: String,
    /// Its ticket.
    pub ticket_id: String,
    /// The department.
    pub unit: String,
    /// The department's name.
    pub unit_name: String,
    /// The ticket's category code.
    pub category: String,
    /// Where, in words.
    pub place_text: String,
    /// What is wrong.
    pub description: String,
    /// The ticket's first receiver (首问负责人).
    pub responsible: Option<String>,
    /// The leader in charge (包案领导).
    pub leader: Option<String>,
    /// When it was dispatched.
    pub dispatched_at: DateTime<Utc>,
    /// Where it stands.
    pub status: CaseStatus,
    /// The reply deadline it carries, while nobody replied.
    pub reply_due: Option<DateTime<Utc>>,
    /// The resolution deadline it carries, while not resolved.
    pub resolve_due: Option<DateTime<Utc>>,
    /// A deadline passed with the order open.
    pub overdue: bool,
}

/// One work order with its timeline and state.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDetail {
    /// The order's id.
    pub id: String,
    /// The document.
    pub doc: CaseDoc,
    /// The derived state.
    pub state: CaseState,
}

impl Linli {
    /// Dispatches the ticket to department `unit` (a place of kind department): a work order in
    /// the department's scope with what was reported, the responsible person, the leader and
    /// the deadlines, and a `dispatched` event on the ticket, in one transaction. Returns the
    /// order's id.
    pub fn dispatch_ticket(&self, ticket_id: &str, unit: &str) -> Result<String> {
        self.require_ticket_role(TicketActionKind::Dispatch)?;
        let unit = validate::id("department", unit)?;
        let is_department = self
            .places(Some(PlaceKind::Department))?
            .iter()
            .any(|p| p.id == unit);
        if !is_department {
            return Err(Error::invalid(
                "department",
                ErrorCode::WrongPlaceKind,
                format!("{unit} is not a department of the directory"),
            ));
        }
        let now = self.now();
        let ms = now.timestamp_millis();
        let case_id = case_doc_id(&unit, now);
        let me = self.identity.member_id.clone();
        let device = self.identity.device_id.clone();
        self.write(|w| {
            let ms = super::tickets::not_before_known(w.tx(), ticket_id, ms)?;
            let head: TicketHead = w.read_as(ticket_id, DocKind::Ticket, "ticket")?;
            let state = crate::projection::ticket_state(w.tx(), ticket_id)?.unwrap_or_default();
            if let Some((code, why)) = TicketActionKind::Dispatch.refused_by_state(&state) {
                return Err(Error::state("ticket", ticket_id, code, why));
            }
            let order = CaseDoc {
                ticket_id: ticket_id.to_owned(),
                unit: unit.clone(),
                dispatched_by: me.clone(),
                dispatched_ms: ms,
                category: head.category.code().to_owned(),
                place_text: head.place.text.clone(),
                description: head.description.clone(),
                photos: state.photos.clone(),
                responsible: state.responsible.clone(),
                leader: state.leader.clone(),
                level: state.level.code().to_owned(),
                reply_due_ms: state.reply_due_ms,
                resolve_due_ms: state.resolve_due_ms,
                events: Vec::new(),
            };
            w.create(&case_id, &Scope::Department(unit.clone()))?;
            w.edit(&case_id, "case.dispatch", |e| e.put_all(&order))?;
            let event = TicketEvent {
                id: new_id(now),
                at_ms: ms,
                author: me.clone(),
                device: device.clone(),
                action: TicketAction::Dispatched {
                    unit: unit.clone(),
                    case: case_id.clone(),
                },
            };
            w.edit(ticket_id, "ticket.dispatched", |e| {
                e.append(&["events"], &event)
            })?;
            Ok(())
        })?;
        Ok(case_id)
    }

    /// Puts `member_id` in charge of the ticket (包案领导); it is on their list of the day
    /// while the ticket is open.
    pub fn name_ticket_leader(&self, ticket_id: &str, member_id: &str) -> Result<String> {
        let member = validate::id("member_id", member_id)?;
        match self.member(&member) {
            Ok(m) if m.active => {}
            Ok(_) => {
                return Err(Error::invalid(
                    "member_id",
                    ErrorCode::MemberInactive,
                    format!("member {member} is deactivated"),
                ));
            }
            Err(_) => {
                return Err(Error::invalid(
                    "member_id",
                    ErrorCode::NoSuchMember,
                    format!("no member {member}"),
                ));
            }
        }
        self.ticket_event(
            ticket_id,
            TicketActionKind::NameLeader,
            TicketAction::LeaderNamed { member },
        )
    }

    /// The department takes the work order.
    pub fn accept_order(&self, id: &str) -> Result<String> {
        self.order_step(id, CaseAction::Accepted)
    }

    /// The department asks the community for more information.
    pub fn ask_order_info(&self, id: &str, question: &str) -> Result<String> {
        let question = validate::required_text("question", question)?;
        self.order_step(id, CaseAction::InfoRequested { question })
    }

    /// The office or an area lead answers the department's question.
    pub fn answer_order_info(&self, id: &str, answer: &str) -> Result<String> {
        let answer = validate::required_text("answer", answer)?;
        self.order_step(id, CaseAction::InfoGiven { answer })
    }

    /// The department answers the resident; meets the ticket's reply deadline.
    pub fn reply_order(&self, id: &str, message: &str) -> Result<String> {
        let message = validate::required_text("message", message)?;
        self.order_step(id, CaseAction::Replied { message })
    }

    /// The department resolves the problem; the resident evaluates the ticket next.
    pub fn resolve_order(&self, id: &str, summary: &str) -> Result<String> {
        let summary = validate::required_text("summary", summary)?;
        self.order_step(id, CaseAction::Resolved { summary })
    }

    /// The department returns the ticket to the community, saying why.
    pub fn hand_back_order(&self, id: &str, reason: &str) -> Result<String> {
        let reason = validate::required_text("reason", reason)?;
        self.order_step(id, CaseAction::HandedBack { reason })
    }

    /// Appends a step once the acting member's roles and the order's state allow it.
    fn order_step(&self, id: &str, action: CaseAction) -> Result<String> {
        let kind = CaseActionKind::of(&action);
        let roles = self.acting_places()?;
        let now = self.now();
        let mut event = CaseEvent {
            id: new_id(now),
            at_ms: now.timestamp_millis(),
            author: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            action,
        };
        self.write(|w| {
            let order: CaseDoc = w.read(id, "work order")?;
            // Never before what the department saw: its dispatch and its last step (see the
            // ticket events' `not_before_known`).
            let seen = order
                .events
                .iter()
                .map(|e| e.at_ms)
                .max()
                .unwrap_or(i64::MIN);
            event.at_ms = event.at_ms.max(order.dispatched_ms + 1).max(seen);
            if !kind.allowed_for(&roles, &order.unit) {
                let who = match kind {
                    CaseActionKind::AnswerInfo => "需要社区办公室或片区长角色".to_owned(),
                    _ => format!("需要该部门的{}角色", Role::DepartmentStaff.label_zh()),
                };
                return Err(Error::forbidden(
                    format!("{} work order", kind.label_zh()),
                    ErrorCode::RoleRequired,
                    who,
                ));
            }
            if let Some((code, why)) = kind.refused_by_state(&CaseState::derive(&order.events)) {
                return Err(Error::state("work order", id, code, why));
            }
            w.edit(id, &format!("case.{}", event.action.code()), |e| {
                e.append(&["events"], &event)
            })
        })?;
        Ok(event.id)
    }

    /// The steps the acting member may take on the work order now, in display order.
    pub fn order_actions(&self, id: &str) -> Result<Vec<CaseActionKind>> {
        let order = self.order(id)?;
        let roles = self.acting_places()?;
        Ok(CaseActionKind::ALL
            .into_iter()
            .filter(|k| {
                k.allowed_for(&roles, &order.doc.unit) && k.refused_by_state(&order.state).is_none()
            })
            .collect())
    }

    /// One work order.
    pub fn order(&self, id: &str) -> Result<OrderDetail> {
        let doc: CaseDoc = self.read_record(id, "work order")?;
        let state = CaseState::derive(&doc.events);
        Ok(OrderDetail {
            id: id.to_owned(),
            doc,
            state,
        })
    }

    /// The work orders dispatched from `tickets`, as the rules take them into a ticket's
    /// state (see [`crate::rules::Pusher::orders`]).
    pub fn known_orders<'a>(
        &self,
        tickets: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<crate::rules::KnownOrder>> {
        let mut out = Vec::new();
        for ticket in tickets {
            let filter = OrderFilter {
                unit: None,
                ticket_id: Some(ticket.to_owned()),
                open_only: false,
            };
            for row in self.orders(&filter)? {
                let doc: CaseDoc = self.read_record(&row.id, "work order")?;
                out.push(crate::rules::KnownOrder {
                    case: row.id,
                    ticket_id: doc.ticket_id,
                    dispatched_ms: doc.dispatched_ms,
                    events: doc.events,
                });
            }
        }
        Ok(out)
    }

    /// Work orders matching `filter`, most recently active first.
    pub fn orders(&self, filter: &OrderFilter) -> Result<Vec<OrderRow>> {
        let now_ms = self.now().timestamp_millis();
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT o.doc_id, o.ticket_id, o.unit, COALESCE(p.name, o.unit), o.category, \
                 o.place_text, o.description, o.responsible, o.leader, o.dispatched_ms, o.status, \
                 o.reply_due_ms, o.resolve_due_ms, o.replied_ms, o.resolved_ms \
                 FROM p_cases o LEFT JOIN p_places p ON p.place_id = o.unit \
                 WHERE (?1 IS NULL OR o.unit = ?1) AND (?2 IS NULL OR o.ticket_id = ?2) \
                 AND (?3 = 0 OR o.is_open = 1) \
                 ORDER BY o.last_event_ms DESC, o.doc_id",
            )?;
            let mut rows = stmt.query(rusqlite::params![
                filter.unit,
                filter.ticket_id,
                filter.open_only
            ])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let status = CaseStatus::parse_code(&r.get::<_, String>(10)?, "status")?;
                let replied: Option<i64> = r.get(13)?;
                let resolved: Option<i64> = r.get(14)?;
                let open = status.is_open();
                let reply_due = r
                    .get::<_, Option<i64>>(11)?
                    .filter(|_| open && replied.is_none());
                let resolve_due = r
                    .get::<_, Option<i64>>(12)?
                    .filter(|_| open && resolved.is_none());
                out.push(OrderRow {
                    id: r.get(0)?,
                    ticket_id: r.get(1)?,
                    unit: r.get(2)?,
                    unit_name: r.get(3)?,
                    category: r.get(4)?,
                    place_text: r.get(5)?,
                    description: r.get(6)?,
                    responsible: r.get(7)?,
                    leader: r.get(8)?,
                    dispatched_at: ms_to_utc(r.get(9)?),
                    status,
                    reply_due: reply_due.map(ms_to_utc),
                    resolve_due: resolve_due.map(ms_to_utc),
                    overdue: reply_due.is_some_and(|d| d < now_ms)
                        || resolve_due.is_some_and(|d| d < now_ms),
                });
            }
            Ok(out)
        })
    }

    /// The acting member's roles with the place each covers.
    fn acting_places(&self) -> Result<Vec<(Role, String)>> {
        Ok(self
            .member_role_codes(&self.identity().member_id)?
            .into_iter()
            .filter_map(|(code, place)| Role::from_code(&code).map(|r| (r, place)))
            .collect())
    }
}
