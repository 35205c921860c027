//! The needs list (需求清单 · 认领) as the apps see it: recording a need, claiming it, serving it
//! with the time spent, the lead's confirmation, and the month's service hours.

use linli_core::api::needs;
use linli_core::records::need as core_need;

use crate::enums::*;
use crate::error::{LinliError, guard};
use crate::mirror::{Convert, Timestamp, mirror_record, parse_date};
use crate::store::LinliStore;

type R<T> = Result<T, LinliError>;

mirror_record!(both
/// A need to record: the household, what (代购 / 助餐 / 陪医 / 维修 / 心理疏导 / 其他), how soon,
/// in words, and the visit it was recorded at (none when the office records it).
NeedInput = needs::NeedInput {
    household_id: String, category: NeedCategory, urgency: Urgency, description: String,
    visit_id: Option<String>
});
mirror_record!(both
/// Which needs to list: by status, area, household, or only the acting member's.
NeedFilter = needs::NeedFilter {
    status: Option<NeedStatus>, area_id: Option<String>, mine: bool, household_id: Option<String>
});
mirror_record!(out
/// A need in a list (the household by its address, no name): urgent first, then oldest.
NeedRow = needs::NeedRow {
    id: String, household_id: String, address: String, area_id: String, category: NeedCategory,
    urgency: Urgency, description: String, recorded_at: Timestamp, status: NeedStatus,
    claimed_by: Option<String>, claimed_unit: Option<String>, minutes: u32
});
mirror_record!(out
/// Service time in a month of one member (`kind` = `member`) or one co-building unit (`unit`).
ServiceHoursRow = needs::ServiceHoursRow {
    kind: String, id: String, name: String, services: u32, minutes: u32, confirmed_minutes: u32
});

/// A service given for a need (time in ms since the epoch).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NeedService {
    /// Id.
    pub id: String,
    /// Who served.
    pub member: String,
    /// For which unit.
    pub unit: Option<String>,
    /// When.
    pub at_ms: i64,
    /// Minutes spent.
    pub minutes: i64,
    /// What was done.
    pub note: String,
}

impl Convert<NeedService> for core_need::NeedService {
    fn convert(self) -> NeedService {
        NeedService {
            id: self.id,
            member: self.member,
            unit: self.unit,
            at_ms: self.at_ms,
            minutes: self.minutes,
            note: self.note,
        }
    }
}

/// One need: what, where, who holds it, the services and the confirmation (times in ms since
/// the epoch).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NeedDetail {
    /// The household.
    pub household_id: String,
    /// Its address.
    pub address: String,
    /// What is needed.
    pub category: NeedCategory,
    /// How soon.
    pub urgency: Urgency,
    /// In words.
    pub description: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_ms: i64,
    /// Where it stands.
    pub status: NeedStatus,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// For which unit.
    pub claimed_unit: Option<String>,
    /// Services given.
    pub services: Vec<NeedService>,
    /// Who confirmed it served.
    pub confirmed_by: Option<String>,
}

impl Convert<NeedDetail> for core_need::NeedDoc {
    fn convert(self) -> NeedDetail {
        let status = self.status().convert();
        NeedDetail {
            household_id: self.household_id,
            address: self.address,
            category: self.category.convert(),
            urgency: self.urgency.convert(),
            description: self.description,
            recorded_by: self.recorded_by,
            recorded_ms: self.recorded_ms,
            status,
            claimed_by: self.claim.as_ref().map(|c| c.member.clone()),
            claimed_unit: self.claim.and_then(|c| c.unit),
            services: self.services.convert(),
            confirmed_by: self.confirmed.map(|c| c.by),
        }
    }
}

#[uniffi::export]
impl LinliStore {
    /// Records a need of a household the member leads. Returns its id.
    pub fn record_need(&self, input: NeedInput) -> R<String> {
        guard(|| self.inner.record_need(&input.convert()))
    }

    /// Claims an open need (volunteers, party members, co-building units' members).
    pub fn claim_need(&self, id: String) -> R<()> {
        guard(|| self.inner.claim_need(&id))
    }

    /// Records a service for a need the member holds: minutes spent and what was done.
    pub fn record_service(&self, id: String, minutes: u32, note: String) -> R<String> {
        guard(|| self.inner.record_service(&id, minutes, &note))
    }

    /// Confirms a need served (the household's lead or the office).
    pub fn confirm_need(&self, id: String) -> R<()> {
        guard(|| self.inner.confirm_need(&id))
    }

    /// One need.
    pub fn need(&self, id: String) -> R<NeedDetail> {
        guard(|| self.inner.need(&id))
    }

    /// Needs matching a filter.
    pub fn needs(&self, filter: NeedFilter) -> R<Vec<NeedRow>> {
        guard(|| self.inner.needs(&filter.convert()))
    }

    /// Service time in the month of `date` (`YYYY-MM-DD`), per member and per unit.
    pub fn service_hours(&self, date: String) -> R<Vec<ServiceHoursRow>> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.service_hours(date))
    }
}
