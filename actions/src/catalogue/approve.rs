//! `approve`: one accountable persona's vote on a step's work (RACI), from the compiled
//! multi-instance approval.

use std::time::Duration;

use crate::shape::Shape;
use crate::spec::{ActionSpec, Effects, Field};

/// The job type of an approval by one accountable persona.
pub const JOB_TYPE: &str = "approve";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "approve",
        job_type: JOB_TYPE,
        in_steps: false,
        summary: "One accountable persona approves or rejects a step's work; only approvers named in `veto` can veto. Compiled from `raci.accountable`.",
        fields: Vec::new(),
        outputs: vec![
            Field::optional("approved", Shape::Boolean, "The vote."),
            Field::optional("veto", Shape::Boolean, "A veto, which ends the approval at once."),
            Field::optional("reason", Shape::String, "Why."),
        ],
        operations: Vec::new(),
        effects: Effects::None,
        timeout: Duration::from_secs(3600),
        retries: 3,
    }
}

/// None: a person (the task list) or a simulation votes.
#[cfg(feature = "run")]
pub(crate) use super::no_real_handler as handler;
