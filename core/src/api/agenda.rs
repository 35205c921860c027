//! Today's list for the acting member, offline, from the projections: follow-ups due, watch
//! checks due or overdue, open tickets the member is responsible for or in charge of (包案领导)
//! by their deadline, a department's open work orders for its staff, the
//! member's shifts not checked in yet, swaps waiting for the member's answer or approval, and
//! the office's reminders that concern the member, from their lead time.
//! Each item says what it is, where, when it is due and which action clears it; the list is
//! ordered by urgency (overdue first, then by due time).

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::Linli;
use super::households::CheckState;
use crate::error::Result;
use crate::ids::ms_to_utc;
use crate::records::Coded;
use crate::records::roster::DutyRole;

/// How far ahead follow-ups show, in days after the date asked for.
pub const FOLLOW_UP_SOON_DAYS: u64 = 2;
/// How long before a shift starts it shows, in minutes.
pub const SHIFT_SOON_MINUTES: i64 = 60;

/// What an agenda item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgendaKind {
    /// A visit's follow-up (跟进).
    FollowUp,
    /// A watched household's check (重点关注走访).
    WatchCheck,
    /// A ticket the member is responsible for (工单).
    Ticket,
    /// A shift of the member's (值班).
    Shift,
    /// A swap waiting for the member to take it (换班待接受).
    SwapToAccept,
    /// A swap waiting for the gate lead's approval (换班待批准).
    SwapToApprove,
    /// One of the office's reminders (民情日志).
    Reminder,
    /// A resident in home isolation still to be asked today (居家隔离询问).
    IsolationCheck,
    /// A work order of the member's department still open (部门派单).
    WorkOrder,
}

impl AgendaKind {
    /// The kind in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            AgendaKind::FollowUp => "跟进",
            AgendaKind::WatchCheck => "重点关注走访",
            AgendaKind::Ticket => "工单",
            AgendaKind::Shift => "值班",
            AgendaKind::SwapToAccept => "换班待接受",
            AgendaKind::SwapToApprove => "换班待批准",
            AgendaKind::Reminder => "提醒",
            AgendaKind::IsolationCheck => "居家隔离询问",
            AgendaKind::WorkOrder => "部门派单",
        }
    }

    /// The action that clears the item: a stable code the apps map to a screen.
    pub fn action(self) -> &'static str {
        match self {
            AgendaKind::FollowUp | AgendaKind::WatchCheck => "visit.log",
            AgendaKind::Ticket => "ticket.handle",
            AgendaKind::Shift => "duty.check_in",
            AgendaKind::SwapToAccept => "swap.accept",
            AgendaKind::SwapToApprove => "swap.approve",
            AgendaKind::Reminder => "reminder.complete",
            AgendaKind::IsolationCheck => "isolation.check",
            AgendaKind::WorkOrder => "order.handle",
        }
    }
}

/// One item of today's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// What it is.
    pub kind: AgendaKind,
    /// The record to open: a household, a ticket, or a gate (shifts and swaps).
    pub record_id: String,
    /// The swap, slot or visit it concerns within the record (empty when none).
    pub item_id: String,
    /// Where: a building, a gate, or a ticket's place.
    pub place_id: String,
    /// One line in Chinese, e.g. `3号楼 1单元 302：周三再来`.
    pub title: String,
    /// When it is due, if it has a time.
    pub due: Option<DateTime<Utc>>,
    /// Whether it is past due.
    pub overdue: bool,
    /// The action that clears it ([`AgendaKind::action`]).
    pub action: String,
}

impl AgendaItem {
    pub(crate) fn new(
        kind: AgendaKind,
        record_id: &str,
        place_id: &str,
        title: String,
    ) -> AgendaItem {
        AgendaItem {
            kind,
            record_id: record_id.to_owned(),
            item_id: String::new(),
            place_id: place_id.to_owned(),
            title,
            due: None,
            overdue: false,
            action: kind.action().to_owned(),
        }
    }
}

/// The open tickets a member is responsible for or in charge of, each side by its partial
/// index of migration 018 (`is_open = 1` as a literal, as the indexes name it).
const MY_OPEN_TICKETS: &str = "SELECT doc_id, place_ref, place_text, description, status, \
     reply_due_ms, resolve_due_ms FROM p_tickets WHERE is_open = 1 AND responsible = ?1 \
     UNION SELECT doc_id, place_ref, place_text, description, status, reply_due_ms, \
     resolve_due_ms FROM p_tickets WHERE is_open = 1 AND leader = ?1";

