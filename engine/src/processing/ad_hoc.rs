//! The ad-hoc sub-process (Camunda 8.7+/8.8, `AdHocSubProcessProcessor`): on entry it activates
//! the inner elements that `activeElementsCollection` names, or creates one job whose worker
//! names them (the job-worker implementation). Each activation runs in an inner instance of its
//! own (`AD_HOC_SUB_PROCESS_INNER_INSTANCE`, element id `<id>#innerInstance`, as on Zeebe
//! 8.8.21) holding the activation's variables and, when `outputElement` is a plain variable,
//! that variable as `null`, so what is collected stays local; anything else propagates as
//! usual, up to the process when no scope holds it (Zeebe does the same). When
//! an inner flow ends, its `outputElement` joins the `outputCollection`, and the sub-process
//! completes when the completion condition holds (cancelling or awaiting the rest) or, without
//! one, when nothing inside runs any more. In the job-worker implementation every finished
//! inner flow replaces the job, so the worker decides again with the new results.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::behavior::{incidents, jobs, transitions, variables};
use super::container::terminate_children;
use super::lifecycle::{ChildFinished, Element, ElementProcessor, Failure};
use super::{Command, Machine, Trigger, driver};
use crate::model::{AdHoc, ElementType, NodeIdx, NodeKind};
use crate::record::{ElementRecord, Intent, ProcessEventRecord, RecordValue};
use crate::state::Lifecycle;

/// The variable that lists the activatable elements for the worker that chooses.
pub(crate) const ELEMENTS_VARIABLE: &str = "adHocSubProcessElements";

fn spec(element: &Element) -> Option<&AdHoc> {
    match &element.node().kind {
        NodeKind::AdHoc(spec) => Some(spec),
        _ => None,
    }
}

/// The activatable inner elements with the given ids, or a message naming the unknown ones.
pub(crate) fn resolve(element: &Element, ids: &[String]) -> Result<Vec<NodeIdx>, String> {
    let Some(spec) = spec(element) else { return Err(format!("'{}' is not an ad-hoc sub-process", element.node().id)) };
    let process = &element.process;
    let mut nodes = Vec::with_capacity(ids.len());
    let mut unknown = Vec::new();
    for id in ids {
        match spec.activatable.iter().find(|&&n| &*process.node(n).id == id.as_str()) {
            Some(&node) => nodes.push(node),
            None => unknown.push(format!("'{id}'")),
        }
    }
    if unknown.is_empty() {
        Ok(nodes)
    } else {
        Err(format!(
            "Failed to activate ad-hoc elements. No BPMN elements found with ids: {}. Activatable in '{}': {}",
            unknown.join(", "),
            element.node().id,
            spec.activatable.iter().map(|&n| format!("'{}'", process.node(n).id)).collect::<Vec<_>>().join(", ")
        ))
    }
}

/// Starts one activation of `node` inside the ad-hoc sub-process instance `ad_hoc`, with
/// `variables` created in the activation's own scope.
pub(crate) fn activate(m: &mut Machine, ad_hoc: &Element, node: NodeIdx, variables: Map<String, Value>) {
    let key = m.key();
    let record = ElementRecord {
        element_id: crate::model::ad_hoc_inner_instance_id(&ad_hoc.node().id),
        element: ad_hoc.node,
        element_type: ElementType::AdHocSubProcessInnerInstance,
        process_instance_key: ad_hoc.process_instance,
        process_definition_key: ad_hoc.process.key,
        flow_scope_key: ad_hoc.key,
        parent_element_instance_key: -1,
        loop_counter: 0,
    };
    m.write(key, Intent::ElementActivating, RecordValue::Element(record));
    let mut variables = variables;
    if let Some(name) = spec(ad_hoc).and_then(|s| s.output_element.as_ref()).and_then(|e| e.as_variable_name()) {
        variables.entry(name.to_owned()).or_insert(Value::Null);
    }
    let trigger = Trigger { variables: Some(Arc::new(variables)), start: Some(node), local_only: true };
    m.enqueue(Command::RunActivation { key, trigger: Some(trigger) });
}

/// A worker completed the sub-process's job: start the activations it chose, or, when it
/// reported the sub-process done, finish it (cancelling what runs, or once it has ended).
/// A result that activates nothing and is not done leaves the sub-process running without a
/// job until something inside ends, as on Zeebe.
pub(crate) fn decided(m: &mut Machine, element: &Element, activations: Vec<(NodeIdx, Map<String, Value>)>) {
    for (node, variables) in activations {
        activate(m, element, node, variables);
    }
    let Some(instance) = m.state.element(element.key) else { return };
    match (instance.ad_hoc_done(), instance.active_children) {
        (Some(true), active) if active > 0 => {
            terminate_children(m, element);
        }
        (Some(_), 0) => m.enqueue(Command::Complete { key: element.key }),
        _ => {}
    }
}

