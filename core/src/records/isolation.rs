//! Home isolation (居家隔离): a resident isolated at home from a start date to a planned end,
//! asked about their temperature and health several times a day (一日三次询问体温及健康情况);
//! each check records a temperature and a fixed list of symptoms, and a fever or a symptom flags
//! it for the office; the lead runs the household's errands (药品, 食品, 垃圾清运) and marks them
//! delivered; a release records who and when.
//!
//! # When checks fall due
//!
//! The checks are timed by the watch plan's rules ([`WatchPlan`], *n* times a day): a day's
//! *k*-th check (k = 1 … n) falls due at the day's start plus *k* intervals and is missed once
//! its grace (a quarter of the interval) has passed without *k* checks that day. With three a
//! day: by 08:00, 16:00 and midnight, missed after 10:00, 18:00 and 02:00 the next day. A day's
//! checks are those made from its start plus the grace to its end plus the grace (a check at
//! 01:00 is the previous day's late third, one at 07:00 the day's first). On the first day only
//! the checks falling due after the isolation began count.

use autosurgeon::{Hydrate, Reconcile};

use super::coded_enum;
use super::gate_log::FEVER_FROM_C;
use super::household::{WatchFrequency, WatchPlan};

/// Checks a day when none is given (一日三次).
pub const DEFAULT_CHECKS_PER_DAY: u32 = 3;
/// The most checks a day.
pub const MAX_CHECKS_PER_DAY: u32 = 12;
/// The longest isolation, in days.
pub const MAX_ISOLATION_DAYS: u64 = 60;

coded_enum! {
    /// A symptom asked about at each check.
    Symptom {
        /// 发热 (felt feverish, whatever the reading).
        Fever = "fever" / "发热",
        /// 咳嗽.
        Cough = "cough" / "咳嗽",
        /// 乏力.
        Fatigue = "fatigue" / "乏力",
        /// 咽痛.
        SoreThroat = "sore_throat" / "咽痛",
        /// 腹泻.
        Diarrhoea = "diarrhoea" / "腹泻",
        /// 其他 (said in the check's text).
        Other = "other" / "其他",
    }
}

coded_enum! {
    /// What a household in isolation needs brought or taken away.
    ErrandKind {
        /// 药品.
        Medicine = "medicine" / "药品",
        /// 食品.
        Food = "food" / "食品",
        /// 垃圾清运.
        Rubbish = "rubbish" / "垃圾清运",
        /// 其他.
        Other = "other" / "其他",
    }
}

/// A resident under home isolation.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Isolation {
    /// The resident (an id of the household's residents).
    pub resident_id: String,
    /// First day (local `YYYY-MM-DD`).
    pub start: String,
    /// Planned last day.
    pub planned_end: String,
    /// Checks a day.
    pub checks_per_day: i64,
    /// Who put them under isolation.
    pub started_by: String,
    /// When (ms since the epoch): the first day's checks due before it do not count.
    #[autosurgeon(missing = "Default::default")]
    pub started_ms: i64,
    /// Who released them, once released.
    pub released_by: Option<String>,
    /// When (ms since the epoch).
    pub released_ms: Option<i64>,
}

impl Isolation {
    /// The watch plan whose rules time the checks. The count is bounded here, not only where
    /// an isolation is started: a record written by a buggy or hostile phone asking for 2^62
    /// checks a day must not make every agenda and report count them.
    pub fn plan(&self) -> WatchPlan {
        WatchPlan {
            frequency: WatchFrequency::TimesPerDay,
            n: self.checks_per_day.clamp(1, i64::from(MAX_CHECKS_PER_DAY)),
            since_ms: 0,
        }
    }
}

/// One check of an isolated resident: append-only, so that two leads checking offline both keep
/// theirs.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct IsolationCheck {
    /// Check id (ULID).
    pub id: String,
    /// The isolation.
    pub isolation_id: String,
    /// When (device time, ms).
    pub at_ms: i64,
    /// The member who checked.
    pub by: String,
    /// From which device.
    pub device: String,
    /// Temperature (°C), when taken.
    pub celsius: Option<f64>,
    /// Symptoms reported.
    pub symptoms: Vec<Symptom>,
    /// Anything else (其他), in words.
    pub other: String,
}

