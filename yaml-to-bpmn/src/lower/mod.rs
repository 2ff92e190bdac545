//! Lowering a checked workflow to the typed BPMN model (survey §8.1, with these choices):
//!
//! - One executable process, id = `metadata.id`, name = `metadata.name`; the description,
//!   prerequisites and success criteria become its documentation, the other metadata fields
//!   `zeebe:properties`, and `metadata.version` its `zeebe:versionTag`.
//! - `workflow__init` (script task) merges the input defaults under the passed `inputs` and sets
//!   `steps = {}`; `workflow__outputs` (script task) computes the `outputs` context.
//! - Job steps (`shell-command`, `git-operation`, `azure-devops`, `log`) are service tasks whose
//!   job type is the action. Operation parameters travel as ONE input `parameters` (a FEEL
//!   context; `items` for the list form) rather than one input per key, so that keys that are not
//!   variable names survive. Static facts go to headers (`stepId`, `operation`, `onError`,
//!   `level`, `commandTemplate`, `persona`).
//! - Ids: a step's main element has the step id; generated elements add `__split`, `__join`,
//!   `__fork`, `__loop`, `__test`, `__guard`, `__start`, `__end`; process-level ones start with
//!   `workflow__`, `error__` or `sla__`. Collisions get `_2`, `_3`.

mod ad_hoc;
mod feel_values;
mod governance;
mod graph;
mod handlers;
mod jobs;
mod service;
mod sla;
mod steps;

use std::collections::HashSet;

use bpmn::Definitions;
use bpmn::model::zeebe::{IoMapping, Mapping, Properties, Property, Script, VersionTag};
use bpmn::model::{
    Common, Documentation, ErrorDef, Escalation, EventDefinition, EventDefinitionKind, EventKind, ExtensionElement,
    FlowElement, FlowNodeKind, GatewayKind, Process, RootElement, Task, TaskKind,
};

use crate::diagnostic::{Diagnostics, Pos};
use crate::dialect::ast::{Action, Schedule, ScheduleKind, Step, Workflow};
use crate::index::WorkflowIndex;
use crate::personas::PersonaCatalogue;
use crate::template::{Translator, feel_string};
use feel_values::{node_feel, text_feel};
use graph::{Ids, connect, finish_scope, node};

/// Error code thrown by failing steps and rethrown by failing error handlers.
pub const STEP_FAILED: &str = "STEP_FAILED";
/// Error code thrown when a `parallel` step's `timeout` elapses.
pub const TIMEOUT: &str = "TIMEOUT";
/// A call activity's local copy of the caller's `steps`. When the callee completes, its root
/// variables (its own `steps` too) are visible to the call activity's output mappings and would
/// hide the caller's `steps`, so the mapping that records the call's outputs reads this copy.
pub const CALLER_STEPS: &str = "steps__caller";
/// The marker in the names of the variables the compiler adds for its own bookkeeping (as
/// [`CALLER_STEPS`]), as in the ids of the elements it adds (`workflow__init`).
pub const INTERNAL_MARKER: &str = "__";

/// True for a variable the compiled process keeps for itself rather than for its reader: a name
/// with [`INTERNAL_MARKER`], and the SLA clocks' start times. History and variable listings hide
/// them unless asked.
pub fn is_internal_variable(name: &str) -> bool {
    name.contains(INTERNAL_MARKER) || name == sla::CLOCKS
}

/// Escalation code of the `escalate` strategy.
pub const ESCALATED: &str = "ESCALATED";
/// Error code a phase throws when its SLA is breached with `on_breach: interrupt`.
pub const SLA_BREACHED: &str = "SLA_BREACHED";
/// The variable that says whether an SLA of the instance was breached.
pub const SLA_BREACHED_VARIABLE: &str = sla::BREACHED;
/// The variable listing an instance's SLA breaches (`{scope, sla, action}` entries).
pub const SLA_BREACHES_VARIABLE: &str = sla::BREACHES;
/// Who hears of breaches and limits when neither the step nor the catalogue says.
pub const DEFAULT_ESCALATION_TARGET: &str = "engineering-manager";

