//! Event processors: start, end, intermediate catch, intermediate throw and boundary events.

use std::sync::Arc;

use serde_json::Map;

use super::behavior::catch_search::{self, Thrown};
use super::behavior::{events, jobs, messages, transitions};
use super::lifecycle::{Element, ElementProcessor, Failure};
use super::{Machine, Trigger, driver};
use crate::model::{NodeKind, Throw, Trigger as ModelTrigger};
use crate::record::{ErrorType, ProcessEventRecord};

/// Start events: the payload (if any) is already applied; complete at once.
pub(crate) struct StartProcessor;

impl ElementProcessor for StartProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        transitions::complete_immediately(m, element);
        Ok(())
    }
}

/// Boundary events are only activated once triggered; complete at once.
pub(crate) struct BoundaryProcessor;

impl ElementProcessor for BoundaryProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        transitions::complete_immediately(m, element);
        Ok(())
    }
}

/// Intermediate catch events: open the timer, message or signal subscription and wait; a link
/// catch, or a catch event reached from an event-based gateway, is already triggered.
pub(crate) struct CatchProcessor;

impl ElementProcessor for CatchProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, trigger: Option<Trigger>) -> Result<(), Failure> {
        let process = &element.process;
        match &process.node(element.node).kind {
            NodeKind::Catch(ModelTrigger::Link(_)) => transitions::complete_immediately(m, element),
            _ if trigger.is_some() => transitions::complete_immediately(m, element),
            NodeKind::Catch(model_trigger) => {
                events::open(m, element, element.node, model_trigger)?;
                driver::activated(m, element.key);
            }
            _ => {}
        }
        Ok(())
    }
}

/// What a throw step leaves the thrower to do.
enum AfterThrow {
    /// Complete and continue.
    Continue,
    /// Wait (a message throw's job, or an interrupting catch that will terminate the thrower).
    Wait,
}

/// Performs the throw of an end or intermediate throw event.
fn throw(m: &mut Machine, element: &Element, throw: &Throw) -> Result<AfterThrow, Failure> {
    let view = m.view(element.key);
    match throw {
        Throw::None | Throw::Terminate | Throw::Link(_) => Ok(AfterThrow::Continue),
        Throw::Job(spec) => {
            jobs::create(m, element, spec)?;
            driver::activated(m, element.key);
            Ok(AfterThrow::Wait)
        }
        Throw::Signal(name) => {
            let name = name.evaluate_string(&view).map_err(Failure::extract_value)?;
            let locals: Map<String, serde_json::Value> = m
                .state
                .element(element.key)
                .map(|e| e.variables.iter().map(|(n, v)| (n.to_string(), v.clone())).collect())
                .unwrap_or_default();
            messages::broadcast_signal(m, name, Arc::new(locals));
            Ok(AfterThrow::Continue)
        }
        Throw::Error(code) => {
            let code = code.evaluate_string(&view).map_err(Failure::extract_value)?;
            match catch_search::find(m, element.key, Thrown::Error(&code)) {
                Some(catcher) => {
                    events::trigger(m, catcher.owner, catcher.catch, Arc::new(Map::new()), true);
                    Ok(AfterThrow::Wait)
                }
                None => Err(Failure::new(
                    ErrorType::UnhandledErrorEvent,
                    format!(
                        "Expected to throw an error event with the code '{code}', but it was not caught. No error events are available in the scope."
                    ),
                )),
            }
        }
        Throw::Escalation(code) => {
            let code = code.evaluate_string(&view).map_err(Failure::extract_value)?;
            match catch_search::find(m, element.key, Thrown::Escalation(&code)) {
                Some(catcher) => {
                    events::trigger(m, catcher.owner, catcher.catch, Arc::new(Map::new()), false);
                    Ok(if catcher.interrupting { AfterThrow::Wait } else { AfterThrow::Continue })
                }
                None => Ok(AfterThrow::Continue),
            }
        }
    }
}

fn throw_spec(element: &Element) -> &Throw {
    match &element.node().kind {
        NodeKind::End(t) | NodeKind::Throw(t) => t,
        _ => &Throw::None,
    }
}

fn activate_thrower(m: &mut Machine, element: &Element) -> Result<(), Failure> {
    let process = &element.process;
    let spec = match &process.node(element.node).kind {
        NodeKind::End(t) | NodeKind::Throw(t) => t,
        _ => &Throw::None,
    };
    if let AfterThrow::Continue = throw(m, element, spec)? {
        transitions::complete_immediately(m, element);
    }
    Ok(())
}

/// End events: none, terminate, error, escalation, signal, message (job).
pub(crate) struct EndProcessor;

impl ElementProcessor for EndProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        activate_thrower(m, element)
    }

    fn on_complete(&self, m: &mut Machine, element: &Element) -> Result<(), Failure> {
        if let Throw::Terminate = throw_spec(element) {
            for sibling in m.state.children(element.flow_scope) {
                if sibling != element.key {
                    m.enqueue(super::Command::Terminate { key: sibling });
                }
            }
        }
        Ok(())
    }

    fn on_completed(&self, _m: &mut Machine, _element: &Element, _pending: Option<ProcessEventRecord>) {}
}

/// Intermediate throw events: none, escalation, signal, link, message (job).
pub(crate) struct ThrowProcessor;

impl ElementProcessor for ThrowProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        activate_thrower(m, element)
    }

    fn on_completed(&self, m: &mut Machine, element: &Element, _pending: Option<ProcessEventRecord>) {
        match throw_spec(element) {
            Throw::Link(target) => {
                transitions::activate_element(m, element.flow_scope, element.def, *target, Trigger::default());
            }
            _ => transitions::take_outgoing_flows(m, element),
        }
    }
}
