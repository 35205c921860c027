//! Documents: the kinds of record Linli keeps as automerge documents, the scope each lives in, the
//! attribution written into every change, and the deterministic first change that lets several
//! devices create the same document offline without splitting it.

mod edit;

use automerge::{ActorId, AutoCommit, transaction::CommitOptions};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

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
    /// The automerge actor of this install.
    pub actor: ActorId,
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

/// The document's first change, identical on every device that makes it: the typed skeleton
/// `value` written by an actor derived from the document id, at time zero. Two devices creating
/// the same roster week or gate day offline produce the same change (same hash), so their later
/// changes land in the same lists and maps instead of competing copies.
pub(crate) fn genesis<T: Record>(doc_id: &str, value: &T) -> Result<AutoCommit> {
    let mut doc = AutoCommit::new();
    doc.set_actor(ActorId::from(format!("genesis:{doc_id}").into_bytes()));
    autosurgeon::reconcile(&mut doc, value).map_err(|e| Error::document(doc_id, e))?;
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
