//! Who may read and write which scope, from the directory's roles. The relay asks this of its
//! office replica for every sync; the table is written out in the README:
//!
//! | scope | office | area lead | building / lane lead | gate lead, shift lead, safety officer, volunteer | any active member |
//! |---|---|---|---|---|---|
//! | `community` | read, write | read, write¹ | read, write¹ | read, write¹ | read, write¹ |
//! | `tickets` | read, write | read, write | read, write | read, write | read, write |
//! | `needs` | read, write | read, write | read, write | read, write | read, write |
//! | `evaluations` | read, write | read, write | read, write | read, write | read, write |
//! | `building/<b>` | read, write | read, write (b in their area) | read, write (their building, or b in their lane) | – | – |
//! | `gate/<g>/roster` | read, write | read (g in their area) | – | read, write (their gate) | – |
//! | `gate/<g>/log` | read, write | read (g in their area) | – | read, write (their gate) | – |
//! | `department/<d>` | read, write | read, write | read | read | read |
//! | `joint/<j>` | read, write | read, write | read | read | read |
//!
//! A department's staff (部门联络员) read the directory, read and write their own department's
//! work orders (`department/<d>`) and the joint actions it takes part in (`joint/<j>`), and
//! nothing else: not the tickets, the needs list, the evaluations, households or gates. Every
//! other member reads every department's work orders and every joint action, so that a
//! ticket's state, which takes the departments' steps, is the same on every phone; area leads
//! write them too (they dispatch, plan and answer a department's questions). A member holding
//! both kinds of role has what either gives.
//!
//! ¹ The directory's rules ([`crate::rules`]) let them only mark the office's reminders that
//! concern them done; anything else in it is the office's.
//!
//! A deactivated or unknown member has no access at all.

use std::collections::{BTreeSet, HashMap};

use super::Linli;
use super::directory::PlaceRow;
use crate::error::Result;
use crate::records::Coded;
use crate::records::directory::{PlaceKind, Role};
use crate::scope::Scope;

/// What a member may do with a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Access {
    /// May pull the scope's changes.
    pub read: bool,
    /// May push changes to the scope.
    pub write: bool,
}

impl Access {
    const NONE: Access = Access {
        read: false,
        write: false,
    };
    const READ: Access = Access {
        read: true,
        write: false,
    };
    const READ_WRITE: Access = Access {
        read: true,
        write: true,
    };
}

/// The deepest place nesting followed (area → compound or lane → building or gate).
const MAX_PLACE_DEPTH: usize = 8;

impl Linli {
    /// What `member_id` may do with `scope` (see the module documentation).
    pub fn scope_access(&self, member_id: &str, scope: &Scope) -> Result<Access> {
        Ok(self.scope_accesses(member_id, std::slice::from_ref(scope))?[0])
    }

    /// What `member_id` may do with each of `scopes`, in order: the member's roles and the
    /// place tree are read once, however many scopes are asked about.
    pub fn scope_accesses(&self, member_id: &str, scopes: &[Scope]) -> Result<Vec<Access>> {
        let roles = self.active_roles(member_id)?;
        if roles.is_empty() {
            return Ok(vec![Access::NONE; scopes.len()]);
        }
        if roles.iter().any(|(r, _)| *r == Role::Office) {
            return Ok(vec![Access::READ_WRITE; scopes.len()]);
        }
        let tree = if scopes.iter().any(|s| s.place().is_some()) {
            self.place_tree()?
        } else {
            HashMap::new()
        };
        let mut joints = HashMap::new();
        for scope in scopes {
            if let Scope::Joint(j) = scope {
                joints.insert(j.clone(), self.joint_units(j)?);
            }
        }
        Ok(scopes
            .iter()
            .map(|scope| access_by_roles(&roles, &tree, &joints, scope))
            .collect())
    }

