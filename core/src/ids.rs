//! Record ids: ULIDs, so that ids sort by creation time, and the fixed ids of documents that
//! several devices may create independently (a gate's roster week, a gate's day log).

use chrono::{DateTime, NaiveDate, Utc};

/// A new time-sortable id (ULID) stamped with `at`.
pub fn new_id(at: DateTime<Utc>) -> String {
    ulid::Ulid::from_datetime(at.into()).to_string()
}

/// The id of the roster document of `gate_id` for the week starting on `monday`.
pub fn roster_doc_id(gate_id: &str, monday: NaiveDate) -> String {
    format!("roster:{gate_id}:{monday}")
}

/// The id of the gate log document of `gate_id` for the local day `date`.
pub fn gate_log_doc_id(gate_id: &str, date: NaiveDate) -> String {
    format!("gatelog:{gate_id}:{date}")
}

/// The id of the directory document of a community.
pub fn directory_doc_id(community_id: &str) -> String {
    format!("directory:{community_id}")
}
