//! Who may read and write which scope, from the directory's roles. The relay asks this of its
//! office replica for every sync; the table is written out in the README:
//!
//! | scope | office | area lead | building / lane lead | gate lead, shift lead, safety officer, volunteer | any active member |
//! |---|---|---|---|---|---|
//! | `community` | read, write | read | read | read | read |
//! | `tickets` | read, write | read, write | read, write | read, write | read, write |
//! | `building/<b>` | read, write | read, write (b in their area) | read, write (their building, or b in their lane) | – | – |
//! | `gate/<g>/roster` | read, write | read (g in their area) | – | read, write (their gate) | – |
//! | `gate/<g>/log` | read, write | read (g in their area) | – | read, write (their gate) | – |
//!
//! A deactivated or unknown member has no access at all.

use std::collections::BTreeSet;

use rusqlite::OptionalExtension;

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
        let roles = self.active_roles(member_id)?;
        if roles.is_empty() {
            return Ok(Access::NONE);
        }
        if roles.iter().any(|(r, _)| *r == Role::Office) {
            return Ok(Access::READ_WRITE);
        }
        let Some(place) = scope.place() else {
            return Ok(match scope {
                Scope::Tickets => Access::READ_WRITE,
                _ => Access::READ,
            });
        };
        let covering = self.place_and_ancestors(place)?;
        let holds = |wanted: &[Role]| {
            roles
                .iter()
                .any(|(r, p)| wanted.contains(r) && covering.contains(p))
        };
        let access = match scope {
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
        };
        Ok(access)
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

    /// `place` and the places that contain it, innermost first.
    fn place_and_ancestors(&self, place: &str) -> Result<BTreeSet<String>> {
        self.store.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT parent_id FROM p_places WHERE place_id = ?1")?;
            let mut out = BTreeSet::from([place.to_owned()]);
            let mut current = place.to_owned();
            for _ in 0..MAX_PLACE_DEPTH {
                let parent: Option<Option<String>> =
                    stmt.query_row([&current], |r| r.get(0)).optional()?;
                match parent.flatten() {
                    Some(p) if !p.is_empty() && out.insert(p.clone()) => current = p,
                    _ => break,
                }
            }
            Ok(out)
        })
    }

    /// The buildings or gates the acting member works at: those whose households (buildings)
    /// or day log (gates) the member may write, by the table above. Other kinds: none.
    pub fn my_places(&self, kind: PlaceKind) -> Result<Vec<PlaceRow>> {
        let me = self.identity().member_id.clone();
        let mut out = Vec::new();
        for place in self.places(Some(kind))? {
            let scope = match kind {
                PlaceKind::Building => Scope::Building(place.id.clone()),
                PlaceKind::Gate => Scope::GateLog(place.id.clone()),
                _ => continue,
            };
            if self.scope_access(&me, &scope)?.write {
                out.push(place);
            }
        }
        Ok(out)
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
