//! Gate log rows: one per entry, with the member it concerns and a fever flag.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::records::gate_log::{GateEntryKind, GateLogDoc};

pub(super) fn project(conn: &Connection, doc_id: &str, g: &GateLogDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_gate_entries WHERE doc_id = ?1")?
        .execute([doc_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO p_gate_entries (entry_id, doc_id, gate_id, kind, at_ms, \
         recorded_by, member_id, from_member, shift_id, slot_id, flagged, summary) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for e in &g.entries {
        let (member, from, shift, slot, flagged, summary) = match &e.kind {
            GateEntryKind::CheckIn {
                member,
                shift_id,
                slot_id,
            } => (
                Some(member),
                None,
                shift_id.as_ref(),
                slot_id.as_ref(),
                false,
                String::new(),
            ),
            GateEntryKind::CheckOut { member } => {
                (Some(member), None, None, None, false, String::new())
            }
            GateEntryKind::Handover {
                from,
                to,
                shift_id,
                slot_id,
            } => (
                Some(to),
                Some(from),
                shift_id.as_ref(),
                slot_id.as_ref(),
                false,
                String::new(),
            ),
            GateEntryKind::Visitor { name, purpose, .. } => {
                (None, None, None, None, false, format!("{name}：{purpose}"))
            }
            GateEntryKind::Vehicle { plate, purpose } => {
                (None, None, None, None, false, format!("{plate}：{purpose}"))
            }
            GateEntryKind::Parcel {
                recipient, carrier, ..
            } => (
                None,
                None,
                None,
                None,
                false,
                format!("{recipient}（{carrier}）"),
            ),
            GateEntryKind::Temperature {
                person,
                celsius,
                fever,
            } => (
                None,
                None,
                None,
                None,
                *fever,
                format!("{person} {celsius:.1}℃"),
            ),
            GateEntryKind::Patrol { note } => (None, None, None, None, false, note.clone()),
            GateEntryKind::Incident { note, .. } => (None, None, None, None, true, note.clone()),
        };
        insert.execute(params![
            e.id,
            doc_id,
            g.gate_id,
            e.kind.code(),
            e.at_ms,
            e.recorded_by,
            member,
            from,
            shift,
            slot,
            flagged,
            summary
        ])?;
    }
    Ok(())
}
