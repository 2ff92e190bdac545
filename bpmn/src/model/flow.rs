//! Flow elements: the nodes of a process graph (events, activities, gateways), the sequence flows
//! between them, and what hangs off them (event definitions, loop characteristics).
//!
//! Some enums here have variants of very different sizes (a flow node is much larger than a kept
//! XML element). They are allowed to: a model is built once and read many times, and boxing the
//! large variants would only add an indirection to every match.
#![allow(clippy::large_enum_variant)]

use super::xml::{Extras, Location, XmlElement};
use super::zeebe::ExtensionElements;

/// A `bpmn:documentation` element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Documentation {
    /// The text, unescaped.
    pub text: String,
    /// `textFormat`, when given.
    pub text_format: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
}

/// What every BPMN base element carries besides its kind-specific content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Common {
    /// The element id (required for everything the model types).
    pub id: String,
    /// The `name` attribute.
    pub name: Option<String>,
    /// `bpmn:documentation` children.
    pub documentation: Vec<Documentation>,
    /// `bpmn:extensionElements`, when present.
    pub extension_elements: Option<ExtensionElements>,
    /// Unknown attributes and unknown children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

impl Common {
    /// A base element with only an id.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), ..Self::default() }
    }

    /// The extension elements, created empty on first use.
    pub fn extensions_mut(&mut self) -> &mut ExtensionElements {
        self.extension_elements.get_or_insert_with(ExtensionElements::default)
    }

    /// The extension elements, or an empty set.
    pub fn extensions(&self) -> &ExtensionElements {
        static EMPTY: std::sync::OnceLock<ExtensionElements> = std::sync::OnceLock::new();
        self.extension_elements.as_ref().unwrap_or_else(|| EMPTY.get_or_init(ExtensionElements::default))
    }
}

/// One entry of a process's or sub-process's flow element list, in source order.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowElement {
    /// An event, activity or gateway.
    Node(FlowNode),
    /// A sequence flow.
    SequenceFlow(SequenceFlow),
    /// Anything else (data objects, data store references, artifacts such as text annotations,
    /// associations and groups), kept verbatim.
    Other(XmlElement),
}

/// A sequence flow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SequenceFlow {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// Id of the source node.
    pub source_ref: String,
    /// Id of the target node.
    pub target_ref: String,
    /// `conditionExpression`, when present.
    pub condition: Option<Expression>,
    /// `isImmediate`, when given.
    pub is_immediate: Option<bool>,
}

/// A BPMN expression (`tFormalExpression` or plain `tExpression`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expression {
    /// The body, unescaped (for Zeebe a FEEL expression starting with `=`).
    pub body: String,
    /// `language`, when given.
    pub language: Option<String>,
    /// The `xsi:type` as written (for example `bpmn:tFormalExpression`), when given.
    pub xsi_type: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
}

impl Expression {
    /// A formal expression with the given body.
    pub fn formal(body: impl Into<String>) -> Self {
        Self { body: body.into(), xsi_type: Some("bpmn:tFormalExpression".into()), ..Self::default() }
    }
}

/// An event, activity or gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowNode {
    /// Id, name, documentation, extensions.
    pub common: Common,
    /// `bpmn:incoming` references as written (the graph is built from the sequence flows).
    pub incoming: Vec<String>,
    /// `bpmn:outgoing` references as written.
    pub outgoing: Vec<String>,
    /// What kind of node this is, with its specific content.
    pub kind: FlowNodeKind,
}

impl FlowNode {
    /// A node of the given kind with only an id.
    pub fn new(id: impl Into<String>, kind: FlowNodeKind) -> Self {
        Self { common: Common::new(id), incoming: Vec::new(), outgoing: Vec::new(), kind }
    }

    /// The element id.
    pub fn id(&self) -> &str {
        &self.common.id
    }

    /// The activity part, for tasks, sub-processes and call activities.
    pub fn activity(&self) -> Option<&Activity> {
        match &self.kind {
            FlowNodeKind::Task(t) => Some(&t.activity),
            FlowNodeKind::SubProcess(s) => Some(&s.activity),
            FlowNodeKind::CallActivity(c) => Some(&c.activity),
            _ => None,
        }
    }

    /// Mutable access to the activity part.
    pub fn activity_mut(&mut self) -> Option<&mut Activity> {
        match &mut self.kind {
            FlowNodeKind::Task(t) => Some(&mut t.activity),
            FlowNodeKind::SubProcess(s) => Some(&mut s.activity),
            FlowNodeKind::CallActivity(c) => Some(&mut c.activity),
            _ => None,
        }
    }

