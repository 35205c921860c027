//! Evaluation round rows: the round's state and its result by the counting rules of
//! [`crate::records::round`].

use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::records::round::RoundDoc;

/// The row of the round `doc_id` from `doc`.
pub(super) fn project(conn: &Connection, doc_id: &str, doc: &RoundDoc) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_rounds WHERE doc_id = ?1")?
        .execute([doc_id])?;
    // A first change alone opens no round yet.
    if doc.month.is_empty() {
        return Ok(());
    }
    let result = serde_json::to_string(&doc.result()).map_err(|e| Error::document(doc_id, e))?;
    conn.prepare_cached(
        "INSERT INTO p_rounds (doc_id, month, opened_ms, closed_ms, ratings, votes, result) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        doc_id,
        doc.month,
        doc.opened_ms,
        doc.closed.as_ref().map(|c| c.at_ms),
        doc.ratings.len() as i64,
        doc.votes.len() as i64,
        result
    ])?;
    Ok(())
}
