//! The dialect's abstract syntax: a workflow as the YAML says it, with positions kept.

use crate::diagnostic::Pos;
use crate::yaml::Node;

/// A string from the source and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Where the scalar starts.
    pub pos: Pos,
}

/// One workflow file.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    /// `metadata`.
    pub metadata: Metadata,
    /// `inputs`.
    pub inputs: Vec<Input>,
    /// `prerequisites`.
    pub prerequisites: Vec<Prerequisite>,
    /// `steps`.
    pub steps: Vec<Step>,
    /// Workflow `outputs`.
    pub outputs: Vec<WorkflowOutput>,
    /// `successCriteria` (prose).
    pub success_criteria: Vec<String>,
    /// `errorHandling`, when given.
    pub error_handling: Option<ErrorHandling>,
    /// The workflow's SLA: top-level `sla:`, or the seeds' `metadata.sla`.
    pub sla: Option<Sla>,
    /// `schedule:`: when the workflow also starts by itself.
    pub schedule: Option<Schedule>,
}

/// `schedule:`: a timer start event beside the none start.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Which timer form.
    pub kind: ScheduleKind,
    /// The value as written: `R/PT1H`, `0 0 2 * * *` or a date-time.
    pub value: String,
    /// Where the value starts.
    pub pos: Pos,
}

/// The forms of `schedule:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    /// `cycle:` an ISO-8601 repeating interval (a BPMN `timeCycle`).
    Cycle,
    /// `cron:` Zeebe's six-field cron (also a BPMN `timeCycle`).
    Cron,
    /// `date:` once at a date-time (a BPMN `timeDate`).
    Date,
}

/// `metadata`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// `id`: the process id and the name `execute-workflow` calls.
    pub id: Text,
    /// `name`.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `persona_info.type`, when given: the persona whose workflow this is.
    pub persona: Option<Text>,
    /// `metadata.sla` (a duration whose breach escalates), when given.
    pub sla: Option<Sla>,
    /// Every other metadata field, flattened to `name = value` text (lists joined by `, `).
    pub properties: Vec<(String, String)>,
}

/// The declared type of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// `string`.
    String,
    /// `enum` (with `values`).
    Enum,
    /// `boolean`.
    Boolean,
    /// `number`.
    Number,
    /// `array`.
    Array,
    /// `object`.
    Object,
}

/// One declared input.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// `name`.
    pub name: String,
    /// `type`.
    pub ty: InputType,
    /// `values` of an enum.
    pub values: Vec<String>,
    /// `default`, when given.
    pub default: Option<Node>,
    /// `required` (a default makes a required input optional for callers).
    pub required: bool,
    /// Where the declaration starts.
    pub pos: Pos,
}

impl Input {
    /// True when a caller must pass this input.
    pub fn must_be_passed(&self) -> bool {
        self.required && self.default.is_none()
    }
}

/// One prerequisite (documentation only).
#[derive(Debug, Clone, PartialEq)]
pub struct Prerequisite {
    /// `description`.
    pub description: String,
    /// `required`.
    pub required: bool,
    /// `check`, a shell command, when given.
    pub check: Option<String>,
}

/// One workflow output.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowOutput {
    /// `name`.
    pub name: String,
    /// `value` (a template or literal).
    pub value: Node,
}

/// `errorHandling`.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorHandling {
    /// `strategy`.
    pub strategy: Strategy,
    /// `onFailure` steps.
    pub on_failure: Vec<Step>,
    /// `notifications`.
    pub notifications: Vec<Notification>,
}

/// What happens after the `onFailure` steps ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// `fail-fast` (also the default).
    FailFast,
    /// `rollback`.
    Rollback,
    /// `retry`.
    Retry,
    /// `continue-on-error`.
    ContinueOnError,
    /// `escalate`.
    Escalate,
}

/// One `notifications` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `type` (log, slack, email, ...).
    pub kind: String,
    /// `target` (may hold templates).
    pub target: Text,
}

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The `id`, or a deterministic path id for anonymous steps (`parent__s0`, `parent__b1__s0`).
    pub id: String,
    /// True when the id was written in the YAML.
    pub explicit_id: bool,
    /// `name`.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Declared `outputs`.
    pub outputs: Vec<Text>,
    /// `onError` (static or a template).
    pub on_error: Option<Text>,
    /// A guard `condition` on a step that is not a conditional.
    pub guard: Option<Text>,
    /// `retryCount` / `maxRetries`.
    pub retries: Option<u32>,
    /// `raci:` (and the `persona:` shorthand for its `responsible`).
    pub raci: Option<Raci>,
    /// `human: true`: a person does the work, as a user task.
    pub human: bool,
    /// The shapes of the typed `outputs` entries (`- NAME: boolean`), by name.
    pub shapes: Vec<(String, actions::Shape)>,
    /// Where the step's mapping starts.
    pub pos: Pos,
    /// What the step does.
    pub action: Action,
}

