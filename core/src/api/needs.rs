//! The needs list (需求清单 · 认领): recording a resident's need, claiming it, serving it with
//! the time spent, the lead's confirmation, the lists, and the month's service hours per member
//! and per co-building unit.
//!
//! | step | who | when |
//! |---|---|---|
//! | record | a lead of the household's building (its area's, its lane's) or the office | – |
//! | claim | a volunteer, a party member (双报到) or a co-building unit's member | open |
//! | serve (minutes, what was done) | the need's holder | claimed, not confirmed |
//! | confirm | a lead of the household's building, an area or lane lead, or the office | served |

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::Linli;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{ms_to_utc, new_id};
use crate::records::directory::{PlaceKind, Role};
use crate::records::household::HouseholdDoc;
use crate::records::need::{
    NeedCategory, NeedClaim, NeedConfirmation, NeedDoc, NeedService, NeedStatus, Urgency,
};
use crate::records::{Coded, validate};
use crate::scope::Scope;

/// The longest service recorded at once, in minutes.
pub const MAX_SERVICE_MINUTES: u32 = 24 * 60;

/// A need to record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NeedInput {
    /// The household.
    pub household_id: String,
    /// What is needed.
    pub category: NeedCategory,
    /// How soon.
    pub urgency: Urgency,
    /// In words.
    pub description: String,
    /// The visit it was recorded at, if any.
    pub visit_id: Option<String>,
}

/// Which needs to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NeedFilter {
    /// Only this status.
    pub status: Option<NeedStatus>,
    /// Only in this area.
    pub area_id: Option<String>,
    /// Only those the acting member holds.
    pub mine: bool,
    /// Only this household's.
    pub household_id: Option<String>,
}

/// A need as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedRow {
    /// Id.
    pub id: String,
    /// The household.
    pub household_id: String,
    /// Its address (no name).
    pub address: String,
    /// The area.
    pub area_id: String,
    /// What is needed.
    pub category: NeedCategory,
    /// How soon.
    pub urgency: Urgency,
    /// In words.
    pub description: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Where it stands.
    pub status: NeedStatus,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// For which unit.
    pub claimed_unit: Option<String>,
    /// Minutes served so far.
    pub minutes: u32,
}

/// Service time in a month, of one member or one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceHoursRow {
    /// `member` or `unit`.
    pub kind: String,
    /// The member's or unit's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Services given.
    pub services: u32,
    /// Minutes served.
    pub minutes: u32,
    /// Of them, minutes of needs their lead confirmed.
    pub confirmed_minutes: u32,
}

fn need_state(id: &str, code: ErrorCode, why: &str) -> Error {
    Error::state("need", id, code, why.to_owned())
}

impl Linli {
    /// Records a need of a household the acting member leads (or any, for the office).
    pub fn record_need(&self, input: &NeedInput) -> Result<String> {
        let household_id = validate::id("household_id", &input.household_id)?;
        let description = validate::required_text("description", &input.description)?;
        let visit_id = input
            .visit_id
            .as_deref()
            .map(|v| validate::id("visit_id", v))
            .transpose()?;
        let buildings = self.my_places(PlaceKind::Building)?;
        let forbidden = || {
            Error::forbidden(
                "record need",
                ErrorCode::RoleRequired,
                "需要该楼栋的楼栋长、弄巷长、片区长或社区办公室角色",
            )
        };
        if buildings.is_empty() {
            return Err(forbidden());
        }
        let household: HouseholdDoc = self.read_record(&household_id, "household")?;
        if !buildings.iter().any(|p| p.id == household.building_id) {
            return Err(forbidden());
        }
        let (_, address) = self.household_address(&household_id)?;
        let area_id = self.area_of(&household.building_id)?;
        let now = self.now();
        let id = new_id(now);
        let doc = NeedDoc {
            household_id,
            building_id: household.building_id,
            area_id,
            address,
            category: input.category,
            urgency: input.urgency,
            description,
            recorded_by: self.identity.member_id.clone(),
            recorded_ms: now.timestamp_millis(),
            visit_id,
            claim: None,
            services: Vec::new(),
            confirmed: None,
        };
        self.write(|w| {
            w.create(&id, &Scope::Needs)?;
            w.edit(&id, "need.record", |e| e.put_all(&doc))
        })?;
        Ok(id)
    }

