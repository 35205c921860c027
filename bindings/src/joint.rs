//! Joint actions (联合行动) as the apps see them: planning who does what and when across
//! departments, marking a step done, and where each step stands (who is late), offline.

use linli_core::api::joint_actions;
use linli_core::records::joint as core_joint;

use crate::error::{LinliError, guard};
use crate::mirror::{Convert, Timestamp, mirror_record};
use crate::store::LinliStore;

type R<T> = Result<T, LinliError>;

mirror_record!(both
/// A step to plan: the department, when it starts, what it does.
PlanStepInput = joint_actions::PlanStepInput { unit: String, start: Timestamp, what: String });
mirror_record!(out
/// A joint action in a list: steps planned, done, and late (not done, start passed).
JointRow = joint_actions::JointRow { id: String, title: String, steps: u32, done: u32, late: u32 });

/// Where one step stands now (times in ms since the epoch).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct StepState {
    /// The step's id.
    pub id: String,
    /// The department.
    pub unit: String,
    /// When it starts.
    pub start_ms: i64,
    /// What it does.
    pub what: String,
    /// Who marked it done.
    pub done_by: Option<String>,
    /// When.
    pub done_ms: Option<i64>,
    /// Not done and its start has passed.
    pub late: bool,
}

impl Convert<StepState> for core_joint::StepState {
    fn convert(self) -> StepState {
        let (done_by, done_ms) = self.done.unzip();
        StepState {
            id: self.id,
            unit: self.unit,
            start_ms: self.start_ms,
            what: self.what,
            done_by,
            done_ms,
            late: self.late,
        }
    }
}

/// A joint action: its tickets, what it is, who planned it and its steps now.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct JointDetail {
    /// Its id.
    pub id: String,
    /// The tickets it serves.
    pub tickets: Vec<String>,
    /// What it is.
    pub title: String,
    /// Who planned it.
    pub planned_by: String,
    /// Its steps now, in plan order.
    pub steps: Vec<StepState>,
}

impl Convert<JointDetail> for joint_actions::JointDetail {
    fn convert(self) -> JointDetail {
        JointDetail {
            id: self.id,
            tickets: self.doc.tickets,
            title: self.doc.title,
            planned_by: self.doc.planned_by,
            steps: self.steps.convert(),
        }
    }
}

#[uniffi::export]
impl LinliStore {
    /// Plans a joint action for tickets (the office or an area lead). Returns its id.
    pub fn plan_joint_action(
        &self,
        tickets: Vec<String>,
        title: String,
        steps: Vec<PlanStepInput>,
    ) -> R<String> {
        let steps: Vec<joint_actions::PlanStepInput> = steps.convert();
        guard(|| self.inner.plan_joint_action(&tickets, &title, &steps))
    }

    /// Marks a step done (its department's staff, or a supervisor).
    pub fn mark_step_done(&self, joint_id: String, step: String, note: String) -> R<String> {
        guard(|| self.inner.mark_step_done(&joint_id, &step, &note))
    }

    /// One joint action with where each step stands now.
    pub fn joint_action(&self, id: String) -> R<JointDetail> {
        guard(|| self.inner.joint_action(&id))
    }

    /// The joint actions on this phone, most recently planned first.
    pub fn joint_actions(&self) -> R<Vec<JointRow>> {
        guard(|| self.inner.joint_actions())
    }
}
