//! The day-end report of a community for one local date: visits per lead and households
//! covered, watch checks done against due, tickets by level, duty slots planned against
//! checked in (per shift and slot), and gate entries by kind. Computed from projections only;
//! rendered as CSV and Markdown (Chinese headings) by [`render`].

pub mod render;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::api::Linli;
use crate::error::Result;
use crate::records::Coded;
use crate::records::gate_log::{self, Attendance};
use crate::records::ticket::Level;

/// Visits logged by one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadVisits {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// Visits.
    pub visits: u32,
    /// Distinct households visited.
    pub households: u32,
    /// Visits where the residents were met.
    pub met: u32,
    /// Visits with a health concern.
    pub health_concerns: u32,
    /// Follow-ups asked for.
    pub follow_ups: u32,
}

/// Watch checks of the day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchSummary {
    /// Households under watch.
    pub households: u32,
    /// Checks due that day.
    pub due: u32,
    /// Checks done, counted up to what was due per household.
    pub done: u32,
    /// Households that got fewer checks than due.
    pub households_short: u32,
}

/// Ticket activity at one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLevelRow {
    /// Level.
    pub level: Level,
    /// Reported that day (by the ticket's current level).
    pub opened: u32,
    /// Accepted that day.
    pub accepted: u32,
    /// Escalated to this level that day.
    pub escalated: u32,
    /// Resolved that day.
    pub resolved: u32,
    /// Overdue at the end of the day.
    pub overdue: u32,
    /// Still open.
    pub open: u32,
}

/// One department's work orders (大联动).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentRow {
    /// The department (a directory place id).
    pub unit: String,
    /// Its name.
    pub name: String,
    /// Orders dispatched to it that day.
    pub received: u32,
    /// Orders it answered that day (its first reply or resolution), by the deadline the order
    /// carried or without one.
    pub answered_in_time: u32,
    /// Orders it answered that day after their deadline.
    pub answered_late: u32,
    /// Orders open at the end of the day past a deadline.
    pub overdue: u32,
    /// Orders still open.
    pub open: u32,
}

/// The needs list's day (需求清单).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedCounts {
    /// Needs recorded that day.
    pub recorded: u32,
    /// Needs claimed that day.
    pub claimed: u32,
    /// Services given that day.
    pub services: u32,
    /// Their minutes.
    pub minutes: u32,
    /// Needs confirmed served that day.
    pub confirmed: u32,
    /// Needs nobody claimed at the end of the day.
    pub open: u32,
}

/// A subject's counted ratings in a published round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedSubject {
    /// 片区长 or 共建单位.
    pub kind: crate::records::round::SubjectKind,
    /// The member or unit id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Ratings counted.
    pub ratings: u32,
    /// Their mean in hundredths.
    pub mean_x100: u32,
}

/// A candidate's counted votes in a published round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedCandidate {
    /// The lead's member id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Votes counted.
    pub votes: u32,
}

/// An evaluation round the office closed that day, as published (评议结果).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRound {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Per subject.
    pub subjects: Vec<PublishedSubject>,
    /// Per candidate, most votes first.
    pub candidates: Vec<PublishedCandidate>,
    /// 最美楼栋长's name, if anyone voted.
    pub winner: Option<String>,
    /// Members who voted more than once (one vote each counted).
    pub double_voters: u32,
}

/// Duty at one gate. Attendance counts planned slots only, each once:
/// `on_time + late + no_show + pending == planned`; the slots nobody was assigned to
/// (`slots - planned`) count in none of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateDuty {
    /// Gate id.
    pub gate_id: String,
    /// Gate name.
    pub gate_name: String,
    /// Slots of shifts starting that day.
    pub slots: u32,
    /// Of them, with a member assigned.
    pub planned: u32,
    /// Planned slots covered on time.
    pub on_time: u32,
    /// Planned slots covered late.
    pub late: u32,
    /// Planned slots not covered by the end of their shift.
    pub no_show: u32,
    /// Planned slots not covered yet whose shift has not ended: late or no-show is not
    /// decided yet.
    pub pending: u32,
}