/// True when the workflow or one of its phases has an SLA.
fn has_sla(workflow: &Workflow) -> bool {
    workflow.sla.is_some()
        || workflow.all_steps().iter().any(|s| matches!(s.action, Action::Phase { sla: Some(_), .. }))
}

/// Builds the BPMN model of a workflow that passed the checks. Constructs with no FEEL
/// equivalent are reported as warnings in `diags`.
///
/// `catalogue` gives the default escalation target of the workflow's persona.
pub fn lower_workflow(
    workflow: &Workflow,
    catalogue: Option<&PersonaCatalogue>,
    diags: &mut Diagnostics,
) -> Definitions {
    let index = WorkflowIndex::new(workflow);
    let persona = workflow.metadata.persona.as_ref().map(|p| p.text.clone());
    let escalation_target = persona
        .as_deref()
        .and_then(|p| catalogue?.get(p)?.defaults.escalate_to.clone())
        .unwrap_or_else(|| DEFAULT_ESCALATION_TARGET.to_owned());
    let mut lowerer = Lowerer {
        catalogue,
        workflow_id: workflow.metadata.id.text.clone(),
        workflow_name: workflow.metadata.name.clone().unwrap_or_else(|| humanize(&workflow.metadata.id.text)),
        translator: Translator::new(&index),
        diags,
        ids: Ids::default(),
        context_reads: context_reads(workflow),
        responsible: vec![persona.into_iter().collect()],
        escalation_target,
        has_sla: has_sla(workflow),
        default_on_error: default_on_error(workflow),
        uses: HashSet::new(),
    };
    let process = lowerer.process(workflow);
    let mut root_elements = vec![RootElement::Process(process)];
    for (code, used) in [(STEP_FAILED, "error"), (TIMEOUT, "error"), (SLA_BREACHED, "error"), (ESCALATED, "escalation")]
    {
        if !lowerer.uses.contains(code) {
            continue;
        }
        let mut common = Common::new(root_ref(code));
        common.name = Some(code.to_owned());
        root_elements.push(if used == "error" {
            RootElement::Error(ErrorDef { common, error_code: Some(code.to_owned()), structure_ref: None })
        } else {
            RootElement::Escalation(Escalation { common, escalation_code: Some(code.to_owned()), structure_ref: None })
        });
    }
    Definitions {
        id: Some(format!("Definitions_{}", workflow.metadata.id.text)),
        target_namespace: "http://bpmn.io/schema/bpmn".into(),
        exporter: Some("yaml-to-bpmn".into()),
        exporter_version: Some(env!("CARGO_PKG_VERSION").into()),
        execution_platform: Some(bpmn::TARGET_PLATFORM.into()),
        execution_platform_version: Some(platform_version(workflow).into()),
        root_elements,
        ..Definitions::default()
    }
}

/// The Camunda version the model needs: 8.8 (ad-hoc sub-processes with completion conditions and
/// job workers) for a workflow with an `ad-hoc` step, else the project's target version.
fn platform_version(workflow: &Workflow) -> &'static str {
    if workflow.all_steps().iter().any(|s| matches!(s.action, Action::AdHoc { .. })) {
        AD_HOC_PLATFORM_VERSION
    } else {
        bpmn::TARGET_PLATFORM_VERSION
    }
}

/// The Camunda version of the compiled models that hold an `ad-hoc` step.
pub const AD_HOC_PLATFORM_VERSION: &str = "8.8.0";

/// Under `continue-on-error`, steps without `onError` absorb their failures (survey §8.1: an
/// interrupting handler ends the instance, so "continue" can only mean per step).
fn default_on_error(workflow: &Workflow) -> Option<&'static str> {
    let strategy = workflow.error_handling.as_ref().map(|e| e.strategy);
    (strategy == Some(crate::dialect::ast::Strategy::ContinueOnError)).then_some("continue")
}

/// The id of the error or escalation root element for a code.
fn root_ref(code: &str) -> String {
    if code == ESCALATED { format!("Escalation_{code}") } else { format!("Error_{code}") }
}