    /// Claims an open need (认领), for the unit the member serves for if they serve for one.
    pub fn claim_need(&self, id: &str) -> Result<()> {
        let roles = self.member_role_codes(&self.identity.member_id)?;
        let serves = |role: Role| roles.iter().any(|(r, _)| r == role.code());
        if ![Role::Volunteer, Role::PartyMember, Role::UnitMember]
            .into_iter()
            .any(serves)
        {
            return Err(Error::forbidden(
                "claim need",
                ErrorCode::RoleRequired,
                "需要志愿者、双报到党员或共建单位成员角色",
            ));
        }
        let unit = roles
            .iter()
            .find(|(r, p)| r == Role::UnitMember.code() && !p.is_empty())
            .map(|(_, p)| p.clone());
        let claim = NeedClaim {
            member: self.identity.member_id.clone(),
            unit,
            device: self.identity.device_id.clone(),
            at_ms: self.now().timestamp_millis(),
        };
        self.write(|w| {
            let need: NeedDoc = w.read(id, "need")?;
            if need.claim.is_some() {
                return Err(need_state(id, ErrorCode::NeedClaimed, "claimed already"));
            }
            w.edit(id, "need.claim", |e| e.put(&["claim"], &claim))
                .map(|_| ())
        })
    }

    /// Records a service the acting member gave for a need they hold.
    pub fn record_service(&self, id: &str, minutes: u32, note: &str) -> Result<String> {
        if !(1..=MAX_SERVICE_MINUTES).contains(&minutes) {
            return Err(Error::invalid(
                "minutes",
                ErrorCode::OutOfRange,
                format!("a service lasts 1 to {MAX_SERVICE_MINUTES} minutes"),
            ));
        }
        let note = validate::text("note", note)?;
        let now = self.now();
        let me = self.identity.member_id.clone();
        let service_id = new_id(now);
        self.write(|w| {
            let need: NeedDoc = w.read(id, "need")?;
            let Some(claim) = need.claim.filter(|c| c.member == me) else {
                return Err(Error::forbidden(
                    "record service",
                    ErrorCode::NotForYou,
                    "只有认领人可以登记服务",
                ));
            };
            if need.confirmed.is_some() {
                return Err(need_state(
                    id,
                    ErrorCode::NeedConfirmed,
                    "confirmed already",
                ));
            }
            let service = NeedService {
                id: service_id.clone(),
                member: me.clone(),
                unit: claim.unit,
                device: self.identity.device_id.clone(),
                at_ms: now.timestamp_millis(),
                minutes: i64::from(minutes),
                note,
            };
            w.edit(id, "need.serve", |e| e.append(&["services"], &service))
        })?;
        Ok(service_id)
    }

    /// Confirms that a need was served: a lead of the household's building, an area or lane
    /// lead, or the office.
    pub fn confirm_need(&self, id: &str) -> Result<()> {
        let confirmation = NeedConfirmation {
            by: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            at_ms: self.now().timestamp_millis(),
        };
        let roles = self.member_role_codes(&self.identity.member_id)?;
        self.write(|w| {
            let need: NeedDoc = w.read(id, "need")?;
            let lead = roles.iter().any(|(r, p)| {
                [Role::Office, Role::AreaLead, Role::LaneLead]
                    .iter()
                    .any(|x| x.code() == r)
                    || (r == Role::BuildingLead.code() && *p == need.building_id)
            });
            if !lead {
                return Err(Error::forbidden(
                    "confirm need",
                    ErrorCode::RoleRequired,
                    "需要该住户的楼栋长、片区长、弄巷长或社区办公室角色",
                ));
            }
            match need.status() {
                NeedStatus::Confirmed => Err(need_state(id, ErrorCode::NeedConfirmed, "confirmed")),
                NeedStatus::Served => w
                    .edit(id, "need.confirm", |e| e.put(&["confirmed"], &confirmation))
                    .map(|_| ()),
                _ => Err(need_state(id, ErrorCode::NotServed, "not served yet")),
            }
        })
    }

