//! Roster rows: one per shift slot with its planned member, and one per swap request.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::records::Coded;
use crate::records::roster::RosterDoc;

pub(super) fn project(conn: &Connection, doc_id: &str, r: &RosterDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_roster_slots WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_swaps WHERE doc_id = ?1")?
        .execute([doc_id])?;
    let mut slot = conn.prepare_cached(
        "INSERT INTO p_roster_slots (doc_id, gate_id, shift_id, slot_id, role, position, label, \
         start_ms, end_ms, member_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (shift_id, shift) in &r.shifts {
        for (slot_id, s) in &shift.slots {
            slot.execute(params![
                doc_id,
                r.gate_id,
                shift_id,
                slot_id,
                s.role.code(),
                s.position,
                shift.label,
                shift.start_ms,
                shift.end_ms,
                s.member
            ])?;
        }
    }
    let mut swap = conn.prepare_cached(
        "INSERT INTO p_swaps (swap_id, doc_id, gate_id, shift_id, slot_id, from_member, \
         to_member, status, requested_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (id, s) in &r.swaps {
        swap.execute(params![
            id,
            doc_id,
            r.gate_id,
            s.shift_id,
            s.slot_id,
            s.from_member,
            s.to_member,
            s.status().code(),
            s.requested_ms
        ])?;
    }
    Ok(())
}