impl Linli {
    /// Today's list for the acting member on the local date `date` (see the module
    /// documentation), most urgent first.
    pub fn agenda(&self, date: NaiveDate) -> Result<Vec<AgendaItem>> {
        let now = self.now();
        let me = self.identity().member_id.clone();
        let community = self.community()?;
        let (_, day_end) = community.day_bounds_ms(date);
        let mut items = Vec::new();

        let buildings = self.buildings_of(&me)?;
        let mine = |building: &str| buildings.as_ref().is_none_or(|b| b.contains(building));

        let soon = date
            .checked_add_days(Days::new(FOLLOW_UP_SOON_DAYS))
            .unwrap_or(date);
        for f in self.follow_ups_due(soon)? {
            let (place, address) = self.household_address(&f.household_id)?;
            if !mine(&place) {
                continue;
            }
            let mut item = AgendaItem::new(
                AgendaKind::FollowUp,
                &f.household_id,
                &place,
                format!("{address}：{}", f.note),
            );
            item.item_id = f.visit_id;
            let (due_start, _) = community.day_bounds_ms(f.due);
            item.due = Some(ms_to_utc(due_start));
            item.overdue = f.due < community.local_date(now);
            items.push(item);
        }

        for h in self.watch_checks_due()? {
            if !mine(&h.building_id) {
                continue;
            }
            let (_, address) = self.household_address(&h.id)?;
            let mut item = AgendaItem::new(
                AgendaKind::WatchCheck,
                &h.id,
                &h.building_id,
                format!("{address}：{}", h.residents),
            );
            item.due = h.next_check_due;
            item.overdue = h.check == CheckState::Overdue;
            items.push(item);
        }

        // Isolated residents still to be asked today; overdue once a check is missed.
        for d in self.isolation_days(date)? {
            if !mine(&d.building_id) || d.released || d.done >= d.due {
                continue;
            }
            let (_, address) = self.household_address(&d.household_id)?;
            let mut item = AgendaItem::new(
                AgendaKind::IsolationCheck,
                &d.household_id,
                &d.building_id,
                format!(
                    "{address}：{} 居家隔离，今日已询问 {}/{} 次",
                    d.resident, d.done, d.due
                ),
            );
            item.item_id = d.isolation_id;
            item.overdue = d.missed > 0;
            items.push(item);
        }

        items.extend(self.my_tickets(&me, now)?);
        items.extend(self.my_orders(&me)?);
        items.extend(self.my_shifts(&me, now, day_end)?);
        items.extend(self.my_swaps(&me)?);
        items.extend(self.reminder_items(date)?);

        // Overdue first, then by due time (undated last), then by kind and record.
        items.sort_by(|a, b| {
            b.overdue
                .cmp(&a.overdue)
                .then_with(|| match (a.due, b.due) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.record_id.cmp(&b.record_id))
        });
        Ok(items)
    }

