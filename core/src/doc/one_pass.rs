//! Reading a whole record out of a document in one pass per object.
//!
//! autosurgeon hydrates a struct field by field, and a list element by element, each with its
//! own `get`; automerge answers every `get` by seeking through the object's operations again.
//! [`OnePass`] reads each map or list the first time hydration asks about it, with one
//! `map_range` or `list_range` pass, and answers the field lookups from what it read. The values
//! are the ones `get` gives (the winning value of a conflict), so a record reads the same either
//! way; only the number of passes over the document changes. [`hydrate_items`] reads a few items
//! of a long list (those a push or an edit appended) without reading the rest of the list.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Range, RangeBounds};
use std::rc::Rc;

use automerge::iter::{ListRange, MapRange};
use automerge::{AutoCommit, AutomergeError, ChangeHash, ObjId, ObjType, Parents, Prop, Value};
use autosurgeon::{Hydrate, HydrateError, ReadDoc};

/// Hydrates the whole document as `T`, reading each of its objects once.
pub(crate) fn hydrate<T: Hydrate>(doc: &AutoCommit) -> Result<T, HydrateError> {
    autosurgeon::hydrate(&OnePass::new(doc))
}

/// Hydrates the value at `prop` of `obj` as `T`, reading each of its objects once.
pub(crate) fn hydrate_prop<'p, T: Hydrate>(
    doc: &AutoCommit,
    obj: &ObjId,
    prop: impl Into<autosurgeon::Prop<'p>>,
) -> Result<T, HydrateError> {
    autosurgeon::hydrate_prop(&OnePass::new(doc), obj, prop)
}

/// Hydrates the items `range` of `list` as `T`s, as [`hydrate_prop`] reads each, reading the
/// list over `range` alone (in one pass) and each item's objects once.
pub(crate) fn hydrate_items<T: Hydrate>(
    doc: &AutoCommit,
    list: &ObjId,
    range: Range<usize>,
) -> Result<Vec<T>, HydrateError> {
    let reader = OnePass::new(doc);
    let elements = ReadDoc::list_range(doc, list, range.clone())
        .map(|item| {
            let id = item.id();
            (item.value.into_value(), id)
        })
        .collect();
    reader.objects.borrow_mut().insert(
        list.clone(),
        Rc::new(Entries::Window {
            start: range.start,
            elements,
        }),
    );
    range
        .map(|index| autosurgeon::hydrate_prop(&reader, list, index))
        .collect()
}

