//! Deployment (Zeebe §7): compile, version per process id, detect duplicates of the latest
//! version, move timer start events to the new version. Atomic over all resources.

use std::sync::Arc;

use bpmn::Definitions;

use super::{Deployment, EngineCore, ProcessMetadata};
use crate::error::{EngineError, Result};
use crate::model::checksum;
use crate::model::{ExecutableProcess, Trigger, compile_definitions};
use crate::record::{Intent, ProcessRecord, RecordValue, TimerRecord};

impl EngineCore {
    /// Deploys one model under a resource name.
    pub fn deploy_model(&mut self, resource_name: &str, definitions: &Definitions) -> Result<Deployment> {
        self.deploy_models(&[(resource_name, definitions)])
    }

    /// Deploys several models atomically: if any is invalid, nothing is deployed and the error
    /// lists every problem. Duplicate detection uses a checksum of the model's content.
    pub fn deploy_models(&mut self, resources: &[(&str, &Definitions)]) -> Result<Deployment> {
        let mut compiled = Vec::new();
        let mut errors = Vec::new();
        for (name, definitions) in resources {
            let resource = Resource { name, source: Source::Model(definitions) };
            let sum = checksum(format!("{definitions:?}").as_bytes());
            compile_into(&resource, definitions, sum, &mut compiled, &mut errors);
        }
        self.deploy_compiled(compiled, errors)
    }

    /// Deploys one BPMN XML resource.
    pub fn deploy_xml(&mut self, resource_name: &str, bytes: &[u8]) -> Result<Deployment> {
        self.deploy_resources(&[(resource_name, bytes)])
    }

    /// Deploys BPMN XML resources atomically (`DeployResource`). Duplicate detection uses a
    /// checksum of the bytes and the resource name, like Zeebe.
    pub fn deploy_resources(&mut self, resources: &[(&str, &[u8])]) -> Result<Deployment> {
        let mut compiled = Vec::new();
        let mut errors = Vec::new();
        for (name, bytes) in resources {
            match bpmn::read::read(bytes) {
                Ok(definitions) => {
                    let resource = Resource { name, source: Source::Xml(bytes) };
                    compile_into(&resource, &definitions, checksum(bytes), &mut compiled, &mut errors)
                }
                Err(e) => errors.push(format!("'{name}': {e}")),
            }
        }
        self.deploy_compiled(compiled, errors)
    }

    fn deploy_compiled(&mut self, compiled: Vec<(ExecutableProcess, u64)>, errors: Vec<String>) -> Result<Deployment> {
        if !errors.is_empty() {
            return Err(EngineError::InvalidArgument(errors.join("\n")));
        }
        self.command(super::Origin::Api("Deploy"), |m| {
            let deployment_key = m.key();
            let mut processes = Vec::new();
            for (mut process, sum) in compiled {
                let latest = m.state.latest.get(&process.bpmn_process_id).map(|&d| m.state.process(d).clone());
                if let Some(latest) = latest.filter(|l| l.checksum == sum && l.resource_name == process.resource_name) {
                    processes.push(metadata(&latest));
                    continue;
                }
                let version = m
                    .state
                    .processes
                    .iter()
                    .filter(|p| p.bpmn_process_id == process.bpmn_process_id)
                    .map(|p| p.version)
                    .max()
                    .unwrap_or(0)
                    + 1;
                process.key = m.key();
                process.version = version;
                process.checksum = sum;
                process.fill_job_templates();
                let process = Arc::new(process);
                processes.push(metadata(&process));
                cancel_start_timers(m, &process.bpmn_process_id);
                m.write(
                    process.key,
                    Intent::ProcessCreated,
                    RecordValue::Process(ProcessRecord { process: process.clone() }),
                );
                schedule_start_timers(m, &process);
            }
            Ok(Deployment { key: deployment_key, processes })
        })
    }
}

/// A resource being deployed: its name and where the bytes a stored record log keeps to
/// recompile it come from.
struct Resource<'a> {
    name: &'a str,
    source: Source<'a>,
}

/// The origin of a deployed resource.
enum Source<'a> {
    /// Deployed as BPMN XML: these bytes.
    Xml(&'a [u8]),
    /// Deployed as a model: its XML is written once it compiled.
    Model(&'a Definitions),
}

impl Resource<'_> {
    /// The bytes to keep, made only after compiling (so a refused resource costs nothing and the
    /// compiled processes' allocations come first).
    fn bytes(&self) -> Arc<[u8]> {
        match self.source {
            Source::Xml(bytes) => Arc::from(bytes),
            Source::Model(definitions) => Arc::from(bpmn::write::write(definitions).into_bytes()),
        }
    }
}

/// Validates and compiles one resource, collecting its processes or its errors: the workspace's
/// graph validation (structural mistakes such as missing start events, dangling flows, missing
/// conditions; its warnings do not block) and then the engine's own refusals (unsupported
/// elements, bad expressions and timers). `errors` may already hold other resources' errors.
fn compile_into(
    resource: &Resource<'_>,
    definitions: &Definitions,
    sum: u64,
    compiled: &mut Vec<(ExecutableProcess, u64)>,
    errors: &mut Vec<String>,
) {
    let name = resource.name;
    let problems: Vec<String> = bpmn::graph::validate(definitions, &bpmn::graph::ValidationOptions::default())
        .into_iter()
        .filter(bpmn::graph::Problem::is_error)
        .map(|p| format!("'{name}': {p}"))
        .collect();
    errors.extend(problems);
    match compile_definitions(definitions, name) {
        Ok(compiled_resource) if errors.is_empty() => {
            let bytes = resource.bytes();
            compiled.extend(
                compiled_resource
                    .processes
                    .into_iter()
                    .map(|process| (ExecutableProcess { resource: bytes.clone(), ..process }, sum)),
            )
        }
        Ok(_) => {}
        Err(mut e) => errors.append(&mut e),
    }
}

fn metadata(process: &ExecutableProcess) -> ProcessMetadata {
    ProcessMetadata {
        bpmn_process_id: process.bpmn_process_id.to_string(),
        version: process.version,
        process_definition_key: process.key,
        resource_name: process.resource_name.to_string(),
    }
}

/// Cancels the timer start events of earlier versions of the process.
fn cancel_start_timers(m: &mut crate::processing::Machine, bpmn_process_id: &str) {
    let old: Vec<(i64, TimerRecord)> = m
        .state
        .timers
        .iter()
        .filter(|(_, t)| t.element_instance_key < 0)
        .filter(|(_, t)| {
            m.state
                .process_by_key
                .get(&t.process_definition_key)
                .is_some_and(|&d| &*m.state.process(d).bpmn_process_id == bpmn_process_id)
        })
        .map(|(k, t)| (*k, t.clone()))
        .collect();
    for (key, timer) in old {
        m.write(key, Intent::TimerCanceled, RecordValue::Timer(timer));
    }
}

/// Schedules the timer start events of a new version.
fn schedule_start_timers(m: &mut crate::processing::Machine, process: &Arc<ExecutableProcess>) {
    for (start, trigger) in process.start_events() {
        let Trigger::Timer(spec) = trigger else { continue };
        let Ok(schedule) = spec.schedule(m.now, &crate::expression::NoVariables) else { continue };
        let record = TimerRecord::scheduled(schedule, process.node(start).id.clone(), start, process.key, -1, -1);
        let key = m.key();
        m.write(key, Intent::TimerCreated, RecordValue::Timer(record));
    }
}