/// Names read as `context.X` anywhere (step outputs with these names are mirrored to variables).
fn context_reads(workflow: &Workflow) -> HashSet<String> {
    let mut names = HashSet::new();
    crate::texts::for_each_text(workflow, &mut |text, _, _| {
        let Ok(segments) = crate::template::split(text) else { return };
        for segment in &segments {
            if let crate::template::Segment::Template(expr) = segment {
                expr.visit(&mut |e| {
                    if let crate::template::Expr::Context(name) = e {
                        names.insert(name.clone());
                    }
                });
            }
        }
    });
    names
}

struct Lowerer<'a, 'd> {
    /// The persona catalogue, when the workflow is compiled with one (prompt templates).
    catalogue: Option<&'a PersonaCatalogue>,
    /// The workflow's id and display name (prompt templates).
    workflow_id: String,
    workflow_name: String,
    translator: Translator<'a>,
    diags: &'d mut Diagnostics,
    ids: Ids,
    context_reads: HashSet<String>,
    /// The responsible personas inherited by the steps being lowered (innermost last).
    responsible: Vec<Vec<String>>,
    /// Who hears of breaches and limits by default.
    escalation_target: String,
    /// True when the workflow or a phase has an SLA: the process then tracks breaches.
    has_sla: bool,
    /// The `onError` header of steps that set none (`continue` under `continue-on-error`).
    default_on_error: Option<&'static str>,
    /// Error and escalation codes the model refers to.
    uses: HashSet<&'static str>,
}

type Scope = Vec<FlowElement>;

impl Lowerer<'_, '_> {
    fn process(&mut self, workflow: &Workflow) -> Process {
        let meta = &workflow.metadata;
        let mut scope = Scope::new();
        let start = self.ids.fresh("workflow__start");
        scope.push(FlowElement::Node(node(&start, "Start", None, start_event())));
        let start = match &workflow.schedule {
            Some(schedule) => self.scheduled_start(&mut scope, &start, schedule),
            None => start,
        };
        let init = self.init_task(workflow);
        scope.push(FlowElement::Node(init.clone()));
        connect(&mut self.ids, &mut scope, &start, &init.common.id, None, None);
        let mut last = init.common.id.clone();
        if let Some((entry, exit)) = self.sequence(&mut scope, &workflow.steps) {
            connect(&mut self.ids, &mut scope, &last, &entry, None, None);
            last = exit;
        }
        if !workflow.outputs.is_empty() {
            let outputs = self.outputs_task(workflow);
            scope.push(FlowElement::Node(outputs.clone()));
            connect(&mut self.ids, &mut scope, &last, &outputs.common.id, None, None);
            last = outputs.common.id;
        }
        let end = self.ids.fresh("workflow__end");
        scope.push(FlowElement::Node(node(
            &end,
            "Done",
            None,
            FlowNodeKind::Event(bpmn::model::Event::new(EventKind::End, None)),
        )));
        connect(&mut self.ids, &mut scope, &last, &end, None, None);
        if let Some(handling) = &workflow.error_handling {
            let handler = self.error_handler(handling);
            scope.push(FlowElement::Node(handler));
        } else {
            let handler = self.error_handler(&crate::dialect::ast::ErrorHandling {
                strategy: crate::dialect::ast::Strategy::FailFast,
                on_failure: Vec::new(),
                notifications: Vec::new(),
            });
            scope.push(FlowElement::Node(handler));
        }
        if let Some(sla) = &workflow.sla {
            let handler = self.workflow_sla(sla);
            scope.push(FlowElement::Node(handler));
        }
        finish_scope(&self.ids, &mut scope);
        let mut common = Common::new(meta.id.text.clone());
        common.name = Some(meta.name.clone().unwrap_or_else(|| humanize(&meta.id.text)));
        common.documentation.push(Documentation { text: process_documentation(workflow), ..Documentation::default() });
        let extensions = common.extensions_mut();
        if let Some((_, version)) = meta.properties.iter().find(|(k, _)| k == "version") {
            extensions
                .set(ExtensionElement::VersionTag(VersionTag { value: version.clone(), ..VersionTag::default() }));
        }
        if !meta.properties.is_empty() {
            let properties = meta
                .properties
                .iter()
                .map(|(name, value)| Property { name: name.clone(), value: value.clone(), ..Property::default() })
                .collect();
            extensions.set(ExtensionElement::Properties(Properties { properties, ..Properties::default() }));
        }
        Process { common, is_executable: Some(true), process_type: None, lane_sets: Vec::new(), flow_elements: scope }
    }

