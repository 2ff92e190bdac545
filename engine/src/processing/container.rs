//! Container processors: process, embedded sub-process, event sub-process, call activity and
//! the multi-instance body.

use serde_json::Value;

use super::behavior::{multi_instance, transitions, variables};
use super::lifecycle::{ChildFinished, Element, ElementProcessor, Failure};
use super::{Command, Machine, Trigger, driver};
use crate::model::{NodeKind, PROCESS_NODE};
use crate::record::{ErrorType, ProcessEventRecord};
use crate::state::Lifecycle;

/// Terminates every child of a scope; true when it had none.
pub(crate) fn terminate_children(m: &mut Machine, element: &Element) -> bool {
    let children = m.state.children(element.key);
    for &child in &children {
        m.enqueue(Command::Terminate { key: child });
    }
    children.is_empty()
}

/// Activates the scope's start event (the trigger's, else the none start event).
fn start_scope(m: &mut Machine, element: &Element, trigger: Option<Trigger>) -> Result<(), Failure> {
    driver::activated(m, element.key);
    let none_start = match &element.node().kind {
        NodeKind::Container(c) => c.none_start,
        _ => None,
    };
    let trigger = trigger.unwrap_or_default();
    let Some(start) = trigger.start.or(none_start) else {
        return Err(Failure::extract_value(format!(
            "Expected '{}' to have a none start event, but found none",
            element.node().id
        )));
    };
    let start_trigger = Trigger { variables: trigger.variables, start: None, local_only: trigger.local_only };
    transitions::activate_element(m, element.key, element.def, start, start_trigger);
    Ok(())
}

/// The process and embedded sub-processes.
pub(crate) struct ContainerProcessor;

impl ElementProcessor for ContainerProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, trigger: Option<Trigger>) -> Result<(), Failure> {
        start_scope(m, element, trigger)
    }

    fn on_complete(&self, m: &mut Machine, element: &Element) -> Result<(), Failure> {
        if element.node == PROCESS_NODE {
            hand_back_variables(m, element);
        }
        Ok(())
    }

    fn on_completed(&self, m: &mut Machine, element: &Element, _pending: Option<ProcessEventRecord>) {
        if element.node != PROCESS_NODE {
            transitions::take_outgoing_flows(m, element);
        }
    }

    fn on_terminate(&self, m: &mut Machine, element: &Element) -> bool {
        terminate_children(m, element)
    }
}

/// Before a process instance completes: hand its variables to the calling call activity (which
/// then completes), and keep them for a caller awaiting the result.
fn hand_back_variables(m: &mut Machine, element: &Element) {
    let Some(instance) = m.state.element(element.key) else { return };
    let parent = instance.parent_element_instance_key;
    let root: serde_json::Map<String, Value> =
        instance.variables.iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
    m.ended.0 += 1;
    if m.awaited.contains(&element.key) {
        m.finished.push((element.key, true, root.clone()));
    }
    let Some(call) = Element::load(m, parent) else { return };
    let NodeKind::CallActivity(spec) = &call.node().kind else { return };
    if !call.node().outputs.is_empty() {
        variables::merge_local(m, call.key, call.process_instance, &root);
    } else if spec.propagate_all_child {
        // Like Zeebe, from the call activity's flow scope: the child's variables pass over the
        // call activity's own (input-mapped) locals, which end with it.
        variables::merge_propagating(m, call.flow_scope, call.process_instance, &root);
    }
    // Runs after this instance's COMPLETED record: the queue is processed after this step.
    m.enqueue(Command::Complete { key: parent });
}

/// A process instance was terminated: a terminating call activity waiting for it finishes, and
/// a caller awaiting the result learns it.
pub(crate) fn process_terminated(m: &mut Machine, element: &Element, parent: i64) {
    m.ended.1 += 1;
    if m.awaited.contains(&element.key) {
        m.finished.push((element.key, false, serde_json::Map::new()));
    }
    if let Some(call) = Element::load(m, parent)
        && m.state.element(parent).is_some_and(|e| e.state == Lifecycle::Terminating)
    {
        driver::finish_termination(m, &call);
    }
}

/// Event sub-processes: begin at the triggered start event with the event's payload.
pub(crate) struct EventSubProcessProcessor;

impl ElementProcessor for EventSubProcessProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, trigger: Option<Trigger>) -> Result<(), Failure> {
        start_scope(m, element, trigger)
    }

    fn on_completed(&self, _m: &mut Machine, _element: &Element, _pending: Option<ProcessEventRecord>) {}

    fn on_terminate(&self, m: &mut Machine, element: &Element) -> bool {
        terminate_children(m, element)
    }
}

