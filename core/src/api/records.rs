//! Any record's history (who changed what, when, from which device) and conflicts (fields
//! holding concurrent values), and resolving a conflict by choosing one of the values or
//! entering a new one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::{
    AutoCommit, ObjId, Prop, ROOT, ReadDoc, ScalarValue, Value, transaction::Transactable,
};
use chrono::{DateTime, Utc};

use super::Linli;
use crate::doc::conflicts::conflict_sites;
use crate::doc::{ChangeNote, DocKind, GENESIS_ACTION, Record};
use crate::error::{Error, ErrorCode, Result};

/// One change in a record's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The change hash, hex.
    pub hash: String,
    /// The automerge actor, hex.
    pub actor: String,
    /// The member who made it (empty for the document's structural first change).
    pub member: String,
    /// The device it was made on.
    pub device: String,
    /// Device time (advisory; to the second).
    pub at: DateTime<Utc>,
    /// What was done, e.g. `visit.log`.
    pub action: String,
    /// Paths of the fields it touched, e.g. `shifts/…/slots/gate_lead-1/member`.
    pub changed: Vec<String>,
}

/// One of the concurrent values of a conflicted field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictValue {
    /// The value, readable.
    pub display: String,
    /// Who wrote it (member id; empty if unknown).
    pub member: String,
    /// From which device.
    pub device: String,
    /// The actor, hex.
    pub actor: String,
    /// Whether this is the value the record shows now.
    pub shown: bool,
}

/// A field holding concurrent values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The field's path from the record's root.
    pub path: Vec<String>,
    /// The key of the field's label: the last name on the path that is not an index or an
    /// id (`visits/01J…/needs` → `needs`); see [`crate::error::field_key`].
    pub field_key: String,
    /// The values, the shown one first.
    pub values: Vec<ConflictValue>,
}

