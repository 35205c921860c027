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
//! | need | recorded once by a lead or the office; claimed in their own name by a volunteer, party member or unit member while open; the claim changed by the office or released by its holder; services appended by the holder; confirmed once served by the building's lead, an area or lane lead, or the office |
//! | evaluation round | opened and closed by the office, each once; ratings (1–5) and votes appended in the pusher's name while the round was open |
//! | joint action | the plan written once by the office or an area lead; each step marked done once, in the pusher's name, by its department's staff (or a supervisor) |
//! | work order | dispatched (its head written once) by the office or an area lead for the department its id names; the step table of [`crate::api::cases`] in the state the order was in; steps appended, never changed or removed |
//!
//! For every kind: the change names the pushing device's member and device, and so does every
//! event it appends; it deletes no root field of the record; it is no larger than
//! [`MAX_OPS_PER_CHANGE`] operations, nests no deeper than [`MAX_DEPTH`], and leaves a
//! document that reads as its record. Refusals carry a stable [`RefusalCode`].

mod appended;
mod kinds;

use automerge::{AutoCommit, Change, ExpandedChange, ROOT, ReadDoc};

pub use crate::doc::MAX_DEPTH;
use crate::doc::conflicts::creates_too_deep;
use crate::doc::{ChangeNote, DocKind, GENESIS_ACTION, genesis_actor, genesis_hash};
use crate::records::directory::Role;

/// The most operations one change may hold. A record's largest honest change (a roster week
/// with its shifts, a household registered with its residents) holds a few hundred.
pub const MAX_OPS_PER_CHANGE: usize = 20_000;

/// The longest text a record's field may hold, in characters (and four bytes a character for a
/// bytes value), and the longest field name: above every field's own bound on the phone (free
/// text 2,000 characters, a name 64, a pass's text 2,048), so only a phone that skips its own
/// checks meets it.
pub const MAX_FIELD_CHARS: usize = 4096;

/// The most entries a map or list of a record may grow to: the bound of the longest
/// append-only list (a gate's day of entries), for the maps and lists no other rule bounds (a
/// field no core knows, among them).
pub const MAX_OBJECT_ENTRIES: usize = 50_000;

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
    /// The change does not apply: its operations are inconsistent.
    CannotApply,
    /// The change repeats the actor and sequence number of another change of the document
    /// with other content: its author's store was restored from a backup or copied.
    DuplicateSeq,
    /// The change builds on changes the relay does not have.
    MissingDependency,
    /// The change builds on a change that was refused.
    DependsOnRefused,
    /// The change does not decode.
    Corrupt,
    /// The office erased the record: the change is dropped, not kept.
    Erased,
}

impl RefusalCode {
    /// Every code.
    pub const ALL: &'static [RefusalCode] = &[
        RefusalCode::ForgedAttribution,
        RefusalCode::RoleForbidden,
        RefusalCode::StateForbidden,
        RefusalCode::AppendOnly,
        RefusalCode::RootDeleted,
        RefusalCode::BadShape,
        RefusalCode::TooDeep,
        RefusalCode::TooLarge,
        RefusalCode::CannotApply,
        RefusalCode::DuplicateSeq,
        RefusalCode::MissingDependency,
        RefusalCode::DependsOnRefused,
        RefusalCode::Corrupt,
        RefusalCode::Erased,
    ];

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
            RefusalCode::DuplicateSeq => "duplicate_seq",
            RefusalCode::MissingDependency => "missing_dependency",
            RefusalCode::DependsOnRefused => "depends_on_refused",
            RefusalCode::Corrupt => "corrupt_change",
            RefusalCode::Erased => "erased",
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
    /// A refusal with `code` and `reason`.
    pub fn new(code: RefusalCode, reason: impl Into<String>) -> Refusal {
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
    /// The work orders of the tickets the push changes, as the judge holds them: a ticket's
    /// state takes their steps (a department's reply, resolution or hand-back), as on the
    /// phones. Empty when the push changes no ticket with an order.
    pub orders: Vec<KnownOrder>,
}

