//! Job and user task commands of [`EngineCore`].

use std::sync::Arc;
use std::time::Duration;

use super::{ActivateJobs, ActivatedJob, EngineCore, Origin, UserTask, Variables};
use crate::error::{EngineError, Result};
use crate::model::NodeIdx;
use crate::processing::behavior::catch_search::{self, Thrown};
use crate::processing::behavior::{events, incidents, variables};
use crate::processing::lifecycle::{Element, Failure};
use crate::processing::{Command, Machine, ad_hoc};
use crate::record::{AdHocResult, ErrorType, Intent, JobFailure, JobRecord, RecordValue};
use crate::state::JobState;

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn job_not_found(action: &str, key: i64) -> EngineError {
    EngineError::NotFound(format!("Expected to {action} job with key '{key}', but no such job was found"))
}

impl EngineCore {
    /// Activates up to `max_jobs` activatable jobs of the type, oldest first, locking them to
    /// the worker until `now + timeout`.
    pub fn activate_jobs(&mut self, request: &ActivateJobs) -> Result<Vec<ActivatedJob>> {
        if request.job_type.trim().is_empty() {
            return Err(EngineError::InvalidArgument("Expected to activate jobs with a type, but it was blank".into()));
        }
        if request.worker.trim().is_empty() {
            return Err(EngineError::InvalidArgument(
                "Expected to activate jobs with a worker name, but it was blank".into(),
            ));
        }
        if request.timeout.is_zero() {
            return Err(EngineError::InvalidArgument(
                "Expected to activate jobs with a timeout of at least 1 ms".into(),
            ));
        }
        if request.max_jobs == 0 {
            return Err(EngineError::InvalidArgument("Expected to activate at least one job (max_jobs > 0)".into()));
        }
        self.tick();
        let now = self.m.now;
        let Some(queue) = self.m.state.activatable.get(request.job_type.as_str()) else { return Ok(Vec::new()) };
        let candidates: Vec<i64> = queue.iter().take(request.max_jobs).copied().collect();
        let worker = self.worker_name(&request.worker);
        if !candidates.is_empty() {
            self.begin(Origin::Worker("ActivateJobs", worker.clone()));
        }
        let mut activated = Vec::with_capacity(candidates.len());
        for key in candidates {
            let Some(job) = self.m.state.jobs.get(&key).filter(|j| j.state == JobState::Activatable) else { continue };
            let record = JobRecord {
                worker: worker.clone(),
                deadline: now.saturating_add(millis(request.timeout)),
                ..job.record.clone()
            };
            let variables = match &request.fetch_variables {
                None => self.m.state.visible_variables(record.element_instance_key),
                Some(names) => names
                    .iter()
                    .filter_map(|n| {
                        self.m.state.variable(record.element_instance_key, n).map(|v| (n.clone(), v.clone()))
                    })
                    .collect(),
            };
            activated.push(ActivatedJob {
                key,
                template: record.template.clone(),
                retries: record.retries,
                deadline: record.deadline,
                worker: worker.clone(),
                element_instance_key: record.element_instance_key,
                process_instance_key: record.process_instance_key,
                variables,
            });
            self.m.write(key, Intent::JobActivated, RecordValue::Job(record));
        }
        self.m.flush()?;
        Ok(activated)
    }

    /// The worker name as a shared string, reusing the last one (workers poll with one name).
    fn worker_name(&mut self, name: &str) -> Arc<str> {
        if &*self.last_worker != name {
            self.last_worker = Arc::from(name);
        }
        self.last_worker.clone()
    }

    /// Looks up a job that may still be worked on (activatable or activated).
    fn workable_job(&self, key: i64, action: &str) -> Result<JobRecord> {
        let job = self.m.state.jobs.get(&key).ok_or_else(|| job_not_found(action, key))?;
        match job.state {
            JobState::Activatable | JobState::Activated => Ok(job.record.clone()),
            other => Err(EngineError::FailedPrecondition(format!(
                "Expected to {action} job with key '{key}', but it is in state '{}'",
                match other {
                    JobState::Failed => "FAILED",
                    JobState::ErrorThrown => "ERROR_THROWN",
                    _ => "BACKING_OFF",
                }
            ))),
        }
    }

    /// Completes a job: its variables flow into the process (Zeebe §3.3) and the task completes.
    /// The job of an ad-hoc sub-process completed this way activates nothing and leaves the
    /// sub-process running; use [`complete_ad_hoc_job`](Self::complete_ad_hoc_job) to decide.
    pub fn complete_job(&mut self, key: i64, document: Variables) -> Result<()> {
        self.complete_job_with(key, document, None)
    }

