//! Deployment refuses what the engine cannot run, naming the element id and kind, and reports
//! unreadable XML with its position.

use bpmn::model::{
    Event, EventDefinition, EventDefinitionKind, EventKind, FlowNodeKind, LoopCharacteristics, SubProcess,
    SubProcessKind, XmlElement,
};
use engine::EngineCore;
use engine::EngineError;
use engine::testing::model::{ProcessBuilder, TimerKind};

fn refusal(definitions: &bpmn::Definitions) -> String {
    match EngineCore::new().deploy_model("bad.bpmn", definitions) {
        Err(EngineError::InvalidArgument(message)) => message,
        other => panic!("expected INVALID_ARGUMENT, got {other:?}"),
    }
}

fn with_event(kind: EventKind, definition: EventDefinitionKind) -> bpmn::Definitions {
    ProcessBuilder::new("p")
        .start("s")
        .node("odd", FlowNodeKind::Event(Event::new(kind, Some(EventDefinition::new(definition)))))
        .end("e")
        .build()
}

#[test]
fn unsupported_event_definitions_are_refused_by_id_and_kind() {
    let cases = [
        (EventKind::IntermediateCatch, EventDefinitionKind::Conditional { condition: None }),
        (EventKind::End, EventDefinitionKind::Cancel),
        (
            EventKind::IntermediateThrow,
            EventDefinitionKind::Compensate { activity_ref: None, wait_for_completion: None },
        ),
    ];
    for (kind, definition) in cases {
        let element = kind.element_name();
        let message = refusal(&with_event(kind, definition));
        assert!(
            message.contains("'odd'") && message.contains(element) && message.contains("not supported"),
            "{message}"
        );
    }
}

#[test]
fn multiple_event_definitions_are_refused() {
    let mut event =
        Event::new(EventKind::IntermediateCatch, Some(EventDefinition::new(EventDefinitionKind::Terminate)));
    event.definitions.push(EventDefinition::new(EventDefinitionKind::Cancel));
    let model = ProcessBuilder::new("p").start("s").node("multi", FlowNodeKind::Event(event)).end("e").build();
    assert!(refusal(&model).contains("multiple event definitions"));
}

#[test]
fn transactions_and_empty_ad_hoc_sub_processes_are_refused() {
    for kind in [SubProcessKind::Transaction, SubProcessKind::AdHoc] {
        let model = ProcessBuilder::new("p")
            .start("s")
            .node("tx", FlowNodeKind::SubProcess(SubProcess::new(kind.clone())))
            .end("e")
            .build();
        let message = refusal(&model);
        assert!(message.contains("'tx'") && message.contains(kind.element_name()), "{message}");
    }
}

#[test]
fn standard_loops_and_missing_job_types_are_refused() {
    let mut model = ProcessBuilder::new("p").start("s").service_task("loop", "w").end("e").build();
    if let Some(bpmn::model::RootElement::Process(process)) = model.root_elements.first_mut()
        && let Some(bpmn::model::FlowElement::Node(node)) = process.flow_elements.get_mut(1)
        && let Some(activity) = node.activity_mut()
    {
        activity.loop_characteristics = Some(LoopCharacteristics::Standard(XmlElement::new(
            bpmn::model::QName::local("standardLoopCharacteristics"),
        )));
    }
    assert!(refusal(&model).contains("standard loop"));
    let no_type = ProcessBuilder::new("p").start("s").task_without_definition("t").end("e").build();
    assert!(refusal(&no_type).contains("zeebe:taskDefinition"));
}

#[test]
fn bad_expressions_timers_and_flows_are_refused() {
    let bad_condition =
        ProcessBuilder::new("p").start("s").exclusive("gw").end("a").condition("gw", "a", "=x >").build();
    assert!(refusal(&bad_condition).contains("invalid expression"));
    let bad_timer =
        ProcessBuilder::new("p").start("s").timer_catch("t", TimerKind::Duration, "1 hour").end("e").build();
    assert!(refusal(&bad_timer).contains("Invalid duration"));
    let condition_on_task = ProcessBuilder::new("p").start("s").task("t").end("e").condition("t", "e", "=true").build();
    assert!(refusal(&condition_on_task).contains("only allowed on flows leaving exclusive or inclusive gateways"));
    let dangling = ProcessBuilder::new("p").start("s").end("e").connect("s", "nowhere").build();
    assert!(refusal(&dangling).contains("does not exist"));
    let sub_without_start =
        ProcessBuilder::new("p").start("s").sub_process("sub", |b| b.task("lonely")).end("e").build();
    assert!(refusal(&sub_without_start).contains("none start event"));
    let lonely_gateway = ProcessBuilder::new("p").start("s").event_gateway("gw").task("t").end("e").build();
    assert!(refusal(&lonely_gateway).contains("eventBasedGateway"));
    let missing_link = ProcessBuilder::new("p").start("s").link_throw("jump", "nowhere").build();
    assert!(refusal(&missing_link).contains("no link catch event named 'nowhere'"));
}

#[test]
fn duplicate_element_ids_are_refused() {
    let model = ProcessBuilder::new("p").start("s").task("twice").task("twice").end("e").build();
    let message = refusal(&model);
    assert!(message.contains("'twice'") && message.contains("more than once"), "{message}");
}

#[test]
fn graph_validation_errors_are_reported_with_the_resource_name() {
    let model = ProcessBuilder::new("p").start("s").exclusive("gw").end("a").move_to("gw").end("b").build();
    let message = refusal(&model);
    assert!(
        message.starts_with("'bad.bpmn'") && message.contains("[gw-a]") && message.contains("no condition"),
        "{message}"
    );
}

#[test]
fn unreadable_xml_names_the_resource_and_position() {
    match EngineCore::new().deploy_xml("broken.bpmn", b"<bpmn:definitions><oops></bpmn:definitions>") {
        Err(EngineError::InvalidArgument(message)) => assert!(message.starts_with("'broken.bpmn'"), "{message}"),
        other => panic!("expected INVALID_ARGUMENT, got {other:?}"),
    }
}
