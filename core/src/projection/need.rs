//! Need rows (where each need stands and who holds it) and service rows (minutes by member and
//! unit, for the month's hours).

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::records::Coded;
use crate::records::need::NeedDoc;

/// Every row of the need `doc_id` from `doc`.
pub(super) fn project(conn: &Connection, doc_id: &str, doc: &NeedDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_needs WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_need_services WHERE doc_id = ?1")?
        .execute([doc_id])?;
    // A first change alone holds no need yet.
    if doc.household_id.is_empty() {
        return Ok(());
    }
    let claim = doc.claim.as_ref();
    let last_ms = doc
        .services
        .iter()
        .map(|s| s.at_ms)
        .chain(claim.map(|c| c.at_ms))
        .chain(doc.confirmed.as_ref().map(|c| c.at_ms))
        .max()
        .unwrap_or(doc.recorded_ms)
        .max(doc.recorded_ms);
    conn.prepare_cached(
        "INSERT INTO p_needs (doc_id, household_id, building_id, area_id, address, category, \
         urgency, description, recorded_by, recorded_ms, status, claimed_by, claimed_unit, \
         claimed_ms, confirmed_ms, minutes, last_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        doc_id,
        doc.household_id,
        doc.building_id,
        doc.area_id,
        doc.address,
        doc.category.code(),
        doc.urgency.code(),
        doc.description,
        doc.recorded_by,
        doc.recorded_ms,
        doc.status().code(),
        claim.map(|c| c.member.clone()),
        claim.and_then(|c| c.unit.clone()),
        claim.map(|c| c.at_ms),
        doc.confirmed.as_ref().map(|c| c.at_ms),
        doc.minutes(),
        last_ms,
    ])?;
    let mut service = conn.prepare_cached(
        "INSERT INTO p_need_services (doc_id, idx, member_id, unit, at_ms, minutes, confirmed) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, s) in doc.services.iter().enumerate() {
        service.execute(params![
            doc_id,
            i as i64,
            s.member,
            s.unit,
            s.at_ms,
            s.minutes.max(0),
            doc.confirmed.is_some()
        ])?;
    }
    Ok(())
}