/// A ticket's work order as the judge holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownOrder {
    /// The order's document id.
    pub case: String,
    /// The ticket it was dispatched from.
    pub ticket_id: String,
    /// When it was dispatched (ms).
    pub dispatched_ms: i64,
    /// Its steps, in list order.
    pub events: Vec<crate::records::case::CaseEvent>,
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

/// What the checks that need no record found a change to be.
enum Step {
    /// The document has it already.
    Known,
    /// The document's deterministic first change.
    Genesis,
    /// An edit by the pusher, to be judged on the record.
    Edit,
}

/// The checks that need no record: size, attribution, the genesis actor, dependencies.
fn first_checks(
    doc: &mut AutoCommit,
    kind: DocKind,
    doc_id: &str,
    change: &Change,
    pusher: &Pusher,
) -> Result<Step, Refusal> {
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
        return Ok(Step::Known);
    }
    if *change.actor_id() == genesis_actor(doc_id) {
        // Only the document's deterministic first change may carry the genesis actor.
        return if kind == DocKind::Directory
            && !pusher.roles.iter().any(|(r, _)| *r == Role::Office)
        {
            Err(Refusal::new(
                RefusalCode::RoleForbidden,
                "only the office creates a community's directory",
            ))
        } else if genesis_hash(kind, doc_id).is_ok_and(|h| h == change.hash()) {
            Ok(Step::Genesis)
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
    Ok(Step::Edit)
}

/// How far past the counters of the changes it builds on a change's counters may start.
const MAX_COUNTER_GAP: u64 = 1 << 32;

/// A change's operation counters start after those of every change it builds on (automerge's
/// Lamport clock): a change whose counters overlap them, as a corrupt or hostile one may, would
/// leave a document that automerge cannot save or load again. `line` holds the last
/// counters of changes judged with it that the document does not hold yet.
fn counters_follow(
    doc: &mut AutoCommit,
    change: &Change,
    line: &std::collections::BTreeMap<automerge::ChangeHash, u64>,
) -> Result<(), Refusal> {
    let mut after = 0;
    for dep in change.deps() {
        let max = match line.get(dep) {
            Some(max) => *max,
            None => match doc.get_change_meta_by_hash(dep) {
                Some(meta) => meta.max_op,
                None => continue,
            },
        };
        after = after.max(max);
    }
    // Far beyond them is refused too: every later change would have to number its operations
    // past it, up to automerge's limit.
    if change.start_op().get() > after.saturating_add(MAX_COUNTER_GAP) {
        return Err(Refusal::new(
            RefusalCode::CannotApply,
            format!(
                "its operations start at {}, far past those of the changes it builds on ({after})",
                change.start_op()
            ),
        ));
    }
    if change.start_op().get() <= after {
        return Err(Refusal::new(
            RefusalCode::CannotApply,
            format!(
                "its operations start at {}, not after those of the changes it builds on ({after})",
                change.start_op()
            ),
        ));
    }
    Ok(())
}

/// Checks `changes`, in an order that applies to `doc`, with [`counters_follow`]: a phone checks
/// what it receives before it stores it, as the relay does before it logs, since a document
/// holding such a change cannot be saved or loaded again.
pub(crate) fn counters_in_order(doc: &mut AutoCommit, changes: &[Change]) -> Result<(), String> {
    let mut line = std::collections::BTreeMap::new();
    for change in changes {
        counters_follow(doc, change, &line)
            .map_err(|r| format!("change {}: {}", change.hash(), r.reason))?;
        line.insert(change.hash(), change.max_op());
    }
    Ok(())
}

/// Applies `edits` to `at` (the document as their author saw it) and judges the record
/// before and after. Returns the document after them.
fn judge_edits(
    mut at: AutoCommit,
    kind: DocKind,
    doc_id: &str,
    edits: &[&Change],
    pusher: &Pusher,
) -> Result<AutoCommit, Refusal> {
    let root_before: Vec<String> = at.keys(ROOT).collect();
    let before = kinds::Record::read(kind, &at);
    apply_all(&mut at, edits)?;
    let decoded: Vec<ExpandedChange> = edits.iter().map(|c| c.decode()).collect();
    judge_after(
        &at,
        kind,
        doc_id,
        &decoded,
        before,
        None,
        &root_before,
        pusher,
    )?;
    Ok(at)
}

/// Judges the document `at` after `changes` (decoded) against the record `before` and the
/// root keys it had; `after` is the record after them when it is known already (see
/// [`appended`], which may have moved the old items of `before`'s list into it).
/// Returns the record after and its root keys.
#[allow(clippy::too_many_arguments)]
fn judge_after(
    at: &AutoCommit,
    kind: DocKind,
    doc_id: &str,
    changes: &[ExpandedChange],
    before: Result<kinds::Record, String>,
    after: Option<appended::Appended>,
    root_before: &[String],
    pusher: &Pusher,
) -> Result<(kinds::Record, Vec<String>), Refusal> {
    if creates_too_deep(at, changes) {
        return Err(Refusal::new(
            RefusalCode::TooDeep,
            format!("objects nested deeper than {MAX_DEPTH}"),
        ));
    }
    // Others than the office only write done marks into the directory, even where its record
    // does not look.
    if kind == DocKind::Directory
        && !pusher.roles.iter().any(|(r, _)| *r == Role::Office)
        && !crate::api::reminders::touches_only_done_marks(at, changes)
    {
        return Err(Refusal::new(
            RefusalCode::RoleForbidden,
            "only the office changes the directory; others only mark their reminders done",
        ));
    }
    keeps_append_only_lists(kind, changes, root_before)?;
    let root_after: Vec<String> = at.keys(ROOT).collect();
    if let Some(key) = root_before.iter().find(|k| !root_after.contains(k)) {
        return Err(Refusal::new(
            RefusalCode::RootDeleted,
            format!("deletes the record's field {key:?}"),
        ));
    }
    if let Some(what) = oversized(at, changes) {
        return Err(Refusal::new(
            RefusalCode::TooLarge,
            format!(
                "puts {what} into the record (at most {MAX_FIELD_CHARS} characters a field, \
                 {MAX_OBJECT_ENTRIES} entries an object)"
            ),
        ));
    }
    let (after, moved) = match after {
        Some(read) => (read.after, read.moved),
        None => (
            kinds::Record::read(kind, at).map_err(|e| Refusal::new(RefusalCode::BadShape, e))?,
            None,
        ),
    };
    // A record that did not read before (a change built on nothing, or on a state written
    // before these rules) is judged as being made by these changes: the pusher may write only
    // what they may when creating it.
    let before = before.unwrap_or_else(|_| kinds::Record::empty(kind));
    kinds::compare(doc_id, &before, &after, moved, pusher)?;
    Ok((after, root_after))
}

/// What of `changes` passes [`MAX_FIELD_CHARS`] or [`MAX_OBJECT_ENTRIES`], as the refusal says
/// it: a text value, a map key or a mark's name longer than that many characters, a bytes or
/// unknown value longer than four bytes a character, a text object grown longer than that, or
/// a map or list grown past its entries (`at` holds the changes): text grows by one operation
/// a character and a list or map by one an entry, over as many small changes as it takes.
fn oversized(at: &AutoCommit, changes: &[ExpandedChange]) -> Option<String> {
    oversized_within(at, changes, MAX_FIELD_CHARS, MAX_OBJECT_ENTRIES)
}

/// [`oversized`] with the bounds given: `max_chars` a text, `max_entries` a map or list.
fn oversized_within(
    at: &AutoCommit,
    changes: &[ExpandedChange],
    max_chars: usize,
    max_entries: usize,
) -> Option<String> {
    use automerge::legacy::{Key, ObjectId, OpId, OpType};
    use automerge::{ObjType, ScalarValue};
    let chars = |text: &str| {
        // Counted only when the bytes alone could be too many.
        (text.len() > max_chars)
            .then(|| text.chars().count())
            .filter(|n| *n > max_chars)
    };
    let value = |v: &ScalarValue| match v {
        ScalarValue::Str(text) => chars(text).map(|n| format!("a value of {n} characters")),
        ScalarValue::Bytes(bytes) | ScalarValue::Unknown { bytes, .. }
            if bytes.len() > 4 * max_chars =>
        {
            Some(format!("a value of {} bytes", bytes.len()))
        }
        _ => None,
    };
    // The objects the changes add to: inserted into (lists, text), or put into (maps); and
    // those they make, which cannot hold more entries than the changes add.
    let mut grown = std::collections::BTreeSet::new();
    let mut made = std::collections::BTreeMap::new();
    let mut adding = 0;
    let ops = changes.iter().flat_map(|c| {
        let start = c.start_op.get();
        c.operations
            .iter()
            .enumerate()
            .map(move |(i, op)| (OpId(start + i as u64, c.actor_id.clone()), op))
    });
    for (id, op) in ops {
        if let OpType::Make(kind) = op.action {
            made.insert(ObjectId::Id(id), kind);
        }
        if let Key::Map(key) = &op.key
            && let Some(n) = chars(key)
        {
            return Some(format!("a field named with {n} characters"));
        }
        let found = match &op.action {
            OpType::Put(v) => value(v),
            OpType::MarkBegin(mark) => chars(&mark.name)
                .map(|n| format!("a mark named with {n} characters"))
                .or_else(|| value(&mark.value)),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
        let adds =
            op.insert || (matches!(op.key, Key::Map(_)) && !matches!(op.action, OpType::Delete));
        if adds {
            adding += 1;
            grown.insert(&op.obj);
        }
    }
    let most = |kind: ObjType| match kind {
        ObjType::Text => max_chars,
        _ => max_entries,
    };
    grown.into_iter().find_map(|obj| {
        if made.get(obj).is_some_and(|kind| adding <= most(*kind)) {
            return None;
        }
        let (id, kind) = match obj {
            ObjectId::Root => (automerge::ROOT, ObjType::Map),
            ObjectId::Id(op) => at.import(&op.to_string()).ok()?,
        };
        let n = at.length(&id);
        (n > most(kind)).then(|| match kind {
            ObjType::Text => format!("a text of {n} characters"),
            _ => format!("an object of {n} entries"),
        })
    })
}

/// Judges `change` of the document `doc_id` of `kind`, pushed by `pusher`. `doc` holds every
/// change of the document the judge knows; on success the change has been applied to it, so
/// that the next change of the same push is judged on top. On refusal `doc` may hold a
/// partly applied state only if the refusal is [`RefusalCode::CannotApply`] or
/// [`RefusalCode::DuplicateSeq`]; the caller then starts again from its own copy.
pub fn judge(
    doc: &mut AutoCommit,
    kind: DocKind,
    doc_id: &str,
    change: &Change,
    pusher: &Pusher,
) -> Result<(), Refusal> {
    match first_checks(doc, kind, doc_id, change, pusher)? {
        Step::Known => return Ok(()),
        Step::Genesis => return apply_all(doc, &[change]),
        Step::Edit => {}
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
    counters_follow(doc, change, &Default::default())?;
    // The document as the change's author saw it.
    let mut heads = doc.get_heads();
    heads.sort();
    let mut deps = change.deps().to_vec();
    deps.sort();
    if deps == heads {
        *doc = judge_edits(doc.clone(), kind, doc_id, &[change], pusher)?;
        Ok(())
    } else {
        let at = doc
            .fork_at(&deps)
            .map_err(|e| Refusal::new(RefusalCode::CannotApply, e.to_string()))?;
        let root_at: Vec<String> = at.keys(ROOT).collect();
        judge_edits(at, kind, doc_id, &[change], pusher)?;
        // A list that did not exist in the state the change builds on but does by now (made
        // since, by another device) and that the change makes too: merged, one of the two
        // lists hides the other's items. Rare (a record made before the list's field was
        // added), so only then is the merge judged, on a copy, so that a refusal leaves the
        // document as it was.
        let decoded = change.decode();
        let root_now: Vec<String> = doc.keys(ROOT).collect();
        let made_meanwhile: Vec<String> = root_now
            .into_iter()
            .filter(|k| !root_at.contains(k))
            .collect();
        if keeps_append_only_lists(kind, std::slice::from_ref(&decoded), &made_meanwhile).is_ok() {
            return apply_all(doc, &[change]);
        }
        let before = kinds::Record::read(kind, doc);
        let mut merged = doc.clone();
        apply_all(&mut merged, &[change])?;
        if let Ok(before) = before {
            let after = kinds::Record::read(kind, &merged).map_err(|e| {
                Refusal::new(RefusalCode::BadShape, format!("after the merge: {e}"))
            })?;
            kinds::kept_appended(&before, &after)?;
        }
        *doc = merged;
        Ok(())
    }
}

/// The lists at a record's root that only grow.
fn append_only_lists(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Household => &["visits", "isolation_checks"],
        DocKind::Ticket | DocKind::Case => &["events"],
        DocKind::GateLog => &["entries"],
        DocKind::Need => &["services"],
        DocKind::Round => &["ratings", "votes"],
        DocKind::Joint => &["done"],
        _ => &[],
    }
}

/// A change appends to a record's append-only lists but never writes the root field that holds
/// one, once the field exists (`root_keys`): a list put anew, even where the old one looks
/// empty, would win the merge against changes that append to the old one and hide their items.
/// (Deleting the field is refused as `root_deleted`.)
fn keeps_append_only_lists(
    kind: DocKind,
    changes: &[ExpandedChange],
    root_keys: &[String],
) -> Result<(), Refusal> {
    use automerge::legacy::{Key, ObjectId};
    let lists = append_only_lists(kind);
    for op in changes.iter().flat_map(|c| &c.operations) {
        if let (ObjectId::Root, Key::Map(key)) = (&op.obj, &op.key)
            && !matches!(op.action, automerge::legacy::OpType::Delete)
            && lists.contains(&key.as_str())
            && root_keys.iter().any(|k| k == key.as_str())
        {
            return Err(Refusal::new(
                RefusalCode::AppendOnly,
                format!("puts the list {key:?} anew (append-only)"),
            ));
        }
    }
    Ok(())
}

/// A document as the judge holds it, with the record it reads as and its root keys when they
/// are known: kept between pushes, so that the next push's changes are judged without reading
/// the record before them again. Both are boxed: a push moves thousands of these between its
/// lists and the cache, and moving them whole cost a large push's request tens of
/// milliseconds, most of it faulting in fresh pages.
#[derive(Debug)]
pub struct JudgedDoc {
    doc: Box<AutoCommit>,
    read: Option<Box<(kinds::Record, Vec<String>)>>,
}

impl JudgedDoc {
    /// A document whose record has not been read yet.
    pub fn new(doc: AutoCommit) -> JudgedDoc {
        JudgedDoc {
            doc: Box::new(doc),
            read: None,
        }
    }

    /// Whether the document holds the change `hash`.
    pub fn has_change(&mut self, hash: &automerge::ChangeHash) -> bool {
        self.doc.get_change_meta_by_hash(hash).is_some()
    }

    /// The document, to change it outside the rules (the record is read again next time).
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        self.read = None;
        &mut self.doc
    }
}

/// Judges the changes of one document pushed together, in order, as [`judge`] does one by
/// one, and refuses a change that builds on a refused one (`refused` holds the hashes refused
/// before: the caller's checks). When the changes are a line on top of the document (the
/// usual push: a phone's edits of one record, one after the other) and every one passes, they
/// are applied in one call and the record is read once after them (before them it is known
/// from the last push, or is the skeleton of a new document's first change); otherwise each
/// change is judged on its own. Returns each change's verdict.
pub fn judge_all(
    judged: &mut JudgedDoc,
    kind: DocKind,
    doc_id: &str,
    changes: &[Change],
    pusher: &Pusher,
    refused: &mut std::collections::BTreeSet<automerge::ChangeHash>,
) -> Vec<Result<(), Refusal>> {
    if refused.is_empty() {
        let heads = judged.doc.get_heads();
        if judge_line(judged, kind, doc_id, changes, pusher) {
            return changes.iter().map(|_| Ok(())).collect();
        }
        // Back to where the document stood, to judge each change on its own.
        judged.read = None;
        if judged.doc.get_heads() != heads
            && let Ok(before) = judged.doc.fork_at(&heads)
        {
            *judged.doc = before;
        }
    }
    judged.read = None;
    changes
        .iter()
        .map(|change| {
            if change.deps().iter().any(|d| refused.contains(d)) {
                refused.insert(change.hash());
                return Err(Refusal::new(
                    RefusalCode::DependsOnRefused,
                    "builds on a change that was refused",
                ));
            }
            let verdict = judge(&mut judged.doc, kind, doc_id, change, pusher);
            if verdict.is_err() {
                refused.insert(change.hash());
            }
            verdict
        })
        .collect()
}

/// Applies `changes` to the document and judges them together, when they are a line on top of
/// it (after the document's first change, if it comes first). Returns whether they all pass;
/// when they do not, the document may hold them and the caller goes back.
fn judge_line(
    judged: &mut JudgedDoc,
    kind: DocKind,
    doc_id: &str,
    changes: &[Change],
    pusher: &Pusher,
) -> bool {
    let doc = &mut judged.doc;
    let new_document = doc.get_heads().is_empty();
    let mut genesis: Option<&Change> = None;
    let mut edits: Vec<&Change> = Vec::with_capacity(changes.len());
    let mut line = std::collections::BTreeMap::new();
    let mut heads = doc.get_heads();
    heads.sort();
    for change in changes {
        match first_checks(doc, kind, doc_id, change, pusher) {
            Ok(Step::Known) => continue,
            Ok(Step::Genesis) if new_document && genesis.is_none() => {
                line.insert(change.hash(), change.max_op());
                genesis = Some(change);
                heads = vec![change.hash()];
                continue;
            }
            Ok(Step::Genesis) | Err(_) => return false,
            Ok(Step::Edit) => {}
        }
        let mut deps = change.deps().to_vec();
        deps.sort();
        if deps != heads || counters_follow(doc, change, &line).is_err() {
            return false;
        }
        heads = vec![change.hash()];
        line.insert(change.hash(), change.max_op());
        edits.push(change);
    }
    if genesis.is_none() && edits.is_empty() {
        return true;
    }
    // The record before: a new document's skeleton, or what the last push left, or read now.
    // Only the last two are the record as the document holds it: a skeleton is compared
    // against, not trusted to stand for what the first change wrote.
    let before_exact = genesis.is_none();
    let (before, root_before) = match (genesis, judged.read.take().map(|read| *read)) {
        (Some(_), _) => {
            let (record, keys) = kinds::Record::skeleton(kind, doc_id);
            (Ok(record), keys.to_vec())
        }
        (None, Some((record, keys))) => (Ok(record), keys),
        (None, None) => (kinds::Record::read(kind, doc), doc.keys(ROOT).collect()),
    };
    let all: Vec<&Change> = genesis.into_iter().chain(edits.iter().copied()).collect();
    if apply_all(doc, &all).is_err() {
        return false;
    }
    // The first change is the document's deterministic skeleton (its hash was checked), which
    // puts the append-only lists: only the edits' operations are judged.
    let decoded: Vec<ExpandedChange> = edits.iter().map(|c| c.decode()).collect();
    let mut before = before;
    let after = before
        .as_mut()
        .ok()
        .and_then(|b| appended::read_after(doc, b, &decoded, before_exact));
    match judge_after(
        doc,
        kind,
        doc_id,
        &decoded,
        before,
        after,
        &root_before,
        pusher,
    ) {
        Ok(read) => {
            judged.read = Some(Box::new(read));
            true
        }
        Err(_) => false,
    }
}

fn apply_all(doc: &mut AutoCommit, changes: &[&Change]) -> Result<(), Refusal> {
    let changes: Vec<Change> = changes.iter().map(|c| (*c).clone()).collect();
    match crate::doc::apply_changes_guarded(doc, changes) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(automerge::AutomergeError::DuplicateSeqNumber(seq, actor))) => Err(Refusal::new(
            RefusalCode::DuplicateSeq,
            format!(
                "actor {actor} already wrote change {seq} of this document with other content: \
                 the store that wrote it was restored from a backup or copied"
            ),
        )),
        Ok(Err(e)) => Err(Refusal::new(RefusalCode::CannotApply, e.to_string())),
        Err(panic) => Err(Refusal::new(
            RefusalCode::CannotApply,
            format!("automerge could not apply the change: {panic}"),
        )),
    }
}

#[cfg(test)]
mod tests;
