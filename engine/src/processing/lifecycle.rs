//! The lifecycle every element goes through, as one trait with a hook per step. The driver
//! (`driver.rs`) writes the lifecycle records and calls the hooks; a processor only decides what
//! its element does in each step.
//!
//! ```text
//! ACTIVATING ──on_activate──▶ ACTIVATED ──(trigger)──▶ COMPLETING ──on_complete──▶ COMPLETED ──▶ outgoing flows
//!      │                          │                                                       
//!      └───── incident ◀── Err ───┘            TERMINATING ──on_terminate──▶ (children gone) ──▶ TERMINATED
//! ```

use std::sync::Arc;

use super::ad_hoc::{AdHocInnerProcessor, AdHocProcessor};
use super::container::{
    CallActivityProcessor, ContainerProcessor, EventSubProcessProcessor, MultiInstanceBodyProcessor,
};
use super::event::{BoundaryProcessor, CatchProcessor, EndProcessor, StartProcessor, ThrowProcessor};
use super::gateway::{EventBasedGatewayProcessor, ExclusiveProcessor, InclusiveProcessor, ParallelProcessor};
use super::task::{
    DecisionProcessor, JobTaskProcessor, PassThroughProcessor, ReceiveProcessor, ScriptProcessor, UserTaskProcessor,
};
use super::{Machine, Trigger};
use crate::model::{ElementType, ExecutableProcess, Node, NodeIdx, NodeKind};
use crate::record::{ErrorType, ProcessEventRecord};

/// Why a lifecycle step failed: becomes an incident on the element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub error_type: ErrorType,
    pub message: String,
}

impl Failure {
    pub fn new(error_type: ErrorType, message: impl Into<String>) -> Self {
        Self { error_type, message: message.into() }
    }

    pub fn extract_value(message: impl Into<String>) -> Self {
        Self::new(ErrorType::ExtractValueError, message)
    }
}

/// What a hook knows about the element instance it works on.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// The element instance key.
    pub key: i64,
    /// The process definition index.
    pub def: u32,
    /// The node.
    pub node: NodeIdx,
    /// The process definition.
    pub process: Arc<ExecutableProcess>,
    /// The flow scope instance (`-1` for a process instance).
    pub flow_scope: i64,
    /// The process instance.
    pub process_instance: i64,
    /// True for a multi-instance body.
    pub is_body: bool,
    /// True for an inner instance of a multi-instance body.
    pub is_inner: bool,
    /// True for one activation inside an ad-hoc sub-process (its inner instance).
    pub is_ad_hoc_inner: bool,
}

impl Element {
    /// Reads the element instance's context from the state.
    pub fn load(m: &Machine, key: i64) -> Option<Self> {
        let instance = m.state.element(key)?;
        Some(Self {
            key,
            def: instance.def,
            node: instance.element,
            process: m.state.process(instance.def).clone(),
            flow_scope: instance.flow_scope_key,
            process_instance: instance.process_instance_key,
            is_body: instance.element_type == ElementType::MultiInstanceBody,
            is_inner: instance.is_inner,
            is_ad_hoc_inner: instance.element_type == ElementType::AdHocSubProcessInnerInstance,
        })
    }

    /// The element's node.
    pub fn node(&self) -> &Node {
        self.process.node(self.node)
    }

    /// True for an ad-hoc sub-process (not one of its activations).
    pub fn is_ad_hoc(&self) -> bool {
        !self.is_body && !self.is_ad_hoc_inner && matches!(self.node().kind, NodeKind::AdHoc(_))
    }
}

/// One element family's behaviour in each lifecycle step.
pub(crate) trait ElementProcessor: Sync {
    /// `ELEMENT_ACTIVATING`: input mappings are applied. Create the job, open subscriptions or
    /// activate children, then either write `ELEMENT_ACTIVATED` and wait, or complete at once
    /// (pass-through elements). An `Err` leaves the element activating with an incident;
    /// resolving it runs this hook again.
    fn on_activate(&self, m: &mut Machine, element: &Element, trigger: Option<Trigger>) -> Result<(), Failure>;

    /// `ELEMENT_COMPLETING`, before output mappings: element-specific finishing work
    /// (gateways choose flows here, a multi-instance body collects output). An `Err` leaves the
    /// element completing with an incident; resolving runs this hook again.
    fn on_complete(&self, _m: &mut Machine, _element: &Element) -> Result<(), Failure> {
        Ok(())
    }

    /// After `ELEMENT_COMPLETED`: leave the element. `pending` is an event that was stored on
    /// the element (an event-based gateway's winner). The default takes every outgoing flow.
    fn on_completed(&self, m: &mut Machine, element: &Element, _pending: Option<ProcessEventRecord>) {
        super::behavior::transitions::take_outgoing_flows(m, element);
    }

    /// `ELEMENT_TERMINATING`: jobs, subscriptions and incidents are already gone. Terminate
    /// children; return true when nothing is left to wait for.
    fn on_terminate(&self, _m: &mut Machine, _element: &Element) -> bool {
        true
    }

    /// A child instance of this container completed or terminated.
    fn on_child_finished(&self, m: &mut Machine, element: &Element, _child: ChildFinished) {
        super::behavior::transitions::complete_scope_when_empty(m, element);
    }
}

/// What a container learns when a child finishes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChildFinished {
    /// True when it completed, false when it terminated.
    pub completed: bool,
    /// Its loop counter (multi-instance inner instances).
    pub loop_counter: u32,
}

/// The processor for an element instance.
pub(crate) fn processor_for(element: &Element) -> &'static dyn ElementProcessor {
    if element.is_body {
        return &MultiInstanceBodyProcessor;
    }
    if element.is_ad_hoc_inner {
        return &AdHocInnerProcessor;
    }
    match &element.node().kind {
        NodeKind::Container(_) => &ContainerProcessor,
        NodeKind::EventSubProcess { .. } => &EventSubProcessProcessor,
        NodeKind::CallActivity(_) => &CallActivityProcessor,
        NodeKind::AdHoc(_) => &AdHocProcessor,
        NodeKind::Start(_) => &StartProcessor,
        NodeKind::End(_) => &EndProcessor,
        NodeKind::Catch(_) => &CatchProcessor,
        NodeKind::Throw(_) => &ThrowProcessor,
        NodeKind::Boundary { .. } => &BoundaryProcessor,
        NodeKind::Job(_) => &JobTaskProcessor,
        NodeKind::Script { .. } => &ScriptProcessor,
        NodeKind::Decision { .. } => &DecisionProcessor,
        NodeKind::UserTask(_) => &UserTaskProcessor,
        NodeKind::Receive(_) => &ReceiveProcessor,
        NodeKind::PassThrough => &PassThroughProcessor,
        NodeKind::Exclusive => &ExclusiveProcessor,
        NodeKind::Parallel => &ParallelProcessor,
        NodeKind::Inclusive => &InclusiveProcessor,
        NodeKind::EventBased => &EventBasedGatewayProcessor,
    }
}
