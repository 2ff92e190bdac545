//! Where BPMN child elements that the typed model does not hold go in their parent's XSD
//! sequence.
//!
//! One rank table serves the reader and the writer: the reader uses it to tell such children
//! (kept in `Extras`) from flow elements and artifacts (kept in a container's flow element list),
//! and the writer uses it to put kept children back at their XSD position among the typed ones.
//!
//! The few children whose XSD position depends on the parent follow the activity's sequence:
//! in a process, `auditing`, `monitoring` and `resourceRole` are placed as in an activity (before
//! `ioSpecification`, before the content) rather than after `ioSpecification` and after the
//! content. Only their order relative to each other changes; no reader depends on it.

/// Ranks of the typed children, in the order the BPMN XSD sequences put them.
pub(crate) mod rank {
    /// `documentation`.
    pub(crate) const DOCUMENTATION: u8 = 0;
    /// `extensionElements`.
    pub(crate) const EXTENSION_ELEMENTS: u8 = 1;
    /// `incoming`.
    pub(crate) const INCOMING: u8 = 6;
    /// `outgoing`.
    pub(crate) const OUTGOING: u8 = 7;
    /// `flowNodeRef` of a lane.
    pub(crate) const FLOW_NODE_REF: u8 = 8;
    /// `childLaneSet` of a lane.
    pub(crate) const CHILD_LANE_SET: u8 = 9;
    /// `standardLoopCharacteristics` / `multiInstanceLoopCharacteristics`.
    pub(crate) const LOOP_CHARACTERISTICS: u8 = 18;
    /// Event definitions of an event.
    pub(crate) const EVENT_DEFINITION: u8 = 19;
    /// `script`, `conditionExpression`, `activationCondition`, `condition` and the timer
    /// expressions: the last typed content of their elements.
    pub(crate) const BODY: u8 = 21;
    /// `loopCardinality` of a multi-instance.
    pub(crate) const LOOP_CARDINALITY: u8 = 22;
    /// `completionCondition` of a multi-instance.
    pub(crate) const COMPLETION_CONDITION: u8 = 28;
    /// `laneSet` of a process or sub-process.
    pub(crate) const LANE_SET: u8 = 30;
    /// Flow elements and artifacts of a container.
    pub(crate) const FLOW_ELEMENTS: u8 = 31;
    /// `participant` of a collaboration.
    pub(crate) const PARTICIPANT: u8 = 40;
    /// `messageFlow` of a collaboration.
    pub(crate) const MESSAGE_FLOW: u8 = 41;
    /// Artifacts, conversations and the rest of a collaboration.
    pub(crate) const COLLABORATION_OTHER: u8 = 42;
    /// Root elements of the definitions.
    pub(crate) const ROOT_ELEMENTS: u8 = 52;
    /// `BPMNDiagram`s of the definitions.
    pub(crate) const DIAGRAMS: u8 = 53;
    /// Children placed after all typed ones.
    pub(crate) const LAST: u8 = u8::MAX;
}

/// The XSD rank of a BPMN-namespace child that is not a flow element, artifact or root element.
pub(crate) fn kept_child_rank(local: &str) -> Option<u8> {
    let rank = match local {
        "documentation" => rank::DOCUMENTATION,
        "extensionElements" => rank::EXTENSION_ELEMENTS,
        "auditing" => 2,
        "monitoring" => 3,
        "categoryValueRef" => 4,
        "supportedInterfaceRef" => 5,
        "ioSpecification" => 10,
        "ioBinding" => 11,
        "property" => 12,
        "dataInput" => 13,
        "dataOutput" => 13,
        "dataInputAssociation" => 14,
        "dataOutputAssociation" => 15,
        "inputSet" => 16,
        "outputSet" => 16,
        "resourceRole" | "performer" | "humanPerformer" | "potentialOwner" => 17,
        "eventDefinitionRef" => 20,
        "loopDataInputRef" => 23,
        "loopDataOutputRef" => 24,
        "inputDataItem" => 25,
        "outputDataItem" => 26,
        "complexBehaviorDefinition" => 27,
        "partitionElement" => rank::FLOW_NODE_REF - 1,
        // An ad-hoc sub-process's completion condition follows its content (a multi-instance's
        // is typed and placed by the writer).
        "completionCondition" => rank::FLOW_ELEMENTS + 1,
        "correlationSubscription" => rank::FLOW_ELEMENTS + 2,
        "supports" => rank::FLOW_ELEMENTS + 3,
        "interfaceRef" => 45,
        "participantMultiplicity" => 46,
        "endPointRef" => 47,
        "import" => 50,
        "extension" => 51,
        "relationship" => rank::DIAGRAMS + 1,
        _ => return None,
    };
    Some(rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_children_follow_the_xsd_sequence() {
        let order = ["documentation", "extensionElements", "ioSpecification", "property", "dataInputAssociation"];
        let ranks: Vec<u8> = order.iter().filter_map(|l| kept_child_rank(l)).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
        assert!(kept_child_rank("resourceRole") < Some(rank::LOOP_CHARACTERISTICS));
        assert!(kept_child_rank("task").is_none(), "flow elements are not kept children");
    }
}
