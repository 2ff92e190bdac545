//! Loops that never wait ("straight-through processing loops") on a real Zeebe broker (8.6,
//! started through `zeebe/broker.sh`) and on the embedded engine: each small model is deployed
//! to both, and both accept it or both refuse it. The broker is the ground truth; the embedded
//! engine's refusal names the loop's elements. Zeebe 8.6 refuses loops through manual and
//! undefined tasks and none throw events, and accepts one through a FEEL script task.
//!
//! Needs Java 21+ and Maven on the machine: the first run fetches the broker.

mod support;

use support::zeebe_broker::ensure_broker_ready;
use workers::ZeebeClient;

/// A process `id` whose flow goes start → `a` → gateway `g`, which loops back to `a` while
/// `n < 3` and else ends; `a` is the given element XML (id `a`).
fn looping(id: &str, a: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs-{id}" targetNamespace="http://example.com/loops">
  <bpmn:process id="{id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-a" sourceRef="start" targetRef="a" />
    {a}
    <bpmn:sequenceFlow id="to-g" sourceRef="a" targetRef="g" />
    <bpmn:exclusiveGateway id="g" default="to-end" />
    <bpmn:sequenceFlow id="again" sourceRef="g" targetRef="a">
      <bpmn:conditionExpression>= n &lt; 3</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to-end" sourceRef="g" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"#
    )
}

/// The element in the loop, by case: (case name, element XML).
const CASES: &[(&str, &str)] = &[
    ("manual-task", r#"<bpmn:manualTask id="a" />"#),
    ("undefined-task", r#"<bpmn:task id="a" />"#),
    ("none-throw", r#"<bpmn:intermediateThrowEvent id="a" />"#),
    (
        "feel-script",
        r#"<bpmn:scriptTask id="a"><bpmn:extensionElements><zeebe:script expression="= n + 1" resultVariable="n" /></bpmn:extensionElements></bpmn:scriptTask>"#,
    ),
    (
        "service-task",
        r#"<bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="count" /></bpmn:extensionElements></bpmn:serviceTask>"#,
    ),
    (
        "timer-catch",
        r#"<bpmn:intermediateCatchEvent id="a"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"#,
    ),
];

/// Whether the embedded engine deploys `xml`, or its refusal.
fn embedded(name: &str, xml: &str) -> Result<(), String> {
    engine::EngineCore::new().deploy_xml(name, xml.as_bytes()).map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn both_engines_accept_and_refuse_the_same_loops() {
    let gateway = ensure_broker_ready();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let mut table = Vec::new();
    runtime.block_on(async {
        let client = ZeebeClient::new(&gateway).expect("gateway address");
        for (case, element) in CASES {
            let id = format!("loop-{case}-{nanos}");
            let xml = looping(&id, element);
            let name = format!("{id}.bpmn");
            let zeebe = client.deploy_resources([(name.clone(), xml.clone().into_bytes())]).await;
            let ours = embedded(&name, &xml);
            table.push((*case, zeebe.map(|_| ()).map_err(|e| e.to_string()), ours));
        }
    });
    let mut differences = Vec::new();
    for (case, zeebe, ours) in &table {
        println!("{case}: zeebe {}, embedded {}", verdict(zeebe), verdict(ours));
        if zeebe.is_ok() != ours.is_ok() {
            differences.push(format!("{case}: zeebe {zeebe:?}, embedded {ours:?}"));
        }
        if let Err(refusal) = ours {
            assert!(refusal.contains("(a > g > a)"), "{case}: the refusal names the loop: {refusal}");
        }
    }
    assert!(differences.is_empty(), "the engines disagree:\n{}", differences.join("\n"));
    let refused = table.iter().filter(|(_, zeebe, _)| zeebe.is_err()).count();
    assert!(refused >= 1 && refused < table.len(), "some loops are refused and some are not: {table:?}");
}

fn verdict(result: &Result<(), String>) -> &'static str {
    if result.is_ok() { "accepts" } else { "refuses" }
}
