//! The commands that change the engine's state: deploy, start, complete a task, resolve an
//! incident, cancel. Each opens the engine on the store, runs one engine command (two for a
//! job incident: retries, then resolve) and closes it; each goes through the `serve` running on
//! the store instead, when one does ([`remote::change`]).

use std::path::PathBuf;

use engine::ProcessInstanceCreated;
use reqwest::Method;
use serde_json::json;

use super::Format;
use crate::cli::VarArgs;
use crate::deploy;
use crate::failure::{Failure, Result};
use crate::output::print_json;
use crate::output::say;
use crate::remote::{self, Remote};
use crate::start::start_instance;
use crate::store::StoreLocation;
use crate::vars;

/// `deploy`: compile and deploy; prints each process's id, version and key.
pub fn deploy(store: &StoreLocation, paths: &[PathBuf], format: Format) -> Result<()> {
    let models = deploy::load(paths)?;
    let deployment = remote::change(
        store,
        |serve| {
            let answer = serve.call(Method::POST, "/api/deployments", Some(&deploy::request(&models)?))?;
            serde_json::from_value::<Deployed>(answer.clone())
                .map_err(|e| Failure::Failed(format!("the serve's answer is no deployment ({e}): {answer}")))
        },
        || Ok(Deployed::from(deploy::deploy(&mut store.open_engine()?, &models)?)),
    )?;
    match format {
        Format::Json => {
            let processes: Vec<_> = deployment
                .processes
                .iter()
                .map(|p| {
                    json!({"bpmn_process_id": p.bpmn_process_id, "version": p.version,
                           "process_definition_key": p.process_definition_key, "resource_name": p.resource_name})
                })
                .collect();
            print_json(
                &json!({"deployment_key": deployment.deployment_key, "processes": processes, "warnings": models.warnings}),
            );
        }
        Format::Text => {
            for p in &deployment.processes {
                say!(
                    "deployed {} version {} (process definition key {}) from {}",
                    p.bpmn_process_id,
                    p.version,
                    p.process_definition_key,
                    p.resource_name
                );
            }
            for warning in &models.warnings {
                eprintln!("{warning}");
            }
        }
    }
    Ok(())
}

/// A deployment, made here or by the `serve` running on the store (as its API answers).
#[derive(serde::Deserialize)]
struct Deployed {
    deployment_key: i64,
    processes: Vec<DeployedProcess>,
}

/// One process a deployment holds.
#[derive(serde::Deserialize)]
struct DeployedProcess {
    bpmn_process_id: String,
    version: i32,
    process_definition_key: i64,
    resource_name: String,
}

impl From<engine::Deployment> for Deployed {
    fn from(deployment: engine::Deployment) -> Self {
        let processes = deployment
            .processes
            .into_iter()
            .map(|p| DeployedProcess {
                bpmn_process_id: p.bpmn_process_id,
                version: p.version,
                process_definition_key: p.process_definition_key,
                resource_name: p.resource_name,
            })
            .collect();
        Self { deployment_key: deployment.key, processes }
    }
}

/// `start`: prints the new instance's key.
pub fn start(store: &StoreLocation, process_id: &str, args: &VarArgs, format: Format) -> Result<()> {
    let variables = vars::collect(args)?;
    let created = remote::change(
        store,
        |serve| {
            let body = json!({ "workflow": process_id, "variables": variables });
            let answer = serve.call(Method::POST, "/api/workflows/execute", Some(&body))?;
            serde_json::from_value::<Started>(answer.clone())
                .map(Started::into_created)
                .map_err(|e| Failure::Failed(format!("the serve's answer is no started instance ({e}): {answer}")))
        },
        || start_instance(&mut store.open_engine()?, process_id, variables.clone()),
    )?;
    match format {
        Format::Json => print_json(&created_json(&created)),
        Format::Text => say!(
            "started {} version {}: process instance {}",
            created.bpmn_process_id,
            created.version,
            created.process_instance_key
        ),
    }
    Ok(())
}

/// A started instance as the API answers it.
#[derive(serde::Deserialize)]
struct Started {
    process_instance_key: i64,
    bpmn_process_id: String,
    version: i32,
    process_definition_key: i64,
}

impl Started {
    fn into_created(self) -> ProcessInstanceCreated {
        ProcessInstanceCreated {
            process_instance_key: self.process_instance_key,
            bpmn_process_id: self.bpmn_process_id,
            version: self.version,
            process_definition_key: self.process_definition_key,
        }
    }
}

/// The JSON of a started instance.
pub fn created_json(created: &ProcessInstanceCreated) -> serde_json::Value {
    json!({
        "process_instance_key": created.process_instance_key,
        "bpmn_process_id": created.bpmn_process_id,
        "version": created.version,
        "process_definition_key": created.process_definition_key,
    })
}

