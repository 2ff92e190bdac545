//! The Camunda 8 / Zeebe extension elements (namespace [`crate::ns::ZEEBE`]) as typed values.
//!
//! Attribute values that Zeebe documents as "static value or expression" are kept as written: a
//! value starting with `=` is a FEEL expression, anything else a literal.

use super::xml::{Extras, Location, XmlElement};

/// The content of one `bpmn:extensionElements`, in source order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtensionElements {
    /// The extension elements in the order they were written.
    pub items: Vec<ExtensionElement>,
    /// Unknown attributes on `bpmn:extensionElements` itself.
    pub extras: Extras,
}

/// Generates a typed accessor per extension kind, so that callers never match on the list.
macro_rules! accessors {
    ($($(#[$doc:meta])* $name:ident, $name_mut:ident => $variant:ident($ty:ty);)*) => {
        impl ExtensionElements {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Option<&$ty> {
                    self.items.iter().find_map(|item| match item {
                        ExtensionElement::$variant(value) => Some(value),
                        _ => None,
                    })
                }

                /// Mutable access to the same element, if present.
                pub fn $name_mut(&mut self) -> Option<&mut $ty> {
                    self.items.iter_mut().find_map(|item| match item {
                        ExtensionElement::$variant(value) => Some(value),
                        _ => None,
                    })
                }
            )*
        }
    };
}

accessors! {
    /// `zeebe:taskDefinition`.
    task_definition, task_definition_mut => TaskDefinition(TaskDefinition);
    /// `zeebe:taskHeaders`.
    task_headers, task_headers_mut => TaskHeaders(TaskHeaders);
    /// `zeebe:ioMapping`.
    io_mapping, io_mapping_mut => IoMapping(IoMapping);
    /// `zeebe:subscription` (on `bpmn:message`).
    subscription, subscription_mut => Subscription(Subscription);
    /// `zeebe:calledElement`.
    called_element, called_element_mut => CalledElement(CalledElement);
    /// `zeebe:loopCharacteristics` (inside multi-instance loop characteristics).
    loop_characteristics, loop_characteristics_mut => LoopCharacteristics(ZeebeLoopCharacteristics);
    /// `zeebe:assignmentDefinition`.
    assignment_definition, assignment_definition_mut => AssignmentDefinition(AssignmentDefinition);
    /// `zeebe:taskSchedule`.
    task_schedule, task_schedule_mut => TaskSchedule(TaskSchedule);
    /// `zeebe:userTask` (marks a Camunda user task).
    user_task, user_task_mut => UserTask(UserTaskMarker);
    /// `zeebe:formDefinition`.
    form_definition, form_definition_mut => FormDefinition(FormDefinition);
    /// `zeebe:script`.
    script, script_mut => Script(Script);
    /// `zeebe:calledDecision`.
    called_decision, called_decision_mut => CalledDecision(CalledDecision);
    /// `zeebe:properties`.
    properties, properties_mut => Properties(Properties);
    /// `zeebe:executionListeners`.
    execution_listeners, execution_listeners_mut => ExecutionListeners(ExecutionListeners);
    /// `zeebe:versionTag`.
    version_tag, version_tag_mut => VersionTag(VersionTag);
    /// `zeebe:adHoc` (on an ad-hoc sub-process).
    ad_hoc, ad_hoc_mut => AdHoc(ZeebeAdHoc);
}

impl ExtensionElements {
    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.extras.is_empty()
    }

    /// All `zeebe:userTaskForm` elements (a process may embed several forms).
    pub fn user_task_forms(&self) -> impl Iterator<Item = &UserTaskForm> {
        self.items.iter().filter_map(|item| match item {
            ExtensionElement::UserTaskForm(form) => Some(form),
            _ => None,
        })
    }

    /// Replaces the element of the same kind, or appends it.
    pub fn set(&mut self, element: ExtensionElement) {
        let kind = std::mem::discriminant(&element);
        let replaceable = !matches!(element, ExtensionElement::UserTaskForm(_) | ExtensionElement::Other(_));
        match self.items.iter_mut().find(|item| replaceable && std::mem::discriminant(*item) == kind) {
            Some(slot) => *slot = element,
            None => self.items.push(element),
        }
    }
}

/// One child of `bpmn:extensionElements`.
#[derive(Debug, Clone, PartialEq)]
pub enum ExtensionElement {
    /// `zeebe:taskDefinition`.
    TaskDefinition(TaskDefinition),
    /// `zeebe:taskHeaders`.
    TaskHeaders(TaskHeaders),
    /// `zeebe:ioMapping`.
    IoMapping(IoMapping),
    /// `zeebe:subscription`.
    Subscription(Subscription),
    /// `zeebe:calledElement`.
    CalledElement(CalledElement),
    /// `zeebe:loopCharacteristics`.
    LoopCharacteristics(ZeebeLoopCharacteristics),
    /// `zeebe:assignmentDefinition`.
    AssignmentDefinition(AssignmentDefinition),
    /// `zeebe:taskSchedule`.
    TaskSchedule(TaskSchedule),
    /// `zeebe:userTask`.
    UserTask(UserTaskMarker),
    /// `zeebe:formDefinition`.
    FormDefinition(FormDefinition),
    /// `zeebe:userTaskForm`.
    UserTaskForm(UserTaskForm),
    /// `zeebe:script`.
    Script(Script),
    /// `zeebe:calledDecision`.
    CalledDecision(CalledDecision),
    /// `zeebe:properties`.
    Properties(Properties),
    /// `zeebe:executionListeners`.
    ExecutionListeners(ExecutionListeners),
    /// `zeebe:versionTag`.
    VersionTag(VersionTag),
    /// `zeebe:adHoc`.
    AdHoc(ZeebeAdHoc),
    /// Any other extension (other vendors, newer zeebe elements), kept verbatim.
    Other(XmlElement),
}

