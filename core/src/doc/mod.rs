//! Documents: the kinds of record Linli keeps as automerge documents, the scope each lives in, the
//! attribution written into every change, and the deterministic first change that lets several
//! devices create the same document offline without splitting it.

pub(crate) mod conflicts;
mod edit;
pub(crate) mod one_pass;

use automerge::{ActorId, AutoCommit, ChangeHash, transaction::CommitOptions};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

pub use conflicts::{MAX_DEPTH, nests_too_deep};
pub use edit::DocEditor;

use crate::error::{Error, Result};

/// The kinds of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DocKind {
    /// The community directory: places, members, roles.
    Directory,
    /// One household and its visits.
    Household,
    /// One complaint ticket and its event timeline.
    Ticket,
    /// One gate's duty roster for one week.
    Roster,
    /// One gate's log for one local day.
    GateLog,
}

impl DocKind {
    /// Every kind, in a fixed order.
    pub const ALL: [DocKind; 5] = [
        DocKind::Directory,
        DocKind::Household,
        DocKind::Ticket,
        DocKind::Roster,
        DocKind::GateLog,
    ];

    /// The name stored in the database and sent over the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Directory => "directory",
            DocKind::Household => "household",
            DocKind::Ticket => "ticket",
            DocKind::Roster => "roster",
            DocKind::GateLog => "gate_log",
        }
    }

    /// Parses [`DocKind::as_str`].
    pub fn parse(s: &str) -> Result<Self> {
        DocKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::invalid("kind", format!("unknown document kind {s:?}")))
    }
}

/// A typed record stored as one automerge document.
pub trait Record: Hydrate + Reconcile + Default {
    /// The kind of document this record is.
    const KIND: DocKind;
}

/// Who makes a change, and when: written into every change's message and time.
#[derive(Debug, Clone)]
pub struct ChangeContext {
    /// The acting member.
    pub member: String,
    /// The acting device.
    pub device: String,
    /// Device time, milliseconds since the epoch (advisory).
    pub at_ms: i64,
}

/// The attribution carried by a change's message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeNote {
    /// Member id (`m`).
    #[serde(rename = "m", default, skip_serializing_if = "String::is_empty")]
    pub member: String,
    /// Device id (`d`).
    #[serde(rename = "d", default, skip_serializing_if = "String::is_empty")]
    pub device: String,
    /// The action, e.g. `visit.log` (`a`).
    #[serde(rename = "a")]
    pub action: String,
}

/// The action name of a document's deterministic first change.
pub const GENESIS_ACTION: &str = "genesis";

impl ChangeNote {
    /// Reads the note of a change message; a message that is not ours becomes the action.
    pub fn parse(message: Option<&str>) -> ChangeNote {
        match message {
            Some(m) => serde_json::from_str(m).unwrap_or_else(|_| ChangeNote {
                action: m.to_owned(),
                ..ChangeNote::default()
            }),
            None => ChangeNote::default(),
        }
    }

    /// The note as a change message.
    pub fn to_message(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl ChangeContext {
    /// Commit options carrying this context's attribution for `action`.
    pub(crate) fn commit_options(&self, action: &str) -> CommitOptions {
        let note = ChangeNote {
            member: self.member.clone(),
            device: self.device.clone(),
            action: action.to_owned(),
        };
        CommitOptions::default()
            .with_message(note.to_message())
            .with_time(self.at_ms / 1000)
    }
}

/// The document's first change, identical on every device that makes it: the typed skeleton of
/// its kind (a roster or gate log names its gate and date, read from the id) written by an actor
/// derived from the document id, at time zero. Two devices creating the same roster week or gate
/// day offline produce the same change (same hash), so their later changes land in the same
/// lists and maps instead of competing copies; and the relay can recompute it to accept a first
/// change that no device authored.
pub(crate) fn genesis(kind: DocKind, doc_id: &str) -> Result<AutoCommit> {
    use crate::ids::{GATE_LOG_PREFIX, ROSTER_PREFIX, parse_gate_doc_id};
    use crate::records::{
        directory::DirectoryDoc, gate_log::GateLogDoc, household::HouseholdDoc, roster::RosterDoc,
        ticket::TicketDoc,
    };
    let gate_day = |prefix| {
        parse_gate_doc_id(prefix, doc_id).ok_or_else(|| {
            Error::invalid(
                "doc_id",
                format!("{doc_id:?} is not a {prefix} document id"),
            )
        })
    };
    let mut doc = AutoCommit::new();
    doc.set_actor(genesis_actor(doc_id));
    let reconciled = match kind {
        DocKind::Directory => autosurgeon::reconcile(&mut doc, DirectoryDoc::default()),
        DocKind::Household => autosurgeon::reconcile(&mut doc, HouseholdDoc::default()),
        DocKind::Ticket => autosurgeon::reconcile(&mut doc, TicketDoc::default()),
        DocKind::Roster => {
            let (gate, monday) = gate_day(ROSTER_PREFIX)?;
            let skeleton = RosterDoc {
                gate_id: gate.to_owned(),
                week_start: monday.to_string(),
                ..RosterDoc::default()
            };
            autosurgeon::reconcile(&mut doc, skeleton)
        }
        DocKind::GateLog => {
            let (gate, date) = gate_day(GATE_LOG_PREFIX)?;
            let skeleton = GateLogDoc {
                gate_id: gate.to_owned(),
                date: date.to_string(),
                entries: Vec::new(),
            };
            autosurgeon::reconcile(&mut doc, skeleton)
        }
    };
    reconciled.map_err(|e| Error::document(doc_id, e))?;
    let note = ChangeNote {
        action: GENESIS_ACTION.to_owned(),
        ..ChangeNote::default()
    };
    doc.commit_with(
        CommitOptions::default()
            .with_message(note.to_message())
            .with_time(0),
    );
    Ok(doc)
}

/// Applies `changes` to `doc`, turning a panic inside automerge into an error: automerge 0.12
/// unwraps some checks of a change's operations (an actor index outside the change's actor
/// table) that its decoder lets through, so a malformed change from a phone would otherwise
/// unwind through the relay's or a phone's apply. After an error `doc` may be half-applied:
/// the caller drops it and starts from its stored copy.
pub fn apply_guarded(
    doc: &mut AutoCommit,
    changes: impl IntoIterator<Item = automerge::Change>,
) -> std::result::Result<(), String> {
    let changes: Vec<automerge::Change> = changes.into_iter().collect();
    match guarded(|| doc.apply_changes(changes)) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!("automerge could not apply the change: {panic}")),
    }
}

/// Runs `f`, turning a panic inside it (automerge's, on a document a malformed change left
/// inconsistent) into an error with the panic's message.
pub fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("malformed operations")
            .to_owned()
    })
}

/// The actor of a document's first change.
pub fn genesis_actor(doc_id: &str) -> ActorId {
    ActorId::from(format!("genesis:{doc_id}").into_bytes())
}

/// The hash of the first change of document `doc_id` of `kind` (see [`genesis`]).
pub fn genesis_hash(kind: DocKind, doc_id: &str) -> Result<ChangeHash> {
    let mut doc = genesis(kind, doc_id)?;
    doc.get_heads()
        .first()
        .copied()
        .ok_or_else(|| Error::document(doc_id, "the first change is empty"))
}