    /// One need.
    pub fn need(&self, id: &str) -> Result<NeedDoc> {
        self.read_record(id, "need")
    }

    /// Needs matching `filter`: urgent first, then oldest first.
    pub fn needs(&self, filter: &NeedFilter) -> Result<Vec<NeedRow>> {
        let me = filter.mine.then(|| self.identity.member_id.clone());
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc_id, household_id, address, area_id, category, urgency, description, \
                 recorded_ms, status, claimed_by, claimed_unit, minutes FROM p_needs \
                 WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR area_id = ?2) \
                 AND (?3 IS NULL OR claimed_by = ?3) AND (?4 IS NULL OR household_id = ?4) \
                 ORDER BY CASE urgency WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, \
                 recorded_ms, doc_id",
            )?;
            let mut rows = stmt.query(rusqlite::params![
                filter.status.map(|s| s.code()),
                filter.area_id,
                me,
                filter.household_id
            ])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(NeedRow {
                    id: r.get(0)?,
                    household_id: r.get(1)?,
                    address: r.get(2)?,
                    area_id: r.get(3)?,
                    category: NeedCategory::parse_code(&r.get::<_, String>(4)?, "category")?,
                    urgency: Urgency::parse_code(&r.get::<_, String>(5)?, "urgency")?,
                    description: r.get(6)?,
                    recorded_at: ms_to_utc(r.get(7)?),
                    status: NeedStatus::parse_code(&r.get::<_, String>(8)?, "status")?,
                    claimed_by: r.get(9)?,
                    claimed_unit: r.get(10)?,
                    minutes: r.get(11)?,
                });
            }
            Ok(out)
        })
    }

    /// Service time given in the community's month `month` (any date in it), per member and
    /// per co-building unit, most first.
    pub fn service_hours(&self, month: NaiveDate) -> Result<Vec<ServiceHoursRow>> {
        let community = self.community()?;
        let first = month.with_day(1).unwrap_or(month);
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        let (start, _) = community.day_bounds_ms(first);
        let (end, _) = community.day_bounds_ms(next);
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT kind, id, COALESCE(name, id), COUNT(*), SUM(minutes), \
                 SUM(CASE WHEN confirmed = 1 THEN minutes ELSE 0 END) FROM ( \
                   SELECT 'member' AS kind, s.member_id AS id, m.name AS name, s.minutes, \
                          s.confirmed FROM p_need_services s \
                   LEFT JOIN p_members m ON m.member_id = s.member_id \
                   WHERE s.at_ms >= ?1 AND s.at_ms < ?2 \
                   UNION ALL \
                   SELECT 'unit', s.unit, p.name, s.minutes, s.confirmed FROM p_need_services s \
                   LEFT JOIN p_places p ON p.place_id = s.unit \
                   WHERE s.unit IS NOT NULL AND s.at_ms >= ?1 AND s.at_ms < ?2) \
                 GROUP BY kind, id ORDER BY kind, SUM(minutes) DESC, id",
            )?;
            let rows = stmt.query_map(rusqlite::params![start, end], |r| {
                Ok(ServiceHoursRow {
                    kind: r.get(0)?,
                    id: r.get(1)?,
                    name: r.get(2)?,
                    services: r.get(3)?,
                    minutes: r.get(4)?,
                    confirmed_minutes: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The area a place lies in ('' when none).
    fn area_of(&self, place_id: &str) -> Result<String> {
        let areas: Vec<String> = self
            .places(Some(PlaceKind::Area))?
            .into_iter()
            .map(|p| p.id)
            .collect();
        let tree = self.place_tree()?;
        let mut current = place_id.to_owned();
        for _ in 0..8 {
            if areas.contains(&current) {
                return Ok(current);
            }
            match tree.get(&current) {
                Some(parent) => current = parent.clone(),
                None => break,
            }
        }
        Ok(String::new())
    }
}