    /// The roles an active member holds, with the place each covers ('' for none).
    fn active_roles(&self, member_id: &str) -> Result<Vec<(Role, String)>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT r.role, r.place_id FROM p_member_roles r JOIN p_members m USING (member_id) \
                 WHERE r.member_id = ?1 AND m.active = 1",
            )?;
            let rows = stmt.query_map([member_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (role, place) = row?;
                if let Ok(role) = Role::parse_code(&role, "role") {
                    out.push((role, place));
                }
            }
            Ok(out)
        })
    }

    /// The departments taking part in joint action `joint_id` (its scope's id).
    fn joint_units(&self, joint_id: &str) -> Result<Vec<String>> {
        let doc_id = format!("{}:{joint_id}", crate::ids::JOINT_PREFIX);
        self.store.read(|c| {
            let mut stmt = c.prepare_cached("SELECT unit FROM p_joint_units WHERE doc_id = ?1")?;
            let rows = stmt.query_map([doc_id], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Every place's parent.
    pub(crate) fn place_tree(&self) -> Result<HashMap<String, String>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached("SELECT place_id, parent_id FROM p_places")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            let mut tree = HashMap::new();
            for row in rows {
                if let (place, Some(parent)) = row?
                    && !parent.is_empty()
                {
                    tree.insert(place, parent);
                }
            }
            Ok(tree)
        })
    }

    /// The buildings or gates the acting member works at: those whose households (buildings)
    /// or day log (gates) the member may write, by the table above. Other kinds: none.
    pub fn my_places(&self, kind: PlaceKind) -> Result<Vec<PlaceRow>> {
        let places = self.places(Some(kind))?;
        let scopes: Vec<Scope> = places
            .iter()
            .filter_map(|p| match kind {
                PlaceKind::Building => Some(Scope::Building(p.id.clone())),
                PlaceKind::Gate => Some(Scope::GateLog(p.id.clone())),
                PlaceKind::Department => Some(Scope::Department(p.id.clone())),
                _ => None,
            })
            .collect();
        if scopes.len() != places.len() {
            return Ok(Vec::new());
        }
        let access = self.scope_accesses(&self.identity().member_id, &scopes)?;
        Ok(places
            .into_iter()
            .zip(access)
            .filter(|(_, a)| a.write)
            .map(|(p, _)| p)
            .collect())
    }

    /// Whether `member_id` is an active member holding the office role.
    pub fn is_office(&self, member_id: &str) -> Result<bool> {
        Ok(self
            .active_roles(member_id)?
            .iter()
            .any(|(r, _)| *r == Role::Office))
    }

    /// The roles of an active member as `(role code, place id)` pairs.
    pub fn member_role_codes(&self, member_id: &str) -> Result<Vec<(String, String)>> {
        Ok(self
            .active_roles(member_id)?
            .into_iter()
            .map(|(r, p)| (r.code().to_owned(), p))
            .collect())
    }
}

/// `place` and the places that contain it.
fn place_and_ancestors(tree: &HashMap<String, String>, place: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::from([place.to_owned()]);
    let mut current = place;
    for _ in 0..MAX_PLACE_DEPTH {
        match tree.get(current) {
            Some(parent) if out.insert(parent.clone()) => current = parent,
            _ => break,
        }
    }
    out
}

/// The table of the module documentation, for an active member who is not office staff.
fn access_by_roles(
    roles: &[(Role, String)],
    tree: &HashMap<String, String>,
    joints: &HashMap<String, Vec<String>>,
    scope: &Scope,
) -> Access {
    let (staff, community): (Vec<_>, Vec<_>) = roles
        .iter()
        .cloned()
        .partition(|(r, _)| *r == Role::DepartmentStaff);
    let by_department = match scope {
        Scope::Community if !staff.is_empty() => Access::READ,
        Scope::Department(d) if staff.iter().any(|(_, p)| p == d) => Access::READ_WRITE,
        Scope::Joint(j)
            if joints
                .get(j)
                .is_some_and(|units| staff.iter().any(|(_, p)| units.contains(p))) =>
        {
            Access::READ_WRITE
        }
        _ => Access::NONE,
    };
    if community.is_empty() {
        return by_department;
    }
    let by_community = access_by_community_roles(&community, tree, scope);
    Access {
        read: by_department.read || by_community.read,
        write: by_department.write || by_community.write,
    }
}

/// The table's community columns: every role but a department's staff.
fn access_by_community_roles(
    roles: &[(Role, String)],
    tree: &HashMap<String, String>,
    scope: &Scope,
) -> Access {
    if let Scope::Department(_) | Scope::Joint(_) = scope {
        return if roles.iter().any(|(r, _)| *r == Role::AreaLead) {
            Access::READ_WRITE
        } else {
            Access::READ
        };
    }
    let Some(place) = scope.place() else {
        return match scope {
            // The directory's rules keep everything but one's own reminders to the office.
            Scope::Tickets | Scope::Needs | Scope::Evaluations | Scope::Community => {
                Access::READ_WRITE
            }
            _ => Access::READ,
        };
    };
    let covering = place_and_ancestors(tree, place);
    let holds = |wanted: &[Role]| {
        roles
            .iter()
            .any(|(r, p)| wanted.contains(r) && covering.contains(p))
    };
    match scope {
        Scope::Building(_) if holds(&[Role::AreaLead, Role::BuildingLead, Role::LaneLead]) => {
            Access::READ_WRITE
        }
        Scope::GateRoster(_) | Scope::GateLog(_) => {
            let gate_roles = [
                Role::GateLead,
                Role::ShiftLead,
                Role::SafetyOfficer,
                Role::Volunteer,
            ];
            if roles
                .iter()
                .any(|(r, p)| gate_roles.contains(r) && p == place)
            {
                Access::READ_WRITE
            } else if holds(&[Role::AreaLead]) {
                Access::READ
            } else {
                Access::NONE
            }
        }
        _ => Access::NONE,
    }
}
