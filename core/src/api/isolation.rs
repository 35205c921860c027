//! Home isolation from the lead's phone: put a resident under isolation, record the checks
//! (temperature and symptoms, flagged on a fever or a symptom), run the household's errands,
//! release; and each day's checks due, done and missed per isolated resident, for the agenda
//! and the day-end report. The timing rules are in [`crate::records::isolation`].

use chrono::NaiveDate;

use super::Linli;
use crate::DocKind;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::new_id;
use crate::records::household::{HouseholdHead, Tag};
use crate::records::isolation::{
    self, DEFAULT_CHECKS_PER_DAY, Errand, ErrandKind, Isolation, IsolationCheck,
    MAX_CHECKS_PER_DAY, MAX_ISOLATION_DAYS, Symptom,
};
use crate::records::{Coded, validate};

/// An isolation to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsolationInput {
    /// The resident.
    pub resident_id: String,
    /// First day.
    pub start: NaiveDate,
    /// Planned last day.
    pub planned_end: NaiveDate,
    /// Checks a day (3 when none).
    pub checks_per_day: Option<u32>,
}

/// A check to record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IsolationCheckInput {
    /// Temperature (°C, 34–43), when taken.
    pub celsius: Option<f64>,
    /// Symptoms reported.
    pub symptoms: Vec<Symptom>,
    /// Anything else, in words.
    pub other: String,
}

/// One isolated resident's day: what fell due, what was done, what was missed.
#[derive(Debug, Clone, PartialEq)]
pub struct IsolationDay {
    /// The household.
    pub household_id: String,
    /// Its building.
    pub building_id: String,
    /// The isolation.
    pub isolation_id: String,
    /// The resident's name.
    pub resident: String,
    /// Checks due that day.
    pub due: i64,
    /// Checks recorded that day.
    pub done: i64,
    /// Checks past their grace without a check (so far, for today).
    pub missed: i64,
    /// Checks that day with a fever or a symptom.
    pub flagged: i64,
    /// Errands not delivered yet.
    pub errands_open: i64,
    /// Released that day (its checks count until the release).
    pub released: bool,
}

/// The households tagged 居家观察, by the partial index of migration 018: the index's
/// expression with the tag's code as a literal (a bound parameter would not use the index).
const HOME_WATCH_HOUSEHOLDS: &str =
    "SELECT doc_id FROM p_households WHERE instr(tags, 'home_watch') > 0 ORDER BY doc_id";

impl Linli {
    /// Puts a resident of the household under home isolation; returns its id. The household is
    /// tagged 居家观察 while an isolation runs.
    pub fn start_isolation(&self, household_id: &str, input: &IsolationInput) -> Result<String> {
        let head: HouseholdHead =
            self.read_record_as(household_id, DocKind::Household, "household")?;
        if !head.residents.contains_key(&input.resident_id) {
            return Err(Error::NotFound {
                what: "resident",
                id: input.resident_id.clone(),
            });
        }
        if input.planned_end < input.start {
            return Err(Error::invalid(
                "planned_end",
                ErrorCode::EndsBeforeStart,
                "the planned end comes on or after the start (计划解除日期不能早于开始日期)",
            ));
        }
        if (input.planned_end - input.start).num_days() as u64 >= MAX_ISOLATION_DAYS {
            return Err(Error::invalid(
                "planned_end",
                ErrorCode::SpanTooLong,
                format!("an isolation lasts at most {MAX_ISOLATION_DAYS} days"),
            ));
        }
        let n = input.checks_per_day.unwrap_or(DEFAULT_CHECKS_PER_DAY);
        if !(1..=MAX_CHECKS_PER_DAY).contains(&n) {
            return Err(Error::invalid(
                "checks_per_day",
                ErrorCode::OutOfRange,
                format!("1 to {MAX_CHECKS_PER_DAY} checks a day"),
            ));
        }
        let id = new_id(self.now());
        let isolation = Isolation {
            resident_id: input.resident_id.clone(),
            start: input.start.to_string(),
            planned_end: input.planned_end.to_string(),
            checks_per_day: i64::from(n),
            started_by: self.identity.member_id.clone(),
            started_ms: self.now().timestamp_millis(),
            released_by: None,
            released_ms: None,
        };
        self.edit_household(household_id, "household.isolation_start", |e| {
            // Made here, before any check: two phones checking offline then append to one list.
            e.ensure_root_map("isolations")?;
            e.ensure_root_list("isolation_checks")?;
            e.ensure_root_map("errands")?;
            e.put(&["isolations", &id], &isolation)?;
            e.put(&["tags", Tag::HomeWatch.code()], true)
        })?;
        Ok(id)
    }

