//! [`Summary`]: what `run --simulate` tells about its instance when it stops: the phases it went
//! through, who did which job, the approvals, the escalations and the SLA, folded from the
//! engine's history (so it also covers what an earlier run of the same instance did).

mod print;

use std::collections::{BTreeSet, HashMap};

use actions::{APPROVE, CONSULT, ESCALATE};
use engine::history::{ElementHistory, History, InstanceHistory, JobHistory, Status, VariableChange};
use serde::Serialize;
use serde_json::Value;

/// The summary of one instance and the instances it called.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The process instance key.
    pub instance: i64,
    /// Its BPMN process id.
    pub workflow: String,
    /// `active`, `completed` or `terminated`.
    pub status: &'static str,
    /// The seed of the simulated outputs.
    pub seed: u64,
    /// When it started, in engine time (epoch milliseconds).
    pub started_at_millis: i64,
    /// How long it ran in engine time, once it ended.
    pub duration_millis: Option<i64>,
    /// Its embedded sub-processes and call activities, and theirs, in the order they started.
    pub phases: Vec<Phase>,
    /// Every job, in the order they ended (open ones last).
    pub jobs: Vec<JobDone>,
    /// The votes of the `approve` jobs.
    pub approvals: Vec<Vote>,
    /// The `escalate` jobs.
    pub escalations: Vec<Escalation>,
    /// Whether an SLA was breached.
    pub sla: SlaStatus,
}

/// A sub-process or call activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// The element id (the step id of a `phase` or `execute-workflow`).
    pub element_id: String,
    /// `sub-process` or `call-activity`.
    pub kind: &'static str,
    /// The process a call activity called.
    pub calls: Option<String>,
    /// How many phases it is inside.
    pub depth: usize,
    /// When it started, in engine time.
    pub started_at_millis: i64,
    /// How long it took, once it ended.
    pub duration_millis: Option<i64>,
    /// `active`, `completed` or `terminated`.
    pub status: &'static str,
}

/// A job and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobDone {
    /// The job key.
    pub job: i64,
    /// When it ended (or, while open, its last step), in engine time.
    pub at_millis: i64,
    /// Who did it: the approver or consultant, the `persona` header, or whom an escalation
    /// went to.
    pub persona: Option<String>,
    /// The job type (the action).
    pub job_type: String,
    /// The step: the `stepId` header, an SLA's `scope`, else the element id.
    pub step: String,
    /// The BPMN process id of the instance it ran in.
    pub workflow: String,
    /// `completed`, `completed after N failures`, `error: …`, `incident: …`, `cancelled`, `open`.
    pub result: String,
}

/// One approver's vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vote {
    /// The `approve` job.
    pub job: i64,
    /// The step voted on.
    pub step: String,
    /// The approver.
    pub approver: Option<String>,
    /// The job's `approved`, when it completed with one.
    pub approved: Option<bool>,
    /// The job's `veto`, when it completed with one.
    pub veto: Option<bool>,
    /// The job's `reason`.
    pub reason: Option<String>,
}

/// An escalation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    /// The `escalate` job.
    pub job: i64,
    /// When it ended, in engine time.
    pub at_millis: i64,
    /// The `kind` header: `sla-breach`, `loop-limit`, `raci-timeout`.
    pub kind: Option<String>,
    /// The step or SLA scope.
    pub step: String,
    /// The `escalateTo` header.
    pub to: Option<String>,
    /// The `sla` header of an SLA breach.
    pub sla: Option<String>,
}

/// The SLA variables of the instances.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaStatus {
    /// Some `sla_breached` was true.
    pub breached: bool,
    /// Every `sla_breaches` entry, once.
    pub breaches: Vec<Value>,
}

impl Summary {
    /// The summary of instance `root` from the history, or `None` when the history does not
    /// know it.
    pub fn of(history: &History, root: i64, seed: u64) -> Option<Self> {
        let instance = history.instance(root)?;
        let tree = Tree::of(history, root);
        let mut jobs: Vec<(&JobHistory, JobDone)> = tree
            .instances
            .iter()
            .flat_map(|i| history.jobs(i.key).into_iter().map(|job| (job, tree.job_done(job, &i.bpmn_process_id))))
            .collect();
        jobs.sort_by_key(|(job, done)| (job.status == Status::Active, done.at_millis, job.key));
        let approvals = jobs.iter().filter(|(job, _)| job.job_type == APPROVE).map(|(job, _)| tree.vote(job)).collect();
        let escalations = jobs
            .iter()
            .filter(|(job, _)| job.job_type == ESCALATE)
            .map(|(job, done)| Escalation {
                job: job.key,
                at_millis: done.at_millis,
                kind: header(job, "kind"),
                step: done.step.clone(),
                to: header(job, "escalateTo"),
                sla: header(job, "sla"),
            })
            .collect();
        Some(Self {
            instance: root,
            workflow: instance.bpmn_process_id.clone(),
            status: instance.status.name(),
            seed,
            started_at_millis: instance.span.started.at_millis,
            duration_millis: instance.span.duration_millis(),
            phases: tree.phases(),
            jobs: jobs.into_iter().map(|(_, done)| done).collect(),
            approvals,
            escalations,
            sla: tree.sla(),
        })
    }
}

/// The instance and those it called, with their elements and variable writes.
struct Tree<'h> {
    instances: Vec<&'h InstanceHistory>,
    elements: HashMap<i64, &'h ElementHistory>,
    variables: Vec<&'h VariableChange>,
}

