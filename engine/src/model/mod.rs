//! The executable form of a deployed process: nodes and flows in flat vectors indexed by small
//! integers, expressions parsed once, job types and headers resolved. It is immutable and shared
//! (`Arc`) by every instance of the version.

mod compile;
mod element_type;
pub(crate) mod timer;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use compile::{CompiledResource, compile_definitions};
pub use element_type::ElementType;

use crate::expression::{Expression, ValueOrExpression};

/// Index of a node in [`ExecutableProcess::nodes`]. The process itself is node 0.
pub type NodeIdx = u32;
/// Index of a flow in [`ExecutableProcess::flows`].
pub type FlowIdx = u32;

/// The node index of the process element in every [`ExecutableProcess`].
pub const PROCESS_NODE: NodeIdx = 0;

/// One deployed process version.
#[derive(Debug, PartialEq)]
pub struct ExecutableProcess {
    /// The process definition key.
    pub key: i64,
    /// `process/@id`.
    pub bpmn_process_id: Arc<str>,
    /// 1, 2, 3, ... per process id.
    pub version: i32,
    /// The resource (file) name it was deployed from.
    pub resource_name: Arc<str>,
    /// Checksum of the deployed resource (duplicate detection).
    pub checksum: u64,
    /// The deployed resource's bytes (BPMN XML), kept so a stored record log can recompile it.
    pub resource: Arc<[u8]>,
    /// All nodes; node 0 is the process.
    pub nodes: Vec<Node>,
    /// All sequence flows.
    pub flows: Vec<Flow>,
}

impl ExecutableProcess {
    /// The node with the given index. Indexes come from this process, so they are in range.
    pub fn node(&self, idx: NodeIdx) -> &Node {
        &self.nodes[idx as usize]
    }

    /// The flow with the given index.
    pub fn flow(&self, idx: FlowIdx) -> &Flow {
        &self.flows[idx as usize]
    }

    /// Builds the shared job templates of elements whose job type and headers are static;
    /// called once the process has its key.
    pub(crate) fn fill_job_templates(&mut self) {
        let (bpmn_process_id, key) = (self.bpmn_process_id.clone(), self.key);
        for node in &mut self.nodes {
            let id = node.id.clone();
            let spec: &mut JobSpec = match &mut node.kind {
                NodeKind::Job(spec) => spec,
                NodeKind::AdHoc(ad_hoc) => match &mut ad_hoc.job {
                    Some(spec) => spec,
                    None => continue,
                },
                NodeKind::End(Throw::Job(spec)) | NodeKind::Throw(Throw::Job(spec)) => spec,
                _ => continue,
            };
            if let (ValueOrExpression::Static(job_type), None) = (&spec.job_type, &spec.assignment) {
                spec.template = Some(Arc::new(JobTemplate {
                    job_type: job_type.clone(),
                    custom_headers: spec.headers.clone(),
                    element_id: id,
                    bpmn_process_id: bpmn_process_id.clone(),
                    process_definition_key: key,
                }));
            }
        }
    }

    /// The node with the given element id.
    pub fn node_by_id(&self, id: &str) -> Option<NodeIdx> {
        self.nodes.iter().position(|n| &*n.id == id).and_then(|i| NodeIdx::try_from(i).ok())
    }

    /// The none start event of the process, if it has one.
    pub fn none_start(&self) -> Option<NodeIdx> {
        match &self.node(PROCESS_NODE).kind {
            NodeKind::Container(c) => c.none_start,
            _ => None,
        }
    }

    /// Start events of the process itself with the given trigger kind (message, signal, timer).
    pub fn start_events(&self) -> impl Iterator<Item = (NodeIdx, &Trigger)> {
        let children = match &self.node(PROCESS_NODE).kind {
            NodeKind::Container(c) => c.children.as_slice(),
            _ => &[],
        };
        children.iter().filter_map(|&idx| match &self.node(idx).kind {
            NodeKind::Start(trigger) => Some((idx, trigger)),
            _ => None,
        })
    }
}

/// A flow node in executable form.
#[derive(Debug, PartialEq)]
pub struct Node {
    /// The element id.
    pub id: Arc<str>,
    /// Zeebe's element type.
    pub element_type: ElementType,
    /// What the node does.
    pub kind: NodeKind,
    /// The container node this node lives in (`None` only for the process).
    pub scope: Option<NodeIdx>,
    /// Incoming flows.
    pub incoming: Vec<FlowIdx>,
    /// Outgoing flows, in document order.
    pub outgoing: Vec<FlowIdx>,
    /// The default outgoing flow (gateways).
    pub default_flow: Option<FlowIdx>,
    /// `zeebe:input` mappings.
    pub inputs: Vec<Mapping>,
    /// `zeebe:output` mappings.
    pub outputs: Vec<Mapping>,
    /// Boundary events attached to this activity.
    pub boundaries: Vec<NodeIdx>,
    /// Multi-instance characteristics, when the activity loops.
    pub multi_instance: Option<Box<MultiInstance>>,
    /// True for a parallel or inclusive gateway with more than one incoming flow.
    pub is_join: bool,
}

