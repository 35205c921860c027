//! The [`Linli`] handle: a store opened with a device identity and a clock, and the operations
//! of each domain area (in the submodules) that validate input, write documents and read
//! projections.

pub mod access;
pub mod agenda;
pub mod ballot;
pub mod cases;
pub mod directory;
pub mod duty;
pub mod erasure;
pub mod evaluations;
pub mod gate_goods;
pub mod households;
pub mod isolation;
pub mod joint_actions;
pub mod needs;
pub mod passes;
pub mod photos;
pub mod queries;
pub mod record_names;
pub mod records;
pub mod reminders;
pub mod resident_export;
pub mod residents;
pub mod retention;
pub mod set_aside;
pub mod sync;
pub mod ticket_actions;
pub mod tickets;
pub mod unsent;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use rusqlite::OptionalExtension;

use crate::clock::Clock;
use crate::doc::ChangeContext;
use crate::error::{Error, ErrorCode, Result};
use crate::records::directory::Role;
use crate::records::{Coded, validate};
use crate::store::{Store, StoreKey, StoreStats, WriteTxn};

/// Who is using this install: the member and the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceIdentity {
    /// The member's id in the community directory.
    pub member_id: String,
    /// This device's id.
    pub device_id: String,
}

/// The core's handle: one per store file. Safe to share between threads.
#[derive(Debug)]
pub struct Linli {
    pub(crate) store: Store,
    identity: DeviceIdentity,
    clock: Arc<dyn Clock>,
}

/// The community this store belongs to, from its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityInfo {
    /// Community id.
    pub id: String,
    /// The directory document's id.
    pub directory_doc: String,
    /// Name.
    pub name: String,
    /// Local time's offset from UTC, in minutes.
    pub utc_offset_minutes: i32,
}

impl CommunityInfo {
    /// The community's local time zone.
    pub fn offset(&self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_minutes * 60)
            .unwrap_or_else(|| FixedOffset::east_opt(8 * 3600).expect("valid offset"))
    }

    /// The local date of `at`.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.offset()).date_naive()
    }

    /// The UTC bounds [start, end) of local day `date`, in ms.
    pub fn day_bounds_ms(&self, date: NaiveDate) -> (i64, i64) {
        let start = self
            .offset()
            .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .map(|t| t.timestamp_millis())
            .unwrap_or_default();
        (start, start + 86_400_000)
    }
}

/// Deletes the store at `path` with its journal files and its owner's lock file: for a revoked
/// device whose user chose to wipe it. Close every [`Linli`] on it first.
pub fn wipe_store(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-rekey", "-rekey-journal", "-lock"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::document("store", e)),
        }
    }
    Ok(())
}

impl Linli {
    /// Opens the store at `path` for `identity`, creating it if needed. A store keeps the
    /// identity it was created with; opening it as someone else fails.
    /// The store is plain: the relay's own stores and tests; a phone opens its store with
    /// a key ([`Linli::open_with_actor`]).
    pub fn open(path: &Path, identity: DeviceIdentity, clock: Arc<dyn Clock>) -> Result<Linli> {
        Linli::open_with_actor(path, identity, clock, None, None)
    }

    /// Re-encrypts the closed store at `path` with a new key (a key rotation): afterwards only
    /// `to` opens it. [`Error::WrongKey`] when `from` does not open it, [`Error::StoreInUse`]
    /// while a handle is open; in both cases nothing changes.
    pub fn rekey(path: &Path, from: &StoreKey, to: &StoreKey) -> Result<()> {
        Store::rekey(path, from, to)
    }

    /// A new automerge actor id (hex) for an install: made before enrolment, which binds it to
    /// the device, and then given to [`Linli::open_with_actor`].
    pub fn new_actor_id() -> String {
        automerge::ActorId::random().to_hex_string()
    }

