//! `consult`: advice from one consulted persona before a step's work (RACI).

use std::time::Duration;

use crate::shape::Shape;
use crate::spec::{ActionSpec, Effects, Field};

/// The job type of asking one consulted persona for advice.
pub const JOB_TYPE: &str = "consult";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "consult",
        job_type: JOB_TYPE,
        in_steps: false,
        summary: "One consulted persona gives advice before the responsible one works. Compiled from `raci.consulted`.",
        fields: Vec::new(),
        outputs: vec![Field::optional("advice", Shape::String, "The advice.")],
        operations: Vec::new(),
        effects: Effects::None,
        timeout: Duration::from_secs(3600),
        retries: 3,
    }
}

/// None: a person (the task list) or a simulation advises.
#[cfg(feature = "run")]
pub(crate) use super::no_real_handler as handler;
