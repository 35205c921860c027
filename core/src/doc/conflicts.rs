//! Finding the fields of a document that hold concurrent values: one walk over the document,
//! used both to show a record's conflicts and to keep the list of open conflicts.

use automerge::{AutoCommit, ObjId, ObjType, Prop, ROOT, ReadDoc, Value};

/// A field with concurrent values: its path and the values with their object ids.
#[derive(Debug)]
pub(crate) struct ConflictSite<'a> {
    /// Keys and list indexes from the root.
    pub path: Vec<String>,
    /// The concurrent values.
    pub values: Vec<(Value<'a>, ObjId)>,
    /// The id of the value that reads return.
    pub shown: Option<ObjId>,
}

fn prop_string(p: &Prop) -> String {
    match p {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    }
}

/// Every field of `doc` holding more than one value, in document order. The walk keeps its own
/// stack instead of recursing, and goes no deeper than [`MAX_DEPTH`] objects: a document
/// nested deeper than any record is never walked past that (the relay refuses such changes).
pub(crate) fn conflict_sites(doc: &AutoCommit) -> Vec<ConflictSite<'_>> {
    let mut out = Vec::new();
    // Each frame: an object, the props still to visit (reversed), and its key in its parent.
    let mut stack: Vec<(Vec<Prop>, ObjId)> = vec![(props_of(doc, &ROOT), ROOT)];
    let mut path: Vec<String> = Vec::new();
    while let Some((props, obj)) = stack.last_mut() {
        let Some(prop) = props.pop() else {
            stack.pop();
            path.pop();
            continue;
        };
        let obj = obj.clone();
        let all = doc.get_all(&obj, prop.clone()).unwrap_or_default();
        let key = prop_string(&prop);
        if all.len() > 1 && !same_scalar(&all) {
            let mut site_path = path.clone();
            site_path.push(key.clone());
            let shown = doc.get(&obj, prop.clone()).ok().flatten().map(|(_, id)| id);
            out.push(ConflictSite {
                path: site_path,
                values: all,
                shown,
            });
        }
        if stack.len() < MAX_DEPTH
            && let Ok(Some((Value::Object(_), child))) = doc.get(&obj, prop)
        {
            stack.push((props_of(doc, &child), child));
            path.push(key);
        }
    }
    out
}

