//! Models for the layout tests, built with [`crate::build`], plus the few touches the builder has
//! no step for (names, multi-instance, a collaboration).

use crate::build::{Flows, definitions};
use crate::model::Common;
use crate::model::{
    Collaboration, Definitions, EventDefinitionKind, EventKind, Expression, FlowElement, FlowNode, FlowNodeKind,
    GatewayKind, LoopCharacteristics, MessageFlow, MultiInstance, Participant, RootElement,
};

/// A timer definition.
pub(super) fn timer() -> EventDefinitionKind {
    EventDefinitionKind::Timer { time_date: None, time_duration: Some(Expression::formal("PT1H")), time_cycle: None }
}

/// A catch-all error definition.
pub(super) fn error() -> EventDefinitionKind {
    EventDefinitionKind::Error { error_ref: None }
}

/// Shorthands for the builder steps the tests use most.
pub(super) trait Shorthands {
    /// An exclusive gateway.
    fn xor(self, id: &str) -> Self;
    /// A parallel gateway.
    fn and(self, id: &str) -> Self;
    /// A flow named `Flow_<source>_<target>`, as [`Flows::chain`] names them.
    fn link(self, source: &str, target: &str) -> Self;
    /// A non-interrupting timer start event.
    fn timer_start(self, id: &str) -> Self;
}

impl Shorthands for Flows {
    fn xor(self, id: &str) -> Self {
        self.gateway(id, GatewayKind::Exclusive)
    }

    fn and(self, id: &str) -> Self {
        self.gateway(id, GatewayKind::Parallel)
    }

    fn link(self, source: &str, target: &str) -> Self {
        self.flow(&format!("Flow_{source}_{target}"), source, target)
    }

    fn timer_start(self, id: &str) -> Self {
        self.event(id, EventKind::Start { is_interrupting: Some(false) }, Some(timer()))
    }
}

/// Definitions holding one executable process `Process_1` with the given content.
pub(super) fn model(flows: Flows) -> Definitions {
    definitions("Definitions_1", [flows.into_process("Process_1")])
}

/// Calls `f` on every flow element of `defs`, at any depth.
fn for_each_element(defs: &mut Definitions, f: &mut impl FnMut(&mut FlowElement)) {
    fn walk(elements: &mut [FlowElement], f: &mut impl FnMut(&mut FlowElement)) {
        for element in elements {
            f(element);
            if let FlowElement::Node(FlowNode { kind: FlowNodeKind::SubProcess(sub), .. }) = element {
                walk(&mut sub.flow_elements, f);
            }
        }
    }
    for process in defs.processes_mut() {
        walk(&mut process.flow_elements, f);
    }
}

/// Names the node or flow `id`.
pub(super) fn name(defs: &mut Definitions, id: &str, name: &str) {
    for_each_element(defs, &mut |element| {
        let common = match element {
            FlowElement::Node(n) => &mut n.common,
            FlowElement::SequenceFlow(f) => &mut f.common,
            FlowElement::Other(_) => return,
        };
        if common.id == id {
            common.name = Some(name.to_owned());
        }
    });
}

/// Makes activity `id` a sequential multi-instance.
pub(super) fn multi_instance(defs: &mut Definitions, id: &str) {
    for_each_element(defs, &mut |element| {
        if let FlowElement::Node(node) = element
            && node.id() == id
            && let Some(activity) = node.activity_mut()
        {
            let characteristics = MultiInstance { is_sequential: Some(true), ..MultiInstance::default() };
            activity.loop_characteristics = Some(LoopCharacteristics::MultiInstance(characteristics));
        }
    });
}

/// Adds a collaboration with a pool for `Process_1`, an empty outside pool, and a message flow
/// from node `Ask` to the outside pool.
pub(super) fn with_collaboration(mut defs: Definitions) -> Definitions {
    let participant = |id: &str, process: Option<&str>| Participant {
        common: Common::new(id),
        process_ref: process.map(str::to_owned),
    };
    let collaboration = Collaboration {
        common: Common::new("Collaboration_1"),
        participants: vec![participant("Pool_Main", Some("Process_1")), participant("Pool_Outside", None)],
        message_flows: vec![MessageFlow {
            common: Common::new("Message_1"),
            source_ref: "Ask".into(),
            target_ref: "Pool_Outside".into(),
            message_ref: None,
        }],
        ..Collaboration::default()
    };
    defs.root_elements.insert(0, RootElement::Collaboration(collaboration));
    defs
}

/// What the YAML compiler makes of a typical seed workflow: nested conditionals, a parallel block
/// with a timeout (a sub-process with a timer boundary), a while loop, a for-each multi-instance,
/// and event sub-processes for error handling and the SLA timer.
pub(super) fn compiled_workflow() -> Definitions {
    let parallel = Flows::new()
        .start("P_S")
        .and("P_Fork")
        .and("P_Join")
        .end("P_E")
        .task("P_Lint")
        .task("P_Test")
        .task("P_Scan")
        .task("P_Report")
        .chain(&["P_S", "P_Fork", "P_Lint", "P_Join", "P_E"])
        .chain(&["P_Fork", "P_Test", "P_Join"])
        .chain(&["P_Fork", "P_Scan", "P_Report", "P_Join"]);
    let body = Flows::new()
        .start("B_S")
        .task("B_Poll")
        .event("B_Wait", EventKind::IntermediateCatch, Some(timer()))
        .end("B_E")
        .chain(&["B_S", "B_Poll", "B_Wait", "B_E"]);
    let each = Flows::new().start("F_S").task("F_Item").end("F_E").chain(&["F_S", "F_Item", "F_E"]);
    let on_error = Flows::new().start_with("H_S", error()).task("H_Rollback").task("H_Notify").end("H_E").chain(&[
        "H_S",
        "H_Rollback",
        "H_Notify",
        "H_E",
    ]);
    let sla =
        Flows::new().timer_start("SLA_S").task("SLA_Notify").end("SLA_E").chain(&["SLA_S", "SLA_Notify", "SLA_E"]);
    let flows = Flows::new()
        .start("Start")
        .task("init")
        .gateway_with_default("c1__split", GatewayKind::Exclusive, "Flow_c1__split_d")
        .task("a")
        .gateway_with_default("c2__split", GatewayKind::Exclusive, "Flow_c2__split_c")
        .task("b")
        .task("c")
        .xor("c2__join")
        .xor("c1__join")
        .task("d")
        .sub_process("par", parallel)
        .boundary("par__timeout", "par", timer())
        .end("TimedOut")
        .xor("w__loop")
        .gateway_with_default("w__check", GatewayKind::Exclusive, "Flow_w__check_each")
        .sub_process("w__body", body)
        .sub_process("each", each)
        .call_activity("deploy", "deploy-process")
        .end("End")
        .event_sub_process("errors", on_error)
        .event_sub_process("sla", sla)
        .chain(&["Start", "init", "c1__split", "a", "c2__split", "b", "c2__join", "c1__join"])
        .chain(&["c2__split", "c", "c2__join"])
        .chain(&["c1__split", "d", "c1__join"])
        .chain(&["c1__join", "par", "w__loop", "w__check", "w__body", "w__loop"])
        .chain(&["par__timeout", "TimedOut"])
        .chain(&["w__check", "each", "deploy", "End"]);
    let mut defs = model(flows);
    multi_instance(&mut defs, "each");
    name(&mut defs, "c1__split", "needs review?");
    name(&mut defs, "w__check", "pending?");
    name(&mut defs, "par__timeout", "30 min");
    defs
}
