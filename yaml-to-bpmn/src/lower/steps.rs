//! Lowering step lists and the control-flow actions (conditional, parallel, loops, wait,
//! guards) into gateways, sub-processes and events.

use bpmn::model::zeebe::ZeebeLoopCharacteristics;
use bpmn::model::{
    Activity, Event, EventDefinition, EventDefinitionKind, EventKind, Expression, ExtensionElement, ExtensionElements,
    FlowElement, FlowNodeKind, Gateway, GatewayKind, LoopCharacteristics, MultiInstance, SubProcess, SubProcessKind,
};

use super::graph::{Chain, connect, node};
use super::{Lowerer, Scope, TIMEOUT, root_ref, start_event, step_name};
use crate::dialect::ast::{Action, BranchTest, Step, WaitDuration};
use crate::template::{feel_name, feel_string};

impl Lowerer<'_, '_> {
    /// Lowers `steps` in order into `scope`; returns the first and last node ids (none when empty).
    pub(super) fn sequence(&mut self, scope: &mut Scope, steps: &[Step]) -> Option<(String, String)> {
        let mut chain = Chain::default();
        for step in steps {
            let part = self.guarded_step(scope, step);
            chain.push(&mut self.ids, scope, part);
        }
        chain.ends()
    }

    /// A step behind its guard `condition`, when it has one: a split whose default bypasses it.
    pub(super) fn guarded_step(&mut self, scope: &mut Scope, step: &Step) -> (String, String) {
        let Some(guard) = &step.guard else { return self.step(scope, step) };
        let condition = self.condition(&guard.text, guard.pos);
        let name = step_name(step);
        let split =
            self.gateway(scope, &format!("{}__guard", step.id), &format!("Run {name}?"), GatewayKind::Exclusive, true);
        let join = self.gateway(
            scope,
            &format!("{}__guard_join", step.id),
            &format!("After {name}"),
            GatewayKind::Exclusive,
            false,
        );
        let (entry, exit) = self.step(scope, step);
        connect(&mut self.ids, scope, &split, &entry, Some(condition), Some("yes"));
        connect(&mut self.ids, scope, &split, &join, None, Some("skip"));
        connect(&mut self.ids, scope, &exit, &join, None, None);
        (split, join)
    }