/// The last name on `path` written in lower-case words (`needs`, `birth_year`), skipping list
/// indices and record ids.
fn path_field_key(path: &[String]) -> String {
    path.iter()
        .rev()
        .find(|p| {
            p.starts_with(|c: char| c.is_ascii_lowercase())
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .cloned()
        .unwrap_or_default()
}

/// How to resolve a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Keep the value at this index of [`Conflict::values`].
    Pick(usize),
    /// Enter a new value (for text, number and yes/no fields).
    Enter(String),
}

fn prop_string(p: &Prop) -> String {
    match p {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    }
}

/// A conflicted value in words: text as it is, a member's or a place's id by its name, an
/// object (a claim, say) by its fields' values in key order — ids by name, times and devices
/// left out — never a debug dump.
fn display(
    doc: &AutoCommit,
    value: &Value<'_>,
    id: &ObjId,
    names: &HashMap<String, String>,
) -> String {
    match value {
        Value::Scalar(s) => scalar_text(s, names),
        Value::Object(_) => {
            let parts: Vec<String> = doc
                .map_range(id, ..)
                .filter(|item| !item.key.ends_with("_ms") && item.key != "device")
                .filter_map(|item| match Value::from(item.value) {
                    Value::Scalar(s) if !matches!(s.as_ref(), ScalarValue::Null) => {
                        Some(scalar_text(&s, names))
                    }
                    _ => None,
                })
                .filter(|t| !t.is_empty())
                .collect();
            if parts.is_empty() {
                "（对象）".to_owned()
            } else {
                parts.join(" · ")
            }
        }
    }
}

fn scalar_text(s: &ScalarValue, names: &HashMap<String, String>) -> String {
    match s {
        ScalarValue::Str(s) => names
            .get(s.as_str())
            .cloned()
            .unwrap_or_else(|| s.to_string()),
        ScalarValue::Null => "（空）".to_owned(),
        other => other.to_string(),
    }
}

fn authors(doc: &mut AutoCommit) -> BTreeMap<String, ChangeNote> {
    doc.get_changes(&[])
        .into_iter()
        .map(|c| (c.actor_id().to_hex_string(), ChangeNote::parse(c.message())))
        .collect()
}

fn changed_paths(doc: &mut AutoCommit, change: &automerge::Change) -> Vec<String> {
    let patches = doc.diff(change.deps(), &[change.hash()]);
    let mut paths = BTreeSet::new();
    for p in patches {
        let mut parts: Vec<String> = p.path.iter().map(|(_, prop)| prop_string(prop)).collect();
        use automerge::PatchAction as A;
        match &p.action {
            A::PutMap { key, .. } | A::DeleteMap { key } => parts.push(key.clone()),
            A::PutSeq { index, .. } | A::Insert { index, .. } | A::DeleteSeq { index, .. } => {
                parts.push(index.to_string())
            }
            A::Increment { prop, .. } | A::Conflict { prop } => parts.push(prop_string(prop)),
            _ => {}
        }
        parts.truncate(5);
        paths.insert(parts.join("/"));
    }
    paths.into_iter().collect()
}

impl Linli {
    /// Reads a record's document as `T` (for detail views).
    pub(crate) fn read_record<T: Record>(&self, doc_id: &str, what: &'static str) -> Result<T> {
        self.read_record_as(doc_id, T::KIND, what)
    }

    /// Reads a document of `kind` as `T`, which may name only some of its fields: those are all
    /// that is read.
    pub(crate) fn read_record_as<T: autosurgeon::Hydrate>(
        &self,
        doc_id: &str,
        kind: DocKind,
        what: &'static str,
    ) -> Result<T> {
        self.store
            .with_doc(doc_id, |d| d.hydrate_as(doc_id, kind, what))
            .map_err(|e| match e {
                Error::NotFound { .. } => Error::NotFound {
                    what,
                    id: doc_id.to_owned(),
                },
                other => other,
            })
    }

    /// The full history of a record, oldest first (causal order).
    pub fn history(&self, doc_id: &str) -> Result<Vec<HistoryEntry>> {
        self.store.with_doc(doc_id, |d| {
            let changes = d.doc.get_changes(&[]);
            let mut out = Vec::with_capacity(changes.len());
            for c in changes {
                let note = ChangeNote::parse(c.message());
                out.push(HistoryEntry {
                    hash: c.hash().to_string(),
                    actor: c.actor_id().to_hex_string(),
                    member: note.member,
                    device: note.device,
                    at: DateTime::from_timestamp(c.timestamp(), 0).unwrap_or_default(),
                    changed: if note.action == GENESIS_ACTION {
                        Vec::new()
                    } else {
                        changed_paths(&mut d.doc, &c)
                    },
                    action: note.action,
                });
            }
            // A record's first change is the same on every device, so it carries no time: it
            // dates from the first change made on it.
            let first_made = out
                .iter()
                .filter(|e| e.action != GENESIS_ACTION)
                .map(|e| e.at)
                .min();
            if let Some(first_made) = first_made {
                for e in out.iter_mut().filter(|e| e.action == GENESIS_ACTION) {
                    e.at = first_made;
                }
            }
            Ok(out)
        })
    }

    /// Every open conflict on this device as `(record id, field path)`, from the projection.
    pub fn open_conflicts(&self) -> Result<Vec<(String, Vec<String>)>> {
        self.store.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT doc_id, path FROM p_conflicts ORDER BY doc_id, path")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (doc, path) = row?;
                out.push((doc, path.split('/').map(str::to_owned).collect()));
            }
            Ok(out)
        })
    }

    /// The record's fields that hold concurrent values.
    pub fn conflicts(&self, doc_id: &str) -> Result<Vec<Conflict>> {
        let names: HashMap<String, String> = self
            .members()?
            .into_iter()
            .map(|m| (m.id, m.name))
            .chain(self.places(None)?.into_iter().map(|p| (p.id, p.name)))
            .collect();
        self.store.with_doc(doc_id, |d| {
            let authors = authors(&mut d.doc);
            Ok(conflict_sites(&d.doc)
                .into_iter()
                .map(|site| {
                    let mut values: Vec<ConflictValue> = site
                        .values
                        .iter()
                        .map(|(v, id)| {
                            let actor = match id {
                                ObjId::Id(_, actor, _) => actor.to_hex_string(),
                                ObjId::Root => String::new(),
                            };
                            let note = authors.get(&actor).cloned().unwrap_or_default();
                            ConflictValue {
                                display: display(&d.doc, v, id, &names),
                                member: note.member,
                                device: note.device,
                                actor,
                                shown: site.shown.as_ref() == Some(id),
                            }
                        })
                        .collect();
                    values.sort_by_key(|v| !v.shown);
                    Conflict {
                        field_key: path_field_key(&site.path),
                        path: site.path,
                        values,
                    }
                })
                .collect())
        })
    }

    /// Resolves the conflict at `path` of a record: every device that syncs this change shows
    /// the chosen value and no longer the conflict.
    pub fn resolve_conflict(
        &self,
        doc_id: &str,
        path: &[String],
        resolution: &Resolution,
    ) -> Result<()> {
        let (key, parents) = path
            .split_last()
            .ok_or_else(|| Error::invalid("path", ErrorCode::NoSuchField, "empty path"))?;
        self.write(|w| {
            w.edit(doc_id, "conflict.resolve", |e| {
                let doc = e.raw();
                let mut obj = ROOT;
                for p in parents {
                    obj = match doc.get(&obj, p.as_str()) {
                        Ok(Some((Value::Object(_), id))) => id,
                        _ => {
                            return Err(Error::invalid(
                                "path",
                                ErrorCode::NoSuchField,
                                format!("no field at {}", path.join("/")),
                            ));
                        }
                    };
                }
                let all: Vec<(Value<'static>, ObjId)> = doc
                    .get_all(&obj, key.as_str())
                    .map_err(|e| Error::document(doc_id, e))?
                    .into_iter()
                    .map(|(v, id)| (v.into_owned(), id))
                    .collect();
                if all.len() < 2 {
                    return Err(Error::InvalidState {
                        record: "record",
                        id: doc_id.to_owned(),
                        code: ErrorCode::NoConflict,
                        message: format!("no conflict at {}", path.join("/")),
                    });
                }
                // Values are offered shown-first, as `conflicts` lists them.
                let shown = doc.get(&obj, key.as_str()).ok().flatten().map(|(_, id)| id);
                let mut ordered = all;
                ordered.sort_by_key(|(_, id)| Some(id) != shown.as_ref());
                match resolution {
                    Resolution::Pick(i) => {
                        let (value, id) = ordered.get(*i).ok_or_else(|| {
                            Error::invalid(
                                "resolution",
                                ErrorCode::ChooseValue,
                                format!("there are {} values", ordered.len()),
                            )
                        })?;
                        match value {
                            Value::Scalar(s) => doc
                                .put(&obj, key.as_str(), s.as_ref().clone())
                                .map_err(|e| Error::document(doc_id, e)),
                            Value::Object(_) => {
                                let hydrated = doc
                                    .hydrate(id, None)
                                    .map_err(|e| Error::document(doc_id, e))?;
                                doc.batch_create_object(&obj, key.as_str(), &hydrated, false)
                                    .map(|_| ())
                                    .map_err(|e| Error::document(doc_id, e))
                            }
                        }
                    }
                    Resolution::Enter(text) => {
                        let sample = ordered.iter().find_map(|(v, _)| match v {
                            Value::Scalar(s) if !matches!(s.as_ref(), ScalarValue::Null) => {
                                Some(s.as_ref().clone())
                            }
                            _ => None,
                        });
                        let bad = |what: &str| {
                            Error::invalid(
                                "resolution",
                                ErrorCode::Malformed,
                                format!("{text:?} is not {what}"),
                            )
                        };
                        let value = match sample {
                            Some(ScalarValue::Int(_)) => ScalarValue::Int(
                                text.trim().parse().map_err(|_| bad("a whole number"))?,
                            ),
                            Some(ScalarValue::Uint(_)) => ScalarValue::Uint(
                                text.trim().parse().map_err(|_| bad("a whole number"))?,
                            ),
                            Some(ScalarValue::F64(_)) => {
                                ScalarValue::F64(text.trim().parse().map_err(|_| bad("a number"))?)
                            }
                            Some(ScalarValue::Boolean(_)) => ScalarValue::Boolean(
                                text.trim().parse().map_err(|_| bad("true or false"))?,
                            ),
                            Some(ScalarValue::Str(_)) | None
                                if ordered.iter().all(|(v, _)| matches!(v, Value::Scalar(_))) =>
                            {
                                ScalarValue::Str(text.as_str().into())
                            }
                            _ => {
                                return Err(Error::invalid(
                                    "resolution",
                                    ErrorCode::ChooseValue,
                                    "choose one of the values for this field",
                                ));
                            }
                        };
                        doc.put(&obj, key.as_str(), value)
                            .map_err(|e| Error::document(doc_id, e))
                    }
                }
            })?;
            Ok(())
        })
    }
}
