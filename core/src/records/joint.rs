//! A joint action (联合行动): a plan of who does what and when, across departments, for one
//! ticket or several merged ones (部门联合、执法联动). It lives in a scope of its own that every
//! participating department reads, so that each sees the whole plan, which steps are done and
//! who is late, offline.
//!
//! # Rules
//!
//! The plan (its tickets, title and steps, each with a department, a start time and what it
//! does) is written once, by the office or an area lead. Each department marks its own steps
//! done (append-only); the first mark of a step counts. A step not done is late once its start
//! time has passed.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use crate::doc::{DocKind, Record};

/// One step of the plan.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct PlanStep {
    /// The department that does it (a directory place id).
    pub unit: String,
    /// When it starts (ms since the epoch).
    pub start_ms: i64,
    /// What it does.
    pub what: String,
}

/// A department marking a step done: append-only.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct StepDone {
    /// Id (ULID).
    pub id: String,
    /// The step.
    pub step: String,
    /// The member.
    pub by: String,
    /// Their device.
    pub device: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// What was done, in words.
    pub note: String,
}

/// The joint action document.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct JointDoc {
    /// The tickets it serves.
    pub tickets: Vec<String>,
    /// What the action is.
    pub title: String,
    /// Who planned it.
    pub planned_by: String,
    /// When (ms since the epoch).
    pub planned_ms: i64,
    /// The steps by id (ids sort in plan order).
    pub steps: BTreeMap<String, PlanStep>,
    /// Steps marked done.
    pub done: Vec<StepDone>,
}

impl Record for JointDoc {
    const KIND: DocKind = DocKind::Joint;
}

/// Where one step stands at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepState {
    /// The step's id.
    pub id: String,
    /// The department.
    pub unit: String,
    /// When it starts (ms).
    pub start_ms: i64,
    /// What it does.
    pub what: String,
    /// The mark that counts, if done: who and when.
    pub done: Option<(String, i64)>,
    /// Not done and its start has passed.
    pub late: bool,
}

impl JointDoc {
    /// The departments taking part.
    pub fn units(&self) -> Vec<String> {
        let mut units: Vec<String> = self.steps.values().map(|s| s.unit.clone()).collect();
        units.sort();
        units.dedup();
        units
    }

    /// Every step at `now_ms`, in plan order (start time, then id).
    pub fn states(&self, now_ms: i64) -> Vec<StepState> {
        let mut first: BTreeMap<&str, &StepDone> = BTreeMap::new();
        for d in &self.done {
            let keep = first
                .get(d.step.as_str())
                .is_none_or(|kept| (d.at_ms, &d.id) < (kept.at_ms, &kept.id));
            if keep {
                first.insert(&d.step, d);
            }
        }
        let mut out: Vec<StepState> = self
            .steps
            .iter()
            .map(|(id, s)| {
                let done = first.get(id.as_str()).map(|d| (d.by.clone(), d.at_ms));
                StepState {
                    id: id.clone(),
                    unit: s.unit.clone(),
                    start_ms: s.start_ms,
                    what: s.what.clone(),
                    late: done.is_none() && s.start_ms < now_ms,
                    done,
                }
            })
            .collect();
        out.sort_by(|a, b| (a.start_ms, &a.id).cmp(&(b.start_ms, &b.id)));
        out
    }
}