/// The ids that `activeElementsCollection` yields: none for `null`, else a list of strings.
fn active_element_ids(m: &Machine, element: &Element, spec: &AdHoc) -> Result<Vec<String>, Failure> {
    let Some(expression) = &spec.active_elements else { return Ok(Vec::new()) };
    match expression.evaluate(&m.view(element.key)).map_err(Failure::extract_value)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            Ok(items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        }
        other => Err(Failure::extract_value(format!(
            "Failed to activate ad-hoc elements. {}",
            expression.type_error("a list of element ids (strings)", &other)
        ))),
    }
}

/// The ad-hoc sub-process itself.
pub(crate) struct AdHocProcessor;

impl ElementProcessor for AdHocProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let Some(spec) = spec(element) else { return Ok(()) };
        let (key, instance) = (element.key, element.process_instance);
        variables::set_local(m, key, instance, Arc::from(ELEMENTS_VARIABLE), spec.elements.clone());
        if let Some(collection) = &spec.output_collection {
            variables::set_local(m, key, instance, collection.clone(), Value::Array(Vec::new()));
        }
        if let Some(job) = &spec.job {
            jobs::create(m, element, job)?;
            driver::activated(m, key);
            return Ok(());
        }
        let ids = active_element_ids(m, element, spec)?;
        let nodes = resolve(element, &ids).map_err(Failure::extract_value)?;
        driver::activated(m, key);
        for node in nodes {
            activate(m, element, node, Map::new());
        }
        Ok(())
    }

    fn on_complete(&self, m: &mut Machine, element: &Element) -> Result<(), Failure> {
        jobs::cancel(m, element);
        if let Some(collection) = spec(element).and_then(|s| s.output_collection.as_ref()) {
            variables::propagate_collection(m, element, collection);
        }
        Ok(())
    }

    fn on_terminate(&self, m: &mut Machine, element: &Element) -> bool {
        terminate_children(m, element)
    }

    fn on_child_finished(&self, m: &mut Machine, element: &Element, child: ChildFinished) {
        let Some(instance) = m.state.element(element.key) else { return };
        let (state, active, done) = (instance.state, instance.active_children, instance.ad_hoc_done());
        if state != Lifecycle::Activated || instance.interrupted || instance.event_trigger().is_some() {
            // Terminating, or an interrupting event sub-process takes over: the plain scope rules.
            transitions::complete_scope_when_empty(m, element);
            return;
        }
        let Some(spec) = spec(element) else { return };
        let finish = match (&spec.job, &spec.completion_condition) {
            (Some(_), _) => done,
            (None, None) => Some(false),
            (None, Some(condition)) => {
                match condition.evaluate_bool(&m.view(element.key)).map_err(Failure::extract_value) {
                    Ok(true) => Some(spec.cancel_remaining),
                    Ok(false) => None,
                    Err(failure) => {
                        incidents::raise(m, element, failure, -1);
                        return;
                    }
                }
            }
        };
        match finish {
            Some(true) if active > 0 => {
                terminate_children(m, element);
            }
            Some(_) if active == 0 => m.enqueue(Command::Complete { key: element.key }),
            Some(_) => {}
            None => {
                if let Some(job) = &spec.job
                    && child.completed
                {
                    jobs::cancel(m, element);
                    if let Err(failure) = jobs::create(m, element, job) {
                        incidents::raise(m, element, failure, -1);
                    }
                }
            }
        }
    }
}

/// One activation inside an ad-hoc sub-process: runs its element, then hands the
/// `outputElement` to the sub-process's `outputCollection`.
pub(crate) struct AdHocInnerProcessor;

impl ElementProcessor for AdHocInnerProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, trigger: Option<Trigger>) -> Result<(), Failure> {
        driver::activated(m, element.key);
        if let Some(node) = trigger.and_then(|t| t.start) {
            transitions::activate_element(m, element.key, element.def, node, Trigger::default());
        }
        Ok(())
    }

    fn on_complete(&self, m: &mut Machine, element: &Element) -> Result<(), Failure> {
        let Some(spec) = spec(element) else { return Ok(()) };
        let (Some(collection), Some(output)) = (&spec.output_collection, &spec.output_element) else { return Ok(()) };
        let value = output.evaluate(&m.view(element.key)).map_err(Failure::extract_value)?;
        let mut list = match m.state.local_variable(element.flow_scope, collection) {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        list.push(value);
        variables::set_local(m, element.flow_scope, element.process_instance, collection.clone(), Value::Array(list));
        Ok(())
    }

    fn on_completed(&self, _m: &mut Machine, _element: &Element, _pending: Option<ProcessEventRecord>) {}

    fn on_terminate(&self, m: &mut Machine, element: &Element) -> bool {
        terminate_children(m, element)
    }
}