/// Call activities: start the latest version of the called process and wait for it.
pub(crate) struct CallActivityProcessor;

impl ElementProcessor for CallActivityProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let process = &element.process;
        let NodeKind::CallActivity(spec) = &process.node(element.node).kind else { return Ok(()) };
        let process_id = spec.process_id.evaluate_string(&m.view(element.key)).map_err(Failure::extract_value)?;
        let Some(&def) = m.state.latest.get(&process_id) else {
            return Err(Failure::new(
                ErrorType::CalledElementError,
                format!("Expected process with BPMN process id '{process_id}' to be deployed, but not found."),
            ));
        };
        if m.state.process(def).none_start().is_none() {
            return Err(Failure::new(
                ErrorType::CalledElementError,
                format!(
                    "Expected process with BPMN process id '{process_id}' to have a none start event, but not found."
                ),
            ));
        }
        let inherited = if spec.propagate_all_parent {
            m.state.visible_variables(element.key)
        } else {
            m.state
                .element(element.key)
                .map(|e| e.variables.iter().map(|(n, v)| (n.to_string(), v.clone())).collect())
                .unwrap_or_default()
        };
        driver::activated(m, element.key);
        let child = m.key();
        driver::write_activating(m, child, def, PROCESS_NODE, -1, -1, element.key, 0);
        variables::merge_local(m, child, child, &inherited);
        m.enqueue(Command::RunActivation { key: child, trigger: None });
        Ok(())
    }

    fn on_terminate(&self, m: &mut Machine, element: &Element) -> bool {
        match m.state.element(element.key).map(|e| e.called_instance()).filter(|k| *k > 0) {
            Some(child) => {
                m.enqueue(Command::Terminate { key: child });
                false
            }
            None => true,
        }
    }
}

/// The body of a multi-instance activity: creates the inner instances, collects their output and
/// completes when all are done or the completion condition holds.
pub(crate) struct MultiInstanceBodyProcessor;

impl ElementProcessor for MultiInstanceBodyProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let process = &element.process;
        let Some(spec) = process.node(element.node).multi_instance.as_deref() else { return Ok(()) };
        let items = multi_instance::items(m, element, spec)?;
        if let Some(collection) = &spec.output_collection {
            let empty = Value::Array(vec![Value::Null; items.len()]);
            variables::set_local(m, element.key, element.process_instance, collection.clone(), empty);
        }
        driver::activated(m, element.key);
        if items.is_empty() {
            m.enqueue(Command::Complete { key: element.key });
        } else if spec.sequential {
            let first = items.into_iter().next().unwrap_or(Value::Null);
            multi_instance::activate_inner(m, element, spec, 1, first);
        } else {
            for (i, item) in items.into_iter().enumerate() {
                multi_instance::activate_inner(m, element, spec, i as u32 + 1, item);
            }
        }
        Ok(())
    }

    fn on_complete(&self, m: &mut Machine, element: &Element) -> Result<(), Failure> {
        let Some(spec) = element.node().multi_instance.as_deref() else { return Ok(()) };
        if let Some(collection) = &spec.output_collection {
            variables::propagate_collection(m, element, collection);
        }
        Ok(())
    }

    fn on_terminate(&self, m: &mut Machine, element: &Element) -> bool {
        terminate_children(m, element)
    }

    fn on_child_finished(&self, m: &mut Machine, element: &Element, child: ChildFinished) {
        let Some(instance) = m.state.element(element.key) else { return };
        let (state, active) = (instance.state, instance.active_children);
        if state == Lifecycle::Terminating {
            if active == 0 {
                driver::finish_termination(m, element);
            }
            return;
        }
        if state != Lifecycle::Activated {
            return;
        }
        let process = &element.process;
        let Some(spec) = process.node(element.node).multi_instance.as_deref() else { return };
        let items = multi_instance::items(m, element, spec).unwrap_or_default();
        if child.completed {
            match multi_instance::completion_condition_met(m, element, spec, items.len()) {
                Err(failure) => {
                    super::behavior::incidents::raise(m, element, failure, -1);
                    return;
                }
                Ok(true) => {
                    if terminate_children(m, element) {
                        m.enqueue(Command::Complete { key: element.key });
                    }
                    return;
                }
                Ok(false) => {}
            }
            if spec.sequential {
                let next = child.loop_counter as usize + 1;
                match items.into_iter().nth(next - 1) {
                    Some(item) => multi_instance::activate_inner(m, element, spec, next as u32, item),
                    None => m.enqueue(Command::Complete { key: element.key }),
                }
                return;
            }
        }
        if active == 0 {
            m.enqueue(Command::Complete { key: element.key });
        }
    }
}
