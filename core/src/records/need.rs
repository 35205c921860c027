//! A resident's need on the community's needs list (需求清单): recorded by a lead at a visit or
//! by the office, claimed (认领) by a volunteer, a party member who reported to the community
//! (双报到) or a co-building unit, served with the time spent, and confirmed by the household's
//! lead. Needs live in the community-wide `needs` scope, so that everyone who may serve sees
//! the open ones, offline.
//!
//! # Rules
//!
//! A need is open until claimed; the first claim holds it. Two claims made offline at the same
//! time are both kept by the document as a conflict on `claim`: every replica shows the same one
//! as the holder, and the office resolves it. The holder records services (append-only, with
//! the minutes spent); a lead of the household's building (or the office) confirms the need
//! served once it has a service.

use autosurgeon::{Hydrate, Reconcile};

use super::coded_enum;
use crate::doc::{DocKind, Record};

coded_enum! {
    /// What a resident needs.
    NeedCategory {
        /// 代购.
        Shopping = "shopping" / "代购",
        /// 助餐.
        Meals = "meals" / "助餐",
        /// 陪医.
        Escort = "escort" / "陪医",
        /// 维修.
        Repair = "repair" / "维修",
        /// 心理疏导.
        Counselling = "counselling" / "心理疏导",
        /// 其他.
        Other = "other" / "其他",
    }
}

coded_enum! {
    /// How soon a need should be served.
    Urgency {
        /// 一般.
        Normal = "normal" / "一般",
        /// 较急.
        Soon = "soon" / "较急",
        /// 紧急.
        Urgent = "urgent" / "紧急",
    }
}

coded_enum! {
    /// Where a need stands.
    NeedStatus {
        /// 待认领.
        Open = "open" / "待认领",
        /// 已认领.
        Claimed = "claimed" / "已认领",
        /// 已服务 (waiting for the lead's confirmation).
        Served = "served" / "已服务",
        /// 已确认.
        Confirmed = "confirmed" / "已确认",
    }
}

/// Who holds a need.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct NeedClaim {
    /// The member.
    pub member: String,
    /// The co-building unit the member serves for, if any (a directory place id).
    pub unit: Option<String>,
    /// The member's device.
    pub device: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// A service given for a need: append-only.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct NeedService {
    /// Id (ULID).
    pub id: String,
    /// The member who served.
    pub member: String,
    /// The unit the member served for, if any.
    pub unit: Option<String>,
    /// The member's device.
    pub device: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// Time spent, in minutes.
    pub minutes: i64,
    /// What was done.
    pub note: String,
}

/// A lead's confirmation that the need was served.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct NeedConfirmation {
    /// The confirming member.
    pub by: String,
    /// Their device.
    pub device: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// The need document.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct NeedDoc {
    /// The household.
    pub household_id: String,
    /// Its building.
    pub building_id: String,
    /// The area the building lies in (empty when none): "their area" for those who serve.
    pub area_id: String,
    /// The household's address in words (building, unit, room): no resident's name.
    pub address: String,
    /// What is needed.
    pub category: NeedCategory,
    /// How soon.
    pub urgency: Urgency,
    /// In words.
    pub description: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (ms since the epoch).
    pub recorded_ms: i64,
    /// The visit it was recorded at, if any.
    pub visit_id: Option<String>,
    /// Who holds it.
    pub claim: Option<NeedClaim>,
    /// Services given.
    pub services: Vec<NeedService>,
    /// The lead's confirmation.
    pub confirmed: Option<NeedConfirmation>,
}

impl Record for NeedDoc {
    const KIND: DocKind = DocKind::Need;
}

impl NeedDoc {
    /// Where the need stands.
    pub fn status(&self) -> NeedStatus {
        if self.confirmed.is_some() {
            NeedStatus::Confirmed
        } else if !self.services.is_empty() {
            NeedStatus::Served
        } else if self.claim.is_some() {
            NeedStatus::Claimed
        } else {
            NeedStatus::Open
        }
    }

    /// The minutes of every service.
    pub fn minutes(&self) -> i64 {
        self.services.iter().map(|s| s.minutes.max(0)).sum()
    }
}