    /// Opens the store like [`Linli::open`], writing as `actor_hex` (the actor enrolment bound
    /// to this device). An existing store written by another actor is refused.
    ///
    /// With `key` the store is encrypted at rest: a new store is created encrypted, a plain one
    /// is converted in place first (nothing lost; the plain file's bytes are overwritten), and
    /// a key that does not open it is [`Error::WrongKey`] with nothing touched.
    pub fn open_with_actor(
        path: &Path,
        identity: DeviceIdentity,
        clock: Arc<dyn Clock>,
        actor_hex: Option<&str>,
        key: Option<&StoreKey>,
    ) -> Result<Linli> {
        let actor = actor_hex
            .map(|hex| {
                automerge::ActorId::try_from(hex).map_err(|e| {
                    Error::invalid(
                        "actor_id",
                        ErrorCode::Malformed,
                        format!("not a hex actor id: {e}"),
                    )
                })
            })
            .transpose()?;
        let member_id = validate::id("member_id", &identity.member_id)?;
        let device_id = validate::id("device_id", &identity.device_id)?;
        let identity = DeviceIdentity {
            member_id,
            device_id,
        };
        let store = Store::open(path, actor.as_ref(), key)?;
        let given = format!("{}@{}", identity.member_id, identity.device_id);
        let linli = Linli {
            store,
            identity,
            clock,
        };
        let ctx = linli.ctx();
        linli.store.write(&ctx, |w| {
            let stored: Option<String> = w
                .tx()
                .query_row("SELECT value FROM meta WHERE key = 'identity'", [], |r| {
                    r.get(0)
                })
                .optional()?;
            match stored {
                Some(s) if s != given => Err(Error::IdentityMismatch { stored: s, given }),
                Some(_) => Ok(()),
                None => {
                    w.tx().execute(
                        "INSERT INTO meta (key, value) VALUES ('identity', ?1)",
                        [&given],
                    )?;
                    Ok(())
                }
            }
        })?;
        let stale = linli.store.read(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'projections_stale')",
                [],
                |r| r.get::<_, bool>(0),
            )?)
        })?;
        if stale {
            // A migration added projection columns: fill them from the documents, once; the
            // WAL the rebuild wrote is folded in, or the next open would read all of it.
            linli.rebuild_projections()?;
            linli.store.truncate_wal()?;
        }
        Ok(linli)
    }

    /// The identity this store was opened with.
    pub fn identity(&self) -> &DeviceIdentity {
        &self.identity
    }

    /// This install's automerge actor id, hex: the relay binds it to the device.
    pub fn actor_id(&self) -> String {
        self.store.actor().to_hex_string()
    }

    /// Store counters (documents loaded, cached).
    pub fn stats(&self) -> StoreStats {
        self.store.stats()
    }

    /// The current time by the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn ctx(&self) -> ChangeContext {
        ChangeContext {
            member: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            at_ms: self.clock.now().timestamp_millis(),
        }
    }

    /// Runs `f` in one write transaction attributed to this device at the clock's now.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut WriteTxn<'_>) -> Result<R>) -> Result<R> {
        let ctx = self.ctx();
        self.store.write(&ctx, f)
    }

    /// Calls `observer` with the ids of the records each committed write touched (local
    /// edits and pulled changes alike) until the returned handle is dropped. It runs on the
    /// writing thread after the commit and may read the store.
    pub fn watch(&self, observer: crate::watch::Observer) -> crate::watch::Watch {
        self.store.watchers.add(observer)
    }

    /// How many observers are watching this store.
    pub fn watcher_count(&self) -> usize {
        self.store.watchers.len()
    }

    /// The community of this store.
    pub fn community(&self) -> Result<CommunityInfo> {
        self.store.read(|c| {
            c.query_row(
                "SELECT community_id, doc_id, name, utc_offset_minutes FROM p_community LIMIT 1",
                [],
                |r| {
                    Ok(CommunityInfo {
                        id: r.get(0)?,
                        directory_doc: r.get(1)?,
                        name: r.get(2)?,
                        utc_offset_minutes: r.get(3)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "community",
                id: "(none on this device)".into(),
            })
        })
    }

    /// Whether the acting member holds `role` (over `place_id`, when given).
    pub(crate) fn acting_member_holds(&self, role: Role, place_id: Option<&str>) -> Result<bool> {
        self.member_holds(&self.identity.member_id, role, place_id)
    }

    /// Whether the active member `member_id` holds `role` (over `place_id`, when given), as
    /// this store's directory says.
    pub(crate) fn member_holds(
        &self,
        member_id: &str,
        role: Role,
        place_id: Option<&str>,
    ) -> Result<bool> {
        self.store.read(|c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM p_member_roles r JOIN p_members m USING (member_id) \
                 WHERE r.member_id = ?1 AND r.role = ?2 AND r.place_id = ?3 AND m.active = 1",
                rusqlite::params![member_id, role.code(), place_id.unwrap_or("")],
                |r| r.get(0),
            )?;
            Ok(n > 0)
        })
    }

    /// Fails with [`Error::Forbidden`] unless the acting member is office staff or holds one
    /// of `roles` over `place_id`.
    pub(crate) fn require_role(&self, action: &str, roles: &[Role], place_id: &str) -> Result<()> {
        self.require_role_of(&self.identity.member_id, action, roles, place_id)
    }

    /// [`Linli::require_role`] for the member `member_id`: a request the relay acts on for
    /// the member who made it.
    pub(crate) fn require_role_of(
        &self,
        member_id: &str,
        action: &str,
        roles: &[Role],
        place_id: &str,
    ) -> Result<()> {
        if self.member_holds(member_id, Role::Office, None)? {
            return Ok(());
        }
        for role in roles {
            if self.member_holds(member_id, *role, Some(place_id))? {
                return Ok(());
            }
        }
        let names: Vec<&str> = roles.iter().map(|r| r.label_zh()).collect();
        Err(Error::forbidden(
            action,
            ErrorCode::RoleRequired,
            format!("需要社区办公室或{}角色（{place_id}）", names.join("/")),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_handle_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::Linli>();
    }
}
