//! The community directory: creating the community, places, members and their roles.

use std::collections::BTreeMap;

use rusqlite::params;

use super::{CommunityInfo, Linli};
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{directory_doc_id, new_id};
use crate::records::directory::{
    CommunityInfo as CommunityRecord, Member, Place, PlaceKind, Role, RoleGrant,
};
use crate::records::{Coded, validate};
use crate::scope::Scope;

/// The default offset of local time: China Standard Time, +08:00.
pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = 8 * 60;

/// A role to grant, with the places it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleInput {
    /// The role.
    pub role: Role,
    /// Place ids covered (buildings for a building lead, gates for gate roles, …).
    pub places: Vec<String>,
}

/// A new member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInput {
    /// Use this id (e.g. the one enrolment gave), or `None` for a new one.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// Roles.
    pub roles: Vec<RoleInput>,
}

/// A place as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceRow {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: PlaceKind,
    /// Name.
    pub name: String,
    /// Parent place.
    pub parent: Option<String>,
}

/// A member as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// Active or deactivated.
    pub active: bool,
    /// Roles and the places each covers.
    pub roles: Vec<RoleInput>,
}

impl Linli {
    /// Creates the community on this device, with the acting member as its office admin.
    /// `utc_offset_minutes` defaults to +08:00.
    pub fn create_community(
        &self,
        name: &str,
        utc_offset_minutes: Option<i32>,
        admin_name: &str,
        admin_phone: &str,
    ) -> Result<CommunityInfo> {
        let name = validate::name("name", name)?;
        let offset = utc_offset_minutes.unwrap_or(DEFAULT_UTC_OFFSET_MINUTES);
        if !(-12 * 60..=14 * 60).contains(&offset) {
            return Err(Error::invalid(
                "utc_offset_minutes",
                ErrorCode::OutOfRange,
                "must lie between -720 and +840",
            ));
        }
        let admin = Member {
            name: validate::name("admin_name", admin_name)?,
            phone: validate::phone("admin_phone", admin_phone)?,
            roles: BTreeMap::from([(Role::Office.code().to_owned(), RoleGrant::default())]),
            active: true,
        };
        if let Ok(existing) = self.community() {
            return Err(Error::InvalidState {
                record: "community",
                id: existing.id,
                code: ErrorCode::CommunityExists,
                message: "this device already belongs to a community".into(),
            });
        }
        let id = new_id(self.now());
        let doc_id = directory_doc_id(&id);
        let me = self.identity.member_id.clone();
        self.write(|w| {
            w.create(&doc_id, &Scope::Community)?;
            w.edit(&doc_id, "community.create", |e| {
                e.put(
                    &["community"],
                    CommunityRecord {
                        id: id.clone(),
                        name: name.clone(),
                        utc_offset_minutes: offset.into(),
                        gate_log_retention_days: None,
                    },
                )?;
                e.put(&["members", &me], &admin)
            })?;
            Ok(())
        })?;
        self.community()
    }

    fn directory_doc(&self) -> Result<String> {
        Ok(self.community()?.directory_doc)
    }