    fn step(&mut self, scope: &mut Scope, step: &Step) -> (String, String) {
        match &step.action {
            Action::If { condition, then, otherwise } => {
                let condition = self.condition(&condition.text, condition.pos);
                let (split, join) = self.split_join(scope, step, GatewayKind::Exclusive);
                self.path(scope, &split, &join, then, Some(condition), Some("yes"));
                self.path(scope, &split, &join, otherwise, None, Some("no"));
                (split, join)
            }
            Action::Switch { subject, branches } => {
                let (split, join) = self.split_join(scope, step, GatewayKind::Exclusive);
                for branch in branches {
                    let (test, label) = self.branch_condition(&subject.text, subject.pos, &branch.test);
                    self.path(scope, &split, &join, &branch.steps, Some(test), Some(&label));
                }
                connect(&mut self.ids, scope, &split, &join, None, None);
                (split, join)
            }
            Action::Parallel { steps, timeout: None } => self.parallel(scope, step, steps),
            Action::Parallel { steps, timeout: Some(timeout) } => {
                let id = self.ids.fresh(&step.id);
                let mut inner = Scope::new();
                let start = self.ids.fresh(&format!("{}__start", step.id));
                inner.push(FlowElement::Node(node(&start, "Start", None, start_event())));
                let (fork, join) = self.parallel(&mut inner, step, steps);
                let end = self.ids.fresh(&format!("{}__end", step.id));
                inner.push(FlowElement::Node(node(&end, "Done", None, end_event(None))));
                connect(&mut self.ids, &mut inner, &start, &fork, None, None);
                connect(&mut self.ids, &mut inner, &join, &end, None, None);
                let name = step_name(step);
                scope.push(FlowElement::Node(self.sub_process_node(&id, &name, step, inner, None)));
                let boundary = self.ids.fresh(&format!("{}__timeout", step.id));
                let timer = EventDefinition::new(EventDefinitionKind::Timer {
                    time_date: None,
                    time_duration: Some(Expression::formal(timeout.clone())),
                    time_cycle: None,
                });
                let kind = EventKind::Boundary { attached_to: id.clone(), cancel_activity: Some(true) };
                scope.push(FlowElement::Node(node(
                    &boundary,
                    &format!("{name} timed out"),
                    None,
                    FlowNodeKind::Event(Event::new(kind, Some(timer))),
                )));
                let fail = self.ids.fresh(&format!("{}__timed_out", step.id));
                self.uses.insert(TIMEOUT);
                let error = EventDefinition::new(EventDefinitionKind::Error { error_ref: Some(root_ref(TIMEOUT)) });
                scope.push(FlowElement::Node(node(&fail, "Fail with TIMEOUT", None, end_event(Some(error)))));
                connect(&mut self.ids, scope, &boundary, &fail, None, None);
                (id.clone(), id)
            }
            Action::Phase { steps, sla } => self.phase(scope, step, steps, sla.as_ref()),
            Action::AdHoc { steps, chooser, cancel_remaining } => {
                self.ad_hoc(scope, step, steps, chooser, *cancel_remaining)
            }
            Action::While { condition, steps, max_iterations, escalate_to } => {
                self.while_loop(scope, step, condition, steps, *max_iterations, escalate_to.as_ref())
            }
            Action::ForEach { items, steps } => {
                let items = self.text(&items.text, items.pos);
                let collection = format!("=if {items} instance of list then {items} else []");
                let id = self.body_sub_process(scope, step, steps, Some((collection, "item")));
                (id.clone(), id)
            }
            Action::Repeat { count, steps } => {
                let collection = format!("=for i in 1..{count} return i");
                let id = self.body_sub_process(scope, step, steps, Some((collection, "iteration")));
                (id.clone(), id)
            }
            Action::Wait { duration } => {
                let duration = match duration {
                    WaitDuration::Fixed(iso) => iso.clone(),
                    WaitDuration::Dynamic { template, unit } => {
                        let value = self.text(&template.text, template.pos);
                        format!("=duration(\"PT\" + string({value}) + \"{unit}\")")
                    }
                };
                let id = self.ids.fresh(&step.id);
                let timer = EventDefinition::new(EventDefinitionKind::Timer {
                    time_date: None,
                    time_duration: Some(Expression::formal(duration)),
                    time_cycle: None,
                });
                let kind = FlowNodeKind::Event(Event::new(EventKind::IntermediateCatch, Some(timer)));
                scope.push(FlowElement::Node(node(&id, &step_name(step), step.description.as_deref(), kind)));
                (id.clone(), id)
            }
            _ if step.raci.as_ref().is_some_and(crate::dialect::ast::Raci::governs) => self.governed_task(scope, step),
            _ => {
                let task = self.task(step);
                let id = task.common.id.clone();
                scope.push(FlowElement::Node(task));
                (id.clone(), id)
            }
        }
    }

    /// A `while-loop`: the body runs while the condition holds. With `max_iterations` it also
    /// stops after `max` iterations: when the condition still holds then, the loop records
    /// `LIMIT_REACHED`, raises an `escalate` job and ends. The conditions do not overlap, so the
    /// order in which an engine tests them does not matter. Without a limit (seed workflows) the
    /// test gateway's default flow is the way out.
    fn while_loop(
        &mut self,
        scope: &mut Scope,
        step: &Step,
        condition: &crate::dialect::ast::Text,
        steps: &[Step],
        max: Option<u32>,
        escalate_to: Option<&crate::dialect::ast::Text>,
    ) -> (String, String) {
        let holds = self.condition(&condition.text, condition.pos);
        let name = step_name(step);
        let merge =
            self.gateway(scope, &format!("{}__loop", step.id), &format!("{name}: loop"), GatewayKind::Exclusive, false);
        let test = self.gateway(
            scope,
            &format!("{}__test", step.id),
            &format!("{name}: again?"),
            GatewayKind::Exclusive,
            true,
        );
        let exit = max.map(|_| {
            self.gateway(scope, &format!("{}__exit", step.id), &format!("After {name}"), GatewayKind::Exclusive, false)
        });
        let counter = self.iteration_counter(scope, step);
        let body = self.body_sub_process(scope, step, steps, None);
        let limit = max.map(|max| self.loop_limit(scope, step, max, escalate_to));
        connect(&mut self.ids, scope, &merge, &test, None, None);
        match (max, &exit, &limit) {
            (Some(max), Some(exit), Some((limit, _))) => {
                let holds = holds.strip_prefix('=').unwrap_or(&holds);
                let current = format!("steps.{}.iterations", feel_name(&step.id));
                let count = format!("(if {current} = null then 0 else {current})");
                let again = format!("=({holds}) and {count} < {max}");
                connect(&mut self.ids, scope, &test, &counter, Some(again), Some("yes"));
                let stop = format!("=({holds}) and {count} >= {max}");
                connect(&mut self.ids, scope, &test, limit, Some(stop), Some(&format!("after {max}")));
                connect(&mut self.ids, scope, &test, exit, None, Some("done"));
            }
            _ => {
                connect(&mut self.ids, scope, &test, &counter, Some(holds), Some("yes"));
            }
        }
        connect(&mut self.ids, scope, &counter, &body, None, None);
        connect(&mut self.ids, scope, &body, &merge, None, None);
        match (exit, limit) {
            (Some(exit), Some((_, escalated))) => {
                connect(&mut self.ids, scope, &escalated, &exit, None, None);
                (merge, exit)
            }
            _ => (merge, test),
        }
    }

