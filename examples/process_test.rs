//! Testing a BPMN process with the engine's process test harness (`engine::testing`), in the
//! style of zeebe-process-test: deploy a model, start an instance, play the job workers, move the
//! virtual clock, and assert what the process did.
//!
//! Run it with `cargo run --example process_test`. It prints each step and panics (exit code
//! 101) if the process does not behave as the assertions say.

use std::time::Duration;

use engine::record::ErrorType;
use engine::testing::ProcessTest;
use serde_json::json;

/// An order process: check the order, then either ship it or reject it. Shipping must finish
/// within one day, otherwise the order is escalated to a human.
const ORDER_PROCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="defs" targetNamespace="http://example.com/orders">
  <bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="received" />
    <bpmn:sequenceFlow id="f1" sourceRef="received" targetRef="check" />
    <bpmn:serviceTask id="check" name="Check order">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="check-order" />
        <zeebe:ioMapping>
          <zeebe:output source="=valid" target="orderValid" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="valid" />
    <bpmn:exclusiveGateway id="valid" default="to_reject" />
    <bpmn:sequenceFlow id="to_ship" sourceRef="valid" targetRef="ship">
      <bpmn:conditionExpression>=orderValid</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_reject" sourceRef="valid" targetRef="rejected" />
    <bpmn:serviceTask id="ship" name="Ship">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="ship" retries="2" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="too_slow" attachedToRef="ship">
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration>P1D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="ship" targetRef="shipped" />
    <bpmn:sequenceFlow id="f4" sourceRef="too_slow" targetRef="escalate" />
    <bpmn:userTask id="escalate" name="Call the customer" />
    <bpmn:sequenceFlow id="f5" sourceRef="escalate" targetRef="shipped" />
    <bpmn:endEvent id="shipped" />
    <bpmn:endEvent id="rejected" />
  </bpmn:process>
</bpmn:definitions>
"#;

fn main() {
    let mut test = ProcessTest::new();
    let deployment = test.deploy_xml("order.bpmn", ORDER_PROCESS);
    println!("deployed {:?}", deployment.processes);

    // 1. A valid order is shipped.
    let happy = test.start("order", json!({"orderId": "A-1"}));
    let check = test.complete_job("check-order", json!({"valid": true}));
    println!("checked order {} with variables {:?}", check.variables["orderId"], check.variables);
    test.complete_job("ship", json!({"trackingId": "T-42"}));
    test.assert_completed(happy);
    test.assert_element_passed(happy, "shipped");
    assert_eq!(test.variable(happy, "trackingId"), Some(json!("T-42")));
    println!("order A-1 shipped");

    // 2. An invalid order takes the default flow.
    let invalid = test.start("order", json!({"orderId": "B-2"}));
    test.complete_job("check-order", json!({"valid": false}));
    test.assert_element_passed(invalid, "rejected");
    println!("order B-2 rejected");

    // 3. Shipping that takes longer than a day is escalated to a person.
    let slow = test.start("order", json!({"orderId": "C-3"}));
    test.complete_job("check-order", json!({"valid": true}));
    test.assert_element_active(slow, "ship");
    test.advance(Duration::from_secs(24 * 3600));
    test.assert_element_active(slow, "escalate");
    test.complete_job(engine::USER_TASK_JOB_TYPE, json!({}));
    test.assert_completed(slow);
    println!("order C-3 escalated after one day, then closed");

    // 4. A shipping worker that keeps failing raises an incident; an operator fixes it.
    let failing = test.start("order", json!({"orderId": "D-4"}));
    test.complete_job("check-order", json!({"valid": true}));
    let job = test.activate("ship").remove(0);
    test.core().fail_job(job.key, 0, "carrier API down", Duration::ZERO, engine::Variables::new()).expect("job exists");
    let incident = test.assert_incident(failing, ErrorType::JobNoRetries);
    println!("incident on D-4: {}", incident.error_message);
    test.core().update_job_retries(job.key, 1).expect("job exists");
    test.resolve(incident.key);
    test.complete_job("ship", json!({}));
    test.assert_completed(failing);
    println!("order D-4 shipped after the incident was resolved");
}
