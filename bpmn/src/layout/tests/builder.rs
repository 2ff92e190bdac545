//! A small builder for process content in tests.

use crate::model::{
    CallActivity, Collaboration, Definitions, Event, EventDefinition, EventDefinitionKind, EventKind, Expression,
    FlowElement, FlowNode, FlowNodeKind, Gateway, GatewayKind, MessageFlow, Participant, Process, RootElement,
    SequenceFlow, SubProcess, SubProcessKind, Task, TaskKind,
};
use crate::model::{Common, LoopCharacteristics, MultiInstance};

/// The flow elements of one scope, built step by step. Flows are named `<source>_<target>`.
#[derive(Default)]
pub(super) struct Flows {
    pub elements: Vec<FlowElement>,
}

fn event(kind: EventKind, definition: Option<EventDefinitionKind>) -> FlowNodeKind {
    FlowNodeKind::Event(Event::new(kind, definition.map(EventDefinition::new)))
}

fn timer() -> EventDefinitionKind {
    EventDefinitionKind::Timer { time_date: None, time_duration: Some(Expression::formal("PT1H")), time_cycle: None }
}

impl Flows {
    pub fn node(&mut self, id: &str, kind: FlowNodeKind) -> &mut Self {
        self.elements.push(FlowElement::Node(FlowNode::new(id, kind)));
        self
    }

    pub fn start(&mut self, id: &str) -> &mut Self {
        self.node(id, event(EventKind::Start { is_interrupting: None }, None))
    }

    pub fn error_start(&mut self, id: &str) -> &mut Self {
        self.node(
            id,
            event(EventKind::Start { is_interrupting: None }, Some(EventDefinitionKind::Error { error_ref: None })),
        )
    }

    pub fn timer_start(&mut self, id: &str) -> &mut Self {
        self.node(id, event(EventKind::Start { is_interrupting: Some(false) }, Some(timer())))
    }

    pub fn end(&mut self, id: &str) -> &mut Self {
        self.node(id, event(EventKind::End, None))
    }

    pub fn wait(&mut self, id: &str) -> &mut Self {
        self.node(id, event(EventKind::IntermediateCatch, Some(timer())))
    }

    pub fn task(&mut self, id: &str) -> &mut Self {
        self.node(id, FlowNodeKind::Task(Task::new(TaskKind::Service)))
    }

    pub fn send_task(&mut self, id: &str) -> &mut Self {
        self.node(id, FlowNodeKind::Task(Task::new(TaskKind::Send { message_ref: None })))
    }

    pub fn call(&mut self, id: &str) -> &mut Self {
        self.node(id, FlowNodeKind::CallActivity(CallActivity::default()))
    }

    pub fn xor(&mut self, id: &str) -> &mut Self {
        self.node(id, FlowNodeKind::Gateway(Gateway::new(GatewayKind::Exclusive)))
    }

    pub fn parallel(&mut self, id: &str) -> &mut Self {
        self.node(id, FlowNodeKind::Gateway(Gateway::new(GatewayKind::Parallel)))
    }

    fn boundary(&mut self, id: &str, host: &str, definition: EventDefinitionKind) -> &mut Self {
        let kind = EventKind::Boundary { attached_to: host.to_owned(), cancel_activity: None };
        self.node(id, event(kind, Some(definition)))
    }

    pub fn timer_boundary(&mut self, id: &str, host: &str) -> &mut Self {
        self.boundary(id, host, timer())
    }

    pub fn error_boundary(&mut self, id: &str, host: &str) -> &mut Self {
        self.boundary(id, host, EventDefinitionKind::Error { error_ref: None })
    }

    pub fn sub_process(&mut self, id: &str, content: Flows) -> &mut Self {
        let sub = SubProcess { flow_elements: content.elements, ..SubProcess::new(SubProcessKind::Embedded) };
        self.node(id, FlowNodeKind::SubProcess(sub))
    }

    pub fn event_sub_process(&mut self, id: &str, content: Flows) -> &mut Self {
        let sub = SubProcess { flow_elements: content.elements, ..SubProcess::event_sub_process() };
        self.node(id, FlowNodeKind::SubProcess(sub))
    }

    /// Makes node `id` a sequential multi-instance activity.
    pub fn multi_instance(&mut self, id: &str) -> &mut Self {
        if let Some(activity) = self.node_mut(id).and_then(FlowNode::activity_mut) {
            activity.loop_characteristics = Some(LoopCharacteristics::MultiInstance(MultiInstance {
                is_sequential: Some(true),
                ..MultiInstance::default()
            }));
        }
        self
    }

