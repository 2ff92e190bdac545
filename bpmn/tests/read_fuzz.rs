//! Damaged documents never make the reader panic: it returns a model or a located error. And
//! whatever it accepts, the writer turns into a document it accepts again.

use proptest::prelude::*;

const VALID: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:v="http://example.com/v" id="d" targetNamespace="t">
  <bpmn:message id="m" name="n"><bpmn:extensionElements><zeebe:subscription correlationKey="=k"/></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" name="Größe &amp; Co"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="t" default="f2">
      <bpmn:documentation><![CDATA[a <b> c]]></bpmn:documentation>
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="w" retries="3"/>
        <zeebe:ioMapping><zeebe:input source="=a" target="b"/></zeebe:ioMapping>
        <v:x a="1"><!-- c --><v:y/>text</v:x>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:multiInstanceLoopCharacteristics isSequential="false"><bpmn:completionCondition>=x</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="b" attachedToRef="t" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=a &lt; 2</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dg"><bpmndi:BPMNPlane id="pl" bpmnElement="p">
    <bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="1" y="2" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f_di" bpmnElement="f1"><di:waypoint x="1" y="2"/><di:waypoint x="3" y="4"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"#;

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    match bpmn::read(bytes) {
        Ok(model) => {
            let written = bpmn::write(&model);
            let again = bpmn::read(written.as_bytes());
            prop_assert!(again.is_ok(), "written output does not read: {:?}\n{written}", again.err());
        }
        Err(error) => {
            prop_assert!(error.line >= 1 && error.column >= 1, "unlocated error: {error:?}");
            prop_assert!(!error.message.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn truncated_documents(cut in 0..VALID.len()) {
        check(VALID.as_bytes().get(..cut).unwrap_or_default())?;
    }

    #[test]
    fn overwritten_bytes(changes in proptest::collection::vec((0..VALID.len(), any::<u8>()), 1..8)) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, byte) in changes {
            if let Some(slot) = bytes.get_mut(at) {
                *slot = byte;
            }
        }
        check(&bytes)?;
    }

    #[test]
    fn inserted_markup(at in 0..VALID.len(), piece in prop::sample::select(vec!["<", ">", "&", "\"", "</x>", "<a:b>", "&#0;", "]]>", "<!--", "\u{FEFF}", "\r", "xmlns:bpmn=\"x\" "])) {
        let mut bytes = VALID.as_bytes().to_vec();
        let tail = bytes.split_off(at);
        bytes.extend_from_slice(piece.as_bytes());
        bytes.extend_from_slice(&tail);
        check(&bytes)?;
    }
}
