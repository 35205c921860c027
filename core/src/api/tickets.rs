//! Complaint tickets: reporting, the actions of the event timeline (accept, assign, escalate,
//! reply, resolve, evaluate, merge, attach a photo) checked against the derived state, and the
//! ticket lists.

use chrono::{DateTime, Utc};

use super::Linli;
use super::ticket_actions::TicketActionKind;
use crate::doc::DocKind;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{ms_to_utc, new_id};
use crate::records::ticket::{
    Category, Channel, Department, Level, PlaceRefKind, Status, TicketAction, TicketDoc,
    TicketEvent, TicketHead, TicketPlace, TicketState,
};
use crate::records::{Coded, validate};
use crate::scope::Scope;

/// A problem to report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TicketInput {
    /// Category.
    pub category: Category,
    /// What the place reference points at.
    pub place_kind: PlaceRefKind,
    /// Building, household or gate id (empty for free text).
    pub place_ref: String,
    /// The place in words.
    pub place_text: String,
    /// What is wrong.
    pub description: String,
    /// Photo hashes (sha-256, hex).
    pub photos: Vec<String>,
    /// How it reached us.
    pub channel: Channel,
}

/// Which tickets to list. Empty filters match everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TicketFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this level.
    pub level: Option<Level>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only this place (building, household or gate id).
    pub place_ref: Option<String>,
    /// Only tickets someone still has to act on.
    pub open_only: bool,
    /// Only tickets the acting member reported or is responsible for.
    pub mine: bool,
    /// Only overdue tickets.
    pub overdue: bool,
    /// At most this many tickets (a page of the list); `None` lists all.
    pub limit: Option<u32>,
    /// Skips this many tickets of the list first (the pages before).
    pub offset: u32,
}

/// A ticket as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    /// Id.
    pub id: String,
    /// Category.
    pub category: Category,
    /// Description.
    pub description: String,
    /// Place kind.
    pub place_kind: PlaceRefKind,
    /// Place reference.
    pub place_ref: String,
    /// Place in words.
    pub place_text: String,
    /// Channel.
    pub channel: Channel,
    /// Reporter.
    pub reporter: String,
    /// When reported.
    pub reported_at: DateTime<Utc>,
    /// Status.
    pub status: Status,
    /// Level.
    pub level: Level,
    /// Responsible (first receiver).
    pub responsible: Option<String>,
    /// Department.
    pub department: Option<Department>,
    /// Open reply deadline.
    pub reply_due: Option<DateTime<Utc>>,
    /// Open resolution deadline.
    pub resolve_due: Option<DateTime<Utc>>,
    /// Overdue now.
    pub overdue: bool,
    /// Events in the timeline.
    pub event_count: u32,
    /// Photos attached.
    pub photo_count: u32,
}

/// A ticket's detail: the document and its derived state.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketDetail {
    /// Id.
    pub id: String,
    /// The document.
    pub doc: TicketDoc,
    /// The derived state.
    pub state: TicketState,
}

fn state_error(id: &str, (code, message): (ErrorCode, String)) -> Error {
    Error::state("ticket", id, code, message)
}

