//! Driving a process instance to its end on an embedded engine with scripted job workers: every
//! activatable job of the known job types is handed to a handler and completed with the
//! variables it returns; when nothing but timers is pending, the virtual clock jumps to the next
//! due timer. A step limit stops instances that never end by themselves.

use std::collections::BTreeSet;

use bpmn::Definitions;
use bpmn::graph::ProcessGraph;
use engine::{ActivateJobs, ActivatedJob, EngineCore, EngineError, Incident, Variables, VirtualClock};

/// The worker name scripted handlers activate jobs with.
pub const WORKER: &str = "scripted";

/// The job types of every service task (and other job-based element) in the models, sorted.
pub fn job_types<'a>(models: impl IntoIterator<Item = &'a Definitions>) -> Vec<String> {
    let mut types = BTreeSet::new();
    for definitions in models {
        for process in definitions.processes() {
            let graph = ProcessGraph::new(process);
            for node in graph.scopes().flat_map(|scope| scope.nodes()) {
                if let Some(definition) = node.common.extensions().task_definition() {
                    types.insert(definition.job_type.clone());
                }
            }
        }
    }
    types.into_iter().collect()
}

/// What a scripted worker does with a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Complete the job with these variables.
    Complete(Variables),
    /// Throw a BPMN error with this code and message (the dialect's step failure).
    ThrowError {
        /// The error code, for example `STEP_FAILED`.
        code: String,
        /// The error message.
        message: String,
    },
    /// Complete an ad-hoc sub-process's job with a worker's decision.
    Decide {
        /// Variables to merge into the process.
        variables: Variables,
        /// What runs next.
        decision: workers::AdHocDecision,
    },
}

/// A handler's outcome as a scripted reply. The driver has no retries, so a failed job
/// becomes the dialect's step failure, `STEP_FAILED`.
impl From<workers::JobOutcome> for Reply {
    fn from(outcome: workers::JobOutcome) -> Self {
        use workers::JobOutcome;
        match outcome {
            JobOutcome::Complete { variables } => Reply::Complete(variables),
            JobOutcome::Error { code, message, .. } => Reply::ThrowError { code, message },
            JobOutcome::Fail { message, .. } => Reply::ThrowError { code: "STEP_FAILED".into(), message },
            JobOutcome::Decide { variables, decision } => Reply::Decide { variables, decision },
        }
    }
}

/// How a driven instance ended (or why driving stopped).
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// The instance completed; its root variables at the end.
    Completed(Variables),
    /// The instance was terminated.
    Terminated,
    /// Open incidents in the instance or in instances it called.
    Incidents(Vec<Incident>),
    /// Still running, but nothing the driver can do moves it: no job of a known type and no
    /// timer is pending (it waits for a message, a signal or a user task).
    Stuck,
    /// Still running after the step limit.
    LimitReached,
}

/// What driving an instance did.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The process instance key.
    pub instance: i64,
    /// How it ended.
    pub ending: Ending,
    /// Jobs completed.
    pub jobs: usize,
    /// Times the clock jumped to a due timer.
    pub timer_jumps: usize,
}

/// An engine on a virtual clock, and the job types its scripted workers serve.
pub struct Driver<'a> {
    /// The engine.
    pub core: &'a mut EngineCore,
    /// The clock the engine reads.
    pub clock: &'a VirtualClock,
    /// The job types to activate.
    pub job_types: &'a [String],
    /// At most this many steps (completed jobs plus timer jumps) per run.
    pub step_limit: usize,
}

