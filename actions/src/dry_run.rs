//! The `dry-run` action: say what a compiled workflow's job would do, instead of doing it.
//!
//! The job types are those `yaml-to-bpmn` emits: `shell-command` (header `commandTemplate` with
//! `{{tN}}` placeholders whose values are the job variables `tN`), `git-operation`,
//! `azure-devops` and `github` (header `operation`, variable `parameters` or `items`), `log` (variable
//! `message`, header `level`), `notify` (header `type`, header or variable `target` or variable
//! `channel`, variable `message`), `llm` (header `persona`, variable `prompt`), and the RACI and
//! SLA jobs `approve` (variable `approver`), `consult` (variable `consultant`) and `escalate`
//! (headers `kind`, `escalateTo`, `stepId` or `scope`, `sla`), all with header `stepId`.

use async_trait::async_trait;
use serde_json::Value;

use workers::{Job, JobHandler, JobOutcome, Variables};

/// Logs (at `info`, with the element id, process instance and the task's `persona` header) what
/// the job would do, as [`describe_job`] renders it, and completes without variables: the
/// persona actions of a workflow run end to end with no side effect.
#[derive(Debug, Clone, Copy, Default)]
pub struct DryRunHandler;

#[async_trait]
impl JobHandler for DryRunHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let (element_id, instance) = (job.element_id.as_str(), job.process_instance_key);
        let persona = job.header("persona").unwrap_or_default();
        tracing::info!(element_id, instance, persona, "{}", describe_job(job));
        if job.job_type == crate::catalogue::agent::JOB_TYPE {
            // An agent's tools change things; a dry run asks nobody and runs none of them.
            return JobOutcome::Decide {
                variables: Variables::new(),
                decision: workers::AdHocDecision::Done { cancel_remaining: true },
            };
        }
        JobOutcome::complete()
    }
}

/// One line (or, for a multi-line command, several) saying what the job would do.
pub fn describe_job(job: &Job) -> String {
    let variable = |name: &str| job.variable(name).filter(|v| !v.is_null());
    let named = |name: &str, nobody: &str| variable(name).map_or_else(|| nobody.to_owned(), text);
    let step = job.header("stepId").or_else(|| job.header("scope")).unwrap_or(&job.element_id);
    match job.job_type.as_str() {
        "shell-command" => {
            let template = job.header("commandTemplate").unwrap_or_default();
            format!("would run: {}", fill_placeholders(template, |slot| job.variable(slot)).trim_end())
        }
        "git-operation" | "azure-devops" | "github" => {
            let operation = job.header("operation").unwrap_or("(no operation)");
            let parameters = variable("parameters").or_else(|| variable("items"));
            match parameters {
                Some(parameters) => format!("would call {} {operation} with {parameters}", job.job_type),
                None => format!("would call {} {operation}", job.job_type),
            }
        }
        "log" => {
            let level = job.header("level").unwrap_or("info");
            let message = variable("message").map(text).unwrap_or_default();
            format!("log [{level}]: {message}")
        }
        "notify" => {
            let kind = job.header("type").map(|kind| format!(" via {kind}")).unwrap_or_default();
            let target = job
                .header("target")
                .map(str::to_owned)
                .or_else(|| variable("target").or(variable("channel")).map(text));
            let target = target.map(|target| format!(" {target}")).unwrap_or_default();
            let message = variable("message").map(|m| format!(": {}", text(m))).unwrap_or_default();
            format!("would notify{kind}{target}{message}")
        }
        "llm" => {
            let persona = job.header("persona").unwrap_or("a persona");
            format!("would ask {persona} ({step}): {}", variable("prompt").map(text).unwrap_or_default())
                .trim_end()
                .to_owned()
        }
        "agent" => {
            let persona = job.header("persona").unwrap_or("a persona");
            let tools: Vec<String> = crate::offer::offered(job).into_iter().map(|tool| tool.id).collect();
            let goal = variable("prompt").map(text).unwrap_or_default();
            format!("would let {persona} ({step}) choose among {}: {goal}", tools.join(", ")).trim_end().to_owned()
        }
        "approve" => format!("would ask {} to approve {step}", named("approver", "an approver")),
        "consult" => format!("would consult {} on {step}", named("consultant", "a consultant")),
        "escalate" => {
            let kind = job.header("kind").unwrap_or("escalation");
            let to = job.header("escalateTo").unwrap_or("(nobody named)");
            let sla = job.header("sla").map(|sla| format!(", SLA {sla}")).unwrap_or_default();
            format!("would escalate {kind} of {step} to {to}{sla}")
        }
        other => format!("job of type {other} at {}", job.element_id),
    }
}

