//! Projections: the indexed rows that lists, the badge view and reports read instead of
//! documents. One function per document kind turns a document into its rows; the same function
//! serves every incremental write, every applied remote change and a full rebuild, so the three
//! cannot disagree.

mod case;
mod directory;
mod gate_log;
mod household;
mod joint;
mod need;
mod roster;
mod round;
mod ticket;

pub(crate) use ticket::ticket_state;

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc};
use autosurgeon::Hydrate;
use rusqlite::Connection;

use crate::doc::DocKind;
use crate::error::{Error, Result};

/// Every projection table, for clearing and comparing.
pub const TABLES: &[&str] = &[
    "p_community",
    "p_places",
    "p_members",
    "p_member_roles",
    "p_households",
    "p_visits",
    "p_tickets",
    "p_ticket_events",
    "p_ticket_photos",
    "p_roster_slots",
    "p_swaps",
    "p_gate_entries",
    "p_conflicts",
    "p_reminders",
    "p_reminder_done",
    "p_residents",
    "p_cases",
    "p_case_events",
    "p_needs",
    "p_need_services",
    "p_rounds",
    "p_joints",
    "p_joint_units",
];

/// The document as `T`: only the fields `T` names are read.
fn hydrate<T: Hydrate>(doc_id: &str, doc: &AutoCommit) -> Result<T> {
    crate::doc::one_pass::hydrate(doc).map_err(|e| Error::document(doc_id, e))
}

/// The list at the root's `key` (a household's visits, a ticket's events, a gate's entries)
/// and its length; none when the document has no such list yet.
fn root_list(doc_id: &str, doc: &AutoCommit, key: &str) -> Result<Option<(ObjId, usize)>> {
    match doc
        .get(automerge::ROOT, key)
        .map_err(|e| Error::document(doc_id, e))?
    {
        Some((automerge::Value::Object(ObjType::List), list)) => {
            let len = doc.length(&list);
            Ok(Some((list, len)))
        }
        _ => Ok(None),
    }
}

/// Every item of the list at the root's `key`, read in one pass; none when there is no list.
fn root_items<T: Hydrate>(doc_id: &str, doc: &AutoCommit, key: &str) -> Result<Vec<T>> {
    if root_list(doc_id, doc, key)?.is_none() {
        return Ok(Vec::new());
    }
    crate::doc::one_pass::hydrate_prop(doc, &automerge::ROOT, key)
        .map_err(|e| Error::document(doc_id, e))
}

/// The items `from..len` of `list`, read without the rest of the list: those a local edit
/// appended.
fn list_items<T: Hydrate>(
    doc_id: &str,
    doc: &AutoCommit,
    list: &ObjId,
    items: std::ops::Range<usize>,
) -> Result<Vec<T>> {
    crate::doc::one_pass::hydrate_items(doc, list, items).map_err(|e| Error::document(doc_id, e))
}

/// What brought the document to the state being projected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Changes made on this device through the API: linear (below), and only ever appending
    /// to a gate log's entries, a household's visits or a ticket's timeline.
    LocalEdit,
    /// Remote changes each made on top of every head the document had: they supersede every
    /// value they touch, so they can only resolve conflicts, never make one.
    Linear,
    /// Concurrent changes merged, or a rebuild: anything may be in conflict.
    Merge,
}

/// Replaces the projection rows of `doc_id` with those of `doc`.
pub(crate) fn project(
    conn: &Connection,
    doc_id: &str,
    kind: DocKind,
    doc: &AutoCommit,
    source: Source,
) -> Result<()> {
    match kind {
        DocKind::Directory => directory::project(conn, doc_id, &hydrate(doc_id, doc)?),
        DocKind::Household => {
            if source == Source::LocalEdit && household::project_appended(conn, doc_id, doc)? {
                Ok(())
            } else {
                household::project(conn, doc_id, doc)
            }
        }
        DocKind::Ticket => {
            if source == Source::LocalEdit && ticket::project_appended(conn, doc_id, doc)? {
                Ok(())
            } else {
                ticket::project(conn, doc_id, doc)
            }
        }
        DocKind::Roster => roster::project(conn, doc_id, &hydrate(doc_id, doc)?),
        DocKind::Case => case::project(conn, doc_id, &hydrate(doc_id, doc)?),
        DocKind::Need => need::project(conn, doc_id, &hydrate(doc_id, doc)?),
        DocKind::Round => round::project(conn, doc_id, &hydrate(doc_id, doc)?),
        DocKind::Joint => joint::project(conn, doc_id, &hydrate(doc_id, doc)?),
        DocKind::GateLog => {
            if source == Source::LocalEdit && gate_log::project_appended(conn, doc_id, doc)? {
                Ok(())
            } else {
                gate_log::project(conn, doc_id, &hydrate(doc_id, doc)?)
            }
        }
    }?;
    project_conflicts(conn, doc_id, doc, source)
}

/// The conflict rows of `doc_id`. Finding them walks the whole document, so a linear change of a
/// document that had no conflict skips it: there is none after it either.
fn project_conflicts(
    conn: &Connection,
    doc_id: &str,
    doc: &AutoCommit,
    source: Source,
) -> Result<()> {
    if source != Source::Merge {
        let had: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM p_conflicts WHERE doc_id = ?1)")?
            .query_row([doc_id], |r| r.get(0))?;
        if !had {
            return Ok(());
        }
    }
    conn.prepare_cached("DELETE FROM p_conflicts WHERE doc_id = ?1")?
        .execute([doc_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO p_conflicts (doc_id, path, values_count) VALUES (?1, ?2, ?3)",
    )?;
    for site in crate::doc::conflicts::conflict_sites(doc) {
        insert.execute(rusqlite::params![
            doc_id,
            site.path.join("/"),
            site.values.len() as i64
        ])?;
    }
    Ok(())
}

/// Empties every projection table.
pub(crate) fn clear(conn: &Connection) -> Result<()> {
    for table in TABLES {
        conn.execute(&format!("DELETE FROM {table}"), [])?;
    }
    Ok(())
}

/// Every row of every projection table, sorted, as text: for comparing two stores.
pub fn dump(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for table in TABLES {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
        let columns = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let mut cells = Vec::with_capacity(columns);
                for i in 0..columns {
                    let v: rusqlite::types::Value = r.get(i)?;
                    cells.push(format!("{v:?}"));
                }
                Ok(format!("{table}|{}", cells.join("|")))
            })?
            .collect::<Result<_, _>>()?;
        rows.sort();
        out.extend(rows);
    }
    Ok(out)
}