impl Linli {
    /// Reports a problem. Anyone may report.
    pub fn report_ticket(&self, input: &TicketInput) -> Result<String> {
        let place_ref = input.place_ref.trim().to_owned();
        if input.place_kind != PlaceRefKind::FreeText && place_ref.is_empty() {
            return Err(Error::invalid(
                "place_ref",
                ErrorCode::Incomplete,
                "name the building, household or gate",
            ));
        }
        let place_text = validate::text("place_text", &input.place_text)?;
        if input.place_kind == PlaceRefKind::FreeText && place_text.is_empty() {
            return Err(Error::invalid(
                "place_text",
                ErrorCode::Empty,
                "say where the problem is",
            ));
        }
        let photos = input
            .photos
            .iter()
            .enumerate()
            .map(|(i, p)| validate::sha256_hex(&format!("photos[{i}]"), p))
            .collect::<Result<Vec<_>>>()?;
        let now = self.now();
        let id = new_id(now);
        let me = self.identity.member_id.clone();
        let doc = TicketDoc {
            category: input.category,
            place: TicketPlace {
                kind: input.place_kind,
                reference: place_ref,
                text: place_text,
            },
            description: validate::required_text("description", &input.description)?,
            photos,
            channel: input.channel,
            reporter: me.clone(),
            reported_ms: now.timestamp_millis(),
            events: vec![TicketEvent {
                id: new_id(now),
                at_ms: now.timestamp_millis(),
                author: me,
                device: self.identity.device_id.clone(),
                action: TicketAction::Reported,
            }],
        };
        self.write(|w| {
            w.create(&id, &Scope::Tickets)?;
            w.edit(&id, "ticket.report", |e| e.put_all(&doc))
        })?;
        Ok(id)
    }

    /// Appends the event that `action` returns, once the acting member's roles and the
    /// ticket's derived state allow `kind` (see [`super::ticket_actions`]).
    pub(super) fn ticket_event(
        &self,
        id: &str,
        kind: TicketActionKind,
        action: TicketAction,
    ) -> Result<String> {
        self.require_ticket_role(kind)?;
        let now = self.now();
        let event_id = new_id(now);
        self.write(|w| {
            // The state the ticket's row keeps: its timeline is not read again.
            let _: TicketHead = w.read_as(id, DocKind::Ticket, "ticket")?;
            let state = match crate::projection::ticket_state(w.tx(), id)? {
                Some(state) => state,
                None => TicketState::derive(&w.read::<TicketDoc>(id, "ticket")?),
            };
            if let Some(why) = kind.refused_by_state(&state) {
                return Err(state_error(id, why));
            }
            if let TicketAction::Escalated { to, .. } = &action
                && *to <= state.level
            {
                return Err(Error::invalid(
                    "to",
                    ErrorCode::AlreadyAtLevel,
                    format!("the ticket is already at {} level", state.level.label_zh()),
                ));
            }
            let event = TicketEvent {
                id: event_id.clone(),
                at_ms: not_before_known(w.tx(), id, now.timestamp_millis())?,
                author: self.identity.member_id.clone(),
                device: self.identity.device_id.clone(),
                action,
            };
            w.edit(id, &format!("ticket.{}", event.action.code()), |e| {
                e.append(&["events"], &event)
            })?;
            Ok(())
        })?;
        Ok(event_id)
    }

    /// Takes responsibility for the ticket (首问负责).
    pub fn accept_ticket(&self, id: &str) -> Result<String> {
        self.ticket_event(id, TicketActionKind::Accept, TicketAction::Accepted)
    }

    /// Assigns the ticket to a department.
    pub fn assign_ticket(&self, id: &str, department: Department) -> Result<String> {
        self.ticket_event(
            id,
            TicketActionKind::Assign,
            TicketAction::Assigned { department },
        )
    }

    /// Escalates the ticket to a higher level (street: reply in 24 h; county: resolve in 3 days).
    pub fn escalate_ticket(&self, id: &str, to: Level, reason: &str) -> Result<String> {
        let reason = validate::required_text("reason", reason)?;
        self.ticket_event(
            id,
            TicketActionKind::Escalate,
            TicketAction::Escalated { to, reason },
        )
    }

    /// Records a reply to the resident.
    pub fn reply_ticket(&self, id: &str, message: &str) -> Result<String> {
        let message = validate::required_text("message", message)?;
        self.ticket_event(
            id,
            TicketActionKind::Reply,
            TicketAction::Replied { message },
        )
    }

