//! What the handlers backed by the `forge` REST clients (`azure-devops`, `github`) share: the
//! operation and inputs a job carries ([`Params`]), why a job failed ([`Failure`]) and how that
//! becomes its outcome ([`outcome`]), and the declared output that takes a new id's name.

use serde_json::{Map, Value};
use workers::{Job, JobOutcome, Variables};

use crate::shape::OutputShapes;
use crate::spec::ActionSpec;

/// Why an operation gave no outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Retrying the same job cannot help (bad inputs, a refusal, a missing token): the job
    /// fails with no retries left.
    Final(String),
    /// The service was unavailable or rate-limited after the client's own retries: the job
    /// fails with one retry less, so the engine tries it again later.
    Transient(String),
}

impl From<forge::ForgeError> for Failure {
    fn from(error: forge::ForgeError) -> Self {
        match error {
            forge::ForgeError::Unavailable { .. } | forge::ForgeError::RateLimited { .. } => {
                Self::Transient(error.to_string())
            }
            _ => Self::Final(error.to_string()),
        }
    }
}

/// The outcome of one operation: its outputs, or a failure whose message names the action, the
/// task and the operation.
pub(crate) fn outcome(job: &Job, action: &str, operation: &str, result: Result<Variables, Failure>) -> JobOutcome {
    let context = |message: String| format!("{action} task `{}`, operation `{operation}`: {message}", job.element_id);
    match result {
        Ok(variables) => JobOutcome::complete_with(variables),
        Err(Failure::Final(message)) => JobOutcome::fail_without_retries(context(message)),
        Err(Failure::Transient(message)) => JobOutcome::fail(job, context(message)),
    }
}

/// The operation a job asks for (the `operation` header), checked against `spec`: an unknown
/// one, or one that only runs dry or simulated, is a [`Failure::Final`] that says so.
pub(crate) fn operation<'a>(job: &Job, spec: &'a ActionSpec) -> Result<&'a crate::Operation, Failure> {
    let Some(name) = job.header("operation") else {
        return Err(Failure::Final(job.missing_parameter("operation")));
    };
    let Some(operation) = spec.operation(name) else {
        let known: Vec<&str> = spec.operations.iter().map(|operation| operation.name).collect();
        return Err(Failure::Final(format!(
            "`{name}` is not an operation of {}; use one of: {}",
            spec.name,
            known.join(", ")
        )));
    };
    if !operation.real {
        let real: Vec<&str> = spec.operations.iter().filter(|op| op.real).map(|op| op.name).collect();
        return Err(Failure::Final(format!(
            "operation `{name}` of {} has no real implementation yet; run the workflow without the real {} \
             handler (a dry run, the default) or simulated (`orchestrator run --simulate`); the operations \
             performed for real are: {}",
            spec.name,
            spec.name,
            real.join(", ")
        )));
    }
    Ok(operation)
}

/// The output named by the step's `outputs` header that the operation does not return itself,
/// when there is exactly one (e.g. `BUG_ID` beside `WORK_ITEM_ID`): a new item's id goes there too.
pub(crate) fn single_extra_output(job: &Job, operation: &crate::Operation) -> Option<String> {
    let shapes = OutputShapes::from_header(job.header("outputs")?).ok()?;
    let mut extra =
        shapes.iter().map(|(name, _)| name).filter(|name| !operation.outputs.iter().any(|field| field.name == *name));
    match (extra.next(), extra.next()) {
        (Some(name), None) => Some(name.to_owned()),
        _ => None,
    }
}

/// Outputs from name/value pairs.
pub(crate) fn outputs<const N: usize>(pairs: [(&str, Value); N]) -> Variables {
    pairs.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
}

/// The inputs of an operation step: the job variable `parameters` (the step's `inputs:` mapping).
pub(crate) struct Params(Map<String, Value>);

