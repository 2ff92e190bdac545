//! What the compiled BPMN model holds for each dialect construct.

use bpmn::Definitions;
use bpmn::model::{
    EventDefinitionKind, EventKind, FlowElement, FlowNode, FlowNodeKind, GatewayKind, LoopCharacteristics, Process,
    RootElement, SequenceFlow, TaskKind,
};
use yaml_to_bpmn::compile_str;

fn compile(yaml: &str) -> Definitions {
    let outcome = compile_str("t.yaml", yaml);
    assert!(!outcome.has_errors(), "{:#?}", outcome.diagnostics);
    outcome.workflows.into_iter().next().expect("one workflow").definitions
}

fn process(definitions: &Definitions) -> &Process {
    definitions.processes().next().expect("a process")
}

fn all_elements(elements: &[FlowElement], out: &mut Vec<FlowElement>) {
    for element in elements {
        out.push(element.clone());
        if let FlowElement::Node(FlowNode { kind: FlowNodeKind::SubProcess(sub), .. }) = element {
            all_elements(&sub.flow_elements, out);
        }
    }
}

fn node(definitions: &Definitions, id: &str) -> FlowNode {
    let mut all = Vec::new();
    all_elements(&process(definitions).flow_elements, &mut all);
    all.into_iter()
        .find_map(|e| match e {
            FlowElement::Node(n) if n.common.id == id => Some(n),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no node {id}"))
}

fn flows_from(definitions: &Definitions, id: &str) -> Vec<SequenceFlow> {
    let mut all = Vec::new();
    all_elements(&process(definitions).flow_elements, &mut all);
    all.into_iter()
        .filter_map(|e| match e {
            FlowElement::SequenceFlow(f) if f.source_ref == id => Some(f),
            _ => None,
        })
        .collect()
}

fn header(node: &FlowNode, key: &str) -> Option<String> {
    let headers = node.common.extensions().task_headers()?;
    headers.headers.iter().find(|h| h.key == key).map(|h| h.value.clone())
}

fn input(node: &FlowNode, target: &str) -> Option<String> {
    let io = node.common.extensions().io_mapping()?;
    io.inputs.iter().find(|m| m.target == target).and_then(|m| m.source.clone())
}

const HEAD: &str = "metadata:\n  id: demo-flow\n  name: Demo Flow\n  version: 1.0.0\n  persona_info:\n    type: qa-test-engineer\ninputs:\n  - name: FLAG\n    type: boolean\n    required: false\n    default: true\n  - name: ID\n    type: string\n    required: true\n";

fn workflow(steps: &str) -> String {
    format!("{HEAD}steps:\n{steps}")
}

#[test]
fn process_carries_id_name_and_metadata() {
    let d = compile(&workflow("  - id: a\n    action: log\n    message: hi\n"));
    let p = process(&d);
    assert_eq!(p.common.id, "demo-flow");
    assert_eq!(p.common.name.as_deref(), Some("Demo Flow"));
    assert!(p.executable());
    let props = p.common.extensions().properties().expect("properties");
    assert!(props.properties.iter().any(|p| p.name == "persona_info.type" && p.value == "qa-test-engineer"));
    assert_eq!(p.common.extensions().version_tag().map(|v| v.value.as_str()), Some("1.0.0"));
    assert_eq!(d.execution_platform_version.as_deref(), Some(bpmn::TARGET_PLATFORM_VERSION));
}

#[test]
fn init_merges_input_defaults_and_clears_steps() {
    let d = compile(&workflow("  - id: a\n    action: log\n    message: hi\n"));
    let init = node(&d, "workflow__init");
    let script = init.common.extensions().script().expect("script");
    assert_eq!(script.expression, "=context merge([{\"FLAG\": true}, if inputs = null then {} else inputs])");
    let outputs = &init.common.extensions().io_mapping().expect("io").outputs;
    assert!(outputs.iter().any(|m| m.target == "steps" && m.source.as_deref() == Some("={}")));
}

#[test]
fn shell_command_becomes_a_service_task_with_a_command_template() {
    let d = compile(&workflow(
        "  - id: build\n    action: shell-command\n    command: make ${inputs.ID} ${HOME}\n    retryCount: 5\n    onError: continue\n    outputs: [RESULT]\n",
    ));
    let task = node(&d, "build");
    assert!(matches!(&task.kind, FlowNodeKind::Task(t) if t.kind == TaskKind::Service));
    let definition = task.common.extensions().task_definition().expect("task definition");
    assert_eq!(definition.job_type, "shell-command");
    assert_eq!(definition.retries.as_deref(), Some("5"));
    assert_eq!(header(&task, "commandTemplate").as_deref(), Some("make {{t0}} ${HOME}"));
    assert_eq!(input(&task, "t0").as_deref(), Some("=inputs.ID"));
    assert_eq!(header(&task, "stepId").as_deref(), Some("build"));
    assert_eq!(header(&task, "onError").as_deref(), Some("continue"));
    assert_eq!(header(&task, "persona").as_deref(), Some("qa-test-engineer"));
    let outputs = &task.common.extensions().io_mapping().expect("io").outputs;
    assert_eq!(outputs[0].target, "steps");
    assert_eq!(outputs[0].source.as_deref(), Some("=context put(steps, \"build\", {\"RESULT\": RESULT})"));
}

#[test]
fn operation_parameters_travel_as_one_feel_context() {
    let d = compile(&workflow(
        "  - id: wi\n    action: azure-devops\n    operation: create-work-item\n    inputs:\n      title: \"Fix ${inputs.ID}\"\n      urgent: true\n      tags: [a, b]\n",
    ));
    let task = node(&d, "wi");
    assert_eq!(task.common.extensions().task_definition().map(|t| t.job_type.as_str()), Some("azure-devops"));
    assert_eq!(header(&task, "operation").as_deref(), Some("create-work-item"));
    assert_eq!(
        input(&task, "parameters").as_deref(),
        Some(
            "={\"title\": \"Fix \" + (if inputs.ID = null then \"\" else string(inputs.ID)), \"urgent\": true, \"tags\": [\"a\", \"b\"]}"
        )
    );
}

#[test]
fn every_catalogued_action_with_operations_compiles_as_an_operation_step() {
    let with_operations: Vec<_> =
        actions::specs().into_iter().filter(|spec| spec.in_steps && !spec.operations.is_empty()).collect();
    assert!(with_operations.len() >= 2, "git-operation and azure-devops at least");
    for spec in with_operations {
        let operation = &spec.operations[0];
        let value = |shape: &actions::Shape| match shape {
            actions::Shape::Number => "1",
            actions::Shape::Boolean => "true",
            actions::Shape::List => "[a]",
            actions::Shape::Object => "{a: 1}",
            _ => "x",
        };
        let inputs: String = operation
            .inputs
            .iter()
            .filter(|i| i.required)
            .map(|i| format!("      {}: {}\n", i.name, value(&i.shape)))
            .collect();
        let inputs = if inputs.is_empty() { String::new() } else { format!("    inputs:\n{inputs}") };
        let d = compile(&workflow(&format!(
            "  - id: op\n    action: {}\n    operation: {}\n{inputs}",
            spec.name, operation.name
        )));
        let task = node(&d, "op");
        assert_eq!(task.common.extensions().task_definition().map(|t| t.job_type.as_str()), Some(spec.job_type));
        assert_eq!(header(&task, "operation").as_deref(), Some(operation.name), "{}", spec.name);
    }
}

#[test]
fn execute_workflow_becomes_a_call_activity() {
    let d = compile(&workflow(
        "  - id: call\n    action: execute-workflow\n    workflow: wf3-branch-creation\n    inputs:\n      BRANCH: ${inputs.ID}\n",
    ));
    let call = node(&d, "call");
    let called = call.common.extensions().called_element().expect("called element");
    assert_eq!(called.process_id, "wf3-branch-creation");
    assert_eq!(called.propagate_all_child_variables, Some(false));
    assert_eq!(called.propagate_all_parent_variables, Some(false));
    assert_eq!(input(&call, "inputs").as_deref(), Some("={\"BRANCH\": inputs.ID}"));
    let io = call.common.extensions().io_mapping().expect("io");
    assert_eq!(input(&call, "steps__caller").as_deref(), Some("=steps"));
    assert_eq!(io.outputs[0].source.as_deref(), Some("=context put(steps__caller, \"call\", outputs)"));
}

#[test]
fn conditional_splits_with_a_default_flow_and_joins() {
    let d = compile(&workflow(
        "  - id: check\n    action: conditional\n    condition: \"${inputs.FLAG}\"\n    steps:\n      - action: log\n        message: yes\n",
    ));
    let split = node(&d, "check__split");
    let FlowNodeKind::Gateway(gateway) = &split.kind else { panic!("gateway") };
    assert_eq!(gateway.kind, GatewayKind::Exclusive);
    let flows = flows_from(&d, "check__split");
    assert_eq!(flows.len(), 2);
    let conditional = flows.iter().find(|f| f.condition.is_some()).expect("conditional flow");
    assert_eq!(conditional.condition.as_ref().map(|c| c.body.as_str()), Some("=((inputs.FLAG = true)) = true"));
    assert_eq!(conditional.target_ref, "check__s0", "anonymous child gets a path id");
    let default = flows.iter().find(|f| f.condition.is_none()).expect("default flow");
    assert_eq!(gateway.default_flow.as_deref(), Some(default.common.id.as_str()));
    assert_eq!(default.target_ref, "check__join");
}

#[test]
fn branches_become_one_exclusive_gateway_with_a_default() {
    let d = compile(&workflow(
        "  - id: route\n    action: conditional\n    condition: \"${inputs.ID}\"\n    branches:\n      - condition: \"eq 'a'\"\n        steps:\n          - action: log\n            message: a\n      - condition: \"contains 'b'\"\n        steps: []\n",
    ));
    let flows = flows_from(&d, "route__split");
    let bodies: Vec<Option<String>> = flows.iter().map(|f| f.condition.as_ref().map(|c| c.body.clone())).collect();
    assert_eq!(
        bodies,
        vec![
            Some("=(inputs.ID = \"a\") = true".to_owned()),
            Some("=(contains(string(inputs.ID), \"b\")) = true".to_owned()),
            None
        ]
    );
    assert_eq!(flows[0].target_ref, "route__b0__s0");
}

#[test]
fn parallel_with_timeout_is_a_sub_process_with_a_timer_boundary() {
    let d = compile(&workflow(
        "  - id: tests\n    action: parallel\n    timeout: 30m\n    steps:\n      - id: u\n        action: log\n        message: u\n      - id: v\n        action: log\n        message: v\n",
    ));
    assert!(matches!(node(&d, "tests").kind, FlowNodeKind::SubProcess(_)));
    let boundary = node(&d, "tests__timeout");
    let FlowNodeKind::Event(event) = &boundary.kind else { panic!("event") };
    assert_eq!(event.kind, EventKind::Boundary { attached_to: "tests".into(), cancel_activity: Some(true) });
    let Some(EventDefinitionKind::Timer { time_duration: Some(duration), .. }) = event.definition().map(|d| &d.kind)
    else {
        panic!("timer")
    };
    assert_eq!(duration.body, "PT30M");
    assert!(matches!(node(&d, "tests__fork").kind, FlowNodeKind::Gateway(ref g) if g.kind == GatewayKind::Parallel));
    assert!(d.error("Error_TIMEOUT").is_some_and(|e| e.error_code.as_deref() == Some("TIMEOUT")));
}

#[test]
fn loops() {
    let d = compile(&workflow(
        "  - id: each\n    action: for-loop\n    items: \"${context.IDS}\"\n    steps:\n      - action: log\n        message: \"${item}\"\n  - id: again\n    action: repeat\n    count: 24\n    steps: []\n  - id: until\n    action: while-loop\n    condition: \"${not context.done}\"\n    steps:\n      - action: set-variable\n        variable: context.done\n        value: true\n",
    ));
    let multi = |id: &str| match &node(&d, id).kind {
        FlowNodeKind::SubProcess(sub) => match &sub.activity.loop_characteristics {
            Some(LoopCharacteristics::MultiInstance(mi)) => mi.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let each = multi("each");
    assert!(each.sequential());
    let zeebe = each.extension_elements.as_ref().and_then(|e| e.loop_characteristics()).expect("zeebe loop");
    assert_eq!(zeebe.input_collection.as_deref(), Some("=if IDS instance of list then IDS else []"));
    assert_eq!(zeebe.input_element.as_deref(), Some("item"));
    let again = multi("again");
    let zeebe = again.extension_elements.as_ref().and_then(|e| e.loop_characteristics()).expect("zeebe loop");
    assert_eq!(zeebe.input_collection.as_deref(), Some("=for i in 1..24 return i"));
    let test_flows = flows_from(&d, "until__test");
    assert_eq!(test_flows.len(), 2, "loop again or leave");
    assert_eq!(test_flows[0].target_ref, "until__count");
    let set = node(&d, "until__s0");
    assert_eq!(set.common.extensions().script().and_then(|s| s.result_variable.clone()).as_deref(), Some("done"));
}

#[test]
fn waits() {
    let d = compile(&workflow(
        "  - id: pause\n    action: wait\n    duration: 30m\n  - id: poll\n    action: wait\n    duration: \"${inputs.ID}s\"\n",
    ));
    let timer = |id: &str| match &node(&d, id).kind {
        FlowNodeKind::Event(e) => match e.definition().map(|d| &d.kind) {
            Some(EventDefinitionKind::Timer { time_duration: Some(t), .. }) => t.body.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(timer("pause"), "PT30M");
    assert_eq!(timer("poll"), "=duration(\"PT\" + string(inputs.ID) + \"S\")");
}

#[test]
fn guard_condition_bypasses_the_step() {
    let d = compile(&workflow("  - id: maybe\n    action: log\n    condition: \"${inputs.FLAG}\"\n    message: hi\n"));
    let flows = flows_from(&d, "maybe__guard");
    assert_eq!(flows.len(), 2);
    assert!(flows.iter().any(|f| f.target_ref == "maybe" && f.condition.is_some()));
    assert!(flows.iter().any(|f| f.target_ref == "maybe__guard_join" && f.condition.is_none()));
}

fn end_definition(d: &Definitions) -> Option<EventDefinitionKind> {
    match &node(d, "error__end").kind {
        FlowNodeKind::Event(e) => e.definition().map(|d| d.kind.clone()),
        _ => None,
    }
}

#[test]
fn error_handling_strategies_pick_the_end_event() {
    let with = |strategy: &str| {
        compile(&format!(
            "{}errorHandling:\n  strategy: {strategy}\n  onFailure:\n    - id: log-error\n      action: log\n      message: \"Failed: ${{error.message}}\"\n  notifications:\n    - type: slack\n      target: \"#ops\"\n",
            workflow("  - id: a\n    action: log\n    message: hi\n")
        ))
    };
    let fail = with("fail-fast");
    assert_eq!(end_definition(&fail), Some(EventDefinitionKind::Error { error_ref: Some("Error_STEP_FAILED".into()) }));
    assert_eq!(end_definition(&with("continue-on-error")), None);
    assert_eq!(
        end_definition(&with("escalate")),
        Some(EventDefinitionKind::Escalation { escalation_ref: Some("Escalation_ESCALATED".into()) })
    );
    let start = node(&fail, "error__start");
    let FlowNodeKind::Event(event) = &start.kind else { panic!("event") };
    assert_eq!(event.definition().map(|d| &d.kind), Some(&EventDefinitionKind::Error { error_ref: None }));
    let notify = node(&fail, "error__notify_0");
    assert_eq!(header(&notify, "target").as_deref(), Some("#ops"));
    assert!(
        fail.root_elements
            .iter()
            .any(|r| matches!(r, RootElement::Error(e) if e.error_code.as_deref() == Some("STEP_FAILED")))
    );
}

#[test]
fn a_seed_sla_escalates_from_a_non_interrupting_timer_event_sub_process() {
    let d = compile(
        &workflow("  - id: a\n    action: log\n    message: hi\n")
            .replace("  name: Demo Flow\n", "  name: Demo Flow\n  sla: 4h\n"),
    );
    let start = node(&d, "sla__start");
    let FlowNodeKind::Event(event) = &start.kind else { panic!("event") };
    assert_eq!(event.kind, EventKind::Start { is_interrupting: Some(false) });
    assert!(matches!(
        event.definition().map(|d| &d.kind),
        Some(EventDefinitionKind::Timer { time_duration: Some(t), .. }) if t.body == "PT4H"
    ));
    let escalate = node(&d, "workflow__escalate_breach");
    assert_eq!(escalate.common.extensions().task_definition().map(|t| t.job_type.as_str()), Some("escalate"));
    let headers = escalate.common.extensions().task_headers().expect("headers");
    let header = |key: &str| headers.headers.iter().find(|h| h.key == key).map(|h| h.value.as_str());
    assert_eq!(
        (header("kind"), header("sla"), header("escalateTo")),
        (Some("sla-breach"), Some("PT4H"), Some("engineering-manager"))
    );
}

#[test]
fn every_node_has_a_name_and_wired_flows() {
    let d = compile(&workflow(
        "  - id: check\n    action: conditional\n    condition: \"${inputs.FLAG}\"\n    steps:\n      - action: shell-command\n        command: ls\n    else:\n      - action: git-operation\n        operation: checkout\n",
    ));
    let mut all = Vec::new();
    all_elements(&process(&d).flow_elements, &mut all);
    for element in all {
        if let FlowElement::Node(n) = element {
            assert!(n.common.name.as_deref().is_some_and(|s| !s.is_empty()), "{} has no name", n.common.id);
            let is_start = matches!(&n.kind, FlowNodeKind::Event(e) if matches!(e.kind, EventKind::Start { .. }));
            let is_event_sub = matches!(&n.kind, FlowNodeKind::SubProcess(s) if s.is_event_sub_process());
            assert!(is_start || is_event_sub || !n.incoming.is_empty(), "{} has no incoming flow", n.common.id);
        }
    }
    assert_eq!(node(&d, "check__else__s0").common.name.as_deref(), Some("Git: checkout"));
}

#[test]
fn continue_on_error_makes_steps_without_on_error_continue() {
    let yaml = format!(
        "{}errorHandling:\n  strategy: continue-on-error\n  onFailure: []\n",
        workflow(
            "  - id: a\n    action: log\n    message: hi\n  - id: b\n    action: log\n    message: hi\n    onError: fail\n"
        )
    );
    let d = compile(&yaml);
    assert_eq!(header(&node(&d, "a"), "onError").as_deref(), Some("continue"));
    assert_eq!(header(&node(&d, "b"), "onError").as_deref(), Some("fail"));
    let plain = compile(&workflow("  - id: a\n    action: log\n    message: hi\n"));
    assert_eq!(header(&node(&plain, "a"), "onError"), None);
}

#[test]
fn templated_notification_target_is_an_input_and_stays_out_of_the_name() {
    let yaml = format!(
        "{}errorHandling:\n  strategy: fail-fast\n  onFailure: []\n  notifications:\n    - type: email\n      target: \"${{inputs.ID}}\"\n",
        workflow("  - id: a\n    action: log\n    message: hi\n")
    );
    let d = compile(&yaml);
    let notify = node(&d, "error__notify_0");
    assert_eq!(input(&notify, "target").as_deref(), Some("=inputs.ID"));
    assert_eq!(header(&notify, "target"), None);
    assert_eq!(notify.common.name.as_deref(), Some("Notify via email"));
}

fn scheduled(schedule: &str) -> String {
    format!(
        "metadata:\n  id: nightly\n  name: Nightly\ninputs:\n  - name: SUITE\n    type: string\n    default: smoke\n{schedule}steps:\n  - id: a\n    action: log\n    message: hi\n"
    )
}

#[test]
fn a_schedule_is_a_timer_start_beside_the_none_start() {
    for (schedule, cycle, date) in [
        ("schedule:\n  cron: \"0 0 2 * * *\"\n", Some("0 0 2 * * *"), None),
        ("schedule:\n  cycle: R/PT1H\n", Some("R/PT1H"), None),
        ("schedule:\n  date: 2030-01-01T09:00:00Z\n", None, Some("2030-01-01T09:00:00Z")),
    ] {
        let d = compile(&scheduled(schedule));
        let timer = node(&d, "workflow__schedule");
        let FlowNodeKind::Event(event) = &timer.kind else { panic!("an event") };
        assert!(matches!(event.kind, EventKind::Start { .. }));
        let Some(EventDefinitionKind::Timer { time_date, time_duration, time_cycle }) =
            event.definition().map(|d| &d.kind)
        else {
            panic!("a timer")
        };
        assert_eq!(time_cycle.as_ref().map(|e| e.body.as_str()), cycle);
        assert_eq!(time_date.as_ref().map(|e| e.body.as_str()), date);
        assert!(time_duration.is_none());
        // Both starts join before the workflow's first task, so either one runs it all.
        let join = node(&d, "workflow__begin");
        assert!(matches!(&join.kind, FlowNodeKind::Gateway(g) if g.kind == GatewayKind::Exclusive));
        for start in ["workflow__start", "workflow__schedule"] {
            let targets: Vec<String> = flows_from(&d, start).into_iter().map(|f| f.target_ref).collect();
            assert_eq!(targets, ["workflow__begin"], "{start}");
        }
        let after: Vec<String> = flows_from(&d, "workflow__begin").into_iter().map(|f| f.target_ref).collect();
        assert_eq!(after, ["workflow__init"]);
    }
}

#[test]
fn a_workflow_without_schedule_has_no_timer_start() {
    let d = compile(&scheduled(""));
    let targets: Vec<String> = flows_from(&d, "workflow__start").into_iter().map(|f| f.target_ref).collect();
    assert_eq!(targets, ["workflow__init"]);
}

#[test]
fn a_scheduled_workflow_needs_a_default_for_every_required_input() {
    let yaml = scheduled("schedule:\n  cycle: R/PT1H\n").replace("    default: smoke\n", "    required: true\n");
    let outcome = compile_str("t.yaml", &yaml);
    let error = outcome.diagnostics.iter().find(|d| d.is_error()).expect("an error");
    assert_eq!(error.pos.line, 9, "at the schedule's value: {error}");
    assert!(error.message.contains("input `SUITE` is required and has no default"), "{error}");
}

/// An `ad-hoc` step with tools `lint` (a log) and `unit` (a guarded log), chosen by `chooser`.
fn ad_hoc(chooser: &str) -> Definitions {
    compile(&format!(
        "metadata:\n  id: checks\ninputs:\n  - name: CHECKS\n    type: array\n    default: []\nsteps:\n  - id: run_checks\n    action: ad-hoc\n{chooser}    steps:\n      - id: lint\n        action: log\n        message: lint\n      - id: unit\n        condition: \"${{inputs.CHECKS}}\"\n        action: log\n        message: unit\n"
    ))
}

fn sub_process(node: &FlowNode) -> &bpmn::model::SubProcess {
    match &node.kind {
        FlowNodeKind::SubProcess(sub) => sub,
        other => panic!("{} is not a sub-process: {other:?}", node.common.id),
    }
}

#[test]
fn an_ad_hoc_step_with_run_is_an_ad_hoc_sub_process_of_its_tools() {
    let model = ad_hoc("    run: \"${inputs.CHECKS}\"\n    until: \"${steps.lint}\"\n    cancel_remaining: false\n");
    let step = node(&model, "run_checks");
    let sub = sub_process(&step);
    assert_eq!(sub.kind, bpmn::model::SubProcessKind::AdHoc);
    assert_eq!(sub.cancel_remaining_instances, Some(false));
    assert!(sub.completion_condition.as_ref().is_some_and(|c| c.body.contains("steps.lint")), "{sub:?}");
    let settings = step.common.extensions().ad_hoc().expect("zeebe:adHoc");
    assert_eq!(settings.active_elements_collection.as_deref(), Some("=inputs.CHECKS"));
    assert_eq!(model.execution_platform_version.as_deref(), Some("8.8.0"), "ad-hoc needs Camunda 8.8");
    assert!(step.common.extensions().task_definition().is_none(), "no job: the list decides");
    // Each tool is an element without incoming flow, tagged with its step (the guarded one by
    // its guard, the entry of its chain).
    for (entry, step_id) in [("lint", "lint"), ("unit__guard", "unit")] {
        let tool = node(&model, entry);
        let tagged = tool.common.extensions().properties().map(|p| p.properties.clone()).unwrap_or_default();
        assert!(tagged.iter().any(|p| p.name == "step" && p.value == step_id), "{entry}: {tagged:?}");
        assert!(flows_from(&model, "run_checks").iter().all(|f| f.target_ref != entry));
    }
}

#[test]
fn an_ad_hoc_step_with_an_agent_carries_the_agent_job_and_collects_tool_results() {
    let model = ad_hoc("    agent:\n      goal: \"Run what matters for ${inputs.CHECKS}\"\n      max_calls: 3\n");
    let step = node(&model, "run_checks");
    let definition = step.common.extensions().task_definition().expect("the agent's job");
    assert_eq!(definition.job_type, "agent");
    let headers = step.common.extensions().task_headers().expect("headers").headers.clone();
    assert!(headers.iter().any(|h| h.key == "maxCalls" && h.value == "3"), "{headers:?}");
    let settings = step.common.extensions().ad_hoc().expect("zeebe:adHoc");
    assert_eq!(settings.output_collection.as_deref(), Some("toolCallResults"));
    assert!(settings.active_elements_collection.is_none());
    let inputs = &step.common.extensions().io_mapping().expect("the goal is an input").inputs;
    assert!(inputs.iter().any(|m| m.target == "prompt"), "{inputs:?}");
}
