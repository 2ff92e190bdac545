//! What the reader makes of valid documents: namespaces by URI under any prefix, encodings,
//! typed content, kept unknown content, and locations.

use bpmn::model::{
    DiagramElement, EventDefinitionKind, ExtensionElement, FlowElement, FlowNodeKind, LoopCharacteristics, RootElement,
    XmlNode,
};
use bpmn::{Definitions, read, write};

const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

/// The same small process, spelled with the given root prefix (`""` for the default namespace).
fn process_with_prefix(prefix: &str) -> String {
    let (declaration, p) = if prefix.is_empty() {
        (format!("xmlns=\"{BPMN_NS}\""), String::new())
    } else {
        (format!("xmlns:{prefix}=\"{BPMN_NS}\""), format!("{prefix}:"))
    };
    format!(
        "<{p}definitions {declaration} id=\"d\" targetNamespace=\"t\">\n\
         <{p}process id=\"p\" isExecutable=\"true\">\n\
         <{p}startEvent id=\"s\"><{p}outgoing>f</{p}outgoing></{p}startEvent>\n\
         <{p}sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"e\"/>\n\
         <{p}endEvent id=\"e\"><{p}incoming>f</{p}incoming></{p}endEvent>\n\
         </{p}process>\n</{p}definitions>"
    )
}

