//! The office's reminders (民情日志): scheduled items such as an elevator's annual inspection,
//! kept in the directory. Each has a first due date and a repetition; an occurrence is done
//! once someone marks it, keyed by its due date, so that two people marking the same
//! occurrence offline converge to one completion. The current occurrence is the first one not
//! done; it is shown from `lead_days` before it is due.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::{Datelike, Months, NaiveDate};

use super::coded_enum;

/// Days before its due date a reminder shows when the office set nothing else.
pub const DEFAULT_LEAD_DAYS: i64 = 30;

coded_enum! {
    /// How a reminder repeats.
    Repeat {
        /// Once.
        Once = "once" / "一次",
        /// Every month on the first due date's day (the month's last day when it is shorter).
        Monthly = "monthly" / "每月",
        /// Every year on the first due date's day (28 February in years without a 29th).
        Yearly = "yearly" / "每年",
    }
}

/// Who marked an occurrence done, and when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hydrate, Reconcile)]
pub struct DoneMark {
    /// The member.
    pub by: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// A reminder.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Reminder {
    /// What, e.g. 3号楼电梯年检.
    pub what: String,
    /// The place it concerns (a building, a gate …), if any.
    pub place: Option<String>,
    /// The member it is for, if one.
    pub owner_member: Option<String>,
    /// The role it is for (its code), over `place`, if not one member.
    pub owner_role: Option<String>,
    /// The first due date (local `YYYY-MM-DD`).
    pub first_due: String,
    /// Days before a due date that it shows.
    pub lead_days: i64,
    /// How it repeats.
    pub repeat: Repeat,
    /// Done occurrences, by their due date (`YYYY-MM-DD`).
    pub done: BTreeMap<String, DoneMark>,
    /// The office member who created it.
    pub created_by: String,
    /// When (ms since the epoch).
    pub created_ms: i64,
}

impl Reminder {
    /// The first due date, if it reads.
    pub fn first_due_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.first_due, "%Y-%m-%d").ok()
    }

    /// The `n`th occurrence's due date (0 is the first), if it exists.
    pub fn occurrence(&self, n: u32) -> Option<NaiveDate> {
        let first = self.first_due_date()?;
        match self.repeat {
            Repeat::Once => (n == 0).then_some(first),
            // Counted from the first date, not from the last occurrence: a reminder on the
            // 31st comes back to the 31st after a shorter month.
            Repeat::Monthly => first.checked_add_months(Months::new(n)),
            Repeat::Yearly => first.checked_add_months(Months::new(n.checked_mul(12)?)),
        }
    }

    /// The first occurrence not done, if any is left.
    pub fn current(&self) -> Option<NaiveDate> {
        (0..)
            .map_while(|n| self.occurrence(n))
            .find(|d| !self.done.contains_key(&d.to_string()))
    }

    /// Whether the current occurrence shows on `today`: from `lead_days` before it.
    pub fn shows_on(&self, today: NaiveDate) -> Option<NaiveDate> {
        let due = self.current()?;
        let from = due - chrono::Duration::days(self.lead_days.max(0));
        (today >= from).then_some(due)
    }
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(to.num_days_from_ce()) - i64::from(from.num_days_from_ce())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reminder(first: &str, repeat: Repeat) -> Reminder {
        Reminder {
            what: "3号楼电梯年检".into(),
            first_due: first.into(),
            lead_days: DEFAULT_LEAD_DAYS,
            repeat,
            ..Reminder::default()
        }
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn monthly_on_the_31st_keeps_the_31st_after_short_months() {
        let r = reminder("2027-01-31", Repeat::Monthly);
        let dates: Vec<String> = (0..5)
            .map(|n| r.occurrence(n).unwrap().to_string())
            .collect();
        assert_eq!(
            dates,
            [
                "2027-01-31",
                "2027-02-28",
                "2027-03-31",
                "2027-04-30",
                "2027-05-31"
            ]
        );
    }

    #[test]
    fn yearly_on_29_february_falls_on_the_28th_in_other_years() {
        let r = reminder("2028-02-29", Repeat::Yearly);
        let dates: Vec<String> = (0..5)
            .map(|n| r.occurrence(n).unwrap().to_string())
            .collect();
        assert_eq!(
            dates,
            [
                "2028-02-29",
                "2029-02-28",
                "2030-02-28",
                "2031-02-28",
                "2032-02-29"
            ]
        );
    }

    #[test]
    fn the_current_occurrence_is_the_first_not_done_and_shows_ahead() {
        let mut r = reminder("2027-01-15", Repeat::Yearly);
        assert_eq!(r.current(), Some(date("2027-01-15")));
        assert_eq!(r.shows_on(date("2026-12-15")), None, "31 days ahead");
        assert_eq!(r.shows_on(date("2026-12-16")), Some(date("2027-01-15")));
        r.done.insert("2027-01-15".into(), DoneMark::default());
        assert_eq!(r.current(), Some(date("2028-01-15")));
        let mut once = reminder("2027-01-15", Repeat::Once);
        once.done.insert("2027-01-15".into(), DoneMark::default());
        assert_eq!(once.current(), None);
        assert_eq!(days_between(date("2027-01-01"), date("2027-01-21")), 20);
    }
}
