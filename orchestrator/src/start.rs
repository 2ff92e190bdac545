//! Starting a process instance by its process id, for the commands that start one (`start`,
//! `run --start`): an unknown id is an error that names the deployed processes.

use engine::{EngineCore, ProcessInstanceCreated};

use crate::failure::{Failure, Result};

/// Starts the latest version of `process_id`; an unknown id names the deployed ones.
pub fn start_instance(
    core: &mut EngineCore,
    process_id: &str,
    variables: engine::Variables,
) -> Result<ProcessInstanceCreated> {
    core.create_instance(process_id, None, variables).map_err(|e| match e {
        engine::EngineError::NotFound(_) => {
            let mut deployed: Vec<String> = core.processes().into_iter().map(|p| p.bpmn_process_id).collect();
            deployed.dedup();
            let known = if deployed.is_empty() {
                "no process is deployed yet".to_owned()
            } else {
                format!("deployed: {}", deployed.join(", "))
            };
            Failure::Failed(format!(
                "no process '{process_id}' deployed ({known}): run `orchestrator deploy <file>` first"
            ))
        }
        other => Failure::engine(other, "check the process id"),
    })
}