    /// The event part, for events.
    pub fn event(&self) -> Option<&Event> {
        match &self.kind {
            FlowNodeKind::Event(e) => Some(e),
            _ => None,
        }
    }

    /// The gateway part, for gateways.
    pub fn gateway(&self) -> Option<&Gateway> {
        match &self.kind {
            FlowNodeKind::Gateway(g) => Some(g),
            _ => None,
        }
    }

    /// The id of the default flow, for gateways and activities that declare one.
    pub fn default_flow(&self) -> Option<&str> {
        match &self.kind {
            FlowNodeKind::Gateway(g) => g.default_flow.as_deref(),
            _ => self.activity().and_then(|a| a.default_flow.as_deref()),
        }
    }

    /// The BPMN element name of this node, for example `serviceTask` or `exclusiveGateway`.
    pub fn element_name(&self) -> &'static str {
        self.kind.element_name()
    }
}

/// The kind-specific content of a [`FlowNode`].
#[derive(Debug, Clone, PartialEq)]
pub enum FlowNodeKind {
    /// Start, end, intermediate and boundary events.
    Event(Event),
    /// Any kind of task.
    Task(Task),
    /// Embedded, event, ad-hoc and transaction sub-processes.
    SubProcess(SubProcess),
    /// A call activity.
    CallActivity(CallActivity),
    /// Any kind of gateway.
    Gateway(Gateway),
}

impl FlowNodeKind {
    /// The BPMN element name for this kind.
    pub fn element_name(&self) -> &'static str {
        match self {
            FlowNodeKind::Event(e) => e.kind.element_name(),
            FlowNodeKind::Task(t) => t.kind.element_name(),
            FlowNodeKind::SubProcess(s) => s.kind.element_name(),
            FlowNodeKind::CallActivity(_) => "callActivity",
            FlowNodeKind::Gateway(g) => g.kind.element_name(),
        }
    }
}

/// An event and its definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Where the event sits.
    pub kind: EventKind,
    /// Event definitions; empty for a none event, more than one for a multiple event.
    pub definitions: Vec<EventDefinition>,
    /// `parallelMultiple`, when given.
    pub parallel_multiple: Option<bool>,
}

impl Event {
    /// An event of the given kind with one definition (or none).
    pub fn new(kind: EventKind, definition: Option<EventDefinition>) -> Self {
        Self { kind, definitions: definition.into_iter().collect(), parallel_multiple: None }
    }

    /// The single event definition, or `None` for a none event (and for a multiple event).
    pub fn definition(&self) -> Option<&EventDefinition> {
        match self.definitions.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }
}

/// Where an event sits in the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// `bpmn:startEvent`; `is_interrupting` matters for event sub-process starts.
    Start {
        /// `isInterrupting`, when given (BPMN default `true`).
        is_interrupting: Option<bool>,
    },
    /// `bpmn:endEvent`.
    End,
    /// `bpmn:intermediateCatchEvent`.
    IntermediateCatch,
    /// `bpmn:intermediateThrowEvent`.
    IntermediateThrow,
    /// `bpmn:boundaryEvent`.
    Boundary {
        /// The activity it is attached to.
        attached_to: String,
        /// `cancelActivity`, when given (BPMN default `true`).
        cancel_activity: Option<bool>,
    },
}

impl EventKind {
    /// The BPMN element name for this kind.
    pub fn element_name(&self) -> &'static str {
        match self {
            EventKind::Start { .. } => "startEvent",
            EventKind::End => "endEvent",
            EventKind::IntermediateCatch => "intermediateCatchEvent",
            EventKind::IntermediateThrow => "intermediateThrowEvent",
            EventKind::Boundary { .. } => "boundaryEvent",
        }
    }
}

/// An event definition with its id and unknown content.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDefinition {
    /// The definition's id, when given.
    pub id: Option<String>,
    /// What the definition says.
    pub kind: EventDefinitionKind,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

impl EventDefinition {
    /// A definition without an id.
    pub fn new(kind: EventDefinitionKind) -> Self {
        Self { id: None, kind, extras: Extras::default(), location: Location::default() }
    }
}