/// What a node does when it runs.
#[derive(Debug, PartialEq)]
pub enum NodeKind {
    /// The process or an embedded sub-process.
    Container(Container),
    /// An event sub-process.
    EventSubProcess {
        /// Its content.
        container: Container,
        /// Its single start event.
        start: NodeIdx,
        /// True when its start event interrupts the enclosing scope.
        interrupting: bool,
    },
    /// A call activity.
    CallActivity(CallSpec),
    /// An ad-hoc sub-process: runs the inner elements that an expression or a job worker names.
    AdHoc(Box<AdHoc>),
    /// A start event.
    Start(Trigger),
    /// An end event.
    End(Throw),
    /// An intermediate catch event.
    Catch(Trigger),
    /// An intermediate throw event.
    Throw(Throw),
    /// A boundary event.
    Boundary {
        /// The activity it is attached to.
        attached_to: NodeIdx,
        /// `cancelActivity`.
        interrupting: bool,
        /// What it waits for.
        trigger: Trigger,
    },
    /// A job-based task (service, send, business rule with a job, job-based user task, ...).
    Job(JobSpec),
    /// A FEEL script task (`zeebe:script`).
    Script {
        /// The expression.
        expression: Expression,
        /// Where the result goes.
        result_variable: Arc<str>,
    },
    /// A business rule task calling a decision (DMN is not deployable here).
    Decision {
        /// The decision id.
        decision_id: Arc<str>,
    },
    /// A Camunda user task (`zeebe:userTask`).
    UserTask(Assignment),
    /// A receive task.
    Receive(MessageSpec),
    /// A manual or undefined task: completes at once.
    PassThrough,
    /// Exclusive gateway.
    Exclusive,
    /// Parallel gateway.
    Parallel,
    /// Inclusive gateway.
    Inclusive,
    /// Event-based gateway.
    EventBased,
}

impl NodeKind {
    /// The content of a process, sub-process, event sub-process or ad-hoc sub-process.
    pub fn container(&self) -> Option<&Container> {
        match self {
            NodeKind::Container(c) | NodeKind::EventSubProcess { container: c, .. } => Some(c),
            NodeKind::AdHoc(ad_hoc) => Some(&ad_hoc.container),
            _ => None,
        }
    }
}

/// The content of a process, sub-process or event sub-process.
#[derive(Debug, Default, PartialEq)]
pub struct Container {
    /// Direct children.
    pub children: Vec<NodeIdx>,
    /// The none start event.
    pub none_start: Option<NodeIdx>,
    /// Event sub-processes directly inside.
    pub event_sub_processes: Vec<NodeIdx>,
}

/// An ad-hoc sub-process (Camunda 8.7+): which inner elements run is decided at run time, by
/// `activeElementsCollection` (the BPMN implementation) or by a job worker's result (the
/// job-worker implementation, when the element has a `zeebe:taskDefinition`).
#[derive(Debug, PartialEq)]
pub struct AdHoc {
    /// Its content (no start or end event; event sub-processes allowed).
    pub container: Container,
    /// The inner elements that may be activated: those without incoming flows, except boundary
    /// events and event sub-processes.
    pub activatable: Vec<NodeIdx>,
    /// The `adHocSubProcessElements` variable: id, name and documentation of each activatable
    /// element, for the worker (or agent) that chooses.
    pub elements: serde_json::Value,
    /// `activeElementsCollection`: the ids to activate on entry.
    pub active_elements: Option<Expression>,
    /// `outputCollection`: the list each finished inner flow appends to.
    pub output_collection: Option<Arc<str>>,
    /// `outputElement`: evaluated in a finished inner flow's scope.
    pub output_element: Option<Expression>,
    /// `completionCondition`: checked after each inner flow completes.
    pub completion_condition: Option<Expression>,
    /// `cancelRemainingInstances` (default true).
    pub cancel_remaining: bool,
    /// The job-worker implementation's job.
    pub job: Option<JobSpec>,
}

/// The element id Zeebe gives the inner instances of the ad-hoc sub-process `id` in its
/// records: `<id>#innerInstance`.
pub fn ad_hoc_inner_instance_id(id: &str) -> Arc<str> {
    Arc::from(format!("{id}#innerInstance"))
}

/// What a catch event waits for.
#[derive(Debug, PartialEq)]
pub enum Trigger {
    /// Nothing: a none start event.
    None,
    /// A timer.
    Timer(timer::TimerSpec),
    /// A message.
    Message(MessageSpec),
    /// A signal.
    Signal(ValueOrExpression),
    /// A BPMN error (`None` catches all).
    Error(Option<Arc<str>>),
    /// An escalation (`None` catches all).
    Escalation(Option<Arc<str>>),
    /// A link catch with this name.
    Link(Arc<str>),
}

