//! The built-in handler for each configured job type.

use std::sync::Arc;
use std::time::Duration;

use actions::{DryRunHandler, SimulateHandler};
use workers::handlers::{LogHandler, NoopHandler, SetVariableHandler};
use workers::{Job, JobHandler, JobOutcome};

use personas::{Registry, Routed};

use crate::config::{HandlerKind, JobSubscription, Routing};

/// The handler the subscription of `job_type` asks for, waiting its `delay` first when it has
/// one. `handler: action` builds the catalogue's handler for the job type from `actions` (the
/// `actions:` file); its operations that handler does not perform are dry runs.
pub fn build(
    job_type: &str,
    subscription: &JobSubscription,
    actions: Option<&actions::Settings>,
) -> Result<Arc<dyn JobHandler>, String> {
    let handler: Arc<dyn JobHandler> = match subscription.handler {
        HandlerKind::Log => Arc::new(LogHandler),
        HandlerKind::SetVariable => Arc::new(SetVariableHandler),
        HandlerKind::Noop => Arc::new(NoopHandler),
        HandlerKind::DryRun => Arc::new(DryRunHandler),
        HandlerKind::Simulate => Arc::new(SimulateHandler::default()),
        HandlerKind::Action => action(job_type, actions)?,
    };
    Ok(if subscription.delay.is_zero() {
        handler
    } else {
        Arc::new(Delayed { inner: handler, delay: subscription.delay })
    })
}

/// The catalogue's handler for `job_type`, set up by `settings`.
fn action(job_type: &str, settings: Option<&actions::Settings>) -> Result<Arc<dyn JobHandler>, String> {
    let Some(settings) = settings else {
        return Err(format!("jobs.{job_type}: `handler: action` needs an `actions:` file"));
    };
    let dry_run: Arc<dyn JobHandler> = Arc::new(DryRunHandler);
    actions::bindings(settings, &dry_run, |_| true)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|binding| binding.spec.job_type == job_type)
        .map(|binding| binding.handler)
        .ok_or_else(|| format!("jobs.{job_type}: no action has this job type"))
}

/// `handler` with its persona jobs routed through `registry`: each goes to an instance with a
/// free slot (so an instance never holds more jobs than its capacity, however many this worker
/// activates), and one no instance can take goes back to the broker with its retries unchanged.
pub fn routed(handler: Arc<dyn JobHandler>, registry: &Registry, routing: &Routing) -> Arc<dyn JobHandler> {
    Arc::new(Routed::new(handler, registry.clone()).default_project(routing.project.clone()).wait(routing.wait))
}

/// Simulated work: waits `delay`, then lets `inner` decide.
struct Delayed {
    inner: Arc<dyn JobHandler>,
    delay: Duration,
}

#[async_trait::async_trait]
impl JobHandler for Delayed {
    async fn handle(&self, job: &Job) -> JobOutcome {
        tokio::time::sleep(self.delay).await;
        self.inner.handle(job).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use workers::WorkerOptions;

    use super::*;

    fn job() -> Job {
        Job {
            job_type: "set-variable".into(),
            key: 1,
            element_id: "task".into(),
            element_instance_key: 2,
            bpmn_process_id: "p".into(),
            process_definition_key: 3,
            process_instance_key: 4,
            variables: serde_json::json!({"value": 7}).as_object().cloned().unwrap_or_default(),
            custom_headers: BTreeMap::from([("variable".to_owned(), "x".to_owned())]),
            retries: 3,
            deadline: chrono::DateTime::UNIX_EPOCH,
            worker: "w".into(),
        }
    }

    #[tokio::test]
    async fn simulate_answers_with_the_declared_shape() {
        let subscription = JobSubscription {
            handler: HandlerKind::Simulate,
            delay: Duration::ZERO,
            options: WorkerOptions::default(),
        };
        let mut llm = job();
        llm.job_type = "llm".into();
        llm.custom_headers =
            BTreeMap::from([("outputs".to_owned(), r#"{"READY":"boolean","LEVEL":["low","high"]}"#.to_owned())]);
        let JobOutcome::Complete { variables } = build("llm", &subscription, None).unwrap().handle(&llm).await else {
            panic!("completes")
        };
        assert!(variables["READY"].is_boolean(), "{variables:?}");
        assert!(["low", "high"].contains(&variables["LEVEL"].as_str().unwrap_or_default()), "{variables:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_configured_handler_runs_after_its_delay() {
        let subscription = JobSubscription {
            handler: HandlerKind::SetVariable,
            delay: Duration::from_secs(2),
            options: WorkerOptions::default(),
        };
        let started = tokio::time::Instant::now();
        let outcome = build("set-variable", &subscription, None).unwrap().handle(&job()).await;
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        let expected = serde_json::json!({"x": 7}).as_object().cloned().unwrap_or_default();
        assert_eq!(outcome, JobOutcome::complete_with(expected));
    }

    #[tokio::test]
    async fn an_action_job_runs_the_catalogue_handler_for_real_in_the_workspace() {
        let workspace = tempfile::tempdir().unwrap();
        let settings = actions::Settings { workspace: Some(workspace.path().to_owned()), ..Default::default() };
        let subscription =
            JobSubscription { handler: HandlerKind::Action, delay: Duration::ZERO, options: WorkerOptions::default() };
        let mut shell = job();
        shell.job_type = "shell-command".into();
        shell.custom_headers = BTreeMap::from([("commandTemplate".to_owned(), "touch made-by-worker".to_owned())]);
        let handler = build("shell-command", &subscription, Some(&settings)).unwrap();
        let outcome = handler.handle(&shell).await;
        assert!(matches!(outcome, JobOutcome::Complete { .. }), "{outcome:?}");
        assert!(workspace.path().join("made-by-worker").exists(), "the command ran in the workspace");

        shell.custom_headers = BTreeMap::from([("commandTemplate".to_owned(), "rm -rf /".to_owned())]);
        let JobOutcome::Error { code, .. } = handler.handle(&shell).await else { panic!("the guard refuses it") };
        assert_eq!(code, actions::FORBIDDEN_COMMAND);
        let missing = build("shell-command", &subscription, None).err().unwrap_or_default();
        assert!(missing.contains("needs an `actions:` file"), "{missing}");
    }
}
