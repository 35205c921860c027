//! Residents who arrive and leave (摸排返乡人员、流动人员): how each lives here (户籍 / 租户 /
//! 流动), when they moved in and out, and where and when a returnee arrived from. Each field
//! is written on its own, so that two leads changing different fields offline both keep
//! theirs. A building's list filters on them, and the day-end report counts the day's
//! arrivals and departures.

use chrono::NaiveDate;
use rusqlite::params;

use super::Linli;
use super::households::HouseholdRow;
use crate::error::{Error, ErrorCode, Result};
use crate::records::Coded;
use crate::records::household::{HouseholdHead, ResidentStatus};
use crate::records::validate;

/// How a resident lives here and when they came and went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentMoves {
    /// 户籍 / 租户 / 流动.
    pub status: ResidentStatus,
    /// When they moved in.
    pub moved_in: Option<NaiveDate>,
    /// When they moved out.
    pub moved_out: Option<NaiveDate>,
    /// Where a returnee arrived from (empty when not one).
    pub arrived_from: String,
    /// When they arrived.
    pub arrived_on: Option<NaiveDate>,
}

/// Which households of a building to list, by their residents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResidentFilter {
    /// Only households with a resident of this status.
    pub status: Option<ResidentStatus>,
    /// Only households with a resident who arrived on or after this date.
    pub arrived_since: Option<NaiveDate>,
    /// Count residents who moved out too.
    pub include_moved_out: bool,
}

impl Linli {
    /// Records how the resident lives here and when they came and went; only the fields that
    /// change are written.
    pub fn set_resident_moves(
        &self,
        household_id: &str,
        resident_id: &str,
        moves: &ResidentMoves,
    ) -> Result<()> {
        let today = self.community()?.local_date(self.now());
        for (field, date) in [
            ("moved_in", moves.moved_in),
            ("moved_out", moves.moved_out),
            ("arrived_on", moves.arrived_on),
        ] {
            if date.is_some_and(|d| d > today) {
                return Err(Error::invalid(
                    field,
                    ErrorCode::InTheFuture,
                    "a date that has not come yet",
                ));
            }
        }
        if let (Some(i), Some(o)) = (moves.moved_in, moves.moved_out)
            && o < i
        {
            return Err(Error::invalid(
                "moved_out",
                ErrorCode::EndsBeforeStart,
                "before the move-in",
            ));
        }
        let arrived_from = validate::text("arrived_from", &moves.arrived_from)?;
        if arrived_from.is_empty() != moves.arrived_on.is_none() {
            return Err(Error::invalid(
                "arrived_on",
                ErrorCode::Incomplete,
                "a returnee's arrival needs both where from and when",
            ));
        }
        let head: HouseholdHead =
            self.read_record_as(household_id, crate::DocKind::Household, "household")?;
        let now = head
            .residents
            .get(resident_id)
            .ok_or_else(|| Error::NotFound {
                what: "resident",
                id: resident_id.to_owned(),
            })?;
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        let (moved_in, moved_out, arrived_on) = (
            day(moves.moved_in),
            day(moves.moved_out),
            day(moves.arrived_on),
        );
        self.edit_household(household_id, "household.resident_moves", |e| {
            let at = |field: &'static str| ["residents", resident_id, field];
            if now.status != moves.status {
                e.put(&at("status"), moves.status)?;
            }
            if now.moved_in != moved_in {
                e.put(&at("moved_in"), &moved_in)?;
            }
            if now.moved_out != moved_out {
                e.put(&at("moved_out"), &moved_out)?;
            }
            if now.arrived_from != arrived_from {
                e.put(&at("arrived_from"), arrived_from.as_str())?;
            }
            if now.arrived_on != arrived_on {
                e.put(&at("arrived_on"), &arrived_on)?;
            }
            Ok(())
        })
    }

    /// The households of a building with a resident who matches `filter`, as the building's
    /// list shows them.
    pub fn households_with(
        &self,
        building_id: &str,
        filter: &ResidentFilter,
    ) -> Result<Vec<HouseholdRow>> {
        let status = filter.status.map(|s| s.code());
        let since = filter.arrived_since.map(|d| d.to_string());
        self.household_rows(
            "building_id = ?1 AND doc_id IN (SELECT doc_id FROM p_residents \
             WHERE building_id = ?1 AND (?2 IS NULL OR status = ?2) \
             AND (?3 IS NULL OR arrived_on >= ?3) AND (?4 OR moved_out IS NULL)) \
             ORDER BY unit, room, doc_id",
            params![building_id, status, since, filter.include_moved_out],
        )
    }

    /// Residents who arrived or moved in on `date`, and who moved out.
    pub(crate) fn arrivals_and_departures(&self, date: NaiveDate) -> Result<(u32, u32)> {
        let day = date.to_string();
        self.store.read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FILTER (WHERE arrived_on = ?1 OR moved_in = ?1), \
                 COUNT(*) FILTER (WHERE moved_out = ?1) FROM p_residents",
                [day],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
    }
}
