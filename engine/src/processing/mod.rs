//! Command processing: the [`Machine`] turns commands into records, one element lifecycle step at
//! a time, and runs until no follow-up command is left.
//!
//! The lifecycle of every element is the [`lifecycle::ElementProcessor`] trait; each BPMN family
//! has its own module (`event`, `task`, `gateway`, `container`) and the shared verbs live in
//! `behavior`. The `driver` module is the state machine that calls the hooks in order.

pub(crate) mod ad_hoc;
pub(crate) mod behavior;
mod container;
pub(crate) mod driver;
mod event;
mod gateway;
pub(crate) mod lifecycle;
mod task;

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::model::{FlowIdx, NodeIdx};
use crate::record::{Intent, Record, RecordValue};
use crate::state::State;
use crate::store::RecordSink;
use crate::store::{PruneReport, StoreError};

/// The first key of partition 1: `1 << 51`.
pub const KEY_BASE: i64 = 1 << 51;

/// The payload of an event that activates a catch element, and where a scope starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trigger {
    /// Variables the event carries.
    pub variables: Option<Arc<Map<String, Value>>>,
    /// For a process or event sub-process: the start event to begin at.
    pub start: Option<NodeIdx>,
    /// True when the variables stay local to the catch element (BPMN errors).
    pub local_only: bool,
}

/// A buffered message waiting to correlate: (subscription key, message key, payload).
pub(crate) type PendingCorrelation = (i64, i64, Arc<Map<String, Value>>);

/// A follow-up command.
#[derive(Debug)]
pub(crate) enum Command {
    /// A token arrived over `flow`: activate its target in `flow_scope`.
    ActivateFromFlow { flow_scope: i64, def: u32, flow: FlowIdx, trigger: Option<Trigger> },
    /// `ELEMENT_ACTIVATING` is written: do the activation work.
    RunActivation { key: i64, trigger: Option<Trigger> },
    /// Complete an activated element.
    Complete { key: i64 },
    /// Terminate an element (and everything inside).
    Terminate { key: i64 },
}

/// The single-threaded state machine: state, record sink, key generator, clock reading and the
/// command queue.
pub(crate) struct Machine {
    pub state: State,
    sink: Box<dyn RecordSink>,
    /// Whether the sink's flush does work (asked once: the in-memory hot path skips the call).
    durable_sink: bool,
    /// Inside a batch of commands ([`EngineCore::begin_batch`](crate::EngineCore::begin_batch)):
    /// commands do not flush; the batch submits once at its end.
    pub batching: bool,
    /// Whether the sink keeps entries (asked once: otherwise no cause is built per command).
    pub entry_sink: bool,
    next_key: i64,
    /// The time of the command being processed (epoch milliseconds).
    pub now: i64,
    queue: VecDeque<Command>,
    /// Root process instances that finished: key, completed (vs terminated), root variables.
    pub finished: Vec<(i64, bool, Map<String, Value>)>,
    /// Root instances whose result someone awaits.
    pub awaited: std::collections::HashSet<i64>,
    /// Process instances (called ones included) that completed, then that were terminated,
    /// since this machine was made (replaying the log counts nothing).
    pub ended: (u64, u64),
    /// Buffered messages found for subscriptions whose owner was still activating.
    pub pending_correlations: Vec<PendingCorrelation>,
}

impl Machine {
    pub fn new(sink: Box<dyn RecordSink>) -> Self {
        Self {
            state: State::default(),
            durable_sink: sink.is_durable(),
            entry_sink: sink.keeps_entries(),
            batching: false,
            sink,
            next_key: KEY_BASE,
            now: 0,
            queue: VecDeque::with_capacity(64),
            finished: Vec::new(),
            awaited: std::collections::HashSet::new(),
            ended: (0, 0),
            pending_correlations: Vec::new(),
        }
    }

    /// A fresh key: `(1 << 51) + counter`.
    pub fn key(&mut self) -> i64 {
        self.next_key += 1;
        self.next_key
    }

    /// The key the next call to [`key`](Self::key) returns.
    pub fn peek_next_key(&self) -> i64 {
        self.next_key + 1
    }

    /// Takes over a state rebuilt from a record log, with the last key handed out.
    pub fn restore(&mut self, state: State, key_counter: i64) {
        self.state = state;
        self.next_key = key_counter.max(KEY_BASE);
    }

    /// Ends a command: the sink makes its records durable, with the key generator's position
    /// (inside a batch: nothing yet, the batch submits at its end).
    pub fn flush(&mut self) -> Result<(), StoreError> {
        if self.durable_sink && !self.batching { self.sink.flush(self.next_key) } else { Ok(()) }
    }

    /// Hands everything written so far to the sink, with the key generator's position.
    pub fn submit(&mut self) -> crate::store::Commit {
        if self.durable_sink { self.sink.submit(self.next_key) } else { crate::store::Commit::done(Ok(())) }
    }

    /// Starts a log entry at the command's time (only called when `entry_sink` is true).
    pub fn begin_entry(&mut self, cause: &crate::record::Cause) {
        self.sink.begin_entry(self.now, cause);
    }

    /// The entries the sink can read back (see [`RecordSink::entries`]).
    pub fn entries(&mut self) -> Option<Result<Vec<crate::store::LogEntry>, StoreError>> {
        self.sink.entries()
    }

    /// Stores a snapshot of the state through the sink (see [`RecordSink::save_snapshot`]).
    pub fn save_snapshot(&mut self) -> Result<Option<i64>, StoreError> {
        self.sink.save_snapshot(&self.state, self.next_key)
    }

    /// Prunes the stored log's history through the sink (see [`RecordSink::prune_history`]).
    pub fn prune_history(&mut self, through: i64, ended_before: i64) -> Result<Option<PruneReport>, StoreError> {
        self.sink.prune_history(through, ended_before)
    }

    /// Writes a record: the sink sees it, then the state applies it. The processors write only
    /// records that fit the state they read (every test checks it); a misfit would leave the
    /// state as it was.
    pub fn write(&mut self, key: i64, intent: Intent, value: RecordValue) {
        let record = Record { key, intent, value };
        self.sink.append(&record);
        let applied = self.state.apply(record);
        debug_assert!(applied.is_ok(), "the engine wrote a record that does not fit its state: {applied:?}");
    }

    /// Variables seen from `scope` at the time of the command being processed.
    pub fn view(&self, scope: i64) -> crate::state::ScopeView<'_> {
        self.state.view(scope, self.now)
    }

    /// Queues a follow-up command.
    pub fn enqueue(&mut self, command: Command) {
        self.queue.push_back(command);
    }

    /// Processes queued commands until none is left.
    pub fn run(&mut self) {
        while let Some(command) = self.queue.pop_front() {
            match command {
                Command::ActivateFromFlow { flow_scope, def, flow, trigger } => {
                    driver::activate_from_flow(self, flow_scope, def, flow, trigger)
                }
                Command::RunActivation { key, trigger } => driver::run_activation(self, key, trigger),
                Command::Complete { key } => driver::complete(self, key),
                Command::Terminate { key } => driver::terminate(self, key),
            }
            if !self.pending_correlations.is_empty() {
                behavior::messages::run_pending_correlations(self);
            }
        }
    }
}