    /// `inputs = context merge([defaults, passed inputs])`, `steps = {}`.
    fn init_task(&mut self, workflow: &Workflow) -> bpmn::model::FlowNode {
        let defaults: Vec<String> = workflow
            .inputs
            .iter()
            .filter_map(|input| {
                let default = input.default.as_ref()?;
                Some(format!("{}: {}", feel_string(&input.name), node_feel(&mut self.translator, default)))
            })
            .collect();
        let expression =
            format!("=context merge([{{{}}}, if inputs = null then {{}} else inputs])", defaults.join(", "));
        let id = self.ids.fresh("workflow__init");
        let mut task = node(&id, "Initialise inputs and steps", None, script_kind());
        let extensions = task.common.extensions_mut();
        extensions.set(ExtensionElement::Script(Script {
            expression,
            result_variable: Some("inputs".into()),
            ..Script::default()
        }));
        let mut outputs = vec![mapping("=inputs", "inputs"), mapping("={}", "steps")];
        if self.has_sla {
            outputs.extend([
                mapping("=false", sla::BREACHED),
                mapping("=[]", sla::BREACHES),
                mapping(&format!("={{{}: {}}}", feel_string(sla::WORKFLOW_SCOPE), sla::NOW_AT_UTC), sla::CLOCKS),
            ]);
        }
        extensions.set(ExtensionElement::IoMapping(IoMapping { outputs, ..IoMapping::default() }));
        task
    }

    fn outputs_task(&mut self, workflow: &Workflow) -> bpmn::model::FlowNode {
        let entries: Vec<String> = workflow
            .outputs
            .iter()
            .map(|o| format!("{}: {}", feel_string(&o.name), node_feel(&mut self.translator, &o.value)))
            .collect();
        self.report_notes(workflow.outputs.first().map(|o| o.value.pos).unwrap_or_default());
        let id = self.ids.fresh("workflow__outputs");
        let mut task = node(&id, "Compute workflow outputs", None, script_kind());
        task.common.extensions_mut().set(ExtensionElement::Script(Script {
            expression: format!("={{{}}}", entries.join(", ")),
            result_variable: Some("outputs".into()),
            ..Script::default()
        }));
        task
    }

    /// FEEL for a text (templates translated), reporting untranslatable parts at `pos`.
    fn text(&mut self, text: &str, pos: Pos) -> String {
        let feel = text_feel(&mut self.translator, text);
        self.report_notes(pos);
        feel
    }

    /// FEEL for a YAML value, reporting untranslatable parts at its position.
    fn value(&mut self, value: &crate::yaml::Node) -> String {
        let feel = node_feel(&mut self.translator, value);
        self.report_notes(value.pos);
        feel
    }

    /// A flow condition (`=(...) = true`) for a template condition text.
    fn condition(&mut self, text: &str, pos: Pos) -> String {
        let feel = match crate::template::split(text) {
            Ok(segments) => match crate::template::whole_template(&segments) {
                Some(expr) => self.translator.condition(expr),
                None => {
                    self.diags
                        .warning(pos, "a condition should be one `${...}` template; the text is tested for truthiness");
                    crate::template::feel::truthy(&self.translator.text(&segments))
                }
            },
            Err(_) => "false".into(),
        };
        self.report_notes(pos);
        format!("=({feel}) = true")
    }

    /// The personas responsible for a step: its own, else the inherited ones.
    fn responsible(&self, step: &Step) -> Vec<String> {
        match step.raci.as_ref().filter(|r| !r.responsible.is_empty()) {
            Some(raci) => raci.responsible.iter().map(|t| t.text.clone()).collect(),
            None => self.responsible.last().cloned().unwrap_or_default(),
        }
    }

    fn report_notes(&mut self, pos: Pos) {
        for note in std::mem::take(&mut self.translator.notes) {
            self.diags.warning(pos, note);
        }
    }
}

