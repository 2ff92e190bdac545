//! What an action is: [`ActionSpec`], its [`Field`]s and [`Operation`]s.

use std::time::Duration;

use serde::Serialize;

use crate::shape::Shape;

/// One built-in action: what a workflow step writes as `action:`, and everything the compiler,
/// the runtimes and the tools need to know about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionSpec {
    /// The name a step gives in `action:`, e.g. `shell-command`.
    pub name: &'static str,
    /// The job type of its service tasks (the `zeebe:taskDefinition type`).
    pub job_type: &'static str,
    /// Whether a step names it in `action:`; false for the jobs the compiler makes from RACI
    /// and SLAs (`approve`, `consult`, `escalate`).
    pub in_steps: bool,
    /// One line on what it does.
    pub summary: &'static str,
    /// The keys a step of this action writes beside `action:` (e.g. `command`), in order.
    pub fields: Vec<Field>,
    /// The outputs every job of this action returns, whatever the step declares.
    pub outputs: Vec<Field>,
    /// The operations a step picks with `operation:`; empty when the action has none.
    pub operations: Vec<Operation>,
    /// What running it for real changes.
    pub effects: Effects,
    /// How long one job may take before its lock runs out.
    #[serde(with = "seconds")]
    pub timeout: Duration,
    /// How often a failed job is tried in all, unless the step says `retryCount`.
    pub retries: u32,
}

/// One input or output of an action or operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Its key.
    pub name: &'static str,
    /// What it holds.
    pub shape: Shape,
    /// Whether a step must give it (inputs only).
    pub required: bool,
    /// One line on what it means.
    pub summary: &'static str,
}

impl Field {
    /// An input a step must give.
    pub fn required(name: &'static str, shape: Shape, summary: &'static str) -> Self {
        Self { name, shape, required: true, summary }
    }

    /// An input a step may give, or an output.
    pub fn optional(name: &'static str, shape: Shape, summary: &'static str) -> Self {
        Self { name, shape, required: false, summary }
    }
}

/// One operation of an action with operations (`git-operation`, `azure-devops`, `github`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// The name a step gives in `operation:`.
    pub name: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// The keys of the step's `inputs:` mapping.
    pub inputs: Vec<Field>,
    /// The outputs it returns.
    pub outputs: Vec<Field>,
    /// What running it for real changes.
    pub effects: Effects,
    /// True when the action's real handler performs it; the others run only dry or simulated.
    pub real: bool,
}

impl Operation {
    /// An operation with no inputs or outputs yet; add them with [`input`](Self::input),
    /// [`optional`](Self::optional) and [`output`](Self::output).
    pub fn new(name: &'static str, effects: Effects, summary: &'static str) -> Self {
        Self { name, summary, inputs: Vec::new(), outputs: Vec::new(), effects, real: false }
    }

    /// Marks it as performed for real by the action's handler.
    pub fn real(mut self) -> Self {
        self.real = true;
        self
    }

    /// Adds a required input.
    pub fn input(mut self, name: &'static str, shape: Shape, summary: &'static str) -> Self {
        self.inputs.push(Field::required(name, shape, summary));
        self
    }

    /// Adds an optional input.
    pub fn optional(mut self, name: &'static str, shape: Shape, summary: &'static str) -> Self {
        self.inputs.push(Field::optional(name, shape, summary));
        self
    }

    /// Adds an output.
    pub fn output(mut self, name: &'static str, shape: Shape, summary: &'static str) -> Self {
        self.outputs.push(Field::optional(name, shape, summary));
        self
    }
}

/// What running an action for real changes; dry-run and simulate modes change nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effects {
    /// Nothing outside the process: it only reads or computes.
    None,
    /// The project's workspace (files, the local git repository).
    Workspace,
    /// Systems outside this machine (a model provider, a git remote, GitHub, Azure DevOps, a
    /// chat webhook), and possibly money.
    External,
}

impl Effects {
    /// A word for tables.
    pub fn word(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Workspace => "workspace",
            Self::External => "external",
        }
    }
}

impl ActionSpec {
    /// The operation called `name`, if the action has it.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|operation| operation.name == name)
    }

    /// The step field called `name`, if the action has it.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.name == name)
    }
}

/// Durations as whole seconds in JSON.
mod seconds {
    use std::time::Duration;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(duration.as_secs())
    }
}
