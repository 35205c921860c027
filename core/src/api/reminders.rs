//! The office's reminders (民情日志; see [`crate::records::reminder`]): the office creates them,
//! the members they concern see them on today's list from their lead time and mark each
//! occurrence done, and the day-end report counts them.

use automerge::ReadDoc;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;

use super::Linli;
use super::agenda::{AgendaItem, AgendaKind};
use crate::error::{Error, ErrorCode, Result};
use crate::ids::new_id;
use crate::records::Coded;
use crate::records::directory::{DirectoryDoc, Role};
use crate::records::reminder::{DEFAULT_LEAD_DAYS, DoneMark, Reminder, Repeat, days_between};
use crate::records::validate;

/// A reminder to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderInput {
    /// What, e.g. 3号楼电梯年检.
    pub what: String,
    /// The place it concerns, if any.
    pub place: Option<String>,
    /// The member it is for; or
    pub owner_member: Option<String>,
    /// the role it is for, over `place` (none of both: the office).
    pub owner_role: Option<Role>,
    /// The first due date (local).
    pub first_due: NaiveDate,
    /// Days ahead it shows (30 when none; 0 to 366).
    pub lead_days: Option<i64>,
    /// How it repeats.
    pub repeat: Repeat,
}

/// A reminder as lists show it, on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRow {
    /// Id.
    pub id: String,
    /// What.
    pub what: String,
    /// The place's id and name (empty when none).
    pub place_id: String,
    /// The place's name.
    pub place_name: String,
    /// The current occurrence's due date (none when a one-time reminder is done).
    pub due: Option<NaiveDate>,
    /// Days left until it (negative: overdue).
    pub days_left: Option<i64>,
    /// How it repeats.
    pub repeat: Repeat,
    /// Who it is for, in words (a member's name, a role with its place, or 社区办公室).
    pub owner: String,
    /// Occurrences done.
    pub done_count: u32,
    /// The last completion: who and when (ms).
    pub last_done: Option<(String, i64)>,
}

/// Reminders of a day, counted for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderCounts {
    /// Occurrences due that day or showing (within their lead time) and not done.
    pub due: u32,
    /// Occurrences marked done that day.
    pub done: u32,
    /// Occurrences past their due date and not done.
    pub overdue: u32,
}

