//! The FEEL the compiler emits parses with the workspace's FEEL engine, and means what the
//! dialect meant when evaluated.

use std::path::Path;

use bpmn::model::{EventDefinitionKind, FlowElement, FlowNode, FlowNodeKind, LoopCharacteristics};
use feel::Expression;
use serde_json::{Value, json};
use yaml_to_bpmn::template::{Scope, Translator, parse_expr, split};
use yaml_to_bpmn::{Source, compile_set};

fn sources(dir: &Path) -> Vec<Source> {
    let mut paths = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|p| Source { name: p.display().to_string(), text: std::fs::read_to_string(p).expect("read") })
        .collect()
}

/// Every `=expression` of a node: scripts, mappings, conditions, timers, loop collections.
fn node_expressions(node: &FlowNode, out: &mut Vec<(String, String)>) {
    let id = node.common.id.clone();
    let ext = node.common.extensions();
    if let Some(script) = ext.script() {
        out.push((id.clone(), script.expression.clone()));
    }
    if let Some(io) = ext.io_mapping() {
        for m in io.inputs.iter().chain(&io.outputs) {
            out.extend(m.source.clone().map(|s| (id.clone(), s)));
        }
    }
    match &node.kind {
        FlowNodeKind::Event(event) => {
            for definition in &event.definitions {
                if let EventDefinitionKind::Timer { time_duration: Some(d), .. } = &definition.kind {
                    out.push((id.clone(), d.body.clone()));
                }
            }
        }
        FlowNodeKind::SubProcess(sub) => {
            if let Some(LoopCharacteristics::MultiInstance(mi)) = &sub.activity.loop_characteristics
                && let Some(zeebe) = mi.extension_elements.as_ref().and_then(|e| e.loop_characteristics())
            {
                out.extend(zeebe.input_collection.clone().map(|c| (id.clone(), c)));
            }
            scope_expressions(&sub.flow_elements, out);
        }
        _ => {}
    }
}

fn scope_expressions(elements: &[FlowElement], out: &mut Vec<(String, String)>) {
    for element in elements {
        match element {
            FlowElement::Node(node) => node_expressions(node, out),
            FlowElement::SequenceFlow(flow) => {
                out.extend(flow.condition.as_ref().map(|c| (flow.common.id.clone(), c.body.clone())));
            }
            FlowElement::Other(_) => {}
        }
    }
}

#[test]
fn every_expression_of_the_compiled_corpus_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = sources(&root.join("../../shared/corpus/seed-workflows"));
    all.extend(sources(&root.join("tests/good")));
    let outcome = compile_set(&all);
    assert!(!outcome.has_errors());
    let mut failures = Vec::new();
    let mut count = 0;
    for workflow in &outcome.workflows {
        let mut expressions = Vec::new();
        for process in workflow.definitions.processes() {
            scope_expressions(&process.flow_elements, &mut expressions);
        }
        for (element, text) in expressions.into_iter().filter(|(_, t)| t.starts_with('=')) {
            count += 1;
            if let Err(error) = Expression::parse(&text) {
                failures.push(format!("{} {element}: {error}: {text}", workflow.id));
            }
        }
    }
    assert!(count > 900, "only {count} expressions found");
    assert!(failures.is_empty(), "{} of {count} do not parse:\n{}", failures.len(), failures.join("\n"));
}

struct NoSteps;

impl Scope for NoSteps {
    fn is_boolean_input(&self, name: &str) -> bool {
        name == "FLAG"
    }

    fn step_sources(&self, id: &str, _output: &str) -> Vec<String> {
        vec![id.to_owned()]
    }
}

fn eval(feel: &str, variables: Value) -> Value {
    let variables = variables.as_object().cloned().unwrap_or_default();
    Expression::parse(feel).unwrap_or_else(|e| panic!("{feel}: {e}")).evaluate_json(&variables).expect("evaluates")
}

fn condition(template: &str, variables: Value) -> Value {
    let feel = Translator::new(&NoSteps).condition(&parse_expr(template).expect("parses"));
    eval(&format!("({feel}) = true"), variables)
}

fn text(source: &str, variables: Value) -> Value {
    let feel = Translator::new(&NoSteps).text(&split(source).expect("splits"));
    eval(&feel, variables)
}

#[test]
fn truthiness_follows_the_survey() {
    for (value, expected) in [
        (json!(true), true),
        (json!(false), false),
        (json!(null), false),
        (json!(""), false),
        (json!("false"), false),
        (json!("FALSE"), false),
        (json!("yes"), true),
        (json!(0), true),
        (json!([]), false),
        (json!([1]), true),
    ] {
        assert_eq!(condition("context.X", json!({"X": value})), json!(expected), "{value}");
    }
    assert_eq!(condition("context.X", json!({})), json!(false), "missing variable");
}

#[test]
fn hyphenated_step_ids_read_their_outputs() {
    let vars = json!({"steps": {"create-branch": {"BRANCH_NAME": "feature/x"}}});
    assert_eq!(text("${steps.create-branch.BRANCH_NAME}", vars.clone()), json!("feature/x"));
    assert_eq!(text("${steps.other-step.BRANCH_NAME}", vars), json!(null));
}

#[test]
fn embedded_templates_are_null_safe() {
    assert_eq!(text("PR ${inputs.N} for ${inputs.MISSING}!", json!({"inputs": {"N": 42}})), json!("PR 42 for !"));
    assert_eq!(text("rollback-${steps.a.ID}", json!({"steps": {}})), json!("rollback-"));
}

#[test]
fn comparisons_and_logic() {
    let vars = json!({"inputs": {"SEVERITY": "P1", "FLAG": false, "AUTO": true, "COUNT": "3"}});
    assert_eq!(condition("inputs.SEVERITY eq 'P1'", vars.clone()), json!(true));
    assert_eq!(condition("inputs.SEVERITY ne 'P1'", vars.clone()), json!(false));
    assert_eq!(condition("not inputs.FLAG", vars.clone()), json!(true));
    assert_eq!(condition("inputs.AUTO eq 'true'", vars.clone()), json!(true));
    assert_eq!(condition("inputs.COUNT gt 2", vars.clone()), json!(true));
    assert_eq!(condition("inputs.COUNT gt '5'", vars.clone()), json!(false));
    assert_eq!(condition("inputs.MISSING gt 0", vars.clone()), json!(false), "null comparisons are false");
    assert_eq!(condition("not context.unset", json!({})), json!(true));
    assert_eq!(condition("inputs.FLAG or inputs.SEVERITY eq 'P1'", vars), json!(true));
}

#[test]
fn values() {
    let vars = json!({"inputs": {"EMERGENCY": true, "STATUS": null, "L": ["commits", "tests"]}, "CURRENT_STATE": "Active", "IDS": [7, 8]});
    assert_eq!(text("${inputs.EMERGENCY ? 'main' : 'rollback-' + inputs.X}", vars.clone()), json!("main"));
    assert_eq!(text("${inputs.STATUS or context.CURRENT_STATE}", vars.clone()), json!("Active"));
    assert_eq!(text("${context.IDS[0]}", vars.clone()), json!(7));
    assert_eq!(text("${context.IDS.length}", vars.clone()), json!(2));
    assert_eq!(condition("context.includes(inputs.L, 'tests')", vars.clone()), json!(true));
    assert_eq!(text("${inputs.EMERGENCY ? 'a\\nb' : ''}", vars), json!("a\nb"));
}