/// Replaces each `{{name}}` whose name `value_of` knows by that value (text as is, null as
/// nothing, anything else as JSON); other text, unknown names included, stays as it is.
pub fn fill_placeholders<'v>(template: &str, value_of: impl Fn(&str) -> Option<&'v Value>) -> String {
    let mut filled = String::with_capacity(template.len());
    for_each_part(
        template,
        |name| value_of(name).is_some(),
        |part| match part {
            Part::Text(text) => filled.push_str(text),
            Part::Slot(name) => filled.push_str(&value_of(name).map(text).unwrap_or_default()),
        },
    );
    filled
}

/// A piece of a command template: text, or a placeholder whose name is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part<'t> {
    /// Template text (an unknown placeholder included), to keep as it is.
    Text(&'t str),
    /// A `{{name}}` placeholder whose name `known` accepted: the name.
    Slot(&'t str),
}

/// Walks `template` in order, handing `part` its text and each `{{name}}` whose name is
/// `known`; a `{{` that opens no known placeholder is text.
pub(crate) fn for_each_part<'t>(template: &'t str, known: impl Fn(&str) -> bool, mut part: impl FnMut(Part<'t>)) {
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let (before, from_open) = rest.split_at(open);
        if !before.is_empty() {
            part(Part::Text(before));
        }
        let after_open = &from_open[2..];
        let slot = after_open.find("}}").map(|close| (&after_open[..close], &after_open[close + 2..]));
        match slot.filter(|(name, _)| known(name)) {
            Some((name, remainder)) => {
                part(Part::Slot(name));
                rest = remainder;
            }
            None => {
                part(Part::Text(&from_open[..2]));
                rest = after_open;
            }
        }
    }
    if !rest.is_empty() {
        part(Part::Text(rest));
    }
}

/// A value as it appears in text: strings without quotes, null as nothing, the rest as JSON.
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use workers::testing::Capture;
    use workers::testing::job;

    #[test]
    fn placeholders_are_filled_by_name_and_unknown_ones_kept() {
        let values = json!({"t0": "WI-42", "t1": 3, "t2": null});
        let filled = fill_placeholders("echo {{t0}} {{t1}}x{{t2}} {{t9}} {{ unclosed", |n| values.get(n));
        assert_eq!(filled, "echo WI-42 3x {{t9}} {{ unclosed");
    }

    #[test]
    fn text_without_placeholders_is_unchanged() {
        assert_eq!(fill_placeholders("echo ${HOME} }} {", |_| None), "echo ${HOME} }} {");
    }

    #[test]
    fn each_persona_action_is_described_from_its_headers_and_variables() {
        let cases = [
            (
                job("shell-command", &[("commandTemplate", "git checkout {{t0}}")], json!({"t0": "main"})),
                "would run: git checkout main",
            ),
            (
                job("git-operation", &[("operation", "push")], json!({"parameters": {"force": false}})),
                r#"would call git-operation push with {"force":false}"#,
            ),
            (job("azure-devops", &[], json!({"items": null})), "would call azure-devops (no operation)"),
            (
                job("github", &[("operation", "create-issue")], json!({"parameters": {"title": "Deploy failed"}})),
                r#"would call github create-issue with {"title":"Deploy failed"}"#,
            ),
            (job("log", &[("level", "warn")], json!({"message": "late"})), "log [warn]: late"),
            (job("notify", &[("type", "slack")], json!({"target": "#ops"})), "would notify via slack #ops"),
            (
                job("notify", &[], json!({"channel": "#releases", "message": "Released 1.2"})),
                "would notify #releases: Released 1.2",
            ),
            (
                job("llm", &[("stepId", "plan"), ("persona", "architect")], json!({"prompt": "Plan WI-42"})),
                "would ask architect (plan): Plan WI-42",
            ),
            (
                job("approve", &[("stepId", "design")], json!({"approver": "security-architect"})),
                "would ask security-architect to approve design",
            ),
            (job("consult", &[], json!({"consultant": "dba"})), "would consult dba on task-1"),
            (
                job(
                    "escalate",
                    &[("kind", "sla-breach"), ("scope", "build"), ("sla", "4h"), ("escalateTo", "sre")],
                    json!({}),
                ),
                "would escalate sla-breach of build to sre, SLA 4h",
            ),
            (job("other", &[], json!({})), "job of type other at task-1"),
        ];
        for (job, expected) in cases {
            assert_eq!(describe_job(&job), expected);
        }
    }

    #[tokio::test]
    async fn the_handler_logs_the_description_with_the_persona_and_completes_empty() {
        let capture = Capture::default();
        let _default = tracing::subscriber::set_default(capture.clone());
        let job = job("notify", &[("type", "email"), ("target", "dev@x"), ("persona", "reviewer")], json!({}));
        assert_eq!(DryRunHandler.handle(&job).await, JobOutcome::complete());
        let logged = capture.events();
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].field("message"), Some("would notify via email dev@x"));
        assert_eq!(logged[0].field("persona"), Some("reviewer"));
    }
}