impl IsolationCheck {
    /// A fever reading or any symptom: the office sees it.
    pub fn flagged(&self) -> bool {
        self.celsius.is_some_and(|c| c >= FEVER_FROM_C) || !self.symptoms.is_empty()
    }
}

/// Something the household needs, and whether it was delivered.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Errand {
    /// What kind.
    pub kind: ErrandKind,
    /// What exactly.
    pub note: String,
    /// Who recorded it.
    pub requested_by: String,
    /// When (ms).
    pub requested_ms: i64,
    /// Who delivered it.
    pub delivered_by: Option<String>,
    /// When (ms).
    pub delivered_ms: Option<i64>,
}

/// The checks of the day starting at `day_start_ms` that fall due after `started_ms` (the
/// isolation's start): how many there are, and how many of them were past their grace by
/// `at_ms` (see the module's timing).
pub fn checks_due(plan: &WatchPlan, day_start_ms: i64, started_ms: i64, at_ms: i64) -> (i64, i64) {
    let interval = plan.interval().num_milliseconds().max(1);
    let grace = plan.grace().num_milliseconds();
    let due: Vec<i64> = (1..=plan.n)
        .map(|k| day_start_ms + k * interval)
        .filter(|due| *due > started_ms)
        .collect();
    let past = due.iter().filter(|due| **due + grace <= at_ms).count();
    (due.len() as i64, past as i64)
}

/// The span of the checks that count for the day starting at `day_start_ms` and ending at
/// `day_end_ms`: shifted by the grace, so that a late check counts for the day it was due. On
/// the isolation's first day (`first_day`) it begins at the day's start: there is no day before
/// for a check just after midnight to be late for.
pub fn checks_window(
    plan: &WatchPlan,
    day_start_ms: i64,
    day_end_ms: i64,
    first_day: bool,
) -> (i64, i64) {
    let grace = plan.grace().num_milliseconds();
    let from = if first_day {
        day_start_ms
    } else {
        day_start_ms + grace
    };
    (from, day_end_ms + grace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_checks_a_day_are_missed_after_their_grace() {
        let plan = Isolation {
            checks_per_day: 3,
            ..Isolation::default()
        }
        .plan();
        let hour = 3_600_000;
        assert_eq!(checks_due(&plan, 0, 0, 9 * hour), (3, 0));
        assert_eq!(checks_due(&plan, 0, 0, 10 * hour), (3, 1));
        assert_eq!(checks_due(&plan, 0, 0, 18 * hour), (3, 2));
        assert_eq!(checks_due(&plan, 0, 0, 26 * hour), (3, 3));
        let hostile = Isolation {
            checks_per_day: i64::MAX,
            ..Isolation::default()
        };
        assert_eq!(
            checks_due(&hostile.plan(), 0, 0, 26 * hour),
            (i64::from(MAX_CHECKS_PER_DAY), i64::from(MAX_CHECKS_PER_DAY))
        );
        // Begun at 15:00: the 08:00 check was never due.
        assert_eq!(checks_due(&plan, 0, 15 * hour, 26 * hour), (2, 2));
        assert_eq!(
            checks_window(&plan, 0, 24 * hour, false),
            (2 * hour, 26 * hour)
        );
        // A check at 00:13 of the first day counts for that day.
        assert_eq!(checks_window(&plan, 0, 24 * hour, true), (0, 26 * hour));
        let fever = IsolationCheck {
            celsius: Some(37.5),
            ..IsolationCheck::default()
        };
        assert!(fever.flagged());
        let cough = IsolationCheck {
            celsius: Some(36.5),
            symptoms: vec![Symptom::Cough],
            ..IsolationCheck::default()
        };
        assert!(cough.flagged());
        let well = IsolationCheck {
            celsius: Some(36.5),
            ..IsolationCheck::default()
        };
        assert!(!well.flagged());
    }
}
