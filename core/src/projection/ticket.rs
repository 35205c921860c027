//! Ticket rows (status, level and deadlines derived by the ticket rules) and event rows.
//!
//! The derived state is kept with the ticket's row, so that an event appended on this device is
//! applied to it alone (see [`project_appended`]); merges and rebuilds derive it from the whole
//! timeline. The same rules ([`TicketState::apply`]) serve both. A ticket dispatched to a
//! department takes the steps of its work orders too ([`TicketState::derive_with_orders`]): its
//! state is derived again from the event rows and the orders' rows whenever either changes.

use std::sync::LazyLock;

use automerge::AutoCommit;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::error::{Error, Result};
use crate::records::Coded;
use crate::records::case::CaseEvent;
use crate::records::ticket::{OrderSteps, TicketAction, TicketEvent, TicketHead, TicketState};

/// Every row of the ticket `doc_id` from `doc`.
pub(super) fn project(conn: &Connection, doc_id: &str, doc: &AutoCommit) -> Result<()> {
    conn.prepare_cached("DELETE FROM p_tickets WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_ticket_events WHERE doc_id = ?1")?
        .execute([doc_id])?;
    conn.prepare_cached("DELETE FROM p_ticket_photos WHERE doc_id = ?1")?
        .execute([doc_id])?;
    let head: TicketHead = super::hydrate(doc_id, doc)?;
    if head.reporter.is_empty() {
        return Ok(());
    }
    let events: Vec<TicketEvent> = super::root_items(doc_id, doc, "events")?;
    let orders = orders_of(conn, doc_id)?;
    let steps: Vec<OrderSteps<'_>> = orders.iter().map(Order::steps).collect();
    let state = TicketState::derive_with_orders(&head.photos, &events, &steps);
    insert_events(conn, doc_id, 0, &events)?;
    // The row's last event time is the report's while it has no event.
    let last_event_ms = events
        .iter()
        .map(|e| e.at_ms)
        .max()
        .unwrap_or(head.reported_ms);
    ticket_row(conn, doc_id, &head, &state, events.len(), last_event_ms)
}

/// After a local edit: when the timeline holds more events than the ticket's row counts, the
/// edit appended them at the end, so only those are read and applied to the kept state.
/// Returns false, having done nothing, when that does not hold (a new ticket, an edit of
/// anything but the timeline, a row without a kept state): the caller projects the whole
/// ticket.
pub(super) fn project_appended(conn: &Connection, doc_id: &str, doc: &AutoCommit) -> Result<bool> {
    let row: Option<(i64, i64, String, HeadColumns)> = conn
        .prepare_cached(
            "SELECT event_count, last_event_ms, state, category, place_kind, place_ref, \
             place_text, description, channel, reporter, reported_ms FROM p_tickets \
             WHERE doc_id = ?1",
        )?
        .query_row([doc_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                (
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ),
            ))
        })
        .optional()?;
    let Some((rows, last_event_ms, state, kept_head)) = row else {
        return Ok(false);
    };
    // A ticket with work orders takes their steps in time order: derived whole.
    let has_orders: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM p_cases WHERE ticket_id = ?1)")?
        .query_row([doc_id], |r| r.get(0))?;
    if has_orders {
        return Ok(false);
    }
    let (Ok(rows), Ok(mut state)) = (
        usize::try_from(rows),
        serde_json::from_str::<TicketState>(&state),
    ) else {
        return Ok(false);
    };
    let Some((list, len)) = super::root_list(doc_id, doc, "events")? else {
        return Ok(false);
    };
    let head: TicketHead = super::hydrate(doc_id, doc)?;
    if rows >= len || head.reporter.is_empty() {
        return Ok(false);
    }
    let added: Vec<TicketEvent> = super::list_items(doc_id, doc, &list, rows..len)?;
    for e in &added {
        state.apply(e);
    }
    insert_events(conn, doc_id, rows, &added)?;
    // The row's last event time is the report's while it has no event.
    let earlier = (rows > 0).then_some(last_event_ms);
    let last = added
        .iter()
        .map(|e| e.at_ms)
        .chain(earlier)
        .max()
        .unwrap_or(head.reported_ms);
    if head_columns(&head) == kept_head {
        state_columns(conn, doc_id, &state, len, last)?;
    } else {
        ticket_row(conn, doc_id, &head, &state, len, last)?;
    }
    Ok(true)
}

