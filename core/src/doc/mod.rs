//! Documents: the kinds of record Linli keeps as automerge documents, the scope each lives in, the
//! attribution written into every change, and the deterministic first change that lets several
//! devices create the same document offline without splitting it.

pub mod actions;
pub(crate) mod conflicts;
mod edit;
pub(crate) mod one_pass;

use automerge::{ActorId, AutoCommit, ChangeHash, transaction::CommitOptions};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

pub use conflicts::{MAX_DEPTH, nests_too_deep};
pub use edit::DocEditor;

use crate::error::{Error, ErrorCode, Result};

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
    /// One department's work order of one ticket.
    Case,
    /// One resident's need on the needs list.
    Need,
    /// One month's evaluation round.
    Round,
    /// One joint action's plan across departments.
    Joint,
}

impl DocKind {
    /// Every kind, in a fixed order.
    pub const ALL: [DocKind; 9] = [
        DocKind::Directory,
        DocKind::Household,
        DocKind::Ticket,
        DocKind::Roster,
        DocKind::GateLog,
        DocKind::Case,
        DocKind::Need,
        DocKind::Round,
        DocKind::Joint,
    ];

    /// The name stored in the database and sent over the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Directory => "directory",
            DocKind::Household => "household",
            DocKind::Ticket => "ticket",
            DocKind::Roster => "roster",
            DocKind::GateLog => "gate_log",
            DocKind::Case => "case",
            DocKind::Need => "need",
            DocKind::Round => "round",
            DocKind::Joint => "joint",
        }
    }

    /// Parses [`DocKind::as_str`].
    pub fn parse(s: &str) -> Result<Self> {
        DocKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "kind",
                    ErrorCode::UnknownValue,
                    format!("unknown document kind {s:?}"),
                )
            })
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
    use crate::records::{gate_log::GateLogDoc, roster::RosterDoc, ticket::TicketDoc};
    let gate_day = |prefix| {
        parse_gate_doc_id(prefix, doc_id).ok_or_else(|| {
            Error::invalid(
                "doc_id",
                ErrorCode::Malformed,
                format!("{doc_id:?} is not a {prefix} document id"),
            )
        })
    };
    let mut doc = AutoCommit::new();
    doc.set_actor(genesis_actor(doc_id));
    let reconciled = match kind {
        DocKind::Directory => autosurgeon::reconcile(&mut doc, DirectorySkeleton::default()),
        DocKind::Household => autosurgeon::reconcile(&mut doc, HouseholdSkeleton::default()),
        DocKind::Ticket => autosurgeon::reconcile(&mut doc, TicketDoc::default()),
        DocKind::Case => autosurgeon::reconcile(&mut doc, CaseSkeleton::default()),
        DocKind::Need => autosurgeon::reconcile(&mut doc, NeedSkeleton::default()),
        DocKind::Round => autosurgeon::reconcile(&mut doc, RoundSkeleton::default()),
        DocKind::Joint => autosurgeon::reconcile(&mut doc, JointSkeleton::default()),
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

/// The directory's first change as every device and the relay make it. Frozen: a field added to
/// [`crate::records::directory::DirectoryDoc`] later (read with `missing`) is not added here, or
/// the first change of a directory made by an earlier version would no longer be recognised.
#[derive(Default, Reconcile)]
struct DirectorySkeleton {
    community: crate::records::directory::CommunityInfo,
    places: std::collections::BTreeMap<String, crate::records::directory::Place>,
    members: std::collections::BTreeMap<String, crate::records::directory::Member>,
    reminders: std::collections::BTreeMap<String, crate::records::reminder::Reminder>,
}

/// A household's first change, frozen likewise (see [`DirectorySkeleton`]).
#[derive(Default, Reconcile)]
struct HouseholdSkeleton {
    building_id: String,
    unit: String,
    room: String,
    phone: String,
    residents: std::collections::BTreeMap<String, crate::records::household::Resident>,
    tags: std::collections::BTreeMap<String, bool>,
    watch: Option<crate::records::household::WatchPlan>,
    visits: Vec<crate::records::household::Visit>,
    created_ms: i64,
}

/// A work order's first change, frozen likewise (see [`DirectorySkeleton`]).
#[derive(Default, Reconcile)]
struct CaseSkeleton {
    ticket_id: String,
    unit: String,
    dispatched_by: String,
    dispatched_ms: i64,
    category: String,
    place_text: String,
    description: String,
    photos: Vec<String>,
    responsible: Option<String>,
    leader: Option<String>,
    level: String,
    reply_due_ms: Option<i64>,
    resolve_due_ms: Option<i64>,
    events: Vec<crate::records::case::CaseEvent>,
}

/// A need's first change, frozen likewise (see [`DirectorySkeleton`]).
#[derive(Default, Reconcile)]
struct NeedSkeleton {
    household_id: String,
    building_id: String,
    area_id: String,
    address: String,
    category: crate::records::need::NeedCategory,
    urgency: crate::records::need::Urgency,
    description: String,
    recorded_by: String,
    recorded_ms: i64,
    visit_id: Option<String>,
    claim: Option<crate::records::need::NeedClaim>,
    services: Vec<crate::records::need::NeedService>,
    confirmed: Option<crate::records::need::NeedConfirmation>,
}

/// An evaluation round's first change, frozen likewise (see [`DirectorySkeleton`]).
#[derive(Default, Reconcile)]
struct RoundSkeleton {
    month: String,
    opened_by: String,
    opened_ms: i64,
    ratings: Vec<crate::records::round::Rating>,
    votes: Vec<crate::records::round::Vote>,
    closed: Option<crate::records::round::RoundClosing>,
}

/// A joint action's first change, frozen likewise (see [`DirectorySkeleton`]).
#[derive(Default, Reconcile)]
struct JointSkeleton {
    tickets: Vec<String>,
    title: String,
    planned_by: String,
    planned_ms: i64,
    steps: std::collections::BTreeMap<String, crate::records::joint::PlanStep>,
    done: Vec<crate::records::joint::StepDone>,
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
    match apply_changes_guarded(doc, changes.into_iter().collect()) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!("automerge could not apply the change: {panic}")),
    }
}

