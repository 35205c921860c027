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
