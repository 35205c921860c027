//! Reading a record after changes that only appended to it: the judge reads the record after
//! every push, and a household's visits, a ticket's timeline and a gate day's entries only
//! grow, so reading them whole made a push cost as much as the record's history. When every
//! operation of the pushed changes sets a field at the root (not the list), inserts after the
//! list's last item, or fills an object the changes themselves create, the old items are
//! untouched: the record after is the head read again, the old items as they were, and the new
//! items read alone; when no field at the root was set either (a visit logged, nothing else),
//! the head is the one before, not read again. Anything else is read whole, as before.

use std::collections::BTreeSet;
use std::ops::Range;

use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};
use automerge::{AutoCommit, ExpandedChange, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::Hydrate;

use super::kinds::Record;
use crate::doc::one_pass::{hydrate, hydrate_items};
use crate::records::gate_log::GateLogDoc;
use crate::records::household::{HouseholdDoc, HouseholdHead};
use crate::records::ticket::{TicketDoc, TicketHead};

/// A gate day without its entries.
#[derive(Debug, Hydrate)]
struct GateLogHead {
    gate_id: String,
    date: String,
}

/// A record read after changes that only appended to it.
#[derive(Debug)]
pub(super) struct Appended {
    /// The record after the changes.
    pub(super) after: Record,
    /// When the list's old items were moved out of the record before (a household's visits, a
    /// gate day's entries: not copied, however long), how many there were: the first items of
    /// `after`'s list are then the old items, and the record before holds none.
    pub(super) moved: Option<usize>,
}

/// The record `doc` reads as after `changes` (decoded), built from `before` when the changes
/// only appended to its list (see the module documentation); `None` when it must be read whole,
/// `before` then untouched. `before_exact` says that `before` is the record as `doc` held it
/// before the changes (read from it, or kept from the last push), so that its head may stand
/// for the head after when the changes set no field at the root.
pub(super) fn read_after(
    doc: &AutoCommit,
    before: &mut Record,
    changes: &[ExpandedChange],
    before_exact: bool,
) -> Option<Appended> {
    let (key, old) = match before {
        Record::Household(h) => ("visits", h.visits.len()),
        Record::Ticket(t) => ("events", t.events.len()),
        Record::GateLog(g) => ("entries", g.entries.len()),
        _ => return None,
    };
    let found = appended(doc, key, old, changes)?;
    let (list, new) = (found.list, found.new);
    let head_kept = before_exact && !found.root_set;
    let moved = Some(old);
    Some(match before {
        Record::Household(h) => {
            let added = items(doc, &list, new)?;
            // Read (when it must be) before anything of `before` moves.
            let read = if head_kept {
                None
            } else {
                Some(hydrate::<HouseholdHead>(doc).ok()?.with_visits(Vec::new()))
            };
            let mut visits = std::mem::take(&mut h.visits);
            // The head before, cloned once its visits are out.
            let head = read.unwrap_or_else(|| h.clone());
            visits.extend(added);
            Appended {
                after: Record::Household(HouseholdDoc { visits, ..head }),
                moved,
            }
        }
        Record::Ticket(t) => {
            let added = items(doc, &list, new)?;
            // A ticket's rules read its state from every event before: copied (a ticket's
            // timeline is short).
            let mut after = if head_kept {
                t.clone()
            } else {
                let head: TicketHead = hydrate(doc).ok()?;
                TicketDoc {
                    category: head.category,
                    place: head.place,
                    description: head.description,
                    photos: head.photos,
                    channel: head.channel,
                    reporter: head.reporter,
                    reported_ms: head.reported_ms,
                    events: t.events.clone(),
                }
            };
            after.events.extend(added);
            Appended {
                after: Record::Ticket(after),
                moved: None,
            }
        }
        Record::GateLog(g) => {
            let added = items(doc, &list, new)?;
            let head = if head_kept {
                GateLogHead {
                    gate_id: g.gate_id.clone(),
                    date: g.date.clone(),
                }
            } else {
                hydrate(doc).ok()?
            };
            let mut entries = std::mem::take(&mut g.entries);
            entries.extend(added);
            Appended {
                after: Record::GateLog(GateLogDoc {
                    gate_id: head.gate_id,
                    date: head.date,
                    entries,
                }),
                moved,
            }
        }
        _ => return None,
    })
}

fn items<T: Hydrate>(
    doc: &AutoCommit,
    list: &automerge::ObjId,
    range: Range<usize>,
) -> Option<Vec<T>> {
    hydrate_items(doc, list, range).ok()
}

/// The operation id an object or list item of `doc` is named by, as decoded changes name it.
fn op_id(id: &automerge::ObjId) -> Option<OpId> {
    id.to_string().parse().ok()
}

/// What changes that only appended to a record's list did.
struct Found {
    /// The list.
    list: automerge::ObjId,
    /// The items they appended.
    new: Range<usize>,
    /// Whether they also set a field at the root.
    root_set: bool,
}

/// The list at the root's `key` and the range of items `changes` appended after its first
/// `old` items, when they did nothing else to what was there before them.
fn appended(doc: &AutoCommit, key: &str, old: usize, changes: &[ExpandedChange]) -> Option<Found> {
    let list = match doc.get(ROOT, key).ok()?? {
        (Value::Object(ObjType::List), list) => list,
        _ => return None,
    };
    let list_id = op_id(&list)?;
    let len = doc.length(&list);
    // The item the old ones ended with: appended items are inserted after it (or after an
    // item the changes inserted).
    let last_old = match old {
        0 => None,
        n => Some(op_id(&doc.list_range(&list, n - 1..n).next()?.id())?),
    };
    let mut created: BTreeSet<OpId> = BTreeSet::new();
    let mut inserted = 0;
    let mut root_set = false;
    for change in changes {
        let start = change.start_op.get();
        for (i, op) in change.operations.iter().enumerate() {
            let id = || OpId(start + i as u64, change.actor_id.clone());
            let on_created_object = match &op.obj {
                ObjectId::Root => false,
                ObjectId::Id(obj) if *obj == list_id => {
                    // Only inserts at the end, of values or of objects they create.
                    let after_last = match &op.key {
                        Key::Seq(ElementId::Head) => last_old.is_none(),
                        Key::Seq(ElementId::Id(elem)) => {
                            last_old.as_ref() == Some(elem) || created.contains(elem)
                        }
                        Key::Map(_) => false,
                    };
                    if !op.insert || !after_last || matches!(op.action, OpType::Delete) {
                        return None;
                    }
                    inserted += 1;
                    created.insert(id());
                    continue;
                }
                ObjectId::Id(obj) => {
                    if !created.contains(obj) {
                        return None;
                    }
                    true
                }
            };
            if !on_created_object {
                // A field at the root, other than the list, set (not deleted).
                match &op.key {
                    Key::Map(k) if k.as_str() != key => {}
                    _ => return None,
                }
                if matches!(op.action, OpType::Delete) {
                    return None;
                }
                root_set = true;
            }
            if matches!(op.action, OpType::Make(_)) {
                created.insert(id());
            }
        }
    }
    (len == old + inserted).then_some(Found {
        list,
        new: old..len,
        root_set,
    })
}
