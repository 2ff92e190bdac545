//! What other tools write and Camunda Modeler opens anyway: the reader reads it too, and says in
//! a located warning what it repaired. Also encodings other than UTF-8, and expression bodies
//! that must come back exactly as written.

use bpmn::model::FlowElement;
use bpmn::{Definitions, ReadWarning, read, read_with_warnings, write};

const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

/// A document with one task `t` in process `p` and `body` after the process (line 5 on).
fn document(declaration: &str, task_name: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"{declaration}\"?>\n<bpmn:definitions xmlns:bpmn=\"{BPMN_NS}\" \
         xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" id=\"d\" targetNamespace=\"t\">\n  \
         <bpmn:process id=\"p\">\n    <bpmn:task id=\"t\" name=\"{task_name}\"/>\n  </bpmn:process>\n{body}\n\
         </bpmn:definitions>\n"
    )
}

/// The text as single bytes (every character below U+0100), as a Latin-1 editor saves it.
fn latin1_bytes(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character")).collect()
}

fn read_ok(bytes: &[u8]) -> (Definitions, Vec<ReadWarning>) {
    let outcome = read_with_warnings(bytes).unwrap_or_else(|e| panic!("{e}"));
    (outcome.definitions, outcome.warnings)
}

fn task_name(model: &Definitions) -> Option<String> {
    model.processes().flat_map(|p| &p.flow_elements).find_map(|e| match e {
        FlowElement::Node(node) if node.id() == "t" => node.common.name.clone(),
        _ => None,
    })
}

fn only_warning(warnings: &[ReadWarning]) -> &ReadWarning {
    assert_eq!(warnings.len(), 1, "expected one warning: {warnings:?}");
    &warnings[0]
}

fn assert_mentions(warning: &ReadWarning, words: &[&str]) {
    for word in words {
        assert!(warning.message.contains(word), "warning {:?} should mention {word:?}", warning.message);
    }
}

#[test]
fn windows_1252_is_decoded_without_warnings() {
    // 0x80 is the euro sign in windows-1252 (a C1 control in ISO-8859-1).
    let mut bytes = latin1_bytes(&document("windows-1252", "Prüfung @ Größe", ""));
    for byte in &mut bytes {
        if *byte == b'@' {
            *byte = 0x80;
        }
    }
    assert!(std::str::from_utf8(&bytes).is_err(), "the input must really be windows-1252");
    let (model, warnings) = read_ok(&bytes);
    assert_eq!(task_name(&model).as_deref(), Some("Prüfung € Größe"));
    assert_eq!(warnings, []);
    let written = write(&model);
    assert!(written.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), "{written}");
    assert_eq!(read(written.as_bytes()).map(|m| task_name(&m)), Ok(Some("Prüfung € Größe".into())));
}

#[test]
fn iso_8859_1_and_us_ascii_labels_read_as_windows_1252_as_browsers_do() {
    for label in ["ISO-8859-1", "US-ASCII", "latin1"] {
        let bytes = latin1_bytes(&document(label, "é", ""));
        let (model, warnings) = read_ok(&bytes);
        assert_eq!((task_name(&model).as_deref(), warnings.len()), (Some("é"), 0), "label {label}");
    }
}

#[test]
fn utf16_with_a_byte_order_mark_is_decoded() {
    let text = document("UTF-16", "Ω Größe", "");
    let mut little = vec![0xFF, 0xFE];
    let mut big = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        little.extend_from_slice(&unit.to_le_bytes());
        big.extend_from_slice(&unit.to_be_bytes());
    }
    for bytes in [little, big] {
        let (model, warnings) = read_ok(&bytes);
        assert_eq!((task_name(&model).as_deref(), warnings.len()), (Some("Ω Größe"), 0));
    }
}

#[test]
fn a_utf16_declaration_on_an_8_bit_file_reads_as_utf8_with_a_warning() {
    let (model, warnings) = read_ok(document("UTF-16", "Größe", "").as_bytes());
    assert_eq!(task_name(&model).as_deref(), Some("Größe"));
    let warning = only_warning(&warnings);
    assert_eq!(warning.location(), bpmn::model::Location::new(1, 31));
    assert_mentions(warning, &["\"UTF-16\"", "byte order mark", "read it as UTF-8"]);
}