/// The kinds of event definition.
#[derive(Debug, Clone, PartialEq)]
pub enum EventDefinitionKind {
    /// `messageEventDefinition`.
    Message {
        /// Id of the `bpmn:message` root element.
        message_ref: Option<String>,
    },
    /// `timerEventDefinition`: exactly one of the three is expected.
    Timer {
        /// `timeDate`: ISO-8601 date-time or `=expression`.
        time_date: Option<Expression>,
        /// `timeDuration`: ISO-8601 duration or `=expression`.
        time_duration: Option<Expression>,
        /// `timeCycle`: ISO-8601 repeating interval, cron, or `=expression`.
        time_cycle: Option<Expression>,
    },
    /// `errorEventDefinition`; no reference means catch-all.
    Error {
        /// Id of the `bpmn:error` root element.
        error_ref: Option<String>,
    },
    /// `escalationEventDefinition`; no reference means catch-all.
    Escalation {
        /// Id of the `bpmn:escalation` root element.
        escalation_ref: Option<String>,
    },
    /// `signalEventDefinition`.
    Signal {
        /// Id of the `bpmn:signal` root element.
        signal_ref: Option<String>,
    },
    /// `terminateEventDefinition`.
    Terminate,
    /// `linkEventDefinition`.
    Link {
        /// The link name that pairs throw and catch.
        name: Option<String>,
    },
    /// `compensateEventDefinition`.
    Compensate {
        /// The activity to compensate, when given.
        activity_ref: Option<String>,
        /// `waitForCompletion`, when given.
        wait_for_completion: Option<bool>,
    },
    /// `conditionalEventDefinition`.
    Conditional {
        /// The condition.
        condition: Option<Expression>,
    },
    /// `cancelEventDefinition`.
    Cancel,
}

/// What tasks, sub-processes and call activities share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    /// `default`: id of the default outgoing flow.
    pub default_flow: Option<String>,
    /// `isForCompensation`, when given.
    pub is_for_compensation: Option<bool>,
    /// Multi-instance or standard loop characteristics.
    pub loop_characteristics: Option<LoopCharacteristics>,
}

/// Loop characteristics of an activity.
#[derive(Debug, Clone, PartialEq)]
pub enum LoopCharacteristics {
    /// `bpmn:multiInstanceLoopCharacteristics`.
    MultiInstance(MultiInstance),
    /// `bpmn:standardLoopCharacteristics` (not executable on Zeebe), kept verbatim.
    Standard(XmlElement),
}

/// `bpmn:multiInstanceLoopCharacteristics`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MultiInstance {
    /// `isSequential`, when given (BPMN default `false`, i.e. parallel).
    pub is_sequential: Option<bool>,
    /// `loopCardinality`, when given.
    pub loop_cardinality: Option<Expression>,
    /// `completionCondition`, when given.
    pub completion_condition: Option<Expression>,
    /// Extension elements (holding `zeebe:loopCharacteristics`).
    pub extension_elements: Option<ExtensionElements>,
    /// The id, when given.
    pub id: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
}

impl MultiInstance {
    /// True for a sequential multi-instance, false for a parallel one.
    pub fn sequential(&self) -> bool {
        self.is_sequential.unwrap_or(false)
    }
}

/// A task of any kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Which task.
    pub kind: TaskKind,
    /// The activity part.
    pub activity: Activity,
}

impl Task {
    /// A task of the given kind with default activity settings.
    pub fn new(kind: TaskKind) -> Self {
        Self { kind, activity: Activity::default() }
    }
}

/// The kinds of task.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskKind {
    /// `bpmn:task` (undefined task).
    Undefined,
    /// `bpmn:serviceTask`.
    Service,
    /// `bpmn:sendTask`.
    Send {
        /// `messageRef`, when given.
        message_ref: Option<String>,
    },
    /// `bpmn:receiveTask`.
    Receive {
        /// `messageRef`, when given.
        message_ref: Option<String>,
        /// `instantiate`, when given.
        instantiate: Option<bool>,
    },
    /// `bpmn:userTask`.
    User,
    /// `bpmn:manualTask`.
    Manual,
    /// `bpmn:scriptTask`.
    Script {
        /// `scriptFormat`, when given.
        script_format: Option<String>,
        /// The body of a `bpmn:script` child, when given.
        script: Option<String>,
    },
    /// `bpmn:businessRuleTask`.
    BusinessRule,
}