impl Linli {
    /// Creates a reminder (the office only). Returns its id.
    pub fn add_reminder(&self, input: &ReminderInput) -> Result<String> {
        self.require_role("add a reminder", &[], "community")?;
        let what = validate::required_text("what", &input.what)?;
        let place = input
            .place
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(p) = place
            && self.place_kind(p)?.is_none()
        {
            return Err(Error::invalid(
                "place",
                ErrorCode::NoSuchPlace,
                format!("no place with id {p}"),
            ));
        }
        let owner_member = input
            .owner_member
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty());
        if let Some(m) = owner_member
            && self.member_name(m).is_err()
        {
            return Err(Error::invalid(
                "owner_member",
                ErrorCode::NoSuchMember,
                format!("no member {m}"),
            ));
        }
        let lead_days = input.lead_days.unwrap_or(DEFAULT_LEAD_DAYS);
        if !(0..=366).contains(&lead_days) {
            return Err(Error::invalid(
                "lead_days",
                ErrorCode::OutOfRange,
                "show it 0 to 366 days ahead",
            ));
        }
        let now = self.now();
        let id = new_id(now);
        let reminder = Reminder {
            what,
            place: place.map(str::to_owned),
            owner_member: owner_member.map(str::to_owned),
            owner_role: input.owner_role.map(|r| r.code().to_owned()),
            first_due: input.first_due.to_string(),
            lead_days,
            repeat: input.repeat,
            done: Default::default(),
            created_by: self.identity.member_id.clone(),
            created_ms: now.timestamp_millis(),
        };
        let doc_id = self.community()?.directory_doc;
        self.write(|w| {
            w.edit(&doc_id, "reminder.add", |e| {
                // A directory made before reminders has no map for them yet.
                e.ensure_root_map("reminders")?;
                e.put(&["reminders", &id], &reminder)
            })?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Marks the reminder's current occurrence done by the acting member (the office, or a
    /// member it concerns). Returns the next occurrence's due date, if it repeats.
    pub fn complete_reminder(&self, id: &str) -> Result<Option<NaiveDate>> {
        let me = self.identity.member_id.clone();
        let mut reminder = self.reminder(id)?;
        if !self.concerns_me(&reminder)? {
            return Err(Error::forbidden(
                "complete a reminder",
                ErrorCode::NotForYou,
                format!("{} is not for {me}", reminder.what),
            ));
        }
        let due = reminder.current().ok_or_else(|| Error::InvalidState {
            record: "reminder",
            id: id.to_owned(),
            code: ErrorCode::ReminderDone,
            message: "every occurrence is done already".into(),
        })?;
        let key = due.to_string();
        let mark = DoneMark {
            by: me,
            at_ms: self.now().timestamp_millis(),
        };
        let doc_id = self.community()?.directory_doc;
        self.write(|w| {
            w.edit(&doc_id, "reminder.complete", |e| {
                e.put(&["reminders", id, "done", &key], &mark)
            })?;
            Ok(())
        })?;
        reminder.done.insert(key, mark);
        Ok(reminder.current())
    }

    /// The reminders this member sees (those that concern them; every one for the office), on
    /// the local date `today`, soonest first.
    pub fn reminders(&self, today: NaiveDate) -> Result<Vec<ReminderRow>> {
        let mut rows = Vec::new();
        for (id, r) in self.all_reminders()? {
            if !self.concerns_me(&r)? {
                continue;
            }
            let due = r.current();
            let last_done = r
                .done
                .values()
                .max_by_key(|d| d.at_ms)
                .map(|d| (d.by.clone(), d.at_ms));
            let place_id = r.place.clone().unwrap_or_default();
            rows.push(ReminderRow {
                place_name: if place_id.is_empty() {
                    String::new()
                } else {
                    self.place_name(&place_id).unwrap_or_default()
                },
                place_id,
                owner: self.owner_words(&r)?,
                days_left: due.map(|d| days_between(today, d)),
                due,
                what: r.what.clone(),
                repeat: r.repeat,
                done_count: r.done.len() as u32,
                last_done,
                id,
            });
        }
        rows.sort_by(|a, b| (a.due.is_none(), a.due, &a.id).cmp(&(b.due.is_none(), b.due, &b.id)));
        Ok(rows)
    }

    /// Today's list's reminders: the current occurrences within their lead time.
    pub(crate) fn reminder_items(&self, today: NaiveDate) -> Result<Vec<AgendaItem>> {
        let community = self.community()?;
        let mut items = Vec::new();
        for row in self.reminders(today)? {
            let Some(due) = row.due.filter(|_| row.days_left.is_some_and(|d| d <= 366)) else {
                continue;
            };
            let r = self.reminder(&row.id)?;
            if r.shows_on(today).is_none() {
                continue;
            }
            let title = if row.place_name.is_empty() {
                row.what.clone()
            } else {
                format!("{}：{}", row.place_name, row.what)
            };
            let mut item = AgendaItem::new(AgendaKind::Reminder, &row.id, &row.place_id, title);
            item.item_id = due.to_string();
            let (start, _) = community.day_bounds_ms(due);
            item.due = Some(crate::ids::ms_to_utc(start));
            item.overdue = due < today;
            items.push(item);
        }
        Ok(items)
    }

    /// The reminders counted for the day-end report of `date`.
    pub fn reminder_counts(&self, date: NaiveDate) -> Result<ReminderCounts> {
        let community = self.community()?;
        let (start, end) = community.day_bounds_ms(date);
        let mut counts = ReminderCounts::default();
        for (_, r) in self.all_reminders()? {
            counts.done += r
                .done
                .values()
                .filter(|d| (start..end).contains(&d.at_ms))
                .count() as u32;
            match r.current() {
                Some(due) if due < date => counts.overdue += 1,
                Some(_) if r.shows_on(date).is_some() => counts.due += 1,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// Every reminder, from the projections.
    fn all_reminders(&self) -> Result<Vec<(String, Reminder)>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT reminder_id, what, place_id, owner_member, owner_role, first_due, \
                 lead_days, repeat, created_by, created_ms FROM p_reminders ORDER BY reminder_id",
            )?;
            let rows = stmt.query_map([], |r| {
                let repeat: String = r.get(7)?;
                Ok((
                    r.get::<_, String>(0)?,
                    Reminder {
                        what: r.get(1)?,
                        place: r.get(2)?,
                        owner_member: r.get(3)?,
                        owner_role: r.get(4)?,
                        first_due: r.get(5)?,
                        lead_days: r.get(6)?,
                        repeat: Repeat::parse_code(&repeat, "repeat").unwrap_or_default(),
                        done: Default::default(),
                        created_by: r.get(8)?,
                        created_ms: r.get(9)?,
                    },
                ))
            })?;
            let mut all: Vec<(String, Reminder)> = rows.collect::<rusqlite::Result<_>>()?;
            let mut stmt =
                c.prepare_cached("SELECT reminder_id, due, by_member, at_ms FROM p_reminder_done")?;
            let marks = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    DoneMark {
                        by: r.get(2)?,
                        at_ms: r.get(3)?,
                    },
                ))
            })?;
            for mark in marks {
                let (id, due, mark) = mark?;
                if let Some((_, r)) = all.iter_mut().find(|(r, _)| *r == id) {
                    r.done.insert(due, mark);
                }
            }
            Ok(all)
        })
    }

    fn reminder(&self, id: &str) -> Result<Reminder> {
        self.all_reminders()?
            .into_iter()
            .find(|(r, _)| r == id)
            .map(|(_, r)| r)
            .ok_or_else(|| Error::NotFound {
                what: "reminder",
                id: id.to_owned(),
            })
    }

    /// Whether the reminder concerns the acting member: it is theirs, or for a role they
    /// hold over its place, or they are the office.
    fn concerns_me(&self, r: &Reminder) -> Result<bool> {
        if self.acting_member_holds(Role::Office, None)? {
            return Ok(true);
        }
        if r.owner_member.as_deref() == Some(self.identity.member_id.as_str()) {
            return Ok(true);
        }
        match r.owner_role.as_deref().and_then(Role::from_code) {
            Some(role) => self.acting_member_holds(role, r.place.as_deref()),
            None => Ok(false),
        }
    }

    fn member_name(&self, id: &str) -> Result<String> {
        self.store.read(|c| {
            c.query_row(
                "SELECT name FROM p_members WHERE member_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "member",
                id: id.to_owned(),
            })
        })
    }

    fn owner_words(&self, r: &Reminder) -> Result<String> {
        if let Some(m) = &r.owner_member {
            return Ok(self.member_name(m).unwrap_or_else(|_| m.clone()));
        }
        if let Some(role) = r.owner_role.as_deref().and_then(Role::from_code) {
            let place = r
                .place
                .as_deref()
                .and_then(|p| self.place_name(p).ok())
                .unwrap_or_default();
            return Ok(format!("{place}{}", role.label_zh()));
        }
        Ok("社区办公室".into())
    }
}

