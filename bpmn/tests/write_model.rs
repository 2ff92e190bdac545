//! What the writer produces: deterministic layout, canonical prefixes, the platform stamp, XSD
//! child order, and escaping that survives a re-read.

use bpmn::model::zeebe::{TaskDefinition, UserTaskForm};
use bpmn::model::{
    Attribute, Common, Documentation, Event, EventKind, ExtensionElement, FlowElement, FlowNode, FlowNodeKind, Process,
    QName, RootElement, Task, TaskKind, XmlElement,
};
use bpmn::{Definitions, read, write};

/// A model built in code: a start event and a service task.
fn built_model() -> Definitions {
    let mut task = FlowNode::new("work", FlowNodeKind::Task(Task::new(TaskKind::Service)));
    task.common.name = Some("Größe prüfen".into());
    task.common.extensions_mut().set(ExtensionElement::TaskDefinition(TaskDefinition {
        job_type: "check".into(),
        ..TaskDefinition::default()
    }));
    let start =
        FlowNode::new("start", FlowNodeKind::Event(Event::new(EventKind::Start { is_interrupting: None }, None)));
    let process = Process {
        common: Common::new("p"),
        is_executable: Some(true),
        flow_elements: vec![FlowElement::Node(start), FlowElement::Node(task)],
        ..Process::default()
    };
    Definitions {
        id: Some("d".into()),
        target_namespace: "http://example.com/t".into(),
        root_elements: vec![RootElement::Process(process)],
        ..Definitions::default()
    }
}

