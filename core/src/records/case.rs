//! A department's work order (派单): the part of a complaint ticket that one department works
//! on its own phones (大联动). It lives in the department's scope, so that a department reads
//! the tickets dispatched to it and no other: a copy of what was reported, who answers for the
//! ticket (首问负责人, 包案领导) and its deadlines at dispatch, and an append-only timeline of
//! the department's steps.
//!
//! # Rules
//!
//! Events are read in the document's list order. An event that does not apply in the state
//! reached so far changes nothing (it stays in the history).
//!
//! 1. A new order waits for the department (待接收).
//! 2. `accepted`: the department has taken it (已接收).
//! 3. `info_requested`: the department asks the community for more (待补充); `info_given`
//!    answers it and the order is back with the department (已接收).
//! 4. `replied`: the department answered the resident (已答复); it meets an open reply deadline.
//! 5. `resolved`: done (已办结); it meets open reply and resolution deadlines.
//! 6. `handed_back` with a reason: the department returns the ticket to the community (已退回).
//!
//! Resolved and handed-back orders are finished: later steps only stay in the history. The
//! ticket's own state takes the department's steps of its current order in time order with its
//! own events (see [`crate::records::ticket::TicketState::derive_with_orders`]); the
//! responsible person and the deadlines set before the dispatch hold throughout.

use autosurgeon::{Hydrate, Reconcile};

use super::coded_enum;
use crate::doc::{DocKind, Record};

coded_enum! {
    /// Where a department's work order stands.
    CaseStatus {
        /// 待接收.
        Waiting = "waiting" / "待接收",
        /// 已接收.
        Accepted = "accepted" / "已接收",
        /// 待补充 (the department asked for more information).
        InfoRequested = "info_requested" / "待补充",
        /// 已答复.
        Replied = "replied" / "已答复",
        /// 已办结.
        Resolved = "resolved" / "已办结",
        /// 已退回.
        HandedBack = "handed_back" / "已退回",
    }
}

impl CaseStatus {
    /// Whether the department still has to act.
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Resolved | CaseStatus::HandedBack)
    }
}

/// A step of a work order.
#[derive(
    Debug, Clone, PartialEq, Default, Hydrate, Reconcile, serde::Serialize, serde::Deserialize,
)]
pub enum CaseAction {
    /// The department took the order.
    #[default]
    Accepted,
    /// The department asks the community for more information.
    InfoRequested {
        /// What it needs to know.
        question: String,
    },
    /// The community answered the department's question.
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
    /// The department returns the ticket to the community.
    HandedBack {
        /// Why it is not the department's.
        reason: String,
    },
}

impl CaseAction {
    /// A short code for the step, used in projections and change notes.
    pub fn code(&self) -> &'static str {
        match self {
            CaseAction::Accepted => "accepted",
            CaseAction::InfoRequested { .. } => "info_requested",
            CaseAction::InfoGiven { .. } => "info_given",
            CaseAction::Replied { .. } => "replied",
            CaseAction::Resolved { .. } => "resolved",
            CaseAction::HandedBack { .. } => "handed_back",
        }
    }
}

/// One step of the order's timeline: append-only.
#[derive(
    Debug, Clone, Default, PartialEq, Hydrate, Reconcile, serde::Serialize, serde::Deserialize,
)]
pub struct CaseEvent {
    /// Event id (ULID).
    pub id: String,
    /// Device time (ms since the epoch).
    pub at_ms: i64,
    /// Acting member.
    pub author: String,
    /// Acting device.
    pub device: String,
    /// What happened.
    pub action: CaseAction,
}

/// The work order document.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct CaseDoc {
    /// The ticket it belongs to.
    pub ticket_id: String,
    /// The department (a place of kind department in the directory).
    pub unit: String,
    /// Who dispatched it.
    pub dispatched_by: String,
    /// When (ms since the epoch).
    pub dispatched_ms: i64,
    /// The ticket's category code, as reported.
    pub category: String,
    /// Where, in words.
    pub place_text: String,
    /// What is wrong.
    pub description: String,
    /// Photos of the ticket at dispatch (sha-256, hex).
    pub photos: Vec<String>,
    /// The ticket's first receiver (首问负责人) at dispatch.
    pub responsible: Option<String>,
    /// The leader in charge (包案领导) at dispatch.
    pub leader: Option<String>,
    /// The ticket's level code at dispatch.
    pub level: String,
    /// The open reply deadline at dispatch (ms).
    pub reply_due_ms: Option<i64>,
    /// The open resolution deadline at dispatch (ms).
    pub resolve_due_ms: Option<i64>,
    /// The timeline.
    pub events: Vec<CaseEvent>,
}