/// The row's columns that come from the ticket's head (what was reported), not its timeline.
type HeadColumns = (String, String, String, String, String, String, String, i64);

fn head_columns(t: &TicketHead) -> HeadColumns {
    (
        t.category.code().to_owned(),
        t.place.kind.code().to_owned(),
        t.place.reference.clone(),
        t.place.text.clone(),
        t.description.clone(),
        t.channel.code().to_owned(),
        t.reporter.clone(),
        t.reported_ms,
    )
}

/// The row's columns derived from the timeline, in the order [`STATE_COLUMNS`] names them:
/// the state and, last, the state kept as JSON for the next appended event.
fn state_values(
    doc_id: &str,
    s: &TicketState,
    event_count: usize,
    last_event_ms: i64,
) -> Result<Vec<Value>> {
    let kept = serde_json::to_string(s).map_err(|e| Error::document(doc_id, e))?;
    Ok(vec![
        s.status.code().to_owned().into(),
        s.status.is_open().into(),
        s.level.code().to_owned().into(),
        s.responsible.clone().into(),
        s.department.map(|d| d.code().to_owned()).into(),
        s.reply_due_ms.into(),
        s.resolve_due_ms.into(),
        s.replied_ms.into(),
        s.resolved_ms.into(),
        s.merged_into.clone().into(),
        s.unit.clone().into(),
        s.leader.clone().into(),
        (event_count as i64).into(),
        (s.photos.len() as i64).into(),
        last_event_ms.into(),
        kept.into(),
    ])
}

/// The columns [`state_values`] fills.
const STATE_COLUMNS: [&str; 16] = [
    "status",
    "is_open",
    "level",
    "responsible",
    "department",
    "reply_due_ms",
    "resolve_due_ms",
    "replied_ms",
    "resolved_ms",
    "merged_into",
    "unit",
    "leader",
    "event_count",
    "photo_count",
    "last_event_ms",
    "state",
];

/// Updates the row's columns derived from the timeline, in place: the indexes on what was
/// reported (category, place, reporter) are left alone, so that an appended event rewrites
/// fewer pages than a whole row (every page of an encrypted store written is encrypted).
fn state_columns(
    conn: &Connection,
    doc_id: &str,
    s: &TicketState,
    event_count: usize,
    last_event_ms: i64,
) -> Result<()> {
    insert_photos(conn, doc_id, s)?;
    static UPDATE: LazyLock<String> = LazyLock::new(|| {
        let set: Vec<String> = STATE_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 2))
            .collect();
        format!("UPDATE p_tickets SET {} WHERE doc_id = ?1", set.join(", "))
    });
    let mut values = vec![Value::from(doc_id.to_owned())];
    values.extend(state_values(doc_id, s, event_count, last_event_ms)?);
    conn.prepare_cached(&UPDATE)?
        .execute(params_from_iter(values))?;
    Ok(())
}

fn insert_photos(conn: &Connection, doc_id: &str, s: &TicketState) -> Result<()> {
    let mut photo = conn
        .prepare_cached("INSERT OR IGNORE INTO p_ticket_photos (doc_id, hash) VALUES (?1, ?2)")?;
    for hash in &s.photos {
        photo.execute(params![doc_id, hash])?;
    }
    Ok(())
}

/// Inserts `events`, the first at list position `first`.
fn insert_events(
    conn: &Connection,
    doc_id: &str,
    first: usize,
    events: &[TicketEvent],
) -> Result<()> {
    let mut event = conn.prepare_cached(
        "INSERT OR REPLACE INTO p_ticket_events (doc_id, idx, event_id, action, author, at_ms, \
         level_to, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, e) in events.iter().enumerate() {
        let level_to = match &e.action {
            TicketAction::Escalated { to, .. } => Some(to.code()),
            _ => None,
        };
        let body = serde_json::to_string(e).map_err(|err| Error::document(doc_id, err))?;
        event.execute(params![
            doc_id,
            (first + i) as i64,
            e.id,
            e.action.code(),
            e.author,
            e.at_ms,
            level_to,
            body
        ])?;
    }
    Ok(())
}