/// Entries of one kind at one gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateEntryCount {
    /// Gate id.
    pub gate_id: String,
    /// Gate name.
    pub gate_name: String,
    /// Kind code.
    pub kind: String,
    /// Count.
    pub count: u32,
    /// Of them flagged (fever, incident).
    pub flagged: u32,
}

/// The day-end report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayReport {
    /// Community name.
    pub community: String,
    /// The local date.
    pub date: NaiveDate,
    /// Visits per lead, by name.
    pub visits: Vec<LeadVisits>,
    /// Total visits.
    pub total_visits: u32,
    /// Distinct households visited.
    pub households_covered: u32,
    /// Watch checks.
    pub watch: WatchSummary,
    /// Tickets by level (community, street, county).
    pub tickets: Vec<TicketLevelRow>,
    /// Work orders by department, for every department with any.
    pub departments: Vec<DepartmentRow>,
    /// The needs list.
    pub needs: NeedCounts,
    /// Evaluation rounds closed that day, with their results.
    pub evaluations: Vec<PublishedRound>,
    /// Duty by gate.
    pub duty: Vec<GateDuty>,
    /// Gate entries by gate and kind.
    pub gate_entries: Vec<GateEntryCount>,
    /// The office's reminders (民情日志): due, done and overdue that day.
    pub reminders: crate::api::reminders::ReminderCounts,
    /// Residents who arrived (returnees) or moved in that day.
    pub arrivals: u32,
    /// Residents who moved out that day.
    pub departures: u32,
    /// Home isolation checks per isolated resident's household (by address, no name).
    pub isolation: Vec<IsolationRow>,
}

/// One isolated resident's checks of the day, by their household's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsolationRow {
    /// The household.
    pub household_id: String,
    /// Its address (building, unit, room).
    pub address: String,
    /// Checks due.
    pub due: u32,
    /// Checks done.
    pub done: u32,
    /// Checks missed (so far, for today).
    pub missed: u32,
    /// Checks with a fever or a symptom.
    pub flagged: u32,
}