    /// Records `steps.<id>.LIMIT_REACHED` and raises an `escalate` job of kind `loop-limit`.
    fn loop_limit(
        &mut self,
        scope: &mut Scope,
        step: &Step,
        max: u32,
        escalate_to: Option<&crate::dialect::ast::Text>,
    ) -> (String, String) {
        let record = self.ids.fresh(&format!("{}__limit", step.id));
        let key = feel_string(&step.id);
        let expression =
            format!("=context put(steps, {key}, context put(get value(steps, {key}), \"LIMIT_REACHED\", true))");
        let mut task = node(&record, &format!("Stop after {max} iterations"), None, super::script_kind());
        task.common.extensions_mut().set(ExtensionElement::Script(bpmn::model::zeebe::Script {
            expression,
            result_variable: Some("steps".into()),
            ..Default::default()
        }));
        scope.push(FlowElement::Node(task));
        let target = escalate_to.map_or_else(|| self.escalation_target.clone(), |t| t.text.clone());
        let escalate = self.ids.fresh(&format!("{}__escalate_limit", step.id));
        let spec = super::service::JobSpec::new(
            "escalate",
            &[
                ("kind", "loop-limit"),
                ("stepId", &step.id),
                ("maxIterations", &max.to_string()),
                ("escalateTo", &target),
            ],
        );
        scope.push(FlowElement::Node(super::service::service_node(
            &escalate,
            &format!("Escalate to {target}"),
            None,
            spec,
        )));
        connect(&mut self.ids, scope, &record, &escalate, None, None);
        (record, escalate)
    }

    /// A script task counting the iterations of a `while-loop` in `steps.<id>.iterations`, so
    /// that the count is observable (and the loop holds a task, as Camunda's `no-loop` rule wants).
    fn iteration_counter(&mut self, scope: &mut Scope, step: &Step) -> String {
        let id = self.ids.fresh(&format!("{}__count", step.id));
        let current = format!("steps.{}.iterations", feel_name(&step.id));
        let expression = format!(
            "=context put(steps, {}, {{\"iterations\": (if {current} = null then 0 else {current}) + 1}})",
            feel_string(&step.id)
        );
        let mut task = node(&id, &format!("Count {} iteration", step_name(step)), None, super::script_kind());
        task.common.extensions_mut().set(ExtensionElement::Script(bpmn::model::zeebe::Script {
            expression,
            result_variable: Some("steps".into()),
            ..Default::default()
        }));
        scope.push(FlowElement::Node(task));
        id
    }

    /// Adds a gateway; diverging ones turn their unconditioned outgoing flow into the default.
    pub(super) fn gateway(
        &mut self,
        scope: &mut Scope,
        base: &str,
        name: &str,
        kind: GatewayKind,
        diverging: bool,
    ) -> String {
        let id = self.ids.fresh(base);
        if diverging {
            self.ids.mark_split(&id);
        }
        scope.push(FlowElement::Node(node(&id, name, None, FlowNodeKind::Gateway(Gateway::new(kind)))));
        id
    }

    fn split_join(&mut self, scope: &mut Scope, step: &Step, kind: GatewayKind) -> (String, String) {
        let name = step_name(step);
        let split = self.gateway(scope, &format!("{}__split", step.id), &format!("{name}?"), kind.clone(), true);
        let join = self.gateway(scope, &format!("{}__join", step.id), &format!("After {name}"), kind, false);
        if let Some(text) = &step.description
            && let Some(FlowElement::Node(n)) =
                scope.iter_mut().rev().find(|e| matches!(e, FlowElement::Node(n) if n.common.id == split))
        {
            n.common.documentation.push(bpmn::model::Documentation { text: text.clone(), ..Default::default() });
        }
        (split, join)
    }

