//! Namespace URIs and the canonical prefixes the writer uses for them.

/// BPMN 2.0 semantic model.
pub const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
/// BPMN 2.0 diagram interchange.
pub const BPMNDI: &str = "http://www.omg.org/spec/BPMN/20100524/DI";
/// OMG diagram common (bounds, points).
pub const DC: &str = "http://www.omg.org/spec/DD/20100524/DC";
/// OMG diagram interchange (waypoints, labels).
pub const DI: &str = "http://www.omg.org/spec/DD/20100524/DI";
/// XML Schema instance (`xsi:type`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// Camunda 8 / Zeebe extensions.
pub const ZEEBE: &str = "http://camunda.org/schema/zeebe/1.0";
/// Camunda Modeler markers (`modeler:executionPlatform`).
pub const MODELER: &str = "http://camunda.org/schema/modeler/1.0";
/// The `xml:` namespace, bound by definition.
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// The namespaces the writer always binds, with their prefixes, in the order it declares them.
pub const CANONICAL: [(&str, &str); 7] =
    [("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("xsi", XSI), ("zeebe", ZEEBE), ("modeler", MODELER)];

/// The canonical prefix of a namespace URI, if the writer binds one.
pub fn canonical_prefix(uri: &str) -> Option<&'static str> {
    CANONICAL.iter().find(|(_, u)| *u == uri).map(|(p, _)| *p)
}