fn count(c: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<u32> {
    Ok(c.query_row(sql, p, |r| r.get(0))?)
}

impl Linli {
    /// The day-end report for the local date `date`.
    pub fn day_report(&self, date: NaiveDate) -> Result<DayReport> {
        let community = self.community()?;
        let (start, end) = community.day_bounds_ms(date);
        let now_ms = self.now().timestamp_millis();
        let mut report = self.store.read(|c| {
            Ok(DayReport {
                community: community.name.clone(),
                date,
                visits: lead_visits(c, start, end)?,
                total_visits: count(
                    c,
                    "SELECT COUNT(*) FROM p_visits WHERE at_ms >= ?1 AND at_ms < ?2",
                    params![start, end],
                )?,
                households_covered: count(
                    c,
                    "SELECT COUNT(DISTINCT doc_id) FROM p_visits WHERE at_ms >= ?1 AND at_ms < ?2",
                    params![start, end],
                )?,
                watch: watch_summary(c, start, end)?,
                tickets: ticket_levels(c, start, end)?,
                departments: department_orders(c, start, end)?,
                needs: need_counts(c, start, end)?,
                evaluations: Vec::new(),
                duty: Vec::new(),
                gate_entries: gate_entries(c, start, end)?,
                reminders: Default::default(),
                arrivals: 0,
                departures: 0,
                isolation: Vec::new(),
            })
        })?;
        report.duty = self.gate_duty(start, end, now_ms)?;
        report.evaluations = self.rounds_closed(start, end)?;
        report.reminders = self.reminder_counts(date)?;
        (report.arrivals, report.departures) = self.arrivals_and_departures(date)?;
        for d in self.isolation_days(date)? {
            report.isolation.push(IsolationRow {
                address: self.household_address(&d.household_id)?.1,
                household_id: d.household_id,
                due: d.due as u32,
                done: d.done as u32,
                missed: d.missed as u32,
                flagged: d.flagged as u32,
            });
        }
        Ok(report)
    }

    /// The rounds closed within `[start, end)`, published with names.
    fn rounds_closed(&self, start: i64, end: i64) -> Result<Vec<PublishedRound>> {
        let results: Vec<String> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT result FROM p_rounds WHERE closed_ms >= ?1 AND closed_ms < ?2 ORDER BY month",
            )?;
            let rows = stmt.query_map(params![start, end], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let member = |id: &str| {
            self.member(id)
                .map(|m| m.name)
                .unwrap_or_else(|_| id.to_owned())
        };
        let mut out = Vec::new();
        for json in results {
            let r: crate::records::round::RoundResult = serde_json::from_str(&json)
                .map_err(|e| crate::error::Error::document("evaluation round", e))?;
            let mut subjects = Vec::new();
            for s in &r.subjects {
                let name = match s.kind {
                    crate::records::round::SubjectKind::AreaLead => member(&s.subject),
                    crate::records::round::SubjectKind::Unit => self.place_name(&s.subject)?,
                };
                subjects.push(PublishedSubject {
                    kind: s.kind,
                    id: s.subject.clone(),
                    name,
                    ratings: s.ratings,
                    mean_x100: s.mean_x100,
                });
            }
            out.push(PublishedRound {
                month: r.month.clone(),
                subjects,
                candidates: r
                    .candidates
                    .iter()
                    .map(|c| PublishedCandidate {
                        id: c.candidate.clone(),
                        name: member(&c.candidate),
                        votes: c.votes,
                    })
                    .collect(),
                winner: r.winner.as_deref().map(member),
                double_voters: r.double_voters.len() as u32,
            });
        }
        Ok(out)
    }

    /// Duty at every gate with shifts starting on the local date `date`: the day-end report's
    /// own counts, without the rest of the report (the office's week of duty reads seven).
    pub fn duty_of_day(&self, date: NaiveDate) -> Result<Vec<GateDuty>> {
        let (start, end) = self.community()?.day_bounds_ms(date);
        self.gate_duty(start, end, self.now().timestamp_millis())
    }

    fn gate_duty(&self, start: i64, end: i64, now_ms: i64) -> Result<Vec<GateDuty>> {
        let gates: Vec<(String, String)> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT s.gate_id, COALESCE(p.name, s.gate_id) FROM p_roster_slots s \
                 LEFT JOIN p_places p ON p.place_id = s.gate_id \
                 WHERE s.start_ms >= ?1 AND s.start_ms < ?2 ORDER BY 2, 1",
            )?;
            let rows = stmt.query_map(params![start, end], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        let mut out = Vec::new();
        for (gate_id, gate_name) in gates {
            let slots: Vec<_> = self
                .running_slots(&gate_id, start, end)?
                .into_iter()
                .filter(|s| s.start_ms >= start && s.start_ms < end)
                .collect();
            let last_end = slots.iter().map(|s| s.end_ms).max().unwrap_or(end);
            let events = self.duty_events(&gate_id, start - 3_600_000, last_end)?;
            let mut duty = GateDuty {
                gate_id: gate_id.clone(),
                gate_name,
                slots: slots.len() as u32,
                planned: 0,
                on_time: 0,
                late: 0,
                no_show: 0,
                pending: 0,
            };
            for s in slots.iter().filter(|s| s.member.is_some()) {
                duty.planned += 1;
                match gate_log::attendance(
                    &events,
                    &s.shift_id,
                    &s.slot_id,
                    s.start_ms,
                    s.end_ms,
                    now_ms,
                ) {
                    (Attendance::OnTime, _) => duty.on_time += 1,
                    (Attendance::Late, Some(_)) => duty.late += 1,
                    (Attendance::NoShow, _) => duty.no_show += 1,
                    // Not covered yet and the shift still runs (or has not begun).
                    (Attendance::Late, None) | (Attendance::Pending, _) => duty.pending += 1,
                }
            }
            out.push(duty);
        }
        Ok(out)
    }
}

fn lead_visits(c: &Connection, start: i64, end: i64) -> Result<Vec<LeadVisits>> {
    let mut stmt = c.prepare_cached(
        "SELECT v.lead, COALESCE(m.name, v.lead), COUNT(*), COUNT(DISTINCT v.doc_id), \
         SUM(v.outcome = 'met'), SUM(v.health_concern), SUM(v.follow_up_due IS NOT NULL) \
         FROM p_visits v LEFT JOIN p_members m ON m.member_id = v.lead \
         WHERE v.at_ms >= ?1 AND v.at_ms < ?2 GROUP BY v.lead ORDER BY 2, 1",
    )?;
    let rows = stmt.query_map(params![start, end], |r| {
        Ok(LeadVisits {
            member_id: r.get(0)?,
            name: r.get(1)?,
            visits: r.get(2)?,
            households: r.get(3)?,
            met: r.get(4)?,
            health_concerns: r.get(5)?,
            follow_ups: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Checks due per household that day: N for N-a-day plans; for every-N-days plans, one when
/// the last check before the day lies N days or more before the day's end (or there was none).
fn watch_summary(c: &Connection, start: i64, end: i64) -> Result<WatchSummary> {
    let mut stmt = c.prepare_cached(
        "SELECT h.doc_id, h.watch_frequency, h.watch_n, \
         (SELECT MAX(at_ms) FROM p_visits v WHERE v.doc_id = h.doc_id AND v.is_check = 1 AND v.at_ms < ?1), \
         (SELECT COUNT(*) FROM p_visits v WHERE v.doc_id = h.doc_id AND v.is_check = 1 AND v.at_ms >= ?1 AND v.at_ms < ?2) \
         FROM p_households h WHERE h.watch_frequency IS NOT NULL AND h.created_ms < ?2",
    )?;
    let rows = stmt.query_map(params![start, end], |r| {
        Ok((
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut s = WatchSummary::default();
    for row in rows {
        let (frequency, n, last_before, done_today) = row?;
        let due = if frequency == "times_per_day" {
            n
        } else {
            match last_before {
                Some(last) if last + n * 86_400_000 >= end => 0,
                _ => 1,
            }
        };
        s.households += 1;
        s.due += due as u32;
        s.done += done_today.min(due) as u32;
        if done_today < due {
            s.households_short += 1;
        }
    }
    Ok(s)
}

fn ticket_levels(c: &Connection, start: i64, end: i64) -> Result<Vec<TicketLevelRow>> {
    let mut by_level: BTreeMap<Level, TicketLevelRow> = Level::ALL
        .iter()
        .map(|l| {
            (
                *l,
                TicketLevelRow {
                    level: *l,
                    opened: 0,
                    accepted: 0,
                    escalated: 0,
                    resolved: 0,
                    overdue: 0,
                    open: 0,
                },
            )
        })
        .collect();
    let mut stmt = c.prepare_cached(
        "SELECT t.level, e.action, COUNT(*) FROM p_ticket_events e JOIN p_tickets t USING (doc_id) \
         WHERE e.at_ms >= ?1 AND e.at_ms < ?2 AND e.action IN ('reported', 'accepted', 'resolved') \
         GROUP BY t.level, e.action",
    )?;
    for row in stmt.query_map(params![start, end], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, u32>(2)?,
        ))
    })? {
        let (level, action, n) = row?;
        if let Some(entry) = by_level.get_mut(&Level::parse_code(&level, "level")?) {
            match action.as_str() {
                "reported" => entry.opened = n,
                "accepted" => entry.accepted = n,
                _ => entry.resolved = n,
            }
        }
    }
    let mut stmt = c.prepare_cached(
        "SELECT level_to, COUNT(*) FROM p_ticket_events WHERE at_ms >= ?1 AND at_ms < ?2 \
         AND action = 'escalated' GROUP BY level_to",
    )?;
    for row in stmt.query_map(params![start, end], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
    })? {
        let (level, n) = row?;
        if let Some(entry) = by_level.get_mut(&Level::parse_code(&level, "level")?) {
            entry.escalated = n;
        }
    }
    let mut stmt = c.prepare_cached(
        "SELECT level, SUM(reply_due_ms < ?1 OR resolve_due_ms < ?1), SUM(is_open) FROM p_tickets \
         WHERE reported_ms < ?1 GROUP BY level",
    )?;
    for row in stmt.query_map(params![end], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<u32>>(1)?,
            r.get::<_, u32>(2)?,
        ))
    })? {
        let (level, overdue, open) = row?;
        if let Some(entry) = by_level.get_mut(&Level::parse_code(&level, "level")?) {
            entry.overdue = overdue.unwrap_or(0);
            entry.open = open;
        }
    }
    Ok(by_level.into_values().collect())
}

/// Each department's work orders: received, answered (in time or late) that day, and open and
/// overdue at the day's end.
fn department_orders(c: &Connection, start: i64, end: i64) -> Result<Vec<DepartmentRow>> {
    // An order's answer is its first reply (a resolution is a reply too) when it carries a
    // reply deadline or none, its resolution when it carries only a resolution deadline.
    let mut stmt = c.prepare_cached(
        "SELECT unit, name, SUM(dispatched_ms >= ?1 AND dispatched_ms < ?2), \
         SUM(answer_ms >= ?1 AND answer_ms < ?2 AND (due_ms IS NULL OR answer_ms <= due_ms)), \
         SUM(answer_ms >= ?1 AND answer_ms < ?2 AND answer_ms > due_ms), \
         SUM(is_open = 1 AND answer_ms IS NULL AND due_ms < ?2), SUM(is_open) \
         FROM (SELECT o.unit, COALESCE(p.name, o.unit) AS name, o.dispatched_ms, o.is_open, \
               COALESCE(o.reply_due_ms, o.resolve_due_ms) AS due_ms, \
               CASE WHEN o.reply_due_ms IS NOT NULL OR o.resolve_due_ms IS NULL \
                    THEN o.replied_ms ELSE o.resolved_ms END AS answer_ms \
               FROM p_cases o LEFT JOIN p_places p ON p.place_id = o.unit \
               WHERE o.dispatched_ms < ?2) \
         GROUP BY unit ORDER BY name, unit",
    )?;
    let rows = stmt.query_map(params![start, end], |r| {
        Ok(DepartmentRow {
            unit: r.get(0)?,
            name: r.get(1)?,
            received: r.get::<_, Option<u32>>(2)?.unwrap_or(0),
            answered_in_time: r.get::<_, Option<u32>>(3)?.unwrap_or(0),
            answered_late: r.get::<_, Option<u32>>(4)?.unwrap_or(0),
            overdue: r.get::<_, Option<u32>>(5)?.unwrap_or(0),
            open: r.get::<_, Option<u32>>(6)?.unwrap_or(0),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn need_counts(c: &Connection, start: i64, end: i64) -> Result<NeedCounts> {
    let within = |column: &str| {
        count(
            c,
            &format!("SELECT COUNT(*) FROM p_needs WHERE {column} >= ?1 AND {column} < ?2"),
            params![start, end],
        )
    };
    let (services, minutes): (u32, u32) = c.query_row(
        "SELECT COUNT(*), COALESCE(SUM(minutes), 0) FROM p_need_services          WHERE at_ms >= ?1 AND at_ms < ?2",
        params![start, end],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(NeedCounts {
        recorded: within("recorded_ms")?,
        claimed: within("claimed_ms")?,
        services,
        minutes,
        confirmed: within("confirmed_ms")?,
        open: count(
            c,
            "SELECT COUNT(*) FROM p_needs WHERE recorded_ms < ?1              AND (claimed_ms IS NULL OR claimed_ms >= ?1)",
            params![end],
        )?,
    })
}

fn gate_entries(c: &Connection, start: i64, end: i64) -> Result<Vec<GateEntryCount>> {
    let mut stmt = c.prepare_cached(
        "SELECT e.gate_id, COALESCE(p.name, e.gate_id), e.kind, COUNT(*), SUM(e.flagged) \
         FROM p_gate_entries e LEFT JOIN p_places p ON p.place_id = e.gate_id \
         WHERE e.at_ms >= ?1 AND e.at_ms < ?2 GROUP BY e.gate_id, e.kind ORDER BY 2, 1, 3",
    )?;
    let rows = stmt.query_map(params![start, end], |r| {
        Ok(GateEntryCount {
            gate_id: r.get(0)?,
            gate_name: r.get(1)?,
            kind: r.get(2)?,
            count: r.get(3)?,
            flagged: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