impl Driver<'_> {
    /// Starts the latest version of `process_id` with `variables` and drives it: each activated
    /// job goes to `handler`, whose reply completes it or throws an error.
    pub fn run(
        &mut self,
        process_id: &str,
        variables: Variables,
        handler: &mut dyn FnMut(&ActivatedJob) -> Reply,
    ) -> Result<Run, EngineError> {
        let (created, result) = self.core.create_instance_with_result(process_id, variables)?;
        let instance = created.process_instance_key;
        let mut run = Run { instance, ending: Ending::LimitReached, jobs: 0, timer_jumps: 0 };
        if let Some(variables) = result {
            run.ending = Ending::Completed(variables);
            return Ok(run);
        }
        self.core.await_result(instance);
        run.ending = self.drive(instance, &mut run, handler)?;
        Ok(run)
    }

    fn drive(
        &mut self,
        instance: i64,
        run: &mut Run,
        handler: &mut dyn FnMut(&ActivatedJob) -> Reply,
    ) -> Result<Ending, EngineError> {
        loop {
            if self.core.has_finished(instance) {
                return Ok(match self.core.take_result(instance) {
                    Some(variables) => Ending::Completed(variables),
                    None => Ending::Terminated,
                });
            }
            let incidents = self.incidents_below(instance);
            if !incidents.is_empty() {
                return Ok(Ending::Incidents(incidents));
            }
            if run.jobs + run.timer_jumps >= self.step_limit {
                return Ok(Ending::LimitReached);
            }
            if self.work_jobs(run, handler)? {
                continue;
            }
            let Some(due) = self.next_instance_timer() else { return Ok(Ending::Stuck) };
            if due > self.clock_now() {
                self.clock.set(due);
            }
            self.core.tick();
            run.timer_jumps += 1;
        }
    }

    /// Activates every activatable job once and does what the handler replies; true when there
    /// was any.
    fn work_jobs(
        &mut self,
        run: &mut Run,
        handler: &mut dyn FnMut(&ActivatedJob) -> Reply,
    ) -> Result<bool, EngineError> {
        let mut worked = false;
        for job_type in self.job_types {
            let jobs = self.core.activate_jobs(&ActivateJobs::new(job_type.as_str()).worker(WORKER))?;
            for job in jobs {
                // A completion earlier in this batch may have cancelled the job's task (the
                // last vote of an approval that already has enough): it is no longer there.
                if self.core.state().element(job.element_instance_key).is_none() {
                    continue;
                }
                match handler(&job) {
                    Reply::Complete(variables) => self.core.complete_job(job.key, variables)?,
                    Reply::ThrowError { code, message } => {
                        self.core.throw_error(job.key, &code, &message, Variables::new())?
                    }
                    Reply::Decide { variables, decision } => {
                        self.core.complete_ad_hoc_job(job.key, variables, (&decision).into())?
                    }
                }
                run.jobs += 1;
                worked = true;
            }
        }
        Ok(worked)
    }

    /// When the next timer of some instance is due. A scheduled start's timer (a timer start
    /// event, owned by no instance) is no reason to move the clock: the instance driven could be
    /// waiting for a person while a schedule fires forever.
    fn next_instance_timer(&self) -> Option<i64> {
        let state = self.core.state();
        let owned = |key: &i64| state.timers.get(key).is_some_and(|timer| timer.process_instance_key != -1);
        state.timer_due.iter().find(|(_, key)| owned(key)).map(|&(due, _)| due)
    }

    fn clock_now(&self) -> i64 {
        engine::Clock::now_millis(self.clock)
    }

    /// Open incidents of `instance` and of the instances it called (directly or not).
    fn incidents_below(&self, instance: i64) -> Vec<Incident> {
        self.core.incidents().into_iter().filter(|i| self.root_of(i.process_instance_key) == instance).collect()
    }

    /// The root process instance a process instance was called from (itself when not called).
    fn root_of(&self, mut instance: i64) -> i64 {
        let state = self.core.state();
        while let Some(caller) = state
            .element(instance)
            .map(|process| process.parent_element_instance_key)
            .filter(|&key| key > 0)
            .and_then(|call_activity| state.element(call_activity))
        {
            instance = caller.process_instance_key;
        }
        instance
    }
}

