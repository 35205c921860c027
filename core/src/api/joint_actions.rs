//! Joint actions (联合行动 · 执法联动): the office or an area lead plans who does what and when
//! across departments for one ticket or several merged ones; each department marks its steps
//! done; everyone taking part sees the plan, its progress and who is late, offline.

use chrono::{DateTime, Utc};

use super::Linli;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{JOINT_PREFIX, new_id};
use crate::records::directory::{PlaceKind, Role};
use crate::records::joint::{JointDoc, PlanStep, StepDone, StepState};
use crate::records::{Coded, validate};
use crate::scope::Scope;

/// The most steps a plan holds.
pub const MAX_PLAN_STEPS: usize = 50;

/// One step to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStepInput {
    /// The department (a directory place of kind department).
    pub unit: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// What it does.
    pub what: String,
}

/// A joint action with where each step stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct JointDetail {
    /// Its id.
    pub id: String,
    /// The document.
    pub doc: JointDoc,
    /// Each step now, in plan order.
    pub steps: Vec<StepState>,
}

/// A joint action in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JointRow {
    /// Its id.
    pub id: String,
    /// What it is.
    pub title: String,
    /// Steps planned.
    pub steps: u32,
    /// Of them done.
    pub done: u32,
    /// Steps not done whose start has passed.
    pub late: u32,
}

impl Linli {
    /// Plans a joint action for `tickets` (the office or an area lead). Returns its id.
    pub fn plan_joint_action(
        &self,
        tickets: &[String],
        title: &str,
        steps: &[PlanStepInput],
    ) -> Result<String> {
        self.require_ticket_role(super::ticket_actions::TicketActionKind::Dispatch)?;
        let title = validate::required_text("title", title)?;
        if steps.is_empty() || steps.len() > MAX_PLAN_STEPS {
            return Err(Error::invalid(
                "steps",
                ErrorCode::OutOfRange,
                format!("a plan has 1 to {MAX_PLAN_STEPS} steps"),
            ));
        }
        let tickets = tickets
            .iter()
            .map(|t| validate::id("tickets", t))
            .collect::<Result<Vec<_>>>()?;
        for t in &tickets {
            self.ticket(t).map_err(|_| {
                Error::invalid("tickets", ErrorCode::NoSuchTicket, format!("no ticket {t}"))
            })?;
        }
        let departments: Vec<String> = self
            .places(Some(PlaceKind::Department))?
            .into_iter()
            .map(|p| p.id)
            .collect();
        let now = self.now();
        let mut plan = std::collections::BTreeMap::new();
        for s in steps {
            if !departments.contains(&s.unit) {
                return Err(Error::invalid(
                    "department",
                    ErrorCode::WrongPlaceKind,
                    format!("{} is not a department of the directory", s.unit),
                ));
            }
            plan.insert(
                new_id(now),
                PlanStep {
                    unit: s.unit.clone(),
                    start_ms: s.start.timestamp_millis(),
                    what: validate::required_text("what", &s.what)?,
                },
            );
        }
        let key = new_id(now);
        let id = format!("{JOINT_PREFIX}:{key}");
        let doc = JointDoc {
            tickets,
            title,
            planned_by: self.identity.member_id.clone(),
            planned_ms: now.timestamp_millis(),
            steps: plan,
            done: Vec::new(),
        };
        self.write(|w| {
            w.create(&id, &Scope::Joint(key.clone()))?;
            w.edit(&id, "joint.plan", |e| e.put_all(&doc))
        })?;
        Ok(id)
    }

    /// Marks a step of a joint action done (its department's staff, or a supervisor).
    pub fn mark_step_done(&self, joint_id: &str, step: &str, note: &str) -> Result<String> {
        let note = validate::text("note", note)?;
        let roles = self.member_role_codes(&self.identity.member_id)?;
        let now = self.now();
        let mark = StepDone {
            id: new_id(now),
            step: step.to_owned(),
            by: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            at_ms: now.timestamp_millis(),
            note,
        };
        self.write(|w| {
            let doc: JointDoc = w.read(joint_id, "joint action")?;
            let Some(planned) = doc.steps.get(step) else {
                return Err(Error::invalid(
                    "step",
                    ErrorCode::NoSuchField,
                    format!("the plan has no step {step}"),
                ));
            };
            let allowed = roles.iter().any(|(r, p)| {
                r == Role::Office.code()
                    || r == Role::AreaLead.code()
                    || (r == Role::DepartmentStaff.code() && *p == planned.unit)
            });
            if !allowed {
                return Err(Error::forbidden(
                    "mark step done",
                    ErrorCode::NotForYou,
                    "这一步由负责的部门完成",
                ));
            }
            if doc.done.iter().any(|d| d.step == step) {
                return Err(Error::state(
                    "joint action",
                    joint_id,
                    ErrorCode::StepDone,
                    "done already".to_owned(),
                ));
            }
            w.edit(joint_id, "joint.step_done", |e| e.append(&["done"], &mark))
        })?;
        Ok(mark.id)
    }

    /// One joint action with where each step stands now.
    pub fn joint_action(&self, id: &str) -> Result<JointDetail> {
        let doc: JointDoc = self.read_record(id, "joint action")?;
        let steps = doc.states(self.now().timestamp_millis());
        Ok(JointDetail {
            id: id.to_owned(),
            doc,
            steps,
        })
    }

    /// The joint actions on this device, most recently planned first.
    pub fn joint_actions(&self) -> Result<Vec<JointRow>> {
        let ids: Vec<String> = self.store.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT doc_id FROM p_joints ORDER BY planned_ms DESC, doc_id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let now_ms = self.now().timestamp_millis();
        ids.into_iter()
            .map(|id| {
                let doc: JointDoc = self.read_record(&id, "joint action")?;
                let states = doc.states(now_ms);
                Ok(JointRow {
                    title: doc.title,
                    steps: states.len() as u32,
                    done: states.iter().filter(|s| s.done.is_some()).count() as u32,
                    late: states.iter().filter(|s| s.late).count() as u32,
                    id,
                })
            })
            .collect()
    }
}