impl Params {
    /// The job's `parameters`; none is an empty set, anything but an object a [`Failure::Final`].
    pub(crate) fn of(job: &Job) -> Result<Self, Failure> {
        match job.variable("parameters") {
            None | Some(Value::Null) => Ok(Self(Map::new())),
            Some(Value::Object(map)) => Ok(Self(map.clone())),
            Some(other) => Err(Failure::Final(format!(
                "the step's `inputs` must be a mapping of input names to values, found {other}"
            ))),
        }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    fn wrong(name: &str, wanted: &str, found: &Value) -> Failure {
        Failure::Final(format!("input `{name}` must be {wanted}, found {found}; fix the step's `inputs`"))
    }

    /// A text input that may be left out (numbers and booleans read as their JSON text).
    pub(crate) fn optional_text(&self, name: &str) -> Result<Option<String>, Failure> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(value @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(value.to_string())),
            Some(other) => Err(Self::wrong(name, "a text", other)),
        }
    }

    /// A text input the step must give, not empty.
    pub(crate) fn text(&self, name: &str) -> Result<String, Failure> {
        match self.optional_text(name)? {
            Some(text) if !text.trim().is_empty() => Ok(text),
            _ => {
                Err(Failure::Final(format!("input `{name}` is missing or empty; add `{name}:` to the step's `inputs`")))
            }
        }
    }

    /// An id (a whole number ≥ 0, or its digits as text) that may be left out.
    pub(crate) fn optional_id(&self, name: &str) -> Result<Option<u64>, Failure> {
        self.get(name)
            .map(|value| id_of(value).ok_or_else(|| Self::wrong(name, "an id (a whole number)", value)))
            .transpose()
    }

    /// An id the step must give.
    pub(crate) fn id(&self, name: &str) -> Result<u64, Failure> {
        self.optional_id(name)?.ok_or_else(|| {
            Failure::Final(format!("input `{name}` is missing; add `{name}:` (a whole number) to the step's `inputs`"))
        })
    }

    /// A list of texts (a single text counts as a list of one); left out, an empty list.
    pub(crate) fn texts(&self, name: &str) -> Result<Vec<String>, Failure> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::String(text)) => Ok(vec![text.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text.clone()),
                    other => Err(Self::wrong(name, "a list of texts", other)),
                })
                .collect(),
            Some(other) => Err(Self::wrong(name, "a list of texts", other)),
        }
    }

    /// A list of ids (a single id counts as a list of one); left out, an empty list.
    pub(crate) fn ids(&self, name: &str) -> Result<Vec<u64>, Failure> {
        let wanted = "a list of ids (whole numbers)";
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                items.iter().map(|item| id_of(item).ok_or_else(|| Self::wrong(name, wanted, item))).collect()
            }
            Some(value) => Ok(vec![id_of(value).ok_or_else(|| Self::wrong(name, wanted, value))?]),
        }
    }

    /// A yes/no input (`true`/`false`, or those words as text) that may be left out.
    pub(crate) fn flag(&self, name: &str) -> Result<Option<bool>, Failure> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(Value::String(text)) if text == "true" || text == "false" => Ok(Some(text == "true")),
            Some(other) => Err(Self::wrong(name, "true or false", other)),
        }
    }

    /// An object input (e.g. fields by reference name); left out, an empty one.
    pub(crate) fn object(&self, name: &str) -> Result<Map<String, Value>, Failure> {
        match self.get(name) {
            None => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(other) => Err(Self::wrong(name, "a mapping", other)),
        }
    }
}

/// A whole number ≥ 0 from a JSON number (FEEL gives `12` or `12.0`) or its digits as text
/// (`"12"`, `"#12"`).
fn id_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number
            .as_u64()
            .or_else(|| number.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15).map(|f| f as u64)),
        Value::String(text) => text.trim().trim_start_matches('#').parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn params(value: Value) -> Params {
        Params(value.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn ids_read_from_numbers_floats_and_digits_and_refuse_the_rest() {
        let p = params(json!({"a": 12, "b": 7.0, "c": "#41", "d": "x1", "e": [1, "2"], "f": -3}));
        assert_eq!((p.id("a"), p.id("b"), p.id("c")), (Ok(12), Ok(7), Ok(41)));
        assert_eq!(p.ids("e"), Ok(vec![1, 2]));
        let Err(Failure::Final(message)) = p.id("d") else { panic!("x1 is not an id") };
        assert!(message.contains("input `d` must be an id") && message.contains("\"x1\""), "{message}");
        assert!(p.id("f").is_err());
        let Err(Failure::Final(message)) = p.id("zz") else { panic!("missing") };
        assert!(message.contains("input `zz` is missing"), "{message}");
    }

    #[test]
    fn texts_flags_and_objects_check_their_shape() {
        let p = params(json!({"t": "  ", "n": 3, "l": ["a", 1], "one": "r", "b": "true", "o": 1}));
        assert!(matches!(p.text("t"), Err(Failure::Final(m)) if m.contains("missing or empty")));
        assert_eq!(p.text("n"), Ok("3".into()));
        assert_eq!(p.texts("one"), Ok(vec!["r".to_owned()]));
        assert!(matches!(p.texts("l"), Err(Failure::Final(m)) if m.contains("a list of texts")));
        assert_eq!(p.flag("b"), Ok(Some(true)));
        assert!(matches!(p.object("o"), Err(Failure::Final(m)) if m.contains("a mapping")));
    }

    #[test]
    fn exhausted_retries_fail_with_retries_and_refusals_without() {
        let unavailable = forge::ForgeError::Unavailable {
            service: "Azure DevOps",
            operation: "get work item 1".into(),
            attempts: 4,
            last: "HTTP 503".into(),
        };
        assert!(matches!(Failure::from(unavailable), Failure::Transient(m) if m.contains("after 4 attempts")));
        let refused = forge::ForgeError::Api {
            service: "Azure DevOps",
            status: 400,
            operation: "create Bug".into(),
            message: "TF401320".into(),
            hint: "fix it".into(),
        };
        assert!(matches!(Failure::from(refused), Failure::Final(m) if m.contains("TF401320")));
        let job = workers::Job {
            job_type: "azure-devops".into(),
            key: 1,
            element_id: "wi".into(),
            element_instance_key: 1,
            bpmn_process_id: "p".into(),
            process_definition_key: 1,
            process_instance_key: 1,
            variables: Variables::new(),
            custom_headers: Default::default(),
            retries: 3,
            deadline: chrono::DateTime::<chrono::Utc>::MAX_UTC,
            worker: "t".into(),
        };
        let retried = outcome(&job, "azure-devops", "get-work-item", Err(Failure::Transient("down".into())));
        assert!(matches!(retried, JobOutcome::Fail { retries: 2, ref message, .. }
            if message == "azure-devops task `wi`, operation `get-work-item`: down"));
    }
}
