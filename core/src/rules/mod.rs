//! The rules that decide whether a change may enter the log: one piece of code that the relay
//! runs on every pushed change. A change is judged by applying it to a copy of its document as
//! it stood when the change was made (the change's dependencies) and comparing the record
//! before and after, per document kind:
//!
//! | document | who may change what |
//! |---|---|
//! | directory | the office only |
//! | roster | shifts and slots: the gate's lead or the office; a swap requested by the slot's holder (or the gate lead), accepted by the member named, approved by the gate lead or the office |
//! | gate log | entries appended by the gate's duty roles (the scope decides who), never changed or removed |
//! | household | the building's leads and the office (the scope decides who); visits appended, never changed or removed |
//! | ticket | the action table of [`crate::api::ticket_actions`] in the state the ticket was in; events appended, never changed or removed |
//!
//! For every kind: the change names the pushing device's member and device, and so does every
//! event it appends; it deletes no root field of the record; it is no larger than
//! [`MAX_OPS_PER_CHANGE`] operations, nests no deeper than [`MAX_DEPTH`], and leaves a
//! document that reads as its record. Refusals carry a stable [`RefusalCode`].

mod kinds;

use automerge::{AutoCommit, Change, ROOT, ReadDoc};

pub use crate::doc::conflicts::MAX_DEPTH;
use crate::doc::conflicts::nests_too_deep;
use crate::doc::{ChangeNote, DocKind, GENESIS_ACTION, genesis_actor, genesis_hash};
use crate::records::directory::Role;

/// The most operations one change may hold. A record's largest honest change (a roster week
/// with its shifts, a household registered with its residents) holds a few hundred.
pub const MAX_OPS_PER_CHANGE: usize = 20_000;

/// The role that, besides the office, builds a gate's roster, assigns its slots, asks for a
/// swap of someone else's slot and approves swaps: the gate's lead. The phone's duty API asks
/// for it before it writes; the relay's judgment of a roster change asks for it again.
pub const ROSTER_ROLE: Role = Role::GateLead;

/// Why a change was refused: a stable code for programs, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalCode {
    /// The change, or an event it appends, names another member or device.
    ForgedAttribution,
    /// The member's roles do not allow this edit.
    RoleForbidden,
    /// The record's state did not allow this action when the change was made.
    StateForbidden,
    /// An append-only list (visits, ticket events, gate entries) lost or changed an item.
    AppendOnly,
    /// A root field of the record was deleted.
    RootDeleted,
    /// The document no longer reads as its record (a value of the wrong type).
    BadShape,
    /// Objects nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than [`MAX_OPS_PER_CHANGE`] operations.
    TooLarge,
    /// The change does not apply: its actor and sequence number repeat another change's, or
    /// its operations are inconsistent.
    CannotApply,
    /// The change builds on changes the relay does not have.
    MissingDependency,
    /// The change builds on a change that was refused.
    DependsOnRefused,
    /// The change does not decode.
    Corrupt,
}

impl RefusalCode {
    /// The code as it travels and is stored.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::ForgedAttribution => "forged_attribution",
            RefusalCode::RoleForbidden => "role_forbidden",
            RefusalCode::StateForbidden => "state_forbidden",
            RefusalCode::AppendOnly => "append_only",
            RefusalCode::RootDeleted => "root_deleted",
            RefusalCode::BadShape => "bad_shape",
            RefusalCode::TooDeep => "too_deep",
            RefusalCode::TooLarge => "too_large",
            RefusalCode::CannotApply => "cannot_apply",
            RefusalCode::MissingDependency => "missing_dependency",
            RefusalCode::DependsOnRefused => "depends_on_refused",
            RefusalCode::Corrupt => "corrupt_change",
        }
    }
}

/// A refused change: its code and, for a person, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The code.
    pub code: RefusalCode,
    /// Why.
    pub reason: String,
}

impl Refusal {
    pub(crate) fn new(code: RefusalCode, reason: impl Into<String>) -> Refusal {
        Refusal {
            code,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.reason)
    }
}

/// Who pushed a change: the authenticated device's member and device, and the roles the
/// member holds now, with the place each covers ('' for none).
#[derive(Debug, Clone)]
pub struct Pusher {
    /// Member id.
    pub member_id: String,
    /// Device id.
    pub device_id: String,
    /// Roles held.
    pub roles: Vec<(Role, String)>,
}