/// What one object holds, as read in one pass.
enum Entries {
    /// Keys in the document's order (sorted), with the visible value of each.
    Map(Vec<(String, Value<'static>, ObjId)>),
    /// The visible elements in order.
    List(Vec<(Value<'static>, ObjId)>),
    /// The visible elements from `start` on, as far as they were read.
    Window {
        start: usize,
        elements: Vec<(Value<'static>, ObjId)>,
    },
    /// Text, a scalar or a missing object: not read ahead.
    Other,
}

/// A [`ReadDoc`] over a document that reads each map and list it is asked about in one pass.
pub(crate) struct OnePass<'a> {
    doc: &'a AutoCommit,
    objects: RefCell<HashMap<ObjId, Rc<Entries>>>,
}

impl<'a> OnePass<'a> {
    pub(crate) fn new(doc: &'a AutoCommit) -> OnePass<'a> {
        OnePass {
            doc,
            objects: RefCell::new(HashMap::new()),
        }
    }

    fn entries(&self, obj: &ObjId) -> Rc<Entries> {
        if let Some(e) = self.objects.borrow().get(obj) {
            return e.clone();
        }
        let read = match ReadDoc::object_type(self.doc, obj) {
            Some(ObjType::Map | ObjType::Table) => Entries::Map(
                ReadDoc::map_range(self.doc, obj, ..)
                    .map(|item| {
                        let id = item.id();
                        (item.key.into_owned(), item.value.into_value(), id)
                    })
                    .collect(),
            ),
            Some(ObjType::List) => Entries::List(
                ReadDoc::list_range(self.doc, obj, ..)
                    .map(|item| {
                        let id = item.id();
                        (item.value.into_value(), id)
                    })
                    .collect(),
            ),
            _ => Entries::Other,
        };
        let read = Rc::new(read);
        self.objects.borrow_mut().insert(obj.clone(), read.clone());
        read
    }
}

impl ReadDoc for OnePass<'_> {
    type Parents<'b>
        = Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<ChangeHash> {
        ReadDoc::get_heads(self.doc)
    }

    fn get<P: Into<Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        let prop = prop.into();
        let entries = self.entries(obj);
        let found = match (&*entries, &prop) {
            (Entries::Map(entries), Prop::Map(key)) => entries
                .binary_search_by(|(k, _, _)| k.as_str().cmp(key.as_str()))
                .ok()
                .map(|i| (entries[i].1.clone(), entries[i].2.clone())),
            (Entries::List(elements), Prop::Seq(index)) => elements
                .get(*index)
                .map(|(value, id)| (value.clone(), id.clone())),
            (Entries::Window { start, elements }, Prop::Seq(index))
                if (*start..start + elements.len()).contains(index) =>
            {
                let (value, id) = &elements[index - start];
                Some((value.clone(), id.clone()))
            }
            _ => return ReadDoc::get(self.doc, obj, prop),
        };
        Ok(found)
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<ObjType> {
        ReadDoc::object_type(self.doc, obj)
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> MapRange<'b>
    where
        R: RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
    {
        ReadDoc::map_range(self.doc, obj, range)
    }

    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> ListRange<'_> {
        ReadDoc::list_range(self.doc, obj, range)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        match &*self.entries(obj.as_ref()) {
            Entries::List(elements) => elements.len(),
            Entries::Map(entries) => entries.len(),
            Entries::Window { .. } | Entries::Other => ReadDoc::length(self.doc, obj),
        }
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, AutomergeError> {
        ReadDoc::text(self.doc, obj)
    }

    fn parents<O: AsRef<ObjId>>(&self, obj: O) -> Result<Self::Parents<'_>, AutomergeError> {
        ReadDoc::parents(self.doc, obj)
    }

    fn is_empty(&self) -> bool {
        ReadDoc::is_empty(self.doc)
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc as _};

    use super::{AutoCommit, Hydrate, ObjId, ObjType, OnePass, Prop, Value, hydrate};
    use std::collections::HashMap;

    /// Every value, read through `get` and through one pass, down the whole tree.
    fn same_everywhere(doc: &AutoCommit, obj: &ObjId, one_pass: &OnePass<'_>) {
        let keys: Vec<Prop> = match doc.object_type(obj).expect("object") {
            ObjType::Map | ObjType::Table => doc.keys(obj).map(Prop::Map).collect(),
            ObjType::List => (0..doc.length(obj)).map(Prop::Seq).collect(),
            ObjType::Text => return,
        };
        assert_eq!(
            autosurgeon::ReadDoc::length(one_pass, obj),
            automerge::ReadDoc::length(doc, obj)
        );
        for prop in keys {
            let direct = automerge::ReadDoc::get(doc, obj, prop.clone()).expect("get");
            let read = autosurgeon::ReadDoc::get(one_pass, obj, prop.clone()).expect("one pass");
            assert_eq!(read, direct, "at {prop:?}");
            if let Some((Value::Object(_), child)) = direct {
                same_everywhere(doc, &child, one_pass);
            }
        }
        // Keys that are not there, or of the wrong kind: the same answer, error or none.
        for probe in [Prop::Map("不存在".into()), Prop::Seq(99)] {
            assert_eq!(
                format!(
                    "{:?}",
                    autosurgeon::ReadDoc::get(one_pass, obj, probe.clone())
                ),
                format!("{:?}", automerge::ReadDoc::get(doc, obj, probe)),
            );
        }
    }

    #[test]
    fn reads_what_get_reads_including_conflicts_deletions_and_nesting() {
        let mut a = AutoCommit::new();
        a.put(ROOT, "户主", "王建国").unwrap();
        a.put(ROOT, "room", 101_i64).unwrap();
        a.put(ROOT, "gone", "x").unwrap();
        let visits = a.put_object(ROOT, "visits", ObjType::List).unwrap();
        for i in 0..4_i64 {
            let v = a.insert_object(&visits, i as usize, ObjType::Map).unwrap();
            a.put(&v, "at_ms", i * 1000).unwrap();
            a.put(&v, "lead", "lead-wang").unwrap();
        }
        let note = a.put_object(ROOT, "note", ObjType::Text).unwrap();
        a.splice_text(&note, 0, 0, "电梯停运").unwrap();
        let mut b = a.fork().with_actor(automerge::ActorId::from(b"bbbb"));
        a.put(ROOT, "户主", "王建国（老伴）").unwrap();
        b.put(ROOT, "户主", "李秀英").unwrap();
        b.delete(ROOT, "gone").unwrap();
        b.delete(&visits, 1).unwrap();
        let first = b.get(&visits, 0).unwrap().unwrap().1;
        b.put(&first, "lead", "lead-li").unwrap();
        a.merge(&mut b).unwrap();
        assert_eq!(
            a.get_all(ROOT, "户主").unwrap().len(),
            2,
            "a conflict to read"
        );

        let one_pass = OnePass::new(&a);
        same_everywhere(&a, &ROOT, &one_pass);
    }

    #[test]
    fn items_read_alone_are_the_items_the_whole_list_reads() {
        #[derive(Debug, PartialEq, Hydrate, autosurgeon::Reconcile)]
        struct Visit {
            at_ms: i64,
            lead: String,
        }
        let mut a = AutoCommit::new();
        let visits = a.put_object(ROOT, "visits", ObjType::List).unwrap();
        for i in 0..8_i64 {
            let v = a.insert_object(&visits, i as usize, ObjType::Map).unwrap();
            a.put(&v, "at_ms", i * 1000).unwrap();
            a.put(&v, "lead", format!("lead-{i}")).unwrap();
        }
        // A conflict inside an item and an item deleted before the window.
        let mut b = a.fork().with_actor(automerge::ActorId::from(b"bbbb"));
        let fifth = a.get(&visits, 5).unwrap().unwrap().1;
        a.put(&fifth, "lead", "lead-wang").unwrap();
        b.put(&fifth, "lead", "lead-li").unwrap();
        b.delete(&visits, 1).unwrap();
        a.merge(&mut b).unwrap();
        let whole: Vec<Visit> = autosurgeon::hydrate_prop(&a, ROOT, "visits").unwrap();
        assert_eq!(whole.len(), 7);
        for range in [0..7, 3..6, 6..7, 2..2] {
            let items: Vec<Visit> = super::hydrate_items(&a, &visits, range.clone()).unwrap();
            assert_eq!(items, whole[range.clone()], "items {range:?}");
        }
        // Past the end: an error, as reading the missing item one by one gives.
        assert!(super::hydrate_items::<Visit>(&a, &visits, 6..8).is_err());
    }

    #[test]
    fn hydrates_the_same_record_as_autosurgeon() {
        #[derive(Debug, PartialEq, Hydrate, autosurgeon::Reconcile)]
        struct Visit {
            at_ms: i64,
            lead: String,
            note: Option<String>,
        }
        #[derive(Debug, PartialEq, Hydrate, autosurgeon::Reconcile)]
        struct Household {
            room: String,
            residents: Vec<String>,
            visits: Vec<Visit>,
            tags: HashMap<String, bool>,
        }
        let record = Household {
            room: "3号楼1单元101".into(),
            residents: vec!["王建国".into(), "李秀英".into()],
            visits: (0..3)
                .map(|i| Visit {
                    at_ms: i,
                    lead: format!("lead-{i}"),
                    note: (i % 2 == 0).then(|| "需要送药".to_owned()),
                })
                .collect(),
            tags: HashMap::from([
                ("独居老人".to_owned(), true),
                ("居家隔离".to_owned(), false),
            ]),
        };
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, &record).unwrap();
        let direct: Household = autosurgeon::hydrate(&doc).unwrap();
        assert_eq!(direct, record);
        assert_eq!(hydrate::<Household>(&doc).unwrap(), record);
    }
}
