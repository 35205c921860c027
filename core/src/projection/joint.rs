//! Joint action rows: the plan's size and progress, and the departments taking part (what the
//! relay's permission table reads for `joint/<j>`).

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::records::joint::JointDoc;

/// The rows of the joint action `doc_id` from `doc`.
pub(super) fn project(conn: &Connection, doc_id: &str, doc: &JointDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_joints WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_joint_units WHERE doc_id = ?1")?
        .execute([doc_id])?;
    if doc.steps.is_empty() {
        return Ok(());
    }
    let states = doc.states(i64::MIN);
    let open: Vec<i64> = states
        .iter()
        .filter(|s| s.done.is_none())
        .map(|s| s.start_ms)
        .collect();
    conn.prepare_cached(
        "INSERT INTO p_joints (doc_id, title, planned_ms, steps, steps_done, first_start, \
         next_start) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        doc_id,
        doc.title,
        doc.planned_ms,
        states.len() as i64,
        (states.len() - open.len()) as i64,
        states.iter().map(|s| s.start_ms).min(),
        open.iter().min(),
    ])?;
    let mut unit =
        conn.prepare_cached("INSERT OR IGNORE INTO p_joint_units (doc_id, unit) VALUES (?1, ?2)")?;
    for u in doc.units() {
        unit.execute(params![doc_id, u])?;
    }
    Ok(())
}