/// The ticket's row with its state (kept as JSON for the next appended event) and photo rows.
fn ticket_row(
    conn: &Connection,
    doc_id: &str,
    t: &TicketHead,
    s: &TicketState,
    event_count: usize,
    last_event_ms: i64,
) -> Result<()> {
    insert_photos(conn, doc_id, s)?;
    let head = head_columns(t);
    let mut values: Vec<Value> = vec![
        doc_id.to_owned().into(),
        head.0.into(),
        head.1.into(),
        head.2.into(),
        head.3.into(),
        head.4.into(),
        head.5.into(),
        head.6.into(),
        head.7.into(),
    ];
    values.extend(state_values(doc_id, s, event_count, last_event_ms)?);
    static INSERT: LazyLock<String> = LazyLock::new(|| {
        let columns: Vec<&str> = [
            "doc_id",
            "category",
            "place_kind",
            "place_ref",
            "place_text",
            "description",
            "channel",
            "reporter",
            "reported_ms",
        ]
        .into_iter()
        .chain(STATE_COLUMNS)
        .collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        format!(
            "INSERT OR REPLACE INTO p_tickets ({}) VALUES ({})",
            columns.join(", "),
            marks.join(", ")
        )
    });
    conn.prepare_cached(&INSERT)?
        .execute(params_from_iter(values))?;
    Ok(())
}

/// The ticket's state as its row keeps it; none when the row is missing or keeps none.
pub(crate) fn ticket_state(conn: &Connection, doc_id: &str) -> Result<Option<TicketState>> {
    let kept: Option<String> = conn
        .prepare_cached("SELECT state FROM p_tickets WHERE doc_id = ?1")?
        .query_row([doc_id], |r| r.get(0))
        .optional()?;
    Ok(kept.and_then(|s| serde_json::from_str(&s).ok()))
}

/// A work order of a ticket as its rows keep it.
struct Order {
    case: String,
    dispatched_ms: i64,
    events: Vec<CaseEvent>,
}

impl Order {
    fn steps(&self) -> OrderSteps<'_> {
        OrderSteps {
            case: &self.case,
            dispatched_ms: self.dispatched_ms,
            events: &self.events,
        }
    }
}

/// The work orders of `ticket_id` on this device, each with its steps in list order.
fn orders_of(conn: &Connection, ticket_id: &str) -> Result<Vec<Order>> {
    let mut orders: Vec<Order> = conn
        .prepare_cached(
            "SELECT doc_id, dispatched_ms FROM p_cases WHERE ticket_id = ?1 ORDER BY doc_id",
        )?
        .query_map([ticket_id], |r| {
            Ok(Order {
                case: r.get(0)?,
                dispatched_ms: r.get(1)?,
                events: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut steps =
        conn.prepare_cached("SELECT body FROM p_case_events WHERE doc_id = ?1 ORDER BY idx")?;
    for order in &mut orders {
        for body in steps.query_map([&order.case], |r| r.get::<_, String>(0))? {
            order
                .events
                .push(serde_json::from_str(&body?).map_err(|e| Error::document(&order.case, e))?);
        }
    }
    Ok(orders)
}

/// Derives the state of `ticket_id` again from its event rows and its work orders' rows, after
/// one of its orders changed. Nothing to do while the ticket is not on this device (its own
/// projection takes the orders when it comes).
pub(super) fn refresh_with_orders(conn: &Connection, ticket_id: &str) -> Result<()> {
    let row: Option<(String, i64, i64)> = conn
        .prepare_cached(
            "SELECT state, event_count, last_event_ms FROM p_tickets WHERE doc_id = ?1",
        )?
        .query_row([ticket_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((kept, event_count, last_event_ms)) = row else {
        return Ok(());
    };
    let kept: TicketState =
        serde_json::from_str(&kept).map_err(|e| Error::document(ticket_id, e))?;
    let events: Vec<TicketEvent> = conn
        .prepare_cached("SELECT body FROM p_ticket_events WHERE doc_id = ?1 ORDER BY idx")?
        .query_map([ticket_id], |r| r.get::<_, Option<String>>(0))?
        .map(|body| {
            let body = body?.unwrap_or_default();
            serde_json::from_str(&body).map_err(|e| Error::document(ticket_id, e))
        })
        .collect::<Result<_>>()?;
    let orders = orders_of(conn, ticket_id)?;
    let steps: Vec<OrderSteps<'_>> = orders.iter().map(Order::steps).collect();
    let mut state = TicketState::derive_with_orders(&[], &events, &steps);
    // Photos come from the ticket alone.
    state.photos = kept.photos;
    let count = usize::try_from(event_count).unwrap_or_default();
    state_columns(conn, ticket_id, &state, count, last_event_ms)
}
