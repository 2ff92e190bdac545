//! `notify`: a message to a channel, posted to a Slack-compatible webhook and logged. This is
//! also what RACI *informed* compiles to.

use std::time::Duration;

use crate::shape::Shape;
use crate::spec::{ActionSpec, Effects, Field};

/// The job type of notifications.
pub const JOB_TYPE: &str = "notify";

/// The spec.
pub fn spec() -> ActionSpec {
    ActionSpec {
        name: "notify",
        job_type: JOB_TYPE,
        in_steps: true,
        summary: "Posts a message to a channel through a Slack-compatible webhook (JSON `{text, channel}`) and logs it.",
        fields: vec![
            Field::required("channel", Shape::String, "The channel or persona type told, e.g. `#releases`."),
            Field::required("message", Shape::String, "The text; `${...}` values are filled in."),
        ],
        outputs: vec![Field::optional("delivered", Shape::Boolean, "True when the webhook took it.")],
        operations: Vec::new(),
        effects: Effects::External,
        timeout: Duration::from_secs(30),
        retries: 3,
    }
}

/// The settings section `notify`: the environment variable or the file that holds the webhook
/// URL (a secret: whoever has it can post).
#[cfg(feature = "run")]
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifySettings {
    #[serde(default)]
    webhook_url_env: Option<String>,
    #[serde(default)]
    webhook_url_file: Option<std::path::PathBuf>,
}

/// The webhook handler, when the settings say where its URL is.
#[cfg(feature = "run")]
pub(crate) fn handler(
    settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    let Some(section) = settings.section::<NotifySettings>(JOB_TYPE)? else { return Ok(None) };
    let source = match (section.webhook_url_env, section.webhook_url_file) {
        (Some(name), None) => webhook::UrlSource::Env(name),
        (None, Some(path)) => webhook::UrlSource::File(path),
        _ => {
            return Err(crate::SettingsError::new(
                JOB_TYPE,
                "give exactly one of `webhook_url_env` (a variable holding the URL) and `webhook_url_file`",
            ));
        }
    };
    Ok(Some(std::sync::Arc::new(webhook::WebhookNotifier::new(source))))
}

#[cfg(feature = "run")]
pub(crate) mod webhook {
    //! [`WebhookNotifier`]: the notification posted, and logged.

    use async_trait::async_trait;
    use serde_json::json;
    use workers::{Job, JobHandler, JobOutcome, Variables};

    /// Where the webhook URL is: read at each job, so a rotated URL is picked up.
    #[derive(Debug, Clone)]
    pub enum UrlSource {
        /// An environment variable of the worker.
        Env(String),
        /// A file (its first line).
        File(std::path::PathBuf),
    }

    impl UrlSource {
        /// The URL, or what to do when it cannot be read.
        fn read(&self) -> Result<String, String> {
            match self {
                Self::Env(name) => std::env::var(name)
                    .map_err(|_| format!("the environment variable {name} (the webhook URL) is not set; set it for the worker")),
                Self::File(path) => std::fs::read_to_string(path)
                    .map(|text| text.lines().next().unwrap_or_default().trim().to_owned())
                    .map_err(|e| format!("the webhook URL file {} cannot be read ({e}); fix `webhook_url_file`", path.display())),
            }
        }

        /// Where it is, for messages (never the URL).
        fn describe(&self) -> String {
            match self {
                Self::Env(name) => name.clone(),
                Self::File(path) => path.display().to_string(),
            }
        }
    }

    /// Posts `{text, channel}` to the webhook URL; the URL never appears in logs or errors.
    #[derive(Debug)]
    pub struct WebhookNotifier {
        source: UrlSource,
        client: reqwest::Client,
    }

    impl WebhookNotifier {
        /// A notifier whose webhook URL is in `source`.
        pub fn new(source: UrlSource) -> Self {
            Self { source, client: reqwest::Client::new() }
        }
    }

    #[async_trait]
    impl JobHandler for WebhookNotifier {
        async fn handle(&self, job: &Job) -> JobOutcome {
            let channel = job.text_parameter("channel").or_else(|| job.text_parameter("target")).unwrap_or_default();
            let Some(message) = job.text_parameter("message") else {
                return JobOutcome::fail_without_retries(job.missing_parameter("message"));
            };
            tracing::info!(element_id = %job.element_id, channel = %channel, "notify: {message}");
            let url = match self.source.read() {
                Ok(url) => url,
                Err(problem) => {
                    return JobOutcome::fail_without_retries(format!("notify task `{}`: {problem}", job.element_id));
                }
            };
            let from = self.source.describe();
            let body = json!({"text": message, "channel": channel}).to_string();
            let sent = self
                .client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .timeout(std::time::Duration::from_secs(20))
                .body(body)
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {
                    JobOutcome::complete_with(Variables::from_iter([("delivered".to_owned(), true.into())]))
                }
                Ok(response) => JobOutcome::fail(
                    job,
                    format!("notify task `{}`: the webhook in {from} answered {}", job.element_id, response.status()),
                ),
                Err(error) => JobOutcome::fail(
                    job,
                    format!(
                        "notify task `{}`: the webhook in {from} could not be reached ({})",
                        job.element_id,
                        error.without_url()
                    ),
                ),
            }
        }
    }
}