    pub fn flow(&mut self, from: &str, to: &str) -> &mut Self {
        self.elements.push(FlowElement::SequenceFlow(SequenceFlow {
            common: Common::new(format!("{from}_{to}")),
            source_ref: from.to_owned(),
            target_ref: to.to_owned(),
            ..SequenceFlow::default()
        }));
        self
    }

    pub fn chain(&mut self, ids: &[&str]) -> &mut Self {
        for pair in ids.windows(2) {
            self.flow(pair[0], pair[1]);
        }
        self
    }

    fn node_mut(&mut self, id: &str) -> Option<&mut FlowNode> {
        self.elements.iter_mut().find_map(|e| match e {
            FlowElement::Node(n) if n.id() == id => Some(n),
            _ => None,
        })
    }

    pub fn name(&mut self, id: &str, name: &str) -> &mut Self {
        if let Some(node) = self.node_mut(id) {
            node.common.name = Some(name.to_owned());
        }
        self
    }

    pub fn name_flow(&mut self, id: &str, name: &str) -> &mut Self {
        for element in &mut self.elements {
            if let FlowElement::SequenceFlow(f) = element
                && f.common.id == id
            {
                f.common.name = Some(name.to_owned());
            }
        }
        self
    }

    pub fn default_flow(&mut self, gateway: &str, flow: &str) -> &mut Self {
        if let Some(FlowNode { kind: FlowNodeKind::Gateway(g), .. }) = self.node_mut(gateway) {
            g.default_flow = Some(flow.to_owned());
        }
        self
    }
}

/// Definitions holding one executable process `Process_1` with the given content.
pub(super) fn definitions(flows: Flows) -> Definitions {
    let process = Process {
        common: Common::new("Process_1"),
        is_executable: Some(true),
        flow_elements: flows.elements,
        ..Process::default()
    };
    Definitions {
        id: Some("Definitions_1".into()),
        target_namespace: "http://bpmn.io/schema/bpmn".into(),
        root_elements: vec![RootElement::Process(process)],
        ..Definitions::default()
    }
}

/// Adds a collaboration with a pool for `Process_1`, an empty outside pool, and a message flow
/// from task `Ask` to the outside pool.
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
pub(super) fn compiled_workflow() -> Flows {
    let mut parallel = Flows::default();
    parallel.start("P_S").parallel("P_Fork").parallel("P_Join").end("P_E");
    parallel.task("P_Lint").task("P_Test").task("P_Scan").task("P_Report");
    parallel.chain(&["P_S", "P_Fork", "P_Lint", "P_Join", "P_E"]).chain(&["P_Fork", "P_Test", "P_Join"]);
    parallel.chain(&["P_Fork", "P_Scan", "P_Report", "P_Join"]);

    let mut body = Flows::default();
    body.start("B_S").task("B_Poll").wait("B_Wait").end("B_E").chain(&["B_S", "B_Poll", "B_Wait", "B_E"]);

    let mut each = Flows::default();
    each.start("F_S").task("F_Item").end("F_E").chain(&["F_S", "F_Item", "F_E"]);

    let mut on_error = Flows::default();
    on_error.error_start("H_S").task("H_Rollback").task("H_Notify").end("H_E");
    on_error.chain(&["H_S", "H_Rollback", "H_Notify", "H_E"]);
    let mut sla = Flows::default();
    sla.timer_start("SLA_S").task("SLA_Notify").end("SLA_E").chain(&["SLA_S", "SLA_Notify", "SLA_E"]);

    let mut f = Flows::default();
    f.start("Start").task("init").xor("c1__split").task("a").xor("c2__split").task("b").task("c");
    f.xor("c2__join").xor("c1__join").task("d");
    f.sub_process("par", parallel).timer_boundary("par__timeout", "par").end("TimedOut");
    f.xor("w__loop").xor("w__check").sub_process("w__body", body);
    f.sub_process("each", each).multi_instance("each").call("deploy").end("End");
    f.event_sub_process("errors", on_error).event_sub_process("sla", sla);
    f.chain(&["Start", "init", "c1__split", "a", "c2__split", "b", "c2__join", "c1__join"]);
    f.chain(&["c2__split", "c", "c2__join"]).chain(&["c1__split", "d", "c1__join"]);
    f.chain(&["c1__join", "par", "w__loop", "w__check", "w__body", "w__loop"]);
    f.chain(&["par__timeout", "TimedOut"]).chain(&["w__check", "each", "deploy", "End"]);
    f.default_flow("c1__split", "c1__split_d")
        .default_flow("c2__split", "c2__split_c")
        .default_flow("w__check", "w__check_each");
    f.name("c1__split", "needs review?").name("w__check", "pending?").name("par__timeout", "30 min");
    f
}