impl Pusher {
    /// Whether the member holds `role` over `place` (or is office staff).
    pub(crate) fn holds_or_office(&self, role: Role, place: &str) -> bool {
        self.roles
            .iter()
            .any(|(r, p)| *r == Role::Office || (*r == role && p == place))
    }

    /// The roles held, without their places.
    pub(crate) fn role_list(&self) -> Vec<Role> {
        self.roles.iter().map(|(r, _)| *r).collect()
    }
}

/// Judges `change` of the document `doc_id` of `kind`, pushed by `pusher`. `doc` holds every
/// change of the document the judge knows; on success the change has been applied to it, so
/// that the next change of the same push is judged on top. On refusal `doc` may hold a
/// partly applied state only if the refusal is [`RefusalCode::CannotApply`]; the caller then
/// starts again from its own copy.
pub fn judge(
    doc: &mut AutoCommit,
    kind: DocKind,
    doc_id: &str,
    change: &Change,
    pusher: &Pusher,
) -> Result<(), Refusal> {
    if change.len() > MAX_OPS_PER_CHANGE {
        return Err(Refusal::new(
            RefusalCode::TooLarge,
            format!(
                "{} operations in one change (at most {MAX_OPS_PER_CHANGE})",
                change.len()
            ),
        ));
    }
    if doc.get_change_meta_by_hash(&change.hash()).is_some() {
        return Ok(());
    }
    let genesis = *change.actor_id() == genesis_actor(doc_id);
    if genesis {
        // Only the document's deterministic first change may carry the genesis actor.
        return if genesis_hash(kind, doc_id).is_ok_and(|h| h == change.hash()) {
            apply(doc, change)
        } else {
            Err(Refusal::new(
                RefusalCode::ForgedAttribution,
                "only a document's first change is written by its genesis actor",
            ))
        };
    }
    let note = ChangeNote::parse(change.message());
    if note.member != pusher.member_id || note.device != pusher.device_id {
        return Err(Refusal::new(
            RefusalCode::ForgedAttribution,
            format!(
                "the change names member {:?} on device {:?}, but was pushed by {} on {}",
                note.member, note.device, pusher.member_id, pusher.device_id
            ),
        ));
    }
    if note.action == GENESIS_ACTION {
        return Err(Refusal::new(
            RefusalCode::ForgedAttribution,
            "only a document's first change is labelled genesis",
        ));
    }
    if let Some(dep) = change
        .deps()
        .iter()
        .find(|d| doc.get_change_meta_by_hash(d).is_none())
    {
        return Err(Refusal::new(
            RefusalCode::MissingDependency,
            format!("builds on change {dep}, which the relay does not have"),
        ));
    }
    // The document as the change's author saw it.
    let mut heads = doc.get_heads();
    heads.sort();
    let mut deps = change.deps().to_vec();
    deps.sort();
    let mut at = if deps == heads {
        doc.clone()
    } else {
        doc.fork_at(&deps)
            .map_err(|e| Refusal::new(RefusalCode::CannotApply, e.to_string()))?
    };
    let root_before: Vec<String> = at.keys(ROOT).collect();
    let before = kinds::Record::read(kind, &at);
    apply(&mut at, change)?;
    if nests_too_deep(&at) {
        return Err(Refusal::new(
            RefusalCode::TooDeep,
            format!("objects nested deeper than {MAX_DEPTH}"),
        ));
    }
    if let Some(key) = root_before
        .iter()
        .find(|k| at.get(ROOT, k.as_str()).ok().flatten().is_none())
    {
        return Err(Refusal::new(
            RefusalCode::RootDeleted,
            format!("deletes the record's field {key:?}"),
        ));
    }
    let after =
        kinds::Record::read(kind, &at).map_err(|e| Refusal::new(RefusalCode::BadShape, e))?;
    // A record that did not read before (written before these rules) is judged on its new
    // state alone.
    if let Ok(before) = before {
        kinds::compare(doc_id, &before, &after, pusher)?;
    } else if kind == DocKind::Directory {
        kinds::compare(doc_id, &kinds::Record::empty(kind), &after, pusher)?;
    }
    if deps == heads {
        *doc = at;
        Ok(())
    } else {
        apply(doc, change)
    }
}

fn apply(doc: &mut AutoCommit, change: &Change) -> Result<(), Refusal> {
    crate::doc::apply_guarded(doc, [change.clone()])
        .map_err(|e| Refusal::new(RefusalCode::CannotApply, e))
}

#[cfg(test)]
mod tests;
