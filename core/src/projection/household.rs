//! Household rows (with last visit, flags and the next watch check) and visit rows.
//!
//! A household gains a visit several times a day for a person under watch, so a local visit
//! projects only the visits the rows do not hold yet (see [`project_appended`]) and computes
//! the household's row from the visit rows; merges and rebuilds project every visit the same
//! way. Either way a follow-up closes when a later visit meets the residents.

use automerge::AutoCommit;
use rusqlite::{Connection, OptionalExtension, Statement, params};

use crate::error::Result;
use crate::records::Coded;
use crate::records::household::{HouseholdHead, Visit};

const INSERT_VISIT: &str = "INSERT OR REPLACE INTO p_visits (visit_id, doc_id, building_id, \
     lead, at_ms, outcome, is_check, health_concern, follow_up_due, follow_up_open, \
     follow_up_note, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// Every row of the household `doc_id` from `doc`.
pub(super) fn project(conn: &Connection, doc_id: &str, doc: &AutoCommit) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_households WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_visits WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_residents WHERE doc_id = ?1")?
        .execute([doc_id])?;
    let head: HouseholdHead = super::hydrate(doc_id, doc)?;
    if head.building_id.is_empty() {
        // Only the skeleton has arrived so far.
        return Ok(());
    }
    let visits: Vec<Visit> = super::root_items(doc_id, doc, "visits")?;
    insert_visits(conn, doc_id, &head.building_id, 0, &visits)?;
    household_row(conn, doc_id, &head, visits.len())
}

/// After a local edit: when the household holds more visits than its row counts, the edit
/// appended them at the end (visits are never removed or reordered here), so only those are
/// read and inserted. Returns false, having done nothing, when that does not hold (a new
/// household, or an edit of anything but the visit list): the caller projects the whole
/// household.
pub(super) fn project_appended(conn: &Connection, doc_id: &str, doc: &AutoCommit) -> Result<bool> {
    let rows: Option<i64> = conn
        .prepare_cached("SELECT visit_count FROM p_households WHERE doc_id = ?1")?
        .query_row([doc_id], |r| r.get(0))
        .optional()?;
    let Some(rows) = rows.and_then(|n| usize::try_from(n).ok()) else {
        return Ok(false);
    };
    let Some((list, len)) = super::root_list(doc_id, doc, "visits")? else {
        return Ok(false);
    };
    let head: HouseholdHead = super::hydrate(doc_id, doc)?;
    if rows >= len || head.building_id.is_empty() {
        return Ok(false);
    }
    let added: Vec<Visit> = super::list_items(doc_id, doc, &list, rows..len)?;
    insert_visits(conn, doc_id, &head.building_id, rows, &added)?;
    household_row(conn, doc_id, &head, len)?;
    Ok(true)
}

/// Inserts `visits`, the first at list position `first`, and closes the follow-ups that a
/// later meeting answers.
fn insert_visits(
    conn: &Connection,
    doc_id: &str,
    building_id: &str,
    first: usize,
    visits: &[Visit],
) -> Result<()> {
    let mut insert = conn.prepare_cached(INSERT_VISIT)?;
    for (i, v) in visits.iter().enumerate() {
        insert_visit(&mut insert, doc_id, building_id, first + i, v)?;
    }
    if visits.iter().any(Visit::is_check) {
        conn.prepare_cached(
            "UPDATE p_visits SET follow_up_open = 0 \
             WHERE doc_id = ?1 AND follow_up_open = 1 AND EXISTS (SELECT 1 FROM p_visits c \
             WHERE c.doc_id = ?1 AND c.is_check = 1 \
             AND (c.at_ms, c.visit_id) > (p_visits.at_ms, p_visits.visit_id))",
        )?
        .execute([doc_id])?;
    }
    Ok(())
}

fn insert_visit(
    insert: &mut Statement<'_>,
    doc_id: &str,
    building_id: &str,
    position: usize,
    v: &Visit,
) -> Result<()> {
    insert.execute(params![
        v.id,
        doc_id,
        building_id,
        v.lead,
        v.at_ms,
        v.outcome.code(),
        v.is_check(),
        v.health.as_ref().is_some_and(|c| c.concern),
        v.follow_up_due,
        // Closed by `insert_visits` when a later visit met the residents.
        v.follow_up_due.is_some(),
        v.follow_up_note,
        position as i64,
    ])?;
    Ok(())
}

/// The household's row: its own fields, and from its visit rows the latest visit (by time,
/// ties by id), the latest watch check and when the next one falls due.
fn household_row(conn: &Connection, doc_id: &str, h: &HouseholdHead, count: usize) -> Result<()> {
    let last: Option<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT at_ms, outcome, lead FROM p_visits WHERE doc_id = ?1 \
             ORDER BY at_ms DESC, visit_id DESC LIMIT 1",
        )?
        .query_row([doc_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let last_check: Option<i64> = conn
        .prepare_cached("SELECT MAX(at_ms) FROM p_visits WHERE doc_id = ?1 AND is_check = 1")?
        .query_row([doc_id], |r| r.get(0))?;
    let (due, overdue) = match &h.watch {
        Some(plan) => {
            let due = plan.next_due_ms(last_check);
            (Some(due), Some(due + plan.grace().num_milliseconds()))
        }
        None => (None, None),
    };
    conn.prepare_cached("DELETE FROM p_residents WHERE doc_id = ?1")?
        .execute([doc_id])?;
    let mut resident = conn.prepare_cached(
        "INSERT INTO p_residents (resident_id, doc_id, building_id, status, moved_in, moved_out, \
         arrived_from, arrived_on, name, birth_year) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (id, r) in &h.residents {
        resident.execute(params![
            id,
            doc_id,
            h.building_id,
            r.status.code(),
            r.moved_in,
            r.moved_out,
            r.arrived_from,
            r.arrived_on,
            r.name,
            r.birth_year
        ])?;
    }
    let residents: Vec<&str> = h.residents.values().map(|r| r.name.as_str()).collect();
    conn.prepare_cached(
        "INSERT OR REPLACE INTO p_households (doc_id, building_id, unit, room, phone, residents, \
         tags, watch_frequency, watch_n, checks_per_day, created_ms, visit_count, last_visit_ms, \
         last_visit_outcome, last_visit_lead, last_check_ms, check_due_ms, check_overdue_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        doc_id,
        h.building_id,
        h.unit,
        h.room,
        h.phone,
        residents.join("、"),
        h.active_tags().join(","),
        h.watch.map(|w| w.frequency.code()),
        h.watch.map(|w| w.n),
        h.watch.map(|w| w.checks_expected_per_day()),
        h.created_ms,
        count as i64,
        last.as_ref().map(|l| l.0),
        last.as_ref().map(|l| l.1.as_str()),
        last.as_ref().map(|l| l.2.as_str()),
        last_check,
        due,
        overdue,
    ])?;
    Ok(())
}