    /// The buildings and lanes whose households are `me`'s to visit: those they lead, and those
    /// in an area they lead; `None` for the office (every one).
    fn buildings_of(&self, me: &str) -> Result<Option<std::collections::BTreeSet<String>>> {
        self.store.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT role, place_id FROM p_member_roles WHERE member_id = ?1")?;
            let roles: Vec<(String, String)> = stmt
                .query_map([me], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            if roles.iter().any(|(role, _)| role == "office") {
                return Ok(None);
            }
            let mut places: std::collections::BTreeSet<String> = roles
                .iter()
                .filter(|(role, _)| role == "building_lead" || role == "lane_lead")
                .map(|(_, place)| place.clone())
                .collect();
            // An area's buildings and lanes lie in its compounds, or in it directly.
            let mut under = c.prepare_cached(
                "SELECT place_id FROM p_places WHERE parent_id = ?1 \
                 UNION SELECT p.place_id FROM p_places p JOIN p_places q \
                 ON p.parent_id = q.place_id WHERE q.parent_id = ?1",
            )?;
            for (_, area) in roles.iter().filter(|(role, _)| role == "area_lead") {
                for place in under.query_map([area], |r| r.get::<_, String>(0))? {
                    places.insert(place?);
                }
            }
            Ok(Some(places))
        })
    }

    /// A household's building and its address in Chinese (`3号楼 1单元 302`).
    pub(crate) fn household_address(&self, household_id: &str) -> Result<(String, String)> {
        self.store.read(|c| {
            let row: Option<(String, String, String, String)> =
                rusqlite::OptionalExtension::optional(
                    c.prepare_cached(
                        "SELECT h.building_id, COALESCE(p.name, ''), h.unit, h.room \
                     FROM p_households h LEFT JOIN p_places p ON p.place_id = h.building_id \
                     WHERE h.doc_id = ?1",
                    )?
                    .query_row([household_id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    }),
                )?;
            Ok(match row {
                Some((building, name, unit, room)) => {
                    let parts = [name.as_str(), unit.as_str(), room.as_str()];
                    let address: Vec<&str> = parts.into_iter().filter(|p| !p.is_empty()).collect();
                    (building, address.join(" "))
                }
                None => (String::new(), household_id.to_owned()),
            })
        })
    }

    /// Open tickets `me` is responsible for or in charge of, due at their next deadline.
    fn my_tickets(&self, me: &str, now: DateTime<Utc>) -> Result<Vec<AgendaItem>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(MY_OPEN_TICKETS)?;
            let rows = stmt.query_map([me], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, place_ref, place_text, description, status, reply, resolve) = row?;
                // A reply is due until the ticket was replied to; then its resolution.
                let due = if status == "replied" {
                    resolve.or(reply)
                } else {
                    reply.or(resolve)
                };
                let what: String = description.chars().take(30).collect();
                let where_ = if place_text.is_empty() {
                    String::new()
                } else {
                    format!("{place_text}：")
                };
                let mut item = AgendaItem::new(
                    AgendaKind::Ticket,
                    &id,
                    &place_ref,
                    format!("{where_}{what}"),
                );
                item.due = due.map(ms_to_utc);
                item.overdue = due.is_some_and(|d| d < now.timestamp_millis());
                out.push(item);
            }
            Ok(out)
        })
    }

    /// The open work orders of the departments `me` works for, due at their next deadline.
    fn my_orders(&self, me: &str) -> Result<Vec<AgendaItem>> {
        let units: Vec<String> = self
            .member_role_codes(me)?
            .into_iter()
            .filter(|(role, unit)| {
                role == crate::records::directory::Role::DepartmentStaff.code() && !unit.is_empty()
            })
            .map(|(_, unit)| unit)
            .collect();
        let mut out = Vec::new();
        for unit in units {
            let filter = super::cases::OrderFilter {
                unit: Some(unit),
                open_only: true,
                ..Default::default()
            };
            for o in self.orders(&filter)? {
                let what: String = o.description.chars().take(30).collect();
                let mut item = AgendaItem::new(
                    AgendaKind::WorkOrder,
                    &o.id,
                    &o.unit,
                    format!("{}：{what}（{}）", o.place_text, o.status.label_zh()),
                );
                item.due = o.reply_due.or(o.resolve_due);
                item.overdue = o.overdue;
                out.push(item);
            }
        }
        Ok(out)
    }

    /// `me`'s slots that start before the end of the day asked for (and within the hour when
    /// that is today) and have not ended, without a check-in for them yet.
    fn my_shifts(&self, me: &str, now: DateTime<Utc>, day_end: i64) -> Result<Vec<AgendaItem>> {
        let now_ms = now.timestamp_millis();
        let horizon = day_end
            .min(now_ms + SHIFT_SOON_MINUTES * 60_000)
            .max(now_ms);
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT s.gate_id, COALESCE(p.name, ''), s.shift_id, s.slot_id, s.label, \
                 s.start_ms, s.role FROM p_roster_slots s LEFT JOIN p_places p ON p.place_id = s.gate_id \
                 WHERE s.member_id = ?1 AND s.start_ms <= ?2 AND s.end_ms > ?3 \
                 AND NOT EXISTS (SELECT 1 FROM p_gate_entries e WHERE e.gate_id = s.gate_id \
                   AND e.member_id = ?1 AND e.kind IN ('check_in', 'handover') \
                   AND e.shift_id = s.shift_id AND e.slot_id = s.slot_id) \
                 ORDER BY s.start_ms",
            )?;
            let rows = stmt.query_map(rusqlite::params![me, horizon, now_ms], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (gate, gate_name, shift, slot, label, start, role) = row?;
                let role = DutyRole::parse_code(&role, "role")
                    .map(|r| r.label_zh())
                    .unwrap_or_default();
                let mut item = AgendaItem::new(
                    AgendaKind::Shift,
                    &gate,
                    &gate,
                    format!("{gate_name} {label} {role}").trim().to_owned(),
                );
                item.item_id = format!("{shift}/{slot}");
                item.due = Some(ms_to_utc(start));
                item.overdue = start < now_ms;
                out.push(item);
            }
            Ok(out)
        })
    }

    /// Swaps waiting for `me` to take them, and those waiting for `me`'s approval as the gate's
    /// lead.
    fn my_swaps(&self, me: &str) -> Result<Vec<AgendaItem>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT w.swap_id, w.gate_id, COALESCE(p.name, ''), w.status, w.requested_ms, \
                 COALESCE(m.name, w.from_member) FROM p_swaps w \
                 LEFT JOIN p_places p ON p.place_id = w.gate_id \
                 LEFT JOIN p_members m ON m.member_id = w.from_member \
                 WHERE (w.status = 'requested' AND w.to_member = ?1) \
                    OR (w.status = 'accepted' AND EXISTS (SELECT 1 FROM p_member_roles r \
                        WHERE r.member_id = ?1 AND r.role = 'gate_lead' AND r.place_id = w.gate_id)) \
                 ORDER BY w.requested_ms, w.swap_id",
            )?;
            let rows = stmt.query_map([me], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (swap, gate, gate_name, status, requested, from) = row?;
                let kind = if status == "requested" {
                    AgendaKind::SwapToAccept
                } else {
                    AgendaKind::SwapToApprove
                };
                let mut item =
                    AgendaItem::new(kind, &gate, &gate, format!("{gate_name}：{from} 申请换班"));
                item.item_id = swap;
                item.due = Some(ms_to_utc(requested));
                out.push(item);
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_s_open_tickets_are_found_by_their_indexes() {
        let plan = crate::store::migrations::query_plan(MY_OPEN_TICKETS).join("\n");
        assert!(
            plan.contains("USING COVERING INDEX p_tickets_open_responsible"),
            "{plan}"
        );
        assert!(plan.contains("p_tickets_leader"), "{plan}");
    }
}
