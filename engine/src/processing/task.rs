//! Task processors: job-based tasks, FEEL script tasks, business rule tasks with a decision,
//! Camunda user tasks, receive tasks, and manual/undefined tasks.

use std::sync::Arc;

use serde_json::Map;

use super::behavior::{events, jobs, transitions, user_tasks, variables};
use super::lifecycle::{Element, ElementProcessor, Failure};
use super::{Machine, Trigger, driver};
use crate::model::NodeKind;
use crate::record::ErrorType;

/// Service, send, job-based script / business rule / user tasks: create a job and wait.
pub(crate) struct JobTaskProcessor;

impl ElementProcessor for JobTaskProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let process = &element.process;
        if let NodeKind::Job(spec) = &process.node(element.node).kind {
            jobs::create(m, element, spec)?;
        }
        driver::activated(m, element.key);
        Ok(())
    }
}

/// Script tasks with `zeebe:script`: evaluate the FEEL expression into the result variable.
pub(crate) struct ScriptProcessor;

impl ElementProcessor for ScriptProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let process = &element.process;
        if let NodeKind::Script { expression, result_variable } = &process.node(element.node).kind {
            let value = expression.evaluate(&m.view(element.key)).map_err(Failure::extract_value)?;
            let mut result = Map::new();
            result.insert(result_variable.to_string(), value);
            variables::apply_payload(m, element, &result, false);
        }
        transitions::complete_immediately(m, element);
        Ok(())
    }
}

/// Business rule tasks that call a decision: no DMN is deployable here, so the decision is
/// always missing and the task raises `CALLED_DECISION_ERROR`.
pub(crate) struct DecisionProcessor;

impl ElementProcessor for DecisionProcessor {
    fn on_activate(&self, _m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let id = match &element.node().kind {
            NodeKind::Decision { decision_id } => decision_id.clone(),
            _ => Arc::from(""),
        };
        Err(Failure::new(
            ErrorType::CalledDecisionError,
            format!("Expected to evaluate decision '{id}', but no decision found for id '{id}'"),
        ))
    }
}

/// Camunda user tasks (`zeebe:userTask`): create the task and wait for its completion.
pub(crate) struct UserTaskProcessor;

impl ElementProcessor for UserTaskProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let process = &element.process;
        if let NodeKind::UserTask(assignment) = &process.node(element.node).kind {
            user_tasks::create(m, element, assignment)?;
        }
        driver::activated(m, element.key);
        Ok(())
    }
}

/// Receive tasks: open the message subscription and wait.
pub(crate) struct ReceiveProcessor;

impl ElementProcessor for ReceiveProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        let process = &element.process;
        if let NodeKind::Receive(spec) = &process.node(element.node).kind {
            events::open_message(m, element, element.node, spec)?;
        }
        driver::activated(m, element.key);
        Ok(())
    }
}

/// Manual and undefined tasks: pass through.
pub(crate) struct PassThroughProcessor;

impl ElementProcessor for PassThroughProcessor {
    fn on_activate(&self, m: &mut Machine, element: &Element, _trigger: Option<Trigger>) -> Result<(), Failure> {
        transitions::complete_immediately(m, element);
        Ok(())
    }
}
