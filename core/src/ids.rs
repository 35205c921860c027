//! Record ids: ULIDs, so that ids sort by creation time, and the fixed ids of documents that
//! several devices may create independently (a gate's roster week, a gate's day log).

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};

/// The prefix of roster document ids.
pub const ROSTER_PREFIX: &str = "roster";
/// The prefix of gate log document ids.
pub const GATE_LOG_PREFIX: &str = "gatelog";

static GENERATOR: Mutex<Option<ulid::Generator>> = Mutex::new(None);

/// A new time-sortable id (ULID) stamped with `at`. Ids made one after another in this process
/// sort in the order they were made, even within one millisecond.
pub fn new_id(at: DateTime<Utc>) -> String {
    let mut guard = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let generator = guard.get_or_insert_with(ulid::Generator::new);
    match generator.generate_from_datetime(at.into()) {
        Ok(id) => id.to_string(),
        Err(overflow) => overflow.commit_overflow_random().to_string(),
    }
}

/// The id of the roster document of `gate_id` for the week starting on `monday`.
pub fn roster_doc_id(gate_id: &str, monday: NaiveDate) -> String {
    format!("{ROSTER_PREFIX}:{gate_id}:{monday}")
}

/// The id of the gate log document of `gate_id` for the local day `date`.
pub fn gate_log_doc_id(gate_id: &str, date: NaiveDate) -> String {
    format!("{GATE_LOG_PREFIX}:{gate_id}:{date}")
}

/// The gate and local date of a roster or gate log document id made by [`roster_doc_id`] or
/// [`gate_log_doc_id`]; `prefix` is `roster` or `gatelog`.
pub fn parse_gate_doc_id<'a>(prefix: &str, doc_id: &'a str) -> Option<(&'a str, NaiveDate)> {
    let rest = doc_id.strip_prefix(prefix)?.strip_prefix(':')?;
    let (gate, date) = rest.rsplit_once(':')?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    (!gate.is_empty()).then_some((gate, date))
}

/// The prefix of work order document ids.
pub const CASE_PREFIX: &str = "case";

/// The id of a new work order of department `unit` (a ULID made at `at` after the unit).
pub fn case_doc_id(unit: &str, at: DateTime<Utc>) -> String {
    format!("{CASE_PREFIX}:{unit}:{}", new_id(at))
}

/// The department of a work order id made by [`case_doc_id`].
pub fn parse_case_doc_id(doc_id: &str) -> Option<&str> {
    let rest = doc_id.strip_prefix(CASE_PREFIX)?.strip_prefix(':')?;
    let (unit, id) = rest.rsplit_once(':')?;
    (!unit.is_empty() && !id.is_empty()).then_some(unit)
}

/// The prefix of joint action document ids: `joint:<ULID>`, in scope `joint/<ULID>`.
pub const JOINT_PREFIX: &str = "joint";

/// The id of the directory document of a community.
pub fn directory_doc_id(community_id: &str) -> String {
    format!("directory:{community_id}")
}

/// Milliseconds since the epoch as a UTC time (the epoch for out-of-range values).
pub fn ms_to_utc(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
