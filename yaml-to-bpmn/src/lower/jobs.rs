//! Lowering the steps that do work: service tasks for jobs, call activities for
//! `execute-workflow`, script tasks for `set-variable`.

use bpmn::model::zeebe::{AssignmentDefinition, IoMapping, Mapping, Script, UserTaskMarker};
use bpmn::model::{ExtensionElement, FlowNode, FlowNodeKind, Task, TaskKind};

use super::graph::node;
use super::service::{JobSpec, call_node, service_node, task_headers};
use super::{CALLER_STEPS, Lowerer, mapping, script_kind, step_name};
use actions::{OutputShapes, Shape};

use crate::dialect::ast::{Action, AdHocChooser, Step};
use crate::template::{Segment, feel_name, feel_string, split};
use crate::yaml::Value;

/// Everything a job-based task carries besides its type.
#[derive(Default)]
struct Job {
    headers: Vec<(String, String)>,
    inputs: Vec<Mapping>,
}

impl Lowerer<'_, '_> {
    /// The task for a step that is not control flow, with the step id as element id.
    pub(super) fn task(&mut self, step: &Step) -> FlowNode {
        let id = self.ids.fresh(&step.id);
        self.task_with_id(step, id)
    }

    /// The task for a step that is not control flow, with the given element id.
    pub(super) fn task_with_id(&mut self, step: &Step, id: String) -> FlowNode {
        let name = step_name(step);
        let description = step.description.as_deref();
        match &step.action {
            Action::Call { workflow, inputs } => {
                let entries: Vec<String> = inputs
                    .iter()
                    .map(|(key, value)| format!("{}: {}", feel_string(&key.text), self.value(value)))
                    .collect();
                // The callee's root variables, its own `steps` included, shadow the caller's in
                // these output mappings; the caller's `steps` is read from a copy taken on entry.
                let mut outputs = vec![mapping(
                    &format!("=context put({CALLER_STEPS}, {}, outputs)", feel_string(&step.id)),
                    "steps",
                )];
                outputs.extend(self.mirrored_outputs(step, "outputs."));
                let inputs =
                    vec![mapping(&format!("={{{}}}", entries.join(", ")), "inputs"), mapping("=steps", CALLER_STEPS)];
                call_node(&id, &name, description, &workflow.text, inputs, outputs)
            }
            Action::SetVariable { variable, value } => {
                let expression = format!("={}", self.value(value));
                let mut task = node(&id, &name, description, script_kind());
                task.common.extensions_mut().set(ExtensionElement::Script(Script {
                    expression,
                    result_variable: Some(variable.clone()),
                    ..Script::default()
                }));
                task
            }
            _ => {
                let mut job = Job::default();
                let job_type = self.job_content(step, &mut job);
                self.service_task(&id, &name, step, job_type, job)
            }
        }
    }