impl TaskKind {
    /// The BPMN element name for this kind.
    pub fn element_name(&self) -> &'static str {
        match self {
            TaskKind::Undefined => "task",
            TaskKind::Service => "serviceTask",
            TaskKind::Send { .. } => "sendTask",
            TaskKind::Receive { .. } => "receiveTask",
            TaskKind::User => "userTask",
            TaskKind::Manual => "manualTask",
            TaskKind::Script { .. } => "scriptTask",
            TaskKind::BusinessRule => "businessRuleTask",
        }
    }
}

/// A sub-process and its content.
#[derive(Debug, Clone, PartialEq)]
pub struct SubProcess {
    /// Which sub-process.
    pub kind: SubProcessKind,
    /// The activity part.
    pub activity: Activity,
    /// `triggeredByEvent`, when given: true for an event sub-process.
    pub triggered_by_event: Option<bool>,
    /// Lane sets inside the sub-process, verbatim.
    pub lane_sets: Vec<XmlElement>,
    /// The nodes, flows and artifacts inside, in source order.
    pub flow_elements: Vec<FlowElement>,
    /// An ad-hoc sub-process's `completionCondition`, checked after each inner flow completes.
    pub completion_condition: Option<Expression>,
    /// An ad-hoc sub-process's `cancelRemainingInstances`, when given (BPMN default `true`).
    pub cancel_remaining_instances: Option<bool>,
}

impl SubProcess {
    /// An empty sub-process of the given kind.
    pub fn new(kind: SubProcessKind) -> Self {
        Self {
            kind,
            activity: Activity::default(),
            triggered_by_event: None,
            lane_sets: Vec::new(),
            flow_elements: Vec::new(),
            completion_condition: None,
            cancel_remaining_instances: None,
        }
    }

    /// An empty event sub-process.
    pub fn event_sub_process() -> Self {
        Self { triggered_by_event: Some(true), ..Self::new(SubProcessKind::Embedded) }
    }

    /// True for an event sub-process.
    pub fn is_event_sub_process(&self) -> bool {
        self.triggered_by_event == Some(true)
    }
}

/// The kinds of sub-process.
#[derive(Debug, Clone, PartialEq)]
pub enum SubProcessKind {
    /// `bpmn:subProcess` (embedded, or event sub-process when triggered by event).
    Embedded,
    /// `bpmn:adHocSubProcess`.
    AdHoc,
    /// `bpmn:transaction`.
    Transaction,
}

impl SubProcessKind {
    /// The BPMN element name for this kind.
    pub fn element_name(&self) -> &'static str {
        match self {
            SubProcessKind::Embedded => "subProcess",
            SubProcessKind::AdHoc => "adHocSubProcess",
            SubProcessKind::Transaction => "transaction",
        }
    }
}

/// A call activity. Zeebe reads the called process from `zeebe:calledElement`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallActivity {
    /// The activity part.
    pub activity: Activity,
    /// The plain BPMN `calledElement` attribute, when written.
    pub called_element: Option<String>,
}

/// A gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct Gateway {
    /// Which gateway.
    pub kind: GatewayKind,
    /// `default`: id of the default outgoing flow.
    pub default_flow: Option<String>,
    /// `gatewayDirection`, when given.
    pub direction: Option<String>,
}

impl Gateway {
    /// A gateway of the given kind without a default flow.
    pub fn new(kind: GatewayKind) -> Self {
        Self { kind, default_flow: None, direction: None }
    }
}

/// The kinds of gateway.
#[derive(Debug, Clone, PartialEq)]
pub enum GatewayKind {
    /// `bpmn:exclusiveGateway`.
    Exclusive,
    /// `bpmn:inclusiveGateway`.
    Inclusive,
    /// `bpmn:parallelGateway`.
    Parallel,
    /// `bpmn:eventBasedGateway`.
    EventBased {
        /// `instantiate`, when given.
        instantiate: Option<bool>,
        /// `eventGatewayType`, when given.
        event_gateway_type: Option<String>,
    },
    /// `bpmn:complexGateway` (not executable on Zeebe).
    Complex {
        /// `activationCondition`, when given.
        activation_condition: Option<Expression>,
    },
}

impl GatewayKind {
    /// The BPMN element name for this kind.
    pub fn element_name(&self) -> &'static str {
        match self {
            GatewayKind::Exclusive => "exclusiveGateway",
            GatewayKind::Inclusive => "inclusiveGateway",
            GatewayKind::Parallel => "parallelGateway",
            GatewayKind::EventBased { .. } => "eventBasedGateway",
            GatewayKind::Complex { .. } => "complexGateway",
        }
    }
}
