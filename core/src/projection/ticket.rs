//! Ticket rows (status, level and deadlines derived by the ticket rules) and event rows.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::records::Coded;
use crate::records::ticket::{TicketAction, TicketDoc, TicketState};

pub(super) fn project(conn: &Connection, doc_id: &str, t: &TicketDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_tickets WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_ticket_events WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_ticket_photos WHERE doc_id = ?1")?
        .execute([doc_id])?;
    if t.reporter.is_empty() {
        return Ok(());
    }
    let s = TicketState::derive(t);
    let mut photo = conn
        .prepare_cached("INSERT OR IGNORE INTO p_ticket_photos (doc_id, hash) VALUES (?1, ?2)")?;
    for hash in &s.photos {
        photo.execute(params![doc_id, hash])?;
    }
    let last_event_ms = t
        .events
        .iter()
        .map(|e| e.at_ms)
        .max()
        .unwrap_or(t.reported_ms);
    conn.prepare_cached(
        "INSERT INTO p_tickets (doc_id, category, place_kind, place_ref, place_text, description, \
         channel, reporter, reported_ms, status, is_open, level, responsible, department, \
         reply_due_ms, resolve_due_ms, replied_ms, resolved_ms, merged_into, event_count, \
         photo_count, last_event_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
         ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    )?
    .execute(params![
        doc_id,
        t.category.code(),
        t.place.kind.code(),
        t.place.reference,
        t.place.text,
        t.description,
        t.channel.code(),
        t.reporter,
        t.reported_ms,
        s.status.code(),
        s.status.is_open(),
        s.level.code(),
        s.responsible,
        s.department.map(|d| d.code()),
        s.reply_due_ms,
        s.resolve_due_ms,
        s.replied_ms,
        s.resolved_ms,
        s.merged_into,
        t.events.len() as i64,
        s.photos.len() as i64,
        last_event_ms,
    ])?;
    let mut event = conn.prepare_cached(
        "INSERT INTO p_ticket_events (doc_id, idx, event_id, action, author, at_ms, level_to) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (idx, e) in t.events.iter().enumerate() {
        let level_to = match &e.action {
            TicketAction::Escalated { to, .. } => Some(to.code()),
            _ => None,
        };
        event.execute(params![
            doc_id,
            idx as i64,
            e.id,
            e.action.code(),
            e.author,
            e.at_ms,
            level_to
        ])?;
    }
    Ok(())
}