    /// Completes the job of an ad-hoc sub-process (its job-worker implementation) with the
    /// worker's decision: the inner elements to activate, each with variables of its own, and
    /// whether the sub-process is done. Refused without writing anything when the job is not an
    /// ad-hoc sub-process's, an element id is not activatable there, or a result both activates
    /// elements and reports the sub-process done.
    pub fn complete_ad_hoc_job(&mut self, key: i64, document: Variables, result: AdHocResult) -> Result<()> {
        self.complete_job_with(key, document, Some(result))
    }

    fn complete_job_with(&mut self, key: i64, document: Variables, result: Option<AdHocResult>) -> Result<()> {
        let record = self.workable_job(key, "complete")?;
        let element_key = record.element_instance_key;
        let activations = match &result {
            Some(result) => self.ad_hoc_activations(key, element_key, result)?,
            None => Vec::new(),
        };
        let record = JobRecord { ad_hoc_result: result.map(Arc::new), ..record };
        self.command(Origin::Worker("CompleteJob", record.worker.clone()), |m| {
            m.write(key, Intent::JobCompleted, RecordValue::Job(record));
            if let Some(element) = Element::load(m, element_key) {
                if !document.is_empty() {
                    variables::apply_payload(m, &element, &document, false);
                }
                if element.is_ad_hoc() {
                    ad_hoc::decided(m, &element, activations);
                } else {
                    m.enqueue(Command::Complete { key: element.key });
                }
            }
            Ok(())
        })
    }

    /// Checks an ad-hoc result against the job's element: the nodes to activate, with their
    /// variables.
    fn ad_hoc_activations(
        &self,
        key: i64,
        element_key: i64,
        result: &AdHocResult,
    ) -> Result<Vec<(NodeIdx, Variables)>> {
        let element = Element::load(&self.m, element_key).filter(Element::is_ad_hoc).ok_or_else(|| {
            EngineError::InvalidArgument(format!(
                "Expected to complete job with key '{key}' with an ad-hoc sub-process result, but its element is not an ad-hoc sub-process"
            ))
        })?;
        if result.completion_condition_fulfilled && !result.activate_elements.is_empty() {
            return Err(EngineError::InvalidArgument(format!(
                "Expected to complete job with key '{key}' either activating elements or fulfilling the completion condition, but the result does both"
            )));
        }
        let ids: Vec<String> = result.activate_elements.iter().map(|a| a.element_id.clone()).collect();
        let nodes = ad_hoc::resolve(&element, &ids).map_err(EngineError::NotFound)?;
        Ok(nodes.into_iter().zip(result.activate_elements.iter().map(|a| a.variables.clone())).collect())
    }

    /// Fails a job: with retries left it becomes activatable again (after `retry_back_off`);
    /// with none, an incident `JOB_NO_RETRIES` is raised. Variables are set locally on the task.
    pub fn fail_job(
        &mut self,
        key: i64,
        retries: i32,
        error_message: &str,
        retry_back_off: Duration,
        document: Variables,
    ) -> Result<()> {
        let record = self.workable_job(key, "fail")?;
        self.command(Origin::Worker("FailJob", record.worker.clone()), |m| {
            let recur_at = if retries > 0 && !retry_back_off.is_zero() {
                m.now.saturating_add(millis(retry_back_off))
            } else {
                -1
            };
            let failure = Some(Arc::new(JobFailure { message: error_message.to_string(), code: String::new() }));
            let record = JobRecord { retries, recur_at, deadline: -1, failure, ..record };
            let element_key = record.element_instance_key;
            m.write(key, Intent::JobFailed, RecordValue::Job(record));
            if let Some(element) = Element::load(m, element_key) {
                variables::merge_local(m, element.key, element.process_instance, &document);
                if retries <= 0 {
                    let message = if error_message.is_empty() {
                        "No more retries left.".to_string()
                    } else {
                        error_message.to_string()
                    };
                    incidents::raise(m, &element, Failure::new(ErrorType::JobNoRetries, message), key);
                }
            }
            Ok(())
        })
    }

    /// Throws a BPMN error for a job: the nearest matching catch event handles it, else an
    /// incident `UNHANDLED_ERROR_EVENT` is raised (resolving it makes the job activatable again).
    pub fn throw_error(&mut self, key: i64, error_code: &str, error_message: &str, document: Variables) -> Result<()> {
        let record = self.workable_job(key, "throw an error for")?;
        self.command(Origin::Worker("ThrowError", record.worker.clone()), |m| {
            let element_key = record.element_instance_key;
            let failure =
                Some(Arc::new(JobFailure { message: error_message.to_string(), code: error_code.to_string() }));
            let record = JobRecord { failure, deadline: -1, ..record };
            m.write(key, Intent::JobErrorThrown, RecordValue::Job(record));
            throw_job_error(m, element_key, key, error_code, error_message, document);
            Ok(())
        })
    }