    /// Marks the ticket resolved; the resident evaluates next.
    pub fn resolve_ticket(&self, id: &str, summary: &str) -> Result<String> {
        let summary = validate::required_text("summary", summary)?;
        self.ticket_event(
            id,
            TicketActionKind::Resolve,
            TicketAction::Resolved { summary },
        )
    }

    /// Records the resident's evaluation of a resolved ticket; not satisfied reopens it.
    pub fn evaluate_ticket(&self, id: &str, satisfied: bool, comment: &str) -> Result<String> {
        let comment = validate::text("comment", comment)?;
        self.ticket_event(
            id,
            TicketActionKind::Evaluate,
            TicketAction::Evaluated { satisfied, comment },
        )
    }

    /// Attaches a photo (by sha-256) to the ticket.
    pub fn attach_photo(&self, id: &str, sha256: &str) -> Result<String> {
        let sha256 = validate::sha256_hex("sha256", sha256)?;
        self.ticket_event(
            id,
            TicketActionKind::AttachPhoto,
            TicketAction::PhotoAdded { sha256 },
        )
    }

    /// Merges a duplicate ticket into another: the duplicate closes as merged and the other
    /// keeps it as a source (its channel and reporter), in one transaction.
    pub fn merge_ticket(&self, duplicate: &str, into: &str) -> Result<()> {
        if duplicate == into {
            return Err(Error::invalid(
                "into",
                ErrorCode::MergeIntoSelf,
                "a ticket cannot be merged into itself",
            ));
        }
        self.require_ticket_role(TicketActionKind::Merge)?;
        let now = self.now();
        let ms = now.timestamp_millis();
        let me = self.identity.member_id.clone();
        let device = self.identity.device_id.clone();
        self.write(|w| {
            let dup: TicketDoc = w.read(duplicate, "ticket")?;
            let target: TicketDoc = w.read(into, "ticket").map_err(|e| match e {
                Error::NotFound { id, .. } => {
                    Error::invalid("into", ErrorCode::NoSuchTicket, format!("no ticket {id}"))
                }
                other => other,
            })?;
            if let Some(why) = TicketActionKind::Merge.refused_by_state(&TicketState::derive(&dup))
            {
                return Err(state_error(duplicate, why));
            }
            let target_state = TicketState::derive(&target);
            if target_state.status == Status::Merged {
                return Err(Error::invalid(
                    "into",
                    ErrorCode::TicketMerged,
                    "that ticket was itself merged",
                ));
            }
            let event = |action| TicketEvent {
                id: new_id(now),
                at_ms: ms,
                author: me.clone(),
                device: device.clone(),
                action,
            };
            let merged = event(TicketAction::Merged {
                into: into.to_owned(),
            });
            let absorbed = event(TicketAction::Absorbed {
                from: duplicate.to_owned(),
                channel: dup.channel,
                reporter: dup.reporter.clone(),
            });
            w.edit(duplicate, "ticket.merged", |e| {
                e.append(&["events"], &merged)
            })?;
            w.edit(into, "ticket.absorbed", |e| {
                e.append(&["events"], &absorbed)
            })?;
            Ok(())
        })
    }

    /// One ticket with its timeline and derived state.
    pub fn ticket(&self, id: &str) -> Result<TicketDetail> {
        let doc: TicketDoc = self.read_record(id, "ticket")?;
        // The row's state takes the departments' steps too.
        let kept = self
            .store
            .read(|c| crate::projection::ticket_state(c, id))?;
        let state = kept.unwrap_or_else(|| TicketState::derive(&doc));
        Ok(TicketDetail {
            id: id.to_owned(),
            doc,
            state,
        })
    }

