//! Household rows (with last visit, flags and the next watch check) and visit rows.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::records::Coded;
use crate::records::household::HouseholdDoc;

pub(super) fn project(conn: &Connection, doc_id: &str, h: &HouseholdDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_households WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_visits WHERE doc_id = ?1")?
        .execute([doc_id])?;
    if h.building_id.is_empty() {
        // Only the skeleton has arrived so far.
        return Ok(());
    }
    let last = h.last_visit();
    let last_check = h.last_check_ms();
    let (due, overdue) = match &h.watch {
        Some(plan) => {
            let due = plan.next_due_ms(last_check);
            (Some(due), Some(due + plan.grace().num_milliseconds()))
        }
        None => (None, None),
    };
    let residents: Vec<&str> = h.residents.values().map(|r| r.name.as_str()).collect();
    conn.prepare_cached(
        "INSERT INTO p_households (doc_id, building_id, unit, room, phone, residents, tags, \
         watch_frequency, watch_n, checks_per_day, created_ms, visit_count, last_visit_ms, \
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
        h.visits.len() as i64,
        last.map(|v| v.at_ms),
        last.map(|v| v.outcome.code()),
        last.map(|v| v.lead.as_str()),
        last_check,
        due,
        overdue,
    ])?;
    let mut visit = conn.prepare_cached(
        "INSERT OR REPLACE INTO p_visits (visit_id, doc_id, building_id, lead, at_ms, outcome, \
         is_check, health_concern, follow_up_due, follow_up_open, follow_up_note) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for v in &h.visits {
        visit.execute(params![
            v.id,
            doc_id,
            h.building_id,
            v.lead,
            v.at_ms,
            v.outcome.code(),
            v.is_check(),
            v.health.as_ref().is_some_and(|c| c.concern),
            v.follow_up_due,
            h.follow_up_open(v),
            v.follow_up_note,
        ])?;
    }
    Ok(())
}