    /// Sets a job's retries (must be positive).
    pub fn update_job_retries(&mut self, key: i64, retries: i32) -> Result<()> {
        if retries < 1 {
            return Err(EngineError::InvalidArgument(format!(
                "Expected retries to be greater than zero, but was '{retries}'"
            )));
        }
        let record = self
            .m
            .state
            .jobs
            .get(&key)
            .map(|j| j.record.clone())
            .ok_or_else(|| job_not_found("update retries of", key))?;
        self.command(Origin::Api("UpdateJobRetries"), |m| {
            m.write(key, Intent::JobRetriesUpdated, RecordValue::Job(JobRecord { retries, ..record }));
            Ok(())
        })
    }

    /// Moves an activated job's deadline to now + `timeout`.
    pub fn update_job_timeout(&mut self, key: i64, timeout: Duration) -> Result<()> {
        let job = self.m.state.jobs.get(&key).ok_or_else(|| job_not_found("update the timeout of", key))?;
        if job.state != JobState::Activated {
            return Err(EngineError::FailedPrecondition(format!(
                "Expected to update the timeout of job with key '{key}', but it is not activated"
            )));
        }
        let record = job.record.clone();
        self.command(Origin::Api("UpdateJobTimeout"), |m| {
            let deadline = m.now.saturating_add(millis(timeout));
            m.write(key, Intent::JobTimeoutUpdated, RecordValue::Job(JobRecord { deadline, ..record }));
            Ok(())
        })
    }

    /// Open Camunda user tasks, oldest first.
    pub fn user_tasks(&self) -> Vec<UserTask> {
        let mut all: Vec<UserTask> = self
            .m
            .state
            .user_tasks
            .iter()
            .map(|(k, t)| UserTask {
                key: *k,
                element_id: t.element_id.clone(),
                element_instance_key: t.element_instance_key,
                process_instance_key: t.process_instance_key,
                assignee: t.assignee.clone(),
                candidate_groups: t.candidate_groups.clone(),
                candidate_users: t.candidate_users.clone(),
            })
            .collect();
        all.sort_by_key(|t| t.key);
        all
    }

    /// Assigns a user task (claim).
    pub fn claim_user_task(&mut self, key: i64, assignee: &str) -> Result<()> {
        let task = self.m.state.user_tasks.get(&key).cloned().ok_or_else(|| user_task_not_found("assign", key))?;
        if assignee.trim().is_empty() {
            return Err(EngineError::InvalidArgument("Expected an assignee, but it was blank".into()));
        }
        self.command(Origin::Api("AssignUserTask"), |m| {
            let record = crate::record::UserTaskRecord { assignee: Arc::from(assignee), ..task };
            m.write(key, Intent::UserTaskAssigned, RecordValue::UserTask(Box::new(record)));
            Ok(())
        })
    }

    /// Completes a user task; its variables flow like job variables and the element completes.
    pub fn complete_user_task(&mut self, key: i64, document: Variables) -> Result<()> {
        let task = self.m.state.user_tasks.get(&key).cloned().ok_or_else(|| user_task_not_found("complete", key))?;
        self.command(Origin::Api("CompleteUserTask"), |m| {
            let element_key = task.element_instance_key;
            m.write(key, Intent::UserTaskCompleted, RecordValue::UserTask(Box::new(task)));
            if let Some(element) = Element::load(m, element_key) {
                variables::apply_payload(m, &element, &document, false);
                m.enqueue(Command::Complete { key: element.key });
            }
            Ok(())
        })
    }
}

fn user_task_not_found(action: &str, key: i64) -> EngineError {
    EngineError::NotFound(format!("Expected to {action} user task with key '{key}', but no such user task was found"))
}

/// Routes a job's BPMN error to its catch event, or raises `UNHANDLED_ERROR_EVENT`.
fn throw_job_error(m: &mut Machine, element_key: i64, job_key: i64, code: &str, message: &str, document: Variables) {
    let Some(element) = Element::load(m, element_key) else { return };
    match catch_search::find(m, element_key, Thrown::Error(code)) {
        Some(catcher) => {
            events::trigger(m, catcher.owner, catcher.catch, Arc::new(document), true);
        }
        None => {
            let text = format!(
                "Expected to throw an error event with the code '{code}' with message '{message}', but it was not caught. No error events are available in the scope."
            );
            incidents::raise(m, &element, Failure::new(ErrorType::UnhandledErrorEvent, text), job_key);
        }
    }
}
