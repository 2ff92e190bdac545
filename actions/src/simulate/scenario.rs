//! [`Scenario`]: what a simulation is told: its seed, how likely the random answers are, and
//! the outcomes scripted for particular steps.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use workers::Variables;

/// The configuration of a [`SimulateHandler`](super::SimulateHandler), readable from YAML or
/// JSON with serde:
///
/// ```yaml
/// seed: 7
/// chances: {boolean: 0.6, approve: 0.7, veto: 0.1}
/// durations: {llm: 45m, approve: 4h}     # work time by job type, on a virtual clock
/// steps:
///   review-design/security-architect:     # one approver of the step's approval
///     - {approved: false, veto: true, reason: "no threat model"}
///     - {approved: true}
///   run-build:                            # the step's own job
///     - {error: BUILD_FAILED}
///     - {error: BUILD_FAILED}
///     - {}
/// ```
///
/// A key under `steps` is a step id (the job's `stepId` header, else its element id) and
/// scripts the step's own job. The jobs a step raises around its work are scripted with
/// `<step>/<approver>` or `<step>/<consultant>` (one voter), or `<step>/approve`,
/// `<step>/consult`, `<step>/escalate` (all of that kind); an SLA escalation's step is its
/// `scope` header. The n-th time a job is served it takes the n-th outcome, the last one
/// repeating.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The seed of every random value (default 0).
    #[serde(default)]
    pub seed: u64,
    /// How likely the random answers are.
    #[serde(default)]
    pub chances: Chances,
    /// How long a job of each type takes, where engine time is simulated too (over the
    /// defaults of [`work_time`](Self::work_time)).
    #[serde(default)]
    pub durations: BTreeMap<String, WorkTime>,
    /// Scripted outcomes by step id (see above).
    #[serde(default)]
    pub steps: BTreeMap<String, Script>,
}

impl Scenario {
    /// How long a job of `job_type` takes: the scenario's `durations`, else 30m for `llm`, 10m
    /// for `shell-command`, 2m for `git-operation`, 5m for `azure-devops`, 1m for `notify`, 2h
    /// for `approve`, 1h for `consult`, 15m for `escalate`, nothing for other types.
    pub fn work_time(&self, job_type: &str) -> Duration {
        if let Some(time) = self.durations.get(job_type) {
            return time.0;
        }
        let minutes = match job_type {
            "llm" => 30,
            "shell-command" => 10,
            "git-operation" => 2,
            "azure-devops" => 5,
            "notify" => 1,
            "approve" => 120,
            "consult" => 60,
            "escalate" => 15,
            _ => 0,
        };
        Duration::from_secs(minutes * 60)
    }
}

/// A work time, written `<whole number><unit>` with unit `s`, `m`, `h` or `d` (`45m`, `2h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct WorkTime(Duration);

impl TryFrom<String> for WorkTime {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let refused = || format!("a work time is a whole number and a unit s, m, h or d, like 45m or 2h, not '{text}'");
        let split = text.len().saturating_sub(1);
        let (number, unit) = (text.get(..split).ok_or_else(refused)?, text.get(split..).ok_or_else(refused)?);
        let number: u64 = number.parse().map_err(|_| refused())?;
        let seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(refused()),
        };
        Ok(Self(Duration::from_secs(number.saturating_mul(seconds))))
    }
}

/// The probabilities of the random answers.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Chances {
    /// That a `boolean` output is true (default 0.6).
    pub boolean: Probability,
    /// That an approver approves (default 0.7).
    pub approve: Probability,
    /// That an approver allowed to veto (named in the job's `veto` header) vetoes (default 0.1).
    pub veto: Probability,
}

impl Default for Chances {
    fn default() -> Self {
        Self { boolean: Probability(0.6), approve: Probability(0.7), veto: Probability(0.1) }
    }
}

/// A probability: a number from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub struct Probability(f64);

impl Probability {
    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Probability {
    type Error = String;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        if (0.0..=1.0).contains(&value) {
            Ok(Self(value))
        } else {
            Err(format!("a chance is a number from 0 to 1, not {value}"))
        }
    }
}

/// The outcomes scripted for one key, in the order the job's occurrences take them; never
/// empty.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Vec<Scripted>")]
pub struct Script(Vec<Scripted>);