fn read_ok(text: &str) -> Definitions {
    read(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn task_mut(model: &mut Definitions) -> &mut FlowNode {
    let process = model.processes_mut().next().unwrap_or_else(|| panic!("process"));
    match process.flow_elements.get_mut(1) {
        Some(FlowElement::Node(node)) => node,
        _ => panic!("task second"),
    }
}

#[test]
fn output_is_deterministic_and_indented() {
    let model = built_model();
    let written = write(&model);
    assert_eq!(written, write(&model.clone()));
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    assert!(lines[1].starts_with("<bpmn:definitions xmlns:bpmn="), "{}", lines[1]);
    assert_eq!(lines[2], "  <bpmn:process id=\"p\" isExecutable=\"true\">");
    assert_eq!(lines[3], "    <bpmn:startEvent id=\"start\"/>");
    assert_eq!(lines[6], "        <zeebe:taskDefinition type=\"check\"/>");
    assert!(written.ends_with("</bpmn:definitions>\n"));
    let again = read_ok(&written);
    assert_eq!(write(&again), written, "a fixed point after one round");
}

#[test]
fn canonical_prefixes_and_source_declarations_are_declared_on_the_root() {
    let mut model = built_model();
    model.namespace_declarations = vec![
        (None, "http://www.omg.org/spec/BPMN/20100524/MODEL".into()),
        (Some("signavio".into()), "http://www.signavio.com".into()),
        (Some("bpmn".into()), "http://ignored.example.com".into()),
    ];
    let written = write(&model);
    let root = written.lines().nth(1).unwrap_or_default();
    for (prefix, uri) in bpmn::ns::CANONICAL {
        assert!(root.contains(&format!("xmlns:{prefix}=\"{uri}\"")), "{prefix} missing in {root}");
    }
    assert!(root.contains("xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\""), "{root}");
    assert!(root.contains("xmlns:signavio=\"http://www.signavio.com\""), "{root}");
    assert!(!root.contains("ignored.example.com"), "a canonical prefix is never rebound: {root}");
}

#[test]
fn the_platform_is_stamped_only_when_none_is_declared() {
    let written = write(&built_model());
    let stamp = format!(
        "modeler:executionPlatform=\"{}\" modeler:executionPlatformVersion=\"{}\"",
        bpmn::TARGET_PLATFORM,
        bpmn::TARGET_PLATFORM_VERSION
    );
    assert!(written.contains(&stamp), "{written}");
    let mut declared = built_model();
    declared.execution_platform = Some("Camunda Platform".into());
    declared.execution_platform_version = Some("7.20.0".into());
    let written = write(&declared);
    assert!(written.contains("modeler:executionPlatform=\"Camunda Platform\""));
    assert!(written.contains("modeler:executionPlatformVersion=\"7.20.0\""));
    assert!(!written.contains(bpmn::TARGET_PLATFORM_VERSION));
}

#[test]
fn non_ascii_is_written_as_utf8_and_not_double_encoded() {
    let written = write(&built_model());
    assert!(written.contains("name=\"Größe prüfen\""), "{written}");
    assert!(!written.contains("&#"), "no character references for plain non-ASCII text");
    assert!(!written.contains("Ã"), "no double encoding");
}

#[test]
fn attribute_newlines_tabs_and_quotes_survive() {
    let mut model = built_model();
    task_mut(&mut model).common.name = Some("line one\nline \"two\"\tend & <more>".into());
    let written = write(&model);
    assert!(written.contains("name=\"line one&#10;line &quot;two&quot;&#9;end &amp; &lt;more&gt;\""), "{written}");
    let again = read_ok(&written);
    assert_eq!(
        again.processes().next().map(|p| &p.flow_elements[1]),
        model.processes().next().map(|p| &p.flow_elements[1])
    );
}

#[test]
fn json_text_keeps_its_escapes() {
    let body = r#"{"components":[{"label":"Say \"hi\" & <go>","key":"a\\b"}]}"#;
    let mut model = built_model();
    let process = model.processes_mut().next().unwrap_or_else(|| panic!("process"));
    process.common.extensions_mut().items.push(ExtensionElement::UserTaskForm(UserTaskForm {
        id: "form".into(),
        body: body.into(),
        ..UserTaskForm::default()
    }));
    process
        .common
        .documentation
        .push(Documentation { text: r#"use {"x": "\"quoted\""}"#.into(), ..Documentation::default() });
    let written = write(&model);
    assert!(written.contains(r#"{"components":[{"label":"Say \"hi\" &amp; &lt;go&gt;","key":"a\\b"}]}"#), "{written}");
    assert!(written.contains(r#"<bpmn:documentation>use {"x": "\"quoted\""}</bpmn:documentation>"#), "{written}");
    let again = read_ok(&written);
    let process = again.processes().next().unwrap_or_else(|| panic!("process"));
    assert_eq!(process.common.extensions().user_task_forms().next().map(|f| f.body.as_str()), Some(body));
    assert_eq!(process.common.documentation[0].text, r#"use {"x": "\"quoted\""}"#);
}

#[test]
fn kept_bpmn_children_go_to_their_xsd_place() {
    let source = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:vendor="http://example.com/v" id="d" targetNamespace="t">
  <bpmn:process id="p">
    <bpmn:task id="t">
      <vendor:mark/>
      <bpmn:multiInstanceLoopCharacteristics/>
      <bpmn:dataInputAssociation id="in"><bpmn:targetRef>x</bpmn:targetRef></bpmn:dataInputAssociation>
      <bpmn:ioSpecification id="io"/>
      <bpmn:incoming>f</bpmn:incoming>
      <bpmn:documentation>doc</bpmn:documentation>
    </bpmn:task>
  </bpmn:process>
</bpmn:definitions>"#;
    let written = write(&read_ok(source));
    let order = [
        "<bpmn:documentation>",
        "<bpmn:incoming>",
        "<bpmn:ioSpecification",
        "<bpmn:dataInputAssociation",
        "<bpmn:multiInstanceLoopCharacteristics",
        "<vendor:mark",
    ];
    let positions: Vec<usize> =
        order.iter().map(|tag| written.find(tag).unwrap_or_else(|| panic!("{tag} missing in {written}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?} in\n{written}");
}

#[test]
fn kept_elements_in_undeclared_namespaces_declare_them() {
    let mut model = built_model();
    let mut element = XmlElement::new(QName::new("http://example.com/new", "flag"));
    element.attributes.push(Attribute { name: QName::new("http://example.com/other", "level"), value: "3".into() });
    task_mut(&mut model).common.extensions_mut().items.push(ExtensionElement::Other(element.clone()));
    let written = write(&model);
    // No prefix hint: the element declares its namespace as default; the attribute needs a prefix.
    assert!(
        written.contains(
            "<flag xmlns=\"http://example.com/new\" xmlns:ns1=\"http://example.com/other\" ns1:level=\"3\"/>"
        ),
        "{written}"
    );
    let again = read_ok(&written);
    let kept = again.processes().flat_map(|p| &p.flow_elements).find_map(|e| match e {
        FlowElement::Node(n) => n.common.extensions().items.iter().find_map(|i| match i {
            ExtensionElement::Other(x) => Some(x.clone()),
            _ => None,
        }),
        _ => None,
    });
    let kept = kept.unwrap_or_else(|| panic!("kept element"));
    assert_eq!((kept.name, kept.attributes), (element.name, element.attributes));
}

#[test]
fn an_unprefixed_kept_element_under_a_default_namespace_stays_unqualified() {
    let mut model = built_model();
    model.namespace_declarations = vec![(None, "http://example.com/default".into())];
    task_mut(&mut model)
        .common
        .extensions_mut()
        .items
        .push(ExtensionElement::Other(XmlElement::new(QName::local("plain"))));
    let written = write(&model);
    assert!(written.contains("<plain xmlns=\"\"/>"), "{written}");
    let again = read_ok(&written);
    assert_eq!(write(&again), written);
}

#[test]
fn a_kept_prefix_hint_is_declared_where_it_is_free_and_replaced_where_it_is_taken() {
    let mut model = built_model();
    let mut free = XmlElement::new(QName::new("http://example.com/v", "mark"));
    free.name.prefix = Some("v".into());
    let mut taken = XmlElement::new(QName::new("http://example.com/w", "mark"));
    taken.name.prefix = Some("bpmn".into());
    let items = &mut task_mut(&mut model).common.extensions_mut().items;
    items.push(ExtensionElement::Other(free));
    items.push(ExtensionElement::Other(taken));
    let written = write(&model);
    assert!(written.contains("<v:mark xmlns:v=\"http://example.com/v\"/>"), "{written}");
    assert!(written.contains("<ns1:mark xmlns:ns1=\"http://example.com/w\"/>"), "{written}");
}

#[test]
fn an_ad_hoc_sub_process_keeps_its_settings_typed_and_in_xsd_order() {
    let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:adHocSubProcess id="tools" cancelRemainingInstances="false">
      <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=count(results) &gt; 1</bpmn:completionCondition>
      <bpmn:extensionElements>
        <zeebe:adHoc activeElementsCollection="=toRun" outputCollection="results" outputElement="=result"/>
      </bpmn:extensionElements>
      <bpmn:task id="inner"/>
    </bpmn:adHocSubProcess>
  </bpmn:process>
</bpmn:definitions>"#;
    let model = read_ok(text);
    let process = model.processes().next().unwrap_or_else(|| panic!("process"));
    let Some(FlowElement::Node(FlowNode { kind: FlowNodeKind::SubProcess(sub), common, .. })) =
        process.flow_elements.first()
    else {
        panic!("the ad-hoc sub-process first")
    };
    assert_eq!(sub.cancel_remaining_instances, Some(false));
    assert_eq!(sub.completion_condition.as_ref().map(|c| c.body.as_str()), Some("=count(results) > 1"));
    let ad_hoc = common.extensions().ad_hoc().unwrap_or_else(|| panic!("zeebe:adHoc is typed"));
    assert_eq!(ad_hoc.active_elements_collection.as_deref(), Some("=toRun"));
    assert_eq!(ad_hoc.output_collection.as_deref(), Some("results"));
    assert_eq!(ad_hoc.output_element.as_deref(), Some("=result"));
    assert!(sub.activity == Default::default() && common.extras.children.is_empty(), "nothing left untyped");
    let written = write(&model);
    let content = written.find("<bpmn:task id=\"inner\"").unwrap_or_else(|| panic!("{written}"));
    let condition = written.find("<bpmn:completionCondition").unwrap_or_else(|| panic!("{written}"));
    assert!(content < condition, "the condition follows the content, as the XSD orders it:\n{written}");
    assert_eq!(write(&read_ok(&written)), written, "a fixed point");
    for kept in [
        r#"<bpmn:adHocSubProcess id="tools" cancelRemainingInstances="false">"#,
        r#"<zeebe:adHoc activeElementsCollection="=toRun" outputCollection="results" outputElement="=result"/>"#,
        r#"<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=count(results) &gt; 1</bpmn:completionCondition>"#,
    ] {
        assert!(written.contains(kept), "{kept} is written back:\n{written}");
    }
}
