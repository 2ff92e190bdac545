//! Building the job-based nodes every lowering uses: a service task with its type, headers and
//! variable mappings, and parallel multi-instance markers.

use bpmn::model::zeebe::{
    CalledElement, Header, IoMapping, Mapping, TaskDefinition, TaskHeaders, ZeebeLoopCharacteristics,
};
use bpmn::model::{
    Activity, CallActivity, Expression, ExtensionElement, ExtensionElements, FlowNode, FlowNodeKind,
    LoopCharacteristics, MultiInstance, Task, TaskKind,
};

use super::graph::node;

/// Everything a service task carries.
#[derive(Debug, Default)]
pub(super) struct JobSpec {
    /// The job type.
    pub job_type: String,
    /// Retries (3 when not given).
    pub retries: Option<u32>,
    /// Static headers, in order.
    pub headers: Vec<(String, String)>,
    /// Input mappings.
    pub inputs: Vec<Mapping>,
    /// Output mappings.
    pub outputs: Vec<Mapping>,
}

impl JobSpec {
    /// A job of `job_type` with these headers.
    pub fn new(job_type: &str, headers: &[(&str, &str)]) -> Self {
        Self {
            job_type: job_type.to_owned(),
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            ..Self::default()
        }
    }

    /// Adds an input mapping `target ← source`.
    pub fn input(mut self, source: &str, target: &str) -> Self {
        self.inputs.push(super::mapping(source, target));
        self
    }
}

/// The `zeebe:taskHeaders` of these key-value pairs, without the pairs whose key or value is
/// empty (the broker drops such a header with a warning, so the embedded engine must not see it
/// either; an absent header reads as an empty list or no value everywhere), or `None` when no
/// pair is left.
pub(super) fn task_headers(pairs: impl IntoIterator<Item = (String, String)>) -> Option<ExtensionElement> {
    let headers: Vec<Header> = pairs
        .into_iter()
        .filter(|(key, value)| !key.is_empty() && !value.is_empty())
        .map(|(key, value)| Header { key, value, ..Header::default() })
        .collect();
    (!headers.is_empty()).then(|| ExtensionElement::TaskHeaders(TaskHeaders { headers, ..TaskHeaders::default() }))
}

/// A service task `id` named `name` that raises jobs as `spec` says.
pub(super) fn service_node(id: &str, name: &str, documentation: Option<&str>, spec: JobSpec) -> FlowNode {
    let mut task = node(id, name, documentation, FlowNodeKind::Task(Task::new(TaskKind::Service)));
    let extensions = task.common.extensions_mut();
    extensions.set(ExtensionElement::TaskDefinition(TaskDefinition {
        job_type: spec.job_type,
        retries: Some(spec.retries.unwrap_or(3).to_string()),
        ..TaskDefinition::default()
    }));
    if let Some(headers) = task_headers(spec.headers) {
        extensions.set(headers);
    }
    if !spec.inputs.is_empty() || !spec.outputs.is_empty() {
        extensions.set(ExtensionElement::IoMapping(IoMapping {
            inputs: spec.inputs,
            outputs: spec.outputs,
            ..IoMapping::default()
        }));
    }
    task
}

/// A call activity `id` that starts `process_id` with only the variables its input mappings give
/// and takes back only what its output mappings take.
pub(super) fn call_node(
    id: &str,
    name: &str,
    documentation: Option<&str>,
    process_id: &str,
    inputs: Vec<Mapping>,
    outputs: Vec<Mapping>,
) -> FlowNode {
    let mut task = node(id, name, documentation, FlowNodeKind::CallActivity(CallActivity::default()));
    let extensions = task.common.extensions_mut();
    extensions.set(ExtensionElement::CalledElement(CalledElement {
        process_id: process_id.to_owned(),
        propagate_all_child_variables: Some(false),
        propagate_all_parent_variables: Some(false),
        ..CalledElement::default()
    }));
    extensions.set(ExtensionElement::IoMapping(IoMapping { inputs, outputs, ..IoMapping::default() }));
    task
}

/// How an activity repeats over a collection.
pub(super) struct Repetition<'a> {
    /// FEEL yielding the list.
    pub collection: String,
    /// The variable each instance sees its item under.
    pub element: &'a str,
    /// Where the results are collected, and the FEEL of each result.
    pub output: Option<(&'a str, String)>,
    /// When to stop early.
    pub completion: Option<String>,
    /// One after the other instead of all at once.
    pub sequential: bool,
}

/// The activity part of a multi-instance activity.
pub(super) fn multi_instance(repetition: Repetition<'_>) -> Activity {
    let (output_collection, output_element) = match repetition.output {
        Some((collection, element)) => (Some(collection.to_owned()), Some(element)),
        None => (None, None),
    };
    let zeebe = ZeebeLoopCharacteristics {
        input_collection: Some(repetition.collection),
        input_element: Some(repetition.element.to_owned()),
        output_collection,
        output_element,
        ..ZeebeLoopCharacteristics::default()
    };
    Activity {
        loop_characteristics: Some(LoopCharacteristics::MultiInstance(MultiInstance {
            is_sequential: Some(repetition.sequential),
            completion_condition: repetition.completion.map(Expression::formal),
            extension_elements: Some(ExtensionElements {
                items: vec![ExtensionElement::LoopCharacteristics(zeebe)],
                ..ExtensionElements::default()
            }),
            ..MultiInstance::default()
        })),
        ..Activity::default()
    }
}

/// Sets the activity part of a task or sub-process node.
pub(super) fn set_activity(node: &mut FlowNode, activity: Activity) {
    match &mut node.kind {
        FlowNodeKind::Task(task) => task.activity = activity,
        FlowNodeKind::SubProcess(sub) => sub.activity = activity,
        _ => {}
    }
}

/// A FEEL list literal of strings.
pub(super) fn feel_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| crate::template::feel_string(i)).collect();
    format!("[{}]", quoted.join(", "))
}