fn read_ok(text: &str) -> Definitions {
    read(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn only_process(model: &Definitions) -> &bpmn::model::Process {
    model.processes().next().unwrap_or_else(|| panic!("no process in {model:?}"))
}

#[test]
fn any_prefix_and_the_default_namespace_read_the_same() {
    let reference = read_ok(&process_with_prefix("bpmn"));
    let process = only_process(&reference);
    assert_eq!(process.flow_elements.len(), 3);
    assert!(matches!(&process.flow_elements[0], FlowElement::Node(n) if n.element_name() == "startEvent"));
    for prefix in ["bpmn2", "semantic", "model", ""] {
        let mut other = read_ok(&process_with_prefix(prefix));
        other.namespace_declarations.clear();
        let mut expected = reference.clone();
        expected.namespace_declarations.clear();
        assert_eq!(other, expected, "prefix {prefix:?}");
    }
}

#[test]
fn a_prefix_bound_to_another_uri_is_not_bpmn() {
    let text = "<bpmn:definitions xmlns:bpmn=\"http://example.com/other\" id=\"d\"/>";
    assert!(read(text.as_bytes()).is_err());
}

#[test]
fn latin1_input_reads_and_writes_as_utf8() {
    let text = process_with_prefix("bpmn").replace("id=\"p\"", "id=\"p\" name=\"Prüfung für Größe\"");
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n".to_vec();
    bytes.extend(text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')));
    assert!(std::str::from_utf8(&bytes).is_err(), "the input must really be Latin-1");
    let model = read(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(only_process(&model).common.name.as_deref(), Some("Prüfung für Größe"));
    let written = write(&model);
    assert!(written.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    assert!(written.contains("name=\"Prüfung für Größe\""), "{written}");
    assert_eq!(
        read(written.as_bytes()).map(|m| only_process(&m).common.name.clone()),
        Ok(Some("Prüfung für Größe".into()))
    );
}

#[test]
fn a_utf8_byte_order_mark_is_skipped() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(process_with_prefix("bpmn").as_bytes());
    assert_eq!(read(&bytes), Ok(read_ok(&process_with_prefix("bpmn"))));
}

const ZEEBE_PROCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:vendor="http://example.com/vendor" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="d" targetNamespace="t" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.5.0">
  <bpmn:message id="m" name="approved">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="p" isExecutable="true" vendor:owner="ops">
    <bpmn:serviceTask id="work" name="Work">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="worker" retries="5"/>
        <zeebe:taskHeaders><zeebe:header key="k" value="v"/></zeebe:taskHeaders>
        <zeebe:ioMapping><zeebe:input source="=a" target="b"/><zeebe:output source="=c" target="d"/></zeebe:ioMapping>
        <zeebe:taskDefinition retries="1"/>
        <vendor:note xmlns:extra="http://example.com/extra" extra:flag="yes"><!-- keep me -->text</vendor:note>
      </bpmn:extensionElements>
      <bpmn:outgoing>toTimer</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=result"/>
        </bpmn:extensionElements>
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=done</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="toTimer" sourceRef="work" targetRef="wait">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=x &gt; 1</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT5M</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:dataObject id="data"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="p">
      <bpmndi:BPMNShape id="work_di" bpmnElement="work">
        <dc:Bounds x="100" y="80.5" width="100" height="80"/>
        <bpmndi:BPMNLabel><dc:Bounds x="1" y="2" width="3" height="4"/></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_di" bpmnElement="toTimer">
        <di:waypoint x="200" y="120"/>
        <di:waypoint x="300" y="120"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"#;

#[test]
fn zeebe_extensions_are_typed() {
    let model = read_ok(ZEEBE_PROCESS);
    assert_eq!(model.execution_platform_version.as_deref(), Some("8.5.0"));
    let message = model.message("m").unwrap_or_else(|| panic!("message m"));
    let key = message.common.extensions().subscription().and_then(|s| s.correlation_key.as_deref());
    assert_eq!(key, Some("=orderId"));
    let process = only_process(&model);
    let FlowElement::Node(work) = &process.flow_elements[0] else { panic!("service task first") };
    let ext = work.common.extensions();
    let definition = ext.task_definition().unwrap_or_else(|| panic!("task definition"));
    assert_eq!((definition.job_type.as_str(), definition.retries.as_deref()), ("worker", Some("5")));
    assert!(definition.location.is_known());
    assert_eq!(ext.task_headers().map(|h| h.headers[0].value.as_str()), Some("v"));
    let io = ext.io_mapping().unwrap_or_else(|| panic!("io mapping"));
    assert_eq!((io.inputs[0].source.as_deref(), io.outputs[0].target.as_str()), (Some("=a"), "d"));
    // A task definition without a type cannot be typed; it is kept as written.
    let kept: Vec<&str> = ext
        .items
        .iter()
        .filter_map(|i| match i {
            ExtensionElement::Other(e) => Some(e.name.local.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(kept, ["taskDefinition", "note"]);
    let Some(LoopCharacteristics::MultiInstance(multi)) = &work.activity().and_then(|a| a.loop_characteristics.clone())
    else {
        panic!("multi-instance");
    };
    assert!(multi.sequential());
    assert_eq!(multi.completion_condition.as_ref().map(|c| c.body.as_str()), Some("=done"));
    let zeebe_loop = multi.extension_elements.as_ref().and_then(|e| e.loop_characteristics());
    assert_eq!(zeebe_loop.and_then(|l| l.input_collection.as_deref()), Some("=items"));
    assert_eq!(zeebe_loop.and_then(|l| l.output_element.as_deref()), Some("=result"));
}

#[test]
fn flows_timers_and_diagrams_are_typed_with_locations() {
    let model = read_ok(ZEEBE_PROCESS);
    let process = only_process(&model);
    let FlowElement::SequenceFlow(flow) = &process.flow_elements[1] else { panic!("flow second") };
    let condition = flow.condition.as_ref().unwrap_or_else(|| panic!("condition"));
    assert_eq!(condition.body, "=x > 1");
    assert_eq!(condition.xsi_type.as_deref(), Some("bpmn:tFormalExpression"));
    assert_eq!((flow.common.location.line, flow.common.location.column), (23, 5));
    let FlowElement::Node(wait) = &process.flow_elements[2] else { panic!("timer third") };
    assert_eq!((wait.common.location.line, wait.common.location.column), (26, 5));
    let FlowNodeKind::Event(event) = &wait.kind else { panic!("event") };
    let definition = event.definition().unwrap_or_else(|| panic!("one definition"));
    assert_eq!(definition.id.as_deref(), Some("td"));
    let EventDefinitionKind::Timer { time_duration: Some(duration), .. } = &definition.kind else {
        panic!("timer duration")
    };
    assert_eq!(duration.body, "PT5M");
    assert!(matches!(&process.flow_elements[3], FlowElement::Other(e) if e.name.local == "dataObject"));
    let plane = &model.diagrams[0].plane;
    let DiagramElement::Shape(shape) = &plane.elements[0] else { panic!("shape") };
    assert_eq!((shape.bounds.y, shape.bounds.width), (80.5, 100.0));
    assert_eq!(shape.label.as_ref().and_then(|l| l.bounds).map(|b| b.height), Some(4.0));
    let DiagramElement::Edge(edge) = &plane.elements[1] else { panic!("edge") };
    assert_eq!(edge.waypoints.iter().map(|p| p.x).collect::<Vec<_>>(), [200.0, 300.0]);
}

#[test]
fn unknown_content_is_kept_with_comments_and_declarations() {
    let model = read_ok(ZEEBE_PROCESS);
    let process = only_process(&model);
    assert_eq!(process.common.extras.attribute(Some("http://example.com/vendor"), "owner"), Some("ops"));
    let FlowElement::Node(work) = &process.flow_elements[0] else { panic!("service task first") };
    let note = work
        .common
        .extensions()
        .items
        .iter()
        .find_map(|i| match i {
            ExtensionElement::Other(e) if e.name.local == "note" => Some(e),
            _ => None,
        })
        .unwrap_or_else(|| panic!("vendor note kept"));
    assert_eq!(note.namespace_declarations, [(Some("extra".to_owned()), "http://example.com/extra".to_owned())]);
    assert_eq!(note.attribute(Some("http://example.com/extra"), "flag"), Some("yes"));
    assert_eq!(note.children[0], XmlNode::Comment(" keep me ".into()));
    assert_eq!(note.text(), "text");
    let declared: Vec<_> = model.namespace_declarations.iter().map(|(p, _)| p.clone().unwrap_or_default()).collect();
    assert_eq!(declared, ["vendor"], "canonical prefixes are the writer's own");
    // And all of it survives a write.
    let again = read_ok(&write(&model));
    assert_eq!(again, model);
}

#[test]
fn root_elements_of_other_kinds_are_kept_in_order() {
    let text = process_with_prefix("bpmn").replace(
        "<bpmn:process",
        "<bpmn:itemDefinition id=\"item\" structureRef=\"x\"/>\n<bpmn:signal id=\"sig\" name=\"go\"/>\n<bpmn:process",
    );
    let model = read_ok(&text);
    assert!(matches!(&model.root_elements[0], RootElement::Other(e) if e.id() == Some("item")));
    assert_eq!(model.signal("sig").and_then(|s| s.common.name.as_deref()), Some("go"));
}

#[test]
fn a_ten_megabyte_file_reads() {
    let mut text =
        format!("<bpmn:definitions xmlns:bpmn=\"{BPMN_NS}\" id=\"d\" targetNamespace=\"t\"><bpmn:process id=\"p\">\n");
    let mut count = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!(
            "<bpmn:serviceTask id=\"t{count}\" name=\"Task {count}\"><bpmn:incoming>f{count}</bpmn:incoming></bpmn:serviceTask>\
             <bpmn:sequenceFlow id=\"f{count}\" sourceRef=\"t{count}\" targetRef=\"t{}\"/>\n",
            count + 1
        ));
        count += 1;
    }
    text.push_str("</bpmn:process></bpmn:definitions>");
    let model = read_ok(&text);
    assert_eq!(only_process(&model).flow_elements.len(), 2 * count);
    let FlowElement::Node(last) = &only_process(&model).flow_elements[2 * count - 2] else { panic!("task") };
    assert_eq!(last.common.location.line, u32::try_from(count + 1).unwrap_or_default());
}