/// Whether concurrent values are one and the same text, number or flag: two people who set a
/// field to the same value did not disagree, and nobody has anything to choose.
fn same_scalar(values: &[(Value<'_>, ObjId)]) -> bool {
    let first = match values.first() {
        Some((Value::Scalar(s), _)) => s,
        _ => return false,
    };
    values
        .iter()
        .all(|(v, _)| matches!(v, Value::Scalar(s) if s == first))
}

/// The props of `obj` in reverse document order (popped from the end, they come in order).
fn props_of(doc: &AutoCommit, obj: &ObjId) -> Vec<Prop> {
    let mut props: Vec<Prop> = match doc.object_type(obj) {
        Ok(ObjType::Map) | Ok(ObjType::Table) => doc.keys(obj).map(Prop::Map).collect(),
        Ok(ObjType::List) => (0..doc.length(obj)).map(Prop::Seq).collect(),
        _ => Vec::new(),
    };
    props.reverse();
    props
}

/// How deep any record nests objects, with room to spare: the root, a list of events, an
/// event, its action, a value inside it … Nothing Linli writes comes near it.
pub const MAX_DEPTH: usize = 32;

/// Whether `doc` nests objects deeper than [`MAX_DEPTH`]. Walks with its own stack, reads
/// each map and list in one pass (`map_range` / `list_range`), and stops as soon as it knows.
pub fn nests_too_deep(doc: &AutoCommit) -> bool {
    let mut stack: Vec<(ObjId, usize)> = vec![(ROOT, 1)];
    while let Some((obj, depth)) = stack.pop() {
        let children: Vec<ObjId> = match doc.object_type(&obj) {
            Ok(ObjType::Map) | Ok(ObjType::Table) => doc
                .map_range(&obj, ..)
                .filter(|item| matches!(item.value, automerge::ValueRef::Object(_)))
                .map(|item| item.id())
                .collect(),
            Ok(ObjType::List) => doc
                .list_range(&obj, ..)
                .filter(|item| matches!(item.value, automerge::ValueRef::Object(_)))
                .map(|item| item.id())
                .collect(),
            _ => Vec::new(),
        };
        if !children.is_empty() && depth + 1 > MAX_DEPTH {
            return true;
        }
        stack.extend(children.into_iter().map(|c| (c, depth + 1)));
    }
    false
}

/// Whether `changes` (decoded), applied to `doc`, made an object deeper than [`MAX_DEPTH`].
/// Only the objects they create are looked at (automerge moves no object, so nothing older got
/// deeper): a created object is one deeper than the object it was made in, whose depth is known
/// when the changes made it too and is otherwise counted once in the document, no further than
/// the limit. A change to a record with a long history costs what it made, not what the
/// record holds, and a chain of new objects costs its length, not its square. An object the
/// document cannot name sends it to the whole walk.
pub fn creates_too_deep(doc: &AutoCommit, changes: &[automerge::ExpandedChange]) -> bool {
    use automerge::legacy::{ObjectId, OpId, OpType};
    use std::collections::HashMap;
    // Depths (the object, its parents and the root) of the objects made in, or counted for,
    // these changes.
    let mut depths: HashMap<OpId, usize> = HashMap::new();
    for change in changes {
        let start = change.start_op.get();
        for (i, op) in change.operations.iter().enumerate() {
            if !matches!(op.action, OpType::Make(_)) {
                continue;
            }
            let parent = match &op.obj {
                ObjectId::Root => 1,
                ObjectId::Id(parent) => match depths.get(parent) {
                    Some(depth) => *depth,
                    None => {
                        let counted = doc
                            .import(&parent.to_string())
                            .ok()
                            .and_then(|(obj, _)| doc.parents(&obj).ok())
                            .map(|parents| parents.take(MAX_DEPTH).count() + 1);
                        let Some(depth) = counted else {
                            return nests_too_deep(doc);
                        };
                        depths.insert(parent.clone(), depth);
                        depth
                    }
                },
            };
            if parent + 1 > MAX_DEPTH {
                return true;
            }
            depths.insert(OpId(start + i as u64, change.actor_id.clone()), parent + 1);
        }
    }
    false
}

/// Whether the document's history is one line of changes, each made on top of the one before:
/// then no value was ever written concurrently, so the document holds no conflict and a walk
/// would find none. Read from the change graph, without touching the operations.
pub(crate) fn history_is_a_line(doc: &mut AutoCommit) -> bool {
    if doc.get_heads().len() > 1 {
        return false;
    }
    let mut roots = 0;
    let mut followed = std::collections::HashSet::new();
    for change in doc.get_changes_meta(&[]) {
        match change.deps.as_slice() {
            [] => roots += 1,
            [dep] => {
                // Two changes on top of the same one are a branch.
                if !followed.insert(*dep) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    roots <= 1
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;

    use super::*;

    fn put(doc: &mut AutoCommit, value: &str) {
        doc.put(ROOT, "phone", value).unwrap();
        doc.commit();
    }

    #[test]
    fn only_a_history_without_branches_is_a_line() {
        let mut doc = AutoCommit::new();
        assert!(history_is_a_line(&mut doc), "an empty document");
        put(&mut doc, "1");
        put(&mut doc, "2");
        assert!(history_is_a_line(&mut doc));

        let mut other = doc.fork();
        put(&mut doc, "3");
        put(&mut other, "4");
        doc.merge(&mut other).unwrap();
        assert!(!history_is_a_line(&mut doc), "two heads");
        assert_eq!(conflict_sites(&doc).len(), 1);

        // One head again, but the branch stays in the history, and so may a conflict.
        doc.put(ROOT, "name", "王").unwrap();
        doc.commit();
        assert_eq!(doc.get_heads().len(), 1);
        assert!(!history_is_a_line(&mut doc));
        assert_eq!(conflict_sites(&doc).len(), 1);
    }

    #[test]
    fn the_same_value_set_twice_is_no_conflict() {
        let mut doc = AutoCommit::new();
        put(&mut doc, "1");
        let mut other = doc.fork();
        put(&mut doc, "13900000000");
        put(&mut other, "13900000000");
        doc.merge(&mut other).unwrap();
        assert_eq!(doc.get_all(ROOT, "phone").unwrap().len(), 2);
        assert!(conflict_sites(&doc).is_empty(), "both said the same");
        let mut third = doc.fork();
        put(&mut doc, "13900000001");
        put(&mut third, "13900000002");
        doc.merge(&mut third).unwrap();
        assert_eq!(conflict_sites(&doc).len(), 1, "different values are");
    }

    /// Nests `levels` maps under the root key `deep`, in one change.
    fn nest(doc: &mut AutoCommit, levels: usize) {
        let mut obj = doc.put_object(ROOT, "deep", ObjType::Map).unwrap();
        for _ in 1..levels {
            obj = doc.put_object(&obj, "x", ObjType::Map).unwrap();
        }
        doc.put(&obj, "leaf", "1").unwrap();
        doc.commit();
    }

    #[test]
    fn a_document_nested_a_hundred_thousand_deep_is_walked_without_recursion() {
        let mut doc = AutoCommit::new();
        nest(&mut doc, 100_000);
        let mut other = doc.fork();
        doc.put(ROOT, "phone", "1").unwrap();
        doc.commit();
        other.put(ROOT, "phone", "2").unwrap();
        other.commit();
        doc.merge(&mut other).unwrap();
        assert!(nests_too_deep(&doc));
        let sites = conflict_sites(&doc);
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].path, vec!["phone".to_owned()]);
    }

    #[test]
    fn depth_is_counted_from_the_root() {
        let mut doc = AutoCommit::new();
        nest(&mut doc, MAX_DEPTH - 1);
        assert!(!nests_too_deep(&doc), "the root and {} maps", MAX_DEPTH - 1);
        let mut deeper = AutoCommit::new();
        nest(&mut deeper, MAX_DEPTH);
        assert!(nests_too_deep(&deeper));
    }

    /// The changes of `doc` after `before`, decoded as the judge decodes them.
    fn changes_after(
        doc: &mut AutoCommit,
        before: &[automerge::ChangeHash],
    ) -> Vec<automerge::ExpandedChange> {
        doc.get_changes(before).iter().map(|c| c.decode()).collect()
    }

    #[test]
    fn only_the_objects_a_change_creates_are_measured() {
        for (depth, too_deep) in [(MAX_DEPTH - 1, false), (MAX_DEPTH, true)] {
            // Nested in one change; then in a change on top of a document already nested.
            let mut doc = AutoCommit::new();
            nest(&mut doc, depth);
            let changes = changes_after(&mut doc, &[]);
            let refs = changes;
            assert_eq!(
                creates_too_deep(&doc, &refs),
                too_deep,
                "{depth} in one change"
            );
            assert_eq!(creates_too_deep(&doc, &refs), nests_too_deep(&doc));
        }
        let mut doc = AutoCommit::new();
        let mut obj = ROOT;
        for i in 0..MAX_DEPTH - 2 {
            obj = doc.put_object(&obj, format!("k{i}"), ObjType::Map).unwrap();
        }
        doc.commit();
        let heads = doc.get_heads();
        doc.put(&obj, "x", "a value, no object").unwrap();
        let flat = doc.put_object(ROOT, "flat", ObjType::List).unwrap();
        doc.insert(&flat, 0, "item").unwrap();
        doc.commit();
        let edit = changes_after(&mut doc, &heads);
        let refs = edit;
        assert!(!creates_too_deep(&doc, &refs));
        let heads = doc.get_heads();
        let deepest = doc.put_object(&obj, "one more", ObjType::Map).unwrap();
        doc.put_object(&deepest, "and another", ObjType::List)
            .unwrap();
        doc.commit();
        let edit = changes_after(&mut doc, &heads);
        let refs = edit;
        assert!(
            creates_too_deep(&doc, &refs),
            "two more levels on {} ",
            MAX_DEPTH - 1
        );
        assert!(nests_too_deep(&doc));
    }

    #[test]
    fn conflicts_inside_nested_objects_keep_their_path() {
        let mut doc = AutoCommit::new();
        let residents = doc.put_object(ROOT, "residents", ObjType::Map).unwrap();
        let r = doc.put_object(&residents, "r1", ObjType::Map).unwrap();
        doc.put(&r, "name", "王").unwrap();
        doc.commit();
        let mut other = doc.fork();
        doc.put(&r, "name", "李").unwrap();
        doc.commit();
        other.put(&r, "name", "张").unwrap();
        other.commit();
        doc.merge(&mut other).unwrap();
        let sites = conflict_sites(&doc);
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].path, ["residents", "r1", "name"]);
    }
}
