//! Zeebe's element types (`BpmnElementType`), as they appear in records.

/// The type of an element instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ElementType {
    /// The process instance itself.
    Process,
    /// An embedded sub-process.
    SubProcess,
    /// An event sub-process.
    EventSubProcess,
    /// A call activity.
    CallActivity,
    /// The body of a multi-instance activity.
    MultiInstanceBody,
    /// A start event.
    StartEvent,
    /// An end event.
    EndEvent,
    /// An intermediate catch event.
    IntermediateCatchEvent,
    /// An intermediate throw event.
    IntermediateThrowEvent,
    /// A boundary event.
    BoundaryEvent,
    /// A service task.
    ServiceTask,
    /// A send task.
    SendTask,
    /// A receive task.
    ReceiveTask,
    /// A user task.
    UserTask,
    /// A manual task.
    ManualTask,
    /// A script task.
    ScriptTask,
    /// A business rule task.
    BusinessRuleTask,
    /// An undefined task.
    Task,
    /// An exclusive gateway.
    ExclusiveGateway,
    /// A parallel gateway.
    ParallelGateway,
    /// An inclusive gateway.
    InclusiveGateway,
    /// An event-based gateway.
    EventBasedGateway,
    /// A sequence flow.
    SequenceFlow,
    /// An ad-hoc sub-process.
    AdHocSubProcess,
    /// One activation inside an ad-hoc sub-process: the scope of one inner flow.
    AdHocSubProcessInnerInstance,
}

impl ElementType {
    /// True for the containers that react to every finished child, not only to the last: a
    /// multi-instance body and an ad-hoc sub-process.
    pub fn counts_each_child(self) -> bool {
        matches!(self, ElementType::MultiInstanceBody | ElementType::AdHocSubProcess)
    }

    /// Zeebe's name, for example `SERVICE_TASK`.
    pub fn name(self) -> &'static str {
        match self {
            ElementType::Process => "PROCESS",
            ElementType::SubProcess => "SUB_PROCESS",
            ElementType::EventSubProcess => "EVENT_SUB_PROCESS",
            ElementType::CallActivity => "CALL_ACTIVITY",
            ElementType::MultiInstanceBody => "MULTI_INSTANCE_BODY",
            ElementType::StartEvent => "START_EVENT",
            ElementType::EndEvent => "END_EVENT",
            ElementType::IntermediateCatchEvent => "INTERMEDIATE_CATCH_EVENT",
            ElementType::IntermediateThrowEvent => "INTERMEDIATE_THROW_EVENT",
            ElementType::BoundaryEvent => "BOUNDARY_EVENT",
            ElementType::ServiceTask => "SERVICE_TASK",
            ElementType::SendTask => "SEND_TASK",
            ElementType::ReceiveTask => "RECEIVE_TASK",
            ElementType::UserTask => "USER_TASK",
            ElementType::ManualTask => "MANUAL_TASK",
            ElementType::ScriptTask => "SCRIPT_TASK",
            ElementType::BusinessRuleTask => "BUSINESS_RULE_TASK",
            ElementType::Task => "TASK",
            ElementType::ExclusiveGateway => "EXCLUSIVE_GATEWAY",
            ElementType::ParallelGateway => "PARALLEL_GATEWAY",
            ElementType::InclusiveGateway => "INCLUSIVE_GATEWAY",
            ElementType::EventBasedGateway => "EVENT_BASED_GATEWAY",
            ElementType::SequenceFlow => "SEQUENCE_FLOW",
            ElementType::AdHocSubProcess => "AD_HOC_SUB_PROCESS",
            ElementType::AdHocSubProcessInnerInstance => "AD_HOC_SUB_PROCESS_INNER_INSTANCE",
        }
    }
}
