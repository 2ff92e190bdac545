//! Lowering an `ad-hoc` step to a `bpmn:adHocSubProcess`: each of its steps becomes a tool (an
//! inner element without incoming flow, tagged with property `step`). With `agent:` the
//! sub-process carries the `agent` action's job (its job-worker implementation) and collects
//! `toolCallResults`; with `run:` it activates the listed step ids and ends on `until:`.

use bpmn::model::zeebe::{Properties, Property, ZeebeAdHoc};
use bpmn::model::{Expression, ExtensionElement, FlowElement, FlowNode, FlowNodeKind, SubProcess, SubProcessKind};

use super::graph::node;
use super::{Lowerer, Scope, step_name};
use crate::dialect::ast::{AdHocChooser, Step};

/// The collection an agent's tool results go to, one `{id, name, content}` per finished tool.
pub(super) const TOOL_RESULTS: &str = "toolCallResults";

impl Lowerer<'_, '_> {
    /// The ad-hoc sub-process of `step` in `scope`; returns its id as entry and exit.
    pub(super) fn ad_hoc(
        &mut self,
        scope: &mut Scope,
        step: &Step,
        tools: &[Step],
        chooser: &AdHocChooser,
        cancel_remaining: bool,
    ) -> (String, String) {
        let id = self.ids.fresh(&step.id);
        let mut inner = Scope::new();
        for tool in tools {
            let (entry, _) = self.guarded_step(&mut inner, tool);
            tag_step(&mut inner, &entry, &tool.id);
        }
        let mut sub = SubProcess::new(SubProcessKind::AdHoc);
        sub.flow_elements = inner;
        let settings = match chooser {
            AdHocChooser::Agent { .. } => ZeebeAdHoc {
                output_collection: Some(TOOL_RESULTS.to_owned()),
                output_element: Some(
                    "={id: toolCall.id, name: toolCall.name, content: get value(steps, toolCall.step)}".to_owned(),
                ),
                ..ZeebeAdHoc::default()
            },
            AdHocChooser::List { run, until } => {
                let feel = self.text(&run.text, run.pos);
                sub.completion_condition = until.as_ref().map(|u| Expression::formal(self.condition(&u.text, u.pos)));
                if !cancel_remaining {
                    sub.cancel_remaining_instances = Some(false);
                }
                ZeebeAdHoc { active_elements_collection: Some(format!("={feel}")), ..ZeebeAdHoc::default() }
            }
        };
        let mut ad_hoc = match chooser {
            // The agent's job: headers, retries, goal and outputs as any job step has them.
            AdHocChooser::Agent { .. } => {
                let mut task = self.agent_task(step, &id);
                task.kind = FlowNodeKind::SubProcess(sub);
                task
            }
            AdHocChooser::List { .. } => {
                node(&id, &step_name(step), step.description.as_deref(), FlowNodeKind::SubProcess(sub))
            }
        };
        ad_hoc.common.extensions_mut().set(ExtensionElement::AdHoc(settings));
        scope.push(FlowElement::Node(ad_hoc));
        (id.clone(), id)
    }
}

/// Gives the tool element `id` the property `step` (the step whose outputs it writes), which
/// `adHocSubProcessElements` shows the agent and `toolCall.step` carries back.
fn tag_step(scope: &mut Scope, id: &str, step: &str) {
    let found = scope.iter_mut().find_map(|element| match element {
        FlowElement::Node(node) if node.common.id == id => Some(node),
        _ => None,
    });
    if let Some(node) = found {
        add_property(node, "step", step);
    }
}

fn add_property(node: &mut FlowNode, name: &str, value: &str) {
    let extensions = node.common.extensions_mut();
    let property = Property { name: name.to_owned(), value: value.to_owned(), ..Property::default() };
    match extensions.properties_mut() {
        Some(properties) => properties.properties.push(property),
        None => extensions
            .set(ExtensionElement::Properties(Properties { properties: vec![property], ..Properties::default() })),
    }
}