    /// Records a check of an isolated resident; returns its id and whether it is flagged (a
    /// fever or a symptom).
    pub fn record_isolation_check(
        &self,
        household_id: &str,
        isolation_id: &str,
        input: &IsolationCheckInput,
    ) -> Result<(String, bool)> {
        let celsius = input
            .celsius
            .map(|c| validate::temperature("celsius", c))
            .transpose()?;
        let other = validate::text("other", &input.other)?;
        let iso = self.isolation(household_id, isolation_id)?;
        if iso.released_ms.is_some() {
            return Err(Error::InvalidState {
                record: "isolation",
                id: isolation_id.to_owned(),
                code: ErrorCode::IsolationReleased,
                message: "released already (已解除隔离)".into(),
            });
        }
        let now = self.now();
        let mut symptoms = input.symptoms.clone();
        symptoms.sort();
        symptoms.dedup();
        let check = IsolationCheck {
            id: new_id(now),
            isolation_id: isolation_id.to_owned(),
            at_ms: now.timestamp_millis(),
            by: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            celsius,
            symptoms,
            other,
        };
        let flagged = check.flagged();
        self.edit_household(household_id, "household.isolation_check", |e| {
            e.append(&["isolation_checks"], &check)
        })?;
        Ok((check.id, flagged))
    }

    /// Releases an isolated resident. The household keeps its 居家观察 tag (the isolation
    /// lists find households by it, so that the day of the release still counts its checks);
    /// the lead clears it when the household needs no more watching.
    pub fn release_isolation(&self, household_id: &str, isolation_id: &str) -> Result<()> {
        let head: HouseholdHead =
            self.read_record_as(household_id, DocKind::Household, "household")?;
        if !head.isolations.contains_key(isolation_id) {
            return Err(Error::NotFound {
                what: "isolation",
                id: isolation_id.to_owned(),
            });
        }
        let me = self.identity.member_id.clone();
        let at = self.now().timestamp_millis();
        self.edit_household(household_id, "household.isolation_release", |e| {
            e.put(
                &["isolations", isolation_id, "released_by"],
                Some(me.clone()),
            )?;
            e.put(&["isolations", isolation_id, "released_ms"], Some(at))
        })
    }

    /// Records an errand the household needs; returns its id.
    pub fn add_errand(&self, household_id: &str, kind: ErrandKind, note: &str) -> Result<String> {
        let errand = Errand {
            kind,
            note: validate::text("note", note)?,
            requested_by: self.identity.member_id.clone(),
            requested_ms: self.now().timestamp_millis(),
            delivered_by: None,
            delivered_ms: None,
        };
        let head: HouseholdHead =
            self.read_record_as(household_id, DocKind::Household, "household")?;
        if head.isolations.is_empty() {
            // The errands' map is made with the first isolation, by one device.
            return Err(Error::InvalidState {
                record: "household",
                id: household_id.to_owned(),
                code: ErrorCode::NotInIsolation,
                message: "errands are run for a household in isolation (请先登记居家隔离)".into(),
            });
        }
        let id = new_id(self.now());
        self.edit_household(household_id, "household.errand", |e| {
            e.put(&["errands", &id], &errand)
        })?;
        Ok(id)
    }