impl Lowerer<'_, '_> {
    /// The timer start event of `schedule:` beside the none start `start`, both joined by an
    /// exclusive gateway whose id it returns (the flow goes on from there).
    fn scheduled_start(&mut self, scope: &mut Scope, start: &str, schedule: &Schedule) -> String {
        let timer = self.ids.fresh("workflow__schedule");
        let value = Some(bpmn::model::Expression::formal(schedule.value.clone()));
        let (time_date, time_cycle) = match schedule.kind {
            ScheduleKind::Date => (value, None),
            ScheduleKind::Cycle | ScheduleKind::Cron => (None, value),
        };
        let definition =
            EventDefinition::new(EventDefinitionKind::Timer { time_date, time_duration: None, time_cycle });
        let event = bpmn::model::Event::new(EventKind::Start { is_interrupting: None }, Some(definition));
        let name = format!("On schedule {}", schedule.value);
        scope.push(FlowElement::Node(node(&timer, &name, None, FlowNodeKind::Event(event))));
        let join = self.gateway(scope, "workflow__begin", "Started", GatewayKind::Exclusive, false);
        connect(&mut self.ids, scope, start, &join, None, None);
        connect(&mut self.ids, scope, &timer, &join, None, None);
        join
    }
}

/// A none start event.
fn start_event() -> FlowNodeKind {
    FlowNodeKind::Event(bpmn::model::Event::new(EventKind::Start { is_interrupting: None }, None))
}

fn script_kind() -> FlowNodeKind {
    FlowNodeKind::Task(Task::new(TaskKind::Script { script_format: None, script: None }))
}

/// A `zeebe:input`/`zeebe:output` mapping.
fn mapping(source: &str, target: &str) -> Mapping {
    Mapping { source: Some(source.to_owned()), target: target.to_owned(), ..Mapping::default() }
}

/// `some-step_id` → `Some step id`.
fn humanize(id: &str) -> String {
    let spaced: String = id.chars().map(|c| if c == '-' || c == '_' { ' ' } else { c }).collect();
    let mut chars = spaced.split_whitespace().collect::<Vec<_>>().join(" ").chars().collect::<Vec<_>>();
    if let Some(first) = chars.first_mut() {
        *first = first.to_ascii_uppercase();
    }
    chars.into_iter().collect()
}

/// The process documentation: description, prerequisites and success criteria as text.
fn process_documentation(workflow: &Workflow) -> String {
    let mut text = workflow.metadata.description.clone().unwrap_or_default();
    if !workflow.prerequisites.is_empty() {
        text.push_str("\n\nPrerequisites:");
        for p in &workflow.prerequisites {
            let required = if p.required { "required" } else { "optional" };
            text.push_str(&format!("\n- {} ({required})", p.description));
            if let Some(check) = &p.check {
                text.push_str(&format!("; check: {check}"));
            }
        }
    }
    if !workflow.success_criteria.is_empty() {
        text.push_str("\n\nSuccess criteria:");
        for c in &workflow.success_criteria {
            text.push_str(&format!("\n- {c}"));
        }
    }
    text.trim().to_owned()
}

/// The display name of a step: its `name`, else a label built from what it does.
pub(super) fn step_name(step: &Step) -> String {
    if let Some(name) = &step.name {
        return name.clone();
    }
    if step.explicit_id {
        return humanize(&step.id);
    }
    match &step.action {
        Action::Shell { .. } => "Run shell command".into(),
        Action::Operation { job_type, operation, .. } => {
            let system = if *job_type == "git-operation" { "Git" } else { "Azure DevOps" };
            format!("{system}: {operation}")
        }
        Action::Log { .. } => "Log message".into(),
        Action::Call { workflow, .. } => format!("Run workflow {}", workflow.text),
        Action::If { .. } | Action::Switch { .. } => "Decide".into(),
        Action::Parallel { .. } => "Run in parallel".into(),
        Action::AdHoc { .. } => "Use the tools as needed".into(),
        Action::While { .. } => "Repeat while".into(),
        Action::Llm { .. } => "Think it through".into(),
        Action::Notify { .. } => "Notify".into(),
        Action::Phase { .. } => "Phase".into(),
        Action::ForEach { .. } => "For each item".into(),
        Action::Repeat { count, .. } => format!("Repeat {count} times"),
        Action::Wait { .. } => "Wait".into(),
        Action::SetVariable { variable, .. } => format!("Set {variable}"),
    }
}