    /// Tickets matching `filter`, most recently active first.
    pub fn tickets(&self, filter: &TicketFilter) -> Result<Vec<TicketRow>> {
        let now_ms = self.now().timestamp_millis();
        let mut clauses = vec!["1 = 1".to_owned()];
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut arg = |clause: &str, v: rusqlite::types::Value, clauses: &mut Vec<String>| {
            args.push(v);
            clauses.push(clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(s) = filter.status {
            arg("status = ?", s.code().to_owned().into(), &mut clauses);
        }
        if let Some(l) = filter.level {
            arg("level = ?", l.code().to_owned().into(), &mut clauses);
        }
        if let Some(c) = filter.category {
            arg("category = ?", c.code().to_owned().into(), &mut clauses);
        }
        if let Some(p) = &filter.place_ref {
            arg("place_ref = ?", p.clone().into(), &mut clauses);
        }
        if filter.open_only {
            clauses.push("is_open = 1".into());
        }
        if filter.mine {
            let me = self.identity.member_id.clone();
            arg("(reporter = ? OR responsible = ?)", me.into(), &mut clauses);
        }
        if filter.overdue {
            arg(
                "(reply_due_ms < ? OR resolve_due_ms < ?)",
                now_ms.into(),
                &mut clauses,
            );
        }
        let sql = format!(
            "SELECT doc_id, category, description, place_kind, place_ref, place_text, channel, \
             reporter, reported_ms, status, level, responsible, department, reply_due_ms, \
             resolve_due_ms, event_count, photo_count FROM p_tickets WHERE {} \
             ORDER BY last_event_ms DESC, doc_id LIMIT {} OFFSET {}",
            clauses.join(" AND "),
            filter.limit.map_or(-1, i64::from),
            filter.offset
        );
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let reply_due: Option<i64> = r.get(13)?;
                let resolve_due: Option<i64> = r.get(14)?;
                let department: Option<String> = r.get(12)?;
                out.push(TicketRow {
                    id: r.get(0)?,
                    category: Category::parse_code(&r.get::<_, String>(1)?, "category")?,
                    description: r.get(2)?,
                    place_kind: PlaceRefKind::parse_code(&r.get::<_, String>(3)?, "place_kind")?,
                    place_ref: r.get(4)?,
                    place_text: r.get(5)?,
                    channel: Channel::parse_code(&r.get::<_, String>(6)?, "channel")?,
                    reporter: r.get(7)?,
                    reported_at: ms_to_utc(r.get(8)?),
                    status: Status::parse_code(&r.get::<_, String>(9)?, "status")?,
                    level: Level::parse_code(&r.get::<_, String>(10)?, "level")?,
                    responsible: r.get(11)?,
                    department: department
                        .map(|d| Department::parse_code(&d, "department"))
                        .transpose()?,
                    reply_due: reply_due.map(ms_to_utc),
                    resolve_due: resolve_due.map(ms_to_utc),
                    overdue: reply_due.is_some_and(|d| d < now_ms)
                        || resolve_due.is_some_and(|d| d < now_ms),
                    event_count: r.get(15)?,
                    photo_count: r.get(16)?,
                });
            }
            Ok(out)
        })
    }
}

/// The time to stamp on a new event of ticket `id`: now, or the latest event or department
/// step the phone knows of it when this phone's clock is behind that one's (a step counts
/// from just after its order's dispatch). A ticket's state takes its events and its orders'
/// steps in time order, so an event written after seeing a step (evaluating what a department
/// resolved) must never sort before it, whichever phone's clock is ahead.
pub(super) fn not_before_known(c: &rusqlite::Connection, id: &str, now_ms: i64) -> Result<i64> {
    let known: Option<i64> = c
        .prepare_cached(
            "SELECT MAX(m) FROM ( \
               SELECT MAX(at_ms) AS m FROM p_ticket_events WHERE doc_id = ?1 \
               UNION ALL \
               SELECT MAX(MAX(e.at_ms, o.dispatched_ms + 1)) FROM p_case_events e \
               JOIN p_cases o ON o.doc_id = e.doc_id WHERE e.ticket_id = ?1)",
        )?
        .query_row([id], |r| r.get(0))?;
    Ok(known.map_or(now_ms, |k| k.max(now_ms)))
}