#[test]
fn latin1_bytes_in_a_utf8_file_are_read_as_windows_1252_with_a_located_warning() {
    let text = document("UTF-8", "Prüfung für Größe", "");
    let bytes = latin1_bytes(&text);
    assert!(std::str::from_utf8(&bytes).is_err(), "the input must hold invalid UTF-8");
    let (model, warnings) = read_ok(&bytes);
    assert_eq!(task_name(&model).as_deref(), Some("Prüfung für Größe"));
    let warning = only_warning(&warnings);
    // `    <bpmn:task id="t" name="Pr` is 30 characters: the 0xFC of `ü` is the 31st.
    assert_eq!((warning.line, warning.column), (4, 31), "{warning}");
    assert_mentions(warning, &["0xFC", "not valid UTF-8", "windows-1252 \"ü\"", "3 more such bytes", "save the file"]);
    assert_eq!(warning.to_string(), format!("4:31: warning: {}", warning.message));
    assert_eq!(read(&bytes).map(|m| task_name(&m)), Ok(Some("Prüfung für Größe".into())));
}

#[test]
fn one_invalid_byte_says_so_without_a_count() {
    let mut bytes = document("UTF-8", "a@", "").into_bytes();
    let at = bytes.iter().position(|&b| b == b'@').expect("marker");
    bytes[at] = 0xE4;
    let (model, warnings) = read_ok(&bytes);
    assert_eq!(task_name(&model).as_deref(), Some("aä"));
    let warning = only_warning(&warnings);
    assert_eq!((warning.line, warning.column), (4, 30));
    assert_mentions(warning, &["0xE4", "\"ä\""]);
    assert!(!warning.message.contains("more such bytes"), "{}", warning.message);
}

/// A diagram with the shape of `element` whose bounds are `bounds`, and a label in it.
fn diagram(element: &str, bounds: &str, label_bounds: &str) -> String {
    format!(
        "  <bpmndi:BPMNDiagram id=\"di\">\n    <bpmndi:BPMNPlane id=\"pl\" bpmnElement=\"p\">\n      \
         <bpmndi:BPMNShape id=\"sh\" bpmnElement=\"{element}\">\n        <dc:Bounds {bounds}/>\n        \
         <bpmndi:BPMNLabel>\n          <dc:Bounds {label_bounds}/>\n        </bpmndi:BPMNLabel>\n      \
         </bpmndi:BPMNShape>\n    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>"
    )
}

fn only_shape(model: &Definitions) -> &bpmn::model::Shape {
    match model.diagrams.first().and_then(|d| d.plane.elements.first()) {
        Some(bpmn::model::DiagramElement::Shape(shape)) => shape,
        other => panic!("expected a shape, found {other:?}"),
    }
}

#[test]
fn bounds_without_height_take_the_standard_size_of_the_element_kind() {
    let body = diagram("t", "x=\"10\" y=\"20\" width=\"120\"", "x=\"1\" y=\"2\" width=\"30\" height=\"14\"");
    let (model, warnings) = read_ok(document("UTF-8", "a", &body).as_bytes());
    assert_eq!(only_shape(&model).bounds, bpmn::model::Bounds::new(10.0, 20.0, 120.0, 80.0));
    let warning = only_warning(&warnings);
    assert_eq!((warning.line, warning.column), (9, 9), "{warning}");
    assert_mentions(warning, &["BPMNShape of t", "no height", "width 120 and height 80", "task"]);
    let written = write(&model);
    assert!(written.contains("width=\"120\" height=\"80\""), "{written}");
}

