//! Job behaviour: create the job of a job-based element, cancel it when the element leaves.

use std::sync::{Arc, OnceLock};

use crate::model::{Assignment, JobSpec, Retries};
use crate::processing::Machine;
use crate::processing::lifecycle::{Element, Failure};
use crate::record::{Intent, JobRecord, JobTemplate, RecordValue};

/// The shared empty string (avoids an allocation per record).
pub(crate) fn empty() -> Arc<str> {
    static EMPTY: OnceLock<Arc<str>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::from("")).clone()
}

/// Creates the element's job: evaluates type, retries and (for job-based user tasks) the
/// assignment headers, then writes `JOB CREATED`.
pub(crate) fn create(m: &mut Machine, element: &Element, spec: &JobSpec) -> Result<(), Failure> {
    let view = m.view(element.key);
    let retries = match &spec.retries {
        Retries::Static(n) => *n,
        Retries::Expression(e) => match e.evaluate(&view).map_err(Failure::extract_value)? {
            serde_json::Value::Number(n) => n.as_f64().map_or(3, |n| n as i32),
            other => return Err(Failure::extract_value(e.type_error("NUMBER", &other))),
        },
    };
    let template = match &spec.template {
        Some(template) => template.clone(),
        None => Arc::new(JobTemplate {
            job_type: spec.job_type.evaluate_string(&view).map_err(Failure::extract_value)?,
            custom_headers: match &spec.assignment {
                Some(assignment) => user_task_headers(&spec.headers, assignment, &view)?,
                None => spec.headers.clone(),
            },
            element_id: element.node().id.clone(),
            bpmn_process_id: element.process.bpmn_process_id.clone(),
            process_definition_key: element.process.key,
        }),
    };
    let record = JobRecord {
        template,
        retries,
        worker: empty(),
        deadline: -1,
        recur_at: -1,
        failure: None,
        element_instance_key: element.key,
        process_instance_key: element.process_instance,
        ad_hoc_result: None,
    };
    let key = m.key();
    m.write(key, Intent::JobCreated, RecordValue::Job(record));
    Ok(())
}

/// Static headers plus Zeebe's `io.camunda.zeebe:*` assignment headers.
fn user_task_headers(
    headers: &Arc<[(String, String)]>,
    assignment: &Assignment,
    view: &dyn crate::expression::VariableLookup,
) -> Result<Arc<[(String, String)]>, Failure> {
    let mut all: Vec<(String, String)> = headers.to_vec();
    if let Some(assignee) = &assignment.assignee {
        all.push((
            "io.camunda.zeebe:assignee".into(),
            assignee.evaluate_string(view).map_err(Failure::extract_value)?.to_string(),
        ));
    }
    for (value, header) in [
        (&assignment.candidate_groups, "io.camunda.zeebe:candidateGroups"),
        (&assignment.candidate_users, "io.camunda.zeebe:candidateUsers"),
    ] {
        if let Some(value) = value {
            let list = super::user_tasks::evaluate_list(value, view)?;
            all.push((header.into(), serde_json::Value::from(list).to_string()));
        }
    }
    if let Some(form) = &assignment.form_key {
        all.push(("io.camunda.zeebe:formKey".into(), form.to_string()));
    }
    Ok(all.into())
}

/// Cancels the element's job, if it has one.
pub(crate) fn cancel(m: &mut Machine, element: &Element) {
    let Some(job_key) = m.state.element(element.key).map(|e| e.job_key).filter(|k| *k > 0) else { return };
    if let Some(job) = m.state.jobs.get(&job_key) {
        let record = job.record.clone();
        m.write(job_key, Intent::JobCanceled, RecordValue::Job(record));
    }
}