    pub(crate) fn place_kind(&self, id: &str) -> Result<Option<PlaceKind>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached("SELECT kind FROM p_places WHERE place_id = ?1")?;
            let mut rows = stmt.query([id])?;
            match rows.next()? {
                Some(r) => Ok(Some(PlaceKind::parse_code(
                    &r.get::<_, String>(0)?,
                    "kind",
                )?)),
                None => Ok(None),
            }
        })
    }

    /// Adds a place. Gates and buildings belong to a compound; compounds and lanes may belong
    /// to an area. Office only.
    pub fn add_place(&self, kind: PlaceKind, name: &str, parent: Option<&str>) -> Result<String> {
        self.require_role("add a place", &[], "community")?;
        let name = validate::name("name", name)?;
        let parent = parent.map(str::trim).filter(|p| !p.is_empty());
        match parent {
            Some(p) => {
                let parent_kind = self.place_kind(p)?.ok_or_else(|| {
                    Error::invalid(
                        "parent",
                        ErrorCode::NoSuchPlace,
                        format!("no place with id {p}"),
                    )
                })?;
                if !kind.allowed_parents().contains(&parent_kind) {
                    return Err(Error::invalid(
                        "parent",
                        ErrorCode::WrongPlaceKind,
                        format!(
                            "a {} cannot be inside a {}",
                            kind.label_zh(),
                            parent_kind.label_zh()
                        ),
                    ));
                }
            }
            None if kind.parent_required() => {
                return Err(Error::invalid(
                    "parent",
                    ErrorCode::WrongPlaceKind,
                    format!("a {} must belong to a compound", kind.label_zh()),
                ));
            }
            None => {}
        }
        let id = new_id(self.now());
        let doc_id = self.directory_doc()?;
        self.write(|w| {
            w.edit(&doc_id, "place.add", |e| {
                e.put(
                    &["places", &id],
                    Place {
                        kind,
                        name,
                        parent: parent.map(str::to_owned),
                    },
                )
            })
        })?;
        Ok(id)
    }

    fn role_grant(&self, input: &RoleInput) -> Result<RoleGrant> {
        let mut places = BTreeMap::new();
        let wanted = input.role.covers();
        for place in &input.places {
            let kind = self.place_kind(place)?.ok_or_else(|| {
                Error::invalid(
                    "places",
                    ErrorCode::NoSuchPlace,
                    format!("no place with id {place}"),
                )
            })?;
            if Some(kind) != wanted {
                return Err(Error::invalid(
                    "places",
                    ErrorCode::WrongPlaceKind,
                    format!(
                        "a {} covers {}, not {} {place}",
                        input.role.label_zh(),
                        wanted.map(|k| k.label_zh()).unwrap_or("no place"),
                        kind.label_zh()
                    ),
                ));
            }
            places.insert(place.clone(), true);
        }
        if input.role.needs_places() && places.is_empty() {
            return Err(Error::invalid(
                "places",
                ErrorCode::Empty,
                format!("a {} must cover at least one place", input.role.label_zh()),
            ));
        }
        Ok(RoleGrant { places })
    }

    /// Adds a member with roles. Office only.
    pub fn add_member(&self, input: &MemberInput) -> Result<String> {
        self.require_role("add a member", &[], "community")?;
        let name = validate::name("name", &input.name)?;
        let phone = validate::phone("phone", &input.phone)?;
        let mut roles = BTreeMap::new();
        for r in &input.roles {
            roles.insert(r.role.code().to_owned(), self.role_grant(r)?);
        }
        let id = match &input.id {
            Some(id) => validate::id("id", id)?,
            None => new_id(self.now()),
        };
        if self.member(&id).is_ok() {
            return Err(Error::invalid(
                "id",
                ErrorCode::Exists,
                format!("member {id} exists already"),
            ));
        }
        let doc_id = self.directory_doc()?;
        let member = Member {
            name,
            phone,
            roles,
            active: true,
        };
        self.write(|w| w.edit(&doc_id, "member.add", |e| e.put(&["members", &id], &member)))?;
        Ok(id)
    }

    /// Grants (or replaces) one role of a member. Office only.
    pub fn grant_role(&self, member_id: &str, role: &RoleInput) -> Result<()> {
        self.require_role("grant a role", &[], "community")?;
        self.member(member_id)?;
        let grant = self.role_grant(role)?;
        let doc_id = self.directory_doc()?;
        self.write(|w| {
            w.edit(&doc_id, "member.grant_role", |e| {
                e.put(&["members", member_id, "roles", role.role.code()], &grant)
            })
        })?;
        Ok(())
    }

    /// Deactivates a member: they keep their history but hold no duty and no role. Office only.
    pub fn deactivate_member(&self, member_id: &str) -> Result<()> {
        self.require_role("deactivate a member", &[], "community")?;
        self.member(member_id)?;
        let doc_id = self.directory_doc()?;
        self.write(|w| {
            w.edit(&doc_id, "member.deactivate", |e| {
                e.put(&["members", member_id, "active"], false)
            })
        })?;
        Ok(())
    }

    /// Places of one kind (or all), by name.
    pub fn places(&self, kind: Option<PlaceKind>) -> Result<Vec<PlaceRow>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT place_id, kind, name, parent_id FROM p_places \
                 WHERE ?1 IS NULL OR kind = ?1 ORDER BY kind, name, place_id",
            )?;
            let rows = stmt.query_map([kind.map(|k| k.code())], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, kind, name, parent) = row?;
                out.push(PlaceRow {
                    id,
                    kind: PlaceKind::parse_code(&kind, "kind")?,
                    name,
                    parent,
                });
            }
            Ok(out)
        })
    }

    /// The name of a place (its id if unknown).
    pub fn place_name(&self, id: &str) -> Result<String> {
        self.store.read(|c| {
            let name: Option<String> = c
                .query_row("SELECT name FROM p_places WHERE place_id = ?1", [id], |r| {
                    r.get(0)
                })
                .ok();
            Ok(name.unwrap_or_else(|| id.to_owned()))
        })
    }

    /// Every member, by name.
    pub fn members(&self) -> Result<Vec<MemberRow>> {
        self.members_where("?1 IS NULL", None)
    }

    /// One member.
    pub fn member(&self, id: &str) -> Result<MemberRow> {
        self.members_where("member_id = ?1", Some(id))?
            .pop()
            .ok_or_else(|| Error::NotFound {
                what: "member",
                id: id.to_owned(),
            })
    }

    fn members_where(&self, filter: &str, arg: Option<&str>) -> Result<Vec<MemberRow>> {
        self.store.read(|c| {
            let sql = format!(
                "SELECT member_id, name, phone, active FROM p_members WHERE {filter} \
                 ORDER BY name, member_id"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let map = |r: &rusqlite::Row<'_>| {
                Ok(MemberRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    phone: r.get(2)?,
                    active: r.get(3)?,
                    roles: Vec::new(),
                })
            };
            let mut members: Vec<MemberRow> =
                stmt.query_map([arg], map)?.collect::<Result<_, _>>()?;
            let mut roles = c.prepare_cached(
                "SELECT role, place_id FROM p_member_roles WHERE member_id = ?1 ORDER BY role, place_id",
            )?;
            for m in &mut members {
                let mut grants: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for row in roles.query_map(params![m.id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })? {
                    let (role, place) = row?;
                    let places = grants.entry(role).or_default();
                    if !place.is_empty() {
                        places.push(place);
                    }
                }
                for (role, places) in grants {
                    m.roles.push(RoleInput {
                        role: Role::parse_code(&role, "role")?,
                        places,
                    });
                }
            }
            Ok(members)
        })
    }
}
