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

/// The settings section `notify`: the environment variable that holds the webhook URL (a
/// secret: whoever has it can post).
#[cfg(feature = "run")]
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifySettings {
    webhook_url_env: String,
}

/// The webhook handler, when the settings name the variable that holds its URL.
#[cfg(feature = "run")]
pub(crate) fn handler(
    settings: &crate::Settings,
) -> Result<Option<std::sync::Arc<dyn workers::JobHandler>>, crate::SettingsError> {
    let Some(section) = settings.section::<NotifySettings>(JOB_TYPE)? else { return Ok(None) };
    Ok(Some(std::sync::Arc::new(webhook::WebhookNotifier::new(section.webhook_url_env))))
}

#[cfg(feature = "run")]
pub(crate) mod webhook {
    //! [`WebhookNotifier`]: the notification posted, and logged.

    use async_trait::async_trait;
    use serde_json::json;
    use workers::{Job, JobHandler, JobOutcome, Variables};

    /// Posts `{text, channel}` to the URL in an environment variable, read at each job so a
    /// rotated URL is picked up; the URL never appears in logs or errors.
    #[derive(Debug)]
    pub struct WebhookNotifier {
        url_env: String,
        client: reqwest::Client,
    }

    impl WebhookNotifier {
        /// A notifier whose webhook URL is in the environment variable `url_env`.
        pub fn new(url_env: String) -> Self {
            Self { url_env, client: reqwest::Client::new() }
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
            let Ok(url) = std::env::var(&self.url_env) else {
                return JobOutcome::fail_without_retries(format!(
                    "notify task `{}`: the environment variable {} (the webhook URL) is not set; set it for the worker",
                    job.element_id, self.url_env
                ));
            };
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
                    format!("notify task `{}`: the webhook in {} answered {}", job.element_id, self.url_env, response.status()),
                ),
                Err(error) => JobOutcome::fail(
                    job,
                    format!(
                        "notify task `{}`: the webhook in {} could not be reached ({})",
                        job.element_id,
                        self.url_env,
                        error.without_url()
                    ),
                ),
            }
        }
    }
}
