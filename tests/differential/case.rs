//! What one differential run is: the models, the steps that drive them, and how the scripted
//! workers answer jobs. The same [`Case`] runs on both engines.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

/// A variables document.
pub type Variables = Map<String, Value>;

/// What the scripted worker sees of a job; identical on both engines.
pub struct JobView<'a> {
    /// The BPMN process id.
    pub process_id: &'a str,
    /// The task's element id.
    pub element_id: &'a str,
    /// The `stepId` custom header (compiled seed workflows set it), if any.
    pub step_id: Option<&'a str>,
    /// Remaining retries.
    pub retries: i32,
    /// The variables the job carries.
    pub variables: &'a Variables,
}

/// How the scripted worker answers a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Complete with these variables.
    Complete(Variables),
    /// Throw a BPMN error with this code and these variables.
    Throw { code: String, variables: Variables },
    /// Fail with these retries left.
    Fail { retries: i32, message: String },
    /// Keep the job activated and do nothing.
    Leave,
    /// Complete an ad-hoc sub-process's job with a decision.
    Decide { variables: Variables, decision: workers::AdHocDecision },
}

/// The answers of a case's scripted worker.
pub type Replies = Arc<dyn Fn(&JobView) -> Reply + Send + Sync>;

/// Completes every job without variables.
pub fn complete_all() -> Replies {
    Arc::new(|_: &JobView| Reply::Complete(Variables::new()))
}

/// One thing the driver does, the same way on both engines. Every step ends when the engine has
/// processed all it caused.
#[derive(Debug, Clone)]
pub enum Step {
    /// Starts the latest version of a process.
    Start { process: String, variables: Variables },
    /// Answers every activatable job (of the models' job types), round after round, until none
    /// is left; timers are not touched.
    Work,
    /// Like [`Step::Work`], and when no job is left moves the clock to the next due timer, until
    /// every started instance has ended, an incident is open, nothing is pending, or `limit`
    /// jobs and timer jumps were done.
    RunToEnd { limit: usize },
    /// Moves the clock forward and fires what fell due.
    Advance(Duration),
    /// Publishes a message.
    Publish { name: String, correlation_key: String, ttl: Duration, message_id: String, variables: Variables },
    /// Broadcasts a signal.
    Signal { name: String, variables: Variables },
    /// Sets variables on the first started instance (not local: they go where the names exist).
    SetVariables(Variables),
    /// Resolves every open incident; a job incident first gets one retry.
    RetryAndResolve,
    /// Answers, with this reply, the jobs of the element `element` that the worker left alone
    /// ([`Reply::Leave`]) in an earlier round: work that takes a while, as when a job is still
    /// running while the clock moves past a deadline.
    Answer { element: String, reply: Reply },
}

/// One differential run: deployed on a fresh engine (embedded) or beside earlier cases (Zeebe;
/// process ids and message names are unique per case so earlier cases cannot interfere).
#[derive(Clone)]
pub struct Case {
    /// How the case is reported (`wf3-branch-creation`, `item 43 ...`).
    pub name: String,
    /// The resources to deploy: name and BPMN XML.
    pub resources: Vec<(String, String)>,
    /// What the driver does, in order.
    pub steps: Vec<Step>,
    /// The scripted worker.
    pub replies: Replies,
}

/// A JSON object literal as a variables document (anything else is empty).
pub fn vars(value: Value) -> Variables {
    match value {
        Value::Object(map) => map,
        _ => Variables::new(),
    }
}