/// `zeebe:taskDefinition`: the job type and retries of a job-based element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskDefinition {
    /// Job type: static or `=expression`.
    pub job_type: String,
    /// Retries: static number or `=expression`; Zeebe's default is 3.
    pub retries: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:taskHeaders`: static key/value pairs handed to the worker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskHeaders {
    /// The headers in source order.
    pub headers: Vec<Header>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// One `zeebe:header`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    /// Header key.
    pub key: String,
    /// Header value (always a static string).
    pub value: String,
    /// Unknown attributes and children.
    pub extras: Extras,
}

/// `zeebe:ioMapping`: input and output variable mappings, applied in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IoMapping {
    /// `zeebe:input` mappings.
    pub inputs: Vec<Mapping>,
    /// `zeebe:output` mappings.
    pub outputs: Vec<Mapping>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// One `zeebe:input` or `zeebe:output`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    /// Source: `=expression` or (inputs only) a literal; `None` maps `null`.
    pub source: Option<String>,
    /// Target variable name or dotted path.
    pub target: String,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:subscription` on a `bpmn:message`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subscription {
    /// The correlation key expression.
    pub correlation_key: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:calledElement` on a call activity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalledElement {
    /// The called process id: static or `=expression`.
    pub process_id: String,
    /// `propagateAllChildVariables`; the engine default when absent is `true`.
    pub propagate_all_child_variables: Option<bool>,
    /// `propagateAllParentVariables`; the engine default when absent is `true`.
    pub propagate_all_parent_variables: Option<bool>,
    /// `bindingType` (8.6+): `latest`, `deployment` or `versionTag`.
    pub binding_type: Option<String>,
    /// `versionTag` (8.6+).
    pub version_tag: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:loopCharacteristics` inside `bpmn:multiInstanceLoopCharacteristics`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZeebeLoopCharacteristics {
    /// Expression yielding the list to iterate.
    pub input_collection: Option<String>,
    /// Variable name each instance sees its item under.
    pub input_element: Option<String>,
    /// Variable name of the collected results.
    pub output_collection: Option<String>,
    /// Expression evaluated per instance into the output collection.
    pub output_element: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:adHoc` on a `bpmn:adHocSubProcess` (Camunda 8.7+): which inner elements to activate
/// and what to collect from each finished inner flow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZeebeAdHoc {
    /// Expression yielding the ids of the elements to activate on entry.
    pub active_elements_collection: Option<String>,
    /// Variable name of the collected results.
    pub output_collection: Option<String>,
    /// Expression evaluated in each finished inner flow and appended to the output collection.
    pub output_element: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:assignmentDefinition` on a user task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentDefinition {
    /// Assignee: static or `=expression`.
    pub assignee: Option<String>,
    /// Candidate groups: comma-separated list or `=expression`.
    pub candidate_groups: Option<String>,
    /// Candidate users: comma-separated list or `=expression`.
    pub candidate_users: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:taskSchedule` on a user task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskSchedule {
    /// Due date: ISO-8601 date-time or `=expression`.
    pub due_date: Option<String>,
    /// Follow-up date: ISO-8601 date-time or `=expression`.
    pub follow_up_date: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:userTask`: marks a Camunda (not job-based) user task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserTaskMarker {
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:formDefinition` on a user task or start event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormDefinition {
    /// `formKey` (embedded `camunda-forms:bpmn:<id>` or custom).
    pub form_key: Option<String>,
    /// `formId` of a linked form (8.4+).
    pub form_id: Option<String>,
    /// `externalReference` (8.5+).
    pub external_reference: Option<String>,
    /// `bindingType` (8.6+).
    pub binding_type: Option<String>,
    /// `versionTag` (8.6+).
    pub version_tag: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:userTaskForm`: a form embedded in the process (its body is JSON text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserTaskForm {
    /// The form's id, referenced as `camunda-forms:bpmn:<id>`.
    pub id: String,
    /// The form body exactly as written (JSON).
    pub body: String,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:script`: a FEEL script task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    /// The FEEL expression (with leading `=`).
    pub expression: String,
    /// Variable the result is written to.
    pub result_variable: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:calledDecision`: a DMN business rule task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalledDecision {
    /// Decision id: static or `=expression`.
    pub decision_id: String,
    /// Variable the result is written to.
    pub result_variable: Option<String>,
    /// `bindingType` (8.6+).
    pub binding_type: Option<String>,
    /// `versionTag` (8.6+).
    pub version_tag: Option<String>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// `zeebe:properties`: free metadata the engine does not interpret.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties {
    /// The properties in source order.
    pub properties: Vec<Property>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// One `zeebe:property`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Property {
    /// Property name.
    pub name: String,
    /// Property value.
    pub value: String,
    /// Unknown attributes and children.
    pub extras: Extras,
}

/// `zeebe:executionListeners` (8.6+).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecutionListeners {
    /// The listeners in source order.
    pub listeners: Vec<ExecutionListener>,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}

/// One `zeebe:executionListener`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecutionListener {
    /// `start` or `end`.
    pub event_type: String,
    /// Job type of the listener job.
    pub job_type: String,
    /// Retries of the listener job.
    pub retries: Option<String>,
    /// Unknown attributes and children (for example nested task headers).
    pub extras: Extras,
}

/// `zeebe:versionTag` on a process (8.6+).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionTag {
    /// The tag.
    pub value: String,
    /// Unknown attributes and children.
    pub extras: Extras,
    /// Source location.
    pub location: Location,
}
