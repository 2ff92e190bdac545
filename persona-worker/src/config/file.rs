//! The config file's shape, read with serde so that every mistake is located.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;
use super::duration;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Where and how to reach the gateway.
    #[serde(default)]
    pub zeebe: ZeebeSection,
    /// The worker name and the options every job type starts from.
    #[serde(default)]
    pub worker: WorkerSection,
    /// Where to serve Prometheus metrics.
    #[serde(default)]
    pub metrics_addr: Option<SocketAddr>,
    /// Job type → handler and options.
    #[serde(default)]
    pub jobs: BTreeMap<String, JobConfig>,
    /// Persona jobs routed to persona instances through the registry.
    #[serde(default)]
    pub routing: Option<RoutingSection>,
    /// The actions file (relative to this file) that sets up the real handlers of jobs mapped
    /// to `handler: action`: `workspace:` plus one section per action, as for
    /// `orchestrator run --actions`.
    #[serde(default)]
    pub actions: Option<PathBuf>,
}

/// `routing:`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingSection {
    /// The registry's store: a SQLite file or a `postgres://` URL (the engine's store).
    pub store: String,
    /// The project of jobs without a `project` variable (`ORGANISATION/PROJECT[/REPOSITORY]`).
    pub project: Option<String>,
    /// How long a job no instance can take waits before the broker offers it again.
    #[serde(default, deserialize_with = "duration::optional")]
    pub wait: Option<Duration>,
}

impl std::fmt::Debug for RoutingSection {
    /// Without the store, whose URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoutingSection")
            .field("project", &self.project)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

/// `zeebe:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZeebeSection {
    /// `host:port` or a URI.
    pub address: Option<String>,
    /// Plaintext gRPC for a bare `host:port`.
    pub plaintext: Option<bool>,
    /// A PEM CA certificate to trust.
    pub ca_certificate_path: Option<PathBuf>,
    /// OAuth client credentials.
    pub oauth: Option<OAuthSection>,
}

/// `zeebe.oauth:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthSection {
    /// The client id.
    pub client_id: Option<String>,
    /// The client secret (better given as ZEEBE_CLIENT_SECRET).
    pub client_secret: Option<String>,
    /// The token endpoint.
    pub authorization_server_url: Option<String>,
    /// The token audience.
    pub audience: Option<String>,
}

/// `worker:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSection {
    /// The worker name.
    #[serde(default = "default_worker_name")]
    pub name: String,
    /// At most this many unreported jobs per job type.
    pub max_jobs_active: Option<NonZeroUsize>,
    /// The job lock.
    #[serde(default, deserialize_with = "duration::optional")]
    pub timeout: Option<Duration>,
    /// Long polling.
    #[serde(default, deserialize_with = "duration::optional")]
    pub request_timeout: Option<Duration>,
    /// The pause after an empty poll.
    #[serde(default, deserialize_with = "duration::optional")]
    pub poll_interval: Option<Duration>,
}

impl Default for WorkerSection {
    fn default() -> Self {
        Self {
            name: default_worker_name(),
            max_jobs_active: None,
            timeout: None,
            request_timeout: None,
            poll_interval: None,
        }
    }
}

/// The polling options a section sets (`None`: not set there).
#[derive(Debug, Clone, Default)]
pub struct PollSettings {
    /// At most this many unreported jobs.
    pub max_jobs_active: Option<NonZeroUsize>,
    /// The job lock.
    pub timeout: Option<Duration>,
    /// Long polling.
    pub request_timeout: Option<Duration>,
    /// The pause after an empty poll.
    pub poll_interval: Option<Duration>,
    /// Only these variables are fetched.
    pub fetch_variables: Option<Vec<String>>,
}

impl WorkerSection {
    /// The options every job type starts from.
    pub fn poll_settings(&self) -> PollSettings {
        PollSettings {
            max_jobs_active: self.max_jobs_active,
            timeout: self.timeout,
            request_timeout: self.request_timeout,
            poll_interval: self.poll_interval,
            fetch_variables: None,
        }
    }
}

