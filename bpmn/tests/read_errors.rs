//! Broken inputs: every one gets an error with the line and column of the problem and a message
//! that says what is wrong; none panics.

use bpmn::{ReadError, read};

const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

/// A document whose body starts on line 3, inside `<bpmn:definitions>` on line 2.
fn document(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions xmlns:bpmn=\"{BPMN_NS}\" \
         xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" \
         id=\"d\" targetNamespace=\"t\">\n{body}\n</bpmn:definitions>\n"
    )
}

fn error_of(bytes: &[u8]) -> ReadError {
    match read(bytes) {
        Ok(model) => panic!("expected an error, read {model:?}"),
        Err(error) => error,
    }
}

/// Asserts the error position and that the message mentions every one of `words`.
fn assert_error(bytes: &[u8], line: u32, column: u32, words: &[&str]) {
    let error = error_of(bytes);
    assert_eq!((error.line, error.column), (line, column), "wrong position for: {error}");
    for word in words {
        assert!(error.message.contains(word), "message {:?} should mention {word:?}", error.message);
    }
    assert!(error.to_string().starts_with(&format!("{line}:{column}: ")), "display: {error}");
}

#[test]
fn empty_file() {
    assert_error(b"", 1, 1, &["no root element"]);
    assert_error(b"  \n  ", 2, 3, &["no root element"]);
}

#[test]
fn truncated_inside_a_tag() {
    let text = document("  <bpmn:process id=\"p\">\n    <bpmn:task id=\"t\"/>\n  </bpmn:process>");
    let cut = text.find("<bpmn:task").map(|i| i + 12).unwrap_or_default();
    assert_error(text.as_bytes().get(..cut).unwrap_or_default(), 4, 5, &["not closed", "truncated"]);
}

#[test]
fn truncated_between_elements() {
    let text = document("  <bpmn:process id=\"p\">\n    <bpmn:task id=\"t\"/>\n  </bpmn:process>");
    let cut = text.find("  </bpmn:process>").unwrap_or_default();
    assert_error(text.as_bytes().get(..cut).unwrap_or_default(), 5, 1, &["<process>", "opened at 3:3", "truncated"]);
}

#[test]
fn mismatched_end_tag() {
    let text = document("  <bpmn:process id=\"p\">\n    <bpmn:task id=\"t\">\n    </bpmn:process>\n  </bpmn:process>");
    assert_error(text.as_bytes(), 5, 5, &["</bpmn:process>", "<bpmn:task>"]);
}

#[test]
fn end_tag_without_start_tag() {
    let text = document("  <bpmn:process id=\"p\"/>\n  </bpmn:task>");
    assert_error(text.as_bytes(), 4, 3, &["</bpmn:task>"]);
}

#[test]
fn unknown_encoding() {
    let text = document("").replace("UTF-8", "x-no-such-code");
    assert_error(text.as_bytes(), 1, 31, &["x-no-such-code", "WHATWG", "UTF-8"]);
}

#[test]
fn an_encoding_the_standard_declares_unsafe_is_refused() {
    // WHATWG maps ISO-2022-KR to the "replacement" encoding: the text cannot be decoded safely.
    let text = document("").replace("UTF-8", "ISO-2022-KR");
    assert_error(text.as_bytes(), 1, 31, &["ISO-2022-KR", "unsupported"]);
}

#[test]
fn malformed_bytes_in_a_declared_multibyte_encoding() {
    let text = document("  <bpmn:process id=\"p\" name=\"a@b\"/>").replace("UTF-8", "Shift_JIS");
    // 0x81 starts a two-byte Shift_JIS character; 0x20 cannot end one.
    let bytes: Vec<u8> = text.bytes().flat_map(|b| if b == b'@' { vec![0x81, 0x20] } else { vec![b] }).collect();
    // `  <bpmn:process id="p" name="a` is 30 characters.
    assert_error(&bytes, 3, 31, &["Shift_JIS", "not valid"]);
}

#[test]
fn an_unpaired_surrogate_in_utf16() {
    let text = document("  <bpmn:process id=\"p\" name=\"a@\"/>");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        let unit = if unit == u16::from(b'@') { 0xD800 } else { unit };
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    assert_error(&bytes, 3, 31, &["UTF-16LE", "not valid"]);
}

#[test]
fn root_element_is_not_definitions() {
    let text = format!("<?xml version=\"1.0\"?>\n<bpmn:process xmlns:bpmn=\"{BPMN_NS}\" id=\"p\"/>\n");
    assert_error(text.as_bytes(), 2, 1, &["<process>", "not <definitions>"]);
}

#[test]
fn root_not_in_the_bpmn_namespace() {
    let text = "<definitions xmlns=\"http://example.com/not-bpmn\" id=\"d\"/>";
    assert_error(text.as_bytes(), 1, 1, &["http://example.com/not-bpmn", "BPMN 2.0 namespace"]);
}

#[test]
fn flow_node_without_id() {
    let text = document("  <bpmn:process id=\"p\">\n    <bpmn:userTask name=\"Review\"/>\n  </bpmn:process>");
    assert_error(text.as_bytes(), 4, 5, &["<userTask>", "no id"]);
}

#[test]
fn process_without_id() {
    let text = document("  <bpmn:process isExecutable=\"true\"/>");
    assert_error(text.as_bytes(), 3, 3, &["<process>", "no id"]);
}