impl Script {
    /// The outcome of the `occurrence`-th job (from 0): that entry, or the last one after the
    /// end.
    pub fn outcome(&self, occurrence: u64) -> &Scripted {
        let index = usize::try_from(occurrence).unwrap_or(usize::MAX).min(self.0.len() - 1);
        &self.0[index]
    }
}

impl TryFrom<Vec<Scripted>> for Script {
    type Error = &'static str;

    fn try_from(outcomes: Vec<Scripted>) -> Result<Self, Self::Error> {
        if outcomes.is_empty() {
            Err("a step's script needs at least one outcome, for example [{}] to complete with random values")
        } else {
            Ok(Self(outcomes))
        }
    }
}

/// One scripted outcome, written as a map: `{error: CODE, ...}` throws the BPMN error `CODE`
/// (the other entries are the error's variables), `{fail: MESSAGE}` fails the job (it is retried
/// while retries are left), anything else completes the job with these variables merged over
/// the random ones.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Variables")]
pub enum Scripted {
    /// Complete, with these variables over the random ones.
    Complete(Variables),
    /// Throw a BPMN error.
    Error {
        /// The error code.
        code: String,
        /// The variables sent with the error.
        variables: Variables,
    },
    /// Fail the job with this message.
    Fail(String),
}

impl TryFrom<Variables> for Scripted {
    type Error = String;

    fn try_from(mut entry: Variables) -> Result<Self, String> {
        let text = |key: &str, value: Value| match value {
            Value::String(text) if !text.trim().is_empty() => Ok(text),
            other => Err(format!("`{key}` takes a non-empty text, not {other}")),
        };
        match (entry.remove("error"), entry.remove("fail")) {
            (Some(_), Some(_)) => Err("an outcome has either `error` or `fail`, not both".into()),
            (Some(code), None) => Ok(Self::Error { code: text("error", code)?, variables: entry }),
            (None, Some(message)) if entry.is_empty() => Ok(Self::Fail(text("fail", message)?)),
            (None, Some(_)) => Err("a `fail` outcome takes only its message; remove the other entries".into()),
            (None, None) => Ok(Self::Complete(entry)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn scenario(value: Value) -> Result<Scenario, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn a_scenario_reads_its_seed_chances_and_scripts() {
        let read = scenario(json!({
            "seed": 7,
            "chances": {"veto": 0.5},
            "durations": {"llm": "45m", "approve": "1d"},
            "steps": {"build": [{"error": "BUILD_FAILED", "log": "x"}, {"fail": "disk full"}, {"OK": true}]}
        }));
        let Ok(read) = read else { panic!("{read:?}") };
        assert_eq!(read.seed, 7);
        assert_eq!((read.chances.veto.get(), read.chances.approve.get()), (0.5, 0.7));
        let minutes = |job_type| read.work_time(job_type).as_secs() / 60;
        assert_eq!(
            [minutes("llm"), minutes("approve"), minutes("shell-command"), minutes("set-variable")],
            [45, 1440, 10, 0]
        );
        let script = &read.steps["build"];
        let code = |occurrence| match script.outcome(occurrence) {
            Scripted::Error { code, variables } => format!("{code} {}", Value::Object(variables.clone())),
            Scripted::Fail(message) => format!("fail {message}"),
            Scripted::Complete(variables) => Value::Object(variables.clone()).to_string(),
        };
        assert_eq!(
            [code(0), code(1), code(2), code(9)],
            [r#"BUILD_FAILED {"log":"x"}"#, "fail disk full", r#"{"OK":true}"#, r#"{"OK":true}"#]
        );
    }

    #[test]
    fn bad_entries_are_refused_with_what_to_write() {
        let cases = [
            (json!({"steps": {"a": []}}), "at least one outcome"),
            (json!({"steps": {"a": [{"error": "E", "fail": "m"}]}}), "not both"),
            (json!({"steps": {"a": [{"fail": "m", "X": 1}]}}), "only its message"),
            (json!({"steps": {"a": [{"error": 3}]}}), "`error` takes a non-empty text"),
            (json!({"chances": {"boolean": 1.5}}), "from 0 to 1"),
            (json!({"durations": {"llm": "30 minutes"}}), "like 45m or 2h, not '30 minutes'"),
            (json!({"durations": {"llm": "h"}}), "not 'h'"),
            (json!({"sead": 1}), "unknown field `sead`"),
        ];
        for (value, expected) in cases {
            let refused = scenario(value.clone());
            assert!(refused.as_ref().is_err_and(|e| e.contains(expected)), "{value}: {refused:?}");
        }
    }
}
