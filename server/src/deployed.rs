//! A deployed process as the console reads it: the model parsed back from the deployed resource
//! (the engine keeps its bytes), its diagram, and what each task declares: job type, headers
//! (`stepId`, `persona`, `outputs`, ...), candidate groups and a literal multi-instance list.

use std::collections::BTreeMap;
use std::sync::Arc;

use bpmn::Definitions;
use bpmn::model::{FlowElement, FlowNode, FlowNodeKind, LoopCharacteristics};
use engine::Engine;
use engine::model::ExecutableProcess;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

/// One deployed process version with its model.
#[derive(Debug)]
pub struct DeployedModel {
    /// The BPMN process id.
    pub bpmn_process_id: String,
    /// The version.
    pub version: i32,
    /// The process definition key.
    pub process_definition_key: i64,
    definitions: Definitions,
}

/// What one task element declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskInfo {
    /// The element id.
    pub id: String,
    /// The element name, when it has one.
    pub name: Option<String>,
    /// The job type (`None` for a Camunda user task).
    pub job_type: Option<String>,
    /// True for a Camunda user task (a `human: true` step).
    pub user_task: bool,
    /// The static task headers.
    pub headers: BTreeMap<String, String>,
    /// The literal candidate groups (a comma list; empty for none or an expression).
    pub candidate_groups: Vec<String>,
    /// The literal items of a multi-instance input collection (`=["a", "b"]`), else empty.
    pub each_of: Vec<String>,
}

impl DeployedModel {
    /// The version with this process definition key, or 404.
    pub fn by_key(engine: &Engine, key: i64) -> ApiResult<Self> {
        let process = engine.with(|core| core.state().processes.iter().find(|p| p.key == key).cloned());
        let process = process.ok_or_else(|| {
            ApiError::not_found(format!("no deployed process with key {key}; GET /api/deployments lists them"))
        })?;
        Self::parse(&process)
    }

    /// The latest version of the workflow `bpmn_process_id`, or 404.
    pub fn latest(engine: &Engine, bpmn_process_id: &str) -> ApiResult<Self> {
        let process = engine.with(|core| {
            core.state()
                .processes
                .iter()
                .filter(|p| &*p.bpmn_process_id == bpmn_process_id)
                .max_by_key(|p| p.version)
                .cloned()
        });
        let process = process.ok_or_else(|| {
            ApiError::not_found(format!("no deployed workflow `{bpmn_process_id}`; GET /api/deployments lists them"))
        })?;
        Self::parse(&process)
    }

    fn parse(process: &Arc<ExecutableProcess>) -> ApiResult<Self> {
        let definitions = bpmn::read::read(&process.resource).map_err(|e| {
            ApiError::internal(format!(
                "the deployed resource {} of `{}` does not read back at {}:{}: {}",
                process.resource_name, process.bpmn_process_id, e.line, e.column, e.message
            ))
        })?;
        Ok(Self {
            bpmn_process_id: process.bpmn_process_id.to_string(),
            version: process.version,
            process_definition_key: process.key,
            definitions,
        })
    }

    /// The BPMN XML with a diagram: the deployed one, or one laid out now when it has none
    /// (compiled workflows are deployed without).
    pub fn diagram_xml(&self) -> String {
        let mut drawn = self.definitions.clone();
        bpmn::layout::layout(&mut drawn);
        bpmn::write::write(&drawn)
    }

    /// Every task of the process, nested ones too, in document order.
    pub fn tasks(&self) -> Vec<TaskInfo> {
        let mut out = Vec::new();
        if let Some(process) = self.definitions.process(&self.bpmn_process_id) {
            collect(&process.flow_elements, &mut out);
        }
        out
    }

    /// The task with this element id.
    pub fn task(&self, element_id: &str) -> Option<TaskInfo> {
        self.tasks().into_iter().find(|t| t.id == element_id)
    }
}

fn collect(elements: &[FlowElement], out: &mut Vec<TaskInfo>) {
    for element in elements {
        let FlowElement::Node(node) = element else { continue };
        match &node.kind {
            FlowNodeKind::Task(task) => out.push(task_info(node, task.activity.loop_characteristics.as_ref())),
            FlowNodeKind::SubProcess(sub) => collect(&sub.flow_elements, out),
            _ => {}
        }
    }
}

fn task_info(node: &FlowNode, looping: Option<&LoopCharacteristics>) -> TaskInfo {
    let extensions = node.common.extensions();
    let split = |text: &str| text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    let candidate_groups = extensions
        .assignment_definition()
        .and_then(|a| a.candidate_groups.as_deref())
        .filter(|groups| !groups.starts_with('='))
        .map(split)
        .unwrap_or_default();
    let each_of = match looping {
        Some(LoopCharacteristics::MultiInstance(multi)) => multi
            .extension_elements
            .as_ref()
            .and_then(|e| e.loop_characteristics())
            .and_then(|l| l.input_collection.as_deref())
            .and_then(|c| c.strip_prefix('='))
            .and_then(|list| serde_json::from_str::<Vec<String>>(list).ok())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    TaskInfo {
        id: node.common.id.clone(),
        name: node.common.name.clone(),
        job_type: extensions.task_definition().map(|t| t.job_type.clone()),
        user_task: extensions.user_task().is_some(),
        headers: extensions
            .task_headers()
            .map(|h| h.headers.iter().map(|h| (h.key.clone(), h.value.clone())).collect())
            .unwrap_or_default(),
        candidate_groups,
        each_of,
    }
}