impl Record for CaseDoc {
    const KIND: DocKind = DocKind::Case;
}

/// A work order's state as derived from its events by the module's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseState {
    /// Status.
    pub status: CaseStatus,
    /// When the department answered the resident.
    pub replied_ms: Option<i64>,
    /// When it was resolved.
    pub resolved_ms: Option<i64>,
}

impl CaseState {
    /// Derives the state of `events` by the module's rules.
    pub fn derive(events: &[CaseEvent]) -> CaseState {
        let mut s = CaseState::default();
        for e in events {
            s.apply(e);
        }
        s
    }

    /// The state after `e`, the next event in list order; whether `e` applied.
    pub fn apply(&mut self, e: &CaseEvent) -> bool {
        if !self.status.is_open() {
            return false;
        }
        let next = match (&e.action, self.status) {
            (CaseAction::Accepted, CaseStatus::Waiting) => CaseStatus::Accepted,
            (CaseAction::Accepted, _) => return false,
            (CaseAction::InfoRequested { .. }, CaseStatus::InfoRequested) => return false,
            (CaseAction::InfoRequested { .. }, _) => CaseStatus::InfoRequested,
            (CaseAction::InfoGiven { .. }, CaseStatus::InfoRequested) => CaseStatus::Accepted,
            (CaseAction::InfoGiven { .. }, _) => return false,
            (CaseAction::Replied { .. }, _) => {
                self.replied_ms = Some(e.at_ms);
                CaseStatus::Replied
            }
            (CaseAction::Resolved { .. }, _) => {
                self.resolved_ms = Some(e.at_ms);
                self.replied_ms.get_or_insert(e.at_ms);
                CaseStatus::Resolved
            }
            (CaseAction::HandedBack { .. }, _) => CaseStatus::HandedBack,
        };
        self.status = next;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(at_ms: i64, action: CaseAction) -> CaseEvent {
        CaseEvent {
            id: format!("e{at_ms}"),
            at_ms,
            author: "m".into(),
            device: "d".into(),
            action,
        }
    }

    #[test]
    fn an_order_is_taken_questioned_answered_and_resolved() {
        let mut events = vec![ev(1, CaseAction::Accepted)];
        assert_eq!(CaseState::derive(&events).status, CaseStatus::Accepted);
        events.push(ev(
            2,
            CaseAction::InfoRequested {
                question: "几楼？".into(),
            },
        ));
        assert_eq!(CaseState::derive(&events).status, CaseStatus::InfoRequested);
        events.push(ev(
            3,
            CaseAction::InfoGiven {
                answer: "3楼".into(),
            },
        ));
        assert_eq!(CaseState::derive(&events).status, CaseStatus::Accepted);
        events.push(ev(
            4,
            CaseAction::Resolved {
                summary: "已拆除".into(),
            },
        ));
        let s = CaseState::derive(&events);
        assert_eq!(s.status, CaseStatus::Resolved);
        assert_eq!((s.replied_ms, s.resolved_ms), (Some(4), Some(4)));
    }

    #[test]
    fn a_finished_order_ignores_later_steps() {
        let events = vec![
            ev(
                1,
                CaseAction::HandedBack {
                    reason: "不属于城管".into(),
                },
            ),
            ev(
                2,
                CaseAction::Resolved {
                    summary: String::new(),
                },
            ),
        ];
        let s = CaseState::derive(&events);
        assert_eq!(s.status, CaseStatus::HandedBack);
        assert_eq!(s.resolved_ms, None);
        let mut s = CaseState::default();
        assert!(!s.apply(&ev(
            1,
            CaseAction::InfoGiven {
                answer: "无人问".into()
            }
        )));
        assert_eq!(s.status, CaseStatus::Waiting);
    }
}