/// One branch of a switch-form conditional.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The branch test applied to the subject.
    pub test: BranchTest,
    /// Where the branch starts.
    pub pos: Pos,
    /// The branch's steps.
    pub steps: Vec<Step>,
}

/// A branch condition: an operator and a literal, applied to the switch subject.
#[derive(Debug, Clone, PartialEq)]
pub enum BranchTest {
    /// `eq 'x'` (and a bare word).
    Eq(String),
    /// `neq 'x'` / `ne 'x'`.
    Ne(String),
    /// `contains 'x'`.
    Contains(String),
}

/// What a step does, per `action`.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `shell-command`.
    Shell {
        /// `command`.
        command: Text,
    },
    /// An action with operations (`git-operation`, `azure-devops`, ...): a job with an
    /// operation and parameters.
    Operation {
        /// The action's job type, from the catalogue.
        job_type: &'static str,
        /// `operation`.
        operation: String,
        /// `inputs` (a mapping, or a list for `create-work-items`).
        parameters: Option<Node>,
    },
    /// `log`.
    Log {
        /// `message`.
        message: Text,
        /// `level`.
        level: Option<String>,
    },
    /// `execute-workflow`.
    Call {
        /// `workflow`: the callee's `metadata.id`.
        workflow: Text,
        /// `inputs`, in source order.
        inputs: Vec<(Text, Node)>,
    },
    /// `conditional` with `steps` and optional `else`.
    If {
        /// `condition`.
        condition: Text,
        /// `steps`.
        then: Vec<Step>,
        /// `else`.
        otherwise: Vec<Step>,
    },
    /// `conditional` with `branches`.
    Switch {
        /// The subject (step-level `condition`).
        subject: Text,
        /// The branches.
        branches: Vec<Branch>,
    },
    /// `parallel`.
    Parallel {
        /// Children.
        steps: Vec<Step>,
        /// `timeout` as an ISO-8601 duration.
        timeout: Option<String>,
    },
    /// `ad-hoc`: its steps are tools, run in any order and number, as an agent or a
    /// `run:` list decides (an ad-hoc sub-process).
    AdHoc {
        /// The tools.
        steps: Vec<Step>,
        /// Who decides what runs.
        chooser: AdHocChooser,
        /// `cancel_remaining` (default true): when it is done, terminate tools still running.
        cancel_remaining: bool,
    },
    /// `while-loop`.
    While {
        /// `condition`.
        condition: Text,
        /// Body.
        steps: Vec<Step>,
        /// `max_iterations`: after this many the loop stops and escalates.
        max_iterations: Option<u32>,
        /// `escalate_to`: who hears that the limit was reached.
        escalate_to: Option<Text>,
    },
    /// `llm`: a persona thinks, from a prompt to structured outputs.
    Llm {
        /// `prompt`.
        prompt: Text,
        /// `context`: the workflow values the prompt is given besides its own words (each an
        /// expression such as `inputs.WORK_ITEM_ID`), one line each.
        context: Vec<Text>,
    },
    /// `notify`: a message to a channel or a persona type.
    Notify {
        /// `channel`.
        channel: Text,
        /// `message`.
        message: Text,
    },
    /// `phase`: a named group of steps, with an optional SLA.
    Phase {
        /// The phase's steps.
        steps: Vec<Step>,
        /// `sla:`.
        sla: Option<Sla>,
    },
    /// `for-loop`.
    ForEach {
        /// `items`.
        items: Text,
        /// Body.
        steps: Vec<Step>,
    },
    /// `repeat`.
    Repeat {
        /// `count`.
        count: u32,
        /// Body.
        steps: Vec<Step>,
    },
    /// `wait`.
    Wait {
        /// `duration`.
        duration: WaitDuration,
    },
    /// `set-variable`.
    SetVariable {
        /// The variable name without `context.`.
        variable: String,
        /// `value`.
        value: Node,
    },
}

