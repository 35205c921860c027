//! Gate log rows: one per entry, with the member it concerns, a flag (a fever, an incident, a
//! pass not let through), a one-line summary, and what the lists show beside it: a visitor's
//! pass type and the address visited (the building's id and the unit and room as named), an
//! incident's severity.
//!
//! A gate's day log grows all day, so a local entry projects only the entries the rows do not
//! hold yet (see [`project_appended`]); merges and rebuilds project the whole log.

use automerge::AutoCommit;
use rusqlite::{Connection, Statement, params};

use crate::error::{Error, Result};
use crate::records::Coded;
use crate::records::gate_log::{GateEntry, GateEntryKind, GateLogDoc};
use crate::records::pass::PassResult;

const INSERT: &str = "INSERT OR REPLACE INTO p_gate_entries (entry_id, doc_id, gate_id, kind, \
     at_ms, recorded_by, member_id, from_member, shift_id, slot_id, flagged, summary, subject, \
     pass, severity, visit_building, visit_room) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

pub(super) fn project(conn: &Connection, doc_id: &str, g: &GateLogDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_gate_entries WHERE doc_id = ?1")?
        .execute([doc_id])?;
    let mut insert = conn.prepare_cached(INSERT)?;
    for e in &g.entries {
        insert_entry(&mut insert, doc_id, &g.gate_id, e)?;
    }
    Ok(())
}

/// After a local edit: when the log holds more entries than there are rows, the edit appended
/// them at the end (entries are never removed or reordered here), so only those are read and
/// inserted. Returns false, having done nothing, when that does not hold (a new log, or an
/// edit of an existing entry such as a conflict resolved): the caller projects the whole log.
pub(super) fn project_appended(conn: &Connection, doc_id: &str, doc: &AutoCommit) -> Result<bool> {
    let Some((entries, len)) = super::root_list(doc_id, doc, "entries")? else {
        return Ok(false);
    };
    let rows: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM p_gate_entries WHERE doc_id = ?1")?
        .query_row([doc_id], |r| r.get(0))?;
    let rows = rows as usize;
    if rows == 0 || rows >= len {
        return Ok(false);
    }
    let gate_id: String = autosurgeon::hydrate_prop(doc, automerge::ROOT, "gate_id")
        .map_err(|e| Error::document(doc_id, e))?;
    let mut insert = conn.prepare_cached(INSERT)?;
    for e in super::list_items::<GateEntry>(doc_id, doc, &entries, rows..len)? {
        insert_entry(&mut insert, doc_id, &gate_id, &e)?;
    }
    Ok(true)
}

/// What an entry is about, for the lists of vehicles inside and parcels waiting: a vehicle's
/// plate, a collection's parcel entry.
fn subject(kind: &GateEntryKind) -> Option<&str> {
    match kind {
        GateEntryKind::Vehicle { plate, .. } => Some(plate),
        GateEntryKind::Parcel { picked_up, .. } => picked_up.as_deref(),
        _ => None,
    }
}

/// What the lists show beside the summary: a visitor's pass type, an incident's severity, and
/// the building and the unit and room a visitor named.
struct Details<'a> {
    pass: Option<&'static str>,
    severity: Option<&'static str>,
    building: Option<&'a str>,
    room: Option<&'a str>,
}

fn details(kind: &GateEntryKind) -> Details<'_> {
    let none = Details {
        pass: None,
        severity: None,
        building: None,
        room: None,
    };
    match kind {
        GateEntryKind::Visitor {
            pass,
            building_id,
            room,
            ..
        } => Details {
            pass: Some(pass.code()),
            building: building_id.as_deref(),
            room: room.as_deref(),
            ..none
        },
        GateEntryKind::Incident { severity, .. } => Details {
            severity: Some(severity.code()),
            ..none
        },
        _ => none,
    }
}

fn insert_entry(
    insert: &mut Statement<'_>,
    doc_id: &str,
    gate_id: &str,
    e: &GateEntry,
) -> Result<()> {
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
        GateEntryKind::Vehicle { plate, purpose, .. } if purpose.is_empty() => {
            (None, None, None, None, false, plate.clone())
        }
        GateEntryKind::Vehicle { plate, purpose, .. } => {
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
        // Flagged unless valid; the summary is the pass's id (no name).
        GateEntryKind::PassCheck {
            pass_id, result, ..
        } => (
            None,
            None,
            None,
            None,
            *result != PassResult::Valid,
            pass_id.clone(),
        ),
    };
    let details = details(&e.kind);
    insert.execute(params![
        e.id,
        doc_id,
        gate_id,
        e.kind.code(),
        e.at_ms,
        e.recorded_by,
        member,
        from,
        shift,
        slot,
        flagged,
        summary,
        subject(&e.kind),
        details.pass,
        details.severity,
        details.building,
        details.room
    ])?;
    Ok(())
}