/// Every YAML workflow below `dir` compiled together (as `orchestrator deploy DIR` does); the
/// diagnostics, a line each, when any is an error.
pub fn compile_folder(dir: &std::path::Path) -> Result<yaml_to_bpmn::Outcome, String> {
    let files = yaml_to_bpmn::cli::collect_files(&[dir.to_path_buf()], &["yaml", "yml"])?;
    let sources = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(yaml_to_bpmn::Source { name: path.display().to_string(), text })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let outcome = yaml_to_bpmn::compile_set(&sources);
    if outcome.has_errors() {
        let errors: Vec<String> = outcome.diagnostics.iter().map(ToString::to_string).collect();
        return Err(errors.join("\n"));
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use engine::record::ErrorType;
    use engine::testing::ProcessTest;
    use engine::testing::model::{ProcessBuilder, TimerKind};
    use serde_json::json;

    use super::*;

    /// Deploys `model` and runs process `p` with `handler`.
    fn run_model(model: &Definitions, step_limit: usize, handler: &mut dyn FnMut(&ActivatedJob) -> Reply) -> Run {
        let mut test = ProcessTest::new();
        test.deploy(model);
        let clock = test.clock().clone();
        let types = job_types([model]);
        let mut driver = Driver { core: test.core(), clock: &clock, job_types: &types, step_limit };
        match driver.run("p", Variables::new(), handler) {
            Ok(run) => run,
            Err(e) => panic!("run failed: {e}"),
        }
    }

    fn complete_with(value: serde_json::Value) -> impl FnMut(&ActivatedJob) -> Reply {
        move |_| Reply::Complete(value.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn jobs_are_completed_and_timers_jumped_to() {
        let model = ProcessBuilder::new("p")
            .start("s")
            .service_task("a", "type-a")
            .timer_catch("wait", TimerKind::Duration, "PT2H")
            .service_task("b", "type-b")
            .end("e")
            .build();
        assert_eq!(job_types([&model]), ["type-a", "type-b"]);
        let run = run_model(&model, 10, &mut complete_with(json!({"done": true})));
        assert_eq!((run.jobs, run.timer_jumps), (2, 1));
        let Ending::Completed(variables) = run.ending else { panic!("expected completion: {:?}", run.ending) };
        assert_eq!(variables.get("done"), Some(&json!(true)));
    }

    #[test]
    fn an_instance_that_waits_for_a_message_is_stuck() {
        let model = ProcessBuilder::new("p").start("s").message_catch("m", "go", "=\"k\"").end("e").build();
        let run = run_model(&model, 10, &mut complete_with(json!({})));
        assert_eq!(run.ending, Ending::Stuck);
    }

    #[test]
    fn a_schedule_elsewhere_does_not_keep_a_waiting_instance_going() {
        let mut test = ProcessTest::new();
        let hourly = ProcessBuilder::new("hourly").timer_start("tick", TimerKind::Cycle, "R/PT1H", false).end("e");
        test.deploy(&hourly.build());
        test.deploy(&ProcessBuilder::new("p").start("s").message_catch("m", "go", "=\"k\"").end("e").build());
        let clock = test.clock().clone();
        let types: [String; 0] = [];
        let mut driver = Driver { core: test.core(), clock: &clock, job_types: &types, step_limit: 10 };
        let run = driver.run("p", Variables::new(), &mut complete_with(json!({}))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((run.ending, run.timer_jumps), (Ending::Stuck, 0), "waits; the schedule moved no clock");
    }

    #[test]
    fn an_uncaught_error_ends_the_drive_with_its_incident() {
        let model = engine::testing::model::service_task_process("p", "t");
        let mut throw = |_: &ActivatedJob| Reply::ThrowError { code: "STEP_FAILED".into(), message: "boom".into() };
        let run = run_model(&model, 10, &mut throw);
        let Ending::Incidents(incidents) = run.ending else { panic!("expected an incident: {:?}", run.ending) };
        assert_eq!(incidents.len(), 1);
        assert_eq!(incidents[0].error_type, ErrorType::UnhandledErrorEvent);
    }

    #[test]
    fn incidents_in_called_instances_count_for_the_caller() {
        let mut test = ProcessTest::new();
        test.deploy(&engine::testing::model::service_task_process("child", "t"));
        test.deploy(&ProcessBuilder::new("p").start("s").call_activity("call", "child").end("e").build());
        let clock = test.clock().clone();
        let types = ["t".to_owned()];
        let mut driver = Driver { core: test.core(), clock: &clock, job_types: &types, step_limit: 10 };
        let mut throw = |_: &ActivatedJob| Reply::ThrowError { code: "X".into(), message: "boom".into() };
        let run = driver.run("p", Variables::new(), &mut throw).unwrap_or_else(|e| panic!("run failed: {e}"));
        let Ending::Incidents(incidents) = run.ending else { panic!("expected an incident: {:?}", run.ending) };
        assert_eq!(incidents.len(), 1);
        assert_ne!(incidents[0].process_instance_key, run.instance, "the incident is in the child");
        assert_eq!(&*incidents[0].element_id, "task");
    }

    #[test]
    fn the_step_limit_stops_an_endless_instance() {
        let model = ProcessBuilder::new("p").start("s").service_task("work", "t").connect("work", "work").build();
        let run = run_model(&model, 5, &mut complete_with(json!({})));
        assert_eq!((run.ending, run.jobs), (Ending::LimitReached, 5));
    }

    #[test]
    fn a_folder_with_a_broken_workflow_is_refused_with_the_file_and_line() {
        let dir = std::env::temp_dir().join(format!("compile-folder-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("broken.yaml"),
            "metadata:\n  id: broken\nsteps:\n  - id: x\n    action: no-such-action\n",
        )
        .unwrap();
        let refused = super::compile_folder(&dir).err().unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(refused.contains("broken.yaml:5"), "{refused}");
    }
}