/// `tasks complete`: a Camunda user task, or a job-based user task, by key.
pub fn complete_task(store: &StoreLocation, key: i64, args: &VarArgs, format: Format) -> Result<()> {
    let variables = vars::collect(args)?;
    remote::change(
        store,
        |serve| {
            let body = json!({ "variables": variables });
            serve.call(Method::POST, &format!("/api/tasks/{key}/complete"), Some(&body)).map(drop)
        },
        || {
            let mut core = store.open_engine()?;
            let is_job_task =
                core.state().jobs.get(&key).is_some_and(|j| &**j.record.job_type() == engine::USER_TASK_JOB_TYPE);
            let next = "`orchestrator tasks` lists the open user tasks";
            if is_job_task {
                core.complete_job(key, variables.clone()).map_err(|e| Failure::engine(e, next))
            } else {
                core.complete_user_task(key, variables.clone()).map_err(|e| Failure::engine(e, next))
            }
        },
    )?;
    match format {
        Format::Json => print_json(&json!({"completed_user_task": key})),
        Format::Text => say!("completed user task {key}"),
    }
    Ok(())
}

/// `incidents resolve`: a job incident first gets `retries` (default 1) back.
pub fn resolve_incident(store: &StoreLocation, key: i64, retries: Option<i32>, format: Format) -> Result<()> {
    let (job_key, retries) = remote::change(
        store,
        |serve| resolve_through(serve, key, retries),
        || {
            let mut core = store.open_engine()?;
            let Some(incident) = core.incidents().into_iter().find(|i| i.key == key) else {
                return Err(Failure::Failed(format!("no open incident {key}: {NEXT_INCIDENT}")));
            };
            let job_key = Some(incident.job_key).filter(|k| *k > 0);
            let retries = retries_for(key, incident.error_type.name(), job_key, retries)?;
            if let (Some(job), Some(retries)) = (job_key, retries) {
                core.update_job_retries(job, retries).map_err(|e| Failure::engine(e, NEXT_INCIDENT))?;
            }
            core.resolve_incident(key).map_err(|e| Failure::engine(e, NEXT_INCIDENT))?;
            Ok((job_key, retries))
        },
    )?;
    match format {
        Format::Json => print_json(&json!({"resolved_incident": key, "job_key": job_key, "retries": retries})),
        Format::Text => match (job_key, retries) {
            (Some(job), Some(retries)) => say!(
                "resolved incident {key}: job {job} has {retries} retr{} and waits for a worker (`orchestrator run`)",
                if retries == 1 { "y" } else { "ies" }
            ),
            _ => say!("resolved incident {key}: the step ran again"),
        },
    }
    Ok(())
}

/// What to do about an unknown incident.
const NEXT_INCIDENT: &str = "`orchestrator incidents` lists the open incidents";

/// The retries a resolved incident's job gets (default 1), `None` for an incident not about a
/// job; `--retries` for such an incident, or below 1, is a usage failure.
fn retries_for(key: i64, error_type: &str, job_key: Option<i64>, retries: Option<i32>) -> Result<Option<i32>> {
    match (job_key, retries) {
        (Some(_), retries) => {
            let retries = retries.unwrap_or(1);
            if retries < 1 {
                return Err(Failure::Usage(format!("--retries {retries}: give the job at least 1 retry")));
            }
            Ok(Some(retries))
        }
        (None, Some(_)) => Err(Failure::Usage(format!(
            "incident {key} ({error_type}) is not about a job, so --retries does not apply; resolve it without --retries"
        ))),
        (None, None) => Ok(None),
    }
}

/// `incidents resolve` through `serve`: a job incident is retried, any other resolved.
fn resolve_through(serve: &Remote, key: i64, retries: Option<i32>) -> Result<(Option<i64>, Option<i32>)> {
    let open = serve.call(Method::GET, "/api/incidents", None)?;
    let incident = open["incidents"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["key"].as_i64() == Some(key)))
        .ok_or_else(|| Failure::Failed(format!("no open incident {key}: {NEXT_INCIDENT}")))?;
    let job_key = incident["job_key"].as_i64();
    let retries = retries_for(key, incident["error_type"].as_str().unwrap_or_default(), job_key, retries)?;
    match retries {
        Some(retries) => {
            let body = json!({ "retries": retries });
            serve.call(Method::POST, &format!("/api/incidents/{key}/retry"), Some(&body))?;
        }
        None => {
            serve.call(Method::POST, &format!("/api/incidents/{key}/resolve"), None)?;
        }
    }
    Ok((job_key, retries))
}

/// `cancel`: terminates the instance and the instances it called.
pub fn cancel(store: &StoreLocation, instance: i64, format: Format) -> Result<()> {
    remote::change(
        store,
        |serve| serve.call(Method::POST, &format!("/api/workflows/cancel/{instance}"), None).map(drop),
        || {
            store.open_engine()?.cancel_instance(instance).map_err(|e| match e {
                engine::EngineError::NotFound(_) => Failure::Failed(format!(
                    "no active process instance {instance}: `orchestrator status` lists the instances and their status"
                )),
                other => Failure::engine(other, "cancel the root instance"),
            })
        },
    )?;
    match format {
        Format::Json => print_json(&json!({"canceled_instance": instance, "process_instance_key": instance})),
        Format::Text => say!("canceled process instance {instance}"),
    }
    Ok(())
}
