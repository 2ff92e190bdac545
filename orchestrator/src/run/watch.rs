//! [`Watch`]: what `run` observes of the engine every moment (counts for the progress line) and
//! whether its stop condition holds.

use std::collections::BTreeSet;

use engine::EngineCore;
use engine::model::ElementType;
use engine::state::{Job, JobState, State};
use serde::Serialize;

/// When `run` stops by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Only on Ctrl-C.
    Stopped,
    /// When no handled job is open and no timer is due.
    Idle,
    /// When this instance has ended or cannot go on without outside help.
    Done(i64),
}

/// Why `run` stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C.
    Interrupted,
    /// Nothing left for the handlers or the timers to do now.
    Idle,
    /// The awaited instance completed.
    Completed(i64),
    /// The awaited instance was terminated.
    Terminated(i64),
    /// The awaited instance cannot go on by itself; the text says why and what to do.
    Stuck(i64, String),
}

impl Stop {
    /// The stable name of the reason, for JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Stop::Interrupted => "interrupted",
            Stop::Idle => "idle",
            Stop::Completed(_) => "completed",
            Stop::Terminated(_) => "terminated",
            Stop::Stuck(..) => "stuck",
        }
    }

    /// The reason in words, with what to do next where something is.
    pub fn describe(&self) -> String {
        match self {
            Stop::Interrupted => "interrupted (Ctrl-C); every job in flight was reported".into(),
            Stop::Idle => "idle: no job waits for a handler and no timer is due".into(),
            Stop::Completed(key) => format!("process instance {key} completed; `orchestrator history {key}` shows how"),
            Stop::Terminated(key) => format!("process instance {key} was terminated"),
            Stop::Stuck(key, why) => format!("process instance {key} {why}"),
        }
    }

    /// True when the stop means the command failed (exit code 1).
    pub fn failed(&self) -> bool {
        matches!(self, Stop::Terminated(_) | Stop::Stuck(..))
    }
}

/// The numbers of the progress line now (the jobs the caller counts): the instances the engine
/// ended since it was opened, however short they ran.
pub fn counts(core: &EngineCore) -> Counts {
    let (completed, terminated) = core.instances_ended();
    Counts {
        instances_active: core.state().elements.values().filter(|e| e.element_type == ElementType::Process).count(),
        instances_completed: completed,
        instances_terminated: terminated,
        jobs_done: 0,
        incidents_open: core.state().incidents.len(),
    }
}

/// The numbers on the progress line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Process instances running now.
    pub instances_active: usize,
    /// Process instances (called ones included) that completed since `run` opened the engine.
    pub instances_completed: u64,
    /// Process instances (called ones included) that were terminated since `run` opened the
    /// engine.
    pub instances_terminated: u64,
    /// Jobs the handlers finished (completed, failed or threw an error).
    pub jobs_done: u64,
    /// Open incidents.
    pub incidents_open: usize,
}

impl Counts {
    /// The progress line.
    pub fn line(&self) -> String {
        format!(
            "instances: {} active, {} completed, {} terminated | jobs done: {} | open incidents: {}",
            self.instances_active,
            self.instances_completed,
            self.instances_terminated,
            self.jobs_done,
            self.incidents_open
        )
    }
}

/// Follows the process instances across observations.
pub struct Watch {
    until: Until,
    job_types: Vec<String>,
    /// True once the engine was asked to report the end of the instance `until` waits for.
    following: bool,
    target_end: Option<Stop>,
}

impl Watch {
    /// A watch for the stop condition `until`, with the job types the handlers serve.
    pub fn new(until: Until, job_types: &[&str]) -> Self {
        Self {
            until,
            job_types: job_types.iter().map(|t| (*t).to_owned()).collect(),
            following: false,
            target_end: None,
        }
    }

    /// Looks at the engine: counts instances and returns the counts and, when the condition
    /// holds, why to stop. The first look at a running awaited instance asks the engine to
    /// report its end, so an end between two looks is not missed.
    pub fn observe(&mut self, core: &mut EngineCore) -> (Counts, Option<Stop>) {
        if let Until::Done(key) = self.until {
            if !self.following && core.is_active(key) {
                core.await_result(key);
                self.following = true;
            }
            if self.following && core.has_finished(key) {
                let completed = core.take_result(key).is_some();
                self.target_end = Some(if completed { Stop::Completed(key) } else { Stop::Terminated(key) });
                self.following = false;
            }
        }
        let stop = self.stop(core);
        (counts(core), stop)
    }

