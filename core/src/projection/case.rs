//! Work order rows (a department's part of a ticket, with its state derived by the rules of
//! [`crate::records::case`]) and step rows; then the ticket's state, which takes the steps.

use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::records::Coded;
use crate::records::case::{CaseDoc, CaseState};

/// Every row of the work order `doc_id` from `doc`, and its ticket's state again.
pub(super) fn project(conn: &Connection, doc_id: &str, doc: &CaseDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_cases WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_case_events WHERE doc_id = ?1")?
        .execute([doc_id])?;
    // A first change alone holds no order yet.
    if doc.ticket_id.is_empty() {
        return Ok(());
    }
    let state = CaseState::derive(&doc.events);
    let last_event_ms = doc
        .events
        .iter()
        .map(|e| e.at_ms)
        .max()
        .unwrap_or(doc.dispatched_ms);
    conn.prepare_cached(
        "INSERT INTO p_cases (doc_id, ticket_id, unit, dispatched_by, dispatched_ms, category, \
         place_text, description, responsible, leader, level, reply_due_ms, resolve_due_ms, \
         status, is_open, replied_ms, resolved_ms, event_count, last_event_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
         ?18, ?19)",
    )?
    .execute(params![
        doc_id,
        doc.ticket_id,
        doc.unit,
        doc.dispatched_by,
        doc.dispatched_ms,
        doc.category,
        doc.place_text,
        doc.description,
        doc.responsible,
        doc.leader,
        doc.level,
        doc.reply_due_ms,
        doc.resolve_due_ms,
        state.status.code(),
        state.status.is_open(),
        state.replied_ms,
        state.resolved_ms,
        doc.events.len() as i64,
        last_event_ms,
    ])?;
    let mut step = conn.prepare_cached(
        "INSERT INTO p_case_events (doc_id, idx, ticket_id, event_id, action, author, at_ms, \
         body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, e) in doc.events.iter().enumerate() {
        let body = serde_json::to_string(e).map_err(|err| Error::document(doc_id, err))?;
        step.execute(params![
            doc_id,
            i as i64,
            doc.ticket_id,
            e.id,
            e.action.code(),
            e.author,
            e.at_ms,
            body
        ])?;
    }
    super::ticket::refresh_with_orders(conn, &doc.ticket_id)
}