#[test]
fn bounds_without_width_and_height_of_an_event_and_of_a_label() {
    let text = document("UTF-8", "a", &diagram("e", "x=\"10\" y=\"20\"", "x=\"1\" y=\"2\" height=\"14\""))
        .replace("<bpmn:task id=\"t\" name=\"a\"/>", "<bpmn:startEvent id=\"e\"/>");
    let (model, warnings) = read_ok(text.as_bytes());
    let shape = only_shape(&model);
    assert_eq!(shape.bounds, bpmn::model::Bounds::new(10.0, 20.0, 36.0, 36.0));
    assert_eq!(shape.label.as_ref().and_then(|l| l.bounds), Some(bpmn::model::Bounds::new(1.0, 2.0, 90.0, 14.0)));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!((warnings[0].line, warnings[0].column), (9, 9));
    assert_mentions(&warnings[0], &["BPMNShape of e", "no width and height", "startEvent"]);
    assert_eq!((warnings[1].line, warnings[1].column), (11, 11));
    assert_mentions(&warnings[1], &["the label of e", "no width", "width 90"]);
}

#[test]
fn an_expanded_sub_process_takes_the_expanded_size() {
    let text = document(
        "UTF-8",
        "a",
        &diagram("sp", "x=\"0\" y=\"0\" width=\"400\"", "x=\"1\" y=\"2\" width=\"3\" height=\"4\""),
    )
    .replace("<bpmn:task id=\"t\" name=\"a\"/>", "<bpmn:subProcess id=\"sp\"/>")
    .replace("bpmnElement=\"sp\"", "bpmnElement=\"sp\" isExpanded=\"true\"");
    let (model, warnings) = read_ok(text.as_bytes());
    assert_eq!(only_shape(&model).bounds.height, 200.0);
    assert_mentions(only_warning(&warnings), &["subProcess", "height 200"]);
}

#[test]
fn a_file_without_repairs_has_no_warnings() {
    let body = diagram("t", "x=\"1\" y=\"2\" width=\"100\" height=\"80\"", "x=\"1\" y=\"2\" width=\"3\" height=\"4\"");
    let (_, warnings) = read_ok(document("UTF-8", "Größe", &body).as_bytes());
    assert_eq!(warnings, []);
}

/// A process with expression bodies as other tools write them.
const EXPRESSIONS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="p">
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="u">
      <bpmn:potentialOwner id="po"><bpmn:resourceAssignmentExpression id="ra"><bpmn:formalExpression></bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:potentialOwner>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="u"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${a &gt; 1}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="s" targetRef="u"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"></bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="s" targetRef="u"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"><![CDATA[= x < 2 ]]></bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"#;

fn conditions(model: &Definitions) -> Vec<(String, Option<String>)> {
    model
        .processes()
        .flat_map(|p| &p.flow_elements)
        .filter_map(|e| match e {
            FlowElement::SequenceFlow(flow) => {
                Some((flow.common.id.clone(), flow.condition.as_ref().map(|c| c.body.clone())))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn expression_bodies_come_back_exactly_without_added_whitespace() {
    let model = read(EXPRESSIONS.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let expected = vec![
        ("f1".to_owned(), Some("${a > 1}".to_owned())),
        ("f2".to_owned(), Some(String::new())),
        ("f3".to_owned(), Some("= x < 2 ".to_owned())),
    ];
    assert_eq!(conditions(&model), expected);
    let written = write(&model);
    assert!(written.contains(">${a &gt; 1}</bpmn:conditionExpression>"), "{written}");
    let again = read(written.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{written}"));
    assert_eq!(conditions(&again), expected, "{written}");
}

#[test]
fn an_empty_formal_expression_stays_present_and_empty() {
    let written = write(&read(EXPRESSIONS.as_bytes()).unwrap_or_else(|e| panic!("{e}")));
    let empty = written.lines().filter(|l| l.trim() == "<bpmn:formalExpression/>").count();
    assert_eq!(empty, 1, "the empty formalExpression should be written once, with no body:\n{written}");
    assert!(!written.contains("\"\"</bpmn:formalExpression>"), "{written}");
    let again = read(written.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let kept = again.processes().flat_map(|p| &p.flow_elements).find_map(|e| match e {
        FlowElement::Node(node) if node.id() == "u" => Some(node.common.extras.children.clone()),
        _ => None,
    });
    let owner = kept.and_then(|children| children.into_iter().next()).expect("potentialOwner kept");
    let assignment = owner.child_elements().next().expect("resourceAssignmentExpression");
    let formal = assignment.child_elements().next().expect("formalExpression");
    assert_eq!((formal.name.local.as_str(), formal.children.len()), ("formalExpression", 0));
}
