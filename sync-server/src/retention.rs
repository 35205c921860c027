//! Retention: gate days (visitors' names and phones) older than the community's retention
//! (`Linli::gate_log_retention_days`, 30 days unless the office set another) are erased from
//! the relay and every phone, with the same tombstones as any erasure
//! ([`crate::erasure`]). Before a day's gate days go, its day-end report is kept as rendered
//! (counts and staff names only), so that the report of that date still gives its figures.
//! `linli-relay serve` runs it every hour; `linli-relay retention` runs it once.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use linli_core::ids::{GATE_LOG_PREFIX, parse_gate_doc_id};
use linli_core::{DocKind, Linli};

use crate::erasure::follow_erasures;
use crate::error::RelayError;
use crate::relay::Relay;
use crate::storage::RelayStorage;

/// Who the tombstones of retention name.
pub const RETENTION_BY: &str = "retention";
/// How often `serve` applies the retention.
pub const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// What a run of the retention did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionOutcome {
    /// Gate days erased.
    pub gate_days: usize,
    /// Day-end reports kept for the dates they belonged to.
    pub reports_kept: usize,
}

/// Erases the gate days older than the retention at `now`. `office` is a store that follows
/// the log (the replica, the admin store), brought up to date by the caller: it gives the
/// community's settings and the reports to keep, and applies the erasures at the end.
pub fn apply_retention(
    storage: &dyn RelayStorage,
    office: &Linli,
    now: DateTime<Utc>,
) -> Result<RetentionOutcome, RelayError> {
    let mut outcome = RetentionOutcome::default();
    let Ok(community) = office.community() else {
        return Ok(outcome);
    };
    let days = office.gate_log_retention_days()?;
    let oldest_kept = community.local_date(now) - chrono::Duration::days(days);
    let mut expired: BTreeMap<NaiveDate, Vec<(String, String)>> = BTreeMap::new();
    for (doc_id, scope) in storage.docs_of_kind(DocKind::GateLog)? {
        if let Some((_, date)) = parse_gate_doc_id(GATE_LOG_PREFIX, &doc_id)
            && date < oldest_kept
        {
            expired.entry(date).or_default().push((doc_id, scope));
        }
    }
    let now_ms = now.timestamp_millis();
    for (date, docs) in expired {
        let day = date.to_string();
        if storage.archived_report(&day)?.is_none() {
            let report = office.day_report(date)?;
            storage.archive_report(&day, &report.to_markdown(), &report.to_csv(), now_ms)?;
            outcome.reports_kept += 1;
        }
        for (doc_id, scope) in docs {
            if storage
                .erase_document(&doc_id, &scope, RETENTION_BY, now_ms)?
                .is_some()
            {
                outcome.gate_days += 1;
            }
        }
    }
    follow_erasures(storage, office)?;
    if outcome.gate_days > 0 {
        tracing::info!(
            gate_days = outcome.gate_days,
            reports_kept = outcome.reports_kept,
            retention_days = days,
            "gate days past their retention erased"
        );
    }
    Ok(outcome)
}

impl Relay {
    /// Applies the retention at `now` with the office replica.
    pub fn apply_retention(&self, now: DateTime<Utc>) -> Result<RetentionOutcome, RelayError> {
        let storage = self.storage.as_ref();
        self.replica
            .read(storage, |replica, _| apply_retention(storage, replica, now))
    }
}