/// Applies `changes` to `doc` as [`apply_guarded`] does, keeping automerge's own error (or the
/// panic's message). Automerge 0.12 records every applied operation as a patch event even
/// when the document keeps no patches, and an [`AutoCommit`] holds those events until it is
/// dropped: a copy kept long (the relay's judge, a store's open document) would grow with
/// every change applied to it and copy them when cloned. They are dropped after each apply.
pub fn apply_changes_guarded(
    doc: &mut AutoCommit,
    changes: Vec<automerge::Change>,
) -> std::result::Result<std::result::Result<(), automerge::AutomergeError>, String> {
    let applied = guarded(|| doc.apply_changes(changes));
    doc.reset_diff_cursor();
    applied
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

/// The first change of every document of a kind whose skeleton holds nothing of its id, made
/// once for a stand-in id: a document's own differs only in its actor.
fn skeleton_change(kind: DocKind) -> Option<&'static automerge::ExpandedChange> {
    static CHANGES: std::sync::OnceLock<Vec<(DocKind, automerge::ExpandedChange)>> =
        std::sync::OnceLock::new();
    CHANGES
        .get_or_init(|| {
            [
                DocKind::Directory,
                DocKind::Household,
                DocKind::Ticket,
                DocKind::Case,
                DocKind::Need,
                DocKind::Round,
                DocKind::Joint,
            ]
            .into_iter()
            .filter_map(|kind| {
                let mut doc = genesis(kind, "skeleton").ok()?;
                let change = doc.get_changes(&[]).first()?.decode();
                // An operation that overwrote another names it by actor in its `pred`:
                // such a skeleton is written again for each document.
                change
                    .operations
                    .iter()
                    .all(|op| op.pred.is_empty())
                    .then_some((kind, change))
            })
            .collect()
        })
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, change)| change)
}

