//! [`bindings`]: the handler of every action's job type, built from the catalogue.

use std::sync::Arc;

use async_trait::async_trait;
use workers::{Job, JobHandler, JobOutcome};

use crate::catalogue::real_handlers;
use crate::settings::{Settings, SettingsError};
use crate::spec::ActionSpec;

/// One action's job type and the handler that takes its jobs.
pub struct Binding {
    /// The action.
    pub spec: ActionSpec,
    /// Its handler: the real one, or the fallback.
    pub handler: Arc<dyn JobHandler>,
    /// True when [`handler`](Self::handler) performs the action for real.
    pub real: bool,
}

/// For each action of the catalogue, its real handler where `settings` give it one and `real`
/// wants it (`real(spec)`), else `fallback` (a dry run, a simulation, or a person's task list).
/// For an action with operations, the catalogued operations its handler does not perform
/// ([`Operation::real`](crate::Operation::real) false) go to `fallback`, so a workflow that also
/// uses them still runs; every other job (a performed operation, or a missing or unknown one,
/// which the real handler refuses with a clear message) goes to the real handler.
pub fn bindings(
    settings: &Settings,
    fallback: &Arc<dyn JobHandler>,
    real: impl Fn(&ActionSpec) -> bool,
) -> Result<Vec<Binding>, SettingsError> {
    Ok(real_handlers(settings)?
        .into_iter()
        .map(|(spec, handler)| match handler.filter(|_| real(&spec)) {
            Some(real) if spec.operations.is_empty() => Binding { spec, handler: real, real: true },
            Some(real) => {
                let elsewhere = spec.operations.iter().filter(|op| !op.real).map(|op| op.name.to_owned()).collect();
                let handler = Arc::new(ByOperation { real, elsewhere, fallback: fallback.clone() });
                Binding { spec, handler, real: true }
            }
            None => Binding { spec, handler: fallback.clone(), real: false },
        })
        .collect())
}

/// Sends a job to `fallback` when its `operation` header names one of `elsewhere`, else to
/// `real`.
struct ByOperation {
    real: Arc<dyn JobHandler>,
    elsewhere: Vec<String>,
    fallback: Arc<dyn JobHandler>,
}

#[async_trait]
impl JobHandler for ByOperation {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let elsewhere = job.header("operation").is_some_and(|op| self.elsewhere.iter().any(|e| e == op));
        if elsewhere { self.fallback.handle(job).await } else { self.real.handle(job).await }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use workers::handlers::NoopHandler;
    use workers::testing::job;

    use super::*;

    /// Completes with `{by: NAME}`.
    struct Says(&'static str);

    #[async_trait]
    impl JobHandler for Says {
        async fn handle(&self, _job: &Job) -> JobOutcome {
            JobOutcome::complete_with(json!({"by": self.0}).as_object().cloned().unwrap_or_default())
        }
    }

    #[tokio::test]
    async fn a_catalogued_operation_the_real_handler_does_not_perform_goes_to_the_fallback() {
        let router = ByOperation {
            real: Arc::new(Says("real")),
            elsewhere: vec!["get-reviewer-load".into()],
            fallback: Arc::new(Says("fallback")),
        };
        let by = |op: &str| {
            let job = job("azure-devops", &[("operation", op)], json!({}));
            let router = &router;
            async move { router.handle(&job).await }
        };
        assert_eq!(
            by("create-pr").await,
            JobOutcome::complete_with(json!({"by": "real"}).as_object().cloned().unwrap_or_default())
        );
        assert_eq!(
            by("get-reviewer-load").await,
            JobOutcome::complete_with(json!({"by": "fallback"}).as_object().cloned().unwrap_or_default())
        );
    }

    #[test]
    fn without_settings_only_log_and_set_variable_are_real() {
        let fallback: Arc<dyn JobHandler> = Arc::new(NoopHandler);
        let bindings = bindings(&Settings::default(), &fallback, |_| true).expect("default settings are usable");
        let real: Vec<&str> = bindings.iter().filter(|b| b.real).map(|b| b.spec.name).collect();
        assert_eq!(real, ["log", "set-variable"]);
    }
}