#[test]
fn boundary_event_without_attachment() {
    let text = document("  <bpmn:process id=\"p\">\n    <bpmn:boundaryEvent id=\"b\"/>\n  </bpmn:process>");
    assert_error(text.as_bytes(), 4, 5, &["<boundaryEvent>", "attachedToRef"]);
}

#[test]
fn malformed_attribute() {
    let text = document("  <bpmn:process id=\"p\">\n    <bpmn:task id=t1/>\n  </bpmn:process>");
    assert_error(text.as_bytes(), 4, 5, &["malformed attribute", "<task>", "name=\"value\""]);
}

#[test]
fn duplicate_attribute() {
    let text = document("  <bpmn:process id=\"p\" id=\"q\"/>");
    assert_error(text.as_bytes(), 3, 3, &["malformed attribute", "<process>"]);
}

#[test]
fn garbage_after_the_root() {
    let text = format!("{}garbage\n", document(""));
    assert_error(text.as_bytes(), 5, 1, &["outside the root element"]);
}

#[test]
fn second_root_element() {
    let text = format!("{}<bpmn:definitions xmlns:bpmn=\"{BPMN_NS}\"/>\n", document(""));
    assert_error(text.as_bytes(), 5, 1, &["second root element"]);
}

#[test]
fn bad_number_in_bounds() {
    let body = "  <bpmndi:BPMNDiagram id=\"di\">\n    <bpmndi:BPMNPlane id=\"pl\">\n      \
                <bpmndi:BPMNShape id=\"sh\" bpmnElement=\"t\">\n        \
                <dc:Bounds x=\"10\" y=\"20\" width=\"wide\" height=\"80\"/>\n      </bpmndi:BPMNShape>\n    \
                </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>";
    assert_error(document(body).as_bytes(), 6, 9, &["width=\"wide\"", "not a number"]);
}

#[test]
fn shape_without_bounds() {
    let body = "  <bpmndi:BPMNDiagram id=\"di\">\n    <bpmndi:BPMNPlane id=\"pl\">\n      \
                <bpmndi:BPMNShape id=\"sh\" bpmnElement=\"t\"/>\n    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>";
    assert_error(document(body).as_bytes(), 5, 7, &["BPMNShape of t", "dc:Bounds"]);
}

/// A diagram body with one shape of `element` whose bounds have these `attributes` (the
/// `dc:Bounds` starts at line 6, column 9 of the document).
fn shape_with_bounds(element: &str, attributes: &str) -> String {
    format!(
        "  <bpmndi:BPMNDiagram id=\"di\">\n    <bpmndi:BPMNPlane id=\"pl\">\n      \
         <bpmndi:BPMNShape id=\"sh\" bpmnElement=\"{element}\">\n        <dc:Bounds {attributes}/>\n      \
         </bpmndi:BPMNShape>\n    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>"
    )
}

#[test]
fn bounds_without_a_position() {
    let body = shape_with_bounds("t", "y=\"20\" width=\"100\" height=\"80\"");
    assert_error(document(&body).as_bytes(), 6, 9, &["Bounds", "no x attribute"]);
}

#[test]
fn bounds_without_height_of_an_element_of_no_known_kind() {
    let body = shape_with_bounds("missing", "x=\"10\" y=\"20\" width=\"100\"");
    assert_error(document(&body).as_bytes(), 6, 9, &["BPMNShape of missing", "no height", "standard size"]);
}

#[test]
fn bad_boolean() {
    let text = document("  <bpmn:process id=\"p\" isExecutable=\"yes\"/>");
    assert_error(text.as_bytes(), 3, 3, &["isExecutable=\"yes\"", "true or false"]);
}

#[test]
fn undeclared_prefix() {
    let text = document("  <bpmn:process id=\"p\">\n    <foo:bar/>\n  </bpmn:process>");
    assert_error(text.as_bytes(), 4, 5, &["\"foo\"", "xmlns:foo"]);
}

#[test]
fn unknown_entity() {
    let text =
        document("  <bpmn:process id=\"p\">\n    <bpmn:documentation>a&nbsp;b</bpmn:documentation>\n  </bpmn:process>");
    assert_error(text.as_bytes(), 4, 26, &["&nbsp", "&amp;"]);
}

#[test]
fn bad_entity_in_an_attribute() {
    let text = document("  <bpmn:process id=\"p\" name=\"R&D\"/>");
    assert_error(text.as_bytes(), 3, 3, &["name=\"R&D\"", "&amp;"]);
}

#[test]
fn character_reference_to_a_forbidden_character() {
    let text =
        document("  <bpmn:process id=\"p\">\n    <bpmn:documentation>a&#0;b</bpmn:documentation>\n  </bpmn:process>");
    assert_error(text.as_bytes(), 4, 26, &["&#0", "character XML allows"]);
}

#[test]
fn absurdly_deep_nesting() {
    let depth = 300;
    let body = format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth));
    let text = document(&format!(
        "  <bpmn:process id=\"p\"><bpmn:extensionElements>{body}</bpmn:extensionElements></bpmn:process>"
    ));
    // The first element beyond the limit is the 257th: the 254th <x> after definitions, process and
    // extensionElements, which starts 253 <x> tags after the first.
    let column = 3 + "<bpmn:process id=\"p\"><bpmn:extensionElements>".len() + 253 * "<x>".len();
    assert_error(text.as_bytes(), 3, u32::try_from(column).unwrap_or_default(), &["nested more than 256"]);
}
