//! The typed BPMN 2.0 model.
//!
//! The model types what an engine and a compiler need: processes, every flow node kind, event
//! definitions, sequence flows, multi-instance, the Zeebe extensions, the collaboration parts and
//! the diagram. Everything else a file says (other vendors' extensions, data objects, artifacts,
//! attributes the model has no field for) is kept as [`XmlElement`]s and [`Extras`], so a read
//! followed by a write loses nothing.

mod di;
mod flow;
mod xml;
pub mod zeebe;

pub use di::{Bounds, Diagram, DiagramElement, Edge, Label, Plane, Point, Shape};
pub use flow::{
    Activity, CallActivity, Common, Documentation, Event, EventDefinition, EventDefinitionKind, EventKind, Expression,
    FlowElement, FlowNode, FlowNodeKind, Gateway, GatewayKind, LoopCharacteristics, MultiInstance, SequenceFlow,
    SubProcess, SubProcessKind, Task, TaskKind,
};
pub use xml::{Attribute, Extras, Location, QName, XmlElement, XmlNode};
pub use zeebe::{ExtensionElement, ExtensionElements};

/// The root of a BPMN document: `bpmn:definitions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Definitions {
    /// The definitions id.
    pub id: Option<String>,
    /// The definitions name.
    pub name: Option<String>,
    /// `targetNamespace` (required by the schema).
    pub target_namespace: String,
    /// `exporter`, when given.
    pub exporter: Option<String>,
    /// `exporterVersion`, when given.
    pub exporter_version: Option<String>,
    /// `modeler:executionPlatform`, for example `Camunda Cloud`.
    pub execution_platform: Option<String>,
    /// `modeler:executionPlatformVersion`, for example `8.6.0`.
    pub execution_platform_version: Option<String>,
    /// Namespace declarations of the source root element (`None` prefix is the default namespace),
    /// re-declared by the writer so that QName values in kept content still resolve. The reader
    /// leaves out those of the writer's canonical prefixes ([`crate::ns::CANONICAL`]), which the
    /// writer always declares itself; the writer skips any such prefix found here.
    pub namespace_declarations: Vec<(Option<String>, String)>,
    /// Processes, collaborations, messages, errors and the rest, in source order.
    pub root_elements: Vec<RootElement>,
    /// The diagrams.
    pub diagrams: Vec<Diagram>,
    /// `bpmn:documentation` children.
    pub documentation: Vec<Documentation>,
    /// `bpmn:extensionElements` of the definitions, when present.
    pub extension_elements: Option<ExtensionElements>,
    /// Unknown attributes and children (imports, relationships, ...).
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

impl Definitions {
    /// The processes, in source order.
    pub fn processes(&self) -> impl Iterator<Item = &Process> {
        self.root_elements.iter().filter_map(|r| match r {
            RootElement::Process(p) => Some(p),
            _ => None,
        })
    }

    /// Mutable access to the processes.
    pub fn processes_mut(&mut self) -> impl Iterator<Item = &mut Process> {
        self.root_elements.iter_mut().filter_map(|r| match r {
            RootElement::Process(p) => Some(p),
            _ => None,
        })
    }

    /// The process with the given id.
    pub fn process(&self, id: &str) -> Option<&Process> {
        self.processes().find(|p| p.common.id == id)
    }

    /// The message root element with the given id.
    pub fn message(&self, id: &str) -> Option<&Message> {
        self.root_elements.iter().find_map(|r| match r {
            RootElement::Message(m) if m.common.id == id => Some(m),
            _ => None,
        })
    }

    /// The error root element with the given id.
    pub fn error(&self, id: &str) -> Option<&ErrorDef> {
        self.root_elements.iter().find_map(|r| match r {
            RootElement::Error(e) if e.common.id == id => Some(e),
            _ => None,
        })
    }

    /// The escalation root element with the given id.
    pub fn escalation(&self, id: &str) -> Option<&Escalation> {
        self.root_elements.iter().find_map(|r| match r {
            RootElement::Escalation(e) if e.common.id == id => Some(e),
            _ => None,
        })
    }

    /// The signal root element with the given id.
    pub fn signal(&self, id: &str) -> Option<&Signal> {
        self.root_elements.iter().find_map(|r| match r {
            RootElement::Signal(s) if s.common.id == id => Some(s),
            _ => None,
        })
    }
}

/// A child of `bpmn:definitions` other than a diagram.
#[derive(Debug, Clone, PartialEq)]
pub enum RootElement {
    /// `bpmn:process`.
    Process(Process),
    /// `bpmn:collaboration`.
    Collaboration(Collaboration),
    /// `bpmn:message`.
    Message(Message),
    /// `bpmn:error`.
    Error(ErrorDef),
    /// `bpmn:escalation`.
    Escalation(Escalation),
    /// `bpmn:signal`.
    Signal(Signal),
    /// Anything else (item definitions, data stores, interfaces, global tasks, ...), verbatim.
    Other(XmlElement),
}

/// `bpmn:process`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Process {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// `isExecutable`, when given.
    pub is_executable: Option<bool>,
    /// `processType`, when given.
    pub process_type: Option<String>,
    /// Lane sets, in source order.
    pub lane_sets: Vec<LaneSet>,
    /// Nodes, flows, data objects and artifacts, in source order.
    pub flow_elements: Vec<FlowElement>,
}

impl Process {
    /// True when the process is marked executable.
    pub fn executable(&self) -> bool {
        self.is_executable == Some(true)
    }
}

/// `bpmn:laneSet`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaneSet {
    /// The lane set's id.
    pub id: Option<String>,
    /// The lane set's name.
    pub name: Option<String>,
    /// The lanes.
    pub lanes: Vec<Lane>,
    /// Unknown attributes and children.
    pub extras: Extras,
}

/// `bpmn:lane`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lane {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// `flowNodeRef` entries.
    pub flow_node_refs: Vec<String>,
    /// A nested lane set, when given.
    pub child_lane_set: Option<LaneSet>,
}

/// `bpmn:collaboration`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collaboration {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// `isClosed`, when given.
    pub is_closed: Option<bool>,
    /// The pools.
    pub participants: Vec<Participant>,
    /// The message flows.
    pub message_flows: Vec<MessageFlow>,
    /// Artifacts, conversations and other content, verbatim and in source order.
    pub other: Vec<XmlElement>,
}

/// `bpmn:participant` (a pool).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Participant {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// The process the pool holds, when given.
    pub process_ref: Option<String>,
}

/// `bpmn:messageFlow`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageFlow {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// Source participant or node.
    pub source_ref: String,
    /// Target participant or node.
    pub target_ref: String,
    /// The message, when given.
    pub message_ref: Option<String>,
}

/// `bpmn:message`. Zeebe reads its correlation key from `zeebe:subscription`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    /// Id, name (the message name Zeebe correlates on), documentation, extensions.
    pub common: Common,
    /// `itemRef`, when given.
    pub item_ref: Option<String>,
}

/// `bpmn:error`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorDef {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// `errorCode`, when given.
    pub error_code: Option<String>,
    /// `structureRef`, when given.
    pub structure_ref: Option<String>,
}

/// `bpmn:escalation`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Escalation {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// `escalationCode`, when given.
    pub escalation_code: Option<String>,
    /// `structureRef`, when given.
    pub structure_ref: Option<String>,
}

/// `bpmn:signal`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signal {
    /// Id, name (the signal name Zeebe broadcasts on), documentation, extensions.
    pub common: Common,
    /// `structureRef`, when given.
    pub structure_ref: Option<String>,
}