    /// One path from `split` to `join` through `steps` (a direct flow when empty).
    fn path(
        &mut self,
        scope: &mut Scope,
        split: &str,
        join: &str,
        steps: &[Step],
        condition: Option<String>,
        label: Option<&str>,
    ) {
        match self.sequence(scope, steps) {
            Some((entry, exit)) => {
                connect(&mut self.ids, scope, split, &entry, condition, label);
                connect(&mut self.ids, scope, &exit, join, None, None);
            }
            None => {
                connect(&mut self.ids, scope, split, join, condition, label);
            }
        }
    }

    fn parallel(&mut self, scope: &mut Scope, step: &Step, steps: &[Step]) -> (String, String) {
        let name = step_name(step);
        let fork = self.gateway(
            scope,
            &format!("{}__fork", step.id),
            &format!("{name}: start all"),
            GatewayKind::Parallel,
            false,
        );
        let join = self.gateway(
            scope,
            &format!("{}__join", step.id),
            &format!("{name}: all done"),
            GatewayKind::Parallel,
            false,
        );
        if steps.is_empty() {
            connect(&mut self.ids, scope, &fork, &join, None, None);
        }
        for child in steps {
            self.path(scope, &fork, &join, std::slice::from_ref(child), None, None);
        }
        (fork, join)
    }

    /// The condition and label of one branch of a switch.
    fn branch_condition(&mut self, subject: &str, pos: crate::diagnostic::Pos, test: &BranchTest) -> (String, String) {
        let value = self.text(subject, pos);
        let (feel, label) = match test {
            BranchTest::Eq(literal) => (
                format!("{}{value}{} = {}", string_if_bool(literal).0, string_if_bool(literal).1, feel_string(literal)),
                literal.clone(),
            ),
            BranchTest::Ne(literal) => (
                format!(
                    "{}{value}{} != {}",
                    string_if_bool(literal).0,
                    string_if_bool(literal).1,
                    feel_string(literal)
                ),
                format!("not {literal}"),
            ),
            BranchTest::Contains(literal) => {
                (format!("contains(string({value}), {})", feel_string(literal)), format!("contains {literal}"))
            }
        };
        (format!("=({feel}) = true"), label)
    }

    /// An embedded sub-process running `steps`, optionally as a sequential multi-instance over a
    /// collection (`(inputCollection, inputElement)`).
    fn body_sub_process(
        &mut self,
        scope: &mut Scope,
        step: &Step,
        steps: &[Step],
        over: Option<(String, &str)>,
    ) -> String {
        let id = self.ids.fresh(&step.id);
        let mut inner = Scope::new();
        let start = self.ids.fresh(&format!("{}__start", step.id));
        inner.push(FlowElement::Node(node(&start, "Start", None, start_event())));
        let end = self.ids.fresh(&format!("{}__end", step.id));
        let last = match self.sequence(&mut inner, steps) {
            Some((entry, exit)) => {
                connect(&mut self.ids, &mut inner, &start, &entry, None, None);
                exit
            }
            None => start,
        };
        inner.push(FlowElement::Node(node(&end, "Done", None, end_event(None))));
        connect(&mut self.ids, &mut inner, &last, &end, None, None);
        let name = step_name(step);
        let sub = self.sub_process_node(&id, &name, step, inner, over);
        scope.push(FlowElement::Node(sub));
        id
    }

    fn sub_process_node(
        &mut self,
        id: &str,
        name: &str,
        step: &Step,
        inner: Scope,
        over: Option<(String, &str)>,
    ) -> bpmn::model::FlowNode {
        let mut sub = SubProcess::new(SubProcessKind::Embedded);
        sub.flow_elements = inner;
        if let Some((collection, element)) = over {
            let zeebe = ZeebeLoopCharacteristics {
                input_collection: Some(collection),
                input_element: Some(element.to_owned()),
                ..ZeebeLoopCharacteristics::default()
            };
            sub.activity = Activity {
                loop_characteristics: Some(LoopCharacteristics::MultiInstance(MultiInstance {
                    is_sequential: Some(true),
                    extension_elements: Some(ExtensionElements {
                        items: vec![ExtensionElement::LoopCharacteristics(zeebe)],
                        ..ExtensionElements::default()
                    }),
                    ..MultiInstance::default()
                })),
                ..Activity::default()
            };
        }
        node(id, name, step.description.as_deref(), FlowNodeKind::SubProcess(sub))
    }
}

/// `string(` `)` around the subject when the literal is `true`/`false` (survey §8.2).
fn string_if_bool(literal: &str) -> (&'static str, &'static str) {
    if literal == "true" || literal == "false" { ("string(", ")") } else { ("", "") }
}

/// An end event with an optional definition.
pub(super) fn end_event(definition: Option<EventDefinition>) -> FlowNodeKind {
    FlowNodeKind::Event(Event::new(EventKind::End, definition))
}