    fn stop(&self, core: &EngineCore) -> Option<Stop> {
        let state = core.state();
        let now = core.now_millis();
        match self.until {
            Until::Stopped => None,
            Until::Idle => {
                let timer_due = state.timer_due.first().is_some_and(|(due, _)| *due <= now);
                (!self.handled_work(state, |_| true) && !timer_due).then_some(Stop::Idle)
            }
            Until::Done(key) => {
                self.target_end.clone().or_else(|| stuck(state, key, |pik| self.handled_work(state, |k| k == pik)))
            }
        }
    }

    /// True when a job of a handled type is open (waiting, running, or backing off) in an
    /// instance `belongs` accepts.
    fn handled_work(&self, state: &State, belongs: impl Fn(i64) -> bool) -> bool {
        state.jobs.values().any(|job| {
            matches!(job.state, JobState::Activatable | JobState::Activated | JobState::BackingOff)
                && self.handles(job)
                && belongs(job.record.process_instance_key)
        })
    }

    /// True when a job of a handled type waits for a handler or runs now (one backing off waits
    /// for time instead).
    pub fn jobs_moving(&self, state: &State) -> bool {
        state
            .jobs
            .values()
            .any(|job| matches!(job.state, JobState::Activatable | JobState::Activated) && self.handles(job))
    }

    fn handles(&self, job: &Job) -> bool {
        self.job_types.iter().any(|t| **t == **job.record.job_type())
    }
}

/// Why the running instance `key` (with the instances it called) cannot go on by itself: an
/// open incident, or no handled job and no timer pending.
fn stuck(state: &State, key: i64, has_work: impl Fn(i64) -> bool) -> Option<Stop> {
    state.element(key)?;
    let tree = instance_tree(state, key);
    if let Some(incident) = state.incidents.values().find(|i| tree.contains(&i.process_instance_key)) {
        return Some(Stop::Stuck(
            key,
            format!(
                "has an incident at {}: {}; resolve it (`orchestrator incidents`), then run again",
                incident.element_id, incident.error_message
            ),
        ));
    }
    if tree.iter().any(|k| has_work(*k)) || state.timers.values().any(|t| tree.contains(&t.process_instance_key)) {
        return None;
    }
    let waiting: Vec<String> = state
        .elements
        .iter()
        .filter(|(_, e)| tree.contains(&e.process_instance_key) && e.element_type != ElementType::Process)
        .filter(|(_, e)| {
            !matches!(
                e.element_type,
                ElementType::SubProcess | ElementType::CallActivity | ElementType::MultiInstanceBody
            )
        })
        .map(|(_, e)| state.process(e.def).node(e.element).id.to_string())
        .collect();
    Some(Stop::Stuck(
        key,
        format!(
            "waits for outside help at {}: complete its user tasks (`orchestrator tasks`), publish its message, or run a worker for its job type",
            if waiting.is_empty() { "(no element)".to_owned() } else { waiting.join(", ") }
        ),
    ))
}

/// The instance and every instance it called, directly or not.
fn instance_tree(state: &State, root: i64) -> BTreeSet<i64> {
    let mut tree = BTreeSet::from([root]);
    loop {
        let called: Vec<i64> = state
            .elements
            .iter()
            .filter(|(k, e)| {
                e.element_type == ElementType::Process
                    && !tree.contains(k)
                    && state
                        .element(e.parent_element_instance_key)
                        .is_some_and(|p| tree.contains(&p.process_instance_key))
            })
            .map(|(k, _)| *k)
            .collect();
        if called.is_empty() {
            return tree;
        }
        tree.extend(called);
    }
}

#[cfg(test)]
mod tests {
    use engine::testing::ProcessTest;
    use engine::testing::model::{ProcessBuilder, service_task_process};
    use serde_json::json;

    use super::*;

    /// `parent` calls `child`, whose one service task has job type `t`.
    fn called_child() -> (ProcessTest, i64) {
        let mut test = ProcessTest::new();
        test.deploy(&service_task_process("child", "t"));
        test.deploy(&ProcessBuilder::new("parent").start("s").call_activity("call", "child").end("e").build());
        let parent = test.start("parent", json!({}));
        (test, parent)
    }

