//! What the job of an `ad-hoc` step offers and has done: the tools in
//! `adHocSubProcessElements`, the tools finished so far in `toolCallResults`, and the
//! activation that runs one tool. The agent, the simulation and the dry run read a job through
//! this one place.

use serde_json::{Value, json};
use workers::{Activation, Job, Variables};

/// One tool on offer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tool {
    /// The element id.
    pub id: String,
    /// Its name, or empty.
    pub name: String,
    /// Its documentation, or empty.
    pub documentation: String,
    /// The step whose outputs it writes (property `step`, else its id).
    pub step: String,
}

impl Tool {
    /// The activation that runs this tool, with `toolCall {id: call, name, step}`.
    pub fn activation(&self, call: &str) -> Activation {
        let tool_call = json!({"id": call, "name": self.id, "step": self.step});
        Activation {
            element_id: self.id.clone(),
            variables: Variables::from_iter([("toolCall".to_owned(), tool_call)]),
        }
    }
}

/// The tools the job offers, in model order.
pub(crate) fn offered(job: &Job) -> Vec<Tool> {
    let elements = job.variable("adHocSubProcessElements").and_then(Value::as_array);
    elements
        .into_iter()
        .flatten()
        .filter_map(|element| {
            let id = element.get("elementId")?.as_str()?.to_owned();
            let text = |key: &str| element.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
            let step = element.pointer("/properties/step").and_then(Value::as_str).unwrap_or(&id).to_owned();
            Some(Tool { name: text("elementName"), documentation: text("documentation"), step, id })
        })
        .collect()
}

/// The results of the tools finished so far (`toolCallResults`).
pub(crate) fn results(job: &Job) -> Vec<Value> {
    job.variable("toolCallResults").and_then(Value::as_array).cloned().unwrap_or_default()
}