    /// Fills headers and inputs for a job step; returns its job type.
    fn job_content(&mut self, step: &Step, job: &mut Job) -> &'static str {
        match &step.action {
            Action::Shell { command } => {
                let mut template = String::new();
                match split(&command.text) {
                    Ok(segments) => {
                        for segment in &segments {
                            match segment {
                                Segment::Text(text) => template.push_str(text),
                                Segment::Template(expr) => {
                                    let slot = format!("t{}", job.inputs.len());
                                    template.push_str(&format!("{{{{{slot}}}}}"));
                                    let value = self.translator.value(expr);
                                    job.inputs.push(mapping(&format!("={value}"), &slot));
                                }
                            }
                        }
                        self.report_notes(command.pos);
                    }
                    Err(_) => template.push_str(&command.text),
                }
                job.headers.push(("commandTemplate".into(), template));
                "shell-command"
            }
            Action::Operation { job_type, operation, parameters } => {
                job.headers.push(("operation".into(), operation.clone()));
                if let Some(parameters) = parameters {
                    let target = if matches!(parameters.value, Value::Seq(_)) { "items" } else { "parameters" };
                    let feel = self.value(parameters);
                    job.inputs.push(mapping(&format!("={feel}"), target));
                }
                job_type
            }
            Action::Log { message, level } => {
                let feel = self.text(&message.text, message.pos);
                job.inputs.push(mapping(&format!("={feel}"), "message"));
                if let Some(level) = level {
                    job.headers.push(("level".into(), level.clone()));
                }
                "log"
            }
            Action::Llm { prompt, context } => {
                let framed = self.framed_prompt(step, &prompt.text, context);
                let feel = self.text(&framed, prompt.pos);
                job.inputs.push(mapping(&format!("={feel}"), "prompt"));
                "llm"
            }
            Action::AdHoc { chooser: AdHocChooser::Agent { goal, max_calls }, .. } => {
                let framed = self.framed_prompt(step, &goal.text, &[]);
                let feel = self.text(&framed, goal.pos);
                job.inputs.push(mapping(&format!("={feel}"), "prompt"));
                if let Some(max_calls) = max_calls {
                    job.headers.push(("maxCalls".into(), max_calls.to_string()));
                }
                actions::catalogue::agent::JOB_TYPE
            }
            Action::Notify { channel, message } => {
                for (text, target) in [(channel, "channel"), (message, "message")] {
                    let feel = self.text(&text.text, text.pos);
                    job.inputs.push(mapping(&format!("={feel}"), target));
                }
                "notify"
            }
            _ => "noop",
        }
    }

    /// The job part of an `ad-hoc` step with an agent: a service task of the `agent` action
    /// with the step's headers, retries, goal and outputs, which the caller turns into the
    /// ad-hoc sub-process that carries them.
    pub(super) fn agent_task(&mut self, step: &Step, id: &str) -> FlowNode {
        let mut job = Job::default();
        let job_type = self.job_content(step, &mut job);
        self.service_task(id, &super::step_name(step), step, job_type, job)
    }

    /// A service task of `job_type` (or, for `human: true`, a user task for the responsible
    /// personas) with the common headers, retries and output mapping.
    fn service_task(&mut self, id: &str, name: &str, step: &Step, job_type: &str, mut job: Job) -> FlowNode {
        job.headers.insert(0, ("stepId".into(), step.id.clone()));
        match &step.on_error {
            Some(on_error) if on_error.text.contains("${") => {
                let feel = self.text(&on_error.text, on_error.pos);
                job.inputs.push(mapping(&format!("={feel}"), "onError"));
            }
            Some(on_error) => job.headers.push(("onError".into(), on_error.text.clone())),
            None => {
                if let Some(default) = self.default_on_error {
                    job.headers.push(("onError".into(), default.to_owned()));
                }
            }
        }
        let responsible = self.responsible(step);
        if let Some(persona) = responsible.first() {
            job.headers.push(("persona".into(), persona.clone()));
        }
        if responsible.len() > 1 {
            job.headers.push(("responsible".into(), responsible.join(",")));
        }
        if !step.outputs.is_empty() {
            job.headers.push(("outputs".into(), output_shapes(step)));
        }
        let outputs = self.step_outputs(step);
        if step.human {
            return user_task(id, name, step, &responsible, job, outputs);
        }
        let spec = JobSpec {
            job_type: job_type.to_owned(),
            retries: Some(step.retries.unwrap_or(3)),
            headers: job.headers,
            inputs: job.inputs,
            outputs,
        };
        service_node(id, name, step.description.as_deref(), spec)
    }

    /// `steps ← context put(steps, "<id>", {OUT: OUT, ...})` plus the mirrored outputs.
    fn step_outputs(&self, step: &Step) -> Vec<Mapping> {
        if step.outputs.is_empty() {
            return Vec::new();
        }
        let entries: Vec<String> =
            step.outputs.iter().map(|o| format!("{}: {}", feel_string(&o.text), feel_name(&o.text))).collect();
        let mut outputs = vec![mapping(
            &format!("=context put(steps, {}, {{{}}})", feel_string(&step.id), entries.join(", ")),
            "steps",
        )];
        outputs.extend(self.mirrored_outputs(step, ""));
        outputs
    }

    /// Declared outputs that the workflow also reads as `context.NAME` become variables too.
    fn mirrored_outputs(&self, step: &Step, prefix: &str) -> Vec<Mapping> {
        step.outputs
            .iter()
            .filter(|o| self.context_reads.contains(&o.text) && !o.text.contains(['-', '.']))
            .map(|o| mapping(&format!("={prefix}{}", feel_name(&o.text)), &o.text))
            .collect()
    }
}

