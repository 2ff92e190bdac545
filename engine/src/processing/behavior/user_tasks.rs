//! Camunda user task behaviour (`zeebe:userTask`): create the task with its evaluated
//! assignment, cancel it when the element leaves.

use std::sync::Arc;

use serde_json::Value;

use crate::expression::{ValueOrExpression, VariableLookup};
use crate::model::Assignment;
use crate::processing::Machine;
use crate::processing::lifecycle::{Element, Failure};
use crate::record::{Intent, RecordValue, UserTaskRecord};

/// Evaluates a candidate list: a comma-separated literal or an expression giving a list or a
/// comma-separated string.
pub(crate) fn evaluate_list(value: &ValueOrExpression, view: &dyn VariableLookup) -> Result<Vec<String>, Failure> {
    let split = |s: &str| s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    match value {
        ValueOrExpression::Static(s) => Ok(split(s)),
        ValueOrExpression::Expression(e) => match e.evaluate(view).map_err(Failure::extract_value)? {
            Value::Array(items) => {
                Ok(items.into_iter().map(|i| i.as_str().map_or_else(|| i.to_string(), String::from)).collect())
            }
            Value::String(s) => Ok(split(&s)),
            other => Err(Failure::extract_value(e.type_error("ARRAY", &other))),
        },
    }
}

/// Writes `USER_TASK CREATED` for the element.
pub(crate) fn create(m: &mut Machine, element: &Element, assignment: &Assignment) -> Result<(), Failure> {
    let view = m.view(element.key);
    let assignee = match &assignment.assignee {
        Some(a) => a.evaluate_string(&view).map_err(Failure::extract_value)?,
        None => super::jobs::empty(),
    };
    let groups = match &assignment.candidate_groups {
        Some(v) => evaluate_list(v, &view)?,
        None => Vec::new(),
    };
    let users = match &assignment.candidate_users {
        Some(v) => evaluate_list(v, &view)?,
        None => Vec::new(),
    };
    let record = UserTaskRecord {
        element_id: element.node().id.clone(),
        element_instance_key: element.key,
        process_instance_key: element.process_instance,
        assignee,
        candidate_groups: Arc::from(groups),
        candidate_users: Arc::from(users),
    };
    let key = m.key();
    m.write(key, Intent::UserTaskCreated, RecordValue::UserTask(Box::new(record)));
    Ok(())
}

/// Cancels the element's user task, if it has one.
pub(crate) fn cancel(m: &mut Machine, element: &Element) {
    if m.state.user_tasks.is_empty() {
        return;
    }
    let open: Vec<(i64, UserTaskRecord)> = m
        .state
        .user_tasks
        .iter()
        .filter(|(_, t)| t.element_instance_key == element.key)
        .map(|(k, t)| (*k, t.clone()))
        .collect();
    for (key, record) in open {
        m.write(key, Intent::UserTaskCanceled, RecordValue::UserTask(Box::new(record)));
    }
}