fn default_worker_name() -> String {
    "persona-worker".to_owned()
}

/// One entry of `jobs:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobConfig {
    /// The built-in handler.
    pub handler: HandlerKind,
    /// Simulated work before the handler acts.
    #[serde(default, deserialize_with = "duration::optional")]
    pub delay: Option<Duration>,
    /// Overrides `worker.max_jobs_active`.
    pub max_jobs_active: Option<NonZeroUsize>,
    /// Overrides `worker.timeout`.
    #[serde(default, deserialize_with = "duration::optional")]
    pub timeout: Option<Duration>,
    /// Overrides `worker.request_timeout`.
    #[serde(default, deserialize_with = "duration::optional")]
    pub request_timeout: Option<Duration>,
    /// Overrides `worker.poll_interval`.
    #[serde(default, deserialize_with = "duration::optional")]
    pub poll_interval: Option<Duration>,
    /// Only these variables are fetched with each job.
    pub fetch_variables: Option<Vec<String>>,
}

impl JobConfig {
    /// The options this job type sets.
    pub fn poll_settings(&self) -> PollSettings {
        PollSettings {
            max_jobs_active: self.max_jobs_active,
            timeout: self.timeout,
            request_timeout: self.request_timeout,
            poll_interval: self.poll_interval,
            fetch_variables: self.fetch_variables.clone(),
        }
    }
}

/// The built-in handlers a job type can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandlerKind {
    /// `log`: logs the task's `message` at its `level`.
    Log,
    /// `set-variable`: completes with the task's `variable` set to its `value`.
    SetVariable,
    /// `noop`: completes at once.
    Noop,
    /// `dry-run`: logs what the persona action would do and completes.
    DryRun,
    /// `simulate`: completes with plausible outputs of the task's declared shape (seeded, see
    /// `actions::SimulateHandler`), approvals and consultations included.
    Simulate,
    /// `action`: the action catalogue's handler for the job type (its action, for real), set
    /// up by the `actions:` file.
    Action,
}

/// Reads the file's text; `name` is how errors name it.
pub fn parse(name: &str, text: &str) -> Result<FileConfig, ConfigError> {
    serde_yaml_ng::from_str(text).map_err(|error| {
        let message = error.to_string();
        match error.location() {
            Some(at) => {
                // The message ends with its own "at line L column C"; the prefix says it already.
                let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(text, _)| text);
                ConfigError(format!(
                    "{name}:{}:{}: {message}; fix the config file (see persona-worker/persona-worker.example.yaml)",
                    at.line(),
                    at.column()
                ))
            }
            None => ConfigError(format!(
                "{name}: {message}; fix the config file (see persona-worker/persona-worker.example.yaml)"
            )),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse("w.yaml", text).unwrap_err().0
    }

    #[test]
    fn an_unknown_handler_is_located_and_the_known_ones_listed() {
        let message = error("jobs:\n  notify:\n    handler: shel\n");
        assert!(message.starts_with("w.yaml:3:14: "), "{message}");
        assert!(
            message.contains("`shel`") && message.contains("`dry-run`") && !message.contains(" at line "),
            "{message}"
        );
    }

    #[test]
    fn unknown_keys_bad_durations_and_zero_capacity_are_located() {
        let message = error("worker:\n  name: w\n  timout: 5s\n");
        assert!(message.starts_with("w.yaml:3:3: ") && message.contains("timout"), "{message}");
        let message = error("jobs:\n  log:\n    handler: log\n    timeout: 5 minutes\n");
        assert!(message.starts_with("w.yaml:4:") && message.contains("unknown unit"), "{message}");
        let message = error("worker:\n  max_jobs_active: 0\n");
        assert!(message.starts_with("w.yaml:2:") && message.contains("nonzero"), "{message}");
        let message = error("metrics_addr: localhost\n");
        assert!(message.starts_with("w.yaml:1:"), "{message}");
    }

    #[test]
    fn yaml_that_is_not_yaml_is_located() {
        let message = error("jobs: [\n");
        assert!(message.starts_with("w.yaml:"), "{message}");
    }
}