    /// Marks an errand delivered.
    pub fn deliver_errand(&self, household_id: &str, errand_id: &str) -> Result<()> {
        let head: HouseholdHead =
            self.read_record_as(household_id, DocKind::Household, "household")?;
        if !head.errands.contains_key(errand_id) {
            return Err(Error::NotFound {
                what: "errand",
                id: errand_id.to_owned(),
            });
        }
        let me = self.identity.member_id.clone();
        let at = self.now().timestamp_millis();
        self.edit_household(household_id, "household.errand_delivered", |e| {
            e.put(&["errands", errand_id, "delivered_by"], Some(me.clone()))?;
            e.put(&["errands", errand_id, "delivered_ms"], Some(at))
        })
    }

    /// The household's errands by id, open ones first.
    pub fn errands(&self, household_id: &str) -> Result<Vec<(String, Errand)>> {
        let head: HouseholdHead =
            self.read_record_as(household_id, DocKind::Household, "household")?;
        let mut errands: Vec<(String, Errand)> = head.errands.into_iter().collect();
        errands.sort_by_key(|(id, e)| (e.delivered_ms.is_some(), id.clone()));
        Ok(errands)
    }

    fn isolation(&self, household_id: &str, isolation_id: &str) -> Result<Isolation> {
        let head: HouseholdHead =
            self.read_record_as(household_id, DocKind::Household, "household")?;
        head.isolations
            .get(isolation_id)
            .cloned()
            .ok_or_else(|| Error::NotFound {
                what: "isolation",
                id: isolation_id.to_owned(),
            })
    }

    /// Every isolated resident's day `date` in the households this store holds (the tagged
    /// ones): checks due, done, missed (so far, for today) and flagged.
    pub fn isolation_days(&self, date: NaiveDate) -> Result<Vec<IsolationDay>> {
        let community = self.community()?;
        let (day_start, day_end) = community.day_bounds_ms(date);
        let now_ms = self.now().timestamp_millis();
        let households: Vec<String> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(HOME_WATCH_HOUSEHOLDS)?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut days = Vec::new();
        for household_id in households {
            let head: HouseholdHead =
                self.read_record_as(&household_id, DocKind::Household, "household")?;
            let errands_open = head
                .errands
                .values()
                .filter(|e| e.delivered_ms.is_none())
                .count() as i64;
            for (isolation_id, iso) in &head.isolations {
                let start = NaiveDate::parse_from_str(&iso.start, "%Y-%m-%d");
                let end = NaiveDate::parse_from_str(&iso.planned_end, "%Y-%m-%d");
                let (Ok(start), Ok(end)) = (start, end) else {
                    continue;
                };
                let released_before = iso.released_ms.is_some_and(|r| r < day_start);
                if date < start || date > end || released_before {
                    continue;
                }
                let plan = iso.plan();
                let (from, to) = isolation::checks_window(&plan, day_start, day_end, date == start);
                let checks: Vec<&IsolationCheck> = head
                    .isolation_checks
                    .iter()
                    .filter(|c| c.isolation_id == *isolation_id && (from..to).contains(&c.at_ms))
                    .collect();
                let done = checks.len() as i64;
                // Released that day: only the checks due before the release count.
                let until = iso.released_ms.unwrap_or(i64::MAX).min(now_ms);
                let (due, past_grace) =
                    isolation::checks_due(&plan, day_start, iso.started_ms, until);
                days.push(IsolationDay {
                    household_id: household_id.clone(),
                    building_id: head.building_id.clone(),
                    isolation_id: isolation_id.clone(),
                    resident: head
                        .residents
                        .get(&iso.resident_id)
                        .map(|r| r.name.clone())
                        .unwrap_or_default(),
                    due,
                    done,
                    missed: (past_grace - done).max(0),
                    flagged: checks.iter().filter(|c| c.flagged()).count() as i64,
                    errands_open,
                    released: iso.released_ms.is_some(),
                });
            }
        }
        Ok(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn households_under_home_watch_are_found_by_their_index() {
        // The literal in the query is the tag's code.
        assert!(HOME_WATCH_HOUSEHOLDS.contains(&format!("'{}'", Tag::HomeWatch.code())));
        let plan = crate::store::migrations::query_plan(HOME_WATCH_HOUSEHOLDS);
        assert!(
            plan.iter()
                .any(|step| step.contains("p_households_home_watch")),
            "{plan:?}"
        );
    }
}
