//! The office's own questions of the residents (智慧报表): residents by age range (say 90 and
//! over), tag, building, not visited in N days, and watch state, answered from the projections
//! (`p_residents` joined to `p_households`), never from the documents one by one. Ages count
//! in whole years from the birth year, in the community's year; residents who moved out are
//! left out.

use chrono::Datelike;
use rusqlite::params;

use super::Linli;
use super::households::HouseholdRow;
use crate::error::Result;
use crate::records::Coded;
use crate::records::household::Tag;

/// The most residents one question lists.
pub const MAX_QUERY_ROWS: u32 = 5_000;

/// Which households by their watch plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WatchQuery {
    /// Every household.
    #[default]
    Any,
    /// Households under a watch plan.
    Watched,
    /// Households whose watch check is due now.
    Due,
    /// Households whose watch check is overdue now.
    Overdue,
}

/// A question of the residents; every part left empty asks nothing of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResidentQuery {
    /// At least this old.
    pub min_age: Option<u32>,
    /// At most this old.
    pub max_age: Option<u32>,
    /// Their household has this tag.
    pub tag: Option<Tag>,
    /// They live in this building.
    pub building_id: Option<String>,
    /// Their household was not visited in this many days (or never).
    pub not_visited_days: Option<u32>,
    /// Their household's watch state.
    pub watch: WatchQuery,
}

/// A resident the question found, with their household.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentRow {
    /// Resident id.
    pub resident_id: String,
    /// Name.
    pub name: String,
    /// Birth year, when known.
    pub birth_year: Option<i64>,
    /// Age this year, when the birth year is known.
    pub age: Option<i64>,
    /// The household (its phone masked).
    pub household: HouseholdRow,
}

impl Linli {
    /// The residents `query` asks for, by building, unit, room and name; at most
    /// [`MAX_QUERY_ROWS`].
    pub fn residents_where(&self, query: &ResidentQuery) -> Result<Vec<ResidentRow>> {
        let community = self.community()?;
        let now = self.now();
        let today = community.local_date(now);
        let year = i64::from(today.year());
        let now_ms = now.timestamp_millis();
        let born_by = query.min_age.map(|a| year - i64::from(a));
        let born_from = query.max_age.map(|a| year - i64::from(a));
        let visited_before = query
            .not_visited_days
            .map(|d| now_ms - i64::from(d) * 86_400_000);
        let watch = match query.watch {
            WatchQuery::Any => "1",
            WatchQuery::Watched => "h.watch_frequency IS NOT NULL",
            WatchQuery::Due => "h.check_due_ms IS NOT NULL AND h.check_due_ms <= ?7",
            WatchQuery::Overdue => "h.check_overdue_ms IS NOT NULL AND h.check_overdue_ms <= ?7",
        };
        // `?7` (now) is named even when the watch clause does not need it: every parameter
        // given must appear in the statement.
        let found: Vec<(String, String, String, Option<i64>)> = self.store.read(|c| {
            let sql = format!(
                "SELECT r.resident_id, r.doc_id, r.name, r.birth_year \
                 FROM p_residents r JOIN p_households h USING (doc_id) \
                 WHERE (?1 IS NULL OR r.birth_year <= ?1) AND (?2 IS NULL OR r.birth_year >= ?2) \
                 AND (?3 IS NULL OR r.building_id = ?3) \
                 AND (?4 IS NULL OR (',' || h.tags || ',') LIKE '%,' || ?4 || ',%') \
                 AND (?5 IS NULL OR h.last_visit_ms IS NULL OR h.last_visit_ms < ?5) \
                 AND (r.moved_out IS NULL OR r.moved_out > ?6) AND ({watch}) AND ?7 = ?7 \
                 ORDER BY h.building_id, h.unit, h.room, r.name, r.resident_id LIMIT ?8"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(
                params![
                    born_by,
                    born_from,
                    query.building_id,
                    query.tag.map(|t| t.code()),
                    visited_before,
                    today.to_string(),
                    now_ms,
                    MAX_QUERY_ROWS
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let ids: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        let ids_json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
        let households: std::collections::HashMap<String, HouseholdRow> = self
            .household_rows(
                "doc_id IN (SELECT value FROM json_each(?1))",
                params![ids_json],
            )?
            .into_iter()
            .map(|h| (h.id.clone(), h))
            .collect();
        Ok(found
            .into_iter()
            .filter_map(|(resident_id, doc_id, name, birth_year)| {
                Some(ResidentRow {
                    resident_id,
                    name,
                    birth_year,
                    age: birth_year.map(|b| year - b),
                    household: households.get(&doc_id)?.clone(),
                })
            })
            .collect())
    }
}
