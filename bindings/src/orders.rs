//! Departments working tickets on their own phones (大联动) as the apps see it: dispatching a
//! ticket to a department, the leader in charge, a work order's steps and the order lists.

use linli_core::api::cases;
use linli_core::records::case as core_case;

use crate::enums::*;
use crate::error::{LinliError, guard};
use crate::mirror::{Convert, Timestamp, mirror_record};
use crate::store::LinliStore;

type R<T> = Result<T, LinliError>;

/// A step of a department's work order.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum CaseAction {
    /// The department took the order.
    Accepted,
    /// The department asks the community for more information.
    InfoRequested {
        /// What it needs to know.
        question: String,
    },
    /// The community answered.
    InfoGiven {
        /// The answer.
        answer: String,
    },
    /// The department answered the resident.
    Replied {
        /// The reply.
        message: String,
    },
    /// The department resolved the problem.
    Resolved {
        /// What was done.
        summary: String,
    },
    /// The department returned the ticket to the community.
    HandedBack {
        /// Why.
        reason: String,
    },
}

impl Convert<CaseAction> for core_case::CaseAction {
    fn convert(self) -> CaseAction {
        use core_case::CaseAction as A;
        match self {
            A::Accepted => CaseAction::Accepted,
            A::InfoRequested { question } => CaseAction::InfoRequested { question },
            A::InfoGiven { answer } => CaseAction::InfoGiven { answer },
            A::Replied { message } => CaseAction::Replied { message },
            A::Resolved { summary } => CaseAction::Resolved { summary },
            A::HandedBack { reason } => CaseAction::HandedBack { reason },
        }
    }
}

mirror_record!(out
/// A step of a work order's timeline (time in ms since the epoch).
CaseEvent = core_case::CaseEvent {
    id: String, at_ms: i64, author: String, device: String, action: CaseAction
});
mirror_record!(both
/// Which work orders to list: one department's, one ticket's, only open ones.
OrderFilter = cases::OrderFilter { unit: Option<String>, ticket_id: Option<String>, open_only: bool });
mirror_record!(out
/// A work order in a list; the deadlines are those still open.
OrderRow = cases::OrderRow {
    id: String, ticket_id: String, unit: String, unit_name: String, category: String,
    place_text: String, description: String, responsible: Option<String>,
    leader: Option<String>, dispatched_at: Timestamp, status: CaseStatus,
    reply_due: Option<Timestamp>, resolve_due: Option<Timestamp>, overdue: bool
});

/// One work order: what was dispatched, its steps and where it stands (times in ms since the
/// epoch).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct OrderDetail {
    /// The order's id.
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// The department.
    pub unit: String,
    /// Who dispatched it.
    pub dispatched_by: String,
    /// When.
    pub dispatched_ms: i64,
    /// The ticket's category.
    pub category: String,
    /// Where, in words.
    pub place_text: String,
    /// What is wrong.
    pub description: String,
    /// Photos (sha-256).
    pub photos: Vec<String>,
    /// The ticket's first receiver (首问负责人).
    pub responsible: Option<String>,
    /// The leader in charge (包案领导).
    pub leader: Option<String>,
    /// The ticket's level at dispatch.
    pub level: String,
    /// The reply deadline at dispatch.
    pub reply_due_ms: Option<i64>,
    /// The resolution deadline at dispatch.
    pub resolve_due_ms: Option<i64>,
    /// The steps.
    pub events: Vec<CaseEvent>,
    /// Where it stands.
    pub status: CaseStatus,
}

impl Convert<OrderDetail> for cases::OrderDetail {
    fn convert(self) -> OrderDetail {
        let d = self.doc;
        OrderDetail {
            id: self.id,
            ticket_id: d.ticket_id,
            unit: d.unit,
            dispatched_by: d.dispatched_by,
            dispatched_ms: d.dispatched_ms,
            category: d.category,
            place_text: d.place_text,
            description: d.description,
            photos: d.photos,
            responsible: d.responsible,
            leader: d.leader,
            level: d.level,
            reply_due_ms: d.reply_due_ms,
            resolve_due_ms: d.resolve_due_ms,
            events: d.events.convert(),
            status: self.state.status.convert(),
        }
    }
}

#[uniffi::export]
impl LinliStore {
    /// Dispatches a ticket to a department of the directory (office or area lead): the
    /// department works it on its own phones. Returns the work order's id.
    pub fn dispatch_ticket(&self, ticket_id: String, unit: String) -> R<String> {
        guard(|| self.inner.dispatch_ticket(&ticket_id, &unit))
    }

    /// Puts a member in charge of a ticket (包案领导; office or area lead).
    pub fn name_ticket_leader(&self, ticket_id: String, member_id: String) -> R<String> {
        guard(|| self.inner.name_ticket_leader(&ticket_id, &member_id))
    }

    /// The department takes the order.
    pub fn accept_order(&self, id: String) -> R<String> {
        guard(|| self.inner.accept_order(&id))
    }

    /// The department asks the community for more information.
    pub fn ask_order_info(&self, id: String, question: String) -> R<String> {
        guard(|| self.inner.ask_order_info(&id, &question))
    }

    /// The office or an area lead answers the department's question.
    pub fn answer_order_info(&self, id: String, answer: String) -> R<String> {
        guard(|| self.inner.answer_order_info(&id, &answer))
    }

    /// The department answers the resident.
    pub fn reply_order(&self, id: String, message: String) -> R<String> {
        guard(|| self.inner.reply_order(&id, &message))
    }

    /// The department resolves the problem.
    pub fn resolve_order(&self, id: String, summary: String) -> R<String> {
        guard(|| self.inner.resolve_order(&id, &summary))
    }

    /// The department returns the ticket to the community, saying why.
    pub fn hand_back_order(&self, id: String, reason: String) -> R<String> {
        guard(|| self.inner.hand_back_order(&id, &reason))
    }

    /// One work order.
    pub fn order(&self, id: String) -> R<OrderDetail> {
        guard(|| self.inner.order(&id))
    }

    /// The steps this member may take on the order now, in display order: the buttons to show.
    pub fn order_actions(&self, id: String) -> R<Vec<CaseActionKind>> {
        guard(|| self.inner.order_actions(&id))
    }

    /// Work orders matching a filter, most recently active first.
    pub fn orders(&self, filter: OrderFilter) -> R<Vec<OrderRow>> {
        guard(|| self.inner.orders(&filter.convert()))
    }
}
