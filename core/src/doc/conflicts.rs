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

/// Every field of `doc` holding more than one value, in document order.
pub(crate) fn conflict_sites(doc: &AutoCommit) -> Vec<ConflictSite<'_>> {
    let mut out = Vec::new();
    walk(doc, &ROOT, &mut Vec::new(), &mut out);
    out
}

fn walk<'a>(
    doc: &'a AutoCommit,
    obj: &ObjId,
    path: &mut Vec<String>,
    out: &mut Vec<ConflictSite<'a>>,
) {
    let props: Vec<Prop> = match doc.object_type(obj) {
        Ok(ObjType::Map) | Ok(ObjType::Table) => doc.keys(obj).map(Prop::Map).collect(),
        Ok(ObjType::List) => (0..doc.length(obj)).map(Prop::Seq).collect(),
        _ => return,
    };
    for prop in props {
        path.push(prop_string(&prop));
        let all = doc.get_all(obj, prop.clone()).unwrap_or_default();
        if all.len() > 1 {
            let shown = doc.get(obj, prop.clone()).ok().flatten().map(|(_, id)| id);
            out.push(ConflictSite {
                path: path.clone(),
                values: all,
                shown,
            });
        }
        if let Ok(Some((Value::Object(_), child))) = doc.get(obj, prop) {
            walk(doc, &child, path, out);
        }
        path.pop();
    }
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
}