    #[test]
    fn a_job_nobody_handles_in_a_called_instance_leaves_the_caller_stuck() {
        let (mut test, parent) = called_child();
        let mut watch = Watch::new(Until::Done(parent), &["log"]);
        let (counts, stop) = watch.observe(test.core());
        assert_eq!(counts.instances_active, 2);
        let Some(Stop::Stuck(key, why)) = stop else { panic!("expected stuck, got {stop:?}") };
        assert_eq!(key, parent);
        assert!(why.starts_with("waits for outside help at task:"), "the waiting leaf, not its call activity: {why}");
    }

    #[test]
    fn a_handled_job_in_a_called_instance_keeps_the_caller_going_until_it_completes() {
        let (mut test, parent) = called_child();
        let mut watch = Watch::new(Until::Done(parent), &["t"]);
        assert_eq!(watch.observe(test.core()).1, None);
        test.complete_job("t", json!({}));
        let (counts, stop) = watch.observe(test.core());
        assert_eq!(stop, Some(Stop::Completed(parent)));
        assert_eq!((counts.instances_active, counts.instances_completed), (0, 2));
    }

    #[test]
    fn an_incident_in_a_called_instance_stops_the_caller_with_its_message() {
        let (mut test, parent) = called_child();
        let job = test.activate("t")[0].key;
        let failed = test.core().fail_job(job, 0, "no disk", std::time::Duration::ZERO, engine::Variables::new());
        assert!(failed.is_ok());
        let mut watch = Watch::new(Until::Done(parent), &["t"]);
        let Some(Stop::Stuck(_, why)) = watch.observe(test.core()).1 else { panic!("expected stuck") };
        assert!(why.contains("has an incident at task: no disk"), "{why}");
    }

    #[test]
    fn idle_waits_for_handled_jobs_and_ignores_unhandled_ones() {
        let (mut test, _) = called_child();
        assert_eq!(Watch::new(Until::Idle, &["t"]).observe(test.core()).1, None);
        assert_eq!(Watch::new(Until::Idle, &["log"]).observe(test.core()).1, Some(Stop::Idle));
        assert_eq!(Watch::new(Until::Stopped, &["log"]).observe(test.core()).1, None);
    }

    #[test]
    fn instances_that_start_and_end_between_two_looks_are_counted() {
        let (mut test, parent) = called_child();
        let mut watch = Watch::new(Until::Done(parent), &["t"]);
        assert_eq!(watch.observe(test.core()).0.instances_completed, 0);
        test.deploy(&ProcessBuilder::new("quick").start("s").end("e").build());
        for _ in 0..3 {
            test.start("quick", json!({}));
        }
        let (counts, stop) = watch.observe(test.core());
        assert_eq!((counts.instances_active, counts.instances_completed, counts.instances_terminated), (2, 3, 0));
        assert_eq!(stop, None, "the followed instance still runs");
    }

    #[test]
    fn a_cancelled_instance_counts_as_terminated() {
        let (mut test, parent) = called_child();
        let mut watch = Watch::new(Until::Done(parent), &["t"]);
        watch.observe(test.core());
        assert!(test.core().cancel_instance(parent).is_ok());
        let (counts, stop) = watch.observe(test.core());
        assert_eq!(stop, Some(Stop::Terminated(parent)));
        assert_eq!(counts.instances_terminated, 2);
        assert!(stop.is_some_and(|s| s.failed()));
    }

    #[test]
    fn a_handled_job_moves_while_it_waits_or_runs_but_not_while_it_backs_off() {
        let (mut test, _) = called_child();
        let (handled, unhandled) = (Watch::new(Until::Idle, &["t"]), Watch::new(Until::Idle, &["log"]));
        assert!(handled.jobs_moving(test.core().state()) && !unhandled.jobs_moving(test.core().state()));
        let job = test.activate("t")[0].key;
        assert!(handled.jobs_moving(test.core().state()), "activated");
        let back_off = std::time::Duration::from_secs(60);
        assert!(test.core().fail_job(job, 2, "busy", back_off, engine::Variables::new()).is_ok());
        assert!(!handled.jobs_moving(test.core().state()), "backing off");
    }
}
