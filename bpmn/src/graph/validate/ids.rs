//! Document order and the `duplicate-id` check.
//!
//! BPMN ids are `xsd:ID`s, unique in the whole document, so one id space holds every element of
//! the BPMN semantic and diagram-interchange namespaces: root elements, lanes, flow nodes, sequence
//! flows, event definitions, verbatim BPMN content such as data objects and annotations, diagrams,
//! planes, shapes, edges and labels. Elements of other namespaces (vendor extensions) are outside
//! it: their `id` attributes are the vendor's business.

use std::collections::HashMap;

use super::{Code, Report};
use crate::model::{
    Common, Definitions, DiagramElement, FlowElement, FlowNode, FlowNodeKind, Lane, LaneSet, Location,
    LoopCharacteristics, RootElement, XmlElement,
};
use crate::ns;

/// One element with an id, as met in a pre-order walk of the model.
struct Entry<'d> {
    id: &'d str,
    element: &'d str,
    location: Location,
}

/// Every id of a document in pre-order, and where each id first occurs.
pub(super) struct DocumentOrder<'d> {
    entries: Vec<Entry<'d>>,
    first: HashMap<&'d str, usize>,
}

impl<'d> DocumentOrder<'d> {
    /// Walks `definitions` in document order.
    pub(super) fn of(definitions: &'d Definitions) -> Self {
        let mut order = Self { entries: Vec::new(), first: HashMap::new() };
        if let Some(id) = &definitions.id {
            order.add(id, "definitions", definitions.location);
        }
        for root in &definitions.root_elements {
            order.root_element(root);
        }
        for diagram in &definitions.diagrams {
            order.optional(&diagram.id, "BPMNDiagram", diagram.location);
            order.optional(&diagram.plane.id, "BPMNPlane", diagram.location);
            for element in &diagram.plane.elements {
                order.diagram_element(element);
            }
            order.extras(&diagram.extras.children);
        }
        order
    }

    /// The position of the first element with `id`; ids never seen sort last.
    pub(super) fn position(&self, id: &str) -> usize {
        self.first.get(id).copied().unwrap_or(usize::MAX)
    }

    /// Records an element; empty ids are no ids (the reader reports those).
    fn add(&mut self, id: &'d str, element: &'d str, location: Location) {
        if id.is_empty() {
            return;
        }
        self.first.entry(id).or_insert(self.entries.len());
        self.entries.push(Entry { id, element, location });
    }

    fn optional(&mut self, id: &'d Option<String>, element: &'d str, location: Location) {
        if let Some(id) = id {
            self.add(id, element, location);
        }
    }

    fn common(&mut self, common: &'d Common, element: &'d str) {
        self.add(&common.id, element, common.location);
        self.extras(&common.extras.children);
    }

    fn root_element(&mut self, root: &'d RootElement) {
        match root {
            RootElement::Process(process) => {
                self.common(&process.common, "process");
                for lane_set in &process.lane_sets {
                    self.lane_set(lane_set, process.common.location);
                }
                self.flow_elements(&process.flow_elements);
            }
            RootElement::Collaboration(collaboration) => {
                self.common(&collaboration.common, "collaboration");
                for participant in &collaboration.participants {
                    self.common(&participant.common, "participant");
                }
                for message_flow in &collaboration.message_flows {
                    self.common(&message_flow.common, "messageFlow");
                }
                self.extras(&collaboration.other);
            }
            RootElement::Message(message) => self.common(&message.common, "message"),
            RootElement::Error(error) => self.common(&error.common, "error"),
            RootElement::Escalation(escalation) => self.common(&escalation.common, "escalation"),
            RootElement::Signal(signal) => self.common(&signal.common, "signal"),
            RootElement::Other(other) => self.xml(other),
        }
    }

    fn lane_set(&mut self, lane_set: &'d LaneSet, location: Location) {
        self.optional(&lane_set.id, "laneSet", location);
        for lane in &lane_set.lanes {
            self.lane(lane);
        }
        self.extras(&lane_set.extras.children);
    }

    fn lane(&mut self, lane: &'d Lane) {
        self.common(&lane.common, "lane");
        if let Some(child) = &lane.child_lane_set {
            self.lane_set(child, lane.common.location);
        }
    }

    fn flow_elements(&mut self, elements: &'d [FlowElement]) {
        for element in elements {
            match element {
                FlowElement::Node(node) => self.flow_node(node),
                FlowElement::SequenceFlow(flow) => self.common(&flow.common, "sequenceFlow"),
                FlowElement::Other(other) => self.xml(other),
            }
        }
    }

    fn flow_node(&mut self, node: &'d FlowNode) {
        self.common(&node.common, node.element_name());
        if let Some(event) = node.event() {
            for definition in &event.definitions {
                self.optional(&definition.id, "eventDefinition", definition.location);
            }
        }
        if let Some(LoopCharacteristics::MultiInstance(multi)) =
            node.activity().and_then(|a| a.loop_characteristics.as_ref())
        {
            self.optional(&multi.id, "multiInstanceLoopCharacteristics", node.common.location);
        }
        if let FlowNodeKind::SubProcess(sub_process) = &node.kind {
            self.extras(&sub_process.lane_sets);
            self.flow_elements(&sub_process.flow_elements);
        }
    }

    fn diagram_element(&mut self, element: &'d DiagramElement) {
        let (id, name, location, label) = match element {
            DiagramElement::Shape(shape) => (&shape.id, "BPMNShape", shape.location, &shape.label),
            DiagramElement::Edge(edge) => (&edge.id, "BPMNEdge", edge.location, &edge.label),
            DiagramElement::Other(other) => return self.xml(other),
        };
        self.optional(id, name, location);
        if let Some(label) = label {
            self.optional(&label.id, "BPMNLabel", location);
        }
    }

    fn extras(&mut self, children: &'d [XmlElement]) {
        for child in children {
            self.xml(child);
        }
    }

    /// A verbatim element and its descendants, as long as they are BPMN or diagram content.
    fn xml(&mut self, element: &'d XmlElement) {
        let in_id_space = element
            .name
            .namespace
            .as_deref()
            .is_some_and(|namespace| [ns::BPMN, ns::BPMNDI, ns::DI, ns::DC].contains(&namespace));
        if !in_id_space {
            return;
        }
        if let Some(id) = element.id() {
            self.add(id, &element.name.local, element.location);
        }
        for child in element.child_elements() {
            self.xml(child);
        }
    }
}

/// Reports every occurrence of an id after its first.
pub(super) fn check(order: &DocumentOrder<'_>, report: &mut Report<'_>) {
    for (position, entry) in order.entries.iter().enumerate() {
        let first = order.position(entry.id);
        if first == position {
            continue;
        }
        let Some(original) = order.entries.get(first) else { continue };
        report.push_at(
            position,
            Code::DuplicateId,
            entry.id,
            entry.location,
            format!(
                "the {} reuses the id `{}` of the {} at {}; ids must be unique in the document: rename one of them",
                entry.element, entry.id, original.element, original.location
            ),
        );
    }
}
