//! Targeted edits of a document: put a value at a path, append to a list. Edits touch only the
//! keys they name, so a concurrent edit of another field never competes with them and a
//! concurrent edit of the same field stays visible as a conflict.

use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value, transaction::Transactable};
use autosurgeon::{Hydrate, Reconcile};

use crate::error::{Error, Result};

/// Edits one document inside a write transaction.
#[derive(Debug)]
pub struct DocEditor<'a> {
    pub(crate) doc: &'a mut AutoCommit,
    pub(crate) doc_id: &'a str,
}

impl DocEditor<'_> {
    /// The object at `path` (map keys from the root).
    fn obj_at(&self, path: &[&str]) -> Result<ObjId> {
        let mut obj = ROOT;
        for key in path {
            match self.doc.get(&obj, *key).map_err(|e| self.err(e))? {
                Some((Value::Object(_), id)) => obj = id,
                _ => {
                    return Err(self.err(format!("no object at /{}", path.join("/"))));
                }
            }
        }
        Ok(obj)
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::document(self.doc_id, e)
    }

    /// Writes `value` at `path` (the last element is the key in the map at the rest).
    pub fn put<R: Reconcile>(&mut self, path: &[&str], value: R) -> Result<()> {
        let (key, parent) = path.split_last().ok_or_else(|| self.err("empty path"))?;
        let obj = self.obj_at(parent)?;
        autosurgeon::reconcile_prop(self.doc, &obj, *key, value).map_err(|e| self.err(e))
    }

    /// Makes the map `key` at the root unless the document has it: a field added to a record
    /// after its first change (frozen, see `genesis`) is absent from records made before. Two
    /// devices making it concurrently make two maps, of which automerge shows one: only
    /// fields written by one device at a time (the office's) are added this way.
    pub fn ensure_root_map(&mut self, key: &str) -> Result<()> {
        if self.doc.get(ROOT, key).map_err(|e| self.err(e))?.is_none() {
            self.doc
                .put_object(ROOT, key, ObjType::Map)
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Makes the list `key` at the root unless the document has it (see
    /// [`DocEditor::ensure_root_map`]).
    pub fn ensure_root_list(&mut self, key: &str) -> Result<()> {
        if self.doc.get(ROOT, key).map_err(|e| self.err(e))?.is_none() {
            self.doc
                .put_object(ROOT, key, ObjType::List)
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Writes every field of `value` at the root. Only for a document created in this same
    /// transaction: on a document with history it would overwrite concurrent values.
    pub fn put_all<R: Reconcile>(&mut self, value: R) -> Result<()> {
        autosurgeon::reconcile(self.doc, value).map_err(|e| self.err(e))
    }

    /// Appends `value` to the list at `path`.
    pub fn append<R: Reconcile>(&mut self, path: &[&str], value: R) -> Result<()> {
        let list = self.obj_at(path)?;
        if self.doc.object_type(&list).ok() != Some(ObjType::List) {
            return Err(self.err(format!("/{} is not a list", path.join("/"))));
        }
        let len = self.doc.length(&list);
        autosurgeon::reconcile_insert(self.doc, list, len, value).map_err(|e| self.err(e))
    }

    /// Reads the whole document as `T`.
    pub fn read<T: Hydrate>(&self) -> Result<T> {
        super::one_pass::hydrate(&*self.doc).map_err(|e| self.err(e))
    }

    /// The underlying document, for edits the helpers above do not cover (conflict resolution).
    pub(crate) fn raw(&mut self) -> &mut AutoCommit {
        self.doc
    }

    /// Deletes the key at `path`.
    pub fn delete(&mut self, path: &[&str]) -> Result<()> {
        let (key, parent) = path.split_last().ok_or_else(|| self.err("empty path"))?;
        let obj = self.obj_at(parent)?;
        self.doc.delete(&obj, *key).map_err(|e| self.err(e))
    }
}