/// Whether every operation of `changes` (decoded), applied to the directory `doc`, writes
/// inside a reminder's done marks (`reminders/<id>/done`, or a mark it creates there): what a
/// member who is not the office may touch. Fields the directory's record does not read are
/// caught here, where a comparison of records would not see them.
pub(crate) fn touches_only_done_marks(
    doc: &automerge::AutoCommit,
    changes: &[automerge::ExpandedChange],
) -> bool {
    use automerge::legacy::{Key, ObjectId, OpType};
    use automerge::{ObjType as Made, Prop};
    changes.iter().flat_map(|c| &c.operations).all(|op| {
        let ObjectId::Id(obj) = &op.obj else {
            return false;
        };
        let Some(path) = doc
            .import(&obj.to_string())
            .ok()
            .and_then(|(obj, _)| doc.parents(&obj).ok())
            .map(|parents| parents.take(5).collect::<Vec<_>>())
        else {
            return false;
        };
        // From the root: [reminders, <reminder>, done] or [reminders, <reminder>, done,
        // <due date>] (a mark the change made).
        let props: Vec<String> = path
            .iter()
            .rev()
            .map(|p| match &p.prop {
                Prop::Map(k) => k.clone(),
                Prop::Seq(i) => format!("#{i}"),
            })
            .collect();
        let key = match &op.key {
            Key::Map(k) => k.as_str(),
            Key::Seq(_) => return false,
        };
        match props.as_slice() {
            // A mark made under an occurrence's due date.
            [r, _, d] if r == "reminders" && d == "done" => {
                matches!(op.action, OpType::Make(Made::Map))
                    && NaiveDate::parse_from_str(key, "%Y-%m-%d").is_ok()
            }
            // Its two fields, plain values.
            [r, _, d, _] if r == "reminders" && d == "done" => {
                matches!(op.action, OpType::Put(_)) && matches!(key, "by" | "at_ms")
            }
            _ => false,
        }
    })
}

/// Whether `pusher`, who is not the office, may have changed `before` into `after`: only by
/// marking occurrences of reminders that concern them done in their own name (the relay's
/// rules, [`crate::rules`]).
pub(crate) fn only_own_completions(
    before: &DirectoryDoc,
    after: &DirectoryDoc,
    member: &str,
    holds: impl Fn(Role, Option<&str>) -> bool,
) -> bool {
    let strip = |d: &DirectoryDoc| {
        let mut d = d.clone();
        for r in d.reminders.values_mut() {
            r.done.clear();
        }
        d
    };
    if strip(before) != strip(after) {
        return false;
    }
    after.reminders.iter().all(|(id, r)| {
        let old = before.reminders.get(id);
        let concerned = r.owner_member.as_deref() == Some(member)
            || r.owner_role
                .as_deref()
                .and_then(Role::from_code)
                .is_some_and(|role| holds(role, r.place.as_deref()));
        // A new mark is the member's own, for the occurrence that was current.
        let current = old.and_then(|o| o.current()).map(|d| d.to_string());
        r.done
            .iter()
            .all(|(due, mark)| match old.and_then(|o| o.done.get(due)) {
                Some(kept) => kept == mark,
                None => concerned && mark.by == member && current.as_deref() == Some(due.as_str()),
            })
            && old.is_none_or(|o| o.done.keys().all(|k| r.done.contains_key(k)))
    })
}
