//! A ticket's work orders (大联动) as its page shows them: each department it was dispatched
//! to, where the order stands, its open deadlines and every step the department took, with
//! the question still waiting for the community's answer; and the choices the page's forms
//! offer — the directory's departments to dispatch to and the members a leader in charge
//! (包案领导) can be named from.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};
use linli_core::Linli;
use linli_core::api::cases::{CaseActionKind, OrderFilter};
use linli_core::records::Coded;
use linli_core::records::case::{CaseAction, CaseStatus};
use linli_core::records::directory::{PlaceKind, Role};

/// One step of an order as the page shows it.
pub(super) struct OrderStepRow {
    pub at: String,
    pub who: String,
    pub what: String,
}

/// One work order of a ticket.
pub(super) struct OrderView {
    pub id: String,
    pub unit: String,
    pub status: &'static str,
    pub dispatched: String,
    pub reply_due: String,
    pub resolve_due: String,
    pub overdue: bool,
    /// The department's question waiting for an answer.
    pub question: Option<String>,
    /// The signed-in member may answer it.
    pub may_answer: bool,
    pub steps: Vec<OrderStepRow>,
}

/// A time in the community's offset, to the minute.
pub(super) fn local(ms: i64, offset: &FixedOffset) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(offset).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// What a step says, in Chinese.
fn describe(action: &CaseAction) -> String {
    let kind = CaseActionKind::of(action).label_zh();
    match action {
        CaseAction::Accepted => kind.to_owned(),
        CaseAction::InfoRequested { question: text }
        | CaseAction::InfoGiven { answer: text }
        | CaseAction::Replied { message: text }
        | CaseAction::Resolved { summary: text }
        | CaseAction::HandedBack { reason: text } => format!("{kind}：{text}"),
    }
}

/// The ticket's work orders, oldest dispatch first, read from `l` (whether the signed-in
/// member may answer a question is asked of their own store afterwards).
pub(super) fn ticket_orders(
    l: &Linli,
    ticket_id: &str,
    names: &HashMap<String, String>,
    offset: &FixedOffset,
) -> linli_core::Result<Vec<OrderView>> {
    let filter = OrderFilter {
        unit: None,
        ticket_id: Some(ticket_id.to_owned()),
        open_only: false,
    };
    let mut rows = l.orders(&filter)?;
    rows.sort_by_key(|r| r.dispatched_at);
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    rows.into_iter()
        .map(|row| {
            let o = l.order(&row.id)?;
            let question = o
                .doc
                .events
                .iter()
                .rev()
                .find_map(|e| match &e.action {
                    CaseAction::InfoRequested { question } => Some(question.clone()),
                    _ => None,
                })
                .filter(|_| o.state.status == CaseStatus::InfoRequested);
            let due = |t: Option<DateTime<Utc>>| {
                t.map(|t| local(t.timestamp_millis(), offset))
                    .unwrap_or_else(|| "—".to_owned())
            };
            Ok(OrderView {
                may_answer: false,
                question,
                status: o.state.status.label_zh(),
                dispatched: local(o.doc.dispatched_ms, offset),
                reply_due: due(row.reply_due),
                resolve_due: due(row.resolve_due),
                overdue: row.overdue,
                unit: row.unit_name,
                steps: o
                    .doc
                    .events
                    .iter()
                    .map(|e| OrderStepRow {
                        at: local(e.at_ms, offset),
                        who: name(&e.author),
                        what: describe(&e.action),
                    })
                    .collect(),
                id: row.id,
            })
        })
        .collect()
}

/// The directory's departments, `(id, name)`, to dispatch to.
pub(super) fn departments(l: &Linli) -> linli_core::Result<Vec<(String, String)>> {
    Ok(l.places(Some(PlaceKind::Department))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

/// Active members who can be put in charge of a ticket (the office and area leads),
/// `(id, name)`.
pub(super) fn leaders(l: &Linli) -> linli_core::Result<Vec<(String, String)>> {
    Ok(l.members()?
        .into_iter()
        .filter(|m| m.active)
        .filter(|m| {
            m.roles
                .iter()
                .any(|r| matches!(r.role, Role::Office | Role::AreaLead))
        })
        .map(|m| (m.id, m.name))
        .collect())
}

/// The directory's department names by id, for a ticket's timeline.
pub(super) fn department_names(l: &Linli) -> linli_core::Result<HashMap<String, String>> {
    Ok(departments(l)?.into_iter().collect())
}
