//! Directory rows: the community, places, members and their role grants.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::records::Coded;
use crate::records::directory::DirectoryDoc;

pub(super) fn project(conn: &Connection, doc_id: &str, d: &DirectoryDoc) -> Result<()> {
    for table in [
        "p_community",
        "p_places",
        "p_members",
        "p_member_roles",
        "p_reminders",
        "p_reminder_done",
    ] {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE doc_id = ?1"))?
            .execute([doc_id])?;
    }
    if d.community.id.is_empty() {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO p_community (community_id, doc_id, name, utc_offset_minutes) \
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        d.community.id,
        doc_id,
        d.community.name,
        d.community.utc_offset_minutes
    ])?;
    let mut place = conn.prepare_cached(
        "INSERT INTO p_places (place_id, doc_id, kind, name, parent_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (id, p) in &d.places {
        place.execute(params![id, doc_id, p.kind.code(), p.name, p.parent])?;
    }
    let mut member = conn.prepare_cached(
        "INSERT INTO p_members (member_id, doc_id, name, phone, active) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut role = conn.prepare_cached(
        "INSERT OR IGNORE INTO p_member_roles (member_id, role, place_id, doc_id) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (id, m) in &d.members {
        member.execute(params![id, doc_id, m.name, m.phone, m.active])?;
        for (code, grant) in &m.roles {
            role.execute(params![id, code, "", doc_id])?;
            for (place_id, on) in &grant.places {
                if *on {
                    role.execute(params![id, code, place_id, doc_id])?;
                }
            }
        }
    }
    let mut reminder = conn.prepare_cached(
        "INSERT INTO p_reminders (reminder_id, doc_id, what, place_id, owner_member, owner_role, \
         first_due, lead_days, repeat, created_by, created_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut done = conn.prepare_cached(
        "INSERT INTO p_reminder_done (reminder_id, due, doc_id, by_member, at_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (id, r) in &d.reminders {
        reminder.execute(params![
            id,
            doc_id,
            r.what,
            r.place,
            r.owner_member,
            r.owner_role,
            r.first_due,
            r.lead_days,
            r.repeat.code(),
            r.created_by,
            r.created_ms
        ])?;
        for (due, mark) in &r.done {
            done.execute(params![id, due, doc_id, mark.by, mark.at_ms])?;
        }
    }
    Ok(())
}
