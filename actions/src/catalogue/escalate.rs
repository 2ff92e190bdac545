//! `escalate`: tell the escalation target that a step timed out, an SLA was breached or a loop
//! hit its limit.

use std::time::Duration;

use crate::spec::{ActionSpec, Effects};

/// The job type of an escalation: RACI time-out, SLA breach or loop limit.
pub const JOB_TYPE: &str = "escalate";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "escalate",
        job_type: JOB_TYPE,
        in_steps: false,
        summary: "Hands a late or stuck piece of work to the escalation persona (`raci.escalation`, `sla.escalate_to`, `while-loop escalate_to`).",
        fields: Vec::new(),
        outputs: Vec::new(),
        operations: Vec::new(),
        effects: Effects::None,
        timeout: Duration::from_secs(300),
        retries: 3,
    }
}

/// None: the escalation target (a person or a simulation) takes it.
#[cfg(feature = "run")]
pub(crate) use super::no_real_handler as handler;