/// The `outputs` header: each declared output's shape: as the step types it, else as the
/// catalogue types the operation's output of that name, else `string`.
fn output_shapes(step: &Step) -> String {
    let catalogued = match &step.action {
        Action::Operation { job_type, operation, .. } => actions::by_job_type(job_type)
            .and_then(|spec| spec.operation(operation).map(|operation| operation.outputs.clone()))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let shape = |name: &str| {
        let typed = step.shapes.iter().find(|(n, _)| n == name).map(|(_, shape)| shape);
        let known = || catalogued.iter().find(|field| field.name == name).map(|field| &field.shape);
        typed.or_else(known).cloned().unwrap_or(Shape::String)
    };
    OutputShapes::new(step.outputs.iter().map(|output| (output.text.clone(), shape(&output.text)))).to_header()
}

/// A Camunda user task whose candidate groups are the responsible personas; the headers and
/// mappings are those the service task would have had, so the form knows the outputs.
fn user_task(id: &str, name: &str, step: &Step, responsible: &[String], job: Job, outputs: Vec<Mapping>) -> FlowNode {
    let mut task = node(id, name, step.description.as_deref(), FlowNodeKind::Task(Task::new(TaskKind::User)));
    let extensions = task.common.extensions_mut();
    extensions.set(ExtensionElement::UserTask(UserTaskMarker::default()));
    extensions.set(ExtensionElement::AssignmentDefinition(AssignmentDefinition {
        candidate_groups: Some(responsible.join(",")),
        ..AssignmentDefinition::default()
    }));
    if let Some(headers) = task_headers(job.headers) {
        extensions.set(headers);
    }
    if !job.inputs.is_empty() || !outputs.is_empty() {
        extensions.set(ExtensionElement::IoMapping(IoMapping { inputs: job.inputs, outputs, ..IoMapping::default() }));
    }
    task
}

impl Lowerer<'_, '_> {
    /// The prompt of an `llm` step: its `prompt:` and `context:` values in the prompt template
    /// of its responsible persona type (see [`crate::prompt`]), or, without one, the prompt
    /// followed by the context lines.
    fn framed_prompt(&self, step: &Step, prompt: &str, context: &[crate::dialect::ast::Text]) -> String {
        let lines: Vec<String> = context.iter().map(|c| format!("- {}: ${{{}}}", c.text, c.text)).collect();
        let context_lines = lines.join("\n");
        let persona = self.responsible(step).into_iter().next().unwrap_or_default();
        let catalogue = self.catalogue.filter(|_| !persona.is_empty());
        let template = catalogue.and_then(|c| c.prompt_template(&persona, "llm"));
        let Some(template) = template else {
            return if lines.is_empty() { prompt.to_owned() } else { format!("{prompt}\n\n{context_lines}") };
        };
        let persona_type = catalogue.and_then(|c| c.get(&persona));
        let step_name = super::step_name(step);
        let values = crate::prompt::PromptValues {
            persona_id: &persona,
            persona_name: persona_type.map_or(persona.as_str(), |t| t.name.as_str()),
            persona_role: persona_type.and_then(|t| t.role.as_deref()).unwrap_or_default(),
            workflow_id: &self.workflow_id,
            workflow_name: &self.workflow_name,
            step_id: &step.id,
            step_name: &step_name,
            step_prompt: prompt,
            context: &context_lines,
        };
        let mut rendered = crate::prompt::render(template, &values);
        if !lines.is_empty() && !crate::prompt::uses(template, "context") {
            rendered = format!("{rendered}\n\n{context_lines}");
        }
        rendered
    }
}