impl<'h> Tree<'h> {
    fn of(history: &'h History, root: i64) -> Self {
        let mut keys = BTreeSet::from([root]);
        // A called instance has a larger key than its caller, so one pass in key order finds all.
        let instances: Vec<&InstanceHistory> = history
            .instances()
            .filter(|i| {
                let inside = i.key == root || i.parent_instance_key.is_some_and(|p| keys.contains(&p));
                if inside {
                    keys.insert(i.key);
                }
                inside
            })
            .collect();
        let elements = instances.iter().flat_map(|i| history.elements(i.key)).map(|e| (e.key, e)).collect();
        let variables = instances.iter().flat_map(|i| history.variable_changes(i.key)).collect();
        Self { instances, elements, variables }
    }

    /// The sub-processes and call activities, in the order they started.
    fn phases(&self) -> Vec<Phase> {
        let mut phases: Vec<&ElementHistory> =
            self.elements.values().copied().filter(|e| phase_kind(e).is_some()).collect();
        phases.sort_by_key(|e| (e.span.started.position, e.key));
        phases
            .into_iter()
            .map(|e| Phase {
                element_id: e.element_id.clone(),
                kind: phase_kind(e).unwrap_or_default(),
                calls: self
                    .instances
                    .iter()
                    .find(|i| i.parent_element_instance_key == Some(e.key))
                    .map(|i| i.bpmn_process_id.clone()),
                depth: self.depth(e),
                started_at_millis: e.span.started.at_millis,
                duration_millis: e.span.duration_millis(),
                status: e.status.name(),
            })
            .collect()
    }

    /// How many phases enclose `element`, across call activities.
    fn depth(&self, element: &ElementHistory) -> usize {
        let mut depth = 0;
        let mut scope = element.flow_scope_key;
        while let Some(enclosing) = self.elements.get(&scope) {
            if enclosing.element_type == "PROCESS" {
                let caller = self.instances.iter().find(|i| i.key == enclosing.key);
                match caller.and_then(|i| i.parent_element_instance_key) {
                    Some(call) => scope = call,
                    None => break,
                }
            } else {
                depth += usize::from(phase_kind(enclosing).is_some());
                scope = enclosing.flow_scope_key;
            }
        }
        depth
    }

    fn job_done(&self, job: &JobHistory, workflow: &str) -> JobDone {
        let failures = job.events.iter().filter(|e| e.intent == "FAILED").count();
        let last = job.events.last();
        let message = last.and_then(|e| e.message.clone()).unwrap_or_default();
        let result = match job.state {
            "COMPLETED" if failures > 0 => format!("completed after {failures} failure(s)"),
            "COMPLETED" => "completed".to_owned(),
            "ERROR_THROWN" => format!("error: {message}"),
            "FAILED" if job.retries <= 0 => format!("incident: {message}"),
            "CANCELED" => "cancelled".to_owned(),
            _ => "open".to_owned(),
        };
        let persona = self
            .voter(job)
            .or_else(|| header(job, "persona"))
            .or_else(|| (job.job_type == ESCALATE).then(|| header(job, "escalateTo")).flatten());
        JobDone {
            job: job.key,
            at_millis: last.map_or(0, |e| e.change.at_millis),
            persona,
            job_type: job.job_type.clone(),
            step: step(job),
            workflow: workflow.to_owned(),
            result,
        }
    }

    /// The approver or consultant of an `approve` or `consult` job.
    fn voter(&self, job: &JobHistory) -> Option<String> {
        let name = match job.job_type.as_str() {
            APPROVE => "approver",
            CONSULT => "consultant",
            _ => return None,
        };
        self.job_variable(job, name).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
    }

    fn vote(&self, job: &JobHistory) -> Vote {
        Vote {
            job: job.key,
            step: step(job),
            approver: self.voter(job),
            approved: self.job_variable(job, "approved").and_then(Value::as_bool),
            veto: self.job_variable(job, "veto").and_then(Value::as_bool),
            reason: self.job_variable(job, "reason").and_then(|v| v.as_str().map(str::to_owned)),
        }
    }

    /// The last non-null value of `name` in the job's own scope (its inputs, and its outputs when
    /// the task keeps them local) or written by its completion (when they propagate).
    fn job_variable(&self, job: &JobHistory, name: &str) -> Option<&'h Value> {
        let completed_at = job.events.iter().find(|e| e.intent == "COMPLETED").map(|e| e.change.position);
        let ours = |v: &&&VariableChange| {
            v.name == name
                && !v.value.is_null()
                && v.process_instance_key == job.process_instance_key
                && (v.scope_key == job.element_instance_key || Some(v.change.position) == completed_at)
        };
        self.variables.iter().rfind(ours).map(|v| &v.value)
    }

    /// `sla_breached` and `sla_breaches` of every instance and scope.
    fn sla(&self) -> SlaStatus {
        let breached = self.variables.iter().any(|v| v.name == "sla_breached" && v.value == Value::Bool(true));
        let mut breaches: Vec<Value> = Vec::new();
        let entries = self.variables.iter().filter(|v| v.name == "sla_breaches").filter_map(|v| v.value.as_array());
        for entry in entries.flatten() {
            if !breaches.contains(entry) {
                breaches.push(entry.clone());
            }
        }
        SlaStatus { breached, breaches }
    }
}

/// `sub-process` or `call-activity` for a phase element, else `None`.
fn phase_kind(element: &ElementHistory) -> Option<&'static str> {
    match element.element_type {
        "SUB_PROCESS" => Some("sub-process"),
        "CALL_ACTIVITY" => Some("call-activity"),
        _ => None,
    }
}

fn header(job: &JobHistory, name: &str) -> Option<String> {
    job.custom_headers.get(name).cloned()
}

/// The step of a job: its `stepId` header, an SLA's `scope`, else its element id.
fn step(job: &JobHistory) -> String {
    header(job, "stepId").or_else(|| header(job, "scope")).unwrap_or_else(|| job.element_id.clone())
}

#[cfg(test)]
mod tests;
