//! The community directory: places (areas, compounds, gates, buildings, lanes), members and the
//! roles each member holds over which places.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::coded_enum;
use crate::doc::{DocKind, Record};

coded_enum! {
    /// What kind of place.
    PlaceKind {
        /// 片区: a group of compounds and lanes led by an area lead.
        Area = "area" / "片区",
        /// 小区: a residential compound.
        Compound = "compound" / "小区",
        /// 门岗: a compound gate.
        Gate = "gate" / "门岗",
        /// 楼栋: a building.
        Building = "building" / "楼栋",
        /// 弄巷: a lane.
        Lane = "lane" / "弄巷",
        /// 部门: a department that works tickets with the community (公安, 城管, 市场监管 …).
        Department = "department" / "部门",
        /// 共建单位: an organisation that works with the community and serves its needs.
        Unit = "unit" / "共建单位",
    }
}

coded_enum! {
    /// A member's role.
    Role {
        /// 居委/社区: the community office.
        Office = "office" / "社区办公室",
        /// 片区长.
        AreaLead = "area_lead" / "片区长",
        /// 楼栋长.
        BuildingLead = "building_lead" / "楼栋长",
        /// 弄巷长.
        LaneLead = "lane_lead" / "弄巷长",
        /// 门长.
        GateLead = "gate_lead" / "门长",
        /// 值班长.
        ShiftLead = "shift_lead" / "值班长",
        /// 安全员.
        SafetyOfficer = "safety_officer" / "安全员",
        /// 志愿者.
        Volunteer = "volunteer" / "志愿者",
        /// 部门联络员: a department's staff, who work the tickets dispatched to it.
        DepartmentStaff = "department_staff" / "部门联络员",
        /// 双报到党员: a party member who reported to the community to serve.
        PartyMember = "party_member" / "双报到党员",
        /// 共建单位成员: serves the community's needs for a co-building unit.
        UnitMember = "unit_member" / "共建单位成员",
        /// 居民代表: a residents' representative, who rates and votes in evaluation rounds.
        ResidentRep = "resident_rep" / "居民代表",
    }
}

impl Role {
    /// The kind of place this role covers, if it covers places at all.
    pub fn covers(self) -> Option<PlaceKind> {
        match self {
            Role::Office => None,
            Role::AreaLead => Some(PlaceKind::Area),
            Role::BuildingLead => Some(PlaceKind::Building),
            Role::LaneLead => Some(PlaceKind::Lane),
            Role::GateLead | Role::ShiftLead | Role::SafetyOfficer | Role::Volunteer => {
                Some(PlaceKind::Gate)
            }
            Role::DepartmentStaff => Some(PlaceKind::Department),
            Role::PartyMember | Role::ResidentRep => None,
            Role::UnitMember => Some(PlaceKind::Unit),
        }
    }

    /// Whether a grant of this role must name at least one place.
    pub fn needs_places(self) -> bool {
        !matches!(
            self,
            Role::Office | Role::Volunteer | Role::PartyMember | Role::ResidentRep
        )
    }
}

impl PlaceKind {
    /// The kinds of place that may contain this one (`None` allowed when the list is empty of
    /// requirements, see [`PlaceKind::parent_required`]).
    pub fn allowed_parents(self) -> &'static [PlaceKind] {
        match self {
            PlaceKind::Area | PlaceKind::Department | PlaceKind::Unit => &[],
            PlaceKind::Compound | PlaceKind::Lane => &[PlaceKind::Area],
            PlaceKind::Gate => &[PlaceKind::Compound],
            PlaceKind::Building => &[PlaceKind::Compound, PlaceKind::Lane],
        }
    }

    /// Whether a place of this kind must have a parent.
    pub fn parent_required(self) -> bool {
        matches!(self, PlaceKind::Gate | PlaceKind::Building)
    }
}

/// The community itself.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct CommunityInfo {
    /// The community's id.
    pub id: String,
    /// Its name, e.g. 梅园社区.
    pub name: String,
    /// Local time's offset from UTC, in minutes (+480 for China).
    pub utc_offset_minutes: i64,
    /// How many days gate days (visitors' names and phones) are kept before the relay erases
    /// them; none for the default (`api::retention::DEFAULT_GATE_LOG_RETENTION_DAYS`), and
    /// in directories made before the setting.
    #[autosurgeon(missing = "Default::default")]
    pub gate_log_retention_days: Option<i64>,
}

/// A place in the community.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Place {
    /// What kind of place.
    pub kind: PlaceKind,
    /// Its name, e.g. 3号楼, 东门.
    pub name: String,
    /// The containing place, if any.
    pub parent: Option<String>,
}

/// A role held by a member, over some places.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct RoleGrant {
    /// Place ids covered (as a set: id → true).
    pub places: BTreeMap<String, bool>,
}

/// A member of the community's volunteer and staff network.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Member {
    /// Name.
    pub name: String,
    /// Phone number.
    pub phone: String,
    /// Roles by role code.
    pub roles: BTreeMap<String, RoleGrant>,
    /// Whether the member is active (deactivated members keep their history).
    pub active: bool,
}

/// The directory document.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct DirectoryDoc {
    /// The community.
    pub community: CommunityInfo,
    /// Places by id.
    pub places: BTreeMap<String, Place>,
    /// Members by id.
    pub members: BTreeMap<String, Member>,
    /// The office's reminders (民情日志) by id; absent in directories made before them.
    #[autosurgeon(missing = "Default::default")]
    pub reminders: BTreeMap<String, super::reminder::Reminder>,
    /// The community's public key for passes (Ed25519, hex), set by the relay that signs them;
    /// empty until the first pass.
    #[autosurgeon(missing = "Default::default")]
    pub pass_key: String,
    /// Revoked passes by id: what a gate phone checks offline.
    #[autosurgeon(missing = "Default::default")]
    pub revoked_passes: BTreeMap<String, RevokedPass>,
}

/// A pass the office revoked.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct RevokedPass {
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// By which member.
    pub by: String,
}

impl Record for DirectoryDoc {
    const KIND: DocKind = DocKind::Directory;
}

impl Member {
    /// Whether the member holds `role` over `place_id` (for roles without places: holds it at
    /// all).
    pub fn holds(&self, role: Role, place_id: Option<&str>) -> bool {
        use super::Coded;
        match (self.roles.get(role.code()), place_id) {
            (Some(_), None) => true,
            (Some(grant), Some(p)) => grant.places.get(p).copied().unwrap_or(false),
            (None, _) => false,
        }
    }
}

#[cfg(test)]
mod compat_tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};

    use super::*;

    /// A directory as a core from before reminders and the retention setting wrote it.
    #[test]
    fn a_directory_made_before_reminders_and_retention_reads() {
        let mut doc = AutoCommit::new();
        let community = doc.put_object(ROOT, "community", ObjType::Map).unwrap();
        doc.put(&community, "id", "c1").unwrap();
        doc.put(&community, "name", "梅园社区").unwrap();
        doc.put(&community, "utc_offset_minutes", 480).unwrap();
        doc.put_object(ROOT, "places", ObjType::Map).unwrap();
        doc.put_object(ROOT, "members", ObjType::Map).unwrap();
        let d: DirectoryDoc = crate::doc::one_pass::hydrate(&doc).unwrap();
        assert_eq!(d.community.gate_log_retention_days, None);
        assert!(d.reminders.is_empty());
        let whole: DirectoryDoc = autosurgeon::hydrate(&doc).unwrap();
        assert_eq!(whole, d);
    }
}