/// The hash of the first change of document `doc_id` of `kind` (see [`genesis`]). The relay
/// checks every new document's first change with it: for the kinds whose skeleton holds
/// nothing of the id, the stand-in's change gets the document's actor (in its operations'
/// object ids too) instead of a skeleton being written again.
pub fn genesis_hash(kind: DocKind, doc_id: &str) -> Result<ChangeHash> {
    if let Some(skeleton) = skeleton_change(kind) {
        let mut change = skeleton.clone();
        let (from, to) = (change.actor_id.clone(), genesis_actor(doc_id));
        let rename = |op: &mut automerge::legacy::OpId| {
            if op.1 == from {
                op.1 = to.clone();
            }
        };
        for op in &mut change.operations {
            if let automerge::legacy::ObjectId::Id(id) = &mut op.obj {
                rename(id);
            }
            if let automerge::legacy::Key::Seq(automerge::legacy::ElementId::Id(id)) = &mut op.key {
                rename(id);
            }
        }
        change.actor_id = to;
        change.hash = None;
        return Ok(automerge::Change::from(change).hash());
    }
    let mut doc = genesis(kind, doc_id)?;
    doc.get_heads()
        .first()
        .copied()
        .ok_or_else(|| Error::document(doc_id, "the first change is empty"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_change_s_hash_is_the_skeleton_s_with_the_document_s_actor() {
        for kind in DocKind::ALL {
            let ids: Vec<String> = match kind {
                DocKind::Directory => vec!["directory:c1".into(), "directory:梅园".into()],
                DocKind::Roster => vec!["roster:gate-east:2026-11-23".into()],
                DocKind::GateLog => vec!["gatelog:gate-east:2026-11-23".into()],
                _ => (0..20)
                    .map(|_| crate::ids::new_id(chrono::Utc::now()))
                    .collect(),
            };
            for id in ids {
                let written = genesis(kind, &id).unwrap().get_heads()[0];
                assert_eq!(genesis_hash(kind, &id).unwrap(), written, "{kind:?} {id}");
            }
        }
        assert!(skeleton_change(DocKind::Household).is_some());
        assert!(skeleton_change(DocKind::Ticket).is_some());
        assert!(skeleton_change(DocKind::Case).is_some());
        assert!(skeleton_change(DocKind::Need).is_some());
        assert!(skeleton_change(DocKind::Round).is_some());
        assert!(skeleton_change(DocKind::Joint).is_some());
    }

    /// The first changes never change: a record made by an earlier version must be recognised
    /// by a later relay, and the other way round. A field added to a record leaves these as
    /// they are (the skeletons are frozen).
    #[test]
    fn first_changes_are_the_same_in_every_version() {
        let pinned = [
            (
                DocKind::Directory,
                "directory:c1",
                "d70ecdd6ebf8a072d1b62a699f5edd85c34752b13f94ac20aafbc2e0bd7b1a0b",
            ),
            (
                DocKind::Household,
                "01KAXQ0000HOUSEHOLD0000000",
                "93d38246f4c2f06869a6639d08bf71ce2822ec25b918ee5a41b247453bf77cc7",
            ),
            (
                DocKind::Ticket,
                "01KAXQ0000TICKET000000000",
                "c860604a366a2e0c75b7badc85ebc86562b81e6c9147e2bc1492a43e2a7151e0",
            ),
            (
                DocKind::Roster,
                "roster:gate-east:2026-11-23",
                "4c57f6b9b7fb324b3d7ad5233bd6489ef5c049fb29575885928bc516f8ddf192",
            ),
            (
                DocKind::GateLog,
                "gatelog:gate-east:2026-11-23",
                "d075bab2e421635546419dc711d82ad36cf9875b502432bc5311388713761641",
            ),
            (
                DocKind::Case,
                "case:dept-cg:01KAXQ0000CASE00000000000",
                "255788713f80ddb141c740d4d3e1f1ada07e0d667192681c7adcf0d14000cdcb",
            ),
            (
                DocKind::Need,
                "01KAXQ0000NEED0000000000000",
                "ce856fc1663663501c2dc014acba33443d7ecfec0f97c57d1905f2f28684e0ae",
            ),
            (
                DocKind::Round,
                "round:2026-12",
                "6278714d3f42b2b550228cddf75087f2efdb938762d8060da3cf14dc05eaa616",
            ),
            (
                DocKind::Joint,
                "joint:01KAXQ0000JOINT00000000000",
                "c2a0802654b7fd90cd21c38f27945b9870deaf695d6fdd74475aff9992b92b32",
            ),
        ];
        for (kind, id, hash) in pinned {
            assert_eq!(
                genesis_hash(kind, id).unwrap().to_string(),
                hash,
                "{kind:?}"
            );
        }
    }
}