/// What a throw or end event does.
#[derive(Debug, PartialEq)]
pub enum Throw {
    /// Nothing (none event).
    None,
    /// Terminates its flow scope.
    Terminate,
    /// Throws a BPMN error with this code.
    Error(ValueOrExpression),
    /// Throws an escalation with this code.
    Escalation(ValueOrExpression),
    /// Broadcasts a signal.
    Signal(ValueOrExpression),
    /// Jumps to the link catch event.
    Link(NodeIdx),
    /// Publishes a message through a job (message throw/end events).
    Job(Box<JobSpec>),
}

/// A message a catch element subscribes to.
#[derive(Debug, PartialEq)]
pub struct MessageSpec {
    /// The message name.
    pub name: ValueOrExpression,
    /// The correlation key expression (absent for message start events).
    pub correlation_key: Option<Expression>,
}

/// How a job-based element creates its job.
#[derive(Debug, PartialEq)]
pub struct JobSpec {
    /// The job type.
    pub job_type: ValueOrExpression,
    /// Retries (default 3).
    pub retries: Retries,
    /// Static custom headers.
    pub headers: Arc<[(String, String)]>,
    /// For a job-based user task: assignment values turned into headers at activation.
    pub assignment: Option<Assignment>,
    /// The shared job data when type and headers are static (filled in at deploy).
    pub template: Option<Arc<JobTemplate>>,
}

/// A job's retries: a number fixed at deploy or an expression evaluated per job.
#[derive(Debug, PartialEq)]
pub enum Retries {
    /// A static number.
    Static(i32),
    /// An expression.
    Expression(Expression),
}

/// User task assignment attributes.
#[derive(Debug, Default, PartialEq)]
pub struct Assignment {
    /// The assignee.
    pub assignee: Option<ValueOrExpression>,
    /// Candidate groups (comma list or expression).
    pub candidate_groups: Option<ValueOrExpression>,
    /// Candidate users (comma list or expression).
    pub candidate_users: Option<ValueOrExpression>,
    /// The form key.
    pub form_key: Option<Arc<str>>,
}

/// A call activity's target and propagation.
#[derive(Debug, PartialEq)]
pub struct CallSpec {
    /// The called process id.
    pub process_id: ValueOrExpression,
    /// `propagateAllChildVariables` (default true).
    pub propagate_all_child: bool,
    /// `propagateAllParentVariables` (default true).
    pub propagate_all_parent: bool,
}

/// Multi-instance characteristics.
#[derive(Debug, PartialEq)]
pub struct MultiInstance {
    /// Sequential (one after another) or parallel.
    pub sequential: bool,
    /// The input collection.
    pub input_collection: Option<Expression>,
    /// `loopCardinality`, when no collection is given.
    pub cardinality: Option<Expression>,
    /// The per-instance variable holding the item.
    pub input_element: Option<Arc<str>>,
    /// The collected output variable.
    pub output_collection: Option<Arc<str>>,
    /// The per-instance output expression.
    pub output_element: Option<Expression>,
    /// The completion condition.
    pub completion_condition: Option<Expression>,
}

/// One input or output mapping.
#[derive(Debug, PartialEq)]
pub struct Mapping {
    /// Where the value comes from.
    pub source: MappingSource,
    /// The target path (`order.status` is `["order", "status"]`).
    pub target: Vec<Arc<str>>,
}

/// The source of a mapping.
#[derive(Debug, PartialEq)]
pub enum MappingSource {
    /// No source: maps `null`.
    Null,
    /// A literal string (input mappings only).
    Static(serde_json::Value),
    /// An expression.
    Expression(Expression),
}

/// A sequence flow in executable form.
#[derive(Debug, PartialEq)]
pub struct Flow {
    /// The flow id.
    pub id: Arc<str>,
    /// The source node.
    pub source: NodeIdx,
    /// The target node.
    pub target: NodeIdx,
    /// The condition, when given.
    pub condition: Option<Expression>,
}

/// What every job of one element shares: built once per element at deploy (or per job when the
/// job type is an expression), so a job record carries one pointer instead of five.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobTemplate {
    /// The job type workers subscribe to.
    pub job_type: Arc<str>,
    /// Custom headers (static key/value pairs from the model).
    pub custom_headers: Arc<[(String, String)]>,
    /// The element id of the task.
    pub element_id: Arc<str>,
    /// The BPMN process id.
    pub bpmn_process_id: Arc<str>,
    /// The process definition key.
    pub process_definition_key: i64,
}

/// 64-bit FNV-1a: the checksum of a deployed model (duplicate detection), of a stored process's
/// element ids, and of a snapshot's bytes.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