/// Who decides which tools of an `ad-hoc` step run.
#[derive(Debug, Clone, PartialEq)]
pub enum AdHocChooser {
    /// `agent:`: the step's persona asks its models, after each finished tool, what to run next
    /// or whether it is done.
    Agent {
        /// `goal`: what the agent is to achieve.
        goal: Text,
        /// `max_calls`: model calls before the step fails with `MAXIMUM_NUMBER_OF_MODEL_CALLS_REACHED`.
        max_calls: Option<u32>,
    },
    /// `run:`: the tool ids to run, an expression; `until:` ends the step early.
    List {
        /// `run`.
        run: Text,
        /// `until`.
        until: Option<Text>,
    },
}

/// A `wait` duration.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitDuration {
    /// A literal, already ISO-8601 (`PT30M`).
    Fixed(String),
    /// A template followed by a unit (`${...}s`).
    Dynamic {
        /// The template text (without the unit).
        template: Text,
        /// `S`, `M` or `H`.
        unit: char,
    },
}

impl Action {
    /// The children of a container step, in document order (branches flattened).
    pub fn children(&self) -> Vec<&Step> {
        match self {
            Action::If { then, otherwise, .. } => then.iter().chain(otherwise).collect(),
            Action::Switch { branches, .. } => branches.iter().flat_map(|b| &b.steps).collect(),
            Action::Parallel { steps, .. }
            | Action::AdHoc { steps, .. }
            | Action::While { steps, .. }
            | Action::Phase { steps, .. }
            | Action::ForEach { steps, .. }
            | Action::Repeat { steps, .. } => steps.iter().collect(),
            _ => Vec::new(),
        }
    }
}

impl Step {
    /// This step and every step nested in it, depth first.
    pub fn walk<'a>(&'a self, out: &mut Vec<&'a Step>) {
        out.push(self);
        for child in self.action.children() {
            child.walk(out);
        }
    }
}

impl Workflow {
    /// Every step of the main flow and of `onFailure`, nested ones included.
    pub fn all_steps(&self) -> Vec<&Step> {
        let mut out = Vec::new();
        let on_failure = self.error_handling.iter().flat_map(|e| &e.on_failure);
        for step in self.steps.iter().chain(on_failure) {
            step.walk(&mut out);
        }
        out
    }

    /// The declared input with this name.
    pub fn input(&self, name: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.name == name)
    }
}

/// Who does, approves, advises on and hears about a step or phase.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Raci {
    /// Persona types that do the work; the first one is the step's persona.
    pub responsible: Vec<Text>,
    /// Persona types that approve the work.
    pub accountable: Vec<Text>,
    /// Approvals needed (default 1), and where it is written.
    pub min_approvals: Option<(u32, Pos)>,
    /// Approvers whose veto rejects at once.
    pub veto: Vec<Text>,
    /// Persona types asked for input before the work.
    pub consulted: Vec<Text>,
    /// Persona types told after the work.
    pub informed: Vec<Text>,
    /// A timeout after which a persona type hears that the work is late.
    pub escalation: Option<Escalation>,
    /// A template; when true the approval is skipped (and recorded as skipped).
    pub auto_approve: Option<Text>,
    /// Where the `raci:` block (or `persona:`) starts.
    pub pos: Pos,
}

impl Raci {
    /// Every persona type the block names, with where.
    pub fn persona_refs(&self) -> impl Iterator<Item = &Text> {
        self.responsible
            .iter()
            .chain(&self.accountable)
            .chain(&self.veto)
            .chain(&self.consulted)
            .chain(&self.informed)
            .chain(self.escalation.iter().map(|e| &e.to))
    }

    /// True when the block asks for more than someone doing the work.
    pub fn governs(&self) -> bool {
        !self.accountable.is_empty()
            || !self.consulted.is_empty()
            || !self.informed.is_empty()
            || self.escalation.is_some()
    }
}

/// `escalation: {after, to}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    /// The timeout as ISO-8601.
    pub after: String,
    /// The persona type escalated to.
    pub to: Text,
}

/// A time limit on a workflow or phase and what its breach does.
#[derive(Debug, Clone, PartialEq)]
pub struct Sla {
    /// The limit as ISO-8601.
    pub duration: String,
    /// What a breach does.
    pub on_breach: Breach,
    /// Who hears of a breach, when given.
    pub escalate_to: Option<Text>,
    /// Where the `sla:` starts.
    pub pos: Pos,
}

/// What an SLA breach does.
#[derive(Debug, Clone, PartialEq)]
pub enum Breach {
    /// Escalate; the work goes on.
    Escalate,
    /// Stop the work, then escalate.
    Interrupt,
    /// Stop the work, escalate, then run this rollback workflow.
    Rollback(Text),
}
